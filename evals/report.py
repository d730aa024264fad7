"""Writes a run's result: ``result.json`` (everything, stable keys), ``report.md`` (for people:
headline figures, ragas and Beacon metrics side by side, the worst cases first) and PNG plots."""

from __future__ import annotations

import json
from pathlib import Path

from evals.beacon_metrics import DECISIONS, LOWER_IS_BETTER, MISSED_ESCALATION_COST, UNNEEDED_ESCALATION_COST

WORST_CASES = 15
# Plain-words description for each headline figure, shown next to it in the report.
DESCRIPTIONS = {
    "non_llm_context_precision_with_reference": "ragas: retrieved chunks that match a reference context, rank-weighted",
    "non_llm_context_recall": "ragas: reference contexts found among the retrieved chunks (cases labelled with a section; a whole-file label counts in hit@k)",
    "non_llm_string_similarity": "ragas: Levenshtein similarity of the answer to the reference answer",
    "rouge_score": "ragas: ROUGE-L F1 of the answer against the reference answer",
    "semantic_similarity": "ragas: cosine similarity of answer and reference (Beacon's MiniLM embedder)",
    "faithfulness": "ragas (judge): claims in the answer supported by the retrieved contexts",
    "answer_relevancy": "ragas (judge): the answer addresses the question",
    "llm_context_precision_with_reference": "ragas (judge): useful retrieved chunks ranked first",
    "context_recall": "ragas (judge): reference answer's claims found in the retrieved contexts",
    "factual_correctness": "ragas (judge): claims shared by answer and reference (F1)",
    "hit@1": "Beacon: a labelled source is the top search result (by article when labels name whole files)",
    "hit@5": "Beacon: a labelled source is in the top 5 (articles, each once, when labels name whole files)",
    "mrr": "Beacon: mean reciprocal rank of the first labelled source",
    "decision_accuracy": "Beacon: answer / clarify / escalate as labelled (a cautious answer is an answer)",
    "escalation_category_accuracy": "Beacon: correct escalations filed under the labelled category",
    "missed_escalations": "Beacon: should have handed over, did not (worse)",
    "unneeded_escalations": "Beacon: handed over when it should have answered or clarified",
    "escalation_cost": f"Beacon: ({MISSED_ESCALATION_COST:g} x missed + {UNNEEDED_ESCALATION_COST:g} x unneeded) / cases",
    "containment_rate": "Beacon: conversations answered without a person",
    "containment_of_answerable": "Beacon: answerable conversations answered without a person",
    "answered_citing_reference": "Beacon: answerable cases answered citing a labelled source (the right article)",
    "groundedness_rate": "Beacon: answers whose output check passed",
    "pii_leak_rate": "Beacon: raw PII values found in model inputs, logs or stores",
    "injection_flag_rate": "Beacon: adversarial cases flagged as prompt injection",
    "latency_total_p50_ms": "Beacon: median time per turn (ms)",
    "latency_total_p95_ms": "Beacon: 95th percentile time per turn (ms)",
}


# An answer from an article the labels do not name reads right and is not: listed before a handoff that was not
# needed (which costs an agent minutes), after a missed escalation.
WRONG_ARTICLE_BADNESS = 1.5


def badness(record) -> float:
    """How much a case should worry an evaluator, for ordering the worst cases."""
    score = 0.0
    if record.error:
        return 100.0
    if record.expected_decision == "escalate" and record.decided != "escalate":
        score += MISSED_ESCALATION_COST
    elif record.decided != record.expected_decision:
        score += UNNEEDED_ESCALATION_COST if record.decided == "escalate" else 1.0
    elif record.decided == "escalate" and record.decided_category != record.expected_category:
        score += 0.5
    if record.reference_contexts and record.scores.get("hit_rank") is None:
        score += 0.5
    if record.scores.get("cited_reference") == 0.0:  # answered, from an article the labels do not name
        score += WRONG_ARTICLE_BADNESS
    if "semantic_similarity" in record.scores:
        score += 1.0 - record.scores["semantic_similarity"]
    if record.output_check and not record.output_check.get("passed", True):
        score += 0.5
    return round(score, 4)


