"""Tests for the many-articles inputs: web archives, RSS/Atom feeds and JSON lines."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from onrecord.errors import EXIT_BAD_INPUT, InputError
from onrecord.ingest import (
    FEED_SUFFIXES,
    JSONL_SUFFIXES,
    WARC_SUFFIXES,
    html_fragment_text,
    iter_documents,
    iter_jsonl,
    iter_warc,
)
from onrecord.ingest import readers
from onrecord.model import Document
from newssite import FLOODS, TAXES

EMPTY_PAGE = """<!DOCTYPE html>
<html><head><title>Gallery</title></head><body><div id="app"></div></body></html>
"""

CSS = b"body { font-family: serif; } article p { margin: 0 0 1em; }\n"
TAXES_URI = "https://gazette.example/news/2024/03/council-taxes"
FLOODS_URI = "https://gazette.example/news/2024/03/floods"
EMPTY_URI = "https://gazette.example/gallery"


def _response(writer: WARCWriter, uri: str, body: bytes, content_type: str, date: str) -> None:
    headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        uri, "response", payload=io.BytesIO(body), http_headers=headers, warc_headers_dict={"WARC-Date": date}
    )
    writer.write_record(record)


def _request(writer: WARCWriter, uri: str) -> None:
    headers = StatusAndHeaders("GET /news HTTP/1.1", [("Host", "gazette.example")], is_http_request=True)
    writer.write_record(writer.create_warc_record(uri, "request", payload=io.BytesIO(b""), http_headers=headers))


def _warc_bytes(*, gzip: bool, empty_page: bool = True) -> bytes:
    """Five records: request, taxes page, stylesheet, (empty page), floods page."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzip)
    _request(writer, TAXES_URI)
    _response(writer, TAXES_URI, TAXES.encode(), "text/html; charset=utf-8", "2024-03-04T10:15:00Z")
    _response(writer, "https://gazette.example/site.css", CSS, "text/css", "2024-03-04T10:15:01Z")
    if empty_page:
        _response(writer, EMPTY_URI, EMPTY_PAGE.encode(), "text/html", "2024-03-04T10:15:02Z")
    _response(writer, FLOODS_URI, FLOODS.encode(), "text/html", "2024-03-05T08:00:00Z")
    return buffer.getvalue()


