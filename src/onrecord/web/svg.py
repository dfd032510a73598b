"""Charts drawn on the server as SVG: the provenance graph and bar charts.

No JavaScript graph library and no build step: the layout is simple enough to
do here (publisher on the left, each node one column right of the furthest
node that passes it words), and every name in it comes from article text, so
every string is escaped by MarkupSafe as the markup is built.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

__all__ = ["provenance_svg", "bar_chart", "column_chart"]

_NODE_W, _NODE_H, _COL_GAP, _ROW_GAP, _PAD = 172, 34, 52, 18, 12
_CHARS = 22  # characters that fit in a node box; longer names are cut, the full name is in the tooltip


def provenance_svg(provenance: Mapping[str, Any] | None) -> Markup:
    """The provenance graph of an output object (its ``provenance``) as an inline SVG.

    Edges point the way the words travelled, into the node that passed them on
    (so a row reads like ``onrecord chains``: Business Insider ← The Daily Beast).
    Empty markup when there is no graph.
    """
    graph = provenance or {}
    nodes = {n["id"]: (n["name"], n.get("type") or "unknown") for n in graph.get("nodes", [])}
    edges = [e for e in graph.get("edges", []) if e["from"] in nodes and e["to"] in nodes and e["from"] != e["to"]]
    if not nodes or not edges:
        return Markup("")
    depth = _depths(list(nodes), edges, graph.get("publisher"))
    columns: dict[int, list[str]] = {}
    for node_id in nodes:
        columns.setdefault(depth[node_id], []).append(node_id)
    row: dict[str, float] = {}
    for col in sorted(columns):  # order each column by where the nodes feeding it sit
        def feeder_rank(node_id: str) -> float:
            feeders = [row[e["from"]] for e in edges if e["to"] == node_id and e["from"] in row]
            return sum(feeders) / len(feeders) if feeders else float("inf")

        columns[col].sort(key=feeder_rank)
        for i, node_id in enumerate(columns[col]):
            row[node_id] = i
    pos = {
        node_id: (_PAD + col * (_NODE_W + _COL_GAP), _PAD + i * (_NODE_H + _ROW_GAP))
        for col, ids in columns.items()
        for i, node_id in enumerate(ids)
    }
    width = _PAD * 2 + (max(columns) + 1) * _NODE_W + max(columns) * _COL_GAP
    height = _PAD * 2 + max(len(ids) for ids in columns.values()) * (_NODE_H + _ROW_GAP)
    parts = [
        Markup(
            '<svg class="graph" xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
            'role="img" aria-label="provenance graph">'
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
            'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>'
        ).format(w=width, h=height)
    ]
    for edge in edges:
        parts.append(_edge(edge, nodes, pos))
    for node_id, (name, kind) in nodes.items():
        x, y = pos[node_id]
        label = name if len(name) <= _CHARS else name[: _CHARS - 1] + "…"
        publisher = " publisher" if node_id == graph.get("publisher") else ""
        parts.append(
            Markup(
                '<g class="node node-{kind}{publisher}" data-name="{name}"><title>{name} ({type})</title>'
                '<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="6"/>'
                '<text x="{tx}" y="{ty}">{label}</text></g>'
            ).format(
                kind=_css(kind), publisher=publisher, name=name, type=kind, x=x, y=y, w=_NODE_W, h=_NODE_H,
                tx=x + _NODE_W / 2, ty=y + _NODE_H / 2 + 4, label=label,
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def _edge(edge: Mapping[str, Any], nodes: Mapping[str, tuple[str, str]], pos: Mapping[str, tuple[float, float]]) -> Markup:
    (fx, fy), (tx, ty) = pos[edge["from"]], pos[edge["to"]]
    step = "edge"
    if 0 < tx - fx <= _NODE_W + _COL_GAP:  # the usual case: into the next column
        x1, y1, x2, y2 = tx, ty + _NODE_H / 2, fx + _NODE_W, fy + _NODE_H / 2
        bend = (x1 - x2) / 2
        path = f"M{x1},{y1} C{x1 - bend},{y1} {x2 + bend},{y2} {x2},{y2}"
    else:  # skipping columns, or going back: under the nodes, dashed, so a row still reads as one chain
        step = "edge skip"
        x1, y1, x2, y2 = tx + _NODE_W / 2, ty + _NODE_H, fx + _NODE_W / 2 + 12, fy + _NODE_H
        dip = _ROW_GAP * 0.9
        path = f"M{x1},{y1} C{x1},{y1 + dip} {x2},{y2 + dip} {x2},{y2}"
    source, target = nodes[edge["from"]][0], nodes[edge["to"]][0]
    ids = ", ".join(edge.get("attributions", []))
    return Markup(
        '<g class="{step} edge-{rel}" data-from="{source}" data-to="{target}">'
        "<title>{target} → {source} ({rel}: {ids})</title>"
        '<path d="{path}" marker-end="url(#arrow)"/></g>'
    ).format(step=step, rel=_css(edge.get("relation", "")), source=source, target=target, ids=ids, path=path)


def _depths(ids: Sequence[str], edges: Sequence[Mapping[str, Any]], root: str | None) -> dict[str, int]:
    """Each node's column: the longest path to it from the publisher (cycles cut off), 0 for the publisher."""
    depth = {node_id: 0 for node_id in ids}
    for _ in range(len(ids)):
        changed = False
        for edge in edges:
            if edge["to"] == root:
                continue
            want = depth[edge["from"]] + 1
            if want > depth[edge["to"]] and want < len(ids):
                depth[edge["to"]] = want
                changed = True
        if not changed:
            break
    used = sorted(set(depth.values()))  # no empty columns
    return {node_id: used.index(d) for node_id, d in depth.items()}


