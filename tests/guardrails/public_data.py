"""Small fixed samples of the public report parts (research/guards/README.md), read by id from the
shared datasets folder. Without it the tests that use them skip, unless DATASETS_REQUIRED=1."""

from __future__ import annotations

import csv
import hashlib
import json
from functools import lru_cache
from pathlib import Path

from tests.public_data import public_file


def datasets_dir() -> Path:
    return public_file("README.md").parent


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").split("\n") if x.strip()]


@lru_cache(maxsize=1)
def _banking77() -> list[str]:
    with (datasets_dir() / "topics" / "banking77_train.csv").open(encoding="utf-8", newline="") as f:
        return [row["text"] for row in csv.DictReader(f)]


@lru_cache(maxsize=1)
def _clinc() -> dict:
    return json.loads((datasets_dir() / "out_of_scope" / "clinc150_dev.json").read_text())


@lru_cache(maxsize=1)
def _banking77_intents() -> list[str]:
    with (datasets_dir() / "topics" / "banking77_train.csv").open(encoding="utf-8", newline="") as f:
        return [row["category"] for row in csv.DictReader(f)]


def banking77_topic_report(intents: set[str], every: int = 1) -> list[str]:
    """The topic report part of the given BANKING77 intents (from version 9: rows whose
    sha256("banking77-query:b77-ROW") % 100 < 20, research/guards/data.py), every ``every``-th row."""
    rows = [n for n, intent in enumerate(_banking77_intents()) if intent in intents
            and int(hashlib.sha256(f"banking77-query:b77-{n}".encode()).hexdigest(), 16) % 100 < 20]
    return banking77(rows[::every])


def banking77_intents() -> set[str]:
    return set(_banking77_intents())


def banking77(rows: list[int]) -> list[str]:
    """BANKING77 queries by row number in banking77_train.csv (ids b77-ROW)."""
    texts = _banking77()
    return [texts[i] for i in rows]


def banking77_all() -> list[str]:
    """Every query of banking77_train.csv, in row order."""
    return list(_banking77())


def clinc_split(split: str) -> list[tuple[str, str]]:
    """(text, intent) of one CLINC150 split: train, val, oos_train or oos_val."""
    return [(text, intent) for text, intent in _clinc()[split]]


def clinc150(ids: list[tuple[str, int]]) -> list[str]:
    """CLINC150 queries by (split, index) (ids clinc-SPLIT-INDEX)."""
    data = _clinc()
    return [data[split][i][0] for split, i in ids]


def jailbreaks(ids: list[str]) -> list[str]:
    by_id = {r["id"]: r["text"] for r in _jsonl(datasets_dir() / "injection" / "user_messages" / "jailbreaks_in_the_wild.jsonl")}
    return [by_id[i] for i in ids]


def planted_records(ids: list[str]) -> list[dict]:
    by_id = {r["id"]: r for r in _jsonl(datasets_dir() / "injection" / "documents" / "bipia_train_planted.jsonl")}
    return [by_id[i] for i in ids]


def help_centre_files(paths: list[str]) -> list[str]:
    """kbs/ files by "KB/relative path" (ids kb:KB/PATH)."""
    root = datasets_dir() / "kbs"
    return [(root / p.split("/", 1)[0] / "docs" / p.split("/", 1)[1]).read_text(encoding="utf-8") for p in paths]


def stackfaq(doc_ids: list[str]) -> list[str]:
    by_id = {r["doc_id"]: r for r in _jsonl(datasets_dir() / "retrieval" / "stackfaq_corpus.jsonl")}
    return ["\n\n".join([by_id[d]["title"], *by_id[d]["answers"]]) for d in doc_ids]
