"""The learned presets' loaders, with tiny models built here (not the shipped ones)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from onrecord.errors import ModelError
from onrecord.extraction.presets import PRESETS, check_preset
from onrecord.extraction.transformer import load_accurate

_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "smith", "said", "taxes", "rise", "and", "the", ","]
# tag per word: (source, cue, content) as O=0 B=1 I=2; everything else O O O
_TAGS = {"smith": (1, 0, 0), "said": (0, 1, 0), "taxes": (0, 0, 1), "rise": (0, 0, 2)}


def _tiny_model(folder: Path, *, window: int, stride: int) -> Path:
    """An ONNX graph whose logits are a lookup of each piece id: it 'knows' the tags above."""
    table = np.zeros((len(_VOCAB), 9), dtype=np.float32)
    for i, word in enumerate(_VOCAB):
        for role, tag in enumerate(_TAGS.get(word, (0, 0, 0))):
            table[i, role * 3 + tag] = 5.0
    graph = helper.make_graph(
        [helper.make_node("Gather", ["table", "input_ids"], ["logits"], axis=0)],
        "tiny",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "pieces"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "pieces"]),
        ],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "pieces", 9])],
        [numpy_helper.from_array(table, "table")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, folder / "model.onnx")

    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    tok = Tokenizer(models.WordLevel({w: i for i, w in enumerate(_VOCAB)}, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.save(str(folder / "tokenizer.json"))
    (folder / "tagger.json").write_text(json.dumps({"window": window, "stride": stride, "batch_size": 2}))
    return folder


@pytest.fixture
def tiny(tmp_path):
    load_accurate.cache_clear()
    yield lambda **kw: str(_tiny_model(tmp_path, **kw))
    load_accurate.cache_clear()


def test_onnx_loader_runs_a_model_and_decodes_spans(tiny):
    tagger = load_accurate(tiny(window=64, stride=48))
    text = "Smith said taxes rise."
    roles, confidence = tagger.predict(text)
    assert roles == {"source": [(0, 5)], "cue": [(6, 10)], "content": [(11, 21)]}
    assert confidence[(6, 10)] > 0.9


def test_onnx_loader_stitches_windows_over_a_long_text(tiny):
    tagger = load_accurate(tiny(window=4, stride=3))  # every sentence crosses a window edge
    sentence = "Smith said taxes rise. "
    text = sentence * 7
    roles, _ = tagger.predict(text)
    starts = [i * len(sentence) for i in range(7)]
    assert roles["source"] == [(s, s + 5) for s in starts]
    assert roles["cue"] == [(s + 6, s + 10) for s in starts]
    assert roles["content"] == [(s + 11, s + 21) for s in starts]


def test_onnx_loader_offsets_index_text_with_odd_whitespace(tiny):
    tagger = load_accurate(tiny(window=64, stride=48))
    text = "  Smith\u00a0 said\n\n taxes   rise"
    roles, _ = tagger.predict(text)
    assert [text[s:e] for s, e in roles["source"]] == ["Smith"]
    assert [text[s:e] for s, e in roles["content"]] == ["taxes   rise"]


def test_missing_model_files_raise_e203(tmp_path):
    load_accurate.cache_clear()
    with pytest.raises(ModelError) as info:
        load_accurate(str(tmp_path))
    assert info.value.code == "E203" and "model.onnx" in str(info.value)


def test_unknown_preset_raises_e205():
    assert check_preset(None) in PRESETS
    assert check_preset("fast") == "fast"
    with pytest.raises(ModelError) as info:
        check_preset("huge")
    assert info.value.code == "E205" and "rules, fast, accurate" in str(info.value)


def _tiny_crf(folder):
    """CRFs trained here to read "Smith said taxes rise." (source, cue, content), and that Doc."""
    import pycrfsuite
    from spacy.lang.en import English
    from spacy.tokens import Doc

    from onrecord.extraction.crf import token_features
    from onrecord.extraction.tagging import ROLES

    vocab = English().vocab
    words = ["Smith", "said", "taxes", "rise", "."]
    doc = Doc(vocab, words=words, spaces=[True, True, True, False, False],
              tags=["NNP", "VBD", "NNS", "VBP", "."], deps=["nsubj", "ROOT", "nsubj", "ccomp", "punct"],
              heads=[1, 1, 3, 1, 1], lemmas=["smith", "say", "tax", "rise", "."], sent_starts=[True, False, False, False, False])
    feats = token_features(doc, [])
    gold = {"source": ["B", "O", "O", "O", "O"], "cue": ["O", "B", "O", "O", "O"], "content": ["O", "O", "B", "I", "O"]}
    for role in ROLES:
        trainer = pycrfsuite.Trainer(verbose=False)
        for _ in range(5):
            trainer.append(feats, gold[role])
        trainer.set_params({"c1": 0.0, "c2": 0.01, "max_iterations": 50})
        trainer.train(str(folder / f"{role}.crfsuite"))
    return doc


def test_crf_loader_reads_models_trained_here(tmp_path):
    from onrecord.extraction.crf import load_fast

    doc = _tiny_crf(tmp_path)
    load_fast.cache_clear()
    try:
        tagger = load_fast(str(tmp_path))
        roles, confidence = tagger.predict(doc, [])
        reading, _ = tagger.read(doc, [])
    finally:
        load_fast.cache_clear()
    assert roles == {"source": [(0, 5)], "cue": [(6, 10)], "content": [(11, 21)]}
    assert confidence[(6, 10)] > 0.5
    # per token, its three tags one-hot (source, cue, content x O, B, I); no head, so no features for one
    tags = reading.logits.reshape(len(doc), 3, 3).argmax(axis=2).T.tolist()  # O=0, B=1, I=2
    assert tags == [[1, 0, 0, 0, 0], [0, 1, 0, 0, 0], [0, 0, 1, 2, 0]] and reading.hidden is None
    assert tagger.pointer is None
