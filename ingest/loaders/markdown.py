"""Markdown knowledge files, parsed with markdown-it-py (CommonMark, GFM tables) and the
executablebooks plugins for the extensions help centres use: VuePress / Docusaurus ``:::``
containers, MkDocs ``!!!`` admonitions and MyST roles and directives (Sphinx). Front matter
(YAML, TOML or JSON) comes off first; template markup of site generators is removed from the
rendered text (``ingest/site_markup.py``).

What a reader of the published page sees becomes the chunk text: link text without its target,
emphasis without its marks, code between ``` fences, a table row as ``Header: value; …``,
an admonition as ``Warning: …``. Images (and so their alt text), HTML comments, in-page tables
of contents and link targets do not.
"""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache

from ingest.document import LoadedDocument
from ingest.frontmatter import split_front_matter
from ingest.html_text import html_to_text
from ingest.markdown_text import admonition_label, record_link
from ingest.outline import (Block, before_picture, fenced, heading, is_contents_heading, list_item_lines,
                            sections_from_blocks, text, without_dangling_colon)
from ingest.schema import looks_like_question, parse_meta
from ingest.site_markup import before_parsing, strip_template_tags, tag_argument

_ALERT = re.compile(r"^\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]\s*", re.I)
# MyST directives (```{name}) that hold no text for readers, and those that hold code.
_SILENT_DIRECTIVES = {"toctree", "contents", "index", "image", "figure", "include", "literalinclude", "raw",
                      "only", "meta", "tab-set-code", "autosummary", "automodule", "autoclass", "autofunction"}
_CODE_DIRECTIVES = {"code", "code-block", "sourcecode", "code-cell", "highlight", "eval-rst"}
_DIRECTIVE_OPTION = re.compile(r"^:[\w-]+:.*$")
_ROLE_WITH_TARGET = re.compile(r"^(.*?)\s*<[^<>]+>$", re.S)
# What is left of an image link whose target CommonMark refused (a space in the URL): the image
# went with its alt text, "[](https://…)" stays as literal text and means nothing to a reader.
_EMPTY_LINK = re.compile(r"\[\s*\]\([^)]*\)")
_WHITESPACE = re.compile(r"[ \t\u00a0\u2000-\u200b]+")
# MDX ``import`` statements (one or several, on one line or many) and one-line ``export``s: the
# page's JavaScript, never text for readers.
_ESM_IMPORTS = re.compile(r"^(?:\s*import\s+(?:(?:type\s+)?[\w*{}\s,]+?\s+from\s+)?[\"'][^\"'\n]+[\"']\s*;?)+\s*$")
_ESM_EXPORT_LINE = re.compile(r"^\s*export\s+(?:const|let|var|function|default)\b.*$")
# A Docusaurus 3 container's title in brackets: ``:::tip[Save money]``.
_BRACKET_TITLE = re.compile(r"^([A-Za-z][\w-]*)\[([^\]]*)\]\s*(.*)$")
# MDX components that are admonitions by name: ``<Note>`` reads "Note: …".
_CALLOUTS = {"note", "tip", "info", "warning", "caution", "danger", "important", "check"}
# A JSX attribute whose value is JavaScript (``values={[…]}``, ``icon={<Icon />}``), up to three braces deep.
_BRACE_ATTRIBUTE = re.compile(r"\s+[\w:.-]+=\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\}")
# A line that opens a component tag without closing it (the tag goes on over the next lines).
_COMPONENT_START = re.compile(r"^\s*<[A-Z][\w.]*\s*$|^\s*<[A-Z][\w.]*\s+[^>]*$")
# An HTML block that starts with a JSX component (a capitalised tag name): MDX, not HTML.
_COMPONENT = re.compile(r"^\s*</?([A-Z][\w.]*)[\s/>]")
_HTML_ELEMENTS = {"a", "abbr", "address", "article", "aside", "b", "blockquote", "body", "br", "caption", "center", "code",
                  "dd", "details", "div", "dl", "dt", "em", "figcaption", "figure", "font", "footer", "form", "h1", "h2",
                  "h3", "h4", "h5", "h6", "header", "hr", "html", "i", "iframe", "img", "kbd", "li", "main", "nav", "ol",
                  "p", "pre", "section", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
                  "tfoot", "th", "thead", "tr", "u", "ul", "video"}
