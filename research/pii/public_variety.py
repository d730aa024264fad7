"""Train-side sets of round 2: more templates, more value shapes, more locales.

Values come from the train half only (regions, countries and Faker locales with
``half(code) == "train"``), so the report half stays unseen, and from more places than the
first round's sets: Faker's own phone numbers, IBANs and card numbers of those locales,
and address and name shapes the first round did not write (house number after the street,
no commas, lower or upper case, a street line alone, a postcode and town alone, a flat line,
digits grouped by dots or split over two lines, a title before a surname...). Templates are
public_variety_templates; every message carries ``fold`` (tune / check, by its template)
and ``shape`` tags. Sets: phone_more, iban_more, card_more, address_more, name_more,
negative_more (``python -m research.pii.public_eval --side train --sets address_more``).
"""

from __future__ import annotations

import hashlib
import random

from research.pii import public_variety_templates as T
from research.pii.public_data import half, iban_rows, phone_rows
from research.pii.public_sets import _faker, _message, _pick, card_value

CHECK_SHARE = 4  # one template in four is in the check fold


def fold(template: str) -> str:
    return "check" if hashlib.sha256(template.encode()).digest()[0] % CHECK_SHARE == 0 else "tune"


def _own_provider(locale: str, provider: str) -> bool:
    """Whether Faker has ``provider`` for this locale itself (not its en_US fallback)."""
    from faker import Faker

    fake = Faker(locale)
    method = {"address": "street_address", "phone_number": "phone_number", "person": "name",
              "bank": "iban", "credit_card": "credit_card_number"}[provider]
    bound = getattr(fake.factories[0], method, None)
    if bound is None:  # fil_PH and tl_PH have no phone provider at all
        return False
    module = type(bound.__self__).__module__
    return module.endswith(f"{provider}.{locale}") or module.endswith(f"{provider}.{locale.split('_')[0]}")


def train_locales(provider: str) -> list[str]:
    from faker.config import AVAILABLE_LOCALES

    return [loc for loc in AVAILABLE_LOCALES if half(loc) == "train" and _own_provider(loc, provider)]


def _msg(set_name: str, ident: str, template: str, value: str, entity: str, **tags: object) -> dict:
    message = _message(set_name, ident, template, value, entity, "train", "train", fold=fold(template), **tags)
    return message


# ---- phones -------------------------------------------------------------------------------------------------

def _phone_forms(row: dict) -> dict[str, str]:
    national, intl = row["national"], row["international"]
    forms = {"international": intl, "national": national, "e164": row["e164"],
             "intl_00": "00" + intl[1:], "intl_dashes": intl.replace(" ", "-"),
             "national_dots": national.replace(" ", ".").replace("-", "."),
             "national_compact": "".join(c for c in national if c.isdigit())}
    if national.startswith("0"):
        forms["intl_trunk"] = f"+{row['country_code']} (0){national[1:]}"
    return forms


def phone_more() -> list[dict]:
    out = []
    for row in phone_rows():
        if half(row["region"]) != "train":
            continue
        forms = _phone_forms(row)
        for fmt in sorted(forms, key=lambda f: hashlib.sha256(f"{row['e164']}{f}".encode()).digest())[:3]:
            cued = fmt.startswith("national") or _pick(["cued", "uncued"], row["e164"], fmt, 2) == "cued"
            template = _pick(T.PHONE_CUED if cued else T.PHONE_UNCUED, row["region"], row["type"], fmt, 2)
            out.append(_msg("phone_more", f"{row['region']}-{row['type']}-{fmt}", template, forms[fmt],
                            "PHONE_NUMBER", shape=fmt, region=row["region"]))
    for locale in train_locales("phone_number"):
        fake = _faker(locale, 21)
        for i in range(4):
            value = fake.phone_number()
            template = _pick(T.PHONE_CUED, locale, i, "faker")
            out.append(_msg("phone_more", f"{locale}-faker-{i}", template, value, "PHONE_NUMBER", shape="faker",
                            region=locale))
    return out


# ---- IBANs --------------------------------------------------------------------------------------------------

def _iban_forms(printed: str, rng: random.Random) -> dict[str, str]:
    compact = printed.replace(" ", "")
    groups = [compact[i:i + 4] for i in range(0, len(compact), 4)]
    cut = rng.randint(1, max(1, len(groups) - 1))
    return {"printed": printed, "compact": compact, "lower": printed.lower(), "dashes": "-".join(groups),
            "dots": ".".join(groups), "two_lines": " ".join(groups[:cut]) + "\n" + " ".join(groups[cut:]),
            "head_then_compact": groups[0] + " " + "".join(groups[1:]), "lower_compact": compact.lower(),
            "double_space": "  ".join(groups)}


