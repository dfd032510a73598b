"""The corpus ledger: one row per article, updates not duplicates, queries, export, and the CLI."""

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from onrecord.model import Attribution, Document, Entity, NonResponse, Provenance, ProvenanceEdge, Span, SpeakerRef
from sqlalchemy.exc import SQLAlchemyError

from onrecord.store import Ledger, StoreError, content_hash, database_url, speaker_key


def _att(text, aid, speaker, content, *, kind="direct", anonymous=False, resolved=True, stype="person", cue="said"):
    """An attribution over the first occurrence of ``content`` (and ``cue``) in ``text``."""
    start = text.index(content)
    c = text.index(cue)
    ref = SpeakerRef("e" + aid, speaker, stype, resolved) if speaker else None
    return Attribution(
        id=aid, kind=kind, content=[Span.of(text, start, start + len(content))], cue=[Span.of(text, c, c + len(cue))],
        speaker=ref, anonymous=anonymous, confidence=0.9,
    )


def doc(text, atts, **meta):
    """A Document with attributions given as (id, speaker, content, options)."""
    attributions = [_att(text, aid, spk, content, **opts) for aid, spk, content, opts in atts]
    entities = [Entity(a.speaker.id, a.speaker.name, a.speaker.type) for a in attributions if a.speaker]
    return Document(text=text, attributions=attributions, entities=entities, model="test@0", **meta)


HILLARY = 'Hillary Clinton said "the plan is sound". Bill Clinton said "taxes will fall".'
KREMLIN = 'The Kremlin said "no talks are planned". A source said "talks began in secret".'


def hillary_doc(text=HILLARY, **meta):
    meta = {"publisher": "Reuters", "published": "2024-03-01", "title": "Clintons speak", **meta}
    return doc(text, [
        ("a1", "Hillary Clinton", "the plan is sound", {}),
        ("a2", "Bill Clinton", "taxes will fall", {"kind": "indirect"}),
    ], **meta)


def kremlin_doc():
    d = doc(KREMLIN, [
        ("a1", "The Kremlin", "no talks are planned", {"stype": "government"}),
        ("a2", "A source", "talks began in secret", {"anonymous": True, "stype": "anonymous"}),
    ], publisher="AP", published="2024-05-10T08:00:00Z", title="Kremlin denies")
    d.non_responses = [NonResponse(Span.of(KREMLIN, 0, 11), Span.of(KREMLIN, 12, 16), d.attributions[0].speaker)]
    d.provenance = Provenance(
        publisher="p", nodes={"p": ("AP", "media_outlet"), "g": ("The Guardian", "media_outlet"), "k": ("The Kremlin", "government")},
        edges=[ProvenanceEdge("p", "g", "reports", ["a1"]), ProvenanceEdge("g", "k", "relays", ["a1"])],
        chains=[["AP", "The Guardian", "The Kremlin"]],
    )
    return d


# --- identity and updates ------------------------------------------------------------------------


def test_same_article_twice_and_reformatted_is_one_row(ledger):
    first = ledger.add(hillary_doc())
    again = ledger.add(hillary_doc())
    curly = HILLARY.replace('"the plan is sound"', "\u201cthe plan is sound\u201d").replace(". Bill", ".\n\n  Bill")
    reformatted = ledger.add(hillary_doc(curly))
    assert first == (first[0], True)
    assert again == (first[0], False) == reformatted
    assert ledger.count() == {"articles": 1, "attributions": 2, "speakers": 2}
    assert content_hash(HILLARY) == content_hash(curly)


def test_update_replaces_attributions_and_search_index(ledger):
    ledger.add(hillary_doc())
    fewer = hillary_doc()
    fewer.attributions = fewer.attributions[:1]
    ledger.add(fewer)
    assert ledger.count()["attributions"] == 1
    assert ledger.search("taxes") == []  # the FTS rows of the replaced attributions are gone too
    assert [q.speaker for q in ledger.search("plan")] == ["Hillary Clinton"]


