"""The REST API and the pages through FastAPI's TestClient: every endpoint, pagination, errors, limits, safety.

Most tests swap the app's extractor for a stub (no spaCy load) and fill the
ledger with hand-made Documents; the tests marked slow run the real `rules`
preset and compare with the command line's own output.
"""

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote_from_bytes

import pytest
from fastapi.testclient import TestClient
from markupsafe import Markup

from onrecord.cli import _is_loopback, main
from onrecord.model import Attribution, Document, Entity, NonResponse, Provenance, ProvenanceEdge, Span, SpeakerRef
from onrecord.render import validate
from onrecord.web import create_app
from onrecord.web.highlight import attribution_chain, highlight, segments
from onrecord.web.svg import bar_chart, column_chart, provenance_svg

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "seed-article.txt"
TEMPLATES = ROOT / "src" / "onrecord" / "web" / "templates"
HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"><a href="javascript:alert(1)">x</a>'


# --- documents and the stub extractor ---------------------------------------------------------


def _att(text, aid, speaker, content, *, stype="person", kind="direct", anonymous=False, cue="said", source=None, parent=None):
    start = text.index(content)
    c = text.index(cue)
    ref = SpeakerRef("e" + aid, speaker, stype) if speaker else None
    att = Attribution(aid, kind, content=[Span.of(text, start, start + len(content))], cue=[Span.of(text, c, c + len(cue))],
                      speaker=ref, anonymous=anonymous, confidence=0.9, parent=parent)
    if source:
        s = text.index(source)
        att.source = [Span.of(text, s, s + len(source))]
    return att


def make_doc(text, atts, entities=None, **meta):
    attributions = [_att(text, *a[:3], **(a[3] if len(a) > 3 else {})) for a in atts]
    if entities is None:
        entities = [Entity(a.speaker.id, a.speaker.name, a.speaker.type) for a in attributions if a.speaker]
    return Document(text=text, attributions=attributions, entities=entities, model="test@0", **meta)


GALLYAMOV = (
    'Abbas Gallyamov, a political consultant, said "the army is tired". '
    'Mr. Gallyamov told The Daily Beast "the generals are angry", he said. The Kremlin did not respond.'
)


def gallyamov_doc():
    text = GALLYAMOV
    d = make_doc(text, [
        ("a1", "Abbas Gallyamov", "the army is tired", {"source": "Abbas Gallyamov"}),
        ("a2", "Abbas Gallyamov", "the generals are angry", {"source": "he", "cue": "told"}),
    ], publisher="Business Insider", published="2023-01-15", title="Coup talk", url="https://example.org/coup")
    start = text.index("Mr. Gallyamov")
    he = text.index("he said")
    d.entities = [Entity("ea1", "Abbas Gallyamov", "person",
                         mentions=[Span.of(text, 0, 15), Span.of(text, start, start + 13), Span.of(text, he, he + 2)],
                         descriptions=["political consultant"])]
    for att in d.attributions:
        att.speaker = SpeakerRef("ea1", "Abbas Gallyamov", "person")
    k = text.index("The Kremlin")
    d.non_responses = [NonResponse(Span.of(text, k, k + 11), Span.of(text, k + 12, k + 26), SpeakerRef("ek", "Kremlin", "government"))]
    d.provenance = Provenance(
        publisher="p",
        nodes={"p": ("Business Insider", "media_outlet"), "b": ("The Daily Beast", "media_outlet"), "g": ("Abbas Gallyamov", "person")},
        edges=[ProvenanceEdge("p", "b", "reports", ["a2"]), ProvenanceEdge("b", "g", "relays", ["a2"]),
               ProvenanceEdge("p", "g", "reports", ["a1"])],
        chains=[["Business Insider", "The Daily Beast", "Abbas Gallyamov"]],
    )
    return d


def kremlin_doc():
    text = 'The Kremlin said "no talks are planned". A source said "talks began in secret".'
    return make_doc(text, [
        ("a1", "The Kremlin", "no talks are planned", {"stype": "government"}),
        ("a2", "A source", "talks began in secret", {"stype": "anonymous", "anonymous": True, "kind": "indirect"}),
    ], publisher="AP", published="2024-05-10", title="Kremlin denies")


def filler_doc(i):
    text = f'Official number {i} said "item {i} is on schedule" on day {i}.'
    return make_doc(text, [("a1", f"Official Number{i}", f"item {i} is on schedule")],
                    publisher="Filler Times", published=f"2022-02-{i % 28 + 1:02d}", title=f"Filler {i}")


class StubExtractors:
    """Stands in for the app's extractors: marks the first quoted stretch as said by "Stub Speaker"."""

    def __init__(self):
        self.calls = []

    def extract(self, document, preset):
        from onrecord.extraction.presets import check_preset

        self.calls.append((document, check_preset(preset or None)))
        m = re.search(r'"([^"]+)"', document.text)
        cue = "said" if "said" in document.text else m.group(1) if m else ""
        atts = [("a1", "Stub Speaker", m.group(1), {"cue": cue})] if m else []
        out = make_doc(document.text, atts, id=document.id, title=document.title, url=document.url,
                       publisher=document.publisher, published=document.published, authors=document.authors)
        out.model = f"stub-{check_preset(preset or None)}"
        return out

    async def run(self, document, preset):
        return self.extract(document, preset)


def _app(where, docs=(), **options):
    """An app over ``where`` (a database URL, or a folder for a new SQLite file) with the stub extractor."""
    if not isinstance(where, str):
        where.mkdir(parents=True, exist_ok=True)  # a ledger makes no folder for itself (E514)
    url = where if isinstance(where, str) else f"sqlite:///{where / 'ledger.db'}"
    app = create_app(url, **options)
    app.state.onrecord.extractors = StubExtractors()
    for d in docs:
        app.state.onrecord.ledger.add(d)
    return app


@pytest.fixture
def app(db_url):
    """The app over a ledger of 27 articles, on SQLite and on PostgreSQL (see conftest.py)."""
    app = _app(db_url, [gallyamov_doc(), kremlin_doc()] + [filler_doc(i) for i in range(25)])
    yield app
    app.state.onrecord.ledger.close()


