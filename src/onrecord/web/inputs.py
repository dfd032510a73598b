"""From a request to a :class:`~onrecord.model.Document`: pasted text, an uploaded file, or a URL.

Bodies are parsed here, in memory, rather than by Starlette's form parser,
which spools uploads over 1 MB to temporary files and caps text fields at
1 MB: an upload never touches the disk, and the one size limit is the
server's ``--max-bytes`` (already enforced on the whole body). Uploaded
file names are only ever used as the article's label, never as a path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..ingest.fetch import FetchError, PrivateAddressError, fetch, is_url
from ..ingest.readers import decode_text, document_from_html, document_from_text, read_bytes_document, read_fetched
from ..errors import InputError
from ..model import Document, parse_date
from .app import WebError, state_of

__all__ = ["ArticleIn", "Upload", "read_fields", "document_from_request", "metadata_fields"]

_METADATA = ("id", "title", "url", "publisher", "published")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class ArticleIn(BaseModel):
    """An article to read, as JSON: exactly one of ``text``, ``html`` or ``url`` (fetched only
    when the server allows it), plus optional metadata that beats what the text suggests.
    """

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(None, description="the article's plain text; spans index it exactly")
    html: str | None = Field(None, description="an HTML page; its main text (trafilatura) becomes the text")
    url: str | None = Field(None, description="fetch this page (needs --allow-fetch); else the article's URL as metadata")
    id: str | None = Field(None, description="a label for the article, returned as the output's id")
    title: str | None = None
    publisher: str | None = Field(None, description="the outlet that published it (default: from HTML metadata or the text)")
    published: str | None = Field(None, description="publication date, ISO 8601")
    authors: list[str] = Field(default_factory=list)
    model: str | None = Field(None, description="extraction preset: rules, fast or accurate (default accurate)")


@dataclass
class Upload:
    """An uploaded file, held in memory."""

    filename: str
    data: bytes


@dataclass
class Fields:
    """A parsed form or JSON body: text fields and uploaded files."""

    values: dict[str, Any] = field(default_factory=dict)
    files: dict[str, Upload] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        value = self.values.get(name)
        return value if isinstance(value, str) and value.strip() else None


async def read_fields(request: Request) -> Fields:
    """The request's body as fields: JSON (validated as :class:`ArticleIn`), a URL-encoded form or multipart form data."""
    body = await request.body()
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "multipart/form-data":
        return _multipart(request.headers.get("content-type", ""), body)
    if ctype == "application/x-www-form-urlencoded":  # UTF-8, raw or %-escaped (browsers escape; curl -d may not)
        return Fields(values=_url_encoded(body))
    if not body.strip():
        return Fields()
    try:
        article = ArticleIn.model_validate_json(body)
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in err.errors())
        raise WebError(422, "E606", detail=problems) from None
    return Fields(values=article.model_dump(exclude_none=True))


def _url_encoded(body: bytes) -> dict[str, str]:
    """A URL-encoded form's fields, each value's bytes (raw or %-escaped) decoded as UTF-8 or refused (E105).

    Browsers escape every non-ASCII byte; ``curl -d`` sends them raw. Both are
    UTF-8, and neither may be read as Latin-1, which turns "café" into "cafÃ©".
    """
    values: dict[str, str] = {}
    for pair in body.split(b"&"):
        if not pair:
            continue
        raw_name, _, raw_value = pair.partition(b"=")
        name = unquote_to_bytes(raw_name.replace(b"+", b" ")).decode("utf-8", "replace")
        values[name] = decode_text(unquote_to_bytes(raw_value.replace(b"+", b" ")), "utf-8", f"the form's {name} field")
    return values


