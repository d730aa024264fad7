"""The public development data and the report parts carved out of it (see README.md, "Splits").

Nothing here is copied into the repository: every loader reads ``research.paths.public_datasets()``
(``<repo root>/../shared/datasets`` or ``PUBLIC_DATASETS_DIR``). Each split is a pure function of the data and the rules below,
so the same records land in the same part on every machine.

Report parts are carved by source, never at random within a template family:
- jailbreaks: near-duplicate families (word 4-gram containment >= 0.3, single link) held out whole;
- BANKING77 and CLINC150, for the injection and human-request detectors (``part``): whole intents held
  out; a second part holds the unseen queries of the tuning intents (CLINC150's own val split; a
  seeded fifth of BANKING77's);
- BANKING77 and CLINC150, for the topic detector from version 9 on (``topic_part``): the same seeded
  fifth of the queries of EVERY BANKING77 intent, and CLINC150's val split of every intent, so the
  model knows every sensitive intent and the report part measures unseen queries of all of them;
- documents: whole sources (the Monero and BTCPay help centres, StackFAQ) and whole BIPIA attack
  categories held out; BIPIA contexts and package READMEs by a hash of their id.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from research.paths import REPO, public_datasets


def datasets_dir() -> Path:
    path = public_datasets()
    if not (path / "README.md").is_file():
        raise SystemExit(f"{path}: the public datasets folder is not there — set PUBLIC_DATASETS_DIR to it")
    return path


def bucket(key: str, salt: str) -> int:
    """0..99, stable across machines and Python versions (unlike hash())."""
    return int(hashlib.sha256(f"{salt}:{key}".encode()).hexdigest(), 16) % 100


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


# --- jailbreaks and role-play look-alikes ---------------------------------------------------------
REPORT_SHARE = 30  # percent of families / records held out


def _shingles(text: str) -> set[str]:
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i:i + 4]) for i in range(max(1, len(words) - 3))}


@lru_cache(maxsize=1)
def jailbreaks() -> list[dict]:
    """Each in-the-wild jailbreak with ``family`` (the smallest id of its near-duplicate family) and ``part``."""
    rows = _jsonl(datasets_dir() / "injection" / "user_messages" / "jailbreaks_in_the_wild.jsonl")
    shingles = [_shingles(r["text"]) for r in rows]
    parent = list(range(len(rows)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(rows)):
        for j in range(i + 1, len(rows)):
            shared = len(shingles[i] & shingles[j])
            if shared and shared / min(len(shingles[i]), len(shingles[j])) >= 0.3:
                parent[root(i)] = root(j)
    members = defaultdict(list)
    for i in range(len(rows)):
        members[root(i)].append(i)
    out = []
    for group in members.values():
        family = min((rows[i]["id"] for i in group), key=_id_order)
        part = "report" if bucket(family, "jailbreak-family") < REPORT_SHARE else "tune"
        out += [{**rows[i], "family": family, "family_size": len(group), "part": part} for i in group]
    return sorted(out, key=lambda r: _id_order(r["id"]))


def _id_order(record_id: str) -> tuple:
    m = re.fullmatch(r"itw-(\d+)", record_id)
    return (0, int(m.group(1)), "") if m else (1, 0, record_id)


@lru_cache(maxsize=1)
def roleplay_prompts() -> list[dict]:
    """Benign "act as" prompts; each is its own role (no template families), so a hash of the id splits them."""
    rows = _jsonl(datasets_dir() / "injection" / "user_messages" / "benign_roleplay_prompts.jsonl")
    return [{**r, "part": "report" if bucket(r["id"], "roleplay") < REPORT_SHARE else "tune"} for r in rows]


# --- BANKING77 ------------------------------------------------------------------------------------
# Beacon's category for each sensitive intent; every other intent is routine (README.md, "Mapping").
BANKING77_SENSITIVE: dict[str, list[str]] = {
    "card_payment_not_recognised": ["unauthorised_transaction"],
    "cash_withdrawal_not_recognised": ["unauthorised_transaction"],
    "direct_debit_payment_not_recognised": ["unauthorised_transaction"],
    "compromised_card": ["unauthorised_transaction"],
    "lost_or_stolen_card": ["lost_stolen_device"],
    "lost_or_stolen_phone": ["lost_stolen_device"],
}
# Held out whole: one intent of each sensitive kind, and every fourth routine intent in name order.
BANKING77_REPORT_SENSITIVE = ("cash_withdrawal_not_recognised", "compromised_card", "lost_or_stolen_phone")
BANKING77_UNSEEN_QUERY_SHARE = 20  # percent of each tuning intent's queries kept for report part B


# Topics, version 9 on: the report part is this hashed share of every intent's queries (the same
# "banking77-query" hash as report_b, so for the intents v8 trained on it is exactly report_b, and
# version 8 never saw any row of it). Held-out whole intents left the model blind to three of the
# six sensitive intents, which the target ("the held-back sensitive BANKING77 intents") and
# an evaluation on BANKING77's own test queries of all 77 intents both cover (research/topics/TOPICS.md).
BANKING77_TOPIC_REPORT_SHARE = 20


def banking77_intents() -> list[str]:
    return json.loads((datasets_dir() / "topics" / "banking77_categories.json").read_text())


def banking77_report_intents() -> set[str]:
    routine = sorted(i for i in banking77_intents() if i not in BANKING77_SENSITIVE)
    return set(BANKING77_REPORT_SENSITIVE) | {intent for k, intent in enumerate(routine) if k % 4 == 0}


@lru_cache(maxsize=1)
def banking77() -> list[dict]:
    """Rows {id, text, intent, labels, part, topic_part}: part "report" (held-out intent), "report_b"
    (unseen query of a tuning intent) or "tune" (the injection and human-request carving);
    topic_part "report" (a hashed fifth of every intent) or "tune" (the topic carving, version 9 on).
    ``id`` is the row number in banking77_train.csv."""
    held_out = banking77_report_intents()
    rows = []
    with (datasets_dir() / "topics" / "banking77_train.csv").open(encoding="utf-8", newline="") as f:
        for n, row in enumerate(csv.DictReader(f)):
            intent = row["category"]
            rid = f"b77-{n}"
            if intent in held_out:
                part = "report"
            else:
                part = "report_b" if bucket(rid, "banking77-query") < BANKING77_UNSEEN_QUERY_SHARE else "tune"
            topic_part = "report" if bucket(rid, "banking77-query") < BANKING77_TOPIC_REPORT_SHARE else "tune"
            rows.append({"id": rid, "text": row["text"], "intent": intent,
                         "labels": BANKING77_SENSITIVE.get(intent, []), "part": part, "topic_part": topic_part})
    return rows


# --- CLINC150 -------------------------------------------------------------------------------------
CLINC_SENSITIVE: dict[str, list[str]] = {
    "report_fraud": ["unauthorised_transaction"],
    "report_lost_card": ["lost_stolen_device"],
}
# "block my account right away" with no reason given: neither clearly routine nor an incident, so
# it is left out of training and of every rate.
CLINC_EXCLUDED = ("freeze_account",)
CLINC_BANKING_DOMAINS = (
    "freeze_account routing pin_change bill_due pay_bill account_blocked interest_rate min_payment bill_balance transfer "
    "order_checks balance spending_history transactions report_fraud replacement_card_duration expiration_date "
    "damaged_card improve_credit_score report_lost_card card_declined credit_limit_change apr redeem_rewards "
    "credit_limit rewards_balance application_status credit_score new_card international_fees"
).split()


# Version 11: routine CLINC intents read as incidents by version 9 on its CLINC tuning queries it was
# not trained on (>= 3 escalated of 49-90 each: lost_luggage 43, find_phone 38, text 15, damaged_card 9,
# replacement_card_duration 5, account_blocked 3, last_maintenance 3; research/topics/TOPICS.md,
# "Version 11"). Every train query of these is a training row, not one in two or ten.
CLINC_LOOKALIKES = ("lost_luggage", "find_phone", "text", "damaged_card", "replacement_card_duration",
                    "account_blocked", "last_maintenance")


def clinc_report_intents(intents: list[str]) -> set[str]:
    routine = sorted(i for i in intents if i not in CLINC_SENSITIVE and i not in CLINC_EXCLUDED and i != "oos")
    return set(CLINC_SENSITIVE) | {intent for k, intent in enumerate(routine) if k % 4 == 0}


@lru_cache(maxsize=1)
def clinc150() -> list[dict]:
    """Rows {id, text, intent, labels, split, part, topic_part}. ``part`` (injection, human requests):
    held-out intents (all their train and val queries) are "report"; the val queries of the other
    intents and oos_val are "report_b"; their train queries and oos_train are "tune". ``topic_part``
    (topics, version 9 on): CLINC's own val split of every intent and oos_val are "report", train and
    oos_train "tune". freeze_account is left out."""
    data = json.loads((datasets_dir() / "out_of_scope" / "clinc150_dev.json").read_text())
    held_out = clinc_report_intents(sorted({i for _, i in data["train"]}))
    rows = []
    for split in ("train", "val", "oos_train", "oos_val"):
        for n, (text, intent) in enumerate(data[split]):
            if intent in CLINC_EXCLUDED:
                continue
            if intent in held_out:
                part = "report"
            else:
                part = "report_b" if split in ("val", "oos_val") else "tune"
            topic_part = "report" if split in ("val", "oos_val") else "tune"
            rows.append({"id": f"clinc-{split}-{n}", "text": text, "intent": intent,
                         "labels": CLINC_SENSITIVE.get(intent, []), "split": split, "part": part, "topic_part": topic_part})
    return rows


# --- help-centre questions (kbs/*/questions.tsv) ---------------------------------------------------
# Written by one outside person as customer questions to the three help centres. Most are routine;
# these are current incidents by Beacon's labelling rule (labelled here), and three are left out as
# ambiguous (an antivirus alarm "is my wallet compromised??", a clipboard that swaps addresses, "is
# electrum pro from electrum dot com legit?"). electrum's questions are for tuning, the others report.
KB_QUESTION_LABELS: dict[tuple[str, int], list[str]] = {
    ("electrum", 26): ["unauthorised_transaction"],  # balance zero, everything sent to an address i don't recognise
    ("electrum", 27): ["fraud_scam"],  # "he's from electrum customer service and needs my seed words"
    ("electrum", 29): ["unauthorised_transaction"],  # my coins got stolen
    ("btcpay", 19): ["lost_stolen_device"],  # lost my phone with the authenticator app on it
    ("btcpay", 45): ["fraud_scam"],  # the host wants my seed / private key
}
KB_QUESTIONS_EXCLUDED = {("electrum", 6), ("electrum", 28), ("electrum", 49)}


@lru_cache(maxsize=1)
def kb_questions() -> list[dict]:
    rows = []
    for kb, part in (("electrum", "tune"), ("monero", "report"), ("btcpay", "report")):
        lines = (datasets_dir() / "kbs" / kb / "questions.tsv").read_text(encoding="utf-8").split("\n")[1:]
        for n, line in enumerate(x for x in lines if x.strip()):
            if (kb, n) in KB_QUESTIONS_EXCLUDED:
                continue
            rows.append({"id": f"kbq-{kb}-{n}", "text": line.split("\t")[0], "intent": f"kb:{kb}",
                         "labels": KB_QUESTION_LABELS.get((kb, n), []), "part": part, "topic_part": part})
    return rows


def topic_training_rows(lookalikes: bool = True) -> list[dict]:
    """Public rows the topic encoder is tuned on: BANKING77's and CLINC150's topic tuning parts and
    electrum's help-centre questions. {id, text, labels, group} with group "public:<source>:<intent>".
    Of CLINC (version 9: every intent's train queries, 15k), every sensitive query, every second of
    the other banking and credit-card intents and every tenth of the rest: a training run on 2 shared
    cores stays near an hour, and BANKING77's routine queries, the issue's measure, are all kept.
    Version 11 (``lookalikes``): every train query of CLINC_LOOKALIKES too."""
    rows = [r for r in banking77() if r["topic_part"] == "tune"]
    clinc = [r for r in clinc150() if r["topic_part"] == "tune"]
    seen: dict[str, int] = defaultdict(int)
    for r in clinc:
        seen[r["intent"]] += 1
        every = (1 if r["labels"] or (lookalikes and r["intent"] in CLINC_LOOKALIKES)
                 else 2 if r["intent"] in CLINC_BANKING_DOMAINS else 10)
        if seen[r["intent"]] % every == 1 % every:
            rows.append(r)
    rows += [r for r in kb_questions() if r["topic_part"] == "tune"]
    return [{"id": r["id"], "text": r["text"], "labels": r["labels"], "group": f"public:{r['id'].split('-')[0]}:{r['intent']}"}
            for r in rows]


def written_human_requests() -> list[str]:
    """The tuning set of requests for a person (written here; the frozen report set is not read)."""
    path = Path(__file__).resolve().parent / "sets" / "human_requests_tune.jsonl"
    return [r["text"] for r in _jsonl(path) if r["human"]]
