"""Turn what the user gives (paths, ``-`` for stdin, HTML or text) into Documents.

A batch of fifty articles must not die on the one PDF someone dropped in the
folder: :func:`iter_documents` yields an :class:`~onrecord.errors.InputError`
in place of each bad input and goes on. The single-input functions raise it.

Some files hold many articles: web archives (``.warc``, ``.warc.gz``, read by
:mod:`~onrecord.ingest.warc`), RSS/Atom feeds (``.rss``, ``.atom``, ``.xml``,
``.feed``, by :mod:`~onrecord.ingest.feeds`) and JSON lines (``.jsonl``,
``.ndjson``, by :mod:`~onrecord.ingest.jsonl`). :func:`iter_documents` hands
each to its reader, which yields one Document or InputError per article, so a
bad record costs that record alone.

Nothing is fetched from the network unless the caller passes ``fetch=True``
(the command line's ``--fetch``): then feed entries' links are fetched for
their article text, and an ``http(s)://`` input is fetched and read as a
feed or a page (see :mod:`~onrecord.ingest.fetch`). Without it such an input
is an E137.

The text of a :class:`~onrecord.model.Document` is what every span indexes,
so a text file's text is its decoded content exactly, untouched; for HTML it
is the main text trafilatura extracts (with paragraphs separated by a blank
line), and that extracted text then *is* the original.

An HTML page is read in the charset it declares, as a browser reads it (see
:mod:`~onrecord.ingest.charsets`: a byte-order mark, the server's header, a
``<meta charset>`` or ``http-equiv`` tag, UTF-8; ``iso-8859-1`` is
windows-1252) unless the user chose another ``encoding``; its date comes
from its metadata and date markup alone, never from dates or years in its
text; and a page whose only text is menus and links is no article (E108).
"""

from __future__ import annotations

import codecs
import importlib
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from onrecord.errors import E, InputError
from onrecord.ingest.charsets import UTF8_BOM, decode_web, declared_charset, page_encoding, wide_bom_encoding
from onrecord.ingest.fetch import FetchError, Fetched, fetch as fetch_url, is_url
from onrecord.ingest.normalise import _data_lines
from onrecord.model import Document

if TYPE_CHECKING:
    from lxml.html import HtmlElement

__all__ = [
    "DEFAULT_MAX_BYTES",
    "declared_charset",
    "has_article_words",
    "iter_documents",
    "count_articles",
    "url_host",
    "read_document",
    "read_bytes_document",
    "read_fetched",
    "size_limit",
    "document_from_html",
    "document_from_text",
]

#: Largest input read when neither ``max_bytes`` nor ``ONRECORD_MAX_BYTES`` says otherwise.
DEFAULT_MAX_BYTES = 5_000_000

_ENV_MAX_BYTES = "ONRECORD_MAX_BYTES"
_STDIN = "-"
_ARTICLE_SUFFIXES = frozenset({".txt", ".text", ".html", ".htm"})
_HTML_SUFFIXES = frozenset({".html", ".htm"})
#: Files holding many articles, by suffix: the module and function that read them.
#: Imported lazily: those modules build on this one, and need packages a text file does not.
_CONTAINER_READERS = {
    ".warc": ("onrecord.ingest.warc", "iter_warc"),
    ".warc.gz": ("onrecord.ingest.warc", "iter_warc"),
    ".rss": ("onrecord.ingest.feeds", "iter_feed"),
    ".atom": ("onrecord.ingest.feeds", "iter_feed"),
    ".xml": ("onrecord.ingest.feeds", "iter_feed"),
    ".feed": ("onrecord.ingest.feeds", "iter_feed"),
    ".jsonl": ("onrecord.ingest.jsonl", "iter_jsonl"),
    ".ndjson": ("onrecord.ingest.jsonl", "iter_jsonl"),
}
#: Readers of files whose articles link to pages that ``fetch=True`` reads (they take a ``fetch`` keyword).
_LINKING_READERS = frozenset({"iter_feed"})
_SNIFF_BYTES = 8192
_FEED_START = re.compile(rb"\s*<(?:\?xml\b|rss\b|feed\b|rdf:RDF\b)")
_HTML_START = re.compile(r"\s*<(?:!doctype\s+html|html)\b", re.IGNORECASE)
_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})\b", re.IGNORECASE)
_BOILERPLATE_FILE = "ingest_boilerplate.tsv"
_DATE_MARKUP_FILE = "ingest_date_markup.tsv"
#: Where an id or class splits into words: hyphens, underscores, spaces, and camelCase's capitals.
_ATTRIBUTE_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_WORD = re.compile(r"\w+")


