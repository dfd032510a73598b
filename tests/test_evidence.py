"""Forecast evidence: later sentences of the ledger that may settle a forecast.

The splitter and the term picker are plain functions; the search runs on SQLite and on
PostgreSQL (``ledger`` fixture, see conftest.py), with documents made by hand.
"""

from datetime import date

import pytest

from onrecord.model import Document, Forecast, Span, SpeakerRef
from onrecord.store import Ledger
from onrecord.store.evidence import MAX_TERMS, forecast_terms, sentence_spans


def test_sentences_split_at_stops_and_lines_with_offsets_into_the_text():
    text = '  Headline without a stop\n\nHe said: "It will rain." Then it did!  Is it over? Yes.\n'
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == [
        "Headline without a stop", 'He said: "It will rain."', "Then it did!", "Is it over?", "Yes.",
    ]


def test_a_stop_inside_a_word_or_number_does_not_end_a_sentence():
    text = "Turnout rose 3.5 percent in the U.S.A. this year, officials said."
    assert [text[s:e] for s, e in sentence_spans(text)] == [text]


def test_terms_drop_stop_words_and_the_words_that_make_a_forecast():
    assert forecast_terms("Military coup in Russia is likely") == ["military", "coup", "russia"]
    assert forecast_terms("Trump will probably win the Iowa caucuses next February") == ["trump", "win", "iowa", "caucuses"]
    assert forecast_terms("Putin’s regime is expected to collapse by 2024") == ["putin", "regime", "collapse", "2024"]


def test_contractions_and_one_word_forecasts_give_nothing_to_search_for():
    assert forecast_terms("I'm not going to win") == ["win"]
    assert forecast_terms("it's going to work") == ["work"]


def test_the_stop_word_copy_is_spacys_list():
    from spacy.lang.en.stop_words import STOP_WORDS

    from onrecord.data import read_lines

    assert set(read_lines("evidence_stop_words.txt")) == set(STOP_WORDS)


def test_long_forecasts_keep_names_and_numbers_first():
    text = ("the committee will vote on the proposed amendment, the budget, the tariff schedule, the pension "
            "reform and the housing package that Smith drafted in 2019")
    terms = forecast_terms(text)
    assert len(terms) == MAX_TERMS and "smith" in terms and "2019" in terms
    assert terms == sorted(terms, key=lambda t: text.lower().index(t))  # still in the forecast's order


def _article(text, published, *, forecast=None, title="T"):
    forecasts = []
    if forecast:
        at = text.index(forecast)
        forecasts = [Forecast(id="f1", text=Span.of(text, at, at + len(forecast)),
                              speaker=SpeakerRef("e1", "Jane Roe", "person", True), probability=0.9)]
    return Document(text=text, title=title, publisher="Reuters", published=published, forecasts=forecasts, model="test@0")


def test_later_sentences_that_share_the_forecasts_terms_are_suggested(ledger):
    ledger.add(_article("Roe said the Senate will pass the tax bill.\nMarkets were calm.", "2024-01-10",
                        forecast="the Senate will pass the tax bill"))
    later = "The weather was fine. The Senate passed the tax bill on Tuesday by two votes. Nobody cheered."
    later_id, _ = ledger.add(_article(later, "2024-03-02", title="Senate vote"))
    ledger.add(_article("The Senate met about a tax bill long before.", "2023-05-01"))  # earlier: never evidence
    ledger.add(_article("A bill about farms was signed.", "2024-04-01"))  # one term only: not enough
    forecast_id = ledger.forecasts()[0].id

    found = ledger.evidence(forecast_id, rerank=False)
    assert [e.article_id for e in found] == [later_id]
    best = found[0]
    assert best.sentence == "The Senate passed the tax bill on Tuesday by two votes."
    assert later[best.start:best.end] == best.sentence
    assert best.title == "Senate vote" and best.published == "2024-03-02" and best.score > 0
    assert set(best.terms) == {"senate", "pass", "tax", "bill"}


