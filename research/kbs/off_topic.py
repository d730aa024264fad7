"""Off-topic chat opens a ticket: could a domain classifier hold it back? (issue 14, measured, not built)

Every CLINC150 ``oos_val`` query ("what's the weather in paris", "tell me a joke") that the input guard does not
flag ends as a low-confidence handoff, so a person gets a ticket for it. This asks whether a classifier of the
support domain, together with the answer/abstain confidence, could decline such chat without a ticket and never
decline a customer's question. The classifier: the bundled MiniLM's vectors and a logistic regression, trained
on CLINC150 ``train`` (its banking and credit-card intents in scope, the other 120 intents and ``oos_train``
out) and 3,000 BANKING77 ``train`` queries (in scope). It is read on CLINC150 ``val`` and ``oos_val`` and on the
help centres' labelled questions, joined with each question's confidence from the last
``python -m research.kbs.evaluate`` run (``turns-<kb>.jsonl`` in the research cache: run that first).

    PYTHONPATH=. .venv/bin/python -m research.kbs.off_topic --out research/kbs/off_topic.json
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import numpy as np

from research.kbs.data import REAL_KBS, banking77_texts, cache_dir, clinc150

IN_SCOPE = set("""freeze_account routing pin_change bill_due pay_bill account_blocked interest_rate min_payment
bill_balance transfer order_checks balance spending_history transactions report_fraud replacement_card_duration
expiration_date damaged_card improve_credit_score report_lost_card card_declined credit_limit_change apr
redeem_rewards credit_limit rewards_balance application_status credit_score new_card international_fees""".split())
BANKING77_SAMPLE = 3000
CUTS = [(p, c) for p in (0.9, 0.97) for c in (0.02, 0.05, 0.1)]  # P(off topic) at least p, confidence under c


def _classifier(embed):
    from sklearn.linear_model import LogisticRegression

    clinc = clinc150()
    banking = banking77_texts()
    inside = [t for t, intent in clinc["train"] if intent in IN_SCOPE] + random.Random(7).sample(banking, BANKING77_SAMPLE)
    outside = [t for t, intent in clinc["train"] if intent not in IN_SCOPE] + [t for t, _ in clinc["oos_train"]]
    x = np.vstack([embed(inside), embed(outside)])
    y = np.r_[np.zeros(len(inside)), np.ones(len(outside))]
    model = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced").fit(x, y)
    return clinc, lambda texts: model.predict_proba(embed(texts))[:, 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    from app.core.settings import Settings
    from app.index.embedding import build_embedder

    embedder = build_embedder(Settings())
    clinc, off_topic = _classifier(lambda texts: np.asarray(embedder.embed_documents(texts), dtype=np.float32))
    result: dict = {"classifier": {}, "with_confidence": {}}
    parts = {"clinc val, banking and credit cards": [t for t, i in clinc["val"] if i in IN_SCOPE],
             "clinc val, the other 120 intents": [t for t, i in clinc["val"] if i not in IN_SCOPE],
             "clinc oos_val": [t for t, _ in clinc["oos_val"]]}
    for name, texts in parts.items():
        p = off_topic(texts)
        result["classifier"][name] = {"n": len(texts), **{f"p>={cut}": round(float(np.mean(p >= cut)), 3)
                                                          for cut in (0.5, 0.9, 0.97)}}
    for kb in (*REAL_KBS, "demo"):
        turns = [json.loads(line) for line in (cache_dir() / f"turns-{kb}.jsonl").open(encoding="utf-8")]
        p = dict(zip([t["query"] for t in turns], off_topic([t["query"] for t in turns]).tolist()))
        handed = [t for t in turns if t["action"] == "escalate" and t["reasons"] == ["low_confidence"]]
        chat = [t for t in handed if t["id"].startswith("clinc")]
        asked = [t for t in handed if not t["id"].startswith("clinc")]
        for cut, floor in CUTS:
            held = [t for t in asked if p[t["query"]] >= cut and t["confidence"] < floor]
            result["with_confidence"][f"{kb}, p>={cut}, confidence<{floor}"] = {
                "oos_val tickets (low confidence)": len(chat),
                "of them declined without a ticket": sum(p[t["query"]] >= cut and t["confidence"] < floor for t in chat),
                "questions of the KB declined without a ticket": [t["id"] for t in held]}
    print(json.dumps(result, indent=1))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
