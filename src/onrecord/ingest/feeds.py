"""Read the entries of an RSS or Atom feed (``.rss``, ``.atom``, ``.xml``, ``.feed``) as articles.

A feed carries each article's text, or a summary of it, inside the entry, as
HTML; that HTML is flattened to paragraphs (a blank line between blocks)
and becomes the Document's text, with the entry's title, link, date and
authors, and the feed's title as the publisher. Pages the entries link to
are fetched only when asked (``fetch=True``, the command line's ``--fetch``):
then each link's page is read like an HTML file (trafilatura's main text)
and its text replaces the entry's. Otherwise reading stays offline, and an
entry with no text of its own is an E128 for that entry alone.
"""

from __future__ import annotations

import calendar
import io
import re
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from onrecord.errors import InputError
from onrecord.ingest.fetch import FetchError, fetch as fetch_url
from onrecord.ingest.readers import (
    _error,
    _open_binary,
    document_from_html,
    document_from_text,
    has_article_words,
    size_limit,
)
from onrecord.model import Document

if TYPE_CHECKING:
    from lxml.html import HtmlElement

__all__ = ["iter_feed", "feed_items", "FEED_SUFFIXES", "html_fragment_text"]

#: File name endings read as feeds.
FEED_SUFFIXES = (".rss", ".atom", ".xml", ".feed")

#: Elements after which a feed's HTML starts a new paragraph.
_BLOCKS = frozenset(
    {"p", "div", "li", "ul", "ol", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "section", "article", "figure", "figcaption", "dd", "dt"}
)
_TAG = re.compile(r"<[A-Za-z!/]")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}")
#: An e-mail address, whatever its top-level domain (feedparser's own pattern stops after four letters).
_EMAIL = re.compile(r"(?:mailto:)?[^\s()<>@,;:\"\[\]]+@[^\s()<>@,;:\"\[\]]+")
#: What feedparser leaves of a top-level domain longer than four letters: "ple" of ".example".
_CUT_DOMAIN = re.compile(r"[a-z0-9-]+(?=$|[\s(<])")
_DETAIL_CHARS = 160


def iter_feed(
    path: str, *, max_bytes: int | None = None, encoding: str = "utf-8", fetch: bool = False
) -> Iterator[Document | InputError]:
    """Yield one Document or InputError per entry of a feed file, in the feed's order.

    A feed is parsed whole, so ``max_bytes`` bounds the whole file (E106),
    and each fetched page too. ``encoding`` is unused: XML declares its own.
    A file that is not a feed yields one E126, a feed without entries one
    E127. Documents get the entry's ``id`` (its guid) when it has one, else
    ``"<path>#<n>"``. With ``fetch`` each entry's http(s) link is fetched
    and the page's article text used; when that fails the entry yields an
    E135 first and then its Document with its own text (E136 alone when it
    has none), so one dead link costs that page, not the entry or the feed.
    """
    limit = size_limit(max_bytes)
    _feedparser(path)
    with _open_binary(path) as handle:
        data = handle.read(limit + 1)
    yield from feed_items(data, path, limit=limit, fetch=fetch)


def feed_items(data: bytes, path: str, *, limit: int, fetch: bool = False) -> Iterator[Document | InputError]:
    """The items of a feed already in memory (a file's or a fetched URL's bytes): see :func:`iter_feed`."""
    feedparser = _feedparser(path)
    if len(data) > limit:
        yield _error("E106", path, size=f"at least {len(data)}", limit=limit)
        return
    if not data.strip():
        yield _error("E103", path)
        return
    parsed = feedparser.parse(io.BytesIO(data))  # a stream, so feedparser never takes it for a URL to fetch
    if not parsed.entries:
        yield _not_a_feed(parsed, path)
        return
    publisher = _text(parsed.feed.get("title"))
    language = _language(parsed.feed.get("language"))
    for number, entry in enumerate(parsed.entries, start=1):
        yield from _entry_items(entry, path, number, publisher, language, limit if fetch else None)


def html_fragment_text(fragment: str) -> str:
    """Flatten an HTML fragment to text: one paragraph per block element, blank lines between.

    trafilatura looks for the main text of a whole page and drops short
    fragments as boilerplate; a feed entry is already just the article, so
    every block of it is kept. Whitespace inside a paragraph is collapsed.
    """
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except Exception:  # lxml raises ParserError and friends on fragments it cannot use
        return _paragraphs(fragment)
    for element in root.iter():
        if not isinstance(element.tag, str):  # comments, processing instructions
            continue
        tag = element.tag.lower()
        if tag == "br":
            element.tail = "\n" + (element.tail or "")
        elif tag in _BLOCKS:
            element.text = "\n\n" + (element.text or "")
            element.tail = "\n\n" + (element.tail or "")
    return _paragraphs(root.text_content())


# --- internals ---------------------------------------------------------------


def _feedparser(path: str) -> Any:
    try:
        import feedparser
    except ImportError as exc:
        raise _error("E129", path, detail=exc) from None
    return feedparser


