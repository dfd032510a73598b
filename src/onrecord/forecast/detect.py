"""Forecasts in attributed text: which clauses predict, how sure, by when, and whose they are.

A forecast is a clause about the future inside what someone is credited with saying (an
attribution's content), or in the headline. A clause counts when the parse shows one of:

* a future or estimative word governing it: "will", "'ll", "shall", "going to", "set to",
  "likely", "expected to", "almost certainly" (``data/forecast_estimative.tsv``, which also
  gives each word's probability); "would" only in reported speech after a cue in the past (the
  "will" of ``said it would``, an "if" beside it or not: "would take measures if North Korea
  conducted another test" counts, while the "if" clause itself never does); "could", "may",
  "might" only with a forward horizon or a predicting cue, since alone they are as often
  ability or politeness as a forecast;
* an estimative adverb ("likely", "probably") on a clause that is future by one of the above
  or by its horizon ("Putin likely already has an escape plan" is an estimate of the present,
  not a forecast);
* a forward time expression ("in the spring", "next year", "within two years") on a verb in
  the present or future ("is preparing for a new offensive in the spring");
* a cue that predicts ("predicted", "expects", "forecast": ``data/forecast_cue_verbs.txt``),
  which makes its content's main clauses forecasts whatever their tense.

Only main clauses count: one inside a relative clause or a noun phrase ("whoever seems most
likely to win") is part of its clause, not a forecast of its own, and each conjunct with a
verb of its own is a forecast of its own. The article's own voice is not read outside its
headline: an unattributed "will" in a news report is mostly a schedule ("the meeting will be
held on Tuesday"), not a prediction anybody can be held to. A headline forecast is credited
to the speaker whose words the headline quotes, else to the publisher.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from spacy.tokens import Doc, Span as SpacySpan, Token

from ..data import read_lines
from ..extraction._text import doc_text, quotes_in
from ..model import Attribution, Entity, Forecast, Span, SpeakerRef
from .horizon import due_date, points_back, points_forward

__all__ = ["find_forecasts", "estimative_probability"]

# How a clause hangs from the one above it, for it to be a main clause of the content.
_MAIN_DEPS = frozenset({"ROOT", "ccomp", "conj", "xcomp", "advcl", "parataxis", "csubj"})
_MODALS_POSSIBLE = frozenset({"could", "may", "might"})
_MODALS_FUTURE = frozenset({"will", "'ll", "wo", "shall"})
_RAISING = frozenset({"expected", "likely", "unlikely", "set", "poised", "bound", "sure", "certain", "going"})
# Adverbial clauses that give a reason or a circumstance, not part of what is predicted.
_ASIDE_MARKS = frozenset({"as", "because", "since", "although", "though", "while", "whereas"})
_PAST_AUX = frozenset({"did", "was", "were", "had", "has", "have", "'ve", "'d"})
_HEADLINE_TOKENS = 30
_REPORTED = frozenset({"indirect", "mixed"})  # kinds whose content is in reported speech, tenses shifted back
_NEEDS_TO = frozenset({"sure", "certain", "bound"})  # estimative only as "sure to win", not "sure that …"
_OBLIGATIONS = frozenset({"have", "need"})  # "will have to act": a duty, not a forecast
_QUESTION_WORDS = frozenset({"WRB", "WP", "WDT"})
_HORIZON_PREPOSITIONS = frozenset({"within", "in", "by", "until", "before", "over", "after", "for"})


@dataclass(frozen=True)
class _Estimate:
    tokens: tuple[int, int]  # token range of the estimative words
    probability: float | None
    future: bool  # the word itself puts the clause in the future ("will"), an adverb does not
    possible: bool = False  # a bare possibility ("could", "may"): a forecast only with a horizon


@lru_cache(maxsize=1)
def _estimatives() -> dict[str, tuple[float | None, str]]:
    """Phrase -> (probability, band) from ``data/forecast_estimative.tsv``."""
    table: dict[str, tuple[float | None, str]] = {}
    for line in read_lines("forecast_estimative.tsv"):
        phrase, probability, band = (line.split("\t") + ["", ""])[:3]
        table[phrase.strip()] = (float(probability) if probability.strip() else None, band.strip())
    return table


@lru_cache(maxsize=None)
def _words(kind: str) -> frozenset[str]:
    """A word list of ``data/forecast_<kind>.txt``: cue_verbs, intention_verbs, performative_verbs, habitual_words."""
    return frozenset(read_lines(f"forecast_{kind}.txt"))


def estimative_probability(phrase: str) -> float | None:
    """The chance an estimative phrase stands for (``"very likely"`` → 0.875); None for a bare possibility.

    Raises KeyError for a phrase the scale does not list.
    """
    return _estimatives()[" ".join(phrase.lower().split())][0]


def find_forecasts(
    doc: Doc,
    attributions: Sequence[Attribution],
    entities: Sequence[Entity],
    *,
    publisher: str | None = None,
    published: date | None = None,
) -> list[Forecast]:
    """The forecasts in ``doc``: each attribution's content read for future clauses, then the headline.

    Spans index ``doc.text``. A clause found in several nested contents belongs to the innermost
    (the Gallyamov quote, not The Daily Beast relaying it); ids are ``f1``, ``f2``, … in text order.
    """
    found: dict[int, Forecast] = {}  # by the token heading the clause
    dates = [ent for ent in doc.ents if ent.label_ == "DATE"]  # once: doc.ents builds every Span anew
    by_size = sorted((a for a in attributions if a.content), key=lambda a: sum(s.end - s.start for s in a.content))
    for att in by_size:  # innermost first: a clause keeps the first attribution that claims it
        predicting = any(_is_predicting(doc, cue) for cue in att.cue)
        cue_token = _cue_word(doc, att.cue[0]) if att.cue else None
        for region in att.content:
            tokens = _region(doc, region.start, region.end)
            if tokens is None:
                continue
            for key, forecast in _in_region(doc, tokens, predicting, att.kind, cue_token, published, dates):
                if key not in found:
                    forecast.attribution, forecast.speaker = att.id, att.speaker
                    found[key] = forecast
    headline = _headline(doc)
    if headline is not None:
        cues = [(s.start, s.end) for att in attributions for s in att.cue]
        for key, forecast in _in_region(doc, headline, False, "headline", None, published, dates):
            if any(start < forecast.text.end and forecast.text.start < end for start, end in cues):
                continue  # "Minister vows to cut …": the headline's own attribution holds it, with its speaker
            if key not in found and forecast.estimative is not None:
                forecast.speaker = _headline_speaker(doc, headline, attributions, entities, publisher)
                found[key] = forecast
    forecasts = sorted(found.values(), key=lambda f: (f.text.start, f.text.end))
    for i, forecast in enumerate(forecasts, 1):
        forecast.id = f"f{i}"
    return forecasts


def _in_region(
    doc: Doc,
    region: SpacySpan,
    predicting: bool,
    kind: str,
    cue: Token | None,
    published: date | None,
    dates: Sequence[SpacySpan],
) -> Iterable[tuple[int, Forecast]]:
    """Each main clause of ``region`` that is a forecast, with the token that heads it (``dates``: the
    doc's DATE entities)."""
    text = doc_text(doc)
    for head in _clause_heads(region):
        if _is_question(head) or _is_counterfactual(head) or _is_obligation(head) or _is_performative(head):
            continue
        first, last = _clause_extent(head, region)
        if first >= last:
            continue
        estimate = _estimate(head, region, kind, cue)
        horizon = _horizon(head, region, (first, last), published, dates)
        top = predicting and _is_top(head, region)  # "…, he predicted": the content's own clauses
        if estimate is None:
            if top:
                estimate = _cue_estimate(cue) if cue is not None else None
            elif horizon is None or not _is_present(head):
                continue  # no word and no date that looks ahead
        elif horizon is None and not top and (not estimate.future or estimate.possible):
            continue  # "likely already has" (the present), a bare "could" (ability as often as not)
        elif _is_past(head) and not top and kind not in _REPORTED:
            continue  # "He was going to see the changes" (reported speech shifts tenses back: "said it was going to")
        start, end = doc[first].idx, doc[last - 1].idx + len(doc[last - 1])
        yield head.i, Forecast(
            id="",
            text=Span.of(text, start, end),
            estimative=_token_span(doc, text, estimate.tokens) if estimate else None,
            probability=estimate.probability if estimate else None,
            horizon=Span.of(text, horizon.start_char, horizon.end_char) if horizon is not None else None,
            due=_due(horizon, published),
        )


def _clause_heads(region: SpacySpan) -> list[Token]:
    """Verbs (and copulas) of ``region`` heading a main clause of it, in order."""
    heads = []
    for token in region:
        if not _is_clause_head(token) or _is_governed(token, region):
            continue  # "expected to fall", "plans to release": the clause is "expected"'s, "plans"'s
        if _is_main(token, region):
            heads.append(token)
    return heads


def _is_main(token: Token, region: SpacySpan) -> bool:
    """Whether ``token`` hangs from the region's top through clause links only (not a relative clause)."""
    while token.head.i != token.i and region.start <= token.head.i < region.end:
        if token.dep_ not in _MAIN_DEPS:
            return False
        if token.dep_ == "advcl" and _mark(token) in ("if", "unless"):
            return False  # the condition of a forecast is not a forecast
        token = token.head
    return True


def _is_top(token: Token, region: SpacySpan) -> bool:
    """Whether ``token`` is a top clause of the region, or a conjunct of one."""
    while token.dep_ == "conj" and region.start <= token.head.i < region.end:
        token = token.head
    return not (region.start <= token.head.i < region.end) or token.head.i == token.i


def _mark(token: Token) -> str | None:
    return next((c.text.lower() for c in token.children if c.dep_ == "mark"), None)


def _estimate(head: Token, region: SpacySpan, kind: str, cue: Token | None) -> _Estimate | None:
    """The clause's estimative words, the most specific first: an adverb or adjective before a modal."""
    table = _estimatives()
    has_to = any(c.dep_ == "xcomp" for c in head.children)
    if head.lemma_.lower() in _words("intention_verbs") and has_to:
        return _Estimate((head.i, head.i + 1), None, future=True)  # "plans to", "vowed to"
    adverbs = [c for c in head.children if c.dep_ == "advmod" and c.text.lower() in table]
    adverbs += [c for a in head.children if a.dep_ in ("aux", "auxpass") for c in a.children if c.dep_ == "advmod" and c.text.lower() in table]
    adjectives = [
        c for c in head.children
        if c.dep_ in ("acomp", "oprd") and c.text.lower() in table
        and (c.text.lower() not in _NEEDS_TO or any(x.dep_ == "xcomp" for x in c.children))
    ]
    raising = head.text.lower() in _RAISING and has_to
    modals = [c for c in _auxiliaries(head, region) if c.tag_ == "MD" and c.text.lower() in table]
    if head.text.lower() == "going" and raising:
        modals.append(head)
    for word in adjectives + ([head] if raising and head.text.lower() != "going" else []) + adverbs:
        first = _modifiers_start(word)
        future = word.i in {a.i for a in adjectives} or word.i == head.i
        tokens, probability = _longest(word, first)
        return _Estimate(tokens, probability, future=future or bool(modals), possible=probability is None)
    for modal in modals:
        word = modal.text.lower()
        if word == "would" and not _backshifted(head, kind, cue):
            continue
        if word in _MODALS_POSSIBLE or word in _MODALS_FUTURE or word in ("would", "going"):
            return _Estimate((modal.i, modal.i + 1), table[word][0], future=True, possible=word in _MODALS_POSSIBLE)
    return None


def _auxiliaries(head: Token, region: SpacySpan) -> list[Token]:
    """The clause's auxiliaries; a conjunct with no subject or auxiliary of its own shares its
    first conjunct's ("won't ensure … and ease …": "ease" is under "won't" too)."""
    own = [c for c in head.children if c.dep_ == "aux"]
    if own or head.dep_ != "conj" or any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in head.children):
        return own
    if not region.start <= head.head.i < region.end:
        return own  # a first conjunct outside the content (the parser joining a headline to the text below)
    return [c for c in head.head.children if c.dep_ == "aux"]


