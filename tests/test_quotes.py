"""Quotation finding: every mark style, split and multi-paragraph quotes, bad balance."""

import pytest

from onrecord.extraction.quotes import Quote, find_quotes


def spans(text):
    return [text[q.start:q.end] for q in find_quotes(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ('He said "we will win" today.', ['"we will win"']),
        ("He said “we will win” today.", ["“we will win”"]),
        ("Er sagte „wir gewinnen“ heute.", ["„wir gewinnen“"]),
        ("Il a dit « nous gagnerons » hier.", ["« nous gagnerons »"]),
        ("Han sa ”vi vinner” i dag.", ["”vi vinner”"]),
        ('“A,” he said, “B.”', ["“A,”", "“B.”"]),
    ],
)
def test_mark_styles(text, expected):
    assert spans(text) == expected


def test_multi_paragraph_quote_reopens_without_closing():
    text = "“First paragraph of the quote.\n\n“Second paragraph,” she said.\n\nNext."
    quotes = find_quotes(text)
    assert len(quotes) == 1
    assert text[quotes[0].start:quotes[0].end] == text[: text.index("”") + 1]
    assert quotes[0].closed


def test_unclosed_quote_ends_at_paragraph_and_is_flagged():
    text = 'He said "this never closes.\n\nA new paragraph "with a quote" here.'
    quotes = find_quotes(text)
    assert [text[q.start:q.end] for q in quotes] == ['"this never closes.', '"with a quote"']
    assert [q.closed for q in quotes] == [False, True]


def test_stray_closing_mark_invents_nothing():
    assert find_quotes("It was 5” long and “fine”.") == [Quote(19, 25)]


@pytest.mark.parametrize("text", ['"', "“", "”", '""', 'a "b', "a” b “", "\n\n“\n\n”"])
def test_degenerate_input_never_raises(text):
    for q in find_quotes(text):
        assert 0 <= q.start < q.end <= len(text)


def test_a_docs_text_and_quotations_are_built_once_and_match_a_fresh_reading():
    import spacy

    from onrecord.extraction._text import doc_text, quotes_in

    doc = spacy.blank("en")("“We will win,” she said. “Today.”")
    text = doc_text(doc)
    assert text == doc.text and doc_text(doc) is text
    assert quotes_in(text) == tuple(find_quotes(doc.text)) and len(quotes_in(text)) == 2
    assert quotes_in(text) is quotes_in(doc_text(doc))