def _entry_items(
    entry: Any, path: str, number: int, publisher: str | None, language: str | None, fetch_limit: int | None
) -> Iterator[Document | InputError]:
    """One entry as a Document (after an E135 when its page could not be fetched), or one error.

    Its guid is the id when it has one, as that is what the feed promises to
    keep stable. The entry's metadata comes first; a fetched page only fills
    what the entry lacks.
    """
    text = _entry_text(entry)
    link = _text(entry.get("link"))
    label = _text(entry.get("title")) or link
    where = f"{number} ({label})" if label else number
    page, problem = None, None
    if fetch_limit is not None and link:
        try:
            page = _fetched_page(link, fetch_limit)
        except FetchError as exc:
            problem = str(exc)
    if page is None and not text:
        if problem:
            yield _error("E136", path, entry=where, url=link, detail=problem)
        else:
            yield _error("E128", path, entry=where)
        return
    if problem:
        yield _error("E135", path, entry=where, url=link, detail=problem)
    document = document_from_text(
        page.text if page is not None else text,
        name=_text(entry.get("id")) or f"{path}#{number}",
        title=_text(entry.get("title")) or (page.title if page is not None else None),
        url=link,
        publisher=publisher,
        published=_iso(entry.get("published_parsed") or entry.get("updated_parsed")) or _text(entry.get("published"))
        or (page.published if page is not None else None),
        authors=_authors(entry) or (list(page.authors) if page is not None else []),
    )
    language = language or (page.language if page is not None and page.language else None)
    if language:
        document.language = language
    yield document


def _fetched_page(url: str, limit: int) -> Document:
    """The article on the page at ``url``, read as an HTML file is; FetchError when there is none to be had."""
    fetched = fetch_url(url, max_bytes=limit)
    if "html" not in fetched.content_type and "xml" not in fetched.content_type:
        raise FetchError(f"it is {fetched.content_type}, not an HTML page")
    try:
        return document_from_html(fetched.text(), name=url, url=fetched.url)
    except InputError as exc:
        raise FetchError("trafilatura found no article text in the page" if exc.code == "E108" else exc.message) from None


def _entry_text(entry: Any) -> str:
    """The entry's own text: its fullest content, else its summary, HTML flattened."""
    candidates = [(c.get("value"), c.get("type")) for c in entry.get("content") or []]
    detail = entry.get("summary_detail") or {}
    candidates.append((entry.get("summary"), detail.get("type")))
    for value, kind in sorted(candidates, key=lambda c: len(c[0] or ""), reverse=True):
        if not value or not value.strip():
            continue
        if (kind or "").endswith("html") or _TAG.search(value):
            text = html_fragment_text(value)
            if text and not has_article_words(text, _fragment_root(value)):
                continue  # only a menu or a "Comments" link: no more an article here than in a page
        else:
            text = _paragraphs(value)
        if text:
            return text
    return ""


def _fragment_root(fragment: str) -> HtmlElement | None:
    """An HTML fragment parsed under one ``<div>``, or None when lxml cannot parse it."""
    import lxml.html

    try:
        return lxml.html.fragment_fromstring(fragment, create_parent="div")
    except Exception:  # lxml raises ParserError and friends on fragments it cannot use
        return None


def _paragraphs(text: str) -> str:
    """Normalise plain text: paragraphs split at blank lines, inner whitespace collapsed."""
    blocks = re.split(r"\n\s*\n", text)
    return "\n\n".join(" ".join(block.split()) for block in blocks if block.strip())


def _authors(entry: Any) -> list[str]:
    """The entry's author names, read from the feed's own strings rather than feedparser's split of them.

    RSS gives an author as one string, ``lois@dp.example (Lois Lane)``, and
    feedparser splits off the address with a pattern that ends a domain after
    four letters, leaving "ple (Lois Lane" as the name. So a lone author is
    read from the string the feed gave (which feedparser keeps); of several,
    only the last string is kept, and a name that is the rest of a cut
    address is put back together first. The name is what stands beside the
    address; the bare address only when there is no name.
    """
    details = [a for a in entry.get("authors") or [] if isinstance(a, dict)]
    raw = _text(entry.get("author"))
    if len(details) <= 1 and raw:
        found = [_author_name(raw)]
    else:
        found = [_author_name(_rejoined(detail)) for detail in details]
    return list(dict.fromkeys(name for name in found if name))


def _rejoined(detail: dict[str, Any]) -> str:
    """An author as its feed wrote it, as far as feedparser's ``{"name", "email"}`` shows it.

    When the address ends in four letters and the name starts with lower-case
    letters glued to it, the name is the cut-off end of the address
    (``lois@dp.exam`` + ``ple (Lois Lane``): they are joined again, with the
    closing parenthesis feedparser dropped.
    """
    name = _text(detail.get("name")) or ""
    email = _text(detail.get("email")) or ""
    if not email:
        return name
    if re.search(r"\.[A-Za-z]{4}$", email) and _CUT_DOMAIN.match(name):
        return email + name + (")" if name.count("(") > name.count(")") else "")
    return f"{name} ({email})" if name else email


def _author_name(raw: str) -> str | None:
    """The name in an author string: ``a@b.example (Name)``, ``Name <a@b.example>``, ``Name (a@b.example)``, ``Name``.

    The address is taken out and the brackets left empty with it; what is
    left, unwrapped from parentheses, is the name. With no name, the address.
    """
    emails = _EMAIL.findall(raw)
    rest = _EMAIL.sub(" ", raw)
    rest = re.sub(r"\(\s*\)|<\s*>", " ", rest).strip()
    while rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1].strip()
    name = _text(rest)
    if name and any(ch.isalnum() for ch in name):
        return name
    return emails[0].removeprefix("mailto:") if emails else None


def _iso(parsed: time.struct_time | None) -> str | None:
    """feedparser's UTC time tuple as ISO 8601."""
    if not parsed:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(calendar.timegm(parsed)))


def _language(value: Any) -> str | None:
    """A feed's ``en-us`` as ``en``, the form the rest of onrecord uses."""
    match = _LANGUAGE.match(_text(value) or "")
    return match.group(0).lower() if match else None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _not_a_feed(parsed: Any, path: str) -> InputError:
    if parsed.get("version"):
        return _error("E127", path)
    problem = parsed.get("bozo_exception")
    detail = str(problem) if problem else "no RSS or Atom elements in it"
    return _error("E126", path, detail=detail[:_DETAIL_CHARS])