# One component tag, opening, closing or self-closing, with its attributes.
_COMPONENT_TAG = re.compile(
    r"<(/?)([A-Z][\w.]*)((?:\s+[\w:.-]+(?:=(?:\"[^\"]*\"|'[^']*'|\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\}))?)*)\s*/?>")
# ``<details><summary>Question?</summary>`` opening an HTML block (the answer may follow in it or as Markdown).
_DETAILS_OPEN = re.compile(r"^\s*<details\b[^>]*>\s*<summary\b[^>]*>(.*?)</summary>(.*)$", re.S | re.I)
_DETAILS_CLOSE = re.compile(r"^(.*?)</details>\s*$", re.S | re.I)
_TITLE_ATTRIBUTE = re.compile(r"\b(?:title|label|summary)=(?:\"([^\"]*)\"|'([^']*)'|\{[\"'`]([^\"'`]*)[\"'`]\})")


@lru_cache(maxsize=2)
def _parser(mdx: bool = False):
    from markdown_it import MarkdownIt
    from mdit_py_plugins.admon import admon_plugin
    from mdit_py_plugins.container import container_plugin
    from mdit_py_plugins.deflist import deflist_plugin
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.myst_role import myst_role_plugin
    from mdit_py_plugins.tasklists import tasklists_plugin

    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    # One rule for every ``::: kind Title`` container, whatever the kind is called.
    md.use(container_plugin, name="any", validate=lambda params, *args: bool(params.strip()))
    if mdx:  # MDX has no indented code: indentation there is only for the JSX reader
        md.disable("code")
    # GitHub task lists (``- [x] Select APIs``): the checkbox is an HTML input, not text.
    # Footnotes (``fee.[^1]``, read at the page's end) and definition lists (``Term`` / ``: text``)
    # as GitHub, MkDocs and Docusaurus render them.
    return md.use(admon_plugin).use(myst_role_plugin).use(tasklists_plugin).use(footnote_plugin).use(deflist_plugin)


def load_markdown(text_: str, source: str) -> LoadedDocument:
    raw, key_lines, body, body_line = split_front_matter(text_, source)
    warnings: list[str] = []
    meta = parse_meta(raw, source, key_lines, warnings)
    mdx = source.lower().endswith(".mdx")
    renderer = _Renderer(body_line, posixpath.dirname(source), [], mdx)
    body = before_parsing(body, lambda text_: _code_lines(text_, mdx))
    if mdx and "<" in body:
        body = _one_line_tags(body, _code_lines(body, mdx))
    blocks = renderer.render(body)
    sections, title = sections_from_blocks(blocks)
    if meta.title is None and title:
        meta.title = title
    return LoadedDocument(source=source, meta=meta, sections=sections, links=renderer.links,
                          anchors=renderer.anchors, navigation=renderer.navigation, warnings=warnings)


def _code_lines(body: str, mdx: bool) -> set[int]:
    """The 0-based lines of ``body`` inside fenced or indented code, as the parser sees them."""
    lines: set[int] = set()
    for token in _parser(mdx).parse(body):
        if token.type in ("fence", "code_block") and token.map:
            lines.update(range(*token.map))
    return lines


