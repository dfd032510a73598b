"""The ``accurate`` preset at run time: a fine-tuned MiniLM tagger through onnxruntime.

The article is cut into word pieces with the ``tokenizers`` library (no
transformers, no torch), the pieces into overlapping windows of ``size``
pieces, and every window is tagged in one batched onnxruntime call. Each
piece keeps the scores of the window where it sits most centrally
(:func:`~onrecord.extraction.tagging.assemble`), so a content that runs
across a window edge is still read with context on both sides. A Viterbi
pass per role keeps BIO sequences valid, spans are widened to whole words,
and :func:`~onrecord.extraction.tagging.group` assembles attributions.
Where the model folder also holds the pointer head (``pointer.onnx``), it
reads each cue's own source, cue and content again from the tagger's last
hidden layer (:mod:`.pointer`).

The model directory holds ``model.onnx`` (outputs ``logits`` and, for the
pointer head, ``hidden``), ``tokenizer.json`` and ``tagger.json`` (window
sizes and the label layout), and optionally ``pointer.onnx`` and
``pointer.json``; the shipped one is ``onrecord/models/accurate``. Loading is
lazy and cached per process.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import E, ModelError
from ._onnx import all_there, session
from .pointer import PointerHead, load_pointer
from .tagging import (
    MODELS_DIR,
    ROLES,
    Prediction,
    TaggerReading,
    assemble,
    role_spans,
    viterbi,
    windows,
)

__all__ = ["WordPieceTagger", "load_accurate", "decode"]

#: ``run(input_ids, attention_mask) -> [logits]`` or ``[logits, hidden]``, per window.
Runner = Callable[[np.ndarray, np.ndarray], Sequence[np.ndarray]]


class WordPieceTagger:
    """Tags text with any ``run(input_ids, attention_mask) -> [logits, hidden?]`` over word-piece windows.

    ``run`` is an onnxruntime session at inference and the torch model while
    training, so both read text through exactly the same windows and decoding.
    Logits have shape (windows, pieces, 3 roles x 3 BIO tags). ``pointer``
    is the second-pass head (:mod:`.pointer`), if the model has one.
    """

    def __init__(
        self, tokenizer, run: Runner, *, size: int = 254, stride: int = 192, batch_size: int = 8,
        pointer: PointerHead | None = None,
    ) -> None:
        self.tokenizer = tokenizer
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self.run = run
        self.size, self.stride, self.batch_size = size, stride, batch_size
        self.pointer = pointer
        # BERT's markers, or RoBERTa's and MPNet's (an MPNet teacher reads through this class in training)
        self.cls = _first_id(tokenizer, "[CLS]", "<s>")
        self.sep = _first_id(tokenizer, "[SEP]", "</s>")

    def pieces(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        """Word-piece ids and their character ranges in ``text`` (no special tokens)."""
        enc = self.tokenizer.encode(text, add_special_tokens=False)
        ids, offsets = enc.ids, enc.offsets  # each attribute access builds a new list: read once
        keep = [i for i, (s, e) in enumerate(offsets) if e > s]
        return [ids[i] for i in keep], [offsets[i] for i in keep]

    def batches(
        self, ids: Sequence[int], batch_size: int | None = None
    ) -> list[tuple[np.ndarray, np.ndarray, list[tuple[int, int]]]]:
        """Padded (input_ids, attention_mask, window ranges) batches of ``batch_size`` windows (default: the
        model's) covering ``ids``."""
        spans = windows(len(ids), self.size, self.stride)
        size = batch_size or self.batch_size
        out = []
        for b in range(0, len(spans), size):
            chunk = spans[b : b + size]
            width = max(e - s for s, e in chunk) + 2
            input_ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for row, (s, e) in enumerate(chunk):
                piece = [self.cls, *ids[s:e], self.sep]
                input_ids[row, : len(piece)] = piece
                mask[row, : len(piece)] = 1
            out.append((input_ids, mask, chunk))
        return out

    def read(self, text: str) -> TaggerReading:
        """Every piece of ``text`` with the scores (and last layer) of the window it is most central in."""
        ids, offsets = self.pieces(text)
        if not ids:
            return TaggerReading([], np.zeros((0, len(ROLES) * 3), dtype=np.float32), None)
        logit_parts, hidden_parts, spans = [], [], []
        for input_ids, mask, chunk in self.batches(ids):
            outputs = self.run(input_ids, mask)
            logits = np.asarray(outputs[0], dtype=np.float32)
            hidden = np.asarray(outputs[1], dtype=np.float32) if len(outputs) > 1 else None
            for row, (s, e) in enumerate(chunk):
                logit_parts.append(logits[row, 1 : 1 + e - s])
                if hidden is not None:
                    hidden_parts.append(hidden[row, 1 : 1 + e - s])
                spans.append((s, e))
        return TaggerReading(
            offsets,
            assemble(logit_parts, spans, len(ids)),
            assemble(hidden_parts, spans, len(ids)) if hidden_parts else None,
        )

    def predict(self, text: str) -> Prediction:
        """Role spans in ``text`` and a confidence for each cue (the tagger alone, no pointer head)."""
        reading = self.read(text)
        return decode(text, reading.offsets, reading.log_probs)


def _first_id(tokenizer, *tokens: str) -> int | None:
    """The id of the first of ``tokens`` the vocabulary has."""
    return next((i for i in map(tokenizer.token_to_id, tokens) if i is not None), None)


def decode(text: str, units: Sequence[tuple[int, int]], log_probs: np.ndarray) -> Prediction:
    """Constrained decoding of (units, roles, 3) log-probabilities into role spans."""
    roles: dict[str, list[tuple[int, int]]] = {}
    confidence: dict[tuple[int, int], float] = {}
    for r, role in enumerate(ROLES):
        if len(units) == 0:
            roles[role] = []
            continue
        found = role_spans(text, viterbi(log_probs[:, r, :]), units)
        if role == "cue":
            for span, inside in found:
                in_span = log_probs[inside.start : inside.stop, r]
                confidence[span] = float(np.exp(np.logaddexp(in_span[:, 1], in_span[:, 2])).mean())
        roles[role] = sorted({span for span, _ in found})
    return roles, confidence


@lru_cache(maxsize=2)
def load_accurate(path: str | None = None) -> WordPieceTagger:
    """The ``accurate`` tagger from ``path`` (default: ``$ONRECORD_ACCURATE_MODEL``, else the shipped model),
    loaded once per process.

    The pointer head is loaded too when the folder has ``pointer.onnx``.
    Raises E203 when the model files are missing and E204 when onnxruntime or
    tokenizers cannot be imported.
    """
    directory = Path(path or os.environ.get("ONRECORD_ACCURATE_MODEL") or MODELS_DIR / "accurate")
    files = [directory / name for name in ("model.onnx", "tokenizer.json", "tagger.json")]
    all_there(files, "accurate")
    try:
        from tokenizers import Tokenizer
    except ImportError as exc:  # pragma: no cover - an install requirement
        raise ModelError("E204", E.E204.format(package=exc.name)) from exc
    settings = json.loads((directory / "tagger.json").read_text(encoding="utf-8"))
    tagger = session(files[0])
    pointer = load_pointer(directory, "accurate")
    # "hidden" (the last layer) is there in models exported for the pointer head
    outputs = [o.name for o in tagger.get_outputs() if o.name in ("logits", "hidden")]

    def run(input_ids: np.ndarray, mask: np.ndarray) -> list[np.ndarray]:
        return tagger.run(outputs, {"input_ids": input_ids, "attention_mask": mask})

    return WordPieceTagger(
        Tokenizer.from_file(str(files[1])),
        run,
        size=int(settings.get("window", 254)),
        stride=int(settings.get("stride", 192)),
        batch_size=int(settings.get("batch_size", 8)),
        pointer=pointer,
    )
