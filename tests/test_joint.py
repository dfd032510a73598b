"""Joint training's torch-free parts: weights read back out of ONNX files, whole-article windows, and the
gather plan that stands in for the frozen recipe's features. Tiny models and hand-made arrays, no torch."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from onrecord.extraction.pointer import features
from onrecord.extraction.tagging import assemble, windows
from onrecord.train.joint import _Article, _gather_plan, weights_from_onnx

from test_learned import _tiny_model


def _linear_graph(path, weight: np.ndarray, bias: np.ndarray, table: np.ndarray) -> None:
    """What torch's export makes of ``piece = Linear`` and ``rel = Embedding`` inside a ``tagger`` wrapper:
    the matrix under an anonymous name, used by a node named after the module; the rest named."""
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["x", "onnx::MatMul_7"], ["/piece/MatMul_output_0"], name="/piece/MatMul"),
            helper.make_node("Add", ["tagger.piece.bias", "/piece/MatMul_output_0"], ["y"], name="/piece/Add"),
            helper.make_node("Gather", ["tagger.rel.weight", "ids"], ["z"], name="/rel/Gather"),
        ],
        "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", weight.shape[1]]),
         helper.make_tensor_value_info("ids", TensorProto.INT64, ["n"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", weight.shape[0]]),
         helper.make_tensor_value_info("z", TensorProto.FLOAT, ["n", table.shape[1]])],
        [numpy_helper.from_array(weight.T.copy(), "onnx::MatMul_7"), numpy_helper.from_array(bias, "tagger.piece.bias"),
         numpy_helper.from_array(table, "tagger.rel.weight")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, path)


@pytest.fixture
def linear(tmp_path):
    rng = np.random.default_rng(0)
    weight = rng.normal(size=(6, 4)).astype(np.float32)  # torch's (out, in)
    bias, table = rng.normal(size=6).astype(np.float32), rng.normal(size=(5, 3)).astype(np.float32)
    _linear_graph(tmp_path / "fp32.onnx", weight, bias, table)
    return tmp_path, weight, bias, table


def test_weights_come_back_under_the_modules_own_names(linear):
    folder, weight, bias, table = linear
    found = weights_from_onnx(folder / "fp32.onnx")
    assert set(found) == {"piece.weight", "piece.bias", "rel.weight"}
    np.testing.assert_array_equal(found["piece.weight"], weight)
    np.testing.assert_array_equal(found["piece.bias"], bias)
    np.testing.assert_array_equal(found["rel.weight"], table)


def test_int8_weights_are_dequantised_to_within_a_quantisation_step(linear):
    from onnxruntime.quantization import QuantType, quantize_dynamic

    folder, weight, bias, table = linear
    quantize_dynamic(str(folder / "fp32.onnx"), str(folder / "int8.onnx"), weight_type=QuantType.QInt8,
                     op_types_to_quantize=["MatMul", "Gather"], per_channel=True)
    found = weights_from_onnx(folder / "int8.onnx")
    assert set(found) == {"piece.weight", "piece.bias", "rel.weight"}
    step = np.abs(weight).max(axis=1, keepdims=True) / 127  # per output channel
    assert np.all(np.abs(found["piece.weight"] - weight) <= step)
    assert not np.array_equal(found["piece.weight"], weight)  # it really was quantised
    np.testing.assert_allclose(found["rel.weight"], table, atol=np.abs(table).max() / 100)


def test_int8_matrices_ship_unsigned_with_the_same_values(linear):
    """uint8 x uint8 products are exact on every CPU; uint8 x int8 ones saturate without VNNI."""
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from onrecord.train.transformer import quantize

    folder, weight, bias, table = linear
    quantize_dynamic(str(folder / "fp32.onnx"), str(folder / "int8.onnx"), weight_type=QuantType.QInt8,
                     op_types_to_quantize=["MatMul", "Gather"], per_channel=True)
    quantize(folder / "fp32.onnx", folder / "shipped.onnx")
    graph = onnx.load(str(folder / "shipped.onnx")).graph
    [product] = [n for n in graph.node if n.op_type == "MatMulInteger"]
    stored = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    assert stored[product.input[1]].dtype == np.uint8
    np.testing.assert_array_equal(stored[product.input[3]], 128)
    for name in ("piece.weight", "rel.weight"):
        np.testing.assert_array_equal(weights_from_onnx(folder / "shipped.onnx")[name],
                                      weights_from_onnx(folder / "int8.onnx")[name])
    # activations quantise to 0..255: signed, 255 * w1 + 255 * w2 saturates at 2**15 without VNNI
    x, ids = np.full((2, 4), 0.5, dtype=np.float32), np.array([0, 4])
    session = ort.InferenceSession(str(folder / "shipped.onnx"), providers=["CPUExecutionProvider"])
    y, z = session.run(None, {"x": x, "ids": ids})
    np.testing.assert_allclose(y, x @ weight.T + bias, atol=0.05)
    np.testing.assert_allclose(z, table[ids], atol=np.abs(table).max() / 100)


def _attention_graph(path) -> None:
    """Two layers of attention as transformers' export writes them: each turns the padding mask into its
    additive form again (from Constants of its own), and replaces NaN after its softmax with 0."""
    nodes = []
    for layer in (1, 2):
        zero, low, nothing = f"zero{layer}", f"low{layer}", f"nothing{layer}"
        for name, value in ((zero, 0.0), (low, -np.inf), (nothing, 0.0)):
            nodes.append(helper.make_node("Constant", [], [name], value=numpy_helper.from_array(np.array([value], np.float32))))
        before = "scores" if layer == 1 else "p1"
        nodes += [
            helper.make_node("Where", ["keep", zero, low], [f"additive{layer}"]),
            helper.make_node("Add", [before, f"additive{layer}"], [f"masked{layer}"]),
            helper.make_node("Softmax", [f"masked{layer}"], [f"soft{layer}"], axis=-1),
            helper.make_node("IsNaN", [f"soft{layer}"], [f"nan{layer}"]),
            helper.make_node("Where", [f"nan{layer}", nothing, f"soft{layer}"], [f"p{layer}"]),
        ]
    nodes.append(helper.make_node("Mul", ["p2", "scores"], ["out"]))  # the guards feed a product, as in MiniLM
    graph = helper.make_graph(
        nodes, "attention",
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["q", "k"]),
         helper.make_tensor_value_info("keep", TensorProto.BOOL, ["q", "k"])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, ["q", "k"])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, path)


def test_lean_attention_drops_the_nan_guards_and_shares_one_mask(tmp_path):
    import onnxruntime as ort

    from onrecord.train.transformer import lean_attention

    _attention_graph(tmp_path / "full.onnx")
    onnx.save(onnx.load(str(tmp_path / "full.onnx")), str(tmp_path / "lean.onnx"))
    lean_attention(tmp_path / "lean.onnx")
    ops = [n.op_type for n in onnx.load(str(tmp_path / "lean.onnx")).graph.node]
    assert "IsNaN" not in ops and ops.count("Where") == 1 and ops.count("Constant") == 2
    rng = np.random.default_rng(3)
    scores = rng.normal(size=(5, 6)).astype(np.float32)
    keep = rng.random((5, 6)) < 0.5
    keep[:, 0] = True  # every window holds [CLS]: no query is left with nothing to attend to
    full, lean = (ort.InferenceSession(str(tmp_path / f"{name}.onnx"), providers=["CPUExecutionProvider"])
                  for name in ("full", "lean"))
    np.testing.assert_array_equal(lean.run(None, {"scores": scores, "keep": keep})[0],
                                  full.run(None, {"scores": scores, "keep": keep})[0])


@pytest.fixture
def runtime(tmp_path):
    from onrecord.extraction.transformer import load_accurate

    load_accurate.cache_clear()
    yield load_accurate(str(_tiny_model(tmp_path, window=8, stride=5)))
    load_accurate.cache_clear()


def test_an_article_is_read_in_the_run_time_windows_each_piece_from_its_most_central_one(runtime):
    text = " ".join(["smith said taxes rise and the"] * 4)  # 24 pieces: windows of 8 every 5
    article = _Article(runtime, text)
    n = len(article.offsets)
    assert n == 24 and article.spans == windows(24, 8, 5)
    assert article.ids.shape == (len(article.spans), 10) and (article.ids[:, 0] == runtime.cls).all()
    # the flat positions in take hold, in order, the ids of the article's own pieces
    flat = article.ids.reshape(-1)
    ids, _ = runtime.pieces(text)
    assert flat[article.take].tolist() == ids
    # and they are the rows the run-time stitching keeps
    logits = np.random.default_rng(1).normal(size=(*article.ids.shape, 9)).astype(np.float32)
    parts = [logits[row, 1 : 1 + e - s] for row, (s, e) in enumerate(article.spans)]
    np.testing.assert_array_equal(logits.reshape(-1, 9)[article.take], assemble(parts, article.spans, n))


def test_labels_are_bio_per_window_with_the_special_pieces_ignored(runtime):
    text = "smith said taxes rise and the"
    article = _Article(runtime, text)
    article.add_labels({"source": [(0, 5)], "cue": [(6, 10)], "content": [(11, 21)]})
    labels = article.labels[0][0]
    assert labels[0].tolist() == [-100] * 3 and labels[7].tolist() == [-100] * 3  # [CLS], [SEP]
    assert labels[1:7].tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 2], [0, 0, 0], [0, 0, 0]]


def test_the_gather_plan_gives_the_frozen_recipes_features():
    rng = np.random.default_rng(2)
    n, window, dim = 30, 6, 4
    hidden = rng.normal(size=(n, dim)).astype(np.float32)
    doc = {"paras": np.repeat([0, 1, 2], 10), "hints": (rng.random((n, 4)) > 0.5).astype(np.float32)}
    examples = [("a", (2, 3), [(5, 4, 6)], None, []), ("a", (27, 27), [], None, [])]  # near both edges
    names = ("hidden", "cue", "rel", "para", "iscue", "mask", "hints")
    plan = _gather_plan(examples, doc, n, window, names)
    frozen = features(hidden, np.zeros((n, 9), dtype=np.float32), doc["paras"], [(2, 3), (27, 27)], window,
                      doc["hints"], [[(5, 4, 6)], []])
    gathered = np.concatenate([np.zeros((1, dim), dtype=np.float32), hidden])[plan["hidden"]]
    np.testing.assert_array_equal(gathered, frozen["hidden"])
    for key in ("rel", "para", "iscue", "mask", "hints"):
        np.testing.assert_array_equal(plan[key], frozen[key])
