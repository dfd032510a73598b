"""The ``fast`` preset: a linear-chain CRF per role over spaCy tokens.

It reads what the spaCy pipeline already computed (lemma, tag, dependency
arc, entity type), onrecord's cue lexicon, quotation marks and, above all,
the rule extractor's own reading of the sentence, and learns from PolNeAR
where to trust, extend or overrule it. One CRF per role (source, cue,
content) because roles nest; CRFsuite tags an article in milliseconds, so
the preset costs little more than the spaCy parse it needs anyway.

Models live in ``onrecord/models/fast`` as ``source.crfsuite``,
``cue.crfsuite`` and ``content.crfsuite``; ``onrecord train configs/fast.toml``
rebuilds them. Where the folder also holds ``pointer.onnx``, a pointer head
(:mod:`.pointer`) reads each cue's source, cue and content again from
spaCy's tok2vec output, as the ``accurate`` preset's does from its
transformer (``configs/fast-pointer.toml``).
"""

from __future__ import annotations

import os
from functools import lru_cache
from itertools import chain
from pathlib import Path

import numpy as np
from spacy.tokens import Doc

from ..errors import E, ModelError
from ..model import Attribution
from ._text import doc_text, quotes_in
from .lexicon import cue_ratio
from .pointer import load_pointer
from .tagging import (
    MODELS_DIR,
    ROLES,
    TAGS,
    Prediction,
    TaggerReading,
    bio_tags,
    role_spans,
)

__all__ = ["CrfTagger", "load_fast", "token_features", "token_units"]

_WINDOW = (-2, -1, 1, 2)
_ONE_HOT = 5.0  # a CRF tag as the pointer head's "logit": on the scale of the accurate tagger's margins
_ATTRS = ["LOWER", "TAG", "DEP", "ENT_IOB", "ENT_TYPE", "SHAPE", "SENT_START", "LEMMA"]
_LOWER, _TAG, _DEP, _ENT_IOB, _ENT_TYPE, _SHAPE, _SENT_START, _LEMMA = range(len(_ATTRS))
_IOB = ("", "I", "O", "B")  # Token.ent_iob_ by its integer code


class _StringCache(dict):
    """spaCy string-store hashes to strings, each looked up once per document."""

    def __init__(self, doc: Doc) -> None:
        super().__init__()
        self.store = doc.vocab.strings
        self.lowered: dict[int, str] = {}

    def __missing__(self, key: int) -> str:
        value = self[key] = self.store[key] if key else ""
        return value

    def lower(self, key: int) -> str:
        if key not in self.lowered:
            self.lowered[key] = self[key].lower()
        return self.lowered[key]


def token_units(doc: Doc) -> list[tuple[int, int]]:
    """Character range of every token of ``doc`` (read in one ``Doc.to_array``, not a Token per token)."""
    return [(start, start + length) for start, length in doc.to_array(["IDX", "LENGTH"]).tolist()]


