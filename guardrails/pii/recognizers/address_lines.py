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

from guardrails.pii.recognizers.address_parts import (
    FIELD_LABEL,
    MAX_ADDRESS_CHARS,
    NON_LATIN,
    SENTENCE_END,
    STREET_WORD,
    WORD,
    cut_prose,
    find_clause_end,
    first_part_ok,
    has_cue,
    inline_street_start,
    is_prose,
    last_sentence_end,
    looks_like_address_part,
    more_than_a_place,
    plain_words,
    segment_spans,
    split_words,
    title_case_address,
    trim_tail,
    value_cue,
)
from guardrails.pii.recognizers.address_shapes import (
    CONTEXT_SHAPES,
    DATE_LIKE,
    LOOKS_POSTCODE,
    NUMBER_BEFORE,
    POSTCODE_BEFORE,
    POSTCODE_LINE,
    SHAPES,
    STREET_THEN_POSTCODE,
    STREET_THEN_POSTCODE_INLINE,
    UNIT_BEFORE,
    UNIT_WORD_BEFORE,
)
from guardrails.pii.recognizers.address_words import (
    AFTER_ADDRESS_CUES,
    LABEL_AFTER_CUE,
    LEAD_AFTER_CUE,
    QUANTITY,
    STRONG_ADDRESS_CUES,
    WEAK_ADDRESS_CUES,
)
from guardrails.pii.recognizers.name_edges import never_a_name

GREETING_BEFORE = re.compile(r"(?:^|\s)(hi|hello|hey|dear|thanks|cheers|regards)[ \t]*,?[ \t]*$", re.IGNORECASE)
CONTEXT_CHARS = 160  # how near an address cue the loose shapes must be
CUE_REACH = 40  # how far after an address cue its colon may come ("address changed last week, new one: ...")
PROVINCE_AFTER = re.compile(r"[ \t]*\([A-Za-z]{2}\)")  # "Cavenago d'Adda (LO)", "Milano (MI)"


def widen(text: str, start: int, end: int, strong_start: bool = False) -> tuple[int, int] | None:
    """Extend [start, end) over the neighbouring address-like segments; None if nothing is left."""
    while end > start and text[end - 1].isspace():  # (a hit's trailing space would hide the prose after it)
        end -= 1
    clause_end = max(end, find_clause_end(text, end))
    # the rest of the hit's own segment, up to where prose starts in it
    segments = segment_spans(text, end, clause_end)
    if segments and segments[0][0] == end:
        a, b = segments.pop(0)
        cut = cut_prose(text, a, b)
        if text[a:cut].strip() and (strong_start or looks_like_address_part(text[start:cut], loose=True)
                                    or len(split_words(text[a:cut])) <= 3):
            end = cut
        if cut < b:
            segments = []
    # forwards, whole segments while they look like address parts; in an address typed in lower
    # case, up to two plain-word parts (a district, a town) when a postcode follows them
    bridged = 0
    lower_case = not title_case_address(text[start:end])
    for k, (a, b) in enumerate(segments):
        cut = cut_prose(text, a, b)
        if cut <= a or FIELD_LABEL.match(text, a, b):
            break
        part = text[a:cut]
        town_after_postcode = False
        if not looks_like_address_part(part, loose=False):
            # in lower case: a district or town before a number, or the town after the postcode
            # ("..., 26824, cavenago d'adda (lo)"), which ends the address
            town_after_postcode = bool(re.search(r"(?<!\d)\d{4,6}(?!\d)", text[max(start, a - 12):a]))
            if not (lower_case and bridged < 2 and plain_words(re.sub(r"\([A-Za-z]{2}\)", "", part))
                    and (town_after_postcode or _number_follows(text, segments[k + 1:k + 3]))):
                break
            bridged += 1
        end = cut
        if cut < b or town_after_postcode:
            break
    province = PROVINCE_AFTER.match(text, end)
    if province:
        end = province.end()
    # backwards, over segments that look like address parts (a flat line, "Apt. 736", a house number)
    start = _widen_back(text, start)
    end = trim_tail(text, start, end)
    return (start, end) if end > start else None


