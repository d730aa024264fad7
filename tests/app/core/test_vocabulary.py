"""The words a knowledge base uses (app/core/vocabulary.py)."""

from __future__ import annotations

from app.core.vocabulary import used_words, word_key, written_lower


def test_every_word_is_kept_in_any_case_and_once():
    words = used_words(["Alice starts monerod, then calls get_tx_key for Bob's payment.",
                        "Open Settings and tap Freeze. You signed up with your e-mail at help@example.com."])
    assert {"monerod", "get_tx_key", "payment", "signed", "up", "e-mail", "alice", "bob", "settings", "help"} <= words
    assert "bob's" not in words and "Alice" not in words


def test_a_word_is_kept_case_folded_without_its_possessive():
    assert word_key("Bob's") == "bob" and word_key("wallet’s") == "wallet" and word_key("MONEROD") == "monerod"


def test_written_lower_is_all_or_nothing():
    assert written_lower("ledger nano") == ["ledger", "nano"]
    assert written_lower("get_tx_key") == ["get_tx_key"]
    assert written_lower("Ledger nano") is None
    assert written_lower("  ") is None
