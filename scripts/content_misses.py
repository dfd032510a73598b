"""Sort the gold contents a preset misses exactly on PolNeAR dev by how it misses them.

    python scripts/content_misses.py ../shared/polnear [--model accurate] [--limit N]

The README's "Where `accurate` still misses" comes from this. A gold content
counts as missed when no predicted content has exactly its fragments (the
exact match of ``onrecord eval``). Each miss is then put in one kind:

* no prediction overlaps it (and whether a predicted cue overlaps its cue);
* the nearest overlapping prediction has its extent but other fragments;
* it starts early or late, or ends long or short (one end off);
* both ends are off.

"Early" and "long" mean the prediction takes in more than the gold.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from onrecord.evaluate.metrics import _intersection, _mention, _merge
from onrecord.evaluate.polnear import judged
from onrecord.pipeline import Extractor


def kind_of_miss(gold, gold_cue, predicted) -> str:
    """One gold content's kind of miss, against ``predicted`` (content, cue) mention pairs."""
    touching = [(c, q) for c, q in predicted if c and _intersection(c, gold) > 0]
    if not touching:
        cue_found = any(q and gold_cue and _intersection(q, gold_cue) > 0 for _, q in predicted)
        return "no prediction, its cue found" if cue_found else "no prediction, its cue missed"
    best, _ = max(touching, key=lambda pair: _intersection(pair[0], gold))
    (g_start, g_end), (p_start, p_end) = _extent(gold), _extent(best)
    if (g_start, g_end) == (p_start, p_end):
        return "right extent, other fragments"
    if g_end == p_end:
        return "starts early" if p_start < g_start else "starts late"
    if g_start == p_start:
        return "ends long" if p_end > g_end else "ends short"
    return "both ends off"


def _extent(mention) -> tuple[int, int]:
    merged = _merge(mention)
    return merged[0][0], merged[-1][1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--model", default="accurate")
    parser.add_argument("--split", default="dev")
    parser.add_argument("--limit", type=int)
    args = parser.parse_args()

    kinds: Counter[str] = Counter()
    gold_total = 0
    for j in judged(args.root, args.split, Extractor(model=args.model).attributions, limit=args.limit):
        pairs = [(_mention(a.content, j.text), _mention(a.cue, j.text)) for a in j.predicted]
        unmatched = Counter(c for c, _ in pairs if c)
        for gold in j.gold:
            content = _mention(gold.content, j.text)
            if not content:
                continue
            gold_total += 1
            if unmatched[content] > 0:
                unmatched[content] -= 1
                continue
            kinds[kind_of_miss(content, _mention(gold.cue, j.text), pairs)] += 1
    missed = sum(kinds.values())
    print(f"{args.model} on {args.split}: {missed} of {gold_total} gold contents missed exactly")
    for kind, n in kinds.most_common():
        print(f"  {n:5d}  {kind}")


if __name__ == "__main__":
    main()
