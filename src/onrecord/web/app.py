"""The FastAPI application: settings, the guards every request passes, errors, and the extractor.

Guards, outermost first: the request body is read into memory up to the size
limit and refused with 413 past it (before any route runs, so no handler ever
sees an oversized body and nothing is spooled to disk); a request that changes
something and comes from another site's page (its ``Origin`` is neither this
server nor a configured CORS origin) is refused, so a page elsewhere cannot
make a visitor's browser store articles here; write endpoints then check the
bearer token when one is set. Errors become JSON under ``/api`` and an HTML
page elsewhere, both carrying a code from :mod:`onrecord.errors` and a message
a person can act on.
"""

from __future__ import annotations

import asyncio
import hmac
import multiprocessing
import threading
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from ..errors import E, OnrecordError
from ..ingest.readers import DEFAULT_MAX_BYTES
from ..model import Document
from ..store import Ledger

__all__ = ["create_app"]

_HERE = Path(__file__).resolve().parent
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Pages get a strict policy: only this server's own script and style, no inline script at all.
_PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class WebError(OnrecordError):
    """An error of the web layer, with the HTTP status it answers with."""

    def __init__(self, status: int, code: str, **fields: Any) -> None:
        self.status = status
        super().__init__(code, getattr(E, code).format(**fields))


def create_app(
    ledger_url: str | None = None,
    *,
    token: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    allow_fetch: bool = False,
    fetch_private: bool = False,
    cors_origins: Iterable[str] = (),
    spacy_model: str | None = None,
    workers: int = 1,
) -> FastAPI:
    """The web app and REST API over the ledger at ``ledger_url`` (see :func:`~onrecord.store.database_url`).

    ``token``: when set, endpoints that write need ``Authorization: Bearer <token>``
    (the Store form asks for it). ``max_bytes``: larger request bodies get 413.
    ``allow_fetch``: Analyse and ``/extract`` may fetch a URL the user gives (off
    by default), at public addresses only unless ``fetch_private`` also allows
    loopback, private and link-local ones (the server's own network).
    ``cors_origins``: other sites whose pages may call the API. ``workers``:
    processes that extract texts (1: in this process, one text per preset at a time).
    """
    ledger = Ledger.open(ledger_url)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_HERE / "templates"), autoescape=True
    )
    state = _State(
        ledger=ledger,
        token=token or None,
        max_bytes=max_bytes,
        allow_fetch=allow_fetch or fetch_private,
        fetch_private=fetch_private,
        cors_origins=tuple(cors_origins),
        extractors=_Extractors(spacy_model, workers),
        templates=Jinja2Templates(env=env),
    )
    app = FastAPI(
        title="onrecord",
        version=__version__,
        description="Who said what, according to whom: attributions extracted from news, and the ledger they are stored in.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # served by _docs from the packaged Swagger UI: the default loads it from a CDN
        redoc_url=None,
    )
    app.state.onrecord = state
    env.globals.update(version=__version__, needs_token=state.token is not None, allow_fetch=state.allow_fetch)

    from . import api, pages

    env.globals.update(outlet_href=pages.outlet_href, http_url=pages.http_url)
    app.include_router(api.router, prefix="/api/v1")
    app.include_router(pages.router)
    _with_output_schema(app)
    _docs(app)
    app.mount("/static", StaticFiles(directory=_HERE / "static"), name="static")
    _errors(app)
    if state.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(state.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
            expose_headers=["Location"],  # where POST /articles stored the article
        )
    app.add_middleware(_SameOrigin, state=state)
    app.add_middleware(_BodyLimit, state=state)
    app.add_middleware(_Head)
    app.add_middleware(_Headers)  # added last: runs first, so even refusals carry the headers
    app.router.on_startup.append(state.extractors.start)
    app.router.on_shutdown.append(ledger.close)
    app.router.on_shutdown.append(state.extractors.close)
    return app


# --- state ------------------------------------------------------------------------------------


