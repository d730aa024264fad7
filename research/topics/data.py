"""The sensitive-topic messages for training, and the cut rule (shared by research/topics/finetune.py
and research/topics/evaluate.py).

Development data: every labelled split in research/topics/data/sensitive_topics*.jsonl except the blind
ones (``BLIND_SPLITS``: kept in files of their own and never opened here), plus the project's
routine questions (queries_*.jsonl, labelled by queries_topic_labels.jsonl). Each round, the blind
splits of the round before become training data and new ones are written.

The cut: one probability threshold for all categories, the lowest on a 0.01 grid at which the
out-of-fold flag rate of rules OR model stays within ROUTINE_BUDGET on the routine questions, and
adds at most NEGATIVE_MARGIN to the rules' own flag rate on the labelled set's no-label messages
(mostly hard negatives).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.core.company import Company
from app.core.jsonl import read_jsonl
from guardrails.topics import CATEGORIES, readable, rules_scores
from research.paths import TOPICS_DATA
from research.retrieval.queries import QUERY_FILES, ROUTINE_LABELS

DATASET = TOPICS_DATA / "sensitive_topics.jsonl"
# Every labelled split in research/topics/data/sensitive_topics*.jsonl is development data except the
# current blind one, kept in a file of its own and never read here. Each round, the blind split
# of the round before becomes training data and a new one is written.
# test7 and test8 were the blind splits of version 7 (scored once); from the next retrain on they are
# training data. test9 and test10 are version 7.1's.
BLIND_SPLITS = ("test9", "test10")
# A missed escalation costs more than an unneeded one (5 to 1 in `beacon eval`'s escalation_cost),
# so the cut takes recall up to these budgets. The hard-negative budget is what the model may
# ADD to the rules' own no-label flags: the rules alone flag 12.6% of the version-6 dev set's
# no-label messages (the near-miss set train_e), so an absolute 12% budget pushed the cut to
# the top of the grid (0.99) and switched the model off (out-of-fold recall 0.799).
ROUTINE_BUDGET = 0.02  # out-of-fold share of routine questions flagged (the target is < 3%)
# Public routine messages (BANKING77 / CLINC150 / help-centre questions, research/guards/data.py) in
# the validation fold. Version 8 held out whole intents there, and 1.5% on the most confusable unseen
# routine intents cost half the recall, so its budget was 4%. From version 9 the fold holds unseen
# queries of intents the model knows (as the report part does), and the budget is on BANKING77's
# routine queries alone, the measure: 1.5%, under the 2% target by about two standard errors
# of a fold of ~1,500 messages, since the lowest cut within a budget is picked at its edge.
PUBLIC_ROUTINE_BUDGET = 0.04
BANKING77_ROUTINE_BUDGET = 0.015
NEGATIVE_MARGIN = 0.03  # out-of-fold no-label flags the model may add to the rules' own
GRID = [round(0.05 + 0.01 * i, 2) for i in range(95)]


def load_examples(path: Path = DATASET) -> list[dict]:
    return read_jsonl(path)


def routine_questions() -> list[dict]:
    """Every routine query as {id, text, labels}; labels from queries_topic_labels.jsonl."""
    labels = {r["id"]: r["labels"] for r in read_jsonl(ROUTINE_LABELS)}
    return [{"id": row["id"], "text": row.get("question") or row["query"], "labels": labels.get(row["id"], [])}
            for path in QUERY_FILES for row in read_jsonl(path)]


def development_files() -> list[Path]:
    """The labelled files, minus any that holds a blind split (it is not even opened)."""
    return [p for p in sorted(DATASET.parent.glob("sensitive_topics*.jsonl"))
            if not any(p.name == f"sensitive_topics_{split}.jsonl" for split in BLIND_SPLITS)]


def development_rows(public: bool = True, lookalikes: bool = True) -> list[dict]:
    """Labelled dev messages and routine questions as {text, labels, group}; no blind split. With
    ``public``, also the tuning parts of BANKING77, CLINC150 and the help-centre questions (groups
    "public:<source>:<intent>"; read through research.paths.public_datasets() by research/guards/data.py)."""
    rows = [{"id": None, "text": r["text"], "labels": r["labels"], "group": r["split"]}
            for path in development_files() for r in load_examples(path) if r["split"] not in BLIND_SPLITS]
    rows += [{"id": None, "text": q["text"], "labels": q["labels"], "group": "routine"} for q in routine_questions()]
    if public:
        from research.guards.data import topic_training_rows, written_human_requests

        rows += topic_training_rows(lookalikes)
        # A request for a person goes to one as "human_requested", not as a sensitive topic.
        rows += [{"id": None, "text": t, "labels": [], "group": "routine"} for t in written_human_requests()]
    return rows


def label_matrix(rows: list[dict]) -> np.ndarray:
    return np.array([[c in r["labels"] for c in CATEGORIES] for r in rows], dtype=np.float64)


# The written training messages are the demo company's customers' ("a text from lodestar"): the rules read
# them as the product configured for that company does (BEACON_COMPANY_NAME=Lodestar).
DEMO_COMPANY = Company("Lodestar")


def rule_flags(texts: list[str]) -> np.ndarray:
    return np.array([[rules_scores(readable(t), DEMO_COMPANY)[c] > 0 for c in CATEGORIES] for t in texts])


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if values.size else 0.0


def flag_rates(flags: np.ndarray, y: np.ndarray, groups: np.ndarray) -> dict:
    no_label, labelled = y.sum(1) == 0, y.sum(1) > 0
    public = np.char.startswith(groups.astype(str), "public:")
    banking77 = np.char.startswith(groups.astype(str), "public:b77:")
    return {"routine": _mean(flags[no_label & (groups == "routine")].any(1)),
            "negatives": _mean(flags[no_label & (groups != "routine") & ~public].any(1)),
            "public_routine": _mean(flags[no_label & public].any(1)),
            "public_sensitive_escalated": _mean(flags[labelled & public].any(1)),
            "banking77_routine": _mean(flags[no_label & banking77].any(1)),
            "banking77_sensitive_escalated": _mean(flags[labelled & banking77].any(1)),
            "recall": float((flags & (y == 1)).sum() / max(y.sum(), 1))}


def pick_threshold(oof: np.ndarray, rules: np.ndarray, y: np.ndarray, groups: np.ndarray,
                   with_public: bool = True) -> tuple[float, dict]:
    """The lowest cut within the routine budgets. With public rows (version 8) the written hard
    negatives are no longer a budget: several are what real customers in BANKING77 write when
    they do have the incident ("what should I do if my card is stolen?"), and keeping them under
    NEGATIVE_MARGIN pushed the cut to 0.85 and public recall to 0.65 on the validation fold."""
    rules_alone = flag_rates(rules, y, groups)
    for t in GRID:
        rates = flag_rates(rules | (oof >= t), y, groups)
        within = rates["routine"] <= ROUTINE_BUDGET
        if with_public:
            within = (within and rates["public_routine"] <= PUBLIC_ROUTINE_BUDGET
                      and rates["banking77_routine"] <= BANKING77_ROUTINE_BUDGET)
        else:
            within = within and rates["negatives"] <= rules_alone["negatives"] + NEGATIVE_MARGIN
        if within:
            return t, rates
    return GRID[-1], flag_rates(rules | (oof >= GRID[-1]), y, groups)
