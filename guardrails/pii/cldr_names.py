"""Languages' and currencies' English names, which the name tagger takes for people in lower-case text.

"do you speak french", "translate this into chinese", "can I change the app language to spanish", "why was I
charged extra on my pound to russian rubles exchange": read in lower case, the tagger calls the language or
the currency a person, and the question would reach retrieval and the ticket as "… to <PERSON_1>". The names
come from CLDR through Babel (its data ships in the wheel):

- languages: the 322 CLDR has locale data for, the ones software is translated into (the full list of 668 and
  the 117 official languages were measured too);
- currencies: every current currency's name, singular and plural ("swiss franc", "russian rubles"), and its
  unit on its own ("rubles", "rupee"), unless the unit is a known first name ("mark").

How each list was chosen: research/pii/README.md, "Language names" and "Currency names".
"""

from __future__ import annotations

from functools import lru_cache

from guardrails.pii.recognizers.person_names import FIRST_NAMES

_EDGES = " \t\n.,!?:;'\"()"


@lru_cache(maxsize=1)
def language_names() -> frozenset[str]:
    """The casefolded English names of the languages CLDR has locale data for ("spanish", "swiss german")."""
    from babel import Locale, localedata

    names = Locale("en").languages
    codes = {identifier.split("_")[0] for identifier in localedata.locale_identifiers()}
    return frozenset(names[code].casefold() for code in codes if code in names)


@lru_cache(maxsize=2)
def currency_names(units: bool = True) -> frozenset[str]:
    """Casefolded English currency names, singular and plural, and (``units``) their units ("russian ruble",
    "rubles")."""
    from babel import Locale
    from babel.numbers import get_currency_name

    full = {get_currency_name(code, count=n, locale="en").casefold()
            for code in Locale("en").currencies for n in (1, 2)}
    full = {name for name in full if "(" not in name}  # "(unknown currency)"; historic issues "(1927–2002)"
    return frozenset(full | ({name.split()[-1] for name in full} - FIRST_NAMES if units else set()))


def names_no_person(value: str) -> bool:
    """Whether ``value`` (a detection's text) is a language's or a currency's name, whatever its case."""
    folded = value.strip(_EDGES).casefold()
    return folded in language_names() or folded in currency_names()
