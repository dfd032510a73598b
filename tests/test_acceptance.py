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


@pytest.fixture(scope="module", params=["rules", "fast", "accurate"])
def seed(request):
    """The seed as each shipped preset reads it: every test below runs once per preset."""
    expected = json.loads((SHARED / "seed.json").read_text(encoding="utf-8"))
    text = (SHARED / expected["text_file"]).read_text(encoding="utf-8")
    import onrecord

    return expected, text, onrecord.extract(text, model=request.param, id="seed-article.txt")


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
    by_cue = {a.cue[0].text: a for a in doc.attributions if a.cue}
    # the cue may be "according to" or the whole "according to a translation from"
    daily_beast = next(a for a in doc.attributions if a.cue and a.cue[0].text.startswith("according to"))
    opportunists = next(a for a in doc.attributions if a.content and a.content[0].start == 484 and a.kind == "direct")
    assert opportunists.parent == daily_beast.id
    claimed = next(a for a in doc.attributions if a.cue and a.cue[0].text.startswith("claimed"))
    assert claimed.parent == by_cue["reported"].id


@pytest.mark.slow
def test_offsets_index_the_original_text(seed):
    _expected, text, doc = seed
    for a in doc.attributions:
        for s in a.source + a.cue + a.content:
            assert text[s.start:s.end] == s.text


@pytest.mark.slow
def test_the_four_chains_come_out_exactly(seed):
    expected, _text, doc = seed
    got = [[n.lower() for n in chain] for chain in doc.provenance.chains]
    for chain in expected["chains"]:
        assert [n.lower() for n in chain] in got
    assert len(got) == len(expected["chains"]), got


@pytest.mark.slow
def test_publisher_is_detected_from_the_text(seed):
    expected, _text, doc = seed
    assert doc.publisher == expected["publisher"]


@pytest.mark.slow
def test_listed_entities_with_their_types(seed):
    expected, _text, doc = seed
    names = {e.name.lower(): e for e in doc.entities}
    for exp in expected["entities"]:
        name = exp["name"].lower()
        entity = names.get(name) or (names.get("putin") if name == "vladimir putin" else None)
        assert entity is not None, exp["name"]
        assert entity.type == exp["type"], (exp["name"], entity.type)


@pytest.mark.slow
def test_kremlin_line_is_a_non_response(seed):
    expected, _text, doc = seed
    (na,) = expected["not_attributions"]
    silent = [n for n in doc.non_responses if na["start"] <= n.cue.start < na["end"]]
    assert len(silent) == 1 and silent[0].entity is not None
    assert silent[0].entity.name.lower().removeprefix("the ") == "kremlin"


def _expected_forecast_found(exp, text, doc):
    start = text.find(exp["text"])
    assert start >= 0, exp["text"]
    want = {"start": start, "end": start + len(exp["text"])}
    found = [f for f in doc.forecasts if jaccard([f.text], want) >= 0.8]
    assert len(found) == 1, (exp["text"], [f.text.text for f in doc.forecasts])
    return found[0]


@pytest.mark.slow
def test_the_three_forecasts_with_speakers_words_and_horizons(seed):
    expected, text, doc = seed
    by_id = {}
    for exp_att in expected["attributions"]:
        for a in doc.attributions:
            if jaccard(a.content, exp_att["content"]) >= 0.8 and overlaps(a.cue, exp_att["cue"]):
                by_id[exp_att["id"]] = a.id
    for exp in expected["forecasts"]:
        forecast = _expected_forecast_found(exp, text, doc)
        assert forecast.speaker is not None and forecast.speaker.name.lower() == exp["speaker"].lower(), forecast
        if "estimative_word" in exp:
            assert forecast.estimative is not None and forecast.estimative.text == exp["estimative_word"]
            assert 0.55 <= forecast.probability <= 0.8  # "likely": ICD 203's 55-80% band
        if "horizon" in exp:
            assert forecast.horizon is not None and forecast.horizon.text in exp["horizon"]
        if "attribution" in exp:
            assert forecast.attribution == by_id[exp["attribution"]]
        else:
            assert forecast.attribution is None  # the headline's
    assert len(doc.forecasts) == len(expected["forecasts"]), [f.text.text for f in doc.forecasts]


@pytest.mark.slow
def test_the_spring_falls_due_after_publication():
    expected = json.loads((SHARED / "seed.json").read_text(encoding="utf-8"))
    text = (SHARED / expected["text_file"]).read_text(encoding="utf-8")
    import onrecord

    doc = onrecord.extract(text, model="rules", published="2023-02-14")
    (spring,) = [f for f in doc.forecasts if f.horizon is not None]
    assert spring.due == "2023-05-31"
