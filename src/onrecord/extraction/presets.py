"""The three extraction presets behind ``--model`` and how each reads a parsed Doc.

* ``rules``: the syntax and lexicon rules alone (:mod:`.rules`); no model files.
* ``fast``: a CRF per role over spaCy features and the rules' output (:mod:`.crf`).
* ``accurate``: a fine-tuned MiniLM tagger run by onnxruntime (:mod:`.transformer`).

Either learned preset may carry a pointer head (:mod:`.pointer`) that reads
each cue's own source, cue and content again, from the transformer's last
layer or spaCy's tok2vec output.

All three return attributions with offsets into ``doc.text``; the learned
ones group their role spans with :func:`.tagging.group`, using the parse's
sentences.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.tokens import Doc

from ..errors import E, ModelError
from ..model import Attribution, Span
from ._text import doc_text, quotes_in
from .lexicon import word_set
from .pointer import Reading, same_cue
from .quotes import Quote
from .rules import RuleConfig, extract_attributions, is_signed, with_signed
from .tagging import attribution_kind, carve, group, holder, link_parents, number, snap_to_words

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
    atts = _attributions(doc, preset, config)
    text = doc_text(doc)
    quotes = quotes_in(text)
    for att in atts:
        content = _trim_content(text, _one_line(text, att.content, att.cue[0] if att.cue else None), quotes)
        if content != att.content and att.cue:  # '"A," she wrote in the column' was mixed, is direct
            att.kind = attribution_kind(text, [(c.start, c.end) for c in content], att.cue[0].text.lower())
        att.content = content
    for att in atts:  # nesting as the contents finally stand: a trimmed one may no longer hold a cue
        att.parent = None
    link_parents(atts)
    return atts


_STOP = re.compile(r"[.,;:]\s+")
_OPENERS = "\"'`\u201c\u2018"


def _lstrip_stop(text: str, frag: Span) -> Span:
    m = _STOP.match(text, frag.start, frag.end)
    return Span.of(text, m.end(), frag.end) if m and m.end() < frag.end else frag


_CONNECTIVE = re.compile(r"(\w+(?:\s+\w+){0,3}),\s+")


def _lstrip_connective(text: str, frag: Span) -> Span:
    """Start a content that is not a quotation after a leading "However," or "Despite this,"
    (``data/content_leading_connectives.txt``): the reporter's link to the sentence before."""
    m = _CONNECTIVE.match(text, frag.start, frag.end)
    if m and " ".join(m.group(1).lower().split()) in word_set("content_leading_connectives.txt") and m.end() < frag.end:
        return Span.of(text, m.end(), frag.end)
    return frag


def _rstrip_full_stop(text: str, frag: Span) -> Span:
    """PolNeAR ends a content that is not a quotation before its sentence's full stop (9,455 of
    9,560 in train), even after "U.S."; an ellipsis stays."""
    end = frag.start + len(frag.text.rstrip())
    if end - frag.start > 1 and text[end - 1] == "." and text[end - 2] != ".":
        return Span.of(text, frag.start, end - 1)
    return frag


_CLAUSE = re.compile(r",\s+(\w+)\b")


def _rstrip_closing_clause(text: str, frag: Span, quotes: Sequence[Quote]) -> Span:
    """End a content that is not a quotation before ", citing …", ", according to …", ", saying …"
    (``data/content_closing_participles.txt``): the clause is the speaker's next act or their
    sourcing. PolNeAR train ends 458 contents there and runs 15 on through one."""
    closing = word_set("content_closing_participles.txt")
    for m in _CLAUSE.finditer(text, frag.start, frag.end):
        if (m.start() > frag.start and m.group(1).lower() in closing
                and not any(q.start <= m.start() < q.end for q in quotes)):
            return Span.of(text, frag.start, m.start())
    return frag


