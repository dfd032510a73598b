"""Build src/onrecord/data/cue_words.tsv from PolNeAR's *train* split.

For every lower-cased word form, count how often it occurs inside an annotated
Cue span and how often it occurs in the train texts at all. The ratio is the
word's prior of being (part of) a cue; the rule extractor still demands
syntactic evidence (a complement clause, a quote, "according to ..."), so the
lexicon only has to rank words, not decide on its own.

Usage: python scripts/build_cue_lexicon.py ../shared/polnear > src/onrecord/data/cue_words.tsv
"""

from __future__ import annotations

import collections
import re
import sys
from pathlib import Path

WORD = re.compile(r"[A-Za-z]+(?:[-'][A-Za-z]+)*")


def main(root: Path, min_count: int = 3, min_ratio: float = 0.05) -> None:
    data = root / "data" / "train"
    in_cue: collections.Counter[str] = collections.Counter()  # weighted by 1/annotators
    total: collections.Counter[str] = collections.Counter()
    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted((data / "text").glob("*.txt"))}
    for text in texts.values():
        total.update(m.group().lower() for m in WORD.finditer(text))
    anns = sorted((data / "attributions").glob("*.ann"))
    annotators = collections.Counter(ann.stem.rsplit("_", 1)[0] for ann in anns)
    for ann in anns:
        article = ann.stem.rsplit("_", 1)[0]
        weight = 1 / annotators[article]
        text = texts[article]
        for line in ann.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if not re.match(r"^T\d+$", parts[0]) or len(parts) < 3:
                continue
            kind, _, offsets = parts[1].partition(" ")
            if kind != "Cue":
                continue
            for frag in offsets.split(";"):
                start, end = map(int, frag.split())
                for m in WORD.finditer(text[start:end]):
                    in_cue[m.group().lower()] += weight
    print("# form\tin_cue\ttotal\tratio   (PolNeAR train; scripts/build_cue_lexicon.py)")
    rows = []
    for form, k in in_cue.items():
        tot = max(total[form], 1)
        ratio = min(k / tot, 1.0)
        if k >= min_count and ratio >= min_ratio:
            rows.append((form, k, tot, ratio))
    for form, k, tot, ratio in sorted(rows, key=lambda r: (-r[3], r[0])):
        print(f"{form}\t{k:.1f}\t{tot}\t{ratio:.3f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
