"""The REST API under ``/api/v1``: extract, store, and read the ledger.

``POST /extract`` answers exactly what ``onrecord extract --format json``
prints, so a program can switch between the command and the server. Lists
are pages: ``limit`` and ``offset`` in, ``items``, ``total``, ``next_offset``
and a ``next`` link out. Errors are ``{"error": {"code", "message", "status"}}``
with a code from :mod:`onrecord.errors`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from typing import Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPBearer
from pydantic import BaseModel

from ..model import ATTRIBUTION_KINDS, ENTITY_TYPES, OUTCOMES, Document
from ..render.json import to_json
from ..store import StoreError
from .app import WebError, check_token, offset_link, state_of
from .inputs import ArticleIn, document_from_request, read_fields
from .schemas import (
    DOCUMENT_REF,
    ArticleDetail,
    ArticleSummary,
    EvidenceList,
    OutletDetail,
    OutletStats,
    Page,
    QuoteOut,
    SpeakerDetail,
    SpeakerStats,
    StoredForecast,
    StoredOut,
    TrackRecord,
    Trail,
)

__all__ = ["router"]


class _ErrorBody(BaseModel):
    code: str
    message: str
    status: int


class ErrorOut(BaseModel):
    """What every error answers: a stable code and a message saying what to do."""

    error: _ErrorBody


Kind = Enum("Kind", {k: k for k in ATTRIBUTION_KINDS}, type=str)  # type: ignore[misc]
SpeakerType = Enum("SpeakerType", {t: t for t in ENTITY_TYPES}, type=str)  # type: ignore[misc]
Outcome = Enum("Outcome", {o: o for o in OUTCOMES}, type=str)  # type: ignore[misc]


class OutcomeIn(BaseModel):
    """What became of a forecast: ``true`` (it happened), ``false`` (it did not by its due date) or
    ``void`` (it cannot be judged: a condition never met, a claim too vague to check)."""

    outcome: Outcome
    note: str | None = None
    source: str | None = None  # where the outcome can be checked (a URL)
    judged_on: str | None = None  # YYYY-MM-DD, the day it was known; default today

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "bad input (empty, binary or undecodable text, a bad date...)"},
    422: {"model": ErrorOut, "description": "invalid parameters (E606)"},
}
#: What reading an article from the request body can answer besides (``/extract`` and ``POST /articles``).
_READ_ERRORS: dict[int | str, dict[str, Any]] = {
    **_ERRORS,
    403: {"model": ErrorOut, "description": "a cross-site request (E609), fetching off (E604) or a URL at a private address (E613)"},
    413: {"model": ErrorOut, "description": "request body over the server's --max-bytes (E601)"},
    502: {"model": ErrorOut, "description": "the URL to read could not be fetched (E605)"},
}
_WRITE_ERRORS = {
    **_READ_ERRORS,
    201: {"model": StoredOut, "description": "stored as a new article"},
    200: {"model": StoredOut, "description": "the article was there already (the same normalised text or URL) and is updated"},
    401: {"model": ErrorOut, "description": "the server has a token and it was not sent (E602)"},
}
_NOT_FOUND = {404: {"model": ErrorOut, "description": "no such item in the ledger (E603)"}}


def _ok(model: Any, description: str = "Successful Response") -> dict[int | str, dict[str, Any]]:
    """A route's 200 answer in the OpenAPI document (routes answer plain dicts; :mod:`.schemas` says why)."""
    return {200: {"model": model, "description": description}}

