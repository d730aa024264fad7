"""What a piece of text is, for the address recognizer (address_lines.py): a part of an address, prose,
a lone place; where a stretch of text ends; words of any script.

A segment is text between line breaks, commas and semicolons. Prose ends an address: a word of
PROSE_WORDS, a quantity ("3 days ago"), the first lower-case word after capitals (unless a number is
still to come, or it is a street word or an abbreviation), a sentence end before prose.
"""

from __future__ import annotations

import re

import regex

from guardrails.pii.recognizers.address_shapes import MONTH, POSTCODE_LINE, SHAPES
from guardrails.pii.recognizers.address_words import (
    LOWER_CASE_PLACE_WORDS,
    PROSE_WORDS,
    QUANTITY,
    STREET_PREFIXES,
    STREET_WORDS_AFTER_NUMBER,
    STREET_WORDS_BEFORE_NUMBER,
    STRONG_ADDRESS_CUES,
    UNIT_WORDS,
    WEAK_ADDRESS_CUES,
)
from guardrails.pii.recognizers.cues import ACCOUNT, CARD, NUMBER, PHONE, ROUTING
from guardrails.pii.recognizers.name_edges import never_a_name

VALUE_CUES = (CARD, ACCOUNT, ROUTING, PHONE, NUMBER)
HEADER = re.compile(r"(?:subject|re|fwd?|from|cc|bcc|date|sent|betreff|objet|asunto|oggetto)\s*:", re.IGNORECASE)
SEGMENT_BREAK = re.compile(r"\n|,\s*|;\s*|\s+-\s+")
SENTENCE_END = re.compile(r"[?!]|\.(?=\s|$)")
NAME_PARTICLES = frozenset(
    "de da do das dos del della di du des la le les los las y e et sur sous en van von der den ter zu am an im bei "
    "pri nad pod na upon on of the al el bin ibn st".split())
HOUSE_NUMBER_WORDS = frozenset({"no", "nr", "n", "nos"})
STATE_AND_ZIP = re.compile(r"^[A-Z]{2,3},?\s+\d{4,5}(?:-\d{4})?$")
# any street, unit or place word of address_words, in lower case ("M.ARİF prospekti", "Zavetiška ulica 30")
STREET_WORD = re.compile(r"(?:" + "|".join((STREET_PREFIXES, STREET_WORDS_BEFORE_NUMBER, STREET_WORDS_AFTER_NUMBER,
                                             UNIT_WORDS, LOWER_CASE_PLACE_WORDS)) + r")", re.IGNORECASE)
STREET_WORD_FIRST = re.compile(r"(?:" + STREET_PREFIXES + r")\s+[^\W\d_]", re.IGNORECASE)
MAX_ADDRESS_CHARS = 250  # no address runs longer; also bounds the work per cue on long pastes
# "the address 0x2BEf15d3..." / "BTC address bc1q...": a wallet, not a street (crypto_addresses.py)
CODE_LIKE = re.compile(r"^(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9_:-]{16,}\b")
NON_LATIN = re.compile(r"[^\W\d_a-zA-Z\u00c0-\u024f]")
# a word with its combining marks and joiners: "ফকিরডাঙ্গা", "श्रेष्\u200dठ" are one word each, not four
WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{M}\p{N}\u200c\u200d'’.-]*")


def split_words(segment: str) -> list[str]:
    return WORD.findall(segment)


def is_prose(segment: str) -> bool:
    # (words first, then lower case: "İZZƏT".lower() starts with "i" and a combining dot, not the word "i")
    words = split_words(segment)
    return bool(words) and words[0].lower().strip(".'’") in PROSE_WORDS