@pytest.fixture
def client(app):
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def error_of(response, status, code):
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert body["code"] == code and body["status"] == status
    assert len(body["message"]) > 20 and not body["message"].endswith("]")  # a sentence, the code kept apart
    return body["message"]


def walk_pages(client, url):
    """Follow `next` links from ``url``; return every item and the totals seen."""
    items, totals = [], set()
    while url:
        body = client.get(url).json()
        items += body["items"]
        totals.add(body["total"])
        assert body["next_offset"] is None or f"offset={body['next_offset']}" in body["next"]
        url = body["next"]
    return items, totals


# --- extract ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_extract_is_what_the_command_line_prints():
    cli = subprocess.run([sys.executable, "-m", "onrecord.cli", "extract", str(SEED), "-f", "json", "-m", "rules"],
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert cli.returncode == 0, cli.stderr
    expected = json.loads(cli.stdout)
    with tempfile.TemporaryDirectory() as folder, TestClient(create_app(f"sqlite:///{folder}/l.db")) as client:
        text = SEED.read_text(encoding="utf-8")
        got = client.post("/api/v1/extract?model=rules", json={"text": text, "id": str(SEED)})
        assert got.status_code == 200, got.text
        assert got.headers["content-type"].startswith("application/json")
        assert got.json() == expected
        validate(got.json())
        upload = client.post("/api/v1/extract", params={"model": "rules"},
                             files={"file": ("seed-article.txt", SEED.read_bytes(), "text/plain")})
        assert upload.json() == {**expected, "id": "seed-article.txt", "document": {**expected["document"], "id": "seed-article.txt"}}
        stored = client.post("/api/v1/articles", json={"text": text, "model": "rules"})
        assert stored.status_code == 201
        article = client.get(stored.headers["location"]).json()
        assert article["document"]["attributions"] == expected["attributions"]
        assert article["document"]["chains"][0] == ["Business Insider", "The Daily Beast", "Mozhem Obyasnit", "Abbas Gallyamov"]
        speaker = client.get("/api/v1/speakers", params={"q": "gallyamov"}).json()["items"][0]
        detail = client.get(f"/api/v1/speakers/{speaker['id']}").json()
        assert "political consultant" in detail["descriptions"]
        assert detail["quotes"]["total"] == speaker["attributions"] > 3


@pytest.mark.slow
def test_worker_processes_read_as_the_server_does_and_a_dead_one_is_replaced(tmp_path):
    """`onrecord serve --workers 2`: texts go to worker processes; one killed (as by the OOM killer) costs
    the request it was reading a 503 that says what happened, and the next request gets a new pool."""
    text = SEED.read_text(encoding="utf-8")
    ask = {"url": "/api/v1/extract?model=rules", "json": {"text": text}}
    with TestClient(create_app(f"sqlite:///{tmp_path}/one.db")) as one, \
            TestClient(create_app(f"sqlite:///{tmp_path}/two.db", workers=2)) as two:
        expected = one.post(**ask).json()
        pool = two.app.state.onrecord.extractors._pool
        assert pool is not None  # started with the server, before any request
        assert two.post(**ask).json() == expected
        for process in list(pool._processes.values()):
            process.kill()
        assert "most likely out of memory" in error_of(two.post(**ask), 503, "E616")
        assert two.post(**ask).json() == expected
        assert two.app.state.onrecord.extractors._pool is not pool


@pytest.mark.anyio
async def test_texts_waiting_to_be_extracted_never_hold_up_reading_the_ledger(tmp_path):
    """50 extractions stuck behind one slow text once took every thread of the server's shared pool (40), so
    a plain GET of the article list waited for them; they now wait in their preset's own queue."""
    import asyncio
    import threading

    import httpx

    app = create_app(f"sqlite:///{tmp_path}/l.db")
    release = threading.Event()
    stub = StubExtractors()
    extractors = app.state.onrecord.extractors
    extractors.extract = lambda document, preset: (preset == "accurate" and release.wait(30), stub.extract(document, preset))[1]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        stuck = [asyncio.create_task(client.post("/api/v1/extract", json={"text": f'He said "x {i}".'}))
                 for i in range(50)]
        await asyncio.sleep(0.2)
        listed = await asyncio.wait_for(client.get("/api/v1/articles"), timeout=20)
        assert listed.status_code == 200 and not any(task.done() for task in stuck)
        other = await asyncio.wait_for(client.post("/api/v1/extract?model=rules", json={"text": 'He said "y".'}), 20)
        assert other.status_code == 200  # another preset's queue: not behind the stuck accurate texts
        release.set()
        assert {(await task).status_code for task in stuck} == {200}
    extractors.close()


def test_extract_reads_json_forms_and_uploads_with_the_preset_asked_for(client, app):
    stub = app.state.onrecord.extractors
    r = client.post("/api/v1/extract", json={"text": 'He said "hello there".', "publisher": "AP", "model": "fast"})
    assert r.status_code == 200
    assert r.json()["document"]["publisher"] == "AP" and r.json()["attributions"][0]["content"][0]["text"] == "hello there"
    assert stub.calls[-1][1] == "fast"
    client.post("/api/v1/extract?model=rules", json={"text": 'x "y"'})
    assert stub.calls[-1][1] == "rules"
    client.post("/api/v1/extract", json={"text": 'x "y"'})
    assert stub.calls[-1][1] == "accurate"
    html = b'<html><head><title>A page</title></head><body><article><p>' + b'The minister said "all is well" today. ' * 8 + b'</p></article></body></html>'
    r = client.post("/api/v1/extract", files={"file": ("../../etc/page.html", html, "text/html")}, data={"publisher": "The Paper"})
    body = r.json()
    assert r.status_code == 200, r.text
    assert body["id"] == "page.html"  # the client's path is never used, not even as a label
    assert body["document"]["title"] == "A page" and body["document"]["publisher"] == "The Paper"
    assert "<p>" not in body["text"] and "all is well" in body["text"]
    r = client.post("/api/v1/extract", json={"html": html.decode()})
    assert r.json()["document"]["title"] == "A page"
    for day in ("yesterday", "2024-02-30"):
        assert repr(day) in error_of(client.post("/api/v1/extract", json={"text": "x", "published": day}), 400, "E505")
    assert client.post("/api/v1/extract", json={"text": 'x "y"', "published": "2024-02-29T10:00:00Z"}).status_code == 200
    crlf = 'He said "hello there".\r\nMore.'
    for sent in ({"data": {"text": crlf}}, {"files": {"text": (None, crlf)}}):  # a form, as an API client sends it
        assert client.post("/api/v1/extract", **sent).json()["text"] == crlf  # kept as sent: spans index it
    said = "\u201cWe will win,\u201d said Jane Doe, the caf\u00e9 owner."
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    for body in (b"text=" + said.encode(), b"text=" + quote_from_bytes(said.encode()).encode()):  # curl -d, a browser
        assert client.post("/api/v1/extract", content=body, headers=form).json()["text"] == said
    for sent in ({"content": b"text=Caf%E9+is+open", "headers": form}, {"files": {"text": (None, b"Caf\xe9 is open")}}):
        assert "the form's text field" in error_of(client.post("/api/v1/extract", **sent), 400, "E105")


def test_extract_without_an_id_prints_one_as_the_command_line_does_for_stdin(client):
    """The output's top-level id is a string the CLI always prints ("-" for stdin); the API dropped it."""
    html = "<html><body><article><p>" + 'The minister said "all is well" today. ' * 8 + "</p></article></body></html>"
    for body in ({"text": 'He said "hello there".'}, {"html": html}):
        out = client.post("/api/v1/extract", json=body).json()
        assert list(out)[:3] == ["schema_version", "id", "text"] and out["id"] == "-" and out["document"]["id"] == "-"
        validate(out)
    assert client.post("/api/v1/extract", json={"text": 'x "y"', "id": "mine"}).json()["id"] == "mine"
    stored = client.post("/api/v1/articles", json={"text": 'He said "hello there".'})  # the ledger keeps no made-up label
    assert client.get(stored.headers["location"]).json()["document"].get("id") is None


def test_extract_input_errors_say_what_to_do(client):
    assert "paste the text" in error_of(client.post("/api/v1/extract", json={"url": "https://example.org/a"}), 403, "E604")
    error_of(client.post("/api/v1/extract", json={}), 400, "E607")
    assert error_of(client.post("/api/v1/extract", json={"text": "   "}), 400, "E103").startswith("the text: is empty")
    error_of(client.post("/api/v1/extract", json={"text": "a", "html": "<p>b</p>"}), 422, "E606")
    error_of(client.post("/api/v1/extract", json={"text": "a", "colour": "red"}), 422, "E606")
    error_of(client.post("/api/v1/extract", content=b"{not json", headers={"content-type": "application/json"}), 422, "E606")
    error_of(client.post("/api/v1/extract", json={"text": 'a "b"', "model": "huge"}), 400, "E205")
    error_of(client.post("/api/v1/extract", files={"file": ("x.txt", b"\x89PNG\r\n\x1a\n\x00\x00binary", "image/png")}), 400, "E104")
    error_of(client.post("/api/v1/extract", files={"file": ("x.txt", b"\xff\xfe\xfa caf\xe9", "text/plain")}), 400, "E105")


def test_storing_again_without_metadata_keeps_it(client):
    first = client.post("/api/v1/articles", json={"text": 'He said "hello there".', "title": "Hello", "published": "2024-05-02"})
    again = client.post("/api/v1/articles", json={"text": 'He said "hello there".'})
    assert (first.status_code, again.status_code) == (201, 200)
    stored = client.get(again.headers["location"]).json()
    assert (stored["title"], stored["published"]) == ("Hello", "2024-05-02")


def test_fetching_when_allowed_checks_the_address(tmp_path, monkeypatch):
    import socket

    resolve = socket.getaddrinfo

    def no_such_name(host, *args, **kwargs):
        if host == "nowhere.example":
            raise socket.gaierror(-2, "Name or service not known")
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    with TestClient(_app(tmp_path, allow_fetch=True), raise_server_exceptions=False) as client:
        # a name that does not resolve is a failed fetch (a typo, no DNS), not a refusal to reach a private address
        assert "cannot resolve" in error_of(client.post("/api/v1/extract", json={"url": "http://nowhere.example/"}), 502, "E605")
        error_of(client.post("/api/v1/extract", json={"url": "file:///etc/passwd"}), 400, "E608")
        error_of(client.post("/api/v1/extract", json={"url": "ftp://example.org/x"}), 400, "E608")
        # the server's own network stays out of reach unless it was started with --allow-fetch-private
        for inside in ("http://127.0.0.1:9/x", "http://localhost/", "http://169.254.169.254/latest/meta-data/", "http://[::1]/"):
            assert "--allow-fetch-private" in error_of(client.post("/api/v1/extract", json={"url": inside}), 403, "E613")
    with TestClient(_app(tmp_path, fetch_private=True), raise_server_exceptions=False) as client:
        error_of(client.post("/api/v1/extract", json={"url": "http://127.0.0.1:9/nothing-listens-here"}), 502, "E605")


def test_fetching_when_allowed_reads_the_page_and_refuses_one_over_the_limit(tmp_path, site):
    with TestClient(_app(tmp_path, allow_fetch=True), raise_server_exceptions=False) as client:
        error_of(client.post("/api/v1/extract", json={"url": f"{site.base}/page"}), 403, "E613")
    assert site.requests == []
    with TestClient(_app(tmp_path, fetch_private=True), raise_server_exceptions=False) as client:
        out = client.post("/api/v1/extract", json={"url": f"{site.base}/page"})
        assert out.status_code == 200, out.text
        body = out.json()
        assert body["document"]["url"] == f"{site.base}/page" and "local taxes would go up" in body["text"]
        assert "Subscribe to our newsletter" not in body["text"]  # the page's main text, not its navigation
    with TestClient(_app(tmp_path, fetch_private=True, max_bytes=200), raise_server_exceptions=False) as client:
        assert "over the limit" in error_of(client.post("/api/v1/extract", json={"url": f"{site.base}/page"}), 502, "E605")
    assert site.requests == ["/page", "/page"]


def test_uploads_are_read_in_memory_and_never_written_to_disk(client, monkeypatch, app):
    import tempfile as tempfile_module

    def refuse(*args, **kwargs):
        raise AssertionError("an upload was about to be written to a temporary file")

    for name in ("SpooledTemporaryFile", "TemporaryFile", "NamedTemporaryFile", "mkstemp"):
        monkeypatch.setattr(tempfile_module, name, refuse)
    big = ('The mayor said "the budget is balanced". ' * 60_000).encode()  # 2.5 MB: past Starlette's 1 MB spool
    r = client.post("/api/v1/extract", files={"file": ("big.txt", big, "text/plain")})
    assert r.status_code == 200, r.text
    assert len(r.json()["text"]) == len(big)
    form = client.post("/analyse", data={"text": big.decode(), "model": "rules"})  # a 2.5 MB text field: over Starlette's 1 MB cap
    assert form.status_code == 200


# --- limits, tokens, origins --------------------------------------------------------------------


def test_bodies_over_the_limit_get_413(tmp_path):
    with TestClient(_app(tmp_path, max_bytes=1000), raise_server_exceptions=False) as client:
        assert client.post("/api/v1/extract", json={"text": 'ok "fine"'}).status_code == 200
        big = {"text": "x" * 2000}
        assert "--max-bytes" in error_of(client.post("/api/v1/extract", json=big), 413, "E601")
        chunked = client.post("/api/v1/extract", content=iter([b'{"text": "', b"x" * 600, b"y" * 600, b'"}']),
                              headers={"content-type": "application/json"})
        error_of(chunked, 413, "E601")
        upload = client.post("/api/v1/extract", files={"file": ("a.txt", b"z" * 1500, "text/plain")})
        error_of(upload, 413, "E601")
        page = client.post("/analyse", data={"text": "x" * 2000})
        assert page.status_code == 413 and "E601" in page.text and page.headers["content-type"].startswith("text/html")


def test_writes_need_the_token_when_one_is_set(tmp_path):
    with TestClient(_app(tmp_path, token="s3cret-token"), raise_server_exceptions=False) as client:
        body = {"text": 'The mayor said "taxes stay".'}
        r = client.post("/api/v1/articles", json=body)
        error_of(r, 401, "E602")
        assert r.headers["www-authenticate"] == "Bearer"
        error_of(client.post("/api/v1/articles", json=body, headers={"Authorization": "Bearer wrong"}), 401, "E602")
        error_of(client.post("/api/v1/articles", json=body, headers={"Authorization": "Basic s3cret-token"}), 401, "E602")
        assert client.get("/api/v1/articles").json()["total"] == 0
        ok = client.post("/api/v1/articles", json=body, headers={"Authorization": "Bearer s3cret-token"})
        assert ok.status_code == 201
        # reading and extracting write nothing and need no token
        assert client.get("/api/v1/articles").json()["total"] == 1
        assert client.post("/api/v1/extract", json=body).status_code == 200
        # the page's Store form sends the token as a field
        form = {"text": 'The mayor said "rates fall".', "model": "rules"}
        page = client.post("/articles", data=form, follow_redirects=False)
        assert page.status_code == 401 and "E615" in page.text and "field beside Store" in page.text
        assert 'name="token"' in client.post("/analyse", data=form).text
        stored = client.post("/articles", data={**form, "token": "s3cret-token"}, follow_redirects=False)
        assert stored.status_code == 303 and stored.headers["location"].startswith("/articles/")


def test_a_refused_store_keeps_the_analysis_and_a_script_may_send_the_header(tmp_path):
    """A wrong or missing token on the Store button shows the same reading again with the error above the Store
    form, whose hidden fields still hold the article, so the user types the token instead of pasting again."""
    with TestClient(_app(tmp_path, token="s3cret-token"), raise_server_exceptions=False) as client:
        form = {"text": 'The mayor said "rates fall".', "model": "fast", "publisher": "City Post", "title": "Rates"}
        for token in ("wrong", ""):
            page = client.post("/articles", data={**form, "token": token}, follow_redirects=False)
            assert page.status_code == 401 and page.headers["www-authenticate"] == "Bearer"
            html = page.text
            assert '<a class="hl hl-content" href="#att-a1"' in html  # the reading
            assert html.index('id="store-error"') < html.index('action="/articles"') and "E615" in html
            for name, value in (("text", "The mayor said &#34;rates fall&#34;."), ("publisher", "City Post"),
                                ("title", "Rates"), ("model", "fast")):
                assert f'<input type="hidden" name="{name}" value="{value}">' in html, name
            assert 'name="token"' in html and "Back to Analyse" not in html
        assert client.get("/api/v1/articles").json()["total"] == 0
        # the API's header instead of the form's field
        wrong = client.post("/articles", data=form, headers={"Authorization": "Bearer wrong"}, follow_redirects=False)
        assert wrong.status_code == 401 and "E602" in wrong.text
        stored = client.post("/articles", data=form, headers={"Authorization": "Bearer s3cret-token"}, follow_redirects=False)
        assert stored.status_code == 303 and stored.headers["location"].startswith("/articles/")
        assert client.get("/api/v1/articles").json()["items"][0]["title"] == "Rates"


def test_cross_site_writes_are_refused_and_cors_is_off_unless_configured(tmp_path, client):
    form = {"text": 'The mayor said "rates fall".'}
    r = client.post("/articles", data=form, headers={"Origin": "https://evil.example"}, follow_redirects=False)
    assert r.status_code == 403 and "E609" in r.text
    error_of(client.post("/api/v1/articles", json=form, headers={"Origin": "https://evil.example"}), 403, "E609")
    assert client.post("/articles", data=form, headers={"Origin": "http://testserver"}, follow_redirects=False).status_code == 303
    assert "access-control-allow-origin" not in client.get("/api/v1/articles", headers={"Origin": "https://evil.example"}).headers
    with TestClient(_app(tmp_path / "cors", cors_origins=["https://app.example"])) as cors:
        got = cors.get("/api/v1/articles", headers={"Origin": "https://app.example"})
        assert got.headers["access-control-allow-origin"] == "https://app.example"
        stored = cors.post("/api/v1/articles", json=form, headers={"Origin": "https://app.example"})
        assert stored.status_code == 201 and "location" in stored.headers["access-control-expose-headers"].lower()
        assert "access-control-allow-origin" not in cors.get("/api/v1/articles", headers={"Origin": "https://evil.example"}).headers


def test_serve_refuses_a_public_address_without_a_token(monkeypatch, capsys):
    monkeypatch.delenv("ONRECORD_TOKEN", raising=False)
    assert main(["serve", "--host", "0.0.0.0", "--db", "sqlite://"]) == 64
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "E612" in err and "--token" in err
    assert main(["serve", "--host", "192.168.1.20", "--db", "sqlite://"]) == 64
    assert [_is_loopback(h) for h in ("127.0.0.1", "127.3.2.1", "::1", "[::1]", "localhost", "0.0.0.0", "::", "example.org")] == [
        True, True, True, True, True, False, False, False]


def _never_serve(*args, **kwargs):
    raise AssertionError("onrecord serve started a server where it should have refused to")


def test_serve_refuses_a_port_out_of_range_as_a_usage_error(monkeypatch, capsys):
    """Not bind()'s OverflowError traceback (nor getaddrinfo's quiet wrap of 99999 round to 34463)."""
    import uvicorn

    monkeypatch.setattr(uvicorn.Server, "run", _never_serve)
    with pytest.raises(SystemExit) as stopped:
        main(["serve", "--port", "99999", "--db", "sqlite://"])
    assert stopped.value.code == 64
    assert "argument --port: '99999' is not a port number" in capsys.readouterr().err


def test_serve_says_in_one_line_that_the_port_is_in_use(tmp_path, monkeypatch, capsys):
    """Not uvicorn's exit 3 (which means a model that cannot load) after loading the models: one line, exit 69,
    before the ledger is opened."""
    import socket

    import uvicorn

    monkeypatch.setattr(uvicorn.Server, "run", _never_serve)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port), "--db", f"sqlite:///{tmp_path / 'l.db'}"]) == 69
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "E617" in err and f"127.0.0.1:{port}" in err and "another --port" in err
    assert not (tmp_path / "l.db").exists()
    monkeypatch.setenv("ONRECORD_TOKEN", "t")
    assert main(["serve", "--host", "no-such-host.invalid", "--db", f"sqlite:///{tmp_path / 'l.db'}"]) == 69
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "E618" in err and "no-such-host.invalid:8000" in err


