"""Content gaps as topics: the questions Beacon could not answer well, grouped by meaning.

The store groups questions that are the same text once normalised ("How do I fix it??" and
"how do i fix it"). Here those groups are merged by meaning with the embedding model the
service already has loaded (the bundled MiniLM by default): "do you offer metal cards?" and
"is there a premium metal card" are one missing article, asked twice.

The grouping is greedy: most-asked first, each question joins the group whose centroid is
nearest if the cosine similarity reaches ``GAP_SIMILARITY``, else starts a group. 0.5 was
measured on customer-style paraphrases with the bundled model: paraphrases of one topic scored
0.41–0.90 (most above 0.6), different topics at most 0.42 (tests/app/service/test_gap_groups.py
holds the set). No model call leaves the machine, and the handful of vectors costs milliseconds.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

GAP_SIMILARITY = 0.5
EXAMPLES = 5
_PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9_]*_\d+>")


def group_gaps(gaps: list[dict], embed: Callable[[list[str]], list[list[float]]] | None,
               threshold: float = GAP_SIMILARITY, limit: int = 20) -> list[dict]:
    """``gaps`` are the store's groups ({"question", "count", "max_confidence"}). Returns
    topics, most asked first: {"question": the most asked wording, "count": every ask,
    "max_confidence", "questions": up to five wordings, most asked first, "variants"}.
    Without ``embed`` each store group is its own topic."""
    ordered = sorted(gaps, key=lambda g: (-int(g.get("count") or 0), str(g.get("question", "")).lower()))
    if not ordered:
        return []
    if embed is None:
        vectors = np.eye(len(ordered))
        threshold = 1.5  # nothing merges
    else:
        texts = [(_PLACEHOLDER.sub(" ", g["question"]).strip() or g["question"]) for g in ordered]
        vectors = np.asarray(embed(texts), dtype=np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    topics: list[dict] = []
    sums: list[np.ndarray] = []
    for gap, vector in zip(ordered, vectors):
        best, score = -1, -1.0
        for index, total in enumerate(sums):
            similarity = float(vector @ (total / max(np.linalg.norm(total), 1e-9)))
            if similarity > score:
                best, score = index, similarity
        if best >= 0 and score >= threshold:
            topic = topics[best]
            sums[best] = sums[best] + vector
            topic["count"] += int(gap.get("count") or 0)
            topic["variants"] += 1
            if len(topic["questions"]) < EXAMPLES:
                topic["questions"].append(gap["question"])
            topic["max_confidence"] = _max(topic["max_confidence"], gap.get("max_confidence"))
        else:
            sums.append(vector.copy())
            topics.append({"question": gap["question"], "count": int(gap.get("count") or 0),
                           "max_confidence": gap.get("max_confidence"), "questions": [gap["question"]],
                           "variants": 1})
    topics.sort(key=lambda t: (-t["count"], t["question"].lower()))
    return topics[:limit]


def _max(a, b):
    values = [v for v in (a, b) if v is not None]
    return max(values) if values else None
