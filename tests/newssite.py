"""A local news site on loopback for the fetching tests (feeds and the web app): a feed, two article pages and a link that 404s."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TAXES = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Council to raise local taxes | Riverside Gazette</title>
<meta property="og:title" content="Council to raise local taxes next year">
<meta property="og:site_name" content="Riverside Gazette"></head>
<body>
<nav><a href="/">Home</a> <a href="/sport">Sport</a> Subscribe to our newsletter</nav>
<article>
<h1>Council to raise local taxes next year</h1>
<p>The city council confirmed on Monday that local taxes would go up next April,
the first increase in six years, after a long debate about the budget.</p>
<p>"Taxes will rise," Smith said. "There is no other way to keep the libraries open
and the buses running on the routes that people rely on every day."</p>
<p>The opposition leader, Maria Owens, said the council had wasted money on consultants
and should cut its own costs before asking residents to pay more.</p>
</article>
<footer>Copyright 2024 Riverside Gazette. Privacy policy.</footer>
</body></html>
"""

FLOODS = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>River defences hold as floods recede</title></head>
<body>
<article>
<h1>River defences hold as floods recede</h1>
<p>Flood barriers along the River Wend held overnight as water levels began to fall,
the environment agency said on Tuesday morning.</p>
<p>"The defences did exactly what they were built to do," said Priya Nair, the agency's
regional director, who thanked volunteers for filling sandbags through the night.</p>
<p>Residents of the low-lying streets near the old mill were told they could return home
by the afternoon, although some roads would stay closed until Thursday.</p>
</article>
</body></html>
"""

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
<channel>
  <title>Riverside Gazette</title>
  <link>{base}/</link>
  <description>Local news</description>
  <item>
    <title>Council to raise local taxes</title>
    <link>{base}/news/taxes</link>
    <guid isPermaLink="false">gazette-1</guid>
    <description>Taxes will go up, the council said.</description>
  </item>
  <item>
    <title>Floods recede</title>
    <link>{base}/news/floods</link>
    <guid isPermaLink="false">gazette-2</guid>
    <description>Flood barriers held overnight, the agency said.</description>
  </item>
  <item>
    <title>Bridge to close</title>
    <link>{base}/news/gone</link>
    <guid isPermaLink="false">gazette-3</guid>
    <description>The old bridge will close for repairs, the mayor said.</description>
  </item>
</channel>
</rss>
"""


class Site:
    """A local news site: a feed, two article pages, and a link that 404s; it counts every request."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the http.server API)
                site.requests.append(self.path)
                pages = {
                    "/feed.xml": (FEED.format(base=site.base), "application/rss+xml"),
                    "/news/taxes": (TAXES, "text/html; charset=utf-8"),
                    "/news/floods": (FLOODS, "text/html; charset=utf-8"),
                    "/page": (TAXES, "text/html; charset=utf-8"),
                }
                if self.path == "/moved":  # a redirect into a network the server must not reach
                    self.send_response(302)
                    self.send_header("Location", "http://internal.example/secret")
                    self.end_headers()
                    return
                if self.path not in pages:
                    self.send_error(404, "Not Found")
                    return
                body, kind = pages[self.path]
                data = body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:  # keep the test output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def feed_file(self, folder: Path) -> str:
        path = folder / "gazette.rss"
        path.write_text(FEED.format(base=self.base), encoding="utf-8")
        return str(path)
