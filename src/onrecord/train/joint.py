"""Train the ``accurate`` tagger and its pointer head together (``tune_encoder = true`` in a pointer config).

The plain pointer recipe (:mod:`.pointer`) freezes the tagger and trains the
head over features computed once. Here the MiniLM encoder keeps learning
under the head: every step runs the encoder over whole train articles, the
head reads each cue of them from that fresh last layer, and the loss is the
head's plus ``tagger_loss`` times the tagger's own BIO loss (so its tags,
which find the cues at run time, do not drift). What the two models learn
is then one representation of "this cue's content ends here" instead of a
head guessing it from features tuned for BIO tags.

* **Start.** ``start = "shipped"`` (the default): the encoder and the head
  start from the shipped tagger's and head's own weights, read back out of
  their ONNX files (the tagger's int8: :func:`tagger_from_onnx`), so no
  float checkpoint needs to be kept. ``start = "base"``: from the base
  encoder's weights, with a new tag layer and head, as the tagger's own
  recipe (:mod:`.transformer`) starts; the encoder then never saw train
  without the head (give it that recipe's rate and epochs).
* **Examples.** The same cue examples as the frozen recipe
  (:func:`.pointer._examples`): the shipped tagger's cues, the rules' cues
  and the gold cues it missed, fixed for the run and kept in the output
  folder (:func:`_prepared`). Only their reading needs spaCy and the
  corpus; the training itself runs on a machine with neither.
* **Schedule.** ``frozen_epochs`` (default 0) train the head alone over the
  encoder's output (no gradient through it, so cheap); then the encoder's
  top ``tune_layers`` layers (default: all) learn at ``encoder_learning_rate``
  with warm-up and linear decay. The head follows a one-cycle schedule over
  the whole run, as in the frozen recipe.
* **Teacher.** With ``teacher`` (a larger ``accurate`` model folder with
  a pointer head), the head's loss also learns from the teacher head's
  scores for the same cues, as the frozen recipe's ``teacher`` option
  does (``distill``, ``temperature``, ``distill_on``), so that the
  encoder, not only the head, is pulled towards the teacher's decisions.
* **Out.** The tagger is exported as the frozen recipe exports it (int8,
  with ``hidden``) and the head beside it, so the run-time code is the same.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import pickle
import random
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..extraction.pointer import POINTER_ROLES, features
from ..extraction.tagging import ROLES, assemble, bio_tags
from ..extraction.transformer import WordPieceTagger, load_accurate
from ..errors import E, ModelError
from ._torch import Checkpoint, optimise, pick_device, seed_and_threads
from .corpus import load_split
from .pointer import _build_head, _inputs, _loss, _pointer_exact, _ship_head, _teacher_scores, _with_teacher
from .transformer import _export as _export_tagger
from .transformer import _build_tagger, base_tagger, quantize

__all__ = ["train_joint", "prepare_examples", "tagger_from_onnx", "weights_from_onnx"]

_IGNORE = -100


def weights_from_onnx(path: Path) -> dict[str, np.ndarray]:
    """The float weights of a module torch exported to ``path``, by the module's own parameter names.

    Named initialisers keep their names (without the export wrapper's
    ``tagger.`` prefix); a matrix product's weight is named after nothing, so
    it takes the name of the node that multiplies by it ("/piece/MatMul" is
    ``piece.weight``) and is transposed back. Quantised weights
    (``*_quantized`` with ``*_scale`` and ``*_zero_point``) are dequantised.
    """
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(path)).graph
    arrays = {i.name: numpy_helper.to_array(i) for i in graph.initializer}

    def weight(name: str) -> np.ndarray:
        if name + "_quantized" not in arrays:
            return arrays[name].astype(np.float32)
        q = arrays[name + "_quantized"].astype(np.float32)
        return (q - arrays[name + "_zero_point"].astype(np.float32)) * arrays[name + "_scale"].astype(np.float32)

    out = {}
    for name in arrays:
        plain = name.removesuffix("_quantized")
        if not name.endswith(("_scale", "_zero_point")) and not plain.startswith("onnx::"):
            out[plain.removeprefix("tagger.")] = weight(plain)
    for node in graph.node:
        matrix = node.input[1].removesuffix("_quantized") if len(node.input) > 1 else ""
        stored = matrix in arrays or matrix + "_quantized" in arrays  # not a product of two activations
        if node.op_type in ("MatMul", "MatMulInteger") and matrix.startswith("onnx::") and stored:
            module = node.name.strip("/").rsplit("/", 1)[0].replace("/", ".")
            out[module + ".weight"] = weight(matrix).T
    return out


def _load(module, path: Path, skip: str = "pooler") -> None:
    """Load :func:`weights_from_onnx` into ``module``; every parameter but ``skip`` ones must be found."""
    import torch

    found = weights_from_onnx(path)
    own = module.state_dict()
    missing = [k for k in own if k not in found and skip not in k]  # the tagger's export never runs the pooler
    if missing:
        raise ValueError(f"{path}: no weights found for {', '.join(missing[:5])}")
    module.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in found.items() if k in own},
                           strict=False)


def tagger_from_onnx(path: Path, base: str):
    """The torch tagger (:func:`.transformer._build_tagger`) with the weights of an exported ONNX tagger,
    int8 or not, so that training can go on from a shipped model without a float checkpoint.

    The encoder's architecture is the base's ``config.json``, kept beside the
    tagger as ``encoder.json``, so that the base package (and its 90 MB of
    weights, which the ONNX file replaces) need not be installed; without
    that file it comes from the base package ``base``.
    """
    described = Path(path).parent / "encoder.json"
    if not described.is_file():
        model = base_tagger(base)
    else:
        from transformers import AutoConfig, AutoModel

        fields = {k: v for k, v in json.loads(described.read_text(encoding="utf-8")).items() if not k.startswith("_")}
        model = _build_tagger(AutoModel.from_config(AutoConfig.for_model(fields.pop("model_type"), **fields)))
    _load(model, path)
    return model


class _Article:
    """One train or dev article as the joint step reads it: every run-time window in one batch, where each
    piece is read from (:func:`~onrecord.extraction.tagging.assemble`), and the BIO labels of each annotation."""

    def __init__(self, tagger: WordPieceTagger, text: str) -> None:
        ids, self.offsets = tagger.pieces(text)
        [(self.ids, self.mask, self.spans)] = tagger.batches(ids, batch_size=len(ids))  # every window at once
        width = self.ids.shape[1]
        where = [np.arange(row * width + 1, row * width + 1 + e - s)[:, None] for row, (s, e) in enumerate(self.spans)]
        self.take = assemble(where, self.spans, len(ids))[:, 0]
        self.labels: list[np.ndarray] = []

    def add_labels(self, roles: dict[str, list[tuple[int, int]]]) -> None:
        per_piece = np.array([bio_tags(self.offsets, roles[role]) for role in ROLES], dtype=np.int64).T
        labels = np.full((*self.ids.shape, len(ROLES)), _IGNORE, dtype=np.int64)
        for row, (s, e) in enumerate(self.spans):
            labels[row, 1 : 1 + e - s] = per_piece[s:e]
        self.labels.append(labels)


def _read(model, article: _Article, device: str):
    """(logits per window, the article's stitched last layer and logits)."""
    import torch

    ids, mask = torch.from_numpy(article.ids).to(device), torch.from_numpy(article.mask).to(device)
    hidden = model.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
    logits = model.head(model.dropout(hidden))
    take = torch.from_numpy(article.take).to(device)
    return logits, hidden.reshape(-1, hidden.shape[-1])[take], logits.reshape(-1, logits.shape[-1])[take]


def _gather_plan(examples, doc: dict[str, Any], n: int, window: int, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """:func:`~onrecord.extraction.pointer.features` for ``examples`` of one article of ``n`` pieces, with
    ``hidden`` replaced by where each row's pieces come from (piece index + 1; 0 outside the article), so
    that the features of a last layer still being trained can be gathered from it with their gradient."""
    index = np.arange(1, n + 1, dtype=np.float32)[:, None]
    rows: dict[str, list[np.ndarray]] = {name: [] for name in names}
    for _, anchor, own, tree, _ in examples:
        built = features(index, np.zeros((n, 9), dtype=np.float32), doc["paras"], [anchor], window, doc["hints"],
                         [own], None if tree is None else [tree])
        for key in names:
            rows[key].append(built[key])
    plan = {key: np.concatenate(rows[key]) for key in names}
    plan["hidden"] = plan["hidden"][..., 0].astype(np.int64)
    return plan


def _head_inputs(examples, doc, hidden, logits, window: int, names: tuple[str, ...]):
    """The head's inputs for ``examples`` of one article, gathered from ``hidden`` and ``logits`` (tensors
    with a gradient) by :func:`_gather_plan`."""
    import torch

    plan = _gather_plan(examples, doc, hidden.shape[0], window, names)
    where = torch.from_numpy(plan["hidden"]).to(hidden.device)
    centred = (logits - logits.mean(dim=1, keepdim=True)) / 5.0  # as features() centres them
    built = {
        "hidden": torch.cat([hidden.new_zeros(1, hidden.shape[1]), hidden])[where],
        "logits": torch.cat([logits.new_zeros(1, logits.shape[1]), centred])[where],
        "cue": torch.stack([hidden[a : b + 1].mean(0) for _, (a, b), *_ in examples]),
    }
    return [built[key] if key in built else torch.from_numpy(plan[key]).to(hidden.device) for key in names]


def train_joint(config: dict[str, Any], out: Path, log) -> dict[str, Any]:
    """Run the recipe in ``config``; write checkpoints, ``metrics.json`` and ``model/`` (tagger and head) under ``out``."""
    import torch

    seed_and_threads(config)
    device = pick_device(config)
    window, started = config["window"], time.perf_counter()
    train_docs, train, dev_docs, dev, texts = _prepared(config, out, log)
    runtime = load_accurate(config["tagger"])
    articles: dict[str, _Article] = {}
    for name, text, _ in texts["train"] + texts["dev"]:
        articles.setdefault(name, _Article(runtime, text))
    for name, _, roles in texts["train"]:
        articles[name].add_labels(roles)
    by_article: dict[str, list[int]] = {}  # each article's examples, as indices into train
    for i, example in enumerate(train):
        by_article.setdefault(example[0], []).append(i)
    names = sorted(by_article)
    log(f"{len(train)} train cue examples in {len(names)} articles, {len(dev)} dev; read in "
        f"{time.perf_counter() - started:.0f} s; training on {device}")

    if config.get("start", "shipped") == "shipped":
        tagger, head = _start_models(config)
    else:
        tagger = base_tagger(config["base"])
        head = _build_head(config, tagger.encoder.config.hidden_size)
    tagger.to(device)
    layers = tagger.encoder.config.num_hidden_layers
    tuned = config.get("tune_layers", layers)
    for name, param in tagger.encoder.named_parameters():
        param.requires_grad = name.startswith("encoder.layer.") and int(name.split(".")[2]) >= layers - tuned
    head.to(device)
    per_step = config.get("articles_per_step", 2)
    steps_per_epoch = (len(names) + per_step - 1) // per_step
    epochs, frozen = config["epochs"], config.get("frozen_epochs", 0)
    tuned_steps = max(1, (epochs - frozen) * steps_per_epoch)
    warmup = max(1, int(tuned_steps * config.get("warmup", 0.1)))
    body = [p for p in tagger.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW([
        {"params": head.parameters(), "lr": config["learning_rate"]},
        {"params": body, "lr": config["encoder_learning_rate"]},
    ], weight_decay=config["weight_decay"])
    head_peak, body_peak = config["learning_rate"], config["encoder_learning_rate"]
    total = epochs * steps_per_epoch

    def rates(step: int) -> tuple[float, float]:
        """The head's one-cycle rate (10% warm-up, cosine down) and the encoder's: 0 while frozen, then
        linear warm-up and decay."""
        up = max(1, int(0.1 * total))
        head_rate = head_peak * (step + 1) / up if step < up else \
            head_peak * 0.5 * (1 + np.cos(np.pi * (step - up) / max(1, total - up)))
        t = step - frozen * steps_per_epoch
        body_rate = 0.0 if t < 0 else body_peak * min((t + 1) / warmup, max(0.0, (tuned_steps - t) / (tuned_steps - warmup)))
        return head_rate, body_rate

    class _Both(torch.nn.Module):  # one module, so one checkpoint holds both
        def __init__(self) -> None:
            super().__init__()
            self.tagger, self.head = tagger, head

    both = _Both()
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, [lambda s: rates(s)[0] / head_peak,
                                                             lambda s: rates(s)[1] / body_peak])
    checkpoint = Checkpoint(out / "checkpoint.pt", both, optimizer, schedule)
    fresh = {"epoch": 0, "step": 0, "history": [], "seconds": 0.0}
    state = checkpoint.load(fresh)
    if state is not fresh:
        log(f"resumed from {checkpoint.path}: epoch {state['epoch'] + 1}, step {state['step']}")
    else:
        exact = _dev_pointer(tagger, head, dev, dev_docs, articles, window, config, device)
        state["start"], state["start_weights"] = exact, _weights_digest(config)
        log("before training, dev pointer exact " + " ".join(f"{r} {exact[r]:.4f}" for r in POINTER_ROLES))
    soft = None
    if config.get("teacher"):
        soft = _teacher_scores(config, {name: text for name, text, _ in texts["train"]}, train, train_docs, out, log)
    loss_fn = torch.nn.CrossEntropyLoss()
    tag_loss_fn = torch.nn.CrossEntropyLoss(ignore_index=_IGNORE)
    inputs_of = _inputs(config)
    weight = config.get("tagger_loss", 1.0)
    while state["epoch"] < epochs:
        epoch = state["epoch"]
        order = names[:]
        random.Random(config["seed"] + epoch).shuffle(order)
        both.train()
        begun, losses = time.perf_counter(), []
        for step in range(state["step"], steps_per_epoch):
            loss = 0.0
            for name in order[step * per_step : (step + 1) * per_step]:
                article = articles[name]
                with torch.set_grad_enabled(epoch >= frozen):
                    window_logits, hidden, logits = _read(tagger, article, device)
                if epoch < frozen:
                    hidden, logits = hidden.detach(), logits.detach()
                rows = by_article[name]
                examples = [train[i] for i in rows]
                outputs = head(*_head_inputs(examples, train_docs[name], hidden, logits, window, inputs_of))
                targets = torch.tensor([t for *_, t in examples], dtype=torch.long, device=device)
                loss = loss + _with_teacher(_loss(outputs, targets, loss_fn), outputs,
                                            None if soft is None else soft[rows], targets, config)
                if epoch >= frozen and weight:
                    flat = window_logits.reshape(-1, 3)
                    loss = loss + weight * sum(tag_loss_fn(flat, torch.from_numpy(lab).to(device).reshape(-1))
                                               for lab in article.labels) / len(article.labels)
            losses.append(optimise(loss, both, optimizer, schedule))
            state["step"] = step + 1
            if state["step"] % config.get("checkpoint_every", 100) == 0:
                state["seconds"] += time.perf_counter() - begun
                begun = time.perf_counter()
                checkpoint.save(state)
                log(f"epoch {epoch + 1} step {state['step']}/{steps_per_epoch} loss {np.mean(losses[-50:]):.4f} "
                    f"({state['seconds'] / 60:.1f} min of training so far)")
        state["seconds"] += time.perf_counter() - begun
        exact = _dev_pointer(tagger, head, dev, dev_docs, articles, window, config, device)
        state["history"].append({"epoch": epoch + 1, "loss": round(float(np.mean(losses or [0])), 4),
                                 "dev_pointer_exact": exact})
        log(f"epoch {epoch + 1} loss {np.mean(losses or [0]):.4f}, dev pointer exact "
            + " ".join(f"{r} {exact[r]:.4f}" for r in POINTER_ROLES)
            + f" ({state['seconds'] / 60:.1f} min of training so far)")
        state["epoch"], state["step"] = epoch + 1, 0
        checkpoint.save(state)

    if config.get("average_start"):
        started_from = state.get("start_weights")  # None in a run checkpointed before it was kept
        if started_from is not None and started_from != _weights_digest(config):
            raise ModelError("E209", E.E209.format(path=config["tagger"]))
        _average_with_start(config, tagger.to("cpu"), head.to("cpu"))
        log(f"weights moved {config['average_start']} of the way back to the start's")
    shipped = _ship(config, tagger, head, out)
    final = _dev_scores(config, shipped, log)
    if final:
        log("shipped tagger and head, dev exact F1 " + " ".join(f"{r} {final[r]:.4f}" for r in ("source", "cue", "content")))
    return {"start": state.get("start"), "history": state["history"], "dev_exact_f1": final,
            "train_minutes": round(state["seconds"] / 60, 1), "device": device}


def _dev_pointer(tagger, head, dev, dev_docs, articles, window, config, device) -> dict[str, float]:
    """Pointer exactness on dev with the dev articles read again by the encoder as it is now."""
    import torch

    tagger.eval()
    with torch.no_grad():
        for name, doc in dev_docs.items():
            _, hidden, logits = _read(tagger, articles[name], device)
            doc["hidden"], doc["logits"] = hidden.cpu().numpy(), logits.cpu().numpy()
    head.to("cpu")
    try:
        return _pointer_exact(head, dev, dev_docs, window, config)
    finally:
        head.to(device)


def _start_models(config: dict[str, Any]):
    """(tagger, head) in torch, with the weights of ``model.onnx`` and ``pointer.onnx`` in ``config["tagger"]``."""
    tagger = tagger_from_onnx(Path(config["tagger"]) / "model.onnx", config["base"])
    head = _build_head(config, tagger.encoder.config.hidden_size)
    _load(head, Path(config["tagger"]) / "pointer.onnx")
    return tagger, head


def _weights_digest(config: dict[str, Any], names: tuple[str, ...] = ("model.onnx", "pointer.onnx")) -> str:
    """One digest of the ``names`` files in ``config["tagger"]`` (the tagger and the head; either may be missing)."""
    digest = hashlib.sha1()
    for name in names:
        path = Path(config["tagger"]) / name
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()


def _average_with_start(config: dict[str, Any], tagger, head) -> None:
    """Move the trained weights ``average_start`` of the way back to those the run started from.

    Averaging the weights of two models fine-tuned from one start
    (a "model soup") often scores better than either. Here, halfway between
    the release before last and the same models after 2 more joint epochs
    (configs/accurate-joint.toml) scored 0.811 / 0.757 / 0.654 on dev, against
    0.808 / 0.748 / 0.646 at the start and 0.811 / 0.750 / 0.653 at the end
    (a third of the way: 0.811 / 0.753 / 0.651; two thirds: 0.811 / 0.756 /
    0.654). A run with another seed, 3 epochs at a lower rate, gave 0.807 /
    0.751 / 0.652 halfway, against 0.812 / 0.744 / 0.647 at its end.
    """
    share = float(config["average_start"])
    for module, start in zip((tagger, head), _start_models(config)):
        begun = start.state_dict()
        module.load_state_dict({k: share * begun[k] + (1 - share) * v if v.is_floating_point() else v
                                for k, v in module.state_dict().items()})


def _ship(config: dict[str, Any], tagger, head, out: Path) -> Path:
    """``out/model``: the tagger exported and quantised as :mod:`.transformer` ships it, and the head beside it."""
    tagger.to("cpu").eval()
    head.to("cpu").eval()
    shipped = out / "model"
    shipped.mkdir(exist_ok=True)
    for name in ("tokenizer.json", "tagger.json"):
        shutil.copy(Path(config["tagger"]) / name, shipped / name)
    # from the encoder itself: a start without encoder.json (read from the base package) ships one too
    tagger.encoder.config.to_json_file(shipped / "encoder.json")
    fp32 = _export_tagger(tagger, out / "model.fp32.onnx")
    quantize(fp32, shipped / "model.onnx")
    _ship_head(head, shipped, config, tagger.encoder.config.hidden_size)
    return shipped


def _dev_scores(config: dict[str, Any], model_dir: Path, log) -> dict[str, float] | None:
    """PolNeAR dev exact F1 of the ``accurate`` pipeline reading ``model_dir`` (tagger and head); None where
    spaCy or the corpus is missing (a GPU machine: score ``model_dir`` later with ``onrecord eval``)."""
    from .pointer import _dev_scores as scores

    try:
        import spacy  # noqa: F401
    except ImportError:
        spacy = None
    if spacy is None or not Path(config["data"]).is_dir():
        log(f"not scored here (no spaCy or no {config['data']}): run ONRECORD_ACCURATE_MODEL={model_dir} "
            "onrecord eval polnear ROOT --model accurate where both are")
        return None
    return scores({**config, "tagger": str(model_dir)}, model_dir, "accurate")


#: The config keys that decide the examples (:func:`_prepared`): another value reads the articles again.
_READING = ("data", "tagger", "window", "rule_cues", "syntax", "limit", "dev_limit", "spacy_model")


def prepare_examples(config: dict[str, Any], out: Path, log) -> dict[str, Any]:
    """Read the articles into ``out/examples.pkl`` (:func:`_prepared`) and say what is there."""
    train_docs, train, dev_docs, dev, _ = _prepared(config, out, log)
    path = out / "examples.pkl"
    return {"examples": str(path), "mb": round(path.stat().st_size / 2**20, 1), "train_articles": len(train_docs),
            "train_cues": len(train), "dev_articles": len(dev_docs), "dev_cues": len(dev)}


def _reading_key(config: dict[str, Any]) -> str:
    """What decides the examples, the same on another machine: the corpus by its folder's name, the
    models that found the cues by their weights."""
    key = {k: config.get(k) for k in _READING}
    key["data"] = Path(config["data"]).name
    key["tagger"] = _weights_digest(config, ("model.onnx",))  # the head finds no cues
    return json.dumps(key, sort_keys=True)


def _prepared(config: dict[str, Any], out: Path, log):
    """``(train_docs, train, dev_docs, dev, texts)``: the cue examples (:func:`.pointer._examples`) without
    the frozen tagger's features, and per split each article's ``(name, text, roles)``.

    They take spaCy, the rules and the shipped tagger minutes to read (9 on
    2 CPU cores), so they are kept in ``out/examples.pkl`` (gzipped): a
    resumed run starts at once, and the file (6.5 MB) carries a run to
    a GPU machine that has torch but neither spaCy nor the corpus.
    """
    path = out / "examples.pkl"
    key = _reading_key(config)
    if path.is_file():
        with gzip.open(path, "rb") as f:
            saved = pickle.load(f)
        if saved["key"] == key:
            log(f"examples read from {path}")
            return saved["examples"]
        log(f"{path} was read for another config; reading the articles again")
    from ..nlp.loader import load_spacy
    from .pointer import _examples, _reader

    started = time.perf_counter()
    splits = {"train": load_split(config["data"], "train")[: config.get("limit")],
              "dev": load_split(config["data"], "dev")[: config.get("dev_limit")]}
    nlp = load_spacy(config.get("spacy_model"))
    read = _reader(config, "accurate", nlp, out, log)
    (train_docs, train), (dev_docs, dev) = (_examples(read, nlp, splits[s], config["window"], config) for s in splits)
    for doc in (*train_docs.values(), *dev_docs.values()):
        for name in ("hidden", "logits", "rules"):  # the encoder in training gives the first two again
            doc.pop(name)
    texts = {s: [(ex.name, ex.text, ex.roles) for ex in splits[s]] for s in splits}
    examples = (train_docs, train, dev_docs, dev, texts)
    with gzip.open(path, "wb") as f:
        pickle.dump({"key": key, "examples": examples}, f)
    log(f"{len(train)} train cue examples, {len(dev)} dev; spaCy, the rules and the tagger read them in "
        f"{time.perf_counter() - started:.0f} s ({path}, {path.stat().st_size / 2**20:.1f} MB)")
    return examples
