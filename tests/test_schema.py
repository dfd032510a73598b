"""The versioned output schema, and the offset check the schema cannot express."""

from __future__ import annotations

import copy
from pathlib import Path

import jsonschema
import pytest

from onrecord.model import ATTRIBUTION_KINDS, ENTITY_TYPES, SCHEMA_VERSION, Attribution, Document, Entity, Span
from onrecord.render.json import check_offsets, load_schema, validate

SHARED = Path(__file__).resolve().parents[2] / "shared"

TEXT = "Ms Roe said the bridge would reopen. “Soon,” a spokesman added, according to the Herald."


def _span(needle: str) -> Span:
    start = TEXT.index(needle)
    return Span.of(TEXT, start, start + len(needle))


def _doc() -> Document:
    roe = Entity("e1", "Jane Roe", "person", [_span("Ms Roe")], ["Ms Roe"])
    spokesman = Entity("e2", "a spokesman", "anonymous", [_span("a spokesman")], resolved=False)
    herald = Entity("e3", "The Herald", "media_outlet", [_span("the Herald")])
    return Document(
        TEXT,
        id="d1",
        title="Bridge",
        publisher="The Herald",
        published="2024-05-01",
        authors=["A. Writer"],
        model="onrecord@0.1.0/en_core_web_sm@3.8.0",
        attributions=[
            Attribution("a1", "indirect", [_span("Ms Roe")], [_span("said")], [_span("the bridge would reopen")], roe.ref(), confidence=0.9),
            Attribution("a2", "direct", [_span("a spokesman")], [_span("added")], [_span("“Soon,”")], spokesman.ref(), "a3", 0.8),
            Attribution("a3", "according_to", [_span("the Herald")], [_span("according to")], [_span("“Soon,” a spokesman added")], herald.ref()),
            Attribution("a4", "other"),
        ],
        entities=[roe, spokesman, herald],
    )


@pytest.fixture
def obj() -> dict:
    return _doc().to_dict()


def test_schema_is_valid_draft_2020_12_and_versioned() -> None:
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "v1" in schema["$id"]
    assert schema["properties"]["schema_version"]["enum"][-1] == SCHEMA_VERSION  # older minor versions stay valid


def test_schema_enums_match_the_model() -> None:
    defs = load_schema()["$defs"]
    assert tuple(defs["attribution"]["properties"]["kind"]["enum"]) == ATTRIBUTION_KINDS
    assert tuple(defs["entity_type"]["enum"]) == ENTITY_TYPES


def test_hand_built_document_validates(obj: dict) -> None:
    validate(obj)
    assert check_offsets(obj) == []


def test_minimal_document_validates() -> None:
    obj = Document("").to_dict()
    assert "id" not in obj
    validate(obj)


def test_every_entity_type_validates() -> None:
    ents = [Entity(f"e{i}", t, t) for i, t in enumerate(ENTITY_TYPES)]
    atts = [Attribution(f"a{i}", k, speaker=ents[i].ref()) for i, k in enumerate(ATTRIBUTION_KINDS)]
    validate(Document("x", attributions=atts, entities=ents).to_dict())


def _break(obj: dict, how: str) -> dict:
    bad = copy.deepcopy(obj)
    if how == "bad kind":
        bad["attributions"][0]["kind"] = "rumour"
    elif how == "negative offset":
        bad["attributions"][0]["cue"][0]["start"] = -1
    elif how == "missing text":
        del bad["text"]
    elif how == "missing span text":
        del bad["entities"][0]["mentions"][0]["text"]
    elif how == "unknown speaker type":
        bad["attributions"][0]["speaker"]["type"] = "celebrity"
    elif how == "confidence over 1":
        bad["attributions"][0]["confidence"] = 1.5
    elif how == "extra attribution field":
        bad["attributions"][0]["medium"] = "column"
    elif how == "extra top-level field":
        bad["ledger"] = []
    elif how == "wrong version":
        bad["schema_version"] = "2.0"
    elif how == "parent not a string":
        bad["attributions"][1]["parent"] = 3
    elif how == "missing metadata key":
        del bad["document"]["publisher"]
    else:  # pragma: no cover - a typo in the parametrisation
        raise AssertionError(how)
    return bad


@pytest.mark.parametrize(
    "how",
    [
        "bad kind",
        "negative offset",
        "missing text",
        "missing span text",
        "unknown speaker type",
        "confidence over 1",
        "extra attribution field",
        "extra top-level field",
        "wrong version",
        "parent not a string",
        "missing metadata key",
    ],
)
def test_broken_documents_are_rejected(obj: dict, how: str) -> None:
    with pytest.raises(jsonschema.ValidationError):
        validate(_break(obj, how))


def test_check_offsets_catches_a_wrong_span(obj: dict) -> None:
    obj["attributions"][1]["cue"][0]["text"] = "said"
    problems = check_offsets(obj)
    assert len(problems) == 1
    assert "a2" in problems[0] and "cue" in problems[0]


def test_check_offsets_catches_shifted_inverted_and_outside_spans(obj: dict) -> None:
    span = obj["entities"][0]["mentions"][0]
    span["start"] += 1
    obj["attributions"][0]["content"][0].update(start=10, end=5, text="")
    obj["attributions"][2]["source"][0].update(start=len(TEXT), end=len(TEXT) + 3, text="")
    problems = check_offsets(obj)
    assert len(problems) == 3
    assert any("entity e1" in p for p in problems)
    assert any("a1 content" in p for p in problems)
    assert any("a3 source" in p for p in problems)


@pytest.mark.slow
def test_real_extraction_of_the_seed_article_is_valid() -> None:
    import onrecord

    text = (SHARED / "acceptance" / "seed-article.txt").read_text(encoding="utf-8")
    obj = onrecord.extract(text, publisher="Business Insider").to_dict()
    validate(obj)
    assert check_offsets(obj) == []
    assert obj["text"] == text
    assert obj["attributions"], "the seed article has several attributions; none were found"


def test_forecasts_validate_and_their_offsets_are_checked() -> None:
    from onrecord.model import Forecast, SpeakerRef
    from onrecord.render.json import check_offsets, validate

    text = "Prices will rise next year, she said."
    doc = Document(text=text, forecasts=[
        Forecast("f1", Span.of(text, 0, 26), SpeakerRef("e1", "she", "person", False), "a1",
                 Span.of(text, 7, 11), 0.9, Span.of(text, 17, 26), "2024-12-31"),
    ])
    out = doc.to_dict()
    validate(out)
    assert check_offsets(out) == []
    out["forecasts"][0]["horizon"]["text"] = "last year"
    assert check_offsets(out) == ["forecast f1 horizon: span text 'last year' != text[17:26] 'next year'"]


def test_a_1_1_document_without_forecasts_is_still_valid() -> None:
    from onrecord.render.json import validate

    out = Document(text="x").to_dict()
    out["schema_version"] = "1.1"
    del out["forecasts"]
    validate(out)
