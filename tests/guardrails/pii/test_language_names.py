"""Languages' names are not people's (guardrails/pii/language_names.py): the tagger reads lower-case
"french" or "spanish" as a person; the redactor leaves a language's name in the text unless a cue says
a name follows. Real Presidio and the shipped tagger (the ``redactor`` fixture)."""

from __future__ import annotations

from guardrails.pii import Redactor
from guardrails.pii.language_names import is_language_name, language_names


def people(redactor: Redactor, text: str) -> list[str]:
    return [text[e.start:e.end] for e in redactor.redact(text).entities if e.type == "PERSON"]


def test_the_list_is_cldrs_languages_with_locale_data():
    names = language_names()
    assert {"spanish", "french", "chinese", "swiss german", "zulu"} <= names
    assert "ancient greek" not in names  # CLDR names it, but no software ships in it
    assert is_language_name("Spanish.") and is_language_name("swiss german")
    assert not is_language_name("spain") and not is_language_name("priya")


def test_a_language_in_a_question_reaches_retrieval_whole(redactor):
    for text in ("can I change the app language to spanish", "translate this into chinese", "do you speak french"):
        # each of these was "… <PERSON_1>" before the language names (the tagger's own reading)
        assert people(redactor, text) == [], text
        assert redactor.redact(text).text == text


def test_a_name_after_a_naming_cue_stays_redacted_even_when_it_is_a_language(redactor):
    assert people(redactor, "hi, my name is english and my card was declined") == ["english"]


def test_names_next_to_a_language_stay_redacted(redactor):
    assert people(redactor, "my friend priya sharma only speaks hindi") == ["priya sharma"]
