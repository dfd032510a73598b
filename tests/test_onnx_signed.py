"""Int8 matrices signed again at load time where this CPU multiplies them exactly (extraction/_onnx.py)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from onrecord.extraction import _onnx


def _quantised(path, *, shared: bool = False):
    """A graph as the exporter leaves it: a float input quantised on the fly, times uint8 weights around 128."""
    rng = np.random.default_rng(3)
    weights = rng.integers(0, 256, size=(32, 8)).astype(np.uint8)
    nodes = [
        helper.make_node("DynamicQuantizeLinear", ["x"], ["xq", "xs", "xz"]),
        helper.make_node("MatMulInteger", ["xq", "w", "xz", "wz"], ["y"]),
    ]
    outputs = [helper.make_tensor_value_info("y", TensorProto.INT32, [4, 8])]
    if shared:  # the same weights read by a second node: not the exporter's shape, so left alone
        nodes.append(helper.make_node("Cast", ["w"], ["w_float"], to=TensorProto.FLOAT))
        outputs.append(helper.make_tensor_value_info("w_float", TensorProto.FLOAT, [32, 8]))
    graph = helper.make_graph(
        nodes, "quantised", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 32])], outputs,
        [numpy_helper.from_array(weights, "w"), numpy_helper.from_array(np.full(8, 128, dtype=np.uint8), "wz")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, path)
    return path


def _run(model, x):
    ort = _onnx.onnxruntime()
    source = model if isinstance(model, bytes) else str(model)
    return ort.InferenceSession(source, providers=["CPUExecutionProvider"]).run(["y"], {"x": x})[0]


def test_signed_keeps_every_product(tmp_path):
    path = _quantised(tmp_path / "q.onnx")
    model = onnx.load(path)
    assert _onnx.signed(model) == 1  # one matrix, with its zero point
    stored = {i.name: i for i in model.graph.initializer}
    assert stored["w"].data_type == TensorProto.INT8 and stored["wz"].data_type == TensorProto.INT8
    assert np.array_equal(numpy_helper.to_array(stored["w"]).astype(int) + 128,
                          numpy_helper.to_array(onnx.load(path).graph.initializer[0]).astype(int))
    assert not numpy_helper.to_array(stored["wz"]).any()
    # small activations: exact on every CPU either way, so both graphs must agree
    x = np.random.default_rng(4).uniform(-1, 1, size=(4, 32)).astype(np.float32)
    assert np.array_equal(_run(model.SerializeToString(), x), _run(path, x))


def test_where_the_probe_finds_signed_products_exact_they_equal_the_shipped_ones(tmp_path):
    """On this machine's real kernel: activations that quantise to 255 against weights up to ±127, where a
    saturating kernel would differ. Where the probe says inexact, the shipped file is loaded itself."""
    path = _quantised(tmp_path / "q.onnx")
    x = np.ones((4, 32), dtype=np.float32)
    with _onnx._as_run_here(path) as model:
        assert np.array_equal(_run(model, x), _run(path, x))
        assert (model != str(path)) == _onnx._signed_is_exact()


def test_weights_another_node_reads_stay_unsigned(tmp_path):
    model = onnx.load(_quantised(tmp_path / "q.onnx", shared=True))
    assert _onnx._uint8_matrices(model) == []


def test_loaded_signed_only_where_products_are_exact(tmp_path, monkeypatch):
    path = _quantised(tmp_path / "q.onnx")
    monkeypatch.setattr(_onnx, "_signed_is_exact", lambda: True)
    with _onnx._as_run_here(path) as copy:
        assert copy != str(path)
        stored = {i.name: i.data_type for i in onnx.load(copy).graph.initializer}
        assert stored == {"w": TensorProto.INT8, "wz": TensorProto.INT8}
    assert not Path(copy).exists()  # the signed copy lives only while the session is made
    monkeypatch.setattr(_onnx, "_signed_is_exact", lambda: False)
    with _onnx._as_run_here(path) as model:
        assert model == str(path)


@pytest.mark.parametrize("fails", ["mkstemp", "fdopen"])
def test_no_room_for_the_signed_copy_loads_the_shipped_file(tmp_path, monkeypatch, fails):
    path = _quantised(tmp_path / "q.onnx")
    monkeypatch.setattr(_onnx, "_signed_is_exact", lambda: True)
    made: list[str] = []
    real_mkstemp = _onnx.tempfile.mkstemp

    def mkstemp(**kwargs):
        if fails == "mkstemp":
            raise OSError(28, "No space left on device")
        made.append(real_mkstemp(dir=tmp_path, **kwargs)[1])
        return os.open(made[-1], os.O_RDONLY), made[-1]  # writing to it fails

    monkeypatch.setattr(_onnx.tempfile, "mkstemp", mkstemp)
    with _onnx._as_run_here(path) as model:
        assert model == str(path)
    assert not any(Path(name).exists() for name in made)


def test_a_float_model_loads_as_shipped(tmp_path):
    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])], "float",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, tmp_path / "f.onnx")
    with _onnx._as_run_here(tmp_path / "f.onnx") as model:
        assert model == str(tmp_path / "f.onnx")


@pytest.mark.parametrize("exact", [True, False])
def test_the_probe_answers_what_the_kernel_does(monkeypatch, exact):
    """The probe's product against the exact sum: a kernel that saturates pairs of products at 16 bits
    (32,767 for 255 × 127 + 255 × 127) is found out, whatever CPU runs this test."""
    _onnx._signed_is_exact.cache_clear()
    real = _onnx.onnxruntime()

    class Kernel:
        """onnxruntime with the probe's output replaced by what an exact or a saturating kernel gives."""

        def __getattr__(self, name):
            return getattr(real, name)

        def InferenceSession(self, *args, **kwargs):  # noqa: N802 - onnxruntime's name
            session = real.InferenceSession(*args, **kwargs)

            class Probe:
                def run(self, names, feeds):
                    (out,) = session.run(names, feeds)
                    inner = feeds["x"].shape[1]
                    return [np.full_like(out, 255 * 127 * inner if exact else 32767 * (inner // 2))]

            return Probe()

    monkeypatch.setattr(_onnx, "onnxruntime", lambda: Kernel())
    try:
        assert _onnx._signed_is_exact() is exact
    finally:
        _onnx._signed_is_exact.cache_clear()
