"""Syntax- and lexicon-based attribution extraction over a parsed spaCy Doc.

The extractor looks for a *cue* (a reporting or attitude word from the
lexicon, or "according to") and then asks the dependency parse for its
*source* (the subject) and its *content* (the complement clause, or the
quotation next to it). Offsets follow PolNeAR: the cue is the verb group
("has also said", "was quoted as saying"), an indirect content starts at
"that" and leaves out the sentence's final punctuation, and a direct content
keeps its quotation marks and the punctuation inside them.

Results are character offsets into ``doc.text``; mapping back to the user's
original text is the pipeline's job.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from ..model import Attribution, Span
from ._text import doc_text, quotes_in
from .lexicon import cue_ratio, word_set
from .quotes import Quote
from .tagging import number

__all__ = ["RuleConfig", "extract_attributions", "is_signed", "with_signed"]

_SUBJECTS = ("nsubj", "nsubjpass", "csubj")
_COMPLEMENTS = ("ccomp",)
_GROUP_LEFT = ("aux", "auxpass", "neg", "advmod")
_TRIM = set(",.;:—–-") | {"--"}
# A dash signing the quotation just before it: '“…” ― Sonya Herridge', '"…"\n\n- Bernie Sanders.'
# (at most one blank line between; the dash is the cue, as PolNeAR marks it)
_DASHES = ("--", "―", "—", "–", "-")
_SIGNATURE = re.compile(r"[ \t\u00a0]*(?:\n[ \t\u00a0]*){0,2}(%s)[ \t\u00a0]*(?=[^\W\d_])" % "|".join(_DASHES))


@dataclass
class RuleConfig:
    """Knobs of the rule extractor; defaults are tuned on PolNeAR dev."""

    min_ratio: float = 0.3  # lexicon prior a verb needs when a complement clause backs it
    min_ratio_quote: float = 0.2  # ... when only an adjacent quotation backs it
    min_ratio_xcomp: float = 0.5  # ... for "wants to", "plans to", "refused to"
    min_ratio_that: float = 0.2  # ... for attitudes with an explicit "that" clause ("fears that")
    quote_window: int = 4  # tokens allowed between a quotation and its cue
    extend_clause: bool = True  # run indirect contents to the sentence's edge


@dataclass
class _Candidate:
    cue: tuple[int, int]  # token range
    kind: str
    source: list[tuple[int, int]] = field(default_factory=list)  # token ranges
    content: list[tuple[int, int]] = field(default_factory=list)  # character ranges
    confidence: float = 0.5


def extract_attributions(doc: Doc, config: RuleConfig | None = None) -> list[Attribution]:
    """All attributions the rules find in ``doc``, in text order, nested ones linked by ``parent``."""
    config = config or RuleConfig()
    text = doc_text(doc)
    quotes = quotes_in(text)
    candidates: dict[int, _Candidate] = {}
    for token in doc:
        cand = _according_to(token) or _reporting_verb(token, quotes, config)
        if cand is not None and cand.content:
            candidates.setdefault(cand.cue[0], cand)
    _attach_orphan_quotes(doc, quotes, candidates, config)
    found = number(_finish(doc, sorted(candidates.values(), key=lambda c: c.cue[0]), quotes))
    return with_signed(found, _signed_quotes(doc, text, quotes))


def with_signed(atts: list[Attribution], signed: list[Attribution]) -> list[Attribution]:
    """``atts`` (numbered) and the dash-signed quotations ``signed``, numbered again in text order if there are any.

    The signature says who said the quotation, so it replaces any other
    reading of it: an attribution with a cue or content on the quotation or
    the dash goes, unless its cue sits inside the quotation (one the signer
    relays: '“… Trump said Hispanics live in hell …”― Pamela Padilla').
    """
    def replaced(att: Attribution) -> bool:
        return any(
            not (att.cue and s.content[0].start <= att.cue[0].start < s.content[0].end)
            and any(a.start < b.end and b.start < a.end for a in [*att.cue, *att.content] for b in [*s.cue, *s.content])
            for s in signed
        )

    if not signed:
        return atts
    return number([att for att in atts if not replaced(att)] + signed)


def is_signed(att: Attribution) -> bool:
    """Whether ``att`` is a quotation signed with a dash (:func:`_signed_quotes`): its cue is the dash."""
    return bool(att.cue) and att.cue[0].text in _DASHES


# --- cues -------------------------------------------------------------------------


def _verb_group(verb: Token) -> tuple[int, int]:
    """Token range of the cue: auxiliaries, negation and adverbs left of the verb, particle right."""
    start = verb.i
    for child in reversed(list(verb.lefts)):
        if child.i == start - 1 and child.dep_ in _GROUP_LEFT and child.pos_ != "PUNCT":
            start = child.i
        else:
            break
    end = verb.i + 1
    for child in verb.rights:
        if child.i == end and child.dep_ == "prt":
            end += 1
    return start, end


def _reporting_verb(verb: Token, quotes: Sequence[Quote], config: RuleConfig) -> _Candidate | None:
    if verb.pos_ not in ("VERB", "AUX") or verb.dep_ == "amod":
        return None
    ratio = cue_ratio(verb.text)
    if ratio <= 0:
        return None
    if verb.lower_ == "quoted":
        return _quoted_as_saying(verb, quotes)
    if any(c.dep_ == "nsubjpass" and c.lower_ == "it" for c in verb.children):
        return None  # impersonal "it must be understood that …": nobody is speaking
    comp = next((c for c in verb.children if c.dep_ in _COMPLEMENTS), None)
    cue = _verb_group(verb)
    source = _source_of(verb)
    with_that = comp is not None and any(c.dep_ == "mark" and c.lower_ == "that" for c in comp.children)
    if comp is not None and (ratio >= config.min_ratio or with_that and ratio >= config.min_ratio_that):
        content = _clause_content(verb, comp, cue, source, config)
        if content is not None:
            return _Candidate(cue, "indirect", source, [content], confidence=0.4 + 0.5 * ratio)
    # "…, he said." parsed with the quote or clause as the verb's head.
    if (
        ratio >= config.min_ratio
        and source
        and verb.dep_ in ("parataxis", "advcl", "ccomp")
        and verb.head.i < verb.i
        and verb.head.pos_ in ("VERB", "AUX")
        and _comma_before(verb, source)
    ):
        content = _clause_content(verb, verb.head, cue, source, config)
        if content is not None:
            return _Candidate(cue, "indirect", source, [content], confidence=0.3 + 0.5 * ratio)
    xcomp = next((c for c in verb.children if c.dep_ == "xcomp"), None)
    if xcomp is not None and ratio >= config.min_ratio_xcomp and not _is_non_response(xcomp):
        content = _subtree_chars(xcomp, exclude=verb)
        obj = next((c for c in verb.children if c.dep_ == "dobj" and c.i < xcomp.i), None)
        if obj is not None:  # "urged North Korea to refrain": the object opens the content
            content = (obj.left_edge.idx, content[1])
        return _Candidate(cue, "indirect", source, [content], confidence=0.3 + 0.5 * ratio)
    return None


def _quoted_as_saying(verb: Token, quotes: Sequence[Quote]) -> _Candidate | None:
    """"X was quoted as saying (that) …": cue is the whole verb group up to "saying"."""
    saying = next((c for c in verb.subtree if c.lower_ in ("saying", "telling") and c.i > verb.i), None)
    if saying is None:
        return None
    start, _ = _verb_group(verb)
    comp = next((c for c in saying.children if c.dep_ in _COMPLEMENTS), None)
    if comp is not None:
        content = _subtree_chars(comp, exclude=saying)
    else:
        after = [q for q in quotes if q.start >= saying.idx + len(saying)]
        if not after:
            return None
        content = (after[0].start, after[0].end)
    return _Candidate((start, saying.i + 1), "indirect", _source_of(verb), [content], confidence=0.9)


def _according_to(token: Token) -> _Candidate | None:
    """"according to X": the clause it modifies is the content, X the source."""
    if token.lower_ != "according":
        return None
    doc = token.doc
    to = next((c for c in token.children if c.lower_ == "to"), None)
    if to is None and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to":
        to = doc[token.i + 1]
    if to is None:
        return None
    pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
    if pobj is None:
        return None
    cue_end = to.i + 1
    # "according to a translation from The Daily Beast": the medium is part of the cue.
    if pobj.lower_ in word_set("according_media.txt"):
        inner = next((c for c in pobj.children if c.dep_ == "prep" and c.lower_ in ("from", "by", "in", "of")), None)
        inner_obj = next((c for c in inner.children if c.dep_ == "pobj"), None) if inner is not None else None
        if inner_obj is not None:
            cue_end = inner.i + 1
            pobj = inner_obj
    source = [(pobj.left_edge.i, pobj.right_edge.i + 1)]
    sent = token.sent
    phrase = (token.i, max(t.i for t in token.subtree) + 1)
    content = _trimmed_chars(doc, sent.start, phrase[0]) if phrase[0] > sent.start else None
    if content is None or not any(ch.isalnum() for ch in doc.text[content[0] : content[1]]):
        # the phrase opens its clause; a parse that ran the last paragraph's closing '"' into this
        # sentence leaves only that mark before it
        content = _trimmed_chars(doc, phrase[1], sent.end)
    if content is None:
        return None
    return _Candidate((token.i, cue_end), "according_to", source, [content], confidence=0.9)


# --- sources and contents ---------------------------------------------------------------


def _source_of(verb: Token) -> list[tuple[int, int]]:
    """The verb's subject phrase; a conjoined verb ("said X and added Y") borrows its head's."""
    for v in (verb, verb.head if verb.dep_ == "conj" else None):
        if v is None:
            continue
        subj = next((c for c in v.children if c.dep_ in _SUBJECTS), None)
        if subj is not None:
            return [_subject_range(subj)]
    if verb.tag_ != "VBG" and verb.i > 0 and verb.doc[verb.i - 1].is_punct:
        return _inverted_subject(verb)  # "…,” said Smith
    return []


def _subject_range(subj: Token) -> tuple[int, int]:
    """The subject phrase; PolNeAR keeps the comma that closes an appositive ("Dean, a doctor,")."""
    doc = subj.doc
    start, end = subj.left_edge.i, subj.right_edge.i + 1
    while start < end - 1 and (doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start + 1 and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    inner_comma = any(t.text == "," for t in doc[start:end])
    if inner_comma and end < len(doc) and doc[end].text == "," and end <= subj.head.i:
        end += 1
    return start, end


def _subtree_chars(head: Token, *, exclude: Token) -> tuple[int, int]:
    """Character range of ``head``'s subtree, cut before ``exclude`` and trimmed of punctuation."""
    doc = head.doc
    start, end = head.left_edge.i, head.right_edge.i + 1
    if start < exclude.i < end:
        if head.i < exclude.i:
            end = exclude.i
        else:
            start = exclude.i + 1
    return _trimmed_chars(doc, start, end) or _chars(doc, start, end)


