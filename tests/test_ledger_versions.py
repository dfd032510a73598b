"""An edited article (same URL, new text) is a new version of the stored article, not a second article.

Documents are made by hand (as in test_forecast_ledger.py), so these tests need no extractor, except
the command-line one at the end; every test taking ``ledger`` or ``db_url`` runs on SQLite and on
PostgreSQL (see conftest.py).
"""

import json
from datetime import datetime

import pytest

from onrecord.model import Attribution, Document, Span
from onrecord.store import Ledger, content_hash, url_key
from onrecord.store.ledger import normalise_url
from test_forecast_ledger import ROE, _ref, _span, roe_doc

URL = "https://news.example/2024/03/rates-and-taxes"
EDITED = ROE + " This story was updated with comment from the treasury."


def texts(ledger):
    return sorted(f.text for f in ledger.forecasts())


# --- versions ------------------------------------------------------------------------------------


def test_a_new_text_at_the_same_url_updates_the_article_in_place(ledger):
    first = ledger.add(roe_doc(url=URL, published="2024-03-01T09:00:00Z"))
    assert first == (first.article_id, True) and first.version == "new"
    taxes = next(f for f in ledger.forecasts() if f.text == "taxes will fall")
    ledger.record_outcome(taxes.id, "true", note="cut in May", judged_on="2024-05-30")
    roe = ledger.track_record("Jane Roe")

    edited = roe_doc(EDITED, url=URL.upper().replace("/2024/03/RATES-AND-TAXES", "/2024/03/rates-and-taxes/")
                     + "?utm_source=rss&utm_medium=feed#comments", published="2024-03-01T15:30:00Z", title="Rates, taxes")
    again = ledger.add(edited)
    article_id, is_new = again  # unpacks as it always has
    assert (article_id, is_new, again.version) == (first.article_id, False, "revised")
    assert ledger.count()["articles"] == 1
    assert texts(ledger) == sorted(["taxes will fall", "rates will likely rise", "a recession next year",
                                    "a deal is unlikely before June"])  # not doubled
    carried = next(f for f in ledger.forecasts() if f.text == "taxes will fall")
    assert (carried.outcome, carried.note, carried.judged_on) == ("true", "cut in May", "2024-05-30")
    assert ledger.track_record("Jane Roe").forecasts == roe.forecasts == 2
    assert ledger.track_record("Jane Roe").judged == 1
    assert {s.name: s.articles for s in ledger.speakers()} == {"Jane Roe": 1, "John Doe": 1}
    assert len(ledger.search("fall")) == 1  # one attribution, not one per version

    stored = ledger.article(first.article_id)
    assert stored["title"] == "Rates, taxes" and stored["document"]["text"] == EDITED
    assert stored["content_hash"] == content_hash(EDITED)
    assert stored["revised"] == 1
    [old] = stored["versions"]
    assert (old["content_hash"], old["title"], old["published"], old["kind"]) == (
        content_hash(ROE), "Rates and taxes", "2024-03-01T09:00:00Z", "replaced")
    assert datetime.fromisoformat(old["replaced_at"]) and json.dumps(stored)


def test_a_new_version_keeps_its_speaker_links(ledger):
    """The bare "Roe" joined the only Roe when it came; a second Roe since must not unlink it in the new version."""
    ledger.add(roe_doc(url=URL))
    rates = next(f for f in ledger.forecasts() if f.text == "rates will likely rise").speaker_id
    other = 'Richard Roe said "it rains".'
    ledger.add(Document(text=other, attributions=[Attribution("a1", "direct", content=[_span(other, "it rains")],
                                                               speaker=_ref("Richard Roe"))]))
    assert ledger.add(roe_doc(EDITED, url=URL)).version == "revised"
    assert next(f for f in ledger.forecasts() if f.text == "rates will likely rise").speaker_id == rates is not None


def test_an_outcome_for_a_forecast_the_new_version_dropped_is_kept_for_a_later_one(ledger):
    ledger.add(roe_doc(url=URL))
    deal = next(f for f in ledger.forecasts() if f.text == "a deal is unlikely before June")
    ledger.record_outcome(deal.id, "false", judged_on="2024-07-01")
    shorter = roe_doc(EDITED, url=URL)
    shorter.forecasts = shorter.forecasts[:3]
    ledger.add(shorter)
    assert "a deal is unlikely before June" not in texts(ledger)
    ledger.add(roe_doc(EDITED + " More.", url=URL))  # a third version brings it back, judged
    assert next(f for f in ledger.forecasts() if f.text == "a deal is unlikely before June").outcome == "false"
    assert ledger.article(ledger.forecasts()[0].article_id)["revised"] == 2


def test_an_older_version_arriving_late_does_not_replace_the_stored_one(ledger):
    fresh = ledger.add(roe_doc(EDITED, url=URL, published="2024-03-02", title="Updated"))
    older = ledger.add(roe_doc(url=URL + "/", published="2024-03-01", title="First"))  # an old crawl, ingested later
    assert (older.article_id, older.is_new, older.version) == (fresh.article_id, False, "older")
    stored = ledger.article(fresh.article_id)
    assert (stored["title"], stored["document"]["text"], stored["content_hash"]) == ("Updated", EDITED, content_hash(EDITED))
    assert (stored["revised"], [(v["kind"], v["title"]) for v in stored["versions"]]) == (0, [("older", "First")])
    assert ledger.add(roe_doc(url=URL, published="2024-03-01")).version == "older"  # listed once
    assert len(ledger.article(fresh.article_id)["versions"]) == 1
    assert ledger.count()["articles"] == 1 and len(ledger.forecasts()) == 4


