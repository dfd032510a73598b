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
#: The rules taking any verb as a cue: for content boundaries of cues the CRF found.
_ANY_CUE = RuleConfig(min_ratio=0.0, min_ratio_quote=0.0, min_ratio_xcomp=0.0, min_ratio_that=0.0)


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
    starts = [s.start_char for s in doc.sents]
    if preset == "fast":
        from .crf import load_fast

        rule_atts = extract_attributions(doc, config)
        roles, confidence = load_fast().predict(doc, rule_atts)
        atts = group(doc.text, roles, starts, confidence=confidence, cut_at_sentence=True)
        # Contents for cues the tuned rules skip come from the rules with no lexicon threshold.
        return _rule_contents(doc, atts, rule_atts + extract_attributions(doc, _ANY_CUE))
    elif preset == "accurate":
        from .transformer import load_accurate

        roles, confidence = load_accurate().predict(doc.text)
    else:
        check_preset(preset)
        raise AssertionError("unreachable")
    return group(doc.text, roles, starts, confidence=confidence)


def _rule_contents(doc: Doc, atts: list[Attribution], rule_atts: list[Attribution]) -> list[Attribution]:
    """Where the rules found the same cue, their content boundaries beat the CRF's
    (and their source stands in for a missing one).

    The CRF finds cues and sources well but ends long contents badly; the
    rules read the content off the parse (clause, quotation) and end it where
    PolNeAR does far more often (dev: see the README).
    """
    for att in atts:
        if not att.cue:
            continue
        cue = att.cue[0]
        for rule in rule_atts:
            r = rule.cue[0]
            if r.start < cue.end and cue.start < r.end and rule.content:
                att.content, att.kind = list(rule.content), rule.kind
                att.source = att.source or list(rule.source)
                break
        else:
            att.content = [_constituent(doc, c) for c in att.content]
    link_parents(atts)
    return atts


def _constituent(doc: Doc, span: Span) -> Span:
    """Snap an indirect content to the one clause it mostly covers (start at "that", no final stop)."""
    text = doc.text
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
