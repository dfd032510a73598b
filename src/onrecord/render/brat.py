"""Write attributions as brat standoff, the way PolNeAR has them.

Put the output beside the article's ``.txt`` (same stem, ``.ann``) and brat,
PolNeAR's tools and :func:`onrecord.evaluate.read_ann` can read it. Each
attribution becomes, like in PolNeAR::

    T1	Source 89 106	The New York Post
    T2	Cue 107 114	reports
    T3	Content 115 290	that Hillary Clinton's team ...
    T4	Attribution 107 114	reports
    E1	Attribution:T4 Content:T3 Cue:T2 Source:T1

A role with several spans is written as one discontinuous annotation
(``115 200;210 290``), its text field being the fragments joined by a space.
The trigger (``Attribution``, or ``Attribution-no-source`` when there is no
source) sits on the cue; brat needs a trigger span, so an attribution without
a cue puts it on its content, or failing that on its source. An attribution
with no span at all cannot be written and is left out. Line breaks inside a
text field become spaces, since brat reads one annotation per line.
"""

from __future__ import annotations

import re

from onrecord.model import Document, Span

__all__ = ["to_brat"]

# Everything str.splitlines() would break a line on.
_LINE_BREAK = re.compile(r"[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def to_brat(doc: Document) -> str:
    """The brat ``.ann`` content for ``doc``'s attributions (empty string if none)."""
    lines: list[str] = []
    n_text = n_event = 0
    for attribution in doc.attributions:
        by_label = (("Source", attribution.source), ("Cue", attribution.cue), ("Content", attribution.content))
        roles = [(label, frags) for label, spans in by_label if (frags := _fragments(spans))]
        if not roles:
            continue
        args: list[str] = []
        for label, frags in roles:
            n_text += 1
            lines.append(_t_line(n_text, label, frags, doc.text))
            args.append(f"{label}:T{n_text}")
        trigger_type = "Attribution" if attribution.source else "Attribution-no-source"
        n_text += 1
        lines.append(_t_line(n_text, trigger_type, _trigger(roles), doc.text))
        n_event += 1
        # PolNeAR's order: trigger, then content, cue, source.
        lines.append(f"E{n_event}\t{trigger_type}:T{n_text} " + " ".join(reversed(args)))
    return "".join(line + "\n" for line in lines)


def _fragments(spans: list[Span]) -> list[tuple[int, int]]:
    """Sorted, distinct, non-empty fragments (brat rejects empty ones)."""
    return sorted({(s.start, s.end) for s in spans if s.end > s.start})


def _trigger(roles: list[tuple[str, list[tuple[int, int]]]]) -> list[tuple[int, int]]:
    found = dict(roles)
    for label in ("Cue", "Content", "Source"):
        if label in found:
            return found[label]
    raise AssertionError("an attribution with no span has no trigger")  # the caller skips those


def _t_line(number: int, label: str, frags: list[tuple[int, int]], text: str) -> str:
    offsets = ";".join(f"{s} {e}" for s, e in frags)
    covered = _LINE_BREAK.sub(" ", " ".join(text[s:e] for s, e in frags))
    return f"T{number}\t{label} {offsets}\t{covered}"
