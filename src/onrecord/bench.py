"""``onrecord bench``: how fast, and how much memory, against spaCy's parse alone.

The question a user has is "what does onrecord cost on top of parsing?", so
every onrecord configuration is paired with spaCy's ``nlp.pipe`` on the same
model, texts and process count. Each configuration runs in a fresh child
process (``python -m onrecord.bench --_one CONFIG_JSON``, texts on stdin, one
JSON result line on stdout) so that peak memory is that configuration's own
and not whatever an earlier one left behind. Model loading is timed apart and
kept out of the rate; with more than one process, the rate does include
starting the workers, as a user running the command would see it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

from onrecord._options import count, output_file
from onrecord.errors import EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE, E, InputError

__all__ = [
    "CONFIGS",
    "BenchResult",
    "MachineInfo",
    "BenchReport",
    "run_benchmark",
    "load_texts",
    "format_report",
    "format_summary",
    "add_arguments",
    "main",
]

#: What each configuration measures; ``noop`` is the harness floor (Python, no NLP).
CONFIGS: dict[str, str] = {
    "spacy": "spaCy parse only (nlp.pipe)",
    "rules": "onrecord --model rules",
    "fast": "onrecord --model fast",
    "accurate": "onrecord --model accurate",
    "noop": "harness only (str.split)",
}
_PRESETS = ("rules", "fast", "accurate")
_DEFAULT_CONFIGS = ("spacy", *_PRESETS)
_BATCH_SIZE = 8  # small enough that 2 processes both get work from ~80 articles
_MARK = "ONRECORD-BENCH "  # prefixes the result line, so stray prints cannot be mistaken for it


@dataclass
class BenchResult:
    """One configuration's measurement; ``error`` is set (and numbers are 0) if it failed."""

    config: str
    processes: int
    articles: int = 0
    seconds: float = 0.0
    load_seconds: float = 0.0
    peak_mb: float = 0.0
    model: str | None = None
    error: str | None = None

    @property
    def rate(self) -> float:
        """Articles per second, model load excluded."""
        return self.articles / self.seconds if self.seconds > 0 else 0.0


@dataclass
class MachineInfo:
    cores: int
    usable_cores: int
    cpu: str
    python: str
    spacy: str
    platform: str


@dataclass
class BenchReport:
    machine: MachineInfo
    articles: int
    results: list[BenchResult] = field(default_factory=list)
    #: preset -> role -> PolNeAR dev exact-match F1, when asked for (``--accuracy``).
    accuracy: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for res, d in zip(self.results, out["results"]):
            d["rate"] = round(res.rate, 3)
        return out


def run_benchmark(
    texts: list[str],
    *,
    workers: tuple[int, ...] = (1, 2),
    spacy_model: str | None = None,
    configs: Sequence[str] = _DEFAULT_CONFIGS,
) -> BenchReport:
    """Measure every configuration in ``configs`` at every process count in ``workers``.

    Runs are sequential (they would otherwise compete for the same cores) and
    each in its own child process. A failing configuration is recorded with its
    error rather than aborting the others.
    """
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown:
        raise ValueError(f"unknown benchmark configuration(s) {unknown}; choose from {sorted(CONFIGS)}")
    report = BenchReport(machine=machine_info(), articles=len(texts))
    for config in configs:
        for n in workers:
            report.results.append(_run_child({"config": config, "workers": n, "spacy_model": spacy_model}, texts))
    return report


def machine_info() -> MachineInfo:
    """The facts needed to compare two benchmark reports."""
    try:
        spacy_version = metadata.version("spacy")
    except metadata.PackageNotFoundError:
        spacy_version = "not installed"
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 1
    return MachineInfo(
        cores=os.cpu_count() or 1,
        usable_cores=usable,
        cpu=_cpu_model(),
        python=platform.python_version(),
        spacy=spacy_version,
        platform=platform.platform(),
    )


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_texts(root: str | Path, *, limit: int | None = None) -> list[str]:
    """The PolNeAR dev articles under ``root`` (sorted by name, so runs are comparable)."""
    text_dir = Path(root) / "data" / "dev" / "text"
    if not text_dir.is_dir():
        raise InputError("E301", E.E301.format(split="dev"), path=str(root))
    files = sorted(text_dir.glob("*.txt"))
    if limit is not None:
        files = files[:limit]
    return [f.read_text(encoding="utf-8") for f in files]


