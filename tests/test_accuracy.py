"""Accuracy floors on PolNeAR dev, per preset: a regression below them fails CI.

Each floor sits a little under the preset's exact-match F1 in the README
(``onrecord eval polnear ../shared/polnear --model rules,fast,accurate``).
"""

from pathlib import Path

import pytest

POLNEAR = Path(__file__).resolve().parents[2] / "shared" / "polnear"
FLOORS = {
    "rules": {"source": 0.565, "cue": 0.57, "content": 0.465},
    "fast": {"source": 0.725, "cue": 0.665, "content": 0.56},
    "accurate": {"source": 0.815, "cue": 0.76, "content": 0.67},
}


@pytest.mark.slow
@pytest.mark.parametrize("preset", sorted(FLOORS))
def test_preset_meets_its_floors_on_dev(preset):
    from onrecord.evaluate import evaluate_polnear
    from onrecord.pipeline import Extractor

    report = evaluate_polnear(POLNEAR, "dev", Extractor(model=preset).attributions)
    scores = {role: report.counts.role(role, "exact").f1 for role in FLOORS[preset]}
    assert report.n_articles == 84
    for role, floor in FLOORS[preset].items():
        assert scores[role] >= floor, (role, scores)


SPEAKERS = Path(__file__).resolve().parents[1] / "annotations" / "speakers" / "dev.jsonl"
HELD_OUT_SPEAKERS = SPEAKERS.with_name("held-out.jsonl")
TEST_SPEAKERS = SPEAKERS.with_name("test.jsonl")


@pytest.mark.slow
def test_speaker_resolution_meets_its_floors_on_the_dev_annotations():
    """`onrecord eval speakers`: 0.946 speaker / 0.980 type measured; the issue asks 0.92 / 0.90."""
    from onrecord.evaluate.speakers import evaluate_speakers

    report = evaluate_speakers(POLNEAR, SPEAKERS)
    assert report.total >= 300
    assert report.speaker_accuracy >= 0.92, report.speaker_accuracy
    assert report.type_accuracy >= 0.90, report.type_accuracy


@pytest.mark.slow
@pytest.mark.parametrize(
    ("annotations", "sources", "speaker", "type_", "anonymous"),
    # measured 0.801 / 0.897 / 0.988 (41 articles annotated blind, since read for errors) and
    # 0.786 / 0.875 / 0.986 (23 articles annotated blind and only ever scored)
    [(HELD_OUT_SPEAKERS, 1000, 0.79, 0.88, 0.97), (TEST_SPEAKERS, 500, 0.77, 0.86, 0.97)],
)
def test_speaker_resolution_holds_on_articles_it_was_not_written_for(annotations, sources, speaker, type_, anonymous):
    from onrecord.evaluate.speakers import evaluate_speakers

    report = evaluate_speakers(POLNEAR, annotations)
    assert report.total >= sources
    assert report.speaker_accuracy >= speaker, report.speaker_accuracy
    assert report.type_accuracy >= type_, report.type_accuracy
    assert report.anonymous_accuracy >= anonymous, report.anonymous_accuracy
