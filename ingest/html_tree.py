"""An HTML page as a tree, and what its elements are: the standard library's ``html.parser``
tokenises (lenient, nothing to install) and a small builder closes what HTML leaves implicit
(``<p>``, ``<li>``, table cells); the predicates say which elements a reader does not see (hidden,
page furniture, a heading's permalink), which lists are an in-page table of contents and which
tables lay out a page rather than hold data. ``ingest/html_text.py`` reads the text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
SKIP = {"script", "style", "noscript", "template", "svg", "nav", "header", "footer", "aside", "form", "button",
        "select", "iframe", "object", "canvas", "head", "title"}
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# A start tag that closes an open element of the same family (HTML's optional end tags).
_CLOSES = {"li": {"li"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"}, "tr": {"tr", "td", "th"}, "td": {"td", "th"},
           "th": {"td", "th"}, "option": {"option"}, "p": {"p"}}
_SCOPE = {"ul", "ol", "table", "tbody", "thead", "tfoot", "dl", "div", "section", "article", "blockquote", "body"}
_BLOCK_STARTS = {"p", "div", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "section",
                 "article", "dl", "details", "hr", "figure", "main"}
# Page furniture inside the content area of help-centre themes (Zendesk, Intercom, Freshdesk,
# Confluence, static sites): breadcrumbs, "related articles", the section's sidebar, vote and
# share widgets, comments, pagination, a page's "created by … last modified on …" line, its list
# of attachments. Matched on a whole word of the class or id (``related-articles``,
# ``article-votes``), or on ARIA's navigation role and breadcrumb label.
_FURNITURE = {"breadcrumb", "breadcrumbs", "related", "sidebar", "sidenav", "vote", "votes", "voting", "feedback",
              "share", "sharing", "social", "comment", "comments", "pagination", "pager", "subscribe", "promoted",
              "metadata", "byline", "attachments"}
_WORDS = re.compile(r"[a-z0-9]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
SPACE = re.compile(r"[ \t\r\n\u00a0\u2000-\u200b]+")
# A heading's permalink or source link is not heading text: Node's "#" (class "mark") and "[src]",
# Sphinx's "¶" (class "headerlink"), "§", "🔗" and the like. Matched on the class, or on visible
# text that is only a symbol or two (no letter or digit) or a "[src]"/"[source]" label.
_PERMALINK_CLASSES = {"headerlink", "anchor", "mark", "permalink", "srclink"}
_PERMALINK_TEXT = re.compile(r"[^\w\s]{1,3}|\[(?:src|source)\]", re.I)


@dataclass
class Node:
    tag: str
    attrs: dict
    line: int
    children: list = field(default_factory=list)  # Node or str

    def find(self, predicate) -> "Node | None":
        if predicate(self):
            return self
        for child in self.children:
            if isinstance(child, Node) and (found := child.find(predicate)) is not None:
                return found
        return None


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, 1)
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        closes = _CLOSES.get(tag, set())
        if tag in _BLOCK_STARTS:
            closes = closes | {"p"}
        for index in range(len(self.stack) - 1, 0, -1):
            open_tag = self.stack[index].tag
            if open_tag in closes:
                del self.stack[index:]
                break
            if open_tag in _SCOPE or open_tag in ("ul", "ol", "tr", "table"):
                break
        node = Node(tag, {k: v or "" for k, v in attrs}, self.getpos()[0])
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}, self.getpos()[0]))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_html(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def hidden(node: Node) -> bool:
    attrs = node.attrs
    return ("hidden" in attrs or attrs.get("aria-hidden", "").lower() == "true"
            or bool(_HIDDEN_STYLE.search(attrs.get("style", ""))))


def furniture(node: Node) -> bool:
    attrs = node.attrs
    if attrs.get("role", "").lower() in ("navigation", "complementary", "search", "banner", "contentinfo"):
        return True
    if "breadcrumb" in attrs.get("aria-label", "").lower() or attrs.get("data-view") == "cards":
        return True  # a breadcrumb trail; GitBook's card grid of links to other pages
    words = set(_WORDS.findall(f"{attrs.get('class', '')} {attrs.get('id', '')}".lower()))
    return bool(words & _FURNITURE)


def is_page_contents(node: Node) -> bool:
    """A list whose every item is nothing but a link to an anchor on the same page, its nested
    lists alike (npm nests a ``<ul>`` straight in a ``<ul>``): an in-page table of contents."""
    items = 0
    for child in node.children:
        if isinstance(child, str) or child.tag in ("ul", "ol"):
            if isinstance(child, str) and child.strip() or isinstance(child, Node) and not is_page_contents(child):
                return False
            continue
        if child.tag != "li":
            return False
        items += 1
        lists = [c for c in child.children if isinstance(c, Node) and c.tag in ("ul", "ol")]
        if not all(is_page_contents(nested) for nested in lists):
            return False
        own = Node("li", {}, child.line, [c for c in child.children if c not in lists])
        links = _outer_links(own)
        if len(links) != 1 or not links[0].attrs.get("href", "").startswith("#") \
                or SPACE.sub("", "".join(all_text(own))) != SPACE.sub("", "".join(all_text(links[0]))):
            return False
    return items > 0


def _outer_links(node: Node) -> list[Node]:
    """The ``<a>`` elements under ``node`` that are in no other (npm wraps a link to a command's
    page in the contents entry's link to its heading)."""
    if node.tag == "a":
        return [node]
    return [link for child in node.children if isinstance(child, Node) for link in _outer_links(child)]


_LAYOUT_BLOCKS = set(HEADINGS) | {"pre", "table", "blockquote"}
_CELL_BLOCKS = {"p", "ul", "ol", "dl", "div", "pre", "blockquote"}


def is_layout_table(node: Node) -> bool:
    """A table that lays out a page rather than holding data (old DocBook and xmlsoft pages, email-
    style exports): it says so (role="presentation"), or a cell holds a heading, code, another table,
    or more than one block of text."""
    if node.attrs.get("role") in ("presentation", "none"):
        return True
    for cell in own_cells(node):
        inside = [c for c in cell.children if isinstance(c, Node)]
        if all_nodes(cell, lambda n: n.tag in _LAYOUT_BLOCKS) or sum(c.tag in _CELL_BLOCKS for c in inside) > 1:
            return True
    return False


def own_rows(table: Node) -> list[list[Node]]:
    """The cells of each of the table's own visible rows (not a table's nested in one), in order."""
    rows: list[list[Node]] = []
    for child in table.children:
        if not isinstance(child, Node) or hidden(child):
            continue
        if child.tag in ("thead", "tbody", "tfoot"):
            rows += own_rows(child)
        elif child.tag == "tr":
            rows.append([c for c in child.children if isinstance(c, Node) and c.tag in ("td", "th")])
    return rows


def own_cells(table: Node) -> list[Node]:
    """The table's own visible cells in reading order."""
    return [cell for row in own_rows(table) for cell in row if not hidden(cell)]


def all_nodes(node: Node, predicate) -> list[Node]:
    found = [node] if predicate(node) else []
    for child in node.children:
        if isinstance(child, Node):
            found += all_nodes(child, predicate)
    return found


def permalink(node: Node) -> bool:
    if node.tag != "a":
        return False
    if set(_WORDS.findall(node.attrs.get("class", "").lower())) & _PERMALINK_CLASSES:
        return True
    return bool(_PERMALINK_TEXT.fullmatch(SPACE.sub("", "".join(all_text(node)))))


def all_text(node: Node, readable: bool = False) -> list[str]:
    """Every string under ``node``; with ``readable``, not what a skipped or hidden element holds
    (a code block's "copy" button)."""
    out = []
    for child in node.children:
        if isinstance(child, str):
            out.append(child)
        elif child.tag == "br":
            out.append("\n")
        elif not (readable and (child.tag in SKIP or hidden(child))):
            out += all_text(child, readable)
    return out
