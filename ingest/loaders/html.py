"""HTML help-centre exports, one article per file (Zendesk, Intercom, Freshdesk and static-site
builds): the article's headings and text as a reader sees them (``ingest/html_text.py``). The
title is the page's first heading, else its ``og:title``, else its ``<title>`` without the site's
name after it; front matter above the HTML (Jekyll pages) is read as for Markdown. The page's public address
is its front matter ``url``, else its canonical link, else its ``og:url``."""

from __future__ import annotations

import posixpath
import re

from app.core.source_urls import NOT_FROM_PATH, is_page_address
from ingest.document import LoadedDocument
from ingest.errors import NothingToIndex
from ingest.frontmatter import split_front_matter
from ingest.html_text import HtmlPage, html_page
from ingest.markdown_text import record_link
from ingest.outline import sections_from_blocks
from ingest.schema import parse_meta

# "<page> - <site>": the last " - ", " | ", " – " or " — " of a <title> (greedy, so the last one).
_TITLE_SUFFIX = re.compile(r"^(?P<page>.+\S)\s+[-|–—]\s+(?P<site>\S.*)$")
# Words that name a site or a manual rather than a page ("Acme Help Center", "Node.js v20.20.2
# Documentation", "The Cargo Book").
_SITE_WORDS = re.compile(r"\b(?:documentation|docs|help\s+cent(?:er|re)|support|knowledge\s*base|manual|guide|book"
                         r"|wiki|faqs?|handbook)\b|\bv\d+(?:\.\d+)+\b", re.I)

# <meta http-equiv="refresh" content="0; URL=new-page.html">
_REFRESH_URL = re.compile(r"""^\s*\d*(?:\.\d*)?\s*[;,]?\s*url\s*=\s*['"]?([^'"\s]+)""", re.I)
# A redirect stub says little besides "Redirecting to … new-page.html" or "This page has moved".
_STUB_WORDS = 40


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def page_title(page: HtmlPage) -> str | None:
    """The title a page without a title heading gives itself: ``og:title`` (a page's own title by
    definition), else ``<title>`` without a trailing site name: the page's ``og:site_name`` or
    ``application-name``, words that name a site, a name the page shows as a heading of its banner
    ("Hash Maps - The Rust Programming Language" under a "The Rust Programming Language" menu bar), or
    anything after a title that is one of the page's headings ("Control Flow - …" over "Control Flow")."""
    if page.meta.get("og:title"):
        return page.meta["og:title"]
    title = page.title
    if not title or not (parts := _TITLE_SUFFIX.match(title)):
        return title
    own, site = parts.group("page"), parts.group("site")
    names = [page.meta.get("og:site_name", ""), page.meta.get("application-name", "")]
    for name in filter(None, names):  # a site name may itself hold a separator ("Acme | Help")
        for separator in (" - ", " | ", " – ", " — "):
            tail = separator + name
            if title.casefold().endswith(tail.casefold()) and len(title) > len(tail):
                return title[: -len(tail)].strip()
    if _SITE_WORDS.search(site) or any(_same(words, site) for words in page.headings) \
            or any(b.is_heading and _same(b.text, own) for b in page.blocks):
        return own
    return title


def page_address(page: HtmlPage) -> str | None:
    """The page's public address as a help-centre export writes it: its canonical link, else ``og:url``."""
    for key in ("canonical", "og:url"):
        if is_page_address(found := page.meta.get(key, "")):
            return found
    return None


def _redirect(page: HtmlPage) -> str | None:
    """Where a redirect stub sends the reader: a page with a meta refresh to another URL and no
    more than a line of text of its own; else None."""
    target = _REFRESH_URL.match(page.meta.get("refresh", ""))
    if target is None or sum(len(b.text.split()) for b in page.blocks) > _STUB_WORDS:
        return None
    return target.group(1)


def load_html(text: str, source: str) -> LoadedDocument:
    raw, key_lines, body, body_line = split_front_matter(text, source)
    warnings: list[str] = []
    meta = parse_meta(raw, source, key_lines, warnings)
    page = html_page(body, body_line)
    if (target := _redirect(page)) is not None:
        raise NothingToIndex(source, f"a redirect to another page ({target})",
                             "nothing to do, the page it leads to is indexed if it is in the knowledge folder")
    sections, heading_title = sections_from_blocks(page.blocks)
    meta.title = meta.title or heading_title or page_title(page)
    if meta.url in (None, NOT_FROM_PATH):  # the page's canonical link is its address, wherever its file sits
        meta.url = page_address(page) or meta.url
    links: list[str] = []
    for target in page.links:
        record_link(target, posixpath.dirname(source), links)
    return LoadedDocument(source=source, meta=meta, sections=sections, links=links, anchors=page.anchors,
                          navigation=page.navigation, warnings=warnings)
