"""The one data model every stage of onrecord shares.

Ingest produces a :class:`Document`; extraction fills its ``attributions``;
speaker resolution fills ``entities`` and each attribution's ``speaker``.
Renderers, the evaluator and (later) the store read nothing else.

Every :class:`Span` indexes the user's *original* text (``Document.text``),
end exclusive, whatever normalisation the NLP layer applied in between.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, get_args

__all__ = [
    "SCHEMA_VERSION",
    "ATTRIBUTION_KINDS",
    "ENTITY_TYPES",
    "Span",
    "SpeakerRef",
    "Attribution",
    "Entity",
    "NonResponse",
    "ProvenanceEdge",
    "Provenance",
    "Forecast",
    "OUTCOMES",
    "Document",
    "parse_date",
]

def parse_date(value: str | None) -> date | None:
    """The date an ISO 8601 string (``Document.published``) starts with, or None when it does not start with one.

    Here, beside the field it reads, so that every stage checks a date the same way: the readers
    refuse one that is not, the ledger files articles under it, the command line's filters take it.
    """
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


#: Version of the JSON output (``schema/onrecord-output.v1.json``).
SCHEMA_VERSION = "1.2"

AttributionKind = Literal["direct", "indirect", "mixed", "according_to", "other"]
ATTRIBUTION_KINDS: tuple[str, ...] = get_args(AttributionKind)

EntityType = Literal[
    "person",
    "organisation",
    "government",
    "media_outlet",
    "group",
    "anonymous",
    "unspecified_reports",
    "document",
    "poll_or_study",
    "unknown",
]
ENTITY_TYPES: tuple[str, ...] = get_args(EntityType)


@dataclass(frozen=True, order=True)
class Span:
    """A stretch of the original text: ``text == document.text[start:end]``."""

    start: int
    end: int
    text: str

    @classmethod
    def of(cls, text: str, start: int, end: int) -> "Span":
        """Build a span over ``text``, taking the covered characters from it."""
        return cls(start, end, text[start:end])

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass
class SpeakerRef:
    """What an attribution says about its speaker: a pointer into ``Document.entities``."""

    id: str
    name: str
    type: str
    resolved: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "type": self.type, "resolved": self.resolved}


@dataclass
class Attribution:
    """One attribution relation: a source, through a cue, is credited with content.

    ``parent`` is the id of the attribution this one is nested in (its content
    contains this one) or relayed through ("..., The Guardian reported").
    """

    id: str
    kind: str
    source: list[Span] = field(default_factory=list)
    cue: list[Span] = field(default_factory=list)
    content: list[Span] = field(default_factory=list)
    speaker: SpeakerRef | None = None
    parent: str | None = None
    confidence: float = 0.5
    anonymous: bool = False  # the sourcing is anonymous ("a source", "recent reports")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "source": [s.to_dict() for s in self.source],
            "cue": [s.to_dict() for s in self.cue],
            "content": [s.to_dict() for s in self.content],
            "speaker": self.speaker.to_dict() if self.speaker else None,
            "parent": self.parent,
            "confidence": round(self.confidence, 3),
            "anonymous": self.anonymous,
        }


@dataclass
class Entity:
    """A speaker or other referent, with every mention the article makes of it.

    ``resolved`` is False when no fuller name was found (a bare pronoun, say):
    the name is then just the local mention, never a guess.
    """

    id: str
    name: str
    type: str = "unknown"
    mentions: list[Span] = field(default_factory=list)
    descriptions: list[str] = field(default_factory=list)
    resolved: bool = True

    def ref(self) -> SpeakerRef:
        return SpeakerRef(self.id, self.name, self.type, self.resolved)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "resolved": self.resolved,
            "mentions": [m.to_dict() for m in self.mentions],
            "descriptions": list(self.descriptions),
        }


@dataclass
class NonResponse:
    """Someone asked for comment who gave none: "X did not respond to a request for comment"."""

    mention: Span  # who did not respond, as written ("A spokesperson for the Kremlin")
    cue: Span  # "did not immediately respond"
    entity: SpeakerRef | None = None  # whose silence it is (the Kremlin)

    def to_dict(self) -> dict[str, Any]:
        return {
            "mention": self.mention.to_dict(),
            "cue": self.cue.to_dict(),
            "entity": self.entity.to_dict() if self.entity else None,
        }


@dataclass
class ProvenanceEdge:
    """``source`` passed words on to ``target`` (node ids): publisher -> outlet -> speaker -> cited."""

    source: str
    target: str
    relation: str  # "reports", "relays", "published_in", "told", "cites"
    attributions: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.source, "to": self.target, "relation": self.relation, "attributions": list(self.attributions)}


@dataclass
class Provenance:
    """How each claim reached the reader: a graph rooted at the publisher, and its chains."""

    publisher: str | None = None  # node id of the publisher, if known
    nodes: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (name, type)
    edges: list[ProvenanceEdge] = field(default_factory=list)
    chains: list[list[str]] = field(default_factory=list)  # names, publisher first

    def to_dict(self) -> dict[str, Any]:
        return {
            "publisher": self.publisher,
            "nodes": [{"id": k, "name": n, "type": t} for k, (n, t) in self.nodes.items()],
            "edges": [e.to_dict() for e in self.edges],
        }


#: What became of a forecast, as the ledger records it: the predicted event happened (``true``),
#: did not by its due date (``false``), or cannot be judged (``void``: a condition never met, a
#: claim too vague to check). Only ``true`` and ``false`` count towards a track record.
OUTCOMES: tuple[str, ...] = ("true", "false", "void")


@dataclass
class Forecast:
    """A claim about the future, credited to whoever made it, with how sure they were and by when.

    ``text`` is the predicted event as written ("Commanders will fight on the side of ..."),
    ``estimative`` the word that says how sure ("likely", "will", "expected to") and
    ``probability`` the chance it stands for on onrecord's estimative scale (the US
    intelligence community's ICD 203 bands, ``data/forecast_estimative.tsv``): the chance the
    speaker gave the event happening. ``horizon`` is the time expression ("in the spring"),
    ``due`` the last day it allows, resolved against the article's date (None without either).
    ``attribution`` is the id of the attribution whose content carries the forecast; None for
    one the article makes in its own voice or in its headline. Outcomes are not read from the
    article: the ledger records them later (:data:`OUTCOMES`).
    """

    id: str
    text: Span
    speaker: SpeakerRef | None = None
    attribution: str | None = None
    estimative: Span | None = None
    probability: float | None = None
    horizon: Span | None = None
    due: str | None = None  # ISO 8601 date

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text.to_dict(),
            "speaker": self.speaker.to_dict() if self.speaker else None,
            "attribution": self.attribution,
            "estimative": self.estimative.to_dict() if self.estimative else None,
            "probability": None if self.probability is None else round(self.probability, 3),
            "horizon": self.horizon.to_dict() if self.horizon else None,
            "due": self.due,
        }


@dataclass
class Document:
    """An article: its exact text, its metadata, and what onrecord read in it."""

    text: str
    id: str | None = None
    title: str | None = None
    url: str | None = None
    publisher: str | None = None
    published: str | None = None  # ISO 8601 date as given by the source
    language: str = "en"
    authors: list[str] = field(default_factory=list)
    attributions: list[Attribution] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    non_responses: list[NonResponse] = field(default_factory=list)
    provenance: Provenance | None = None
    forecasts: list[Forecast] = field(default_factory=list)
    model: str | None = None  # "<extractor>@<version>/<spacy model>@<version>"

    def metadata(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "publisher": self.publisher,
            "published": self.published,
            "language": self.language,
            "authors": list(self.authors),
            "model": self.model,
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON output object (see ``schema/onrecord-output.v1.json``)."""
        out: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
        if self.id is not None:
            out["id"] = self.id
        out["text"] = self.text
        out["document"] = self.metadata()
        out["attributions"] = [a.to_dict() for a in self.attributions]
        out["entities"] = [e.to_dict() for e in self.entities]
        out["non_responses"] = [n.to_dict() for n in self.non_responses]
        provenance = self.provenance or Provenance()
        out["chains"] = [list(c) for c in provenance.chains]
        out["provenance"] = provenance.to_dict()
        out["forecasts"] = [f.to_dict() for f in self.forecasts]
        return out
