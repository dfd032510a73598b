"""The rule extractor, first on hand-built parses (fast), then on short texts parsed by the model."""

import pytest
from spacy.lang.en import English
from spacy.tokens import Doc

from onrecord.extraction.rules import extract_attributions, is_signed, with_signed
from onrecord.model import Attribution, Span


def make_doc(rows):
    """rows: (word, head_index, dep, pos, tag, space_after)."""
    words = [r[0] for r in rows]
    return Doc(
        English().vocab,  # lexical attributes (lower_, is_punct) need the English defaults
        words=words,
        spaces=[r[5] for r in rows],
        heads=[r[1] for r in rows],
        deps=[r[2] for r in rows],
        pos=[r[3] for r in rows],
        tags=[r[4] for r in rows],
        sent_starts=[True] + [False] * (len(rows) - 1),
    )


def roles(att):
    return (
        [s.text for s in att.source],
        [s.text for s in att.cue],
        [s.text for s in att.content],
        att.kind,
    )


def test_indirect_with_that_and_auxiliary_verb_group():
    # "Smith has also said that taxes will rise."
    doc = make_doc([
        ("Smith", 3, "nsubj", "PROPN", "NNP", True),
        ("has", 3, "aux", "AUX", "VBZ", True),
        ("also", 3, "advmod", "ADV", "RB", True),
        ("said", 3, "ROOT", "VERB", "VBN", True),
        ("that", 7, "mark", "SCONJ", "IN", True),
        ("taxes", 7, "nsubj", "NOUN", "NNS", True),
        ("will", 7, "aux", "AUX", "MD", True),
        ("rise", 3, "ccomp", "VERB", "VB", False),
        (".", 3, "punct", "PUNCT", ".", False),
    ])
    [att] = extract_attributions(doc)
    assert roles(att) == (["Smith"], ["has also said"], ["that taxes will rise"], "indirect")
    assert doc.text[att.content[0].start:att.content[0].end] == "that taxes will rise"


def test_postposed_cue_with_direct_quote():
    # '"We will win," he said.'
    doc = make_doc([
        ('"', 7, "punct", "PUNCT", "``", False),
        ("We", 3, "nsubj", "PRON", "PRP", True),
        ("will", 3, "aux", "AUX", "MD", True),
        ("win", 7, "ccomp", "VERB", "VB", False),
        (",", 7, "punct", "PUNCT", ",", False),
        ('"', 7, "punct", "PUNCT", "''", True),
        ("he", 7, "nsubj", "PRON", "PRP", True),
        ("said", 7, "ROOT", "VERB", "VBD", False),
        (".", 7, "punct", "PUNCT", ".", False),
    ])
    [att] = extract_attributions(doc)
    assert roles(att) == (["he"], ["said"], ['"We will win,"'], "direct")


def test_according_to_takes_the_rest_of_the_sentence_as_content():
    # "Prices rose, according to officials."
    doc = make_doc([
        ("Prices", 1, "nsubj", "NOUN", "NNS", True),
        ("rose", 1, "ROOT", "VERB", "VBD", False),
        (",", 1, "punct", "PUNCT", ",", True),
        ("according", 1, "prep", "VERB", "VBG", True),
        ("to", 3, "prep", "ADP", "IN", True),
        ("officials", 4, "pobj", "NOUN", "NNS", False),
        (".", 1, "punct", "PUNCT", ".", False),
    ])
    [att] = extract_attributions(doc)
    assert roles(att) == (["officials"], ["according to"], ["Prices rose"], "according_to")


def test_according_to_opening_a_paragraph_reads_forward_past_a_stray_quote_mark():
    # '"⏎⏎According to officials, prices rose.' (the parse ran the last paragraph's '"' into this sentence)
    doc = make_doc([
        ('"', 7, "punct", "PUNCT", "''", False),
        ("\n\n", 0, "dep", "SPACE", "_SP", False),
        ("According", 7, "prep", "VERB", "VBG", True),
        ("to", 2, "prep", "ADP", "IN", True),
        ("officials", 3, "pobj", "NOUN", "NNS", False),
        (",", 7, "punct", "PUNCT", ",", True),
        ("prices", 7, "nsubj", "NOUN", "NNS", True),
        ("rose", 7, "ROOT", "VERB", "VBD", False),
        (".", 7, "punct", "PUNCT", ".", False),
    ])
    [att] = extract_attributions(doc)
    assert roles(att) == (["officials"], ["According to"], ["prices rose"], "according_to")