def _trim_content(text: str, content: list[Span], quotes: Sequence[Quote]) -> list[Span]:
    """Trim a content's edges to PolNeAR's conventions; after a quotation, it resumes at the next one.

    '"It's finished," she said of the election, "in my head, anyway."': the
    learned presets cut the cue and source out of one stretch, which leaves
    the words between the cue and the second quotation ("of the election,",
    "at a briefing Monday.") at the head of the second fragment, or alone
    ('"...," Gallyamov wrote in the column'). PolNeAR leaves them out: they
    frame the quote. A quotation right after a word in the frame is a title
    ('he said on NBC's "Meet the Press." "Listening to him…"'), so the content
    resumes at the next one: PolNeAR train resumes after a stop or a closing
    quotation mark 1,220 times and after a word 3 times. No fragment starts
    on a stop ('. "In Tulsa'), and a
    content that is not a quotation ends before its sentence's full stop
    and before a closing ", citing …" clause (:func:`_rstrip_closing_clause`).
    Dev content F1 +0.014 for ``accurate``, +0.014 for ``fast``, +0.003 for
    ``rules``.
    """
    content = [_lstrip_stop(text, frag) for frag in content]
    if content and text[content[0].start] not in _OPENERS:
        content[0] = _lstrip_connective(text, content[0])
        content[-1] = _rstrip_full_stop(text, _rstrip_closing_clause(text, content[-1], quotes))
    if len(content) < 2:
        return content
    quote_starts, quote_ends = {q.start for q in quotes}, {q.end for q in quotes}
    out = [content[0]]
    for frag in content[1:]:
        if out[-1].end in quote_ends and frag.start not in quote_starts:
            inside = sorted(start for start in quote_starts if frag.start < start < frag.end)
            if not inside:
                continue  # '"...," Gallyamov wrote in the column': the frame's words, no more quotation
            resumes = [start for start in inside if not _follows_word(text, start)]
            frag = Span.of(text, (resumes or inside)[0], frag.end)
        out.append(frag)
    return out


def _follows_word(text: str, start: int) -> bool:
    """Whether the last character before ``start``, spaces aside, is a letter or a digit."""
    return text[max(0, start - 64) : start].rstrip()[-1:].isalnum()


_LINE = re.compile(r"[^\n]*\w[^\n]*")


def _one_line(text: str, content: list[Span], cue: Span | None) -> list[Span]:
    """A content fragment that runs over a line break keeps the line nearest its cue (else its first).

    No PolNeAR content crosses a line break (0 of 2,691 on dev), yet all three
    presets ran some over a paragraph end ('..." \n\n "Next quote'); cutting
    them lifts dev content F1 by about 0.01 for each.
    """
    out = []
    for span in content:
        if "\n" not in span.text.strip():
            out.append(span)
            continue
        lines = [(span.start + m.start(), span.start + m.end()) for m in _LINE.finditer(span.text)]
        lines = [snap_to_words(text, s, e) or (s, e) for s, e in lines]
        if not lines:
            out.append(span)
            continue
        if cue is None:
            out.append(Span.of(text, *lines[0]))
            continue

        def distance(line: tuple[int, int]) -> int:
            return 0 if line[0] <= cue.start < line[1] else min(abs(cue.start - line[1]), abs(line[0] - cue.end))

        out.append(Span.of(text, *min(lines, key=distance)))
    return out


def _attributions(doc: Doc, preset: str, config: RuleConfig | None) -> list[Attribution]:
    if preset == "rules":
        return extract_attributions(doc, config)
    check_preset(preset)
    text = doc_text(doc)
    starts = [s.start_char for s in doc.sents]
    rule_atts = extract_attributions(doc, config)
    if preset == "fast":
        from .crf import load_fast

        tagger = load_fast()
        reading, (roles, confidence) = tagger.read(doc, rule_atts)
    else:
        from .transformer import decode, load_accurate

        tagger = load_accurate()
        reading = tagger.read(text)
        roles, confidence = decode(text, reading.offsets, reading.log_probs)
    if tagger.pointer is not None and reading.hidden is not None:
        # A content the tagger found with no cue near it is one the head cannot judge, and on dev
        # it is mostly no attribution at all: dropping them lifts content F1 by 0.022 for
        # ``fast`` and 0.008 for ``accurate`` (37 of 316 and 19 of 118 cue-less contents were right)
        atts = [a for a in group(text, roles, starts, confidence=confidence) if a.cue]
        borrowed = _rule_only(atts, rule_atts) if tagger.pointer.rule_cues else []
        atts += borrowed
        cued = [a for a in atts if a.cue]
        found = tagger.pointer.read(
            text, reading.offsets, reading.hidden, reading.logits,
            [(a.cue[0].start, a.cue[0].end) for a in cued], rule_atts, doc,
        )
        atts = _pointed(
            text, atts, dict(zip(map(id, cued), found)), rule_atts, frozenset(map(id, borrowed)),
            tagger.pointer.rules_margin,
        )
        atts = _relay_speakers(atts, rule_atts)
        _closing_clause_sources(text, atts)
    else:
        atts = group(text, roles, starts, confidence=confidence, cut_at_sentence=preset == "fast")
        atts = _rule_contents(doc, text, atts, rule_atts)
    # Quotations signed with a dash ('“…” ― Sonya Herridge'): PolNeAR's train split has 7, too few for
    # either preset to learn (on dev they found none of 24), so the rules' reading stands
    return with_signed(atts, [r for r in rule_atts if is_signed(r)])


