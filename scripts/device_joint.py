"""Sweep the joint recipe on a GPU machine, and pack what comes back from it (README: "Training on a GPU machine").

The machine has torch, transformers and onnxruntime but no spaCy and no
PolNeAR, so the articles are read here first, once for every variant:

    onrecord train configs/accurate-joint.toml --prepare      # writes runs/joint/examples.pkl
    mkdir -p runs/gpu && cp runs/joint/examples.pkl runs/gpu/ # then, on the GPU machine (carry runs/gpu):
    python3 scripts/device_joint.py configs/accurate-joint.toml runs/gpu/examples.pkl "$OUT" \\
        --set encoder_learning_rate=4e-5,8e-5 --set epochs=3,6

Every combination of the ``--set`` values is one run (``runs/gpu/<name>``),
``--parallel`` of them at a time on the one GPU. Back under OUT: every run's
``metrics.json`` and ``train.log`` in ``runs.tar.gz``, and the model folders
of the ``--keep`` runs with the best dev pointer exactness (content first)
in ``models.tar.00``, ``.01``, … (15 MB parts: a machine hands back files of
at most 16 MB). Here, ``cat models.tar.* | tar x`` and score each with
``ONRECORD_ACCURATE_MODEL=runs/gpu/NAME/model onrecord eval polnear ../shared/polnear --model accurate``.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

_PART = 15 * 2**20
_SRC = Path(__file__).resolve().parents[1] / "src"


def _variants(base: Path, settings: list[str], runs: Path) -> list[Path]:
    """One config file per combination of the ``KEY=V1,V2`` settings, paths in it absolute."""
    config = tomllib.loads(base.read_text(encoding="utf-8"))
    for key in ("data", "tagger"):
        config[key] = str((base.parent / config[key]).resolve())
    config.pop("ship_to", None)  # every variant reads the models it would ship over
    axes = [(key, [_value(v) for v in values.split(",")]) for key, values in (s.split("=", 1) for s in settings)]
    out = []
    for combo in itertools.product(*(values for _, values in axes)):
        name = "-".join(re.sub(r"[^\w.]", "", f"{key}{value}") for (key, _), value in zip(axes, combo)) or "base"
        variant = {**config, **dict(zip((key for key, _ in axes), combo)), "output": str((runs / name).resolve())}
        path = runs / f"{name}.toml"
        path.write_text("".join(f"{k} = {json.dumps(v)}\n" for k, v in variant.items()), encoding="utf-8")
        out.append(path)
    return out


def _value(text: str):
    """A number, true or false as TOML reads it; anything else a string."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _train(config: Path, examples: Path) -> int:
    folder = config.with_suffix("")
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(examples, folder / "examples.pkl")
    code = "import sys; from onrecord.train import train; train(sys.argv[1])"
    with (folder / "stdout.log").open("w") as log:
        env = {**os.environ, "PYTHONPATH": str(_SRC), "PYTHONUNBUFFERED": "1"}  # onrecord is not installed there
        return subprocess.run([sys.executable, "-c", code, str(config)], stdout=log, stderr=subprocess.STDOUT,
                              env=env).returncode


def _score(folder: Path) -> tuple[float, ...]:
    """Dev pointer exactness after the last epoch: content, then source and cue."""
    try:
        last = json.loads((folder / "metrics.json").read_text())["history"][-1]["dev_pointer_exact"]
    except (OSError, KeyError, IndexError, ValueError):
        return (-1.0,)
    return (last["content"], last["source"] + last["cue"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("config", type=Path)
    parser.add_argument("examples", type=Path, help="examples.pkl from `onrecord train CONFIG --prepare`")
    parser.add_argument("out", type=Path, help="where the packed results go ($OUT on the GPU machine)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=V1,V2", help="values to sweep")
    parser.add_argument("--runs", type=Path, default=Path("runs/gpu"))
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--keep", type=int, default=2, help="model folders to hand back (about 28 MB each)")
    args = parser.parse_args()
    args.runs.mkdir(parents=True, exist_ok=True)
    configs = _variants(args.config, args.set, args.runs)
    with ThreadPoolExecutor(args.parallel) as pool:
        codes = list(pool.map(lambda c: _train(c, args.examples), configs))
    folders = [c.with_suffix("") for c in configs]
    for folder, code in zip(folders, codes):
        print(f"{folder.name}: exit {code}, dev pointer exact {_score(folder)}")
    args.out.mkdir(parents=True, exist_ok=True)
    with tarfile.open(args.out / "runs.tar.gz", "w:gz") as tar:
        for folder in folders:
            for name in ("metrics.json", "train.log", "stdout.log"):
                if (folder / name).is_file():
                    tar.add(folder / name, arcname=f"{folder.name}/{name}")
    best = sorted((f for f, code in zip(folders, codes) if code == 0), key=_score, reverse=True)[: args.keep]
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for folder in best:
            tar.add(folder / "model", arcname=f"{args.runs}/{folder.name}/model")
    data = buffer.getvalue()
    for i in range(0, len(data), _PART):
        (args.out / f"models.tar.{i // _PART:02d}").write_bytes(data[i : i + _PART])
    print(f"kept {[f.name for f in best]}: {len(data) / 2**20:.0f} MB in {(len(data) + _PART - 1) // _PART} parts")
    return 0 if all(code == 0 for code in codes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
