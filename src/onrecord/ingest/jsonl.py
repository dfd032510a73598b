"""Read JSON lines (``.jsonl``, ``.ndjson``): one article per line, as corpora are shipped.

Each line is an object with the article ``text`` and, optionally, ``id``,
``title``, ``url``, ``publisher``, ``published``, ``language`` and
``authors``; other keys are ignored, so a corpus keeps its own fields. The
text is kept exactly as given, since every span indexes it. A bad line is an
InputError naming its line number, and the lines after it are still read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, BinaryIO

from onrecord.errors import InputError
from onrecord.ingest.readers import _error, size_limit, _open_binary, document_from_text
from onrecord.model import Document, parse_date

__all__ = ["iter_jsonl", "JSONL_SUFFIXES", "document_from_record"]

#: File name endings read as JSON lines.
JSONL_SUFFIXES = (".jsonl", ".ndjson")

_STRING_FIELDS = ("title", "url", "publisher", "published", "language")
_CHUNK = 1 << 16
_DETAIL_CHARS = 160


def iter_jsonl(path: str, *, max_bytes: int | None = None, encoding: str = "utf-8") -> Iterator[Document | InputError]:
    """Yield one Document or InputError per non-blank line of a JSON-lines file, in order.

    The file is streamed, and ``max_bytes`` bounds each line (E134), not the
    file: a corpus is rightly larger than any one article in it. Blank lines
    are skipped; a file of none but blank lines yields one E103. Documents
    without an ``id`` get ``"<path>:<line>"``.
    """
    limit = size_limit(max_bytes)
    seen = False
    with _open_binary(path) as handle:
        for number, raw, oversize in _lines(handle, limit):
            if oversize is not None:
                seen = True
                yield _error("E134", path, line=number, size=oversize, limit=limit)
                continue
            if not raw.strip():
                continue
            seen = True
            yield _line_document(raw, path, number, encoding)
    if not seen:
        yield _error("E103", path)


def document_from_record(record: Any, *, path: str, line: int) -> Document:
    """Build a Document from one decoded line; raise InputError (E131-E133) if it is not an article."""
    if not isinstance(record, dict):
        raise _error("E131", path, line=line, kind=_json_kind(record))
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise _error("E132", path, line=line)
    metadata: dict[str, Any] = {}
    for field in _STRING_FIELDS:
        value = record.get(field)
        if value is not None and not isinstance(value, str):
            raise _error("E133", path, line=line, field=field, detail=f"a JSON {_json_kind(value)}", expected="a string")
        if value is not None and value.strip():
            metadata[field] = value.strip()
    if "published" in metadata and parse_date(metadata["published"]) is None:
        # stored, it would leave the article undated, and out of every --since/--until filter
        raise _error("E133", path, line=line, field="published", detail=f"{metadata['published']!r} is not a date",
                     expected="an ISO 8601 date (YYYY-MM-DD, a time may follow)")
    metadata["authors"] = _authors(record.get("authors"), path, line)
    return document_from_text(text, name=_id(record.get("id"), path, line), **metadata)


# --- internals ---------------------------------------------------------------


def _lines(handle: BinaryIO, limit: int) -> Iterator[tuple[int, bytes, int | None]]:
    """Yield (line number, bytes, size when over ``limit`` else None), never holding more than ``limit + 1`` bytes of a line."""
    number = 0
    while raw := handle.readline(limit + 1):
        number += 1
        if len(raw) <= limit or raw.endswith(b"\n"):
            yield number, raw, None
            continue
        size = len(raw)
        while more := handle.readline(_CHUNK):  # skip the rest of the long line
            size += len(more)
            if more.endswith(b"\n"):
                break
        yield number, b"", size


def _line_document(raw: bytes, path: str, number: int, encoding: str) -> Document | InputError:
    try:
        record = json.loads(raw.decode(encoding))
    except UnicodeDecodeError as exc:
        return _error("E130", path, line=number, detail=f"cannot be decoded as {encoding}: {exc.reason}")
    except ValueError as exc:  # json.JSONDecodeError, and RecursionError's cousin for absurd nesting
        return _error("E130", path, line=number, detail=str(exc)[:_DETAIL_CHARS])
    try:
        return document_from_record(record, path=path, line=number)
    except InputError as exc:
        return exc


def _id(value: Any, path: str, line: int) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        if value is not None:
            raise _error("E133", path, line=line, field="id", detail=f"a JSON {_json_kind(value)}", expected="a string or a whole number")
        return f"{path}:{line}"
    return str(value).strip() or f"{path}:{line}"


def _authors(value: Any, path: str, line: int) -> list[str]:
    """Authors as a list of names; one string is one author."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list) and all(isinstance(name, str) for name in value):
        return [name.strip() for name in value if name.strip()]
    raise _error("E133", path, line=line, field="authors", detail=f"a JSON {_json_kind(value)}", expected="a list of strings")


def _json_kind(value: Any) -> str:
    kinds = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number", float: "number", type(None): "null"}
    return kinds.get(type(value), type(value).__name__)