def iter_documents(
    paths: Sequence[str],
    *,
    max_bytes: int | None = None,
    encoding: str = "utf-8",
    stdin: BinaryIO | None = None,
    fetch: bool = False,
) -> Iterator[Document | InputError]:
    """Yield one Document, or one InputError, per input, in the order given.

    ``-`` reads standard input (``sys.stdin.buffer`` unless ``stdin`` is
    given). A directory stands for its ``.txt``, ``.text``, ``.html`` and
    ``.htm`` files, and its WARC, feed and JSON-lines files, found
    recursively (hidden names skipped) and read in sorted order; one with
    none of them yields a single E102. A file of many articles yields one
    item per article, and ``max_bytes`` then bounds each article (a WARC
    record's HTML, a JSON line; a feed, parsed whole, is bounded as a
    whole), not the file, since an archive is rightly larger than any one
    article in it. ``fetch`` allows the network: feed entries' links are
    fetched (a failed fetch is an E135 before that entry's Document, which
    keeps the entry's own text) and ``http(s)://`` inputs are read; without
    it nothing is fetched and a URL input is an E137. Errors are
    yielded, not raised, so the caller can report each and go on; the one
    exception is a malformed ``ONRECORD_MAX_BYTES`` (E111), raised before
    anything is read because it would spoil every input alike.
    """
    if isinstance(paths, str):
        raise TypeError("paths must be a sequence of paths, not one string")
    limit = size_limit(max_bytes)
    for path in paths:
        if path == _STDIN:
            yield _attempt(lambda: _read_stream(stdin, limit, encoding), _STDIN)
        elif is_url(path):
            yield from _iter_url(path, limit, encoding) if fetch else iter([_error("E137", path)])
        elif os.path.isdir(path):
            yield from _iter_directory(path, limit, encoding, fetch)
        else:
            yield from _iter_file(path, limit, encoding, fetch)


def read_document(path: str, *, max_bytes: int | None = None, encoding: str = "utf-8") -> Document:
    """Read one file as an article; raise InputError (E101, E103-E110) if it is not one.

    The size is checked before the file is read, so a 2 GB log file given by
    mistake costs nothing. ``.html``/``.htm`` files are read as HTML; other
    files are too when their content starts like an HTML page.
    """
    limit = size_limit(max_bytes)
    info = _stat_file(path)
    if info.st_size > limit:
        raise _error("E106", path, size=info.st_size, limit=limit)
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)  # the file may be a pipe, or may grow
    except OSError as exc:
        raise _error("E107", path, detail=exc.strerror or exc) from None
    if len(data) > limit:
        raise _error("E106", path, size=f"at least {len(data)}", limit=limit)
    is_html = True if Path(path).suffix.lower() in _HTML_SUFFIXES else None
    return read_bytes_document(data, name=path, is_html=is_html, encoding=encoding)


def read_bytes_document(
    data: bytes,
    *,
    name: str,
    is_html: bool | None = None,
    encoding: str = "utf-8",
    charset: str | None = None,
) -> Document:
    """Decode raw bytes as an article; ``name`` is both the id and the path in errors.

    ``is_html=None`` sniffs: content starting (after whitespace) with
    ``<!doctype html`` or ``<html`` is HTML. A UTF-8 byte-order mark is
    dropped before decoding, so it never shifts the offsets; a UTF-16 or UTF-32
    one (Windows tools save text so) decodes the file in that encoding, whatever
    ``encoding`` says. ``charset`` is the label a server sent with the bytes
    (its Content-Type); it and an HTML page's own declaration are read as a
    browser reads them (see :func:`_decode_page`).
    """
    if not data.strip():
        raise _error("E103", name)
    encoding = wide_bom_encoding(data) or encoding
    wide = _is_wide_encoding(encoding, name)
    detail = binary_reason(data, allow_nul=wide)
    if detail:
        raise _error("E104", name, detail=detail)
    text = _decode_page(data, encoding, name, is_html, charset)
    if not text.strip():
        raise _error("E103", name)
    if is_html is None:
        is_html = _HTML_START.match(text) is not None
    if is_html:
        return document_from_html(text, name=name)
    return document_from_text(text, name=name)


