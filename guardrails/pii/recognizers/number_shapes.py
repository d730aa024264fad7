"""Shapes of digit runs that are not card, account or phone numbers: dates.

A run like "22.45.3300" or "80.01.2345" is laid out like a date but cannot be one (no month
45, no day 80): the digit-run recognizers keep it. Only runs whose parts form a real
day-month-year, month-day-year or year-month-day date are set aside.
"""

from __future__ import annotations

import re

# one separator, the same twice, and not a space: "21 12 34" is a phone number, "21.12.34" may be a date
_PARTS = re.compile(r"^(\d{1,4})([./-])(\d{1,2})\2(\d{1,4})$")


def looks_like_date(value: str) -> bool:
    match = _PARTS.match(value.strip())
    if not match:
        return False
    a, _, b, c = match.groups()
    first, second, third = int(a), int(b), int(c)
    if len(a) == 4:  # 2024-03-12
        return 1900 <= first <= 2099 and 1 <= second <= 12 and 1 <= third <= 31 and len(c) <= 2
    if len(c) not in (2, 4) or (len(c) == 4 and not 1900 <= third <= 2099):
        return False
    day_month = 1 <= first <= 31 and 1 <= second <= 12
    month_day = 1 <= first <= 12 and 1 <= second <= 31
    return day_month or month_day