def _backshifted(head: Token, kind: str, cue: Token | None) -> bool:
    """Whether a "would" is a reported "will": in reported speech after a cue in the past ("said it
    would"), not habitual ("would sometimes"). After "says", "would" is a hypothetical."""
    if kind not in _REPORTED or _is_habitual(head):
        return False
    return cue is None or cue.tag_ not in ("VBZ", "VBP", "VB", "VBG")


def _longest(word: Token, first: int) -> tuple[tuple[int, int], float | None]:
    """The longest listed phrase that ends at ``word`` and starts no earlier than ``first``."""
    table = _estimatives()
    doc = word.doc
    for start in range(first, word.i + 1):
        phrase = " ".join(t.text.lower() for t in doc[start : word.i + 1])
        if phrase in table:
            return (start, word.i + 1), table[phrase][0]
    return (word.i, word.i + 1), table[word.text.lower()][0]


def _modifiers_start(word: Token) -> int:
    """Where the adverbs directly before ``word`` that modify it (or its head) begin: "very", "almost", "not"."""
    start = word.i
    while start > 0:
        prev = word.doc[start - 1]
        if prev.dep_ in ("advmod", "neg") and prev.head.i in (word.i, word.head.i, start):
            start -= 1
        else:
            break
    return start


def _is_habitual(head: Token) -> bool:
    return any(c.dep_ == "advmod" and c.text.lower() in _words("habitual_words") for c in head.children)