def _decode_page(data: bytes, encoding: str, name: str, is_html: bool | None, charset: str | None) -> str:
    """``data`` decoded: in ``encoding`` as the user gave it, or, for what declares its charset, as a browser would.

    UTF-8 is the default, so asking for it usually means nothing was asked:
    a page saved by an older tool says what it is (``<meta
    charset="windows-1252">``) and a server says what it sends, browsers
    believe them, and so does this, by the one rule all pages follow
    (:func:`~onrecord.ingest.charsets.page_encoding`: mark, server, ``<meta>``,
    ``encoding``). Any other ``encoding`` was chosen on purpose and is taken
    literally, ``latin-1`` as Latin-1, unless a server named the charset. A
    text file's "<meta charset" is only text. Bytes that do not fit the
    charset chosen are the E105 for it.
    """
    marked = data.startswith(UTF8_BOM)
    if marked:
        data = data[len(UTF8_BOM) :]
    if is_html is None:
        is_html = _HTML_START.match(data[:_SNIFF_BYTES].decode("latin-1")) is not None
    if charset is None and (not is_html or codecs.lookup(encoding).name != "utf-8"):
        return decode_text(data, encoding, name)
    codec = "utf-8" if marked else page_encoding(data, header=charset, default=encoding, html=is_html)
    try:
        return decode_web(data, codec)
    except UnicodeDecodeError as exc:
        raise _undecodable(exc, codec, name) from None


def document_from_html(html: str, *, name: str | None = None, url: str | None = None) -> Document:
    """Extract the article from an HTML page with trafilatura, metadata included.

    The extracted main text, paragraphs joined by a blank line, becomes the
    Document's text. Title, authors (trafilatura's ``;``-separated string),
    date, site name, URL and language fill the metadata where the page has
    them. The date comes from the page's metadata and date markup only (meta
    tags, JSON-LD, ``<time>``, the URL, a byline's date): never from the
    article's words (see :func:`_published`), since "from 2000 to 2001" or
    "the 2016-05-03 filing" is no publication date. Raises E108 when no main text is found, when it
    has not one letter or digit, or when all of it is menus and links (see
    :func:`has_article_words`); E109 when trafilatura is not importable.
    """
    where = name or url
    try:
        import trafilatura
    except ImportError as exc:
        raise _error("E109", where, detail=exc) from None
    try:
        found = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, date_extraction_params=_date_params()
        )
    except Exception:  # trafilatura signals some failures with bare ValueErrors
        found = None
    meta: dict[str, Any] = found.as_dict() if found is not None and hasattr(found, "as_dict") else dict(found or {})
    paragraphs = [line.strip() for line in (meta.get("text") or "").splitlines() if line.strip()]
    if not any(ch.isalnum() for paragraph in paragraphs for ch in paragraph):  # "<<<>>>" is not an article
        raise _error("E108", where)
    if not has_article_words("\n".join(paragraphs), _page_body(html)):
        raise _error("E108", where)
    document = Document(
        text="\n\n".join(paragraphs),
        id=name,
        title=_clean(meta.get("title")),
        url=_clean(meta.get("url")) or url,
        publisher=_site_name(_clean(meta.get("sitename")), _clean(meta.get("url")) or url),
        published=_published(html, _clean(meta.get("url")) or url, _clean(meta.get("date"))),
        authors=[a.strip() for a in (meta.get("author") or "").split(";") if a.strip()],
    )
    language = _clean(meta.get("language")) or _html_language(html)
    if language:
        document.language = language
    return document