def test_ingesting_both_versions_again_in_any_order_keeps_the_newer(ledger):
    """A re-run over Monday's and Tuesday's copies of a feed (no dates, or the same date) must not bring Monday's text back."""
    monday, tuesday = roe_doc(url=URL, published="2024-03-01"), roe_doc(EDITED, url=URL, published="2024-03-01")
    ledger.add(monday)
    ledger.add(tuesday)
    assert ledger.add(monday).version == "older"
    assert ledger.add(tuesday).version == "same"
    stored = ledger.article(ledger.forecasts()[0].article_id)
    assert stored["document"]["text"] == EDITED and stored["revised"] == 1 and len(stored["versions"]) == 1
    # a version the article had before comes back when it is dated later: the publisher reverted the edit
    assert ledger.add(roe_doc(url=URL, published="2024-03-03")).version == "revised"
    assert ledger.article(stored["id"])["document"]["text"] == ROE


def test_tracking_parameters_fragment_case_and_trailing_slash_are_one_url():
    plain = normalise_url("https://news.example/a/story?id=3")
    for variant in ("HTTPS://News.Example/a/story/?id=3", "https://news.example:443/a/story?id=3#top",
                    "https://news.example/a/story?utm_source=rss&id=3&fbclid=xyz&utm_campaign=x"):
        assert normalise_url(variant) == plain and url_key(variant) == url_key(plain)
    assert normalise_url("https://news.example/A/Story?id=3") != plain  # a path's case can matter
    assert normalise_url("https://news.example/a/story?id=4") != plain  # so do other parameters
    assert normalise_url("http://news.example/a/story?id=3") != plain
    assert url_key(None) is None and url_key("  ") is None


def test_without_a_url_an_article_is_its_text_as_before(ledger):
    a = ledger.add(roe_doc())
    b = ledger.add(roe_doc(EDITED))
    assert (b.is_new, b.version) == (True, "new") and a.article_id != b.article_id
    assert ledger.count()["articles"] == 2
    # a URL arriving later for a text stored without one: it is the same text, so the same article
    assert ledger.add(roe_doc(url=URL)).version == "same" and ledger.count()["articles"] == 2


def test_the_same_text_at_another_url_is_one_article(ledger):
    """Syndication: an agency story on two sites is one article, by its text, as before."""
    first = ledger.add(roe_doc(url=URL))
    copy = ledger.add(roe_doc(url="https://other.example/wire/rates"))
    assert (copy.article_id, copy.version) == (first.article_id, "same") and ledger.count()["articles"] == 1
    assert ledger.article(first.article_id)["versions"] == []


# --- migration 0006 ------------------------------------------------------------------------------


def test_a_0005_ledger_is_upgraded_and_its_articles_found_by_url(db_url):
    import sqlalchemy as sa

    from migrations import upgraded_to

    with upgraded_to(db_url, "0005") as conn:
        articles = sa.table("articles", sa.column("record", sa.JSON),
                            *(sa.column(c) for c in ("content_hash", "url", "text", "ingested_at", "published")))
        conn.execute(articles.insert().values(content_hash=content_hash(ROE), url=URL + "?utm_source=x", text=ROE,
                                              ingested_at=datetime(2024, 3, 1), record={}, published="2024-03-01"))
    with Ledger.open(db_url) as led:
        [(article_id, _)] = [(a["id"], a) for a in led.article_page()[0]]
        stored = led.add(roe_doc(EDITED, url=URL, published="2024-03-02"))
        assert (stored.article_id, stored.version) == (article_id, "revised")
        assert led.count()["articles"] == 1 and led.article(article_id)["revised"] == 1


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_the_migration_matches_the_models(ledger):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from onrecord.store.schema import Base

    with ledger.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    flat = [d for diff in diffs for d in (diff if isinstance(diff, list) else [diff])]
    assert [d for d in flat if "article_versions" in str(d) or "url_key" in str(d)] == []


# --- the command line ----------------------------------------------------------------------------


def test_cli_ingest_reports_versions(tmp_path, capsys):
    from onrecord.cli import main

    db = str(tmp_path / "ledger.db")
    said = 'Jane Roe said "taxes will fall by May".'

    def feed(name, text, published):
        path = tmp_path / name
        path.write_text(json.dumps({"text": text, "url": URL + "?utm_source=rss", "published": published, "title": name}) + "\n")
        return str(path)

    assert main(["ingest", "--model", "rules", "--db", db, feed("monday.jsonl", said, "2024-03-01")]) == 0
    capsys.readouterr()
    assert main(["ingest", "--model", "rules", "--db", db, feed("tuesday.jsonl", said + " She repeated it.", "2024-03-02"),
                 feed("old.jsonl", said + " Draft.", "2024-02-28")]) == 0
    err = capsys.readouterr().err
    assert "stored 0 new, updated 0, skipped 0" in err and ": 1 articles)" in err
    assert "versions: 1 replaced by a newer text at the same URL" in err and "1 older than the stored text" in err
    with Ledger.open(db) as led:
        [article] = led.article_page()[0]
        assert [v["kind"] for v in led.article(article["id"])["versions"]] == ["replaced", "older"]
