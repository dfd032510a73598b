"""scripts/content_misses.py: each kind of exact-match miss is told apart."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "content_misses.py"


@pytest.fixture(scope="module")
def kind_of_miss():
    spec = importlib.util.spec_from_file_location("content_misses", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.kind_of_miss


GOLD, CUE = ((10, 30),), ((0, 4),)


@pytest.mark.parametrize(("content", "cue", "kind"), [
    (((40, 50),), ((0, 4),), "no prediction, its cue found"),
    (((40, 50),), ((60, 64),), "no prediction, its cue missed"),
    (((10, 18), (20, 30)), CUE, "right extent, other fragments"),
    (((5, 30),), CUE, "starts early"),
    (((12, 30),), CUE, "starts late"),
    (((10, 35),), CUE, "ends long"),
    (((10, 25),), CUE, "ends short"),
    (((12, 25),), CUE, "both ends off"),
])
def test_each_kind_of_miss(kind_of_miss, content, cue, kind):
    assert kind_of_miss(GOLD, CUE, [(content, cue)]) == kind


def test_the_prediction_overlapping_most_decides(kind_of_miss):
    predicted = [(((25, 40),), CUE), (((10, 28),), CUE)]
    assert kind_of_miss(GOLD, CUE, predicted) == "ends short"
