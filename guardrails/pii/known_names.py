"""First and last names of every locale Faker ships (about 56,000, case-folded).

A help centre's word that is also somebody's name ("mark", "will", "sterling", "john" in a thread's
signature) stays a name for the redactor even in a lower-case message: only a word that is nobody's
name anywhere is taken for the help centre's term (guardrails/pii/redactor.py ``_knowledge_terms``).
Read once, on first use (~0.25 s).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

_LISTS = ("first_names", "last_names", "first_names_male", "first_names_female")


@lru_cache(maxsize=1)
def known_names() -> frozenset[str]:
    """Every first and last name of every Faker locale, case-folded."""
    import faker.providers.person as people

    names: set[str] = set()
    for module in pkgutil.iter_modules(people.__path__):
        provider = getattr(importlib.import_module(f"{people.__name__}.{module.name}"), "Provider", None)
        for cls in provider.__mro__ if provider else ():
            for attr in _LISTS:
                value = cls.__dict__.get(attr)  # a class attribute: a tuple, or a dict of weights
                if isinstance(value, (list, tuple, dict)):
                    names.update(name.casefold() for name in value if isinstance(name, str))
    return frozenset(names)
