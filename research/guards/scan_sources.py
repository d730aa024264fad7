"""Version 10: every pass of the knowledge-file scan measured on its own, on the fresh fold's tune part
and on train-side attacks (never a report part).

    .venv/bin/python -m research.guards.scan_sources --traces /tmp/scan_traces.pkl            # trace (~20 min), cache
    .venv/bin/python -m research.guards.scan_sources --traces /tmp/scan_traces.pkl --out research/guards/results/scan_sources.json

A trace keeps, per document, what each pass saw with its own evidence, so the passes and their
settings can be switched on and off afterwards without scanning again:
- the classifier's pass: each passage's head probability, words, fit to the rest of the file and
  whether it speaks of the reader's answer or code;
- the line rules: per line, each customer-message pattern that fired (id, reason, weight);
- the model-directive phrases (by index), hidden elements, hostile comments.
Documents: clean, fresh10_tune (research/guards/fresh_fold.py); attacks, all of the tuning side:
BIPIA's planted records of tuning categories (a seeded sample), tuning BIPIA attacks planted in the
tuning documents of documents.py, and tuning BIPIA attacks and the openings of tuning jailbreak
families planted in fresh10_tune documents (one each, seeded per document).
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from guardrails import injection as I
from guardrails import knowledge_scan as K
from guardrails.injection_model import classifier_text
from guardrails.passages import passages
from research.guards import documents
from research.guards.data import jailbreaks
from research.guards.fresh_fold import fresh_documents
from research.guards.fresh_fold_v11 import fresh11_documents

BIPIA_RECORD_SAMPLE = 300


def _line_evidence(detector: I.InjectionDetector, line: str) -> dict | None:
    result = detector.rules_score(line)
    if not result.reasons:
        return None
    evidence = I._Evidence()
    bounded = line if len(line) <= I.MAX_SCAN_CHARS else I._bounded(line)
    detector._scan_text(bounded, evidence, 0)
    return {"score": result.score, "injection": result.injection, "reasons": result.reasons,
            "pids": dict(evidence.weights), "signals": dict(evidence.signals)}


def window_vectors(model, texts: list[str]) -> list[np.ndarray]:
    """Per text, the encoder's pooled vector of each window (what the document head reads)."""
    model.warm_up()
    out = []
    for text in texts:
        rows = []
        for ids, mask in model.windows(classifier_text(text)):
            ids_a = np.array([ids], dtype=np.int64)
            _, pooled = model._session.run(None, {"input_ids": ids_a, "attention_mask": np.array([mask], dtype=np.int64),
                                                  "token_type_ids": np.zeros_like(ids_a)})
            rows.append(pooled[0])
        out.append(np.array(rows, dtype=np.float32))
    return out


def trace(scanner: K.KnowledgeScanner, text: str, vectors: bool = False) -> dict:
    """``vectors``: keep each passage's window vectors (a refitted head can be replayed on the trace)
    and the fit of every passage, whatever the shipped head scores."""
    lines = text.split("\n")
    parts = passages(text)
    out: dict = {"passages": [], "lines": {}, "directives": [], "hidden": [], "comments": [], "n_lines": len(lines)}
    if parts:
        texts = [p.text for p in parts]
        if vectors:
            windows = window_vectors(scanner.detector.model, texts)
            weights, bias = scanner.detector.model._document_head
            probabilities = [float((1.0 / (1.0 + np.exp(-(w @ weights + bias)))).max()) for w in windows]
        else:
            probabilities = scanner.detector.model.scores(texts)[:, -1]
        fit = scanner.context.fit(texts) if len(texts) >= 2 and (vectors or max(probabilities) >= 0.2) else [1.0] * len(texts)
        out["passages"] = [{"start": p.start, "end": p.end, "p": float(q), "fit": float(f),
                            "words": len(K._LETTER_WORD.findall(p.text)), "addressed": bool(K._ADDRESSES_ANSWER.search(p.text)),
                            "text": p.text[:300]} for p, q, f in zip(parts, probabilities, fit)]
        if vectors:
            for row, w in zip(out["passages"], windows):
                row["windows"] = w.astype(np.float16)  # a replayed head's scores differ from the shipped one's by < 1e-3
    detector = scanner.detector
    for number, line in enumerate(lines, start=1):
        if line.strip():
            ev = _line_evidence(detector, K._AUTOLINK.sub(r"\1", line))
            if ev:
                out["lines"][number] = {**ev, "text": line.strip()[:200]}
    folded = K._fold_lines(text)
    for index, (_, pattern) in enumerate(K._MODEL_DIRECTIVES):
        for m in pattern.finditer(folded):
            line = K._line_at(folded, m.start())
            out["directives"].append({"index": index, "line": line, "text": lines[line - 1].strip()[:200]})
    for m in K._HIDDEN_ELEMENT.finditer(text):
        if len(K._WORDS.findall(K.re.sub(r"<[^>]*>", " ", m.group(2)))) >= 3:
            out["hidden"].append((K._line_at(text, m.start()), K._line_at(text, m.end())))
    for m in K._COMMENT.finditer(text):
        body = m.group(1)
        if not body.strip():
            continue
        rules = detector.rules_score(body)
        hostile = (rules.injection and any(r in K._DOC_REASONS for r in rules.reasons)) or \
            any(p.search(K._fold_lines(body)) for _, p in K._MODEL_DIRECTIVES) or \
            float(detector.model.probabilities([body])[0][1]) >= detector.model.cuts["document"]
        if hostile:
            out["comments"].append((K._line_at(text, m.start()), K._line_at(text, m.end())))
    return out