# --- storing and reading articles ---------------------------------------------------------------


def test_post_articles_stores_and_updates_in_place(client):
    body = {"text": 'The mayor said "the bridge opens in May".', "title": "Bridge", "publisher": "City Post", "model": "rules"}
    first = client.post("/api/v1/articles", json=body)
    assert first.status_code == 201 and first.json()["new"] is True
    again = client.post("/api/v1/articles", json=body)
    assert again.status_code == 200 and again.json()["new"] is False and again.json()["id"] == first.json()["id"]
    article = client.get(first.headers["location"]).json()
    assert article["title"] == "Bridge" and article["publisher"] == "City Post" and article["model"] == "stub-rules"
    assert article["document"]["text"] == body["text"]
    assert client.get("/api/v1/articles", params={"outlet": "city post"}).json()["total"] == 1


def test_article_by_id_is_the_stored_document(client, app):
    found = client.get("/api/v1/articles", params={"outlet": "Business Insider"}).json()["items"][0]
    article = client.get(f"/api/v1/articles/{found['id']}").json()
    assert article["document"]["text"] == GALLYAMOV
    validate(article["document"])
    assert article["document"]["chains"] == [["Business Insider", "The Daily Beast", "Abbas Gallyamov"]]
    assert set(article["speakers"]) == {"a1", "a2"} and len(set(article["speakers"].values())) == 1
    assert "no article 999" in error_of(client.get("/api/v1/articles/999"), 404, "E603")
    error_of(client.get(f"/api/v1/articles/{2**64}"), 404, "E603")  # too large for any row: not found, not a 500
    assert client.get("/api/v1/attributions", params={"offset": 2**64}).json()["items"] == []
    assert client.get(f"/speakers/{2**64}").status_code == 404
    error_of(client.get("/api/v1/articles/abc"), 422, "E606")
    error_of(client.get("/api/v1/articles/0"), 422, "E606")


