"""Read PolNeAR's brat standoff into onrecord's data model.

A PolNeAR ``.ann`` file holds text-bound annotations (``T`` lines: a type,
character offsets into the article, and the covered text) and events
(``E`` lines) that group them into attributions::

    T1	Source 89 106	The New York Post
    T4	Attribution 107 114	reports
    E1	Attribution:T4 Content:T3 Cue:T2 Source:T1

Choices made here, so that the metrics have one reading to rely on:

* A role of an :class:`~onrecord.model.Attribution` is the list of its
  *fragments*. A discontinuous span (``Content 10 20;25 40``) is one mention
  made of two fragments, and a role given twice in one event (``Content:T3
  Content2:T5``; brat numbers repeated roles) adds its fragments to the same
  mention. Fragments are sorted by offset; the metrics then treat all spans of
  one role in one attribution as a single mention.
* Spans are cut from the article text, so ``Span.text`` is exact; the text
  field of a ``T`` line is not trusted (brat joins fragments with spaces, and
  the field may run over several lines).
* Lines that are not ``T``/``E`` annotations are ignored: notes (``#``),
  attributes and relations (``A``/``R``/``N``/``M``), and the continuation
  lines of a text field that held a newline (real PolNeAR files have them).
* ``Discuss`` spans are annotator chatter and are skipped; ``Discard`` spans
  (text outside the article body) are read by :func:`read_discards`.
* ``T`` annotations that no event names, and events that name no source, cue
  or content (a bare trigger, left behind by the annotation tool), are not
  attributions and are skipped: there is nothing in them to score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from onrecord.errors import E, InputError, OnrecordError
from onrecord.model import Attribution, Span

__all__ = ["read_ann", "read_ann_file", "read_discards"]

# One text-bound annotation: id, type, offsets "s e" or "s e;s e;...", optional text field.
_T_LINE = re.compile(r"T(\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)(?:\t.*)?")
_ARG = re.compile(r"([A-Za-z][\w-]*?)(\d*):([TE]\d+)")
# Roles brat writes for an attribution event; a trailing number marks a repeat.
_ROLES = {"Source": "source", "Cue": "cue", "Content": "content"}
_TRIGGERS = ("Attribution", "Attribution-no-source")


@dataclass(frozen=True)
class _Text:
    """A parsed ``T`` line."""

    type: str
    fragments: tuple[tuple[int, int], ...]


def read_ann(ann: str, text: str, *, path: str | None = None) -> list[Attribution]:
    """Read the attributions of one brat ``.ann`` file over its article ``text``.

    Returns gold attributions (``kind="other"``, ``confidence=1.0``), one per
    event, in file order, with ids taken from the event (``"E1"``).
    Raises :class:`OnrecordError` E302 (with the line number) on a malformed
    ``T`` or ``E`` line, offsets outside ``text``, or an event that names an
    unknown annotation or role. ``path`` only labels the error.
    """
    texts, events = _parse(ann, path)
    out: list[Attribution] = []
    for line_no, event_id, args in events:
        roles: dict[str, list[tuple[int, int]]] = {"source": [], "cue": [], "content": []}
        for role, ref in args:
            if ref not in texts:
                raise _error(path, line_no, f"{event_id} names {ref}, which is not a T annotation in this file")
            roles[role].extend(texts[ref].fragments)
        if not any(roles.values()):
            continue
        for frags in roles.values():
            for start, end in frags:
                if end > len(text):
                    raise _error(path, line_no, f"{event_id}: offset {end} is past the end of the text ({len(text)})")
        spans = {role: [Span.of(text, s, e) for s, e in sorted(set(frags))] for role, frags in roles.items()}
        out.append(
            Attribution(
                id=event_id,
                kind="other",
                source=spans["source"],
                cue=spans["cue"],
                content=spans["content"],
                confidence=1.0,
            )
        )
    return out


def read_ann_file(path: str | Path, text: str) -> list[Attribution]:
    """Read the ``.ann`` file at ``path`` (UTF-8) over its article ``text``; see :func:`read_ann`."""
    return read_ann(_read(Path(path)), text, path=str(path))


def read_discards(ann: str, *, path: str | None = None) -> list[tuple[int, int]]:
    """The ``(start, end)`` fragments of every ``Discard`` span, sorted.

    PolNeAR marks text outside the article body (bylines, "Follow us on
    Twitter") with ``Discard``; the evaluator drops predictions lying inside.
    """
    texts, _ = _parse(ann, path)
    return sorted(frag for t in texts.values() if t.type == "Discard" for frag in t.fragments)


def _parse(ann: str, path: str | None) -> tuple[dict[str, _Text], list[tuple[int, str, list[tuple[str, str]]]]]:
    """Split an ``.ann`` string into its T annotations (by id) and its attribution events."""
    texts: dict[str, _Text] = {}
    events: list[tuple[int, str, list[tuple[str, str]]]] = []
    for line_no, line in enumerate(ann.split("\n"), start=1):
        line = line.rstrip("\r")
        if re.match(r"T\d+\t", line):
            t_id, annotation = _parse_t(line, line_no, path)
            texts[t_id] = annotation
        elif re.match(r"E\d+\t", line):
            event = _parse_e(line, line_no, path)
            if event is not None:
                events.append(event)
        # Anything else: notes, attributes, relations, or a text field's continuation.
    return texts, events


def _parse_t(line: str, line_no: int, path: str | None) -> tuple[str, _Text]:
    m = _T_LINE.fullmatch(line)
    if m is None:
        expected = "'T<n>\\t<Type> <start> <end>[;<start> <end>...]\\t<text>'"
        raise _error(path, line_no, f"expected {expected}, got {line[:60]!r}")
    fragments: list[tuple[int, int]] = []
    for part in m.group(3).split(";"):
        start, end = (int(x) for x in part.split())
        if start > end:
            raise _error(path, line_no, f"T{m.group(1)}: start {start} is after end {end}")
        fragments.append((start, end))
    return f"T{m.group(1)}", _Text(m.group(2), tuple(fragments))


def _parse_e(line: str, line_no: int, path: str | None) -> tuple[int, str, list[tuple[str, str]]] | None:
    """Parse an event line into (line number, id, [(role, T id)]); ``None`` for non-attribution events."""
    event_id, _, body = line.partition("\t")
    args: list[tuple[str, str]] = []  # (role name without its repeat number, target id)
    for part in body.split():
        m = _ARG.fullmatch(part)
        if m is None:
            raise _error(path, line_no, f"{event_id}: expected '<Role>:T<n>' arguments, got {part!r}")
        args.append((m.group(1) if m.group(1) in _ROLES else m.group(1) + m.group(2), m.group(3)))
    if not args:
        raise _error(path, line_no, f"{event_id}: no arguments")
    (trigger, _), *rest = args
    if trigger not in _TRIGGERS:
        return None  # another kind of event: not ours to read
    roles: list[tuple[str, str]] = []
    for name, target in rest:
        if name in _TRIGGERS:
            continue
        if name not in _ROLES:
            raise _error(path, line_no, f"{event_id}: unknown role {name!r} (expected Source, Cue, Content)")
        roles.append((_ROLES[name], target))
    return line_no, event_id, roles


def _read(path: Path) -> str:
    try:
        # newline="" keeps the characters exactly as stored, like the offsets do.
        with path.open(encoding="utf-8", newline="") as f:
            return f.read()
    except FileNotFoundError:
        raise InputError("E101", E.E101, path=str(path)) from None
    except UnicodeDecodeError as exc:
        raise InputError("E105", E.E105.format(encoding="utf-8", detail=exc.reason), path=str(path)) from None
    except OSError as exc:
        raise InputError("E107", E.E107.format(detail=exc.strerror or exc), path=str(path)) from None


def _error(path: str | None, line_no: int, detail: str) -> OnrecordError:
    return OnrecordError("E302", E.E302.format(line=line_no, detail=detail), path=path)
