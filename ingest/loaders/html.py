"""HTML help-centre exports, one article per file (Zendesk, Intercom, Freshdesk and static-site
builds): the article's headings and text as a reader sees them (``ingest/html_text.py``). The
title is the page's first heading, else its ``<title>``; front matter above the HTML (Jekyll
pages) is read as for Markdown."""

from __future__ import annotations

import posixpath

from ingest.document import LoadedDocument
from ingest.frontmatter import split_front_matter
from ingest.html_text import html_blocks
from ingest.markdown_text import record_link
from ingest.outline import sections_from_blocks
from ingest.schema import parse_meta


def load_html(text: str, source: str) -> LoadedDocument:
    raw, key_lines, body, body_line = split_front_matter(text, source)
    warnings: list[str] = []
    meta = parse_meta(raw, source, key_lines, warnings)
    blocks, page_title, targets, anchors = html_blocks(body, body_line)
    sections, heading_title = sections_from_blocks(blocks)
    meta.title = meta.title or heading_title or page_title
    links: list[str] = []
    for target in targets:
        record_link(target, posixpath.dirname(source), links)
    return LoadedDocument(source=source, meta=meta, sections=sections, links=links, anchors=anchors, warnings=warnings)
