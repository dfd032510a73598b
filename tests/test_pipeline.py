"""extract_many: errors among the inputs keep their place, and errors cross process boundaries whole."""

import pickle

import pytest

from onrecord.errors import InputError, ModelError, OnrecordError
from onrecord.model import Document


def test_errors_pickle_with_their_code_message_path_and_own_fields():
    from onrecord.store import StoreError
    from onrecord.web.app import WebError

    for err in (OnrecordError("E401", "extraction failed", path="a.txt"), InputError("E103", "is empty", path="b.txt"),
                ModelError("E201", "no model"), StoreError("E503", "cannot store"), WebError(404, "E603", what="article", ref=9, hint="h")):
        back = pickle.loads(pickle.dumps(err))
        assert type(back) is type(err) and back.line() == err.line() and str(back) == str(err)
        assert back.__dict__ == err.__dict__


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_extract_many_passes_input_errors_on_in_their_place(workers):
    from onrecord import extract_many

    bad = InputError("E103", "is empty; nothing to read", path="empty.txt")
    docs = [Document(text='The mayor said "the bridge opens in May".', id="a"), bad, Document(text="Nothing here.", id="b")]
    out = list(extract_many(docs, workers=workers, model="rules"))
    assert [getattr(o, "id", None) for o in out] == ["a", None, "b"]
    assert isinstance(out[1], InputError) and out[1].line() == bad.line()
    assert out[0].attributions and out[0].attributions[0].cue[0].text == "said"


@pytest.mark.slow
def test_extractor_pipe_takes_plain_texts_beside_documents():
    from onrecord import Extractor

    texts = ['The mayor said "the bridge opens in May".', Document(text="Nothing here.", id="b")]
    out = list(Extractor(model="rules").pipe(texts))
    assert out[0].text == texts[0] and out[0].attributions[0].cue[0].text == "said"
    assert out[1].id == "b" and out[1].attributions == []


@pytest.mark.slow
def test_a_url_host_is_the_publisher_only_when_the_text_names_none():
    from pathlib import Path

    from onrecord import Extractor

    seed = (Path(__file__).resolve().parents[1] / "examples" / "seed-article.txt").read_text(encoding="utf-8")
    plain = Document(text='The mayor said "the bridge opens in May".', url="https://www.news.example/a")
    named = Document(text=seed, url="https://bi.example/coup")
    out = list(Extractor(model="rules").pipe([plain, named]))
    assert [d.publisher for d in out] == ["news.example", "Business Insider"]


@pytest.mark.slow
def test_a_byline_names_the_writer_of_a_columns_i():
    from onrecord import Extractor

    text = "I think the bridge will open late, whatever the mayor says.\n\nThe council met on Monday."
    out = list(Extractor(model="fast").pipe([Document(text=text, authors=["Jane Roe"]), Document(text=text)]))
    writers = [[a.speaker.name for a in d.attributions if a.source and a.source[0].text == "I"] for d in out]
    assert writers == [["Jane Roe"], ["the author"]]
