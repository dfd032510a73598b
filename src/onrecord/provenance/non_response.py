"""Non-responses: "A spokesperson for the Kremlin did not respond to a request for comment".

Such a sentence says something about the entity (it was asked and stayed
silent), not what it said, so it is recorded apart from attributions. The
patterns live in ``data/provenance_non_response.txt``; the subject before the
match is who stayed silent, and "a spokesperson for X" is X's silence.
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.tokens import Doc

from ..data import read_lines
from ..extraction._text import doc_text  # the one per-Doc text cache every stage shares
from ..model import Entity, NonResponse, Span

__all__ = ["find_non_responses", "new_entity"]


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in read_lines("provenance_non_response.txt")), re.I)


@lru_cache(maxsize=1)
def _spokes() -> re.Pattern[str]:
    nouns = "|".join(re.escape(n) for n in sorted(read_lines("provenance_spokes_nouns.txt"), key=len, reverse=True))
    return re.compile(rf"^(?:an?|the|\w+)?\s*(?:{nouns})\s+(?:for|of|to|at)\s+(.+)$", re.I)


def find_non_responses(doc: Doc, entities: list[Entity]) -> list[NonResponse]:
    """Every non-response in ``doc``, linked to an entity of ``entities`` when one matches."""
    out = []
    text = doc.text  # Doc.text joins every token on each access: read it once
    for sent in doc.sents:
        match = _pattern().search(sent.text)
        if match is None:
            continue
        start = sent.start_char
        subject = sent.text[: match.start()].rstrip(" ,")
        lead = len(subject) - len(subject.lstrip())
        subject = subject.strip()
        if not subject or len(subject.split()) > 12:
            continue
        mention = Span.of(text, start + lead, start + lead + len(subject))
        cue = Span.of(text, start + match.start(), start + match.end())
        whose = _spokes().match(subject)
        target = whose.group(1) if whose else subject
        target_start = mention.start + (whose.start(1) if whose else 0)
        entity = _entity_at(entities, target_start, mention.end) or _entity_named(entities, target)
        if entity is None:
            entity = new_entity(doc, entities, target_start, mention.end)
        out.append(NonResponse(mention=mention, cue=cue, entity=entity.ref() if entity else None))
    return out


def new_entity(doc: Doc, entities: list[Entity], start: int, end: int) -> Entity | None:
    """A new entity for the text at ``[start, end)`` (appended to ``entities``), typed like a source."""
    from ..resolve import source_type

    tokens = doc.char_span(start, end, alignment_mode="expand")
    if tokens is None or not len(tokens):
        return None
    while len(tokens) > 1 and tokens[0].lower_ in ("the", "a", "an"):
        tokens = tokens[1:]
    name = tokens.text.strip()
    entity = Entity(
        id=f"e{len(entities) + 1}",
        name=name,
        type=source_type(tokens),
        mentions=[Span.of(doc_text(doc), start, end)],  # Doc.text joins every token again: read it once
    )
    entities.append(entity)
    return entity


def _entity_at(entities: list[Entity], start: int, end: int) -> Entity | None:
    for entity in entities:
        if any(start <= m.start and m.end <= end for m in entity.mentions):
            return entity
    return None


def _entity_named(entities: list[Entity], name: str) -> Entity | None:
    key = re.sub(r"^(the|a|an)\s+", "", name.strip(), flags=re.I).lower()
    for entity in entities:
        if entity.name.lower().removeprefix("the ") == key:
            return entity
    return None