_MULTIPART_SCHEMA = {
    "type": "object",
    "properties": {
        "file": {"type": "string", "format": "binary", "description": "an HTML or text file"},
        "text": {"type": "string"},
        "url": {"type": "string"},
        "title": {"type": "string"},
        "publisher": {"type": "string"},
        "published": {"type": "string"},
        "id": {"type": "string"},
        "authors": {"type": "string", "description": "names separated by ';'"},
        "model": {"type": "string", "enum": ["rules", "fast", "accurate"]},
    },
}
#: A URL-encoded form: the multipart form's fields but the file (``curl -d``, an HTML form without an upload).
_FORM_SCHEMA = {"type": "object", "properties": {k: v for k, v in _MULTIPART_SCHEMA["properties"].items() if k != "file"}}
_ARTICLE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": ArticleIn.model_json_schema()},
            "multipart/form-data": {"schema": _MULTIPART_SCHEMA},
            "application/x-www-form-urlencoded": {"schema": _FORM_SCHEMA},
        },
    }
}
#: The token endpoints that write need when the server has one. Declared as an OpenAPI security
#: scheme so that /docs has an Authorize button and "Try it out" sends the header; the check
#: itself is :func:`~onrecord.web.app.check_token` (auto_error off: this only documents).
_BEARER = HTTPBearer(
    scheme_name="token",
    description="the token given to `onrecord serve --token` (or $ONRECORD_TOKEN); "
    "needed by endpoints that write when the server has one, else leave it empty",
    auto_error=False,
)
#: A write endpoint's body and security: the token, or none (``{}``) when the server has no token.
#: FastAPI lists the scheme itself; this adds the empty alternative, which makes it optional.
_WRITE_OPENAPI: dict[str, Any] = {**_ARTICLE_BODY, "security": [{}]}
_OUTCOME_ERRORS: dict[int | str, dict[str, Any]] = {
    **_ERRORS,
    401: {"model": ErrorOut, "description": "the server has a token and it was not sent (E602)"},
    403: {"model": ErrorOut, "description": "a cross-site request (E609)"},
    404: {"model": ErrorOut, "description": "no forecast with this id (E603); ids change when an article is stored again"},
    413: {"model": ErrorOut, "description": "request body over the server's --max-bytes (E601)"},
}

#: The ``id`` of an article sent without one: what ``onrecord extract - --format json`` prints for stdin,
#: since the output schema's top-level ``id`` is a string (never null) and the CLI always prints it.
_UNNAMED = "-"

router = APIRouter()


class _Paging:
    def __init__(
        self,
        limit: int = Query(20, ge=1, le=200, description="items per page (1 to 200)"),
        offset: int = Query(0, ge=0, description="items to skip"),
    ) -> None:
        self.limit = limit
        self.offset = offset


class _Filters:
    def __init__(
        self,
        speaker: str | None = Query(None, description="speaker's full name (any case)"),
        outlet: str | None = Query(None, description="publisher (any case); '(unknown)' for articles without one"),
        since: str | None = Query(None, description="published on or after this date (YYYY-MM-DD; read as a stored `published` is)"),
        until: str | None = Query(None, description="published on or before this date (YYYY-MM-DD; read as a stored `published` is)"),
        kind: Kind | None = Query(None, description="attribution kind"),
        anonymous: bool | None = Query(None, description="true: anonymous sourcing only; false: named sources only"),
    ) -> None:
        self.values = {
            "speaker": speaker,
            "outlet": outlet,
            "since": since,
            "until": until,
            "kind": kind.value if kind else None,
            "anonymous": anonymous,
        }


def page(request: Request, items: list[Any], total: int, paging: _Paging) -> dict[str, Any]:
    """One page of results with its total and the link to the next page (None on the last)."""
    after = paging.offset + paging.limit
    next_offset = after if after < total else None
    link = offset_link(request, next_offset) if next_offset is not None else None
    return {
        "items": items,
        "total": total,
        "limit": paging.limit,
        "offset": paging.offset,
        "next_offset": next_offset,
        "next": link,
    }


async def _read(request: Request, model: str | None) -> tuple[Document, str | None]:
    fields = await read_fields(request)
    document = await run_in_threadpool(document_from_request, request, fields, strict=True)
    return document, fields.get("model") or model


def _not_found(what: str, ref: Any, hint: str) -> WebError:
    return WebError(404, "E603", what=what, ref=ref, hint=hint)


@contextmanager
def _missing_is_404(code: str, what: str, ref: Any, hint: str) -> Iterator[None]:
    """The ledger's "no such forecast / speaker" (``code``) answered as this route's 404; other errors pass."""
    try:
        yield
    except StoreError as err:
        if err.code == code:
            raise _not_found(what, ref, hint) from None
        raise


def _writes(request: Request) -> None:
    """The token check of an endpoint that writes, as a dependency: it runs before the body is validated,
    so a request without the token is told so (401), whatever its body."""
    check_token(request)


@router.post("/extract", tags=["extract"], openapi_extra=_ARTICLE_BODY, responses={
    200: {"description": "the extraction, as `onrecord extract --format json` prints it",
          "content": {"application/json": {"schema": {"$ref": DOCUMENT_REF}}}},
    **_READ_ERRORS,
},
             summary="Extract attributions from one article (nothing is stored)")
