"""onrecord's spaCy components, registered in this one module.

spaCy finds them through the ``spacy_factories`` entry point, so
``nlp.add_pipe("onrecord")`` works in any pipeline once onrecord is installed.
The component writes

* ``doc.spans["onrecord_source"]``, ``["onrecord_cue"]``, ``["onrecord_content"]``:
  the role spans, for displaCy and spaCy's own tooling;
* ``doc._.attributions``: the list of :class:`onrecord.model.Attribution`,
  offsets into ``doc.text``, speakers resolved;
* ``doc._.onrecord_entities``: the :class:`onrecord.model.Entity` list;
* ``doc._.onrecord_forecasts``: the :class:`onrecord.model.Forecast` list, also as spans
  in ``doc.spans["onrecord_forecast"]`` (set ``doc._.onrecord_published`` to an ISO date
  first, and horizons get due dates).

Two more components are only speed-ups, with the same output as the spaCy
components they stand in for: ``onrecord_lemmas``, placed before spaCy's rule
lemmatizer, writes the same lemmas in one array pass; ``onrecord_attributes``
runs an attribute ruler's patterns, matching each one-token pattern once per
distinct token (``add_speedups`` installs both).

Extensions are only registered when nobody else owns the name; if another
package already registered ``attributions``, onrecord leaves it alone and the
result is still on ``doc._.onrecord_attributions``.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
from spacy.attrs import IDS, LEMMA, MORPH, ORTH, POS
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

__all__ = [
    "OnrecordComponent",
    "LemmaCache",
    "ParagraphStarts",
    "make_paragraph_starts",
    "add_paragraph_starts",
    "AttributeCache",
    "make_onrecord",
    "make_lemma_cache",
    "make_attribute_cache",
    "add_lemma_cache",
    "add_attribute_cache",
    "add_speedups",
    "SPAN_KEYS",
    "FORECAST_SPAN_KEY",
]

SPAN_KEYS = {"source": "onrecord_source", "cue": "onrecord_cue", "content": "onrecord_content"}
FORECAST_SPAN_KEY = "onrecord_forecast"
_MAX_KEYS = 200_000  # distinct tokens a cache below keeps (a few tens of MB) before starting afresh
_OWN_EXTENSIONS = (
    "onrecord_attributions",
    "onrecord_entities",
    "onrecord_non_responses",
    "onrecord_provenance",
    "onrecord_publisher",  # set it before the component runs to name the publisher yourself
    "onrecord_publisher_fallback",  # used when neither that nor the text names one: a URL's host
    "onrecord_forecasts",
    "onrecord_published",  # the article's date (ISO 8601), set before the component runs: forecasts fall due from it
    "onrecord_authors",  # the byline's names, set before the component runs: the writer's own "I" is theirs
)


def _register_extensions() -> None:
    for name in _OWN_EXTENSIONS:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)
    if not Doc.has_extension("attributions"):
        Doc.set_extension("attributions", getter=lambda doc: doc._.onrecord_attributions)


class OnrecordComponent:
    """Attribution extraction with one of the presets, plus in-article speaker resolution."""

    def __init__(self, nlp: Language, name: str, model: str, min_ratio: float, resolve: bool) -> None:
        from ..extraction.presets import check_preset
        from ..extraction.rules import RuleConfig

        _register_extensions()
        self.name = name
        self.model = check_preset(model)
        self.config = RuleConfig(min_ratio=min_ratio)
        self.resolve = resolve

    def __call__(self, doc: Doc) -> Doc:
        from ..extraction.presets import preset_attributions

        attributions = preset_attributions(doc, self.model, self.config)
        entities: list[Any] = []
        forecasts: list[Any] = []
        if self.resolve:
            from ..extraction._text import doc_text
            from ..extraction.tagging import renumber
            from ..forecast import find_forecasts
            from ..model import parse_date
            from ..provenance import build_provenance, detect_publisher, find_non_responses
            from ..resolve import is_anonymous, resolve_speakers

            publisher = (
                doc._.onrecord_publisher or detect_publisher(doc_text(doc)) or doc._.onrecord_publisher_fallback
            )
            doc._.onrecord_publisher = publisher
            entities = resolve_speakers(doc, attributions, publisher=publisher, authors=doc._.onrecord_authors or ())
            silent = find_non_responses(doc, entities)
            # "did not respond to a request for comment" is a fact about the entity, not a claim
            quiet = [(s.start_char, s.end_char) for n in silent for s in [doc.char_span(n.cue.start, n.cue.end, alignment_mode="expand").sent]]
            attributions = [a for a in attributions if not _inside_any(a, quiet)]
            renumber(attributions)  # ids stay a1, a2, … with no gaps where one went
            for att in attributions:
                att.anonymous = bool(att.speaker) and is_anonymous(att.speaker.type, att.source[0].text if att.source else "")
            doc._.onrecord_non_responses = silent
            doc._.onrecord_provenance = build_provenance(doc, attributions, entities, publisher)
            published = parse_date(doc._.onrecord_published)
            forecasts = find_forecasts(doc, attributions, entities, publisher=publisher, published=published)
        doc._.onrecord_attributions = attributions
        doc._.onrecord_entities = entities
        doc._.onrecord_forecasts = forecasts
        doc.spans[FORECAST_SPAN_KEY] = _spacy_spans(doc, ((f.id, f.text) for f in forecasts))
        for role, key in SPAN_KEYS.items():
            doc.spans[key] = _spacy_spans(doc, ((att.id, s) for att in attributions for s in getattr(att, role)))
        return doc


def _spacy_spans(doc: Doc, labelled: Any) -> list[Any]:
    """spaCy spans over whole tokens for (label, onrecord span) pairs; one that covers no token is left out."""
    found = (doc.char_span(s.start, s.end, label=label, alignment_mode="expand") for label, s in labelled)
    return [span for span in found if span is not None]


def _inside_any(att: Any, ranges: list[tuple[int, int]]) -> bool:
    """Whether any span of ``att`` starts inside one of ``ranges`` (non-response sentences)."""
    return any(start <= s.start < end for start, end in ranges for s in [*att.cue, *att.content])


@Language.factory(
    "onrecord",
    default_config={"model": "accurate", "min_ratio": 0.3, "resolve": True},
    requires=["token.dep", "token.pos", "doc.sents"],
    assigns=[
        "doc.spans",
        "doc._.attributions",
        "doc._.onrecord_entities",
        "doc._.onrecord_non_responses",
        "doc._.onrecord_provenance",
        "doc._.onrecord_forecasts",
    ],
)
def make_onrecord(nlp: Language, name: str, model: str, min_ratio: float, resolve: bool) -> OnrecordComponent:
    """The spaCy factory behind ``nlp.add_pipe("onrecord", config={"model": "fast"})``.

    ``model`` is the preset: ``rules``, ``fast`` or ``accurate`` (the default).
    """
    return OnrecordComponent(nlp, name, model, min_ratio, resolve)


class LemmaCache:
    """spaCy's lemmas, each (word, part of speech, morphology) lemmatised once per process.

    spaCy's rule lemmatizer costs about 15 ms an article here (7% of the
    ``fast`` preset), nearly all of it in ``form in index``, a scan of word
    lists up to 57,000 long, repeated for every token its cache skips. This
    component asks a copy of the lemmatizer whose word lists are sets, once
    per distinct (form, POS, morphology) -- the lemma depends on nothing
    else -- and writes all of a doc's lemmas in one ``Doc.from_array``. The
    lemmatizer, running next, finds every lemma set and keeps it: the output
    is the same with or without this component (PolNeAR's 924 articles agree
    token for token).
    """

    def __init__(self, nlp: Language, name: str, lemmatizer: str) -> None:
        self.name = name
        self.lemmatizer = nlp.get_pipe(lemmatizer)
        self.lemmas: dict[tuple[int, int, int], int] = {}
        self._fast = None

    def _fast_lemmatizer(self) -> Any:
        """A shallow copy of the lemmatizer reading its ``lemma_index`` word lists as sets (same answers)."""
        if self._fast is None:
            from spacy.lookups import Lookups, Table

            tables = self.lemmatizer.lookups
            lookups = Lookups()
            for table_name in tables.tables:
                table = tables.get_table(table_name)
                if table_name == "lemma_index":
                    # data= sizes the table's bloom filter to it: an empty Table reserves 18 MB for 1M keys
                    table = Table(name=table_name, data={key: frozenset(words) for key, words in table.items()})
                lookups.set_table(table_name, table)
            fast = copy.copy(self.lemmatizer)
            fast.lookups, fast.cache = lookups, {}
            fast.lemmatize = getattr(fast, f"{fast.mode}_lemmatize")  # the original's is bound to the original
            self._fast = fast
        return self._fast

    def __call__(self, doc: Doc) -> Doc:
        if getattr(self.lemmatizer, "overwrite", False) or not len(doc):
            return doc  # the lemmatizer would redo every token anyway
        lemmatize = self._fast_lemmatizer().lemmatize
        rows = doc.to_array([ORTH, POS, MORPH, LEMMA])
        lemmas = rows[:, 3].copy()
        strings = doc.vocab.strings
        for i, (orth, pos, morph, lemma) in enumerate(rows.tolist()):
            if lemma:
                continue  # set by an earlier component (the attribute ruler): the lemmatizer keeps those too
            key = (orth, pos, morph)
            value = self.lemmas.get(key)
            if value is None:
                if len(self.lemmas) >= _MAX_KEYS:
                    self.lemmas.clear()  # a long run over a big corpus keeps meeting new words
                value = self.lemmas[key] = strings.add(lemmatize(doc[i])[0])
            lemmas[i] = value
        doc.from_array([LEMMA], lemmas.astype(np.uint64))
        return doc


@Language.factory(
    "onrecord_lemmas",
    default_config={"lemmatizer": "lemmatizer"},
    assigns=["token.lemma"],
)
def make_lemma_cache(nlp: Language, name: str, lemmatizer: str) -> LemmaCache:
    """``nlp.add_pipe("onrecord_lemmas", before="lemmatizer")``: the same lemmas, faster."""
    return LemmaCache(nlp, name, lemmatizer)


def add_lemma_cache(nlp: Language) -> None:
    """Put ``onrecord_lemmas`` before ``nlp``'s spaCy lemmatizer, if it has one and the cache is not there yet."""
    from spacy.pipeline import Lemmatizer

    _put_before(nlp, Lemmatizer, LemmaCache, "onrecord_lemmas", "lemmatizer")