def _is_question(head: Token) -> bool:
    """An auxiliary before the subject ("will you pledge …?") or a question mark closing the clause."""
    if _mark(head) in ("whether", "if") and head.dep_ != "advcl":
        return True  # "wondered whether the moderators will be fair"
    first = head.left_edge
    if first.tag_ in _QUESTION_WORDS and first.head.i == head.i or _mark(head) in ("when", "how", "why"):
        return True  # "asked when they would take it up", "who will occupy the White House" (relative clauses are not main)
    subjects = [c.i for c in head.children if c.dep_ in ("nsubj", "nsubjpass", "expl")]
    auxes = [c.i for c in head.children if c.dep_ in ("aux", "auxpass") and c.tag_ == "MD"]
    if subjects and auxes and min(auxes) < min(subjects):
        return True
    last = head.right_edge
    following = head.doc[last.i + 1] if last.i + 1 < len(head.doc) else None
    return last.text == "?" or (following is not None and following.text == "?")


def _is_performative(head: Token) -> bool:
    """ "I'll tell you", "I will make this promise": saying it does it."""
    subject = next((c for c in head.children if c.dep_ == "nsubj"), None)
    return (
        subject is not None and subject.text.lower() == "i"
        and head.lemma_.lower() in _words("performative_verbs")
        and any(c.tag_ == "MD" for c in head.children if c.dep_ == "aux")
        and not any(c.dep_ in ("acomp", "attr", "xcomp") for c in head.children if head.lemma_.lower() == "be")
    )