async def extract(
    request: Request, model: str | None = Query(None, description="extraction preset: rules, fast or accurate (default accurate)")
) -> Response:
    """The same JSON object ``onrecord extract --format json`` prints for one input.

    Send JSON (``text``, ``html`` or ``url``, plus optional metadata) or a
    multipart form with a ``file``.
    """
    document, preset = await _read(request, model)
    if document.id is None:  # a text or HTML sent without an id: labelled as the command line labels stdin
        document.id = _UNNAMED
    extracted = await state_of(request).extractors.run(document, preset)
    return Response(to_json(extracted, indent=None), media_type="application/json")


@router.get("/articles", tags=["articles"],
            response_model=None, responses={**_ok(Page[ArticleSummary]), **_ERRORS},
            summary="Stored articles, last stored first")
def articles(
    request: Request,
    paging: _Paging = Depends(),
    outlet: str | None = Query(None, description="only this publisher's (any case)"),
) -> dict[str, Any]:
    items, total = state_of(request).ledger.article_page(outlet=outlet, limit=paging.limit, offset=paging.offset)
    return page(request, items, total, paging)


@router.post("/articles", tags=["articles"], status_code=201, responses=_WRITE_ERRORS, openapi_extra=_WRITE_OPENAPI,
             dependencies=[Security(_BEARER)], summary="Extract attributions from one article and store it in the ledger")
async def store(
    request: Request, model: str | None = Query(None, description="extraction preset: rules, fast or accurate (default accurate)")
) -> JSONResponse:
    """Stores the article (an article already there, by its normalised text, is updated in place,
    keeping the metadata this request does not give).

    Needs ``Authorization: Bearer <token>`` when the server has a token.
    """
    check_token(request)
    document, preset = await _read(request, model)
    state = state_of(request)
    document = await run_in_threadpool(state.ledger.recall, document)
    extracted = await state.extractors.run(document, preset)
    article_id, is_new = await run_in_threadpool(state.ledger.add, extracted)
    location = f"/api/v1/articles/{article_id}"
    body = {
        "id": article_id,
        "new": is_new,
        "attributions": len(extracted.attributions),
        "url": location,
        "page": f"/articles/{article_id}",
    }
    return JSONResponse(body, status_code=201 if is_new else 200, headers={"Location": location})


@router.get("/articles/{article_id}", tags=["articles"],
            response_model=None, responses={**_ok(ArticleDetail), **_NOT_FOUND}, summary="One stored article in full")
def article(request: Request, article_id: int = Path(..., ge=1)) -> dict[str, Any]:
    """Its ledger fields, ``document`` (the extract JSON) and ``speakers`` (attribution id -> ledger speaker id)."""
    found = state_of(request).ledger.article(article_id)
    if found is None:
        raise _not_found("article", article_id, "list the stored ones at /api/v1/articles")
    return found


@router.get("/attributions", tags=["attributions"],
            response_model=None, responses={**_ok(Page[QuoteOut]), **_ERRORS},
            summary="Stored attributions, filtered (as `onrecord quotes`)")
def attributions(request: Request, paging: _Paging = Depends(), filters: _Filters = Depends()) -> dict[str, Any]:
    items, total = state_of(request).ledger.attribution_page(**filters.values, limit=paging.limit, offset=paging.offset)
    return page(request, items, total, paging)


@router.get("/search", tags=["attributions"],
            response_model=None, responses={**_ok(Page[QuoteOut]), **_ERRORS},
            summary="Full-text search over stored attributions, with filters")
def search(
    request: Request,
    q: str | None = Query(None, description="words to find (all of them) in contents, speakers and titles"),
    paging: _Paging = Depends(),
    filters: _Filters = Depends(),
) -> dict[str, Any]:
    """Best matches first (``score``: higher is better); without ``q`` the same as ``/attributions``."""
    ledger = state_of(request).ledger
    items, total = ledger.attribution_page(q, **filters.values, limit=paging.limit, offset=paging.offset)
    return page(request, items, total, paging)


@router.get("/trail", tags=["attributions"],
            response_model=None, responses={**_ok(Trail), **_ERRORS, **_NOT_FOUND},
            summary="Where else the ledger has a quote's words, oldest article first (as `onrecord trail`)")