def _site_name(sitename: str | None, url: str | None) -> str | None:
    """The page's site name, unless it is only its URL's host ("bi.example"), which trafilatura
    gives when the page names no site: the text's own outlet line ("Business Insider") says more,
    and the pipeline falls back on the host only when the text names none."""
    if sitename and url and sitename.lower().removeprefix("www.") == url_host(url):
        return None
    return sitename


def url_host(url: str | None) -> str | None:
    """``url``'s host, lower-cased, without a leading "www.": the publisher of last resort."""
    from urllib.parse import urlsplit

    try:
        host = urlsplit(url or "").hostname
    except ValueError:  # a malformed address ("http://[::1")
        return None
    return host.removeprefix("www.") if host else None


def _date_params() -> dict[str, Any]:
    """htmldate's settings: its fast search (metadata and date markup), not its extensive one.

    The extensive search ends by guessing from any date-like text on the page,
    even a bare year ("from 2000 to 2001" became 2000-01-01); a wrong date is
    worse than none, since dates filter and sort the ledger. The fast one
    still takes an ISO date from the text at last (:func:`_published` stops that).
    """
    return {"extensive_search": False, "original_date": True, "max_date": date.today().isoformat()}


def _published(html: str, url: str | None, found: str | None) -> str | None:
    """The page's date from its metadata and date markup alone; None when only its words give one.

    ``found`` is the date trafilatura's htmldate found in the whole page. Its
    fast search still ends, when metadata and markup give nothing, by taking
    the first ISO date anywhere in the text, so "the 2016-05-03 filing" in a
    paragraph became the article's date, and no option turns that off. So a
    date found is looked for again in the page without its words
    (:func:`_date_markup_page`); when no date was found there is none to check.
    """
    if found is None:
        return None
    page = _date_markup_page(html)
    if page is None:
        return None
    try:
        from htmldate import find_date

        return _clean(find_date(page, url=url, **_date_params()))
    except Exception:  # htmldate, like trafilatura, fails on odd pages with bare errors
        return None


def _date_markup_page(html: str) -> HtmlElement | None:
    """The page parsed, with the body's text removed except in date markup; None when lxml cannot parse it.

    The ``<head>``, every attribute, JSON-LD and ``<time>`` stay, and so does the
    text of an element marked as a date's (a ``class="byline"`` or
    ``itemprop="datePublished"``, listed in ``data/ingest_date_markup.tsv``);
    the article's sentences go. Walked without recursion: pages nest deep.
    """
    try:
        import lxml.html

        root = lxml.html.document_fromstring(html)
    except Exception:  # lxml raises ParserError, ValueError (encoding declarations in str) and more
        return None
    body = root.find("body")
    if body is None:
        return root
    tags, cues = _date_markup()
    stack = [(body, False)]
    while stack:
        element, kept = stack.pop()
        if element is not body and isinstance(element.tag, str):
            kept = kept or element.tag.lower() in tags or _has_date_cue(element, cues)
        if not kept:
            element.text = None
        for child in element:
            if not kept:  # text after a child is its parent's
                child.tail = None
            stack.append((child, kept))
    return root


def _has_date_cue(element: HtmlElement, cues: frozenset[str]) -> bool:
    """Whether a word of the element's id, class or itemprop starts or ends with a date cue ("pubdate", "post-date")."""
    for name in ("id", "class", "itemprop"):
        for word in _ATTRIBUTE_WORDS.findall(element.get(name) or ""):
            word = word.lower()
            if any(word.startswith(cue) or word.endswith(cue) for cue in cues):
                return True
    return False


def _date_markup() -> tuple[frozenset[str], frozenset[str]]:
    """The element names whose text is date markup, and the id/class words that mark it."""
    return _two_kinds(_DATE_MARKUP_FILE, "tag", "cue")


