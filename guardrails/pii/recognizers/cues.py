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

CARD = cue_regex(  # (the longer phrase first: the alternation takes the first that matches)
    r"card\s*(?:no\.?|num(?:ber)?|nr\.?|#)", r"cards?", "cc", "credit", "debit", "visa", "mastercard", "amex", "pan",
    # German, Dutch and Nordic compounds: "Kreditkartennummer", "EC-Karte", "bankpas", "betalkort"
    r"(?:kredit|debit|bank|giro|ec-?|spar|visa|master)?kart(?:e|en)(?:nummer|nr\.?|-nr\.?)?",
    r"carte(?:\s+bancaire)?", r"tarjeta", r"carta", r"cart[ãa]o", r"(?:bank)?kaart(?:nummer)?", r"(?:bank)?pas(?:nummer)",
    r"kart[ay]", r"(?:kredit|debet|betal|bank)?kort(?:nummer|nr\.?)?", r"kartica", r"карт[аыуе]", r"卡号", r"カード",
    # Turkish, Romanian, Greek, Indonesian, Hungarian, Finnish, Czech and Slovak forms
    r"kart(?:ı|i|ın|in)?", r"cardul(?:ui)?", r"κάρτα[ςσ]?", r"kartu", r"kártya(?:szám)?", r"kortti|kortin", r"kart[ěu]",
    r"신용카드|카드", r"بطاقة")
_NO = r"(?:\s*(?:no\.?|num(?:ber)?|nr\.?|#))?"
ACCOUNT = cue_regex(
    r"acc?oun?ts?" + _NO, r"acc?t\.?" + _NO, "a/c", r"acc\.?", "checking", "savings", "iban", r"sort\s*code", "bank",
    r"(?:bank|giro|spar|girokonto|tages)?konto(?:nummer|-?nr\.?)?", r"compte", r"cuenta", r"conto", r"conta",
    r"(?:bank)?rekening(?:nummer)?", r"счёт|счет|счета|рахунок", r"hesap|hesab[ıi]", r"účet|účtu", r"kont[ao]",
    r"contul(?:ui)?", r"λογαριασμ(?:ός|ού)", r"tili(?:n|numero)?", r"számla(?:szám)?", r"rekening", r"حساب",
    # who is paid, in several languages: "IBAN du bénéficiaire", "Empfänger", "titular de la cuenta"
    r"beneficiary", r"payee", r"b[ée]n[ée]ficiaire", r"beneficiario", r"benefici[áa]rio", r"empf[äa]nger", r"titular",
    r"titulaire", r"kontoinhaber(?:in)?", r"destinatario", r"odbiorca", r"begunstigde", r"mottagare")
ROUTING = cue_regex(r"routing" + _NO, "aba", "rtn", "ach", "wire", "transit", "bsb", "swift", "bic", "blz", "ifsc")
_PHONE_NO = r"(?:\s*(?:no\.?|nr\.?|num(?:ber)?|#))?"
PHONE = cue_regex(
    r"(?:tele)?phone" + _PHONE_NO, r"mob(?:ile)?\.?" + _PHONE_NO, r"cell(?:phone)?" + _PHONE_NO, r"tel\.?" + _PHONE_NO,
    "landline", "whatsapp",
    "viber", "signal", "sms", r"texts?(?:ed)?(?:\s+me)?", "call(?:ed)?(?:\s+me)?", "ring", "reach me", "contact number",
    "fax", "hotline", "helpline", r"t[ée]l[ée]phone", "portable", r"t[ée]l[ée]fono", "telefone", "telefon(?:nummer)?",
    "handy(?:nummer)?", r"m[óo]vil", "celular", "cellulare", r"numéro\s+de\s+(?:t[ée]l[ée]phone|portable)",
    r"n[úu]mero\s+de\s+(?:tel[ée]fono|celular|m[óo]vil|telefone)", r"телефон[ау]?", r"моб\.?", r"тел\.?",
    r"电话|電話|手机|携帯|전화|휴대폰",
    # short and other-language forms: "ph:", "fone", "tlf", Dutch, Polish, Greek, Turkish, Scandinavian
    r"ph\.?", r"fone", r"tlf\.?", r"telefoon(?:nummer)?", r"mobiel(?:e\s+nummer)?", "gsm", r"telefon[ua]?",
    r"kom[óo]rk[ai]", r"τηλ\.?|τηλέφωνο|κινητό", r"cep(?:\s+telefonu)?", r"mobil(?:nummer|nr\.?)?",
    r"contact(?:\s*(?:no\.?|nr\.?|num(?:ber)?|#))",
    # "my number", "my new number": a customer's own number is a phone number unless a nearer cue says
    # otherwise ("my card number" ends with the card cue, "my account number" with the account one)
    r"my\s+(?:new\s+|old\s+|other\s+|second\s+)?(?:number|no\.?|nr\.?)")
NUMBER = cue_regex(r"num(?:ber)?s?", r"no\.?", r"nr\.?", "#", r"n[°º]", r"numéro", r"n[úu]mero", "nummer", "numer",
                   r"номер", "reference", "ref", "id", r"numaras[ıi]", r"č[íi]slo", r"num[ăa]rul", r"αριθμός", "nomor",
                   r"szám", "numero", "番号", "号码", "번호", "رقم")


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


# "4111 1111 1111 1111 is my card number", "... <- card", "... (acct)", "07400 123456 is my mobile":
# at most a dash or arrow, "is/was", "my/the" and one more word between the value and the cue
CUE_AFTER = re.compile(r"[ \t]*(?:(?:[-–—:=(,<>←]{1,3}|<-|->)[ \t]*)?(?:(?:is|was)\s+)?(?:(?:my|the|our|your)\s+)?"
                       r"(?:\w+\s+)?(?=\S)", re.IGNORECASE)


def family_after(text: str, end: int, names: tuple[str, ...]) -> str | None:
    """Which of the named cue families comes right after ``end`` (see CUE_AFTER), or None."""
    lead = CUE_AFTER.match(text, end)
    if lead is None:
        return None
    word = re.search(r"\w+\s+$", text[end:lead.end()])  # the one free word may itself be the cue
    for name in names:
        cue = FAMILIES[name][1]
        if cue.match(text, lead.end()) or (word and cue.match(text, end + word.start())):
            return name
    return None


# rank breaks ties between cues that end at the same character: the specific beats "number".
FAMILIES = {"phone": (4, PHONE), "card": (3, CARD), "routing": (3, ROUTING), "account": (2, ACCOUNT),
            "number": (1, NUMBER)}
