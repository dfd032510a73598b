"""Forecast extraction, scored on onrecord's own blind annotations.

``annotations/forecasts/dev.jsonl`` (see its ``GUIDE.md``) lists, for 20
PolNeAR dev articles, every claim about the future that the article credits
to someone, with its span and speaker. Each annotated article is run through
the extractor and its ``Document.forecasts`` are matched to the gold ones:

* **overlap match** (the headline figure): a predicted and a gold forecast
  match when their spans, as sets of character offsets, have Jaccard >= 0.5
  (:data:`FORECAST_JACCARD`). Matching is one-to-one and greedy, best
  Jaccard first, as for attributions in :mod:`onrecord.evaluate.metrics`.
* **exact match**: the two spans cover the same characters once whitespace,
  punctuation and quotation marks at either end are trimmed from both (the
  guide leaves trailing punctuation out of a gold span; a prediction that
  keeps the final period or closing quote is not penalised for it).
* **speaker**, among overlap-matched pairs: right when the names are equal
  (case, spacing, a leading "the" and a possessive ignored, as in
  ``onrecord eval speakers``), or when either name contains the other's
  last word as a whole word ("Lynch" and "Stephen Lynch"; "Obama" and
  "President Obama"), or when one is the other's acronym ("The S.E.C." and
  "Securities and Exchange Commission"). A prediction without a speaker is wrong. The rule is
  lenient on purpose: the figure is about who is credited, not about how
  fully they are named. It can be fooled by relatives ("Ivanka Trump" and
  "Donald Trump" share "trump"), which the 20 articles do not test.

Precision, recall and F1 are micro-averaged over all annotated articles; an
article with no gold forecast still counts its false positives. The
95% interval for F1 is a bootstrap over articles
(:func:`onrecord.evaluate.metrics.bootstrap_f1`, the helper ``onrecord eval
polnear`` uses).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from ..errors import E, OnrecordError
from .brat import _read as _read_text
from .metrics import Tally, _greedy, _jaccard, bootstrap_f1
from .polnear import _split_dir
from .speakers import _normalise_name

__all__ = [
    "ArticleScore",
    "ForecastReport",
    "FORECAST_JACCARD",
    "DEFAULT_ANNOTATIONS",
    "HELDOUT_ANNOTATIONS",
    "TEST_ANNOTATIONS",
    "DEFAULT_ANNOTATIONS",
    "evaluate_forecasts",
    "format_forecast_report",
    "read_forecast_annotations",
    "score_article",
    "same_speaker",
]

DEFAULT_ANNOTATIONS = Path("annotations/forecasts/dev.jsonl")
#: The second blind set, annotated after the rules were tuned on the first (and then tuned on in turn).
HELDOUT_ANNOTATIONS = Path("annotations/forecasts/heldout.jsonl")
#: The third, annotated after all tuning and never to be tuned on: the honest figure.
TEST_ANNOTATIONS = Path("annotations/forecasts/test.jsonl")
#: Character Jaccard at or above which a predicted forecast matches a gold one.
FORECAST_JACCARD = 0.5

# What exact matching trims from both ends of a span: whitespace, punctuation, quotation marks.
_EDGE = " \t\r\n\u00a0.,;:!?\"'“”‘’()[]—–-…"
_WORD = re.compile(r"\w+")
_FUNCTION_WORDS = frozenset({"and", "of", "the", "for", "on", "&"})


@dataclass
class ArticleScore:
    """How one article's predicted forecasts compare with its gold ones."""

    file: str
    gold: int = 0
    predicted: int = 0
    matched: int = 0  # overlap matches (Jaccard >= 0.5)
    exact: int = 0
    speaker_correct: int = 0  # among the overlap matches
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def overlap_tally(self) -> Tally:
        return Tally(self.matched, self.predicted - self.matched, self.gold - self.matched)

    @property
    def exact_tally(self) -> Tally:
        return Tally(self.exact, self.predicted - self.exact, self.gold - self.exact)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "gold": self.gold,
            "predicted": self.predicted,
            "matched": self.matched,
            "exact": self.exact,
            "speaker_correct": self.speaker_correct,
        }


