"""Tests for the Gradio apps: callbacks called directly with a real service, no browser."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.core.settings import Settings
from app.service.beacon_service import BeaconService
from tests.conftest import DEMO_KB, copy_index


def demo_service(folder: Path, demo_index: Path, embedder, redactor, **overrides) -> BeaconService:
    """A service over a private copy of the demo index and knowledge base (uploads write to both)."""
    copy_index(demo_index, folder / "data")
    shutil.copytree(DEMO_KB, folder / "kb")
    settings = Settings(data_dir=folder / "data", knowledge_dir=folder / "kb", **overrides)
    return BeaconService(settings, embedder=embedder, redactor=redactor)


def element_ids(blocks) -> set[str]:
    return {block.elem_id for block in blocks.blocks.values() if getattr(block, "elem_id", None)}
