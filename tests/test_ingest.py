"""Tests for onrecord.ingest.readers: every bad-input rule, batches, stdin and HTML."""

from __future__ import annotations

import gzip
import io
import os
import zipfile
from pathlib import Path

import pytest

from onrecord.errors import InputError
from onrecord.ingest import (
    DEFAULT_MAX_BYTES,
    document_from_html,
    document_from_text,
    iter_documents,
    read_bytes_document,
    read_document,
    readers,
)
from onrecord.model import Document

ARTICLE = "The mayor said on Tuesday that the bridge would open in May.\n\nCritics disagreed.\n"

PAGE = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>Council approves new bridge | Riverside Gazette</title>
<meta property="og:site_name" content="Riverside Gazette">
<meta property="og:title" content="Council approves new bridge over the Wend">
<meta name="author" content="Jane Holloway; Tom Reyes">
<meta property="article:published_time" content="2023-04-18T09:30:00Z">
</head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/sport">Sport</a></li><li>Subscribe to our newsletter</li></ul></nav>
<article>
<h1>Council approves new bridge over the Wend</h1>
<p>The city council voted on Tuesday to build a second bridge over the River Wend,
ending a decade of debate about traffic in the old town.</p>
<p>\u201cThis is the most important decision this council has taken in a generation,\u201d
said Mayor Alice Brandt, who had campaigned for the crossing since 2015.</p>
<p>Opponents were not convinced. Councillor Peter Lang said the projected cost of
40 million pounds was unrealistic and that residents would pay for the overruns.</p>
<p>According to the transport department, the bridge would cut journey times across
the river by up to twenty minutes at peak hours.</p>
<p>Construction is expected to start next spring, and the council said it would
publish the full tender documents by the end of the month.</p>
</article>
<footer><p>Copyright 2023 Riverside Gazette. All rights reserved.</p>
<a href="/privacy">Privacy policy</a> <a href="/contact">Contact us</a></footer>
</body>
</html>
"""

BOILERPLATE = ["Subscribe", "newsletter", "Copyright", "Privacy policy", "Contact us", "Sport"]


def _write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def _code(exc_info: pytest.ExceptionInfo[InputError]) -> str:
    return exc_info.value.code


# --- bad input, one rule at a time -----------------------------------------------


def test_missing_path(tmp_path: Path) -> None:
    path = str(tmp_path / "nope.txt")
    with pytest.raises(InputError) as err:
        read_document(path)
    assert _code(err) == "E101"
    assert err.value.path == path
    assert str(err.value).startswith(f"{path}: ") and str(err.value).endswith("[E101]")


def test_path_through_a_file_is_missing(tmp_path: Path) -> None:
    f = _write(tmp_path / "a.txt", ARTICLE)
    with pytest.raises(InputError) as err:
        read_document(str(f / "b.txt"))
    assert _code(err) == "E101"


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulated: the tests may run as root, whom chmod 000 does not stop.
    path = str(_write(tmp_path / "locked.txt", ARTICLE))

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(readers, "open", refuse, raising=False)
    with pytest.raises(InputError) as err:
        read_document(path)
    assert _code(err) == "E107"
    assert "Permission denied" in str(err.value)


def test_directory_given_to_read_document(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        read_document(str(tmp_path))
    assert _code(err) == "E110"


def test_directory_without_article_files(tmp_path: Path) -> None:
    _write(tmp_path / "notes.md", ARTICLE)
    _write(tmp_path / "scan.pdf", b"%PDF-1.4")
    _write(tmp_path / ".hidden.txt", ARTICLE)
    _write(tmp_path / ".git" / "a.txt", ARTICLE)
    (items,) = list(iter_documents([str(tmp_path)]))
    assert isinstance(items, InputError)
    assert items.code == "E102"
    assert items.path == str(tmp_path)


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  ", b"\xef\xbb\xbf", "\u00a0\u2003\n".encode()])
def test_empty_input(tmp_path: Path, content: bytes) -> None:
    path = _write(tmp_path / "empty.txt", content)
    with pytest.raises(InputError) as err:
        read_document(str(path))
    assert _code(err) == "E103"


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("article.txt", ARTICLE)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "hint"),
    [
        (b"Some text\x00\x00 with NULs in it", "NUL"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (gzip.compress(ARTICLE.encode()), "gzip"),
        (_zip_bytes(), "zip"),
    ],
)
def test_binary_input(tmp_path: Path, content: bytes, hint: str) -> None:
    path = _write(tmp_path / "article.txt", content)  # the extension does not save it
    with pytest.raises(InputError) as err:
        read_document(str(path))
    assert _code(err) == "E104"
    assert hint in err.value.message


def test_nul_after_the_first_8_kb_is_not_binary_by_sniffing(tmp_path: Path) -> None:
    # Only the first 8 KB are sniffed; a late NUL is a decoding matter, and decodes in UTF-8.
    content = b"a" * 9000 + b"\x00" + b" end"
    doc = read_document(str(_write(tmp_path / "late.txt", content)))
    assert doc.text.endswith("\x00 end")


def test_undecodable_input(tmp_path: Path) -> None:
    path = _write(tmp_path / "latin.txt", "Caf\u00e9 owners said no.".encode("latin-1"))
    with pytest.raises(InputError) as err:
        read_document(str(path))
    assert _code(err) == "E105"
    assert "utf-8" in err.value.message and "0xe9" in err.value.message
    # ... and the encoding that fits reads it.
    assert read_document(str(path), encoding="latin-1").text == "Caf\u00e9 owners said no."


def test_unknown_encoding(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.txt", ARTICLE)
    with pytest.raises(InputError) as err:
        read_document(str(path), encoding="no-such-codec")
    assert _code(err) == "E105"


def test_utf16_is_not_mistaken_for_binary(tmp_path: Path) -> None:
    path = _write(tmp_path / "wide.txt", ARTICLE.encode("utf-16"))
    assert read_document(str(path), encoding="utf-16").text == ARTICLE


def test_over_the_size_limit_is_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = str(_write(tmp_path / "big.txt", "x" * 1000))

    def must_not_open(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the file was opened although its size is over the limit")

    monkeypatch.setattr(readers, "open", must_not_open, raising=False)
    with pytest.raises(InputError) as err:
        read_document(path, max_bytes=999)
    assert _code(err) == "E106"
    assert "1000 bytes" in err.value.message and "999" in err.value.message


def test_at_the_size_limit_is_read(tmp_path: Path) -> None:
    path = _write(tmp_path / "fits.txt", "x" * 1000)
    assert len(read_document(str(path), max_bytes=1000).text) == 1000


def test_default_limit_is_5_mb() -> None:
    assert DEFAULT_MAX_BYTES == 5_000_000


def test_environment_variable_sets_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = str(_write(tmp_path / "a.txt", "y" * 100))
    monkeypatch.setenv("ONRECORD_MAX_BYTES", "50")
    with pytest.raises(InputError) as err:
        read_document(path)
    assert _code(err) == "E106" and "50 bytes" in err.value.message
    (item,) = list(iter_documents([path]))
    assert isinstance(item, InputError) and item.code == "E106"
    # An explicit limit wins over the environment.
    assert read_document(path, max_bytes=100).text == "y" * 100
    # Read at call time, not import time.
    monkeypatch.setenv("ONRECORD_MAX_BYTES", "200")
    assert read_document(path).text == "y" * 100


@pytest.mark.parametrize("value", ["lots", "-5", "0", "1.5"])
def test_malformed_environment_limit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str) -> None:
    monkeypatch.setenv("ONRECORD_MAX_BYTES", value)
    path = str(_write(tmp_path / "a.txt", ARTICLE))
    with pytest.raises(InputError) as err:
        list(iter_documents([path]))
    assert _code(err) == "E111"


# --- good input ---------------------------------------------------------------


def test_text_is_kept_exactly(tmp_path: Path) -> None:
    raw = "  \u201cYes,\u201d she said.\r\nThen\u00a0she\u200b left.\t\n\n"
    doc = read_document(str(_write(tmp_path / "a.txt", raw)))
    assert isinstance(doc, Document)
    assert doc.text == raw
    assert doc.id == str(tmp_path / "a.txt")


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    doc = read_document(str(_write(tmp_path / "bom.txt", b"\xef\xbb\xbf" + ARTICLE.encode())))
    assert doc.text == ARTICLE


def test_any_extension_is_read_when_named_explicitly(tmp_path: Path) -> None:
    doc = read_document(str(_write(tmp_path / "article.md", ARTICLE)))
    assert doc.text == ARTICLE


def test_document_from_text_takes_metadata() -> None:
    doc = document_from_text(ARTICLE, name="wire-1", title="Bridge", authors=["A. Writer"], language="de")
    assert (doc.text, doc.id, doc.title, doc.authors, doc.language) == (ARTICLE, "wire-1", "Bridge", ["A. Writer"], "de")
    with pytest.raises(InputError) as err:
        document_from_text(" \n", name="blank")
    assert _code(err) == "E103"


# --- batches ------------------------------------------------------------------


def test_batch_goes_on_after_bad_inputs(tmp_path: Path) -> None:
    good1 = str(_write(tmp_path / "one.txt", "First article."))
    missing = str(tmp_path / "missing.txt")
    binary = str(_write(tmp_path / "two.txt", b"%PDF-1.4 ..."))
    empty = str(_write(tmp_path / "three.txt", b""))
    good2 = str(_write(tmp_path / "four.txt", "Fourth article."))
    items = list(iter_documents([good1, missing, binary, empty, good2]))
    assert [type(i).__name__ for i in items] == ["Document", "InputError", "InputError", "InputError", "Document"]
    assert [getattr(i, "code", None) for i in items] == [None, "E101", "E104", "E103", None]
    assert [i.id if isinstance(i, Document) else i.path for i in items] == [good1, missing, binary, empty, good2]
    assert items[4].text == "Fourth article."


def test_directory_expands_recursively_in_sorted_order(tmp_path: Path) -> None:
    root = tmp_path / "articles"
    _write(root / "b.txt", "B")
    _write(root / "a.html", PAGE)
    _write(root / "sub" / "d.TXT", "D")
    _write(root / "sub" / "c.text", "C")
    _write(root / "sub" / "deeper" / "e.htm", PAGE)
    _write(root / "z.txt", "Z")
    _write(root / "notes.md", "not an article")
    _write(root / ".draft.txt", "hidden")
    _write(root / ".cache" / "x.txt", "hidden")
    items = list(iter_documents([str(root)]))
    expected = ["a.html", "b.txt", "sub/c.text", "sub/d.TXT", "sub/deeper/e.htm", "z.txt"]
    names = [i.id if isinstance(i, Document) else i.path for i in items]  # HTML reading is tested below
    assert names == [os.path.join(str(root), e) for e in expected]
    texts = [i.text for i in items if isinstance(i, Document) and not i.id.endswith(("html", "htm"))]
    assert texts == ["B", "C", "D", "Z"]


def test_directory_keeps_the_path_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path / "in" / "a.txt", "A")
    monkeypatch.chdir(tmp_path)
    (doc,) = list(iter_documents(["in/"]))
    assert doc.id == os.path.join("in/", "a.txt")


def test_bad_file_in_a_directory_is_reported_alone(tmp_path: Path) -> None:
    _write(tmp_path / "a.txt", "A")
    _write(tmp_path / "b.txt", b"\x00\x01\x02")
    _write(tmp_path / "c.txt", "C")
    items = list(iter_documents([str(tmp_path)]))
    assert [getattr(i, "code", "doc") for i in items] == ["doc", "E104", "doc"]
    assert items[1].path == str(tmp_path / "b.txt")


# --- stdin --------------------------------------------------------------------


def test_stdin_text() -> None:
    raw = "Quoted:\r\n\u201cno comment\u201d\n"
    (doc,) = list(iter_documents(["-"], stdin=io.BytesIO(raw.encode())))
    assert isinstance(doc, Document)
    assert doc.id == "-" and doc.text == raw


def test_stdin_mixed_with_files(tmp_path: Path) -> None:
    path = str(_write(tmp_path / "a.txt", "File."))
    items = list(iter_documents([path, "-"], stdin=io.BytesIO(b"Piped.")))
    assert [d.text for d in items] == ["File.", "Piped."]


def test_stdin_errors_are_yielded() -> None:
    (empty,) = list(iter_documents(["-"], stdin=io.BytesIO(b"  \n")))
    assert isinstance(empty, InputError) and empty.code == "E103" and empty.path == "-"
    (binary,) = list(iter_documents(["-"], stdin=io.BytesIO(b"\x1f\x8b\x08\x00")))
    assert isinstance(binary, InputError) and binary.code == "E104"


def test_stdin_reads_at_most_one_byte_over_the_limit() -> None:
    stream = io.BytesIO(b"x" * 10_000)
    (item,) = list(iter_documents(["-"], stdin=stream, max_bytes=100))
    assert isinstance(item, InputError) and item.code == "E106"
    assert stream.tell() == 101


def test_stdin_limit_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONRECORD_MAX_BYTES", "10")
    (item,) = list(iter_documents(["-"], stdin=io.BytesIO(b"y" * 11)))
    assert isinstance(item, InputError) and item.code == "E106"


def test_stdin_bom_is_dropped() -> None:
    (doc,) = list(iter_documents(["-"], stdin=io.BytesIO(b"\xef\xbb\xbfHello.")))
    assert doc.text == "Hello."


# --- HTML ---------------------------------------------------------------------


def _assert_is_the_page(doc: Document) -> None:
    assert doc.title == "Council approves new bridge over the Wend"
    assert doc.publisher == "Riverside Gazette"
    assert doc.authors == ["Jane Holloway", "Tom Reyes"]
    assert doc.published == "2023-04-18"
    assert doc.language == "en"
    assert "said Mayor Alice Brandt, who had campaigned" in doc.text
    assert "Councillor Peter Lang said the projected cost" in doc.text
    assert "publish the full tender documents" in doc.text
    for junk in BOILERPLATE:
        assert junk not in doc.text, junk
    assert "<" not in doc.text
    assert "\n\nOpponents were not convinced." in doc.text  # paragraphs are blank-line separated


def test_html_file_through_trafilatura(tmp_path: Path) -> None:
    path = str(_write(tmp_path / "bridge.html", PAGE))
    doc = read_document(path)
    assert doc.id == path
    _assert_is_the_page(doc)


def test_html_sniffed_on_stdin() -> None:
    (doc,) = list(iter_documents(["-"], stdin=io.BytesIO(b"\n  " + PAGE.encode())))
    assert isinstance(doc, Document) and doc.id == "-"
    _assert_is_the_page(doc)


def test_html_sniffed_with_bom_and_lower_case_html_tag(tmp_path: Path) -> None:
    page = PAGE.replace("<!DOCTYPE html>\n", "")
    path = _write(tmp_path / "page.txt", b"\xef\xbb\xbf" + page.encode())
    _assert_is_the_page(read_document(str(path)))


def test_text_mentioning_html_is_not_sniffed_as_html() -> None:
    raw = b"The <html> tag starts a page, the tutor said."
    assert read_bytes_document(raw, name="t").text == raw.decode()
    assert read_bytes_document(b"<p>Not a page</p>", name="t").text == "<p>Not a page</p>"


def test_explicit_is_html_overrides_sniffing() -> None:
    raw = PAGE.encode()
    assert read_bytes_document(raw, name="raw", is_html=False).text == PAGE
    _assert_is_the_page(read_bytes_document(raw, name="page", is_html=True))


def test_document_from_html_keeps_url() -> None:
    doc = document_from_html(PAGE, name="n", url="https://gazette.example/bridge")
    assert doc.url == "https://gazette.example/bridge"
    assert doc.id == "n"


def test_html_without_article_text(tmp_path: Path) -> None:
    page = "<!doctype html><html><head><title>Nothing here</title></head><body></body></html>"
    with pytest.raises(InputError) as err:
        read_document(str(_write(tmp_path / "empty.html", page)))
    assert _code(err) == "E108"
    (item,) = list(iter_documents(["-"], stdin=io.BytesIO(page.encode())))
    assert isinstance(item, InputError) and item.code == "E108" and item.path == "-"


# Bare pages: the article text in <p> tags and nothing else, as the user audit found them.
BRIEF = (
    "The city council voted on Monday to close the old bridge to cars for two years "
    "while engineers repair it, the mayor's office said."
)
YEARS_PAGE = (
    "<html><body><p>The council raised spending on schools from 2000 to 2001, the mayor said on Tuesday, "
    "in a long statement to reporters outside the town hall.</p>"
    "<p>She said the money went to schools and roads.</p></body></html>"
)
NAV_ONLY = "<!doctype html><html><body><nav><a href='/'>Home</a> menu</nav></body></html>"


def test_html_date_is_not_guessed_from_years_in_the_text(tmp_path: Path) -> None:
    doc = read_document(str(_write(tmp_path / "years.html", YEARS_PAGE)))
    assert "from 2000 to 2001" in doc.text
    assert doc.published is None  # trafilatura's extensive date search had made it 2000-01-01


@pytest.mark.parametrize(
    "head,body_start",
    [
        ('<meta property="article:published_time" content="2021-03-04T08:00:00Z">', ""),
        ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2021-03-04"}</script>', ""),
        ("", '<time datetime="2021-03-04">4 March</time>'),
    ],
    ids=["meta", "json-ld", "time"],
)
def test_html_date_from_the_pages_metadata_is_kept(head: str, body_start: str) -> None:
    page = YEARS_PAGE.replace("<html><body>", f"<html><head>{head}</head><body>{body_start}")
    assert document_from_html(page, name="p").published == "2021-03-04"


ISO_DATE_PAGE = (
    "<html><head>{head}</head><body>{byline}<p>The council said on Tuesday that the 2016-05-03 filing had been wrong, "
    "in a long statement to reporters outside the town hall.</p><p>She said the money went to schools.</p></body></html>"
)


def test_html_date_is_not_taken_from_an_iso_date_in_the_text() -> None:
    page = ISO_DATE_PAGE.format(head="", byline="")
    doc = document_from_html(page, name="p")
    assert "the 2016-05-03 filing" in doc.text
    assert doc.published is None  # htmldate's fast search had taken it, as its last resort


@pytest.mark.parametrize(
    "head,byline,expected",
    [
        ('<meta property="article:published_time" content="2021-03-04T08:00:00Z">', "", "2021-03-04"),
        ('<meta name="date" content="2021-03-04">', "", "2021-03-04"),
        ("", '<time datetime="2021-03-04T10:00">Thursday</time>', "2021-03-04"),
        ("", '<span class="byline">By Jane Roe, 4 March 2021</span>', "2021-03-04"),
        ("", '<span itemprop="datePublished">2021-03-04</span>', "2021-03-04"),
    ],
    ids=["meta", "meta-name", "time", "byline", "itemprop"],
)
def test_html_date_from_metadata_or_date_markup_is_kept_beside_a_date_in_the_text(
    head: str, byline: str, expected: str
) -> None:
    assert document_from_html(ISO_DATE_PAGE.format(head=head, byline=byline), name="p").published == expected


@pytest.mark.parametrize(
    "declaration",
    ['<meta charset="windows-1252">', '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'],
    ids=["meta-charset", "http-equiv"],
)
def test_html_is_read_in_the_charset_it_declares(tmp_path: Path, declaration: str) -> None:
    page = f"<html><head>{declaration}</head><body><p>Caf\u00e9 owners said {BRIEF}</p></body></html>"
    data = page.encode("cp1252")
    assert b"\xe9" in data
    doc = read_document(str(_write(tmp_path / "cafe.html", data)))
    assert doc.text.startswith("Caf\u00e9 owners said")
    (piped,) = list(iter_documents(["-"], stdin=io.BytesIO(data)))  # sniffed as HTML on stdin
    assert isinstance(piped, Document) and piped.text == doc.text


def test_an_explicit_encoding_beats_the_declared_charset_and_bad_bytes_stay_an_error(tmp_path: Path) -> None:
    page = f'<html><head><meta charset="windows-1252"></head><body><p>Caf\u00e9 owners said {BRIEF}</p></body></html>'
    path = str(_write(tmp_path / "cafe.html", page.encode("cp1252")))
    assert read_document(path, encoding="koi8-r").text.startswith("Caf\u0418 owners")  # 0xe9 in KOI8-R
    with pytest.raises(InputError) as err:
        read_document(path, encoding="ascii")
    assert _code(err) == "E105" and "ascii" in str(err.value)
    for declared in ("utf-8", "no-such-charset"):  # a charset the bytes do not fit, or one Python does not know
        other = str(_write(tmp_path / f"{declared}.html", page.replace("windows-1252", declared).encode("cp1252")))
        with pytest.raises(InputError) as err:
            read_document(other)
        assert _code(err) == "E105" and "byte 0xe9" in str(err.value)
    with pytest.raises(InputError) as err:  # a text file is not a page: its <meta> is just text
        read_document(str(_write(tmp_path / "cafe.txt", b"Notes on <meta charset=windows-1252>: caf\xe9")))
    assert _code(err) == "E105"


#: A page as news sites write it: declared Latin-1, holding windows-1252's curly quotes and dash.
QUOTED_1252 = b"He called it \x93a fair deal\x94 \x96 and said " + BRIEF.encode("ascii")


@pytest.mark.parametrize(
    "declaration",
    [
        b'<meta charset="iso-8859-1">',
        b"<meta charset=latin1>",
        b'<meta charset="US-ASCII">',
        b'<meta http-equiv="Content-Type" content="text/html; charset=ISO_8859-1">',
    ],
    ids=["iso-8859-1", "latin1", "us-ascii", "http-equiv"],
)
def test_a_page_declared_latin_1_is_read_as_windows_1252_as_browsers_read_it(tmp_path: Path, declaration: bytes) -> None:
    page = b"<html><head>" + declaration + b"</head><body><p>" + QUOTED_1252 + b"</p></body></html>"
    doc = read_document(str(_write(tmp_path / "quotes.html", page)))
    assert doc.text.startswith("He called it \u201ca fair deal\u201d \u2013 and said")  # not U+0093, U+0094, U+0096
    (piped,) = list(iter_documents(["-"], stdin=io.BytesIO(page)))  # sniffed as HTML on stdin
    assert isinstance(piped, Document) and piped.text == doc.text


def test_an_explicit_encoding_is_taken_literally_and_a_byte_order_mark_beats_the_meta(tmp_path: Path) -> None:
    text = _write(tmp_path / "quotes.txt", QUOTED_1252)
    assert read_document(str(text), encoding="latin-1").text.startswith("He called it \x93a fair deal\x94")  # the user said so
    page = b'<html><head><meta charset="iso-8859-1"></head><body><p>' + QUOTED_1252 + b"</p></body></html>"
    html = str(_write(tmp_path / "quotes.html", page))
    assert "\u201c" not in read_document(html, encoding="latin-1").text  # Latin-1's C1 controls, which trafilatura drops
    marked = b"\xef\xbb\xbf" + page.decode("cp1252").encode("utf-8")  # UTF-8 now, though its <meta> still says Latin-1
    assert read_document(str(_write(tmp_path / "marked.html", marked))).text.startswith("He called it \u201ca fair deal\u201d")


def test_a_page_saved_as_utf_8_under_its_old_charset_label_is_read_as_utf_8(tmp_path: Path) -> None:
    """A scraper writes UTF-8 and leaves the original <meta>: believing the label would give "cafÃ©"."""
    from onrecord.ingest.charsets import page_encoding

    page = b'<html><head><meta charset="iso-8859-1"></head><body><p>' + QUOTED_1252 + b"</p></body></html>"
    resaved = page.decode("cp1252").encode("utf-8")
    assert read_document(str(_write(tmp_path / "resaved.html", resaved))).text.startswith("He called it \u201ca fair deal\u201d")
    assert page_encoding(resaved, header="windows-1252") == "utf-8"  # a misconfigured server's header too
    assert page_encoding(page) == "cp1252" and page_encoding(b"<p>plain ascii</p>", header="latin1") == "cp1252"


def test_charset_labels_are_read_by_the_whatwg_table() -> None:
    from onrecord.ingest.charsets import decode_web, page_encoding, web_codec

    expected = {
        "iso-8859-1": "cp1252", " Latin1 ": "cp1252", "ascii": "cp1252", "cp819": "cp1252", "ibm819": "cp1252",
        "latin-1": "cp1252",  # not WHATWG's label but Python's name for Latin-1: the same rule
        "iso-8859-9": "cp1254", "tis-620": "cp874", "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8",
        "x-sjis": "cp932", "shift_jis": "cp932", "gb2312": "gb18030", "euc-kr": "cp949", "big5": "big5hkscs",
        "koi8-r": "koi8-r", "cp437": "cp437", "no-such-charset": None, "base64": None, "": None, None: None,
    }
    assert {label: web_codec(label) for label in expected} == expected
    assert decode_web(b"\x80\x81\x9d", "cp1252") == "\u20ac\x81\x9d"  # WHATWG's holes are C1 controls, not errors
    with pytest.raises(UnicodeDecodeError):
        decode_web(b"\xaa", "cp1253")  # a byte windows-1253 has no character for is still one
    page = b'<meta charset="utf-16"><p>x</p>'
    assert page_encoding(page) == "utf-8"  # a <meta> readable as ASCII is not UTF-16
    assert page_encoding(page, header="utf-16") == "utf-16-le"
    assert page_encoding(b'<meta charset="latin1">', header="no-such") == "cp1252"  # an unknown header label is passed over
    assert page_encoding(b'<meta charset="latin1">', html=False) == "utf-8"


@pytest.mark.parametrize(
    "page",
    [
        NAV_ONLY,
        "<html><body><nav><ul><li><a href='/'>Home</a></li><li><a href='/news'>News</a></li></ul></nav></body></html>",
        "<html><body><div class='menu'><a href='/'>Home</a> <a href='/w'>World</a> <a href='/b'>Business</a></div></body></html>",
        "<html><body><header><a href='/'>Daily Planet</a></header><footer>Copyright Daily Planet</footer></body></html>",
    ],
    ids=["nav", "nav-list", "links-in-a-div", "header-footer"],
)
def test_page_of_menus_and_links_has_no_article_text(tmp_path: Path, page: str) -> None:
    with pytest.raises(InputError) as err:
        read_document(str(_write(tmp_path / "menu.html", page)))
    assert _code(err) == "E108"
    (item,) = list(iter_documents(["-"], stdin=io.BytesIO(page.encode())))
    assert isinstance(item, InputError) and item.code == "E108"


@pytest.mark.parametrize(
    "body",
    [
        f"<p>{BRIEF}</p>",
        f"<nav><a href='/'>Home</a> menu</nav><p>{BRIEF.replace('city council', '<a href=/c>city council</a>')}</p>",
        f"<div>{BRIEF}</div>",
        "<p>Fire on Main Street. No one was hurt.</p>",
    ],
    ids=["brief", "brief-with-nav-and-link", "brief-in-a-div", "two-sentences"],
)
def test_short_real_articles_are_still_articles(body: str) -> None:
    assert len(BRIEF.split()) >= 20
    doc = document_from_html(f"<html><body>{body}</body></html>", name="brief")
    assert "Home" not in doc.text and "menu" not in doc.text
    assert doc.text in (BRIEF, "Fire on Main Street. No one was hurt.")


def test_html_without_trafilatura_is_reported_and_the_batch_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "trafilatura", None)  # makes `import trafilatura` fail
    page = str(_write(tmp_path / "a.html", PAGE))
    text = str(_write(tmp_path / "b.txt", "Plain."))
    first, second = list(iter_documents([page, text]))
    assert isinstance(first, InputError) and first.code == "E109" and first.path == page
    assert "\n" not in str(first)
    assert isinstance(second, Document) and second.text == "Plain."


def test_unreadable_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = str(tmp_path)

    def walk_refused(top: str, onerror=None, **_kwargs: object):  # type: ignore[no-untyped-def]
        onerror(PermissionError(13, "Permission denied", top))
        return iter(())

    monkeypatch.setattr(readers.os, "walk", walk_refused)
    (item,) = list(iter_documents([root]))
    assert isinstance(item, InputError) and item.code == "E107" and item.path == root


def test_paths_must_not_be_a_single_string() -> None:
    with pytest.raises(TypeError):
        list(iter_documents("article.txt"))  # type: ignore[arg-type]


def test_missing_stdin_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setattr(sys, "stdin", None)
    (item,) = list(iter_documents(["-"]))
    assert isinstance(item, InputError) and item.code == "E107" and item.path == "-"


def test_package_names_load_on_first_use_and_unknown_ones_fail():
    import onrecord.extraction
    import onrecord.ingest
    import onrecord.ingest.normalise  # noqa: F401  (the submodule of the same name as the function)

    assert onrecord.ingest.iter_warc.__module__ == "onrecord.ingest.warc"
    assert callable(onrecord.ingest.normalise) and onrecord.ingest.normalise("a  b").text
    assert onrecord.extraction.find_quotes.__module__ == "onrecord.extraction.quotes"
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        onrecord.ingest.nope  # noqa: B018


def test_a_site_name_that_is_only_the_urls_host_is_left_to_the_text():
    from onrecord.ingest.readers import document_from_html

    body = "<html><body><article><p>" + "The mayor said the bridge would open in May, after years of delays. " * 3 + "</p></article></body></html>"
    assert document_from_html(body, url="https://www.news.example/a").publisher is None
    named = body.replace("<html>", '<html><head><meta property="og:site_name" content="The News"></head>')
    assert document_from_html(named, url="https://www.news.example/a").publisher == "The News"
