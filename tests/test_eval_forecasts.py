"""``evaluate_forecasts``: the annotation reader, span matching, speaker rule and scoring (no model load but the slow test)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onrecord.errors import OnrecordError
from onrecord.evaluate.forecasts import (
    ForecastReport,
    read_forecast_annotations,
    same_speaker,
    score_article,
)
from onrecord.model import Forecast, Span, SpeakerRef

ROOT = Path(__file__).resolve().parents[1]
POLNEAR = ROOT.parent / "shared" / "polnear"
ANNOTATIONS = ROOT / "annotations" / "forecasts" / "dev.jsonl"

TEXT = 'Smith said the plant will close next year. Jones said "prices will rise." Lee said rain is likely.'


def _gold(piece: str, speaker: str, text: str = TEXT) -> dict:
    start = text.index(piece)
    return {"start": start, "end": start + len(piece), "text": piece, "speaker": speaker}


def _pred(piece: str, speaker: str | None = None, text: str = TEXT, extra: int = 0) -> Forecast:
    start = text.index(piece)
    end = start + len(piece) + extra
    ref = SpeakerRef(id="e1", name=speaker, type="person") if speaker else None
    return Forecast(id="f1", text=Span(start, end, text[start:end]), speaker=ref)


def test_overlap_exact_and_speaker_counts():
    gold = [
        _gold("the plant will close next year", "John Smith"),
        _gold("prices will rise", "Mary Jones"),
        _gold("rain is likely", "Lee"),
    ]
    predicted = [
        _pred("the plant will close next year", "Smith", extra=1),  # keeps the period: still exact
        _pred("prices will rise", "Smith"),  # exact span, wrong speaker
        _pred("Lee said rain is likely", "Lee"),  # 14/23 characters: overlap match, not exact
        _pred("Smith said", "Smith"),  # no overlap with any gold: false positive
    ]
    score = score_article("a.txt", TEXT, gold, predicted)
    assert (score.gold, score.predicted, score.matched, score.exact, score.speaker_correct) == (3, 4, 3, 2, 2)
    assert (score.overlap_tally.tp, score.overlap_tally.fp, score.overlap_tally.fn) == (3, 1, 0)
    assert (score.exact_tally.tp, score.exact_tally.fp, score.exact_tally.fn) == (2, 2, 1)
    kinds = sorted(e["kind"] for e in score.errors)
    assert kinds == ["false_positive", "speaker"]
    fp = next(e for e in score.errors if e["kind"] == "false_positive")
    assert fp["text"] == "Smith said" and fp["got_speaker"] == "Smith"


def test_below_half_jaccard_is_a_miss_and_a_false_positive():
    gold = [_gold("the plant will close next year", "Smith")]
    wide = [_pred("Smith said the plant will close next year. Jones", "Smith")]  # 30/48 characters
    assert score_article("a.txt", TEXT, gold, wide).matched == 1
    short = [_pred("next year", "Smith")]  # 9/30 characters
    score = score_article("a.txt", TEXT, gold, short)
    assert (score.matched, score.exact) == (0, 0)
    assert sorted(e["kind"] for e in score.errors) == ["false_positive", "miss"]


def test_matching_is_one_to_one_and_best_first():
    gold = [_gold("the plant will close next year", "Smith")]
    predicted = [_pred("the plant will close", "Smith"), _pred("the plant will close next year", "Smith")]
    score = score_article("a.txt", TEXT, gold, predicted)
    assert (score.matched, score.exact, score.predicted) == (1, 1, 2)
    fp = [e for e in score.errors if e["kind"] == "false_positive"]
    assert [e["text"] for e in fp] == ["the plant will close"]


def test_no_speaker_is_wrong_and_empty_article_counts_false_positives():
    score = score_article("a.txt", TEXT, [_gold("prices will rise", "Mary Jones")], [_pred("prices will rise")])
    assert (score.matched, score.speaker_correct) == (1, 0)
    score = score_article("b.txt", TEXT, [], [_pred("rain is likely", "Lee")])
    assert (score.gold, score.predicted, score.matched) == (0, 1, 0)


def test_speaker_rule():
    assert same_speaker("the Tax Policy Center", "Tax Policy Center")
    assert same_speaker("Lynch", "Stephen Lynch")
    assert same_speaker("Donald Trump", "Trump’s")
    assert same_speaker("President Obama", "Obama")
    assert same_speaker("The S.E.C.", "Securities and Exchange Commission")
    assert same_speaker("Federal Bureau of Investigation", "FBI")
    assert not same_speaker("SEC", "Federal Bureau of Investigation")
    assert not same_speaker("Bill Clinton", "Ed Rendell")
    assert not same_speaker("", "Ed Rendell")
    assert not same_speaker("Rendell", "")


def test_report_micro_averages_and_interval():
    gold = [_gold("the plant will close next year", "Smith"), _gold("prices will rise", "Jones")]
    a = score_article("a.txt", TEXT, gold, [_pred("the plant will close next year", "Smith")])
    b = score_article("b.txt", TEXT, [], [_pred("rain is likely", "Lee")])
    report = ForecastReport(model="rules", annotations="x", articles=[a, b])
    t = report.overlap
    assert (t.tp, t.fp, t.fn) == (1, 1, 1)
    assert t.f1 == pytest.approx(0.5)
    assert report.speaker_accuracy == 1.0
    low, high = report.f1_interval()
    assert 0.0 <= low <= high <= 1.0
    d = report.to_dict()
    assert d["overlap"]["f1"] == 0.5 and d["articles"] == 2 and len(d["per_article"]) == 2
    assert ForecastReport(model="rules", annotations="x").f1_interval() == (0.0, 0.0)


def test_reader_keeps_empty_articles_and_reports_bad_lines(tmp_path):
    path = tmp_path / "dev.jsonl"
    item = {"start": 0, "end": 3, "text": "Tom", "speaker": "Tom", "estimative": None, "horizon": None}
    path.write_text(json.dumps({"file": "a.txt", "forecasts": [item]}) + "\n" + json.dumps({"file": "b", "forecasts": []}) + "\n\n")
    got = read_forecast_annotations(path)
    assert list(got) == ["a.txt", "b.txt"] and got["b.txt"] == []
    for bad in ({"file": "a.txt"}, {"file": "a.txt", "forecasts": [{"start": 0}]}, {"file": 3, "forecasts": []}):
        path.write_text(json.dumps(bad) + "\n")
        with pytest.raises(OnrecordError) as info:
            read_forecast_annotations(path)
        assert info.value.code == "E305" and "line 1" in str(info.value)
    path.write_text(json.dumps({"file": "a.txt", "forecasts": []}) + "\n" + json.dumps({"file": "a", "forecasts": []}) + "\n")
    with pytest.raises(OnrecordError):
        read_forecast_annotations(path)
    with pytest.raises(OnrecordError):
        read_forecast_annotations(tmp_path / "missing.jsonl")


def test_committed_annotations_are_well_formed():
    got = read_forecast_annotations(ANNOTATIONS)
    assert len(got) == 20
    assert sum(len(items) for items in got.values()) >= 40
    for items in got.values():
        for item in items:
            assert item["text"] == item["text"].strip() and item["start"] < item["end"]
            assert item["end"] - item["start"] == len(item["text"])
    if (POLNEAR / "data" / "dev" / "text").is_dir():  # the selection rule in GUIDE.md, and every offset
        names = sorted(p.name for p in (POLNEAR / "data" / "dev" / "text").glob("*.txt"))
        assert list(got) == names[1::4][:20]
        for name, items in got.items():
            text = (POLNEAR / "data" / "dev" / "text" / name).read_text(encoding="utf-8")
            assert all(text[i["start"] : i["end"]] == i["text"] for i in items)


#: A little under the measured overlap F1 of ``rules`` (0.667 on 2026-12-06, P 0.707, R 0.630, after the rules
#: were tuned on these articles; 0.482 blind before), so regressions fail.
FLOOR_RULES_F1 = 0.60


HELDOUT = ROOT / "annotations" / "forecasts" / "heldout.jsonl"

#: A little under the measured overlap F1 of ``rules`` on the held-out set: 0.482 blind (2026-12-06: P 0.600,
#: R 0.403; 27 TP, 18 FP, 40 FN), 0.530 after rules its error list suggested and paragraph starts (P 0.620, R 0.463), so regressions fail.
FLOOR_RULES_HELDOUT_F1 = 0.48


TEST_SET = ROOT / "annotations" / "forecasts" / "test.jsonl"

#: A little under the measured overlap F1 of ``rules`` on the blind test set (0.585 on 2026-12-06: P 0.600,
#: R 0.571; 36 TP, 24 FP, 27 FN). Nobody tunes on this set (annotations/forecasts/GUIDE.md): the floor only
#: catches regressions; do not raise it by fixing the rules against these articles.
FLOOR_RULES_TEST_F1 = 0.55


def test_test_set_annotations_are_well_formed():
    got = read_forecast_annotations(TEST_SET)
    assert len(got) == 20
    assert sum(len(items) for items in got.values()) == 63
    if (POLNEAR / "data" / "dev" / "text").is_dir():  # the selection rule in GUIDE.md, and every offset
        names = sorted(p.name for p in (POLNEAR / "data" / "dev" / "text").glob("*.txt"))
        assert list(got) == names[0::4][:20]
        assert not set(got) & (set(read_forecast_annotations(ANNOTATIONS)) | set(read_forecast_annotations(HELDOUT)))
        for name, items in got.items():
            text = (POLNEAR / "data" / "dev" / "text" / name).read_text(encoding="utf-8")
            assert all(text[i["start"] : i["end"]] == i["text"] for i in items)


@pytest.mark.slow
@pytest.mark.parametrize("which", ["dev", "heldout", "test"])
def test_rules_model_keeps_its_score_on_each_annotated_set(which):
    if not (POLNEAR / "data" / "dev").is_dir():
        pytest.skip("PolNeAR is not at ../shared/polnear")
    from onrecord.evaluate.forecasts import evaluate_forecasts

    path, floor = {"dev": (ANNOTATIONS, FLOOR_RULES_F1), "heldout": (HELDOUT, FLOOR_RULES_HELDOUT_F1),
                   "test": (TEST_SET, FLOOR_RULES_TEST_F1)}[which]
    report = evaluate_forecasts(POLNEAR, path, model="rules")
    assert len(report.articles) == 20
    assert report.overlap.f1 >= floor, report.to_dict()["overlap"]


@pytest.mark.slow
def test_eval_forecasts_on_the_command_line(tmp_path, capsys):
    if not (POLNEAR / "data" / "dev").is_dir():
        pytest.skip("PolNeAR is not at ../shared/polnear")
    import json

    from onrecord.cli import main

    out = tmp_path / "scores.json"
    assert main(["eval", "forecasts", str(POLNEAR), "--annotations", str(HELDOUT), "--model", "rules", "--json", str(out)]) == 0
    assert "forecasts, model rules: 20 articles" in capsys.readouterr().out
    assert json.loads(out.read_text())["rules"]["overlap"]["f1"] >= FLOOR_RULES_HELDOUT_F1