def test_changed_text_is_a_new_article(ledger):
    a, _ = ledger.add(hillary_doc())
    b, new = ledger.add(hillary_doc(HILLARY + " More later."))
    assert new and a != b and ledger.count()["articles"] == 2


# --- speakers --------------------------------------------------------------------------------------


def test_speaker_keys_are_conservative():
    assert speaker_key("The  Kremlin") == speaker_key("the kremlin") == "kremlin"
    assert speaker_key("Hillary Clinton") != speaker_key("Bill Clinton") != speaker_key("Clinton")


def test_clintons_are_two_speakers_and_one_name_in_two_articles_is_one(ledger):
    ledger.add(hillary_doc())
    other = 'Reporters waited. Later Hillary Clinton said "we will win".'
    ledger.add(doc(other, [("a1", "Hillary Clinton", "we will win", {})], publisher="AP"))
    stats = {s.name: s for s in ledger.speakers()}
    assert set(stats) == {"Hillary Clinton", "Bill Clinton"}
    assert (stats["Hillary Clinton"].attributions, stats["Hillary Clinton"].articles) == (2, 2)
    assert (stats["Bill Clinton"].attributions, stats["Bill Clinton"].articles) == (1, 1)
    assert [s.name for s in ledger.speakers(top=1)] == ["Hillary Clinton"]


def test_unresolved_and_anonymous_speakers_are_not_linked(ledger):
    text = 'He said "it is over". A source said "it is not".'
    ledger.add(doc(text, [
        ("a1", "He", "it is over", {"resolved": False}),
        ("a2", "A source", "it is not", {"anonymous": True, "stype": "anonymous"}),
    ]))
    assert ledger.speakers() == []
    assert ledger.count()["attributions"] == 2


# --- queries -------------------------------------------------------------------------------------


def test_search_finds_ranks_and_limits(ledger):
    ledger.add(hillary_doc())
    ledger.add(kremlin_doc())
    hits = ledger.search("talks")
    assert {h.content for h in hits} == {"no talks are planned", "talks began in secret"}
    assert all(h.score is not None for h in hits)
    assert len(ledger.search("talks", limit=1)) == 1
    assert [h.content for h in ledger.search("secret talks")] == ["talks began in secret"]
    assert ledger.search("Kremlin")[0].speaker == "The Kremlin"  # speaker names are indexed too
    assert ledger.search('"unbalanced AND (') == []  # user text is never FTS syntax
    assert ledger.search("nowhere") == []


def test_quotes_filters(ledger):
    ledger.add(hillary_doc())
    ledger.add(kremlin_doc())
    assert [q.content for q in ledger.quotes(speaker="hillary clinton")] == ["the plan is sound"]
    assert [q.content for q in ledger.quotes(speaker="the kremlin")] == ["no talks are planned"]
    assert {q.publisher for q in ledger.quotes(outlet="reuters")} == {"Reuters"}
    assert [q.content for q in ledger.quotes(kind="indirect")] == ["taxes will fall"]
    assert [q.content for q in ledger.quotes(anonymous=True)] == ["talks began in secret"]
    assert len(ledger.quotes(anonymous=False)) == 3
    assert {q.publisher for q in ledger.quotes(since="2024-04-01")} == {"AP"}
    assert {q.publisher for q in ledger.quotes(until="2024-03-01")} == {"Reuters"}
    assert ledger.quotes(since="2024-03-02", until="2024-05-09") == []
    assert len(ledger.quotes(limit=2)) == 2


def test_names_with_accented_capitals_match_as_listed(ledger):
    """SQLite's lower() folds only A-Z: a name lowered in Python never met the stored one."""
    d = kremlin_doc()
    d.publisher = "\u00dcn\u00efcode Times"
    ledger.add(d)
    assert [o.publisher for o in ledger.outlets()] == ["\u00dcn\u00efcode Times"]
    assert len(ledger.quotes(outlet="\u00dcn\u00efcode Times")) == 2
    assert len(ledger.quotes(outlet="\u00dcN\u00efCODE times")) == 2  # ASCII letters in any case


