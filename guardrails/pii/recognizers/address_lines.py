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
  suite line, or an East-Asian address written with its unit characters (丁目, 号, 로/길)
  (address_shapes.py);
* **by a looser shape near a cue**, before or after it: a postcode and a town, a town and a
  postcode, a name and a house number ("is 17314 Alicante still on file as my address?",
  "Višnjičke 12 - that's the new address").

Widening: from a hit, neighbouring segments that look like address parts (a postcode, a
town of one to four capitalised words, a flat line, a line with a house number) are taken
in, forwards and backwards, until a segment reads as prose ("thanks", "I'm home after 5").
"""

from __future__ import annotations

import re

from presidio_analyzer import EntityRecognizer, RecognizerResult

from guardrails.pii.recognizers.address_shapes import (
    CONTEXT_SHAPES,
    LOOKS_POSTCODE,
    NUMBER_BEFORE,
    POSTCODE_LINE,
    SHAPES,
    STREET_THEN_POSTCODE,
    UNIT_BEFORE,
)
from guardrails.pii.recognizers.address_words import PROSE_WORDS, QUANTITY, STRONG_ADDRESS_CUES, WEAK_ADDRESS_CUES
from guardrails.pii.recognizers.name_edges import never_a_name

SEGMENT_BREAK = re.compile(r"\n|,\s*|;\s*|\s+-\s+")
SENTENCE_END = re.compile(r"[?!]|\.(?=\s|$)")
NAME_PARTICLES = frozenset(
    "de da do das dos del della di du des la le les los las y e et sur sous en van von der den ter zu am an im bei "
    "pri nad pod na upon on of the al el bin ibn st".split())
STATE_AND_ZIP = re.compile(r"^[A-Z]{2,3},?\s+\d{4,5}(?:-\d{4})?$")
CONTEXT_CHARS = 160  # how near an address cue the loose shapes must be
CUE_REACH = 40  # how far after an address cue its colon may come ("address changed last week, new one: ...")
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
    if STATE_AND_ZIP.match(segment):  # "OK 78197": Oklahoma, not "ok"
        return True
    if not segment or is_prose(segment) or len(segment) > 80 or QUANTITY.search(segment):
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
    window = QUANTITY.sub(" ", window[:stop.start() if stop else len(window)])  # "5 to 7 days" is no postcode
    return any(c.isdigit() for c in window)


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
    # forwards, whole segments while they look like address parts; in an address typed in lower
    # case, up to two plain-word parts (a district, a town) when a postcode follows them
    bridged = 0
    lower_case = not _title_case_address(text[start:end])
    for k, (a, b) in enumerate(segments):
        cut = _cut_prose(text, a, b)
        if cut <= a:
            break
        part = text[a:cut]
        if not looks_like_address_part(part, loose=False):
            if not (lower_case and bridged < 2 and _plain_words(part) and _postcode_follows(text, segments[k + 1:k + 3])):
                break
            bridged += 1
        end = cut
        if cut < b:
            break
    # backwards, over segments that look like address parts (a flat line, "Apt. 736", a house number)
    start = _widen_back(text, start)
    while end > start and text[end - 1] in " \t,.;:-\n(":
        end -= 1
    return (start, end) if end > start else None


def _plain_words(segment: str) -> bool:
    """One to six words of letters that are not prose: a street or town name in any case."""
    words = _words(segment)
    return (0 < len(words) <= 6 and not is_prose(segment) and not any(c.isdigit() for c in segment)
            and not CODE_LIKE.match(segment.strip()))


def _postcode_follows(text: str, following: list[tuple[int, int]]) -> bool:
    return any(POSTCODE_LINE.match(text[a:b].strip()) or LOOKS_POSTCODE.search(text[a:b]) for a, b in following)


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
        cues = [m.span() for m in STRONG_ADDRESS_CUES.finditer(text)]
        if cues:
            for _, pattern in CONTEXT_SHAPES:
                for start, end in _context_matches(text, pattern, cues):
                    span = widen(text, start, end)
                    if span:
                        spans.append((*span, 0.6))
        for match in STREET_THEN_POSTCODE.finditer(text):
            if not is_prose(match.group(1)) and not _has_cue(match.group(1)):
                # the town part of the regex runs to the end of the line: "12128 Pakrac thx"
                span = widen(text, _street_start(text, match.start(1), match.end(1)),
                             _cut_prose(text, match.end(1), match.end()))
                if span:
                    spans.append((*span, 0.6))
        return [RecognizerResult("ADDRESS", a, b, s, recognition_metadata={
            RecognizerResult.RECOGNIZER_NAME_KEY: self.name, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id})
            for a, b, s in spans]

    def _after_cue(self, text: str, position: int, strong: bool) -> tuple[int, int] | None:
        span = self._read_after(text, position, strong)
        if span is None and strong:
            # "I changed address last week, new one: 12 Baker St": the address after a later colon or line break
            later = re.compile(r":[ \t]*|\n").search(text, position + 1, min(len(text), position + CUE_REACH))
            if later and not SENTENCE_END.search(text, position, later.start()):
                span = self._read_after(text, later.end(), strong)
        return span

    def _read_after(self, text: str, position: int, strong: bool) -> tuple[int, int] | None:
        # "... is now", "address line 1:", and the copulas of other languages ("mi dirección es", "lautet")
        lead = re.match(r"(?:\s*(?:(?:is|was|should be|will be|now|at|to|in|line(?:\s*\d)?|es|est|ist|è|é|lautet|"
                        r"está|são|sind|jest|je)\b|[:=\-–]))*\s*", text[position:])
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
                                                           and first_part_ok(probe, strong)) \
                and not (strong and _plain_words(text[a:b]) and len(segments) > 1
                         and re.match(r"\d", text[segments[1][0]:segments[1][1]])):
            return None  # ("address: largo de oliveira, 12, ...": lower case, the house number in the next part)
        return widen(text, a, b, strong_start=strong)


def _street_start(text: str, start: int, end: int) -> int:
    """A street line in capitals after lower-case words starts at its first capital ("bill me at
    Drevená 525"); one in lower case, or starting with a capital ("Na paši 163"), is whole."""
    words = list(re.finditer(r"[^\W\d_][\w'’.-]*", text[start:end]))
    if not words or words[0].group(0)[0].isupper():
        return start
    capital = next((w for w in words if w.group(0)[0].isupper()), None)
    return start + capital.start() if capital else start


def _context_matches(text: str, pattern, cues: list[tuple[int, int]]):
    """Matches of a loose shape with an address cue at most CONTEXT_CHARS before or after, that
    do not start with prose or a cue word ("I paid 25", "Card 2", "address 12")."""
    position = 0
    while (match := pattern.search(text, position)) is not None:
        start = match.start()
        # not over a sentence's end nor into the prose after ("6337 Allschwil. I'm home")
        end = _cut_prose(text, start, min(match.end(), _clause_end(text, start)))
        end = start + len(text[start:end].rstrip(" .,;:-"))
        first = _words(text[start:end])[:1]
        near = any(a - CONTEXT_CHARS <= end and start <= b + CONTEXT_CHARS and not (a < end and start < b)
                   for a, b in cues)
        if near and first and not is_prose(text[start:end]) and not never_a_name(first[0]):
            yield start, end
            position = end
        else:
            following = re.search(r"\s\S", text[start:match.end()])  # try again from the next word
            position = start + following.end() - 1 if following else match.end()


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
