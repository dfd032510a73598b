"""The three extraction presets behind ``--model`` and how each reads a parsed Doc.

* ``rules``: the syntax and lexicon rules alone (:mod:`.rules`); no model files.
* ``fast``: a CRF per role over spaCy features and the rules' output (:mod:`.crf`).
* ``accurate``: a fine-tuned MiniLM tagger run by onnxruntime (:mod:`.transformer`).

All three return attributions with offsets into ``doc.text``; the learned
ones group their role spans with :func:`.tagging.group`, using the parse's
sentences.
"""

from __future__ import annotations

from spacy.tokens import Doc

from ..errors import E, ModelError
from ..model import Attribution, Span
from .rules import RuleConfig, extract_attributions
from .tagging import group, link_parents

__all__ = ["PRESETS", "DEFAULT_PRESET", "check_preset", "preset_attributions"]

PRESETS: tuple[str, ...] = ("rules", "fast", "accurate")
#: The most accurate preset that meets its speed floor on PolNeAR dev (see the README).
DEFAULT_PRESET = "accurate"


def check_preset(name: str | None) -> str:
    """``name`` if it is a preset (``None`` means the default); raises E205 otherwise."""
    if name is None:
        return DEFAULT_PRESET
    if name not in PRESETS:
        raise ModelError("E205", E.E205.format(name=name, choices=", ".join(PRESETS)))
    return name


def preset_attributions(doc: Doc, preset: str, config: RuleConfig | None = None) -> list[Attribution]:
    """The attributions ``preset`` finds in the parsed ``doc``."""
    if preset == "rules":
        return extract_attributions(doc, config)
    check_preset(preset)
    text = doc.text  # Doc.text joins every token on each access: read it once
    starts = [s.start_char for s in doc.sents]
    rule_atts = extract_attributions(doc, config)
    if preset == "fast":
        from .crf import load_fast

        roles, confidence = load_fast().predict(doc, rule_atts)
    else:
        from .transformer import load_accurate

        roles, confidence = load_accurate().predict(text)
    atts = group(text, roles, starts, confidence=confidence, cut_at_sentence=preset == "fast")
    return _rule_contents(doc, text, atts, rule_atts)


def _rule_contents(doc: Doc, text: str, atts: list[Attribution], rule_atts: list[Attribution]) -> list[Attribution]:
    """Where the rules found the same cue, their content boundaries beat the tagger's
    (and their source stands in for a missing one).

    Both taggers find cues and sources well but end long contents badly; the
    rules read the content off the parse (clause, quotation) and end it where
    PolNeAR does more often: on dev, content exact F1 0.38 -> 0.46 for
    ``fast`` and 0.48 -> 0.52 for ``accurate``.
    """
    for att in atts:
        if not att.cue:
            continue
        cue = att.cue[0]
        for rule in rule_atts:
            r = rule.cue[0]
            if r.start < cue.end and cue.start < r.end and rule.content:
                att.content, att.kind = list(rule.content), rule.kind
                if not att.source or _split_from_cue(att) or any(s.start < r.end and r.start < s.end for s in att.source):
                    # "according to | a translation from | X": the rules' cue runs through "from"
                    att.cue, att.source = list(rule.cue), list(rule.source) or att.source
                break
        else:
            att.content = [_constituent(doc, text, c) for c in att.content]
    link_parents(atts)
    return atts


def _split_from_cue(att: Attribution) -> bool:
    """A source with the attribution's own content between it and the cue is someone else's."""
    cue = att.cue[0]
    for source in att.source:
        lo, hi = (source.end, cue.start) if source.end <= cue.start else (cue.end, source.start)
        if any(lo <= c.start and c.end <= hi for c in att.content):
            return True
    return False


def _constituent(doc: Doc, text: str, span: Span) -> Span:
    """Snap an indirect content to the one clause it mostly covers (start at "that", no final stop)."""
    if text[span.start] in "\"'“‘":
        return span
    tokens = doc.char_span(span.start, span.end, alignment_mode="expand")
    if tokens is None or len(tokens) < 3:
        return span
    roots = [t for t in tokens if not (tokens.start <= t.head.i < tokens.end) or t.head is t]
    if len(roots) != 1:
        return span
    root = roots[0]
    start, end = root.left_edge.i, root.right_edge.i + 1
    if end - start > 2 * len(tokens):
        return span
    while end > start + 1 and doc[end - 1].is_punct and doc[end - 1].text not in "\"'”’)":
        end -= 1
    return Span.of(text, doc[start].idx, doc[end - 1].idx + len(doc[end - 1]))
