"""Search latency of the ledger at scale: replicate real extracted articles, time queries.

    python scripts/bench_search.py SOURCE_DB TARGET_DB --articles 10000

SOURCE_DB is a ledger filled by ``onrecord ingest`` (e.g. PolNeAR train+dev); its articles
are copied into TARGET_DB with a serial number appended to their text (new identities, same
attributions) until TARGET_DB holds ``--articles`` articles. Then a fixed set of one- and
two-word queries drawn from the stored contents is timed, each run several times, and the
median and 95th percentile latency are printed. The copy is the ledger's own ``add``, one
transaction per article, so the insert rate is reported too.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from onrecord.model import Attribution, Document, Span, SpeakerRef
from onrecord.store import Ledger


def _document(record: dict, text: str, serial: int) -> Document:
    """Rebuild a Document from an exported record, its text made unique by ``serial``."""
    suffix = f"\n\n[copy {serial}]"
    atts = []
    for a in record["attributions"]:
        spans = {role: [Span(s["start"], s["end"], s["text"]) for s in a[role]] for role in ("source", "cue", "content")}
        speaker = SpeakerRef(**a["speaker"]) if a["speaker"] else None
        atts.append(Attribution(a["id"], a["kind"], spans["source"], spans["cue"], spans["content"], speaker,
                                a["parent"], a["confidence"], a.get("anonymous", False)))
    meta = record["document"]
    return Document(text=text + suffix, id=f"{meta.get('id')}#{serial}", title=meta.get("title"),
                    publisher=meta.get("publisher"), published=meta.get("published"), attributions=atts,
                    model=meta.get("model"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("target")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with Ledger.open(args.source) as source:
        records = source.documents()
    with Ledger.open(args.target) as target:
        have = target.count()["articles"]
        started, added, serial = time.perf_counter(), 0, have
        while have + added < args.articles:
            record = records[serial % len(records)]
            target.add(_document(record, record["text"], serial))
            added += 1
            serial += 1
        if added:
            rate = added / (time.perf_counter() - started)
            print(f"added {added} articles at {rate:.0f} articles/s (one transaction each)")
        words = [w for r in records[:200] for a in r["attributions"] for c in a["content"] for w in c["text"].split()]
        words = [w.strip(".,“”\"'()").lower() for w in words if len(w) > 4 and w.isalpha()]
        rng = random.Random(13)
        queries = rng.sample(words, 40) + [" ".join(rng.sample(words, 2)) for _ in range(20)]
        times = []
        for q in queries:
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                target.search(q, limit=20)
                times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        p95 = times[int(0.95 * (len(times) - 1))]
        print(f"{target.count()['articles']} articles: {len(times)} searches, median {statistics.median(times):.1f} ms, "
              f"95th percentile {p95:.1f} ms")


if __name__ == "__main__":
    main()
