"""Shared fixtures: all state in a temp folder, expensive models loaded once per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from app.core.settings import Settings
from app.index.embedding.onnx_minilm import OnnxMiniLMEmbedder

REPO = Path(__file__).resolve().parent.parent
DEMO_KB = REPO / "knowledge"
# What a running Beacon writes beside the index: tests that point at the shared demo index
# leave tickets, turns and decisions there, which a copy must not inherit.
RUNTIME_STATE = shutil.ignore_patterns("handoffs.sqlite3*", "conversations.sqlite3*", "decisions.jsonl*", "eval",
                                      "vault.sqlite3*", "reveals.sqlite3*")


def copy_index(demo_index: Path, dest: Path) -> Path:
    """A writable copy of the demo index with none of the state other tests wrote into it."""
    shutil.copytree(demo_index, dest, ignore=RUNTIME_STATE)
    return dest


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path, monkeypatch):
    """No test reads a developer's BEACON_* settings or touches their .beacon/ folder."""
    for key in list(os.environ):
        if key.startswith("BEACON_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("BEACON_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(scope="session")
def embedder() -> OnnxMiniLMEmbedder:
    model = OnnxMiniLMEmbedder()
    model.warm_up()
    return model


@pytest.fixture(scope="session")
def redactor():
    """Presidio with the bundled spaCy model, loaded once (about 9 s)."""
    from guardrails.pii import Redactor

    model = Redactor()
    model.warm_up()
    return model


@pytest.fixture
def shared_redactor(redactor, monkeypatch):
    """Commands built inside a test (``beacon ask``, ``beacon check``) reuse the loaded redactor."""
    import app.chain.factory

    monkeypatch.setattr(app.chain.factory, "build_redactor", lambda settings: redactor)
    return redactor


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data", knowledge_dir=tmp_path / "kb")


@pytest.fixture(scope="session")
def demo_index(tmp_path_factory, embedder) -> Path:
    """The demo knowledge base ingested once; returns its data dir (read-only for tests)."""
    from app.index.store import KnowledgeStore
    from ingest.sync import sync_knowledge

    data_dir = tmp_path_factory.mktemp("demo-index")
    settings = Settings(data_dir=data_dir, knowledge_dir=DEMO_KB)
    report = sync_knowledge(DEMO_KB, KnowledgeStore(settings, embedder.model_id).open(), embedder, settings)
    assert report.ok, [f.error for f in report.files if f.error]
    return data_dir