class _Renderer:
    def __init__(self, first_line: int, source_dir: str, links: list[str], mdx: bool = False,
                 anchors: list[tuple[str, str, int]] | None = None) -> None:
        self.first_line, self.source_dir, self.links, self.mdx = first_line, source_dir, links, mdx
        self.anchors = [] if anchors is None else anchors  # (link text, target, line), shared with nested renderers
        self.navigation = False  # a table of contents was dropped
        self.carried: str | None = None  # a component's title waiting for the next block
        self.level = 1  # the level of the last heading, for the questions of <details> blocks under it
        self.open_details: list[tuple[int, int] | None] = []  # (question's level, level before) per open <details>

    def render(self, body: str) -> list[Block]:
        from markdown_it.tree import SyntaxTreeNode

        return self.blocks(SyntaxTreeNode(_parser(self.mdx).parse(body)).children)

    def line(self, node) -> int:
        return self.first_line + (node.map[0] if node.map else 0)

    def _line_of(self, node) -> int:
        """The line of the block an inline node stands in."""
        while node is not None and not node.map:
            node = node.parent
        return self.line(node) if node is not None else self.first_line

    # -- blocks --------------------------------------------------------------------------
    def blocks(self, nodes) -> list[Block]:
        out: list[Block] = []
        for node in nodes:
            # A component's title whose text comes after a blank line (the next block) leads that text.
            carried, self.carried = self.carried, None
            produced = self.block(node)
            if not produced and not carried and out and _only_picture(node):
                before_picture(out[-1])  # "… is available:" then the screenshot: the colon introduced nothing kept
            if out and is_contents_heading(out[-1]) and node.type in ("bullet_list", "ordered_list") \
                    and _is_page_contents(node):
                out.pop()  # "## Contents" over the dropped list: what follows belongs to the section before it
            if carried:
                produced = self.titled(carried, produced, produced[0].line) if produced else [text(carried, self.line(node))]
            out.extend(produced)
        if self.carried:
            out.append(text(self.carried, out[-1].line if out else self.first_line))
            self.carried = None
        return out

    def block(self, node) -> list[Block]:
        kind = node.type
        if kind == "heading":
            words = self.inline(node.children[0]) if node.children else ""
            if not words and node.children:  # the whole heading was a template tag: show its text
                words = tag_argument(node.children[0].content)
            self.level = int(node.tag[1])
            return [heading(words, self.level, self.line(node))]
        if kind == "paragraph":
            if node.children and _is_esm(node.children[0].content):
                return []  # MDX imports and exports: the page's code, not its text
            content = self.inline(node.children[0]) if node.children else ""
            if content and _ends_with_picture(node.children[0]):
                content = without_dangling_colon(content)
            return [text(content, self.line(node))] if content else []
        if kind in ("bullet_list", "ordered_list"):
            if _is_page_contents(node):
                self.navigation = True
                return []  # an in-page table of contents repeats the headings
            content = "\n".join(self.list_lines(node, 0))
            return [text(content, self.line(node))] if content.strip() else []
        if kind in ("fence", "code_block"):
            return self.fence(node)
        if kind == "table":
            content = "\n".join(self.table_rows(node))
            return [text(content, self.line(node))] if content else []
        if kind == "html_block" and _is_component(node.content):
            return self.component(node)
        if kind == "html_block" and (details := self.details(node)) is not None:
            return details
        if kind == "html_block":
            return self.html_blocks(node.content, node)
        if kind == "blockquote":
            inner = self.blocks(node.children)
            if inner and not inner[0].is_heading and (alert := _ALERT.match(inner[0].text)):
                rest = inner[0].text[alert.end():].strip()
                return self.labelled(alert.group(1), rest or None, inner[1:] if rest else inner[1:], self.line(node),
                                     titled=bool(rest))
            return inner
        if kind == "admonition":
            title_nodes = [c for c in node.children if c.type == "admonition_title"]
            title = self.inline(title_nodes[0].children[0]) if title_nodes and title_nodes[0].children else ""
            tag = (node.meta or {}).get("tag") or "note"
            body = self.blocks([c for c in node.children if c.type != "admonition_title"])
            if tag.lower() == "tab" and title:  # a MkDocs content tab: its label leads its text
                return self.titled(title, body, self.line(node))
            titled = bool(title) and title.lower() != tag.lower()
            return self.labelled(tag, title if titled else None, body, self.line(node), titled)
        if kind == "container_any":
            tag, _, title = node.info.strip().partition(" ")
            if bracketed := _BRACKET_TITLE.match(node.info.strip()):  # Docusaurus 3: ``:::tip[Save money]``
                tag, title = bracketed.group(1), f"{bracketed.group(2)} {bracketed.group(3)}".strip()
            if tag.lower() in ("details", "toc"):
                summary = strip_template_tags(title).strip()
                if looks_like_question(summary):
                    return self.question(summary, node, lambda: self.blocks(node.children), closed=True)
                return ([text(summary, self.line(node))] if summary else []) + self.blocks(node.children)
            return self.labelled(tag, title.strip() or None, self.blocks(node.children), self.line(node),
                                 bool(title.strip()))
        if kind == "hr":
            return []
        if kind == "dl":  # a glossary: one "Term: definition" line per term, as a table row reads
            lines, term = [], ""
            for child in node.children:
                if child.type == "dt":
                    term = self.inline(child.children[0]) if child.children else ""
                elif child.type == "dd":
                    body = " ".join(b.text.replace("\n", " ") for b in self.blocks(child.children) if not b.is_heading)
                    lines.append(f"{term}: {body}" if term and body else term or body)
            content = "\n".join(line for line in lines if line)
            return [text(content, self.line(node))] if content else []
        return self.blocks(node.children) if node.children else []

    def details(self, node) -> list[Block] | None:
        """A collapsible FAQ entry (``<details><summary>Can I cancel?</summary>`` … ``</details>``): its
        question a heading one level under the page's last, its answer the section's text; the
        heading closes with the block, so what follows belongs to the page's heading again. None
        for other HTML (a summary that asks nothing, "Click to view CSS", stays a line of text)."""
        content, out, handled = node.content, [], False
        while self.open_details and content.lstrip().lower().startswith("</details>"):
            entry = self.open_details.pop()
            content, handled = content.lstrip()[len("</details>"):], True
            if entry is not None:
                level, self.level = entry
                out.append(heading("", level, self.line(node)))  # a heading without words ends the question
        opened = _DETAILS_OPEN.match(content)
        summary = html_to_text(opened.group(1))[0] if opened else ""
        if opened and looks_like_question(summary):
            closing = _DETAILS_CLOSE.match(opened.group(2))
            answer = closing.group(1) if closing else opened.group(2)
            return out + self.question(summary, node, lambda: self.html_blocks(answer, node), closed=bool(closing))
        if opened and not _DETAILS_CLOSE.match(opened.group(2)):
            self.open_details.append(None)  # its </details> closes nothing of ours
        if not handled:
            return None
        return out + self.html_blocks(content, node)

    def question(self, summary: str, node, body, closed: bool) -> list[Block]:
        before = self.level
        level = min(before + 1, 6)
        out = [heading(summary, level, self.line(node))]
        self.level = level
        out += body()
        if closed:
            self.level = before
            out.append(heading("", level, self.line(node)))
        else:
            self.open_details.append((level, before))
        return out

    def html_blocks(self, html: str, node) -> list[Block]:
        content, found = html_to_text(html)
        for target in found:
            record_link(target, self.source_dir, self.links)
        return [text(content, self.line(node))] if content else []

    def labelled(self, kind: str, title: str | None, body: list[Block], line: int, titled: bool) -> list[Block]:
        """An admonition: its label leads its title, or else its first paragraph."""
        label = admonition_label(kind, None).removesuffix(":")
        if titled and title:
            return [text(f"{label}: {strip_template_tags(title).strip()}", line), *body]
        if body and not body[0].is_heading and not body[0].text.startswith("```"):
            first = body[0]
            return [text(f"{label}: {first.text}", first.line), *body[1:]]
        return body

    def titled(self, title: str, body: list[Block], line: int) -> list[Block]:
        """A tab, step or collapsible entry: its title leads its first paragraph ("iOS: Open…"), or
        stands as a line of its own when it is a sentence or question already."""
        title = " ".join(strip_template_tags(title).split())
        if not title:
            return body
        if title[-1] in "?!.:" or not body or body[0].is_heading or body[0].text.startswith("```"):
            return [text(title, line), *body]
        return [text(f"{title}: {body[0].text}", body[0].line), *body[1:]]

    def component(self, node) -> list[Block]:
        """An MDX (JSX) component block (Docusaurus, Mintlify, Nextra): ``<Tabs>``, ``<Steps>``,
        ``<Accordion title="…">``, ``<Note>``. The tags go; a ``title`` or ``label`` leads the text it
        wraps; what is between them is Markdown, parsed as such."""
        out: list[Block] = []
        pending: str | None = None
        content = node.content
        position = 0
        tags = list(_COMPONENT_TAG.finditer(content))
        if not tags:  # not a tag this reads (an attribute it cannot parse): the block's visible text, as HTML
            return [text(t, self.line(node)) for t in [html_to_text(content)[0]] if t]
        for match in [*tags, None]:
            inner = content[position:match.start() if match else len(content)]
            position = match.end() if match else len(content)
            if inner.strip():
                body = _Renderer(self.line(node) + content.count("\n", 0, position), self.source_dir,
                                 self.links, self.mdx, self.anchors).render(_dedent_outside_code(inner))
                out.extend(self.titled(pending, body, self.line(node)) if pending else body)
                pending = None
            elif pending and match is None:  # the block ends with the tag: its text is the next block
                self.carried = pending
            elif pending:
                out.append(text(pending, self.line(node)))
                pending = None
            if match and not match.group(1):  # an opening tag: its title (or callout label) waits for its text
                attribute = _TITLE_ATTRIBUTE.search(match.group(3) or "")
                pending = next(g for g in attribute.groups() if g is not None).strip() if attribute else None
                if not pending and match.group(2).lower() in _CALLOUTS and not match.group(0).endswith("/>"):
                    pending = admonition_label(match.group(2).lower(), None).removesuffix(":")
        return out

    def fence(self, node) -> list[Block]:
        info = (node.info or "").strip()
        content = node.content.rstrip("\n")
        if info.startswith("{") and "}" in info:  # a MyST directive
            name = info[1 : info.index("}")].strip().lower()
            if name in _SILENT_DIRECTIVES:
                self.navigation = self.navigation or name in ("toctree", "contents")
                return []
            if name not in _CODE_DIRECTIVES:
                lines = content.split("\n")
                skip = 0
                while skip < len(lines) and _DIRECTIVE_OPTION.match(lines[skip]):
                    skip += 1
                inner = _Renderer(self.line(node) + 1 + skip, self.source_dir, self.links, self.mdx,
                                  self.anchors).render("\n".join(lines[skip:]))
                title = info[info.index("}") + 1 :].strip()
                return self.labelled(name, title or None, inner, self.line(node), bool(title))
        if not content.strip():
            return []
        return [text(fenced(content), self.line(node))]

    def list_lines(self, node, depth: int) -> list[str]:
        lines: list[str] = []
        ordered = node.type == "ordered_list"
        number = int((node.attrs or {}).get("start", 1) or 1)
        for item in node.children:
            marker = f"{number}." if ordered else "-"
            number += 1
            parts: list[str | list[str]] = []
            for child in item.children:
                if child.type == "paragraph":
                    parts.append(self.inline(child.children[0]) if child.children else "")
                elif child.type in ("bullet_list", "ordered_list"):
                    parts.append(self.list_lines(child, depth + 1))
                else:
                    parts.append([b.text for b in self.block(child) if not b.is_heading])
            lines.extend(list_item_lines(marker, depth, parts))
        return lines

    def table_rows(self, node) -> list[str]:
        header: list[str] = []
        rows: list[str] = []
        for section in node.children:
            for row in section.children:
                cells = [self.inline(cell.children[0]) if cell.children else "" for cell in row.children]
                if section.type == "thead":
                    header = cells
                    continue
                parts = [f"{h}: {c}" if h else c for h, c in zip(header + [""] * len(cells), cells) if c]
                if parts:
                    rows.append("; ".join(parts))
        if not rows and header:
            rows.append("; ".join(h for h in header if h))
        return rows

    # -- inline --------------------------------------------------------------------------
    def inline(self, node) -> str:
        pieces: list[tuple[bool, str]] = []  # (is code, text)
        self._inline(node, pieces)
        out, prose = [], []
        for is_code, piece in pieces + [(True, "")]:
            if is_code:
                if prose:
                    out.append(strip_template_tags("".join(prose)))
                    prose = []
                out.append(piece)
            else:
                prose.append(piece)
        joined = _EMPTY_LINK.sub(" ", "".join(out))
        return _WHITESPACE.sub(" ", joined.replace("\n", " ")).strip()

    def _inline(self, node, pieces: list) -> None:
        for child in node.children or []:
            kind = child.type
            if kind == "text":
                pieces.append((False, _emojized(child.content)))
            elif kind == "code_inline":
                pieces.append((True, child.content))
            elif kind in ("softbreak", "hardbreak"):
                pieces.append((False, " "))
            elif kind == "image":
                continue  # alt text describes a picture the customer cannot see here
            elif kind == "html_inline":
                if re.match(r"<br\b", child.content, re.I):
                    pieces.append((False, " "))
            elif kind == "link":
                href = child.attrs.get("href", "")
                record_link(href, self.source_dir, self.links)
                start = len(pieces)
                self._inline(child, pieces)
                shown = _WHITESPACE.sub(" ", "".join(piece for _, piece in pieces[start:])).strip()
                if shown and href:
                    self.anchors.append((shown, href, self._line_of(child)))
            elif kind == "myst_role":
                pieces.append((False, _role_text(child.content)))
            elif kind in ("footnote_ref", "footnote_anchor"):
                continue  # the mark and the back-link; the note itself is read where it is defined
            else:
                self._inline(child, pieces)