@dataclass
class ForecastReport:
    """The result of :func:`evaluate_forecasts`; ``to_dict()`` is the ``--json`` output."""

    model: str
    annotations: str
    articles: list[ArticleScore] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def overlap(self) -> Tally:
        return sum((a.overlap_tally for a in self.articles), Tally())

    @property
    def exact(self) -> Tally:
        return sum((a.exact_tally for a in self.articles), Tally())

    @property
    def speaker_correct(self) -> int:
        return sum(a.speaker_correct for a in self.articles)

    @property
    def speaker_accuracy(self) -> float:
        matched = self.overlap.tp
        return self.speaker_correct / matched if matched else 0.0

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [e for a in self.articles for e in a.errors]

    def f1_interval(
        self, match: str = "overlap", *, level: float = 0.95, resamples: int = 2000, seed: int = 0
    ) -> tuple[float, float]:
        """A bootstrap interval for the ``match`` ("overlap" or "exact") F1, drawing articles again."""
        tallies = [a.overlap_tally if match == "overlap" else a.exact_tally for a in self.articles]
        return bootstrap_f1(tallies, level=level, resamples=resamples, seed=seed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "annotations": self.annotations,
            "articles": len(self.articles),
            "elapsed_seconds": round(self.elapsed, 3),
            "jaccard_threshold": FORECAST_JACCARD,
            "overlap": {**self.overlap.as_dict(), "f1_interval": [round(v, 4) for v in self.f1_interval("overlap")]},
            "exact": {**self.exact.as_dict(), "f1_interval": [round(v, 4) for v in self.f1_interval("exact")]},
            "speaker_accuracy": round(self.speaker_accuracy, 4),
            "speaker_correct": self.speaker_correct,
            "per_article": [a.to_dict() for a in self.articles],
            "errors": self.errors,
        }


def evaluate_forecasts(
    polnear_dir: str | Path,
    annotations_path: str | Path = DEFAULT_ANNOTATIONS,
    *,
    model: str = "rules",
    workers: int = 1,
) -> ForecastReport:
    """Extract forecasts with preset ``model`` from the annotated dev articles and score them.

    ``polnear_dir`` is the PolNeAR corpus folder (or its ``data/`` or
    ``data/dev`` folder). Raises E305 for a malformed annotation file (or one
    whose spans do not match the texts) and passes on an extraction error.
    """
    from ..model import Document
    from ..pipeline import extract_many

    started = time.perf_counter()
    split_dir = _split_dir(Path(polnear_dir), "dev")
    gold = read_forecast_annotations(annotations_path)
    texts = {}
    for name, items in gold.items():
        path = split_dir / "text" / name
        texts[name] = _read_text(path)
        _check_offsets(texts[name], items, annotations_path, name)
    documents = [Document(text=texts[name], id=name) for name in gold]
    report = ForecastReport(model=model, annotations=str(annotations_path))
    for name, document in zip(gold, extract_many(documents, workers=workers, model=model)):
        if isinstance(document, OnrecordError):
            raise document
        report.articles.append(score_article(name, texts[name], gold[name], document.forecasts))
    report.elapsed = time.perf_counter() - started
    return report


def score_article(file: str, text: str, gold: Sequence[dict[str, Any]], predicted: Sequence[Any]) -> ArticleScore:
    """Match ``predicted`` forecasts (objects with ``.text`` spans and ``.speaker``) to ``gold`` dicts in ``text``."""
    g_spans = [_strip(text, item["start"], item["end"], " \t\r\n\u00a0") for item in gold]
    p_spans = [_strip(text, f.text.start, f.text.end, " \t\r\n\u00a0") for f in predicted]
    candidates = []
    for gi, gs in enumerate(g_spans):
        for pi, ps in enumerate(p_spans):
            score = _jaccard((gs,), (ps,)) if gs[0] < gs[1] and ps[0] < ps[1] else 0.0
            if score >= FORECAST_JACCARD:
                candidates.append((-score, gi, pi))
    pairs = _greedy(candidates)
    score = ArticleScore(file=file, gold=len(gold), predicted=len(predicted), matched=len(pairs))
    g_exact = [_strip(text, *span, _EDGE) for span in g_spans]
    p_exact = [_strip(text, *span, _EDGE) for span in p_spans]
    score.exact = len(_greedy([(0, gi, pi) for gi, g in enumerate(g_exact) for pi, p in enumerate(p_exact) if g == p]))
    matched_g = {gi for gi, _ in pairs}
    matched_p = {pi for _, pi in pairs}
    for gi, pi in pairs:
        got = predicted[pi].speaker.name if predicted[pi].speaker else ""
        if same_speaker(got, gold[gi]["speaker"]):
            score.speaker_correct += 1
        else:
            score.errors.append(_error(file, "speaker", text, g_spans[gi], gold[gi]["speaker"], got))
    for gi, item in enumerate(gold):
        if gi not in matched_g:
            score.errors.append(_error(file, "miss", text, g_spans[gi], item["speaker"], None))
    for pi, f in enumerate(predicted):
        if pi not in matched_p:
            score.errors.append(_error(file, "false_positive", text, p_spans[pi], None, f.speaker.name if f.speaker else ""))
    return score