@lru_cache(maxsize=None)
def _two_kinds(name: str, first: str, second: str) -> tuple[frozenset[str], frozenset[str]]:
    """The values of a ``KIND<TAB>value`` data file, lower-cased, split by its two kinds."""
    kinds: dict[str, set[str]] = {first: set(), second: set()}
    for line in _data_lines(name):
        kind, _, value = line.partition("\t")
        kinds[kind.strip()].add(value.strip().lower())  # a KeyError is a typo in the data file
    return frozenset(kinds[first]), frozenset(kinds[second])


def has_article_words(text: str, page: HtmlElement | None) -> bool:
    """Whether some word of ``text`` (what was extracted from ``page``) stands outside boilerplate.

    trafilatura, finding no main text, falls back to whatever text a page has,
    so a page that is only a menu comes back as "Home menu". Its output alone
    cannot tell that from a one-paragraph news brief, but the page can: the
    brief's words stand in the body, the menu's only inside ``<nav>``,
    ``<header>``, ``<footer>``, ``<aside>``, links and the like (the list is in
    ``data/ingest_boilerplate.tsv``). So the text is an article when at least
    one of its words is found outside all of those, however short it is.
    ``page`` is the parsed body, or None when it could not be parsed, and
    then the text is given the benefit of the doubt.
    """
    if page is None:
        return True
    outside = set(_WORD.findall(" ".join(_text_outside_boilerplate(page)).lower()))
    return any(word in outside for word in _WORD.findall(text.lower()))


def _text_outside_boilerplate(root: HtmlElement) -> list[str]:
    """The pieces of text under ``root`` that no boilerplate element holds (walked without recursion: pages nest deep)."""
    tags, roles = _boilerplate()
    pieces: list[str] = []
    stack = [root]
    while stack:
        element = stack.pop()
        if element is not root and (
            not isinstance(element.tag, str)  # comments, processing instructions
            or element.tag.lower() in tags
            or (element.get("role") or "").strip().lower() in roles
        ):
            continue  # its tail is not its own: the parent keeps that
        if element.text:
            pieces.append(element.text)
        for child in element:
            if child.tail:  # text after a child belongs to ``element``, even when the child is boilerplate
                pieces.append(child.tail)
            stack.append(child)
    return pieces


def _page_body(html: str) -> HtmlElement | None:
    """The page's ``<body>`` parsed by lxml (the whole page when it has none), or None when lxml cannot parse it."""
    try:
        import lxml.html

        root = lxml.html.document_fromstring(html)
    except Exception:  # lxml raises ParserError, ValueError (encoding declarations in str) and more
        return None
    body = root.find("body")
    return body if body is not None else root


def _boilerplate() -> tuple[frozenset[str], frozenset[str]]:
    """The element names and ARIA roles whose text is never article text."""
    return _two_kinds(_BOILERPLATE_FILE, "tag", "role")


def document_from_text(text: str, *, name: str | None = None, **metadata: Any) -> Document:
    """Wrap text, exactly as given, in a Document; ``metadata`` fills its other fields.

    Raises E103 for text that is empty or only whitespace: there is no
    article to read, and saying so here beats an empty ledger later.
    """
    if not isinstance(text, str):
        raise TypeError(f"document text must be str, not {type(text).__name__}")
    if not text.strip():
        raise _error("E103", name)
    return Document(text=text, id=name, **metadata)


# --- internals ---------------------------------------------------------------


def _attempt(read: Callable[[], Document], path: str) -> Document | InputError:
    """Run one read, turning any failure into an InputError for that input alone."""
    try:
        return read()
    except InputError as exc:
        return exc if exc.path is not None else InputError(exc.code, exc.message, path=path)
    except OSError as exc:
        return _error("E107", path, detail=exc.strerror or exc)


def _iter_file(path: str, limit: int, encoding: str, fetch: bool = False) -> Iterator[Document | InputError]:
    """Read one file: an article, or, by its suffix, a file of many articles."""
    reader = _container_reader(path)
    if reader is None:
        yield _attempt(lambda: read_document(path, max_bytes=limit, encoding=encoding), path)
        return
    options = {"fetch": True} if fetch and reader.__name__ in _LINKING_READERS else {}
    try:
        for item in reader(path, max_bytes=limit, encoding=encoding, **options):
            yield item
    except InputError as exc:  # the file as a whole failed (missing, unreadable, reader unavailable)
        yield exc if exc.path is not None else InputError(exc.code, exc.message, path=path)
    except OSError as exc:
        yield _error("E107", path, detail=exc.strerror or exc)


