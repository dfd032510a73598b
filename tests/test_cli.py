"""The command line end to end: formats, batches, bad input, exit codes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from onrecord.render import check_offsets, validate

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "seed-article.txt"

pytestmark = pytest.mark.e2e


def run(*args, stdin=None, env=None):
    import os

    full_env = dict(os.environ, **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "onrecord.cli", *args],
        input=stdin, capture_output=True, text=True, env=full_env, timeout=300,
    )


def test_json_for_one_input_is_one_valid_object():
    proc = run("extract", str(SEED), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout)
    validate(obj)
    assert check_offsets(obj) == []
    assert obj["text"] == SEED.read_text(encoding="utf-8")
    assert any(a["speaker"] and a["speaker"]["name"] == "Abbas Gallyamov" for a in obj["attributions"])


def test_bad_inputs_are_reported_and_the_rest_still_printed(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"\x00\x01\x02binary")
    good = tmp_path / "good.txt"
    good.write_text('"We will win," the mayor said.\n')
    proc = run("extract", str(empty), str(tmp_path / "missing.txt"), str(good), str(binary), "--format", "json")
    assert proc.returncode == 2
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [obj["id"] for obj in lines] == [str(good)]
    errors = [line for line in proc.stderr.splitlines() if "skipped" in line and ":" in line]
    assert len([e for e in errors if "[E1" in e]) == 3
    assert any(str(empty) in e for e in errors) and any("missing.txt" in e for e in errors)


def test_several_inputs_give_json_lines_in_input_order_with_workers(tmp_path):
    paths = []
    for i in range(5):
        p = tmp_path / f"a{i}.txt"
        p.write_text(f'"Point number {i} stands," the analyst said.\n')
        paths.append(str(p))
    proc = run("extract", *paths, "--format", "json", "--workers", "2")
    assert proc.returncode == 0, proc.stderr
    objs = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["id"] for o in objs] == paths
    assert all(o["attributions"][0]["cue"][0]["text"] == "said" for o in objs)


def test_stdin_and_table_output():
    proc = run("extract", "-", "--color", "always", stdin="The minister said that the talks had failed.\n")
    assert proc.returncode == 0, proc.stderr
    assert "\x1b[" in proc.stdout and "the minister" in proc.stdout.lower()


def test_brat_output_directory(tmp_path):
    proc = run("extract", str(SEED), "--format", "brat", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    ann = (tmp_path / "seed-article.ann").read_text()
    assert "\tCue " in ann and "\nE1\t" in "\n" + ann
    assert (tmp_path / "seed-article.txt").read_text() == SEED.read_text()


def test_out_never_overwrites_an_input_or_another_inputs_output(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.txt").write_text('The mayor said "the bridge opens in May".\n')
    own = run("extract", str(tmp_path / "a" / "x.txt"), "--model", "rules", "--out", str(tmp_path / "a"))
    assert own.returncode == 2 and "E112" in own.stderr and "the input itself" in own.stderr
    assert (tmp_path / "a" / "x.txt").read_text().startswith("The mayor said")  # the article, not a table
    out = tmp_path / "out"
    twice = run("extract", str(tmp_path / "a"), str(tmp_path / "b" / "x.txt"), "-m", "rules", "-f", "json", "--out", str(out))
    assert twice.returncode == 2 and "another input's output" in twice.stderr
    assert json.loads((out / "x.json").read_text())["id"] == str(tmp_path / "a" / "x.txt")  # the first one stays
    not_a_folder = run("extract", str(SEED), "-m", "rules", "--out", str(tmp_path / "b" / "x.txt"))
    assert not_a_folder.returncode == 64 and "Traceback" not in not_a_folder.stderr
    folder = run("extract", str(tmp_path / "a"), "-m", "rules", "-f", "brat")
    assert folder.returncode == 64 and "needs --out" in folder.stderr


def test_out_never_overwrites_an_input_read_later_in_the_same_run(tmp_path):
    """a.html's table would be a.txt: the article of that name, read after it, must survive."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.html").write_text('<html><body><article><p>The senator said "taxes will rise" on Monday, and her '
                                   "aides said the budget would follow soon.</p></article></body></html>")
    article = 'The mayor said "the bridge opens in May".\n'
    (folder / "a.txt").write_text(article)
    proc = run("extract", str(folder), "--model", "rules", "--out", str(folder))
    assert proc.returncode == 2 and "an input of this run" in proc.stderr and "the input itself" in proc.stderr
    assert (folder / "a.txt").read_text() == article


def _warc(path: Path, pages: int) -> Path:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter
    import io

    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for i in range(pages):
            html = (f'<html><body><article><p>The minister said "all is well, number {i}" on Monday, and the opposition '
                    "leader said the government was wrong about the economy.</p></article></body></html>").encode()
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            record = writer.create_warc_record(f"https://news.example/a{i}", "response", payload=io.BytesIO(html),
                                               http_headers=headers)
            writer.write_record(record)
    return path


