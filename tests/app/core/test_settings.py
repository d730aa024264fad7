"""Settings: one typed object, overridable by BEACON_* variables, every field documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.core.errors import ConfigError
from app.core.settings import Settings, load_settings
from tests.conftest import REPO


def test_defaults_are_the_embedded_offline_ones(monkeypatch):
    monkeypatch.delenv("BEACON_DATA_DIR")
    settings = load_settings()
    assert settings.knowledge_dir == Path("knowledge")
    assert settings.data_dir == Path(".beacon")
    assert settings.chroma_url is None
    assert settings.embedding_backend == "minilm-onnx"


@pytest.mark.parametrize(
    ("variable", "value", "field", "expected"),
    [
        ("BEACON_KNOWLEDGE_DIR", "/srv/kb", "knowledge_dir", Path("/srv/kb")),
        ("BEACON_DATA_DIR", "/var/beacon", "data_dir", Path("/var/beacon")),
        ("BEACON_CHROMA_URL", "http://chroma:8000/", "chroma_url", "http://chroma:8000"),
        ("BEACON_EMBEDDING_BACKEND", "openai", "embedding_backend", "openai"),
        ("BEACON_CHUNK_MAX_TOKENS", "300", "chunk_max_tokens", 300),
        ("BEACON_MAX_FILE_MB", "0.5", "max_file_mb", 0.5),
        ("BEACON_OPENAI_BASE_URL", "http://127.0.0.1:8080/v1", "openai_base_url", "http://127.0.0.1:8080/v1"),
    ],
)
def test_environment_overrides(monkeypatch, variable, value, field, expected):
    monkeypatch.setenv(variable, value)
    assert getattr(load_settings(), field) == expected


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("BEACON_EMBEDDING_BACKEND", "bert", "BEACON_EMBEDDING_BACKEND"),
        ("BEACON_CHUNK_MAX_TOKENS", "5", "BEACON_CHUNK_MAX_TOKENS"),
        ("BEACON_CHROMA_URL", "chroma:8000", "http(s) URL"),
        ("BEACON_DATADIR", "/tmp", "did you mean BEACON_DATA_DIR?"),
    ],
)
def test_mistakes_stop_with_a_message_naming_the_variable(monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_settings()


def test_unknown_keyword_is_an_error():
    with pytest.raises(Exception, match="extra"):
        Settings(not_a_setting=1)


def test_api_key_is_hidden_in_repr(monkeypatch):
    monkeypatch.setenv("BEACON_OPENAI_API_KEY", "sk-very-secret")
    settings = load_settings()
    assert "sk-very-secret" not in repr(settings)
    assert settings.openai_api_key.get_secret_value() == "sk-very-secret"


def test_every_setting_is_documented_and_the_docs_name_no_other():
    table = (REPO / "docs" / "settings.md").read_text()
    documented = set(re.findall(r"^\| `(BEACON_[A-Z0-9_]+)` \|", table, re.M))
    mentioned = {name for page in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
                 for name in re.findall(r"\b(BEACON_[A-Z0-9_]+)", page.read_text())}
    expected = {"BEACON_" + name.upper() for name in Settings.model_fields}
    assert expected - documented == set(), "document these settings in docs/settings.md"
    assert mentioned - expected == set(), "README.md or docs/ name settings that do not exist"
    for name, field in Settings.model_fields.items():
        assert field.description, f"{name} needs a description"


KEY = "OIY3xRWdpztP3PieYIUcPRyaUTWBggitUEkI5aY1mCc="  # a Fernet key for tests only


@pytest.mark.parametrize("value", ["not-a-key", KEY[:-4], "x" * 44, f"{KEY},short"])
def test_a_malformed_vault_key_stops_with_how_to_make_one(monkeypatch, value):
    monkeypatch.setenv("BEACON_VAULT_KEY", value)
    with pytest.raises(ConfigError) as error:
        load_settings()
    message = str(error.value)
    assert "BEACON_VAULT_KEY" in message and "Fernet.generate_key()" in message and value not in message


def test_a_vault_key_is_a_secret_and_may_rotate(monkeypatch):
    monkeypatch.setenv("BEACON_VAULT_KEY", f"{KEY}, {KEY}")
    settings = load_settings()
    assert KEY not in repr(settings) and settings.vault_key.get_secret_value().startswith(KEY)
    monkeypatch.setenv("BEACON_VAULT_KEY", "")
    assert load_settings().vault_key is None


def test_pick_up_targets_default_and_merge(monkeypatch):
    assert load_settings().handoff_sla_minutes == {"urgent": 15, "high": 60, "normal": 240, "low": 1440}
    monkeypatch.setenv("BEACON_HANDOFF_SLA_MINUTES", '{"urgent": 10}')
    assert load_settings().handoff_sla_minutes["urgent"] == 10
    monkeypatch.setenv("BEACON_HANDOFF_SLA_MINUTES", '{"critical": 5}')
    with pytest.raises(ConfigError, match="unknown priority critical"):
        load_settings()