def same_speaker(got: str, gold: str) -> bool:
    """Equal names (normalised), or either contains the other's last word as a whole word."""
    a, b = _normalise_name(got or ""), _normalise_name(gold or "")
    if not a or not b:
        return False
    if a == b:
        return True
    a_words, b_words = _WORD.findall(a), _WORD.findall(b)
    if not a_words or not b_words:
        return False
    if a_words[-1] in b_words or b_words[-1] in a_words:
        return True
    return _acronym_of(a_words, b_words) or _acronym_of(b_words, a_words)


def _acronym_of(short: list[str], long: list[str]) -> bool:
    """Is ``short`` one acronym ("s.e.c.", "fbi") of ``long``'s content words?"""
    letters = "".join(short)
    if len(short) > 1 and any(len(w) > 1 for w in short) or len(letters) < 2 or len(long) < 2:
        return False
    return letters == "".join(w[0] for w in long if w not in _FUNCTION_WORDS)


def format_forecast_report(report: ForecastReport) -> str:
    """An aligned plain-text table of the scores, for a terminal."""
    lines = [
        f"forecasts, model {report.model}: {len(report.articles)} articles, {report.elapsed:.1f} s",
        "",
        f"{'match':<12} {'P':>6} {'R':>6} {'F1':>6} {'TP':>5} {'FP':>5} {'FN':>5}  95% F1 interval",
    ]
    for label, key in ((f"J>={FORECAST_JACCARD:g}", "overlap"), ("exact", "exact")):
        t = getattr(report, key)
        low, high = report.f1_interval(key)
        lines.append(
            f"{label:<12} {t.precision:>6.3f} {t.recall:>6.3f} {t.f1:>6.3f} {t.tp:>5} {t.fp:>5} {t.fn:>5}"
            f"  {low:.3f}-{high:.3f}"
        )
    lines.append("")
    lines.append(
        f"speaker accuracy on matched forecasts: {report.speaker_accuracy:.3f} "
        f"({report.speaker_correct}/{report.overlap.tp})"
    )
    return "\n".join(lines) + "\n"


def read_forecast_annotations(path: str | Path) -> dict[str, list[dict[str, Any]]]:
    """The annotation file as ``{file name: [gold forecast, ...]}``, articles with none included, in file order.

    Accepts one line per article (``{"file", "forecasts": [...]}``). Raises E305
    for a missing file, a line that is not such an object, or a file listed twice.
    """
    path = Path(path)
    if not path.is_file():
        raise _bad(path, "no such file")
    out: dict[str, list[dict[str, Any]]] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            name = row["file"]
            if not isinstance(name, str) or not isinstance(row["forecasts"], list):
                raise TypeError("'file' must be a string and 'forecasts' a list")
            items = []
            for item in row["forecasts"]:
                item = dict(item)
                item["start"], item["end"] = int(item["start"]), int(item["end"])
                item["text"], item["speaker"]  # noqa: B018 - required keys
                items.append(item)
        except (ValueError, KeyError, TypeError) as exc:
            raise _bad(path, f"line {n}: {exc}") from exc
        if not name.endswith(".txt"):
            name += ".txt"
        if name in out:
            raise _bad(path, f"line {n}: {name} is listed twice")
        out[name] = items
    return out


def _check_offsets(text: str, items: Sequence[dict[str, Any]], path: str | Path, name: str) -> None:
    for item in items:
        if text[item["start"] : item["end"]] != item["text"]:
            raise _bad(Path(path), f"{name} {item['start']}-{item['end']}: the span text does not match the article")


def _bad(path: Path, detail: str) -> OnrecordError:
    return OnrecordError("E305", E.E305.format(kind="forecast", folder="forecasts", detail=detail), path=str(path))


def _strip(text: str, start: int, end: int, chars: str) -> tuple[int, int]:
    """``(start, end)`` moved inwards past any of ``chars`` at either end."""
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return (start, end)


def _error(
    file: str, kind: str, text: str, span: tuple[int, int], gold_speaker: str | None, got_speaker: str | None
) -> dict[str, Any]:
    return {
        "file": file,
        "kind": kind,
        "start": span[0],
        "end": span[1],
        "text": text[span[0] : span[1]],
        "gold_speaker": gold_speaker,
        "got_speaker": got_speaker,
    }
