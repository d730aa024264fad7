"""YAML FAQ files: document fields at the top level and a ``faqs:`` list of entries."""

from __future__ import annotations

from ingest.document import LoadedDocument, Section
from ingest.errors import KnowledgeFileError
from ingest.frontmatter import LineDict, load_yaml
from ingest.schema import parse_meta

ENTRY_KEYS = ("faqs", "questions", "entries")


def load_yaml_faq(text: str, source: str) -> LoadedDocument:
    data = load_yaml(text, source)
    if not isinstance(data, LineDict):
        raise KnowledgeFileError(
            source, "a YAML FAQ file must be a mapping with a faqs: list", "start with title: ... and faqs:", 1
        )
    key = next((k for k in ENTRY_KEYS if k in data), None)
    if key is None:
        raise KnowledgeFileError(
            source, "no faqs: list found", "add faqs: with items like '- question: ...' and 'answer: ...'", data.line
        )
    entries = data[key]
    if not isinstance(entries, list) or not entries:
        raise KnowledgeFileError(
            source, f"{key}: must be a non-empty list", "add items like '- question: ...' and 'answer: ...'",
            data.key_lines.get(key),
        )
    meta = parse_meta({k: v for k, v in data.items() if k != key}, source, data.key_lines)
    meta.doc_type = meta.doc_type or "faq"
    if meta.doc_type != "faq":
        raise KnowledgeFileError(
            source, f"a YAML FAQ file cannot have type {meta.doc_type}", "remove the type field or set it to faq",
            data.key_lines.get("type"),
        )
    sections = [_entry(item, source, data.key_lines.get(key, 1)) for item in entries]
    return LoadedDocument(source=source, meta=meta, sections=sections)


def _entry(item, source: str, list_line: int) -> Section:
    if not isinstance(item, LineDict):
        raise KnowledgeFileError(
            source, "an FAQ entry is not a mapping", "write each entry as '- question: ...' then 'answer: ...'", list_line
        )
    fields = {}
    for field in ("question", "answer"):
        value = item.get(field)
        if value is None or not str(value).strip():
            where = item.key_lines.get(field, item.line)
            raise KnowledgeFileError(
                source, f"FAQ entry is missing its {field}", f"add a non-empty {field}: to the entry", where
            )
        if isinstance(value, (dict, list)):
            raise KnowledgeFileError(
                source, f"{field} must be text", f"write {field}: as a string (use | for several lines)",
                item.key_lines.get(field),
            )
        fields[field] = str(value).strip()
    overrides = parse_meta({k: v for k, v in item.items() if k not in ("question", "answer")}, source, item.key_lines)
    return Section(
        path=(fields["question"],),
        text=fields["answer"],
        line=item.key_lines.get("question", item.line),
        question=fields["question"],
        meta=overrides,
    )
