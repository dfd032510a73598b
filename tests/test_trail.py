"""A quote's trail: where else the ledger has its words, and how they differ.

The alignment is a plain function over word lists; the search runs on SQLite and on
PostgreSQL (``ledger`` fixture, see conftest.py), with documents made by hand.
"""

import json

import pytest

from onrecord.store import StoreError
from onrecord.store.trail import Change, compare, quote_words
from test_store import doc

ORIGINAL = "We are going to put a lot of coal miners and coal companies out of business"


def _words(text):
    return quote_words(text)


@pytest.mark.parametrize("other, relation", [
    (ORIGINAL, "same"),
    ("put a lot of coal miners and coal companies out", "part"),
    (ORIGINAL + " and that is a promise", "longer"),
    ("a lot of coal miners and coal companies out of business for good, she said", "overlap"),
])
def test_the_same_words_cut_or_extended_are_told_apart(other, relation):
    found = compare(_words(ORIGINAL), _words(other))
    assert found.relation == relation and found.changes == []


def test_changed_words_inside_the_stretch_are_an_alteration_with_what_changed():
    found = compare(_words(ORIGINAL), _words("We are going to put a lot of coal companies and coal miners out of business"))
    assert found.relation == "altered"
    assert found.changes == [Change("miners and coal companies", "companies and coal miners")]
    dropped = compare(_words("We have come a pretty long way in the last nine months"),
                      _words("We have come a long way in the last nine months"))
    assert dropped.relation == "altered" and dropped.changes == [Change("pretty", "")]


def test_a_word_or_two_changed_at_an_edge_is_a_change_more_is_another_selection():
    found = compare(_words("There is a special place in hell for women who don't help each other"),
                    _words("There's a special place in hell for women who don't help each other"))
    assert found.relation == "altered" and found.changes == [Change("there is", "there's")]
    riff = compare(_words("a special place in hell for women who don't help each other"),
                   _words("a special place in hell for women who vote for women just because they are women"))
    assert riff is None  # a riff on the line, sharing 8 words inside both: not the same passage


def test_more_changed_words_than_half_the_shared_ones_are_two_statements():
    assert compare(_words("But I'm going to trust the voters of New York who know me and have elected me three times"),
                   _words("the people of New York voted for me twice and elected me")) is None
    overlap = compare(_words("a lot of coal miners and coal companies out of business for good"),
                      _words("we will put a lot of coal miners and coal"))  # a stretch inside both, too short
    assert overlap is None


def test_a_shared_phrase_is_not_a_trail():
    assert compare(_words("Certainly there are discussions between the White House and the Sanders campaign"),
                   _words("going back and forth between the White House and the courthouse")) is None  # stop words
    assert compare(_words("the plan is sound and fair"), _words("the plan is sound")) is None  # under 6 words
    assert compare(_words(ORIGINAL), _words("coal miners in West Virginia voted in large numbers for the senator")) is None


def test_only_the_quoted_words_of_a_mixed_content_are_compared():
    assert quote_words('that \u201cthere\u2019s a special place in hell\u201d for them') == \
        ["there's", "a", "special", "place", "in", "hell"]
    assert quote_words("''We're in a bubble,'' he said") == ["we're", "in", "a", "bubble"]
    assert quote_words("the plan is sound") == ["the", "plan", "is", "sound"]
    possessive = compare(_words("He is becoming ISIS's best recruiter in the whole world"),
                         _words("He is becoming ISIS' best recruiter in the whole world"))
    assert possessive.relation == "same"


# --- the ledger -------------------------------------------------------------------------------------

def _coal_ledger(ledger):
    first = f'Hillary Clinton said "{ORIGINAL}." Voters listened.'
    altered = 'Richard Trumka said "We are going to put a lot of coal companies and coal miners out of business."'
    part = 'Clinton said she would "put a lot of coal miners and coal companies out of business" in time.'
    ids = [
        ledger.add(doc(first, [("a1", "Hillary Clinton", ORIGINAL, {})],
                       publisher="CNN", published="2016-03-13", title="Town hall"))[0],
        ledger.add(doc(altered, [("a1", "Richard Trumka", altered[len('Richard Trumka said '):], {})],
                       publisher="Breitbart", published="2016-05-02", title="Miners"))[0],
        ledger.add(doc(part, [("a1", "Hillary Clinton", part[len("Clinton said "):-len(" in time.")], {"kind": "mixed"})],
                       publisher="AP", published="2016-03-14", title="Coal"))[0],
        ledger.add(doc('Jane Roe said "the coal industry is in trouble this year".',
                       [("a1", "Jane Roe", "the coal industry is in trouble this year", {})],
                       publisher="AP", published="2016-01-01"))[0],
    ]
    return ids


