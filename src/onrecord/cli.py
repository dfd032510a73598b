"""The ``onrecord`` command line: extract, chains, eval, bench, train, and the ledger commands.

The batch layer lives here: every input is read, extracted and printed on its
own; a bad one is reported on stderr in one line (file, problem, code) and
the run goes on. The exit status says what happened: 0 all good, 2 some
input skipped, 3 the model could not be loaded, 64 a wrong command line.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from ._options import count, output_file, port
from .errors import EXIT_BAD_INPUT, EXIT_MODEL, EXIT_OK, EXIT_UNAVAILABLE, EXIT_USAGE, ClusterError, E, InputError, ModelError, OnrecordError
from .model import ATTRIBUTION_KINDS, Document
from .render.chains import CHAIN_FORMATS

if TYPE_CHECKING:
    import socket

    from .store import Ledger

__all__ = ["main"]

_FORMATS = ("table", "json", "jsonl", "brat")
_SUFFIX = {"table": ".txt", "json": ".json", "jsonl": ".jsonl", "brat": ".ann", "text": ".chains.txt", "dot": ".dot", "mermaid": ".mmd"}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:
        """One line, exit 64: argparse's own exit 2 means "an input was skipped" here, and its usage block
        buries the one line that says what is wrong."""
        print(f"{self.prog}: error: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _usage_error(message: str) -> int:
    """A command line that cannot mean anything, after parsing: one line, exit 64 (as :class:`_Parser`)."""
    print(f"onrecord: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="onrecord", description="Who said what, according to whom: attributions in news text.")
    p.add_argument("--version", action="version", version=f"onrecord {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    ex = sub.add_parser("extract", help="extract attributions from text or HTML files, or stdin")
    ex.add_argument("--format", "-f", choices=_FORMATS, default="table", help="output format (default: table)")
    ex.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colours in table output")
    _inputs(ex)

    ch = sub.add_parser("chains", help="provenance chains: who relays whom, from the publisher out")
    ch.add_argument("--format", "-f", choices=CHAIN_FORMATS, default="text", help="text (default), Graphviz dot, or mermaid")
    _inputs(ch)

    ev = sub.add_parser("eval", help="score the extractor against an annotated corpus")
    ev_sub = ev.add_subparsers(dest="corpus", required=True, parser_class=_Parser)
    pol = ev_sub.add_parser("polnear", help="PolNeAR brat standoff (train/dev splits)")
    pol.add_argument("root", type=Path, help="the PolNeAR folder (holding data/)")
    pol.add_argument("--split", default="dev", help="split to score (default: dev)")
    pol.add_argument("--json", type=output_file, dest="json_out", help="also write the scores as JSON here")
    pol.add_argument("--limit", type=count, help="score only the first N articles")
    pol.add_argument("--model", "-m", type=_model_list, default=None, metavar="PRESET[,PRESET...]",
                     help="presets to score, side by side (default: accurate)")
    _common(pol)
    spk = ev_sub.add_parser("speakers", help="speaker resolution and source types on onrecord's own dev annotations")
    spk.add_argument("root", type=Path, help="the PolNeAR folder (holding data/dev/text)")
    spk.add_argument("--annotations", type=Path, action="append", default=None,
                     help="speaker annotations, repeatable (default: annotations/speakers/dev.jsonl, "
                          "held-out.jsonl and test.jsonl, from the repository root)")
    spk.add_argument("--model", "-m", type=_preset, default=None, metavar="PRESET",
                     help="resolve what this preset extracts instead of the gold attributions (end to end)")
    spk.add_argument("--json", type=output_file, dest="json_out", help="also write the scores (and every error) as JSON here")
    _common(spk)
    fcs = ev_sub.add_parser("forecasts", help="forecasts found against onrecord's own blind annotations of PolNeAR dev articles")
    fcs.add_argument("root", type=Path, help="the PolNeAR folder (holding data/dev/text)")
    fcs.add_argument("--annotations", type=Path, default=None,
                     help="forecast annotations (default: annotations/forecasts/test.jsonl, from the repository root, "
                          "the set never tuned on; dev.jsonl and heldout.jsonl are the sets the rules were tuned on)")
    fcs.add_argument("--model", "-m", type=_model_list, default=None, metavar="PRESET[,PRESET...]",
                     help="presets to score, one after the other (default: accurate)")
    fcs.add_argument("--json", type=output_file, dest="json_out", help="also write the scores (and every miss) as JSON here")
    _common(fcs)

    from . import bench

    be = sub.add_parser("bench", help="articles per second and peak memory on PolNeAR dev")
    bench.add_arguments(be)

    tr = sub.add_parser("train", help="train a learned preset from its config (needs the 'train' extra)")
    tr.add_argument("config", type=Path, help="a TOML training config, e.g. configs/accurate.toml")
    tr.add_argument("--prepare", action="store_true",
                    help="joint recipe only: read the articles (spaCy, the rules, the tagger) into OUTPUT/examples.pkl "
                         "and stop, so that training can run where spaCy and the corpus are not (a GPU machine)")
    _ledger_parsers(sub)
    _serve_parser(sub)
    return p


def _ledger_parsers(sub: argparse._SubParsersAction) -> None:
    """The corpus ledger commands: ingest into a database, then query it."""
    from .store.render import ROW_FORMATS

    ing = sub.add_parser("ingest", help="extract attributions from articles and store them in the ledger")
    _inputs(ing, out=False)
    _db(ing)

    rp = sub.add_parser("reprocess", help="read stored articles again with the current extractor (those made by another)")
    rp.add_argument("--all", action="store_true", help="every stored article, not only those an older or other model made")
    rp.add_argument("--workers", "-w", type=count, default=1, help="processes to spread the articles over")
    _dask(rp)
    rp.add_argument("--model", "-m", type=_preset, default=None, help=_MODEL_HELP)
    _common(rp)
    _db(rp)

    se = sub.add_parser("search", help="full-text search over stored quotes, speakers and titles")
    se.add_argument("text", type=_words, help="words to find (all of them)")
    se.add_argument("--limit", "-n", type=count, default=20, help="at most this many results (default 20)")

    qu = sub.add_parser("quotes", help="stored attributions, filtered")
    qu.add_argument("--speaker", help="speaker's full name (any case)")
    qu.add_argument("--outlet", help="publisher (any case)")
    qu.add_argument("--since", type=_date_arg, help="published on or after YYYY-MM-DD")
    qu.add_argument("--until", type=_date_arg, help="published on or before YYYY-MM-DD")
    qu.add_argument("--kind", choices=ATTRIBUTION_KINDS, help="attribution kind")
    anon = qu.add_mutually_exclusive_group()
    anon.add_argument("--anonymous", dest="anonymous", action="store_const", const=True, help="anonymous sourcing only")
    anon.add_argument("--named", dest="anonymous", action="store_const", const=False, help="named sources only")
    qu.add_argument("--limit", "-n", type=count, default=100, help="at most this many results (default 100)")

    sp = sub.add_parser("speakers", help="speakers across the ledger, most quoted first (or merge, split, show one)")
    sp.add_argument("--top", type=count, default=None, help="only the N most quoted")
    _speaker_decision_parsers(sp)

    sub.add_parser("outlets", help="per publisher: articles, attributions, anonymous sourcing, top speakers, relays")

    tr = sub.add_parser("trail", help="where else the ledger has a quote's words, oldest first: who cut, extended, "
                                      "altered or reassigned it")
    tr.add_argument("ref", nargs="*", metavar="ARTICLE ATTRIBUTION",
                    help="the stored quote: its article id and attribution id, as onrecord quotes lists them (17 a3)")
    tr.add_argument("--text", "-t", help="or the quote's words, pasted in (at least 6)")
    tr.add_argument("--limit", "-n", type=count, default=50, help="at most this many other attributions (default 50)")

    exp = sub.add_parser("export", help="write the whole ledger as JSON lines (one article each), CSV or Parquet (one attribution each)")
    exp.add_argument("--format", "-f", choices=("jsonl", "csv", "parquet"), required=True)
    exp.add_argument("--out", "-o", type=output_file, help="file to write (default: stdout)")
    _db(exp)
    fc, evd = _forecast_parsers(sub)
    for p in (se, qu, sp, sub.choices["outlets"], tr, fc, evd):
        p.add_argument("--format", "-f", choices=ROW_FORMATS, default="table", help="table (default), json or csv")
        _db(p)


def _forecast_parsers(sub: argparse._SubParsersAction) -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """``forecasts``, ``outcome``, ``evidence``, ``record``: the forecasts the ledger holds, what became of them,
    and speakers' track records. Returns ``forecasts`` and ``evidence``, whose --format and --db the other
    query commands share."""
    from .model import OUTCOMES

    fc = sub.add_parser("forecasts", help="stored forecasts: who said what would happen, how sure, by when, and what became of it")
    fc.add_argument("--speaker", help="speaker: an id or a full name (any case)")
    fc.add_argument("--outlet", help="publisher (any case)")
    state = fc.add_mutually_exclusive_group()
    state.add_argument("--open", dest="open", action="store_const", const=True,
                       help="only those with no outcome recorded yet")
    state.add_argument("--judged", dest="open", action="store_const", const=False,
                       help="only those with an outcome recorded (true, false or void)")
    fc.add_argument("--due-by", type=_date_arg, metavar="DATE",
                    help="only those due on or before YYYY-MM-DD (with --open: the ones ready to judge)")
    fc.add_argument("--limit", "-n", type=count, default=100, help="at most this many results (default 100)")

    oc = sub.add_parser("outcome", help="record what became of a forecast: it came true, it did not (false), or it cannot be judged (void)")
    oc.add_argument("id", type=count, metavar="ID", help="the forecast's id, as onrecord forecasts lists it")
    oc.add_argument("outcome", choices=(*OUTCOMES, "open"),
                    help="true: the predicted event happened (for 'X is unlikely', true means X happened); false: it did "
                         "not by its due date; void: a condition never met, a claim too vague to check; open: take back "
                         "the outcome recorded before")
    oc.add_argument("--note", help="why, in a few words")
    oc.add_argument("--source", help="where the outcome can be checked (a URL)")
    oc.add_argument("--on", dest="judged_on", type=_date_arg, metavar="DATE",
                    help="the day the outcome was known, YYYY-MM-DD (default today)")
    _db(oc)

    evd = sub.add_parser("evidence", help="sentences of later articles that may say what became of a forecast: "
                                          "suggestions to read before recording its outcome")
    evd.add_argument("id", type=count, metavar="ID", help="the forecast's id, as onrecord forecasts lists it")
    evd.add_argument("--limit", "-n", type=count, default=5, help="at most this many articles, one sentence each (default 5)")

    rc = sub.add_parser("record", help="a speaker's forecasting track record (hit rate, Brier score, calibration), or the leaderboard")
    rc.add_argument("speaker", nargs="?", metavar="SPEAKER",
                    help="an id or a name; without one, every speaker with judged forecasts, best Brier score first")
    rc.add_argument("--min-judged", type=count, default=1, help="leaderboard: only speakers with at least N judged forecasts (default 1)")
    rc.add_argument("--format", "-f", choices=("table", "json"), default="table", help="table (default) or json")
    _db(rc)
    return fc, evd


def _speaker_decision_parsers(sp: argparse.ArgumentParser) -> None:
    """``speakers merge|split|show``: decisions a person makes once and later ingests respect.

    Optional, so a plain ``onrecord speakers [--top N]`` still lists. Their
    --db and --format default to SUPPRESS so that given before the action
    (``speakers --db x merge A B``) they are not reset by the action's defaults.
    """
    acts = sp.add_subparsers(dest="speakers_action", required=False, parser_class=_Parser, metavar="{merge,split,show}")
    merge = acts.add_parser("merge", help="make speaker B part of speaker A for good: B's names land on A from now on")
    merge.add_argument("a", metavar="A", help="the speaker to keep: an id or a name")
    merge.add_argument("b", metavar="B", help="the speaker folded into A and deleted: an id or a name")
    split = acts.add_parser("split", help="take the name ALIAS off SPEAKER for good: its attributions become another speaker's")
    split.add_argument("speaker", metavar="SPEAKER", help="an id or a name")
    split.add_argument("alias", metavar="ALIAS", help="the name to take off, as articles write it (e.g. Clinton)")
    show = acts.add_parser("show", help="one speaker: its aliases, the names kept apart from it, the decisions about it")
    show.add_argument("speaker", metavar="SPEAKER", help="an id or a name")
    for p in (merge, split, show):
        p.add_argument("--format", "-f", choices=("table", "json"), default=argparse.SUPPRESS, help="table (default) or json")
        p.add_argument("--db", default=argparse.SUPPRESS, help="database URL or SQLite file (default $ONRECORD_DB)")


def _date_arg(value: str) -> str:
    from .model import parse_date

    if parse_date(value) is None:  # the one reading of dates, as storing and the web filters read them
        raise argparse.ArgumentTypeError(f"{value!r} is not a date; give it as YYYY-MM-DD")
    return value


def _encoding(value: str) -> str:
    import codecs

    try:
        codecs.lookup(value)
        return value
    except LookupError:
        raise argparse.ArgumentTypeError(f"{value!r} is not an encoding Python knows (e.g. utf-8, latin-1, cp1252)") from None


def _words(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError("give at least one word to find")
    return value


def _db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", default=None, help="database URL or SQLite file (default $ONRECORD_DB, else ledger.db in the user data folder)")


_MODEL_HELP = "extraction preset: rules, fast or accurate (default: accurate)"


def _preset(value: str) -> str:
    """A --model value: a preset's name (a wrong one is the command line's fault: exit 64)."""
    from .extraction.presets import PRESETS

    if value.strip() not in PRESETS:
        raise argparse.ArgumentTypeError(f"unknown preset {value!r}; choose from {', '.join(PRESETS)}")
    return value.strip()


def _model_list(value: str) -> tuple[str, ...]:
    names = [v for v in value.split(",") if v.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"no preset in {value!r}; give one or more of rules, fast, accurate")
    return tuple(_preset(v) for v in names)


def _inputs(p: argparse.ArgumentParser, *, out: bool = True) -> None:
    """The options of every command that reads articles (``out``: it writes one file per input)."""
    p.add_argument("paths", nargs="+", metavar="PATH", help="files, directories, - for stdin, or URLs (with --fetch)")
    if out:
        p.add_argument("--out", "-o", type=Path, help="write one output file per input into this directory")
    p.add_argument("--workers", "-w", type=count, default=1, help="processes to spread the inputs over")
    _dask(p)
    p.add_argument("--model", "-m", type=_preset, default=None, help=_MODEL_HELP)
    p.add_argument("--publisher", default=None, help="the outlet that published the inputs (default: from HTML metadata or the text)")
    p.add_argument("--published", type=_date_arg, default=None, metavar="DATE",
                   help="the date of inputs that carry none (plain text, stdin), YYYY-MM-DD: forecasts fall due from it")
    _common(p)
    p.add_argument("--max-bytes", type=count, default=None, help="skip inputs larger than this (default 5 MB or $ONRECORD_MAX_BYTES)")
    p.add_argument("--encoding", type=_encoding, default="utf-8", help="encoding of text inputs (default utf-8)")
    p.add_argument("--fetch", action="store_true",
                   help="allow the network: fetch feed entries' linked pages for their article text, and read http(s) URLs given as inputs")


def _dask(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dask", metavar="ADDRESS", default=None,
                   help="run on a Dask cluster: its scheduler's address (tcp://host:8786), or 'local' for a cluster of "
                        "--workers processes here (needs the 'dask' extra)")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--spacy-model", default=None, help="spaCy pipeline to parse with (default en_core_web_sm, or $ONRECORD_SPACY_MODEL)")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if hasattr(args, "max_bytes"):
        from .ingest.readers import size_limit

        try:
            args.max_bytes = size_limit(args.max_bytes)  # the flag, else $ONRECORD_MAX_BYTES, else the default
        except OnrecordError as err:  # a malformed $ONRECORD_MAX_BYTES (E111): the command line's fault
            return _usage_error(err.line())
    try:
        if args.command in ("extract", "chains"):
            return _extract(args)
        if args.command == "eval":
            return _eval(args)
        if args.command == "bench":
            from . import bench

            return bench.main(args)
        if args.command == "train":
            return _train(args)
        if args.command == "serve":
            return _serve(args)
        if args.command in _LEDGER_COMMANDS:
            return _ledger(args)
    except BrokenPipeError:  # `onrecord export ... | head`: the reader has had enough
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing more to flush at exit
        return EXIT_OK
    except ModelError as err:
        print(f"onrecord: error: {err.line()}", file=sys.stderr)
        return EXIT_MODEL
    except ClusterError as err:
        print(f"onrecord: error: {err.line()}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except OnrecordError as err:
        print(f"onrecord: error: {err.line()}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    return EXIT_USAGE


# --- extract ------------------------------------------------------------------------------


def _extract(args: argparse.Namespace) -> int:
    from .pipeline import extract_many

    several = len(args.paths) > 1 or any(p != "-" and Path(p).is_dir() for p in args.paths)
    if args.format == "brat" and several and args.out is None:
        return _usage_error("--format brat with several inputs needs --out DIR (one .ann file per input)")
    if args.out is not None:
        try:
            args.out.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            return _usage_error(f"--out {args.out} cannot be a folder for the outputs ({err.strerror or err})")
    skipped: list[OnrecordError] = []
    out = _Outputs(args, several, _input_files(args.paths) if args.out is not None else frozenset())
    results = extract_many(
        _good_inputs(args, skipped), workers=args.workers, model=args.model, spacy_model=args.spacy_model, scheduler=args.dask
    )
    for result in results:
        if not isinstance(result, OnrecordError):
            result = out.emit(result)
        if isinstance(result, OnrecordError):
            _report(result)
            skipped.append(result)
    out.finish()
    if skipped:
        print(f"onrecord: {len(skipped)} skipped (inputs, records or entries, each named above)", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK


def _input_files(paths: Sequence[str]) -> frozenset[Path]:
    """Every file the inputs name or hold (a folder's, recursively): what ``--out`` must never overwrite,
    read yet or not."""
    files: set[Path] = set()
    from .ingest.fetch import is_url

    for path in paths:
        if path == "-" or is_url(path):
            continue
        given = Path(path)
        if given.is_dir():
            files.update(p.resolve() for p in given.rglob("*") if p.is_file())
        elif given.exists():
            files.add(given.resolve())
    return frozenset(files)


def _good_inputs(args: argparse.Namespace, skipped: list[OnrecordError]) -> Iterator[Document]:
    """The readable inputs of ``args.paths``; each bad one is reported and added to ``skipped``."""
    from .ingest import iter_documents

    for item in iter_documents(args.paths, max_bytes=args.max_bytes, encoding=args.encoding, fetch=args.fetch):
        if isinstance(item, OnrecordError):
            _report(item)
            skipped.append(item)
        else:
            if args.publisher:
                item.publisher = args.publisher
            if args.published and not item.published:
                item.published = args.published  # plain text carries no date: forecasts fall due from this one
            yield item


def _report(err: OnrecordError) -> None:
    print(f"onrecord: skipped {err.line()}", file=sys.stderr)


def _render(doc: Document, fmt: str, several: bool, color: str) -> str:
    from .render import to_brat, to_chain_text, to_dot, to_json, to_jsonl, to_mermaid, to_table

    chain_renderers = {"text": to_chain_text, "dot": to_dot, "mermaid": to_mermaid}
    if fmt in chain_renderers:
        return chain_renderers[fmt](doc)
    if fmt == "json":
        return to_jsonl(doc) if several else to_json(doc)
    if fmt == "jsonl":
        return to_jsonl(doc)
    if fmt == "brat":
        return to_brat(doc)
    return to_table(doc, color={"auto": None, "always": True, "never": False}[color])


class _Outputs:
    """Where ``extract`` puts each document: standard output, or a file of its own in ``--out``.

    Whether the run has several documents is known up front only from its paths:
    one WARC, feed or JSON-lines file may hold many. So with ``--format json`` to
    standard output the first document is held back until a second one comes
    (then both go out as JSON lines) or the run ends (then it is one JSON object).
    """

    def __init__(self, args: argparse.Namespace, several: bool, inputs: frozenset[Path]) -> None:
        self.args, self.several, self.inputs = args, several, inputs
        self.written: set[Path] = set()
        self.held: Document | None = None

    def emit(self, doc: Document) -> OnrecordError | None:
        """Print or write ``doc``; an output that cannot be written, or would overwrite an input or
        another document's output of this run, is an error for this document, returned so the run goes on."""
        if self.args.out is not None:
            return self._write(doc)
        if self.args.format == "json" and not self.several:
            if self.held is None:
                self.held = doc
                return None
            self.several = True
            self._print(self.held)
            self.held = None
        self._print(doc)
        return None

    def finish(self) -> None:
        if self.held is not None:
            self._print(self.held)
            self.held = None

    def _print(self, doc: Document) -> None:
        text = _render(doc, self.args.format, self.several, getattr(self.args, "color", "never"))
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()

    def _write(self, doc: Document) -> OnrecordError | None:
        text = _render(doc, self.args.format, False, "never")
        stem = _output_stem(doc.id)
        files = {self.args.out / f"{stem}{_SUFFIX[self.args.format]}": text}
        if self.args.format == "brat":  # brat tools want the text beside the standoff
            files[self.args.out / f"{stem}.txt"] = doc.text
        source = Path(doc.id).resolve() if doc.id not in (None, "-") and Path(doc.id).is_file() else None
        for target in files:
            where = target.resolve()
            if where == source or where in self.inputs:
                what = "the input itself" if where == source else "an input of this run"
                return InputError("E112", E.E112.format(target=target, what=what), path=doc.id)
            if where in self.written:
                return InputError("E112", E.E112.format(target=target, what="another input's output"), path=doc.id)
        for target, content in files.items():
            try:
                target.write_text(content, encoding="utf-8")
            except OSError as err:
                return InputError("E113", E.E113.format(target=target, detail=err.strerror or err), path=doc.id)
            self.written.add(target.resolve())
        return None


_UNSAFE = re.compile(r"[^\w.\-]+")


def _output_stem(doc_id: str | None) -> str:
    """The output file name (less its suffix) for a document id.

    A file's own name less its extension ("art.html" -> "art"); a record of a
    WARC, feed or JSON-lines file, or an entry whose id is a URL, gets its id's
    last part with what cannot be in a file name made "-" ("crawl.warc.gz#3" ->
    "crawl.warc.gz-3"), so that each record has a file of its own.
    """
    if doc_id in (None, "-"):
        return "stdin"
    if Path(doc_id).is_file():
        return Path(doc_id).stem
    last = doc_id.rstrip("/").rsplit("/", 1)[-1]
    return _UNSAFE.sub("-", last).strip("-.") or "document"


# --- eval ---------------------------------------------------------------------------------


def _eval(args: argparse.Namespace) -> int:
    import json

    from .evaluate import evaluate_polnear, format_report
    from .extraction.presets import DEFAULT_PRESET
    from .pipeline import Extractor

    if args.corpus == "speakers":
        return _eval_speakers(args)
    if args.corpus == "forecasts":
        return _eval_forecasts(args)
    reports = {}
    for preset in args.model or (DEFAULT_PRESET,):
        extractor = Extractor(args.spacy_model, model=preset)
        reports[preset] = evaluate_polnear(args.root, args.split, extractor.attributions, limit=args.limit)
        print(f"model: {preset} ({extractor.model})")
        print(format_report(reports[preset]))
    if len(reports) > 1:
        print(_side_by_side(reports))
    if args.json_out is not None:
        payload = {preset: r.as_dict() for preset, r in reports.items()}
        args.json_out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return EXIT_OK


def _side_by_side(reports: dict) -> str:
    """Exact-match P/R/F1 per role, one row per preset."""
    lines = ["model      source P/R/F1         cue P/R/F1            content P/R/F1"]
    for preset, report in reports.items():
        cells = []
        for role in ("source", "cue", "content"):
            t = report.counts.role(role, "exact")
            cells.append(f"{t.precision:.3f} {t.recall:.3f} {t.f1:.3f}")
        lines.append(f"{preset:<10} " + "   ".join(cells))
    return "\n".join(lines) + "\n"


def _eval_speakers(args: argparse.Namespace) -> int:
    import json

    from .evaluate.speakers import DEFAULT_ANNOTATIONS, evaluate_speakers, format_speaker_report

    report = evaluate_speakers(
        args.root, args.annotations or DEFAULT_ANNOTATIONS, spacy_model=args.spacy_model, model=args.model
    )
    print(format_speaker_report(report))
    if args.json_out is not None:
        args.json_out.write_text(json.dumps(report.as_dict(), indent=2) + "\n", encoding="utf-8")
    return EXIT_OK


def _eval_forecasts(args: argparse.Namespace) -> int:
    import json

    from .evaluate.forecasts import TEST_ANNOTATIONS, evaluate_forecasts, format_forecast_report
    from .extraction.presets import DEFAULT_PRESET

    reports = {}
    for preset in args.model or (DEFAULT_PRESET,):
        reports[preset] = evaluate_forecasts(args.root, args.annotations or TEST_ANNOTATIONS, model=preset)
        print(format_forecast_report(reports[preset]))
    if args.json_out is not None:
        payload = {preset: r.to_dict() for preset, r in reports.items()}
        args.json_out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return EXIT_OK


# --- the ledger ---------------------------------------------------------------------------

_LEDGER_COMMANDS = (
    "ingest", "reprocess", "search", "quotes", "speakers", "outlets", "trail", "export", "forecasts", "outcome", "evidence",
    "record",
)
#: Exit status when the ledger database cannot be opened, migrated or queried.
_EXIT_STORE = 1
_PROGRESS_EVERY = 25
_QUOTE_COLUMNS = ("article_id", "attribution", "published", "publisher", "speaker", "kind", "content")


def _ledger(args: argparse.Namespace) -> int:
    from .store import Ledger, StoreError

    if args.command == "export" and args.format == "parquet" and args.out is None:
        return _usage_error("--format parquet is binary and needs --out FILE")
    try:
        with Ledger.open(args.db, existing=args.command != "ingest") as ledger:
            if args.command == "ingest":
                from .ingest import count_articles

                skipped: list[OnrecordError] = []
                return _store_all(args, ledger, _good_inputs(args, skipped), skipped, total=count_articles(args.paths))
            if args.command == "reprocess":
                return _reprocess(args, ledger)
            return _query(args, ledger)
    except StoreError as err:
        print(f"onrecord: error: {err.line()}", file=sys.stderr)
        return _EXIT_STORE


def _reprocess(args: argparse.Namespace, ledger: "Ledger") -> int:
    """Re-extract the articles another extractor version or preset made (all with ``--all``)."""
    from .extraction.presets import check_preset

    prefix = None if args.all else f"onrecord-{check_preset(args.model)}@{__version__}/"
    return _store_all(args, ledger, ledger.stale(prefix), [])


class _Progress:
    """A bar with rate and ETA on a terminal (tqdm); a plain line every 25 articles otherwise."""

    def __init__(self, total: int | None, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.bar = None
        if self.stream.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="article", file=self.stream, dynamic_ncols=True, leave=False)

    def step(self, done: int, counts: dict[str, int]) -> None:
        if self.bar is not None:
            self.bar.set_postfix(new=counts["new"], updated=counts["updated"], refresh=False)
            self.bar.update(1)
        elif done % _PROGRESS_EVERY == 0:
            print(f"onrecord: {done} articles processed ({counts['new']} new, {counts['updated']} updated)", file=self.stream)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _store_all(
    args: argparse.Namespace,
    ledger: "Ledger",
    documents: Iterator[Document],
    skipped: list[OnrecordError],
    *,
    total: int | None = None,
) -> int:
    """Extract and store every document, each article in its own transaction; a bad one is skipped."""
    from .pipeline import extract_many
    from .store import StoreError

    counts = {"new": 0, "updated": 0, "revised": 0, "older": 0}
    progress = _Progress(total)
    started, storing = time.perf_counter(), 0.0
    recalled = map(ledger.recall, documents)  # an article stored before keeps the metadata this input lacks
    results = extract_many(recalled, workers=args.workers, model=args.model, spacy_model=args.spacy_model, scheduler=args.dask)
    for done, result in enumerate(results, start=1):
        if isinstance(result, OnrecordError):
            _report(result)
            skipped.append(result)
        else:
            try:
                before = time.perf_counter()
                stored = ledger.add(result)
                storing += time.perf_counter() - before
                counts["updated" if stored.version == "same" else stored.version] += 1
            except StoreError as err:
                err.path = err.path or result.id
                _report(err)
                skipped.append(err)
        progress.step(done, counts)
    progress.close()
    print(_ingest_summary(counts, skipped, ledger, storing, time.perf_counter() - started, args.workers), file=sys.stderr)
    return EXIT_BAD_INPUT if skipped else EXIT_OK


def _ingest_summary(
    counts: dict[str, int], skipped: list[OnrecordError], ledger: "Ledger", storing: float, total: float, workers: int
) -> str:
    """The closing lines: what was stored and skipped, the new versions of stored articles, and the time the store took.

    With one process the store's time is part of the run's; with worker
    processes it overlaps their extraction, so no share of the total is given.
    """
    if workers > 1:
        share = f"while {workers} worker processes extracted"
    else:
        share = f"{storing / total:.0%} of the run" if total else "-"
    lines = [
        f"onrecord: stored {counts['new']} new, updated {counts['updated']}, skipped {len(skipped)} "
        f"(ledger {ledger.url}: {ledger.count()['articles']} articles)",
    ]
    if counts["revised"] or counts["older"]:
        lines.append(
            f"onrecord: versions: {counts['revised']} replaced by a newer text at the same URL (same article, "
            f"earlier text kept in its history), {counts['older']} older than the stored text (only listed in its history)"
        )
    lines.append(f"onrecord: {total:.1f} s in all; the store took {storing:.1f} s ({share})")
    lines += [f"onrecord:   skipped {err.path or '-'}: {err.code}" for err in skipped]
    return "\n".join(lines)


def _query(args: argparse.Namespace, ledger: "Ledger") -> int:
    from .store.render import format_rows

    if args.command == "export":
        return _export(args, ledger)
    if args.command == "speakers" and args.speakers_action:
        return _speaker_action(args, ledger)
    if args.command in ("forecasts", "outcome", "evidence", "record"):
        return _forecast_command(args, ledger)
    if args.command == "trail":
        return _trail(args, ledger)
    if args.command == "search":
        rows, columns = ledger.search(args.text, limit=args.limit), ("score",) + _QUOTE_COLUMNS
    elif args.command == "quotes":
        rows = ledger.quotes(speaker=args.speaker, outlet=args.outlet, since=args.since, until=args.until,
                             kind=args.kind, anonymous=args.anonymous, limit=args.limit)
        columns = _QUOTE_COLUMNS
    elif args.command == "speakers":
        rows, columns = ledger.speakers(top=args.top), ("name", "type", "attributions", "articles")
    else:
        rows = ledger.outlets()
        columns = ("publisher", "articles", "attributions", "anonymous_share", "top_speakers", "relays")
    sys.stdout.write(format_rows([r.to_dict() for r in rows], columns, args.format))
    return EXIT_OK


def _trail(args: argparse.Namespace, ledger: "Ledger") -> int:
    """A quote's trail; an unknown attribution or too short a quote is a StoreError (exit 1)."""
    import json

    from .store.render import format_rows

    if bool(args.ref) == bool(args.text):
        return _usage_error("give the stored quote as ARTICLE ATTRIBUTION (17 a3) or its words with --text, not both")
    if args.ref:
        if len(args.ref) != 2 or not args.ref[0].isdigit():
            return _usage_error(f"{' '.join(args.ref)!r} is not a stored quote; give its article id and attribution id (17 a3)")
        found = ledger.trail(int(args.ref[0]), args.ref[1], limit=args.limit)
    else:
        found = ledger.trail(text=args.text, limit=args.limit)
    if args.format == "table":
        print(_trail_text(found))
    elif args.format == "json":
        print(json.dumps(found.to_dict(), ensure_ascii=False, indent=2))
    else:
        rows = [{**e.to_dict(), "changes": _changes_text(e.changes)} for e in found.entries]
        sys.stdout.write(format_rows(rows, (), args.format))  # csv: every field, one row per other attribution
    return EXIT_OK


def _block(text: str | None) -> list[str]:
    """A quote or sentence as the readable listings print it whole: wrapped at 96, indented by four."""
    import textwrap

    return textwrap.wrap(text or "", 96, initial_indent="    ", subsequent_indent="    ", break_on_hyphens=False)


def _trail_text(trail) -> str:
    """The trail as a person reads it: the quote, where the ledger first has it, then each other
    article's attribution in date order with how it differs."""

    def said(q) -> str:
        return (f"{q.published or 'undated'}  {q.publisher or '(unknown)'}  article {q.article_id} {q.attribution}  "
                f"{q.speaker or '(no speaker)'} ({q.kind})")

    head = [said(trail.quote), *_block(trail.quote.content)] if trail.quote else [f"{trail.words} words given"]
    first = trail.first
    where = "nowhere else" if not trail.total else f"in {trail.total} other attribution(s)"
    lines = ["quote: " + head[0], *head[1:], f"found {where}" + (
        f"; first in the ledger: {first.published} {first.publisher or '(unknown)'}, article {first.article_id} "
        f"{first.attribution}" if first and trail.total else "")]
    for e in trail.entries:
        whose = "; another speaker" if e.other_speaker else ""
        lines += ["", f"{e.relation.upper():<9} " + said(e) + f"  [{e.shared} words shared{whose}]", *_block(e.content)]
        lines += [f"    {c}" for c in _changes_text(e.changes).split("; ") if c]
    if trail.total > len(trail.entries):
        lines += ["", f"... and {trail.total - len(trail.entries)} more (--limit)"]
    return "\n".join(lines)


def _changes_text(changes) -> str:
    """Each change as 'was "x" now "y"' (or left out / added), joined by "; "."""
    out = []
    for c in changes:
        if not c.now:
            out.append(f'leaves out "{c.was}"')
        elif not c.was:
            out.append(f'adds "{c.now}"')
        else:
            out.append(f'"{c.was}" -> "{c.now}"')
    return "; ".join(out)


def _speaker_action(args: argparse.Namespace, ledger: "Ledger") -> int:
    """Merge, split or show one speaker; a name that fits none or several is a StoreError (exit 1)."""
    import json

    if args.speakers_action == "merge":
        result = ledger.merge_speakers(args.a, args.b)
        line = (
            f"merged {result.other!r} (id {result.other_id}) into {result.speaker!r} (id {result.speaker_id}): "
            f"{result.attributions} attribution(s) moved; {result.key!r} lands on id {result.speaker_id} from now on"
        )
    elif args.speakers_action == "split":
        result = ledger.split_speaker(args.speaker, args.alias)
        moved = f"{result.attributions} attribution(s) moved"
        if result.other_id is not None:
            moved += f" to {result.other!r} (id {result.other_id})"
        line = f"split {result.key!r} off {result.speaker!r} (id {result.speaker_id}): {moved}; it stays apart from now on"
    else:
        result = ledger.speaker_info(args.speaker)
        line = _speaker_text(result)
    if args.format == "json":
        line = json.dumps(result.to_dict(), ensure_ascii=False, indent=2)
    print(line)
    return EXIT_OK


def _speaker_text(info) -> str:
    lines = [
        f"{info.name} (id {info.id}, {info.type})",
        f"  key           {info.key}",
        f"  attributions  {info.attributions} in {info.articles} article(s)",
        f"  aliases       {', '.join(info.aliases) or '-'}",
        f"  kept apart    {', '.join(info.apart) or '-'}",
    ]
    for d in info.decisions:
        what = f"{d.other!r} merged into {d.speaker!r}" if d.kind == "merge" else f"{d.key!r} split off {d.speaker!r}"
        lines.append(f"  {d.kind:<13} {what} ({d.attributions} attribution(s) moved)")
    return "\n".join(lines)


_FORECAST_COLUMNS = ("id", "published", "speaker", "forecast", "said", "due", "outcome")
_EVIDENCE_COLUMNS = ("article_id", "published", "publisher", "sentence", "terms")
_RECORD_COLUMNS = ("speaker_id", "speaker", "forecasts", "judged", "came_true", "hit_rate", "brier", "open", "overdue")


def _forecast_command(args: argparse.Namespace, ledger: "Ledger") -> int:
    """List forecasts, record an outcome, or show track records; an unknown id or speaker is a StoreError (exit 1)."""
    import json

    from .store.render import format_rows

    if args.command == "forecasts":
        found = ledger.forecasts(args.speaker, args.outlet, open=args.open, due_by=args.due_by, limit=args.limit)
        rows = [f.to_dict() for f in found]
        if args.format == "table":
            rows = [_forecast_cells(f) for f in found]
        sys.stdout.write(format_rows(rows, _FORECAST_COLUMNS, args.format))
    elif args.command == "outcome" and args.outcome == "open":
        f = ledger.clear_outcome(args.id)
        print(f"forecast {f.id} ({f.speaker + ': ' if f.speaker else ''}{f.text!r}) is open again")
    elif args.command == "outcome":
        f = ledger.record_outcome(args.id, args.outcome, note=args.note, source=args.source, judged_on=args.judged_on)
        said = f"{f.speaker}: " if f.speaker else ""
        print(f"forecast {f.id} ({said}{f.text!r}) recorded as {f.outcome}, judged on {f.judged_on}")
    elif args.command == "evidence":
        found = ledger.evidence(args.id, limit=args.limit)
        if args.format == "table":
            print(_evidence_text(ledger.forecast(args.id), found))
        else:
            sys.stdout.write(format_rows([e.to_dict() for e in found], _EVIDENCE_COLUMNS, args.format))
    elif args.speaker is not None:
        record = ledger.track_record(args.speaker)
        print(json.dumps(record.to_dict(), ensure_ascii=False, indent=2) if args.format == "json" else _record_text(record))
    else:
        records = ledger.track_records(min_judged=args.min_judged)
        sys.stdout.write(format_rows([r.to_dict() for r in records], _RECORD_COLUMNS, args.format))
    return EXIT_OK


def _evidence_text(f, found) -> str:
    """Each suggestion as a block with its whole sentence: the sentence is what a person reads, so a
    table column that cuts it short would hide the part that settles the forecast."""
    said = f"{f.speaker}: " if f.speaker else ""
    lines = [f"forecast {f.id} ({said}{f.text!r}, {f.published or 'undated'}); "
             f"later sentences that may say what became of it: {len(found)}"]
    for n, e in enumerate(found, 1):
        close = f", similarity {e.similarity:.2f}" if e.similarity is not None else ""
        lines += ["", f"[{n}] {e.published or 'undated'}  {e.publisher or '(unknown)'}  {e.title or 'untitled'}"
                      f"  (article {e.article_id}, characters {e.start}-{e.end}{close})"]
        lines += _block(e.sentence)
        lines.append(f"    shares: {', '.join(e.terms)}" + ("; looks ahead itself" if e.looks_ahead else ""))
    return "\n".join(lines)


def _forecast_cells(f) -> dict[str, object]:
    """A forecast as the table shows it: the estimative word with its chance, the due date with its horizon."""
    chance = f"{f.probability:.0%}" if f.probability is not None else None
    said = f"{f.estimative} ({chance})" if f.estimative and chance else f.estimative or chance
    due = " ".join(part for part in (f.due, f"({f.horizon})" if f.horizon and f.due else f.horizon) if part) or None
    outcome = f.outcome or ("open, overdue" if f.overdue else "open")
    return {**f.to_dict(), "forecast": f.text, "said": said, "due": due, "outcome": outcome}


def _record_text(r) -> str:
    lines = [
        f"{r.speaker} (id {r.speaker_id}, {r.type})",
        f"  forecasts     {r.forecasts}: {r.judged} judged ({r.came_true} came true, {r.came_false} false), "
        f"{r.void} void, {r.open} open ({r.overdue} overdue)",
        "  hit rate      " + (f"{r.hit_rate:.0%} of judged forecasts right (the event came where given 50% or more, "
                             "or not where given less)" if r.hit_rate is not None else "-"),
        "  Brier score   " + (
            f"{r.brier:.3f} over {r.scored} judged forecast(s) with a probability "
            "(lower is better: 0 is perfect, always saying 50% scores 0.25)"
            if r.brier is not None else "- (nothing judged with a probability)"
        ),
    ]
    if r.calibration:
        lines.append("  calibration   band     forecasts  came true  chance given")
        for b in r.calibration:
            lines.append(f"                {b.band:<8} {b.forecasts:>9}  {b.share:>9.0%}  {b.mean_probability:>12.0%}")
    return "\n".join(lines)


def _export(args: argparse.Namespace, ledger: "Ledger") -> int:
    if args.format == "parquet":
        n = ledger.export("parquet", str(args.out))
    elif args.out is None:
        n = ledger.export(args.format, sys.stdout)
    else:
        with args.out.open("w", encoding="utf-8", newline="") as out:
            n = ledger.export(args.format, out)
    print(f"onrecord: exported {n} {'articles' if args.format == 'jsonl' else 'attributions'}", file=sys.stderr)
    return EXIT_OK


# --- serve --------------------------------------------------------------------------------


def _serve_parser(sub: argparse._SubParsersAction) -> None:
    """``onrecord serve``: the web app and REST API over a ledger."""
    sv = sub.add_parser("serve", help="the web app and REST API over the ledger (pages at /, API at /api/v1, docs at /docs)")
    sv.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; any other needs a token)")
    sv.add_argument("--port", type=port, default=8000, help="port to listen on, 1 to 65535 (default 8000)")
    sv.add_argument("--token", default=None,
                    help="bearer token the endpoints that write need (default $ONRECORD_TOKEN, which keeps it out of ps)")
    sv.add_argument("--max-bytes", type=count, default=None,
                    help="refuse request bodies larger than this with 413 (default 5 MB or $ONRECORD_MAX_BYTES)")
    sv.add_argument("--allow-fetch", action="store_true",
                    help="let Analyse and /api/v1/extract fetch URLs users give, at public addresses only")
    sv.add_argument("--allow-fetch-private", action="store_true",
                    help="as --allow-fetch, and also loopback, private and link-local addresses (this server's own network)")
    sv.add_argument("--cors-origin", action="append", default=[], metavar="ORIGIN",
                    help="a site whose pages may call the API, e.g. https://example.org (repeatable; default none)")
    sv.add_argument("--workers", "-w", type=count, default=1,
                    help="processes that extract texts, so that N are read at once (default 1: in the server's own)")
    _common(sv)
    _db(sv)


