"""Round 3 train-side sets: addresses, IBANs and card-like numbers between a lead and a tail
of prose (public_prose_templates). Values from the train half only, as in public_variety:
Faker addresses of the train-half locales (in the shapes public_variety writes), the
schwifty IBANs and Faker IBANs of train-half countries, random and Faker card-like numbers.

Sets address_prose, iban_prose, card_prose (``python -m research.pii.public_eval --side train
--sets address_prose``). Every message carries ``fold``: ``tune`` when its lead and its tail
are both in the tune fold, else ``check``; and ``shape`` (the value's shape).
"""

from __future__ import annotations

import random

from research.pii import public_prose_templates as T
from research.pii.public_data import half, iban_rows
from research.pii.public_sets import _faker, _message, _pick
from research.pii.public_variety import _address_shapes, _card_shape, _iban_forms, fold, train_locales

PER_LOCALE = 10


def _parts_fold(lead: str, tail: str) -> str:
    return "tune" if fold(f"lead:{lead}") == "tune" and fold(f"tail:{tail}") == "tune" else "check"


def _msg(set_name: str, ident: str, lead: str, tail: str, value: str, entity: str, **tags: object) -> dict:
    return _message(set_name, ident, lead + "{v}" + tail, value, entity, "train", "train",
                    fold=_parts_fold(lead, tail), **tags)


def address_prose() -> list[dict]:
    out = []
    for locale in train_locales("address"):
        fake, rng = _faker(locale, 31), random.Random(f"address-prose-{locale}")
        for i in range(PER_LOCALE):
            shapes = _address_shapes(fake, rng)
            shape = _pick(sorted(shapes), locale, i, "prose")
            lead, tail = _pick(T.ADDRESS_LEADS, locale, i, "lead"), _pick(T.TAILS, locale, i, "tail")
            out.append(_msg("address_prose", f"{locale}-prose-{i}", lead, tail, shapes[shape], "ADDRESS",
                            shape=shape, locale=locale))
    return out


def iban_prose() -> list[dict]:
    out, rng = [], random.Random("iban-prose")
    values = [(row["iban"], row["country_code"]) for row in iban_rows() if half(row["country_code"]) == "train"]
    for locale in train_locales("bank"):
        compact = _faker(locale, 32).iban()
        values.append((" ".join(compact[i:i + 4] for i in range(0, len(compact), 4)), locale))
    for i, (printed, country) in enumerate(values):
        forms = _iban_forms(printed, rng)
        for k in range(2):
            form = _pick(sorted(forms), printed, k)
            lead, tail = _pick(T.IBAN_LEADS, printed, k, "lead"), _pick(T.TAILS, printed, k, "tail")
            out.append(_msg("iban_prose", f"{i}-{country}-{k}", lead, tail, forms[form], "IBAN", shape=form))
    return out


def card_prose() -> list[dict]:
    out, rng = [], random.Random("cards-prose")
    fake = _faker("en_GB", 33)
    for i in range(400):
        if i % 2:
            digits = fake.credit_card_number()
        else:
            length = rng.randint(8, 19)
            digits = str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(length - 1))
        value, style = _card_shape(digits, rng)
        lead, tail = rng.choice(T.CARD_LEADS), rng.choice(T.TAILS)
        out.append(_msg("card_prose", f"card-prose-{i}", lead, tail, value, "CARD_LIKE", shape=style))
    return out


PROSE_SETS = {"address_prose": address_prose, "iban_prose": iban_prose, "card_prose": card_prose}
