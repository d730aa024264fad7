"""The encrypted values, the reveal audit and the decision log on PostgreSQL."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from app.core.errors import ConfigError
from app.handoff.postgres_stores import PostgresDecisionLog, PostgresRevealAudit, PostgresSealedValues
from app.handoff.sealed_values import SealedValueError

pytestmark = pytest.mark.postgres
EMAIL = "dana.quill@example.org"


def _everything(database) -> str:
    """Every row of every table, as text: what someone with a copy of the database reads."""
    tables = [row[0] for row in database.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
    return " ".join(str(database.execute(f"SELECT * FROM {table}")) for table in tables)


def test_values_are_encrypted_in_the_database_and_read_back_by_another_replica(database):
    key = Fernet.generate_key().decode()
    entries = [("<EMAIL_ADDRESS_1>", "EMAIL_ADDRESS", EMAIL), ("<PERSON_1>", "PERSON", "Dana Quill")]
    assert PostgresSealedValues(database, key).seal("s1", entries, "t") == 2
    assert PostgresSealedValues(database, key).seal("s1", entries, "t") == 0  # each placeholder once
    other = PostgresSealedValues(database, key)
    assert other.entries("s1") == entries and other.unseal("s1", "<PERSON_1>") == "Dana Quill"
    assert other.placeholders("s1") == ["<EMAIL_ADDRESS_1>", "<PERSON_1>"]
    text = _everything(database)
    assert EMAIL not in text and "Dana Quill" not in text and "dana" not in text.lower()
    with pytest.raises(SealedValueError, match="put the old key after the new one"):
        PostgresSealedValues(database, Fernet.generate_key().decode()).unseal("s1", "<PERSON_1>")
    keyless = PostgresSealedValues(database, None)
    with pytest.raises(ConfigError, match="BEACON_VAULT_KEY is not set"):
        keyless.seal("s2", entries, "t")
    assert keyless.delete_sessions(["s1"]) == 2 and other.entries("s1") == []


def test_reveal_audit_and_its_retention(database):
    audit = PostgresRevealAudit(database)
    audit.record("2025-03-01T10:00:00+00:00", "alice", "HO-1", "<EMAIL_ADDRESS_1>", "EMAIL_ADDRESS", "alice")
    audit.record("2025-03-02T10:00:00+00:00", "bob", "HO-2", "<PERSON_1>", "PERSON", "bob")
    assert [e["ticket_id"] for e in audit.entries()] == ["HO-2", "HO-1"]
    assert [e["revealed_by"] for e in audit.entries(ticket_id="HO-1")] == ["alice"]
    assert audit.forget_before("2025-03-02") == 1 and len(audit.entries()) == 1


def test_decision_log_rows_and_their_erasure(database):
    log = PostgresDecisionLog(database)
    log.record("gone", "I am <PERSON_1>", {"action": "answer", "reasons": []}, 0.81234, None, ["x"])
    log.record("kept", "fees?", {"action": "escalate", "reasons": ["unanswered"]}, 0.2, "HO-1", [])
    assert [e["session_id"] for e in log.read()] == ["gone", "kept"]
    assert log.read()[0]["confidence"] == 0.8123 and log.read()[1]["ticket_id"] == "HO-1"
    assert log.forget({"gone"}) == 1 and [e["session_id"] for e in log.read()] == ["kept"]
    assert log.forget(set(), before="9999") == 1 and log.read() == []
