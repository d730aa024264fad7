"""The words a knowledge base writes in lower case (app/core/vocabulary.py)."""

from __future__ import annotations

from app.core.vocabulary import lower_case_words, word_key, written_lower


def test_terms_written_in_lower_case_are_kept_and_names_are_not():
    words = lower_case_words(["Alice starts monerod, then calls get_tx_key for Bob's payment.",
                              "Open Settings and tap Freeze. You signed up with your e-mail."])
    assert {"monerod", "get_tx_key", "payment", "then", "signed", "up", "e-mail"} <= words
    assert not {"alice", "bob", "settings", "freeze", "open"} & words


def test_links_addresses_and_code_are_not_prose():
    words = lower_case_words(["Write to john@example.com or see https://example.org/mark/page and www.x.io/will.",
                              "Run `sudo -u amy start`:\n\n```\nbob = wallet()\n```\nDone."])
    assert not {"john", "mark", "will", "amy", "bob", "sudo"} & words
    assert {"to", "or", "see", "and"} <= words


def test_a_word_is_kept_case_folded_without_its_possessive():
    assert word_key("Bob's") == "bob" and word_key("wallet’s") == "wallet" and word_key("MONEROD") == "monerod"


def test_written_lower_is_all_or_nothing():
    assert written_lower("ledger nano") == ["ledger", "nano"]
    assert written_lower("get_tx_key") == ["get_tx_key"]
    assert written_lower("Ledger nano") is None
    assert written_lower("  ") is None