def _multipart(content_type: str, body: bytes) -> Fields:
    from python_multipart.multipart import MultipartParser, parse_options_header

    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise WebError(422, "E606", detail="multipart/form-data without a boundary")
    fields = Fields()
    part: dict[str, Any] = {}
    header = [b"", b""]

    def on_part_begin() -> None:
        part.clear()
        part.update(headers={}, data=bytearray())

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header[0] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header[1] += data[start:end]

    def on_header_end() -> None:
        part["headers"][header[0].decode("latin-1").lower()] = header[1].decode("latin-1")
        header[0], header[1] = b"", b""

    def on_part_data(data: bytes, start: int, end: int) -> None:
        part["data"] += data[start:end]

    def on_part_end() -> None:
        _, disposition = parse_options_header(part["headers"].get("content-disposition", ""))
        name = disposition.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" in disposition:
            filename = disposition[b"filename"].decode("utf-8", "replace")
            if part["data"] or filename:
                fields.files[name] = Upload(_label(filename), bytes(part["data"]))
        else:
            fields.values[name] = decode_text(bytes(part["data"]), "utf-8", f"the form's {name} field")

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    try:
        parser.write(body)
        parser.finalize()
    except InputError:
        raise  # a field that is not UTF-8 (E105)
    except Exception as err:  # python-multipart raises its own errors for broken bodies
        raise WebError(422, "E606", detail=f"the multipart body cannot be read ({type(err).__name__})") from None
    return fields


def _label(filename: str) -> str:
    """An uploaded file's name as a label: its last path part, without control characters."""
    name = re.split(r"[\\/]", filename)[-1]
    return _CONTROL.sub("", name).strip()[:200] or "upload"


def metadata_fields(document: Document) -> dict[str, str]:
    """The metadata to send back with a stored-later article (the Store form's hidden fields)."""
    out = {name: getattr(document, name) for name in _METADATA if getattr(document, name)}
    if document.authors:
        out["authors"] = "; ".join(document.authors)
    return out


def document_from_request(request: Request, fields: Fields, *, strict: bool) -> Document:
    """The article the fields give: an uploaded ``file``, else ``text``, else ``html``, else ``url`` (fetched).

    ``strict`` (the API) refuses more than one of file, text and html, and reads
    a text exactly as given, an empty one too (E103), whatever the body's format;
    the pages' forms take the first filled one, with a textarea's CRLF line ends as LF.
    ``url`` beside a text is metadata. Metadata fields beat what the page or text says.
    """
    upload = fields.files.get("file")
    text = fields.values.get("text") if strict else fields.get("text")
    html = fields.values.get("html") if strict else fields.get("html")
    given = [name for name, value in (("file", upload), ("text", text), ("html", html)) if value is not None]
    if strict and len(given) > 1:
        raise WebError(422, "E606", detail=f"give one of text, html, file or url, not {' and '.join(given)}")
    url = fields.get("url")
    fetched = False
    if upload is not None:
        is_html = True if upload.filename.lower().endswith((".html", ".htm")) else None
        document = read_bytes_document(upload.data, name=upload.filename, is_html=is_html)
    elif text is not None:
        if not strict:
            text = text.replace("\r\n", "\n")  # browsers send a page's textarea with CRLF line ends
        try:
            document = document_from_text(text, name=fields.get("id"))
        except InputError as err:
            err.path = err.path or "the text"  # "the text: is empty; ..." rather than a sentence with no subject
            raise
    elif html is not None:
        document = document_from_html(html, name=fields.get("id"))
    elif url is not None:
        document, fetched = _fetch(request, url), True
    else:
        raise WebError(400, "E607")
    for name in _METADATA:
        value = fields.get(name)
        if name == "published" and value is not None and parse_date(value) is None:
            raise WebError(400, "E505", value=value)  # stored, it would leave the article silently undated
        if value is not None and not (name == "url" and fetched):
            setattr(document, name, value.strip())
    authors = fields.values.get("authors")
    if isinstance(authors, str):
        authors = authors.split(";")
    if isinstance(authors, list) and any(str(a).strip() for a in authors):
        document.authors = [str(a).strip() for a in authors if str(a).strip()]
    return document


def _fetch(request: Request, url: str) -> Document:
    """Fetch ``url`` (http/https only, redirects too, public addresses unless the server allows
    private ones, at most the server's size limit) as an article."""
    state = state_of(request)
    if not state.allow_fetch:
        raise WebError(403, "E604")
    url = url.strip()
    if not is_url(url) or not urlsplit(url).netloc:
        raise WebError(400, "E608", url=url)
    try:
        page = fetch(url, max_bytes=state.max_bytes, public_only=not state.fetch_private)
    except PrivateAddressError as err:
        raise WebError(403, "E613", url=url, detail=str(err)[:200]) from None
    except FetchError as err:
        raise WebError(502, "E605", url=url, detail=str(err)[:200]) from None
    document = read_fetched(page, name=url)
    document.url = url
    return document
