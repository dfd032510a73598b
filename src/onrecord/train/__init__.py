"""``onrecord train CONFIG``: reproduce a shipped model from its config file.

A config is a TOML file (see ``configs/``) naming the preset, the seed, the
data path and every hyperparameter. Training writes into ``output``: a log
(``train.log``), checkpoints to resume from, ``metrics.json`` and the model
folder, which ``ship_to`` (if given) receives when training ends. Torch and
transformers come from the optional ``train`` extra; nothing here is imported
by the rest of onrecord.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import time
import tomllib
from pathlib import Path
from typing import Any

from ..errors import E, ModelError, OnrecordError

__all__ = ["train", "load_config"]

_REQUIRED = {
    "accurate": ("seed", "data", "output", "base", "window", "stride", "batch_size", "epochs",
                 "learning_rate", "head_learning_rate", "warmup", "weight_decay", "checkpoint_every"),
    "fast": ("seed", "data", "output", "c1", "c2", "max_iterations"),
    "pointer": ("seed", "data", "output", "tagger", "window", "width", "batch_size", "epochs",
                "learning_rate", "weight_decay", "max_pieces"),
    "sentences": ("seed", "output", "base"),
}


#: What each preset's training imports beyond onrecord's own requirements.
_NEEDS = {
    "accurate": ("torch", "transformers", "onnx", "onnxruntime.quantization"),
    "fast": ("pycrfsuite",),
    "pointer": ("torch", "onnx"),
    "sentences": ("torch", "transformers", "onnx", "onnxruntime.quantization"),
}
#: The pointer head (alone, or with the tagger trained on under it) ships into the tagger's folder, beside
#: the tagger's own metrics.
_SHIPPED_METRICS = {"pointer": "pointer-metrics.json", "joint": "joint-metrics.json"}
_PATHS = ("data", "output", "ship_to", "tagger", "teacher")
#: Keys naming an installed package or, when they hold a "/", a folder relative to the config file.
_PACKAGE_OR_PATH = ("base", "teacher_base")
#: Which preset's tagger a pointer head reads (``reads`` in its config).
_READS = ("accurate", "fast")


def _require(packages: tuple[str, ...]) -> None:
    """Fail before any work starts (E206) when the ``train`` extra is not installed."""
    for package in packages:
        try:
            importlib.import_module(package)
        except ImportError as exc:
            raise ModelError("E206", E.E206.format(package=package)) from exc


def load_config(path: str | Path) -> dict[str, Any]:
    """Read and check a training config; relative paths in it are relative to the file's folder."""
    path = Path(path)
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise OnrecordError("E207", E.E207.format(path=path, detail=str(exc)), path=str(path)) from exc
    preset = config.get("preset")
    if preset not in _REQUIRED:
        raise OnrecordError("E207", E.E207.format(path=path, detail=f"preset must be one of {sorted(_REQUIRED)}"), path=str(path))
    missing = [key for key in _REQUIRED[preset] if key not in config]
    if missing:
        raise OnrecordError("E207", E.E207.format(path=path, detail=f"missing {', '.join(missing)}"), path=str(path))
    if preset == "pointer" and config.get("reads", "accurate") not in _READS:
        detail = f"reads must be one of {list(_READS)}, not {config['reads']!r}"
        raise OnrecordError("E207", E.E207.format(path=path, detail=detail), path=str(path))
    if preset == "pointer" and config.get("tune_encoder"):
        wrong = config.get("reads", "accurate") != "accurate" or config.get("start", "shipped") not in ("shipped", "base")
        wrong = wrong or bool(config.get("average_start")) and config.get("start", "shipped") != "shipped"
        if wrong or any(key not in config for key in ("base", "encoder_learning_rate")):
            detail = ('tune_encoder needs reads = "accurate", base, encoder_learning_rate and start "shipped" or "base" '
                      '(average_start: "shipped")')
            raise OnrecordError("E207", E.E207.format(path=path, detail=detail), path=str(path))
    if not re.fullmatch(r"auto|cpu|cuda(:\d+)?", str(config.get("device", "auto"))):
        detail = f'device must be "auto", "cpu" or "cuda" (or "cuda:N"), not {config["device"]!r}'
        raise OnrecordError("E207", E.E207.format(path=path, detail=detail), path=str(path))
    if preset == "pointer" and config.get("teacher") and (
        config.get("reads", "accurate") != "accurate" or config.get("pair_rank")
    ):
        detail = 'a pointer teacher needs reads = "accurate", and works without pair_rank'
        raise OnrecordError("E207", E.E207.format(path=path, detail=detail), path=str(path))
    if preset != "pointer" and config.get("teacher") and "teacher_base" not in config:
        raise OnrecordError("E207", E.E207.format(path=path, detail="teacher needs teacher_base"), path=str(path))
    if config.get("distill_on", "all") not in ("all", "matched") or "distill_on" in config and not config.get("teacher"):
        detail = f'distill_on must be "all" or "matched", and needs a teacher (got {config["distill_on"]!r})'
        raise OnrecordError("E207", E.E207.format(path=path, detail=detail), path=str(path))
    stack = config.get("stack", 1)
    if not isinstance(stack, int) or isinstance(stack, bool) or stack < 1 or stack > 1 and preset != "accurate":
        detail = f"stack must be a whole number of at least 1, for the accurate tagger's recipe (got {stack!r})"
        raise OnrecordError("E207", E.E207.format(path=path, detail=detail), path=str(path))
    if config.get("distill_hidden") and not config.get("teacher"):
        raise OnrecordError("E207", E.E207.format(path=path, detail="distill_hidden needs a teacher"), path=str(path))
    if config.get("precision", "fp32") not in ("fp32", "bf16"):
        detail = f'precision must be "fp32" or "bf16", not {config["precision"]!r}'
        raise OnrecordError("E207", E.E207.format(path=path, detail=detail), path=str(path))
    for key in _PATHS:
        if key in config:
            config[key] = str((path.parent / config[key]).resolve())
    for key in _PACKAGE_OR_PATH:
        if "/" in str(config.get(key, "")):
            config[key] = str((path.parent / config[key]).resolve())
    return config


