"""Structure-aware chunking: one chunk per FAQ entry; policies split along headings and
then, inside a section, at paragraph, line and sentence boundaries to fit a token budget."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from app.core.tokens import count_tokens
from ingest.document import DocumentMeta, LoadedDocument

SECTION_SEPARATOR = " > "
INTRO_WORDS = 40  # a section this short that only leads into its first sub-section is read with it
MIN_CODE_START = 16  # tokens of room a chunk needs left to take the first lines of a long code block
# Words that say a passage is about what comes after it ("This section will cover …", "The
# following fees apply.", a closing colon).
_LEADS_INTO = re.compile(r"\b(?:this|the next|the following) (?:section|guide|page|chapter|part|article|tutorial)s?\b"
                         r"|\b(?:below|following|as follows)\b|:\s*$", re.I)
# Boundaries to split at, from the most to the least natural; a piece is split at the
# next level only when it alone is over the budget.
_BOUNDARIES = [
    (re.compile(r"\n[ \t]*\n"), "\n\n"),
    (re.compile(r"\n"), "\n"),
    (re.compile(r"(?<=[.!?;:])\s+"), " "),
    (re.compile(r"\s+"), " "),
]


@dataclass
class Chunk:
    chunk_id: str
    source: str
    text: str  # what a reader sees: the answer, or the section's text
    embed_text: str  # what the embedder sees: adds the question or heading path for context
    section_path: tuple[str, ...]
    line: int
    meta: DocumentMeta
    question: str | None = None
    anchors: tuple[tuple[str, str], ...] = ()  # (link text, target as written) of the links in ``text``
    labels: tuple[str, ...] = ()  # the Sphinx labels that name this chunk's section

    @property
    def section(self) -> str:
        return SECTION_SEPARATOR.join(self.section_path)


def chunk_document(document: LoadedDocument, max_tokens: int) -> list[Chunk]:
    chunks: list[Chunk] = []
    occurrences: dict[tuple[str, ...], int] = {}
    entries = _entries(document)
    starts = sorted({entry[1] for entry in entries})
    for path, line, text, question, meta in entries:
        occurrence = occurrences.get(path, 0)
        occurrences[path] = occurrence + 1
        pieces = [text] if question else split_to_budget(text, max_tokens)
        end = next((s for s in starts if s > line), None)
        anchors = list(dict.fromkeys((" ".join(shown.split()), target) for shown, target, at in document.anchors
                                     if line <= at and (end is None or at < end)))
        # a label before the first section (the page's title) names the page: its first chunk
        labels = tuple(dict.fromkeys(label for label, at in document.labels
                                     if (line <= at or line == starts[0]) and (end is None or at < end)))
        for part, piece in enumerate(pieces):
            words = " ".join(piece.split())
            chunks.append(
                Chunk(
                    chunk_id=chunk_id(document.source, path, occurrence, part),
                    source=document.source,
                    text=piece,
                    embed_text=_embed_text(document, path, piece, question),
                    section_path=path,
                    line=line,
                    meta=meta,
                    question=question,
                    anchors=tuple(a for a in anchors if a[0] in words),
                    labels=labels if part == 0 else (),
                )
            )
    return chunks


def _entries(document: LoadedDocument):
    """(path, line, text, question, meta) per future chunk. In an FAQ a question's
    sub-headings stay inside its answer, so one question is always one chunk."""
    entries: list[list] = []
    for section in document.sections:
        parent = entries[-1] if entries else None
        inner = SECTION_SEPARATOR.join(section.path[1:]) + "\n" + section.text
        if parent and parent[3] and len(section.path) > 1 and section.path[0] == parent[3]:
            parent[2] += "\n\n" + inner
            continue
        if section.question and len(section.path) > 1 and section.path[0] == section.question:
            entries.append([section.path[:1], section.line, inner, section.question, section.meta])
            continue
        entries.append([section.path, section.line, section.text, section.question, section.meta])
    return [tuple(e) for e in _intros_forward(entries)]


def _intros_forward(entries: list[list]) -> list[list]:
    """A section whose only words introduce the sub-section right under it ("This section will
    cover downloading the binary and verifying it.") goes in front of that sub-section's text:
    alone it would be a chunk that answers nothing."""
    out: list[list] = []
    for entry in reversed(entries):
        path, _, text, question, _ = entry
        child = out[-1] if out else None
        if child and path and not question and not child[3] and len(child[0]) > len(path) \
                and child[0][: len(path)] == path and "```" not in text and len(text.split()) <= INTRO_WORDS \
                and _LEADS_INTO.search(text):
            child[2] = text + "\n\n" + child[2]
            child[1] = entry[1]
            continue
        out.append(entry)
    return out[::-1]


def _embed_text(document: LoadedDocument, path: tuple[str, ...], text: str, question: str | None) -> str:
    if question:
        return f"{question}\n{text}"
    heading = SECTION_SEPARATOR.join((document.meta.title or "",) + path)
    return f"{heading}\n{text}"


def chunk_id(source: str, path: tuple[str, ...], occurrence: int, part: int) -> str:
    """Stable across runs: depends on where the chunk sits, not on what it says."""
    key = "\x1f".join([source, *path, str(occurrence), str(part)])
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def split_to_budget(text: str, max_tokens: int) -> list[str]:
    """Split ``text`` into pieces of at most ``max_tokens`` tokens, at the most natural
    boundaries available, without losing any non-whitespace text."""
    text = text.strip()
    if count_tokens(text) <= max_tokens:
        return [text]
    return _lead_ins_forward([piece for piece in _split(text, max_tokens, 0) if piece.strip()], max_tokens)


def _lead_ins_forward(pieces: list[str], max_tokens: int) -> list[str]:
    """A piece that ends with a paragraph introducing what follows ("Let us call listunspent():")
    hands that paragraph to the next piece, which starts with what it introduces, when both fit
    the budget; a lead-in alone at a chunk's end reads as a sentence cut off."""
    out = list(pieces)
    for i in range(len(out) - 1):
        head, sep, lead = out[i].rpartition("\n\n")
        if not sep or not lead.rstrip().endswith(":") or "```" in lead or not head.strip():
            continue
        moved = lead + "\n\n" + out[i + 1]
        if count_tokens(moved) <= max_tokens:
            out[i], out[i + 1] = head.rstrip(), moved
    return out


_FENCE = re.compile(r"^(`{3,})[^\n]*\n.*?\n\1$", re.M | re.S)


def _paragraphs(text: str) -> list[str]:
    """Blank-line separated parts; a fenced code block stays whole, blank lines and all."""
    parts, start = [], 0
    for fence in _FENCE.finditer(text):
        parts += _BOUNDARIES[0][0].split(text[start:fence.start()])
        parts.append(fence.group(0))
        start = fence.end()
    parts += _BOUNDARIES[0][0].split(text[start:])
    return parts


def _split(text: str, budget: int, level: int) -> list[str]:
    if level == len(_BOUNDARIES):
        return _hard_cut(text, budget)
    pattern, joiner = _BOUNDARIES[level]
    raw = _paragraphs(text) if level == 0 else pattern.split(text)
    parts = [p.strip() for p in raw if p.strip()]
    if len(parts) <= 1:
        if level == 0 and parts and _FENCE.fullmatch(parts[0]):  # the section is one code block
            return _split_code(parts[0], budget)
        return _split(text, budget, level + 1)
    out: list[str] = []
    current, current_tokens = "", 0
    joiner_tokens = count_tokens(joiner) if joiner.strip() else 1
    for part in parts:
        part_tokens = count_tokens(part)
        if part_tokens <= budget:
            pieces = [part]
        elif level == 0 and _FENCE.fullmatch(part):
            # The block's first lines finish the chunk that introduces them ("Let us call listunspent():").
            room = budget - current_tokens - joiner_tokens if current else budget
            pieces = _split_code(part, budget, room if room >= MIN_CODE_START else budget)
        else:
            pieces = _split(part, budget, level + 1)
        for index, piece in enumerate(pieces):
            piece_tokens = part_tokens if piece is part else count_tokens(piece)
            # Only a part's first piece may join what came before: its later pieces were
            # already packed at a finer boundary (or cut inside a word, where no joiner
            # belongs).
            if index == 0 and current and current_tokens + joiner_tokens + piece_tokens <= budget:
                candidate = current + joiner + piece
                # BPE counts are almost additive; check the rare case where they are not.
                candidate_tokens = count_tokens(candidate)
                if candidate_tokens <= budget:
                    current, current_tokens = candidate, candidate_tokens
                    continue
            if current:
                out.append(current)
            current, current_tokens = piece, piece_tokens
    if current:
        out.append(current)
    return out


def _split_code(block: str, budget: int, first_budget: int | None = None) -> list[str]:
    """A fenced code block over the budget: its lines split, each piece in fences of its own, so
    no chunk holds half a block that would read as prose. Lines stay as written (indentation and
    blank lines are what JSON, YAML or Python mean), except that no piece starts or ends on a
    blank line."""
    opening, _, rest = block.partition("\n")
    body, _, closing = rest.rpartition("\n")
    # the fences counted apart: "\n\n" is one token, a newline after each fence may not be
    room = budget - count_tokens(opening + "\n") - count_tokens("\n" + closing)
    if room < 8:  # no room for code between fences: lines as they are
        return _split(block, budget, 1)
    limit = budget if first_budget is None else min(first_budget, budget)  # the first piece's, then the budget

    def fenced(lines: list[str]) -> str:
        return opening + "\n" + "\n".join(lines) + "\n" + closing

    pieces: list[list[str]] = []
    current: list[str] = []
    for line in (cut for line in body.split("\n") for cut in _code_line(line, room)):
        if not current and not line.strip():
            continue
        if current and count_tokens(fenced(current + [line])) > (budget if pieces else limit):
            pieces.append(current)
            current = [line] if line.strip() else []
            continue
        current.append(line)
    if current:
        pieces.append(current)
    return [fenced(_without_trailing_blanks(lines)) for lines in pieces]


def _without_trailing_blanks(lines: list[str]) -> list[str]:
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    return lines[:end]


def _code_line(line: str, budget: int) -> list[str]:
    """A line of code as it is, or, alone over the budget, cut at its spaces (the first piece keeps
    the indentation), a 'word' still over it cut by characters."""
    if count_tokens(line) <= budget:
        return [line]
    out, current = [], ""
    for word in re.findall(r"\s*\S+", line):
        if current and count_tokens(current + word) <= budget:
            current += word
            continue
        if current:
            out.append(current)
            word = word.lstrip()
        if count_tokens(word) <= budget:
            current = word
        else:
            *cut, current = _hard_cut(word, budget)
            out += cut
    if current:
        out.append(current)
    return out


def _hard_cut(text: str, budget: int) -> list[str]:
    """A single 'word' over the budget (a pasted hash, a URL): cut it by characters."""
    out, start = [], 0
    step = max(budget * 4, 1)  # about four characters a token; shrunk below while over
    while start < len(text):
        end = min(len(text), start + step)
        while end > start + 1 and count_tokens(text[start:end]) > budget:
            end = start + max(1, (end - start) * 3 // 4)
        out.append(text[start:end])
        start = end
    return out