def _iter_url(url: str, limit: int, encoding: str) -> Iterator[Document | InputError]:
    """Fetch an ``http(s)://`` input (the user passed --fetch) and read it as a feed or as one page."""
    from onrecord.ingest.feeds import feed_items

    try:
        fetched = fetch_url(url, max_bytes=limit)
    except FetchError as exc:
        yield _error("E138", url, detail=exc)
        return
    if _is_feed(fetched.content_type, fetched.data):
        try:
            yield from feed_items(fetched.data, url, limit=limit, fetch=True)
        except InputError as exc:  # feedparser unavailable: the feed as a whole fails
            yield exc
        return
    document = _attempt(lambda: read_fetched(fetched, name=url, encoding=encoding), url)
    if isinstance(document, Document):
        document.url = document.url or fetched.url
    yield document


def read_fetched(page: Fetched, *, name: str, encoding: str = "utf-8") -> Document:
    """A fetched page as an article, read as a file is: HTML when the server says so (else
    sniffed), decoded in the charset the server declared, else the one the page declares, else ``encoding``."""
    is_html = True if "html" in page.content_type else None
    return read_bytes_document(page.data, name=name, is_html=is_html, encoding=encoding, charset=page.charset)


def _is_feed(content_type: str, data: bytes) -> bool:
    """Whether fetched bytes are a feed: an RSS/Atom/XML type, or XML that starts like one."""
    if "html" in content_type:
        return False
    if content_type.endswith(("rss+xml", "atom+xml", "rdf+xml", "/xml")):
        return True
    return _FEED_START.match(data[:_SNIFF_BYTES].lstrip(UTF8_BOM)) is not None


def _container_reader(path: str | Path) -> Callable[..., Iterator[Document | InputError]] | None:
    """The reader for a file of many articles, or None for a single article."""
    name = Path(path).name.lower()
    for suffix, (module_name, function) in _CONTAINER_READERS.items():
        if name.endswith(suffix) and len(name) > len(suffix):
            return getattr(importlib.import_module(module_name), function)
    return None


def count_articles(paths: Sequence[str]) -> int | None:
    """How many articles ``paths`` hold, for a progress bar's ETA; None when that is unknown.

    One per article file, walking directories as :func:`iter_documents` does;
    a WARC, feed or JSON-lines file (or stdin) holds an unknown number.
    """
    total = 0
    for path in paths:
        if path == _STDIN or is_url(path):
            return None
        names = [str(f) for f in _input_files(path, [])] if os.path.isdir(path) else [path]
        for name in names:
            if _container_reader(name) is not None:
                return None
        total += len(names)
    return total


def _is_input_file(name: str) -> bool:
    lowered = name.lower()
    return Path(lowered).suffix in _ARTICLE_SUFFIXES or any(
        lowered.endswith(suffix) and len(lowered) > len(suffix) for suffix in _CONTAINER_READERS
    )


def _stat_file(path: str) -> os.stat_result:
    """Stat a path that must be a file: raise E101 (missing), E107 (unreadable) or E110 (a directory)."""
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise _error("E101", path) from None
    except OSError as exc:
        raise _error("E107", path, detail=exc.strerror or exc) from None
    if os.path.isdir(path):
        raise _error("E110", path)
    return info


def _open_binary(path: str) -> BinaryIO:
    """Open a file of many articles for reading, with the same errors as one article's."""
    _stat_file(path)
    try:
        return open(path, "rb")
    except OSError as exc:
        raise _error("E107", path, detail=exc.strerror or exc) from None