def _is_obligation(head: Token) -> bool:
    """ "will have to act", "will need to decide": a duty, not a forecast."""
    return head.lemma_.lower() in _OBLIGATIONS and any(c.dep_ == "xcomp" for c in head.children)


def _is_counterfactual(head: Token) -> bool:
    """ "would have won": a past that did not happen, not a forecast."""
    auxes = [c for c in head.children if c.dep_ in ("aux", "auxpass")]
    return head.tag_ == "VBN" and any(a.text.lower() in ("would", "could", "might", "should") for a in auxes) and any(
        a.text.lower() == "have" for a in auxes
    )


def _is_present(head: Token) -> bool:
    """A finite verb in the present, simple or progressive ("prepares", "is preparing"), or a future."""
    auxes = [c for c in head.children if c.dep_ in ("aux", "auxpass")]
    if any(a.tag_ == "MD" for a in auxes):
        return True
    if head.tag_ in ("VBZ", "VBP"):
        return True
    return head.tag_ == "VBG" and any(a.tag_ in ("VBZ", "VBP") for a in auxes)


def _is_past(head: Token) -> bool:
    """Whether the clause is in a past or perfect tense ("claimed", "has sought", "was preparing")."""
    auxes = [c for c in head.children if c.dep_ in ("aux", "auxpass")]
    if any(a.tag_ == "MD" for a in auxes):
        return False
    if head.tag_ == "VBD" or any(a.text.lower() in _PAST_AUX for a in auxes):
        return True
    return head.tag_ == "VBN" and not auxes