def _other_training_runs() -> list[int]:
    """Process ids of other ``onrecord train`` runs on this machine (whatever psutil can see), not counting
    this one's own wrappers (``timeout 1800 onrecord train …``, ``nohup``, a shell)."""
    import psutil

    ours = {os.getpid(), *(parent.pid for parent in psutil.Process().parents())}
    found = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        cmdline = proc.info.get("cmdline") or []
        if proc.info["pid"] not in ours and _is_training(cmdline):
            found.append(proc.info["pid"])
    return found


def _is_training(cmdline: list[str]) -> bool:
    """``onrecord train ...`` or ``python -m onrecord train ...``."""
    for i, word in enumerate(cmdline[:-1]):
        if (word == "onrecord" or word.endswith("/onrecord")) and cmdline[i + 1] == "train":
            return True
    return False


def train(config_path: str | Path, *, prepare: bool = False) -> dict[str, Any]:
    """Train the model ``config_path`` describes; returns (and writes) its metrics.

    ``prepare`` (the joint recipe only) reads the articles into the run's
    ``examples.pkl`` and stops: training can then go on where spaCy and the
    corpus are not, a GPU machine with torch and transformers only.
    """
    config = load_config(config_path)
    joint = config["preset"] == "pointer" and bool(config.get("tune_encoder"))
    if prepare and not joint:
        detail = "--prepare is for the joint recipe only (preset = \"pointer\" with tune_encoder = true)"
        raise OnrecordError("E207", E.E207.format(path=config_path, detail=detail), path=str(config_path))
    _require(() if prepare else _NEEDS["accurate"] if joint else _NEEDS[config["preset"]])
    out = Path(config["output"])
    out.mkdir(parents=True, exist_ok=True)
    log_file = (out / "train.log").open("a", encoding="utf-8")

    def log(line: str) -> None:
        stamped = f"{time.strftime('%Y-%m-%d %H:%M:%S')} {line}"
        print(stamped, flush=True)
        log_file.write(stamped + "\n")
        log_file.flush()

    log(f"config {Path(config_path).resolve()}: {json.dumps(config, sort_keys=True)}")
    others = _other_training_runs()
    if others:
        log(f"warning: another onrecord train is running here (pid {', '.join(map(str, others))}); two runs on the "
            f"same cores slow each other badly (10-20x an epoch measured on 2 cores): wait for it, or lower `threads`")
    if prepare:
        from .joint import prepare_examples

        return prepare_examples(config, out, log)
    if config["preset"] == "accurate":
        from .transformer import train_transformer as run
    elif joint:
        from .joint import train_joint as run
    elif config["preset"] == "pointer":
        from .pointer import train_pointer as run
    elif config["preset"] == "sentences":
        from .sentences import export_sentence_encoder as run
    else:
        from .crf import train_crf as run
    started = time.perf_counter()
    metrics = run(config, out, log)
    metrics["wall_minutes"] = round((time.perf_counter() - started) / 60, 1)
    # paths as the config file gives them (relative to it), not this machine's absolute ones
    here = Path(config_path).resolve().parent
    metrics["config"] = {
        k: os.path.relpath(v, here) if k in _PATHS or k in _PACKAGE_OR_PATH and "/" in str(v) else v
        for k, v in config.items()
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    if config.get("ship_to"):
        target = Path(config["ship_to"])
        target.mkdir(parents=True, exist_ok=True)
        for item in (out / "model").iterdir():
            shutil.copy(item, target / item.name)
        recipe = "joint" if joint else config["preset"]
        shutil.copy(out / "metrics.json", target / _SHIPPED_METRICS.get(recipe, "metrics.json"))
        log(f"shipped to {target}")
    log_file.close()
    return metrics
