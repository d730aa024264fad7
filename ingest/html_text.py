"""HTML as a reader sees it: headings and plain-text blocks, from a help-centre article export,
an HTML block inside Markdown, or a help-desk CSV body.

The page is parsed into a tree by ``ingest/html_tree.py`` (the standard library's ``html.parser``).
Only what is rendered for the reader becomes text: no scripts, styles, navigation, page header or footer,
forms, hidden elements, comments, or images (alt text and a picture's ``<figcaption>`` describe
what the customer cannot see in a chat), nor a help-centre theme's furniture inside the content (breadcrumbs, related
articles, sidebars, vote and share widgets). When the page marks its content (``<main>``,
``<article>``, ``role="main"``) only that is read; an article's own ``<header>`` gives its headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.html_tree import (HEADINGS, SKIP, SPACE, Node, all_nodes, all_text, furniture, hidden,
                              is_layout_table, is_page_contents, own_cells, own_rows, parse_html, permalink)
from ingest.outline import (Block, before_picture, fenced, heading, is_contents_heading, list_item_lines, text,
                            without_dangling_colon)
from ingest.schema import looks_like_question

_PARAGRAPHS = {"p", "div", "section", "article", "main", "blockquote", "dd", "dt", "figcaption", "address", "details",
               "summary", "center", "body", "html", "li", "td", "th", "caption", "dl", "fieldset", "legend"}
_MEDIA = {"img", "picture", "svg", "video", "iframe", "object", "embed"}
_LIST_MARK = re.compile(r"^\s*(?:-|\d+\.)\s+")


def _main_content(root: Node) -> Node:
    """The page's marked content: ``<main>`` (or ``role="main"``), narrowed to its one
    ``<article>`` when it holds exactly one (a theme's main area also holds breadcrumbs and
    sidebars); else the first ``<article>``; else the whole page."""
    main = root.find(lambda n: n.tag == "main" or n.attrs.get("role") == "main")
    articles = all_nodes(main or root, lambda n: n.tag == "article")
    if len(articles) == 1 or (articles and main is None):
        return articles[0]
    return main or root


class _Walker:
    def __init__(self, first_line: int, in_content: bool = False,
                 anchors: list[tuple[str, str, int]] | None = None, in_heading: bool = False) -> None:
        self.first_line = first_line
        self.in_heading = in_heading  # walking a heading's words, where a permalink is no part of them
        self.in_content = in_content  # walking the page's marked content, where a <header> is the article's
        self.blocks: list[Block] = []
        self.links: list[str] = []
        self.anchors = [] if anchors is None else anchors  # (link text, href, line), shared with nested walkers
        self.inline: list[str] = []
        self.inline_line = first_line
        self.pictured = False  # the last thing walked was a picture (dropped), not words
        self.level = 1  # the last heading's level: a <details> question goes one under it
        self.navigation = False  # an in-page table of contents was dropped

    def line(self, node: Node) -> int:
        return self.first_line + node.line - 1

    def flush(self) -> None:
        content = SPACE.sub(" ", "".join(self.inline)).strip()
        if content:
            self.blocks.append(text(without_dangling_colon(content) if self.pictured else content, self.inline_line))
        elif self.pictured and self.blocks:
            before_picture(self.blocks[-1])  # "… is available:" then the screenshot, which is not kept
        self.inline = []
        self.pictured = False

    def add_inline(self, piece: str, node: Node | None = None) -> None:
        if not "".join(self.inline).strip() and node is not None:
            self.inline_line = self.line(node)
        self.inline.append(piece)

    def walk(self, node: Node) -> None:
        for child in node.children:
            if isinstance(child, str):
                if child.strip() and not "".join(self.inline).strip():
                    self.inline_line = self.line(node)
                self.inline.append(child)
                self.pictured = self.pictured and not child.strip()
                continue
            self.element(child)

    def element(self, node: Node) -> None:
        tag = node.tag
        if tag == "header" and self.in_content and not hidden(node):  # an article's header: keep its headings
            for found in all_nodes(node, lambda n: n.tag in HEADINGS):
                self.element(found)
            return
        if tag in _MEDIA and not hidden(node):
            self.pictured = True
        if tag in SKIP or hidden(node) or tag == "img" or furniture(node) or self.in_heading and permalink(node):
            return
        if tag == "figure" and all_nodes(node, lambda n: n.tag in _MEDIA):  # a picture's caption describes the picture
            self.flush()
            for child in node.children:
                if not (isinstance(child, Node) and child.tag == "figcaption"):
                    self.walk(Node("div", {}, node.line, [child]))
            self.flush()
            return
        if tag in HEADINGS:
            self.flush()
            words = self.heading_words(node, drop_permalinks=True) or self.heading_words(node, False)
            self.level = HEADINGS[tag]
            self.blocks.append(heading(words, self.level, self.line(node)))
            return
        if tag == "details" and self.details(node):
            return
        if tag == "br":
            self.inline.append("\n")
            return
        if tag == "a" and (href := node.attrs.get("href")):
            if href not in self.links:
                self.links.append(href)
            if shown := SPACE.sub(" ", "".join(all_text(node))).strip():
                self.anchors.append((shown, href, self.line(node)))
        if tag == "pre":
            self.flush()
            code = _code_text(node)
            if code.strip():
                self.blocks.append(text(fenced(code), self.line(node)))
            return
        if tag in ("ul", "ol") and is_page_contents(node):
            self.flush()
            self.navigation = True  # it repeats the headings; its own heading would hold the sections after it
            if self.blocks and is_contents_heading(self.blocks[-1]):
                self.blocks.pop()
            return
        if tag in ("ul", "ol"):
            self.flush()
            lines = self.list_lines(node, 0)
            if lines:
                self.blocks.append(text("\n".join(lines), self.line(node)))
            return
        if tag == "table" and is_layout_table(node):  # a page laid out in a table: its cells read in order
            self.flush()
            for cell in own_cells(node):  # a table inside a cell is read where it stands
                self.walk(cell)
                self.flush()
            return
        if tag == "table":
            self.flush()
            rows = self.table_rows(node)
            if rows:
                self.blocks.append(text("\n".join(rows), self.line(node)))
            return
        if tag in _PARAGRAPHS:
            self.flush()
            self.walk(node)
            self.flush()
            return
        self.walk(node)

    def heading_words(self, node: Node, drop_permalinks: bool) -> str:
        """A heading's words; without its permalink unless that link is all the heading says
        (a whole title linked to itself with class "anchor")."""
        inner = _Walker(self.first_line, self.in_content, in_heading=drop_permalinks)
        inner.walk(node)
        words = " ".join(b.text for b in inner.blocks) or SPACE.sub(" ", "".join(inner.inline)).strip()
        if words:
            self.links += [link for link in inner.links if link not in self.links]
            self.anchors += inner.anchors
        return words

    def _cell_text(self, node: Node) -> str:
        """A table cell's own words; a list in it reads as its items, comma-separated (a row is one line)."""
        inner = _Walker(self.first_line, self.in_content, self.anchors)
        for child in node.children:
            if isinstance(child, Node) and child.tag in ("ul", "ol"):
                inner.flush()
                items = [_LIST_MARK.sub("", line).strip() for line in inner.list_lines(child, 0)]
                inner.inline.append(", ".join(item for item in items if item))
                inner.flush()
            elif isinstance(child, Node):
                inner.element(child)
            else:
                inner.inline.append(child)
        inner.flush()
        self.links += [link for link in inner.links if link not in self.links]
        return " ".join(b.text for b in inner.blocks if not b.is_heading)

    def details(self, node: Node) -> bool:
        """A collapsible FAQ entry whose summary asks a question: the question a heading one level
        under the last, the rest its section, closed after it (False for any other <details>)."""
        summary = next((c for c in node.children if isinstance(c, Node) and c.tag == "summary"), None)
        if summary is None:
            return False
        inner = _Walker(self.first_line, self.in_content, self.anchors)
        inner.walk(summary)
        inner.flush()
        question = " ".join(b.text for b in inner.blocks if not b.is_heading)
        if not looks_like_question(question):
            return False
        self.flush()
        before, level = self.level, min(self.level + 1, 6)
        self.blocks.append(heading(question, level, self.line(node)))
        self.level = level
        for child in node.children:
            if child is not summary:
                self.walk(Node("div", {}, node.line, [child]))
        self.flush()
        self.blocks.append(heading("", level, self.line(node)))  # a heading without words ends the question
        self.level = before
        return True

    def _item_parts(self, node: Node, depth: int) -> list[str | list[str]]:
        """A list item's paragraphs (strings), code blocks and nested lists (lines), in order."""
        inner = _Walker(self.first_line, self.in_content, self.anchors)
        parts: list[str | list[str]] = []

        def drain() -> None:
            inner.flush()
            parts.extend(b.text.split("\n") if b.text.startswith("```") else b.text
                         for b in inner.blocks if not b.is_heading)
            inner.blocks = []

        for child in node.children:
            if isinstance(child, Node) and child.tag in ("ul", "ol") and not hidden(child):
                drain()
                parts.append(self.list_lines(child, depth + 1))
            elif isinstance(child, Node):
                inner.element(child)
            else:
                inner.inline.append(child)
        drain()
        self.links += [link for link in inner.links if link not in self.links]
        return parts

    def list_lines(self, node: Node, depth: int) -> list[str]:
        lines = []
        number = 1
        for item in node.children:
            if not isinstance(item, Node) or item.tag != "li" or hidden(item):
                continue
            marker = f"{number}." if node.tag == "ol" else "-"
            number += 1
            lines += list_item_lines(marker, depth, self._item_parts(item, depth))
        return lines

    def table_rows(self, node: Node) -> list[str]:
        rows = [[(self._cell_text(c), c.tag == "th") for c in row] for row in own_rows(node)]
        header: list[str] = []
        out = []
        for index, cells in enumerate(rows):
            if index == 0 and cells and all(is_head for _, is_head in cells):
                header = [c for c, _ in cells]
                continue
            values = [c for c, _ in cells]
            parts = [f"{h}: {v}" if h else v for h, v in zip(header + [""] * len(values), values) if v]
            if parts:
                out.append("; ".join(parts))
        if not out and header:
            out.append("; ".join(h for h in header if h))
        return out