def _number_part_soon(text: str, following: list[tuple[int, int]]) -> bool:
    """A part with a number ("b. 4") after parts of plain words or place names, with no prose between
    ("Qax ray., Yuxari qəsil kəndi qəsəbəsi, Y. HƏSƏNOV prospekti, b. 7, m. 812")."""
    for a, b in following:
        part = text[a:cut_prose(text, a, b)]
        if re.search(r"\d", part):
            return looks_like_address_part(part, loose=True)
        if not (plain_words(part) or looks_like_address_part(part, loose=False)):
            return False
    return False


def _number_follows(text: str, following: list[tuple[int, int]]) -> bool:
    """A postcode, or a house or flat number ("b. 4", "m. 79"), in the next parts."""
    return any(POSTCODE_LINE.match(text[a:b].strip()) or re.search(r"\d", text[a:b]) for a, b in following)


def _widen_back(text: str, start: int) -> int:
    start = _name_words_before(text, start)
    unit = UNIT_BEFORE.search(text, max(0, start - 40), start)
    if unit:
        start = unit.start()
    elif text[start:start + 1].isdigit() and (word := UNIT_WORD_BEFORE.search(text, max(0, start - 16), start)):
        start = word.start()  # ("Flat 72J Young Fall": the unit word of the house number itself)
    number = NUMBER_BEFORE.search(text, max(0, start - 12), start)  # "177/76 ถนน...", "974 中壢..."
    if number:
        start = number.start()
    postcode = POSTCODE_BEFORE.search(text, max(0, start - 14), start)
    if postcode:
        start = postcode.start()
    for _ in range(3):
        head = text[max(0, start - 80):start]
        match = re.search(r"(?:^|\n|,\s*|:\s*)([^\n,:]{1,60}?)(?:\s*\n\s*|\s*,\s*)$", head)
        if not match:
            break
        piece = match.group(1)
        offset = _address_token_start(piece)  # ("the courier says 55780 Lake Mallory, 593 Contreras Port")
        part = piece[offset:]
        if not (re.search(r"\d", part) or UNIT_BEFORE.search(part)) or is_prose(part) or QUANTITY.search(part) \
                or len(split_words(part)) > 6 or has_cue(piece) or value_cue(piece):
            break
        start = start - len(head) + match.start(1) + offset
        if offset:
            break
    return start


def _name_words_before(text: str, start: int) -> int:
    """Up to two capitalised words just before a capitalised street name belong to it ("Dag
    Hammarskjölds Vej", "Peter Bangs Vej"), unless they are prose, a cue or a name's cue word."""
    if not text[start:start + 1].isupper():
        return start
    for _ in range(2):
        word = re.search(r"(?:^|(?<=[ \t]))([^\W\d_][\w'’.-]*)[ \t]$", text[max(0, start - 30):start])
        if not word or not word.group(1)[0].isupper() or is_prose(word.group(1)) or never_a_name(word.group(1)) \
                or has_cue(word.group(1)):
            break
        start -= len(word.group(0))
    return start


