"""Mine hard negatives for the injection classifier: tuning texts the current model scores high.

    .venv/bin/python -m research.guards.hard_negatives   # writes results/hard_negatives.json (ids only)

Every clean passage of the tuning documents and every BANKING77 / CLINC150 / customer message of the
tuning part that is *not* in the validation quarter is scored with the shipped classifier; those at
or above MINED_FROM get added to the next training run as negatives (research/guards/injection_train.py
reads the file). The first version flagged 13 of 145 tuning help-centre files and READMEs at its cut
because it had seen only a sample of 3,000 passages; the confusable ones are what it needs.
"""

from __future__ import annotations

import json

from guardrails.injection_model import InjectionModel
from guardrails.passages import passages
from research.guards import data, documents
from research.guards.injection_train import HARD_NEGATIVES_PATH, held

MINED_FROM = 0.2


def main() -> int:
    model = InjectionModel()
    model.warm_up()
    out = {"mined_from": MINED_FROM, "model_sha256": json.loads(model.path.read_text())["encoder_sha256"], "passages": [], "messages": []}
    for doc in documents.clean_documents():
        if doc["part"] != "tune" or held(f"doc:{doc['id']}"):
            continue
        parts = passages(doc["text"])
        for part, p in zip(parts, model.probabilities([x.text for x in parts])[:, 1] if parts else []):
            if p >= MINED_FROM:
                out["passages"].append(f"{doc['id']}#{part.start}")
    for name, rows in (("banking77", data.banking77()), ("clinc150", data.clinc150())):
        rows = [r for r in rows if r["part"] == "tune" and not held(f"{name}:{r['intent']}")]
        for r, p in zip(rows, model.probabilities([r["text"] for r in rows])[:, 0]):
            if p >= MINED_FROM:
                out["messages"].append(r["id"])
    HARD_NEGATIVES_PATH.write_text(json.dumps(out, indent=1) + "\n")
    print(f"{len(out['passages'])} passages, {len(out['messages'])} messages -> {HARD_NEGATIVES_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