def _horizon(
    head: Token, region: SpacySpan, extent: tuple[int, int], published: date | None, dates: Sequence[SpacySpan]
) -> SpacySpan | None:
    """The first forward time expression in the clause's token range ``extent`` (one of ``dates``, the
    doc's DATE entities, with the preposition before it, "within six months", or "soon")."""
    first, last = extent
    for ent in dates:
        if first <= ent.start and ent.end <= last and _clause_of(ent.root, region).i == head.i:
            if ent.start > first and head.doc[ent.start - 1].text.lower() in _HORIZON_PREPOSITIONS and not (
                points_forward(ent.text, published) and due_date(ent.text, published or date.today())
            ):
                ent = head.doc[ent.start - 1 : ent.end]  # "six months" says nothing without its "within"
            if points_forward(ent.text, published) and not points_back(ent.text):
                return ent
    for token in head.doc[first:last]:
        if token.text.lower() == "soon" and _clause_of(token, region).i == head.i:
            return head.doc[token.i : token.i + 1]
    return None


def _clause_of(token: Token, region: SpacySpan) -> Token:
    """The verb heading the clause ``token`` is in (itself, for a verb); for the verb of "plans to
    hire", "likely to ease", the word that governs it, whose clause it is (:func:`_clause_heads`)."""
    while not _is_clause_head(token) or _is_governed(token, region):
        if token.head.i == token.i or not region.start <= token.head.i < region.end:
            return token
        token = token.head
    return token


def _is_clause_head(token: Token) -> bool:
    if token.pos_ == "ADJ":
        return token.text.lower() in _RAISING and any(c.dep_ == "xcomp" for c in token.children)  # "Inflation likely to ease"
    return token.pos_ in ("VERB", "AUX") and token.dep_ not in ("aux", "auxpass")


def _is_governed(token: Token, region: SpacySpan) -> bool:
    """An infinitive under "expected", "likely", "plans": part of that word's clause, not one of its own."""
    inside = region.start <= token.head.i < region.end
    return token.dep_ == "xcomp" and inside and (token.head.text.lower() in _RAISING or token.head.lemma_.lower() in _words("intention_verbs"))


