"""Evaluate an attribution extractor on a PolNeAR split.

The corpus layout is ``data/<split>/text/<article>.txt`` and
``data/<split>/attributions/<article>_<annotator>.ann``. Some articles were
annotated by several people; the prediction for such an article is scored
against each annotation file and the counts are added, as PolNeAR's authors
do. Predictions lying entirely inside a gold ``Discard`` span (text outside
the article body, such as "Follow us on Twitter") are dropped before scoring
against that file: the annotators were told not to annotate there.

The predictor is handed all the texts at once, so that it can batch them
through ``nlp.pipe``, and must yield one list of attributions per text, in order.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any

from onrecord.errors import E, OnrecordError
from onrecord.evaluate.brat import _read, read_ann, read_discards
from onrecord.evaluate.metrics import ATTRIBUTION_JACCARD, ROLES, Counts, bootstrap_f1, score_document
from onrecord.model import Attribution

__all__ = ["DocumentScore", "Judged", "Report", "evaluate_polnear", "format_report", "judged"]

Predictor = Callable[[list[str]], Iterable[list[Attribution]]]


@dataclass
class DocumentScore:
    """The counts for one article, summed over its annotation files."""

    article: str
    annotation_files: list[str]
    counts: Counts

    def as_dict(self) -> dict[str, Any]:
        return {"article": self.article, "annotation_files": self.annotation_files, "scores": self.counts.as_dict()}


@dataclass
class Report:
    """The result of :func:`evaluate_polnear`; ``as_dict()`` is the ``--json`` output."""

    split: str
    root: str
    counts: Counts
    n_articles: int = 0
    n_files: int = 0
    elapsed: float = 0.0
    per_document: list[DocumentScore] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "corpus": "PolNeAR",
            "split": self.split,
            "root": self.root,
            "articles": self.n_articles,
            "annotation_files": self.n_files,
            "elapsed_seconds": round(self.elapsed, 3),
            "scores": self.counts.as_dict(),
            "f1_interval_exact": {role: [round(v, 4) for v in self.f1_interval(role)] for role in ROLES},
            "per_document": [d.as_dict() for d in self.per_document],
        }

    def f1_interval(
        self, role: str, match: str = "exact", *, level: float = 0.95, resamples: int = 2000, seed: int = 0
    ) -> tuple[float, float]:
        """A percentile bootstrap interval for ``role``'s F1, drawing the articles again with replacement.

        Why: PolNeAR dev is 84 articles, two of them read by six annotators,
        so which articles are in it moves content F1 by more than most single
        changes do (for ``accurate``, a standard deviation of about 0.016). A
        difference between two runs is worth reading only against this
        interval. Articles, not attributions, are drawn: an article's
        attributions share a writer, a topic and an annotator. The same
        ``seed`` gives the same interval.
        """
        tallies = [d.counts.role(role, match) for d in self.per_document]
        return bootstrap_f1(tallies, level=level, resamples=resamples, seed=seed)


@dataclass
class Judged:
    """One annotation file of an article, with the predictions to score against it."""

    article: str
    path: Path
    text: str
    gold: list[Attribution]
    predicted: list[Attribution]  # those not wholly inside the file's Discard spans


def judged(root: Path | str, split: str, predict: Predictor, *, limit: int | None = None) -> Iterator[Judged]:
    """Each annotation file of the ``split``, in article-name order, with its gold and the predictions it scores.

    :func:`evaluate_polnear` counts these; analyses of the misses (``scripts/content_misses.py``) read
    them too, so that both see the same articles, the same gold and the same discards. The arguments and
    errors are :func:`evaluate_polnear`'s.
    """
    split_dir = _split_dir(Path(root), split)
    articles = _articles(split_dir)
    if limit is not None:
        articles = articles[: max(limit, 0)]
    texts = [_read(split_dir / "text" / f"{name}.txt") for name, _ in articles]
    results = iter(predict(texts))
    for i, ((name, ann_paths), text) in enumerate(zip(articles, texts)):
        predicted = next(results, None)
        if predicted is None:
            raise OnrecordError("E304", E.E304.format(got=i, expected=len(texts)))
        for ann_path in ann_paths:
            ann = _read(ann_path)
            kept = _drop_discarded(predicted, read_discards(ann, path=str(ann_path)), text)
            yield Judged(name, ann_path, text, read_ann(ann, text, path=str(ann_path)), kept)
    if next(results, None) is not None:
        raise OnrecordError("E304", E.E304.format(got=f"more than {len(texts)}", expected=len(texts)))


def evaluate_polnear(
    root: Path | str,
    split: str,
    predict: Predictor,
    *,
    limit: int | None = None,
) -> Report:
    """Score ``predict`` on the ``split`` of the PolNeAR corpus at ``root``.

    ``root`` is the corpus folder holding ``data/`` (the ``data/`` folder, or
    the split folder itself, are accepted too). Articles are taken in name
    order, the first ``limit`` of them if given; only articles with at least
    one ``.ann`` file are scored. Raises E301 if ``root`` has no such split,
    E303 for an ``.ann`` file without its text, E302 for a malformed ``.ann``,
    and E304 if ``predict`` yields the wrong number of results.
    """
    started = time.perf_counter()
    report = Report(split=split, root=str(root), counts=Counts())
    for article, files in groupby(judged(root, split, predict, limit=limit), key=lambda j: j.article):
        files = list(files)
        doc_counts = sum((score_document(j.gold, j.predicted, j.text) for j in files), Counts())
        report.counts = report.counts + doc_counts
        report.n_articles += 1
        report.n_files += len(files)
        report.per_document.append(DocumentScore(article, [j.path.name for j in files], doc_counts))
    report.elapsed = time.perf_counter() - started
    return report


def format_report(report: Report) -> str:
    """An aligned plain-text table of the scores, for a terminal."""
    c = report.counts
    lines = [
        f"PolNeAR {report.split}: {report.n_articles} articles, {report.n_files} annotation files, "
        f"{report.elapsed:.1f} s",
        "",
        f"{'role':<12} {'match':<8} {'P':>6} {'R':>6} {'F1':>6} {'TP':>7} {'FP':>7} {'FN':>7}",
    ]
    rows = [(role, match, c.role(role, match)) for role in ROLES for match in ("exact", "overlap")]
    rows.append(("attribution", f"J>={ATTRIBUTION_JACCARD:g}", c.attribution))
    for role, match, t in rows:
        lines.append(
            f"{role:<12} {match:<8} {t.precision:>6.3f} {t.recall:>6.3f} {t.f1:>6.3f} {t.tp:>7} {t.fp:>7} {t.fn:>7}"
        )
    intervals = ", ".join(f"{role} {low:.3f}-{high:.3f}" for role in ROLES for low, high in [report.f1_interval(role)])
    lines += [
        "",
        f"exact F1, 95% bootstrap interval over the {report.n_articles} articles: {intervals}",
        f"matched attributions: source accuracy {c.source_accuracy:.3f} ({c.source_correct}/{c.attribution.tp}), "
        f"cue accuracy {c.cue_accuracy:.3f} ({c.cue_correct}/{c.attribution.tp})",
    ]
    return "\n".join(lines)


def _split_dir(root: Path, split: str) -> Path:
    """Find ``data/<split>`` from the corpus folder, the ``data/`` folder, or the split folder."""
    for candidate in (root / "data" / split, root / split, root):
        if candidate.name == split and (candidate / "text").is_dir() and (candidate / "attributions").is_dir():
            return candidate
    raise OnrecordError("E301", E.E301.format(split=split), path=str(root))


def _articles(split_dir: Path) -> list[tuple[str, list[Path]]]:
    """Each annotated article's name with its ``.ann`` files, sorted by name."""
    by_article: dict[str, list[Path]] = {}
    for ann in sorted((split_dir / "attributions").glob("*.ann")):
        name = ann.stem.rpartition("_")[0] or ann.stem
        by_article.setdefault(name, []).append(ann)
    for name, anns in by_article.items():
        expected = split_dir / "text" / f"{name}.txt"
        if not expected.is_file():
            raise OnrecordError("E303", E.E303.format(expected=expected), path=str(anns[0]))
    return sorted(by_article.items())


def _drop_discarded(predicted: list[Attribution], discards: list[tuple[int, int]], text: str) -> list[Attribution]:
    """Drop predictions whose every (whitespace-stripped) fragment lies inside a Discard span."""
    if not discards:
        return list(predicted)

    def inside(start: int, end: int) -> bool:
        piece = text[start:end]
        start += len(piece) - len(piece.lstrip())
        end -= len(piece) - len(piece.rstrip())
        return start >= end or any(d_start <= start and end <= d_end for d_start, d_end in discards)

    kept = []
    for a in predicted:
        spans = [*a.source, *a.cue, *a.content]
        if not spans or not all(inside(s.start, s.end) for s in spans):
            kept.append(a)
    return kept