def fold_documents(part: str) -> list[dict]:
    """The clean documents of a fresh fold's part (fresh10_* or fresh11_*)."""
    docs = fresh11_documents()[0] if part.startswith("fresh11") else fresh_documents()[0]
    return [d for d in docs if d["part"] == part]


def attack_documents(part: str = "fresh10_tune") -> list[dict]:
    """Tuning-side attacks as {id, set, text, lines}; for the other parts, only those planted in
    its documents (one a document: a BIPIA attack or a jailbreak opening, seeded)."""
    out = []
    if part != "fresh10_tune":
        return _planted_in_fresh(part, one_each=True)
    records = [d for d in documents.planted_documents() if d["part"] == "tune" and d["set"] == "bipia_planted" and d["lines"]]
    random.Random("v10-records").shuffle(records)
    out += [{**d, "set": "bipia_records_tune"} for d in records[:BIPIA_RECORD_SAMPLE]]
    out += [{**d, "set": "bipia_in_tune_docs"} for d in documents.planted_documents()
            if d["part"] == "tune" and d["set"] == "bipia_attack_in_clean_doc"]
    return out + _planted_in_fresh(part)


def tuning_openings() -> list[str]:
    """The first ~400 characters (whole sentences) of each tuning jailbreak family's first member."""
    openings = {}
    for row in jailbreaks():
        if row["part"] != "report" and row["family"] not in openings:
            text = " ".join(row["text"].split())
            cut = text.rfind(". ", 0, 400)
            openings[row["family"]] = text[: cut + 1] if cut > 100 else text[:400]
    return [openings[k] for k in sorted(openings)]


def _planted_in_fresh(part: str, one_each: bool = False) -> list[dict]:
    out = []
    text_attacks = [a for a in documents.bipia_attacks() if a["kind"] == "text" and a["part"] == "tune"]
    openings = tuning_openings()
    fold = "fresh10" if part.startswith("fresh10") else "fresh11"
    for doc in fold_documents(part):
        rng = random.Random(f"v10-plant:{doc['id']}")
        attack, opening, position = rng.choice(text_attacks)["text"], rng.choice(openings), rng.choice(("start", "middle", "end"))
        both = ((f"bipia_in_{fold}", attack), (f"jailbreak_in_{fold}", opening))
        for name, planted in both if not one_each else both[rng.random() < 0.5:][:1]:
            text, span = documents.plant(doc["text"], planted, position)
            out.append({"id": f"{name}:{doc['id']}", "set": name, "text": text, "lines": span, "attack": planted})
    return out


def collect(part: str = "fresh10_tune") -> dict:
    scanner = K.KnowledgeScanner()
    scanner.warm_up()
    clean = fold_documents(part)
    traces = {"clean": [], "attacks": []}
    for d in clean:
        traces["clean"].append({"id": d["id"], "source": d["source"], "trace": trace(scanner, d["text"])})
    for d in attack_documents(part):
        traces["attacks"].append({"id": d["id"], "set": d["set"], "lines": tuple(d["lines"]), "trace": trace(scanner, d["text"])})
    return traces