def test_non_reporting_verb_gives_nothing():
    # "Smith ate that cake." (no cue word)
    doc = make_doc([
        ("Smith", 1, "nsubj", "PROPN", "NNP", True),
        ("ate", 1, "ROOT", "VERB", "VBD", True),
        ("that", 3, "det", "DET", "DT", True),
        ("cake", 1, "dobj", "NOUN", "NN", False),
        (".", 1, "punct", "PUNCT", ".", False),
    ])
    assert extract_attributions(doc) == []


# --- the same rules on real parses ------------------------------------------------------------


@pytest.fixture(scope="module")
def nlp():
    from onrecord.nlp.loader import load_spacy

    return load_spacy()


def run(nlp, text):
    from onrecord.ingest.normalise import normalise

    return [roles(a) for a in extract_attributions(nlp(normalise(text).text))]


@pytest.mark.slow
@pytest.mark.parametrize(
    "text, expected",
    [
        ("The mayor said the bridge will reopen in May.",
         (["The mayor"], ["said"], ["the bridge will reopen in May"], "indirect")),
        ("The senator told reporters that the bill was dead.",
         (["The senator"], ["told"], ["that the bill was dead"], "indirect")),
        ('"The bill is dead," said Senator Jones.',
         (["Senator Jones"], ["said"], ['"The bill is dead,"'], "direct")),
        ("Reuters reported that talks had collapsed.",
         (["Reuters"], ["reported"], ["that talks had collapsed"], "indirect")),
        ("Analysts predicted the currency would fall further.",
         (["Analysts"], ["predicted"], ["the currency would fall further"], "indirect")),
        ("Voters fear that prices will keep rising.",
         (["Voters"], ["fear"], ["that prices will keep rising"], "indirect")),
        ("She believes that the court erred.",
         (["She"], ["believes"], ["that the court erred"], "indirect")),
    ],
)
def test_indirect_patterns(nlp, text, expected):
    assert expected in run(nlp, text)


@pytest.mark.slow
def test_passive_quoted_as_saying(nlp):
    found = run(nlp, 'The minister was quoted as saying that the deal was close.')
    assert (["The minister"], ["was quoted as saying"], ["that the deal was close"], "indirect") in found


@pytest.mark.slow
def test_split_quote_is_one_content_in_two_fragments(nlp):
    found = run(nlp, '"We are ready," she said, "and we will not wait."')
    assert (["she"], ["said"], ['"We are ready,"', '"and we will not wait."'], "direct") in found


@pytest.mark.slow
def test_colon_introduced_quote(nlp):
    found = run(nlp, 'The governor said: "Help is on the way."')
    assert any(f[1] == ["said"] and f[2] == ['"Help is on the way."'] for f in found)


@pytest.mark.slow
def test_mixed_quote_keeps_the_reporters_words(nlp):
    found = run(nlp, 'He said that the plan was "a total disaster for everyone involved".')
    assert any(f[3] == "mixed" and f[2] == ['that the plan was "a total disaster for everyone involved"'] for f in found)


@pytest.mark.slow
def test_relayed_claim_is_nested_under_the_outlet(nlp):
    from onrecord.ingest.normalise import normalise

    text = "Officials claimed that the dam had failed, The Guardian reported."
    atts = extract_attributions(nlp(normalise(text).text))
    by_cue = {a.cue[0].text: a for a in atts}
    assert by_cue["claimed"].parent == by_cue["reported"].id
    assert by_cue["reported"].content[0].text == "Officials claimed that the dam had failed"


@pytest.mark.slow
def test_non_response_is_not_an_attribution(nlp):
    assert run(nlp, "A spokesperson for the Kremlin did not immediately respond to a request for comment.") == []
    assert run(nlp, "The company declined to comment.") == []


# --- quotations signed with a dash ----------------------------------------------------


def _signed_doc(words: list[str], pos: list[str]) -> Doc:
    """Tokens as given; a " " item is the space after the token before it, as spaCy keeps it."""
    kept, spaces, kept_pos = [], [], []
    for word, p in zip(words, pos):
        if word == " ":
            spaces[-1] = True
        else:
            kept.append(word), spaces.append(False), kept_pos.append(p)
    return Doc(English().vocab, words=kept, spaces=spaces, pos=kept_pos, tags=["XX"] * len(kept),
               heads=list(range(len(kept))), deps=["dep"] * len(kept))