def _emojized(words: str) -> str:
    """``:warning:`` as GitHub and MkDocs show it (⚠️); a colon pair that names no emoji stays."""
    if ":" not in words:
        return words
    import emoji

    return emoji.emojize(words, language="alias")


def _one_line_tags(body: str, code: set[int]) -> str:
    """A JSX opening tag written over several lines (``<Tabs`` … ``values={[…]}`` … ``>``) put on its
    first line, so that Markdown sees one HTML block; the emptied lines keep line numbers right."""
    lines = body.split("\n")
    i = 0
    while i < len(lines):
        if i in code or not lines[i].lstrip().startswith("<"):
            i += 1
            continue
        if _COMPONENT_START.match(lines[i]) and not _COMPONENT_TAG.match(lines[i].strip()):
            for end in range(i + 1, min(i + 40, len(lines))):
                joined = " ".join(line.strip() for line in lines[i:end + 1])
                if _COMPONENT_TAG.fullmatch(joined):
                    lines[i:end + 1] = [joined] + [""] * (end - i)
                    break
        if (tag := _COMPONENT_TAG.match(lines[i].strip())) and "={" in tag.group(0):
            # ``values={[…]}`` is JavaScript: without it the tag is one CommonMark can read as HTML.
            lines[i] = lines[i].replace(tag.group(0), _BRACE_ATTRIBUTE.sub("", tag.group(0)), 1)
        i += 1
    return "\n".join(lines)


