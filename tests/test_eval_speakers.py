"""``onrecord eval speakers``: the annotation reader and the name comparison."""

from __future__ import annotations

import json

import pytest

from onrecord.errors import OnrecordError
from onrecord.evaluate.speakers import _read, _same_name


def test_names_compare_without_case_determiner_or_possessive():
    assert _same_name("The New York Post", "new york post")
    assert _same_name("Trump’s", "Trump")
    assert _same_name("Abbas\u00a0Gallyamov", "Abbas Gallyamov")
    assert _same_name("James O'Neill", "James O\u2019Neill")
    assert not _same_name("", "x")
    assert not _same_name("Bill Clinton", "Hillary Clinton")


def test_reader_skips_doubtful_lines_and_reports_bad_ones(tmp_path):
    good = {"article": "a", "ann": "a_x.ann", "start": 0, "end": 3, "mention": "Tom", "speaker": "Tom", "type": "person"}
    path = tmp_path / "dev.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps({**good, "doubtful": True}) + "\n\n")
    assert len(_read(path)) == 1
    path.write_text(json.dumps({"article": "a"}) + "\n")
    with pytest.raises(OnrecordError) as info:
        _read(path)
    assert info.value.code == "E305" and "line 1" in str(info.value)
    with pytest.raises(OnrecordError):
        _read(tmp_path / "missing.jsonl")


def test_committed_annotations_are_well_formed():
    from pathlib import Path

    from onrecord.model import ENTITY_TYPES

    folder = Path(__file__).resolve().parents[1] / "annotations" / "speakers"
    sets = [_read(folder / name) for name in ("dev.jsonl", "held-out.jsonl", "test.jsonl")]
    assert [len(items) >= least for items, least in zip(sets, (300, 1000, 500))] == [True] * 3
    assert all(item["type"] in ENTITY_TYPES for items in sets for item in items)
    articles = [{item["article"] for item in items} for items in sets]
    assert sum(map(len, articles)) == len(set().union(*articles)) >= 80  # no article in two sets


def test_a_source_is_scored_on_the_prediction_that_overlaps_it_most():
    from onrecord.evaluate.speakers import _source_at
    from onrecord.model import Attribution, Span

    short = Attribution("a1", "direct", [Span(0, 5, "Mayor")], [], [])
    long = Attribution("a2", "direct", [Span(0, 14, "The Mayor Jane")], [], [])
    assert _source_at([short, long], 4, 14) is long
    assert _source_at([short, long], 20, 30) is None
    assert _source_at([long, short], 0, 5) is short  # its own span first, though "long" overlaps as much


@pytest.mark.slow
def test_end_to_end_scores_what_a_preset_extracts(tmp_path):
    from pathlib import Path

    from onrecord.evaluate.speakers import evaluate_speakers

    root = Path(__file__).resolve().parents[2] / "shared" / "polnear"
    lines = (Path(__file__).resolve().parents[1] / "annotations" / "speakers" / "dev.jsonl").read_text().splitlines()
    article = json.loads(lines[0])["article"]
    first = [line for line in lines if json.loads(line)["article"] == article]  # the first article's sources
    path = tmp_path / "one.jsonl"
    path.write_text("\n".join(first) + "\n")
    gold = evaluate_speakers(root, path)
    rules = evaluate_speakers(root, path, model="rules")
    assert gold.total == rules.total == len(first) and gold.model is None and rules.model == "rules"
    assert 0 < rules.found <= rules.total and rules.speaker_correct == rules.found_correct  # unfound: wrong
    assert rules.as_dict()["attributions"] == "rules" and "sources_found" in rules.as_dict()
