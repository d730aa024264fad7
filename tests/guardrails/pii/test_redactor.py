import random
import time

import pytest

from research.pii.values import Values
from guardrails.pii import PiiVault, Redactor
from guardrails.pii.recognizers.contact_details import offline_tld_extractor

V = Values(9)


def test_placeholders_consistent_across_turns(redactor):
    vault = PiiVault()
    first = redactor.redact("my name is sarah o'connor, card 4111 1111 1111 1111", vault)
    second = redactor.redact("sarah o'connor again, card 4111111111111111", vault)
    assert "<CREDIT_CARD_1>" in first.text and "<CREDIT_CARD_1>" in second.text
    assert vault.restore(first.text) == "my name is sarah o'connor, card 4111 1111 1111 1111"


def test_seed_phrase_wins_over_person(redactor):
    phrase = V.seed(12)
    red = redactor.redact(f"Hi I'm {phrase.split()[0].title()} {phrase}")
    assert any(e.type == "SEED_PHRASE" for e in red.entities)
    assert not any(a.start < b.end and b.start < a.end for a in red.entities for b in red.entities if a is not b)


def test_allow_list_argument(redactor):
    custom = Redactor(allow_list=["Sarah Connor"])
    custom._analyzer = redactor._analyzer  # share the loaded model
    assert custom.redact("the Sarah Connor plan has no monthly fee").entities == []
    # ... unless the customer says it is their name: then it is theirs, and private.
    assert [e.type for e in custom.redact("my name is Sarah Connor").entities] == ["PERSON"]


@pytest.mark.parametrize(("text", "kept"), [
    ("Hi, my name is Chase and my card is frozen", False),  # the allow list's bank is a customer's name here
    ("Name: Wise", False),
    ("I moved my money from Chase to Wise", True),  # and the banks here
    ("I upgraded to Plus last week", True),
])
def test_a_word_of_the_company_vocabulary_is_a_name_after_a_naming_cue(redactor, text, kept):
    redacted = redactor.redact(text).text
    assert ("<PERSON_1>" not in redacted) is kept


@pytest.mark.parametrize("text", [
    "a " * 50_000 + "card 4111 1111 1111 1111",
    bytes(random.Random(1).randrange(256) for _ in range(20_000)).decode("latin-1"),
    "mixed 日本語 текст العربية card 4111\u200b1111 1111 1111 \ud800",
    "",
])
def test_bad_input_does_not_crash(redactor, text):
    started = time.perf_counter()
    red = redactor.redact(text)
    assert isinstance(red.text, str) and time.perf_counter() - started < 10


def test_long_text_still_redacted_at_the_end(redactor):
    assert "<CREDIT_CARD_1>" in redactor.redact("a " * 50_000 + "card 4111 1111 1111 1111").text


def test_batch_matches_single_and_checks_lengths(redactor):
    texts = ["my iban is GB82WEST12345698765432", "nothing here"]
    assert [r.text for r in redactor.redact_batch(texts)] == [redactor.redact(t).text for t in texts]
    with pytest.raises(ValueError, match="one vault"):
        redactor.redact_batch(texts, [None])


def test_tldextract_never_fetches():
    extractor = offline_tld_extractor()
    assert tuple(extractor.suffix_list_urls) == ()  # no URL to fetch: only the bundled snapshot is read
    assert extractor("a.b@mail.example.co.uk").fqdn == "mail.example.co.uk"


@pytest.mark.parametrize("text", ["Check <EMAIL_ADDRESS_1>.", "We have written to <EMAIL_ADDRESS_1> and <ADDRESS_2>.",
                                  "card <CREDIT_CARD_1> at <STREET_ADDRESS_3>"])
def test_placeholders_are_never_redacted_again(redactor, text):
    assert redactor.detect(text) == []
