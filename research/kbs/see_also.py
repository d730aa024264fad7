"""Which "See also" lines the extractive reply should keep (issue 14: "a 'see also' only when it adds a whole,
different fact").

For every answerable question of a labelled KB, the product's retrieval gives the chain's three sources; the
extractive generator answers from the first with words, and each later source is a candidate for a "See also"
line. A candidate is counted *on subject* when its file is one of the question's target files (labelled by
someone who never saw Beacon) and the answer's own source is not, or is another section of it: the line then
adds the article the question is about. Any other line adds a different article than the labelled one, which
is what the chat's off-subject see-alsos were ("Servers are connected to an IRC channel …" under a question on
server privacy).

Per candidate it records the candidate's rank, its score over the top's (the product's scores, after the
best-sentence step), the cosine between the question and the sentence the generator would quote (embedded as
the sentence store embeds it: title › section: sentence) and the best such cosine among the source's
sentences that could stand as a see-also line.

    python -m research.kbs.see_also collect --kb stackfaq-train --kb demo --kb electrum --kb monero --kb btcpay \
        --kb stackfaq-test --out /tmp/see_also_rows.json
    python -m research.kbs.see_also rules /tmp/see_also_rows.json
    python -m research.kbs.see_also grid /tmp/see_also_rows.json --kb stackfaq-train

The rows hold the public questions' text, so they stay out of the repository (``--out`` anywhere). ``grid`` lists
the rules over the score share, the sentence share (both scale-free) and the sources read that keep at least 90% of
the tuning KB's lines that add the labelled article, fewest off-subject lines first.
"""

from __future__ import annotations

import argparse
import itertools
import json
from dataclasses import replace
from pathlib import Path

from app.chain.generation.extractive import ExtractiveGenerator, _see_also, select, units
from app.index.sentences import SentenceMatch
from research.kbs.evaluate import kb_by_name
from research.kbs.harness import Runner, bundled_embedder, ingest

SOURCES = 3  # the chain's default (Settings.sources)


def _cosines(embedder, question: str, chunk, texts: list[str]) -> list[float]:
    """Each text's cosine to the question, embedded after the chunk's title and section path (the product's
    ``SentenceMatch``, with the chunk's step cosines left out so that every text is embedded)."""
    unscored = replace(chunk, sentence_cosines=None)
    return SentenceMatch(embedder).cosines(question, [(unscored, text) for text in texts]) if texts else []


def collect(names: list[str]) -> list[dict]:
    embedder = bundled_embedder()
    rows: list[dict] = []
    for name in names:
        kb = kb_by_name(name)
        runner = Runner(ingest(kb, embedder), embedder, chain=False)
        for question in kb.questions:
            if not question.answerable:
                continue
            results = runner.retriever.retrieve(question.query, top_k=SOURCES, region=question.region).results
            if len(results) < 2:
                continue
            first = next((i for i, s in enumerate(results)
                          if ExtractiveGenerator._main_answer(question.query, s)), None)
            if first is None:
                continue
            top = results[first]
            answer = ExtractiveGenerator._main_answer(question.query, top)
            top_cos = _cosines(embedder, question.query, top, [answer.split("\n\n")[0]])[0]
            for rank, extra in enumerate(results[first + 1:], start=first + 2):
                if extra.source == top.source:
                    continue
                sentence = _see_also(question.query, extra, answer)
                standing = [u.text for u in units(extra.text) if u.whole_sentence and len(u.text.split()) >= 8]
                cos = _cosines(embedder, question.query, extra, ([sentence] if sentence else []) + standing)
                rows.append({
                    "kb": name, "id": question.id, "query": question.query, "rank": rank,
                    "top_file": top.source, "file": extra.source, "targets": list(question.targets),
                    "top_right": top.source in question.targets, "right": extra.source in question.targets,
                    "score_ratio": extra.score / top.score if top.score else 0.0,
                    "sentence": sentence, "sentence_cos": cos[0] if sentence else None,
                    "best_cos": max(cos[1 if sentence else 0:], default=None), "top_cos": top_cos,
                    "selected": select(question.query, extra.text, said=answer)[:300],
                })
        runner.close()
        print(f"{name}: {sum(r['kb'] == name for r in rows)} candidates", flush=True)
    return rows


