"""``onrecord_attributes``: an attribute ruler's output, its one-token patterns matched once per distinct token."""

from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc

from onrecord.nlp.factories import AttributeCache, add_attribute_cache, add_speedups

SEED = Path(__file__).resolve().parents[1] / "examples" / "seed-article.txt"
WORDS = ["There", "is", "no", "way", ",", "she", "said", ":", "gon", "na", "win", " ", "is", "it", "?"]
TAGS = ["EX", "VBZ", "DT", "NN", ",", "PRP", "VBD", ":", "VBG", "TO", "VB", "_SP", "VBZ", "PRP", "."]
HEADS = [1, 1, 3, 1, 1, 6, 6, 6, 10, 10, 6, 10, 12, 12, 12]
DEPS = ["expl", "ROOT", "det", "attr", "punct", "nsubj", "ROOT", "punct", "aux", "aux", "ccomp", "dep", "ROOT",
        "nsubj", "punct"]
PATTERNS = [  # a miniature of en_core_web_sm's: tag maps, word exceptions, predicates, two-token rules
    {"patterns": [[{"TAG": "VBZ"}]], "attrs": {"POS": "AUX", "MORPH": "Number=Sing|Person=3"}},
    {"patterns": [[{"TAG": {"IN": ["VBD", "VBG"]}}]], "attrs": {"POS": "VERB"}},
    {"patterns": [[{"TAG": "_SP"}], [{"IS_SPACE": True}]], "attrs": {"POS": "SPACE"}},
    {"patterns": [[{"LOWER": "said", "TAG": "VBD"}]], "attrs": {"LEMMA": "say"}},
    {"patterns": [[{"DEP": {"NOT_IN": ["punct", "ROOT"]}, "TAG": "PRP"}]], "attrs": {"POS": "PRON"}},
    {"patterns": [[{"LOWER": {"REGEX": "^th"}}]], "attrs": {"MORPH": "PronType=Dem"}},
    {"patterns": [[{"LOWER": "gon"}, {"LOWER": "na"}]], "attrs": {"LEMMA": "to"}, "index": 1},
    {"patterns": [[{"DEP": "expl"}, {"LOWER": {"IN": ["is", "are"]}}]], "attrs": {"POS": "VERB"}, "index": 1},
    {"patterns": [[{"TAG": "VB", "OP": "+"}]], "attrs": {"LEMMA": "win"}},
    {"patterns": [[{"TAG": "VBZ"}]], "attrs": {"POS": "VERB"}},  # later rules win: "is" ends VERB, not AUX
]


def _nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("attribute_ruler").add_patterns(PATTERNS)
    return nlp


def _doc(nlp) -> Doc:
    return Doc(nlp.vocab, words=WORDS, tags=TAGS, heads=HEADS, deps=DEPS)


def _annotations(doc: Doc) -> list[tuple[str, str, str]]:
    return [(t.pos_, str(t.morph), t.lemma_) for t in doc]


def test_the_cache_writes_what_the_ruler_writes_and_matches_each_distinct_token_once():
    nlp = _nlp()
    expected = _annotations(nlp.get_pipe("attribute_ruler")(_doc(nlp)))
    assert expected[1] == ("VERB", "Number=Sing|Person=3", "")  # the expletive rule and then the last VBZ rule
    assert expected[8:10] == [("VERB", "", ""), ("", "", "to")]
    cache = AttributeCache(nlp, "onrecord_attributes", "attribute_ruler")
    assert (len(cache.single), len(cache.live)) == (7, 3)  # the two-token rules and the "+" one run live
    assert _annotations(cache(_doc(nlp))) == expected
    # "is" twice with the same tag, arc and form is one key; the second doc asks nothing new
    distinct = len(cache.matches)
    assert distinct == len(set(zip(WORDS, TAGS, DEPS))) == len(WORDS) - 1
    assert _annotations(cache(_doc(nlp))) == expected and len(cache.matches) == distinct


def test_added_once_in_front_of_the_ruler_which_it_disables():
    nlp = _nlp()
    add_attribute_cache(nlp)
    add_speedups(nlp)
    assert nlp.pipe_names == ["onrecord_attributes"]
    assert nlp.disabled == ["attribute_ruler"]
    plain = _nlp()
    assert _annotations(nlp(_doc(nlp))) == _annotations(plain(_doc(plain)))
    blank = spacy.blank("en")
    add_speedups(blank)
    assert blank.pipe_names == []


@pytest.mark.slow
def test_the_english_model_annotates_the_seed_the_same_with_both_stand_ins():
    from onrecord.nlp.loader import load_spacy

    seed_text = SEED.read_text(encoding="utf-8")
    plain, fast = load_spacy(), load_spacy()
    add_speedups(fast)
    assert fast.pipe_names.index("onrecord_attributes") < fast.pipe_names.index("onrecord_lemmas")
    assert "attribute_ruler" in fast.disabled
    assert [(t.tag_, t.pos_, str(t.morph), t.lemma_) for t in fast(seed_text)] == [
        (t.tag_, t.pos_, str(t.morph), t.lemma_) for t in plain(seed_text)
    ]


def test_a_blank_line_starts_a_sentence_before_the_parser_runs():
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

    from onrecord.nlp.factories import ParagraphStarts

    doc = Doc(Vocab(), words=["Fed", "will", "cut", "rates", "\n\n", "Prices", "rose", ".", "\n", "More"],
              spaces=[True, True, True, False, False, True, False, False, False, False])
    ParagraphStarts("onrecord_paragraphs")(doc)
    assert doc[5].is_sent_start is True  # after the blank line
    assert doc[9].is_sent_start is None  # a single line break decides nothing