def looks_like_address_part(segment: str, loose: bool) -> bool:
    """A segment that could continue an address: a postcode, a town, a house number, a flat."""
    segment = segment.strip()
    if STATE_AND_ZIP.match(segment):  # "OK 78197": Oklahoma, not "ok"
        return True
    if not segment or is_prose(segment) or len(segment) > 80 or QUANTITY.search(segment):
        return False
    if HEADER.match(segment) or value_cue(segment, VALUE_CUES[:4]):  # "Subject: card 2 blocked"
        return False
    words = split_words(segment)
    if not words or len(words) > 9:
        return False
    if any(c.isdigit() for c in segment) or POSTCODE_LINE.match(segment):
        return len(words) <= 8
    if NON_LATIN.search(segment):
        return len(segment) <= 50
    # particles of place names count neither way ("San José Eduardo de la Montaña", "da Rosa")
    words = [w for w in words if w.lower() not in NAME_PARTICLES] or words
    capitalised = sum(w[0].isupper() for w in words) >= max(1, len(words) - 2) and words[0][0].isupper()
    return capitalised and len(words) <= (5 if loose else 4)


def first_part_ok(segment: str, strong: bool) -> bool:
    segment = segment.strip()
    if not segment or len(segment) > 120 or CODE_LIKE.match(segment):
        return False
    if strong:  # ("chemin Monnard, ...": a street word first, in lower case, after "address:")
        return (looks_like_address_part(segment, loose=True) or any(p.search(segment) for _, p in SHAPES)
                or bool(STREET_WORD_FIRST.match(segment) and not is_prose(segment) and len(split_words(segment)) <= 6))
    if not looks_like_address_part(segment, loose=True):
        return False
    return (any(c.isdigit() for c in segment) or bool(NON_LATIN.search(segment))
            or any(p.search(segment) for _, p in SHAPES))


