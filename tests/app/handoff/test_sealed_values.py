"""The encrypted values of handed-over conversations and the audit log of reveals, on real
SQLite files: nothing in the clear on disk, rotation, a wrong key, erasure."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from app.core.errors import ConfigError
from app.handoff.reveal_audit import RevealAudit
from app.handoff.sealed_values import SealedValueError, SealedValues

EMAIL = "dana.quill@example.org"
PHONE = "+44 7700 900123"


def _files(folder) -> bytes:
    return b"".join(path.read_bytes() for path in folder.rglob("*") if path.is_file())


@pytest.fixture
def key() -> str:
    return Fernet.generate_key().decode()


def test_values_are_encrypted_at_rest_and_read_back(tmp_path, key):
    sealed = SealedValues(tmp_path / "vault.sqlite3", key)
    entries = [("<EMAIL_ADDRESS_1>", "EMAIL_ADDRESS", EMAIL), ("<PHONE_NUMBER_1>", "PHONE_NUMBER", PHONE)]
    assert sealed.seal("s1", entries, "2025-03-01T10:00:00+00:00") == 2
    assert sealed.seal("s1", entries, "2025-03-01T10:01:00+00:00") == 0  # each placeholder once
    assert sealed.unseal("s1", "<EMAIL_ADDRESS_1>") == EMAIL and sealed.unseal("s2", "<EMAIL_ADDRESS_1>") is None
    assert sealed.entries("s1") == entries and sealed.placeholders("s1") == ["<EMAIL_ADDRESS_1>", "<PHONE_NUMBER_1>"]
    on_disk = _files(tmp_path)
    assert EMAIL.encode() not in on_disk and PHONE.encode() not in on_disk and b"dana" not in on_disk
    assert (tmp_path / "vault.sqlite3").stat().st_mode & 0o777 == 0o600
    assert EMAIL not in repr(sealed)


def test_rotation_keeps_old_values_readable_and_a_lost_key_says_how(tmp_path, key):
    SealedValues(tmp_path / "vault.sqlite3", key).seal("s1", [("<PERSON_1>", "PERSON", "Dana Quill")], "t")
    newer = Fernet.generate_key().decode()
    assert SealedValues(tmp_path / "vault.sqlite3", f"{newer},{key}").unseal("s1", "<PERSON_1>") == "Dana Quill"
    with pytest.raises(SealedValueError, match="put the old key after the new one in BEACON_VAULT_KEY"):
        SealedValues(tmp_path / "vault.sqlite3", newer).unseal("s1", "<PERSON_1>")


@pytest.mark.parametrize("keys", ["not-a-key", "", "abc,"])
def test_a_malformed_key_is_a_config_error_with_how_to_make_one(tmp_path, keys):
    with pytest.raises(ConfigError, match="Fernet.generate_key"):
        SealedValues(tmp_path / "vault.sqlite3", keys)


def test_erasure_removes_the_values_even_without_the_key(tmp_path, key):
    sealed = SealedValues(tmp_path / "vault.sqlite3", key)
    sealed.seal("gone", [("<EMAIL_ADDRESS_1>", "EMAIL_ADDRESS", EMAIL)], "t")
    sealed.seal("kept", [("<EMAIL_ADDRESS_1>", "EMAIL_ADDRESS", "x@example.org")], "t")
    sealed.close()
    keyless = SealedValues(tmp_path / "vault.sqlite3", None)
    assert keyless.delete_sessions(["gone"]) == 1
    assert SealedValues(tmp_path / "vault.sqlite3", key).placeholders("gone") == []
    assert b"gone" not in _files(tmp_path)
    with pytest.raises(ConfigError, match="BEACON_VAULT_KEY is not set"):
        keyless.seal("s", [("<PERSON_1>", "PERSON", "x")], "t")
    assert SealedValues(tmp_path / "none.sqlite3", None).delete_sessions(["x"]) == 0
    assert not (tmp_path / "none.sqlite3").exists()


def test_the_audit_log_records_who_when_which_placeholder_and_ticket_never_a_value(tmp_path):
    audit = RevealAudit(tmp_path / "reveals.sqlite3")
    first = audit.record("2025-03-01T10:00:00+00:00", "alice", "HO-250301-AAAAA", "<EMAIL_ADDRESS_1>",
                         "EMAIL_ADDRESS", "alice")
    audit.record("2025-03-02T10:00:00+00:00", "api:abc123", "HO-250301-BBBBB", "<PHONE_NUMBER_1>", "PHONE_NUMBER",
                 "api:abc123")
    assert first["reveal_id"] == 1 and first["revealed_by"] == "alice"
    assert [e["ticket_id"] for e in audit.entries()] == ["HO-250301-BBBBB", "HO-250301-AAAAA"]  # newest first
    assert [e["placeholder"] for e in audit.entries(ticket_id="HO-250301-AAAAA")] == ["<EMAIL_ADDRESS_1>"]
    assert [e["revealed_by"] for e in audit.entries(revealed_by="api:abc123")] == ["api:abc123"]
    assert audit.forget_before("2025-03-02T00:00:00+00:00") == 1
    assert [e["ticket_id"] for e in audit.entries()] == ["HO-250301-BBBBB"]
