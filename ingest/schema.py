"""The knowledge-file schema: validate fields that are present, infer the ones that are not.

Front matter is optional because real help-center exports rarely follow our schema; a
field that is *present* but invalid is an error that names its line and the fix.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePosixPath
from typing import Any

from app.core.regions import HINT as REGION_HINT, RegionError, region_code
from app.core.source_urls import NOT_FROM_PATH, is_page_address
from ingest.document import AUDIENCES, DOC_TYPES, DocumentMeta, Section
from ingest.errors import KnowledgeFileError

# Accepted spellings of each field, as editors and help-desk tools write them.
FIELD_ALIASES = {
    "title": ("title", "name"),
    "doc_type": ("type", "doc_type", "kind"),
    "category": ("category", "section", "topic"),
    "region": ("region", "locale", "jurisdiction"),
    "audience": ("audience",),
    "effective_date": ("effective_date", "effective-date", "effective", "date", "updated_at", "updated", "last_updated"),
    "version": ("version",),
    "tags": ("tags", "labels", "keywords"),
    "url": ("url", "permalink", "canonical_url", "canonical", "html_url", "source_url"),
}
_KEY_TO_FIELD = {alias: name for name, aliases in FIELD_ALIASES.items() for alias in aliases}

_SLUG = re.compile(r"[^a-z0-9]+")
_QUESTION_WORDS = {"how", "what", "why", "when", "where", "who", "which", "can", "do", "does", "is", "are",
                   "will", "should", "could", "would", "may", "i", "i'm", "i've", "my"}


def slugify(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")


def normalise_key(key: Any) -> str:
    return str(key).strip().lower().replace(" ", "_")


# The names Beacon's own schema uses (docs: knowledge/README.md). Other accepted spellings are
# aliases that site generators and help-desk tools also use with meanings of their own.
CANONICAL_KEYS = {"title", "type", "category", "region", "audience", "effective_date", "version", "tags", "url"}


def parse_meta(raw: dict[str, Any], source: str, lines: dict[str, int] | None = None,
               warnings: list[str] | None = None) -> DocumentMeta:
    """Validate the recognised fields of ``raw`` (front matter, a YAML header, a CSV row).

    Unknown keys are ignored: exports carry their own (author, slug, id...). ``lines`` maps
    each raw key to its line in the file so an error can point at it. With ``warnings`` (a page
    of a site generator's help centre), an alias whose value is not one Beacon knows
    (``locale: en_US``, ``kind: page``) is left out with a warning instead of failing the file:
    the generator meant something else by it. Beacon's own field names stay strict.
    """
    lines = lines or {}
    meta = DocumentMeta()
    ignored: set[str] = set()
    for key, value in raw.items():
        name = _KEY_TO_FIELD.get(normalise_key(key))
        if name is None or getattr(meta, name) is not None:
            continue
        try:
            setattr(meta, name, _validate(name, str(key), value, source, lines.get(key)))
        except KnowledgeFileError as exc:
            if warnings is None or normalise_key(key) in CANONICAL_KEYS:
                raise
            warnings.append(f"{exc.source}{f' line {exc.line}' if exc.line else ''}: {exc.problem}; "
                            f"ignored (the field is read as {name})")
            ignored.add(name)
    if warnings is not None and meta.url is None and ("url" in ignored or _moved_from_path(raw, source)):
        meta.url = NOT_FROM_PATH  # a pattern would build an address the site does not serve (app/core/source_urls.py)
    return meta


def _moved_from_path(raw: dict[str, Any], source: str) -> bool:
    """Whether a site generator's page says its address is not its file's path: Hugo's and Docusaurus' ``slug``,
    Docusaurus' ``id``, when either differs from the file's name."""
    stem = PurePosixPath(source).stem
    return any(normalise_key(key) in ("slug", "id") and value is not None and str(value).strip().strip("/") != stem
               for key, value in raw.items())


def _validate(name: str, key: str, value: Any, source: str, line: int | None) -> Any:
    def fail(problem: str, fix: str) -> KnowledgeFileError:
        return KnowledgeFileError(source, problem, fix, line)

    if value is None or (isinstance(value, str) and not value.strip()):
        raise fail(f"{key} is empty", f"give {key} a value or delete the line")
    if name == "tags":
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)) or any(isinstance(i, (dict, list)) for i in items):
            raise fail(f"{key} must be a list of words", f"write {key}: [cards, fees] or {key}: cards, fees")
        return tuple(str(i).strip() for i in items if str(i).strip())
    if isinstance(value, (dict, list)):
        raise fail(f"{key} must be a single value, not a {type(value).__name__}", f"write {key}: <value> on one line")
    if name == "effective_date":
        return _as_date(value, key, fail)
    text = str(value).strip()
    if name == "doc_type":
        if text.lower() not in DOC_TYPES:
            raise fail(f"{key} {text!r} is not a known type", f"use one of: {', '.join(DOC_TYPES)}")
        return text.lower()
    if name == "region":
        try:  # a site generator's ``locale: fr`` is a language
            return region_code(text, language_is_not_region=normalise_key(key) == "locale")
        except RegionError as exc:
            raise fail(f"{key} {exc}", REGION_HINT) from None
    if name == "audience":
        if text.lower() not in AUDIENCES:
            raise fail(f"{key} {text!r} is not a known audience", f"use one of: {', '.join(AUDIENCES)}")
        return text.lower()
    if name == "category":
        slug = slugify(text)
        if not slug:
            raise fail(f"{key} {text!r} has no letters or digits", "use a short slug such as cards or crypto")
        return slug
    if name == "url" and not is_page_address(text):
        raise fail(f"{key} {text!r} is neither a web address nor a path from the site's root",
                   f"write {key}: https://help.example.com/cards/freeze or {key}: /cards/freeze")
    return text  # title, version, url


def _as_date(value: Any, key: str, fail) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    match = re.match(r"(\d{4}-\d{2}-\d{2})", text)
    if match:
        try:
            return dt.date.fromisoformat(match.group(1)).isoformat()
        except ValueError:
            pass
    raise fail(f"{key} {text!r} is not a date", f"write {key} as YYYY-MM-DD, for example 2026-07-01")


def looks_like_question(heading: str) -> bool:
    words = heading.strip().lower().split()
    if not words:
        return False
    return words[-1].endswith("?") or (words[0] in _QUESTION_WORDS and len(words) >= 4)


def infer_doc_type(sections: list[Section]) -> str:
    """A document whose headings are mostly questions is an FAQ; anything else a policy."""
    headings = [s.path[0] for s in sections if s.path]
    tops = list(dict.fromkeys(headings))
    if tops and sum(looks_like_question(h) for h in tops) * 2 > len(tops):
        return "faq"
    return "policy"


def title_from_filename(source: str) -> str:
    stem = PurePosixPath(source).stem
    words = re.sub(r"[-_]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else stem


def complete_meta(meta: DocumentMeta, source: str, sections: list[Section]) -> DocumentMeta:
    """Fill every field the file did not give, so each chunk carries full metadata."""
    parent = PurePosixPath(source).parent
    return DocumentMeta(
        title=meta.title or title_from_filename(source),  # loaders set it from the first heading
        doc_type=meta.doc_type or infer_doc_type(sections),
        category=meta.category or (slugify(parent.name) if parent.name else "general"),
        region=meta.region or "global",
        audience=meta.audience or "customer",
        effective_date=meta.effective_date,
        version=meta.version,
        tags=meta.tags or (),
        url=meta.url,
    )
