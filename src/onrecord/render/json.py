"""JSON output: the one machine-readable form of a :class:`~onrecord.model.Document`.

The output object is exactly ``Document.to_dict()``, so the data model stays the
single definition of the format; the versioned JSON Schema shipped in
``onrecord/schema/`` describes it for consumers in other languages, and
:func:`validate` / :func:`check_offsets` let tests and users catch drift.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from onrecord.model import SCHEMA_VERSION, Document

__all__ = ["SCHEMA_FILE", "to_json", "to_jsonl", "load_schema", "validate", "check_offsets"]

#: File name of the schema for the current output version, inside ``onrecord/schema/``.
SCHEMA_FILE = f"onrecord-output.v{SCHEMA_VERSION.split('.')[0]}.json"


def to_json(doc: Document, *, indent: int | None = 2) -> str:
    """The document as one JSON object (``Document.to_dict()``, keys in model order).

    ``ensure_ascii=False`` keeps curly quotes and names readable and, more to the
    point, keeps ``span.text`` byte-for-byte comparable with the original text.
    """
    return json.dumps(doc.to_dict(), ensure_ascii=False, indent=indent)


def to_jsonl(doc: Document) -> str:
    """The document as a single JSON line without the newline, for one-article-per-line streams."""
    return json.dumps(doc.to_dict(), ensure_ascii=False, separators=(",", ":"))


def load_schema() -> dict[str, Any]:
    """The output JSON Schema (draft 2020-12) as shipped in the package."""
    return json.loads(_schema_text())


@lru_cache(maxsize=1)
def _schema_text() -> str:
    return resources.files("onrecord").joinpath("schema", SCHEMA_FILE).read_text(encoding="utf-8")


def validate(obj: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` if ``obj`` is not a valid v1 output object.

    jsonschema is a test/optional dependency, so it is imported here rather than
    at module load: rendering JSON must not need it.
    """
    import jsonschema

    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(obj)


def check_offsets(obj: dict[str, Any]) -> list[str]:
    """Problems with spans that the schema cannot express, one line each; empty if none.

    Checks every span (attribution source/cue/content, entity mentions, non-responses, forecasts) for
    ``0 <= start <= end <= len(text)`` and ``span.text == text[start:end]``.
    """
    text = obj.get("text", "")
    problems: list[str] = []
    for where, span in _spans(obj):
        start, end, got = span.get("start"), span.get("end"), span.get("text")
        if not (isinstance(start, int) and isinstance(end, int)):
            problems.append(f"{where}: start/end are not integers ({start!r}, {end!r})")
            continue
        if not 0 <= start <= end <= len(text):
            problems.append(f"{where}: offsets {start}-{end} out of order or outside text of length {len(text)}")
            continue
        want = text[start:end]
        if got != want:
            problems.append(f"{where}: span text {got!r} != text[{start}:{end}] {want!r}")
    return problems


def _spans(obj: dict[str, Any]):
    """Yield ``(location, span_dict)`` for every span in an output object."""
    for i, att in enumerate(obj.get("attributions", [])):
        name = att.get("id", i)
        for role in ("source", "cue", "content"):
            for j, span in enumerate(att.get(role, [])):
                yield f"attribution {name} {role}[{j}]", span
    for i, ent in enumerate(obj.get("entities", [])):
        name = ent.get("id", i)
        for j, span in enumerate(ent.get("mentions", [])):
            yield f"entity {name} mentions[{j}]", span
    for i, silent in enumerate(obj.get("non_responses", [])):
        for part in ("mention", "cue"):
            if part in silent:
                yield f"non_response {i} {part}", silent[part]
    for i, forecast in enumerate(obj.get("forecasts", [])):
        name = forecast.get("id", i)
        for part in ("text", "estimative", "horizon"):
            if forecast.get(part):
                yield f"forecast {name} {part}", forecast[part]
