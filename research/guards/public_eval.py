"""Measure Beacon's input guards on the public report parts (research/guards/README.md has the splits).

    .venv/bin/python -m research.guards.public_eval                       # every detector, report parts
    .venv/bin/python -m research.guards.public_eval --only topics         # one detector
    .venv/bin/python -m research.guards.public_eval --part tune --errors  # tuning parts, with the misses listed
    .venv/bin/python -m research.guards.public_eval --out research/guards/results/NAME.json

Report parts are for the number of a shipped version: look at them once per version. Tune with
``--part tune``. Every rate is printed with its split and count.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

from research.guards import data, documents
from research.paths import INJECTION_DATA

HARD_ROUTINE = (
    "can I check that I wrote my recovery words down correctly",
    "an exchange says my address is not valid",
    "charged twice for the same coffee",
)
SETS = Path(__file__).resolve().parent / "sets"
EVALS = INJECTION_DATA


def rate(hits: int, n: int) -> dict:
    return {"hits": hits, "n": n, "rate": round(hits / n, 4) if n else None}


def _examples(rows, flags, want: bool, limit: int = 25) -> list[str]:
    return [r["text"][:160] for r, f in zip(rows, flags) if f == want][:limit]


# --- injection -------------------------------------------------------------------------------------
def eval_injection(part: str, errors: bool) -> dict:
    from guardrails.injection import InjectionDetector

    detector = InjectionDetector()
    detector.warm_up()

    def flags(rows):
        return [r.injection for r in detector.score_batch([x["text"] for x in rows])]

    parts = (part,) if part == "tune" else ("report", "report_b")
    out: dict = {}
    attacks = [r for r in data.jailbreaks() if r["part"] == ("tune" if part == "tune" else "report")]
    f = flags(attacks)
    out["jailbreak_families"] = {**rate(sum(f), len(attacks)), "families": len({r["family"] for r in attacks})}
    if errors:
        out["jailbreak_families"]["missed"] = _examples(attacks, f, False)
    # The attack-technique benchmark: BIPIA's attack instructions typed as messages, the categories
    # held out whole (documents.py); many are off-topic requests rather than attacks on the assistant
    # ("What is the capital of Brazil?"), so this is a floor for the technique, not a target.
    techniques = [{"text": a["text"], "category": a["category"]} for a in documents.bipia_attacks()
                  if a["part"] == ("tune" if part == "tune" else "report")]
    f = flags(techniques)
    out["attack_techniques"] = {**rate(sum(f), len(techniques)), "categories": len({a["category"] for a in techniques})}
    rules = InjectionDetector(use_model=False)
    out["attack_techniques_rules_alone"] = rate(sum(rules.score(a["text"]).injection for a in techniques), len(techniques))
    out["jailbreak_families_rules_alone"] = rate(sum(rules.score(a["text"]).injection for a in attacks), len(attacks))
    if errors:
        out["attack_techniques"]["missed"] = _examples(techniques, f, False)
    roleplay = [r for r in data.roleplay_prompts() if r["part"] == ("tune" if part == "tune" else "report")]
    f = flags(roleplay)
    out["roleplay_benign"] = rate(sum(f), len(roleplay))
    if errors:
        out["roleplay_benign"]["flagged"] = _examples(roleplay, f, True)
    for name, rows in (("banking77", data.banking77()), ("clinc150", data.clinc150())):
        for p in parts:
            sel = [r for r in rows if r["part"] == p]
            f = flags(sel)
            out[f"{name}_{p}_flagged"] = rate(sum(f), len(sel))
            if errors:
                out[f"{name}_{p}_flagged"]["flagged"] = _examples(sel, f, True)
    benign = [out[k] for k in out if k.endswith("_flagged")]
    out["banking77_clinc150_flagged"] = rate(sum(b["hits"] for b in benign), sum(b["n"] for b in benign))
    # Written here (second): the test split of research/injection/data/injection.jsonl.
    rows = [json.loads(x) for x in (EVALS / "injection.jsonl").read_text().splitlines() if x.strip()]
    test = [r for r in rows if r["split"] == ("dev" if part == "tune" else "test")]
    f = flags(test)
    out["written_here"] = {"split": "dev" if part == "tune" else "test",
                           "recall": rate(sum(x for x, r in zip(f, test) if r["injection"]), sum(r["injection"] for r in test)),
                           "benign_flagged": rate(sum(x for x, r in zip(f, test) if not r["injection"]), sum(not r["injection"] for r in test))}
    return out


# --- topics ----------------------------------------------------------------------------------------
def eval_topics(part: str, errors: bool) -> dict:
    from guardrails.topics import TopicDetector

    detector = TopicDetector()
    detector.warm_up()
    # Version 9 on: one report part, a hashed fifth of every BANKING77 intent and CLINC150's val split
    # of every intent ("topic_part", research/guards/data.py); version 8's whole-intent carving is gone
    # from here because the model now trains on those intents.
    parts = (part,)
    out: dict = {"mode": detector.mode, "carving": "topic_part (version 9)"}
    for name, rows in (("banking77", data.banking77()), ("clinc150", data.clinc150())):
        for p in parts:
            sel = [r for r in rows if r["topic_part"] == p]
            results = detector.detect_batch([r["text"] for r in sel])
            pos = [(r, res) for r, res in zip(sel, results) if r["labels"]]
            neg = [(r, res) for r, res in zip(sel, results) if not r["labels"]]
            entry = {
                "sensitive_escalated": rate(sum(res.sensitive for _, res in pos), len(pos)),
                "sensitive_right_category": rate(sum(bool(set(r["labels"]) & {t.category for t in res.topics}) for r, res in pos), len(pos)),
                "routine_escalated": rate(sum(res.sensitive for _, res in neg), len(neg)),
            }
            if name == "clinc150":
                bank = [(r, res) for r, res in neg if r["intent"] in data.CLINC_BANKING_DOMAINS]
                entry["routine_banking_domains_escalated"] = rate(sum(res.sensitive for _, res in bank), len(bank))
            by_intent = defaultdict(list)
            for r, res in pos:
                by_intent[r["intent"]].append(res.sensitive)
            entry["sensitive_by_intent"] = {k: rate(sum(v), len(v)) for k, v in sorted(by_intent.items())}
            worst = defaultdict(list)
            for r, res in neg:
                worst[r["intent"]].append(res.sensitive)
            entry["routine_worst_intents"] = dict(sorted(((k, rate(sum(v), len(v))) for k, v in worst.items() if sum(v)),
                                                         key=lambda kv: -kv[1]["hits"])[:8])
            if errors:
                entry["missed"] = [r["text"] for r, res in pos if not res.sensitive][:30]
                entry["false_escalations"] = [(r["text"], [t.category for t in res.topics]) for r, res in neg if res.sensitive][:40]
            out[f"{name}_{p}"] = entry
    hard = detector.detect_batch(list(HARD_ROUTINE))
    out["hard_routine_cases"] = {t: [x.category for x in r.topics] for t, r in zip(HARD_ROUTINE, hard)}
    return out


# --- human requests --------------------------------------------------------------------------------
def eval_human(part: str, errors: bool) -> dict:
    from guardrails.escalation import asks_for_human
    from guardrails.topics import TopicDetector

    name = "human_requests.jsonl" if part != "tune" else "human_requests_tune.jsonl"
    path = SETS / name
    out: dict = {}
    if path.exists():
        rows = [json.loads(x) for x in path.read_text().splitlines() if x.strip()]
        got = [asks_for_human(r["text"]) for r in rows]
        pos = [(r, g) for r, g in zip(rows, got) if r["human"]]
        neg = [(r, g) for r, g in zip(rows, got) if not r["human"]]
        topics = TopicDetector()
        called = [res.sensitive for res in topics.detect_batch([r["text"] for r, _ in pos])]
        out[name] = {"recognised": rate(sum(g for _, g in pos), len(pos)),
                     "recognised_english": rate(sum(g for r, g in pos if r["lang"] == "en"), sum(r["lang"] == "en" for r, _ in pos)),
                     "recognised_other_languages": rate(sum(g for r, g in pos if r["lang"] != "en"), sum(r["lang"] != "en" for r, _ in pos)),
                     "lookalikes_recognised": rate(sum(g for _, g in neg), len(neg)),
                     "requests_called_sensitive_topic": rate(sum(called), len(called))}
        if errors:
            out[name]["missed"] = [r["text"] for r, g in pos if not g]
            out[name]["false"] = [r["text"] for r, g in neg if g]
            out[name]["called_sensitive"] = [r["text"] for (r, _), c in zip(pos, called) if c]
    parts = (part,) if part == "tune" else ("report", "report_b")
    for dname, rows in (("banking77", data.banking77()), ("clinc150", data.clinc150())):
        for p in parts:
            sel = [r for r in rows if r["part"] == p]
            got = [asks_for_human(r["text"]) for r in sel]
            out[f"{dname}_{p}_recognised"] = rate(sum(got), len(sel))
            if errors:
                out[f"{dname}_{p}_recognised"]["examples"] = _examples(sel, got, True)
    return out


# --- knowledge scan --------------------------------------------------------------------------------
def eval_knowledge(part: str, errors: bool) -> dict:
    from guardrails import knowledge_scan

    detector = None
    if hasattr(knowledge_scan, "KnowledgeScanner"):
        scanner = knowledge_scan.KnowledgeScanner()
        scan = scanner.scan
    else:
        from guardrails.injection import InjectionDetector

        detector = InjectionDetector()
        detector.warm_up()

        def scan(text):
            return knowledge_scan.scan_knowledge_text(text, detector)

    def lines_of(finding) -> tuple[int, int]:
        start = getattr(finding, "start_line", None) or finding.line
        end = getattr(finding, "end_line", None) or finding.line
        return start, end

    want = "tune" if part == "tune" else "report"
    out: dict = {"clean": {}, "planted": {}}
    started = time.perf_counter()
    flagged_clean = []
    by_source = defaultdict(lambda: [0, 0])
    for doc in documents.clean_documents():
        if doc["part"] != want:
            continue
        found = scan(doc["text"])
        by_source[doc["source"]][1] += 1
        if found:
            by_source[doc["source"]][0] += 1
            flagged_clean.append((doc["id"], [f.to_json() for f in found][:3]))
    out["clean"] = {src: rate(*v) for src, v in sorted(by_source.items())}
    out["clean_all"] = rate(sum(v[0] for v in by_source.values()), sum(v[1] for v in by_source.values()))
    if errors:
        out["clean_flagged"] = flagged_clean[:60]
    by_set = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    missed = []
    for doc in documents.planted_documents():
        if doc["part"] != want:
            continue
        found = scan(doc["text"])
        lo, hi = doc["lines"]
        at_attack = any(lines_of(f)[0] <= hi and lines_of(f)[1] >= lo for f in found)
        for key in ("all", f"source={doc['source']}", f"position={doc['position']}", f"category={doc['category']}"):
            cell = by_set[doc["set"]][key]
            cell[0] += at_attack
            cell[1] += bool(found)
            cell[2] += 1
        if not at_attack:
            missed.append((doc["id"], doc["attack"][:100]))
    out["planted"] = {s: {k: {"caught_at_attack": rate(v[0], v[2]), "document_flagged": rate(v[1], v[2])}
                          for k, v in sorted(keys.items())} for s, keys in by_set.items()}
    if errors:
        out["planted_missed"] = missed[:60]
    out["seconds"] = round(time.perf_counter() - started, 1)
    return out


DETECTORS = {"injection": eval_injection, "topics": eval_topics, "human": eval_human, "knowledge": eval_knowledge}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=sorted(DETECTORS), action="append", help="run only this detector (repeatable)")
    parser.add_argument("--part", choices=("report", "tune"), default="report")
    parser.add_argument("--errors", action="store_true", help="list misses and false alarms")
    parser.add_argument("--out", type=Path, help="write the JSON here as well")
    args = parser.parse_args(argv)
    report = {"part": args.part}
    for name in args.only or list(DETECTORS):
        started = time.perf_counter()
        report[name] = DETECTORS[name](args.part, args.errors)
        print(f"== {name} ({time.perf_counter() - started:.0f} s)")
        print(json.dumps(report[name], indent=1, ensure_ascii=False))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
