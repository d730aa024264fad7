"""Street addresses of many countries (type ADDRESS), whole: street, house, flat, postcode, town.

An address is found in two ways, and then widened to all its lines:

* **by a cue** ("my address is", "Adresse :", "dirección", "адрес", "住所", "I live at",
  "post it to"...): what follows is read segment by segment (a segment ends at a line
  break, a comma or a semicolon) for as long as the segments look like parts of an address.
  This is what finds addresses in scripts and layouts no pattern here knows. After the
  strong cues (the word "address" in some language) a short line of capitalised words is
  enough; after the weak ones ("live at", "send it to") the first segment needs a digit, a
  street word or a non-Latin script;
* **by shape**, with no cue: a house number next to a street word of one of many
  languages (address_words.py), a street word and then a number ("ul. Paderewskiego 77",
  "Calle Mayor 10"), a street-name compound and a number ("Skolvägen 76"), a postcode next
  to a town, a PO box, a US military address (PSC/Unit/CMR, Box, APO/FPO/DPO), a flat or
  suite line, or an East-Asian address written with its unit characters (丁目, 号, 로/길).

Widening: from a hit, neighbouring segments that look like address parts (a postcode, a
town of one to four capitalised words, a flat line, a line with a house number) are taken
in, forwards and backwards, until a segment reads as prose ("thanks", "I'm home after 5").
"""

from __future__ import annotations

import re

from presidio_analyzer import EntityRecognizer, RecognizerResult

from guardrails.pii.recognizers.address_words import (
    PROSE_WORDS,
    STREET_PREFIXES,
    STREET_SUFFIXES,
    STREET_WORDS_AFTER_NUMBER,
    STRONG_ADDRESS_CUES,
    UNIT_WORDS,
    WEAK_ADDRESS_CUES,
)

_WORD = r"[^\W\d_][\w'’.-]*"
_NUM = r"(?<![.,])\d{1,5}[a-zA-Z]?(?:\s?[-/]\s?\d{1,5}[a-zA-Z]?)?"
SEGMENT_BREAK = re.compile(r"\n|,\s*|;\s*|\s+-\s+")
SENTENCE_END = re.compile(r"[?!]|\.(?=\s|$)")

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
    ("compound_number", re.compile(
        r"(?<![\w-])[^\W\d_][\w-]*(?:" + STREET_SUFFIXES + r")\.?\s+" + _NUM + r"(?![\w])", re.I)),
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
        r"[\u3040-\u30ff\u4e00-\u9fff]{2,}(?:\d{1,5}|[一二三四五六七八九十]+)(?:丁目|番地?|号|號|弄|巷|樓|楼|座|室)"
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
)
# "Grammova 8\n777 63 Městec Králové", "Mirje 777, 3170 Šempeter": a street line whose name has
# no street word, known by the postcode-and-town line right after it.
STREET_THEN_POSTCODE = re.compile(
    r"(?:^|(?<=[\n:]))\s*([^\W\d_][\w'’.-]*(?:\s[^\W\d_][\w'’.-]*){0,3}\s\d{1,5}[a-zA-Z]?(?:[/-]\d{1,5})?\.?)"
    r"(?:\s*\n\s*|,\s*)(?:[A-Z]{1,2}-)?\d{3,6}(?:[ -]\d{2,4})?\s+[^\W\d_][^\n,\d.!?]{0,40}", re.M)
NUMBER_BEFORE = re.compile(r"(?<![\w.,:-])\d{1,6}(?:/\d{1,5})?\s$")
UNIT_BEFORE = re.compile(r"(?<![\w-])(?:" + UNIT_WORDS + r")\s*#?\s*\d{1,5}[a-zA-Z]?,?\s*$", re.I)
LOOKS_POSTCODE = re.compile(r"\d{4,6}|\b\d{3}\s\d{2}\b|\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b|\b[A-Z]\d[A-Z]\s?\d[A-Z]\d\b")
NAME_PARTICLES = frozenset(
    "de da do das dos del della di du des la le les los las y e et sur sous en van von der den ter zu am an im bei "
    "pri nad pod na upon on of the al el bin ibn st".split())
MAX_ADDRESS_CHARS = 250  # no address runs longer; also bounds the work per cue on long pastes
# "the address 0x2BEf15d3..." / "BTC address bc1q...": a wallet, not a street (crypto_addresses.py)
CODE_LIKE = re.compile(r"^(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9_:-]{16,}\b")
NON_LATIN = re.compile(r"[^\W\d_a-zA-Z\u00c0-\u024f]")


