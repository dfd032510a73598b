"""Article text with every source, cue and content marked, as markup that cannot carry article markup.

Spans overlap (a quote nested in an "according to" content, two attributions
sharing one source), so the text is cut at every span boundary into
:class:`Segment` s, each knowing which attributions' roles cover it. The
markup is then built one segment at a time, every text piece and attribute
value escaped by MarkupSafe: whatever the article says (``<script>``,
``onerror=``, ``javascript:``) reaches the page as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

__all__ = ["ROLES", "Segment", "segments", "highlight", "attribution_chain"]

ROLES = ("source", "cue", "content")
#: Which role shows when several cover a stretch: the narrower roles sit inside contents.
_PRIORITY = {"source": 0, "cue": 1, "content": 2}


@dataclass(frozen=True)
class Segment:
    """``text[start:end]`` and the (attribution id, role) pairs covering it, innermost first."""

    start: int
    end: int
    text: str
    marks: tuple[tuple[str, str], ...] = ()


def segments(doc: Mapping[str, Any]) -> list[Segment]:
    """Cut the text of an output object (``Document.to_dict()``) at every span boundary."""
    text: str = doc["text"]
    spans: list[tuple[int, int, str, str]] = []
    for att in doc.get("attributions", []):
        for role in ROLES:
            for span in att.get(role, []):
                start, end = max(0, span["start"]), min(len(text), span["end"])
                if start < end:
                    spans.append((start, end, str(att["id"]), role))
    cuts = sorted({0, len(text)} | {s[0] for s in spans} | {s[1] for s in spans})
    by_start: dict[int, list[tuple[int, int, str, str]]] = {}
    for span in spans:
        by_start.setdefault(span[0], []).append(span)
    active: list[tuple[int, int, str, str]] = []
    out = []
    for start, end in zip(cuts, cuts[1:]):
        active = [s for s in active if s[1] > start] + by_start.get(start, [])
        inner = sorted(active, key=lambda s: (_PRIORITY[s[3]], s[1] - s[0]))
        out.append(Segment(start, end, text[start:end], tuple((s[2], s[3]) for s in inner)))
    return out


def highlight(doc: Mapping[str, Any]) -> Markup:
    """The text as HTML: each marked segment a link to its attribution (``#att-<id>``), classed
    by the role that shows (``hl-source``, ``hl-cue``, ``hl-content``; ``hl-nested`` when it
    also lies in a content), titled with speaker, type and kind for hovering.
    """
    atts = {str(a["id"]): a for a in doc.get("attributions", [])}
    parts = []
    for seg in segments(doc):
        if not seg.marks:
            parts.append(escape(seg.text))
            continue
        first_id, first_role = seg.marks[0]
        classes = f"hl hl-{first_role}"
        if first_role != "content" and any(role == "content" for _, role in seg.marks):
            classes += " hl-nested"
        ids = list(dict.fromkeys(att_id for att_id, _ in seg.marks))
        title = "\n".join(_describe(atts[att_id], role) for att_id, role in seg.marks)
        parts.append(
            Markup('<a class="{}" href="#att-{}" data-att="{}" title="{}">{}</a>').format(
                classes, first_id, " ".join(ids), title, seg.text
            )
        )
    return Markup("").join(parts)


def _describe(att: Mapping[str, Any], role: str) -> str:
    speaker = att.get("speaker") or {}
    who = f"{speaker.get('name')} ({speaker.get('type')})" if speaker else "no speaker"
    anonymous = ", anonymous" if att.get("anonymous") else ""
    return f"{role} of {att['id']}: {who}, {att.get('kind')}{anonymous}"


def attribution_chain(doc: Mapping[str, Any], att_id: str) -> list[str]:
    """The names an attribution's words passed through, publisher first (as ``onrecord chains``
    prints them): the provenance edges that carry ``att_id``, followed from the publisher out.
    """
    graph = doc.get("provenance") or {}
    names = {n["id"]: n["name"] for n in graph.get("nodes", [])}
    edges = [e for e in graph.get("edges", []) if att_id in e.get("attributions", [])]
    here = graph.get("publisher")
    if here is None or here not in names:
        return []
    chain, seen = [names[here]], {here}
    while True:
        step = next((e for e in edges if e["from"] == here and e["to"] not in seen), None)
        if step is None:
            return chain if len(chain) > 1 else []
        here = step["to"]
        seen.add(here)
        chain.append(names.get(here, here))

