"""Speaker-resolution patterns added to the sieve, each on a short hand-built document.

Tokens are written ``word/POS/dep/head`` with optional ``t=TAG``, ``l=lemma``,
``e=IOB-LABEL`` (heads are absolute token indices; ``¶`` is a paragraph break),
as in tests/docspec.py. No spaCy model is needed.
"""

from __future__ import annotations

import pytest
from docspec import attribution, make_doc

from onrecord.resolve import resolve_speakers, source_type


def resolve(spec: str, *sources: str | tuple[str, int]) -> list:
    doc = make_doc(spec)
    attrs = [
        attribution(doc, f"a{n}", *(s if isinstance(s, tuple) else (s,))) for n, s in enumerate(sources)
    ]
    resolve_speakers(doc, attrs)
    return [(a.speaker.name, a.speaker.type) for a in attrs]


# Donald Trump spoke. Donald Trump's campaign said. The campaign added.
CAMPAIGN = (
    "Donald/PROPN/compound/1/e=B-PERSON Trump/PROPN/nsubj/2/e=I-PERSON spoke/VERB/ROOT/2 ./PUNCT/punct/2 "
    "Donald/PROPN/compound/5/e=B-PERSON Trump/PROPN/poss/7/e=I-PERSON ’s/PART/case/5 campaign/NOUN/nsubj/8 "
    "said/VERB/ROOT/8 ./PUNCT/punct/8 "
    "The/DET/det/11 campaign/NOUN/nsubj/12 added/VERB/ROOT/12 ./PUNCT/punct/12"
)


def test_a_persons_campaign_is_named_after_the_surname_and_the_campaign_points_back() -> None:
    assert resolve(CAMPAIGN, "Donald Trump’s campaign", "The campaign") == [
        ("Trump campaign", "organisation"), ("Trump campaign", "organisation"),
    ]


# Hillary Clinton criticized a Donald Trump tweet. The tweet said no.
TWEET = (
    "Hillary/PROPN/compound/1/e=B-PERSON Clinton/PROPN/nsubj/2/e=I-PERSON criticized/VERB/ROOT/2 "
    "a/DET/det/6 Donald/PROPN/compound/5/e=B-PERSON Trump/PROPN/compound/6/e=I-PERSON tweet/NOUN/dobj/2 "
    "./PUNCT/punct/2 The/DET/det/9 tweet/NOUN/nsubj/10 said/VERB/ROOT/10 no/INTJ/dobj/10 ./PUNCT/punct/10"
)


def test_a_document_speaks_for_its_author_and_a_later_definite_one_too() -> None:
    assert resolve(TWEET, "a Donald Trump tweet", "The tweet") == [
        ("Donald Trump", "document"), ("Donald Trump", "document"),
    ]


# The Washington Post ran a feature. The piece said it.
FEATURE = (
    "The/DET/det/2 Washington/PROPN/compound/2/e=B-ORG Post/PROPN/nsubj/3/e=I-ORG ran/VERB/ROOT/3/l=run "
    "a/DET/det/5 feature/NOUN/dobj/3 ./PUNCT/punct/3 "
    "The/DET/det/8 piece/NOUN/nsubj/9 said/VERB/ROOT/9 it/PRON/dobj/9 ./PUNCT/punct/9"
)


def test_a_document_a_subject_ran_is_theirs() -> None:
    assert resolve(FEATURE, "The piece") == [("Washington Post", "document")]


# The Commission on Debates spoke. The commission said.
COMMISSION = (
    "The/DET/det/1 Commission/PROPN/nsubj/4/e=B-ORG on/ADP/prep/1/e=I-ORG Debates/PROPN/pobj/2/e=I-ORG "
    "spoke/VERB/ROOT/4 ./PUNCT/punct/4 The/DET/det/7 commission/NOUN/nsubj/8 said/VERB/ROOT/8 ./PUNCT/punct/8"
)


def test_a_definite_description_is_the_earlier_entity_whose_name_holds_its_noun() -> None:
    assert resolve(COMMISSION, "The commission") == [("Commission on Debates", "organisation")]


def test_a_transcript_label_is_a_person() -> None:
    doc = "WALLACE/PROPN/ROOT/0 :/PUNCT/punct/0 Hello/INTJ/dep/0 ./PUNCT/punct/0"
    assert resolve(doc, "WALLACE") == [("Wallace", "person")]


# They turned to the Chicago Police Department which reported it.
WHICH = (
    "They/PRON/nsubj/1 turned/VERB/ROOT/1 to/ADP/prep/1 the/DET/det/6 Chicago/PROPN/compound/6/e=B-ORG "
    "Police/PROPN/compound/6/e=I-ORG Department/PROPN/pobj/2/e=I-ORG which/PRON/nsubj/8 "
    "reported/VERB/advcl/1 it/PRON/dobj/8 ./PUNCT/punct/1"
)


def test_a_relative_pronoun_the_parser_left_unattached_is_the_noun_before_it() -> None:
    assert resolve(WHICH, "which") == [("Chicago Police Department", "government")]


# Connecticut's commissioner says no. ¶ Kevin Sullivan says more.
CATAPHORA = (
    "Connecticut/PROPN/poss/2/e=B-GPE ’s/PART/case/0 commissioner/NOUN/nsubj/3 says/VERB/ROOT/3 "
    "no/INTJ/dobj/3 ./PUNCT/punct/3 ¶ Kevin/PROPN/compound/8/e=B-PERSON Sullivan/PROPN/nsubj/9/e=I-PERSON "
    "says/VERB/ROOT/9 more/ADJ/dobj/9 ./PUNCT/punct/9"
)


