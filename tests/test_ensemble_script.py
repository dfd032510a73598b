"""scripts/ensemble_eval.py: an ensemble whose members are one model twice reads exactly as that model."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from onrecord.extraction.tagging import MODELS_DIR
from onrecord.extraction.transformer import decode, load_accurate

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "ensemble_eval.py"
SEED = Path(__file__).resolve().parents[1] / "examples" / "seed-article.txt"


@pytest.mark.slow
def test_an_ensemble_of_one_model_twice_reads_as_the_model():
    spec = importlib.util.spec_from_file_location("ensemble_eval", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = SEED.read_text(encoding="utf-8")[:1500]
    folder = str(MODELS_DIR / "accurate")
    single, double = load_accurate(folder), module.ensemble([folder, folder])
    one, two = single.read(text), double.read(text)
    assert one.offsets == two.offsets
    np.testing.assert_allclose(one.logits, two.logits, atol=1e-5)
    assert two.hidden.shape[1] == 2 * one.hidden.shape[1]
    cues = decode(text, one.offsets, one.log_probs)[0]["cue"]
    alone = single.pointer.read(text, one.offsets, one.hidden, one.logits, cues)
    assert sum(r.content is not None for r in alone) >= 5  # the head points somewhere: not a vacuous match
    assert double.pointer.read(text, two.offsets, two.hidden, two.logits, cues) == alone
