"""Every REST answer matches the schema /docs shows for it: the OpenAPI document's 200 (or 201) schema
validates the real answer, and no answer has a field the schema does not name.

The route answers plain dicts and the schemas only document them (web/schemas.py), so this test is
what keeps the two in step. One ledger with articles, speakers, outlets and forecasts, on SQLite.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from test_api import _app, gallyamov_doc, kremlin_doc
from test_forecast_ledger import poll_doc, roe_doc
from test_store import doc

COAL = "We are going to put a lot of coal miners and coal companies out of business"

TOKEN = "t0ken"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    quoted_twice = [doc(f'{who} said "{COAL}."', [("a1", who, COAL, {})], published=day)
                    for who, day in (("Hillary Clinton", "2016-03-13"), ("Richard Trumka", "2016-05-02"))]
    app = _app(tmp_path_factory.mktemp("ledger"), [gallyamov_doc(), kremlin_doc(), roe_doc(), poll_doc(), *quoted_twice],
               token=TOKEN)
    with TestClient(app) as client:
        yield client, client.get("/api/v1/openapi.json").json()
    app.state.onrecord.ledger.close()


def _schema_of(spec, path, method, status):
    content = spec["paths"][path][method]["responses"][str(status)]["content"]["application/json"]
    return {**content["schema"], "components": spec["components"]}


def _resolve(spec, schema):
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _undocumented(spec, schema, value, where="$"):
    """Paths in ``value`` whose key its schema does not name (objects with named properties only)."""
    schema = _resolve(spec, schema)
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        found = [_undocumented(spec, option, value, where) for option in options if _resolve(spec, option).get("type") != "null"]
        return min(found, key=len) if found else []
    if isinstance(value, dict) and "properties" in schema:
        extra = [f"{where}.{key}" for key in value if key not in schema["properties"]]
        for key, item in value.items():
            if key in schema["properties"]:
                extra += _undocumented(spec, schema["properties"][key], item, f"{where}.{key}")
        return extra
    if isinstance(value, list) and "items" in schema:
        return [e for i, item in enumerate(value) for e in _undocumented(spec, schema["items"], item, f"{where}[{i}]")]
    return []


CALLS = [
    ("get", "/api/v1/articles", "/api/v1/articles", None),
    ("get", "/api/v1/articles/{article_id}", "/api/v1/articles/1", None),
    ("get", "/api/v1/attributions", "/api/v1/attributions", None),
    ("get", "/api/v1/search", "/api/v1/search?q=said", None),
    ("get", "/api/v1/speakers", "/api/v1/speakers", None),
    ("get", "/api/v1/speakers/{speaker_id}", "/api/v1/speakers/1", None),
    ("get", "/api/v1/outlets", "/api/v1/outlets", None),
    ("get", "/api/v1/outlets/{publisher}", "/api/v1/outlets/Reuters", None),
    ("get", "/api/v1/forecasts", "/api/v1/forecasts", None),
    ("get", "/api/v1/forecasts/{forecast_id}", "/api/v1/forecasts/1", None),
    ("get", "/api/v1/forecasts/{forecast_id}/evidence", "/api/v1/forecasts/1/evidence?limit=3", None),
    ("post", "/api/v1/forecasts/{forecast_id}/outcome", "/api/v1/forecasts/1/outcome",
     {"outcome": "true", "note": "it came", "judged_on": "2024-06-01"}),
    ("get", "/api/v1/speakers/{speaker_id}/record", "/api/v1/speakers/1/record", None),
    ("get", "/api/v1/records", "/api/v1/records", None),
    ("get", "/api/v1/trail", "/api/v1/trail?q=" + COAL.replace(" ", "+"), None),
    ("delete", "/api/v1/forecasts/{forecast_id}/outcome", "/api/v1/forecasts/1/outcome", None),
]


@pytest.mark.parametrize("method, route, url, body", CALLS, ids=[f"{m} {r}" for m, r, _, _ in CALLS])
def test_the_answer_matches_its_documented_schema(served, method, route, url, body):
    client, spec = served
    headers = {"Authorization": f"Bearer {TOKEN}"} if method != "get" else {}
    answer = client.request(method, url, json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    schema = _schema_of(spec, route, method, 200)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in Draft202012Validator(schema).iter_errors(answer.json())]
    assert not errors
    assert _undocumented(spec, schema, answer.json()) == []


def test_storing_an_article_answers_as_documented_for_201_and_200(served):
    client, spec = served
    headers = {"Authorization": f"Bearer {TOKEN}"}
    body = {"text": "The mayor said the bridge would reopen in May. Officials agreed.", "publisher": "Gazette"}
    for status in (201, 200):  # new, then the same text again
        answer = client.post("/api/v1/articles", json=body, headers=headers)
        assert answer.status_code == status
        schema = _schema_of(spec, "/api/v1/articles", "post", status)
        assert not list(Draft202012Validator(schema).iter_errors(answer.json()))
        assert _undocumented(spec, schema, answer.json()) == []


def test_extract_answers_the_output_schema_the_document_carries(served):
    client, spec = served
    answer = client.post("/api/v1/extract", json={"text": "The mayor said the bridge would reopen in May."})
    assert answer.status_code == 200
    schema = _schema_of(spec, "/api/v1/extract", "post", 200)
    assert schema["$ref"] == "#/components/schemas/OnrecordDocument"
    assert not list(Draft202012Validator(schema).iter_errors(answer.json()))
    assert "onrecord_attribution" in spec["components"]["schemas"]


def test_every_route_that_answers_json_documents_its_answer(served):
    _, spec = served
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if not path.startswith("/api/v1/"):
                continue
            ok = operation["responses"].get("200") or operation["responses"].get("201")
            assert ok and "$ref" in ok["content"]["application/json"]["schema"], f"{method.upper()} {path}"
