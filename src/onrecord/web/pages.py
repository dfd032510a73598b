"""The HTML pages: Analyse, Article, Speaker, Outlet, Search, Forecasts, and the lists that lead to them.

Server-rendered with Jinja2 (autoescape on); the only markup handed to the
templates ready-made comes from :mod:`~onrecord.web.highlight` and
:mod:`~onrecord.web.svg`, which escape every text piece as they build it.
Forms post back here, so everything works without JavaScript; the one small
script only links a highlight to its attribution on hover.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..extraction.presets import DEFAULT_PRESET, PRESETS
from ..model import ATTRIBUTION_KINDS, OUTCOMES
from ..errors import OnrecordError
from .app import WebError, check_token, http_status, offset_link, state_of
from .highlight import attribution_chain, highlight
from .inputs import Fields, document_from_request, metadata_fields, read_fields
from .svg import bar_chart, column_chart, provenance_svg

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_PAGE = 25


def _render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    templates = state_of(request).templates
    html = templates.get_template(name).render(path=request.url.path, **context)
    return HTMLResponse(html, status_code=status)


def document_view(doc: dict[str, Any], speaker_ids: dict[str, int] | None = None) -> dict[str, Any]:
    """What the article templates show of an output object: highlighted text, attributions
    with their speakers and chains, speakers, the provenance graph, non-responses, forecasts.
    """
    entities = {e["id"]: e for e in doc.get("entities", [])}
    rows = []
    quoted: dict[str, int] = {}
    for att in doc.get("attributions", []):
        speaker = att.get("speaker")
        if speaker:
            quoted[speaker["id"]] = quoted.get(speaker["id"], 0) + 1
        rows.append(
            {
                "id": att["id"],
                "kind": att["kind"],
                "anonymous": att.get("anonymous", False),
                "confidence": att.get("confidence"),
                "parent": att.get("parent"),
                "source": " … ".join(s["text"] for s in att.get("source", [])),
                "cue": " … ".join(s["text"] for s in att.get("cue", [])),
                "content": " … ".join(s["text"] for s in att.get("content", [])),
                "speaker": speaker,
                "speaker_id": (speaker_ids or {}).get(att["id"]),
                "chain": attribution_chain(doc, att["id"]),
            }
        )
    speakers = [
        {**entities[eid], "quoted": n} for eid, n in sorted(quoted.items(), key=lambda kv: -kv[1]) if eid in entities
    ]
    return {
        "meta": doc.get("document", {}),
        "text": highlight(doc),
        "attributions": rows,
        "speakers": speakers,
        "chains": doc.get("chains", []),
        "graph": provenance_svg(doc.get("provenance")),
        "non_responses": doc.get("non_responses", []),
        "forecasts": doc.get("forecasts", []),
    }


def _pager(request: Request, total: int, limit: int, offset: int) -> dict[str, Any]:
    return {
        "total": total,
        "first": offset + 1 if total else 0,
        "last": min(offset + limit, total),
        "prev": offset_link(request, max(0, offset - limit)) if offset > 0 else None,
        "next": offset_link(request, offset + limit) if offset + limit < total else None,
    }


# --- Analyse and storing ----------------------------------------------------------------------


def _check_form_token(request: Request, fields: Any) -> None:
    """A page form's token: its field, or the API's header when a script sends that instead."""
    typed = fields.get("token")
    if typed is None and "authorization" in request.headers:
        check_token(request)
    else:
        check_token(request, typed or "")


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    return _render(request, "analyse.html", presets=PRESETS, preset=DEFAULT_PRESET, view=None, form={})


@router.get("/analyse")
def analyse_form() -> RedirectResponse:
    return RedirectResponse("/", status_code=303)


@router.post("/analyse", response_class=HTMLResponse)
async def analyse(request: Request) -> HTMLResponse:
    """Read the pasted text, uploaded file or URL and show what onrecord finds in it."""
    return await _analysed(request, await read_fields(request))


async def _analysed(
    request: Request, fields: Fields, *, status: int = 200, store_error: OnrecordError | None = None
) -> HTMLResponse:
    """The Analyse page for ``fields``: the reading of the article and the Store form that sends it back.

    ``store_error`` is why the Store button's request was refused (a wrong or
    missing token): shown above the Store form, on the same reading, so that
    the user types the token and stores again instead of pasting the article again.
    """
    preset = fields.get("model") or DEFAULT_PRESET
    form = {"text": fields.values.get("text", ""), "url": fields.get("url") or "", "publisher": fields.get("publisher") or ""}
    try:
        document = await run_in_threadpool(document_from_request, request, fields, strict=False)
        extracted = await state_of(request).extractors.run(document, preset)
    except OnrecordError as err:  # bad input: say so above the form and keep what was typed
        return _render(
            request, "analyse.html", http_status(err), presets=PRESETS, preset=preset, view=None, form=form, error=err
        )
    stored = {**metadata_fields(document), "text": document.text, "model": preset}
    page = _render(
        request, "analyse.html", status, presets=PRESETS, preset=preset, view=document_view(extracted.to_dict()), form=form,
        stored=stored, store_error=store_error,
    )
    if status == 401:
        page.headers["WWW-Authenticate"] = "Bearer"  # as every 401 (RFC 9110); browsers show no prompt for Bearer
    return page


@router.post("/articles")
async def store(request: Request) -> Response:
    """The Analyse page's Store button: extract again (same preset, same text) and store; go to the article.

    A wrong or missing token answers 401 with the Analyse page again, its
    reading and Store form kept, the error above the form. A script may send
    the token as the API does (``Authorization: Bearer``) instead of the form's field.
    """
    fields = await read_fields(request)
    try:
        _check_form_token(request, fields)
    except WebError as refused:
        return await _analysed(request, fields, status=refused.status, store_error=refused)
    document = await run_in_threadpool(document_from_request, request, fields, strict=False)
    state = state_of(request)
    document = await run_in_threadpool(state.ledger.recall, document)
    extracted = await state.extractors.run(document, fields.get("model"))
    article_id, _ = await run_in_threadpool(state.ledger.add, extracted)
    return RedirectResponse(f"/articles/{article_id}?stored=1", status_code=303)


# --- reading the ledger -----------------------------------------------------------------------


@router.get("/articles", response_class=HTMLResponse)
def articles(request: Request, offset: int = Query(0, ge=0), outlet: str | None = None) -> HTMLResponse:
    items, total = state_of(request).ledger.article_page(outlet=outlet or None, limit=_PAGE, offset=offset)
    return _render(request, "articles.html", items=items, paging=_pager(request, total, _PAGE, offset), outlet=outlet)


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article(request: Request, article_id: int, stored: int = 0) -> HTMLResponse:
    found = state_of(request).ledger.article(article_id)
    if found is None:
        raise WebError(404, "E603", what="article", ref=article_id, hint="see the stored ones at /articles")
    view = document_view(found["document"], found["speakers"])
    return _render(request, "article.html", article=found, view=view, stored=bool(stored))


@router.get("/speakers", response_class=HTMLResponse)
def speakers(request: Request, q: str | None = None, offset: int = Query(0, ge=0)) -> HTMLResponse:
    rows, total = state_of(request).ledger.speaker_page(q, limit=_PAGE, offset=offset)
    return _render(request, "speakers.html", rows=rows, q=q or "", paging=_pager(request, total, _PAGE, offset))


@router.get("/speakers/{speaker_id}", response_class=HTMLResponse)
def speaker(request: Request, speaker_id: int, offset: int = Query(0, ge=0)) -> HTMLResponse:
    ledger = state_of(request).ledger
    found = ledger.speaker_detail(speaker_id)
    if found is None:
        raise WebError(404, "E603", what="speaker", ref=speaker_id, hint="see them at /speakers")
    quotes, total = ledger.attribution_page(speaker_id=speaker_id, limit=_PAGE, offset=offset)
    forecasts, n_forecasts = ledger.forecast_page(speaker_id, limit=_PAGE)
    return _render(
        request, "speaker.html", speaker=found, quotes=quotes, paging=_pager(request, total, _PAGE, offset),
        timeline=column_chart([(m["month"], m["attributions"]) for m in found["timeline"]]),
        outlets_chart=bar_chart([(o["publisher"], o["attributions"]) for o in found["outlets"][:10]]),
        record=ledger.track_record(speaker_id) if n_forecasts else None, forecasts=forecasts, n_forecasts=n_forecasts,
        outcomes=OUTCOMES, back=_here(request),
    )


@router.get("/forecasts", response_class=HTMLResponse)
def forecasts(request: Request, speaker: str = "", open: str = "", offset: int = Query(0, ge=0)) -> HTMLResponse:
    """Stored forecasts with what became of them (``open``: only those not judged yet), and the leaderboard."""
    return _forecasts_page(request, speaker=speaker, open_only=bool(open), offset=offset)


@router.get("/forecasts/{forecast_id}", response_class=HTMLResponse)
def forecast(request: Request, forecast_id: int) -> HTMLResponse:
    """One forecast with its outcome form and the later sentences that may say what became of it."""
    ledger = state_of(request).ledger
    found = ledger.forecast(forecast_id)
    if found is None:
        raise WebError(404, "E603", what="forecast", ref=forecast_id, hint="see them at /forecasts")
    return _render(
        request, "forecast.html", forecast=found, evidence=ledger.evidence(forecast_id), outcomes=OUTCOMES,
        back=_here(request),
    )


def _forecasts_page(
    request: Request, *, speaker: str = "", open_only: bool = False, offset: int = 0, status: int = 200,
    error: OnrecordError | None = None,
) -> HTMLResponse:
    ledger = state_of(request).ledger
    items, total = ledger.forecast_page(speaker.strip() or None, open_only=open_only, limit=_PAGE, offset=offset)
    return _render(
        request, "forecasts.html", status, items=items, paging=_pager(request, total, _PAGE, offset),
        form={"speaker": speaker, "open": open_only}, board=ledger.track_records(min_judged=1)[:15], outcomes=OUTCOMES,
        back=_here(request), error=error,
    )


@router.post("/forecasts/{forecast_id}/outcome", response_model=None)
async def record_outcome(request: Request, forecast_id: int) -> Response:
    """A forecast's outcome form: record it and go back to the page the form was on (its ``back`` field).

    Needs the token as the Store button does (the form's field, or the API's header); a wrong or
    missing one, an unknown forecast or a bad date answer the Forecasts page with the error on top.
    """
    fields = await read_fields(request)
    try:
        try:
            _check_form_token(request, fields)
        except WebError as refused:
            if refused.code == "E615":  # a person at the outcome form, not the Store form
                raise WebError(401, "E619") from None
            raise
        await run_in_threadpool(
            state_of(request).ledger.record_outcome, forecast_id, fields.get("outcome") or "",
            note=fields.get("note"), source=fields.get("source"), judged_on=fields.get("judged_on"),
        )
    except OnrecordError as err:
        status = {"E515": 404, "E516": 422}.get(err.code) or http_status(err)
        page = _forecasts_page(request, status=status, error=err)
        if status == 401:
            page.headers["WWW-Authenticate"] = "Bearer"
        return page
    return RedirectResponse(f"{_safe_back(fields.get('back'))}#fc-{forecast_id}", status_code=303)


def _here(request: Request) -> str:
    """This page's path and query: where a form on it sends the user back to."""
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def _safe_back(value: str | None) -> str:
    """A form's ``back`` field if it is a path on this server, else the Forecasts page: never another site."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value and "#" not in value:
        return value
    return "/forecasts"


@router.get("/outlets", response_class=HTMLResponse)
def outlets(request: Request) -> HTMLResponse:
    rows = state_of(request).ledger.outlets()
    chart = bar_chart([(r.publisher, r.anonymous_share) for r in rows[:15]], percent=True)
    return _render(request, "outlets.html", rows=rows, chart=chart)


@router.get("/outlets/{publisher:path}", response_class=HTMLResponse)
def outlet(request: Request, publisher: str) -> HTMLResponse:
    found = state_of(request).ledger.outlet_detail(publisher)
    if found is None:
        raise WebError(404, "E603", what="outlet", ref=repr(publisher), hint="see them at /outlets")
    charts = {
        "share": bar_chart([("anonymous", found["anonymous_share"]), ("named", 1 - found["anonymous_share"])], percent=True),
        "speakers": bar_chart([(s["name"], s["attributions"]) for s in found["top_speakers"]]),
        "relays": bar_chart([(r["name"], r["articles"]) for r in found["relays"]]),
        "types": bar_chart([(t.replace("_", " "), n) for t, n in sorted(found["speaker_types"].items(), key=lambda kv: -kv[1])]),
    }
    return _render(request, "outlet.html", outlet=found, charts=charts)


@router.get("/trail", response_class=HTMLResponse)
def trail(request: Request, article: int | None = Query(None, ge=1), attribution: str = "", q: str = "") -> HTMLResponse:
    """Where else the ledger has a quote's words (a stored quote, or words pasted into the form), oldest first."""
    context: dict[str, Any] = {"q": q, "trail": None, "error": None}
    ledger = state_of(request).ledger
    try:
        if article is not None and attribution:
            context["trail"] = ledger.trail(article, attribution)
        elif q.strip():
            context["trail"] = ledger.trail(text=q)
    except OnrecordError as err:
        if err.code == "E520":
            raise WebError(404, "E603", what="attribution", ref=f"{attribution} of article {article}",
                           hint="find quotes at /search") from None
        context["error"] = err  # too few words, or a paraphrase: said above the form
        return _render(request, "trail.html", 422, **context)
    return _render(request, "trail.html", **context)


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request,
    q: str = "",
    speaker: str = "",
    outlet: str = "",
    since: str = "",
    until: str = "",
    kind: str = "",
    anonymous: str = "",
    offset: int = Query(0, ge=0),
) -> HTMLResponse:
    """Full text and the filters of ``onrecord quotes``; with nothing filled in, the form alone."""
    form = {"q": q, "speaker": speaker, "outlet": outlet, "since": since, "until": until, "kind": kind, "anonymous": anonymous}
    context: dict[str, Any] = {"form": form, "kinds": ATTRIBUTION_KINDS, "results": None, "paging": None}
    if not any(form.values()):
        return _render(request, "search.html", **context)
    sourcing = {"": None, "anonymous": True, "named": False}
    try:  # a bad value is said above the form, which keeps what was typed
        if kind and kind not in ATTRIBUTION_KINDS:
            raise WebError(422, "E606", detail=f"kind must be one of {', '.join(ATTRIBUTION_KINDS)}")
        if anonymous not in sourcing:
            raise WebError(422, "E606", detail="sourcing must be anonymous, named or empty")
        results, total = state_of(request).ledger.attribution_page(
            q or None, speaker=speaker or None, outlet=outlet or None, since=since or None, until=until or None,
            kind=kind or None, anonymous=sourcing[anonymous], limit=_PAGE, offset=offset,
        )
    except OnrecordError as err:
        return _render(request, "search.html", http_status(err), **context, error=err)
    context.update(results=results, paging=_pager(request, total, _PAGE, offset))
    return _render(request, "search.html", **context)


def http_url(value: str | None) -> str | None:
    """``value`` if it is an http(s) address, else None: a stored URL is only ever linked when
    it cannot be a ``javascript:`` or ``data:`` link.
    """
    if value and value.strip().lower().startswith(("http://", "https://")):
        return value.strip()
    return None


def outlet_href(name: str | None) -> str:
    """The Outlet page's path for a publisher name."""
    return "/outlets/" + quote(name or "(unknown)", safe="")