def _clause_extent(head: Token, region: SpacySpan) -> tuple[int, int]:
    """The clause's token range: its subtree within the region, without a leading "that", the
    conjuncts and asides that are clauses of their own, and edge punctuation; contiguous around
    the head."""
    keep = {t.i for t in head.subtree if region.start <= t.i < region.end}
    for child in head.children:
        own_clause = child.dep_ == "conj" and child.pos_ in ("VERB", "AUX")
        aside = child.dep_ == "advcl" and (_mark(child) in _ASIDE_MARKS or (child.tag_ == "VBG" and child.i > head.i and _mark(child) is None))
        if own_clause or aside:
            keep -= {t.i for t in child.subtree}
            if own_clause:
                keep -= {c.i for c in head.children if c.dep_ == "cc" and c.i < child.left_edge.i}
        elif child.dep_ == "mark" and child.i < head.i:
            keep.discard(child.i)
    first = last = head.i
    while first - 1 in keep:
        first -= 1
    while last + 1 in keep:
        last += 1
    doc = head.doc
    while first < last and (doc[first].is_punct or doc[first].text.lower() in ("that", "and", "but")):
        first += 1
    while last > first and doc[last].is_punct:
        last -= 1
    return first, last + 1


def _due(horizon: SpacySpan | None, published: date | None) -> str | None:
    if horizon is None:
        return None
    due = due_date(horizon.text, published)
    return due.isoformat() if due else None


def _cue_estimate(cue: Token) -> _Estimate | None:
    """A predicting cue as the estimative word, when the scale lists it ("expects"), else none."""
    if cue.lemma_.lower() in _words("intention_verbs"):
        return _Estimate((cue.i, cue.i + 1), None, future=True)  # "pledged to ban …": a plan, counted, not scored
    entry = _estimatives().get(cue.lemma_.lower()) or _estimatives().get(cue.text.lower())
    if entry is None or entry[0] is None:
        return None
    return _Estimate((cue.i, cue.i + 1), entry[0], future=True)


def _is_predicting(doc: Doc, cue: Span) -> bool:
    """A cue that predicts ("predicted", "expects") or pledges ("vowed", "plans"): its content looks ahead."""
    region = _region(doc, cue.start, cue.end)
    return region is not None and any(_predicts(t) for t in region)


def _predicts(token: Token) -> bool:
    lemma = token.lemma_.lower()
    return lemma in _words("cue_verbs") or lemma in _words("intention_verbs")


def _cue_word(doc: Doc, span: Span) -> Token | None:
    """The cue's predicting or pledging word if it has one ("has predicted"), else its root."""
    region = _region(doc, span.start, span.end)
    if region is None:
        return None
    verbs = [t for t in region if _predicts(t)]
    return verbs[0] if verbs else region.root


def _region(doc: Doc, start: int, end: int) -> SpacySpan | None:
    return doc.char_span(start, end, alignment_mode="expand")


def _token_span(doc: Doc, text: str, tokens: tuple[int, int]) -> Span:
    first, last = doc[tokens[0]], doc[tokens[1] - 1]
    return Span.of(text, first.idx, last.idx + len(last))


def _headline(doc: Doc) -> SpacySpan | None:
    """The article's first line when it reads as a headline: short, with more text after it."""
    text = doc_text(doc)
    end = text.find("\n")
    if end <= 0 or not text[end:].strip():
        return None
    line = _region(doc, 0, len(text[:end].rstrip()))
    if line is None or len(line) > _HEADLINE_TOKENS:
        return None
    return line


def _headline_speaker(
    doc: Doc,
    headline: SpacySpan,
    attributions: Sequence[Attribution],
    entities: Sequence[Entity],
    publisher: str | None,
) -> SpeakerRef | None:
    """Whose view a headline forecast is: the speaker whose words the headline quotes, else the publisher's."""
    text = doc_text(doc)
    for quote in quotes_in(text):
        if quote.end > headline.end_char:
            break
        words = " ".join(text[quote.start : quote.end].strip("“”\"'‘’ ,.").split()).lower()
        if len(words) < 8:
            continue
        for att in attributions:
            if att.speaker and any(s.start > headline.end_char and words in " ".join(s.text.split()).lower() for s in att.content):
                return att.speaker
    if publisher:
        for entity in entities:
            if entity.name.lower() == publisher.lower():
                return entity.ref()
    return None
