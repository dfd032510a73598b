"""The web app end to end: the real `onrecord serve` in a subprocess, driven by Debian's headless Chromium.

Needs /usr/bin/chromium (CI installs it; this fails, not skips, without it) and
loads the spaCy model in the server. Set ONRECORD_SCREENSHOT=docs/screenshot-analyse.png
to (re)write the README's screenshot of the Analyse page; by default it goes to a temp folder.
"""

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from pgserver import free_port

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "seed-article.txt"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
DAILY_BEAST_CHAIN = ["Business Insider", "The Daily Beast", "Mozhem Obyasnit", "Abbas Gallyamov"]

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("web")
    port = free_port()
    log = open(folder / "server.log", "w+")
    env = {k: v for k, v in os.environ.items() if k not in ("ONRECORD_TOKEN", "ONRECORD_DB")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "onrecord.cli", "serve", "--db", str(folder / "ledger.db"), "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=folder,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"onrecord serve did not start:\n{log.read()}")
            time.sleep(0.3)
    yield base
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install chromium (CI does)"
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(180_000)  # the first analysis loads the spaCy and ONNX models
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    yield page
    context.close()


def analyse(page, base, text):
    page.goto(base + "/")
    page.fill("textarea[name=text]", text)
    with page.expect_navigation():
        page.click("#analyse-button")


def test_analyse_store_and_find_the_seed_article(server, page, tmp_path):
    seed = SEED.read_text(encoding="utf-8")
    analyse(page, server, seed)

    # the article as written, every role highlighted in its own colour
    assert page.text_content("#article-text") == seed
    counts = {role: page.locator(f"#article-text .hl-{role}").count() for role in ("source", "cue", "content")}
    assert all(n >= 10 for n in counts.values()), counts
    colours = {role: page.eval_on_selector(f".legend .hl-{role}", "e => getComputedStyle(e).backgroundColor") for role in counts}
    assert len(set(colours.values())) == 3, colours
    gallyamov = page.locator("#article-text a.hl-source", has_text="the former speechwriter")
    assert "Abbas Gallyamov (person)" in gallyamov.get_attribute("title")
    target = gallyamov.get_attribute("href")
    assert page.locator(target).is_visible() and "Abbas Gallyamov" in page.text_content(target)

    # the speaker, and the Daily Beast chain both as text and drawn
    assert page.locator(".speakers li", has_text="Abbas Gallyamov").is_visible()
    assert "political consultant" in page.text_content(".speakers")
    assert page.locator("li.chain", has_text=" ← ".join(DAILY_BEAST_CHAIN)).count() == 1
    _assert_chain_drawn(page)

    shot = tmp_path / "screenshot-analyse.png"
    page.locator(".summary").scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, document.querySelector('.summary').getBoundingClientRect().top + window.scrollY - 12)")
    page.screenshot(path=str(shot))
    assert 20_000 < shot.stat().st_size < 400_000
    if os.environ.get("ONRECORD_SCREENSHOT"):
        shutil.copyfile(shot, ROOT / os.environ["ONRECORD_SCREENSHOT"])

    # store it: the Article page shows the same reading, the graph and the non-response
    with page.expect_navigation():
        page.click("#store-button")
    assert "/articles/" in page.url
    assert page.locator(".notice", has_text="Stored in the ledger").is_visible()
    assert page.text_content("#article-text") == seed
    _assert_chain_drawn(page)
    assert "Kremlin" in page.text_content(".silent")

    # find it through search, and follow the result to the speaker
    page.goto(server + "/search")
    page.fill("input[name=q]", "second-rate dictator")
    with page.expect_navigation():
        page.click("#search-button")
    row = page.locator("table.quotes tbody tr").first
    assert "second-rate dictator" in row.text_content()
    with page.expect_navigation():
        row.locator("a.quote").click()
    assert "/articles/" in page.url and page.locator("li.attribution:target").count() == 1
    page.goto(server + "/search?speaker=Abbas+Gallyamov&kind=direct")
    assert page.locator("table.quotes tbody tr").count() >= 3
    with page.expect_navigation():
        page.locator("a", has_text="Abbas Gallyamov").first.click()
    assert page.locator("h1", has_text="Abbas Gallyamov").is_visible()
    assert page.locator("svg.columns rect").count() >= 1
    page.goto(server + "/outlets")
    with page.expect_navigation():
        page.locator("a", has_text="Business Insider").first.click()
    assert "Anonymous share" in page.text_content("main") and page.locator("svg.bars").count() >= 3
    assert page.dialogs == []


