"""Read one knowledge file safely: size, encoding and content checks, then its loader."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ingest.document import LoadedDocument
from ingest.errors import KnowledgeFileError, NothingToIndex
from ingest.loaders import BINARY_LOADERS, LOADERS
from ingest.schema import complete_meta, looks_like_question

_NORMALISE = re.compile(r"[^a-z0-9]+")


# Plain-text files that sit in documentation folders and are not help-centre text: build pins,
# licences, robots and LLM index files (llms.txt repeats the pages it lists).
_NOT_KNOWLEDGE_TEXT = re.compile(r"^(?:requirements|constraints|robots|licen[cs]e|copying|notice|authors|contributors"
                                 r"|cmakelists|llms|llms-full)(?:[-_.].*)?$", re.I)


def is_supported(path: Path) -> bool:
    suffix = path.suffix.lower()
    if suffix == ".txt" and _NOT_KNOWLEDGE_TEXT.match(path.stem):
        return False
    return suffix in LOADERS or suffix in BINARY_LOADERS


def refusal(path: Path) -> str:
    """Why ``is_supported`` refuses a file: ingest's skip notice and the upload error say it."""
    if path.suffix.lower() in LOADERS:
        return "a build, licence or index file, not help-centre text"
    return f"unsupported file type {path.suffix or '(none)'}"


def is_binary(path: Path) -> bool:
    return path.suffix.lower() in BINARY_LOADERS


# An HTML page's declared encoding: <meta charset="…">, <meta http-equiv="Content-Type" content="text/html;
# charset=…"> or an XHTML page's <?xml … encoding="…"?>, all in the ASCII part of the first bytes.
_DECLARED_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?([\w.:-]+)"""
                               rb"""|<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)""", re.I)
# Browsers read pages labelled Latin-1 or ASCII as Windows-1252 (the HTML standard says so), whose
# 0x80–0x9f are curly quotes and dashes rather than control characters.
_AS_WINDOWS_1252 = {"iso8859-1", "ascii"}


def _declared_decoding(raw: bytes) -> str | None:
    """An HTML page in the encoding it declares, or None when it declares none Python knows or
    its bytes are not in it."""
    match = _DECLARED_CHARSET.search(raw[:4096])
    if match is None:
        return None
    try:
        codec = codecs.lookup((match.group(1) or match.group(2)).decode("ascii")).name
    except LookupError:
        return None
    if codec.startswith(("utf-16", "utf-32")):  # a page whose bytes were read this far is not UTF-16
        return None
    for name in (["cp1252"] if codec in _AS_WINDOWS_1252 else []) + [codec]:
        try:
            return raw.decode(name)
        except UnicodeDecodeError:
            continue
    return None


def decode(raw: bytes, source: str) -> str:
    if not raw.strip():
        raise KnowledgeFileError(source, "the file is empty", "add content or delete the file")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise KnowledgeFileError(source, "the file is UTF-16 text", "re-save it with UTF-8 encoding")
    if b"\x00" in raw[:8192]:
        raise KnowledgeFileError(source, "this is a binary file, not text", "export it as Markdown, YAML or CSV")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        declared = _declared_decoding(raw) if source.lower().endswith((".html", ".htm")) else None
        if declared is None:
            line = raw[: exc.start].count(b"\n") + 1
            raise KnowledgeFileError(
                source, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})", "re-save the file with UTF-8 encoding", line
            ) from None
        text = declared
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _sizes(size: int, limit: int) -> tuple[str, str]:
    """Both sizes in the limit's unit, with enough decimals that they read differently."""
    unit, scale = ("MB", 1e6) if limit >= 1e6 else ("KB", 1e3) if limit >= 1e3 else ("bytes", 1)
    for decimals in (1, 2, 3):
        shown, cap = f"{size / scale:.{decimals}f} {unit}", f"{limit / scale:.{decimals}f} {unit}"
        if shown != cap:
            break
    return shown, cap


def read_document(path: Path, source: str, max_bytes: int) -> LoadedDocument:
    """Load ``path`` (shown to editors as ``source``) into a validated, fully described document."""
    size = path.stat().st_size
    if size > max_bytes:
        shown, limit = _sizes(size, max_bytes)
        raise KnowledgeFileError(
            source, f"the file is {shown}, over the {limit} limit",
            "split it into smaller files, or raise BEACON_MAX_FILE_MB",
        )
    suffix = path.suffix.lower()
    if suffix in BINARY_LOADERS:
        raw = path.read_bytes()
        if not raw.strip():
            raise KnowledgeFileError(source, "the file is empty", "add content or delete the file")
        return parse_document(raw, source, BINARY_LOADERS[suffix])
    text = decode(path.read_bytes(), source)
    return parse_document(text, source, LOADERS[suffix])


def parse_document(content: str | bytes, source: str, loader) -> LoadedDocument:
    document = loader(content, source)
    if not any(s.text.strip() for s in document.sections):
        if document.navigation:
            raise NothingToIndex(source, "a contents page: it only lists other pages or its own headings",
                                 "nothing to do, the pages it lists are indexed themselves")
        raise KnowledgeFileError(source, "the file has no content besides its header", "add content or delete the file")
    document.meta = complete_meta(document.meta, source, document.sections)
    for section in document.sections:
        section.meta = section.meta.merged_over(document.meta)
    if document.meta.doc_type == "faq":
        _mark_questions(document)
    return document


def _mark_questions(document: LoadedDocument) -> None:
    """In an FAQ, each question heading with everything under it is one entry; questions
    must be unique within the file."""
    first_seen: dict[str, int] = {}
    for section in document.sections:
        if section.question is None and section.path and looks_like_question(section.path[0]):
            section.question = section.path[0]
        if section.question is None or len(section.path) > 1:
            continue
        key = _NORMALISE.sub(" ", section.question.lower()).strip()
        if key in first_seen:
            raise KnowledgeFileError(
                document.source, f"duplicate FAQ question {section.question!r} (first at line {first_seen[key]})",
                "merge the two answers or reword one question", section.line,
            )
        first_seen[key] = section.line


def text_to_scan(path: Path, source: str, document: LoadedDocument) -> str:
    """What the knowledge-file scan reads: the raw file (comments and hidden HTML included), or
    for a binary format (PDF) the text extracted from it."""
    if is_binary(path):
        return "\n\n".join(s.text for s in document.sections)
    return decode(path.read_bytes(), source)