def trail(
    request: Request,
    article: int | None = Query(None, ge=1, description="the stored quote's article id (with attribution)"),
    attribution: str | None = Query(None, description="the stored quote's attribution id in its article, e.g. a3"),
    q: str | None = Query(None, description="or the quote's words (at least 6)"),
    limit: int = Query(50, ge=1, le=200, description="at most this many other attributions"),
) -> dict[str, Any]:
    """Each other article's quotation (direct or mixed) that shares a stretch of the quote's words, with how it relates
    (``same``, ``part``, ``longer``, ``overlap``, ``altered``), the words that differ
    (``changes``) and whether it names another speaker; ``first`` is the earliest dated of them all."""
    stored = article is not None and attribution is not None
    if stored == (q is not None) or (q is not None and (article, attribution) != (None, None)):
        raise WebError(422, "E606", detail="give article and attribution (a stored quote), or q (its words), not both")
    ledger = state_of(request).ledger
    try:
        found = ledger.trail(article, attribution, limit=limit) if stored else ledger.trail(text=q, limit=limit)
    except StoreError as err:
        if err.code == "E520":
            raise _not_found("attribution", f"{attribution} of article {article}", "list them at /api/v1/attributions") from None
        if err.code in ("E521", "E522"):
            raise WebError(422, "E606", detail=err.message) from None
        raise
    return found.to_dict()


@router.get("/speakers", tags=["speakers"],
            response_model=None, responses={**_ok(Page[SpeakerStats]), **_ERRORS},
            summary="Speakers across the ledger, most quoted first")
def speakers(
    request: Request,
    paging: _Paging = Depends(),
    q: str | None = Query(None, description="only speakers whose name contains this (any case)"),
    type: SpeakerType | None = Query(None, description="only speakers of this type"),
) -> dict[str, Any]:
    rows, total = state_of(request).ledger.speaker_page(
        q, speaker_type=type.value if type else None, limit=paging.limit, offset=paging.offset
    )
    return page(request, [r.to_dict() for r in rows], total, paging)


@router.get("/speakers/{speaker_id}", tags=["speakers"],
            response_model=None, responses={**_ok(SpeakerDetail), **_ERRORS, **_NOT_FOUND},
            summary="One speaker in full")
def speaker(request: Request, speaker_id: int = Path(..., ge=1), paging: _Paging = Depends()) -> dict[str, Any]:
    """Aliases, descriptions, outlets quoting them, attributions per month, and a page of their attributions."""
    ledger = state_of(request).ledger
    found = ledger.speaker_detail(speaker_id)
    if found is None:
        raise _not_found("speaker", speaker_id, "list them at /api/v1/speakers")
    items, total = ledger.attribution_page(speaker_id=speaker_id, limit=paging.limit, offset=paging.offset)
    return {**found, "quotes": page(request, items, total, paging)}


@router.get("/outlets", tags=["outlets"],
            response_model=None, responses={**_ok(Page[OutletStats]), **_ERRORS},
            summary="Publishers and their sourcing, most articles first")
def outlets(request: Request, paging: _Paging = Depends()) -> dict[str, Any]:
    rows = state_of(request).ledger.outlets()
    chosen = rows[paging.offset : paging.offset + paging.limit]
    return page(request, [r.to_dict() for r in chosen], len(rows), paging)


@router.get("/outlets/{publisher:path}", tags=["outlets"],
            response_model=None, responses={**_ok(OutletDetail), **_NOT_FOUND},
            summary="One publisher's sourcing profile")
def outlet(request: Request, publisher: str) -> dict[str, Any]:
    """Anonymous share, kinds, speaker types, top speakers, outlets relayed, recent articles."""
    found = state_of(request).ledger.outlet_detail(publisher)
    if found is None:
        raise _not_found("outlet", repr(publisher), "list them at /api/v1/outlets")
    return found


@router.get("/forecasts", tags=["forecasts"], response_model=None, responses={**_ok(Page[StoredForecast]), **_ERRORS},
            summary="Stored forecasts and what became of them, filtered (as `onrecord forecasts`)")
def forecasts(
    request: Request,
    paging: _Paging = Depends(),
    speaker: str | None = Query(None, description="speaker: a ledger id or a full name (any case)"),
    outlet: str | None = Query(None, description="publisher (any case); '(unknown)' for articles without one"),
    open: bool | None = Query(None, description="true: only forecasts with no outcome recorded yet; false: only those "
                                                 "with one (true, false or void); absent: all"),
    due_by: str | None = Query(None, description="only forecasts due on or before this date (YYYY-MM-DD)"),
) -> dict[str, Any]:
    """Newest articles first; each with ``outcome`` (null while open), ``overdue`` (due before today, still open)
    and ``id``, the ledger id to record an outcome with (it changes when the article is stored again)."""
    items, total = state_of(request).ledger.forecast_page(
        speaker, outlet, open=open, due_by=due_by, limit=paging.limit, offset=paging.offset
    )
    return page(request, [f.to_dict() for f in items], total, paging)


