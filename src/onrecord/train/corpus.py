"""PolNeAR as training examples: one per annotation file, role spans as character ranges."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..evaluate.brat import read_ann, read_discards
from ..evaluate.polnear import _articles, _split_dir
from ..extraction.tagging import ROLES
from ..model import Attribution

__all__ = ["Example", "load_split"]


@dataclass
class Example:
    """One annotated reading of one article."""

    name: str
    text: str
    roles: dict[str, list[tuple[int, int]]]  # role -> fragments, every fragment its own range
    discards: list[tuple[int, int]]
    attributions: list[Attribution] = field(default_factory=list)  # which cue goes with which source and content


def load_split(root: str | Path, split: str) -> list[Example]:
    """Every annotation file of ``split`` as an :class:`Example` (doubly annotated articles twice)."""
    split_dir = _split_dir(Path(root), split)
    out = []
    for name, ann_paths in _articles(split_dir):
        text = (split_dir / "text" / f"{name}.txt").read_text(encoding="utf-8")
        for ann_path in ann_paths:
            ann = ann_path.read_text(encoding="utf-8")
            roles: dict[str, list[tuple[int, int]]] = {role: [] for role in ROLES}
            attributions = read_ann(ann, text, path=str(ann_path))
            for att in attributions:
                for role in ROLES:
                    roles[role].extend((s.start, s.end) for s in getattr(att, role))
            roles = {role: sorted(set(spans)) for role, spans in roles.items()}
            out.append(Example(name, text, roles, read_discards(ann, path=str(ann_path)), attributions))
    return out
