"""The provenance graph and chains of one article.

For each attribution the chain is built from the inside out:

* its *upstream*: the speaker of the attribution it is nested in or relayed
  through (``parent``: "..., The Guardian reported"), else the publisher;
* *intermediaries* named around the cue: the outlet the speaker told
  ("told Reuters", "in an interview with CNN") and the venue the words
  first appeared in ("in a column for Mozhem Obyasnit"; a later "wrote in
  the column" goes back to the column the article already placed);
* *cited sources* the speaker relies on ("citing unnamed sources").

Word lists: ``data/provenance_venue_nouns.txt``, ``provenance_told_verbs.txt``,
``provenance_citing_verbs.txt``, ``provenance_speech_verbs.txt`` (which nested
attributions relay words rather than report an attitude).
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from ..extraction.lexicon import word_set
from ..model import Attribution, Entity, Provenance, ProvenanceEdge
from .non_response import new_entity

__all__ = ["build_provenance"]

_PUBLISHER = "publisher"


def build_provenance(
    doc: Doc, attributions: list[Attribution], entities: list[Entity], publisher: str | None
) -> Provenance:
    """The graph and chains of ``doc``; may add entities (intermediaries, cited sources) to ``entities``."""
    graph = Provenance()
    root = _publisher_node(entities, publisher)
    if root is not None:
        graph.publisher = root.id
    by_id = {a.id: a for a in attributions}
    venues: dict[str, Entity] = {}  # venue noun -> outlet, as the article established it
    chains: dict[str, list[Entity]] = {}

    def chain_of(att: Attribution, seen: frozenset[str] = frozenset()) -> list[Entity]:
        if att.id in chains:
            return chains[att.id]
        parent = by_id.get(att.parent) if att.parent and att.parent not in seen else None
        if parent is not None and not _passes_words(doc, parent):
            parent = None
        upstream = chain_of(parent, seen | {att.id}) if parent is not None else ([root] if root else [])
        speaker = _speaker(att, entities)
        path = list(upstream)
        verb = _cue_verb(doc, att)
        if verb is not None:
            for step in _intermediaries(doc, verb, entities, venues):
                if step not in path and step is not speaker:
                    path.append(step)
        if speaker is not None and speaker not in path:
            path.append(speaker)
        chains[att.id] = path
        return path

    full: list[tuple[list[Entity], str]] = []
    for att in attributions:
        if not _passes_words(doc, att):
            continue
        path = list(chain_of(att))
        verb = _cue_verb(doc, att)
        if verb is not None and path:
            path += [c for c in _cited(doc, verb, att, entities) if c not in path]
        full.append((path, att.id))
        for a, b in zip(path, path[1:]):
            _add_edge(graph, a, b, att.id)
    for entity in {id(e): e for path, _ in full for e in path}.values():
        graph.nodes[entity.id] = (entity.name, entity.type)
    names = [[e.name for e in path] for path, _ in full if len(path) >= 3]
    graph.chains = _maximal(names)
    return graph


def _passes_words(doc: Doc, att: Attribution) -> bool:
    """Top-level attributions always count; a nested one only with a speech cue (not "have sought to")."""
    if att.parent is None:
        return True
    verb = _cue_verb(doc, att)
    return verb is not None and verb.lemma_.lower() in word_set("provenance_speech_verbs.txt")


def _add_edge(graph: Provenance, a: Entity, b: Entity, att_id: str) -> None:
    relation = "reports" if a.id == graph.publisher else "relays"
    for edge in graph.edges:
        if edge.source == a.id and edge.target == b.id:
            if att_id not in edge.attributions:
                edge.attributions.append(att_id)
            return
    graph.edges.append(ProvenanceEdge(a.id, b.id, relation, [att_id]))


def _maximal(chains: list[list[str]]) -> list[list[str]]:
    """Distinct chains, without those contained (as a subsequence) in a longer one."""
    unique: list[list[str]] = []
    for chain in chains:
        if chain not in unique:
            unique.append(chain)
    return [c for c in unique if not any(len(o) > len(c) and _subsequence(c, o) for o in unique)]


def _subsequence(short: list[str], long: list[str]) -> bool:
    it = iter(long)
    return all(any(x == y for y in it) for x in short)


def _publisher_node(entities: list[Entity], publisher: str | None) -> Entity | None:
    if not publisher:
        return None
    key = publisher.lower()
    for entity in entities:
        if entity.name.lower() == key:
            return entity
    entity = Entity(id=f"e{len(entities) + 1}", name=publisher, type="media_outlet")
    entities.append(entity)
    return entity


def _speaker(att: Attribution, entities: list[Entity]) -> Entity | None:
    if att.speaker is None:
        return None
    return next((e for e in entities if e.id == att.speaker.id), None)


def _cue_verb(doc: Doc, att: Attribution) -> Token | None:
    """The syntactic head of the cue ("wrote" in "has also wrote"), if the cue maps onto tokens."""
    if not att.cue:
        return None
    span = doc.char_span(att.cue[0].start, att.cue[0].end, alignment_mode="expand")
    return span.root if span is not None and len(span) else None


def _intermediaries(doc: Doc, verb: Token, entities: list[Entity], venues: dict[str, Entity]) -> list[Entity]:
    """Outlets between the upstream and the speaker: the one told, the venue written in."""
    out = []
    told = word_set("provenance_told_verbs.txt")
    for child in verb.children:
        if verb.lemma_.lower() in told and child.dep_ in ("dobj", "dative"):
            outlet = _outlet(doc, child, entities)
            if outlet is not None:
                out.append(outlet)
        if child.dep_ == "prep":
            for obj in (c for c in child.children if c.dep_ == "pobj"):
                if child.lower_ == "to" and verb.lemma_.lower() in told:
                    outlet = _outlet(doc, obj, entities)
                    if outlet is not None:
                        out.append(outlet)
                elif obj.lemma_.lower() in word_set("provenance_venue_nouns.txt"):
                    outlet = _venue(doc, obj, entities, venues)
                    if outlet is not None:
                        out.append(outlet)
    return out


def _venue(doc: Doc, noun: Token, entities: list[Entity], venues: dict[str, Entity]) -> Entity | None:
    """The outlet of "a column for Y" / "an interview with Y"; "the column" goes back to an earlier one."""
    for prep in (c for c in noun.children if c.dep_ == "prep" and c.lower_ in ("for", "in", "with", "on", "at")):
        for obj in (c for c in prep.children if c.dep_ == "pobj"):
            outlet = _outlet(doc, obj, entities, any_name=True)
            if outlet is not None:
                venues[noun.lemma_.lower()] = outlet
                return outlet
    return venues.get(noun.lemma_.lower())


def _outlet(doc: Doc, head: Token, entities: list[Entity], *, any_name: bool = False) -> Entity | None:
    """The entity named by the phrase under ``head``: an outlet, or (``any_name``) any proper name.

    "the Russian media outlet Mozhem Obyasnit" names Mozhem Obyasnit: the
    proper-noun run at the phrase's end is the name.
    """
    tokens = [t for t in head.subtree]
    proper = [t for t in tokens if t.pos_ == "PROPN"]
    if not proper:
        return None
    start, end = proper[0].idx, proper[-1].idx + len(proper[-1])
    # the last run of proper nouns: "outlet Mozhem Obyasnit"
    run = [proper[-1]]
    for t in reversed(proper[:-1]):
        if t.i == run[0].i - 1:
            run.insert(0, t)
        else:
            break
    start = run[0].idx
    for entity in entities:
        if any(m.start <= start and end <= m.end or start <= m.start and m.end <= end for m in entity.mentions):
            if any_name or entity.type == "media_outlet":
                return entity
            return None
    entity = new_entity(doc, entities, start, end)
    if entity is not None and any_name:
        entity.type = "media_outlet"
    if entity is not None and entity.type != "media_outlet" and not any_name:
        entities.remove(entity)
        return None
    return entity


def _cited(doc: Doc, verb: Token, att: Attribution, entities: list[Entity]) -> list[Entity]:
    """Sources the speaker relies on: the object of "citing"/"quoting" in the cue's sentence."""
    citing = word_set("provenance_citing_verbs.txt")
    out = []
    sent = verb.sent
    for token in sent:
        if token.lemma_.lower() not in citing or token.tag_ != "VBG" or token.i < verb.i:
            continue
        for obj in (c for c in token.children if c.dep_ == "dobj"):
            span = doc[obj.left_edge.i : obj.right_edge.i + 1]
            found = next(
                (e for e in entities if any(m.start == span.start_char and m.end == span.end_char for m in e.mentions)),
                None,
            )
            entity = found or new_entity(doc, entities, span.start_char, span.end_char)
            if entity is not None:
                out.append(entity)
    return out