def _put_before(nlp: Language, spacy_type: type, cache_type: type, factory: str, setting: str) -> str | None:
    """Add ``factory`` before ``nlp``'s first ``spacy_type`` component, naming it in the config's ``setting``,
    unless a ``cache_type`` is there already; the name of the component it went before, else None."""
    names = [name for name, pipe in nlp.pipeline if isinstance(pipe, spacy_type)]
    if not names or any(isinstance(pipe, cache_type) for _, pipe in nlp.pipeline):
        return None
    nlp.add_pipe(factory, before=names[0], config={setting: names[0]})
    return names[0]


# Token attributes a one-token pattern may test and still be answered once per distinct token:
# each is the token's own, read by ``Doc.to_array`` ("TEXT" is ORTH's pattern name).
_LOCAL = frozenset({"ORTH", "TEXT", "LOWER", "NORM", "TAG", "POS", "DEP", "LEMMA", "SHAPE", "PREFIX", "SUFFIX",
                    "IS_SPACE", "IS_PUNCT", "IS_ALPHA", "IS_DIGIT", "IS_TITLE", "IS_UPPER", "IS_LOWER", "LIKE_NUM"})


class AttributeCache:
    """An attribute ruler's work, with each one-token pattern matched once per distinct token.

    The ruler in ``en_core_web_sm`` (179 patterns mapping fine tags to parts
    of speech and morphology) costs about 17 ms an article here, nearly a
    tenth of the whole parse, nearly all of it in spaCy's Matcher stepping
    every pattern through every token. 171 of its patterns test one token's
    tag, lowercase form, arc or spacing and nothing else, so their matches
    depend only on those values: this component asks a Matcher of those
    patterns once per distinct combination, runs the few longer patterns
    as usual, and hands the matches, in the ruler's own order, to the
    ruler's own ``set_annotations``. The ruler stays in the pipeline,
    disabled; the output is the same (all 1,558 PolNeAR texts, raw and
    normalised, agree token for token in tag, part of speech, morphology and
    lemma), for about 5 ms an article.
    """

    def __init__(self, nlp: Language, name: str, ruler: str) -> None:
        self.name = name
        self.ruler = nlp.get_pipe(ruler)
        self.single = Matcher(nlp.vocab, validate=False)  # one token, token-local attributes: cached
        self.live = Matcher(nlp.vocab, validate=False)  # the rest: matched on every doc
        tested: set[str] = set()
        for n in range(len(self.ruler.attrs)):
            key = str(n)  # the ruler's own match key for its n-th attribute set
            for pattern in self.ruler.matcher.get(key)[1]:
                names = {name.upper() for token in pattern for name in token}
                if len(pattern) == 1 and names <= _LOCAL:
                    self.single.add(key, [pattern])
                    tested |= names
                else:
                    self.live.add(key, [pattern])
        self.attrs = [IDS["ORTH" if name == "TEXT" else name] for name in sorted(tested)]
        self.matches: dict[tuple[int, ...], list[int]] = {}  # distinct token -> its one-token matches

    def match(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        """The ruler's ``match(doc)``: (attribute set, match id, start, end), sorted as the ruler sorts them."""
        found = list(self.live(doc, allow_missing=True, as_spans=False))
        if self.attrs and len(self.single):
            for i, key in enumerate(map(tuple, doc.to_array(self.attrs).tolist())):
                ids = self.matches.get(key)
                if ids is None:
                    if len(self.matches) >= _MAX_KEYS:
                        self.matches.clear()  # a long run over a big corpus keeps meeting new words
                    ids = self.matches[key] = [m for m, _, _ in self.single(doc[i : i + 1], allow_missing=True)]
                found.extend((m, i, i + 1) for m in ids)
        strings = doc.vocab.strings
        return sorted((int(strings[m]), m, start, end) for m, start, end in found)

    def __call__(self, doc: Doc) -> Doc:
        self.ruler.set_annotations(doc, self.match(doc))
        return doc


@Language.factory(
    "onrecord_attributes",
    default_config={"ruler": "attribute_ruler"},
    assigns=["token.pos", "token.morph", "token.lemma", "token.tag"],
)
def make_attribute_cache(nlp: Language, name: str, ruler: str) -> AttributeCache:
    """``add_attribute_cache(nlp)``: the attribute ruler's output, faster (the ruler itself is disabled)."""
    return AttributeCache(nlp, name, ruler)


def add_attribute_cache(nlp: Language) -> None:
    """Stand ``onrecord_attributes`` in for ``nlp``'s first enabled attribute ruler, which it disables."""
    from spacy.pipeline import AttributeRuler

    ruler = _put_before(nlp, AttributeRuler, AttributeCache, "onrecord_attributes", "ruler")
    if ruler is not None:
        nlp.disable_pipe(ruler)


def add_speedups(nlp: Language) -> None:
    """Both stand-ins: the same annotations as the spaCy components they replace, computed faster."""
    add_attribute_cache(nlp)
    add_lemma_cache(nlp)


class ParagraphStarts:
    """A blank line starts a sentence: set before the parser, which respects sentence starts set for it.

    Left to itself, spaCy's parser runs a headline with no full stop into the paragraph below it
    ("Fed will cut rates in March⏎⏎Prices rose 3.2 percent in October, …" parsed "March Prices"
    as one noun and "rose" as a second verb of "will cut"), so a headline's clause, and the first
    sentence's, came out wrong wherever a headline or a line without a stop stood above a paragraph.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        for token in doc[:-1]:
            if "\n\n" in token.text and token.text.isspace():
                doc[token.i + 1].is_sent_start = True
        return doc


@Language.factory("onrecord_paragraphs", assigns=["token.is_sent_start"])
def make_paragraph_starts(nlp: Language, name: str) -> ParagraphStarts:
    """The spaCy factory behind ``nlp.add_pipe("onrecord_paragraphs", before="parser")``."""
    return ParagraphStarts(name)


def add_paragraph_starts(nlp: Language) -> None:
    """Put :class:`ParagraphStarts` before the parser (or the senter), if the pipeline has one."""
    for before in ("parser", "senter"):
        if before in nlp.pipe_names and "onrecord_paragraphs" not in nlp.pipe_names:
            nlp.add_pipe("onrecord_paragraphs", before=before)
            return