def test_outlets_counts_anonymous_share_and_relays(ledger):
    ledger.add(hillary_doc())
    ledger.add(kremlin_doc())
    stats = {o.publisher: o for o in ledger.outlets()}
    ap, reuters = stats["AP"], stats["Reuters"]
    assert (ap.articles, ap.attributions, ap.anonymous, ap.anonymous_share) == (1, 2, 1, 0.5)
    assert ap.top_speakers == ["The Kremlin"] and ap.relays == ["The Guardian"]
    assert (reuters.attributions, reuters.anonymous_share) == (2, 0.0)


# --- export --------------------------------------------------------------------------------------


def test_export_jsonl_round_trips_the_nested_document(ledger):
    docs = [hillary_doc(), kremlin_doc()]
    for d in docs:
        ledger.add(d)
    out = io.StringIO()
    assert ledger.export("jsonl", out) == 2
    assert [json.loads(line) for line in out.getvalue().splitlines()] == [d.to_dict() for d in docs]


def test_export_csv_has_one_row_per_attribution(ledger):
    ledger.add(hillary_doc())
    ledger.add(kremlin_doc())
    out = io.StringIO()
    assert ledger.export("csv", out) == 4
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == 4
    assert {r["speaker"] for r in rows} == {"Hillary Clinton", "Bill Clinton", "The Kremlin", "A source"}
    assert {r["publisher"] for r in rows} == {"Reuters", "AP"}


def test_unknown_export_format_is_a_store_error(ledger):
    from onrecord.store import StoreError

    with pytest.raises(StoreError, match="E504"):
        ledger.export("xlsx", io.StringIO())


def test_reopening_is_idempotent_and_env_default(tmp_path, monkeypatch):
    path = tmp_path / "x" / "env.db"
    path.parent.mkdir()
    monkeypatch.setenv("ONRECORD_DB", str(path))
    with Ledger.open(None) as led:
        led.add(hillary_doc())
    with Ledger.open(None) as led:
        assert led.count()["articles"] == 1
    assert path.exists()


