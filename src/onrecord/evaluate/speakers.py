"""Speaker resolution and source typing, scored on onrecord's own annotations.

``annotations/speakers/dev.jsonl``, ``held-out.jsonl`` and ``test.jsonl`` (see
their ``GUIDE.md``) give, for every gold PolNeAR source span of the 84 dev
articles, the canonical speaker and the source type. The resolver was written
against the first file; the other two were annotated later, blind to it, and
say how far its rules carry to articles they were not written for (the second
has since been read for errors, the third only scored). Resolution is scored
on the *gold* attributions of each article, so the figure measures the
resolver alone, not the extractor in front of it: each article is parsed,
its gold attributions are handed to :func:`onrecord.resolve.resolve_speakers`,
and every annotated source is checked for its speaker's name (case, a
leading "the" and a possessive ignored) and its type.

With ``model`` (a preset) the extractor reads each article instead, as a user's
run does, and each annotated source is scored on the predicted attribution whose
source overlaps it most; a source no prediction overlaps counts as wrong. That
figure is what a reader of onrecord's output sees: finding the source and
resolving it, together.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from ..errors import E, OnrecordError
from ..model import Attribution
from .brat import read_ann
from .polnear import _split_dir

__all__ = ["SpeakerReport", "evaluate_speakers", "format_speaker_report", "DEFAULT_ANNOTATIONS"]

DEFAULT_ANNOTATIONS = tuple(
    Path("annotations/speakers") / name for name in ("dev.jsonl", "held-out.jsonl", "test.jsonl")
)


@dataclass
class SpeakerReport:
    total: int = 0
    speaker_correct: int = 0
    type_correct: int = 0
    anonymous_correct: int = 0
    by_type: Counter = field(default_factory=Counter)  # gold type -> count
    type_hits: Counter = field(default_factory=Counter)  # gold type -> right types
    errors: list[dict[str, Any]] = field(default_factory=list)
    #: per annotation file: [sources, right speakers, right types]
    files: dict[str, list[int]] = field(default_factory=dict)
    model: str | None = None  # the preset that found the attributions; None: the gold ones
    found: int = 0  # sources a predicted attribution's source overlaps (with ``model``)
    found_correct: int = 0  # of those, the ones whose speaker is right

    @property
    def speaker_accuracy(self) -> float:
        return self.speaker_correct / self.total if self.total else 0.0

    @property
    def type_accuracy(self) -> float:
        return self.type_correct / self.total if self.total else 0.0

    @property
    def anonymous_accuracy(self) -> float:
        return self.anonymous_correct / self.total if self.total else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "sources": self.total,
            "speaker_accuracy": round(self.speaker_accuracy, 4),
            "type_accuracy": round(self.type_accuracy, 4),
            "anonymous_accuracy": round(self.anonymous_accuracy, 4),
            "attributions": self.model or "gold",
            **({"sources_found": self.found, "found_speaker_accuracy": round(self.found_correct / self.found, 4)}
               if self.model and self.found else {}),
            "files": {
                name: {"sources": n, "speaker_accuracy": round(right / n, 4), "type_accuracy": round(typed / n, 4)}
                for name, (n, right, typed) in self.files.items() if n
            },
            "by_type": {t: {"sources": n, "type_correct": self.type_hits[t]} for t, n in sorted(self.by_type.items())},
            "errors": self.errors,
        }


def evaluate_speakers(
    polnear_root: str | Path,
    annotations: str | Path | Sequence[str | Path] = DEFAULT_ANNOTATIONS,
    *,
    spacy_model: str | None = None,
    model: str | None = None,
) -> SpeakerReport:
    """Score the resolver against ``annotations`` (one file or several) over the PolNeAR dev texts
    at ``polnear_root``; with several, the report keeps each file's figures apart too. With
    ``model``, the preset's own attributions are resolved instead of the gold ones."""
    from ..nlp.loader import load_spacy
    from ..pipeline import Extractor
    from ..resolve import is_anonymous, resolve_speakers

    paths = [Path(annotations)] if isinstance(annotations, (str, Path)) else [Path(a) for a in annotations]
    lines = []
    for path in paths:
        lines += [{**item, "_file": str(path)} for item in _read(path)]
    split_dir = _split_dir(Path(polnear_root), "dev")
    by_file: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for item in lines:
        by_file.setdefault((item["article"], item["ann"]), []).append(item)
    extractor = Extractor(spacy_model, model=model) if model else None
    nlp = None if extractor else load_spacy(spacy_model)
    report = SpeakerReport(files={str(path): [0, 0, 0] for path in paths}, model=model)
    for (article, ann_name), items in by_file.items():
        text = (split_dir / "text" / f"{article}.txt").read_text(encoding="utf-8")
        if extractor is not None:
            attributions = extractor.extract(text).attributions
        else:
            ann_path = split_dir / "attributions" / ann_name
            attributions = read_ann(ann_path.read_text(encoding="utf-8"), text, path=str(ann_path))
            resolve_speakers(nlp(text), attributions)
        for item in items:
            att = _source_at(attributions, item["start"], item["end"])
            report.found += att is not None
            got_name = att.speaker.name if att is not None and att.speaker else ""
            got_type = att.speaker.type if att is not None and att.speaker else "unknown"
            got_anon = is_anonymous(got_type, item["mention"])
            report.total += 1
            report.by_type[item["type"]] += 1
            name_ok = _same_name(got_name, item["speaker"])
            type_ok = got_type == item["type"]
            report.speaker_correct += name_ok
            report.type_correct += type_ok
            report.type_hits[item["type"]] += type_ok
            # a source nobody found is not rightly unflagged either
            report.anonymous_correct += att is not None and got_anon == bool(item.get("anonymous", False))
            report.found_correct += att is not None and name_ok
            counts = report.files[item["_file"]]
            counts[0] += 1
            counts[1] += name_ok
            counts[2] += type_ok
            if not (name_ok and type_ok):
                report.errors.append({
                    "article": article, "mention": item["mention"], "start": item["start"],
                    "gold": [item["speaker"], item["type"]], "got": [got_name, got_type],
                })
    return report