def test_the_trail_lists_other_articles_oldest_first_with_relations_and_speakers(ledger):
    town_hall, miners, coal, _ = _coal_ledger(ledger)
    trail = ledger.trail(miners, "a1")
    assert trail.quote.speaker == "Richard Trumka" and trail.total == 2
    assert [(e.article_id, e.relation, e.other_speaker) for e in trail.entries] == [
        (town_hall, "altered", True), (coal, "altered", True),
    ]
    assert trail.entries[0].changes == [Change("companies and coal miners", "miners and coal companies")]
    assert trail.entries[0].published == "2016-03-13" and trail.entries[0].publisher == "CNN"
    assert (trail.first.article_id, trail.first.attribution) == (town_hall, "a1")

    mixed = ledger.trail(coal, "a1")
    assert [(e.article_id, e.relation, e.other_speaker) for e in mixed.entries] == [
        (town_hall, "longer", False), (miners, "altered", True),
    ]
    assert (mixed.first.article_id, mixed.first.published) == (town_hall, "2016-03-13")


def test_words_pasted_in_find_every_copy_and_the_limit_keeps_the_oldest(ledger):
    town_hall, miners, coal, _ = _coal_ledger(ledger)
    trail = ledger.trail(text=ORIGINAL, limit=2)
    assert trail.quote is None and trail.words == 16 and trail.total == 3
    assert [(e.article_id, e.relation, e.other_speaker) for e in trail.entries] == [
        (town_hall, "same", None), (coal, "part", None),
    ]
    assert trail.first.article_id == town_hall
    assert ledger.trail(text="a quote nobody ever made about coal and miners in Ohio").total == 0


def test_paraphrases_are_not_traced(ledger):
    text = "Jones said Clinton would put a lot of coal miners and coal companies out of business."
    content = text[len("Jones said "):-1]
    paraphrase = ledger.add(doc(text, [("a1", "Jones", content, {"kind": "indirect"})], published="2016-03-20"))[0]
    town_hall, *_ = _coal_ledger(ledger)
    assert paraphrase not in [e.article_id for e in ledger.trail(town_hall, "a1").entries]
    with pytest.raises(StoreError) as err:
        ledger.trail(paraphrase, "a1")
    assert err.value.code == "E522" and "paraphrase (indirect)" in err.value.message


def test_unknown_quotes_and_too_few_words_are_store_errors(ledger):
    town_hall, *_ = _coal_ledger(ledger)
    with pytest.raises(StoreError) as err:
        ledger.trail(town_hall, "a9")
    assert err.value.code == "E520"
    with pytest.raises(StoreError) as err:
        ledger.trail(text="fake news")
    assert err.value.code == "E521" and "2 word(s)" in err.value.message


