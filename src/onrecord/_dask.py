"""``extract_many`` on a Dask cluster: batches go to Dask workers, results come back in input order.

A laptop spreads a corpus over its cores with a process pool (``extract_many(workers=N)``); a
cluster does the same through Dask's distributed scheduler, which onrecord reaches by address
(``tcp://scheduler:8786``) or starts on this machine (``"local"``, one worker process per
``workers``). Each Dask worker loads the preset once, on its first batch, and keeps it for the
rest (``pipeline._shared_extractor``), so the workers need onrecord and the spaCy model
installed, as the scheduler's own machine does.

Input is read lazily and only a bounded number of batches is in flight at once, so memory stays
flat however long the corpus; results are yielded in input order. A batch whose worker dies or
that fails on the cluster comes back as one error per document (E404), and the run goes on.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from typing import Any

from .errors import E, ClusterError, OnrecordError
from .model import Document

__all__ = ["extract_on_dask"]

_IN_FLIGHT_PER_WORKER = 4  # batches queued per worker: enough to keep each busy, few enough to bound memory
_CONNECT_TIMEOUT = "10s"


def extract_on_dask(
    batches: Iterable[list[Document | OnrecordError]],
    *,
    scheduler: str,
    workers: int,
    spacy_model: str,
    preset: str,
) -> Iterator[Document | OnrecordError]:
    """Run each batch through ``preset`` on the Dask cluster at ``scheduler`` (or ``"local"``), in order."""
    distributed = _import_distributed()
    with ExitStack() as stack:  # closes the client, then the cluster it started, if any
        client = _client(distributed, scheduler, workers, stack)
        width = max(1, len(client.scheduler_info().get("workers", {})) or workers) * _IN_FLIGHT_PER_WORKER
        pending: deque[tuple[list[Document | OnrecordError], Any]] = deque()
        for batch in batches:
            pending.append((batch, client.submit(_extract_batch, batch, spacy_model, preset, pure=False)))
            if len(pending) >= width:
                yield from _collect(*pending.popleft())
        while pending:
            yield from _collect(*pending.popleft())


def _extract_batch(batch: list[Document | OnrecordError], spacy_model: str, preset: str) -> list[Document | OnrecordError]:
    """What a Dask worker runs: the batch through this worker's own copy of the preset."""
    from .pipeline import _pipe_safely, _shared_extractor

    os.environ.setdefault("ONRECORD_THREADS", "1")  # one onnxruntime thread per worker: the workers are the parallelism
    return list(_pipe_safely(_shared_extractor(spacy_model, preset), batch))


def _collect(batch: list[Document | OnrecordError], future: Any) -> list[Document | OnrecordError]:
    try:
        return future.result()
    except OnrecordError:
        raise  # the model could not load on the worker (E201, E203): every batch would fail alike
    except Exception as err:  # a worker that died, a task the cluster gave up on
        detail = f"{type(err).__name__}: {err}".strip()
        return [
            item if isinstance(item, OnrecordError) else OnrecordError("E404", E.E404.format(detail=detail), path=item.id)
            for item in batch
        ]


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError as err:
        raise ClusterError("E402", E.E402.format(detail=err.name or str(err))) from err
    return distributed


def _client(distributed: Any, scheduler: str, workers: int, stack: ExitStack) -> Any:
    """A client of the cluster at ``scheduler``, or of a new local one of ``workers`` processes; ``stack`` closes both."""
    if scheduler == "local":
        cluster = stack.enter_context(
            distributed.LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True, dashboard_address=None)
        )
        return stack.enter_context(distributed.Client(cluster))
    try:
        client = distributed.Client(scheduler, timeout=_CONNECT_TIMEOUT)
    except Exception as err:  # OSError, TimeoutError, ValueError for a bad address: all mean no cluster there
        raise ClusterError("E403", E.E403.format(address=scheduler, detail=f"{type(err).__name__}: {err}")) from err
    return stack.enter_context(client)