def test_one_archive_of_several_articles_gives_json_lines_and_a_file_per_record(tmp_path):
    crawl = _warc(tmp_path / "crawl.warc.gz", 3)
    printed = run("extract", str(crawl), "--model", "rules", "--format", "json")
    assert printed.returncode == 0, printed.stderr
    assert [json.loads(line)["id"] for line in printed.stdout.splitlines()] == [f"{crawl}#{n}" for n in (1, 2, 3)]
    out = tmp_path / "out"
    written = run("extract", str(crawl), "--model", "rules", "--format", "json", "--out", str(out))
    assert written.returncode == 0, written.stderr
    assert sorted(p.name for p in out.iterdir()) == [f"crawl.warc.gz-{n}.json" for n in (1, 2, 3)]
    one = run("extract", str(_warc(tmp_path / "one.warc.gz", 1)), "--model", "rules", "--format", "json")
    assert json.loads(one.stdout)["id"].endswith("one.warc.gz#1")  # a lone article is still one JSON object


def test_a_model_that_cannot_load_stops_a_run_with_workers_too():
    proc = run("extract", str(SEED), "--workers", "2", "--spacy-model", "no_such_model_zz")
    assert proc.returncode == 3 and proc.stderr.count("E201") == 1 and "Traceback" not in proc.stderr


def test_missing_spacy_model_says_how_to_install():
    proc = run("extract", str(SEED), "--spacy-model", "no_such_model_xx")
    assert proc.returncode == 3
    assert "pip install" in proc.stderr and "E201" in proc.stderr


def test_environment_variable_chooses_the_model():
    proc = run("extract", str(SEED), env={"ONRECORD_SPACY_MODEL": "no_such_model_yy"})
    assert proc.returncode == 3 and "no_such_model_yy" in proc.stderr


def test_size_limit_is_user_settable(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("The mayor said it. " * 100)
    proc = run("extract", str(big), "--max-bytes", "100")
    assert proc.returncode == 2 and "E106" in proc.stderr


def test_wrong_command_line_exits_64():
    assert run("extract", str(SEED), "--format", "xml").returncode == 64
    zero = run("extract", str(SEED), "--max-bytes", "0")
    assert zero.returncode == 64 and "Traceback" not in zero.stderr and "above 0" in zero.stderr


@pytest.mark.parametrize("preset", ["rules", "fast", "accurate"])
def test_every_preset_from_the_command_line(preset):
    proc = run("extract", str(SEED), "--format", "json", "--model", preset)
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout)
    validate(obj)
    assert check_offsets(obj) == []
    assert obj["document"]["model"].startswith(f"onrecord-{preset}@")
    assert obj["document"]["publisher"] == "Business Insider"


def test_unknown_preset_is_a_usage_error():
    proc = run("extract", str(SEED), "--model", "huge")
    assert proc.returncode == 64
    assert "unknown preset 'huge'" in proc.stderr and "rules, fast, accurate" in proc.stderr


def test_chains_command_in_each_format(tmp_path):
    text = run("chains", str(SEED))
    assert text.returncode == 0, text.stderr
    assert "Business Insider ← The Daily Beast ← Mozhem Obyasnit ← Abbas Gallyamov" in text.stdout
    dot = run("chains", str(SEED), "--format", "dot", "--publisher", "Insider")
    assert dot.returncode == 0 and dot.stdout.startswith("digraph") and '"Insider (media_outlet)"' in dot.stdout
    out = tmp_path / "out"
    mer = run("chains", str(SEED), "--format", "mermaid", "--out", str(out))
    assert mer.returncode == 0, mer.stderr
    assert (out / "seed-article.mmd").read_text().startswith("flowchart LR")


def test_eval_speakers_command(tmp_path):
    report = tmp_path / "speakers.json"
    folder = ROOT / "annotations" / "speakers"
    proc = run("eval", "speakers", str(ROOT.parent / "shared" / "polnear"), "--json", str(report),
               "--annotations", str(folder / "dev.jsonl"), "--annotations", str(folder / "held-out.jsonl"))
    assert proc.returncode == 0, proc.stderr
    assert "resolved-speaker accuracy" in proc.stdout and "held-out.jsonl: " in proc.stdout
    scores = json.loads(report.read_text())
    assert scores["sources"] == sum(part["sources"] for part in scores["files"].values()) >= 1300


def test_bad_option_values_are_usage_errors_before_any_work(tmp_path):
    for args in (["extract", str(SEED), "--workers", "0"], ["extract", str(SEED), "--encoding", "no-such-codec"],
                 ["search", " "], ["quotes", "--limit", "-1"], ["speakers", "--top", "0"],
                 ["export", "-f", "csv", "--out", str(tmp_path / "missing" / "x.csv")],
                 ["eval", "polnear", str(tmp_path), "--json", str(tmp_path)]):
        proc = run(*args)
        assert proc.returncode == 64 and "Traceback" not in proc.stderr, (args, proc.stderr)
    env = run("extract", str(SEED), "-m", "rules", env={"ONRECORD_MAX_BYTES": "abc"})
    assert env.returncode == 64 and "E111" in env.stderr


def test_a_reader_that_stops_early_ends_the_command_quietly():
    # `onrecord extract a b c d -f json | head -c 20`: four seeds' JSON outgrows the pipe's buffer
    proc = subprocess.Popen(
        [sys.executable, "-m", "onrecord.cli", "extract", *[str(SEED)] * 4, "-m", "rules", "-f", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdout.read(20).startswith(b"{")
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 0 and "Traceback" not in err, err
