"""onnxruntime sessions and model-file checks shared by the learned presets."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import E, ModelError


def all_there(files: list[Path], preset: str) -> None:
    """E203 naming every one of ``preset``'s model ``files`` that is missing."""
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise ModelError("E203", E.E203.format(preset=preset, missing=", ".join(missing)))


def onnxruntime():
    """The onnxruntime module, or E204 when it cannot be imported."""
    try:
        import onnxruntime
    except ImportError as exc:  # pragma: no cover - an install requirement
        raise ModelError("E204", E.E204.format(package=exc.name)) from exc
    return onnxruntime


def session(path: Path, *, arena: bool = True, spin: bool = True):
    """A CPU session, on ``$ONRECORD_THREADS`` threads if set.

    The pointer heads run without onnxruntime's memory arena, which keeps the
    largest buffers a session ever needed: that saves about 90 MB of peak
    memory per process at no measurable speed. The tagger keeps its arena:
    without it, it ran 20% slower and peaked 200 MB higher.

    Nor do the heads' threads spin-wait for more work after a run (``spin``
    false): a head's run is short and numpy decodes its output at once, on the
    same cores. Spinning, the `fast` preset spent 11 ms an article decoding
    instead of 3, and its head ran no faster.
    """
    ort = onnxruntime()
    options = ort.SessionOptions()
    options.enable_cpu_mem_arena = arena
    if not spin:
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    threads = int(os.environ.get("ONRECORD_THREADS", "0") or 0)
    if threads:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