def _source_at(attributions: list[Attribution], start: int, end: int) -> Attribution | None:
    """The attribution whose source is ``start:end`` (always so for gold ones), else the one whose
    source overlaps it most: not "Trump and Clinton" for "Clinton" where "Clinton" has its own."""
    best, most = None, 0
    for att in attributions:
        for span in att.source:
            if (span.start, span.end) == (start, end):
                return att
            overlap = min(end, span.end) - max(start, span.start)
            if overlap > most:
                best, most = att, overlap
    return best


def format_speaker_report(report: SpeakerReport) -> str:
    lines = [
        f"attributions: {report.model + ' preset' if report.model else 'gold'}"
        + (f" (found {report.found} of {report.total} annotated sources, speaker right in "
           f"{report.found_correct / report.found:.3f} of those)" if report.model and report.found else ""),
        f"sources scored: {report.total}",
        f"resolved-speaker accuracy: {report.speaker_accuracy:.3f}",
        f"source-type accuracy:      {report.type_accuracy:.3f}",
        f"anonymous-flag accuracy:   {report.anonymous_accuracy:.3f}",
    ]
    if len(report.files) > 1:
        lines.append("")
        for name, (n, right, typed) in report.files.items():
            if n:
                lines.append(f"  {name}: {n} sources, speaker {right / n:.3f}, type {typed / n:.3f}")
    lines += ["", "type                 sources  type right"]
    for t, n in sorted(report.by_type.items(), key=lambda kv: -kv[1]):
        lines.append(f"{t:<20} {n:>7}  {report.type_hits[t]:>10}")
    return "\n".join(lines) + "\n"


_DETERMINER = re.compile(r"^(the|a|an)\s+", re.I)
_POSSESSIVE = re.compile(r"['’]s?$")


def _normalise_name(name: str) -> str:
    """A name compared without case, spacing, apostrophe style ("O’Neill" is the resolver's "O'Neill"),
    a leading determiner or a trailing possessive."""
    name = " ".join(name.replace("\u00a0", " ").replace("\u2019", "'").split()).lower()
    return _POSSESSIVE.sub("", _DETERMINER.sub("", name)).strip()


def _same_name(got: str, gold: str) -> bool:
    return bool(got) and _normalise_name(got) == _normalise_name(gold)


def _read(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise OnrecordError("E305", E.E305.format(kind="speaker", folder="speakers", detail="no such file"), path=str(path))
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            item["start"], item["end"] = int(item["start"]), int(item["end"])
            item["speaker"], item["type"], item["article"], item["ann"]  # noqa: B018 - required keys
        except (ValueError, KeyError, TypeError) as exc:
            raise OnrecordError("E305", E.E305.format(kind="speaker", folder="speakers", detail=f"line {n}: {exc}"), path=str(path)) from exc
        if not item.get("doubtful"):
            out.append(item)
    return out
