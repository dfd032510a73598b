"""PolNeAR as training examples: one per annotation file, role spans as character ranges.

With ``normalised=True`` the examples hold the text as onrecord reads it at
run time (:func:`onrecord.ingest.normalise.normalise`: straight quotes,
plain spaces, LF line ends) and the gold spans are moved onto it, so that a
model learns from the same characters it will be given.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..evaluate.brat import read_ann, read_discards
from ..evaluate.polnear import _articles, _split_dir
from ..extraction.tagging import ROLES
from ..ingest.normalise import Normalised, normalise
from ..model import Attribution, Span

__all__ = ["Example", "load_split", "on_normalised"]


@dataclass
class Example:
    """One annotated reading of one article."""

    name: str
    text: str
    roles: dict[str, list[tuple[int, int]]]  # role -> fragments, every fragment its own range
    discards: list[tuple[int, int]]
    attributions: list[Attribution] = field(default_factory=list)  # which cue goes with which source and content


def load_split(root: str | Path, split: str, *, normalised: bool = False) -> list[Example]:
    """Every annotation file of ``split`` as an :class:`Example` (doubly annotated articles twice),
    on the normalised text if ``normalised``."""
    split_dir = _split_dir(Path(root), split)
    out = []
    for name, ann_paths in _articles(split_dir):
        original = (split_dir / "text" / f"{name}.txt").read_text(encoding="utf-8")
        norm = normalise(original) if normalised else None
        text = norm.text if norm else original
        move = _onto_normalised(norm) if norm else None
        for ann_path in ann_paths:
            ann = ann_path.read_text(encoding="utf-8")
            roles: dict[str, list[tuple[int, int]]] = {role: [] for role in ROLES}
            attributions = read_ann(ann, original, path=str(ann_path))
            discards = read_discards(ann, path=str(ann_path))
            if move:
                attributions = [_moved(a, text, move) for a in attributions]
                discards = [move(s, e) for s, e in discards]
            for att in attributions:
                for role in ROLES:
                    roles[role].extend((s.start, s.end) for s in getattr(att, role))
            roles = {role: sorted(set(spans)) for role, spans in roles.items()}
            out.append(Example(name, text, roles, discards, attributions))
    return out


def on_normalised(predict: Callable[[str], list[Attribution]]) -> Callable[[Iterable[str]], Iterator[list[Attribution]]]:
    """``predict`` (normalised text -> attributions) as a predictor of original texts, the way
    :class:`onrecord.Extractor` runs: normalise, predict, map every span back."""

    def run(texts: Iterable[str]) -> Iterator[list[Attribution]]:
        for text in texts:
            norm = normalise(text)
            back = norm.spans_to_original
            yield [replace(a, source=back(a.source), cue=back(a.cue), content=back(a.content)) for a in predict(norm.text)]

    return run


def _onto_normalised(norm: Normalised) -> Callable[[int, int], tuple[int, int]]:
    """Maps a character range of the original text onto the normalised one (the inverse of ``to_original``)."""
    if norm.is_identity:
        return lambda start, end: (start, end)
    chars = [norm.to_original(i, i + 1) for i in range(len(norm.text))]
    starts, ends = [start for start, _ in chars], [end for _, end in chars]

    def move(start: int, end: int) -> tuple[int, int]:
        first = bisect_left(starts, start)  # the first character starting at or after ``start``
        return first, max(first, bisect_right(ends, end))  # up to the last one ending by ``end``

    return move


def _moved(att: Attribution, text: str, move: Callable[[int, int], tuple[int, int]]) -> Attribution:
    def spans(role: list[Span]) -> list[Span]:
        return [Span.of(text, *move(s.start, s.end)) for s in role]

    return replace(att, source=spans(att.source), cue=spans(att.cue), content=spans(att.content))