def write_json(result: dict, out: Path) -> Path:
    path = out / "result.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return path


def _fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _short(text: str, limit: int = 300) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(result: dict, records) -> str:
    summary, baseline = result["summary"], (result.get("baseline") or {})
    lines = [f"# Beacon evaluation: suite `{result['suite']}`", "",
             f"{result['cases']} cases, {result['seconds']:.0f} s, {result['started_at']}. "
             f"Generator `{result['settings']['generator']}`, answer sources {result['settings']['answer_sources']}, "
             f"retrieval candidates {result['settings']['retrieval_candidates']}.", ""]
    gate = result.get("gate")
    if gate:
        lines += [f"**Gate: {'PASSED' if gate['passed'] else 'FAILED'}** — {gate['message']}", ""]
    judge = result["ragas"].get("judge") or {}
    if judge.get("error") or judge.get("skipped"):
        lines += [f"LLM-judged metrics: {judge.get('error') or judge.get('skipped')}", ""]
    lines += ["## Headline figures (ragas and Beacon side by side)", "",
              "| metric | value | baseline | meaning |", "|---|---|---|---|"]
    for name, value in summary.items():
        arrow = "lower is better" if name in LOWER_IS_BETTER else ""
        lines.append(f"| `{name}` | {_fmt(value)} | {_fmt(baseline.get(name))} | "
                     f"{DESCRIPTIONS.get(name, '')} {('(' + arrow + ')') if arrow else ''} |")
    lines += ["", "A missed escalation (Beacon answered when a person was needed) is counted as "
              f"{MISSED_ESCALATION_COST:g} times worse than an unneeded one in `escalation_cost`: a customer with "
              "money or access at risk must reach a person, while an extra handoff costs an agent minutes.", ""]
    beacon = result["beacon"]
    lines += ["## Decisions (rows: expected, columns: Beacon)", "", "| expected \\ got | " +
              " | ".join(DECISIONS) + " | error |", "|---" * (len(DECISIONS) + 2) + "|"]
    for expected, row in beacon["decisions"]["confusion"].items():
        lines.append(f"| {expected} | " + " | ".join(str(row[a]) for a in (*DECISIONS, "error")) + " |")
    lines += ["", "## Escalation by category", "",
              "| category | expected | Beacon | precision | recall | missed | wrong category | unneeded |",
              "|---|---|---|---|---|---|---|---|"]
    for category, row in beacon["escalation_by_category"].items():
        lines.append(f"| {category} | {row['expected']} | {row['predicted']} | {_fmt(row['precision'])} | "
                     f"{_fmt(row['recall'])} | {row['missed']} | {row['wrong_category']} | {row['unneeded']} |")
    lines += ["", "## Latency per stage (ms)", "", "| stage | n | p50 | p95 |", "|---|---|---|---|"]
    for stage, row in beacon["latency_ms"].items():
        lines.append(f"| {stage} | {row['n']} | {_fmt(row['p50'])} | {_fmt(row['p95'])} |")
    pii = beacon["pii"]
    lines += ["", f"PII: {pii['pii_values']} raw values in PII-bearing cases, {pii['leaked']} found in "
              f"{', '.join(pii['sinks_checked'])}.", ""]
    lines += _worst(records)
    lines += ["", "Plots: `metrics.png` (figures vs baseline), `confusion.png` (decisions), "
              "`latency.png` (time per turn).", ""]
    return "\n".join(lines)


