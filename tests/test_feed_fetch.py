"""``--fetch``: feed entries' linked pages, read from a local HTTP server, and never without the flag."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from onrecord.errors import EXIT_BAD_INPUT, InputError
from onrecord.ingest import iter_documents
from onrecord.model import Document
from newssite import FEED, Site

def _kinds(items: list[Document | InputError]) -> list[str]:
    return [item.code if isinstance(item, InputError) else "doc" for item in items]


def test_without_fetch_nothing_is_requested_and_entry_text_is_used(site: Site, tmp_path: Path) -> None:
    items = list(iter_documents([site.feed_file(tmp_path), f"{site.base}/feed.xml"]))
    assert _kinds(items) == ["doc", "doc", "doc", "E137"]  # the URL input needs --fetch too
    assert [d.text for d in items[:3]] == [  # type: ignore[union-attr]
        "Taxes will go up, the council said.",
        "Flood barriers held overnight, the agency said.",
        "The old bridge will close for repairs, the mayor said.",
    ]
    assert site.requests == []


def test_fetch_uses_the_pages_article_text_and_reports_the_dead_link(site: Site, tmp_path: Path) -> None:
    items = list(iter_documents([site.feed_file(tmp_path)], fetch=True))
    assert _kinds(items) == ["doc", "doc", "E135", "doc"]
    taxes, floods, dead, bridge = items
    assert isinstance(taxes, Document) and isinstance(floods, Document) and isinstance(bridge, Document)
    assert '"Taxes will rise," Smith said.' in taxes.text and "Subscribe" not in taxes.text
    assert "Priya Nair" in floods.text
    assert (taxes.title, taxes.url, taxes.publisher, taxes.id) == (
        "Council to raise local taxes", f"{site.base}/news/taxes", "Riverside Gazette", "gazette-1"
    )
    line = dead.line()  # type: ignore[union-attr]
    assert f"{site.base}/news/gone" in line and "HTTP 404" in line and "E135" in line and "\n" not in line
    assert bridge.text == "The old bridge will close for repairs, the mayor said."  # the entry's own text, kept
    assert sorted(site.requests) == ["/news/floods", "/news/gone", "/news/taxes"]


def test_fetch_a_feed_and_a_page_by_url(site: Site) -> None:
    items = list(iter_documents([f"{site.base}/feed.xml", f"{site.base}/page", f"{site.base}/missing"], fetch=True))
    assert _kinds(items) == ["doc", "doc", "E135", "doc", "doc", "E138"]
    assert items[0].id == "gazette-1" and '"Taxes will rise," Smith said.' in items[0].text  # type: ignore[union-attr]
    page = items[4]
    assert isinstance(page, Document) and page.url == f"{site.base}/page" and "Maria Owens" in page.text
    assert f"{site.base}/missing" in items[5].line() and "HTTP 404" in items[5].line()  # type: ignore[union-attr]


def test_a_fetched_page_of_only_a_menu_is_no_article_and_the_entrys_text_is_kept(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from onrecord.ingest import feeds
    from onrecord.ingest.fetch import Fetched

    menu = b"<html><body><nav><a href='/'>Home</a> menu</nav></body></html>"

    def fetch_menu(url: str, *, max_bytes: int) -> Fetched:
        return Fetched(data=menu, url=url, content_type="text/html", charset="utf-8")

    monkeypatch.setattr(feeds, "fetch_url", fetch_menu)
    items = list(iter_documents([site.feed_file(tmp_path)], fetch=True))
    assert _kinds(items) == ["E135", "doc", "E135", "doc", "E135", "doc"]
    assert "no article text" in items[0].line()  # type: ignore[union-attr]
    assert [d.text for d in items if isinstance(d, Document)] == [
        "Taxes will go up, the council said.",
        "Flood barriers held overnight, the agency said.",
        "The old bridge will close for repairs, the mayor said.",
    ]


def test_public_hosts_are_those_that_resolve_only_to_global_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from onrecord.ingest.fetch import is_public_host

    answers = {
        "news.example": ["93.184.216.34", "2606:2800:220:1::1"],
        "mixed.example": ["93.184.216.34", "10.0.0.7"],
        "metadata.example": ["169.254.169.254"],
        "cgnat.example": ["100.64.0.1"],
    }

    def resolve(host, *_args, **_kwargs):
        if host not in answers:
            raise socket.gaierror(host)
        return [(None, None, None, "", (a, 0)) for a in answers[host]]

    assert is_public_host("127.0.0.1") is False and is_public_host("::1") is False  # no lookup needed
    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    assert is_public_host("news.example") is True
    assert not any(is_public_host(h) for h in ("mixed.example", "metadata.example", "cgnat.example", "nowhere.example"))


def test_a_host_that_does_not_resolve_is_a_fetch_error_not_a_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from onrecord.ingest import fetch as fetching

    def resolve(host, *_args, **_kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(fetching.FetchError, match="cannot resolve 'nowhere.example'") as err:
        fetching.fetch("http://nowhere.example/a", max_bytes=1000, public_only=True)
    assert not isinstance(err.value, fetching.PrivateAddressError)  # a typo or no DNS: not "not a public address"


def test_public_only_fetch_refuses_private_hosts_and_redirects_into_them(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    from onrecord.ingest import fetch as fetching

    with pytest.raises(fetching.PrivateAddressError, match="127.0.0.1 is not a public address"):
        fetching.fetch(f"{site.base}/page", max_bytes=100_000, public_only=True)
    assert site.requests == []  # refused before any request
    monkeypatch.setattr(fetching, "is_public_host", lambda host: host == "127.0.0.1")  # pretend the site is public
    import socket

    resolve = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: (
        [(None, None, None, "", ("10.0.0.7", 0))] if host == "internal.example" else resolve(host, *a, **k)
    ))
    assert "local taxes" in fetching.fetch(f"{site.base}/page", max_bytes=100_000, public_only=True).text()
    with pytest.raises(fetching.PrivateAddressError, match="internal.example"):
        fetching.fetch(f"{site.base}/moved", max_bytes=100_000, public_only=True)
    assert site.requests == ["/page", "/moved"]  # the redirect's target was never asked


def test_fetch_limits_size_and_schemes(site: Site, tmp_path: Path) -> None:
    from onrecord.ingest.fetch import FetchError, fetch, is_url

    with pytest.raises(FetchError, match="over the limit of 100 bytes"):
        fetch(f"{site.base}/news/taxes", max_bytes=100)
    with pytest.raises(FetchError, match="only http and https"):
        fetch("file:///etc/passwd", max_bytes=1000)
    assert is_url("https://a.example/x") and not is_url("file:///etc/passwd") and not is_url("notes/http.txt")
    local = FEED.format(base=site.base).replace(f"{site.base}/news/floods", "file:///etc/hostname")
    (tmp_path / "local.rss").write_text(local, encoding="utf-8")
    items = list(iter_documents([str(tmp_path / "local.rss")], fetch=True))
    assert _kinds(items) == ["doc", "E135", "doc", "E135", "doc"]
    assert "only http and https" in items[1].line()  # type: ignore[union-attr]
    assert "/etc/hostname" not in "".join(d.text for d in items if isinstance(d, Document))


def test_cli_ingest_fetch_stores_pages_and_exits_2_for_the_dead_link(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CLI path without a model: extraction is stubbed out, fetching and storing are real."""
    import onrecord.pipeline
    from onrecord.cli import main
    from onrecord.store import Ledger

    monkeypatch.setattr(onrecord.pipeline, "extract_many", lambda docs, **kwargs: iter(docs))
    db = f"sqlite:///{tmp_path / 'l.db'}"
    feed = site.feed_file(tmp_path)
    assert main(["ingest", feed, "--db", db]) == 0
    assert site.requests == []
    status = main(["ingest", feed, "--fetch", "--db", db])
    err = capsys.readouterr().err
    assert status == EXIT_BAD_INPUT
    assert "E135" in err and f"{site.base}/news/gone" in err and "HTTP 404" in err
    with Ledger.open(db) as led:
        texts = [d["text"] for d in led.documents()]
        versions = [led.article(a["id"])["versions"] for a in led.article_page(limit=10)[0]]
    # 3 articles, one per entry URL: each fetched page is a new version of its entry's text (same URL), and
    # the dead link's entry keeps its text
    assert len(texts) == 3 and sorted(len(v) for v in versions) == [0, 1, 1]
    assert any('"Taxes will rise," Smith said.' in t for t in texts) and any("Priya Nair" in t for t in texts)