def _shown(row: dict, rule: dict) -> bool:
    """Whether a candidate becomes a see-also line under a rule (None thresholds: not applied)."""
    if row["rank"] > rule.get("max_rank", 2) or not row["sentence"]:
        return False
    if rule.get("ratio") is not None and row["score_ratio"] < rule["ratio"]:
        return False
    if rule.get("cos") is not None and row["sentence_cos"] < rule["cos"]:
        return False
    if rule.get("rel") is not None and row["sentence_cos"] < rule["rel"] * row["top_cos"]:
        return False
    return True


def score(rows: list[dict], rule: dict) -> dict:
    """Lines shown (the first candidate of a question that passes: one line a reply), of them on subject, and
    the questions whose labelled article only the line cites."""
    first: dict[str, dict] = {}
    for row in sorted(rows, key=lambda r: r["rank"]):
        if row["id"] not in first and _shown(row, rule):
            first[row["id"]] = row
    shown = list(first.values())
    on = [r for r in shown if r["right"]]
    questions = {r["id"] for r in rows}
    adds_target = {r["id"] for r in on if not r["top_right"]}
    return {"shown": len(shown), "on_subject": len(on), "precision": len(on) / len(shown) if shown else float("nan"),
            "adds_target": len(adds_target), "questions": len(questions)}


RULES = [{"name": "before (rank 2, word overlap)"},
         {"name": "shipped: first 3 sources, score share 0.8, sentence share 0.9", "max_rank": 3, "ratio": 0.8,
          "rel": 0.9}] + [
    {"name": f"ratio >= {r}", "ratio": r} for r in (0.6, 0.7, 0.8, 0.9)] + [
    {"name": f"cos >= {c}", "cos": c} for c in (0.4, 0.45, 0.5, 0.55, 0.6)] + [
    {"name": f"cos >= {c} x top's", "rel": c} for c in (0.7, 0.8, 0.9, 1.0)]


def rules(rows: list[dict], names: list[str]) -> None:
    print("| rule | " + " | ".join(f"{n}: shown / on subject / precision / adds target" for n in names) + " |")
    print("|---|" + "---|" * len(names))
    for rule in RULES:
        cells = []
        for name in names:
            s = score([r for r in rows if r["kb"] == name], rule)
            cells.append(f"{s['shown']} / {s['on_subject']} / {s['precision']:.2f} / {s['adds_target']}")
        print(f"| {rule['name']} | " + " | ".join(cells) + " |")


def grid(rows: list[dict], name: str, keep: float = 0.9) -> None:
    tuning = [r for r in rows if r["kb"] == name]
    floor = keep * score(tuning, {})["adds_target"]
    found = []
    for depth, ratio, rel in itertools.product((2, 3), (None, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9),
                                               (None, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0)):
        rule = {"max_rank": depth, "ratio": ratio, "rel": rel}
        s = score(tuning, rule)
        if s["adds_target"] >= floor:
            found.append((s["shown"] - s["on_subject"], -s["adds_target"], rule, s))
    for off, _, rule, s in sorted(found, key=lambda f: f[:2])[:10]:
        print(f"{rule}: shown {s['shown']}, off subject {off}, adds the labelled article {s['adds_target']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("collect")
    c.add_argument("--kb", action="append", required=True)
    c.add_argument("--out", type=Path, required=True)
    r = sub.add_parser("rules")
    r.add_argument("rows", type=Path)
    r.add_argument("--kb", action="append")
    g = sub.add_parser("grid")
    g.add_argument("rows", type=Path)
    g.add_argument("--kb", required=True)
    args = parser.parse_args()
    if args.command == "collect":
        args.out.write_text(json.dumps(collect(args.kb), indent=1), encoding="utf-8")
    elif args.command == "grid":
        grid(json.loads(args.rows.read_text(encoding="utf-8")), args.kb)
    else:
        rows = json.loads(args.rows.read_text(encoding="utf-8"))
        rules(rows, args.kb or list(dict.fromkeys(r["kb"] for r in rows)))


if __name__ == "__main__":
    main()