# --- replaying a configuration on the traces ---------------------------------------------------------
# Version 9 as shipped: one gate (head >= 0.3, fit < 0.2) and the strong English line rule (>= 0.8).
DEFAULT = {"gates": ((0.3, 0.2),), "words": 4, "addressed_cut": K.ADDRESSED_CUT,
           "line_strong": 0.8, "line_drop": frozenset(), "directives_drop": frozenset(), "line_rules": True}
VERSION_10 = {**DEFAULT, "gates": K.GATES, "words": K.MIN_WORDS, "line_strong": 2.0}
_LINE_STRONG_REASONS = ("instruction_override", "prompt_extraction")


def spans(t: dict, cfg: dict, reasons_of: dict[int, str]) -> list[tuple[str, int, int]]:
    """(pass, first line, last line) of each finding under ``cfg``."""
    out = []
    following = [q["text"] for q in t["passages"][1:]] + [None]
    for p, after in zip(t["passages"], following):
        if cfg.get("definitions") and K.is_definition_entry(p["text"]):
            continue
        if cfg.get("seed_examples") and K.is_seed_phrase_example(p["text"]):
            continue
        if cfg.get("captions") and K.is_code_caption(p["text"], after):
            continue
        if p["p"] < cfg.get("non_english_cut", 0.0) and I._looks_non_english(I._clean(p["text"])):
            continue
        base = p["words"] >= cfg["words"] and len(t["passages"]) >= 2 and any(p["p"] >= c and p["fit"] < f for c, f in cfg["gates"])
        addressed = p["p"] >= cfg["addressed_cut"] and p["words"] >= cfg["words"] and p["addressed"]
        if base or addressed:
            out.append(("classifier", p["start"], p["end"]))
    if cfg["line_rules"]:
        for number, ev in t["lines"].items():
            number = int(number)
            pids = {pid: w for pid, w in ev["pids"].items() if pid not in cfg["line_drop"]}
            remaining = 1.0
            for w in list(pids.values()) + list(ev["signals"].values()):
                remaining *= 1.0 - w
            score = 1.0 - remaining
            reasons = {reasons_of.get(pid, "") for pid in pids}
            line_only = [r for r in ev["reasons"] if r in K._LINE_REASONS]
            if score >= 0.5 and line_only and pids:
                out.append(("line:" + line_only[0], number, number))
            elif score >= cfg["line_strong"] and reasons & set(_LINE_STRONG_REASONS):
                strongest = max(pids, key=pids.get)
                out.append((f"line_strong:{strongest}", number, number))
    for d in t["directives"]:
        if d["index"] not in cfg["directives_drop"]:
            out.append((f"directive:{d['index']}", d["line"], d["line"]))
    out += [("hidden_or_comment", a, b) for a, b in t["hidden"] + t["comments"]]
    return out


def measure(traces: dict, cfg: dict, reasons_of: dict[int, str]) -> dict:
    clean_by_pass, clean_docs, examples = Counter(), 0, defaultdict(list)
    for d in traces["clean"]:
        found = spans(d["trace"], cfg, reasons_of)
        clean_docs += bool(found)
        for name in {f[0] for f in found}:
            clean_by_pass[name] += 1
            line = next(f[1] for f in found if f[0] == name)
            text = d["trace"]["lines"].get(line, {}).get("text") or next(
                (p["text"][:160] for p in d["trace"]["passages"] if p["start"] <= line <= p["end"]), "")
            examples[name].append(f"{d['id']}:{line}: {text[:160]}")
    caught, only = defaultdict(lambda: [0, 0]), defaultdict(Counter)
    for d in traces["attacks"]:
        lo, hi = d["lines"]
        at = {f[0] for f in spans(d["trace"], cfg, reasons_of) if f[1] <= hi and f[2] >= lo}
        caught[d["set"]][0] += bool(at)
        caught[d["set"]][1] += 1
        if len(at) == 1:
            only[d["set"]][next(iter(at))] += 1
    return {"clean_docs_flagged": clean_docs, "clean_n": len(traces["clean"]), "clean_by_pass": dict(clean_by_pass),
            "caught": {k: v for k, v in caught.items()}, "caught_only_by": {k: dict(v) for k, v in only.items()},
            "clean_examples": {k: v[:12] for k, v in examples.items()}}


def _summary(m: dict) -> dict:
    return {"clean": f"{m['clean_docs_flagged']}/{m['clean_n']}", **{k: f"{v[0]}/{v[1]}" for k, v in sorted(m["caught"].items())}}