def test_evidence_follows_an_article_stored_again_and_is_empty_without_terms(ledger):
    text = "Roe said the Senate will pass the tax bill."
    ledger.add(_article(text, "2024-01-10", forecast="the Senate will pass the tax bill"))
    first, _ = ledger.add(_article("The Senate passed the tax bill.", "2024-02-01"))
    ledger.add(_article("The Senate passed the tax bill.", "2024-02-01", title="Stored again"))  # its sentences replaced, not doubled
    found = ledger.evidence(ledger.forecasts()[0].id, rerank=False)
    assert [(e.article_id, e.title) for e in found] == [(first, "Stored again")]

    ledger.add(_article("Roe said it will happen.", "2024-01-11", forecast="it will happen"))
    vague = next(f for f in ledger.forecasts() if f.text == "it will happen")
    assert ledger.evidence(vague.id, rerank=False) == []


def test_a_sentence_with_only_the_forecasts_names_is_not_evidence(ledger):
    ledger.add(_article("Roe said Smith will resign from the Senate.", "2024-01-10", forecast="Smith will resign from the Senate"))
    ledger.add(_article("Smith spoke in the Senate on Monday.", "2024-02-01"))  # who and where, not what happens
    resigned, _ = ledger.add(_article("Smith resigned his seat on Friday.", "2024-02-02"))
    assert [e.article_id for e in ledger.evidence(ledger.forecasts()[0].id, rerank=False)] == [resigned]


def test_a_plan_without_its_own_subject_is_about_its_speaker(ledger):
    ledger.add(_article("Roe said she plans to veto the tax bill.", "2024-01-10", forecast="to veto the tax bill"))
    ledger.add(_article("Doe vetoed the tax bill.", "2024-02-01"))  # the same event, someone else
    roe, _ = ledger.add(_article("Governor Roe vetoed the tax bill on Friday.", "2024-02-02"))
    [found] = ledger.evidence(ledger.forecasts()[0].id, rerank=False)
    assert found.article_id == roe and "roe" in found.terms


def test_a_headline_in_title_case_has_no_names_by_its_capitals():
    from onrecord.store.evidence import _names

    assert _names("Trump Would Put Liberals On Court") == set()
    assert _names("Military coup in Russia by 2025") == {"military", "russia", "2025"}


def test_the_forecasts_own_sentence_in_another_copy_is_not_evidence(ledger):
    ledger.add(_article("Roe said the Senate will pass the tax bill.", "2024-01-10", forecast="the Senate will pass the tax bill"))
    ledger.add(_article("Roe said the Senate will pass the tax bill, a wire copy.", "2024-01-10"))
    assert ledger.evidence(ledger.forecasts()[0].id, rerank=False) == []


def test_reports_come_before_sentences_that_look_ahead(ledger):
    ledger.add(_article("Roe said the Senate will pass the tax bill.", "2024-01-10", forecast="the Senate will pass the tax bill"))
    ahead, _ = ledger.add(_article("The Senate will likely pass the tax bill, Doe said.", "2024-02-01"))
    report, _ = ledger.add(_article("The tax bill passed the Senate.", "2024-03-01"))
    found = ledger.evidence(ledger.forecasts()[0].id, rerank=False)
    assert [(e.article_id, e.looks_ahead) for e in found] == [(report, False), (ahead, True)]


def test_unknown_forecast_is_E515(ledger):
    from onrecord.store import StoreError

    with pytest.raises(StoreError) as err:
        ledger.evidence(999)
    assert err.value.code == "E515"


def test_articles_stored_before_the_index_are_split_by_the_migration(db_url):
    """A ledger made by an onrecord without the sentence index gets its stored articles indexed on upgrade."""
    from sqlalchemy import text as sql

    from migrations import upgraded_to

    with upgraded_to(db_url, "0006") as conn:
        conn.execute(sql(
            "INSERT INTO articles (content_hash, text, ingested_at, record, published, published_on) "
            "VALUES ('h', 'The Senate passed the tax bill. It was late.', '2024-01-01', '{}', '2024-03-02', '2024-03-02')"
        ))
    with Ledger.open(db_url) as ledger:
        ledger.add(_article("Roe said the Senate will pass the tax bill.", "2024-01-10",
                            forecast="the Senate will pass the tax bill"))
        found = ledger.evidence(ledger.forecasts()[0].id, rerank=False)
        assert [e.sentence for e in found] == ["The Senate passed the tax bill."]