def test_article_list_pages_cover_everything_once(client):
    first = client.get("/api/v1/articles", params={"limit": 10}).json()
    assert (first["total"], first["limit"], first["offset"], first["next_offset"]) == (27, 10, 0, 10)
    assert first["next"] == "/api/v1/articles?limit=10&offset=10"
    items, totals = walk_pages(client, "/api/v1/articles?limit=10")
    assert totals == {27} and len(items) == 27 and len({a["id"] for a in items}) == 27
    assert [a["id"] for a in items] == sorted((a["id"] for a in items), reverse=True)
    last = client.get("/api/v1/articles", params={"limit": 10, "offset": 20}).json()
    assert len(last["items"]) == 7 and last["next"] is None and last["next_offset"] is None
    beyond = client.get("/api/v1/articles", params={"offset": 500}).json()
    assert beyond["items"] == [] and beyond["total"] == 27
    error_of(client.get("/api/v1/articles", params={"limit": 201}), 422, "E606")
    error_of(client.get("/api/v1/articles", params={"offset": -1}), 422, "E606")


# --- attributions and search --------------------------------------------------------------------


def test_attributions_filter_like_the_quotes_command(client, app):
    def total(**params):
        return client.get("/api/v1/attributions", params=params).json()["total"]

    assert total() == 29
    assert total(speaker="abbas gallyamov") == 2
    assert total(outlet="ap") == 2
    assert total(since="2023-01-01") == 4 and total(until="2023-01-15") == 27 and total(since="2023-01-15", until="2023-01-15") == 2
    assert total(kind="indirect") == 1 and total(anonymous="true") == 1 and total(anonymous="false") == 28
    ledger = app.state.onrecord.ledger
    assert total(outlet="Filler Times", since="2022-02-10") == len(ledger.quotes(outlet="Filler Times", since="2022-02-10"))
    row = client.get("/api/v1/attributions", params={"speaker": "A source"}).json()["items"][0]
    assert row["anonymous"] is True and row["speaker_id"] is None and row["content"] == "talks began in secret"
    items, totals = walk_pages(client, "/api/v1/attributions?limit=7&outlet=Filler%20Times")
    assert totals == {25} and len({(i["article_id"], i["attribution"]) for i in items}) == 25
    assert error_of(client.get("/api/v1/attributions", params={"since": "2024-02"}), 400, "E505").startswith("'2024-02' is not a date")
    error_of(client.get("/api/v1/attributions", params={"kind": "shouted"}), 422, "E606")