# ---------------------------------------------------------------- parent side


def _run_child(config: dict[str, Any], texts: list[str]) -> BenchResult:
    """Run one configuration in a fresh interpreter and read its result line."""
    cmd = [sys.executable, "-m", "onrecord.bench", "--_one", json.dumps(config)]
    proc = subprocess.run(cmd, input=json.dumps(texts), capture_output=True, text=True, encoding="utf-8")
    base = BenchResult(config=config["config"], processes=config["workers"])
    if proc.returncode != 0:
        base.error = _last_line(proc.stderr) or f"child exited with status {proc.returncode}"
        return base
    payload = _parse_result(proc.stdout)
    if payload is None:
        base.error = "child printed no result line"
        return base
    return BenchResult(**payload)


def _parse_result(stdout: str) -> dict[str, Any] | None:
    for line in reversed(stdout.splitlines()):
        if line.startswith(_MARK):
            return json.loads(line[len(_MARK) :])
    return None


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else ""


# ----------------------------------------------------------------- child side


def _run_one(config: dict[str, Any], texts: list[str]) -> dict[str, Any]:
    """Inside the child: load, process every text, and measure. Returns the result payload."""
    name, workers, model = config["config"], int(config["workers"]), config.get("spacy_model")
    setup = _SETUPS[name]
    t0 = time.perf_counter()
    process, model_name = setup(workers, model)
    t1 = time.perf_counter()
    done, load_in_run = process(texts)
    t2 = time.perf_counter()
    _reap_children()
    if done != len(texts):
        raise RuntimeError(f"{name} returned {done} documents for {len(texts)} texts")
    return asdict(
        BenchResult(
            config=name,
            processes=workers,
            articles=done,
            seconds=round(max(t2 - t1 - load_in_run, 0.0), 4),
            load_seconds=round(t1 - t0 + load_in_run, 4),
            peak_mb=round(_peak_rss_mb(), 1),
            model=model_name() if callable(model_name) else model_name,
        )
    )


#: Processes every text; returns (documents out, seconds of model loading that happened inside).
_Process = Callable[[list[str]], tuple[int, float]]
#: The model used, as "lang_name@version"; a callable when only the run learns it.
_Label = str | None | Callable[[], str | None]


def _setup_noop(workers: int, model: str | None) -> tuple[_Process, _Label]:
    """The floor any configuration pays: reading texts, and starting workers when asked."""

    def process(texts: list[str]) -> tuple[int, float]:
        if workers == 1:
            return len([len(t.split()) for t in texts]), 0.0
        import multiprocessing

        with multiprocessing.Pool(workers) as pool:
            return len(pool.map(_count_words, texts, chunksize=_BATCH_SIZE)), 0.0

    return process, None


def _setup_spacy(workers: int, model: str | None) -> tuple[_Process, _Label]:
    from onrecord.nlp.loader import load_spacy

    nlp = load_spacy(model)

    def process(texts: list[str]) -> tuple[int, float]:
        # Workers are forked with the loaded model, so no loading happens inside the run.
        return sum(1 for _ in nlp.pipe(texts, n_process=workers, batch_size=_BATCH_SIZE)), 0.0

    return process, _model_label(nlp)


def _setup_onrecord(workers: int, model: str | None, preset: str) -> tuple[_Process, _Label]:
    """One process: a loaded :class:`Extractor`, its load timed apart.

    More: ``extract_many``, whose workers each load the model, in parallel, inside
    the run. To keep that out of the rate, one load is timed in this process
    *after* the run (so it cannot share pages with the workers) and subtracted.
    """
    from onrecord.model import Document
    from onrecord.pipeline import Extractor, extract_many

    def documents(texts: list[str]) -> list[Document]:
        return [Document(text=t, id=f"bench-{i}") for i, t in enumerate(texts)]

    if workers == 1:
        extractor = Extractor(spacy_model=model, model=preset)

        def process(texts: list[str]) -> tuple[int, float]:
            return _count_documents(extractor.pipe(documents(texts))), 0.0

        return process, _model_label(getattr(extractor, "nlp", None))

    label: list[str | None] = [model]

    def process_many(texts: list[str]) -> tuple[int, float]:
        done = _count_documents(extract_many(documents(texts), workers=workers, model=preset, spacy_model=model))
        t0 = time.perf_counter()
        label[0] = _model_label(getattr(Extractor(spacy_model=model, model=preset), "nlp", None))
        return done, time.perf_counter() - t0

    return process_many, lambda: label[0]  # known only once the run has loaded it