@router.post("/forecasts/{forecast_id}/outcome", tags=["forecasts"],
            response_model=None, responses={**_ok(StoredForecast), **_OUTCOME_ERRORS}, openapi_extra={"security": [{}]},
             dependencies=[Security(_BEARER), Depends(_writes)], summary="Record what became of a forecast")
def outcome(request: Request, forecast_id: int = Path(..., ge=1), body: OutcomeIn = Body(...)) -> dict[str, Any]:
    """Files the outcome under the article's text and the forecast's, so it outlives storing the article again;
    recording again replaces it. Answers the forecast as it now reads.

    Needs ``Authorization: Bearer <token>`` when the server has one.
    """
    with _missing_is_404("E515", "forecast", forecast_id, "list them at /api/v1/forecasts"):
        found = state_of(request).ledger.record_outcome(
            forecast_id, body.outcome.value, note=body.note, source=body.source, judged_on=body.judged_on
        )
    return found.to_dict()


@router.delete("/forecasts/{forecast_id}/outcome", tags=["forecasts"],
            response_model=None, responses={**_ok(StoredForecast), **_OUTCOME_ERRORS}, openapi_extra={"security": [{}]},
               dependencies=[Security(_BEARER), Depends(_writes)], summary="Take back a forecast's outcome: it is open again")
def clear_outcome(request: Request, forecast_id: int = Path(..., ge=1)) -> dict[str, Any]:
    """For a mis-click or a judgement made too early. Answers the forecast as it now reads.

    Needs ``Authorization: Bearer <token>`` when the server has one.
    """
    with _missing_is_404("E515", "forecast", forecast_id, "list them at /api/v1/forecasts"):
        return state_of(request).ledger.clear_outcome(forecast_id).to_dict()


@router.get("/forecasts/{forecast_id}", tags=["forecasts"],
            response_model=None, responses={**_ok(StoredForecast), **_NOT_FOUND}, summary="One stored forecast")
def one_forecast(request: Request, forecast_id: int = Path(..., ge=1)) -> dict[str, Any]:
    found = state_of(request).ledger.forecast(forecast_id)
    if found is None:
        raise _not_found("forecast", forecast_id, "list them at /api/v1/forecasts")
    return found.to_dict()


@router.get("/forecasts/{forecast_id}/evidence", tags=["forecasts"],
            response_model=None, responses={**_ok(EvidenceList), **_ERRORS, **_NOT_FOUND},
            summary="Sentences of later articles that may say what became of a forecast")
def evidence(
    request: Request,
    forecast_id: int = Path(..., ge=1),
    limit: int = Query(5, ge=1, le=50, description="at most this many articles, one sentence each"),
) -> dict[str, Any]:
    """Suggestions to read before recording an outcome, never an outcome: sentences of articles published on or
    after the forecast's that hold its event's words (``terms``), with offsets into their article's text;
    ``looks_ahead`` marks sentences that themselves predict (a repeat more often than a report)."""
    with _missing_is_404("E515", "forecast", forecast_id, "list them at /api/v1/forecasts"):
        found = state_of(request).ledger.evidence(forecast_id, limit=limit)
    return {"forecast_id": forecast_id, "items": [e.to_dict() for e in found]}


@router.get("/speakers/{speaker_id}/record", tags=["speakers", "forecasts"],
            response_model=None, responses={**_ok(TrackRecord), **_ERRORS, **_NOT_FOUND},
            summary="One speaker's forecasting track record")
def record(request: Request, speaker_id: int = Path(..., ge=1)) -> dict[str, Any]:
    """Forecasts made, judged, came true, void, open and overdue; hit rate; mean Brier score (lower is better,
    0.25 is always saying 50%) over judged forecasts with a probability; calibration per ICD 203 band."""
    with _missing_is_404("E507", "speaker", speaker_id, "list them at /api/v1/speakers"):
        return state_of(request).ledger.track_record(speaker_id).to_dict()


@router.get("/records", tags=["forecasts"],
            response_model=None, responses={**_ok(Page[TrackRecord]), **_ERRORS},
            summary="Speakers' track records, best Brier score first")
def records(
    request: Request,
    paging: _Paging = Depends(),
    min_judged: int = Query(1, ge=1, description="only speakers with at least this many judged forecasts"),
) -> dict[str, Any]:
    rows = state_of(request).ledger.track_records(min_judged=min_judged)
    chosen = rows[paging.offset : paging.offset + paging.limit]
    return page(request, [r.to_dict() for r in chosen], len(rows), paging)