def _words(segment: str) -> list[str]:
    return re.findall(r"[^\W_][\w'’.-]*", segment)


def is_prose(segment: str) -> bool:
    words = _words(segment.lower())
    return bool(words) and words[0].strip(".'’") in PROSE_WORDS


def looks_like_address_part(segment: str, loose: bool) -> bool:
    """A segment that could continue an address: a postcode, a town, a house number, a flat."""
    segment = segment.strip()
    if not segment or is_prose(segment) or len(segment) > 80:
        return False
    words = _words(segment)
    if not words or len(words) > 9:
        return False
    if any(c.isdigit() for c in segment) or POSTCODE_LINE.match(segment):
        return len(words) <= 8
    if NON_LATIN.search(segment):
        return len(segment) <= 50
    capitalised = sum(w[0].isupper() for w in words) >= max(1, len(words) - 2) and words[0][0].isupper()
    return capitalised and len(words) <= (5 if loose else 4)


def first_part_ok(segment: str, strong: bool) -> bool:
    segment = segment.strip()
    if not segment or len(segment) > 120 or CODE_LIKE.match(segment):
        return False
    if strong:
        return looks_like_address_part(segment, loose=True) or any(p.search(segment) for _, p in SHAPES)
    if not looks_like_address_part(segment, loose=True):
        return False
    return (any(c.isdigit() for c in segment) or bool(NON_LATIN.search(segment))
            or any(p.search(segment) for _, p in SHAPES))


