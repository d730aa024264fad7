"""Where a person-name detection starts and ends: cue words off, titles on.

The name tagger learnt from English tweets. A capitalised word it does not know at the
start of a message looks like a name to it, and in support chat that word is often the
cue before a value, in some language: "Kartennummer 4111...", "Dirección: Calle...",
"mijn telefoonnummer is ...", "me llamo ...". Such words are cut off the ends of a PERSON
span (and a span made only of them is dropped); words inside a name are never cut ("Els
De Smedt"). The cue words are the value cues of cues.py and address_words.py, plus the
possessives, copulas and name-introducing verbs below, and ISO currency codes in capitals
("200 EUR").

A title right before a name belongs to the span ("Mrs. Garba", "Dott. Anguissola"): left
visible it says little, but the whole "Dr. X" is what a reader takes for the person.
"""

from __future__ import annotations

import re

from guardrails.pii.recognizers.address_words import STRONG_ADDRESS_CUES
from guardrails.pii.recognizers.cues import ACCOUNT, CARD, NUMBER, PHONE, ROUTING

# possessives, copulas, articles that are not name particles, name-introducing verbs
NEVER_NAME_WORDS = frozenset("""
my mine mi mis mio mia mon ma mes meu minha mein meine meinen meiner mijn min mitt mina moj moja moje mój
můj môj mani mano mana мой моя моё мои мій моя мој моја is es est ist è é sind son são are am was
een ein eine un una une uno um uma het
llamo chiamo appelle m'appelle heiße heisse heiß nome nombre nom name naam imię nazywam zovem zovu jmenuji
зовут имя ime
hola bonjour hallo ciao olá hej hoi hello hi hey dear
thanks thx cheers gracias merci danke grazie obrigado obrigada bedankt dziękuję спасибо haha lol
new nuevo nueva nouveau nouvelle nuovo nuova novo neue neuer neues nieuw nieuwe nowy nowa nowe новый новая
moro habite j'habite vivo abito wohne woon mieszkam живу au aux à em at
mea meu saya yangu ni este asante mulțumesc terima kasih هو هي 是
mother father husband wife son daughter brother sister mum mom dad partner friend boyfriend girlfriend uncle aunt
grandmother grandfather grandma grandpa granny cousin nephew niece colleague boss landlord tenant fiancé fiancée
""".split())
# cue words that are also names or parts of names ("Peter Pan", "Morada", "Bank") stay
CUE_WORDS_THAT_ARE_NAMES = frozenset({"pan", "bank", "morada", "kort", "cep", "ring", "ach", "carta", "swift",
                                      "signal", "credit", "transit", "wire"})
# name particles: inside a name they stay ("Manu de Pelayo"), but left alone they are no name ("la tarjeta" less
# the cue word is "la")
PARTICLES = frozenset("de da do das dos del della di du des la le les los las van von der den ter zu y e".split())
CURRENCY_CODES = frozenset("""
EUR USD GBP CHF JPY CNY INR AUD CAD NZD PLN SEK NOK DKK CZK HUF RON BGN TRY RUB UAH BRL MXN ARS CLP COP PEN
ZAR NGN KES GHS EGP MAD AED SAR QAR KWD ILS SGD HKD TWD KRW THB VND IDR MYR PHP PKR BDT LKR NPR GEL AMD AZN
KZT ISK USDT USDC BTC ETH SOL TON
""".split())
_CUES = (CARD, ACCOUNT, ROUTING, PHONE, NUMBER, STRONG_ADDRESS_CUES)
_LABEL_CUES = (CARD, ACCOUNT, ROUTING, NUMBER, STRONG_ADDRESS_CUES)  # nouns that head a label ("call" is a verb)
CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7a3]")
_WORD = re.compile(r"[^\s,;:!?()\"]+")

TITLES = (
    r"mr|mrs|ms|miss|mx|dr|prof|sir|dame|madam|herr|frau|hr|fr|mme|mlle|monsieur|madame|sr|sra|srta|"
    r"señor|señora|don|doña|dona|sig|sig\.ra|signor|signora|dott|dott\.ssa|ing|avv|pan|pani|pán|paní|dhr|mevr|"
    r"doktor|mag|dipl\.-ing|univ\.prof|г-н|г-жа|г-ца|господин|госпожа|пан|пані|κος|κα|"
    r"bapak|ibu|tn|ny|sdr|sdri|श्री|श्रीमती|सुश्री|डॉ|ডঃ|জনাব|বেগম"
)
TITLE_BEFORE = re.compile(r"(?<![\w.'’])(?:" + TITLES + r"|M)\.?\s{1,2}$", re.IGNORECASE)


def never_a_name(word: str) -> bool:
    bare = word.strip(".'’-")
    if not bare:
        return True
    if bare in CURRENCY_CODES:
        return True
    folded = bare.casefold()
    if folded in NEVER_NAME_WORDS:
        return True
    if folded in CUE_WORDS_THAT_ARE_NAMES and bare[0].isupper():
        return False  # "Peter Pan", "Taylor Swift"; but "beneficiary bank" is no name
    if "-" in bare and all(part and never_a_name(part) for part in bare.split("-")):
        return True  # "Empfänger-IBAN", "Konto-Nr"
    if CJK.search(bare):  # no spaces between words: "カード番号" holds the cue "カード"
        return any(cue.search(bare) for cue in _CUES)
    return any(cue.fullmatch(bare) for cue in _CUES)


def _label_words(text: str, words: list[tuple[int, int]]) -> bool:
    """Words between a cue word and the colon of its label qualify the label ("Adres zamieszkania:",
    "dirección de envío:", "IBAN du bénéficiaire :"): no name. At most two words, on one line."""
    if len(words) > 3:
        return False
    after = re.match(r"[ \t]+([^\s,;:!?()\"]+)[ \t]*:", text[words[-1][1]:])
    if after and _is_cue(after.group(1)):  # "Nova morada:", "Neue Adresse:": an adjective of the label
        return True
    if not re.match(r"[ \t]*:", text[words[-1][1]:]):
        return False
    line = text[max(0, words[0][0] - 30):words[0][0]].split("\n")[-1]
    if re.search(r"[,;!?]", line):  # "my card, Anna: ..." is a name after a comma
        return False
    before = [w for w in re.findall(r"[^\s:()\"]+", line) if re.search(r"[^\W\d_]", w)][-3:]  # "Neue Adresse ab 1. Mai:"
    return any(_is_cue(word, _LABEL_CUES) for word in before)


def _is_cue(word: str, cues: tuple = _CUES) -> bool:
    return any(cue.fullmatch(word.strip(".'’-")) for cue in cues)


def tidy_person_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span without cue words at its ends, widened over a title just before; None if nothing is left."""
    words = [(m.start() + start, m.end() + start) for m in _WORD.finditer(text[start:end])]
    while words and never_a_name(text[words[0][0]:words[0][1]]):
        words.pop(0)
    while words and never_a_name(text[words[-1][0]:words[-1][1]]):
        words.pop()
    if not words or all(text[a:b].casefold() in PARTICLES for a, b in words) or _label_words(text, words):
        return None
    start, end = words[0][0], words[-1][1]
    title = TITLE_BEFORE.search(text, max(0, start - 14), start)
    if title and (title.group(0)[0].isupper() or title.group(0).strip(". ").lower() != "m"):
        start = title.start()
    return start, end