def _is_component(html: str) -> bool:
    """An HTML block that opens with a JSX component: a capitalised name that is not an HTML
    element written in capitals (``<DIV>``, ``<TABLE>`` in old exports are HTML)."""
    match = _COMPONENT.match(html)
    return bool(match) and match.group(1).lower() not in _HTML_ELEMENTS


def _is_esm(paragraph: str) -> bool:
    """A paragraph made only of MDX ``import`` statements and one-line ``export``s."""
    if not paragraph.strip():
        return False
    if _ESM_IMPORTS.match(paragraph):
        return True
    return all(_ESM_IMPORTS.match(line) or _ESM_EXPORT_LINE.match(line) for line in paragraph.split("\n") if line.strip())


def _dedent_outside_code(markdown: str) -> str:
    """Component children are indented for the JSX reader; as Markdown, that indent would make
    them code. Each line loses its leading blanks, except inside fenced code."""
    lines, fence = [], ""
    for line in markdown.split("\n"):
        stripped = line.strip()
        if fence:
            lines.append(line)
            if stripped.startswith(fence):
                fence = ""
            continue
        if stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
        lines.append(line.lstrip())
    return "\n".join(lines)


_HTML_PICTURE = re.compile(r"<(?:img|picture|svg|video|iframe)\b", re.I)