def _address_token_start(piece: str) -> int:
    """Where a piece read backwards starts being an address: "reship to Apt. 980" at "Apt."; a piece in
    lower case from a street or unit word or a number ("studio 23") is whole."""
    words = list(WORD.finditer(piece))
    for k, word in enumerate(words):
        token = word.group(0)
        if is_prose(token):  # ("Please confirm you have 291 da Rosa": from "291")
            continue
        # (a street or unit word in lower case only before a number or a capital: "studio 23", not the
        # "app" of "the app keeps rejecting Studio 18G")
        following = words[k + 1].group(0) if k + 1 < len(words) else ""
        street_word = STREET_WORD.fullmatch(token.rstrip(".")) and (not following or following[0].isdigit()
                                                                     or following[0].isupper())
        if token[0].isdigit() or token[0].isupper() or street_word or NON_LATIN.search(token):
            return word.start()
    return 0


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
        for match in AFTER_ADDRESS_CUES.finditer(text):
            span = _before_cue(text, match.start())
            if span:
                spans.append((*span, 0.75))
        for name, pattern in SHAPES:
            for match in pattern.finditer(text):
                if name == "unit_line" and not _near_other_address_part(text, match.start(), match.end()):
                    continue
                # ("064 boulevard Cloutier which is wrong": a shape's trailing words may be prose; "ADDRESS
                # Molekova ulica 8": a shape's first word may be the cue)
                start = _after_leading_cue(text, match.start(), match.end())
                start = last_sentence_end(text, start, match.end(), before_capital=True) or start
                span = widen(text, start, cut_prose(text, start, match.end(), edge_by_case=False))
                if span:
                    spans.append((*span, 0.7))
        cues = [m.span() for m in STRONG_ADDRESS_CUES.finditer(text)]
        if cues:
            for _, pattern in CONTEXT_SHAPES:
                for start, end in _context_matches(text, pattern, cues):
                    # ("moved. Jenkova ulica 1b": not from before a sentence end)
                    start = last_sentence_end(text, start, end, before_capital=True) or start
                    span = widen(text, start, end)
                    if span:
                        spans.append((*span, 0.6))
        for match in STREET_THEN_POSTCODE.finditer(text):
            if not is_prose(match.group(1)) and not has_cue(match.group(1)) and not value_cue(match.group(1)) \
                    and not DATE_LIKE.search(match.group(0)):
                # the town part of the regex runs to the end of the line: "12128 Pakrac thx"
                end = cut_prose(text, match.end(1), match.end())
                town = re.search(r"[^\W\d_]", text[match.end(1):end].split("\n")[-1])
                span = widen(text, _street_start(text, match.start(1), match.end(1)), end) if town else None
                if span:
                    spans.append((*span, 0.6))
        for match in STREET_THEN_POSTCODE_INLINE.finditer(text):
            start = inline_street_start(text, match.start(1), match.end(1))
            if start is not None and not DATE_LIKE.search(text, match.start(1), match.end(2)):
                town = match.group(3)  # ("..., BT 79448 Please": the word after the postcode is prose)
                end = match.end(2) if is_prose(town) or never_a_name(town) else cut_prose(text, match.start(3), match.end(3))
                span = widen(text, start, end)
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
        if span and not more_than_a_place(text[span[0]:span[1]]):
            return None  # "Delivery to Spain takes 5 days", "my address is London": a place, not an address
        return span

    def _read_after(self, text: str, position: int, strong: bool) -> tuple[int, int] | None:
        # "Adres zamieszkania: ...", "dirección de envío: ...", "address for the card: ...": a few words
        # qualify the cue, the address starts after the colon
        label = LABEL_AFTER_CUE.match(text, position)
        if label:
            position = label.end()
        # "... is now", "address line 1:", and the copulas of other languages ("mi dirección es", "lautet")
        lead = LEAD_AFTER_CUE.match(text, position)
        start = lead.end() if lead else position
        clause_end = find_clause_end(text, start)
        segments = segment_spans(text, start, clause_end)
        if not segments:
            return None
        a, b = segments[0]
        b = cut_prose(text, a, b)
        # "Jardim Campos, 87": the house number may sit in the next segment
        last = segments[min(2, len(segments) - 1)][1]
        probe = text[a:cut_prose(text, a, last)] if len(segments) > 1 and b == segments[0][1] else text[a:b]
        if not first_part_ok(text[a:b], strong) and not (looks_like_address_part(text[a:b], loose=True)
                                                           and first_part_ok(probe, strong)) \
                and not (len(segments) > 1 and (strong and plain_words(text[a:b])
                                                 or looks_like_address_part(text[a:b], loose=False))
                         and _number_part_soon(text, segments[1:5])):
            return None  # ("address: largo de oliveira, 12, ...": lower case, the house number in the next part)
        return widen(text, a, b, strong_start=strong)