def _trimmed_chars(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """Characters of tokens ``[start, end)`` without edge punctuation (quote marks stay)."""
    while start < end and (doc[start].text in _TRIM or doc[start].is_space or doc[start].dep_ == "cc"):
        start += 1
    while end > start and (doc[end - 1].text in _TRIM or doc[end - 1].is_space):
        end -= 1
    if start >= end:
        return None
    return _chars(doc, start, end)


def _chars(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Character range of the tokens ``[start, end)``."""
    return doc[start].idx, doc[end - 1].idx + len(doc[end - 1])


def _comma_before(verb: Token, source: list[tuple[int, int]]) -> bool:
    first = min([verb.i] + [s for s, _ in source])
    return first > 0 and verb.doc[first - 1].text in (",", "—", "–", "--")


def _clause_content(
    verb: Token,
    clause: Token,
    cue: tuple[int, int],
    source: list[tuple[int, int]],
    config: RuleConfig,
) -> tuple[int, int] | None:
    """Characters of the reported clause, which PolNeAR runs to the sentence's edge.

    The parse's subtree is the starting point, but a parse often cuts a long
    clause short (a quoted label inside it, a coordination attached to the
    wrong verb), so with ``extend_clause`` the content runs on to the end of
    the sentence, stopping before a comma that opens the next attribution
    (", The Guardian reported", ", citing unnamed sources").
    """
    doc = verb.doc
    sent = verb.sent
    first_cue = min([cue[0]] + [s for s, _ in source])
    if clause.i > verb.i:  # cue first: "X said that …"
        start = max(clause.left_edge.i, cue[1])
        stop = _clause_stop(doc, start, sent.end, config)
        end = stop if config.extend_clause else min(clause.right_edge.i + 1, stop)
    else:  # content first: "…, X said"
        start = clause.left_edge.i
        end = first_cue
        if config.extend_clause and start > sent.start and doc[start - 1].text not in _TRIM:
            start = sent.start
        start = _skip_fronted_adverbial(doc, start, end)
    return _trimmed_chars(doc, start, end)


def _skip_fronted_adverbial(doc: Doc, start: int, end: int) -> int:
    """"Despite this, …" before a reported clause belongs to the reporter, not the content."""
    for k in range(start, min(start + 6, end)):
        tok = doc[k]
        if tok.text == ",":
            head = doc[start]
            while head.head.i != head.i and start <= head.head.i < k:
                head = head.head
            if head.dep_ in ("prep", "advmod", "advcl", "npadvmod"):
                return k + 1
            return start
        if tok.pos_ in ("VERB", "AUX") or tok.text in ('"', "“"):
            return start
    return start


def _clause_stop(doc: Doc, start: int, limit: int, config: RuleConfig) -> int:
    """Token index where a clause starting at ``start`` stops: sentence end or a new attribution."""
    for k in range(start + 1, limit):
        if doc[k].text in (",", "—", "–", "--", ";"):
            for tok in doc[k + 1 : min(k + 6, limit)]:
                if tok.pos_ != "VERB" or cue_ratio(tok.text) < config.min_ratio:
                    continue
                participle = tok.tag_ == "VBG" and not any(c.dep_ in _SUBJECTS for c in tok.children)
                if participle or not start <= tok.head.i < k:
                    return k
    return limit


def _is_non_response(xcomp: Token) -> bool:
    """"declined to comment", "did not respond": a non-response, not an attribution."""
    return xcomp.lemma_.lower() in word_set("non_response_verbs.txt")


# --- direct quotations --------------------------------------------------------------


def _attach_orphan_quotes(
    doc: Doc, quotes: Sequence[Quote], candidates: dict[int, _Candidate], config: RuleConfig
) -> None:
    """Give a cue to quotations the clause rules missed: “…,” he said / he said: “…”."""
    for q in quotes:
        if any(_overlaps((q.start, q.end), c) for cand in candidates.values() for c in cand.content):
            continue
        verb = _cue_after(doc, q, config) or _cue_before(doc, q, config)
        if verb is None or verb.i in candidates:
            continue
        cue = _verb_group(verb)
        if cue[0] in candidates:
            continue
        candidates[cue[0]] = _Candidate(
            cue, "direct", _source_of(verb), [(q.start, q.end)],
            confidence=0.4 + 0.5 * cue_ratio(verb.text),
        )


def _signed_quotes(doc: Doc, text: str, quotes: Sequence[Quote]) -> list[Attribution]:
    """Quotations signed after them with a dash and a name, as in pull quotes and letters:
    '“…” ― Sonya Herridge', '"…"\n\n- Bernie Sanders.', '"…"\n\n-President Obama, tweeting …'.

    The quotation starts its line, the name is the capitalised words after
    the dash, at least one a proper noun, and it ends its line or is
    followed by a comma, full stop or bracket. A quotation ending a sentence
    of prose, then a dash, is a byline or credit ('… called him "my African
    American."⏎⏎- Reuters.'), and "― and then" is no signature.
    """
    out = []
    for q in quotes:
        if text[text.rfind("\n", 0, q.start) + 1 : q.start].strip():
            continue
        dash = _SIGNATURE.match(text, q.end)
        name = dash and _signature(doc, text, dash.end())
        if name:
            out.append(Attribution(
                id="", kind="direct", cue=[Span.of(text, *dash.span(1))], source=[Span.of(text, *name)],
                content=[Span.of(text, q.start, q.end)], confidence=0.8,
            ))
    return out


def _signature(doc: Doc, text: str, start: int) -> tuple[int, int] | None:
    """Character range of the name that starts at ``start`` and signs a quotation, if one does."""
    line_end = text.find("\n", start)
    line = doc.char_span(start, len(text) if line_end < 0 else line_end, alignment_mode="expand")
    if line is None:
        return None
    words = []
    for tok in line:
        if tok.is_space or tok.text in (",", ".", "(") or not (tok.is_title or tok.pos_ == "PROPN"):
            break
        words.append(tok)
    rest = line[len(words)] if len(words) < len(line) else None
    if not 0 < len(words) <= 6 or not any(t.pos_ == "PROPN" for t in words):
        return None
    if rest is not None and not (rest.is_space or rest.text in (",", ".", "(")):
        return None
    return start, words[-1].idx + len(words[-1])


def _cue_after(doc: Doc, q: Quote, config: RuleConfig) -> Token | None:
    size = doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0  # len(doc.text) without building it
    span = doc.char_span(q.end, size, alignment_mode="expand") if q.end < size else None
    if span is None:
        return None
    for tok in span[: config.quote_window + 1]:
        if tok.text in ("“", '"', "”", "\n") or tok.is_space and "\n" in tok.text:
            return None
        if tok.pos_ in ("VERB", "AUX") and cue_ratio(tok.text) >= config.min_ratio_quote:
            return tok
    return None


def _cue_before(doc: Doc, q: Quote, config: RuleConfig) -> Token | None:
    span = doc.char_span(0, q.start, alignment_mode="contract") if q.start > 0 else None
    if span is None or not len(span):
        return None
    window = list(span[-(config.quote_window + 1):])
    for tok in reversed(window):
        if tok.is_space and "\n" in tok.text or tok.text in ('"', "”", "."):
            return None
        if tok.pos_ in ("VERB", "AUX") and cue_ratio(tok.text) >= config.min_ratio_quote:
            return tok
    return None


def _inverted_subject(verb: Token) -> list[tuple[int, int]]:
    """"…,” said Smith": the subject follows the verb (sometimes parsed as its object)."""
    for child in verb.rights:
        if child.dep_ in ("dobj", "attr", "npadvmod", "nsubj") and child.pos_ in ("PROPN", "NOUN", "PRON"):
            return [(child.left_edge.i, child.right_edge.i + 1)]
    return []


# --- assembly ---------------------------------------------------------------------------


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _snap_to_quotes(
    text: str, content: tuple[int, int], quotes: Sequence[Quote]
) -> tuple[list[tuple[int, int]], str]:
    """Fit a clause content to the quotations it overlaps.

    Only quotation and punctuation: a direct quote, marks included. Words of
    the reporter's own around a quoted fragment ("that Trump “lashed out …”"):
    a mixed quote spanning both.
    """
    inside = [q for q in quotes if _overlaps(content, (q.start, q.end))]
    if not inside:
        return [content], "indirect"
    start = min(content[0], inside[0].start)
    end = max(content[1], inside[-1].end)
    outside = text[start:inside[0].start] + text[inside[-1].end:end]
    outside += "".join(text[a.end:b.start] for a, b in zip(inside, inside[1:]))
    if not any(ch.isalnum() for ch in outside):
        return [(q.start, q.end) for q in inside], "direct"
    return [(start, end)], "mixed"


def _continuing_quotes(doc: Doc, text: str, cand: _Candidate, quotes: Sequence[Quote]) -> list[tuple[int, int]]:
    """Quotations that carry on after the cue in the same paragraph.

    “A,” he said, “B.” and “A,” he said. “B.” “C.” give one content in
    several fragments, as PolNeAR annotates it.
    """
    last = cand.content[-1]
    cue_end = _chars(doc, *cand.cue)[1]
    if cue_end < last[1]:
        return []
    src_end = max([_chars(doc, s, e)[1] for s, e in cand.source] + [cue_end])
    out: list[tuple[int, int]] = []
    pos = src_end
    for q in quotes:
        if q.start < pos:
            continue
        gap = text[pos:q.start]
        limit = 40 if not out else 2
        if "\n" in gap or len(gap.strip()) > limit or (out and gap.strip()):
            break
        if not out and any(cue_ratio(w) >= 0.3 for w in gap.split()):
            break
        out.append((q.start, q.end))
        pos = q.end
    return out


def _is_label(doc: Doc, q: Quote) -> bool:
    """A quoted name or label ("an “I want to live” hotline") is not speech."""
    span = doc.char_span(q.start, q.end, alignment_mode="contract")
    if span is None or not len(span):
        return True
    root = span.root
    after = doc[span.end] if span.end < len(doc) else None
    mark = doc_text(doc)[q.end - 2]
    before_mod = after is not None and after.pos_ in ("NOUN", "PROPN") and not mark.isspace() and mark not in ".,!?"
    return before_mod or root.dep_ in ("compound", "amod", "nmod", "appos", "poss") or len(span) <= 3


def _finish(doc: Doc, cands: list[_Candidate], quotes: Sequence[Quote]) -> list[Attribution]:
    text = doc_text(doc)
    out: list[Attribution] = []
    for n, cand in enumerate(cands, 1):
        kind = cand.kind
        content = cand.content
        if kind != "according_to":
            snapped, kind = _snap_to_quotes(text, content[0], quotes)
            cue_chars = _chars(doc, *cand.cue)
            if any(s <= cue_chars[0] and cue_chars[1] <= e for s, e in snapped):
                # The cue sits inside the quotation ("It must be understood that …" within a
                # quote): the content is the clause, not the quotation around it.
                snapped, kind = content, "indirect"
            if kind == "mixed" and all(_is_label(doc, q) for q in quotes if _overlaps(content[0], (q.start, q.end))):
                snapped, kind = content, "indirect"
            content = snapped
            if kind == "direct":
                cand.content = content
                content = content + _continuing_quotes(doc, text, cand, quotes)
        cue = cand.cue
        out.append(
            Attribution(
                id=f"a{n}",
                kind=kind,
                source=[_token_span(doc, text, s, e) for s, e in cand.source],
                cue=[_token_span(doc, text, cue[0], cue[1])],
                content=[Span.of(text, s, e) for s, e in content],
                confidence=round(min(cand.confidence, 1.0), 3),
            )
        )
    return out


def _token_span(doc: Doc, text: str, start: int, end: int) -> Span:
    return Span.of(text, *_chars(doc, start, end))