def test_date_filters_read_dates_as_storing_does(client):
    """A date an article can be stored under (model.parse_date: ISO 8601, 20221120 too) can be filtered on."""
    stored = client.post("/api/v1/articles", json={"text": 'The mayor said "taxes stay".', "published": "20221120"})
    assert stored.status_code == 201, stored.text
    for since, until in (("20221120", "20221120"), ("2022-11-20", "2022-11-20T23:59:00Z")):
        got = client.get("/api/v1/attributions", params={"since": since, "until": until})
        assert got.status_code == 200 and got.json()["total"] == 1, (since, until, got.text)
        assert client.get("/api/v1/search", params={"q": "taxes", "since": since}).json()["total"] == 1
        assert "taxes stay" in client.get("/search", params={"q": "taxes", "since": since, "until": until}).text
    for bad in ("2024-02", "2024-02-30", "yesterday"):  # what storing refuses, the filters refuse too
        error_of(client.get("/api/v1/attributions", params={"since": bad}), 400, "E505")
        error_of(client.post("/api/v1/extract", json={"text": "x", "published": bad}), 400, "E505")


def test_search_full_text_with_filters_and_pages(client):
    hit = client.get("/api/v1/search", params={"q": "generals angry"}).json()
    assert hit["total"] == 1 and hit["items"][0]["content"] == "the generals are angry" and hit["items"][0]["score"] is not None
    assert client.get("/api/v1/search", params={"q": "schedule"}).json()["total"] == 25
    assert client.get("/api/v1/search", params={"q": "schedule", "since": "2022-02-20"}).json()["total"] == 6
    assert client.get("/api/v1/search", params={"q": "talks", "anonymous": "true"}).json()["total"] == 1
    assert client.get("/api/v1/search", params={"q": "secret", "outlet": "Business Insider"}).json()["total"] == 0
    assert client.get("/api/v1/search", params={"q": "Kremlin"}).json()["total"] >= 1  # speaker names are searched too
    assert client.get("/api/v1/search", params={"q": '" OR * NEAR('}).json()["total"] == 0  # no FTS syntax from users
    items, totals = walk_pages(client, "/api/v1/search?q=schedule&limit=10")
    assert totals == {25} and len(items) == 25
    scores = [i["score"] for i in items]
    assert scores == sorted(scores, reverse=True)


