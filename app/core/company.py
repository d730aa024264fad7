"""The company Beacon answers for, as its customers know it (``BEACON_COMPANY_NAME`` and
``BEACON_COMPANY_ALIASES``).

Its name is shown where a customer reads about the company (the chat page's title, an agent's
signature, the handoff replies that mention its staff or the customer's account), it is in the
instructions an LLM gets, the guards' cue patterns match it ("they said they were from Acme"), and
the redactor never takes it for a person's name. Unset, Beacon names no company: "our staff",
"your account", "Support". Nothing in the product assumes the demo knowledge base's company.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

# What the guards' cue patterns match where a message names the company (guardrails.topic_rules);
# a word, so that "\b" works on both sides of it.
COMPANY_WORD = "_company_"


@dataclass(frozen=True)
class Company:
    name: str | None = None
    aliases: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings) -> Company:
        name = (getattr(settings, "company_name", None) or "").strip() or None
        return cls(name, tuple(a.strip() for a in getattr(settings, "company_aliases", ()) if a.strip()))

    @property
    def names(self) -> tuple[str, ...]:
        """The name and its aliases, each once (case-insensitively), longest first, so that
        "Acme Pay" is matched before "Acme"."""
        seen: dict[str, str] = {}
        for value in (self.name, *self.aliases):
            if value and value.casefold() not in seen:
                seen[value.casefold()] = value
        return tuple(sorted(seen.values(), key=len, reverse=True))

    def _named(self, template: str, unnamed: str) -> str:
        return template.format(self.name) if self.name else unnamed

    @property
    def page_title(self) -> str:
        return self._named("{} support", "Support")

    @property
    def team(self) -> str:
        return self._named("{} support team", "support team")

    @property
    def staff(self) -> str:
        return self._named("{} staff", "our staff")

    @property
    def account(self) -> str:
        return self._named("your {} account", "your account")

    @cached_property
    def alternation(self) -> str | None:
        """A regular expression that matches any of the names as whole words, whatever their case
        and spacing; None without a name."""
        if not self.names:
            return None
        options = "|".join(r"\s+".join(re.escape(word) for word in name.split()) for name in self.names)
        return rf"(?<!\w)(?:{options})(?!\w)"

    @cached_property
    def _pattern(self) -> re.Pattern | None:
        return re.compile(self.alternation, re.IGNORECASE) if self.alternation else None

    def mark(self, text: str) -> str:
        """``text`` with each mention of the company replaced by :data:`COMPANY_WORD`."""
        return self._pattern.sub(COMPANY_WORD, text) if self._pattern else text