def segment_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of the segments of text[start:end], without the separators."""
    out, cursor = [], start
    for match in SEGMENT_BREAK.finditer(text, start, end):
        out.append((cursor, match.start()))
        cursor = match.end()
    out.append((cursor, end))
    return [(a, b) for a, b in out if b > a]


def find_clause_end(text: str, start: int) -> int:
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


def cut_prose(text: str, start: int, end: int, edge_by_case: bool = True) -> int:
    """Cut a segment where prose starts inside it ("S6 7LJ but that's my old flat"), before any
    particle left dangling ("... Kongerslev on my profile"). ``edge_by_case=False``: prose words
    only, not the first lower-case word after capitals (a shape's own match: "12 rue de Rivoli")."""
    cut = _prose_start(text, start, end, edge_by_case)
    quantity = QUANTITY.search(text, start, end)  # "Glogovac 252 26018 Požega (3 days ago)"
    if quantity and start < quantity.start() < cut:
        cut = quantity.start()
        while cut > start and text[cut - 1] in " \t([":
            cut -= 1
    while (dangling := re.search(r"\s+([^\W\d_]+)\s*$", text[start:cut])) and dangling.group(1) in NAME_PARTICLES \
            and not _town_end_of_line(text, start + dangling.start(1)):  # ("2507 camarines sur": a town's last word)
        cut = start + dangling.start()
    return cut


def _prose_start(text: str, start: int, end: int, edge_by_case: bool) -> int:
    title_case = edge_by_case and title_case_address(text[max(0, start - 60):start])
    previous = ""
    for match in re.finditer(r"\s+[(\[\"'“‘]?([^\W\d_]+)", text[start:end]):
        # (a prose word right at ``start`` counts only when a space separates it from the hit before)
        if not (match.start() > 0 or text[start:start + 1].isspace()):
            continue
        word, after_particle, previous = match.group(1), previous in NAME_PARTICLES, match.group(1).lower()
        following = text[start + match.end():start + match.end() + 4]
        if word.lower() in PROSE_WORDS and not (
                (previous in HOUSE_NUMBER_WORDS and re.match(r"\.?\s*\d", following))   # "Jl. Cikutra No. 98"
                or (previous in NAME_PARTICLES and re.match(r"\s+[^\W\d_]", following)
                    and following.lstrip()[:1].isupper())):                                # "da Paz do Campo"
            return start + match.start()
        if after_particle and _ends_segment(text, start + match.end(), end):
            continue  # "San Georgina los altos": the last word of a place name, after its particle
        # An address written with capitals ends at the first lower-case word that is not a
        # particle of a place name, unless a number is still to come ("12 Baker Street, London
        # last month"); an address typed all in lower case has no such edge.
        abbreviation = len(word) <= 3 and following.startswith(".")  # "Uzunoba k.", "Ə.ORUCƏLİYEV pr."
        if (title_case and word.islower() and word not in NAME_PARTICLES and NON_LATIN.search(word) is None
                and not abbreviation and not STREET_WORD.fullmatch(word + following[:1].strip(" ,\n"))
                and not _digits_ahead(text, start + match.start())
                and not _town_end_of_line(text, start + match.start())):
            return start + match.start()
    return end


def _town_end_of_line(text: str, position: int) -> bool:
    """The last one or two words of a postcode-and-town line, in lower case ("5174 Novo mesto",
    "2507 camarines sur"): part of the town, when no prose word is among them."""
    line_end = text.find("\n", position)
    rest = text[position:line_end if line_end >= 0 else len(text)]
    words = split_words(rest)
    if not 1 <= len(words) <= 2 or not all(w.islower() and w.isalpha() for w in words) \
            or any(w in PROSE_WORDS for w in words) or re.search(r"[^\w\s'’-]", rest):
        return False
    line = text[text.rfind("\n", 0, position) + 1:position]
    part = line[line.rfind(",") + 1:]  # (the postcode's own part: "7551 unit h jade road, ..., 2507 camarines")
    return bool(re.search(r"(?<![\d.,])\d{4,6}(?![\d.,])", part)) and not QUANTITY.search(part)


def _sentence_stop(window: str) -> int:
    """Where a sentence ends in ``window``: "?", "!", or a full stop before prose or the end (not the dot
    of "b. 8", "ul. Długa", "Jl. Dr. Djunjunan")."""
    for match in SENTENCE_END.finditer(window):
        if match.group(0) != "." or not window[match.end():].strip() or is_prose(window[match.end():].lstrip()):
            return match.start()
    return len(window)


def _ends_segment(text: str, position: int, end: int) -> bool:
    rest = text[position:end]
    return not rest.strip() or rest[:1] in (",", "\n") or is_prose(rest)


def _digits_ahead(text: str, position: int) -> bool:
    """A postcode or number still to come in this sentence ("San Elsa los altos, AGS 43915")."""
    window = text[position:position + 60]
    stop = _sentence_stop(window)
    window = QUANTITY.sub(" ", window[:stop])  # "5 to 7 days" is no postcode
    return any(c.isdigit() for c in window)


def title_case_address(before: str) -> bool:
    """Whether the address text just before is written with capitals (its last words)."""
    words = [w for w in split_words(before) if not w[0].isdigit() and not has_cue(w)][-3:]
    return bool(words) and sum(w[0].isupper() for w in words) >= max(1, len(words) - 1)


def plain_words(segment: str) -> bool:
    """One to six words of letters that are not prose: a street or town name in any case."""
    words = split_words(segment)
    return (0 < len(words) <= 6 and not is_prose(segment) and not any(c.isdigit() for c in segment)
            and not CODE_LIKE.match(segment.strip()))


def value_cue(piece: str, cues: tuple = VALUE_CUES) -> bool:
    """A card, account, routing or phone cue in it ("numéro de compte 5941\n2854 654"): a number, no street."""
    # (not a state or province code in capitals: "ACT, 2223" is Canberra, not "acct")
    return any(cue.fullmatch(word.strip(".")) for word in split_words(piece) for cue in cues
               if not (word.isupper() and len(word.strip(".")) <= 3))


def has_cue(piece: str) -> bool:
    return bool(STRONG_ADDRESS_CUES.search(piece) or WEAK_ADDRESS_CUES.search(piece))


def more_than_a_place(value: str) -> bool:
    """A number, a non-Latin script, a street or unit word, or three words or more: not a lone town."""
    return (any(c.isdigit() for c in value) or bool(NON_LATIN.search(value)) or len(split_words(value)) > 2
            or any(STREET_WORD.fullmatch(w.rstrip(".")) for w in split_words(value)))


# "(ground floor)", ":)", "// work: remote": a remark, a smiley or another field after the address
REMARK_TAIL = re.compile(r"[ \t]*(?:\((?![A-Za-z]{2}\))[^()\d\n]{1,40}\)|[:;]-?[()DPp]|//.*|\bx\d"
                         r"|[\U0001F300-\U0001FAFF\u2600-\u27BF]+)$")  # (not a province code: "(MI)")
# "Shipping: same", "Phone: same as before": a labelled field on the next line is no part of the address
FIELD_LINE = re.compile(r"\n[ \t]*[-*•]?[ \t]*[^\W\d_][\w ]{0,20}:[^\n]*$")
FIELD_LABEL = re.compile(r"[ \t]*[-*•]?[ \t]*[^\W\d_][\w ]{0,20}:(?:[ \t]|$)")


def trim_tail(text: str, start: int, end: int) -> int:
    """Where an address ends once separators, remarks, smileys and a next field are set aside."""
    while True:
        while end > start and text[end - 1] in " \t,.;:-\n(":
            end -= 1
        piece = text[start:end]
        tail = REMARK_TAIL.search(piece) or FIELD_LINE.search(piece)
        if not tail or tail.start() == 0:
            return end
        end = start + tail.start()


def last_sentence_end(text: str, start: int, end: int, before_capital: bool = False) -> int | None:
    """Where the last sentence in text[start:end] starts, after "! ", "? " or ". " (not the dot of "ul. Długa",
    "b. 8", "St. Mary", "Hauptstr. 5": a short or capitalised word, or a street word, before it)."""
    found = None
    for match in re.finditer(r"(?<=[^\W\d_]{3})[.!?][ \t]+(?=\S)|[!?][ \t]+(?=\S)", text[start:end]):
        if before_capital and not text[start + match.end():start + match.end() + 1].isupper():
            continue
        word = re.search(r"([^\W\d_]+)[.!?]$", text[start:start + match.start() + 1])
        if match.group(0)[0] == "." and (not word or word.group(1)[0].isupper() and len(word.group(1)) <= 4
                                         or STREET_WORD.fullmatch(word.group(1) + ".")
                                         or STREET_WORD.fullmatch(word.group(1))):
            continue
        found = start + match.end()
    return found


def inline_street_start(text: str, start: int, end: int) -> int | None:
    """Where a street line found within a line starts, once leading prose, cue and name-cue words are set
    aside ("The app rejects Souvret 111" from "Souvret"); None when no street is left or it reads as a date,
    a value's cue or prose ("Order 12, 2024 ...", "March 12, 2024 ...")."""
    words = list(WORD.finditer(text, start, end))
    while len(words) > 1 and not words[0].group(0)[0].isdigit() and (
            is_prose(words[0].group(0)) or has_cue(words[0].group(0)) or never_a_name(words[0].group(0))):
        words.pop(0)
    if not words:
        return None
    piece = text[words[0].start():end]
    name_words = [w.group(0) for w in words if not w.group(0)[0].isdigit()]
    quantity = QUANTITY.search(piece)  # ("3 days, 2024 ..."; not a name in capitals: "3 H.SULTANOV", "263 Day")
    if not name_words or is_prose(piece) or value_cue(piece) or any(MONTH.match(w) for w in name_words) \
            or quantity and not any(c.isupper() for c in quantity.group(0)):
        return None
    return words[0].start()
