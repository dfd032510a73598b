"""``onrecord bench`` plumbing: the child-process protocol, the report, the options.

The fast tests use the built-in ``noop`` configuration (no NLP), so they
exercise the real subprocess path without loading a model.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from onrecord import bench
from onrecord.bench import BenchReport, BenchResult, MachineInfo, format_report, load_texts, run_benchmark
from onrecord.errors import InputError

SHARED = Path(__file__).resolve().parents[2] / "shared"
TEXTS = ["One short article.", "Another one, said nobody.", "A third.", "Fourth and last."]


def _report() -> BenchReport:
    return BenchReport(
        machine=MachineInfo(2, 2, "Test CPU 9000", "3.11.7", "3.8.0", "Linux"),
        articles=84,
        results=[
            BenchResult("spacy", 1, 84, 10.0, 0.5, 380.25, "en_core_web_sm@3.8.0"),
            BenchResult("spacy", 2, 84, 6.0, 0.5, 371.0, "en_core_web_sm@3.8.0"),
            BenchResult("rules", 1, 84, 12.5, 0.75, 402.0, "en_core_web_sm@3.8.0"),
            BenchResult("rules", 2, error="ModuleNotFoundError: No module named 'onrecord.pipeline'"),
        ],
    )


def test_rate_excludes_load_and_survives_zero_time() -> None:
    assert BenchResult("spacy", 1, 84, 10.0, 99.0).rate == pytest.approx(8.4)
    assert BenchResult("spacy", 1, 84, 0.0).rate == 0.0


def test_format_report_is_an_aligned_table_with_the_machine() -> None:
    out = format_report(_report())
    assert "2 cores" in out and "Test CPU 9000" in out and "python 3.11.7" in out and "spaCy 3.8.0" in out
    lines = out.splitlines()
    head = next(i for i, ln in enumerate(lines) if ln.startswith("configuration"))
    rows = lines[head + 2 : head + 6]
    assert len(rows) == 4
    # right-aligned numeric columns end at the same place as their headers
    for col in ("processes", "articles/s", "seconds", "peak MB"):
        edge = lines[head].index(col) + len(col)
        for row in rows:
            assert row[edge - 1] != " ", (col, row)
            assert row[edge : edge + 1] in ("", " ")
    assert "8.40" in rows[0] and "10.00" in rows[0] and "380" in rows[0] and "0.50" in rows[0]
    assert "14.00" in rows[1]
    assert "failed" in rows[3]
    assert "No module named 'onrecord.pipeline'" in out


def test_report_to_dict_is_json_with_rates() -> None:
    d = json.loads(json.dumps(_report().to_dict()))
    assert d["machine"]["cpu"] == "Test CPU 9000"
    assert [r["rate"] for r in d["results"]] == [8.4, 14.0, 6.72, 0.0]
    assert d["results"][3]["error"].startswith("ModuleNotFoundError")


def test_child_protocol_by_hand() -> None:
    config = json.dumps({"config": "noop", "workers": 1})
    proc = subprocess.run(
        [sys.executable, "-m", "onrecord.bench", "--_one", config],
        input=json.dumps(TEXTS),
        capture_output=True,
        text=True,
        check=True,
    )
    line = proc.stdout.strip().splitlines()[-1]
    assert line.startswith("ONRECORD-BENCH ")
    payload = json.loads(line.removeprefix("ONRECORD-BENCH "))
    assert payload["articles"] == len(TEXTS)
    assert payload["processes"] == 1
    assert payload["peak_mb"] > 1
    assert payload["error"] is None


def test_run_benchmark_runs_each_configuration_in_a_child() -> None:
    report = run_benchmark(TEXTS, workers=(1, 2), configs=("noop",))
    assert report.articles == len(TEXTS)
    assert [(r.config, r.processes) for r in report.results] == [("noop", 1), ("noop", 2)]
    for r in report.results:
        assert r.error is None
        assert r.articles == len(TEXTS)
        assert r.seconds >= 0 and r.peak_mb > 1
    assert report.machine.cores >= 1 and report.machine.python


def test_a_failing_child_is_recorded_not_raised() -> None:
    result = bench._run_child({"config": "noop", "workers": "many"}, TEXTS)
    assert result.error is not None and "ValueError" in result.error
    assert result.rate == 0.0


def test_unknown_configuration_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown benchmark configuration"):
        run_benchmark(TEXTS, configs=("tensorflow",))


def _corpus(tmp_path: Path) -> Path:
    text_dir = tmp_path / "data" / "dev" / "text"
    text_dir.mkdir(parents=True)
    for name, text in zip("cab", ["third", "first", "second"]):
        (text_dir / f"{name}.txt").write_text(text, encoding="utf-8")
    (text_dir / "notes.md").write_text("not an article", encoding="utf-8")
    return tmp_path


def test_load_texts_reads_sorted_dev_articles(tmp_path: Path) -> None:
    root = _corpus(tmp_path)
    assert load_texts(root) == ["first", "second", "third"]
    assert load_texts(root, limit=2) == ["first", "second"]


def test_load_texts_refuses_a_non_corpus(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        load_texts(tmp_path)
    assert err.value.code == "E301"


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    bench.add_arguments(parser)
    return parser.parse_args(argv)


def test_arguments_defaults_and_validation() -> None:
    args = _parse([])
    assert args.root == "../shared/polnear" and args.workers == (1, 2) and args.limit is None
    assert _parse(["--workers", "1,2,4"]).workers == (1, 2, 4)
    for bad in (["--workers", "0"], ["--limit", "-2"], ["--json", "/no/such/folder/report.json"]):
        with pytest.raises(SystemExit):  # refused before any run: a typo must not cost a benchmark
            _parse(bad)


def test_main_prints_table_and_writes_json(tmp_path: Path, capsys) -> None:
    root = _corpus(tmp_path)
    out = tmp_path / "bench.json"
    rc = bench.main(_parse([str(root), "--configs", "noop", "--workers", "1", "--limit", "2", "--json", str(out)]))
    assert rc == 0
    printed = capsys.readouterr().out
    assert "harness only" in printed and "articles: 2" in printed
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["articles"] == 2 and data["results"][0]["articles"] == 2


def test_main_reports_a_missing_corpus(tmp_path: Path, capsys) -> None:
    assert bench.main(_parse([str(tmp_path / "nowhere")])) == 2
    assert "E301" in capsys.readouterr().err


@pytest.mark.slow
def test_real_configurations_on_three_polnear_articles() -> None:
    texts = load_texts(SHARED / "polnear", limit=3)
    assert len(texts) == 3
    report = run_benchmark(texts, workers=(1,))
    assert [r.config for r in report.results] == ["spacy", "rules", "fast", "accurate"]
    assert [r.error for r in report.results] == [None] * 4
    assert all(r.articles == 3 and r.rate > 0 and r.peak_mb > 50 for r in report.results)


@pytest.mark.slow
def test_accuracy_summary_table(tmp_path: Path, capsys) -> None:
    out = tmp_path / "bench.json"
    args = _parse([str(SHARED / "polnear"), "--model", "rules", "--workers", "1", "--limit", "2", "--accuracy", "--json", str(out)])
    assert bench.main(args) == 0
    printed = capsys.readouterr().out
    assert "| model | source F1 | cue F1 | content F1 | art/s x1 | peak MB x1 |" in printed
    report = json.loads(out.read_text())
    assert set(report["accuracy"]) == {"rules"} and 0 < report["accuracy"]["rules"]["source"] <= 1