def _serve(args: argparse.Namespace) -> int:
    """Run the web app with uvicorn; refuse a non-loopback address without a token (exit 64).

    The address is bound here, before the ledger is opened and before uvicorn
    starts (which would first load the models, then fail to bind and exit 3,
    the code for a model that cannot load): an address in use, or one that is
    not this machine's, is one line and exit 69 (E617, E618).
    """
    import errno
    import os

    from .store import StoreError

    token = args.token or os.environ.get("ONRECORD_TOKEN") or None
    if not _is_loopback(args.host) and not token:
        return _usage_error(f"{E.E612.format(host=args.host)} [E612]")
    limit = args.max_bytes  # main() has read the flag, else $ONRECORD_MAX_BYTES, else the default
    host = args.host.strip("[]")
    address = f"[{host}]:{args.port}" if ":" in host else f"{host}:{args.port}"
    try:
        sockets = _bind(host, args.port)
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            line = f"{E.E617.format(address=address)} [E617]"
        else:
            line = f"{E.E618.format(address=address, detail=err.strerror or err)} [E618]"
        print(f"onrecord: error: {line}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    import uvicorn

    from .web import create_app

    try:
        app = create_app(
            args.db, token=token, max_bytes=limit, allow_fetch=args.allow_fetch, fetch_private=args.allow_fetch_private,
            cors_origins=args.cors_origin, spacy_model=args.spacy_model, workers=args.workers,
        )
    except StoreError as err:
        for sock in sockets:
            sock.close()
        print(f"onrecord: error: {err.line()}", file=sys.stderr)
        return _EXIT_STORE
    print(f"onrecord: serving {app.state.onrecord.ledger.url} on http://{address}/", file=sys.stderr)
    uvicorn.Server(uvicorn.Config(app, host=host, port=args.port, log_level="info")).run(sockets=sockets)
    return EXIT_OK


def _bind(host: str, port: int) -> list[socket.socket]:
    """Sockets bound to every address ``host`` names, as asyncio's create_server binds them (a family this
    machine lacks is skipped); an OSError, with nothing left bound, when none or one of them cannot be."""
    import errno
    import os
    import socket

    sockets: list[socket.socket] = []
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        for family, kind, proto, _, sockaddr in dict.fromkeys(infos):
            sock = socket.socket(family, kind, proto)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind(sockaddr)
            except OSError as err:
                sock.close()
                if err.errno == errno.EADDRNOTAVAIL and len(infos) > 1:
                    continue
                raise
            sockets.append(sock)
        if not sockets:
            raise OSError(errno.EADDRNOTAVAIL, os.strerror(errno.EADDRNOTAVAIL))
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# --- train --------------------------------------------------------------------------------


def _train(args: argparse.Namespace) -> int:
    import json

    from .train import train

    metrics = train(args.config, prepare=args.prepare)
    print(json.dumps({k: v for k, v in metrics.items() if k != "config"}, indent=2))
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