def _count_documents(results: Iterable[Any]) -> int:
    """Count what came back; a per-document error (extract_many yields them) fails the run."""
    done = 0
    for item in results:
        if isinstance(item, BaseException):
            raise item
        done += 1
    return done


def _count_words(text: str) -> int:
    return len(text.split())


_SETUPS: dict[str, Callable[[int, str | None], tuple[_Process, _Label]]] = {
    "noop": _setup_noop,
    "spacy": _setup_spacy,
    **{preset: partial(_setup_onrecord, preset=preset) for preset in _PRESETS},
}


def _model_label(nlp: Any) -> str | None:
    meta = getattr(nlp, "meta", None)
    if not meta:
        return None
    return f"{meta.get('lang', '')}_{meta.get('name', '')}@{meta.get('version', '')}"


def _reap_children() -> None:
    """Wait for finished worker processes, so RUSAGE_CHILDREN counts them.

    spaCy terminates its workers without joining them; a child that was never
    waited for is invisible to ``getrusage``.
    """
    import multiprocessing

    for child in multiprocessing.active_children():
        child.join(timeout=5)


def _peak_rss_mb() -> float:
    """Largest resident set of this process or any reaped child, in MB (per process, not summed)."""
    kib = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    scale = 1 / (1024 * 1024) if sys.platform == "darwin" else 1 / 1024  # bytes on macOS, KiB on Linux
    return kib * scale


# -------------------------------------------------------------------- output


def format_report(report: BenchReport) -> str:
    """The machine, then one aligned row per configuration."""
    m = report.machine
    lines = [
        f"machine: {m.cores} cores ({m.usable_cores} usable), {m.cpu}",
        f"python {m.python}, spaCy {m.spacy}, {m.platform}",
        f"articles: {report.articles} (model load excluded from articles/s)",
        "",
    ]
    header = ("configuration", "processes", "articles/s", "seconds", "load s", "peak MB")
    rows = []
    for r in report.results:
        if r.error:
            rows.append((CONFIGS.get(r.config, r.config), str(r.processes), "failed", "-", "-", "-"))
        else:
            rows.append(
                (
                    CONFIGS.get(r.config, r.config),
                    str(r.processes),
                    f"{r.rate:.2f}",
                    f"{r.seconds:.2f}",
                    f"{r.load_seconds:.2f}",
                    f"{r.peak_mb:.0f}",
                )
            )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def fmt(row: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))).rstrip()

    lines.append(fmt(header))
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(fmt(row) for row in rows)
    models = sorted({r.model for r in report.results if r.model})
    if models:
        lines.append("")
        lines.append("model: " + ", ".join(models))
    failures = [r for r in report.results if r.error]
    if failures:
        lines.append("")
        lines.extend(f"failed: {CONFIGS.get(r.config, r.config)} x{r.processes}: {r.error}" for r in failures)
    lines.append("")
    lines.append("peak MB is the largest resident set of any one process (the main one or a worker), not their sum.")
    return "\n".join(lines) + "\n"


def _accuracy(root: str | Path, presets: Sequence[str], spacy_model: str | None, limit: int | None) -> dict[str, dict[str, float]]:
    """Exact-match F1 per role of each preset on PolNeAR dev, the same scoring as ``onrecord eval``."""
    from onrecord.evaluate import evaluate_polnear
    from onrecord.pipeline import Extractor

    out = {}
    for preset in presets:
        counts = evaluate_polnear(root, "dev", Extractor(spacy_model, model=preset).attributions, limit=limit).counts
        out[preset] = {role: round(counts.role(role, "exact").f1, 3) for role in ("source", "cue", "content")}
    return out