def _ends_with_picture(node) -> bool:
    """Whether an inline run's last words-or-picture is a picture (an image, an image link, raw ``<img>``)."""
    last = False
    for child in node.children or []:
        if child.type == "image" or child.type == "html_inline" and _HTML_PICTURE.match(child.content):
            last = True
        elif child.type in ("text", "code_inline") and child.content.strip():
            last = False
        elif child.children:
            words = any(c.type in ("text", "code_inline") and c.content.strip() for c in child.children)
            last = _ends_with_picture(child) or last and not words
    return last


def _only_picture(node) -> bool:
    """A paragraph or an HTML block that shows a picture and has no words."""
    if node.type == "paragraph":
        return bool(node.children) and _ends_with_picture(node.children[0])
    return node.type == "html_block" and bool(_HTML_PICTURE.search(node.content))


def _role_text(content: str) -> str:
    """What a Sphinx role shows: ``title <target>`` shows the title; ``~a.b.c`` shows ``c``."""
    match = _ROLE_WITH_TARGET.match(content)
    if match and match.group(1).strip():
        return match.group(1).strip()
    target = content.strip().strip("<>")
    if target.startswith("~"):
        target = target[1:].rsplit(".", 1)[-1]
    return target


def _is_page_contents(node) -> bool:
    """A list whose every item is nothing but a link to an anchor on the same page."""
    items = node.children
    if not items:
        return False
    for item in items:
        paragraphs = [c for c in item.children if c.type == "paragraph"]
        others = [c for c in item.children if c.type not in ("paragraph", "bullet_list", "ordered_list")]
        if others or len(paragraphs) != 1 or not paragraphs[0].children:
            return False
        inline = [c for c in paragraphs[0].children[0].children if not (c.type == "text" and not c.content.strip())]
        if len(inline) != 1 or inline[0].type != "link" or not inline[0].attrs.get("href", "").startswith("#"):
            return False
        nested = [c for c in item.children if c.type in ("bullet_list", "ordered_list")]
        if any(not _is_page_contents(n) for n in nested):
            return False
    return True