def _css(value: str) -> str:
    return re.sub(r"[^a-z0-9_-]", "", value.lower()) or "unknown"


def bar_chart(items: Sequence[tuple[str, float]], *, percent: bool = False, label_width: int = 210) -> Markup:
    """Horizontal bars, one per (label, value), longest first as given; ``percent`` shows values 0..1 as %."""
    if not items:
        return Markup("")
    bar_h, gap, bar_w = 20, 6, 260
    top = max(value for _, value in items) or 1
    scale = 1 if percent else top
    height = len(items) * (bar_h + gap)
    width = label_width + bar_w + 60
    parts = [
        Markup('<svg class="bars" xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img">').format(
            w=width, h=height
        )
    ]
    for i, (label, value) in enumerate(items):
        y = i * (bar_h + gap)
        shown = f"{value:.0%}" if percent else f"{value:g}"
        cut = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            Markup(
                '<g class="bar"><title>{label}: {shown}</title>'
                '<text class="label" x="{lx}" y="{ty}" text-anchor="end">{cut}</text>'
                '<rect x="{x}" y="{y}" width="{bw}" height="{bh}" rx="3"/>'
                '<text class="value" x="{vx}" y="{ty}">{shown}</text></g>'
            ).format(
                label=label, shown=shown, cut=cut, lx=label_width - 8, ty=y + bar_h / 2 + 4, x=label_width, y=y,
                bw=max(1.0, round(bar_w * value / scale, 1)), bh=bar_h, vx=label_width + round(bar_w * value / scale, 1) + 6,
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def column_chart(items: Sequence[tuple[str, float]]) -> Markup:
    """Vertical bars over time, one per (label, value) in the order given (months, say)."""
    if not items:
        return Markup("")
    col_w, gap, plot_h, label_h = 34, 8, 120, 36
    top = max(value for _, value in items) or 1
    width = len(items) * (col_w + gap) + gap
    height = plot_h + label_h + 16
    parts = [
        Markup('<svg class="columns" xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img">').format(
            w=width, h=height
        )
    ]
    for i, (label, value) in enumerate(items):
        x = gap + i * (col_w + gap)
        h = max(1.0, round(plot_h * value / top, 1))
        parts.append(
            Markup(
                '<g class="bar"><title>{label}: {value}</title>'
                '<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="3"/>'
                '<text class="value" x="{cx}" y="{vy}" text-anchor="middle">{value}</text>'
                '<text class="label" x="{cx}" y="{ly}" text-anchor="middle">{label}</text></g>'
            ).format(
                label=label, value=f"{value:g}", x=x, y=16 + plot_h - h, w=col_w, h=h, cx=x + col_w / 2,
                vy=16 + plot_h - h - 4, ly=16 + plot_h + 16,
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
