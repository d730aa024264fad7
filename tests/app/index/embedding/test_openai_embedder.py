"""The openai backend over real HTTP against an OpenAI-compatible server on loopback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from app.cli.commands import cli
from app.core.errors import ConfigError, EmbeddingError
from app.core.settings import Settings
from app.index.embedding import build_embedder
from tests.fakes.kb_factory import write_kb
from tests.fakes.openai_server import FakeOpenAIServer


@pytest.fixture
def server():
    with FakeOpenAIServer() as fake:
        yield fake


def _settings(server, **extra) -> Settings:
    return Settings(embedding_backend="openai", openai_base_url=server.base_url, openai_api_key="sk-test",
                    openai_embedding_model="text-embedding-3-small", openai_max_retries=0, openai_timeout_s=5, **extra)


def test_embeds_in_order_through_the_endpoint(server):
    embedder = build_embedder(_settings(server))
    assert embedder.model_id == "openai-text-embedding-3-small"
    vectors = embedder.embed_documents(["freeze my card", "crypto fees", "freeze my card"])
    assert vectors[0] == vectors[2] != vectors[1]
    assert server.requests[0]["model"] == "text-embedding-3-small"
    assert server.requests[0]["input"] == ["freeze my card", "crypto fees", "freeze my card"]


@pytest.mark.parametrize(("status", "drop"), [(500, False), (401, False), (None, True)])
def test_endpoint_failures_become_one_clear_error(server, status, drop):
    server.fail_with, server.drop_one_vector = status, drop
    with pytest.raises(EmbeddingError, match="BEACON_OPENAI"):
        build_embedder(_settings(server)).embed_documents(["a", "b"])


def test_openai_backend_without_key_or_url_says_what_to_set():
    with pytest.raises(ConfigError, match="needs BEACON_OPENAI_API_KEY"):
        build_embedder(Settings(embedding_backend="openai"))


def test_ingest_and_search_with_the_openai_backend(server, tmp_path, monkeypatch):
    kb = write_kb(tmp_path / "kb", documents=2, entries=2)
    for key, value in {"BEACON_EMBEDDING_BACKEND": "openai", "BEACON_OPENAI_BASE_URL": server.base_url,
                       "BEACON_OPENAI_API_KEY": "sk-test", "BEACON_OPENAI_MAX_RETRIES": "0"}.items():
        monkeypatch.setenv(key, value)
    runner = CliRunner()
    ingest = runner.invoke(cli, ["ingest", "--kb", str(kb), "--json"])
    assert ingest.exit_code == 0, ingest.output
    assert '"embedding_model": "openai-text-embedding-3-small"' in ingest.stdout
    search = runner.invoke(cli, ["search", "How does cards feature 0-1 work?", "--json", "-k", "1"])
    assert '"section": "How does cards feature 0-1 work?"' in search.stdout

    server.fail_with = 503
    (kb / "new.md").write_text("# New\n\nSome new policy text.\n")
    down = runner.invoke(cli, ["ingest", "--kb", str(kb)])
    assert down.exit_code == 2
    assert down.stderr.startswith("error: the embedding endpoint failed") and "Traceback" not in down.output
