"""Train the ``fast`` preset: three CRFsuite models over spaCy token features.

Every PolNeAR train article is parsed once with the spaCy model, the rule
extractor is run on it, and each annotation file becomes one labelled
sequence per role. CRFsuite fits each role with L-BFGS and elastic-net
regularisation (``c1``, ``c2``); the result is scored on dev through the
same code path ``--model fast`` uses. With ``normalise = true`` it trains
and scores on the text as onrecord reads it at run time (straight quotes,
plain spaces; :mod:`.corpus`).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from ..evaluate.polnear import evaluate_polnear
from ..extraction.crf import load_fast, token_features, token_units
from ..extraction.rules import extract_attributions
from ..extraction.tagging import ROLES, TAGS, bio_tags, group
from ..nlp.loader import load_spacy
from .corpus import load_split, on_normalised

__all__ = ["fit_crfs", "train_crf"]


def train_crf(config: dict[str, Any], out: Path, log) -> dict[str, Any]:
    """Fit one CRF per role on PolNeAR train; write them to ``out/model`` and score them on dev."""
    normalised = bool(config.get("normalise", False))
    examples = load_split(config["data"], "train", normalised=normalised)[: config.get("limit")]
    nlp = load_spacy(config.get("spacy_model"))
    texts = sorted({ex.text for ex in examples})
    log(f"parsing {len(texts)} articles with {nlp.meta['name']}")
    features, units = {}, {}
    for text, doc in zip(texts, nlp.pipe(texts, batch_size=8)):
        features[text] = token_features(doc, extract_attributions(doc))
        units[text] = token_units(doc)
    model_dir = out / "model"
    for role, loss in fit_crfs(examples, features, units, config, model_dir).items():
        log(f"{role}: trained, {loss:.1f} final loss")
    load_fast.cache_clear()
    tagger = load_fast(str(model_dir))

    def read(text: str):
        doc = nlp(text)
        roles, confidence = tagger.predict(doc, extract_attributions(doc))
        return group(text, roles, [s.start_char for s in doc.sents], confidence=confidence)

    predict = on_normalised(read) if normalised else partial(map, read)
    report = evaluate_polnear(config["data"], "dev", predict, limit=config.get("dev_limit"))
    scores = {role: round(report.counts.role(role, "exact").f1, 4) for role in ROLES}
    log("dev exact F1 " + " ".join(f"{r} {scores[r]:.4f}" for r in ROLES))
    return {"dev_exact_f1": scores, "model_mb": round(sum(f.stat().st_size for f in model_dir.iterdir()) / 2**20, 1)}


def fit_crfs(examples, features: dict[str, list], units: dict[str, list], config: dict[str, Any], model_dir: Path):
    """Fit one CRF per role on ``examples`` (their token ``features`` and ``units`` by text) with the
    config's ``c1``, ``c2`` and ``max_iterations``; write them to ``model_dir``. Returns each role's final loss."""
    import pycrfsuite

    model_dir.mkdir(parents=True, exist_ok=True)
    losses = {}
    for role in ROLES:
        trainer = pycrfsuite.Trainer(verbose=False)
        for ex in examples:
            labels = [TAGS[t] for t in bio_tags(units[ex.text], ex.roles[role])]
            trainer.append(features[ex.text], labels)
        trainer.set_params({
            "c1": config["c1"], "c2": config["c2"], "max_iterations": config["max_iterations"],
            "feature.possible_transitions": True,
        })
        trainer.train(str(model_dir / f"{role}.crfsuite"))
        losses[role] = trainer.logparser.last_iteration["loss"]
    return losses