def ablate(traces: dict, reasons_of: dict[int, str]) -> list[dict]:
    """Each pass and each strong line pattern switched off alone: what it costs in clean documents and recall."""
    rows = [{"what": "shipped (version 9)", **_summary(measure(traces, DEFAULT, reasons_of))},
            {"what": "no line rules", **_summary(measure(traces, {**DEFAULT, "line_rules": False}, reasons_of))},
            {"what": "no strong line rule", **_summary(measure(traces, {**DEFAULT, "line_strong": 2.0}, reasons_of))},
            {"what": "no classifier", **_summary(measure(traces, {**DEFAULT, "gates": (), "addressed_cut": 2.0}, reasons_of))},
            {"what": "version 10", **_summary(measure(traces, VERSION_10, reasons_of))}]
    fired = Counter(pid for group in ("clean", "attacks") for d in traces[group] for ev in d["trace"]["lines"].values() for pid in ev["pids"])
    for pid in sorted(fired):
        rows.append({"what": f"line pattern {pid} off ({reasons_of.get(pid)})",
                     **_summary(measure(traces, {**DEFAULT, "line_drop": frozenset({pid})}, reasons_of))})
    for index in range(len(K._MODEL_DIRECTIVES)):
        rows.append({"what": f"directive {index} off", **_summary(measure(traces, {**DEFAULT, "directives_drop": frozenset({index})}, reasons_of))})
    return rows


def sweep_gate(traces: dict, reasons_of: dict[int, str]) -> list[dict]:
    """The classifier's gate alone (no rules): clean documents and attacks caught per cut, fit and words."""
    rows = []
    for cut in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        for fit in (0.1, 0.15, 0.2, 0.25):
            for words in (4, 6, 8):
                cfg = {**DEFAULT, "gates": ((cut, fit),), "words": words, "line_rules": False, "directives_drop": frozenset(range(99))}
                rows.append({"cut": cut, "fit": fit, "words": words, **_summary(measure(traces, cfg, reasons_of))})
    return rows


def sweep_tiers(traces: dict, reasons_of: dict[int, str]) -> list[dict]:
    """Version 10's choice: two gates, a middling score with a passage plainly out of place or a high
    score with a loosely fitting one, with version 10's rules. Picked: no clean document of the tune
    part, then most attacks caught (all four sets pooled); ties to the fewer gates."""
    rows = []
    for low in ((c, f) for c in (0.3, 0.4, 0.5) for f in (0.1, 0.12, 0.15)):
        for high in [None] + [(c, f) for c in (0.8, 0.9, 0.95) for f in (0.2, 0.25, 0.3, 0.35)]:
            gates = (low,) if high is None else (low, high)
            m = measure(traces, {**VERSION_10, "gates": gates}, reasons_of)
            rows.append({"gates": gates, **_summary(m), "caught_all": sum(v[0] for v in m["caught"].values())})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--traces", type=Path, required=True, help="cache of the traces (written when missing)")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--check", action="store_true", help="the fresh fold's check part, once, after the choices: version 9 against 10")
    args = parser.parse_args(argv)
    if not args.traces.exists():
        args.traces.write_bytes(pickle.dumps(collect("fresh10_check" if args.check else "fresh10_tune")))
    traces = pickle.loads(args.traces.read_bytes())
    compiled = I._compiled()
    reasons_of = {pid: reason for reason, _, _, pid in compiled.all_text + compiled.squashed + compiled.named}
    if args.check:
        result = {"part": "fresh10_check", "version_9": measure(traces, DEFAULT, reasons_of), "version_10": measure(traces, VERSION_10, reasons_of)}
        print(json.dumps(result, indent=1, ensure_ascii=False))
        if args.out:
            args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
        return 0
    result = measure(traces, DEFAULT, reasons_of)
    print(json.dumps(result, indent=1, ensure_ascii=False))
    chosen = measure(traces, VERSION_10, reasons_of)
    print("version 10", json.dumps(chosen, indent=1, ensure_ascii=False))
    tiers = sweep_tiers(traces, reasons_of)
    ablations = ablate(traces, reasons_of)
    for row in ablations:
        print(json.dumps(row, ensure_ascii=False))
    gates = sweep_gate(traces, reasons_of)
    if args.out:
        args.out.write_text(json.dumps({"part": "fresh10_tune + tuning-side attacks", "version_9": result, "version_10": chosen, "tiers": tiers,
                                        "ablations": ablations, "gate": gates}, indent=1, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