def test_the_trail_command(db_url, capsys):
    from onrecord.cli import main
    from onrecord.store import Ledger

    with Ledger.open(db_url) as ledger:
        town_hall, miners, coal, _ = _coal_ledger(ledger)
    assert main(["trail", str(miners), "a1", "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"quote: 2016-05-02  Breitbart  article {miners} a1  Richard Trumka (direct)")
    assert f"found in 2 other attribution(s); first in the ledger: 2016-03-13 CNN, article {town_hall} a1" in out
    assert f"ALTERED   2016-03-13  CNN  article {town_hall} a1  Hillary Clinton (direct)  [12 words shared; another speaker]" in out
    assert '    "companies and coal miners" -> "miners and coal companies"' in out
    assert main(["trail", "--text", ORIGINAL, "--format", "json", "--db", db_url]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["total"] == 3 and answer["entries"][0]["relation"] == "same"
    assert main(["trail", str(miners), "a1", "--format", "csv", "--db", db_url]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert len(rows) == 3 and '"""companies and coal miners"" -> ""miners and coal companies"""' in rows[1]
    assert main(["trail", str(miners), "a7", "--db", db_url]) == 1
    assert "[E520]" in capsys.readouterr().err
    assert main(["trail", "--db", db_url]) == 64
    assert main(["trail", str(miners), "--db", db_url]) == 64


@pytest.fixture
def served(db_url):
    """A test client of the web app over the coal ledger, and the ledger's article ids."""
    from fastapi.testclient import TestClient

    from onrecord.store import Ledger
    from test_api import _app

    with Ledger.open(db_url) as ledger:
        ids = _coal_ledger(ledger)
    app = _app(db_url)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, ids
    app.state.onrecord.ledger.close()


@pytest.mark.slow
def test_the_trail_route(served):
    client, (town_hall, miners, coal, _) = served
    got = client.get("/api/v1/trail", params={"article": miners, "attribution": "a1"}).json()
    assert [e["article_id"] for e in got["entries"]] == [town_hall, coal]
    assert got["entries"][0]["changes"] == [{"was": "companies and coal miners", "now": "miners and coal companies"}]
    assert client.get("/api/v1/trail", params={"q": ORIGINAL, "limit": 1}).json()["total"] == 3
    missing = client.get("/api/v1/trail", params={"article": miners, "attribution": "a7"})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "E603"
    for params in ({"q": "fake news"}, {}, {"article": miners}, {"q": ORIGINAL, "article": miners, "attribution": "a1"}):
        assert client.get("/api/v1/trail", params=params).status_code == 422, params


@pytest.mark.slow
def test_the_trail_page_and_its_links(served):
    client, (town_hall, miners, coal, _) = served
    page = client.get("/trail", params={"article": miners, "attribution": "a1"})
    assert page.status_code == 200
    assert "Found in 2 other quotations" in page.text and f'href="/articles/{town_hall}#att-a1"' in page.text
    assert "<del>companies and coal miners</del> → <ins>miners and coal companies</ins>" in page.text
    assert "another speaker" in page.text
    pasted = client.get("/trail", params={"q": ORIGINAL})
    assert pasted.status_code == 200 and "Found in 3 other quotations" in pasted.text
    short = client.get("/trail", params={"q": "fake news"})
    assert short.status_code == 422 and "[E521]" in short.text
    assert client.get("/trail", params={"article": miners, "attribution": "a7"}).status_code == 404
    assert client.get("/trail").status_code == 200  # the form alone
    article = client.get(f"/articles/{miners}").text
    assert f'href="/trail?article={miners}&amp;attribution=a1"' in article
    found = client.get("/search", params={"q": "coal"}).text
    assert f'href="/trail?article={coal}&amp;attribution=a1"' in found


def test_the_trail_script_writes_pairs_and_scores_judgements(tmp_path, capsys, monkeypatch):
    import runpy

    from onrecord.store import Ledger

    db = f"sqlite:///{tmp_path / 'l.db'}"
    with Ledger.open(db) as ledger:
        _coal_ledger(ledger)
    pairs, judged = tmp_path / "pairs.json", tmp_path / "judged.json"
    for argv in ([db, str(pairs)], ["--score", str(pairs), str(judged)]):
        if argv[0] == "--score":
            found = json.loads(pairs.read_text())
            assert sorted(p["found"]["relation"] for p in found) == ["altered", "altered", "longer"]
            judged.write_text(json.dumps([{"pair": p["pair"], "same_utterance": True, "wording_differs": p["found"]["changes"] != [],
                                           "same_speaker": not p["found"]["other_speaker"]} for p in found]))
        monkeypatch.setattr("sys.argv", ["trail_stats.py", *argv])
        runpy.run_path("scripts/trail_stats.py", run_name="__main__")
    out = capsys.readouterr().out
    assert "4 quotations traced, 3 with a trail, 3 pairs" in out  # Jane Roe's quote has none
    assert "same utterance: 3/3 = 1.00" in out and "altered: right 2 of 2, finds 2 of 2" in out
