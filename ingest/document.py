"""What a loader produces: a document's metadata and its sections, before chunking."""

from __future__ import annotations

from dataclasses import dataclass, field

DOC_TYPES = ("faq", "policy")
AUDIENCES = ("customer", "business", "all")


@dataclass
class DocumentMeta:
    """Front-matter fields. ``None`` means "not given": the schema module infers it."""

    title: str | None = None
    doc_type: str | None = None
    category: str | None = None
    region: str | None = None
    audience: str | None = None
    effective_date: str | None = None
    version: str | None = None
    tags: tuple[str, ...] | None = None
    url: str | None = None  # the page's public address, or its path from the site's root (app/core/source_urls.py)

    def merged_over(self, base: "DocumentMeta") -> "DocumentMeta":
        """This metadata with gaps filled from ``base`` (an FAQ row over its file's defaults)."""
        return DocumentMeta(**{k: v if v is not None else getattr(base, k) for k, v in vars(self).items()})


@dataclass
class Section:
    """A piece of a document under one heading path (an FAQ entry, or a policy section)."""

    path: tuple[str, ...]
    text: str
    line: int
    question: str | None = None  # set for FAQ entries
    meta: DocumentMeta = field(default_factory=DocumentMeta)  # per-entry overrides (CSV rows, YAML items)


@dataclass
class LoadedDocument:
    source: str  # path relative to the knowledge directory, with forward slashes
    meta: DocumentMeta
    sections: list[Section]
    links: list[str] = field(default_factory=list)  # relative link targets, resolved against the KB
    # (link text, target as written, line) of every link, so that an answer which says "read this
    # guide" can be followed to the article the link points at (app/index/link_targets.py)
    anchors: list[tuple[str, str, int]] = field(default_factory=list)
    # (label, line of the heading it names) of each Sphinx label (``.. _gap limit:``) the file defines,
    # so a ``:ref:`` to it from any file leads here
    labels: list[tuple[str, int]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    navigation: bool = False  # the loader dropped a table of contents (toctree, in-page contents list)
