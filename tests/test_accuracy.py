"""Accuracy floors on PolNeAR dev: a regression below them fails CI.

The floors sit a little under the measured scores in the README (exact-match
F1 0.563 source, 0.572 cue, 0.447 content) and at or above the issue's
targets (0.55 / 0.55 / 0.40).
"""

from pathlib import Path

import pytest

POLNEAR = Path(__file__).resolve().parents[2] / "shared" / "polnear"
FLOORS = {"source": 0.555, "cue": 0.56, "content": 0.43}


@pytest.mark.slow
def test_rules_meet_their_floors_on_dev():
    from onrecord.evaluate import evaluate_polnear
    from onrecord.model import Document
    from onrecord.pipeline import Extractor

    extractor = Extractor()

    def predict(texts):
        for doc in extractor.pipe([Document(text=t) for t in texts]):
            yield doc.attributions

    report = evaluate_polnear(POLNEAR, "dev", predict)
    scores = {role: report.counts.role(role, "exact").f1 for role in FLOORS}
    assert report.n_articles == 84
    for role, floor in FLOORS.items():
        assert scores[role] >= floor, (role, scores)