def _before_cue(text: str, position: int) -> tuple[int, int] | None:
    """The address just before a cue that follows it ("12 Baker St, London - that's my new address",
    "...\nthat's where I live now"): segments read backwards while they look like address parts, back
    to a blank line, a question or the prose before; it needs a digit, a non-Latin script or a shape."""
    end = position
    while end > 0 and text[end - 1] in " \t\n-–—,:(^<←":  # ("...\n^ new address", "... <- my address")
        end -= 1
    floor = max(0, end - MAX_ADDRESS_CHARS)
    blank = text.rfind("\n\n", floor, end)
    floor = blank + 2 if blank >= 0 else floor
    start, bridged = None, 0
    for a, b in reversed(segment_spans(text, floor, end)):
        if start is None:  # "... 40360 still on file as my address": the prose before the cue is no part
            b = end = cut_prose(text, a, b)
            # "Hi! I moved. Jenkova ulica 1b 4091 Kostanjevica is the new address": from the last sentence end
            stop = last_sentence_end(text, a, b)
            if stop is not None:
                a = stop
        label = re.search(r":[ \t]*(?=\S)", text[a:b])  # "Address line 1: Kyringestræde 9, ...": after the label
        if label and start is not None:
            if looks_like_address_part(text[a + label.end():b], loose=True):
                start = a + label.end()
            break
        segment = text[a:b]
        if not segment.strip():
            return None
        if re.search(r"[?!]", segment):
            break
        if not looks_like_address_part(segment, loose=True):
            # ("5 smith mills, south billy, pa3v 0bp": parts in lower case, with a number after them)
            if not (bridged < 2 and plain_words(segment) and start is not None
                    and any(c.isdigit() for c in text[start:end])):
                # "please double check Studio 02\nPotts Cape is on my account": the part after the prose
                offset = _address_token_start(segment)
                rest = segment[offset:]
                if offset and not value_cue(segment[:offset]) and looks_like_address_part(rest, loose=True) \
                        and (start is not None or re.search(r"\d", rest)):
                    start = a + offset
                break
            bridged += 1
        start = a
    if start is None:
        return None
    block = text[start:end]
    if value_cue(block):  # "カード番号 5661839653 is on my profile": a card number, not a street
        return None
    if not (any(c.isdigit() for c in block) or NON_LATIN.search(block) or any(p.search(block) for _, p in SHAPES)):
        return None
    return start, end


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
        end = cut_prose(text, start, min(match.end(), find_clause_end(text, start)))
        end = start + len(text[start:end].rstrip(" .,;:-"))
        first = split_words(text[start:end])[:1]
        quantity = QUANTITY.search(text, start, min(len(text), end + 20))
        greeted = GREETING_BEFORE.search(text[max(0, start - 12):start])
        if (quantity and quantity.start() < match.end()) or greeted or not more_than_a_place(text[start:end]):
            # "Paid 25 EUR, ...", "Hi Anna, 12 rue ...", "Spain takes 5 to 7 days"
            first = []
        near = any(a - CONTEXT_CHARS <= end and start <= b + CONTEXT_CHARS and not (a < end and start < b)
                   for a, b in cues)
        if near and first and not is_prose(text[start:end]) and not never_a_name(first[0]):
            yield start, end
            position = end
        else:
            following = re.search(r"\s\S", text[start:match.end()])  # try again from the next word
            position = start + following.end() - 1 if following else match.end()


def _after_leading_cue(text: str, start: int, end: int) -> int:
    """Where a shape's match starts once a leading address cue is set aside, with up to two words before
    it and a copula after it ("ADDRESS Molekova ulica 8", "Мой адрес ᲮᲔᲗᲐᲒᲣᲠᲝᲕᲘᲡ Ქ. 02")."""
    cue = STRONG_ADDRESS_CUES.search(text, start, min(end, start + 40))
    if not cue or len(split_words(text[start:cue.start()])) > 2:
        return start
    rest = LEAD_AFTER_CUE.match(text, cue.end(), end)
    return rest.end() if rest and rest.end() > cue.end() and rest.end() < end else start


def _near_other_address_part(text: str, start: int, end: int) -> bool:
    """A flat or suite line counts only next to another address part (not "unit 3 of the course"): a part
    with a number after it, or a part with a house number just before it ("9 Main St, Unit 901, Şəki")."""
    after = text[end:end + 80]
    if re.match(r"\s*(?:,|\n)\s*\S", after) and re.search(r"\d", after):
        return True
    before = re.search(r"(?:^|[\n,:])([^\n,:]{1,60}),[ \t]*$|(?:^|\n)([^\n,:]{1,60})\n[ \t]*$",
                       text[max(0, start - 62):start])
    part = before and (before.group(1) or before.group(2))
    return bool(part and re.search(r"\d", part) and not is_prose(part) and not has_cue(part))


def _postcode_line_is_address(text: str, start: int, end: int) -> bool:
    """A postcode-and-town line on its own: only as its own line or after a comma, with a town word."""
    piece = text[start:end].strip()
    before = text[:start].rstrip(" ")
    own_line = not before or before.endswith(("\n", ","))
    has_word = bool(re.search(r"[^\W\d_]{2,}", piece))
    return own_line and has_word and bool(LOOKS_POSTCODE.search(piece)) and not is_prose(piece)
