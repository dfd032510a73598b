"""The seed article (../shared/acceptance) read as seed.json expects."""

import json
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared" / "acceptance"


def jaccard(a, b):
    sa = set().union(*(range(s.start, s.end) for s in a)) if a else set()
    sb = set(range(b["start"], b["end"]))
    return len(sa & sb) / len(sa | sb) if sa | sb else 0.0


def overlaps(spans, b):
    return any(s.start < b["end"] and b["start"] < s.end for s in spans)


@pytest.fixture(scope="module")
def seed():
    expected = json.loads((SHARED / "seed.json").read_text(encoding="utf-8"))
    text = (SHARED / expected["text_file"]).read_text(encoding="utf-8")
    import onrecord

    return expected, text, onrecord.extract(text, id="seed-article.txt")


@pytest.mark.slow
def test_every_expected_attribution_is_found(seed):
    expected, _text, doc = seed
    missing = []
    for exp in expected["attributions"]:
        found = [
            a for a in doc.attributions
            if jaccard(a.content, exp["content"]) >= 0.8
            and overlaps(a.cue, exp["cue"])
            and a.speaker is not None
            and a.speaker.name.lower() == exp["speaker"].lower()
        ]
        if not found:
            missing.append(exp["id"])
    assert missing == []


@pytest.mark.slow
def test_each_expected_attribution_is_its_own_object(seed):
    expected, _text, doc = seed
    matched = set()
    for exp in expected["attributions"]:
        for a in doc.attributions:
            if jaccard(a.content, exp["content"]) >= 0.8 and overlaps(a.cue, exp["cue"]):
                matched.add((exp["id"], a.id))
    assert len({a for _, a in matched}) >= len(expected["attributions"])


@pytest.mark.slow
def test_kremlin_non_response_is_not_an_attribution(seed):
    expected, _text, doc = seed
    for na in expected["not_attributions"]:
        for a in doc.attributions:
            for s in a.source + a.cue + a.content:
                assert not (s.start < na["end"] and na["start"] < s.end), a


@pytest.mark.slow
def test_nesting_follows_the_relay(seed):
    _expected, _text, doc = seed
    by_cue = {a.cue[0].text: a for a in doc.attributions}
    daily_beast = by_cue["according to a translation from"]
    opportunists = next(a for a in doc.attributions if a.content and a.content[0].start == 484 and a.kind == "direct")
    assert opportunists.parent == daily_beast.id
    assert by_cue["claimed"].parent == by_cue["reported"].id


@pytest.mark.slow
def test_offsets_index_the_original_text(seed):
    _expected, text, doc = seed
    for a in doc.attributions:
        for s in a.source + a.cue + a.content:
            assert text[s.start:s.end] == s.text