def token_features(
    doc: Doc, rule_atts: list[Attribution], units: list[tuple[int, int]] | None = None, text: str | None = None
) -> list[list[str]]:
    """CRFsuite feature strings for every token of ``doc``.

    ``rule_atts`` is the rule extractor's output on the same doc; each
    token learns which role (B/I) the rules gave it. ``units`` (the tokens'
    character ranges) and ``text`` (``doc.text``) save work if the caller
    has them already.

    Token attributes are read in one ``Doc.to_array`` call, their strings
    looked up once per distinct value, and each feature built a column at a
    time rather than a token at a time: this runs for every token of every
    article (about 7 ms an article here, a fifth of what ``fast`` adds to the
    parse). The features are exactly those the shipped model was trained on.
    """
    units = units or token_units(doc)
    rules = [[TAGS[t] for t in bio_tags(units, [(s.start, s.end) for a in rule_atts for s in getattr(a, role)])]
             for role in ROLES]
    columns = doc.to_array(_ATTRS).T.tolist()
    strings = _StringCache(doc)
    n = len(doc)
    heads = [i + offset for i, offset in enumerate(doc.to_array("HEAD").astype("int64").tolist())]  # signed offsets
    lemmas = [strings.lower(key) for key in columns[_LEMMA]]
    deps = [strings[key] for key in columns[_DEP]]
    buckets = [_bucket(cue_ratio(lemma)) for lemma in lemmas]
    # The five features a token also lends its neighbours (word, tag, arc, rules' roles, quotation)
    shared = (
        ["w=" + strings[key] for key in columns[_LOWER]],
        ["p=" + strings[key] for key in columns[_TAG]],
        ["d=" + dep for dep in deps],
        ["r=" + "".join(tags) for tags in zip(*rules)],
        ["q=" + mark for mark in _in_quote(doc, text)],
    )
    own = (
        [f"e={_IOB[iob]}{strings[kind]}" for iob, kind in zip(columns[_ENT_IOB], columns[_ENT_TYPE])],
        ["c=" + bucket for bucket in buckets],
        ["hc=" + buckets[h] for h in heads],
        [f"hd={deps[h]}|{dep}" for h, dep in zip(heads, deps)],
        ["hl=" + lemmas[h] for h in heads],
        ["l=" + lemma for lemma in lemmas],
        ["s=" + strings[key][:4] for key in columns[_SHAPE]],
        ["ss=1" if start == 1 else "ss=0" for start in columns[_SENT_START]],
        ["side=L" if h > i else "side=R" if h < i else "side=H" for i, h in enumerate(heads)],
    )
    scope = _cue_scope(doc, heads, lemmas, deps)
    windows = [_shifted([[f"{off}{f}" for f in column] for column in shared], off, n, f"{off}edge") for off in _WINDOW]
    rule_pairs = ["r-1r=edge|" + shared[3][0]] if n else []
    rule_pairs += [f"r-1r={before}|{after}" for before, after in zip(shared[3], shared[3][1:])]
    out = []
    for base, scoped, lent, pair in zip(zip(*shared, *own), scope, zip(*windows), rule_pairs):
        out.append(["b", *base, *scoped, *chain.from_iterable(lent), pair])
    return out


def _shifted(lent: list[list[str]], off: int, n: int, edge: str) -> list[tuple[str, ...]]:
    """Per token, the neighbour ``off`` away's five lent features, or ``edge`` past either end of the doc."""
    out: list[tuple[str, ...]] = [(edge,)] * n
    lo, hi = max(0, -off), min(n, n - off)
    out[lo:hi] = zip(*(column[lo + off : hi + off] for column in lent))
    return out


def _cue_scope(doc: Doc, heads: list[int], lemmas: list[str], deps: list[str]) -> list[tuple[str, ...]]:
    """Per token: is it inside the clause a likely cue governs, and at that clause's edge?

    Contents are mostly one syntactic unit under the cue (the ccomp of
    "said", the object of "according to"); a linear-chain CRF cannot see tree
    scope, so the nearest cue-like ancestor, the arc under it, and whether the
    token opens or closes that subtree are handed to it as features.
    """
    ratios = [cue_ratio(lemma) for lemma in lemmas]
    out: list[tuple[str, ...]] = []
    for i in range(len(doc)):
        # A root is its own head: a cue-like root counts as governing itself (the shipped model learnt that).
        child, node, found = i, heads[i], ()
        for depth in range(6):
            if ratios[node] >= 0.2:
                under = doc[child]
                edge = "L" if i == under.left_edge.i else "R" if i == under.right_edge.i else "M"
                found = (f"sc={deps[child]}|{_bucket(ratios[node])}", f"se={deps[child]}|{edge}", f"sd={min(depth, 3)}")
                break
            child, node = node, heads[node]
        out.append(found)
    return out