def _pointed(
    text: str,
    atts: list[Attribution],
    readings: dict[int, Reading | None],
    rule_atts: list[Attribution],
    borrowed: frozenset[int] = frozenset(),
    rules_margin: float | None = None,
) -> list[Attribution]:
    """Each cued attribution as the pointer head read it.

    * The content is the head's one stretch minus the attribution's own cue
      and source ('"Taxes rise," he said, "and rates fall."' gives two
      fragments) -- unless the rules found a content for the same cue that
      holds it, and the head scores that one at most ``rules_margin`` below
      its own (None: whatever it scores). A weak head often stops early,
      where the rules read the clause off the parse or the quotation off its
      marks: for ``fast`` this is worth dev content F1 +0.013. The
      ``accurate`` head is more often right than the rules, so it defers to
      them only where it nearly agrees.
    * Where the head sees no source, or no content, the rules' reading of the
      cue stands in.
    * A cue the head rejects is dropped, except a cue nested in another
      attribution's content ('"...," Gallyamov wrote, according to X'):
      PolNeAR annotates few of those, so the head learnt to doubt them, but
      a relay chain needs them. It keeps the tagger's reading, with the
      rules' source where the rules found the cue.
    * ``borrowed`` (ids) are cues only the rules found: the head keeps or
      drops them like the tagger's, nested or not.
    * Two cues the head reads as one are one attribution.
    """
    out, seen = [], set()
    for att in atts:
        reading = readings.get(id(att))
        if reading is None:
            out.append(att)
            continue
        cue = reading.cue and snap_to_words(text, *reading.cue)
        rule = _same_cue(att.cue[0], rule_atts)
        if cue is None:
            if id(att) not in borrowed and holder(att, atts) is not None:
                if rule is not None:  # the nearest source grouping found is often the outer one's
                    att.source = list(rule.source)
                    att.content = att.content or list(rule.content)
                    _carve_own(text, att)
                    _name_kind(text, att)
                out.append(att)
            continue
        if cue in seen:
            continue
        seen.add(cue)
        source = reading.source and snap_to_words(text, *reading.source)
        att.cue = [Span.of(text, *cue)]
        att.source = [Span.of(text, *source)] if source else list(rule.source) if rule is not None else []
        content = reading.content and snap_to_words(text, *reading.content)
        if content:
            att.content = [Span.of(text, *content)]
            _carve_own(text, att)
        if rule is not None and (
            not att.content or _holds(rule.content, att.content) and _defers(reading, rules_margin)
        ):
            att.content = list(rule.content)
        _according_medium(text, att)
        _name_kind(text, att)
        out.append(att)
    return number(out)


def _relay_speakers(atts: list[Attribution], rule_atts: list[Attribution]) -> list[Attribution]:
    """``atts`` plus the rules' attributions that a relay holds directly and no cue of ``atts`` overlaps.

    A relay is an "according to" or an attribution to a news outlet
    (``data/resolve_media_outlets.txt``): '"…," Gallyamov wrote, according to
    a translation from The Daily Beast'; 'Ukrainian officials claimed …, The
    Guardian reported'. The speaker it relays is the end of a provenance
    chain, but PolNeAR annotates few nested cues, so whether the tagger tags
    one varies between trainings (and, with signed int8 products, between
    CPUs). The rules read these off the parse every time. Only the relay's
    own speakers join: a cue deeper inside ("soldiers have sought to …"
    within what the officials claimed) is left to the tagger. On dev this
    costs at most 0.0007 on any role of either preset.
    """
    candidates = _rule_only(atts, rule_atts)
    pool = atts + candidates
    added = [c for c in candidates if _relays(holder(c, pool, with_source=True))]
    return number(atts + added) if added else atts


def _closing_clause_sources(text: str, atts: list[Attribution]) -> None:
    """Give a sourceless cue that opens a closing clause the source of the attribution it closes.

    "the former speechwriter said that Putin likely has an escape plan,
    citing unnamed sources": "citing" is the speechwriter's act, as every
    ", <participle>" of ``data/content_closing_participles.txt`` after a
    reported sentence is (the contents end before them for the same reason,
    :func:`_rstrip_closing_clause`). The pointer head reads such a cue but
    may see no source in it; the attribution it follows, ending right at
    the comma, has one.
    """
    closing = word_set("content_closing_participles.txt")
    for att in atts:
        if att.source or not att.cue or att.cue[0].text.split()[0].lower() not in closing:
            continue
        comma = att.cue[0].start - 1
        while comma > 0 and text[comma].isspace():
            comma -= 1
        if text[comma] != ",":
            continue
        closed = [a for a in atts if a is not att and a.source and a.cue and a.cue[0].start < comma
                  and _ends_at(text, max(s.end for s in (*a.source, *a.cue, *a.content)), comma)]
        if closed:
            att.source = list(closed[-1].source)


