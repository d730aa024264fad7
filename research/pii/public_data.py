"""The public PII data in the shared datasets folder, read in place (never copied here).

The folder is ``research.paths.public_datasets()``: ``PUBLIC_DATASETS_DIR``, by default
``<repo>/../shared/datasets``.
Phones, IBANs and Faker locales are cut in two halves by a hash of their region or
country code: rules are tuned on the ``train`` half and numbers are reported on the
``report`` half (and on all). The hash is fixed, so the halves never move.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from app.core.jsonl import read_jsonl as read_rows
from research.paths import public_datasets

REPO = Path(__file__).resolve().parents[2]
NER_SETS = ("wnut17_train", "wnut17_dev", "btc_train", "btc_dev")
PII_TYPES_IN_NER = ("PERSON", "LOCATION")


class DatasetsMissingError(FileNotFoundError):
    pass


def datasets_dir() -> Path:
    return public_datasets()


def pii_dir() -> Path:
    folder = datasets_dir() / "pii"
    if not folder.is_dir():
        raise DatasetsMissingError(
            f"{folder} does not exist: set PUBLIC_DATASETS_DIR to the shared datasets folder "
            "(the one holding pii/wnut17_dev.jsonl)")
    return folder


def read_jsonl(name: str) -> list[dict]:
    path = pii_dir() / name
    if not path.is_file():
        raise DatasetsMissingError(f"{path} is missing: the shared datasets folder is incomplete")
    return read_rows(path)


@lru_cache(maxsize=None)
def ner_docs(name: str) -> tuple[dict, ...]:
    """WNUT-17 / BTC documents: id, text, spans (entity_type, start, end, value)."""
    if name not in NER_SETS:
        raise ValueError(f"unknown NER set {name!r}: use one of {', '.join(NER_SETS)}")
    return tuple(read_jsonl(f"{name}.jsonl"))


def phone_rows() -> list[dict]:
    return read_jsonl("phone_numbers_libphonenumber.jsonl")


def iban_rows() -> list[dict]:
    return read_jsonl("ibans_schwifty.jsonl")


def half(code: str) -> str:
    """'train' or 'report' for a region, country or locale code (stable hash, about half each)."""
    return "train" if hashlib.sha256(code.upper().encode()).digest()[0] % 2 == 0 else "report"
