"""Forecasts in the ledger: storing and linking them, outcomes that outlive re-storing, track records, the CLI.

Documents are made by hand (as in test_store.py), so these tests need no extractor; every test taking
``ledger`` or ``db_url`` runs on SQLite and on PostgreSQL (see conftest.py).
"""

import json
from datetime import date, timedelta

import pytest

from onrecord.model import Attribution, Document, Entity, Forecast, Span, SpeakerRef
from onrecord.store import Ledger, StoreError, forecast_key

TODAY = date(2024, 7, 1)

ROE = (
    'Jane Roe said "taxes will fall by May". Roe said rates will likely rise in the spring. '
    "Analysts expect a recession next year. John Doe said that a deal is unlikely before June."
)


def _span(text, part, start=0):
    at = text.index(part, start)
    return Span.of(text, at, at + len(part))


def _ref(name, type_="person", resolved=True):
    return SpeakerRef("e-" + name.replace(" ", "-").lower(), name, type_, resolved)


def forecast(text, fid, part, *, speaker=None, attribution=None, estimative=None, probability=None, horizon=None, due=None):
    return Forecast(
        id=fid, text=_span(text, part), speaker=speaker, attribution=attribution,
        estimative=_span(text, estimative) if estimative else None, probability=probability,
        horizon=_span(text, horizon) if horizon else None, due=due,
    )


def roe_doc(text=ROE, *, forecasts=None, **meta):
    """Jane Roe forecasts twice (once through an attribution), analysts once (a group: never linked), John Doe once."""
    roe, doe = _ref("Jane Roe"), _ref("John Doe")
    attributions = [
        Attribution("a1", "direct", content=[_span(text, "taxes will fall by May")], cue=[_span(text, "said")], speaker=roe),
        Attribution("a2", "indirect", content=[_span(text, "a deal is unlikely before June")],
                    cue=[_span(text, "said", text.index("John Doe"))], speaker=doe),
    ]
    if forecasts is None:
        forecasts = [
            forecast(text, "f1", "taxes will fall", speaker=roe, attribution="a1", estimative="will", probability=0.9,
                     horizon="by May", due="2024-05-31"),
            forecast(text, "f2", "rates will likely rise", speaker=_ref("Roe"), estimative="likely", probability=0.675,
                     horizon="in the spring", due="2024-06-20"),
            forecast(text, "f3", "a recession next year", speaker=_ref("Analysts", "group"), estimative="expect",
                     probability=0.675, due="2025-12-31"),
            forecast(text, "f4", "a deal is unlikely before June", speaker=doe, attribution="a2", estimative="unlikely",
                     probability=0.325, due="2024-06-30"),
        ]
    meta = {"publisher": "Reuters", "published": "2024-03-01", "title": "Rates and taxes", **meta}
    entities = [Entity(r.id, r.name, r.type) for r in (roe, doe)]
    return Document(text=text, attributions=attributions, entities=entities, forecasts=forecasts, model="test@0", **meta)


def by_text(ledger, **filters):
    return {f.text: f for f in ledger.forecasts(today=TODAY, **filters)}


# --- storing and linking -------------------------------------------------------------------------


def test_forecasts_are_stored_with_their_speakers_linked(ledger):
    article_id, _ = ledger.add(roe_doc())
    found = by_text(ledger)
    assert set(found) == {"taxes will fall", "rates will likely rise", "a recession next year", "a deal is unlikely before June"}
    taxes, rates, recession, deal = (found[t] for t in ("taxes will fall", "rates will likely rise", "a recession next year",
                                                        "a deal is unlikely before June"))
    roe = next(s for s in ledger.speakers() if s.name == "Jane Roe")
    # through its attribution (a1's speaker), and by its own name: the bare surname joins the one Roe
    assert taxes.speaker_id == rates.speaker_id == roe.id and taxes.attribution == "a1" and rates.attribution is None
    assert recession.speaker_id is None and recession.speaker == "Analysts"  # groups are never linked
    assert deal.speaker == "John Doe" and deal.attribution == "a2"
    assert (taxes.article_id, taxes.forecast, taxes.estimative, taxes.probability, taxes.horizon, taxes.due) == (
        article_id, "f1", "will", 0.9, "by May", "2024-05-31")
    assert (taxes.publisher, taxes.published, taxes.title) == ("Reuters", "2024-03-01", "Rates and taxes")
    assert all(f.outcome is None for f in found.values())
    # the ledger row points at the attribution row that carries the forecast
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from onrecord.store.schema import AttributionRow, ForecastRow

    with Session(ledger.engine) as session:
        row = session.get(ForecastRow, taxes.id)
        carrier = session.get(AttributionRow, row.attribution_id)
        assert (carrier.local_id, carrier.article_id, carrier.speaker_id) == ("a1", article_id, roe.id)
        assert session.scalar(select(ForecastRow.attribution_id).where(ForecastRow.id == rates.id)) is None


