"""What the REST API answers, as OpenAPI schemas: so that /docs shows every field and clients can be generated.

The ledger returns plain dataclasses (:class:`~onrecord.store.StoredForecast`, ...) and, for the
larger views, dicts; the dataclasses serve as schemas as they are, and the dicts are described
here. These models document and nothing else: routes answer what the ledger gives, and a test
checks every answer against its schema (a field added on one side and not the other fails it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

from ..store import Evidence, OutletStats, Quote, SpeakerStats, StoredForecast, TrackRecord, Trail

__all__ = [
    "DOCUMENT_REF", "output_components",
    "ArticleDetail", "ArticleSummary", "EvidenceList", "OutletDetail", "Page", "QuoteOut", "SpeakerDetail", "StoredOut",
    "Evidence", "OutletStats", "SpeakerStats", "StoredForecast", "TrackRecord", "Trail",
]

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: the items, how many match in all, and where the next page starts (None on the last)."""

    items: list[T]
    total: int
    limit: int
    offset: int
    next_offset: int | None
    next: str | None = Field(description="the next page's URL, with the same filters")


class ArticleSummary(BaseModel):
    id: int
    content_hash: str = Field(description="sha256 of the normalised text: the article's identity")
    source: str | None = Field(description="the input it was read from")
    title: str | None
    url: str | None
    publisher: str | None
    published: str | None = Field(description="as the source gave it")
    language: str | None
    model: str | None = Field(description="the preset and version that read it")
    ingested_at: str | None
    attributions: int


class ArticleVersion(BaseModel):
    content_hash: str
    title: str | None
    published: str | None
    kind: str = Field(description='"replaced" (a newer version replaced it) or "older" (arrived late, only listed)')
    replaced_at: str


class ArticleDetail(ArticleSummary):
    document: dict[str, Any] = Field(description="what `onrecord extract --format json` prints for it (onrecord-output schema)")
    speakers: dict[str, int] = Field(description="attribution id -> ledger speaker id, for linked attributions")
    versions: list[ArticleVersion] = Field(description="earlier texts at its URL, oldest first")
    revised: int = Field(description="how many of them a newer version replaced")


class StoredOut(BaseModel):
    id: int
    new: bool = Field(description="false: the article was there already and is updated")
    attributions: int
    url: str = Field(description="the article in the REST API")
    page: str = Field(description="the article's web page")


@dataclass
class QuoteOut(Quote):
    """A stored attribution as the lists give it: :class:`~onrecord.store.Quote` with its speaker's ledger id
    and ``parent``, the attribution whose content holds this one."""

    speaker_id: int | None = None
    parent: str | None = None


class _OutletCount(BaseModel):
    publisher: str
    attributions: int
    articles: int


class _Month(BaseModel):
    month: str
    attributions: int


class SpeakerDetail(BaseModel):
    id: int
    name: str
    type: str
    attributions: int
    articles: int
    first: str | None
    last: str | None
    aliases: list[str]
    descriptions: list[str]
    outlets: list[_OutletCount]
    kinds: dict[str, int]
    timeline: list[_Month]
    quotes: Page[QuoteOut]


class _TopSpeaker(BaseModel):
    id: int
    name: str
    type: str
    attributions: int


class _Relay(BaseModel):
    name: str
    articles: int


class OutletDetail(BaseModel):
    publisher: str
    articles: int
    attributions: int
    anonymous: int
    anonymous_share: float
    kinds: dict[str, int]
    speaker_types: dict[str, int]
    top_speakers: list[_TopSpeaker]
    relays: list[_Relay]
    recent_articles: list[ArticleSummary]


class EvidenceList(BaseModel):
    forecast_id: int
    items: list[Evidence]


#: Where the OpenAPI document keeps the output schema (what ``onrecord extract --format json`` prints).
DOCUMENT_REF = "#/components/schemas/OnrecordDocument"


def output_components() -> dict[str, Any]:
    """The output JSON schema (``onrecord/schema/``) as OpenAPI components: the document as
    ``OnrecordDocument``, each of its ``$defs`` as ``onrecord_<name>``, references rewritten to match.

    One schema file stays the source of truth for the command, the Python API and the REST API.
    """
    from ..render.json import load_schema

    schema = load_schema()
    defs = schema.pop("$defs", {})
    for key in ("$schema", "$id"):
        schema.pop(key, None)
    text = json.dumps({"OnrecordDocument": schema, **{f"onrecord_{name}": d for name, d in defs.items()}})
    return json.loads(text.replace('"#/$defs/', '"#/components/schemas/onrecord_'))
