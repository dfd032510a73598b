"""Manual speaker decisions: `speakers merge` and `speakers split` are stored, and later ingests respect them.

Every test taking ``ledger`` or ``db_url`` (tests/conftest.py) runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json

import pytest

from onrecord.model import Attribution, Document, Entity, Span, SpeakerRef
from onrecord.store import Ledger, StoreError

_articles = iter(range(10**6))


def said(name: str, stype: str = "person", quote: str = "the plan is sound") -> Document:
    """A new article (its text is unique) in which ``name`` says ``quote``."""
    text = f'In report {next(_articles)}, {name} said "{quote}".'
    start, cue = text.index(quote), text.index("said")
    ref = SpeakerRef("e1", name, stype, True)
    att = Attribution(
        id="a1", kind="direct", content=[Span.of(text, start, start + len(quote))], cue=[Span.of(text, cue, cue + 4)],
        speaker=ref, confidence=0.9,
    )
    return Document(text=text, attributions=[att], entities=[Entity("e1", name, stype)], model="test@0")


def people(ledger: Ledger) -> dict[str, int]:
    """Speaker name -> attributions, for every speaker in the ledger."""
    return {s.name: s.attributions for s in ledger.speakers()}


def add(ledger: Ledger, *names: str) -> None:
    for name in names:
        ledger.add(said(name))


# --- merge ---------------------------------------------------------------------------------------


def test_merge_moves_attributions_and_later_ingests_land_on_the_kept_speaker(ledger):
    add(ledger, "Hillary Clinton", "Hillary Rodham Clinton", "Hillary Rodham Clinton")
    assert people(ledger) == {"Hillary Clinton": 1, "Hillary Rodham Clinton": 2}
    change = ledger.merge_speakers("Hillary Clinton", "hillary rodham clinton")
    assert (change.kind, change.speaker, change.other, change.key, change.attributions) == (
        "merge", "Hillary Clinton", "Hillary Rodham Clinton", "hillary rodham clinton", 2
    )
    assert people(ledger) == {"Hillary Clinton": 3}
    add(ledger, "Hillary Rodham Clinton", "Mrs. Hillary Rodham Clinton")  # the alias, with or without a title
    assert people(ledger) == {"Hillary Clinton": 5}
    assert ledger.count()["speakers"] == 1


def test_quotes_by_a_merged_name_find_the_whole_speaker(ledger):
    add(ledger, "Hillary Clinton", "Hillary Rodham Clinton")
    ledger.merge_speakers("Hillary Clinton", "Hillary Rodham Clinton")
    assert len(ledger.quotes(speaker="Hillary Rodham Clinton")) == 2
    assert len(ledger.quotes(speaker="Hillary Clinton")) == 2
    assert ledger.quotes(speaker="Bill Clinton") == []


def test_merge_by_id_carries_earlier_aliases_and_types_may_differ(ledger):
    ledger.add(said("The White House", "government"))
    ledger.add(said("White House officials' office", "organization"))
    ledger.add(said("Biden administration", "government"))
    ids = {s.name: s.id for s in ledger.speakers()}
    ledger.merge_speakers(ids["Biden administration"], ids["White House officials' office"])
    ledger.merge_speakers(str(ids["The White House"]), ids["Biden administration"])  # ids as given on a command line
    assert people(ledger) == {"The White House": 3}
    ledger.add(said("White House officials' office", "organization"))  # an alias merged twice over
    ledger.add(said("the Biden administration", "government"))
    assert people(ledger) == {"The White House": 5}
    info = ledger.speaker_info("white house")
    assert info.aliases == ["biden administration", "white house officials' office"]
    assert [(d.kind, d.other) for d in info.decisions] == [("merge", "Biden administration")]


def test_merge_errors_name_the_problem_and_change_nothing(ledger):
    ledger.add(said("The Kremlin", "government"))
    ledger.add(said("Kremlin", "organization"))
    add(ledger, "Abbas Gallyamov")
    before = people(ledger)
    with pytest.raises(StoreError) as err:
        ledger.merge_speakers("Abbas Gallyamov", "the Kremlin")
    assert err.value.code == "E508"
    ids = sorted(s.id for s in ledger.speakers() if s.name in ("The Kremlin", "Kremlin"))
    assert all(f"{i} " in str(err.value) for i in ids)  # the candidates' ids, to pick from
    with pytest.raises(StoreError, match="E507"):
        ledger.merge_speakers("Abbas Gallyamov", "Nobody Atall")
    with pytest.raises(StoreError, match="E507"):
        ledger.merge_speakers("Abbas Gallyamov", 99999)
    with pytest.raises(StoreError, match="E507"):
        ledger.merge_speakers("Abbas Gallyamov", str(2**64))  # no id, not an overflow in the driver
    with pytest.raises(StoreError, match="E509"):
        ledger.merge_speakers("Abbas Gallyamov", "Mr. Abbas Gallyamov")
    assert people(ledger) == before


# --- split ---------------------------------------------------------------------------------------


def test_split_a_wrongly_joined_surname_and_it_stays_apart(ledger):
    add(ledger, "Hillary Clinton", "Clinton")  # the one Clinton: the bare surname joins her
    assert people(ledger) == {"Hillary Clinton": 2}
    change = ledger.split_speaker("Hillary Clinton", "Mr. Clinton")
    assert (change.kind, change.speaker, change.other, change.key, change.attributions) == (
        "split", "Hillary Clinton", "Clinton", "clinton", 1
    )
    assert people(ledger) == {"Hillary Clinton": 1, "Clinton": 1}
    add(ledger, "Clinton", "Hillary Clinton", "Mr. Clinton")  # her name again would absorb a bare surname; not this one
    assert people(ledger) == {"Hillary Clinton": 2, "Clinton": 3}
    info = ledger.speaker_info("Hillary Clinton")
    assert info.apart == ["clinton"] and info.aliases == []


def test_split_ahead_of_the_articles(ledger):
    add(ledger, "Hillary Clinton")
    change = ledger.split_speaker("Hillary Clinton", "Clinton")
    assert (change.attributions, change.other_id) == (0, None)
    add(ledger, "Clinton", "Clinton")
    assert people(ledger) == {"Hillary Clinton": 1, "Clinton": 2}


def test_split_undoes_a_merge_alias_and_a_later_merge_wins(ledger):
    add(ledger, "Hillary Clinton", "Bill Clinton")
    ledger.merge_speakers("Hillary Clinton", "Bill Clinton")  # a mistake
    add(ledger, "Bill Clinton")
    assert people(ledger) == {"Hillary Clinton": 3}
    change = ledger.split_speaker("Hillary Clinton", "Bill Clinton")
    assert (change.other, change.attributions) == ("Bill Clinton", 2)
    add(ledger, "Bill Clinton")
    assert people(ledger) == {"Hillary Clinton": 1, "Bill Clinton": 3}
    ledger.merge_speakers("Hillary Clinton", "Bill Clinton")  # decided again: the latest decision wins
    add(ledger, "Bill Clinton")
    assert people(ledger) == {"Hillary Clinton": 5}
    assert ledger.speaker_info("Hillary Clinton").apart == []


def test_a_name_split_off_is_not_carried_back_by_a_merge_alias(ledger):
    add(ledger, "Hillary Clinton", "Clinton", "Bill Clinton")
    ledger.split_speaker("Hillary Clinton", "Clinton")
    ledger.merge_speakers("Bill Clinton", "Clinton")  # the bare Clinton was Bill
    ledger.merge_speakers("Hillary Clinton", "Bill Clinton")  # then Bill is folded into Hillary
    assert people(ledger) == {"Hillary Clinton": 3}
    add(ledger, "Clinton")  # "clinton" was kept apart from Hillary: Bill's alias does not carry it over
    assert people(ledger) == {"Hillary Clinton": 3, "Clinton": 1}


def test_split_errors(ledger):
    add(ledger, "Hillary Clinton")
    with pytest.raises(StoreError, match="E510"):
        ledger.split_speaker("Hillary Clinton", "Ms. Hillary Clinton")
    with pytest.raises(StoreError, match="E511"):
        ledger.split_speaker("Hillary Clinton", " . ")
    with pytest.raises(StoreError, match="E507"):
        ledger.split_speaker("Bill Clinton", "Clinton")
    assert ledger.speaker_info("Hillary Clinton").apart == []


# --- durability and schema -----------------------------------------------------------------------


def test_decisions_survive_reopening(db_url):
    with Ledger.open(db_url) as led:
        add(led, "Hillary Clinton", "Clinton", "Hillary Rodham Clinton")
        led.merge_speakers("Hillary Clinton", "Hillary Rodham Clinton")
        led.split_speaker("Hillary Clinton", "Clinton")
    with Ledger.open(db_url) as led:
        add(led, "Hillary Rodham Clinton", "Clinton", "Hillary Clinton")
        assert people(led) == {"Hillary Clinton": 4, "Clinton": 2}
        info = led.speaker_info("Hillary Rodham Clinton")  # found by its alias
        assert (info.name, info.aliases, info.apart) == ("Hillary Clinton", ["hillary rodham clinton"], ["clinton"])
        assert [d.kind for d in info.decisions] == ["merge", "split"]
        clinton = led.speaker_info("Clinton")  # may reuse the merged-away id on SQLite: only its own split shows
        assert [(d.kind, d.other) for d in clinton.decisions] == [("split", "Clinton")]


def test_a_ledger_made_before_decisions_existed_is_upgraded(db_url):
    from migrations import upgraded_to

    with upgraded_to(db_url, "0001"):
        pass
    with Ledger.open(db_url) as led:
        add(led, "Hillary Clinton", "Bill Clinton")
        led.merge_speakers("Hillary Clinton", "Bill Clinton")
        assert people(led) == {"Hillary Clinton": 2}


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_migration_matches_the_models(ledger):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from onrecord.store.schema import Base

    mine = {"speaker_aliases", "speaker_decisions"}
    with ledger.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)

    def table_of(diff):
        item = diff[0] if isinstance(diff, list) else diff
        for part in item[1:]:
            name = getattr(part, "name", None) if not isinstance(part, str) else part
            table = getattr(part, "table", None)
            if table is not None:
                return table.name
            if name in mine:
                return name
        return None

    assert [d for d in diffs if table_of(d) in mine] == []


# --- the command line ----------------------------------------------------------------------------


def test_cli_merge_split_show_and_list(db_url, capsys):
    from onrecord.cli import main

    with Ledger.open(db_url) as led:
        add(led, "Hillary Clinton", "Clinton", "Hillary Rodham Clinton")
    assert main(["speakers", "merge", "Hillary Clinton", "Hillary Rodham Clinton", "--db", db_url]) == 0
    assert "1 attribution(s) moved" in capsys.readouterr().out
    assert main(["speakers", "--db", db_url, "split", "Hillary Clinton", "Clinton", "--format", "json"]) == 0
    change = json.loads(capsys.readouterr().out)
    assert (change["kind"], change["other"], change["attributions"]) == ("split", "Clinton", 1)
    assert main(["speakers", "show", "hillary rodham clinton", "--db", db_url]) == 0
    shown = capsys.readouterr().out
    assert "hillary rodham clinton" in shown and "kept apart    clinton" in shown
    assert main(["speakers", "--db", db_url, "--format", "csv"]) == 0  # listing as before
    rows = capsys.readouterr().out.splitlines()[1:]
    assert [r.split(",", 1)[1] for r in rows] == ["Hillary Clinton,person,2,2", "Clinton,person,1,1"]  # id first
    assert main(["speakers", "merge", "Hillary Clinton", "Nobody", "--db", db_url]) == 1
    assert "E507" in capsys.readouterr().err
    with Ledger.open(db_url) as led:
        add(led, "Clinton", "Hillary Rodham Clinton")
        assert people(led) == {"Hillary Clinton": 3, "Clinton": 2}
