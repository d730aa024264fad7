"""Round 3 (addresses) train-side set: more Faker addresses of the train-half locales, in more shapes.

The round-2 families (public_variety, public_prose) were used up: their tune folds scored 1.000 and
0.997, so they no longer showed what is missed. This set draws new addresses (another Faker seed)
of the same train-half locales and writes shapes those families did not: a flat or suite line after
the street ("233 Main Street 19, Suite 282, Town"), the town line in capitals ("1234 TOWN"), the
postcode-and-town line first, the last line alone after the street with no comma, a PO box, and US
military addresses (PSC/Unit/CMR and Box, APO/FPO/DPO; ships). Templates come from both earlier
families, and from new wording written for this set (``TEMPLATES``); every message keeps its template's
fold: ``tune`` (rules may be fixed on its misses) or ``check`` (only measured).
``python -m research.pii.public_eval --side train --sets address_wide``.
"""

from __future__ import annotations

import random

from research.pii import public_prose_templates as P
from research.pii import public_variety_templates as V
from research.pii.public_prose import _parts_fold
from research.pii.public_sets import _faker, _message, _pick
from research.pii.public_variety import _address_shapes, fold, train_locales

PER_LOCALE = 16
NEW_WORDING_PER_LOCALE = 10
SEED = 41

# Wording written for this set, apart from the earlier families: other cues, labels, endings and layouts
# ("{v}" is the address). Folded by template like public_variety's.
TEMPLATES = [
    "Ship to: {v}",
    "Deliver to\n{v}\nThanks!",
    "c/o my sister, {v}",
    "my old address was wrong, the right one is {v}",
    "Addr = {v}",
    "- Street: {v}\n- Phone: same as before",
    "Billing: {v}\nShipping: same",
    "the card should arrive at {v} next week",
    "I'm based at {v} now",
    "we've relocated to {v}, please update",
    "living at {v} now, is that a problem?",
    "my new place is {v} :)",
    "Our new office: {v}",
    "Lieferanschrift: {v}, danke",
    "Meine Adresse lautet {v}. Viele Grüße",
    "Mi nueva dirección es {v}, gracias",
    "Envíen la tarjeta a {v} por favor",
    "Mon adresse : {v}\nCordialement",
    "Envoyez la carte au {v} svp",
    "O meu endereço é {v}, obrigado",
    "Il mio indirizzo è {v}, grazie mille",
    "Mijn adres is {v}, bedankt",
    "Mój adres to {v}, dziękuję",
    "Adresim: {v} teşekkürler",
    "Min adress är {v}, tack",
    "Mit adresse er {v}",
    "Osoitteeni on {v}, kiitos",
    "Мой адрес {v}, спасибо",
    "Hello,\n\nMy address has changed to:\n{v}\n\nBest wishes",
    "Dear support,\nplease use {v} for all letters.\nThank you",
    "Can you send the replacement card to {v}? The old one expired",
    "the courier says {v} does not exist but it does",
    "I want to change my address. New one is {v}",
    "address change -> {v}",
    "NEW ADDRESS: {v}",
    "address on file should be {v} not the old one",
    "Please post the documents to\n\n{v}\n\nregards",
    "Hi! I moved. {v} is the new address. Thanks!",
    "{v}\n^ new address",
    "{v} <- please use this address",
    "I'll be at {v} from Monday",
    "Delivery address (for the card): {v}",
    "mailing addr {v} thx",
    "send everything to {v} from now on please",
    "address:{v}",
    "Address\t{v}",
    "my address: {v} (ground floor)",
    "my address: {v} - the bell does not work",
    "they delivered to {v} but I wasn't home",
    "address for the KYC check: {v}",
    "proof of address shows {v}",
    "Residence: {v}",
    "home: {v} // work: remote",
    "current adress {v}, previous one closed",
    "My address is {v} and my phone is the same",
    "please double check {v} is on my account",
]


def _more_shapes(fake, rng: random.Random, locale: str) -> dict[str, str]:
    shapes = _address_shapes(fake, rng)
    lines = [line.strip() for line in fake.address().splitlines() if line.strip()]
    street = fake.street_address().strip()
    place = f"{fake.postcode()} {fake.city()}"
    shapes["town_upper"] = ("\n".join(lines[:-1] + [lines[-1].upper()]) if len(lines) > 1
                            else f"{street}\n{place.upper()}")
    shapes["postcode_first"] = f"{place}, {street}"
    shapes["street_place_no_comma"] = f"{street} {place}"
    shapes["po_box"] = f"{rng.choice(['PO Box', 'P.O. Box', 'Box'])} {rng.randint(1, 99999)}, {place}"
    try:
        unit = fake.secondary_address().strip()
        shapes["unit_after"] = f"{street}, {unit}, {fake.city()}"
        shapes["unit_after_lines"] = f"{street}\n{unit}\n{place}"
    except AttributeError:  # (most locales have no flats or suites in Faker: a hand-made unit line then)
        unit = f"{rng.choice(['Apt.', 'Suite', 'Flat', 'Unit'])} {rng.randint(1, 999)}"
        shapes["unit_after"] = f"{street}, {unit}, {fake.city()}"
    if locale == "en_US":
        state, code = fake.military_state(), fake.postalcode()
        base = rng.choice([fake.military_apo(), fake.military_dpo(), f"{fake.military_ship()} {fake.last_name()}"])
        post = rng.choice(["APO", "FPO", "DPO"])
        shapes["military"] = rng.choice([f"{base}, {post} {state} {code}", f"{base}\n{post} {state} {code}"])
    return shapes


def address_wide() -> list[dict]:
    out = []
    for locale in train_locales("address"):
        fake, rng = _faker(locale, SEED), random.Random(f"address-wide-{locale}")
        for i in range(PER_LOCALE):
            shapes = _more_shapes(fake, rng, locale)
            shape = "military" if "military" in shapes and i % 4 == 0 else _pick(sorted(shapes), locale, i, "wide")
            if i % 2:
                lead, tail = _pick(P.ADDRESS_LEADS, locale, i, "wide-lead"), _pick(P.TAILS, locale, i, "wide-tail")
                template, folded = lead + "{v}" + tail, _parts_fold(lead, tail)
            else:
                template = _pick(V.ADDRESS, locale, i, "wide")
                folded = fold(template)
            out.append(_message("address_wide", f"{locale}-wide-{i}", template, shapes[shape], "ADDRESS", "train",
                                "train", fold=folded, shape=shape, locale=locale))
        for i in range(NEW_WORDING_PER_LOCALE):
            shapes = _more_shapes(fake, rng, locale)
            shape = _pick(sorted(shapes), locale, i, "wording")
            template = _pick(TEMPLATES, locale, i, "wording")
            out.append(_message("address_wide", f"{locale}-wording-{i}", template, shapes[shape], "ADDRESS", "train",
                                "train", fold=fold(template), shape=shape, locale=locale))
    return out


WIDE_SETS = {"address_wide": address_wide}
