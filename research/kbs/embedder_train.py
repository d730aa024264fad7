"""Fine-tune all-MiniLM-L6-v2 as Beacon's bi-encoder for help centres (issue 14), exported to int8 ONNX.

    python -m research.kbs.embedder_train --leave-out electrum   # one model per real KB, for the held-out table
    python -m research.kbs.embedder_train --export               # every source (the model the product would ship)

The training groups are the reranker's (``research.kbs.reranker_train.training_groups``): StackFAQ's
``train`` queries and each help centre's own structure (a file title or a section heading as the query,
its chunk as the positive, with the query taken out of the chunk's header), each with three hard
negatives from Beacon's own hybrid search; ``--leave-out X`` drops X's documents. No ``questions.tsv``
question is trained on. A passage is what the reranker reads (title > heading path, then the chunk's
first 80 words), which is the product's embedded text (title > heading path, then the chunk) cut short;
training cuts it at MAX_TRAIN_TOKENS word pieces as well.

The loss is multiple negatives ranking: the queries of a step against every passage of the step (their
positives and one hard negative each, a different one of the three each epoch), a softmax over scale ×
cosine, the query's own positive the target. Vectors are MiniLM's mean-pooled, unit-length token states,
as the product computes them; the exported graph returns the token states (``last_hidden_state``), so
``app/index/embedding/onnx_minilm.py`` runs it as it runs the wheel's graph.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path

import numpy as np

from research.kbs.data import REAL_KBS, cache_dir

# Chosen before any run, from the brief (adapt, do not forget), not on a left-out KB.
QUERIES_PER_STEP, EPOCHS, LEARNING_RATE, WARMUP, SCALE, SEED = 16, 3, 3e-5, 0.1, 20.0, 0
FROZEN_LAYERS = 3  # the embeddings and the first three of six layers keep their weights, as the reranker's
MAX_TRAIN_TOKENS = 128
SHIPPED_PATH = Path(__file__).resolve().parents[2] / "app" / "index" / "embedding" / "minilm_helpcentre.onnx"
RECORD = Path(__file__).resolve().parent / "embedder_model.json"


def model_path(left_out: str | None) -> Path:
    return SHIPPED_PATH if left_out is None else cache_dir() / f"embedder-without-{left_out}.onnx"


def batch_loss(net, tokenizer, queries: list[str], positives: list[str], negatives: list[str]):
    """Multiple negatives ranking loss of one step. A passage equal to another query's positive is no
    negative for that query (a title and a heading can share a chunk)."""
    import torch

    def vectors(texts):
        encodings = tokenizer.encode_batch(texts)
        ids, mask = (torch.tensor([getattr(e, k) for e in encodings], dtype=torch.int64) for k in ("ids", "attention_mask"))
        return net.pooled(ids, mask, torch.zeros_like(ids))

    passages = positives + negatives
    scores = SCALE * vectors(queries) @ vectors(passages).T
    same = torch.tensor([[p == positives[i] and j != i for j, p in enumerate(passages)] for i in range(len(queries))])
    scores = scores.masked_fill(same, float("-inf"))
    return torch.nn.functional.cross_entropy(scores, torch.arange(len(queries)))


def fit(groups, log=print):
    import torch

    from app.core.onnx_models import wordpiece_tokenizer
    from research.topics.finetune import freeze_lower_layers, minilm_with_head

    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    tokenizer = wordpiece_tokenizer(MAX_TRAIN_TOKENS)
    net = minilm_with_head(1, scale=1.0)  # pooled() is the product's vector; the head is never used
    freeze_lower_layers(net.encoder, FROZEN_LAYERS)
    optimiser = torch.optim.AdamW([p for p in net.encoder.parameters() if p.requires_grad], lr=LEARNING_RATE,
                                  weight_decay=0.01)
    per_epoch = (len(groups) + QUERIES_PER_STEP - 1) // QUERIES_PER_STEP
    steps = EPOCHS * per_epoch
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, s / (WARMUP * steps)) * max(0.0, (steps - s) / ((1 - WARMUP) * steps)))
    rng, started, losses = np.random.default_rng(SEED), time.time(), []
    net.train()
    for epoch in range(EPOCHS):
        order = rng.permutation(len(groups))
        for start in range(0, len(order), QUERIES_PER_STEP):
            batch = [groups[i] for i in order[start:start + QUERIES_PER_STEP]]
            loss = batch_loss(net, tokenizer, [g.query for g in batch], [g.passages[0] for g in batch],
                              [g.passages[1 + epoch % (len(g.passages) - 1)] for g in batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            losses.append(loss.item())
            if len(losses) % 25 == 0 or len(losses) == 1:
                log(f"    step {len(losses)} of {steps}: {time.time() - started:.0f} s, "
                    f"mean loss of the last 25 {np.mean(losses[-25:]):.3f}", flush=True)
    net.eval()
    return net, {"steps": steps, "seconds": round(time.time() - started), "first_25_loss": round(float(np.mean(losses[:25])), 3),
                 "last_25_loss": round(float(np.mean(losses[-25:])), 3)}


class TokenStates:
    """The encoder alone, for export: the product pools and normalises itself."""

    def __new__(cls, net):
        import torch

        class Wrapped(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.encoder = net.encoder

            def forward(self, input_ids, attention_mask, token_type_ids):
                return self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                                    token_type_ids=token_type_ids).last_hidden_state

        return Wrapped()


def export(net, path: Path, per_channel: bool) -> None:
    from research.topics.finetune import export_int8

    export_int8(TokenStates(net), path, "last_hidden_state", per_channel)


def int8_agreement(net, path: Path, texts: list[str]) -> float:
    """The lowest cosine between the fp32 network's vector and the int8 graph's, over ``texts``."""
    import torch

    from app.index.embedding.onnx_minilm import OnnxMiniLMEmbedder

    int8 = np.array(OnnxMiniLMEmbedder(threads=1, model_path=path, model_id="check").embed_documents(texts))
    from app.core.onnx_models import wordpiece_tokenizer
    from app.index.embedding.onnx_minilm import MAX_TOKENS

    tokenizer = wordpiece_tokenizer(MAX_TOKENS)
    with torch.no_grad():
        rows = []
        for text in texts:  # one at a time: no padding in the reference
            e = tokenizer.encode(text)
            ids, mask = torch.tensor([e.ids]), torch.tensor([e.attention_mask])
            rows.append(net.pooled(ids, mask, torch.zeros_like(ids))[0].numpy())
    return float(np.min(np.sum(int8 * np.array(rows), axis=1)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--leave-out", choices=REAL_KBS, help="train without this KB's documents (for the held-out table)")
    parser.add_argument("--export", action="store_true", help=f"train on every source and write {SHIPPED_PATH.name}")
    parser.add_argument("--count", action="store_true", help="print the training groups per source and stop")
    parser.add_argument("--control", action="store_true",
                        help="no training: the base weights through the same export (what int8 export alone costs)")
    args = parser.parse_args()
    if not (args.export or args.leave_out or args.count or args.control):
        parser.error("give --leave-out KB, --export, --control or --count")
    from collections import Counter

    from research.kbs.harness import bundled_embedder, model_id_of
    from research.kbs.reranker_train import training_groups

    groups = training_groups(args.leave_out, bundled_embedder())
    counts = dict(Counter(g.origin for g in groups))
    print(f"{len(groups)} training groups: {counts}", flush=True)
    if args.count:
        return
    if args.control:
        from research.topics.finetune import minilm_with_head

        net, record, path = minilm_with_head(1, scale=1.0).eval(), {"steps": 0}, cache_dir() / "embedder-control.onnx"
    else:
        net, record = fit(groups)
        path = model_path(args.leave_out)
    sample = [p for g in groups[:: max(1, len(groups) // 100)] for p in (g.query, g.passages[0])]
    agreement = {}
    for per_channel in (True, False):  # per channel first: kept if it agrees with fp32 to 0.99
        export(net, path, per_channel)
        agreement["per_channel" if per_channel else "per_tensor"] = round(int8_agreement(net, path, sample), 4)
        if agreement["per_channel" if per_channel else "per_tensor"] >= 0.99:
            break
    record |= {"model": str(path), "model_id": model_id_of(path), "left_out": args.leave_out, "groups": counts,
               "min_cosine_int8_fp32": agreement, "queries_per_step": QUERIES_PER_STEP, "epochs": EPOCHS,
               "learning_rate": LEARNING_RATE, "scale": SCALE, "frozen_layers": FROZEN_LAYERS,
               "max_train_tokens": MAX_TRAIN_TOKENS, "seed": SEED}
    print(json.dumps(record), flush=True)
    path.with_suffix(".json").write_text(json.dumps(record, indent=1) + "\n")
    if args.export:
        RECORD.write_text(json.dumps(record | {"model": str(path.relative_to(RECORD.parents[2])),
                                               "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                                               "command": "python -m research.kbs.embedder_train --export"}, indent=1) + "\n")


if __name__ == "__main__":
    main()
