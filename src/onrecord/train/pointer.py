"""Train a learned preset's pointer head on top of its shipped tagger.

``reads = "accurate"`` (the default) trains it over the MiniLM tagger's last
hidden layer, ``reads = "fast"`` over spaCy's tok2vec output beside the CRF
tagger. The tagger stays frozen: its features are computed once for every
PolNeAR train article, and only the small head is trained, so a run takes
minutes on two CPU cores instead of hours. The recipe, all of it in the
config file:

* **Examples.** Every cue the tagger finds in a train article (the cues the
  head will see at run time) is matched to the gold attribution whose cue
  overlaps it most. Its targets are that attribution's content, source and
  cue, as first and last pieces within ``window`` pieces of the cue. A cue
  matching no gold one has "none" for all three: the head learns to reject
  it. Every gold cue the tagger missed is one more example, anchored on the
  gold cue, so that all the gold contents and sources are learnt from.
  Doubly annotated articles give one example per annotation file. With
  ``rule_cues``, the cues only the rule extractor finds are examples too,
  and the shipped head reads them at run time (unless ``read_rule_cues``
  says otherwise).
* **Model.** Per piece: projections of its hidden state, of the cue's
  (mean of its pieces) and of their product, the tagger's logits, and
  embeddings of the distance to the cue, the paragraph distance and
  "inside the cue", and the rule extractor's hints (:data:`HINTS`: its
  quotations and roles, and its own reading of this cue); two
  convolutions (``kernel`` wide, default 5) over the window; six scores
  per piece (start and end of content, source and cue) plus six "none"
  scores from the cue and the pooled window. Loss: cross-entropy over the
  window's pieces and "none", for each of the six pointers.
* **Options.** ``syntax``: each piece also embeds how it hangs from the
  cue in spaCy's parse (:func:`~onrecord.extraction.pointer.branches`).
  ``pair_rank``: each piece also gives a start and an end vector of that
  rank, and a content's score adds their product (the ``pairs`` output, a
  positions x positions table), so its end can depend on its start; the
  content's loss is then one cross-entropy over every (start, end) pair
  and "none". ``read_logits = false``: the head does not read the
  tagger's scores (its graph has no ``logits`` input). ``cross_fit = k``
  (``fast`` only): a train article's CRF tags and cues come from CRFs
  fitted on the other folds of train (:func:`_cross_fitted`), the folds
  drawn with ``fold_seed`` (default: ``seed``), so that heads of several
  seeds can share one set of fold CRFs.
  ``teacher`` (``accurate`` only): an ``accurate`` model folder whose
  tagger and pointer head are larger (MPNet-base and the head trained on
  it). It reads every train article in the same word pieces, and its
  head's scores for each example become soft targets: the loss is
  ``(1 - distill)`` of the gold cross-entropy plus ``distill`` of the
  KL divergence from the teacher's six distributions at ``temperature``
  (:func:`_teacher_scores`), as the tagger's own distillation does;
  with ``distill_on = "matched"``, only for the cues that match a gold
  one (:func:`_taught`).
* **Why the tagger's own train articles mislead the head.** The tagger
  was fitted on the same train split, so there its tags are nearly the gold
  ones; a head trained over them learns to trust tags that are right far
  less often on new text. For ``fast`` the CRFs' tags are the only input
  that saw PolNeAR, and dropping them (``read_logits = false``) lifted dev
  pointer content from 0.561 to 0.619. MiniLM's last layer has the same
  flaw, but it is also the head's main input.
* AdamW with a one-cycle schedule; the last epoch is exported to ONNX and
  scored on dev with the whole pipeline (spaCy, tagger, grouping, head).
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import E, ModelError
from ..evaluate.polnear import evaluate_polnear
from ..extraction.pointer import (
    BRANCHES,
    BUCKETS,
    HINTS,
    POINTER_ROLES,
    PieceIndex,
    article_hints,
    branches,
    cue_hints,
    decode_batch,
    features,
    paragraphs,
    same_cue,
)
from ..extraction.tagging import ROLES, TaggerReading
from ..extraction.transformer import decode, load_accurate
from ._torch import Checkpoint, seed_and_threads, soft_kl
from .corpus import load_split

if TYPE_CHECKING:
    from ..extraction.crf import CrfTagger

__all__ = ["train_pointer"]

# What reads the articles (spaCy, the rules, the CRFs) is imported where it is used, so that the joint
# recipe (.joint) can train from examples read earlier, on a GPU machine that has torch but no spaCy.

#: Where each preset's run-time loader looks for another model folder.
_MODEL_ENV = {"accurate": "ONRECORD_ACCURATE_MODEL", "fast": "ONRECORD_FAST_MODEL"}
_INPUTS = ("hidden", "logits", "cue", "rel", "para", "iscue", "mask", "hints")


def _inputs(config: dict[str, Any]) -> tuple[str, ...]:
    """The head's inputs: with ``syntax``, also how each piece hangs from the cue in the parse."""
    return _INPUTS + ("branch",) if config.get("syntax") else _INPUTS