def _assert_chain_drawn(page):
    graph = page.locator("#provenance-graph svg")
    box = graph.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 40
    for name in DAILY_BEAST_CHAIN:
        assert graph.locator(f'g.node[data-name="{name}"]').is_visible(), name
    for nearer, further in zip(DAILY_BEAST_CHAIN, DAILY_BEAST_CHAIN[1:]):
        edge = graph.locator(f'g.edge[data-from="{nearer}"][data-to="{further}"] path')
        assert edge.count() == 1 and edge.bounding_box()["width"] > 10, (nearer, further)
    xs = [graph.locator(f'g.node[data-name="{name}"] rect').bounding_box()["x"] for name in DAILY_BEAST_CHAIN]
    assert xs == sorted(xs) and len(set(xs)) == 4  # drawn left to right, one column per step


HOSTILE = (
    'The minister said "<script>window.__pwned = 1; alert(1)</script> is how it starts" on Monday.\n\n'
    'The general said "<img src=x onerror="window.__pwned = 2"> was never sent".\n\n'
    'A spokesman said <a href="javascript:window.__pwned=3">click here</a> and <b onmouseover="window.__pwned=4">hover</b>.\n'
)


def _assert_inert(page):
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('[onerror], [onmouseover]').length") == 0
    assert page.evaluate("document.querySelectorAll('a[href^=javascript], a[href^=\" javascript\"]').length") == 0
    assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 0
    assert page.evaluate("[...document.scripts].map(s => new URL(s.src).pathname)") == ["/static/hover.js"]
    assert page.evaluate("document.querySelectorAll('main img, main iframe, main object').length") == 0
    assert page.evaluate("document.querySelectorAll('#article-text *:not(a.hl)').length") == 0
    assert page.dialogs == []


def test_hostile_article_renders_inert(server, page):
    analyse(page, server, HOSTILE)
    assert page.text_content("#article-text") == HOSTILE  # shown literally, character for character
    assert page.locator("#article-text .hl").count() > 0  # and highlighted through the markup it carries
    page.hover("#article-text .hl-content >> nth=0")
    _assert_inert(page)
    assert "<script>window.__pwned = 1" in page.text_content(".attributions")

    with page.expect_navigation():
        page.click("#store-button")
    assert page.text_content("#article-text") == HOSTILE
    _assert_inert(page)

    # an uploaded page whose title and site name carry markup, with a javascript: URL as metadata
    html = (
        '<html><head><title>&lt;img src=x onerror="window.__pwned=5"&gt; headline</title>'
        '<meta property="og:site_name" content="&lt;script&gt;window.__pwned=6&lt;/script&gt;"></head>'
        '<body><article><p>' + "The mayor said &quot;&lt;script&gt;window.__pwned=7&lt;/script&gt; is fine&quot; today. " * 6
        + "</p></article></body></html>"
    )
    page.goto(server + "/")
    page.set_input_files("input[name=file]", files=[{"name": "evil.html", "mimeType": "text/html", "buffer": html.encode()}])
    with page.expect_navigation():
        page.click("#analyse-button")
    assert "<script>window.__pwned=7</script> is fine" in page.text_content("#article-text")
    page.evaluate("document.querySelector('form.store input[name=url]') || document.querySelector('form.store').insertAdjacentHTML('beforeend', '<input type=hidden name=url value=\"javascript:window.__pwned=8\">')")
    with page.expect_navigation():
        page.click("#store-button")
    assert '<img src=x onerror="window.__pwned=5"> headline' in page.text_content("h1")
    assert "javascript:window.__pwned=8" in page.text_content(".summary")
    _assert_inert(page)
    for path in ("/articles", "/speakers", "/outlets", "/search?q=pwned"):
        page.goto(server + path)
        _assert_inert(page)
