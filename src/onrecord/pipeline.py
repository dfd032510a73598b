"""From text to a :class:`~onrecord.model.Document` with its attributions.

The flow for every article: normalise the text (keeping a map back), run the
spaCy pipeline with onrecord's component on the normalised text, then map
every span back so that offsets index the user's original text.
:func:`extract_many` spreads a batch over processes and keeps input order;
one article that fails does not stop the others.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import lru_cache
from typing import Any

from . import __version__
from .errors import OnrecordError
from .extraction.presets import check_preset
from .ingest.normalise import Normalised, normalise
from .ingest.readers import url_host
from .model import Attribution, Document
from .nlp.factories import add_paragraph_starts, add_speedups
from .nlp.loader import load_spacy, model_name

__all__ = ["Extractor", "extract", "extract_many"]

_BATCH = 4  # small batches: same speed, peak memory ~290 MB instead of ~500 MB (PolNeAR dev); 8 measured slower


class Extractor:
    """A loaded spaCy pipeline with onrecord's component: build once, reuse for many texts.

    ``model`` is the extraction preset (``rules``, ``fast``, ``accurate``;
    default ``accurate``); learned models load on first use.
    """

    def __init__(
        self, spacy_model: str | None = None, *, model: str | None = None, straighten_quotes: bool = True
    ) -> None:
        self.preset = check_preset(model)
        self.spacy_model = model_name(spacy_model)
        self.nlp = load_spacy(self.spacy_model)
        add_speedups(self.nlp)
        add_paragraph_starts(self.nlp)
        self.nlp.add_pipe("onrecord", config={"model": self.preset})
        self.straighten_quotes = straighten_quotes
        meta = self.nlp.meta
        self.model = f"onrecord-{self.preset}@{__version__}/{meta.get('lang', 'xx')}_{meta['name']}@{meta['version']}"

    def extract(self, text: str, **metadata: Any) -> Document:
        """Read one article given as a string; ``metadata`` fills Document fields."""
        return next(self.pipe([Document(text=text, **metadata)]))

    def pipe(self, documents: Iterable[Document | str], *, batch_size: int = _BATCH) -> Iterator[Document]:
        """Extract from many documents (or plain texts), batched through ``nlp.pipe``, in input order."""
        # Batches keep memory flat however long the input stream is.
        texts_too = (Document(text=d) if isinstance(d, str) else d for d in documents)
        for batch in _batches(texts_too, batch_size):
            norms = [normalise(d.text, straighten_quotes=self.straighten_quotes) for d in batch]
            docs = []
            for document, norm in zip(batch, norms):
                sdoc = self.nlp.make_doc(norm.text)
                sdoc._.onrecord_publisher = document.publisher  # metadata beats what the text suggests
                sdoc._.onrecord_publisher_fallback = url_host(document.url)  # which beats nothing
                sdoc._.onrecord_published = document.published  # forecasts fall due from it
                sdoc._.onrecord_authors = document.authors  # a column's "I" is its writer
                docs.append(sdoc)
            for document, norm, sdoc in zip(batch, norms, self.nlp.pipe(docs, batch_size=len(batch))):
                yield self._to_document(document, norm, sdoc)

    def attributions(self, texts: Iterable[str]) -> Iterator[list[Attribution]]:
        """The attributions of each text, in order: the predictor :func:`~onrecord.evaluate.evaluate_polnear` takes."""
        for doc in self.pipe(Document(text=t) for t in texts):
            yield doc.attributions

    def _to_document(self, document: Document, norm: Normalised, sdoc: Any) -> Document:
        back = norm.spans_to_original
        attributions = [
            replace(a, source=back(a.source), cue=back(a.cue), content=back(a.content))
            for a in sdoc._.onrecord_attributions
        ]
        entities = [replace(e, mentions=back(e.mentions)) for e in sdoc._.onrecord_entities]
        silent = [
            replace(n, mention=back([n.mention])[0], cue=back([n.cue])[0]) for n in sdoc._.onrecord_non_responses or []
        ]
        forecasts = [
            replace(
                f,
                text=back([f.text])[0],
                estimative=back([f.estimative])[0] if f.estimative else None,
                horizon=back([f.horizon])[0] if f.horizon else None,
            )
            for f in sdoc._.onrecord_forecasts or []
        ]
        return replace(
            document,
            forecasts=forecasts,
            publisher=document.publisher or sdoc._.onrecord_publisher,
            attributions=attributions,
            entities=entities,
            non_responses=silent,
            provenance=sdoc._.onrecord_provenance,
            model=self.model,
        )


@lru_cache(maxsize=3)
def _shared_extractor(spacy_model: str, preset: str) -> Extractor:
    return Extractor(spacy_model, model=preset)


def extract(text: str, *, model: str | None = None, spacy_model: str | None = None, **metadata: Any) -> Document:
    """Read one article: ``onrecord.extract(text, model="fast", title=..., publisher=...) -> Document``.

    Models are loaded on first use and kept for later calls.
    """
    return _shared_extractor(model_name(spacy_model), check_preset(model)).extract(text, **metadata)


# --- many documents, many processes ---------------------------------------------------------

_worker: Extractor | None = None
_worker_models: tuple[str, str] | None = None


def _init_worker(spacy_model: str, preset: str) -> None:
    global _worker_models
    # One onnxruntime thread per worker process: the processes are the parallelism.
    os.environ.setdefault("ONRECORD_THREADS", "1")
    _worker_models = (spacy_model, preset)


def _work(batch: list[Document | OnrecordError]) -> list[Document | OnrecordError]:
    # Whole batches per task, so each worker parses through nlp.pipe, not one text at a time.
    global _worker
    if _worker is None:
        # Loaded by the first task, not the pool's initializer: a pool restarts a worker whose
        # initializer fails, forever, while a task's error (E201) reaches the caller.
        assert _worker_models is not None
        spacy_model, preset = _worker_models
        _worker = Extractor(spacy_model, model=preset)
    return list(_pipe_safely(_worker, batch))


def _batches(documents: Iterable[Document | OnrecordError], size: int = _BATCH) -> Iterator[list[Document | OnrecordError]]:
    batch: list[Document | OnrecordError] = []
    for doc in documents:
        batch.append(doc)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _safe_one(extractor: Extractor, document: Document) -> Document | OnrecordError:
    try:
        return next(extractor.pipe([document]))
    except OnrecordError as err:
        return err
    except Exception as err:  # one article must never sink a batch
        return OnrecordError("E401", f"extraction failed ({type(err).__name__}: {err}); please report this with the input", path=document.id)


def extract_many(
    documents: Iterable[Document | OnrecordError],
    *,
    workers: int = 1,
    model: str | None = None,
    spacy_model: str | None = None,
    scheduler: str | None = None,
) -> Iterator[Document | OnrecordError]:
    """Extract from each document with preset ``model``, over ``workers`` processes, in input order.

    With ``scheduler`` the work goes to a Dask cluster instead: the address of its scheduler
    (``"tcp://host:8786"``), or ``"local"`` for a cluster of ``workers`` processes started here
    (needs the ``dask`` extra; see :mod:`onrecord._dask`).

    A document that fails yields an :class:`OnrecordError` in its place, and an error among the
    inputs (as :func:`~onrecord.ingest.iter_documents` yields them for bad files) is passed on in
    its place. A model that cannot load raises its :class:`ModelError`, with or without workers.
    """
    name = model_name(spacy_model)
    preset = check_preset(model)
    if scheduler is not None:
        from ._dask import extract_on_dask

        yield from extract_on_dask(_batches(documents), scheduler=scheduler, workers=workers, spacy_model=name, preset=preset)
        return
    if workers <= 1:
        extractor = _shared_extractor(name, preset)
        for batch in _batches(documents):
            yield from _pipe_safely(extractor, batch)
        return
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with ctx.Pool(workers, initializer=_init_worker, initargs=(name, preset)) as pool:
        for results in pool.imap(_work, _batches(documents)):
            yield from results


def _pipe_safely(extractor: Extractor, batch: list[Document | OnrecordError]) -> Iterator[Document | OnrecordError]:
    documents = [d for d in batch if not isinstance(d, OnrecordError)]
    done = iter(_pipe_documents(extractor, documents))
    for item in batch:
        yield item if isinstance(item, OnrecordError) else next(done)


def _pipe_documents(extractor: Extractor, batch: list[Document]) -> list[Document | OnrecordError]:
    if not batch:
        return []
    try:
        return list(extractor.pipe(batch))
    except Exception:
        return [_safe_one(extractor, doc) for doc in batch]  # find the culprit, keep the rest
