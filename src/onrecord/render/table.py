"""A reading of one document for a person at a terminal.

Not meant to be parsed (that is what JSON is for): it favours scanning. Each
attribution is a block, nested ones are indented under the attribution they sit
in, so "X said, according to Y" reads as a chain; colour marks the three roles
so the eye finds the speaker, the cue and the words without reading labels.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import textwrap
from collections import Counter
from collections.abc import Iterator

from onrecord.model import Attribution, Document, Span

__all__ = ["to_table"]

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_ROLE_COLOUR = {"source": "\x1b[36m", "cue": "\x1b[33m", "content": "\x1b[32m"}  # cyan, yellow, green
_LABEL_WIDTH = 9  # len("content") + 2
_INDENT = "    "
_MIN_WIDTH = 40
# Article text is untrusted: never let it send escape sequences to the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def to_table(doc: Document, *, color: bool | None = None, width: int | None = None) -> str:
    """Render ``doc`` as text blocks, one per attribution, then a speaker summary.

    ``color=None`` colours only when stdout is a terminal and ``NO_COLOR`` is
    unset (https://no-color.org); ``width=None`` uses the terminal width.
    The result ends with a newline.
    """
    if color is None:
        color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    if width is None:
        width = shutil.get_terminal_size((80, 24)).columns
    width = max(width, _MIN_WIDTH)
    paint = _Painter(color)

    lines = _header(doc, paint)
    lines.append("")
    if not doc.attributions:
        lines.append("no attributions found")
        return "\n".join(lines) + "\n"

    for number, depth, att in _tree(doc.attributions):
        lines.extend(_block(number, depth, att, paint, width))
        lines.append("")
    lines.extend(_summary(doc.attributions, paint))
    lines.extend(_provenance(doc, paint))
    lines.extend(_forecasts(doc, paint, width))
    return "\n".join(lines) + "\n"


class _Painter:
    """Wraps strings in ANSI codes, or passes them through when colour is off."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, *codes: str) -> str:
        if not self.enabled or not codes or not text:
            return text
        return "".join(codes) + text + _RESET


def _clean(text: str) -> str:
    return _CONTROL.sub(" ", text)


def _header(doc: Document, paint: _Painter) -> list[str]:
    title = doc.title or doc.id or "(untitled document)"
    lines = [paint(_clean(title), _BOLD)]
    facts = [
        f"{label}: {_clean(value)}"
        for label, value in (("id", doc.id), ("publisher", doc.publisher), ("published", doc.published))
        if value and not (label == "id" and value == title)
    ]
    if facts:
        lines.append(paint("  ".join(facts), _DIM))
    n_speakers = len({_speaker_key(a) for a in doc.attributions if a.speaker})
    lines.append(f"{len(doc.attributions)} attribution(s), {n_speakers} speaker(s)")
    return lines


def _tree(attributions: list[Attribution]) -> Iterator[tuple[str, int, Attribution]]:
    """Yield ``(number, depth, attribution)`` in reading order, children after their parent.

    Roots keep document order; an attribution whose parent is unknown (or that
    sits in a parent cycle) is shown as a root rather than lost.
    """
    ids = {a.id for a in attributions}
    children: dict[str, list[Attribution]] = {}
    roots: list[Attribution] = []
    for att in attributions:
        if att.parent and att.parent in ids and att.parent != att.id:
            children.setdefault(att.parent, []).append(att)
        else:
            roots.append(att)
    seen: set[int] = set()

    def walk(att: Attribution, number: str, depth: int) -> Iterator[tuple[str, int, Attribution]]:
        seen.add(id(att))
        yield number, depth, att
        kids = [k for k in children.get(att.id, []) if id(k) not in seen]
        for i, kid in enumerate(kids, 1):
            yield from walk(kid, f"{number}.{i}", depth + 1)

    for i, root in enumerate(roots, 1):
        yield from walk(root, str(i), 0)
    # Whatever a cycle hid from the walk still gets shown, as extra roots.
    extra = len(roots)
    for att in attributions:
        if id(att) not in seen:
            extra += 1
            yield from walk(att, str(extra), 0)


def _block(number: str, depth: int, att: Attribution, paint: _Painter, width: int) -> list[str]:
    indent = _INDENT * depth
    head = f"{indent}[{number}] {att.kind}  {_speaker_label(att, paint)}"
    if att.parent and depth == 0:  # its parent is missing: say so rather than hide it
        head += paint(f"  (within {_clean(att.parent)})", _DIM)
    lines = [head]
    for role in ("source", "cue", "content"):
        text = _join(getattr(att, role))
        if text:
            lines.extend(_field(indent + _INDENT, role, text, _ROLE_COLOUR[role], paint, width))
    return lines


def _speaker_label(att: Attribution, paint: _Painter) -> str:
    sp = att.speaker
    if sp is None:
        return paint("(no speaker)", _DIM)
    label = paint(_clean(sp.name), _BOLD) + f" ({sp.type})"
    if not sp.resolved:
        label += " (unresolved)"
    return label


def _join(spans: list[Span]) -> str:
    """Discontinuous spans are shown in order, the gap marked with an ellipsis."""
    return " … ".join(" ".join(_clean(s.text).split()) for s in sorted(spans))


def _field(indent: str, label: str, text: str, colour: str, paint: _Painter, width: int) -> list[str]:
    """``label  text`` wrapped to ``width``; continuation lines align with the text.

    Wrapping happens on the plain text and colour is applied per line, so the
    escape codes never count towards the width or get split.
    """
    prefix = indent + label.ljust(_LABEL_WIDTH)
    room = max(width - len(prefix), 20)
    wrapped = textwrap.wrap(text, room, break_on_hyphens=False) or [""]
    pad = " " * len(prefix)
    return [(prefix if i == 0 else pad) + paint(line, colour) for i, line in enumerate(wrapped)]


def _speaker_key(att: Attribution) -> str:
    return att.speaker.id if att.speaker else ""


def _summary(attributions: list[Attribution], paint: _Painter) -> list[str]:
    """Speakers by number of attributions (ties in order of first appearance)."""
    counts: Counter[str] = Counter()
    names: dict[str, str] = {}
    for att in attributions:
        key = _speaker_key(att)
        counts[key] += 1
        if key not in names:
            sp = att.speaker
            if sp is None:
                names[key] = "(no speaker)"
            else:
                names[key] = _clean(sp.name) + f" ({sp.type})" + ("" if sp.resolved else " (unresolved)")
    order = {key: i for i, key in enumerate(names)}
    lines = [paint("speakers", _BOLD)]
    width = max(len(str(n)) for n in counts.values())
    for key in sorted(counts, key=lambda k: (-counts[k], order[k])):
        lines.append(f"{_INDENT}{str(counts[key]).rjust(width)}  {names[key]}")
    return lines


def _provenance(doc: Document, paint: _Painter) -> list[str]:
    """Chains (publisher first; "A ← B": B passed it to A) and non-responses, when there are any."""
    chains = doc.provenance.chains if doc.provenance else []
    lines: list[str] = []
    if chains:
        lines += ["", paint("chains", _BOLD)]
        lines += [_INDENT + " ← ".join(_clean(name) for name in chain) for chain in chains]
    if doc.non_responses:
        lines += ["", paint("no comment", _BOLD)]
        for silent in doc.non_responses:
            who = silent.entity.name if silent.entity else silent.mention.text
            lines.append(f"{_INDENT}{_clean(who)}: {_clean(silent.cue.text)}")
    return lines


def _forecasts(doc: Document, paint: _Painter, width: int) -> list[str]:
    """Each forecast: whose, the words, how sure ("likely ≈ 68%"), and by when."""
    if not doc.forecasts:
        return []
    lines = ["", paint("forecasts", _BOLD)]
    for forecast in doc.forecasts:
        who = _clean(forecast.speaker.name) if forecast.speaker else "(no speaker)"
        sure = []
        if forecast.estimative is not None:
            sure.append(_clean(forecast.estimative.text))
        if forecast.probability is not None:
            sure.append(f"≈ {round(forecast.probability * 100)}%")
        if forecast.horizon is not None:
            sure.append(f"by {_clean(forecast.horizon.text)}" + (f" ({forecast.due})" if forecast.due else ""))
        lines.append(f"{_INDENT}[{forecast.id}] " + paint(who, _BOLD) + (paint("  " + " ".join(sure), _DIM) if sure else ""))
        lines.extend(_field(_INDENT, "", " ".join(_clean(forecast.text.text).split()), _ROLE_COLOUR["content"], paint, width))
    return lines