# --- speakers and outlets -----------------------------------------------------------------------


def test_a_capitalised_pronoun_is_not_an_alias(tmp_path):
    text = 'Abbas Gallyamov spoke. He said "the army is tired".'
    d = make_doc(text, [("a1", "Abbas Gallyamov", "the army is tired", {"source": "He"})])
    he = text.index("He")
    d.entities[0].mentions = [Span.of(text, 0, 15), Span.of(text, he, he + 2)]
    with TestClient(_app(tmp_path, [d]), raise_server_exceptions=False) as client:
        sid = client.get("/api/v1/speakers").json()["items"][0]["id"]
        assert client.get(f"/api/v1/speakers/{sid}").json()["aliases"] == []  # not "He"


def test_speakers_list_and_detail(client):
    listed = client.get("/api/v1/speakers", params={"limit": 5}).json()
    assert listed["total"] == 27 and len(listed["items"]) == 5
    assert listed["items"][0]["name"] == "Abbas Gallyamov" and listed["items"][0]["attributions"] == 2
    assert client.get("/api/v1/speakers", params={"q": "GALLYAMOV"}).json()["total"] == 1
    assert client.get("/api/v1/speakers", params={"type": "government"}).json()["items"][0]["name"] == "The Kremlin"
    error_of(client.get("/api/v1/speakers", params={"type": "alien"}), 422, "E606")
    items, _ = walk_pages(client, "/api/v1/speakers?limit=4")
    assert len({s["id"] for s in items}) == 27
    sid = listed["items"][0]["id"]
    detail = client.get(f"/api/v1/speakers/{sid}", params={"limit": 1}).json()
    assert detail["aliases"] == ["Mr. Gallyamov"]  # mentions, without "he"
    assert detail["descriptions"] == ["political consultant"]
    assert detail["outlets"] == [{"publisher": "Business Insider", "attributions": 2, "articles": 1}]
    assert detail["timeline"] == [{"month": "2023-01", "attributions": 2}]
    assert detail["first"] == detail["last"] == "2023-01-15" and detail["kinds"] == {"direct": 2}
    assert detail["quotes"]["total"] == 2 and len(detail["quotes"]["items"]) == 1
    assert detail["quotes"]["next"] == f"/api/v1/speakers/{sid}?limit=1&offset=1"
    error_of(client.get("/api/v1/speakers/4242"), 404, "E603")


def test_outlets_list_and_profile(client, tmp_path):
    listed = client.get("/api/v1/outlets", params={"limit": 2}).json()
    assert listed["total"] == 3 and [o["publisher"] for o in listed["items"]] == ["Filler Times", "AP"]
    assert listed["next"] == "/api/v1/outlets?limit=2&offset=2"
    ap = client.get("/api/v1/outlets/ap").json()
    assert ap["publisher"] == "AP" and ap["anonymous_share"] == 0.5 and ap["kinds"] == {"direct": 1, "indirect": 1}
    assert ap["top_speakers"][0]["name"] == "The Kremlin" and ap["speaker_types"] == {"government": 1, "anonymous": 1}
    bi = client.get("/api/v1/outlets/Business Insider").json()
    assert bi["relays"] == [{"name": "The Daily Beast", "articles": 1}] and bi["recent_articles"][0]["title"] == "Coup talk"
    error_of(client.get("/api/v1/outlets/Nowhere Gazette"), 404, "E603")


def test_articles_without_a_publisher_are_the_unknown_outlet(tmp_path):
    with TestClient(_app(tmp_path, [make_doc('Bob said "hi".', [("a1", "Bob Jones", "hi")])])) as client:
        assert client.get("/api/v1/outlets").json()["items"][0]["publisher"] == "(unknown)"
        assert client.get("/api/v1/outlets/(unknown)").json()["articles"] == 1
        assert client.get("/api/v1/attributions", params={"outlet": "(unknown)"}).json()["total"] == 1
        assert client.get("/outlets/%28unknown%29").status_code == 200