def test_a_quotation_signed_with_a_dash_is_attributed_to_the_name():
    # '“We will win.” ― Karen Bobadilla.\n\nShe left.' and '"Taxes rise."\n\n- Bernie Sanders.'
    doc = _signed_doc(
        ["“", "We", " ", "win", ".", "”", " ", "―", " ", "Karen", " ", "Bobadilla", ".", "\n\n", "She", " ", "left", "."],
        ["PUNCT", "PRON", "SPACE", "VERB", "PUNCT", "PUNCT", "SPACE", "PUNCT", "SPACE", "PROPN", "SPACE", "PROPN",
         "PUNCT", "SPACE", "PRON", "SPACE", "VERB", "PUNCT"],
    )
    [att] = extract_attributions(doc)
    assert roles(att) == (["Karen Bobadilla"], ["―"], ["“We win.”"], "direct")
    assert is_signed(att)
    doc = _signed_doc(
        ['"', "Taxes", " ", "rise", ".", '"', "\n\n", "-", " ", "Bernie", " ", "Sanders", "."],
        ["PUNCT", "NOUN", "SPACE", "VERB", "PUNCT", "PUNCT", "SPACE", "PUNCT", "SPACE", "PROPN", "SPACE", "PROPN", "PUNCT"],
    )
    [att] = extract_attributions(doc)
    assert roles(att) == (["Bernie Sanders"], ["-"], ['"Taxes rise."'], "direct")


def test_the_dash_may_be_glued_to_the_quotation_mark_or_to_the_name():
    doc = _signed_doc(
        ["“", "We", " ", "win", ".", "”―", " ", "Pamela", " ", "Padilla", "\n", "-President", " ", "Obama", ",", " ", "later"],
        ["PUNCT", "PRON", "SPACE", "VERB", "PUNCT", "PUNCT", "SPACE", "PROPN", "SPACE", "PROPN", "SPACE", "PROPN",
         "SPACE", "PROPN", "PUNCT", "SPACE", "ADV"],
    )
    [att] = extract_attributions(doc)
    assert roles(att) == (["Pamela Padilla"], ["―"], ["“We win.”"], "direct")


def test_a_dash_after_a_quotation_that_is_not_followed_by_a_signing_name_is_not_a_cue():
    # '“lock her up” -- and then', '“lock her up” -- Trump aides said' (the name does not end the line)
    for tail, tail_pos in ((["and", " ", "then"], ["CCONJ", "SPACE", "ADV"]),
                           (["Trump", " ", "aides", " ", "said"], ["PROPN", "SPACE", "NOUN", "SPACE", "VERB"])):
        doc = _signed_doc(["“", "lock", " ", "her", " ", "up", "”", " ", "--", " ", *tail],
                          ["PUNCT", "VERB", "SPACE", "PRON", "SPACE", "ADP", "PUNCT", "SPACE", "PUNCT", "SPACE", *tail_pos])
        assert not [a for a in extract_attributions(doc) if is_signed(a)]


def test_a_signed_quotation_replaces_other_readings_of_it_but_keeps_what_its_signer_relays():
    text = "“Trump said we lose.” ― Ana Ruiz"
    at = text.index
    signed = Attribution("", "direct", [Span.of(text, at("Ana"), len(text))], [Span.of(text, at("―"), at("―") + 1)],
                         [Span.of(text, 0, at(" ―"))])
    relayed = Attribution("", "indirect", [Span.of(text, 1, 6)], [Span.of(text, at("said"), at("said") + 4)],
                          [Span.of(text, at("we"), at("lose") + 4)])
    uncued = Attribution("", "direct", [], [], [Span.of(text, 0, at(" ―"))])
    out = with_signed([uncued, relayed], [signed])
    assert out == [signed, relayed]
    assert [a.id for a in out] == ["a1", "a2"] and relayed.parent == "a1"


@pytest.mark.slow
def test_nesting_follows_the_contents_as_they_finally_stand(nlp):
    """The headline's cue sat in the quotation's untrimmed content ("Senator says … rise⏎⏎“We …,”"); once that
    content keeps only its own line the headline is nested in nothing."""
    from onrecord.extraction.presets import preset_attributions
    from onrecord.ingest.normalise import normalise

    text = "Senator says budget & taxes will rise\n\n\u201cWe have no choice,\u201d said Senator Jane Roe of Kansas on Tuesday.\n"
    atts = preset_attributions(nlp(normalise(text).text), "rules")
    headline = next(a for a in atts if a.cue[0].text == "says")
    assert headline.parent is None
    assert all(a.parent is None or any(c.start <= a.cue[0].start < c.end for p in atts if p.id == a.parent
                                       for c in p.content) for a in atts)
