"""Languages' English names, which the name tagger takes for people in lower-case text.

"do you speak french", "translate this into chinese", "can I change the app language to spanish":
read in lower case, the tagger calls the language a person, and the question would reach retrieval and
the ticket as "… to <PERSON_1>". The names come from CLDR through Babel (its data ships in the wheel):
the languages CLDR has locale data for, the ones software is translated into (322; the full list of
668 and the 117 official languages were measured too, research/pii/README.md, "Language names").
"""

from __future__ import annotations

from functools import lru_cache

_EDGES = " \t\n.,!?:;'\"()"


@lru_cache(maxsize=1)
def language_names() -> frozenset[str]:
    """The casefolded English names of the languages CLDR has locale data for ("spanish", "swiss german")."""
    from babel import Locale, localedata

    names = Locale("en").languages
    codes = {identifier.split("_")[0] for identifier in localedata.locale_identifiers()}
    return frozenset(names[code].casefold() for code in codes if code in names)


def is_language_name(value: str) -> bool:
    """Whether ``value`` (a detection's text) is a language's name, whatever its case."""
    return value.strip(_EDGES).casefold() in language_names()
