"""The help centre's own words are not names (guardrails/pii/redactor.py, ``knowledge``): a
detection the customer wrote in lower case, of words the knowledge base writes in lower case too,
is left in the text; a name the customer introduces as one, or writes with a capital, is not."""

from __future__ import annotations

from guardrails.pii import Redactor


class Words:
    """A knowledge base's lower-case words (the product's is app.index.keyword_index.KeywordIndex)."""

    def __init__(self, *words: str) -> None:
        self.words = set(words)

    def writes_lower(self, word: str) -> bool:
        return word.casefold() in self.words


def people(redactor: Redactor, text: str, knowledge=None) -> list[str]:
    return [text[e.start:e.end] for e in redactor.redact(text, knowledge=knowledge).entities if e.type == "PERSON"]


def test_a_phrasal_verb_after_signed_is_not_a_name_with_or_without_the_help_centre(redactor):
    text = "the host i signed up with wants my seed"
    assert people(redactor, text) == []  # "signed" is followed by a name only when it looks like one
    assert people(redactor, text, Words("up", "with")) == []


def test_the_help_centres_terms_stay_in_the_question(redactor):
    knowledge = Words("monerod", "get_tx_key", "transaction", "setting", "up", "on", "a", "vps")
    for text in ("setting up monerod on a vps, which port needs to be open",
                 "get_tx_key doesnt return anything for my old transaction"):
        assert people(redactor, text, knowledge) == [], text


def test_a_name_the_customer_gives_stays_redacted_even_when_it_is_a_word_of_the_help_centre(redactor):
    knowledge = Words("mark", "will", "bill", "alice")
    assert people(redactor, "my name is mark and my card was declined", knowledge) == ["mark"]
    assert people(redactor, "Alice sent me 2 xmr yesterday", knowledge) == ["Alice"]


def test_words_the_help_centre_does_not_use_stay_redacted(redactor):
    text = "hi this is priya sharma, is my payment stuck"
    assert people(redactor, text, Words("payment", "stuck")) == ["priya sharma"]