def _write(path: Path, data: bytes | str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return str(path)


def _kinds(items: list[Document | InputError]) -> list[str]:
    return [item.code if isinstance(item, InputError) else "doc" for item in items]


# --- WARC -----------------------------------------------------------------------------


@pytest.mark.parametrize("name,gzip", [("crawl.warc.gz", True), ("crawl.warc", False)])
def test_warc_html_responses_become_documents(tmp_path: Path, name: str, gzip: bool) -> None:
    path = _write(tmp_path / name, _warc_bytes(gzip=gzip))
    items = list(iter_documents([path]))
    # request and stylesheet are skipped silently; the empty page is an error in its place
    assert _kinds(items) == ["doc", "E122", "doc"]
    taxes, empty, floods = items
    assert isinstance(taxes, Document) and isinstance(floods, Document)
    assert '"Taxes will rise," Smith said.' in taxes.text
    assert "Subscribe" not in taxes.text and "Copyright" not in taxes.text
    assert taxes.url == TAXES_URI
    assert taxes.published == "2024-03-04T10:15:00Z"
    assert taxes.title == "Council to raise local taxes next year"
    assert taxes.id == f"{path}#2"
    assert floods.url == FLOODS_URI
    assert floods.published == "2024-03-05T08:00:00Z"
    assert floods.id == f"{path}#5"
    assert "Priya Nair" in floods.text
    assert isinstance(empty, InputError)
    assert empty.path == path
    assert EMPTY_URI in empty.line() and "record 4" in empty.line()


def test_truncated_gzip_warc_yields_what_came_before_then_one_error(tmp_path: Path) -> None:
    data = _warc_bytes(gzip=True, empty_page=False)
    whole = _write(tmp_path / "whole.warc.gz", data)
    assert _kinds(list(iter_documents([whole]))) == ["doc", "doc"]
    floods_start = data.index(b"\x1f\x8b", len(data) - 900)  # the last gzip member is the floods page
    cut = _write(tmp_path / "cut.warc.gz", data[: floods_start + (len(data) - floods_start) // 2])
    after = _write(tmp_path / "after.txt", "The mayor said the bridge would open in May.\n")
    items = list(iter_documents([cut, after]))
    assert _kinds(items) == ["doc", "E121", "doc"]
    assert items[0].url == TAXES_URI  # type: ignore[union-attr]
    assert items[1].path == cut  # type: ignore[union-attr]
    assert items[2].id == after  # type: ignore[union-attr]


def test_truncated_plain_warc_does_not_yield_the_cut_page(tmp_path: Path) -> None:
    data = _warc_bytes(gzip=False, empty_page=False)
    middle = data.index(b"Residents of the low-lying")  # inside the floods page's body
    path = _write(tmp_path / "cut.warc", data[:middle])
    items = list(iter_documents([path]))
    assert _kinds(items) == ["doc", "E121"]
    assert FLOODS_URI in items[1].line()  # type: ignore[union-attr]


def _record_boundaries(data: bytes) -> set[int]:
    """Where whole records end: a cut exactly there leaves a shorter but valid archive."""
    records = ArchiveIterator(io.BytesIO(data))
    ends = {0, len(data)}
    for _ in records:
        ends.add(records.get_record_offset() + records.get_record_length())
        ends.add(records.offset)  # after the blank lines that follow an uncompressed record
    return ends


@pytest.mark.parametrize("gzip", [True, False])
def test_every_cut_of_a_warc_is_reported(tmp_path: Path, gzip: bool) -> None:
    """Wherever a copy stops inside a record, the pages before come out and one error follows."""
    data = _warc_bytes(gzip=gzip, empty_page=False)
    boundaries = _record_boundaries(data)
    assert len(boundaries) >= 4
    path = tmp_path / ("cut.warc.gz" if gzip else "cut.warc")
    for size in range(1, len(data), 13):
        if size in boundaries:
            continue
        _write(path, data[:size])
        kinds = _kinds(list(iter_documents([str(path)])))
        assert kinds[-1] in {"E120", "E121"}, (size, kinds)
        assert set(kinds[:-1]) <= {"doc"}, (size, kinds)


def test_corrupt_gzip_warc(tmp_path: Path) -> None:
    data = bytearray(_warc_bytes(gzip=True, empty_page=False))
    middle = len(data) - 300
    data[middle : middle + 40] = b"\x00" * 40
    kinds = _kinds(list(iter_documents([_write(tmp_path / "bad.warc.gz", bytes(data))])))
    assert kinds == ["doc", "E121"]


def test_warc_limit_applies_per_record_not_per_file(tmp_path: Path) -> None:
    data = _warc_bytes(gzip=False, empty_page=False)
    path = _write(tmp_path / "crawl.warc", data)
    limit = max(len(TAXES), len(FLOODS)) + 10
    assert limit < len(data)
    assert _kinds(list(iter_documents([path], max_bytes=limit))) == ["doc", "doc"]
    items = list(iter_documents([path], max_bytes=len(FLOODS) + 10))  # taxes page is the longer one
    assert len(TAXES) > len(FLOODS) + 10
    assert _kinds(items) == ["E123", "doc"]
    assert TAXES_URI in items[0].line()  # type: ignore[union-attr]


def test_file_that_is_not_a_warc(tmp_path: Path) -> None:
    path = _write(tmp_path / "notes.warc", "These are my notes about the council meeting.\n")
    items = list(iter_documents([path]))
    assert _kinds(items) == ["E120"]


@pytest.mark.parametrize(
    ("garbage", "code"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR binary sent as text/html", "E139"),  # an image, mislabelled
        (b"<html>\x00\x00<body>\x00<p", "E139"),  # NUL bytes: not text
        (b"<<<>>> <html <body <p", "E122"),  # broken markup without one word in it
    ],
)
def test_warc_record_with_invalid_html_is_skipped_and_the_rest_lands(tmp_path: Path, garbage: bytes, code: str) -> None:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    _response(writer, TAXES_URI, TAXES.encode(), "text/html; charset=utf-8", "2024-03-04T10:15:00Z")
    _response(writer, EMPTY_URI, garbage, "text/html", "2024-03-04T10:15:02Z")
    _response(writer, FLOODS_URI, FLOODS.encode(), "text/html", "2024-03-05T08:00:00Z")
    path = _write(tmp_path / "broken.warc.gz", buffer.getvalue())
    items = list(iter_documents([path]))
    assert _kinds(items) == ["doc", code, "doc"]
    assert EMPTY_URI in items[1].line() and "record 2" in items[1].line()  # type: ignore[union-attr]
    assert [d.url for d in items if isinstance(d, Document)] == [TAXES_URI, FLOODS_URI]


def test_warc_record_of_only_a_menu_is_skipped(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    _response(writer, TAXES_URI, TAXES.encode(), "text/html; charset=utf-8", "2024-03-04T10:15:00Z")
    menu = b"<html><body><nav><a href='/'>Home</a> menu</nav></body></html>"  # trafilatura returned "menu"
    _response(writer, EMPTY_URI, menu, "text/html", "2024-03-04T10:15:02Z")
    items = list(iter_documents([_write(tmp_path / "menu.warc.gz", buffer.getvalue())]))
    assert _kinds(items) == ["doc", "E122"]
    assert EMPTY_URI in items[1].line()  # type: ignore[union-attr]


def test_warc_record_in_a_declared_charset(tmp_path: Path) -> None:
    """The same charset rule as for .html files, now from one shared helper."""
    page = '<html><head><meta charset="windows-1252"></head><body><p>Caf\u00e9 owners said the rules would cost them.</p></body></html>'
    buffer = io.BytesIO()
    _response(WARCWriter(buffer, gzip=False), TAXES_URI, page.encode("cp1252"), "text/html", "2024-03-04T10:15:00Z")
    (doc,) = list(iter_documents([_write(tmp_path / "cafe.warc", buffer.getvalue())]))
    assert isinstance(doc, Document) and doc.text == "Caf\u00e9 owners said the rules would cost them."


@pytest.mark.parametrize(
    "content_type,head",
    [
        ("text/html; charset=iso-8859-1", b""),
        ("text/html", b'<meta http-equiv="Content-Type" content="text/html; charset=latin1">'),
        ("text/html; charset=ISO-8859-1", b'<meta charset="utf-8">'),  # the header beats the <meta>, as in browsers
    ],
    ids=["header", "meta", "header-over-meta"],
)
def test_warc_record_declared_latin_1_is_read_as_windows_1252(tmp_path: Path, content_type: str, head: bytes) -> None:
    body = b"<p>He called it \x93a fair deal\x94 \x96 and said the rules would cost them.</p>"
    page = b"<html><head>" + head + b"</head><body>" + body + b"</body></html>"
    buffer = io.BytesIO()
    _response(WARCWriter(buffer, gzip=False), TAXES_URI, page, content_type, "2024-03-04T10:15:00Z")
    (doc,) = list(iter_documents([_write(tmp_path / "quotes.warc", buffer.getvalue())]))
    assert isinstance(doc, Document)
    assert doc.text == "He called it \u201ca fair deal\u201d \u2013 and said the rules would cost them."


def test_warc_without_html_pages(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    _response(writer, "https://gazette.example/site.css", CSS, "text/css", "2024-03-04T10:15:01Z")
    path = _write(tmp_path / "styles.warc.gz", buffer.getvalue())
    assert _kinds(list(iter_documents([path]))) == ["E124"]


def test_missing_warc_is_one_error(tmp_path: Path) -> None:
    items = list(iter_documents([str(tmp_path / "gone.warc.gz")]))
    assert _kinds(items) == ["E101"]


def test_iter_warc_raises_for_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        list(iter_warc(str(tmp_path / "gone.warc")))
    assert err.value.code == "E101"


# --- feeds ----------------------------------------------------------------------------

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Riverside Gazette</title>
  <link>https://gazette.example/</link>
  <description>Local news</description>
  <language>en-gb</language>
  <item>
    <title>Council to raise local taxes</title>
    <link>https://gazette.example/news/taxes</link>
    <guid isPermaLink="false">gazette-1001</guid>
    <pubDate>Mon, 04 Mar 2024 10:15:00 GMT</pubDate>
    <dc:creator>Jane Holloway</dc:creator>
    <description><![CDATA[<p>The council confirmed that local taxes would go up.</p>
      <p>"Taxes will rise," Smith said.</p>]]></description>
  </item>
  <item>
    <title>Floods recede</title>
    <link>https://gazette.example/news/floods</link>
    <pubDate>Tue, 05 Mar 2024 08:00:00 +0100</pubDate>
    <description>Flood barriers held overnight, the agency said.</description>
  </item>
</channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Harbour Times</title>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2024-03-06T12:00:00Z</updated>
  <entry>
    <title>Ferry fares frozen</title>
    <link href="https://harbour.example/ferry-fares"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <published>2024-03-06T09:30:00Z</published>
    <author><name>Tom Reyes</name></author>
    <summary>Short summary.</summary>
    <content type="html">&lt;p&gt;Ferry fares will not rise this year, the operator said.&lt;/p&gt;
      &lt;blockquote&gt;"We listened to islanders," said Ana Silva.&lt;/blockquote&gt;</content>
  </entry>
</feed>
"""


def test_rss_entries_become_documents(tmp_path: Path) -> None:
    items = list(iter_documents([_write(tmp_path / "gazette.rss", RSS)]))
    assert _kinds(items) == ["doc", "doc"]
    taxes, floods = items
    assert isinstance(taxes, Document) and isinstance(floods, Document)
    assert taxes.text == 'The council confirmed that local taxes would go up.\n\n"Taxes will rise," Smith said.'
    assert taxes.title == "Council to raise local taxes"
    assert taxes.url == "https://gazette.example/news/taxes"
    assert taxes.publisher == "Riverside Gazette"
    assert taxes.published == "2024-03-04T10:15:00Z"
    assert taxes.authors == ["Jane Holloway"]
    assert taxes.id == "gazette-1001"
    assert taxes.language == "en"
    assert floods.text == "Flood barriers held overnight, the agency said."
    assert floods.published == "2024-03-05T07:00:00Z"  # normalised to UTC
    assert floods.publisher == "Riverside Gazette"
    assert floods.id == f"{tmp_path / 'gazette.rss'}#2"


def test_atom_entry_prefers_full_content_to_summary(tmp_path: Path) -> None:
    items = list(iter_documents([_write(tmp_path / "harbour.atom", ATOM)]))
    assert _kinds(items) == ["doc"]
    ferry = items[0]
    assert isinstance(ferry, Document)
    assert ferry.text == 'Ferry fares will not rise this year, the operator said.\n\n"We listened to islanders," said Ana Silva.'
    assert ferry.title == "Ferry fares frozen"
    assert ferry.url == "https://harbour.example/ferry-fares"
    assert ferry.publisher == "Harbour Times"
    assert ferry.authors == ["Tom Reyes"]
    assert ferry.published == "2024-03-06T09:30:00Z"


def test_feed_declared_latin_1_is_read_as_windows_1252(tmp_path: Path) -> None:
    """feedparser already reads a feed's 0x80-0x9F as windows-1252; this keeps it so."""
    feed = RSS.replace('encoding="UTF-8"', 'encoding="iso-8859-1"').encode("cp1252")
    feed = feed.replace(b"Floods recede", b"Floods \x96 recede").replace(
        b"Flood barriers held", b"\x93Flood barriers held\x94"
    )
    items = list(iter_documents([_write(tmp_path / "latin.rss", feed)]))
    assert isinstance(items[1], Document)
    assert (items[1].title, items[1].text) == (
        "Floods \u2013 recede", "\u201cFlood barriers held\u201d overnight, the agency said."
    )


def test_xml_that_is_not_a_feed_is_one_error_and_the_batch_goes_on(tmp_path: Path) -> None:
    broken = _write(tmp_path / "export.xml", "this is not XML at all, just a note\n")
    sitemap = _write(tmp_path / "sitemap.xml", '<?xml version="1.0"?><urlset><url><loc>https://a.example/</loc></url></urlset>')
    feed = _write(tmp_path / "gazette.feed", RSS)
    items = list(iter_documents([broken, feed, sitemap]))
    assert _kinds(items) == ["E126", "doc", "doc", "E126"]
    assert items[0].path == broken  # type: ignore[union-attr]
    assert items[3].path == sitemap  # type: ignore[union-attr]
    assert items[1].title == "Council to raise local taxes"  # type: ignore[union-attr]


def test_feed_without_entries_and_entry_without_text(tmp_path: Path) -> None:
    empty = RSS.split("<item>")[0] + "</channel></rss>"
    no_text = RSS.replace("<description>Flood barriers held overnight, the agency said.</description>", "")
    items = list(iter_documents([_write(tmp_path / "empty.rss", empty), _write(tmp_path / "no_text.rss", no_text)]))
    assert _kinds(items) == ["E127", "doc", "E128"]
    assert "Floods recede" in items[2].line()  # type: ignore[union-attr]


def _one_item_rss(item: str) -> str:
    return RSS.split("<item>")[0] + f"<item><title>One</title><link>https://gazette.example/one</link>{item}</item></channel></rss>"


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        ("lois@dp.example (Lois Lane)", ["Lois Lane"]),
        ("lois@planet.media (Lois Lane)", ["Lois Lane"]),
        ("lois@dp.com (Lois Lane)", ["Lois Lane"]),
        ("Lois Lane &lt;lois@planet.media&gt;", ["Lois Lane"]),
        ("Lois Lane (lois@planet.media)", ["Lois Lane"]),
        ("lois@planet.media", ["lois@planet.media"]),  # no name: the address, whole
        ("Lois Lane", ["Lois Lane"]),
    ],
)
def test_rss_author_names_whatever_the_top_level_domain(tmp_path: Path, author: str, expected: list[str]) -> None:
    feed = _one_item_rss(f"<author>{author}</author><description>Taxes will rise, the council said.</description>")
    (doc,) = list(iter_documents([_write(tmp_path / "authors.rss", feed)]))
    assert isinstance(doc, Document) and doc.authors == expected


def test_rss_several_authors_with_long_domains(tmp_path: Path) -> None:
    authors = "<author>lois@dp.example (Lois Lane)</author><author>clark@planet.media (Clark Kent)</author>"
    authors += "<author>jimmy@planet.info (Jimmy Olsen)</author><author>perry@planet.museum</author>"
    feed = _one_item_rss(authors + "<description>Taxes will rise, the council said.</description>")
    (doc,) = list(iter_documents([_write(tmp_path / "authors.rss", feed)]))
    assert isinstance(doc, Document)
    assert doc.authors == ["Lois Lane", "Clark Kent", "Jimmy Olsen", "perry@planet.museum"]


@pytest.mark.parametrize(
    "content",
    [
        "&lt;nav&gt;&lt;a href='/'&gt;Home&lt;/a&gt; menu&lt;/nav&gt;",
        "&lt;a href='https://gazette.example/one#comments'&gt;Comments&lt;/a&gt;",
    ],
    ids=["menu", "only-a-link"],
)
def test_feed_entry_whose_content_is_only_a_menu_or_a_link_has_no_text(tmp_path: Path, content: str) -> None:
    feed = _one_item_rss(f"<description>{content}</description>")
    items = list(iter_documents([_write(tmp_path / "menu.rss", feed)]))
    assert _kinds(items) == ["E128"]
    short = _one_item_rss("<description>&lt;p&gt;Fire on &lt;a href='/m'&gt;Main Street&lt;/a&gt;. No one was hurt.&lt;/p&gt;</description>")
    (doc,) = list(iter_documents([_write(tmp_path / "short.rss", short)]))
    assert isinstance(doc, Document) and doc.text == "Fire on Main Street. No one was hurt."


def test_html_fragment_text_keeps_every_block() -> None:
    html = "<h2>Budget</h2><p>One  line<br>two</p><ul><li>first</li><li>second</li></ul>tail"
    assert html_fragment_text(html) == "Budget\n\nOne line two\n\nfirst\n\nsecond\n\ntail"


# --- JSON lines -------------------------------------------------------------------------


def test_jsonl_good_and_bad_lines_in_order(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": '"Taxes will rise," Smith said.', "id": "a1", "title": "Taxes", "url": "https://x.example/a1",
                    "publisher": "Gazette", "published": "2024-03-04", "language": "en", "authors": ["Jane Holloway"]}),
        json.dumps({"title": "No text here"}),
        "{not json",
        "",
        json.dumps(["a", "list"]),
        json.dumps({"text": "  The mayor said the bridge would open.\n", "authors": "Tom Reyes", "extra": 1}),
        json.dumps({"text": "   "}),
    ]
    path = _write(tmp_path / "corpus.jsonl", "\n".join(lines) + "\n")
    items = list(iter_documents([path]))
    assert _kinds(items) == ["doc", "E132", "E130", "E131", "doc", "E132"]
    first, no_text, not_json, a_list, second, blank_text = items
    assert isinstance(first, Document) and isinstance(second, Document)
    assert first.metadata() | {"model": None} == {
        "id": "a1", "title": "Taxes", "url": "https://x.example/a1", "publisher": "Gazette",
        "published": "2024-03-04", "language": "en", "authors": ["Jane Holloway"], "model": None,
    }
    assert first.text == '"Taxes will rise," Smith said.'
    assert second.text == "  The mayor said the bridge would open.\n"  # kept exactly: spans index it
    assert second.id == f"{path}:6"
    assert second.authors == ["Tom Reyes"]
    assert "line 2 " in no_text.line() and no_text.path == path  # type: ignore[union-attr]
    assert "line 3 " in not_json.line()  # type: ignore[union-attr]
    assert "line 5 " in a_list.line() and "array" in a_list.line()  # type: ignore[union-attr]
    assert "line 7 " in blank_text.line()  # type: ignore[union-attr]


def test_jsonl_bad_metadata_type(tmp_path: Path) -> None:
    path = _write(tmp_path / "c.ndjson", json.dumps({"text": "Hello there.", "authors": [1, 2]}) + "\n")
    items = list(iter_documents([path]))
    assert _kinds(items) == ["E133"]
    assert "'authors'" in items[0].line()  # type: ignore[union-attr]


def test_jsonl_published_must_be_a_date(tmp_path: Path) -> None:
    lines = [{"text": "One.", "published": "not-a-date"}, {"text": "Two.", "published": "2024-02-30"},
             {"text": "Three.", "published": "2024-02-29T08:00:00Z"}]
    path = _write(tmp_path / "d.jsonl", "".join(json.dumps(line) + "\n" for line in lines))
    items = list(iter_documents([path]))
    assert _kinds(items) == ["E133", "E133", "doc"]
    assert "'published'" in items[0].line() and "line 2 " in items[1].line()  # type: ignore[union-attr]
    assert items[2].published == "2024-02-29T08:00:00Z"  # type: ignore[union-attr]


def test_jsonl_limit_applies_per_line(tmp_path: Path) -> None:
    short = json.dumps({"text": "Short article."})
    long = json.dumps({"text": "word " * 200})
    path = _write(tmp_path / "c.jsonl", "\n".join([short, long, short]) + "\n")
    items = list(iter_jsonl(path, max_bytes=len(short) + 5))
    assert _kinds(items) == ["doc", "E134", "doc"]
    assert items[2].id == f"{path}:3"  # type: ignore[union-attr]


def test_empty_jsonl(tmp_path: Path) -> None:
    assert _kinds(list(iter_documents([_write(tmp_path / "c.jsonl", "\n\n")]))) == ["E103"]


# --- wiring ---------------------------------------------------------------------------


def test_directory_walk_finds_the_new_formats(tmp_path: Path) -> None:
    _write(tmp_path / "a" / "crawl.warc.gz", _warc_bytes(gzip=True, empty_page=False))
    _write(tmp_path / "b.jsonl", json.dumps({"text": "The mayor said so."}) + "\n")
    _write(tmp_path / "c.rss", RSS)
    _write(tmp_path / "d.txt", "Plain article text.\n")
    _write(tmp_path / "e.json", "{}")  # not an input format: ignored
    items = list(iter_documents([str(tmp_path)]))
    assert _kinds(items) == ["doc"] * 6
    assert [item.id for item in items[:2]] == [f"{tmp_path / 'a' / 'crawl.warc.gz'}#2", f"{tmp_path / 'a' / 'crawl.warc.gz'}#4"]  # type: ignore[union-attr]
    assert items[2].id == f"{tmp_path / 'b.jsonl'}:1"  # type: ignore[union-attr]
    assert items[5].id == str(tmp_path / "d.txt")  # type: ignore[union-attr]


def test_suffix_tables_agree() -> None:
    assert set(readers._CONTAINER_READERS) == set(WARC_SUFFIXES) | set(FEED_SUFFIXES) | set(JSONL_SUFFIXES)


def test_a_file_named_only_by_its_suffix_is_not_a_container(tmp_path: Path) -> None:
    path = _write(tmp_path / ".jsonl" / "x.txt", "Text.\n")
    assert readers._container_reader(path) is None
    assert readers._container_reader(tmp_path / "x.WARC.GZ") is not None


# --- end to end -------------------------------------------------------------------------


@pytest.mark.slow
def test_extract_reads_a_warc(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from onrecord.cli import main

    path = _write(tmp_path / "crawl.warc.gz", _warc_bytes(gzip=True))
    status = main(["extract", path, "--format", "jsonl", "--model", "rules"])
    out, err = capsys.readouterr()
    assert status == EXIT_BAD_INPUT  # the empty page was skipped
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert [row["document"]["url"] for row in rows] == [TAXES_URI, FLOODS_URI]
    assert [row["document"]["published"] for row in rows] == ["2024-03-04T10:15:00Z", "2024-03-05T08:00:00Z"]
    assert any("Smith" in json.dumps(attribution) for attribution in rows[0]["attributions"])
    assert "E122" in err and EMPTY_URI in err


def test_a_utf16_or_utf32_file_with_its_byte_order_mark_is_read_as_text(tmp_path: Path) -> None:
    text = 'The mayor said “the bridge opens in May”.\n'
    for codec in ("utf-16", "utf-16-be", "utf-32"):
        data = text.encode(codec)
        if not codec.endswith(("16", "32")):
            data = b"\xfe\xff" + data  # utf-16-be has no mark of its own
        path = tmp_path / f"{codec}.txt"
        path.write_bytes(data)
        (doc,) = list(iter_documents([str(path)]))
        assert doc.text == text, codec  # type: ignore[union-attr]
