"""Read the HTML pages in a web archive (``.warc``, ``.warc.gz``) as articles.

A crawl keeps every response it got: pages, stylesheets, images, redirects.
Only a successful ``response`` record whose Content-Type is HTML can be an
article, so the others are passed over without a word; each HTML page then
becomes one Document through :func:`~onrecord.ingest.readers.document_from_html`,
keeping the record's ``WARC-Target-URI`` as the URL and its ``WARC-Date`` as
the date. One page without article text (E122) costs that page alone.

Archives are often copied half-way, and warcio stops quietly at the damage,
so the reader checks that each record's block was read to its declared
length and that the archive was read to its end: what came before the damage
is yielded, then one E121.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from typing import Any, BinaryIO

from onrecord.errors import InputError
from onrecord.ingest.charsets import decode_web, page_encoding
from onrecord.ingest.readers import _error, binary_reason, size_limit, _open_binary, document_from_html
from onrecord.model import Document

__all__ = ["iter_warc", "WARC_SUFFIXES"]

#: File name endings read as web archives.
WARC_SUFFIXES = (".warc", ".warc.gz")

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_GZIP_MAGIC = b"\x1f\x8b"
_GZIP_WBITS = 16 + zlib.MAX_WBITS
_CHUNK = 1 << 16
_DETAIL_CHARS = 160  # warcio quotes whole binary lines in its errors; one line must stay readable


def iter_warc(path: str, *, max_bytes: int | None = None, encoding: str = "utf-8") -> Iterator[Document | InputError]:
    """Yield one Document or InputError per HTML response record in a WARC file, in order.

    ``max_bytes`` bounds each record's HTML (E123), not the archive: a crawl
    of a thousand pages is rightly a thousand times larger than one. The
    page's charset comes from its HTTP header or ``<meta charset>``, its
    label read as browsers read it (``iso-8859-1`` is windows-1252);
    ``encoding`` is the fallback, then windows-1252, which never fails.
    Documents get ``id`` ``"<path>#<n>"``, n counting every record from 1.
    Raises InputError only when the file cannot be opened (E101, E107, E110)
    or warcio is missing (E125); damage inside the file is yielded (E120, E121).
    """
    limit = size_limit(max_bytes)
    try:
        from warcio.archiveiterator import ArchiveIterator
    except ImportError as exc:
        raise _error("E125", path, detail=exc) from None
    with _open_binary(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size == 0:
            yield _error("E103", path)
            return
        yield from _read_records(ArchiveIterator(handle), handle, path, size, limit, encoding)


# --- internals ---------------------------------------------------------------


def _read_records(
    records: Any, handle: BinaryIO, path: str, size: int, limit: int, encoding: str
) -> Iterator[Document | InputError]:
    """Walk the archive, yielding pages, then at most one error for damage to the file itself."""
    count = pages = end = 0
    try:
        for record in records:
            page = _page(record, path, count + 1, limit, encoding)
            if _cut_short(record):  # a page cut short is not the article: yield none of it
                yield _damaged(path, count, f"record {_record_name(record, count + 1)} is cut short")
                return
            count += 1
            end = records.get_record_offset() + records.get_record_length()
            if page is not None:
                pages += 1
                yield page
    except Exception as exc:  # warcio reports damage with many types (ArchiveLoadFailed, zlib.error, TypeError...)
        detail = f"{type(exc).__name__}: {exc}"[:_DETAIL_CHARS]
        yield _damaged(path, count, detail)
        return
    damage = _gzip_damage(handle) if _is_gzip(handle) else _tail_damage(handle, end, size)
    if damage:
        yield _damaged(path, count, damage)
    elif pages == 0:
        yield _error("E124", path)


def _is_gzip(handle: BinaryIO) -> bool:
    handle.seek(0)
    return handle.read(2) == _GZIP_MAGIC


def _gzip_damage(handle: BinaryIO) -> str | None:
    """Why a gzipped file is damaged, or None: warcio stops quietly at a cut or corrupt member."""
    handle.seek(0)
    member = zlib.decompressobj(_GZIP_WBITS)
    in_member = False
    offset = 0
    while chunk := handle.read(_CHUNK):
        offset += len(chunk)
        data = chunk
        while data:
            try:
                member.decompress(data)
            except zlib.error as exc:
                return f"gzip data is corrupt before offset {offset}: {exc}"
            in_member = not member.eof
            data = member.unused_data if member.eof else b""
            if member.eof:
                member = zlib.decompressobj(_GZIP_WBITS)
    return "the gzip data ends in the middle of a record" if in_member else None


def _tail_damage(handle: BinaryIO, end: int, size: int) -> str | None:
    """Why an uncompressed file does not end as a WARC does, or None when it does.

    Every record is followed by a blank line (CRLF CRLF); a file that ends
    without one, or with more than blank lines after its last whole record,
    was cut inside a record. Only a cut exactly between records goes unseen.
    """
    handle.seek(end)
    rest = handle.read(_CHUNK)
    if rest.strip():
        return f"{size - end} bytes after offset {end} are not a whole WARC record"
    if end > 0 and rest.count(b"\n") < 2:
        return "the last record is not followed by the blank line that ends every record"
    return None


def _page(record: Any, path: str, number: int, limit: int, encoding: str) -> Document | InputError | None:
    """One record as an article, an error for that record, or None when it is not a page at all."""
    if not _is_html_response(record):
        return None
    uri = record.rec_headers.get_header("WARC-Target-URI")
    name = _record_name(record, number)
    html = record.content_stream().read(limit + 1)
    if len(html) > limit:
        return _error("E123", path, record=name, size=f"at least {len(html)}", limit=limit)
    binary = binary_reason(html, allow_nul=False)  # the check article files get: a crawl mislabels images too
    if binary:
        return _error("E139", path, record=name, detail=binary)
    try:
        document = document_from_html(_decode(html, record, encoding), name=f"{path}#{number}", url=uri)
    except InputError as exc:
        if exc.code == "E108":
            return _error("E122", path, record=name)
        return InputError(exc.code, exc.message, path=path)
    document.url = uri or document.url
    document.published = record.rec_headers.get_header("WARC-Date") or document.published
    return document


def _is_html_response(record: Any) -> bool:
    """A successful HTTP response whose body is HTML: the only records that can be articles."""
    if record.rec_type != "response" or record.http_headers is None:
        return False
    status = (record.http_headers.get_statuscode() or "").strip()
    if not status.startswith("2"):  # redirects and error pages are not articles
        return False
    content_type = record.http_headers.get_header("Content-Type") or ""
    return content_type.split(";")[0].strip().lower() in _HTML_TYPES


def _decode(html: bytes, record: Any, fallback: str) -> str:
    """The page as text, in the charset a browser would read it in (its header's, its ``<meta>``'s, else
    ``fallback``: :func:`~onrecord.ingest.charsets.page_encoding`); when the bytes do not fit that, in
    ``fallback``, and else in windows-1252, which reads any bytes (its holes are the C1 controls)."""
    header = _charset(record.http_headers.get_header("Content-Type") or "")
    for codec in dict.fromkeys((page_encoding(html, header=header, default=fallback), fallback)):  # each once
        try:
            return decode_web(html, codec)
        except (LookupError, UnicodeDecodeError):
            continue
    return decode_web(html, "cp1252")


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _cut_short(record: Any) -> bool:
    """Read the rest of a record's block; say whether it ended before its declared length.

    A record without a whole Content-Length is one whose header was cut off:
    WARC requires the field, and warcio then reads to the end of the file.
    """
    if not (record.rec_headers.get_header("Content-Length") or "").strip().isdigit():
        return True
    raw = record.raw_stream
    while raw.read(_CHUNK):
        pass
    return (getattr(raw, "limit", 0) or 0) > 0


def _record_name(record: Any, number: int) -> str:
    uri = record.rec_headers.get_header("WARC-Target-URI")
    return f"{number} ({uri})" if uri else str(number)


def _damaged(path: str, count: int, detail: str) -> InputError:
    """E121 once whole records were read; before the first one, the file is no readable WARC at all (E120)."""
    if count == 0:
        return _error("E120", path, detail=detail)
    return _error("E121", path, count=count, detail=detail)
