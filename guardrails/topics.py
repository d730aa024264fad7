"""Sensitive-topic detection: which customer messages need a human now, and why.

Labelling rule (the labelled set ``research/topics/data/sensitive_topics.jsonl`` follows it): a
message is positive for a category when it reports, or strongly implies, a **current,
first-person incident or need** in that category. General, hypothetical and policy
questions are negative even when they use the scary word. So "how do I report a lost card
in the app?" is ``lost_stolen_device`` (the writer has a lost card now) while "what happens
if I lose my card?" is routine. Borderline decisions:

- "what's the complaints procedure?" / "how long do you take to respond to complaints?" are
  routine (the knowledge base answers them); "how do I make a complaint about my account
  being closed?" names a grievance, so it is ``complaint``.
- "can I get a statement for my lawyer?" is routine (a document request, no dispute with
  us); a lawyer, court or regulator brought in *against* Lodestar is ``legal_regulatory``.
- Data requests: "how do I download my data?" is routine (self-service export); "delete
  all my data", "right to be forgotten" and subject access requests are ``legal_regulatory``
  (statutory deadlines apply).
- A scam in which the customer handed over a secret is both ``fraud_scam`` and
  ``secret_exposed``; bereavement handled by a solicitor is both ``legal_regulatory`` and
  ``vulnerable_customer``.

More decisions (version 2, applied to queries_topic_labels.jsonl too): a lost seed phrase or
recovery words (nothing exposed), a PIN blocked by one's own typos, a card found again, a
merchant dispute or goods that did not arrive (no sign of a fake seller) and crypto sent
to a wrong address are routine; a message about the writer's own open complaint
("my complaint") is ``complaint``; "can I complain to the CFPB" is ``legal_regulatory``;
a disclosed disability that needs an adjustment is ``vulnerable_customer``; a secret
handed to a person, site or "support" channel is ``secret_exposed`` and ``fraud_scam``.

How it scores: the rules (``guardrails.topic_rules``) and a model; a category's score is the
higher of the two.

Rules: stage 1 reads the message as an incident report (first-person past events,
"someone … -ed", "I didn't …", urgency, "is this a scam?") or a general/hypothetical
question ("what happens if", "how do I set up", "in case"). Stage 2: strong cue families
fire unless the message is hypothetical or a general question with no incident; weak topic
words ("scam", "seed phrase", "stolen") fire only inside an incident; vetoes ("found my
card", "wrong PIN") and a money gate for unauthorised_transaction cut routine look-alikes.
One cue scores 0.6, each further cue +0.1; thresholds are 0.5.

Model (version 9): all-MiniLM-L6-v2 fine-tuned with one sigmoid per category on the labelled
messages written here (every split but the blind ones) together with real customer language:
the tuning part of BANKING77 (four fifths of every intent's queries) mapped onto these categories
(``card_payment_not_recognised``, ``compromised_card`` → unauthorised_transaction,
``lost_or_stolen_card`` → lost_stolen_device, the routine intents —
duplicate charges, declined cards, pending transfers among them — as routine), CLINC150's
tuning part and real help-centre questions (research/guards/README.md has the mapping and the
splits). ``guardrails/topic_encoder.py`` runs it, ``research/topics/finetune.py`` trains it,
``guardrails/topic_model.json`` holds its cut, rule floor and provenance. Its probability is
rescaled so the cut lands on 0.5. It is independent of the retrieval embedder.
``BEACON_TOPIC_MODEL=rules`` switches it off (rules alone).

Every version's design, comparison and blind score is in ``research/topics/TOPICS.md``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from app.core.company import Company
from guardrails.errors import GuardrailError
from guardrails.topic_encoder import TopicEncoder
from guardrails.topic_rules import rule_hits, vetoed

CATEGORIES: tuple[str, ...] = (
    "fraud_scam",
    "account_takeover",
    "unauthorised_transaction",
    "lost_stolen_device",
    "secret_exposed",
    "legal_regulatory",
    "complaint",
    "vulnerable_customer",
)

MAX_RULE_CHARS = 20_000  # bounds regex time on pasted documents; incidents are stated early
MODEL_PATH = Path(__file__).with_name("topic_model.json")  # written by research/topics/finetune.py


# One rule cue scores 0.6 and each further cue adds 0.1, so 0.5 means "one cue fired";
# a lead's override of e.g. 0.65 asks for two independent cues.
DEFAULT_THRESHOLDS: dict[str, float] = {c: 0.5 for c in CATEGORIES}

# Placeholders from the PII redactor, e.g. <PERSON_1>, <SEED_PHRASE_2>. The embedding model
# has never seen them; their plain-words type reads like the original sentence.
_PLACEHOLDER = re.compile(r"<([A-Z][A-Z_]*?)(?:_\d+)?>")


def readable(text: str) -> str:
    return _PLACEHOLDER.sub(lambda m: m.group(1).replace("_", " ").lower(), text)


def rules_scores(text: str, company: Company | None = None) -> dict[str, float]:
    """The rules alone: no cue 0, one cue 0.6, each further cue +0.1 (at most 1)."""
    hits = rule_hits(text, company)
    return {c: 0.0 if hits[c] <= 0 else min(1.0, 0.6 + 0.1 * (hits[c] - 1)) for c in CATEGORIES}


@dataclass(frozen=True)
class TopicScore:
    category: str
    score: float  # 0..1, higher = more likely

    def to_json(self) -> dict:
        return {"category": self.category, "score": round(self.score, 4)}


@dataclass
class TopicResult:
    topics: list[TopicScore]  # only those at or above their threshold, highest first
    scores: dict[str, float]  # every category's score

    @property
    def sensitive(self) -> bool:
        return bool(self.topics)

    def to_json(self) -> dict:
        return {"topics": [t.to_json() for t in self.topics], "scores": {c: round(s, 4) for c, s in self.scores.items()}}


def model_score(p: float, cut: float) -> float:
    """A model probability on the rules' scale: the cut maps to 0.5 (the default threshold),
    1.0 stays 1.0, so one threshold per category governs rules and model alike."""
    return 0.5 * p / cut if p < cut else 0.5 + 0.5 * (p - cut) / max(1.0 - cut, 1e-9)


class TopicModel:
    """The fine-tuned encoder and its cut (guardrails/topic_model.json, topic_encoder.onnx)."""

    def __init__(self, data: dict, encoder: TopicEncoder) -> None:
        if list(data["categories"]) != list(CATEGORIES):
            raise GuardrailError(f"{MODEL_PATH.name} was trained for the topics {', '.join(data['categories'])}, "
                                 f"not {', '.join(CATEGORIES)}: retrain it with python -m research.topics.finetune")
        self.cut = float(data["threshold"])
        # A rule's hit counts only where the model gives its category at least this much: the
        # rules made nearly all the false flags on hard negatives (research/topics/TOPICS.md, version 7.1).
        self.rule_floor = float(data.get("rule_floor", 0.0))
        self.encoder = encoder

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> "TopicModel":
        try:
            data = json.loads(path.read_text())
            encoder_path = path.with_name(data["encoder"])  # next to the model file
            digest = hashlib.sha256(encoder_path.read_bytes()).hexdigest()
            if digest != data["encoder_sha256"]:
                raise ValueError(f"{encoder_path.name} is not the encoder this file was written with")
            return cls(data, TopicEncoder(encoder_path))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise GuardrailError(f"{path}: cannot load the topic model ({exc}) — restore guardrails/topic_model.json and "
                                 "topic_encoder.onnx from the repository, or retrain both with python -m research.topics.finetune") from None

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        return self.encoder.probabilities([readable(t) for t in texts])


class TopicDetector:
    """Scores a (redacted, normalised) customer message for each sensitive topic.

    With the model (the default) a message's score is the higher of the rules' and the
    model's, a rule counting only where the model gives its category at least ``rule_floor``
    (``mode == "rules+model"``); ``use_model=False`` scores with the rules alone
    (``mode == "rules"``)."""

    def __init__(self, thresholds: Mapping[str, float] | None = None, use_model: bool = True,
                 company: Company | None = None) -> None:
        unknown = sorted(set(thresholds or {}) - set(CATEGORIES))
        if unknown:
            raise GuardrailError(f"unknown topic threshold(s) {', '.join(unknown)}: the topics are {', '.join(CATEGORIES)}")
        self.thresholds = {**DEFAULT_THRESHOLDS, **dict(thresholds or {})}
        self.use_model = use_model
        self.company = company  # its names are the rules' "_company_"
        self.mode = "unloaded"
        self._model: TopicModel | None = None

    def warm_up(self) -> None:
        if self.mode != "unloaded":
            return
        if self.use_model:
            model = TopicModel.load()
            model.encoder.warm_up()
            self._model = model
        self.mode = "rules+model" if self._model else "rules"

    def detect(self, text: str) -> TopicResult:
        return self.detect_batch([text])[0]

    def detect_batch(self, texts: Sequence[str]) -> list[TopicResult]:
        self.warm_up()
        cuts = [(t if isinstance(t, str) else str(t))[:MAX_RULE_CHARS] for t in texts]
        scores = [rules_scores(cut, self.company) if cut.strip() else {c: 0.0 for c in CATEGORIES} for cut in cuts]
        if self._model is not None:
            # The model reads general questions too (it was trained on them; keeping it away from
            # them, as versions 3-6 did, measured no better), but the rules' vetoes bind it.
            live = [i for i, cut in enumerate(cuts) if cut.strip()]
            for i, probs in zip(live, self._model.probabilities([cuts[i] for i in live]) if live else []):
                off = vetoed(cuts[i], self.company)
                scores[i] = {c: self._combine(scores[i][c], float(p), c in off) for c, p in zip(CATEGORIES, probs)}
        return [self._result(s) for s in scores]

    def _combine(self, rule: float, p: float, vetoed_here: bool) -> float:
        model = self._model
        rule = rule if p >= model.rule_floor else 0.0
        return rule if vetoed_here else max(rule, model_score(p, model.cut))

    def _result(self, scores: dict[str, float]) -> TopicResult:
        above = [TopicScore(c, s) for c, s in scores.items() if s >= self.thresholds[c] and not math.isnan(s)]
        above.sort(key=lambda t: t.score, reverse=True)
        return TopicResult(topics=above, scores=scores)