def _worst(records) -> list[str]:
    ranked = sorted(records, key=lambda r: (-badness(r), r.id))[:WORST_CASES]
    lines = [f"## The {len(ranked)} worst cases", ""]
    for r in ranked:
        got = r.decided + (f" ({r.decided_category})" if r.decided_category else "")
        got += " citing no labelled source" if r.scores.get("cited_reference") == 0.0 else ""
        want = r.expected_decision + (f" ({r.expected_category})" if r.expected_category else "")
        lines += [f"### `{r.id}` — expected {want}, got {got}", "",
                  f"- tags: {', '.join(r.tags)}; region {r.region or '–'}; confidence {r.confidence:.2f}",
                  f"- question: {_cell(_short(' ⏎ '.join(r.turns), 400))}",
                  f"- answer: {_cell(_short(r.answer, 400))}",
                  f"- reference answer: {_cell(_short(r.reference_answer, 300)) or '–'}",
                  "- reference contexts: " + ("; ".join(f"{s} › {sec}" if sec else s  # a whole file: no section
                                                        for s, sec in r.reference_contexts) or "–"),
                  "- retrieved: " + ("; ".join(f"{i}. {c['source']} › {c['section']}"
                                               for i, c in enumerate(r.retrieved[:5], 1)) or "–"),
                  "- scores: " + ", ".join(f"{k} {_fmt(v)}" for k, v in sorted(r.scores.items())),
                  f"- reasons: {', '.join(r.reasons) or '–'}" + (f"; error: {r.error}" if r.error else ""), ""]
    return lines


def plots(result: dict, records, out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")  # files only; no display on a CI runner
    import matplotlib.pyplot as plt

    written = []
    summary, baseline = result["summary"], result.get("baseline") or {}
    rates = [k for k, v in summary.items() if isinstance(v, (int, float)) and k not in LOWER_IS_BETTER]
    fig, ax = plt.subplots(figsize=(10, 0.35 * len(rates) + 1.5))
    ys = range(len(rates))
    ax.barh([y + 0.2 for y in ys], [summary[k] for k in rates], height=0.4, label="this run")
    ax.barh([y - 0.2 for y in ys], [baseline.get(k) or 0 for k in rates], height=0.4, label="baseline", alpha=0.6)
    ax.set_yticks(list(ys), rates)
    ax.set_xlim(0, 1.05)
    ax.invert_yaxis()
    ax.legend(loc="lower right")
    ax.set_title("Scores (higher is better) against the accepted baseline")
    fig.tight_layout()
    written.append(_save(fig, out / "metrics.png"))

    matrix = result["beacon"]["decisions"]["confusion"]
    cols = [*DECISIONS, "error"]
    values = [[matrix[e][a] for a in cols] for e in DECISIONS]
    fig, ax = plt.subplots(figsize=(5.5, 4))
    ax.imshow(values, cmap="Blues")
    ax.set_xticks(range(len(cols)), cols)
    ax.set_yticks(range(len(DECISIONS)), DECISIONS)
    ax.set_xlabel("Beacon decided")
    ax.set_ylabel("expected")
    for i, row in enumerate(values):
        for j, v in enumerate(row):
            ax.text(j, i, str(v), ha="center", va="center")
    ax.set_title("Decisions")
    fig.tight_layout()
    written.append(_save(fig, out / "confusion.png"))

    totals = [r.latency_ms["total_ms"] for r in records if "total_ms" in r.latency_ms]
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.hist(totals or [0], bins=30)
    lat = result["beacon"]["latency_ms"].get("total_ms", {})
    for q in ("p50", "p95"):
        if lat.get(q) is not None:
            ax.axvline(lat[q], linestyle="--", color="k")
            ax.text(lat[q], ax.get_ylim()[1] * 0.9, f" {q} {lat[q]:.0f} ms")
    ax.set_xlabel("ms per turn (whole chain)")
    ax.set_ylabel("cases")
    ax.set_title("Latency")
    fig.tight_layout()
    written.append(_save(fig, out / "latency.png"))
    return written


def _save(fig, path: Path) -> Path:
    import matplotlib.pyplot as plt

    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def write_all(result: dict, records, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = [write_json(result, out)]
    md = out / "report.md"
    md.write_text(markdown(result, records), encoding="utf-8")
    written.append(md)
    written += plots(result, records, out)
    return written
