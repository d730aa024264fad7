"""Where the public development data is (``PUBLIC_DATASETS_DIR``, default ``<repo>/../shared/datasets``),
for the tests that measure Beacon on it. Without the folder those tests skip with the reason,
unless ``DATASETS_REQUIRED=1`` (CI on a machine that has it), where they fail."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def public_datasets_dir() -> Path:
    path = Path(os.environ.get("PUBLIC_DATASETS_DIR") or REPO.parent / "shared" / "datasets")
    if not (path / "kbs").is_dir():
        message = f"public datasets not found at {path} (set PUBLIC_DATASETS_DIR)"
        if os.environ.get("DATASETS_REQUIRED") == "1":
            pytest.fail(message + "; DATASETS_REQUIRED=1 makes this a failure")
        pytest.skip(message)
    return path