# --- errors and docs ----------------------------------------------------------------------------


def test_unknown_paths_and_methods_are_json_errors_under_the_api(client):
    assert "/docs" in error_of(client.get("/api/v1/nothing"), 404, "E610")
    for path in ("/", "/api/v1/articles"):  # HEAD is GET without the body
        head, get = client.head(path), client.get(path)
        assert head.status_code == 200 and head.content == b"" and head.headers["content-length"] == get.headers["content-length"]
    refused = client.delete("/api/v1/articles/1")
    assert "takes GET, HEAD" in error_of(refused, 405, "E614") and refused.headers["allow"] == "GET, HEAD"


def test_405_allows_every_method_any_route_of_the_path_takes(client):
    """GET and POST /articles are two routes; Allow names both, and HEAD, which every GET answers."""
    refused = client.put("/api/v1/articles")
    assert error_of(refused, 405, "E614").endswith("it takes GET, HEAD, POST") and refused.headers["allow"] == "GET, HEAD, POST"
    page = client.put("/articles")
    assert page.status_code == 405 and page.headers["allow"] == "GET, HEAD, POST" and "GET, HEAD, POST" in page.text
    assert client.get("/api/v1/extract").headers["allow"] == "POST"
    assert client.patch("/api/v1/openapi.json").headers["allow"] == "GET, HEAD"
    assert client.put("/static/style.css").headers["allow"] == "GET, HEAD"  # a mount says for itself
    page = client.get("/nothing-here")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html") and "E610" in page.text


