"""Labelled messages for the public evaluation, one list per set.

Every message is a dict: ``set``, ``id``, ``text``, ``spans`` (gold PII: type, start,
end), ``ignore`` (entity spans that are neither PII nor ordinary words, e.g. WNUT's
PRODUCT), ``template_split`` (train/report: which templates carried the value),
``value_split`` (train/report: which half of the regions, countries or locales the value
comes from) and ``tags`` (format, validity, locale...) for breakdowns. Deterministic.
"""

from __future__ import annotations

import hashlib
import random

from research.pii.public_data import PII_TYPES_IN_NER, half, iban_rows, ner_docs, phone_rows
from research.pii.public_templates import ADDRESS, CARD, IBAN, NAME, NEGATIVE, PHONE_CUED, PHONE_UNCUED

PHONE_FORMATS = ("international", "national", "e164")
# Faker locales with their own street-address provider (others fall back to en_US shapes).
ADDRESS_LOCALES = (
    "en_US", "en_GB", "en_AU", "en_CA", "en_IE", "en_IN", "en_NZ", "en_PH", "de_DE", "de_AT", "de_CH", "fr_FR",
    "fr_CA", "fr_CH", "es_ES", "es_MX", "es_AR", "es_CO", "it_IT", "pt_BR", "pt_PT", "nl_NL", "nl_BE", "pl_PL",
    "cs_CZ", "sk_SK", "hu_HU", "ro_RO", "el_GR", "ru_RU", "uk_UA", "sv_SE", "da_DK", "no_NO", "fi_FI", "hr_HR",
    "sl_SI", "ja_JP", "zh_CN", "zh_TW", "ko_KR", "th_TH", "vi_VN", "id_ID", "he_IL", "hi_IN", "ka_GE", "hy_AM",
    "az_AZ", "bn_BD", "ne_NP", "zu_ZA", "mk_MK",
)
NAME_LOCALES = ADDRESS_LOCALES + ("en_NG", "en_KE", "ar_SA", "fa_IR", "tr_TR", "bg_BG", "et_EE", "lt_LT", "lv_LV",
                                  "is_IS", "ga_IE", "yo_NG", "sw")
PER_LOCALE = 6
CARDS_PER_SPLIT = 400
LOWERCASE_NAME_SHARE = 0.25


def _pick(options: list[str], *key: object) -> str:
    digest = hashlib.sha256("|".join(map(str, key)).encode()).digest()
    return options[int.from_bytes(digest[:4], "big") % len(options)]


def _message(set_name: str, ident: str, template: str, value: str, entity: str, template_split: str,
             value_split: str, **tags: object) -> dict:
    start = template.index("{v}")
    text = template.replace("{v}", value, 1)
    return {"set": set_name, "id": ident, "text": text,
            "spans": [{"type": entity, "start": start, "end": start + len(value)}], "ignore": [],
            "template_split": template_split, "value_split": value_split, "tags": tags}


def ner_messages(name: str) -> list[dict]:
    out = []
    for doc in ner_docs(name):
        gold = [{"type": s["entity_type"], "start": s["start"], "end": s["end"]} for s in doc["spans"]
                if s["entity_type"] in PII_TYPES_IN_NER]
        ignore = [{"type": s["entity_type"], "start": s["start"], "end": s["end"]} for s in doc["spans"]
                  if s["entity_type"] not in PII_TYPES_IN_NER]
        out.append({"set": name, "id": doc["id"], "text": doc["text"], "spans": gold, "ignore": ignore,
                    "template_split": "-", "value_split": "train" if name.endswith("_train") else "report", "tags": {}})
    return out


def phone_messages(template_split: str) -> list[dict]:
    out = []
    for row in phone_rows():
        for fmt in PHONE_FORMATS:
            cued = fmt == "national" or _pick(["cued", "uncued"], row["e164"], fmt) == "cued"
            templates = (PHONE_CUED if cued else PHONE_UNCUED)[template_split]
            template = _pick(templates, row["region"], row["type"], fmt)
            out.append(_message("phone", f"{row['region']}-{row['type']}-{fmt}", template, row[fmt], "PHONE_NUMBER",
                                template_split, half(row["region"]), format=fmt, region=row["region"],
                                cued=cued))
    return out


def iban_messages(template_split: str) -> list[dict]:
    out = []
    for i, row in enumerate(iban_rows()):
        forms = {"printed": row["iban"], "compact": row["compact"], "lower": row["iban"].lower()}
        for form, value in forms.items():
            template = _pick(IBAN[template_split], row["compact"], form)
            valid = "invalid" if row["label"] == "invalid" else "valid"
            out.append(_message("iban", f"{i}-{row['country_code']}-{form}", template, value, "IBAN", template_split,
                                half(row["country_code"]), form=form, validity=valid, country=row["country_code"]))
    return out