def _segments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of the segments of text[start:end], without the separators."""
    out, cursor = [], start
    for match in SEGMENT_BREAK.finditer(text, start, end):
        out.append((cursor, match.start()))
        cursor = match.end()
    out.append((cursor, end))
    return [(a, b) for a, b in out if b > a]


def _clause_end(text: str, start: int) -> int:
    """Where the address's stretch of text ends: "?" or "!", a blank line, or a full stop
    before prose or the end ("... 5158 Pachoud. I'm home after 5"); the dots of "ul.",
    "д.", "Apt." or "121." inside an address do not end it."""
    end = min(len(text), start + MAX_ADDRESS_CHARS)
    for match in SENTENCE_END.finditer(text, start, end):
        if match.group(0) != ".":
            end = match.start()
            break
        following = text[match.end():match.end() + 40].lstrip()
        if not following or is_prose(following):
            end = match.start()
            break
    blank = text.find("\n\n", start, end)
    return blank if blank >= 0 else end


def _cut_prose(text: str, start: int, end: int) -> int:
    """Cut a segment where prose starts inside it ("S6 7LJ but that's my old flat")."""
    title_case = _title_case_address(text[max(0, start - 60):start])
    for match in re.finditer(r"\s+([^\W\d_]+)", text[start:end]):
        # (a prose word right at ``start`` counts only when a space separates it from the hit before)
        if not (match.start() > 0 or text[start:start + 1].isspace()):
            continue
        word = match.group(1)
        if word.lower() in PROSE_WORDS:
            return start + match.start()
        # An address written with capitals ends at the first lower-case word that is not a
        # particle of a place name, unless a number is still to come ("12 Baker Street, London
        # last month"); an address typed all in lower case has no such edge.
        if (title_case and word.islower() and word not in NAME_PARTICLES and NON_LATIN.search(word) is None
                and not _digits_ahead(text, start + match.start())):
            return start + match.start()
    return end


def _digits_ahead(text: str, position: int) -> bool:
    """A postcode or number still to come in this sentence ("San Elsa los altos, AGS 43915")."""
    window = text[position:position + 60]
    stop = re.search(r"[.?!](?:\s|$)", window)
    return any(c.isdigit() for c in window[:stop.start() if stop else len(window)])


def _title_case_address(before: str) -> bool:
    """Whether the address text just before is written with capitals (its last words)."""
    words = [w for w in _words(before) if not w[0].isdigit()][-3:]
    return bool(words) and sum(w[0].isupper() for w in words) >= max(1, len(words) - 1)


def widen(text: str, start: int, end: int, strong_start: bool = False) -> tuple[int, int] | None:
    """Extend [start, end) over the neighbouring address-like segments; None if nothing is left."""
    clause_end = max(end, _clause_end(text, end))
    # the rest of the hit's own segment, up to where prose starts in it
    segments = _segments(text, end, clause_end)
    if segments and segments[0][0] == end:
        a, b = segments.pop(0)
        cut = _cut_prose(text, a, b)
        if text[a:cut].strip() and (strong_start or looks_like_address_part(text[start:cut], loose=True)
                                    or len(_words(text[a:cut])) <= 3):
            end = cut
        if cut < b:
            segments = []
    # forwards, whole segments while they look like address parts
    for a, b in segments:
        cut = _cut_prose(text, a, b)
        if cut <= a or not looks_like_address_part(text[a:cut], loose=False):
            break
        end = cut
        if cut < b:
            break
    # backwards, over segments that look like address parts (a flat line, "Apt. 736", a house number)
    start = _widen_back(text, start)
    while end > start and text[end - 1] in " \t,.;:-\n(":
        end -= 1
    return (start, end) if end > start else None


def _widen_back(text: str, start: int) -> int:
    unit = UNIT_BEFORE.search(text, max(0, start - 40), start)
    if unit:
        start = unit.start()
    number = NUMBER_BEFORE.search(text, max(0, start - 12), start)  # "177/76 ถนน...", "974 中壢..."
    if number:
        start = number.start()
    for _ in range(3):
        head = text[max(0, start - 80):start]
        match = re.search(r"(?:^|\n|,\s*|:\s*)([^\n,:]{1,60}?)(?:\s*\n\s*|\s*,\s*)$", head)
        if not match:
            break
        piece = match.group(1)
        if not (re.search(r"\d", piece) or UNIT_BEFORE.search(piece)) or is_prose(piece) or len(_words(piece)) > 6 \
                or _has_cue(piece):
            break
        start = start - len(head) + match.start(1)
    return start


def _has_cue(piece: str) -> bool:
    return bool(STRONG_ADDRESS_CUES.search(piece) or WEAK_ADDRESS_CUES.search(piece))


class AddressRecognizer(EntityRecognizer):
    def __init__(self) -> None:
        super().__init__(supported_entities=["ADDRESS"], name="AddressRecognizer", supported_language="en")

    def load(self) -> None:
        pass

    def analyze(self, text, entities, nlp_artifacts=None):
        spans: list[tuple[int, int, float]] = []
        for cue, strong in ((STRONG_ADDRESS_CUES, True), (WEAK_ADDRESS_CUES, False)):
            for match in cue.finditer(text):
                span = self._after_cue(text, match.end(), strong)
                if span:
                    spans.append((*span, 0.85 if strong else 0.75))
        for name, pattern in SHAPES:
            for match in pattern.finditer(text):
                if name == "unit_line" and not _near_other_address_part(text, match.start(), match.end()):
                    continue
                span = widen(text, match.start(), match.end())
                if span:
                    spans.append((*span, 0.7))
        for match in STREET_THEN_POSTCODE.finditer(text):
            if not is_prose(match.group(1)) and not _has_cue(match.group(1)):
                span = widen(text, match.start(1), match.end())
                if span:
                    spans.append((*span, 0.6))
        return [RecognizerResult("ADDRESS", a, b, s, recognition_metadata={
            RecognizerResult.RECOGNIZER_NAME_KEY: self.name, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id})
            for a, b, s in spans]

    def _after_cue(self, text: str, position: int, strong: bool) -> tuple[int, int] | None:
        lead = re.match(r"(?:\s*(?:(?:is|was|should be|will be|now|at|to|in)\b|[:=\-–]))*\s*", text[position:])
        start = position + (lead.end() if lead else 0)
        clause_end = _clause_end(text, start)
        segments = _segments(text, start, clause_end)
        if not segments:
            return None
        a, b = segments[0]
        b = _cut_prose(text, a, b)
        # "Jardim Campos, 87": the house number may sit in the next segment
        last = segments[min(2, len(segments) - 1)][1]
        probe = text[a:_cut_prose(text, a, last)] if len(segments) > 1 and b == segments[0][1] else text[a:b]
        if not first_part_ok(text[a:b], strong) and not (looks_like_address_part(text[a:b], loose=True)
                                                           and first_part_ok(probe, strong)):
            return None
        return widen(text, a, b, strong_start=strong)


def _near_other_address_part(text: str, start: int, end: int) -> bool:
    """A flat or suite line counts only next to another address part (not "unit 3 of the course")."""
    after = text[end:end + 80]
    return bool(re.match(r"\s*(?:,|\n)\s*\S", after)) and bool(re.search(r"\d", after))


def _postcode_line_is_address(text: str, start: int, end: int) -> bool:
    """A postcode-and-town line on its own: only as its own line or after a comma, with a town word."""
    piece = text[start:end].strip()
    before = text[:start].rstrip(" ")
    own_line = not before or before.endswith(("\n", ","))
    has_word = bool(re.search(r"[^\W\d_]{2,}", piece))
    return own_line and has_word and bool(LOOKS_POSTCODE.search(piece)) and not is_prose(piece)
