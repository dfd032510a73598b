"""What every model shipped inside the package must carry, whatever trained it."""

from pathlib import Path

import pytest

import onrecord

MODELS = sorted(p for p in (Path(onrecord.__file__).parent / "models").iterdir() if p.is_dir() and p.name != "__pycache__")
LIMIT = 40_000_000  # issue 3: at most 40 MB a model, counted in decimal megabytes, the stricter reading


def test_the_package_ships_models():
    assert {"accurate", "fast"} <= {m.name for m in MODELS}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
def test_a_shipped_model_fits_the_size_limit(model):
    size = sum(f.stat().st_size for f in model.rglob("*") if f.is_file())
    assert size <= LIMIT, f"{model.name} is {size / 1e6:.1f} MB, over the 40 MB a shipped model may take"


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
def test_a_shipped_model_has_its_card_and_metrics(model):
    assert (model / "MODEL_CARD.md").is_file() and (model / "metrics.json").is_file()