def _ends_at(text: str, end: int, comma: int) -> bool:
    """Whether only closing quotation marks (or the comma itself) lie between ``end`` and ``comma``."""
    return end <= comma + 1 and not text[end:comma].strip(" \"'”’")


def _relays(att: Attribution | None) -> bool:
    """Whether ``att`` is an "according to" or its source is a news outlet's name."""
    if att is None or not att.cue or not att.content:
        return False
    source = " ".join(s.text for s in att.source).lower().removeprefix("the ")
    return att.cue[0].text.lower().startswith("according to") or source in word_set("resolve_media_outlets.txt")


def _carve_own(text: str, att: Attribution) -> None:
    """Cut the attribution's own cue and source out of its content ('"Taxes rise," he said, "and rates
    fall."' gives two fragments)."""
    holes = [(s.start, s.end) for s in (*att.cue, *att.source)]
    att.content = [Span.of(text, *c) for c in carve(text, [(c.start, c.end) for c in att.content], holes)]


def _name_kind(text: str, att: Attribution) -> None:
    """Direct, indirect, mixed or "according to", from the content as it finally stands."""
    att.kind = attribution_kind(text, [(c.start, c.end) for c in att.content], att.cue[0].text.lower())


def _rule_only(atts: list[Attribution], rule_atts: list[Attribution]) -> list[Attribution]:
    """Copies of the rules' attributions whose cue overlaps no cue of ``atts``, for the head to judge."""
    cues = [c for a in atts for c in a.cue]
    out = []
    for rule in rule_atts:
        taken = any(c.start < rule.cue[0].end and rule.cue[0].start < c.end for c in cues) if rule.cue else True
        if not taken and not is_signed(rule):  # the signed ones join later, whatever the head thinks
            out.append(Attribution(id="", cue=list(rule.cue), source=list(rule.source), content=list(rule.content),
                                   kind=rule.kind))
    return out


def _same_cue(cue: Span, rule_atts: list[Attribution]) -> Attribution | None:
    return same_cue((cue.start, cue.end), rule_atts)


def _defers(reading: Reading, margin: float | None) -> bool:
    return margin is None or (reading.rules_doubt is not None and reading.rules_doubt <= margin)


def _holds(outer: list[Span], inner: list[Span]) -> bool:
    return bool(outer and inner) and outer[0].start <= inner[0].start and inner[-1].end <= outer[-1].end


_MEDIUM = re.compile(r"(?:(?:a|an|the)\s+)?(\w+)\s+(?:from|by|in|of)\s+", re.IGNORECASE)


def _according_medium(text: str, att: Attribution) -> None:
    """ "according to | a translation from | The Daily Beast": the medium joins the cue, the outlet is the source.

    PolNeAR would make "a translation from The Daily Beast" the source; onrecord
    keeps the medium nouns of ``data/according_media.txt`` in the cue, as the
    rules do, so that the speaker is the outlet. The medium may have been read
    as part of the source or as part of neither (a head that points at the
    outlet alone): either way it joins the cue.
    """
    if not att.source or not att.cue[0].text.lower().startswith("according to"):
        return
    cue, source = att.cue[0], att.source[0]
    after = cue.end + len(text[cue.end : source.start]) - len(text[cue.end : source.start].lstrip())
    if not cue.end <= after <= source.start:
        return
    medium = _MEDIUM.match(text, after, source.end)
    if (
        medium is None
        or medium.group(1).lower() not in word_set("according_media.txt")
        or not source.start <= medium.end() < source.end
    ):
        return
    att.cue = [Span.of(text, *snap_to_words(text, cue.start, medium.end()))]
    att.source = [Span.of(text, medium.end(), source.end)]


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
        rule = _same_cue(att.cue[0], rule_atts)
        if rule is None:
            att.content = [_constituent(doc, text, c) for c in att.content]
            continue
        r = rule.cue[0]
        att.content, att.kind = list(rule.content), rule.kind
        if not att.source or _split_from_cue(att) or any(s.start < r.end and r.start < s.end for s in att.source):
            # "according to | a translation from | X": the rules' cue runs through "from"
            att.cue, att.source = list(rule.cue), list(rule.source) or att.source
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
