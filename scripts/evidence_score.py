"""Score blind judgements of forecast evidence (README: forecast evidence).

    python scripts/evidence_score.py SAMPLE.json JUDGED.json

SAMPLE is scripts/evidence_sample.py's output, JUDGED the judge's ``{"n", "checkable", "labels"}``
objects, one label per suggestion: ``settles``, ``relevant`` or ``unrelated``.
"""

from __future__ import annotations

import json
import sys


def main() -> None:
    sample = {o["n"]: o for o in json.load(open(sys.argv[1], encoding="utf-8"))}
    judged = {o["n"]: o for o in json.load(open(sys.argv[2], encoding="utf-8"))}
    useful = ("settles", "relevant")
    suggested = [judged[n] for n, o in sample.items() if o["suggestions"]]
    checkable = [j for j in judged.values() if j["checkable"]]
    labels = [label for j in suggested for label in j["labels"]]

    def share(part: int, whole: int) -> str:
        return f"{part}/{whole} = {part / whole:.0%}" if whole else "-"

    print(f"forecasts {len(sample)}, checkable {len(checkable)}, with suggestions {len(suggested)} "
          f"({sum(j['checkable'] for j in suggested)} of them checkable), suggestions {len(labels)}")
    print("precision@1, settles or relevant:", share(sum(j["labels"][0] in useful for j in suggested), len(suggested)))
    print("precision@1, settles:            ", share(sum(j["labels"][0] == "settles" for j in suggested), len(suggested)))
    print("all suggestions, settles or relevant:", share(sum(label in useful for label in labels), len(labels)))
    print("all suggestions, settles:            ", share(labels.count("settles"), len(labels)))
    print("checkable with a useful one in the top 3:", share(sum(any(l in useful for l in j["labels"]) for j in checkable), len(checkable)))
    print("checkable with a settling one in the top 3:", share(sum("settles" in j["labels"] for j in checkable), len(checkable)))


if __name__ == "__main__":
    main()
