"""Score a logit ensemble of several `accurate` model folders on PolNeAR dev (a probe; nothing ships it).

    python scripts/ensemble_eval.py DIR [DIR ...] [--root ../shared/polnear]

Every window's tagger logits are averaged over the members; each member's pointer head reads its
own tagger's last layer, and the heads' scores are averaged. The pipeline is otherwise the shipped
one (`onrecord.extraction.presets` loads the tagger through `transformer.load_accurate`, which is
replaced here). docs/experiments.md has the result: an ensemble of three joint-recipe runs scored
no better than the shipped model alone.
"""

from __future__ import annotations

import argparse

import numpy as np

import onrecord.extraction.transformer as transformer
from onrecord.evaluate import evaluate_polnear
from onrecord.extraction.pointer import PointerHead
from onrecord.pipeline import Extractor


def ensemble(directories: list[str]) -> transformer.WordPieceTagger:
    members = [transformer.load_accurate.__wrapped__(d) for d in directories]
    dim = members[0].pointer.dim or 384

    def run(input_ids: np.ndarray, mask: np.ndarray) -> list[np.ndarray]:
        outputs = [m.run(input_ids, mask) for m in members]
        return [np.mean([o[0] for o in outputs], axis=0), np.concatenate([o[1] for o in outputs], axis=-1)]

    def head_run(inputs: dict[str, np.ndarray]):
        scores, pairs = [], []
        for k, member in enumerate(members):
            own = {**inputs, "hidden": inputs["hidden"][..., k * dim : (k + 1) * dim],
                   "cue": inputs["cue"][..., k * dim : (k + 1) * dim]}
            found = member.pointer.run(own)
            found, pair = found if isinstance(found, tuple) else (found, None)
            scores.append(found)
            pairs.append(pair)
        mean = np.mean(scores, axis=0)
        return mean if pairs[0] is None else (mean, np.mean(pairs, axis=0))

    first = members[0]
    p = first.pointer
    head = PointerHead(head_run, window=p.window, max_pieces=p.max_pieces, null_bias=p.null_bias,
                       batch_size=p.batch_size, rule_cues=p.rule_cues, rules_margin=p.rules_margin, syntax=p.syntax)
    return transformer.WordPieceTagger(first.tokenizer, run, size=first.size, stride=first.stride,
                                       batch_size=first.batch_size, pointer=head)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", help="accurate model folders (model.onnx, pointer.onnx, ...)")
    parser.add_argument("--root", default="../shared/polnear")
    args = parser.parse_args()
    tagger = ensemble(args.models)
    transformer.load_accurate = lambda path=None: tagger
    report = evaluate_polnear(args.root, "dev", Extractor(None, model="accurate").attributions)
    counts = report.counts
    print(" / ".join(f"{role} {getattr(counts, role + '_exact').f1:.3f}" for role in ("source", "cue", "content")))


if __name__ == "__main__":
    main()
