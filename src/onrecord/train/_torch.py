"""What every torch recipe shares: seeding, threads, and checkpoints that resume a run exactly.

Imported only by the recipes themselves, which import torch lazily.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np


def seed_and_threads(config: dict[str, Any]) -> None:
    """Seed Python, numpy and torch from ``config["seed"]``; use ``config["threads"]`` CPU threads if given."""
    import torch

    torch.manual_seed(config["seed"])
    random.seed(config["seed"])
    np.random.seed(config["seed"])
    if config.get("threads"):
        torch.set_num_threads(int(config["threads"]))


def pick_device(config: dict[str, Any]) -> str:
    """``config["device"]``: "cpu", "cuda", or "auto" (the default: a CUDA GPU when torch sees one).

    The recipe is the same on either: same data order, schedule and batch size, so a GPU only makes
    it faster (one ``accurate`` tagger epoch: about 20 minutes on 2 CPU cores). On a GPU, float32
    matrix products may use TF32.
    """
    import torch

    device = config.get("device", "auto")
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda"):
        torch.cuda.manual_seed_all(config["seed"])
        torch.set_float32_matmul_precision("high")
    return device


def soft_kl(student, teacher, temperature: float):
    """Temperature² × the KL divergence of the student's distributions from the teacher's, both softened by
    ``temperature``, averaged over the rows: the soft loss of distillation (the square keeps the gradients'
    scale). ``student`` and ``teacher`` are logits of one shape, classes last."""
    import torch

    return temperature**2 * torch.nn.functional.kl_div(
        torch.log_softmax(student / temperature, dim=-1), torch.log_softmax(teacher / temperature, dim=-1),
        log_target=True, reduction="batchmean",
    )


def optimise(loss, model, optimizer, schedule) -> float:
    """Back-propagate ``loss``, clip the gradients to norm 1, step the optimiser and its schedule; the loss."""
    import torch

    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    schedule.step()
    optimizer.zero_grad()
    return loss.item()


class Checkpoint:
    """Model, optimiser, schedule and the recipe's own ``state`` dict in one file, replaced atomically."""

    def __init__(self, path: Path, model, optimizer, schedule) -> None:
        self.path, self.model, self.optimizer, self.schedule = path, model, optimizer, schedule

    def load(self, state: dict[str, Any]) -> dict[str, Any]:
        """The saved state (the model, optimiser and schedule restored), or ``state`` when there is none."""
        import torch

        if not self.path.exists():
            return state
        saved = torch.load(self.path, weights_only=False, map_location=next(self.model.parameters()).device)
        self.model.load_state_dict(saved["model"])
        self.optimizer.load_state_dict(saved["optimizer"])
        self.schedule.load_state_dict(saved["schedule"])
        return saved["state"]

    def save(self, state: dict[str, Any]) -> None:
        import torch

        tmp = self.path.with_suffix(".tmp")
        torch.save({"model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
                    "schedule": self.schedule.state_dict(), "state": state}, tmp)
        tmp.replace(self.path)
