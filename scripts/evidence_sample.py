"""Draw forecasts from a ledger with their evidence suggestions, for blind judging (README: forecast evidence).

    python scripts/evidence_sample.py LEDGER OUT.json [--n 100] [--seed 31337] [--before 2016-06-01]
        [--exclude EARLIER.json ...]

Writes one object per forecast: its text, speaker, date and article title, and the top 3 suggestions
(sentence, date, title). A judge labels each forecast ``checkable`` and each suggestion ``settles``,
``relevant`` or ``unrelated`` into a file of ``{"n", "checkable", "labels"}`` objects, which
scripts/evidence_score.py scores.
"""

from __future__ import annotations

import argparse
import json
import random
import time

from onrecord.store import Ledger


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ledger")
    parser.add_argument("out")
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--seed", type=int, default=31337)
    parser.add_argument("--before", default="2016-06-01", help="forecasts from articles published before this date")
    parser.add_argument("--exclude", nargs="*", default=[], help="earlier samples whose forecasts are left out")
    args = parser.parse_args()
    seen = {o["forecast"] for path in args.exclude for o in json.load(open(path, encoding="utf-8"))}
    with Ledger.open(args.ledger, existing=True) as ledger:
        pool = [f for f in ledger.forecasts(limit=None) if f.published and f.published < args.before and f.text not in seen]
        sample = random.Random(args.seed).sample(pool, args.n)
        started, out = time.perf_counter(), []
        for f in sample:
            found = ledger.evidence(f.id, limit=3)
            out.append({
                "n": len(out) + 1, "published": f.published, "speaker": f.speaker, "article_title": f.title,
                "forecast": f.text,
                "suggestions": [{"rank": i + 1, "published": e.published, "title": e.title, "sentence": e.sentence}
                                for i, e in enumerate(found)],
            })
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(out, handle, indent=1, ensure_ascii=False)
    print(f"{len(out)} forecasts, {sum(bool(o['suggestions']) for o in out)} with suggestions, "
          f"{(time.perf_counter() - started) / len(out):.3f} s a forecast")


if __name__ == "__main__":
    main()