@pytest.mark.slow
def test_ingest_a_feed_served_over_http(site: Site, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The feed itself comes from the server, its pages too; real extraction, real store, both backends."""
    from onrecord.cli import main
    from onrecord.store import Ledger

    status = main(["ingest", f"{site.base}/feed.xml", "--fetch", "--model", "rules", "--db", db_url])
    assert status == EXIT_BAD_INPUT and "/news/gone" in capsys.readouterr().err
    assert site.requests[0] == "/feed.xml" and set(site.requests[1:]) == {"/news/taxes", "/news/floods", "/news/gone"}
    with Ledger.open(db_url) as led:
        counts = led.count()
        urls = sorted(d["document"]["url"] for d in led.documents())
    assert counts["articles"] == 3 and counts["attributions"] >= 3
    assert urls == sorted(f"{site.base}/news/{n}" for n in ("taxes", "floods", "gone"))


@pytest.mark.slow
def test_extract_fetch_end_to_end(site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from onrecord.cli import main

    status = main(["extract", site.feed_file(tmp_path), "--fetch", "--format", "jsonl", "--model", "rules"])
    out, err = capsys.readouterr()
    assert status == EXIT_BAD_INPUT and "E135" in err and "/news/gone" in err
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert [row["document"]["url"] for row in rows] == [f"{site.base}/news/{n}" for n in ("taxes", "floods", "gone")]
    assert any("Smith" in json.dumps(a) for a in rows[0]["attributions"])
    assert '"Taxes will rise," Smith said.' in rows[0]["text"]


# --- charsets of fetched pages ----------------------------------------------------------

#: What news pages that say iso-8859-1 hold: windows-1252's curly quotes and dash.
QUOTED = b"<p>The mayor called it \x93a fair deal for the town\x94 \x96 and said the council would vote on it next week.</p>"
READ = "The mayor called it \u201ca fair deal for the town\u201d \u2013 and said the council would vote on it next week."
#: Path: (Content-Type sent, what the page declares in its <head>).
CHARSET_PAGES = {
    "/header": ("text/html; charset=iso-8859-1", b""),
    "/meta": ("text/html", b'<meta charset="windows-1252">'),
    "/http-equiv": ("text/html", b'<meta http-equiv="Content-Type" content="text/html; charset=latin1">'),
    "/header-over-meta": ("text/html; charset=ISO-8859-1", b'<meta charset="utf-8">'),
}


@pytest.fixture
def charset_site() -> Iterator[str]:
    """A local server of the pages above, and of a feed (UTF-8) linking to each; yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the http.server API)
            if self.path == "/feed.xml":
                kind, data = "application/rss+xml", _charset_feed(base).encode("utf-8")
            elif self.path in CHARSET_PAGES:
                kind, head = CHARSET_PAGES[self.path]
                data = b"<!DOCTYPE html><html><head>" + head + b"<title>Deal</title></head><body><article>" + QUOTED
                data += b"</article></body></html>"
            else:
                self.send_error(404, "Not Found")
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()


def _charset_feed(base: str) -> str:
    items = "".join(
        f"<item><title>{path}</title><link>{base}{path}</link><description>Entry text.</description></item>"
        for path in CHARSET_PAGES
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'


def test_fetched_pages_are_read_in_their_declared_charset_as_browsers_read_it(charset_site: str) -> None:
    """By URL: the server's charset, else the page's <meta>, the header first; iso-8859-1 and latin1 mean windows-1252."""
    items = list(iter_documents([charset_site + path for path in CHARSET_PAGES], fetch=True))
    assert [d.text if isinstance(d, Document) else d.line() for d in items] == [READ] * len(CHARSET_PAGES)


def test_feed_linked_pages_are_read_in_their_declared_charset_too(charset_site: str) -> None:
    """With --fetch, a feed's pages follow the same rule: a <meta> counts when the server names no charset."""
    items = list(iter_documents([f"{charset_site}/feed.xml"], fetch=True))
    assert [d.text if isinstance(d, Document) else d.line() for d in items] == [READ] * len(CHARSET_PAGES)