class _Extractors:
    """Runs extraction for the app: in this process, or in ``processes`` worker processes.

    In this process (the default), one :class:`~onrecord.pipeline.Extractor` per
    preset is loaded on first use, under that preset's own lock, and runs one
    text at a time (spaCy pipelines are not meant to be shared between threads):
    a long article holds up later texts for the same preset, and loading
    ``accurate`` holds up nobody using ``rules``. With ``processes`` > 1 (``onrecord
    serve --workers N``) texts go to a pool of worker processes that each load a
    preset on first use, so up to N texts, of any presets, are read at once and a
    long article holds up no one while a worker is free.
    """

    def __init__(self, spacy_model: str | None, processes: int = 1) -> None:
        self.spacy_model = spacy_model
        self.processes = processes
        self._lock = threading.Lock()  # guards the dicts and the pool, never a load
        self._locks: dict[str, threading.Lock] = {}
        self._loaded: dict[str, Any] = {}  # its own, not onrecord.extract's: only these locks guard them
        self._pool: ProcessPoolExecutor | None = None
        self._queues: dict[str, ThreadPoolExecutor] = {}

    async def run(self, document: Document, preset: str | None) -> Document:
        """:meth:`extract` from a request handler, waiting its turn without holding any of the server's threads.

        On the server's shared thread pool, 70 queued extractions had taken
        every thread and a plain GET of the article list waited 13.6 s. Texts
        queue here instead: one queue per preset in this process (each reads one
        text at a time, so a queue of ``accurate`` texts never holds up ``rules``),
        or one queue with a thread per worker process.
        """
        from ..extraction.presets import check_preset

        name = check_preset(preset or None)
        key = "workers" if self.processes > 1 else name
        with self._lock:
            if key not in self._queues:
                self._queues[key] = ThreadPoolExecutor(self.processes, thread_name_prefix=f"onrecord-{key}")
            queue = self._queues[key]
        return await asyncio.wrap_future(queue.submit(self.extract, document, name))

    def extract(self, document: Document, preset: str | None) -> Document:
        from ..extraction.presets import check_preset

        name = check_preset(preset or None)
        if self.processes > 1:
            return self._in_pool(document, name)
        with self._lock:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            if name not in self._loaded:
                from ..pipeline import Extractor

                self._loaded[name] = Extractor(self.spacy_model, model=name)
            return next(self._loaded[name].pipe([document]))

    def start(self) -> None:
        """Start the worker processes, if any, each loading the default preset while the server is idle.

        Without this a worker would start, and load, on the first request that
        found the others busy: the very request the workers are there to speed up.
        """
        if self.processes > 1:
            self._started()

    def _started(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                from ..extraction.presets import DEFAULT_PRESET

                self._pool = ProcessPoolExecutor(  # spawn, not fork: never copy the server's threads mid-work
                    self.processes, mp_context=multiprocessing.get_context("spawn"),
                    initializer=_load_in_worker, initargs=(DEFAULT_PRESET, self.spacy_model),
                )
                for _ in range(self.processes):  # one task each makes the pool start them all now
                    self._pool.submit(int)
            return self._pool

    def _in_pool(self, document: Document, name: str) -> Document:
        pool = self._started()
        try:
            return pool.submit(_extract_in_worker, document, name, self.spacy_model).result()
        except BrokenProcessPool as err:
            with self._lock:
                if self._pool is pool:  # the first request to notice replaces it
                    self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            raise WebError(503, "E616", detail=str(err) or "it exited") from None

    def close(self) -> None:
        """Stop the worker processes, if any, and the threads texts wait on."""
        with self._lock:
            pool, self._pool = self._pool, None
            queues, self._queues = list(self._queues.values()), {}
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        for queue in queues:
            queue.shutdown(wait=False, cancel_futures=True)


def _extract_in_worker(document: Document, preset: str, spacy_model: str | None) -> Document:
    """One text, in a worker process of :class:`_Extractors`, which runs one task at a time: so the
    extractor :func:`onrecord.extract` loads on first use and keeps serves it."""
    return next(_extractor(preset, spacy_model).pipe([document]))


def _extractor(preset: str, spacy_model: str | None) -> Any:
    from ..nlp.loader import model_name
    from ..pipeline import _shared_extractor

    return _shared_extractor(model_name(spacy_model), preset)


def _load_in_worker(preset: str, spacy_model: str | None) -> None:
    """A worker's start: load ``preset`` now. A model that fails here is left for the first request to
    report (an initializer that raises would break the whole pool)."""
    try:
        _extractor(preset, spacy_model)
    except Exception:  # noqa: BLE001 - reported, with its code, by the request that needs it
        pass


@dataclass
class _State:
    ledger: Ledger
    token: str | None
    max_bytes: int
    allow_fetch: bool
    fetch_private: bool
    cors_origins: tuple[str, ...]
    extractors: _Extractors
    templates: Jinja2Templates


def state_of(request: Request) -> _State:
    """The app's settings, ledger and extractors."""
    return request.app.state.onrecord


def offset_link(request: Request, offset: int) -> str:
    """This request's path and query with ``offset`` replaced: the link to another page of a list."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "offset"] + [("offset", str(offset))]
    return f"{request.url.path}?{urlencode(params)}"


def check_token(request: Request, given: str | None = None) -> None:
    """Raise 401 (E602) unless the server has no token or the request carries it.

    ``given`` is a token typed into a page's form; API clients send the header.
    Compared in constant time.
    """
    expected = state_of(request).token
    if expected is None:
        return
    typed = given is not None
    if given is None:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        given = value.strip() if scheme.lower() == "bearer" else ""
    if not hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
        raise WebError(401, "E615" if typed else "E602")  # a person at a form is told of the form's field


# --- errors -----------------------------------------------------------------------------------

#: HTTP status for library error codes (anything else E1xx is bad input: 400).
_STATUS = {"E106": 413, "E501": 503, "E502": 503, "E503": 500, "E506": 503, "E518": 400}


def http_status(err: OnrecordError) -> int:
    """The HTTP status an error answers with: 4xx for the request's fault, 5xx for the server's."""
    if isinstance(err, WebError):
        return err.status
    if err.code in _STATUS:
        return _STATUS[err.code]
    if err.code.startswith("E2") and err.code != "E205":
        return 503  # a model that cannot load: the server's problem, not the request's
    if err.code.startswith("E5") and err.code != "E505":
        return 500
    return 400


def error_response(request: Request, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    """The error as JSON ``{"error": {"code", "message", "status"}}`` for the API, an HTML page otherwise."""
    if request.url.path.startswith("/api/"):
        body = {"error": {"code": code, "message": message, "status": status}}
        return JSONResponse(body, status_code=status, headers=headers)
    templates = state_of(request).templates
    page = templates.get_template("error.html").render(status=status, code=code, message=message, path=request.url.path)
    return HTMLResponse(page, status_code=status, headers=headers)


#: The methods a 405 looks for among the routes (HEAD comes with GET, see :class:`_Head`).
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(request: Request, allow: str) -> str:
    """Every method the request's path takes, for a 405's ``Allow`` header and message (RFC 9110 §15.5.6).

    Starlette answers 405 with the methods of the first route whose path
    matched, but a path can have several routes (``GET`` and ``POST /articles``),
    so each method is tried against every route: the union, plus ``allow`` (what
    Starlette said, which covers mounts such as ``/static``, whose apps answer
    for themselves and are skipped here). Every ``GET`` also answers ``HEAD``
    (see :class:`_Head`), which FastAPI's routes do not list.
    """
    from starlette.routing import Match, Mount

    routes = [route for route in request.app.router.routes if not isinstance(route, Mount)]
    methods = {m.strip().upper() for m in allow.split(",") if m.strip()}
    for method in _METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in routes):
            methods.add(method)
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


def _errors(app: FastAPI) -> None:
    @app.exception_handler(OnrecordError)
    async def onrecord_error(request: Request, err: OnrecordError) -> Response:
        status = http_status(err)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return error_response(request, status, err.code, err.line().removesuffix(f" [{err.code}]"), headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, err: RequestValidationError) -> Response:
        problems = []
        for problem in err.errors():
            where = ".".join(str(p) for p in problem.get("loc", ()) if p not in ("body", "query", "path"))
            problems.append(f"{where or 'request'}: {problem.get('msg', 'invalid')}")
        message = E.E606.format(detail="; ".join(problems) or "bad parameters")
        return error_response(request, 422, "E606", message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, err: StarletteHTTPException) -> Response:
        if err.status_code == 405 and err.headers and "Allow" in err.headers:
            allowed = _allowed_methods(request, err.headers["Allow"])
            message = E.E614.format(method=request.method, path=request.url.path, allowed=allowed)
            return error_response(request, 405, "E614", message, {**err.headers, "Allow": allowed})
        if err.status_code in (404, 405):
            message = E.E610.format(method=request.method, path=request.url.path)
            return error_response(request, err.status_code, "E610", message)
        return error_response(request, err.status_code, "E606", E.E606.format(detail=str(err.detail)))

    @app.exception_handler(Exception)
    async def failed(request: Request, err: Exception) -> Response:
        message = E.E611.format(detail=type(err).__name__)
        return error_response(request, 500, "E611", message)


# --- guards (plain ASGI middleware) -----------------------------------------------------------


class _BodyLimit:
    """Read each request body into memory, refusing it with 413 (E601) past ``max_bytes``.

    A declared Content-Length over the limit is refused before a byte is read; a
    chunked body is counted as it arrives. The handler then gets the body replayed.
    """

    def __init__(self, app: ASGIApp, state: _State) -> None:
        self.app = app
        self.limit = state.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(scope, receive, send, declared.decode("latin-1"))
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.limit:
                await self._refuse(scope, receive, send, f"at least {size}")
                return
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, size: str) -> None:
        request = Request(scope, receive)
        message = E.E601.format(size=size, limit=self.limit)
        response = error_response(request, 413, "E601", message, {"Connection": "close"})
        await response(scope, receive, send)


class _SameOrigin:
    """Refuse (403, E609) requests that change something and come from another site's page.

    Browsers send ``Origin`` on cross-site form posts and fetches; a form on
    evil.example posting to this server would otherwise store articles with
    the visitor's access. Requests without ``Origin`` (curl, scripts) pass.
    """

    def __init__(self, app: ASGIApp, state: _State) -> None:
        self.app = app
        self.allowed = set(state.cors_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in _WRITE_METHODS:
            headers = dict(scope["headers"])
            origin = headers.get(b"origin", b"").decode("latin-1")
            if origin and origin not in self.allowed:
                own = f"{scope.get('scheme', 'http')}://{headers.get(b'host', b'').decode('latin-1')}"
                if origin != own:
                    request = Request(scope, receive)
                    response = error_response(request, 403, "E609", E.E609.format(origin=origin))
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)


def _with_output_schema(app: FastAPI) -> None:
    """Add the output JSON schema to the OpenAPI document's components, where ``POST /extract`` refers to it."""
    from .schemas import output_components

    made = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            made().setdefault("components", {}).setdefault("schemas", {}).update(output_components())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _docs(app: FastAPI) -> None:
    """Swagger UI at /docs from the swagger-ui-bundle package, so the API docs work offline."""
    import swagger_ui_bundle
    from fastapi.openapi.docs import get_swagger_ui_html

    app.mount("/static/swagger", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/v1/openapi.json",
            title="onrecord API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon-32x32.png",
        )


class _Headers:
    """Security headers on every response; pages also get a strict Content-Security-Policy."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"referrer-policy", b"same-origin"))
                if path != "/docs":  # Swagger UI loads its own script and style
                    headers.append((b"x-frame-options", b"DENY"))
                    headers.append((b"content-security-policy", _PAGE_CSP.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _Head:
    """HEAD is GET without the body (RFC 9110), for every page and GET endpoint: link checkers and
    ``curl -I`` use it, and FastAPI's routes answer GET only. The headers, Content-Length
    included, are the GET's."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)
