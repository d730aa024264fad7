"""Languages' and currencies' names are not people's (guardrails/pii/cldr_names.py): the tagger reads
lower-case "french", "spanish" or "rubles" as a person; the redactor leaves such a name in the text unless a
cue says a name follows. Real Presidio and the shipped tagger (the ``redactor`` fixture)."""

from __future__ import annotations

from guardrails.pii import Redactor
from guardrails.pii.cldr_names import currency_names, language_names, names_no_person


def people(redactor: Redactor, text: str) -> list[str]:
    return [text[e.start:e.end] for e in redactor.redact(text).entities if e.type == "PERSON"]


def test_the_list_is_cldrs_languages_with_locale_data():
    names = language_names()
    assert {"spanish", "french", "chinese", "swiss german", "zulu"} <= names
    assert "ancient greek" not in names  # CLDR names it, but no software ships in it
    assert names_no_person("Spanish.") and names_no_person("swiss german")
    assert not names_no_person("spain") and not names_no_person("priya")


def test_currencies_singular_plural_and_their_units_but_not_a_first_name():
    names = currency_names()
    assert {"russian ruble", "russian rubles", "swiss franc", "rubles", "rupee", "yen"} <= names
    assert "mark" not in names  # the German mark's unit is a first name
    assert not any("(" in name for name in names)


def test_a_currency_in_a_question_reaches_retrieval_whole(redactor):
    for text in ("I changed my Russian Ruble into pounds and got less than I expected",
                 "how many rubles do i get for 100 dollars"):
        assert people(redactor, text) == [], text


def test_a_language_in_a_question_reaches_retrieval_whole(redactor):
    for text in ("can I change the app language to spanish", "translate this into chinese", "do you speak french"):
        # each of these was "… <PERSON_1>" before the language names (the tagger's own reading)
        assert people(redactor, text) == [], text
        assert redactor.redact(text).text == text


def test_a_name_after_a_naming_cue_stays_redacted_even_when_it_is_a_language(redactor):
    assert people(redactor, "hi, my name is english and my card was declined") == ["english"]


def test_names_next_to_a_language_stay_redacted(redactor):
    assert people(redactor, "my friend priya sharma only speaks hindi") == ["priya sharma"]
