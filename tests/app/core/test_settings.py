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
