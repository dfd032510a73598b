"""extract_many on a Dask cluster: order, errors passed on, a failing batch, an unreachable scheduler.

The fast tests run an in-process cluster (threads, not processes) so that a stand-in extractor,
patched into this process, is what the workers run; the slow one runs the real preset on a local
cluster of worker processes.
"""

from __future__ import annotations

import sys
from dataclasses import replace

import pytest

distributed = pytest.importorskip("distributed")

from onrecord import _dask, pipeline  # noqa: E402
from onrecord.errors import OnrecordError  # noqa: E402
from onrecord.model import Document  # noqa: E402


class _Stamp:
    """Stands in for an Extractor: marks each document as read."""

    def pipe(self, documents):
        for doc in documents:
            if "boom" in doc.text:
                raise RuntimeError("the worker fell over")
            yield replace(doc, model=f"read:{doc.text}")


@pytest.fixture
def cluster(monkeypatch):
    monkeypatch.setattr(pipeline, "_shared_extractor", lambda spacy_model, preset: _Stamp())
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as local:
        yield local.scheduler_address


def _run(inputs, scheduler):
    return list(pipeline.extract_many(inputs, model="rules", scheduler=scheduler))


def test_results_come_back_in_input_order_with_input_errors_in_place(cluster):
    bad = OnrecordError("E101", "no such file", path="missing.txt")
    inputs = [Document(text=f"article {i}", id=f"a{i}") for i in range(37)]
    inputs.insert(13, bad)
    out = _run(inputs, cluster)
    assert out[13] is not None and isinstance(out[13], OnrecordError) and out[13].code == "E101"
    read = [d for d in out if isinstance(d, Document)]
    assert [d.model for d in read] == [f"read:article {i}" for i in range(37)]


def test_a_failing_article_is_an_error_and_the_rest_go_on(cluster):
    inputs = [Document(text="fine one", id="a"), Document(text="boom", id="b"), Document(text="fine two", id="c")]
    out = _run(inputs, cluster)
    assert [getattr(d, "model", None) for d in out] == ["read:fine one", None, "read:fine two"]
    assert out[1].code == "E401" and out[1].path == "b"


def test_a_batch_the_cluster_loses_is_one_error_per_article(cluster, monkeypatch):
    def dies(batch, spacy_model, preset):
        raise MemoryError("killed")

    monkeypatch.setattr(_dask, "_extract_batch", dies)
    out = _run([Document(text="x", id="x1"), Document(text="y", id="y1")], cluster)
    assert [(e.code, e.path) for e in out] == [("E404", "x1"), ("E404", "y1")]
    assert "MemoryError: killed" in str(out[0])


def test_an_unreachable_scheduler_is_e403(monkeypatch):
    monkeypatch.setattr(_dask, "_CONNECT_TIMEOUT", "1s")
    with pytest.raises(OnrecordError) as caught:
        _run([Document(text="x")], "tcp://127.0.0.1:9")
    assert caught.value.code == "E403" and "tcp://127.0.0.1:9" in str(caught.value)


def test_without_the_extra_it_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(OnrecordError) as caught:
        _run([Document(text="x")], "local")
    assert caught.value.code == "E402" and "onrecord[dask]" in str(caught.value)


@pytest.mark.slow
def test_a_local_cluster_of_processes_reads_like_one_process():
    texts = ['"We will win," the senator said.', "The mayor said the bridge would reopen next year."]
    alone = [d.to_dict() for d in pipeline.extract_many([Document(text=t) for t in texts], model="rules")]
    on_dask = [d.to_dict() for d in pipeline.extract_many([Document(text=t) for t in texts], model="rules", scheduler="local", workers=2)]
    assert on_dask == alone and alone[1]["forecasts"]


@pytest.mark.slow
def test_extract_on_the_command_line_with_dask_local(tmp_path, capsys):
    from onrecord.cli import main

    article = tmp_path / "a.txt"
    article.write_text("The mayor said the bridge would reopen next year.\n", encoding="utf-8")
    assert main(["extract", str(article), "--model", "rules", "--format", "json"]) == 0
    alone = capsys.readouterr().out
    assert main(["extract", str(article), "--model", "rules", "--format", "json", "--dask", "local"]) == 0
    assert capsys.readouterr().out == alone


def test_an_unreachable_scheduler_on_the_command_line_is_one_line_and_exit_69(tmp_path, capsys, monkeypatch):
    from onrecord.cli import main

    monkeypatch.setattr(_dask, "_CONNECT_TIMEOUT", "1s")
    article = tmp_path / "a.txt"
    article.write_text("He said so.\n", encoding="utf-8")
    assert main(["extract", str(article), "--model", "rules", "--dask", "tcp://127.0.0.1:9"]) == 69  # EX_UNAVAILABLE
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "[E403]" in err[0]


def test_ingest_into_the_ledger_with_an_unreachable_scheduler_stores_nothing_and_exits_69(tmp_path, capsys, monkeypatch):
    from onrecord.cli import main

    monkeypatch.setattr(_dask, "_CONNECT_TIMEOUT", "1s")
    article = tmp_path / "a.txt"
    article.write_text("He said so.\n", encoding="utf-8")
    db = tmp_path / "l.db"
    assert main(["ingest", str(article), "--db", str(db), "--model", "rules", "--dask", "tcp://127.0.0.1:9"]) == 69
    assert "[E403]" in capsys.readouterr().err
