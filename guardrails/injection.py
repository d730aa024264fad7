"""Prompt-injection detector for customer messages: a classifier and phrase rules.

The classifier (``guardrails.injection_model``, MiniLM fine-tuned on real jailbreaks against real
customer traffic, see research/guards/README.md) reads the message as it is; a message is an attack
when the classifier or the rules say so, and its score is the higher of the two on one 0..1 scale
(each side's cut at 0.5). The rules stay for what a sentence encoder cannot read: payloads that
only show up once decoded or unfolded. Each rule left in the tables was measured to add recall over
the classifier without false flags on the public benign messages (research/guards/README.md).

For the rules the message is looked at through several *views*: the cleaned text, the text with look-alike
letters folded to Latin, with leetspeak undone, with HTML tags removed, squashed to letters only
(spaced or split words), the hidden parts of HTML/Markdown on their own, and any base64, hex,
URL-encoded, rot13 or reversed payload decoded. The phrase tables in
``guardrails.injection_patterns`` run on each view; a phrase that only shows up after folding or
decoding adds ``obfuscation`` or ``encoded_payload`` to the reasons. Evidence from distinct
patterns is combined with a noisy-or into a score in 0..1.

The lead normalises text before calling us, but raw text must work too, so all folding is
repeated here. Work is bounded: at most ``MAX_SCAN_CHARS`` characters are scanned.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import html
import re
import threading
import unicodedata
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field

from guardrails import injection_patterns as P

DEFAULT_THRESHOLD = 0.5  # dev sweep (research.injection.evaluate --sweep): recall 1.0 and no false alarm from 0.45 to 0.55
# The classifier learnt other languages from few examples: it flagged 4 of 23 ordinary non-English
# questions of the written dev split ("¿Puedo retirar bitcoin a mi propia billetera?") that the
# rules alone leave alone, while the rules caught all 35 non-English attacks there. In another
# language its vote counts only from this probability (no benign message of the written sets reached
# it); below it the phrase rules, which cover overrides in 12 languages, decide.
NON_ENGLISH_CUT = 0.97
MAX_SCAN_CHARS = 12_000  # longer texts: head, tail and windows around trigger words (see _bounded)
_HEAD, _TAIL, _WINDOW = 4_000, 2_000, 300
MAX_DECODED_RUNS = 8

REASONS = (
    "instruction_override", "role_play", "prompt_extraction", "encoded_payload", "obfuscation",
    "non_english_attack", "forced_commitment", "data_exfiltration", "classifier",
)


@dataclass(frozen=True)
class InjectionResult:
    injection: bool
    score: float  # 0..1
    reasons: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)  # matched snippets, for logs and the eval


# --- folding -----------------------------------------------------------------------------------
# Zero-width, bidi controls, soft hyphen, combining grapheme joiner, variation selectors.
_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u3164\ufe00-\ufe0f\ufeff\uffa0]")
# Unicode "tag" characters mirror ASCII and render as nothing: a known way to smuggle text.
_TAG_CHARS = re.compile("[\U000e0000-\U000e007f]+")

_CONFUSABLES = str.maketrans({
    # Cyrillic
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S", "Ԁ": "D", "Ү": "Y", "Ӏ": "I",
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
    "ԁ": "d", "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w", "ү": "y", "ɡ": "g",
    # Greek
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "u",
})
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s", "!": "i", "|": "l"})
_LEET_TOKEN = re.compile(r"[\w@$!|]*[a-z][\w@$!|]*")
_HAS_LEET = re.compile(r"[0134578@$!|]")
_LATIN = re.compile(r"[a-zA-Z]")
_CYR_GREEK = re.compile("[\u0370-\u03ff\u0400-\u04ff\u0500-\u052f]")
_WORD = re.compile(r"\w+")
_TAGS = re.compile(r"<[^>]{0,500}>")
_NON_LETTERS = re.compile(r"[^a-z]+")

# Hidden parts of HTML / Markdown: scanned on their own so a hit there adds "obfuscation".
_HIDDEN = [
    re.compile(r"<!--(.{0,4000}?)(?:-->|$)", re.S),
    re.compile(r"<(\w+)[^>]{0,300}?(?:display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0|opacity\s*:\s*0|color\s*:\s*(?:#fff(?:fff)?\b|white)|\shidden\b)[^>]{0,300}>(.{0,4000}?)</\1\s*>", re.S | re.I),
    re.compile(r"\b(?:title|alt|aria-label|data-[\w-]+)\s*=\s*[\"']([^\"']{0,2000})[\"']", re.I),
    re.compile(r"\]\([^)\s]{0,500}\s+[\"']([^\"']{0,2000})[\"']\s*\)"),
    re.compile(r"^\s*\[//\]:\s*#\s*\((.{0,2000})\)", re.M),
]

_B64_RUN = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")
_HEX_RUN = re.compile(r"(?:0x)?(?:[0-9a-fA-F]{2}[ :]?){8,}")
_URL_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")

# "someone told me to type 'developer mode'" reports a scam rather than scripting our reply.
_REPORTED_SPEECH = re.compile(r"(?:told|asked|telling|asking|wants?|wanted)\s+(?:me|us|you)\s+to\s+(?:\w+\s+)?[\"']?$|\bsaying\s*$|\bsaid\s*$")

_ENGLISH_WORDS = frozenset("the you your a an and to is are of my me i it this that all with for what how".split())
_FOREIGN_WORDS = frozenset(
    "les des tes ton ta vos votre toutes tous et le la tu je de du est "
    "las los tus todas todos y el eres que por una con mi "
    "le tue tutte di il che sei "
    "as os suas teu você voce seu e não nao "
    "die der das den deine dein alle und ist du mir sie nicht "
    "je jij alle en het een mijn wszystkie i nie twoje ve bana".split()
)


def _as_text(text) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return str(text or "")


def _strip_invisible(text: str) -> tuple[str, str, bool]:
    """Returns (text without invisible characters, smuggled tag-character text, whether any were removed)."""
    smuggled = "".join(
        chr(ord(c) - 0xE0000) for run in _TAG_CHARS.findall(text) for c in run if 0xE0020 <= ord(c) <= 0xE007E
    )
    cleaned = _INVISIBLE.sub("", _TAG_CHARS.sub("", text))
    return cleaned, smuggled, len(cleaned) != len(text)


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", html.unescape(text)).lower()


def _fold_confusables(text_nfkc: str) -> str:
    return text_nfkc.translate(_CONFUSABLES).lower()


def _undo_leet(text: str) -> str:
    return _LEET_TOKEN.sub(lambda m: m.group(0).translate(_LEET) if _HAS_LEET.search(m.group(0)) else m.group(0), text)


def _mixed_script_words(text: str) -> int:
    return sum(1 for w in _WORD.findall(text) if _LATIN.search(w) and _CYR_GREEK.search(w))


def _printable_text(raw: bytes) -> str | None:
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if len(decoded) < 8:
        return None
    printable = sum(1 for c in decoded if c.isprintable() or c in "\n\t")
    letters = sum(1 for c in decoded if c.isalpha())
    # Real instructions are mostly letters and spaces; random IDs decode to binary or symbols.
    return decoded if printable / len(decoded) > 0.95 and letters / len(decoded) > 0.6 and " " in decoded else None


def _decoded_payloads(text: str) -> list[str]:
    """Base64, hex and URL-encoded runs that decode to readable text (case-preserving input)."""
    found: list[str] = []
    for match in _B64_RUN.finditer(text):
        run = match.group(0)
        padded = run + "=" * (-len(run) % 4)
        for decoder in (base64.b64decode, base64.urlsafe_b64decode):
            try:
                decoded = _printable_text(decoder(padded))
            except (binascii.Error, ValueError):
                continue
            if decoded:
                found.append(decoded)
                break
        if len(found) >= MAX_DECODED_RUNS:
            return found
    for match in _HEX_RUN.finditer(text):
        digits = re.sub(r"[ :]", "", match.group(0).removeprefix("0x"))
        if len(digits) % 2:
            digits = digits[:-1]
        try:
            decoded = _printable_text(bytes.fromhex(digits))
        except ValueError:
            continue
        if decoded:
            found.append(decoded)
        if len(found) >= MAX_DECODED_RUNS:
            return found
    if len(_URL_ESCAPE.findall(text)) >= 3:
        found.append(urllib.parse.unquote(text))
    return found


# One cheap pass over the middle of a long text finds where an attack could be; only windows around
# these hits are scanned in full, so work stays bounded without a blind spot in the middle.
_TRIGGER_WORDS = re.compile(  # run on lower-cased text: re.I makes this pass ~10x slower
    r"ignor|disregard|forget|instruc|prompt|system|pretend|act as|role|persona|developer|mode\b|jailbr|repeat|reveal|"
    r"verbatim|<!--|display|hidden|decode|rot13|base64|customers|users|confirm|guarantee|promise|say\b|"
    r"règle|anweisung|istruzion|instrucc|instruç"
)
_TRIGGER_RUNS = re.compile("[A-Za-z0-9+/]{24}|[\u0400-\u04ff]{4}|[\u3040-\u9fff]{2}|[\u200b-\u200f\u2060\ufeff\U000e0000-\U000e007f]")


def _bounded(text: str) -> str:
    middle, parts, budget, last_end = text[_HEAD:-_TAIL], [text[:_HEAD]], MAX_SCAN_CHARS - _HEAD - _TAIL, -1
    seen: set[str] = set()
    hits = sorted([m.start() for m in _TRIGGER_WORDS.finditer(middle.lower())] + [m.start() for m in _TRIGGER_RUNS.finditer(middle)])
    for hit in hits:
        # a flood of the same trigger ("ignore ignore …") must not use up the budget
        context = middle[max(0, hit - 40):hit + 40].lower()
        if hit < last_end or context in seen:
            continue
        seen.add(context)
        start = max(0, hit - _WINDOW, last_end)
        end = min(len(middle), hit + _WINDOW * 2)
        parts.append(middle[start:end])
        budget -= end - start
        last_end = end
        if budget <= 0:
            break
    parts.append(text[-_TAIL:])
    return "\n".join(parts)


def _looks_non_english(text: str) -> bool:
    if re.search(r"[\u0400-\u04ff\u3040-\u30ff\u4e00-\u9fff]", text):
        return True
    words = _WORD.findall(text)
    english = sum(1 for w in words if w in _ENGLISH_WORDS)
    foreign = sum(1 for w in words if w in _FOREIGN_WORDS)
    return foreign > english or bool(re.search(r"[àâçéèêëîïôûùüÿñæœäöß¿¡ãõąęłńśźżğış]", text) and foreign >= english)


class _Compiled:
    def __init__(self) -> None:
        def compile_table(table, flags=0):
            return [(reason, weight, re.compile(rx, flags), i) for i, (reason, weight, rx) in enumerate(table)]

        self.english = compile_table(P.ENGLISH, re.M)
        self.other = [(r, w, rx, 1000 + i) for r, w, rx, i in compile_table(P.OTHER_LANGUAGES)]
        self.cjk = [(r, w, rx, 2000 + i) for r, w, rx, i in compile_table(P.CJK)]
        self.squashed = [(r, w, rx, 3000 + i) for r, w, rx, i in compile_table(P.SQUASHED)]
        self.named = [(r, w, rx, 4000 + i) for r, w, rx, i in compile_table(P.NAMED_PERSON)]  # case-sensitive
        self.all_text = self.english + self.other + self.cjk


_COMPILED: _Compiled | None = None
_COMPILE_LOCK = threading.Lock()


def _compiled() -> _Compiled:
    global _COMPILED
    with _COMPILE_LOCK:
        if _COMPILED is None:
            _COMPILED = _Compiled()
        return _COMPILED


class _Evidence:
    """Best weight per pattern plus the reasons and modifiers seen across all views."""

    def __init__(self) -> None:
        self.weights: dict[int, float] = {}
        self.reasons: dict[str, float] = {}
        self.modifiers: set[str] = set()
        self.snippets: list[str] = []
        self.signals: dict[str, float] = {}

    def scan(self, text: str, patterns, modifier: str | None = None, only_new: bool = False) -> bool:
        hit_any = False
        for reason, weight, rx, pid in patterns:
            for m in rx.finditer(text):
                if reason in ("forced_commitment", "role_play") and weight < 0.6 and _REPORTED_SPEECH.search(text[max(0, m.start() - 30):m.start()]):
                    continue
                if only_new and pid in self.weights:
                    break
                hit_any = True
                self.weights[pid] = max(self.weights.get(pid, 0.0), weight)
                self.reasons[reason] = max(self.reasons.get(reason, 0.0), weight)
                if modifier:
                    self.modifiers.add(modifier)
                if len(self.snippets) < 6:
                    self.snippets.append(m.group(0)[:80])
                break
        return hit_any

    def score(self) -> float:
        remaining = 1.0
        for weight in list(self.weights.values()) + list(self.signals.values()):
            remaining *= 1.0 - weight
        return 1.0 - remaining


class InjectionDetector:
    """Scores customer messages for prompt injection; cheap to build, ``warm_up`` compiles the
    patterns and loads the classifier. ``use_model=False`` scores with the rules alone."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD, embedder=None, use_model: bool = True, model=None) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"injection threshold must be between 0 and 1, got {threshold}: set BEACON_INJECTION_THRESHOLD to e.g. 0.5")
        self.threshold = threshold
        # Accepted so the factory can pass one in, but not consulted: the classifier has its own
        # encoder, fine-tuned for this task, and must not change with the retrieval embedder.
        self.embedder = embedder
        self.use_model = use_model
        self._model = model

    @property
    def model(self):
        if self._model is None and self.use_model:
            from guardrails.injection_model import InjectionModel

            self._model = InjectionModel()
        return self._model

    def warm_up(self) -> None:
        _compiled()
        if self.use_model:
            self.model.warm_up()

    def score_batch(self, texts: Sequence[str]) -> list[InjectionResult]:
        return [self.score(t) for t in texts]

    def rules_score(self, text: str) -> InjectionResult:
        """The phrase rules alone (also what the knowledge-file scan reads per passage)."""
        text = _as_text(text)
        if not text.strip():
            return InjectionResult(False, 0.0, [])
        if len(text) > MAX_SCAN_CHARS:
            text = _bounded(text)
        evidence = _Evidence()
        self._scan_text(text, evidence, depth=0)
        score = round(min(1.0, evidence.score()), 4)
        reasons = sorted(evidence.reasons, key=lambda r: -evidence.reasons[r])
        reasons += sorted(m for m in evidence.modifiers if m not in reasons)
        if evidence.reasons and _looks_non_english(_clean(text)):
            reasons.append("non_english_attack")
        return InjectionResult(score >= self.threshold, score, reasons, evidence.snippets)

    def score(self, text: str) -> InjectionResult:
        text = _as_text(text)
        rules = self.rules_score(text)
        if not self.use_model or not text.strip():
            return rules
        model = self.model
        p = float(model.probabilities([text])[0][0])
        if p < NON_ENGLISH_CUT and _looks_non_english(_clean(text)):
            return rules
        scaled = round(model.score(p, "message"), 4)
        if scaled <= rules.score:
            return rules
        reasons = ["classifier", *rules.reasons] if scaled >= self.threshold else rules.reasons
        return InjectionResult(scaled >= self.threshold, scaled, reasons, rules.evidence)

    def _scan_text(self, raw: str, ev: _Evidence, depth: int) -> None:
        c = _compiled()
        stripped, smuggled, had_invisible = _strip_invisible(raw)
        nfkc = unicodedata.normalize("NFKC", html.unescape(stripped))
        clean = nfkc.lower()
        found_plain = ev.scan(clean, c.all_text, "encoded_payload" if depth else None)
        if depth == 0:
            ev.scan(nfkc, c.named)

        obfuscated = "encoded_payload" if depth else "obfuscation"
        folded = _fold_confusables(nfkc)
        if folded != clean:
            ev.scan(folded, c.english, obfuscated, only_new=True)
        leet = _undo_leet(folded)
        if leet != folded:
            ev.scan(leet, c.english, obfuscated, only_new=True)
        detagged = _TAGS.sub(" ", folded)
        if detagged != folded:
            ev.scan(detagged, c.english, obfuscated, only_new=True)
        squashed = _NON_LETTERS.sub("", folded.translate(_LEET))
        ev.scan(squashed, c.squashed, None if found_plain else obfuscated, only_new=True)
        if smuggled:
            ev.scan(_clean(smuggled), c.all_text, "obfuscation")
            ev.signals["tag_characters"] = 0.25
        for pattern in _HIDDEN:
            for m in pattern.finditer(stripped):
                ev.scan(_fold_confusables(unicodedata.normalize("NFKC", m.group(m.lastindex))), c.all_text, "obfuscation")
        if ev.weights and (had_invisible or _mixed_script_words(nfkc) >= 1):
            ev.modifiers.add(obfuscated)
        if _mixed_script_words(nfkc) >= 2:
            ev.signals["mixed_script"] = 0.3
        if depth == 0:
            rot13 = codecs.encode(clean, "rot13")
            ev.scan(rot13, c.english, "encoded_payload", only_new=True)
            ev.scan(_NON_LETTERS.sub("", rot13), c.squashed, "encoded_payload", only_new=True)
            ev.scan(clean[::-1], c.english, "encoded_payload", only_new=True)
        if depth < 2:
            for payload in _decoded_payloads(stripped):
                self._scan_text(payload, ev, depth + 1)
