"""Cue words, in several languages, that say what a nearby number or line is.

One family per kind of value. When a value has cues of several families before it, the
nearest one decides ("my phone number is 0412..." is a phone, not an account), and a more
specific phrase wins over a generic word that ends at the same place ("phone number" over
"number"). Matching is on raw characters, case-insensitive, whole words (see
context_cues.cue_regex): Presidio's lemma context would need the tagger we disable.
"""

from __future__ import annotations

import re

from guardrails.pii.recognizers.context_cues import cue_regex

CARD = cue_regex(
    r"cards?", r"card\s*(?:no\.?|num(?:ber)?|#)", "cc", "credit", "debit", "visa", "mastercard", "amex", "pan",
    r"karte(?:nnummer)?", r"kreditkarte", r"carte(?:\s+bancaire)?", r"tarjeta", r"carta", r"cart[ãa]o", r"kaart",
    r"karta", r"kort(?:nummer)?", r"kartica", r"карт[аыуе]", r"卡号", r"カード")
_NO = r"(?:\s*(?:no\.?|num(?:ber)?|nr\.?|#))?"
ACCOUNT = cue_regex(
    r"acc?oun?ts?" + _NO, r"acc?t\.?" + _NO, "a/c", r"acc\.?", "checking", "savings", "iban", r"sort\s*code", "bank",
    r"konto(?:nummer)?", r"compte", r"cuenta", r"conto", r"conta", r"rekening(?:nummer)?", r"счёт|счет|рахунок",
    r"beneficiary", r"payee")
ROUTING = cue_regex(r"routing" + _NO, "aba", "rtn", "ach", "wire", "transit", "bsb", "swift", "bic", "blz", "ifsc")
PHONE = cue_regex(
    r"(?:tele)?phone(?:\s*(?:no\.?|num(?:ber)?|#))?", r"mob(?:ile)?\.?(?:\s*(?:no\.?|num(?:ber)?|#))?",
    r"cell(?:phone)?(?:\s*(?:no\.?|num(?:ber)?|#))?", r"tel\.?(?:\s*(?:no\.?|#))?", "landline", "whatsapp",
    "viber", "signal", "sms", r"texts?(?:ed)?(?:\s+me)?", "call(?:ed)?(?:\s+me)?", "ring", "reach me", "contact number",
    "fax", "hotline", "helpline", r"t[ée]l[ée]phone", "portable", r"t[ée]l[ée]fono", "telefone", "telefon(?:nummer)?",
    "handy(?:nummer)?", r"m[óo]vil", "celular", "cellulare", r"numéro\s+de\s+(?:t[ée]l[ée]phone|portable)",
    r"n[úu]mero\s+de\s+(?:tel[ée]fono|celular|m[óo]vil|telefone)", r"телефон", r"моб\.?", r"电话|電話|手机|携帯|전화|휴대폰")
NUMBER = cue_regex(r"num(?:ber)?s?", r"no\.?", r"nr\.?", "#", r"n[°º]", r"numéro", r"n[úu]mero", "nummer", "numer",
                   r"номер", "reference", "ref", "id")


def nearest_family(text: str, start: int, window: int = 40,
                   families: dict[str, tuple[int, re.Pattern[str]]] | None = None) -> str | None:
    """Which cue family ends nearest before ``start`` (within ``window`` characters), or None."""
    before = text[max(0, start - window):start]
    best: tuple[int, int, str] | None = None
    for name, (rank, pattern) in (families or FAMILIES).items():
        for match in pattern.finditer(before):
            key = (match.end(), rank, name)
            if best is None or key[:2] > best[:2]:
                best = key
    return best[2] if best else None


# rank breaks ties between cues that end at the same character: the specific beats "number".
FAMILIES = {"phone": (4, PHONE), "card": (3, CARD), "routing": (3, ROUTING), "account": (2, ACCOUNT),
            "number": (1, NUMBER)}