def test_query_commands_print_table_json_and_csv(tmp_path, capsys, db_url):
    from onrecord.cli import main

    db = db_url
    with Ledger.open(db) as led:
        led.add(hillary_doc())
        led.add(kremlin_doc())
    assert main(["search", "talks", "--db", db, "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2
    assert main(["quotes", "--anonymous", "--db", db]) == 0
    table = capsys.readouterr().out
    assert "talks began in secret" in table and "plan" not in table
    assert main(["speakers", "--db", db, "--format", "csv"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 4  # header + Hillary, Bill, the Kremlin
    assert main(["outlets", "--db", db]) == 0
    assert "The Guardian" in capsys.readouterr().out
    out = tmp_path / "all.jsonl"
    assert main(["export", "--format", "jsonl", "--out", str(out), "--db", db]) == 0
    assert len(out.read_text().splitlines()) == 2
    with pytest.raises(SystemExit) as stop:
        main(["quotes", "--since", "2024-13-01", "--db", db])
    assert stop.value.code == 64
    assert main(["quotes", "--since", "20240401", "--format", "json", "--db", db]) == 0  # as storing reads dates
    assert {q["publisher"] for q in json.loads(capsys.readouterr().out)} == {"AP"}


# --- the command line, with extraction (slow) ------------------------------------------------------

ARTICLE = (
    'The mayor of {town}, Jane Doe, said on Monday: "We will rebuild the {thing} by spring." '
    "Officials said the cost of the {thing} would be shared with the county. "
    '"Nobody will be left behind," Doe told reporters in {town}.\n'
)


def _write(folder, n):
    folder.mkdir()
    for i in range(n):
        (folder / f"a{i:02d}.txt").write_text(ARTICLE.format(town=f"Town{i}", thing=f"bridge number {i}"), encoding="utf-8")
    return folder


def _cli(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "onrecord.cli", *args], capture_output=True, text=True, timeout=300, **kwargs)


def _counts(db):
    """(articles, attributions) in the ledger at ``db``, read without migrating it."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url(str(db)))
    try:
        with engine.connect() as conn:
            return tuple(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in ("articles", "attributions"))
    finally:
        engine.dispose()


@pytest.mark.slow
def test_cli_ingest_skips_bad_input_and_is_idempotent(tmp_path, db_url):
    folder = _write(tmp_path / "in", 2)
    (folder / "empty.txt").write_text("", encoding="utf-8")
    db = db_url
    first = _cli("ingest", str(folder), "--db", str(db), "--model", "rules", "--publisher", "Gazette")
    assert first.returncode == 2, first.stderr
    assert "stored 2 new" in first.stderr and "empty.txt" in first.stderr.splitlines()[-1]
    assert re.search(r"s in all; the store took [\d.]+ s \(\d+% of the run\)", first.stderr), first.stderr
    counts = _counts(db)
    assert counts[0] == 2 and counts[1] >= 2
    again = _cli("ingest", str(folder), "--db", str(db), "--model", "rules", "--publisher", "Gazette")
    assert again.returncode == 2 and "updated 2" in again.stderr
    assert _counts(db) == counts
    quotes = _cli("quotes", "--outlet", "gazette", "--db", str(db), "--format", "json")
    assert quotes.returncode == 0 and len(json.loads(quotes.stdout)) == counts[1]


@pytest.mark.slow
def test_sigkill_mid_ingest_then_rerun_equals_a_clean_run(tmp_path, new_db_url):
    folder = _write(tmp_path / "in", 16)
    clean, killed = new_db_url(), new_db_url()
    args = ("ingest", str(folder), "--model", "rules")
    proc = subprocess.Popen([sys.executable, "-m", "onrecord.cli", *args, "--db", killed],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            stored = _counts(killed)[0]
        except SQLAlchemyError:  # tables not created yet, or mid-migration
            stored = 0
        if stored >= 2:
            os.kill(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.01)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"
    partial = _counts(killed)
    assert 2 <= partial[0] < 16
    assert _cli(*args, "--db", killed).returncode == 0
    assert _cli(*args, "--db", clean).returncode == 0
    assert _counts(killed) == _counts(clean)
    assert _counts(clean)[0] == 16


def test_speaker_and_outlet_filters_read_indexes_not_the_whole_table(tmp_path):
    """On a large ledger a table scan per query costs seconds: the filters must hit migration 0004's indexes."""
    from sqlalchemy import event

    with Ledger.open(f"sqlite:///{tmp_path / 'plan.db'}") as led:
        led.add(hillary_doc())
        seen = []

        def record(_conn, _cursor, sql, params, *_rest):
            seen.append((sql, params))

        event.listen(led.engine, "before_cursor_execute", record)
        led.quotes(speaker="Hillary Clinton")
        led.outlet_detail("reuters")
        event.remove(led.engine, "before_cursor_execute", record)
        plans = []
        with led.engine.connect() as conn:
            for sql, params in seen:
                plans += [row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)]
    assert plans and not [p for p in plans if p.startswith("SCAN") and p.split()[1] in ("attributions", "articles")], plans


def test_stale_lists_articles_another_extractor_made(ledger):
    ledger.add(hillary_doc())  # made by "test@0"
    ledger.add(kremlin_doc())
    assert [d.text for d in ledger.stale("test@")] == []
    again = list(ledger.stale("onrecord-fast@0.1.0/"))
    assert [d.text for d in again] == [HILLARY, KREMLIN]
    assert again[0].publisher == "Reuters" and again[0].published == "2024-03-01" and again[0].title == "Clintons speak"
    assert len(list(ledger.stale(None))) == 2


@pytest.mark.slow
def test_cli_reprocess_rereads_only_what_another_preset_made(tmp_path, db_url):
    folder = _write(tmp_path / "in", 2)
    db = db_url
    assert _cli("ingest", str(folder), "--db", str(db), "--model", "rules").returncode == 0
    articles = _counts(db)[0]
    fresh = _cli("reprocess", "--db", str(db), "--model", "rules")
    assert fresh.returncode == 0 and "updated 0" in fresh.stderr  # nothing older than the current extractor
    moved = _cli("reprocess", "--db", str(db), "--model", "fast")
    assert moved.returncode == 0 and "updated 2" in moved.stderr, moved.stderr
    with Ledger.open(db) as led:
        assert _counts(db)[0] == articles and not list(led.stale("onrecord-fast@"))


def _person_doc(text, name):
    return doc(text, [("a1", name, "taxes will rise", {})])


@pytest.mark.parametrize("order", [("Abbas Gallyamov", "Gallyamov", "Mr. Gallyamov"), ("Gallyamov", "Mr. Gallyamov", "Abbas Gallyamov")])
def test_surname_and_title_forms_join_the_one_full_name(ledger, order):
    for i, name in enumerate(order):
        ledger.add(_person_doc(f'{name} said "taxes will rise" in article {i}.', name))
    people = [s for s in ledger.speakers() if s.type == "person"]
    assert [(s.name, s.articles) for s in people] == [("Abbas Gallyamov", 3)]


def test_a_surname_two_people_share_stays_apart(ledger):
    for i, name in enumerate(["Hillary Clinton", "Bill Clinton", "Clinton"]):
        ledger.add(_person_doc(f'{name} said "taxes will rise" in article {i}.', name))
    assert sorted(s.name for s in ledger.speakers()) == ["Bill Clinton", "Clinton", "Hillary Clinton"]


def test_an_untyped_bare_surname_joins_the_one_person_of_that_surname(ledger):
    """The NER often leaves a lone "Gallyamov" untyped; with one Gallyamov in the ledger, it is him."""
    ledger.add(_person_doc('Abbas Gallyamov said "taxes will rise" in article 1.', "Abbas Gallyamov"))
    ledger.add(doc('Gallyamov said "taxes will rise" in article 2.', [("a1", "Gallyamov", "taxes will rise", {"stype": "unknown"})]))
    ledger.add(doc('Acme said "taxes will rise" in article 3.', [("a1", "Acme", "taxes will rise", {"stype": "unknown"})]))
    assert [(s.name, s.attributions) for s in ledger.speakers()] == [("Abbas Gallyamov", 2)]  # "Acme": linked to nobody
    assert len(ledger.quotes(speaker="Abbas Gallyamov")) == 2


@pytest.mark.parametrize("bare", ["Gallyamov", "Mr. Gallyamov"])
@pytest.mark.parametrize("full_first", [True, False])
def test_an_untyped_bare_surname_joins_its_full_name_whichever_came_first(ledger, bare, full_first):
    """The untyped "Gallyamov" of an article stored before "Abbas Gallyamov" arrived is linked when he does."""
    from onrecord.model import Forecast

    full = _person_doc('Abbas Gallyamov said "taxes will rise" in article 1.', "Abbas Gallyamov")
    text = f'{bare} said "taxes will rise" in article 2. {bare} expects rain.'
    untyped = doc(text, [("a1", bare, "taxes will rise", {"stype": "unknown"})])
    untyped.forecasts = [
        Forecast("f1", Span.of(text, text.index("taxes"), text.index("taxes") + 15), attribution="a1"),
        Forecast("f2", Span.of(text, text.index("rain"), text.index("rain") + 4), speaker=SpeakerRef("e9", bare, "unknown", True)),
    ]
    acme = doc('Acme said "taxes will rise" in article 3.', [("a1", "Acme", "taxes will rise", {"stype": "unknown"})])
    for d in ([full, untyped, acme] if full_first else [untyped, acme, full]):
        ledger.add(d)
    assert [(s.name, s.attributions, s.articles) for s in ledger.speakers()] == [("Abbas Gallyamov", 2, 2)]
    assert len(ledger.quotes(speaker="Abbas Gallyamov")) == 2  # "Acme": linked to nobody
    gallyamov = ledger.speakers()[0].id
    assert {f.text: f.speaker_id for f in ledger.forecasts()} == {"taxes will rise": gallyamov, "rain": gallyamov}


def test_an_untyped_bare_surname_stays_apart_when_split_off_or_ambiguous(ledger):
    ledger.add(doc('Clinton said "taxes will rise" in article 1.', [("a1", "Clinton", "taxes will rise", {"stype": "unknown"})]))
    ledger.add(_person_doc('Hillary Clinton said "taxes will rise" in article 2.', "Hillary Clinton"))
    assert {s.name: s.attributions for s in ledger.speakers()} == {"Hillary Clinton": 2}
    ledger.split_speaker("Hillary Clinton", "Clinton")  # a person decided that "Clinton" is someone else
    ledger.add(doc('Clinton said "taxes will rise" in article 3.', [("a1", "Clinton", "taxes will rise", {"stype": "unknown"})]))
    ledger.add(_person_doc('Hillary Clinton said "taxes will rise" in article 4.', "Hillary Clinton"))
    assert ledger.speaker_info("Hillary Clinton").attributions == 2
    # linked to the one Roe there is when he comes, as it would have been had he come first; a second Roe
    # later leaves that link, and a new bare "Roe" then is ambiguous: linked to nobody
    ledger.add(doc('Roe said "taxes will rise" in article 5.', [("a1", "Roe", "taxes will rise", {"stype": "unknown"})]))
    ledger.add(_person_doc('Jane Roe said "taxes will rise" in article 6.', "Jane Roe"))
    ledger.add(_person_doc('John Roe said "taxes will rise" in article 7.', "John Roe"))
    ledger.add(doc('Roe said "taxes will rise" in article 8.', [("a1", "Roe", "taxes will rise", {"stype": "unknown"})]))
    assert {s.name: s.attributions for s in ledger.speakers() if "Roe" in s.name} == {"Jane Roe": 2, "John Roe": 1}


def test_storing_an_article_again_keeps_its_speaker_links(ledger):
    """A bare surname linked while unambiguous stays linked when its article is stored again."""
    docs = [_person_doc(f'{name} said "taxes will rise" in article {i}.', name)
            for i, name in enumerate(["Hillary Clinton", "Clinton", "Bill Clinton"])]
    for d in docs:
        ledger.add(d)
    before = {s.name: s.attributions for s in ledger.speakers()}
    assert before == {"Hillary Clinton": 2, "Bill Clinton": 1}
    for d in docs:
        assert ledger.add(d)[1] is False
    assert {s.name: s.attributions for s in ledger.speakers()} == before
    # a new article's bare "Clinton" is ambiguous now, and stays apart
    ledger.add(_person_doc('Clinton said "taxes will rise" in article 9.', "Clinton"))
    assert sorted(s.name for s in ledger.speakers()) == ["Bill Clinton", "Clinton", "Hillary Clinton"]


def test_progress_is_a_bar_on_a_terminal_and_lines_otherwise():
    import io

    from onrecord.cli import _Progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    term = Terminal()
    bar = _Progress(50, term)
    for done in range(1, 26):
        bar.step(done, {"new": done, "updated": 0})
    bar.bar.refresh()  # tqdm redraws at most every 0.1 s; draw now
    bar.close()
    shown = term.getvalue()
    assert "25/50" in shown and "article/s" in shown and "<" in shown  # count, rate and ETA
    plain = io.StringIO()
    lines = _Progress(50, plain)
    for done in range(1, 51):
        lines.step(done, {"new": done, "updated": 0})
    assert plain.getvalue().splitlines() == [
        "onrecord: 25 articles processed (25 new, 0 updated)",
        "onrecord: 50 articles processed (50 new, 0 updated)",
    ]


def test_count_articles_for_the_eta(tmp_path):
    from onrecord.ingest import count_articles

    folder = tmp_path / "in"
    (folder / ".hidden").mkdir(parents=True)
    (folder / "a.txt").write_text("x")
    (folder / "b.html").write_text("x")
    (folder / "notes.md").write_text("x")
    (folder / ".hidden" / "c.txt").write_text("x")
    one = tmp_path / "one.txt"
    one.write_text("x")
    assert count_articles([str(folder), str(one)]) == 3
    (tmp_path / "feed.jsonl").write_text("{}")
    assert count_articles([str(one), str(tmp_path / "feed.jsonl")]) is None
    assert count_articles(["-"]) is None


def test_export_parquet_matches_the_csv_rows(ledger, tmp_path):
    import pyarrow.parquet as pq

    ledger.add(hillary_doc())
    ledger.add(kremlin_doc())
    path = tmp_path / "ledger.parquet"
    assert ledger.export("parquet", str(path)) == 4
    table = pq.read_table(path)
    out = io.StringIO()
    ledger.export("csv", out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert table.num_rows == 4 and table.column_names == list(rows[0])
    assert table.column("speaker").to_pylist() == [r["speaker"] for r in rows]
    assert table.column("anonymous").to_pylist() == [False, False, False, True]


def test_export_parquet_cli_needs_a_file(tmp_path, capsys):
    from onrecord.cli import main

    db = f"sqlite:///{tmp_path / 'l.db'}"
    assert main(["export", "--format", "parquet", "--db", db]) == 64
    assert "needs --out" in capsys.readouterr().err
    Ledger.open(db).close()  # an empty ledger, there to export
    assert main(["export", "--format", "parquet", "--db", db, "--out", str(tmp_path / "x.parquet")]) == 0
    assert (tmp_path / "x.parquet").stat().st_size > 0


def test_ids_and_offsets_beyond_what_a_column_holds_find_nothing(ledger):
    # a number from a URL or the command line, however large, is no row's id and an empty page, on either database
    ledger.add(hillary_doc())
    huge = 2**64
    assert ledger.article(huge) is None and ledger.article(2**31) is None and ledger.article(0) is None
    assert ledger.speaker_detail(huge) is None
    assert ledger.article_page(offset=huge) == ([], 1)
    assert ledger.attribution_page(offset=huge)[0] == [] and ledger.attribution_page()[1] > 0
    assert ledger.speaker_page(offset=huge)[0] == []


def test_an_article_stored_again_without_metadata_keeps_what_was_stored(ledger):
    ledger.add(hillary_doc(authors=["Ann Reporter"]))
    bare = Document(text=HILLARY)
    assert ledger.recall(bare) is bare
    assert (bare.publisher, bare.published, bare.title, bare.authors) == ("Reuters", "2024-03-01", "Clintons speak", ["Ann Reporter"])
    told = ledger.recall(Document(text=HILLARY, publisher="AP"))
    assert told.publisher == "AP" and told.title == "Clintons speak"  # what the input says wins
    other = ledger.recall(Document(text="Another article entirely."))
    assert other.publisher is None and other.authors == []


def test_storing_again_keeps_the_label_and_the_time_it_first_came(ledger):
    first = hillary_doc(id="reuters-0301.txt")
    article_id, _ = ledger.add(first)
    came = ledger.article(article_id)["ingested_at"]
    again = ledger.recall(Document(text=HILLARY))
    again.attributions = first.attributions
    assert ledger.add(again) == (article_id, False)
    stored = ledger.article(article_id)
    assert (stored["source"], stored["ingested_at"]) == ("reuters-0301.txt", came)


def test_commands_that_read_a_ledger_refuse_one_that_is_not_there(tmp_path, capsys):
    from onrecord.cli import main

    typo = tmp_path / "no-such-folder" / "ledger.db"
    for command in (["search", "tax"], ["quotes"], ["speakers"], ["outlets"], ["export", "-f", "jsonl"]):
        assert main([*command, "--db", str(typo)]) == 1
        assert "E513" in capsys.readouterr().err
    assert not typo.parent.exists()  # nothing created at the mistyped path
    with pytest.raises(StoreError, match="E513"):
        Ledger.open(str(typo), existing=True)


def test_a_ledger_in_a_folder_that_does_not_exist_is_refused_not_made(tmp_path):
    missing = tmp_path / "typo" / "ledger.db"
    with pytest.raises(StoreError) as err:
        Ledger.open(str(missing))
    assert err.value.code == "E514" and str(missing.parent) in str(err.value)
    assert not missing.parent.exists()
