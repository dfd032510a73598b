"""Trace every quotation of a ledger, time it, and write the pairs found for judging; or score judgements.

    python scripts/trail_stats.py LEDGER PAIRS.json           # trace, time, write one entry per unordered pair
    python scripts/trail_stats.py --score PAIRS.json JUDGED.json

The pairs file has the two quotations of each pair (speaker, content, outlet, date) under "A" and
"B", numbered from 1, and what the trail said of them under "found". A judge reads only "A" and
"B" and writes, per pair, {"pair", "same_utterance", "wording_differs", "same_speaker"}
(the README's "Quote trails: how well" says how they were asked).
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import time

from onrecord.store import Ledger, StoreError
from onrecord.store.trail import QUOTED_KINDS


def trace(ledger_url: str, out: str) -> None:
    pairs, seen, times, traced, with_trail = [], set(), [], 0, 0
    with Ledger.open(ledger_url, existing=True) as ledger:
        rows = ledger.quotes(limit=None)
        for q in rows:
            if q.kind not in QUOTED_KINDS:
                continue
            started = time.perf_counter()
            try:
                trail = ledger.trail(q.article_id, q.attribution)
            except StoreError:  # under 6 words
                continue
            times.append(time.perf_counter() - started)
            traced += 1
            with_trail += bool(trail.entries)
            for e in trail.entries:
                key = frozenset([(q.article_id, q.attribution), (e.article_id, e.attribution)])
                if key in seen:
                    continue
                seen.add(key)
                pairs.append({
                    "pair": len(pairs) + 1,
                    "A": {"speaker": q.speaker, "content": q.content, "outlet": q.publisher, "date": q.published},
                    "B": {"speaker": e.speaker, "content": e.content, "outlet": e.publisher, "date": e.published},
                    "found": {"relation": e.relation, "shared": e.shared, "other_speaker": e.other_speaker,
                              "changes": [c.to_dict() for c in e.changes]},
                })
    times.sort()
    print(f"{traced} quotations traced, {with_trail} with a trail, {len(pairs)} pairs "
          f"{dict(collections.Counter(p['found']['relation'] for p in pairs))}")
    print(f"time per trail: median {1000 * statistics.median(times):.1f} ms, "
          f"95th percentile {1000 * times[int(0.95 * len(times))]:.1f} ms")
    with open(out, "w", encoding="utf-8") as f:
        json.dump(pairs, f, indent=1, ensure_ascii=False)


def score(pairs_file: str, judged_file: str) -> None:
    pairs = json.load(open(pairs_file, encoding="utf-8"))
    judged = {j["pair"]: j for j in json.load(open(judged_file, encoding="utf-8"))}
    by, changed, speakers = collections.defaultdict(lambda: [0, 0]), collections.Counter(), collections.Counter()
    for p in pairs:
        j, found = judged[p["pair"]], p["found"]
        by[found["relation"]][0] += 1
        by[found["relation"]][1] += bool(j["same_utterance"])
        if j["same_utterance"]:
            changed[(found["relation"] == "altered", bool(j["wording_differs"]))] += 1
            if j["same_speaker"] is not None and found["other_speaker"] is not None:
                speakers[(found["other_speaker"], not j["same_speaker"])] += 1
    same = sum(k for _, k in by.values())
    print(f"same utterance: {same}/{len(pairs)} = {same / len(pairs):.2f}")
    for relation, (n, k) in sorted(by.items()):
        print(f"  {relation:8} {k}/{n}")
    for name, table in (("altered", changed), ("another speaker", speakers)):
        tp, fp, fn = table[(True, True)], table[(True, False)], table[(False, True)]
        print(f"{name}: right {tp} of {tp + fp}, finds {tp} of {tp + fn}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--score", action="store_true", help="score JUDGED.json against PAIRS.json")
    parser.add_argument("first", help="the ledger (its URL or SQLite file), or with --score the pairs file")
    parser.add_argument("second", help="the pairs file to write, or with --score the judgements")
    args = parser.parse_args()
    score(args.first, args.second) if args.score else trace(args.first, args.second)


if __name__ == "__main__":
    main()