def _luhn_digit(body: str) -> str:
    total = 0
    for i, char in enumerate(reversed(body + "0")):
        d = int(char)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def card_value(rng: random.Random, luhn: bool) -> tuple[str, int]:
    length = rng.randint(8, 19)
    body = str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(length - 2))
    check = _luhn_digit(body)
    digits = body + (check if luhn else str((int(check) + rng.randint(1, 9)) % 10))
    style = rng.choice(["plain", "plain", "space4", "space4", "dash4", "irregular"])
    if style == "plain":
        return digits, length
    if style in ("space4", "dash4"):
        sep = " " if style == "space4" else "-"
        return sep.join(digits[i:i + 4] for i in range(0, length, 4)), length
    groups, i = [], 0
    while i < length:
        size = rng.choice([2, 3, 4, 5, 6])
        groups.append(digits[i:i + size])
        i += size
    return rng.choice([" ", "-"]).join(groups), length


def card_messages(template_split: str) -> list[dict]:
    rng = random.Random(f"cards-{template_split}")
    out = []
    for i in range(CARDS_PER_SPLIT):
        luhn = i % 2 == 0
        value, length = card_value(rng, luhn)
        template = rng.choice(CARD[template_split])
        out.append(_message("card", f"card-{template_split}-{i}", template, value, "CARD_LIKE", template_split, "-",
                            luhn="valid" if luhn else "invalid", digits=length))
    return out


def _faker(locale: str, seed: int):
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(seed)
    for provider in fake.providers:  # (Faker's it_IT cities are a list made from a set: order them, so that
        cities = getattr(provider, "cities", None)  # the sets do not change with PYTHONHASHSEED)
        if locale == "it_IT" and isinstance(cities, list):
            provider.cities = sorted(cities)
    return fake


def address_messages(template_split: str) -> list[dict]:
    out = []
    for locale in ADDRESS_LOCALES:
        fake = _faker(locale, 1 if template_split == "train" else 2)
        for i in range(PER_LOCALE):
            address = fake.address()
            one_line = i % 2 == 1
            value = ", ".join(part.strip() for part in address.splitlines()) if one_line else address
            template = _pick(ADDRESS[template_split], locale, i)
            out.append(_message("address", f"{locale}-{template_split}-{i}", template, value, "ADDRESS",
                                template_split, half(locale), locale=locale, lines="one" if one_line else "several"))
    return out


def name_messages(template_split: str, round_: int = 0) -> list[dict]:
    """``round_`` > 0 draws other names (the name tagger's trainer takes several rounds)."""
    out = []
    for locale in NAME_LOCALES:
        fake = _faker(locale, (3 if template_split == "train" else 4) + 10 * round_)
        rng = random.Random(f"{locale}-{template_split}-{round_}")
        for i in range(PER_LOCALE):
            value = fake.name() if i % 3 == 0 else f"{fake.first_name()} {fake.last_name()}"
            lower = rng.random() < LOWERCASE_NAME_SHARE
            value = value.lower() if lower else value
            template = _pick(NAME[template_split], locale, i)
            out.append(_message("name", f"{locale}-{template_split}-{i}", template, value, "PERSON", template_split,
                                half(locale), locale=locale, case="lower" if lower else "as written"))
    return out


def negative_messages(template_split: str) -> list[dict]:
    return [{"set": "negative", "id": f"neg-{template_split}-{i}", "text": t, "spans": [], "ignore": [],
             "template_split": template_split, "value_split": "-", "tags": {}}
            for i, t in enumerate(NEGATIVE[template_split])]


TEMPLATE_SETS = {"phone": phone_messages, "iban": iban_messages, "card": card_messages,
                 "address": address_messages, "name": name_messages, "negative": negative_messages}


def build(template_split: str) -> dict[str, list[dict]]:
    """Every set for one side: 'report' (dev parts and report templates) or 'train'."""
    sets = {name: make(template_split) for name, make in TEMPLATE_SETS.items()}
    if template_split == "train":  # round 2's wider train-side material (train halves only)
        from research.pii.public_address_formats import FORMAT_SETS
        from research.pii.public_address_wide import WIDE_SETS
        from research.pii.public_prose import PROSE_SETS
        from research.pii.public_train_names import held_out
        from research.pii.public_variety import VARIETY_SETS

        sets.update({name: make() for name, make in VARIETY_SETS.items()})
        sets.update({name: make() for name, make in PROSE_SETS.items()})  # round 3: values amid prose
        sets.update({name: make() for name, make in WIDE_SETS.items()})  # round 3, addresses: more shapes
        sets.update({name: make() for name, make in FORMAT_SETS.items()})  # round 4: countries' own layouts
        # the 15% of WNUT-17 and BTC train the name tagger never saw: names are tuned on these
        sets["ner_train_heldout"] = [m for corpus in ("wnut17_train", "btc_train") for m in ner_messages(corpus)
                                     if held_out(m["id"])]
    for corpus in ("wnut17", "btc"):
        sets[f"{corpus}_{'dev' if template_split == 'report' else 'train'}"] = ner_messages(
            f"{corpus}_{'dev' if template_split == 'report' else 'train'}")
    return sets