# --- the command, the REST route and the page ------------------------------------------------------


def _senate_ledger(db_url):
    with Ledger.open(db_url) as ledger:
        ledger.add(_article("Roe said the Senate will pass the tax bill.", "2024-01-10",
                            forecast="the Senate will pass the tax bill", title="Tax vote ahead"))
        later, _ = ledger.add(_article("The Senate passed the tax bill on Tuesday.", "2024-03-02", title="Senate vote"))
        return ledger.forecasts()[0].id, later


@pytest.mark.slow
def test_the_sentence_encoder_ranks_the_report_above_a_sentence_with_more_of_the_words(ledger):
    ledger.add(_article("Roe said the Senate will pass the tax bill.", "2024-01-10", forecast="the Senate will pass the tax bill"))
    wordy, _ = ledger.add(_article("A tax bill on pass-through firms was read in the Senate library, Doe said.", "2024-02-01"))
    report, _ = ledger.add(_article("The Senate approved the tax bill on Friday.", "2024-02-02"))
    by_words = ledger.evidence(ledger.forecasts()[0].id, rerank=False)  # all four words, against three
    assert [e.article_id for e in by_words] == [wordy] and by_words[0].similarity is None
    ranked = ledger.evidence(ledger.forecasts()[0].id)
    assert [e.article_id for e in ranked] == [report, wordy] and ranked[0].similarity > ranked[1].similarity >= 0.4


@pytest.mark.slow
def test_the_evidence_command_lists_later_sentences(db_url, capsys):
    import json

    from onrecord.cli import main

    forecast_id, later = _senate_ledger(db_url)
    assert main(["evidence", str(forecast_id), "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert f"forecast {forecast_id} (Jane Roe: 'the Senate will pass the tax bill', 2024-01-10)" in out
    assert f"[1] 2024-03-02  Reuters  Senate vote  (article {later}, characters 0-42, similarity" in out
    assert "\n    The Senate passed the tax bill on Tuesday.\n    shares: senate, pass, tax, bill" in out  # whole, not cut
    assert main(["evidence", str(forecast_id), "--format", "json", "--db", db_url]) == 0
    [found] = json.loads(capsys.readouterr().out)
    assert found["article_id"] == later and found["terms"] == ["senate", "pass", "tax", "bill"]
    assert main(["evidence", "999", "--db", db_url]) == 1
    assert "[E515]" in capsys.readouterr().err


@pytest.mark.slow
def test_the_evidence_route_and_the_forecast_page(db_url):
    from fastapi.testclient import TestClient

    from test_api import _app

    forecast_id, later = _senate_ledger(db_url)
    app = _app(db_url)
    with TestClient(app, raise_server_exceptions=False) as client:
        got = client.get(f"/api/v1/forecasts/{forecast_id}/evidence", params={"limit": 1}).json()
        assert got["forecast_id"] == forecast_id
        assert [(e["article_id"], e["sentence"]) for e in got["items"]] == [(later, "The Senate passed the tax bill on Tuesday.")]
        missing = client.get("/api/v1/forecasts/999/evidence")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "E603"
        assert client.get(f"/api/v1/forecasts/{forecast_id}/evidence", params={"limit": 0}).status_code == 422

        page = client.get(f"/forecasts/{forecast_id}")
        assert page.status_code == 200
        assert "The Senate passed the tax bill on Tuesday." in page.text and f'href="/articles/{later}"' in page.text
        listing = client.get("/forecasts").text
        assert f'href="/forecasts/{forecast_id}#evidence"' in listing
        assert client.get("/forecasts/999").status_code == 404
    app.state.onrecord.ledger.close()
