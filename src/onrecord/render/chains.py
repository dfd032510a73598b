"""Provenance chains for people (text) and for drawing tools (Graphviz DOT, Mermaid).

Names come from article text, so every format escapes them for its own
syntax: DOT and Mermaid labels are quoted with their special characters
replaced, and control characters never reach a terminal.
"""

from __future__ import annotations

import re

from onrecord.model import Document, Provenance

__all__ = ["to_chain_text", "to_dot", "to_mermaid", "CHAIN_FORMATS"]

CHAIN_FORMATS = ("text", "dot", "mermaid")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_ARROW = " ← "


def to_chain_text(doc: Document) -> str:
    """One line per chain, the speaker last and the publisher first: "A ← B ← C" reads "C told B told A"."""
    graph = doc.provenance or Provenance()
    lines = [f"# {_clean(doc.id or 'document')}: publisher {_clean(_publisher_name(graph) or 'unknown')}"]
    if not graph.chains:
        lines.append("(no relayed or cited sourcing found)")
    for chain in graph.chains:
        lines.append(_ARROW.join(_clean(name) for name in chain))
    for silent in doc.non_responses:
        who = silent.entity.name if silent.entity else silent.mention.text
        lines.append(f"no comment: {_clean(who)} ({_clean(silent.cue.text)})")
    return "\n".join(lines) + "\n"


def to_dot(doc: Document) -> str:
    """The provenance graph as a Graphviz digraph (``dot -Tsvg``), edges labelled with attribution ids."""
    graph = doc.provenance or Provenance()
    lines = [f"digraph {_dot_id(doc.id or 'provenance')} {{", "  rankdir=LR;", "  node [shape=box];"]
    for node_id, (name, kind) in graph.nodes.items():
        shape = ', style="bold"' if node_id == graph.publisher else ""
        lines.append(f"  {_dot_id(node_id)} [label={_dot_id(f'{name} ({kind})')}{shape}];")
    for edge in graph.edges:
        label = ", ".join(edge.attributions)
        lines.append(f"  {_dot_id(edge.source)} -> {_dot_id(edge.target)} [label={_dot_id(f'{edge.relation}: {label}')}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(doc: Document) -> str:
    """The provenance graph as a Mermaid flowchart (renders in GitHub Markdown and most wikis)."""
    graph = doc.provenance or Provenance()
    lines = ["flowchart LR"]
    for node_id, (name, kind) in graph.nodes.items():
        lines.append(f"  {_mermaid_id(node_id)}[\"{_mermaid_str(f'{name} ({kind})')}\"]")
    for edge in graph.edges:
        label = _mermaid_str(f"{edge.relation}: {', '.join(edge.attributions)}")
        lines.append(f"  {_mermaid_id(edge.source)} -->|\"{label}\"| {_mermaid_id(edge.target)}")
    return "\n".join(lines) + "\n"


def _publisher_name(graph: Provenance) -> str | None:
    return graph.nodes[graph.publisher][0] if graph.publisher in graph.nodes else None


def _clean(text: str) -> str:
    return _CONTROL.sub(" ", text)


def _dot_id(text: str) -> str:
    return '"' + _clean(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _mermaid_id(text: str) -> str:
    return re.sub(r"\W", "_", text)


def _mermaid_str(text: str) -> str:
    # Mermaid's quoted labels end at '"'; its entity codes keep the character.
    return _clean(text).replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
