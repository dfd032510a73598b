"""How long a short text waits behind a long one on `onrecord serve`, with 1 and with N worker processes.

    python scripts/serve_latency.py [--workers 1,2] [--model accurate] [--repeat 30] [--port 8790]

For each worker count: start `onrecord serve` on a fresh ledger, let it load, warm it with two
short texts, then post the seed article repeated ``--repeat`` times and, a second later, a
one-sentence text, and print how long each took. The README's "Web app and REST API" section
quotes its output.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

SEED = Path(__file__).resolve().parents[1] / "examples" / "seed-article.txt"
SHORT = "The minister said the economy would grow."


def post(port: int, model: str, text: str) -> float:
    """Seconds for one POST /api/v1/extract."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/extract?model={model}", data=json.dumps({"text": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        response.read()
    return time.perf_counter() - started


def wait_until_up(port: int, server: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"serve_latency: the server exited with {server.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/articles", timeout=2).read()
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    sys.exit("serve_latency: the server did not answer in time")


def measure(workers: int, model: str, long_text: str, port: int, settle: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        server = subprocess.Popen(
            [sys.executable, "-m", "onrecord.cli", "serve", "--db", f"sqlite:///{folder}/l.db", "--port", str(port),
             "--workers", str(workers)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(port, server)
            time.sleep(settle)  # worker processes load the default preset as the server starts
            warm = [post(port, model, SHORT) for _ in range(2)]
            found: dict[str, float] = {}
            long_one = threading.Thread(target=lambda: found.setdefault("long", post(port, model, long_text)))
            long_one.start()
            time.sleep(1.0)
            found["short, sent 1 s after the long one"] = post(port, model, SHORT)
            long_one.join()
            return {"warm-up (2 texts)": sum(warm), **found}
        finally:
            server.terminate()
            server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,2", help="worker counts to compare (default 1,2)")
    parser.add_argument("--model", default="accurate", help="preset the texts ask for (default accurate)")
    parser.add_argument("--repeat", type=int, default=30, help="the long text is the seed this many times (default 30)")
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--settle", type=float, default=15.0, help="seconds to let workers load (default 15)")
    args = parser.parse_args()
    long_text = "\n\n".join([SEED.read_text(encoding="utf-8")] * args.repeat)
    print(f"long text: {len(long_text.encode()) / 1000:.0f} KB; preset {args.model}")
    for workers in (int(n) for n in args.workers.split(",")):
        times = measure(workers, args.model, long_text, args.port, args.settle if workers > 1 else 0.0)
        print(f"--workers {workers}: " + ", ".join(f"{k} {v:.2f} s" for k, v in times.items()))


if __name__ == "__main__":
    main()