def test_a_role_opening_a_paragraph_is_the_person_the_next_paragraph_introduces() -> None:
    assert resolve(CATAPHORA, "Connecticut’s commissioner") == [("Kevin Sullivan", "person")]


# Mike Pence spoke. The Indiana governor said. The announcer said.
FOCUS = (
    "Mike/PROPN/compound/1/e=B-PERSON Pence/PROPN/nsubj/2/e=I-PERSON spoke/VERB/ROOT/2 ./PUNCT/punct/2 "
    "The/DET/det/6 Indiana/PROPN/compound/6/e=B-GPE governor/NOUN/nsubj/7 said/VERB/ROOT/7 ./PUNCT/punct/7 "
    "The/DET/det/10 announcer/NOUN/nsubj/11 said/VERB/ROOT/11 ./PUNCT/punct/11"
)


def test_a_public_role_is_the_person_the_text_is_about_but_a_passing_role_is_not() -> None:
    assert resolve(FOCUS, "The Indiana governor", "The announcer") == [
        ("Mike Pence", "person"), ("The announcer", "person"),
    ]


def test_a_source_is_named_without_a_leading_preposition() -> None:
    doc = (
        "questioning/NOUN/ROOT/0 from/ADP/prep/0 the/DET/det/5 Senate/PROPN/compound/5/e=B-ORG "
        "banking/NOUN/compound/5 committee/NOUN/pobj/1 ./PUNCT/punct/0"
    )
    assert resolve(doc, "from the Senate banking committee") == [("the Senate banking committee", "government")]


# Sens. Jon Tester and David Vitter said.
PAIR = (
    "Sens./PROPN/compound/2 Jon/PROPN/compound/2/e=B-PERSON Tester/PROPN/nsubj/6/e=I-PERSON and/CCONJ/cc/2 "
    "David/PROPN/compound/5/e=B-PERSON Vitter/PROPN/conj/2/e=I-PERSON said/VERB/ROOT/6 ./PUNCT/punct/6"
)


def test_coordinated_people_are_one_group_named_by_its_members() -> None:
    assert resolve(PAIR, "Sens. Jon Tester and David Vitter") == [("Jon Tester and David Vitter", "group")]


# Eric Schneiderman spoke. Scheiderman said.
TYPO = (
    "Eric/PROPN/compound/1/e=B-PERSON Schneiderman/PROPN/nsubj/2/e=I-PERSON spoke/VERB/ROOT/2 ./PUNCT/punct/2 "
    "Scheiderman/PROPN/nsubj/5/e=B-PERSON said/VERB/ROOT/5 ./PUNCT/punct/5"
)


def test_a_surname_one_letter_off_is_the_known_person() -> None:
    assert resolve(TYPO, "Scheiderman") == [("Eric Schneiderman", "person")]


# The AP interviewed crew members and editors. They described it.
THEY = (
    "The/DET/det/1 AP/PROPN/nsubj/2/e=B-ORG interviewed/VERB/ROOT/2 crew/NOUN/compound/4 "
    "members/NOUN/dobj/2/t=NNS/l=member and/CCONJ/cc/4 editors/NOUN/conj/4/t=NNS/l=editor ./PUNCT/punct/2 "
    "They/PRON/nsubj/9 described/VERB/ROOT/9 it/PRON/dobj/9 ./PUNCT/punct/9"
)


def test_they_prefers_a_plural_group_in_the_sentence_before() -> None:
    assert resolve(THEY, "They") == [("crew members and editors", "group")]


TYPE_CASES = [
    ("Clinton/PROPN/compound/1/e=B-PERSON aides/NOUN/ROOT/1/t=NNS/l=aide", "group"),
    ("a/DET/det/4 Homeland/PROPN/compound/3 Security/PROPN/compound/3 Department/PROPN/compound/4 "
     "official/NOUN/ROOT/4", "anonymous"),
    ("dozens/NOUN/ROOT/0/t=NNS/l=dozen of/ADP/prep/0 papers/NOUN/pobj/1/t=NNS/l=paper", "media_outlet"),
    ("editorial/ADJ/amod/1 boards/NOUN/ROOT/1/t=NNS/l=board", "media_outlet"),
    ("the/DET/det/3 Senate/PROPN/compound/3 banking/NOUN/compound/3 committee/NOUN/ROOT/3", "government"),
    ("NATO/PROPN/ROOT/0/e=B-ORG", "government"),
    ("Twelve/NUM/nummod/1 percent/NOUN/ROOT/1", "group"),
    ("the/DET/det/1 announcer/NOUN/ROOT/1", "person"),
    ("the/DET/det/2 former/ADJ/amod/2 secretary/NOUN/ROOT/2 and/CCONJ/cc/2 current/ADJ/amod/5 "
     "nominee/NOUN/conj/2", "person"),
    ("Scholars/NOUN/ROOT/0/t=NNS/l=scholar/e=B-PERSON", "group"),
    ("The/DET/det/1 transcript/NOUN/ROOT/1 published/VERB/acl/1 by/ADP/agent/2 The/DET/det/5 "
     "Washington/PROPN/compound/5 Post/PROPN/pobj/3", "document"),
]


@pytest.mark.parametrize("spec,expected", TYPE_CASES, ids=[c[1] + ":" + c[0].split("/")[0] for c in TYPE_CASES])
def test_source_types_of_new_patterns(spec: str, expected: str) -> None:
    assert source_type(make_doc(spec)[:]) == expected