def train_pointer(config: dict[str, Any], out: Path, log) -> dict[str, Any]:
    """Run the recipe in ``config``; write checkpoints, ``metrics.json`` and ``model/pointer.onnx`` under ``out``."""
    import torch

    from ..nlp.loader import load_spacy

    seed_and_threads(config)
    window, preset = config["window"], config.get("reads", "accurate")
    started = time.perf_counter()
    nlp = load_spacy(config.get("spacy_model"))
    read = _reader(config, preset, nlp, out, log)
    normalised = bool(config.get("normalise", False))
    train_split = load_split(config["data"], "train", normalised=normalised)[: config.get("limit")]
    train_docs, train = _examples(read, nlp, train_split, window, config)
    dev_docs, dev = _examples(
        read, nlp, load_split(config["data"], "dev", normalised=normalised)[: config.get("dev_limit")], window, config
    )
    log(f"{len(train)} train and {len(dev)} dev cue examples; spaCy, the rules and the {preset} tagger read both "
        f"splits in {time.perf_counter() - started:.0f} s")

    texts = {ex.name: ex.text for ex in train_split}
    soft = _teacher_scores(config, texts, train, train_docs, out, log) if config.get("teacher") else None
    dim = next(iter(train_docs.values()))["hidden"].shape[1]
    model = _build_head(config, dim)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config["learning_rate"], weight_decay=config["weight_decay"])
    batch_size = config["batch_size"]
    steps = config["epochs"] * ((len(train) + batch_size - 1) // batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, config["learning_rate"], total_steps=steps, pct_start=0.1)
    checkpoint = Checkpoint(out / "checkpoint.pt", model, optimizer, schedule)
    fresh = {"epoch": 0, "history": [], "seconds": 0.0}
    state = checkpoint.load(fresh)
    if state is not fresh:
        log(f"resumed from {checkpoint.path} after epoch {state['epoch']}")
    loss_fn = torch.nn.CrossEntropyLoss()
    while state["epoch"] < config["epochs"]:
        epoch, started, losses = state["epoch"], time.perf_counter(), []
        order = list(range(len(train)))
        random.Random(config["seed"] + epoch).shuffle(order)
        model.train()
        for b in range(0, len(order), batch_size):
            rows = order[b : b + batch_size]
            inputs, targets = _batch([train[i] for i in rows], train_docs, window, _inputs(config))
            outputs = model(*inputs)
            loss = _with_teacher(_loss(outputs, targets, loss_fn), outputs, None if soft is None else soft[rows],
                                 targets, config)
            loss.backward()
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            losses.append(loss.item())
        state["seconds"] += time.perf_counter() - started
        exact = _pointer_exact(model, dev, dev_docs, window, config)
        state["history"].append({"epoch": epoch + 1, "loss": round(float(np.mean(losses)), 4), "dev_pointer_exact": exact})
        log(f"epoch {epoch + 1} loss {np.mean(losses):.4f}, dev pointer exact "
            + " ".join(f"{r} {exact[r]:.4f}" for r in POINTER_ROLES)
            + f" ({state['seconds'] / 60:.1f} min of training so far)")
        state["epoch"] = epoch + 1
        checkpoint.save(state)

    model.eval()
    shipped = out / "model"
    _ship_head(model, shipped, config, dim)
    final = _dev_scores(config, shipped, preset)
    log("shipped head, dev exact F1 " + " ".join(f"{r} {final[r]:.4f}" for r in ("source", "cue", "content")))
    return {"history": state["history"], "dev_exact_f1": final, "train_minutes": round(state["seconds"] / 60, 1),
            "model_mb": round((shipped / "pointer.onnx").stat().st_size / 2**20, 1)}


def _ship_head(model, shipped: Path, config: dict[str, Any], dim: int) -> None:
    """``pointer.onnx`` and the ``pointer.json`` the run-time loader reads, written into ``shipped``."""
    shipped.mkdir(exist_ok=True)
    window = config["window"]
    _export(model, shipped / "pointer.onnx", window, dim, _inputs(config), pairs=bool(config.get("pair_rank")))
    (shipped / "pointer.json").write_text(json.dumps({
        "window": window, "buckets": BUCKETS, "max_pieces": config["max_pieces"],
        "null_bias": config.get("null_bias", [0.0, 0.0, 0.0]), "batch_size": 16, "roles": list(POINTER_ROLES),
        "rule_cues": bool(config.get("read_rule_cues", config.get("rule_cues", False))),
        "rules_margin": config.get("rules_margin"),
    }, indent=2) + "\n", encoding="utf-8")


def _reader(config: dict[str, Any], preset: str, nlp, out: Path, log):
    """``read(doc, rule_atts) -> (reading with hidden features, the tagger's cues)`` for the preset's frozen tagger.

    With ``cross_fit = k`` (``fast`` only), a train article is read by CRFs fitted on the other folds
    of train (:func:`_cross_fitted`), a dev article by the shipped ones."""
    from ..extraction.crf import load_fast

    if preset == "fast":
        load_fast.cache_clear()
        crf = load_fast(config["tagger"])
        folds = _cross_fitted(config, nlp, out, log) if config.get("cross_fit") else {}

        def read_fast(doc, rule_atts) -> tuple[TaggerReading, list[tuple[int, int]]]:
            reading, (roles, _) = folds.get(doc.text, crf).read(doc, rule_atts)
            return TaggerReading(reading.offsets, reading.logits, doc.tensor), roles["cue"]

        return read_fast
    load_accurate.cache_clear()
    tagger = load_accurate(config["tagger"])
    if tagger.read("A check.").hidden is None:
        raise ModelError("E208", E.E208.format(path=config["tagger"]))

    def read_accurate(doc, rule_atts) -> tuple[TaggerReading, list[tuple[int, int]]]:
        reading = tagger.read(doc.text)
        return reading, decode(doc.text, reading.offsets, reading.log_probs)[0]["cue"]

    return read_accurate


def _cross_fitted(config: dict[str, Any], nlp, out: Path, log) -> dict[str, CrfTagger]:
    """Per train text, the CRFs fitted on the ``cross_fit - 1`` folds of train that do not hold it.

    The head learns how far to trust the CRFs' tags. The shipped CRFs were
    fitted on train itself, so on a train article their tags are nearly
    the gold ones, and a head trained over them learns to trust tags that
    are far less often right on new text. Tags from CRFs that never saw the
    article are as good as the head will get at run time. The folds use the
    shipped CRFs' own recipe (their ``metrics.json``) and are kept under
    ``out/folds`` for a resumed run.
    """
    from ..extraction.crf import CrfTagger, token_features, token_units
    from ..extraction.rules import extract_attributions
    from .crf import fit_crfs

    recipe = json.loads((Path(config["tagger"]) / "metrics.json").read_text(encoding="utf-8"))["config"]
    examples = load_split(config["data"], "train", normalised=bool(config.get("normalise", False)))
    examples = examples[: config.get("limit")]
    k = int(config["cross_fit"])
    fold_of = _folds([ex.name for ex in examples], k, config.get("fold_seed", config["seed"]))
    features: dict[str, list] = {}
    units: dict[str, list] = {}
    taggers: dict[str, CrfTagger] = {}
    for fold in range(k):
        folder = out / "folds" / str(fold)
        if not all((folder / f"{role}.crfsuite").is_file() for role in ROLES):
            if not features:  # parsed once, and only when a fold is still to fit
                texts = sorted({ex.text for ex in examples})
                for text, doc in zip(texts, nlp.pipe(texts, batch_size=8)):
                    features[text], units[text] = token_features(doc, extract_attributions(doc)), token_units(doc)
            fit_crfs([ex for ex in examples if fold_of[ex.name] != fold], features, units, recipe, folder)
        tagger = CrfTagger(folder)
        taggers.update({ex.text: tagger for ex in examples if fold_of[ex.name] == fold})
        log(f"CRFs for fold {fold + 1} of {k} ready ({folder})")
    return taggers


def _folds(names: list[str], k: int, seed: int) -> dict[str, int]:
    """Each article (by name: both annotation files of a doubly annotated one go together) in one of
    ``k`` folds of nearly equal size, shuffled by ``seed``."""
    order = sorted(set(names))
    random.Random(seed).shuffle(order)
    return {name: i % k for i, name in enumerate(order)}


def _examples(read, nlp, examples, window: int, config: dict[str, Any]):
    """Per article its readings; per cue (tagger's, rules' or missed gold) an (article, pieces, hints, branches,
    targets) tuple. The branches are None unless the config's head reads the parse (``syntax``); only
    then are the articles' parses kept."""
    from ..extraction.rules import extract_attributions

    rule_cues, syntax = bool(config.get("rule_cues", False)), bool(config.get("syntax", False))
    docs: dict[str, dict[str, Any]] = {}
    parsed: dict[str, tuple[Any, list[tuple[int, int]]]] = {}  # per article its parse and piece offsets
    out = []
    none = 2 * window + 1  # the "none" position
    for ex in examples:
        if ex.name not in docs:
            spacy_doc = nlp(ex.text)
            rule_atts = extract_attributions(spacy_doc)
            reading, cues = read(spacy_doc, rule_atts)
            if rule_cues:
                cues += [(r.cue[0].start, r.cue[0].end) for r in rule_atts
                         if r.cue and not any(s < r.cue[0].end and r.cue[0].start < e for s, e in cues)]
            pieces = PieceIndex(reading.offsets)
            docs[ex.name] = {"pieces": pieces, "hidden": reading.hidden.astype(np.float16),
                             "logits": reading.logits, "paras": paragraphs(ex.text, reading.offsets), "cues": cues,
                             "hints": article_hints(ex.text, pieces, rule_atts), "rules": rule_atts}
            if syntax:
                spacy_doc.tensor = np.zeros((len(spacy_doc), 0), dtype=np.float32)  # copied above; the parse is kept
                parsed[ex.name] = (spacy_doc, reading.offsets)
        doc = docs[ex.name]
        pieces = doc["pieces"]

        def own(cue: tuple[int, int]) -> list[tuple[int, int, int]]:
            return cue_hints(pieces, same_cue(cue, doc["rules"]))

        def tree(cue: tuple[int, int]) -> np.ndarray | None:
            return branches(*parsed[ex.name], [cue])[0].astype(np.int8) if syntax else None

        gold = [a for a in ex.attributions if a.cue]
        used = set()
        for start, end in doc["cues"]:
            anchor = pieces.find(start, end)
            if anchor is None:
                continue
            overlaps = [(min(end, g.cue[0].end) - max(start, g.cue[0].start), k) for k, g in enumerate(gold)]
            overlaps = [o for o in overlaps if o[0] > 0]
            if not overlaps:
                out.append((ex.name, anchor, own((start, end)), tree((start, end)), [none] * 2 * len(POINTER_ROLES)))
                continue
            k = max(overlaps)[1]
            used.add(k)
            out.append((ex.name, anchor, own((start, end)), tree((start, end)), _targets(pieces, anchor, gold[k], window)))
        for k, g in enumerate(gold):
            anchor = pieces.find(g.cue[0].start, g.cue[0].end)
            if k not in used and anchor is not None:
                cue = (g.cue[0].start, g.cue[0].end)
                out.append((ex.name, anchor, own(cue), tree(cue), _targets(pieces, anchor, g, window)))
    return docs, out


def _teacher_scores(config: dict[str, Any], texts: dict[str, str], train, docs, out: Path, log) -> np.ndarray:
    """The teacher head's scores for every train example, (examples, positions + 1, 6) in float16.

    The teacher reads each article (``texts`` by name) with its own tagger; the example's cue
    and the rules' hints are the student's, which index the same pieces
    (E210 otherwise). Kept in the output folder as ``teacher-scores.npz``
    with the teacher's folder and the examples' anchors, so a resumed run
    need not read the articles again.
    """
    cache = out / "teacher-scores.npz"
    anchors = np.array([anchor for _, anchor, *_ in train], dtype=np.int64).reshape(-1, 2)
    if cache.is_file():
        kept = np.load(cache)
        if str(kept["teacher"]) == config["teacher"] and np.array_equal(kept["anchors"], anchors):
            log(f"teacher scores read from {cache}")
            return kept["scores"]
    started = time.perf_counter()
    teacher = load_accurate(config["teacher"])
    head = teacher.pointer
    problem = _unfit_teacher(head, config["window"])
    if problem:
        raise ModelError("E210", E.E210.format(path=config["teacher"], detail=problem))
    rows: dict[str, list[int]] = {}
    for i, (name, *_) in enumerate(train):
        rows.setdefault(name, []).append(i)
    scores = np.zeros((len(train), 2 * head.window + 2, 2 * len(POINTER_ROLES)), dtype=np.float16)
    for name, idx in rows.items():
        reading, doc = teacher.read(texts[name]), docs[name]
        if len(reading.offsets) != len(doc["pieces"]):
            raise ModelError("E210", E.E210.format(path=config["teacher"], detail=(
                f"cuts article {name} into {len(reading.offsets)} word pieces, the student's tagger into "
                f"{len(doc['pieces'])}")))
        batches = head.scores(reading.hidden, reading.logits, doc["paras"], [train[i][1] for i in idx], doc["hints"],
                              [train[i][2] for i in idx])
        scores[idx] = np.concatenate(list(batches))
    np.savez(cache, scores=scores, anchors=anchors, teacher=np.array(config["teacher"]))
    log(f"the teacher scored {len(train)} train examples in {time.perf_counter() - started:.0f} s")
    return scores


def _with_teacher(loss, outputs, teacher: np.ndarray | None, targets, config: dict[str, Any]):
    """``loss`` (the gold cross-entropy of ``outputs``) mixed with the soft loss from the teacher's scores for the
    same examples: ``(1 - distill)`` of one plus ``distill`` of the other, at ``temperature``, on the examples
    ``distill_on`` picks (:func:`_taught`); ``loss`` itself when there is no teacher. The frozen and the joint
    recipes both mix it so."""
    if teacher is None:
        return loss
    distill = float(config.get("distill", 0.5))
    soft = _soft_loss(outputs, teacher, targets, float(config.get("temperature", 2.0)), config.get("distill_on", "all"))
    return (1 - distill) * loss + distill * soft


def _soft_loss(outputs, teacher: np.ndarray, targets, temperature: float, on: str = "all"):
    """The KL divergence of the head's six distributions from the teacher's (summed), averaged over the batch;
    the examples :func:`_taught` leaves out add nothing to it."""
    import torch

    keep = _taught(targets.cpu().numpy(), outputs.shape[1] - 1, on)
    if not keep.any():
        return outputs.new_zeros(())
    rows = torch.from_numpy(keep).to(outputs.device)
    teacher_t = torch.from_numpy(teacher[keep].astype(np.float32)).to(outputs.device)
    soft = sum(soft_kl(outputs[rows][:, :, k], teacher_t[:, :, k], temperature) for k in range(outputs.shape[2]))
    return float(keep.mean()) * soft


def _taught(targets: np.ndarray, none: int, on: str = "all") -> np.ndarray:
    """Which examples of a batch learn from the teacher: all, or with ``distill_on = "matched"`` those whose
    cue matches a gold attribution (a target other than ``none``).

    The teacher's head never read the student's false cues, and taught on them it made the student's head
    accept more of them (docs/experiments.md, 7 December 2026), so ``matched`` leaves their "none" to the
    gold alone.
    """
    return np.ones(len(targets), dtype=bool) if on == "all" else (targets != none).any(axis=1)


def _unfit_teacher(head, window: int) -> str | None:
    """Why a teacher's pointer head cannot teach this recipe's head, or None."""
    if head is None:
        return "has no pointer head"
    if head.window != window:
        return f"reads {head.window} pieces either side of a cue, not {window}"
    return "has a head that reads the parse" if head.syntax else None


def _targets(pieces, anchor: tuple[int, int], att, window: int) -> list[int]:
    """First and last piece of the content, source and (first) cue, relative to the window; "none" if absent."""
    lo, none = anchor[0] - window, 2 * window + 1
    out = []
    for role in POINTER_ROLES:
        spans = getattr(att, role)[:1] if role == "cue" else getattr(att, role)
        found = pieces.find(min(s.start for s in spans), max(s.end for s in spans)) if spans else None
        if found is None or found[0] < lo or found[1] > anchor[0] + window:
            out += [none, none]
        else:
            out += [found[0] - lo, found[1] - lo]
    return out


def _batch(examples, docs, window: int, names: tuple[str, ...] = _INPUTS):
    import torch

    rows: dict[str, list[np.ndarray]] = {name: [] for name in names}
    for name, anchor, own, tree, _ in examples:
        doc = docs[name]
        built = features(doc["hidden"], doc["logits"], doc["paras"], [anchor], window, doc["hints"], [own],
                         None if tree is None else [tree])
        for key in names:
            rows[key].append(built[key])
    inputs = [torch.from_numpy(np.concatenate(rows[key])) for key in names]
    return inputs, torch.from_numpy(np.array([t for *_, t in examples], dtype=np.int64))


def _loss(outputs, targets, loss_fn):
    """Cross-entropy of each pointer; with ``pair_rank``, the content's is one over all its (start, end)
    pairs and "none", scored as :func:`decode_batch` scores them."""
    import torch

    if not isinstance(outputs, tuple):
        return sum(loss_fn(outputs[:, :, k], targets[:, k]) for k in range(targets.shape[1]))
    scores, pairs = outputs
    n = pairs.shape[1]
    spans = scores[:, :n, 0, None] + scores[:, None, :n, 1] + pairs
    spans = spans.masked_fill(torch.ones(n, n, dtype=torch.bool).tril(-1), -1e4)  # an end before its start
    none = scores[:, n, 0] + scores[:, n, 1]
    joint = torch.cat([spans.flatten(1), none[:, None]], 1)
    gold = torch.where(targets[:, 0] == n, n * n, targets[:, 0] * n + targets[:, 1])
    return loss_fn(joint, gold) + sum(loss_fn(scores[:, :, k], targets[:, k]) for k in range(2, targets.shape[1]))


def _pointer_exact(model, examples, docs, window: int, config) -> dict[str, float]:
    """Share of dev examples whose span (or "none") the decoder gets exactly, per role."""
    import torch

    model.eval()
    right = np.zeros(len(POINTER_ROLES))
    none = 2 * window + 1
    with torch.no_grad():
        for b in range(0, len(examples), 64):
            chunk = examples[b : b + 64]
            inputs, targets = _batch(chunk, docs, window, _inputs(config))
            outputs = model(*inputs)
            scores, pairs = outputs if isinstance(outputs, tuple) else (outputs, None)
            scores = torch.log_softmax(scores, dim=1).numpy()
            pairs = None if pairs is None else pairs.numpy()
            for (*_, t), found in zip(chunk, decode_batch(scores, config["max_pieces"], pairs=pairs)):
                for r in range(len(POINTER_ROLES)):
                    gold = None if t[2 * r] == none else (t[2 * r], t[2 * r + 1])
                    right[r] += found[r] == gold
    return {role: round(float(right[r] / max(len(examples), 1)), 4) for r, role in enumerate(POINTER_ROLES)}


def _dev_scores(config: dict[str, Any], head_dir: Path, preset: str) -> dict[str, float]:
    """PolNeAR dev exact F1 of the whole preset's pipeline with this head beside the tagger."""
    import os
    import shutil
    import tempfile

    from ..extraction.crf import load_fast
    from ..pipeline import Extractor

    with tempfile.TemporaryDirectory() as tmp:
        for item in Path(config["tagger"]).iterdir():
            if item.is_file() and item.name not in ("pointer.onnx", "pointer.json"):
                shutil.copy(item, Path(tmp) / item.name)
        for name in ("pointer.onnx", "pointer.json"):
            shutil.copy(head_dir / name, Path(tmp) / name)
        env = _MODEL_ENV[preset]
        before = os.environ.get(env)
        os.environ[env] = tmp
        load_accurate.cache_clear()
        load_fast.cache_clear()
        try:
            report = evaluate_polnear(config["data"], "dev", Extractor(model=preset).attributions)
        finally:
            if before is None:
                os.environ.pop(env)
            else:
                os.environ[env] = before
            load_accurate.cache_clear()
            load_fast.cache_clear()
    return {role: round(report.counts.role(role, "exact").f1, 4) for role in ("source", "cue", "content")}


def _export(model, path: Path, window: int, dim: int, names: tuple[str, ...], pairs: bool = False) -> Path:
    import torch

    width = 2 * window + 1
    example = (
        torch.zeros((2, width, dim)), torch.zeros((2, width, 9)), torch.zeros((2, dim)),
        torch.zeros((2, width), dtype=torch.long), torch.zeros((2, width), dtype=torch.long),
        torch.zeros((2, width), dtype=torch.long), torch.ones((2, width), dtype=torch.bool),
        torch.zeros((2, width, HINTS)), torch.zeros((2, width), dtype=torch.long),
    )
    outputs = ["scores", "pairs"] if pairs else ["scores"]
    torch.onnx.export(
        model, example[: len(names)], str(path), input_names=list(names), output_names=outputs,
        dynamic_axes={**{name: {0: "cues"} for name in names + tuple(outputs)}},
        opset_version=17, dynamo=False,
    )
    return path


def _build_head(config: dict[str, Any], dim: int):
    """The head over ``dim``-wide features (see the module docstring); defined here so that importing this
    module does not import torch."""
    import torch

    width, dropout, kernel = config["width"], config.get("dropout", 0.1), config.get("kernel", 5)
    rank = config.get("pair_rank", 0)
    roles = 2 * len(POINTER_ROLES)

    class Head(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.piece = torch.nn.Linear(dim, width)
            self.cue = torch.nn.Linear(dim, width, bias=False)
            self.both = torch.nn.Linear(dim, width, bias=False)
            self.tags = torch.nn.Linear(9, width, bias=False) if config.get("read_logits", True) else None
            self.rel = torch.nn.Embedding(BUCKETS, width)
            self.para = torch.nn.Embedding(7, width)
            self.iscue = torch.nn.Embedding(2, width)
            self.hints = torch.nn.Linear(HINTS, width, bias=False)
            self.conv1 = torch.nn.Conv1d(width, width, kernel, padding=kernel // 2)
            self.conv2 = torch.nn.Conv1d(width, width, kernel, padding=kernel // 2)
            self.out = torch.nn.Linear(width, roles)
            self.none = torch.nn.Sequential(torch.nn.Linear(dim + width, width), torch.nn.ReLU(), torch.nn.Linear(width, roles))
            self.dropout = torch.nn.Dropout(dropout)
            self.pairs = torch.nn.Linear(width, 2 * rank) if rank else None
            self.branch = torch.nn.Embedding(BRANCHES, width) if config.get("syntax") else None

        def forward(self, hidden, logits, cue, rel, para, iscue, mask, hints, branch=None):
            x = (self.piece(hidden) + self.cue(cue)[:, None] + self.both(hidden * cue[:, None])
                 + self.rel(rel) + self.para(para) + self.iscue(iscue) + self.hints(hints))
            if self.tags is not None:
                x = x + self.tags(logits)
            if self.branch is not None:
                x = x + self.branch(branch)
            x = self.dropout(torch.relu(x)).transpose(1, 2)
            x = torch.relu(self.conv1(x))
            x = torch.relu(self.conv2(x) + x).transpose(1, 2)
            scores = self.out(x).masked_fill(~mask[..., None], -1e4)
            pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1)
            scores = torch.cat([scores, self.none(torch.cat([cue, pooled], -1))[:, None]], 1)
            if self.pairs is None:
                return scores
            starts, ends = self.pairs(x).chunk(2, dim=-1)
            return scores, starts @ ends.transpose(1, 2)

    return Head()