def test_openapi_lists_every_endpoint_and_docs_are_served(client):
    spec = client.get("/api/v1/openapi.json").json()
    paths = set(spec["paths"])
    assert {"/api/v1/extract", "/api/v1/articles", "/api/v1/articles/{article_id}", "/api/v1/attributions",
            "/api/v1/speakers", "/api/v1/speakers/{speaker_id}", "/api/v1/outlets", "/api/v1/search"} <= paths
    assert not any(p.startswith(("/analyse", "/speakers")) for p in paths)  # pages stay out of the API docs
    forms = {"application/json", "multipart/form-data", "application/x-www-form-urlencoded"}  # the bodies read_fields reads
    assert set(spec["paths"]["/api/v1/extract"]["post"]["requestBody"]["content"]) == forms
    assert set(spec["paths"]["/api/v1/articles"]["post"]["requestBody"]["content"]) == forms
    assert "file" not in spec["paths"]["/api/v1/extract"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]["properties"]
    # the token: a bearer scheme, so /docs has an Authorize button; optional ({}) on the one endpoint that writes
    assert spec["components"]["securitySchemes"]["token"] == {**spec["components"]["securitySchemes"]["token"], "type": "http", "scheme": "bearer"}
    assert spec["paths"]["/api/v1/articles"]["post"]["security"] == [{"token": []}, {}]
    secured = [(p, method) for p, ops in spec["paths"].items() for method, op in ops.items() if "security" in op]
    assert secured == [("/api/v1/articles", "post"), ("/api/v1/forecasts/{forecast_id}/outcome", "post"),
                       ("/api/v1/forecasts/{forecast_id}/outcome", "delete")]  # the endpoints that write
    # each endpoint lists the statuses it can answer, and only those
    assert {"200", "400", "403", "413", "422", "502"} <= set(spec["paths"]["/api/v1/extract"]["post"]["responses"])
    assert {"200", "201", "401", "403", "413", "502"} <= set(spec["paths"]["/api/v1/articles"]["post"]["responses"])
    assert "413" not in spec["paths"]["/api/v1/attributions"]["get"]["responses"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "//cdn" not in docs.text  # offline: Swagger UI comes with the package
    script = re.search(r'src="(/static/swagger/[^"]+\.js)"', docs.text).group(1)
    assert client.get(script).status_code == 200


# --- pages --------------------------------------------------------------------------------------


def test_every_page_renders(client):
    sid = client.get("/api/v1/speakers", params={"q": "gallyamov"}).json()["items"][0]["id"]
    aid = client.get("/api/v1/articles", params={"outlet": "Business Insider"}).json()["items"][0]["id"]
    pages = {
        "/": "Analyse an article",
        "/articles": "Filler 24",
        f"/articles/{aid}": "Business Insider ← The Daily Beast ← Abbas Gallyamov",
        "/speakers": "Abbas Gallyamov",
        f"/speakers/{sid}": "political consultant",
        "/outlets": "Filler Times",
        "/outlets/AP": "Anonymous share",
        "/search?q=generals": "the generals are angry",
        "/search": "Search the ledger",
        "/articles?offset=25": "26–27 of 27",
    }
    for path, expected in pages.items():
        r = client.get(path)
        assert r.status_code == 200, path
        assert expected in r.text, path
        assert "default-src 'self'" in r.headers["content-security-policy"]
        assert r.headers["x-content-type-options"] == "nosniff"
    article = client.get(f"/articles/{aid}").text
    assert 'data-from="The Daily Beast" data-to="Abbas Gallyamov"' in article
    assert "did not respond" in article and f'href="/speakers/{sid}"' in article
    assert client.get("/speakers/999").status_code == 404
    # a bad filter is said above the search form, which keeps what was typed
    for params, code in (({"q": "talks", "since": "2024-02-30"}, "E505"), ({"q": "talks", "anonymous": "yes"}, "E606")):
        r = client.get("/search", params=params)
        assert r.status_code in (400, 422) and code in r.text and 'value="talks"' in r.text, params


def test_analyse_page_shows_the_reading_and_a_store_form(client, app):
    r = client.post("/analyse", data={"text": 'The mayor said "the bridge opens in May".\r\nMore.', "model": "fast", "publisher": "City Post"})
    assert r.status_code == 200
    assert '<a class="hl hl-content" href="#att-a1"' in r.text
    assert '<option value="fast" selected>' in r.text
    assert app.state.onrecord.extractors.calls[-1][0].text == 'The mayor said "the bridge opens in May".\nMore.'  # CRLF from the browser
    assert 'name="publisher" value="City Post"' in r.text and 'name="model" value="fast"' in r.text
    empty = client.post("/analyse", data={"text": "  "})
    assert empty.status_code == 400 and "E607" in empty.text
    stored = client.post("/articles", data={"text": "The mayor said \"x\".", "publisher": "City Post"}, follow_redirects=False)
    assert stored.status_code == 303
    assert "Stored in the ledger" in client.get(stored.headers["location"]).text


def test_article_text_and_names_are_escaped_everywhere(tmp_path):
    text = f'{HOSTILE} The minister said "{HOSTILE} is fine".'
    evil = make_doc(text, [("a1", f"Dr. {HOSTILE}", f"{HOSTILE} is fine", {"source": "The minister"})],
                    publisher=f"Evil {HOSTILE}", title=f"Title {HOSTILE}", url="javascript:alert(document.cookie)")
    evil.provenance = Provenance("p", {"p": (f"Evil {HOSTILE}", "media_outlet"), "s": (f"Dr. {HOSTILE}", "person")},
                                 [ProvenanceEdge("p", "s", "reports", ["a1"])], [[f"Evil {HOSTILE}", f"Dr. {HOSTILE}"]])
    with TestClient(_app(tmp_path, [evil])) as client:
        sid = client.get("/api/v1/speakers").json()["items"][0]["id"]
        outlet = client.get("/api/v1/outlets").json()["items"][0]["publisher"]
        from onrecord.web.pages import outlet_href

        for path in ("/articles/1", "/articles", f"/speakers/{sid}", "/speakers", "/outlets", outlet_href(outlet),
                     "/search?q=fine", "/search?speaker=" + HOSTILE):
            html = client.get(path).text
            assert "<script>window" not in html and "<img src=x" not in html and 'href="javascript:' not in html, path
            assert "&lt;script&gt;" in html, path
        analysed = client.post("/analyse", data={"text": text}).text
        assert "<script>window" not in analysed and "&lt;img src=x onerror=" in analysed


def test_templates_never_mark_strings_safe():
    for template in TEMPLATES.glob("*.html"):
        source = template.read_text(encoding="utf-8")
        assert "|safe" not in source.replace(" ", "") and "autoescape false" not in source, template.name


# --- highlight and SVG units --------------------------------------------------------------------


def test_segments_cover_the_text_and_nest():
    d = gallyamov_doc().to_dict()
    cuts = segments(d)
    assert "".join(s.text for s in cuts) == d["text"]
    assert [s.end for s in cuts[:-1]] == [s.start for s in cuts[1:]]
    inner = make_doc('Reuters said "X said "Y" today".', [
        ("a1", "Reuters", 'X said "Y" today', {"source": "Reuters"}),
        ("a2", "X", "Y", {"source": "X", "cue": "said \"Y", "parent": "a1"}),
    ]).to_dict()
    inner["attributions"][1]["cue"] = [{"start": 16, "end": 20, "text": "said"}]
    marks = {s.text: s.marks for s in segments(inner)}
    assert marks["X"] == (("a2", "source"), ("a1", "content"))
    assert marks["Y"][0] == ("a2", "content") and ("a1", "content") in marks["Y"]
    html = str(highlight(inner))
    assert '<a class="hl hl-source hl-nested" href="#att-a2" data-att="a2 a1"' in html
    assert 'title="source of a2: X (person), direct' in html


def test_highlight_escapes_every_piece():
    text = f'The minister said "{HOSTILE}".'
    d = make_doc(text, [("a1", 'Min"ister <b>', HOSTILE, {"source": "The minister"})]).to_dict()
    html = highlight(d)
    assert isinstance(html, Markup)
    assert "<script" not in html and "<img" not in html and "onerror=\"" not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html and "Min&#34;ister &lt;b&gt;" in html
    assert re.sub(r"<[^>]+>", "", str(html)).replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", '"').replace("&amp;", "&") == text


def test_chain_per_attribution_and_graph():
    d = gallyamov_doc().to_dict()
    assert attribution_chain(d, "a2") == ["Business Insider", "The Daily Beast", "Abbas Gallyamov"]
    assert attribution_chain(d, "a1") == ["Business Insider", "Abbas Gallyamov"]
    assert attribution_chain(d, "a9") == []
    svg = str(provenance_svg(d["provenance"]))
    assert svg.startswith("<svg") and svg.count('class="edge') == 3 and svg.count('<g class="node') == 3
    xs = {name: float(x) for name, x in re.findall(r'data-name="([^"]+)">.*?<rect x="([\d.]+)"', svg)}
    assert xs["Business Insider"] < xs["The Daily Beast"] < xs["Abbas Gallyamov"]  # one column per step out
    assert provenance_svg(None) == "" and provenance_svg({"nodes": [], "edges": []}) == ""
    hostile = str(provenance_svg({"publisher": "p", "nodes": [{"id": "p", "name": HOSTILE, "type": '"><x'}, {"id": "q", "name": "Q", "type": "person"}],
                                  "edges": [{"from": "p", "to": "q", "relation": "reports", "attributions": ['"><script>']}]}))
    assert "<script" not in hostile and "<img" not in hostile and 'class="node node-x' in hostile
    bars = str(bar_chart([("<b>AP</b>", 3), ("Reuters", 1)]))
    assert bars.count("<rect") == 2 and "&lt;b&gt;AP" in bars
    assert str(bar_chart([("anonymous", 0.25)], percent=True)).count("25%") == 2
    assert column_chart([("2024-01", 2), ("2024-02", 5)]).count("<rect") == 2


def test_article_page_lists_its_forecasts_escaped(tmp_path):
    from onrecord.model import Forecast, Span, SpeakerRef

    text = f'The minister said prices will rise next year. {HOSTILE}'
    doc = make_doc(text, [("a1", "The minister", "prices will rise next year")])
    start = text.index("prices")
    doc.forecasts = [Forecast("f1", Span.of(text, start, start + 26), SpeakerRef("e9", f"Dr. {HOSTILE}", "person"), "a1",
                              Span.of(text, start + 7, start + 11), 0.9, Span.of(text, start + 17, start + 26), "2024-12-31")]
    with TestClient(_app(tmp_path, [doc])) as client:
        page = client.get("/articles/1").text
    card = page[page.index('id="forecasts"'):]
    assert "prices will rise next year" in card and "will ≈ 90%" in card and "next year (due 2024-12-31)" in card
    assert 'href="#att-a1"' in card and "<script>window" not in card and "&lt;script&gt;" in card
