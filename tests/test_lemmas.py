"""``onrecord_lemmas``: spaCy's rule lemmatizer's answers, computed once per distinct token."""

from pathlib import Path

import pytest
import spacy
from spacy.lookups import Lookups
from spacy.tokens import Doc

from onrecord.nlp.factories import LemmaCache, add_lemma_cache

SEED = Path(__file__).resolve().parents[1] / "examples" / "seed-article.txt"
WORDS = ["The", "cats", "saw", "dogs", "and", "the", "cats", "ran", "."]
POS = ["DET", "NOUN", "VERB", "NOUN", "CCONJ", "DET", "NOUN", "VERB", "PUNCT"]
MORPH = ["", "Number=Plur", "Tense=Past|VerbForm=Fin", "Number=Plur", "", "", "Number=Plur", "Tense=Past|VerbForm=Fin", ""]


def _nlp(overwrite: bool = False):
    """A blank English pipeline with a rule lemmatizer over hand-made tables (no model download)."""
    nlp = spacy.blank("en")
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "rule", "overwrite": overwrite})
    lookups = Lookups()
    lookups.add_table("lemma_rules", {"noun": [["s", ""]], "verb": [["s", ""], ["ed", "e"]]})
    lookups.add_table("lemma_index", {"noun": ["cat", "dog"], "verb": ["see", "run"]})
    lookups.add_table("lemma_exc", {"verb": {"saw": ["see"], "ran": ["run"]}})
    lemmatizer.initialize(lookups=lookups)
    return nlp


def _doc(nlp, lemmas=None) -> Doc:
    return Doc(nlp.vocab, words=WORDS, pos=POS, morphs=MORPH, lemmas=lemmas)


def _lemmas(nlp, doc: Doc) -> list[str]:
    for _, pipe in nlp.pipeline:
        doc = pipe(doc)
    return [t.lemma_ for t in doc]


def test_the_cache_gives_the_lemmatizers_own_lemmas_and_asks_once_per_distinct_token():
    plain = _lemmas(_nlp(), _doc(_nlp()))
    nlp = _nlp()
    add_lemma_cache(nlp)
    assert nlp.pipe_names == ["onrecord_lemmas", "lemmatizer"]
    cache: LemmaCache = nlp.get_pipe("onrecord_lemmas")
    assert _lemmas(nlp, _doc(nlp)) == plain == ["the", "cat", "see", "dog", "and", "the", "cat", "run", "."]
    # "The" and "the" are two forms; "cats" twice is one (form, POS, morphology)
    assert len(cache.lemmas) == len(set(zip(WORDS, POS, MORPH)))
    # the lemmatizer's own tables are untouched: its word lists stay lists, for to_disk
    table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    assert isinstance(table["noun"], list)


def test_lemmas_set_before_are_kept_as_the_lemmatizer_keeps_them():
    nlp = _nlp()
    add_lemma_cache(nlp)
    preset = ["", "", "", "", "", "", "", "", "PERIOD"]
    assert _lemmas(nlp, _doc(nlp, preset))[-1] == "PERIOD"
    assert _lemmas(_nlp(), _doc(_nlp(), preset))[-1] == "PERIOD"


def test_an_overwriting_lemmatizer_is_left_to_do_its_own_work():
    nlp = _nlp(overwrite=True)
    add_lemma_cache(nlp)
    doc = nlp.get_pipe("onrecord_lemmas")(_doc(nlp))
    assert [t.lemma for t in doc] == [0] * len(WORDS)
    assert _lemmas(nlp, _doc(nlp))[1] == "cat"


def test_added_once_and_only_where_there_is_a_lemmatizer():
    nlp = _nlp()
    add_lemma_cache(nlp)
    add_lemma_cache(nlp)
    assert nlp.pipe_names.count("onrecord_lemmas") == 1
    blank = spacy.blank("en")
    add_lemma_cache(blank)
    assert blank.pipe_names == []


@pytest.mark.slow
def test_the_english_model_lemmatises_the_seed_the_same_with_the_cache():
    from onrecord.nlp.loader import load_spacy

    seed_text = SEED.read_text(encoding="utf-8")
    plain, cached = load_spacy(), load_spacy()
    add_lemma_cache(cached)
    assert [t.lemma_ for t in cached(seed_text)] == [t.lemma_ for t in plain(seed_text)]