def format_summary(report: BenchReport) -> str:
    """One row per preset: dev exact F1 per role beside articles/s and peak memory per process count."""
    counts = sorted({r.processes for r in report.results})
    header = ["model", "source F1", "cue F1", "content F1"]
    header += [f"art/s x{n}" for n in counts] + [f"peak MB x{n}" for n in counts]
    rows = []
    for preset, f1 in report.accuracy.items():
        runs = {r.processes: r for r in report.results if r.config == preset}
        row = [preset, *(f"{f1[role]:.3f}" for role in ("source", "cue", "content"))]
        row += [f"{runs[n].rate:.2f}" if n in runs and not runs[n].error else "-" for n in counts]
        row += [f"{runs[n].peak_mb:.0f}" if n in runs and not runs[n].error else "-" for n in counts]
        rows.append(row)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------- CLI


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``onrecord bench`` options (the CLI module owns the subcommand itself)."""
    parser.add_argument(
        "root",
        nargs="?",
        default="../shared/polnear",
        help="PolNeAR root; the articles are read from ROOT/data/dev/text (default: %(default)s)",
    )
    parser.add_argument("--limit", type=count, default=None, metavar="N", help="use only the first N articles")
    parser.add_argument(
        "--workers",
        type=_worker_list,
        default=(1, 2),
        metavar="N[,N...]",
        help="process counts to measure (default: 1,2)",
    )
    parser.add_argument("--json", type=output_file, dest="json_out", default=None, metavar="OUT",
                        help="also write the report as JSON to OUT")
    parser.add_argument(
        "--configs",
        type=lambda s: tuple(c.strip() for c in s.split(",") if c.strip()),
        default=_DEFAULT_CONFIGS,
        metavar="NAME[,NAME...]",
        help=f"what to measure, from {', '.join(CONFIGS)} (default: spacy,rules,fast,accurate)",
    )
    parser.add_argument(
        "--model",
        type=lambda s: tuple(c.strip() for c in s.split(",") if c.strip()),
        default=None,
        metavar="PRESET[,PRESET...]",
        help="onrecord presets to measure beside spaCy's parse (shorthand for --configs spacy,PRESET...)",
    )
    parser.add_argument(
        "--accuracy",
        action="store_true",
        help="also score each preset on the same split (exact-match F1) and print one table of both",
    )
    if not any("--spacy-model" in a.option_strings for a in parser._actions):
        parser.add_argument("--spacy-model", default=None, help="spaCy model to load (default: onrecord's)")


def _worker_list(value: str) -> tuple[int, ...]:
    try:
        out = tuple(int(v) for v in value.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected process counts like 1,2 (got {value!r})") from None
    if not out or any(n < 1 for n in out):
        raise argparse.ArgumentTypeError(f"process counts must be 1 or more (got {value!r})")
    return out


def main(args: argparse.Namespace) -> int:
    """Run the benchmark, print the table, optionally write JSON. Returns the exit status."""
    try:
        texts = load_texts(args.root, limit=args.limit)
    except InputError as err:
        print(f"onrecord bench: {err.line()}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if not texts:
        print(f"onrecord bench: {args.root}: no .txt articles in data/dev/text", file=sys.stderr)
        return EXIT_BAD_INPUT
    configs = ("spacy", *args.model) if getattr(args, "model", None) else tuple(args.configs)
    try:
        report = run_benchmark(texts, workers=tuple(args.workers), spacy_model=args.spacy_model, configs=configs)
    except ValueError as err:
        print(f"onrecord bench: {err}", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(format_report(report))
    if getattr(args, "accuracy", False):
        report.accuracy = _accuracy(args.root, [c for c in configs if c in _PRESETS], args.spacy_model, args.limit)
        sys.stdout.write("\n" + format_summary(report))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8")
    return 1 if any(r.error for r in report.results) else EXIT_OK


def _child_main(argv: list[str]) -> int:
    """``python -m onrecord.bench --_one CONFIG_JSON`` (texts as a JSON list on stdin)."""
    if len(argv) != 2 or argv[0] != "--_one":
        parser = argparse.ArgumentParser(prog="python -m onrecord.bench", description=__doc__.splitlines()[0])
        add_arguments(parser)
        return main(parser.parse_args(argv))
    config = json.loads(argv[1])
    texts = json.loads(sys.stdin.read())
    payload = _run_one(config, texts)
    sys.stdout.write(_MARK + json.dumps(payload) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