def _code_text(pre: Node) -> str:
    """A ``<pre>``'s code. Several ``<code>`` elements side by side are variants of one example
    (Node's ES-module and CommonJS tabs): each keeps its own lines, a blank line between them."""
    pieces: list[list[str]] = [[]]
    for child in pre.children:
        if isinstance(child, Node) and child.tag == "code":
            pieces += [all_text(child, readable=True), []]
        else:
            pieces[-1] += all_text(Node("div", {}, pre.line, [child]), readable=True)
    return "\n\n".join(code for piece in pieces if (code := "".join(piece).strip("\n")).strip())


@dataclass
class HtmlPage:
    """An HTML page as ingest reads it: its headings and text blocks, what it says about itself
    outside its text (the ``<title>``; each ``<meta>`` value by its lower-cased name, property or
    http-equiv: ``og:title``, ``og:site_name``, ``refresh``, and ``canonical``, the href of
    ``<link rel="canonical">``; the words of every heading on the page,
    the site's banner and menus included), its link targets, (link text, target, line) of each link,
    and whether an in-page table of contents was dropped."""

    blocks: list[Block]
    title: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    headings: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    anchors: list[tuple[str, str, int]] = field(default_factory=list)
    navigation: bool = False


def html_page(html: str, first_line: int = 1) -> HtmlPage:
    root = parse_html(html)
    content = _main_content(root)
    walker = _Walker(first_line, in_content=content is not root)
    walker.walk(content)
    walker.flush()
    title_node = root.find(lambda n: n.tag == "title")
    title = SPACE.sub(" ", "".join(all_text(title_node))).strip() if title_node else ""
    meta: dict[str, str] = {}
    for node in all_nodes(root, lambda n: n.tag == "meta"):
        key = (node.attrs.get("name") or node.attrs.get("property") or node.attrs.get("http-equiv") or "").lower()
        if key and key not in meta:
            meta[key] = SPACE.sub(" ", node.attrs.get("content", "")).strip()
    for node in all_nodes(root, lambda n: n.tag == "link" and "canonical" in n.attrs.get("rel", "").lower().split()):
        meta.setdefault("canonical", node.attrs.get("href", "").strip())
    headings = [SPACE.sub(" ", "".join(all_text(n))).strip() for n in all_nodes(root, lambda n: n.tag in HEADINGS)]
    return HtmlPage(walker.blocks, title or None, meta, headings, walker.links, walker.anchors, walker.navigation)


def looks_like_html(content: str) -> bool:
    return bool(re.search(r"</?(?:p|br|ul|ol|li|a|strong|em|b|i|div|span|table)\b[^>]*>", content, re.I))


def html_to_text(html: str) -> tuple[str, list[str]]:
    """Return (text, link targets): blocks separated by blank lines, list items ``- ``, a table row
    as ``Header: value; …``. Headings become lines of their own."""
    page = html_page(html)
    return "\n\n".join(b.text for b in page.blocks if b.text), page.links
