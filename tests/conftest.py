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


# -- real shared services (marked ``postgres``) ------------------------------------------------
def _required() -> bool:
    """Under CI a missing PostgreSQL or Chroma fails the run instead of skipping."""
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("POSTGRES_REQUIRED") == "1"


@pytest.fixture(scope="session")
def postgres_cluster():
    """A throwaway PostgreSQL cluster on loopback for the whole run (initdb + pg_ctl in /tmp)."""
    from tests.services import ServiceMissing, ThrowawayPostgres

    try:
        cluster = ThrowawayPostgres().start()
    except ServiceMissing as exc:
        if _required():
            pytest.fail(f"{exc} (CI runs the postgres tests: .ci/run installs it)")
        pytest.skip(str(exc))
    yield cluster
    cluster.stop()


@pytest.fixture
def database_url(postgres_cluster):
    """A fresh database of its own for each test, dropped after it (with the pools on it)."""
    import uuid

    import psycopg

    from app.core.database import close_databases

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_cluster.url(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield postgres_cluster.url(name)
    close_databases()
    with psycopg.connect(postgres_cluster.url(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database(database_url):
    from app.core.database import database_for

    return database_for(database_url, 6)


@pytest.fixture(scope="session")
def chroma_server_url(tmp_path_factory):
    """A ``chroma run`` server on loopback for the whole run."""
    from tests.services import ChromaServer, ServiceMissing

    try:
        server = ChromaServer(tmp_path_factory.mktemp("chroma-server")).start()
    except ServiceMissing as exc:
        if _required():
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    yield server.url
    server.stop()


VAULT_KEY = "k0sGZ9gkV1pZ4Hq6Qm7h2YtY3o1xJcS8dLwN5rTbUaE="


@pytest.fixture
def shared_settings(tmp_path, database_url, chroma_server_url) -> Settings:
    """What one replica of a shared deployment reads: the database, the Chroma server, a key.
    Each test gets its own collection on the shared server."""
    import uuid

    return Settings(data_dir=tmp_path / "data", knowledge_dir=tmp_path / "kb", database_url=database_url,
                    chroma_url=chroma_server_url, vault_key=VAULT_KEY,
                    chroma_collection=f"t{uuid.uuid4().hex[:10]}")
