"""Sentence embeddings through onnxruntime: how close in meaning a later report is to a forecast.

The shipped model (``onrecord/models/sentences``) is sentence-transformers'
all-MiniLM-L6-v2 exported with its mean pooling and L2 normalisation and
quantised to int8 (``configs/sentences.toml``): the dot product of two
embeddings is their cosine. Word pieces come from ``tokenizers``; neither
torch nor transformers is used. Loading is lazy and cached per process.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import E, ModelError
from ._onnx import all_there, session
from .tagging import MODELS_DIR

__all__ = ["SentenceEncoder", "load_sentence_encoder"]

#: Word pieces read per sentence, as the encoder was trained: a longer sentence is judged by its start.
MAX_PIECES = 128


class SentenceEncoder:
    """Embeds sentences as unit vectors; ``similarity`` is the cosine of one text against many."""

    def __init__(self, tokenizer, run, *, max_pieces: int = MAX_PIECES, batch_size: int = 32) -> None:
        tokenizer.enable_truncation(max_pieces)
        tokenizer.enable_padding()
        self._tokenizer = tokenizer
        self._run = run
        self._batch_size = batch_size

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dimensions) unit vectors, in batches (each padded to its longest sentence)."""
        out = []
        for start in range(0, len(texts), self._batch_size):
            encoded = self._tokenizer.encode_batch(list(texts[start : start + self._batch_size]))
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            out.append(self._run(ids, mask))
        return np.concatenate(out) if out else np.zeros((0, 0), dtype=np.float32)

    def similarity(self, text: str, others: Sequence[str]) -> list[float]:
        """The cosine of ``text`` with each of ``others``, in order."""
        if not others:
            return []
        vectors = self.embed([text, *others])
        return [float(v) for v in vectors[1:] @ vectors[0]]


@lru_cache(maxsize=2)
def load_sentence_encoder(path: str | None = None) -> SentenceEncoder:
    """The encoder from ``path`` (default: ``$ONRECORD_SENTENCE_MODEL``, else the shipped model), loaded once per process.

    E203 when its files are missing, E204 when onnxruntime or tokenizers cannot be imported.
    """
    directory = Path(path or os.environ.get("ONRECORD_SENTENCE_MODEL") or MODELS_DIR / "sentences")
    files = [directory / "model.onnx", directory / "tokenizer.json"]
    all_there(files, "sentences")
    try:
        from tokenizers import Tokenizer
    except ImportError as exc:  # pragma: no cover - an install requirement
        raise ModelError("E204", E.E204.format(package=exc.name)) from exc
    model = session(files[0], arena=False, spin=False)

    def run(ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return model.run(["embedding"], {"input_ids": ids, "attention_mask": mask})[0]

    return SentenceEncoder(Tokenizer.from_file(str(files[1])), run)