def _bucket(ratio: float) -> str:
    return "0" if ratio <= 0 else "1" if ratio < 0.1 else "2" if ratio < 0.3 else "3" if ratio < 0.6 else "4"


def _in_quote(doc: Doc, text: str | None = None) -> list[str]:
    """Per token: Q inside a quotation, M on a quotation mark, O outside."""
    marks = ["O"] * len(doc)
    for q in quotes_in(doc_text(doc) if text is None else text):
        span = doc.char_span(q.start, q.end, alignment_mode="expand")
        if span is None:
            continue
        marks[span.start : span.end] = ["Q"] * len(span)
        marks[span.start] = marks[span.end - 1] = "M"
    return marks


class CrfTagger:
    """Three CRFsuite taggers, one per role, and the pointer head if the model folder has one."""

    def __init__(self, directory: Path) -> None:
        import pycrfsuite

        self.taggers = {}
        for role in ROLES:
            tagger = pycrfsuite.Tagger()
            tagger.open(str(directory / f"{role}.crfsuite"))
            self.taggers[role] = tagger
        self.pointer = load_pointer(directory, "fast")

    def read(self, doc: Doc, rule_atts: list[Attribution]) -> tuple[TaggerReading, Prediction]:
        """Per token its tags (as one-hot scores) and, for the pointer head, spaCy's tok2vec output;
        with them, the role spans in ``doc.text`` and a confidence (mean marginal) per cue."""
        import pycrfsuite

        text = doc_text(doc)
        units = token_units(doc)
        items = pycrfsuite.ItemSequence(token_features(doc, rule_atts, units, text))
        roles: dict[str, list[tuple[int, int]]] = {}
        confidence: dict[tuple[int, int], float] = {}
        logits = np.zeros((len(units), len(ROLES) * len(TAGS)), dtype=np.float32)
        for r, (role, tagger) in enumerate(self.taggers.items()):
            labels = tagger.tag(items)
            tags = [TAGS.index(label) for label in labels]
            logits[np.arange(len(tags)), r * len(TAGS) + np.array(tags, dtype=np.int64)] = _ONE_HOT
            found = role_spans(text, tags, units)
            if role == "cue":
                for span, inside in found:
                    confidence[span] = sum(tagger.marginal(labels[i], i) for i in inside) / max(1, len(inside))
            roles[role] = sorted({span for span, _ in found})
        return TaggerReading(units, logits, self._features(doc)), (roles, confidence)

    def _features(self, doc: Doc):
        """spaCy's tok2vec output for the head, if there is a head and the output is what it was trained on
        (another spaCy pipeline may have none, or another width: the preset then runs without the head)."""
        tensor = doc.tensor
        if self.pointer is None or tensor is None or tensor.ndim != 2 or len(tensor) != len(doc):
            return None
        return tensor if self.pointer.dim in (None, tensor.shape[1]) else None

    def predict(self, doc: Doc, rule_atts: list[Attribution]) -> Prediction:
        """Role spans in ``doc.text`` and a confidence (mean marginal) per cue."""
        return self.read(doc, rule_atts)[1]


@lru_cache(maxsize=2)
def load_fast(path: str | None = None) -> CrfTagger:
    """The ``fast`` tagger from ``path`` (default: ``$ONRECORD_FAST_MODEL``, else the shipped model),
    loaded once per process, with its pointer head if the folder has one."""
    directory = Path(path or os.environ.get("ONRECORD_FAST_MODEL") or MODELS_DIR / "fast")
    missing = [str(directory / f"{r}.crfsuite") for r in ROLES if not (directory / f"{r}.crfsuite").is_file()]
    if missing:
        raise ModelError("E203", E.E203.format(preset="fast", missing=", ".join(missing)))
    try:
        return CrfTagger(directory)
    except ImportError as exc:  # pragma: no cover - python-crfsuite is an install requirement
        raise ModelError("E204", E.E204.format(package=exc.name)) from exc