def test_a_document_without_forecasts_stores_none_and_the_jsonl_export_keeps_them(ledger):
    import io

    ledger.add(roe_doc())
    ledger.add(Document(text="No forecast here.", model="t"))
    assert len(ledger.forecasts()) == 4
    out = io.StringIO()
    ledger.export("jsonl", out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [f["id"] for f in records[0]["forecasts"]] == ["f1", "f2", "f3", "f4"] and records[1]["forecasts"] == []
    assert records[0]["forecasts"][0]["estimative"]["text"] == "will"


def test_forecast_keys_ignore_case_quotes_spacing_and_end_punctuation():
    assert forecast_key("Taxes  will fall.") == forecast_key("taxes will fall") == forecast_key("\u201ctaxes will fall\u201d")
    assert forecast_key("taxes will fall") != forecast_key("taxes will rise")


# --- outcomes ------------------------------------------------------------------------------------


def test_an_outcome_survives_storing_the_article_again(ledger):
    ledger.add(roe_doc())
    taxes = by_text(ledger)["taxes will fall"]
    recorded = ledger.record_outcome(taxes.id, "true", note="cut in May", source="https://example.org/budget",
                                     judged_on="2024-05-30")
    assert (recorded.outcome, recorded.note, recorded.source, recorded.judged_on) == (
        "true", "cut in May", "https://example.org/budget", "2024-05-30")
    assert recorded.recorded_at is not None and not recorded.overdue
    # stored again (another preset: forecasts in another order and ids, the span cut with a stop and a capital)
    again = roe_doc()
    again.forecasts = list(reversed(again.forecasts))
    for i, f in enumerate(again.forecasts, 1):
        f.id = f"f{i}"
    ledger.add(again)
    ledger.add(again)
    found = by_text(ledger)
    assert len(found) == 4 and found["taxes will fall"].id != taxes.id  # new rows...
    assert (found["taxes will fall"].outcome, found["taxes will fall"].note) == ("true", "cut in May")  # ...same outcome
    assert [f.outcome for t, f in found.items() if t != "taxes will fall"] == [None, None, None]
    # a copy wrapped otherwise, with curly quotes, is the same article, and its forecast the same forecast
    wrapped = ROE.replace('"taxes will fall', "\u201ctaxes  will\n fall").replace('May"', "May\u201d")
    ledger.add(Document(text=wrapped, forecasts=[forecast(wrapped, "f1", "\u201ctaxes  will\n fall", probability=0.9)]))
    assert [(f.text, f.outcome) for f in ledger.forecasts()] == [("\u201ctaxes  will\n fall", "true")]
    # another article with the same words is another forecast
    ledger.add(roe_doc(ROE + " Later."))
    assert [f.outcome for f in ledger.forecasts() if f.text == "taxes will fall"] == [None]


def test_the_same_forecast_cut_differently_in_a_new_reading_keeps_its_outcome(ledger):
    ledger.add(roe_doc())
    ledger.record_outcome(by_text(ledger)["taxes will fall"].id, "false")
    reread = roe_doc()
    first = reread.forecasts[0]
    first.text = _span(ROE, "taxes will fall by May")  # a wider cut would be another forecast...
    ledger.add(reread)
    assert by_text(ledger)["taxes will fall by May"].outcome is None
    reread.forecasts[0] = forecast(ROE, "f1", "taxes will fall", speaker=_ref("Jane Roe"), attribution="a1", probability=0.9)
    ledger.add(reread)  # ...and the same one, again, finds its outcome where it was left
    assert by_text(ledger)["taxes will fall"].outcome == "false"


def test_recording_again_replaces_the_judgement(ledger):
    ledger.add(roe_doc())
    deal = by_text(ledger)["a deal is unlikely before June"]
    ledger.record_outcome(deal.id, "true", note="signed", source="https://example.org/deal")
    again = ledger.record_outcome(str(deal.id), "void", judged_on=date(2024, 7, 2))
    assert (again.outcome, again.note, again.source, again.judged_on) == ("void", None, None, "2024-07-02")
    assert ledger.record_outcome(deal.id, "false").judged_on == date.today().isoformat()  # judged today by default


def test_outcome_errors_are_catalogue_errors(ledger):
    ledger.add(roe_doc())
    some = ledger.forecasts()[0].id
    for ref in (999, "999", "f1", 2**40):
        with pytest.raises(StoreError, match=r"E515") as err:
            ledger.record_outcome(ref, "true")
        assert "onrecord forecasts" in str(err.value)
    with pytest.raises(StoreError, match=r"'maybe' is not an outcome; give one of true, false, void .*\[E516\]"):
        ledger.record_outcome(some, "maybe")
    with pytest.raises(StoreError, match="E505"):
        ledger.record_outcome(some, "true", judged_on="2024-13-01")
    assert all(f.outcome is None for f in ledger.forecasts())  # nothing was recorded by a refused call
    assert ledger.forecast(999) is None and ledger.forecast("x") is None and ledger.forecast(some).id == some


def test_an_outcome_cannot_be_judged_before_the_forecast_was_made_or_in_the_future(ledger):
    ledger.add(roe_doc())  # published 2024-03-01
    taxes = by_text(ledger)["taxes will fall"].id
    with pytest.raises(StoreError, match=r"E518") as err:
        ledger.record_outcome(taxes, "true", judged_on="2024-02-29")
    message = str(err.value)
    assert message.startswith(f"forecast {taxes} cannot have been judged on 2024-02-29: that is before its article was published (2024-03-01)")
    assert "from 2024-03-01 to today" in message and "--on" in message and "\n" not in message
    later = date.today() + timedelta(days=2)
    with pytest.raises(StoreError, match=rf"judged on {later.isoformat()}: that is in the future .*\[E518\]"):
        ledger.record_outcome(taxes, "true", judged_on=later)
    assert all(f.outcome is None for f in ledger.forecasts())  # nothing was recorded by a refused call
    assert ledger.record_outcome(taxes, "true", judged_on="2024-03-01").judged_on == "2024-03-01"  # the day it was made
    assert ledger.record_outcome(taxes, "true", judged_on=date.today() + timedelta(days=1)).outcome == "true"  # time zones
    undated = Document(text="Ann Poll said taxes will fall.", forecasts=[forecast("Ann Poll said taxes will fall.", "f1", "taxes will fall")])
    ledger.add(undated)
    some = next(f.id for f in ledger.forecasts() if f.published is None)
    assert ledger.record_outcome(some, "void", judged_on="1999-01-01").judged_on == "1999-01-01"  # no date to check against
    with pytest.raises(StoreError, match="today or earlier"):
        ledger.record_outcome(some, "void", judged_on=later)


# --- filters -------------------------------------------------------------------------------------


def test_forecast_filters(ledger):
    ledger.add(roe_doc())
    ledger.add(roe_doc(ROE + " More.", publisher="AP", published="2024-04-01"))
    roe = next(s for s in ledger.speakers() if s.name == "Jane Roe")
    assert len(ledger.forecasts()) == 8
    assert {f.text for f in ledger.forecasts(speaker="jane roe")} == {"taxes will fall", "rates will likely rise"}
    assert len(ledger.forecasts(speaker=roe.id)) == len(ledger.forecasts(speaker=str(roe.id))) == 4
    assert {f.speaker for f in ledger.forecasts(speaker="Analysts")} == {"Analysts"}  # an unlinked speaker by its name
    assert ledger.forecasts(speaker="Nobody") == [] and ledger.forecasts(speaker=2**40) == []
    assert {f.publisher for f in ledger.forecasts(outlet="ap")} == {"AP"}
    assert [f.published for f in ledger.forecasts(limit=8)][:4] == ["2024-04-01"] * 4  # newest articles first
    assert len(ledger.forecasts(limit=3)) == 3
    page, total = ledger.forecast_page(limit=3, offset=6)
    assert len(page) == 2 and total == 8
    first = ledger.forecasts(outlet="AP")[0]
    ledger.record_outcome(first.id, "true")
    assert first.id not in {f.id for f in ledger.forecasts(open_only=True)} and len(ledger.forecasts(open_only=True)) == 7
    assert [f.id for f in ledger.forecasts(open=True)] == [f.id for f in ledger.forecasts(open_only=True)]
    assert [f.id for f in ledger.forecasts(open=False)] == [first.id]  # only judged
    assert len(ledger.forecasts(open=None)) == len(ledger.forecasts()) == 8  # all
    assert ledger.forecast_page(open=False)[1] == 1 and ledger.forecast_page(open=True)[1] == 7
    due = ledger.forecasts(due_by="2024-06-20")
    assert {f.due for f in due} == {"2024-05-31", "2024-06-20"}
    assert ledger.forecast_page(open_only=True, due_by=date(2024, 6, 30))[1] == 5
    assert {f.text: f.overdue for f in ledger.forecasts(outlet="Reuters", today=TODAY)} == {
        "taxes will fall": True, "rates will likely rise": True, "a recession next year": False,
        "a deal is unlikely before June": True,
    }
    with pytest.raises(StoreError, match="E505"):
        ledger.forecasts(due_by="June")


# --- track records -------------------------------------------------------------------------------


def _judge(ledger, outcomes):
    for f in ledger.forecasts():
        if f.text in outcomes:
            ledger.record_outcome(f.id, outcomes[f.text])


CALIBRATED = (
    'Ann Poll said taxes will fall. Poll said rates will likely rise. Poll said a strike is unlikely. '
    'Poll said prices may climb. Poll said the vote will pass. Poll said the bridge will open. Poll said the mayor will quit.'
)


def poll_doc():
    ref = _ref("Ann Poll")
    parts = [
        ("taxes will fall", 0.9, "2024-05-01"),       # true:  (0.9 - 1)^2   = 0.01
        ("rates will likely rise", 0.675, None),      # false: (0.675 - 0)^2 = 0.455625
        ("a strike is unlikely", 0.325, None),        # false: (0.325 - 0)^2 = 0.105625
        ("prices may climb", None, None),             # true, no probability: judged, not scored
        ("the vote will pass", 0.9, "2024-01-01"),    # void
        ("the bridge will open", 0.9, "2024-06-01"),  # open, due before TODAY: overdue
        ("the mayor will quit", 0.9, "2024-12-31"),   # open, not due yet
    ]
    forecasts = [forecast(CALIBRATED, f"f{i}", text, speaker=ref, probability=p, due=due) for i, (text, p, due) in enumerate(parts, 1)]
    return Document(text=CALIBRATED, forecasts=forecasts, entities=[Entity(ref.id, ref.name, ref.type)], publisher="Gazette")


def test_track_record_arithmetic_on_a_hand_checked_example(ledger):
    ledger.add(poll_doc())
    _judge(ledger, {"taxes will fall": "true", "rates will likely rise": "false", "a strike is unlikely": "false",
                    "prices may climb": "true", "the vote will pass": "void"})
    record = ledger.track_record("Ann Poll", today=TODAY)
    assert (record.speaker, record.type, record.forecasts) == ("Ann Poll", "person", 7)
    assert (record.judged, record.came_true, record.came_false, record.void, record.open, record.overdue) == (4, 2, 2, 1, 2, 1)
    # right: taxes (90%, came), the strike (32.5%, did not come), prices (no probability, came); wrong: rates (67.5%, did not)
    assert record.hit_rate == 0.75
    assert record.scored == 3
    assert record.brier == pytest.approx((0.01 + 0.455625 + 0.105625) / 3, abs=1e-4) == 0.1904
    bands = {b.band: (b.forecasts, b.came_true, b.share, b.mean_probability) for b in record.calibration}
    assert bands == {"20-45%": (1, 0, 0.0, 0.325), "55-80%": (1, 0, 0.0, 0.675), "80-95%": (1, 1, 1.0, 0.9)}
    assert ledger.track_record("Ann Poll", today=date(2025, 1, 1)).overdue == 2
    assert ledger.track_record(record.speaker_id, today=date(2024, 1, 1)).overdue == 0
    as_dict = record.to_dict()
    assert as_dict["calibration"][0]["band"] == "20-45%" and json.dumps(as_dict)


def test_a_speaker_with_nothing_judged_has_no_scores(ledger):
    ledger.add(poll_doc())
    record = ledger.track_record("ann POLL", today=TODAY)  # a name in any case
    assert (record.judged, record.hit_rate, record.brier, record.scored, record.calibration, record.open) == (0, None, None, 0, [], 7)
    with pytest.raises(StoreError, match="E507"):
        ledger.track_record("Nobody")


def test_the_leaderboard_puts_the_best_brier_first(ledger):
    ledger.add(poll_doc())
    ledger.add(roe_doc())
    _judge(ledger, {"taxes will fall": "true", "rates will likely rise": "false", "a strike is unlikely": "false",
                    "a deal is unlikely before June": "false"})
    board = ledger.track_records(today=TODAY)
    # Doe: (0.325 - 0)^2 = 0.1056; Poll: (0.01 + 0.455625 + 0.105625) / 3 = 0.1904; Roe: (0.01 + 0.455625) / 2 = 0.2328
    assert [(r.speaker, r.brier) for r in board] == [("John Doe", 0.1056), ("Ann Poll", 0.1904), ("Jane Roe", 0.2328)]
    assert [r.speaker for r in ledger.track_records(min_judged=2)] == ["Ann Poll", "Jane Roe"]
    assert ledger.track_records(min_judged=4) == []


# --- manual speaker decisions carry forecasts along ---------------------------------------------


def test_merge_and_split_move_forecasts_with_their_speaker(ledger):
    ledger.add(roe_doc())
    ledger.merge_speakers("Jane Roe", "John Doe")
    roe = next(s for s in ledger.speakers() if s.name == "Jane Roe")
    assert {f.speaker_id for f in ledger.forecasts() if f.speaker != "Analysts"} == {roe.id}
    assert ledger.track_record(roe.id).forecasts == 3
    ledger.split_speaker("Jane Roe", "John Doe")
    doe = ledger.track_record("John Doe")
    assert doe.forecasts == 1 and ledger.track_record(roe.id).forecasts == 2
    ledger.split_speaker("Jane Roe", "Roe")  # the bare surname of the unattributed forecast, kept apart
    assert ledger.track_record(roe.id).forecasts == 1
    bare = ledger.speaker_info("Roe")  # a speaker of its own now, with no attribution: only a forecast
    assert {f.speaker_id for f in ledger.forecasts(speaker="Roe")} == {bare.id} and ledger.track_record("Roe").forecasts == 1


def test_storing_again_keeps_a_forecast_speaker_link(ledger):
    """An unattributed "Roe" joined the only Roe when it came; a second Roe later must not unlink it on a re-store."""
    ledger.add(roe_doc())
    rates = by_text(ledger)["rates will likely rise"].speaker_id
    other = 'Richard Roe said "it rains".'
    ledger.add(Document(text=other, attributions=[Attribution("a1", "direct", content=[_span(other, "it rains")],
                                                               speaker=_ref("Richard Roe"))]))
    ledger.add(roe_doc())
    assert by_text(ledger)["rates will likely rise"].speaker_id == rates is not None


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_the_migration_matches_the_models(ledger):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from onrecord.store.schema import Base

    mine = {"forecasts", "forecast_outcomes"}
    with ledger.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert mine <= set(Base.metadata.tables)
    flat = [d for diff in diffs for d in (diff if isinstance(diff, list) else [diff])]
    assert [d for d in flat if any(name in str(d) for name in mine)] == []


# --- the command line ----------------------------------------------------------------------------


def test_cli_forecasts_outcome_and_record(db_url, capsys):
    from onrecord.cli import main

    with Ledger.open(db_url) as led:
        led.add(roe_doc())
        taxes = by_text(led)["taxes will fall"].id
    assert main(["forecasts", "--db", db_url]) == 0
    table = capsys.readouterr().out
    assert "taxes will fall" in table and "will (90%)" in table and "2024-06-20 (in the spring)" in table
    assert "open, overdue" in table
    assert main(["forecasts", "--speaker", "Jane Roe", "--format", "json", "--db", db_url]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {f["text"] for f in listed} == {"taxes will fall", "rates will likely rise"} and "said" not in listed[0]
    assert main(["outcome", str(taxes), "true", "--note", "cut", "--source", "https://example.org/b", "--on", "2024-05-30",
                 "--db", db_url]) == 0
    line = capsys.readouterr().out
    assert line == f"forecast {taxes} (Jane Roe: 'taxes will fall') recorded as true, judged on 2024-05-30\n"
    assert main(["forecasts", "--open", "--due-by", "2024-06-30", "--format", "csv", "--db", db_url]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert len(rows) == 3 and "taxes will fall" not in "".join(rows)  # header, rates, deal
    assert main(["forecasts", "--judged", "--format", "json", "--db", db_url]) == 0
    assert [(f["id"], f["outcome"]) for f in json.loads(capsys.readouterr().out)] == [(taxes, "true")]
    assert main(["record", "Jane Roe", "--db", db_url]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Jane Roe (id ") and "2 judged" not in text and "1 judged (1 came true, 0 false)" in text
    assert "0.010 over 1 judged forecast(s)" in text and "80-95%" in text
    assert main(["record", "Jane Roe", "--format", "json", "--db", db_url]) == 0
    assert json.loads(capsys.readouterr().out)["brier"] == 0.01
    assert main(["record", "--db", db_url]) == 0
    board = capsys.readouterr().out
    assert "Jane Roe" in board and "John Doe" not in board  # nothing of Doe's judged yet
    assert main(["record", "--min-judged", "2", "--format", "json", "--db", db_url]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["outcome", str(taxes), "open", "--db", db_url]) == 0  # taken back: open again
    assert capsys.readouterr().out == f"forecast {taxes} (Jane Roe: 'taxes will fall') is open again\n"
    assert main(["record", "Jane Roe", "--format", "json", "--db", db_url]) == 0
    assert json.loads(capsys.readouterr().out)["judged"] == 0


def test_cli_outcome_errors_are_one_line_with_distinct_exits(db_url, capsys):
    from onrecord.cli import main

    with Ledger.open(db_url) as led:
        led.add(roe_doc())
        some = led.forecasts()[0].id
    assert main(["outcome", "9999", "true", "--db", db_url]) == 1  # a ledger error: exit 1, as speakers merge
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "E515" in err and err.startswith("onrecord: error: no forecast '9999'")
    assert main(["record", "Nobody", "--db", db_url]) == 1
    assert "E507" in capsys.readouterr().err
    assert main(["outcome", str(some), "true", "--on", "2020-01-01", "--db", db_url]) == 1  # before the article: exit 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"onrecord: error: forecast {some} cannot have been judged on 2020-01-01") and "E518" in err
    for argv in (["outcome", str(some), "maybe"], ["outcome", "f1", "true"], ["outcome", str(some), "true", "--on", "2024-13-01"],
                 ["forecasts", "--due-by", "soon"], ["record", "--min-judged", "0"], ["forecasts", "--open", "--judged"]):
        with pytest.raises(SystemExit) as stop:
            main([*argv, "--db", db_url])
        assert stop.value.code == 64, argv  # the command line's fault
        assert capsys.readouterr().err.count("\n") == 1
    with Ledger.open(db_url) as led:
        assert all(f.outcome is None for f in led.forecasts())


def test_every_listed_speaker_can_be_named_and_an_unlinked_one_is_told_why(tmp_path, capsys):
    """``onrecord record NAME`` takes any name ``onrecord speakers`` lists (outlets too, "The" or not); a group or
    anonymous source, which the ledger never links and so never lists, is E519 saying so, not E507."""
    from pathlib import Path

    from onrecord.cli import main

    db = str(tmp_path / "seed.db")
    seed = Path(__file__).resolve().parent.parent / "examples" / "seed-article.txt"
    assert main(["ingest", "--model", "rules", "--db", db, str(seed)]) == 0
    with Ledger.open(db) as led:
        listed = led.speakers()
        assert {"media_outlet", "person"} <= {s.type for s in listed}
        for s in listed:
            assert led.track_record(s.name).speaker_id == s.id
            assert led.track_record(s.name.removeprefix("The ").upper()).speaker_id == s.id
    capsys.readouterr()
    for s in listed:
        assert main(["record", s.name, "--db", db]) == 0, capsys.readouterr().err
        assert capsys.readouterr().out.startswith(f"{s.name} (id {s.id}, {s.type})")
    assert main(["record", "Ukrainian officials", "--db", db]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "E519" in err and "never links" in err and "forecasts --speaker 'Ukrainian officials'" in err
    assert main(["speakers", "show", "ukrainian OFFICIALS", "--db", db]) == 1 and "E519" in capsys.readouterr().err
    assert main(["record", "Nobody", "--db", db]) == 1 and "E507" in capsys.readouterr().err


def test_an_unlinked_forecast_speaker_is_e519(ledger):
    ledger.add(roe_doc())  # "Analysts" (a group) forecasts a recession: listed by name, never a speaker
    assert [f.speaker for f in ledger.forecasts(speaker="analysts")] == ["Analysts"]
    with pytest.raises(StoreError, match=r"'Analysts' is no speaker of its own: .* \(group\).*\[E519\]"):
        ledger.track_record("Analysts")
    with pytest.raises(StoreError, match="E507"):
        ledger.track_record("Nobody")


def test_cli_refuses_a_ledger_that_is_not_there(tmp_path, capsys):
    from onrecord.cli import main

    for argv in (["forecasts"], ["outcome", "1", "true"], ["record"]):
        assert main([*argv, "--db", str(tmp_path / "missing.db")]) == 1
        assert "E513" in capsys.readouterr().err
    assert not (tmp_path / "missing.db").exists()
