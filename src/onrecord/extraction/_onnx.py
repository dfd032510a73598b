"""onnxruntime sessions and model-file checks shared by the learned presets."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import numpy as np

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
    with _as_run_here(path) as model:
        return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])


@contextmanager
def _as_run_here(path: Path) -> Iterator[str]:
    """The path of the model at ``path`` as this CPU runs it fastest with the same outputs: a temporary
    copy with its uint8 matrices signed again where uint8 × int8 products are exact here
    (:func:`_signed_copy`), else the file as it is. The copy is deleted once the session is made."""
    copy = _signed_copy(Path(path))
    try:
        yield copy or str(path)
    finally:
        if copy:
            os.unlink(copy)


def _signed_copy(path: Path) -> str | None:
    """A temporary file holding the model at ``path`` with its uint8 matrices signed, or None where that
    would not help: a float model, a CPU whose signed products are not exact, no such matrices, or no
    room to write the copy (the shipped file then loads: slower, the same outputs).

    The int8 models ship their matrices as uint8 around a zero point of 128
    (``train/transformer.py: unsigned``), which every CPU multiplies exactly;
    onnxruntime multiplies uint8 activations by int8 weights exactly only with
    VNNI, and saturates pairs of products at 16 bits without it. But with VNNI
    (and AMX), uint8 × int8 is the fast path: the `accurate` tagger ran in half
    the time signed, its outputs bitwise the same, on a Xeon with both. So the
    weights are signed at load time when :func:`_signed_is_exact` finds this
    CPU's products exact. The session loads the copy from a file: one made from
    the same bytes held about 35 MB more.
    """
    data = path.read_bytes()
    if b"MatMulInteger" not in data or not _signed_is_exact():
        return None  # a float model (the pointer heads) needs no onnx import; here only uint8 is exact
    import onnx

    model = onnx.load_from_string(data)
    del data
    if not signed(model):
        return None
    try:
        handle, name = tempfile.mkstemp(prefix="onrecord-", suffix=".onnx")
    except OSError:  # no writable temporary folder
        return None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(model.SerializeToString())
    except OSError:  # a full disk, say
        os.unlink(name)
        return None
    return name


def _uint8_matrices(model) -> list[tuple[str, str]]:
    """(matrix, zero point) initializer names of the MatMulInteger nodes whose weights are stored uint8
    around a zero point of 128 and read by nothing else."""
    import onnx
    from onnx import numpy_helper

    stored = {i.name: i for i in model.graph.initializer}
    readers: dict[str, int] = {}
    for node in model.graph.node:
        for name in node.input:
            readers[name] = readers.get(name, 0) + 1
    pairs = []
    for node in model.graph.node:
        if node.op_type != "MatMulInteger" or len(node.input) < 4:
            continue
        matrix, zero = stored.get(node.input[1]), stored.get(node.input[3])
        if matrix is None or zero is None or {matrix.data_type, zero.data_type} != {onnx.TensorProto.UINT8}:
            continue
        if readers[matrix.name] == 1 and readers[zero.name] == 1 and np.all(numpy_helper.to_array(zero) == 128):
            pairs.append((matrix.name, zero.name))
    return pairs


def signed(model) -> int:
    """Store the uint8 matrices (around 128) of the ONNX ``model`` as int8 (around 0), in place: the same
    values. Returns how many matrices it signed."""
    from onnx import numpy_helper

    stored = {i.name: i for i in model.graph.initializer}
    pairs = _uint8_matrices(model)
    for pair in pairs:
        for name in pair:
            values = numpy_helper.to_array(stored[name]).astype(np.int16) - 128
            stored[name].CopyFrom(numpy_helper.from_array(values.astype(np.int8), name))
    return len(pairs)


@lru_cache(maxsize=1)
def _signed_is_exact() -> bool:
    """Whether onnxruntime multiplies uint8 by int8 exactly on this CPU: a product whose pairs of terms
    overflow 16 bits (255 × 127 + 255 × 127), read through the same quantising MatMulInteger the
    models use, compared with the exact sum. Asking the kernel, not the CPU's flags, keeps the
    answer right whichever instruction onnxruntime picks."""
    from onnx import TensorProto, helper, numpy_helper

    rows, inner, cols = 16, 256, 64
    graph = helper.make_graph(
        [
            helper.make_node("DynamicQuantizeLinear", ["x"], ["xq", "xs", "xz"]),
            helper.make_node("MatMulInteger", ["xq", "w", "xz", "wz"], ["y"]),
        ],
        "probe",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [rows, inner])],
        [helper.make_tensor_value_info("y", TensorProto.INT32, [rows, cols])],
        [
            numpy_helper.from_array(np.full((inner, cols), 127, dtype=np.int8), "w"),
            numpy_helper.from_array(np.zeros(cols, dtype=np.int8), "wz"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8  # not the onnx package's newest, which an older onnxruntime may not read
    ort = onnxruntime()
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    probe = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    (out,) = probe.run(None, {"x": np.ones((rows, inner), dtype=np.float32)})  # quantised: all 255
    return bool(np.all(out == 255 * 127 * inner))