def _iter_directory(root: str, limit: int, encoding: str, fetch: bool = False) -> Iterator[Document | InputError]:
    problems: list[OSError] = []
    found = _input_files(root, problems)
    if not found:
        root_problem = next((p for p in problems if os.path.normpath(p.filename or "") == os.path.normpath(root)), None)
        if root_problem is not None:
            yield _error("E107", root, detail=root_problem.strerror or root_problem)
        else:
            yield _error("E102", root)
        return
    for candidate in sorted(found):  # Path order: by components, so a folder's files stay together
        yield from _iter_file(str(candidate), limit, encoding, fetch)


def _input_files(root: str, problems: list[OSError]) -> list[Path]:
    """The article and container files under ``root``, hidden ones left out; walk errors go to ``problems``."""
    found: list[Path] = []
    for folder, dirs, files in os.walk(root, onerror=problems.append):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(Path(folder, f) for f in files if not f.startswith(".") and _is_input_file(f))
    return found


def _read_stream(stream: BinaryIO | None, limit: int, encoding: str) -> Document:
    """Read stdin (or the stream standing in for it), never more than ``limit + 1`` bytes."""
    if stream is None:
        stream = getattr(sys.stdin, "buffer", None)  # sys.stdin is None when a process has no stdin
        if stream is None:
            raise _error("E107", _STDIN, detail="there is no standard input")
    try:
        data = stream.read(limit + 1)
    except (OSError, ValueError) as exc:  # ValueError: the stream is closed
        raise _error("E107", _STDIN, detail=getattr(exc, "strerror", None) or exc) from None
    if len(data) > limit:
        raise _error("E106", _STDIN, size=f"at least {len(data)}", limit=limit)
    return read_bytes_document(data, name=_STDIN, encoding=encoding)


def size_limit(max_bytes: int | None) -> int:
    """The size limit: the argument, else ``ONRECORD_MAX_BYTES``, else the default."""
    if max_bytes is not None:
        if max_bytes <= 0:
            raise ValueError(f"max_bytes must be above 0, not {max_bytes}")
        return max_bytes
    raw = os.environ.get(_ENV_MAX_BYTES, "").strip()
    if not raw:
        return DEFAULT_MAX_BYTES
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise InputError("E111", E.E111.format(value=raw))
    return value


def binary_reason(data: bytes, *, allow_nul: bool) -> str | None:
    """Why ``data`` looks binary, or None when it looks like text."""
    for magic, what in _magic_numbers():
        if data.startswith(magic):
            return f"it starts like {what}"
    if not allow_nul and b"\x00" in data[:_SNIFF_BYTES]:
        return "NUL bytes in the first 8 KB"
    return None


@lru_cache(maxsize=None)
def _magic_numbers() -> tuple[tuple[bytes, str], ...]:
    rows = []
    for line in _data_lines("ingest_binary_magic.tsv"):
        magic, _, what = line.partition("\t")
        rows.append((bytes.fromhex(magic.strip()), what.strip()))
    return tuple(rows)


def _is_wide_encoding(encoding: str, name: str) -> bool:
    """UTF-16 and UTF-32 text is full of NUL bytes; other encodings' is not."""
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise _error("E105", name, encoding=encoding, detail="no such encoding") from None
    return codec.startswith(("utf-16", "utf-32"))


def _html_language(html: str) -> str | None:
    match = _HTML_LANG.search(html, 0, 4096)
    return match.group(1).lower() if match else None


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def decode_text(data: bytes, encoding: str, name: str | None) -> str:
    """``data`` decoded; E105 naming the first byte that does not fit ``encoding``, and where it is."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _undecodable(exc, encoding, name) from None


def _undecodable(exc: UnicodeDecodeError, encoding: str, name: str | None) -> InputError:
    """The E105 for a decoding failure: the first byte that does not fit ``encoding``, and where it is."""
    bad = exc.object[exc.start : exc.start + 1].hex()
    return _error("E105", name, encoding=encoding, detail=f"byte 0x{bad} at offset {exc.start}: {exc.reason}")


def _error(code: str, path: str | None, **fields: Any) -> InputError:
    """Build a catalogue error; details are squeezed onto one line, as errors are one line."""
    flat = {key: " ".join(str(value).split()) for key, value in fields.items()}
    return InputError(code, getattr(E, code).format(**flat), path=path)
