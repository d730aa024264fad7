"""Tests that measure on the public data sets (../shared/datasets): they skip with the reason
when the data is not beside the repository, unless DATASETS_REQUIRED=1 (``.ci/run`` sets it
when the data is there), which makes a missing file a failure."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from research.paths import public_datasets


def public_file(*parts: str) -> Path:
    path = public_datasets().joinpath(*parts)
    if not path.exists():
        message = f"{path} is missing: the public data sets live in ../shared/datasets (or PUBLIC_DATASETS_DIR)"
        if os.environ.get("DATASETS_REQUIRED") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path


def public_datasets_dir() -> Path:
    """The public data folder, checked to hold the help centres (``kbs/``)."""
    return public_file("kbs").parent