def iban_more() -> list[dict]:
    out, rng = [], random.Random("iban-more")
    values = [(row["iban"], row["country_code"], "invalid" if row["label"] == "invalid" else "valid", "schwifty")
              for row in iban_rows() if half(row["country_code"]) == "train"]
    for locale in train_locales("bank"):
        fake = _faker(locale, 22)
        for _ in range(3):
            compact = fake.iban()
            values.append((" ".join(compact[i:i + 4] for i in range(0, len(compact), 4)), locale, "valid", "faker"))
    for i, (printed, country, validity, source) in enumerate(values):
        forms = _iban_forms(printed, rng)
        for form in sorted(forms, key=lambda f: hashlib.sha256(f"{printed}{f}".encode()).digest())[:4]:
            template = _pick(T.IBAN, printed, form, 2)
            out.append(_msg("iban_more", f"{i}-{country}-{form}", template, forms[form], "IBAN", shape=form,
                            validity=validity, source=source))
    return out


# ---- card-like numbers --------------------------------------------------------------------------------------

def _card_shape(digits: str, rng: random.Random) -> tuple[str, str]:
    style = rng.choice(["plain", "space4", "dash4", "dot4", "two_lines", "double_space", "amex", "irregular"])
    groups = [digits[i:i + 4] for i in range(0, len(digits), 4)]
    if style == "plain":
        return digits, style
    if style in ("space4", "dash4", "dot4", "double_space"):
        return {"space4": " ", "dash4": "-", "dot4": ".", "double_space": "  "}[style].join(groups), style
    if style == "two_lines" and len(groups) > 1:
        cut = rng.randint(1, len(groups) - 1)
        return " ".join(groups[:cut]) + "\n" + " ".join(groups[cut:]), style
    if style == "amex" and len(digits) == 15:
        return f"{digits[:4]} {digits[4:10]} {digits[10:]}", style
    value, _ = card_value(random.Random(digits), True)  # irregular groups, any length
    return value, "irregular"


def card_more() -> list[dict]:
    out, rng = [], random.Random("cards-more")
    for i in range(300):
        length = rng.randint(8, 19)
        digits = str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(length - 1))
        value, style = _card_shape(digits, rng)
        template = rng.choice(T.CARD)
        out.append(_msg("card_more", f"card-more-{i}", template, value, "CARD_LIKE", shape=style, source="random"))
    fake = _faker("en_US", 23)
    for i in range(200):
        digits = fake.credit_card_number()
        value, style = _card_shape(digits, rng)
        template = rng.choice(T.CARD)
        out.append(_msg("card_more", f"card-faker-{i}", template, value, "CARD_LIKE", shape=style, source="faker"))
    return out


# ---- addresses ----------------------------------------------------------------------------------------------

def _address_shapes(fake, rng: random.Random) -> dict[str, str]:
    lines = [line.strip() for line in fake.address().splitlines() if line.strip()]
    street = fake.street_address().strip()
    shapes = {"several": "\n".join(lines), "one": ", ".join(lines), "no_commas": " ".join(lines),
              "lower": ", ".join(lines).lower(), "upper": ", ".join(lines).upper(), "street": street,
              "street_city": f"{street}, {fake.city()}", "postcode_city": f"{fake.postcode()} {fake.city()}",
              "street_postcode_city": f"{street}\n{fake.postcode()} {fake.city()}"}
    try:
        shapes["with_unit"] = f"{fake.secondary_address().strip()}, {', '.join(lines)}"
    except AttributeError:
        pass
    return shapes


def address_more() -> list[dict]:
    out = []
    for locale in train_locales("address"):
        fake, rng = _faker(locale, 24), random.Random(f"address-more-{locale}")
        for i in range(12):
            shapes = _address_shapes(fake, rng)
            shape = _pick(sorted(shapes), locale, i)
            template = _pick(T.ADDRESS, locale, i, 2)
            out.append(_msg("address_more", f"{locale}-more-{i}", template, shapes[shape], "ADDRESS", shape=shape,
                            locale=locale))
    return out


# ---- names --------------------------------------------------------------------------------------------------

def _name_shapes(fake) -> dict[str, str]:
    first, last = fake.first_name(), fake.last_name()
    shapes = {"name": fake.name(), "first_last": f"{first} {last}", "lower": f"{first} {last}".lower(),
              "upper": f"{first} {last}".upper(), "last_comma_first": f"{last}, {first}", "first": first}
    try:
        prefix = fake.prefix().strip()
    except AttributeError:
        prefix = ""
    if prefix:  # (some locales have no titles, or an empty one)
        shapes["title_last"] = f"{prefix} {last}"
    return shapes


def name_more() -> list[dict]:
    out = []
    for locale in train_locales("person"):
        fake = _faker(locale, 25)
        for i in range(8):
            shapes = _name_shapes(fake)
            shape = _pick(sorted(shapes), locale, i)
            template = _pick(T.NAME, locale, i, 2)
            out.append(_msg("name_more", f"{locale}-more-{i}", template, shapes[shape], "PERSON", shape=shape,
                            locale=locale))
    return out


def negative_more() -> list[dict]:
    return [{"set": "negative_more", "id": f"neg-more-{i}", "text": t, "spans": [], "ignore": [],
             "template_split": "train", "value_split": "-", "tags": {"fold": fold(t)}}
            for i, t in enumerate(T.NEGATIVE)]


VARIETY_SETS = {"phone_more": phone_more, "iban_more": iban_more, "card_more": card_more,
                "address_more": address_more, "name_more": name_more, "negative_more": negative_more}
