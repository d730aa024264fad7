"""reStructuredText (Sphinx) knowledge files, parsed with docutils.

Sphinx adds roles and directives that plain docutils does not know (``:ref:``, ``:doc:``,
``toctree``, ``seealso``, …). Each one a file uses is given a stand-in before parsing: a role
shows its text (``:ref:`the gap limit <gap limit>``` shows "the gap limit"), a directive either
holds text for readers (its content is parsed as usual, under its name as a label) or holds
none (``toctree``, ``index``, ``literalinclude``: dropped). Nothing is read from other files
and raw HTML is not passed through (``file_insertion_enabled`` and ``raw_enabled`` are off).
Images and figures are dropped: their alt text and captions describe pictures.
"""

from __future__ import annotations

import io
import posixpath
import re
import threading

from app.index.link_targets import REF_PREFIX
from ingest.document import LoadedDocument
from ingest.errors import KnowledgeFileError
from ingest.markdown_text import admonition_label, record_link
from ingest.outline import Block, before_picture, fenced, heading, list_item_lines, sections_from_blocks, text
from ingest.schema import parse_meta

_ROLE = re.compile(r"(?<![\w`]):([A-Za-z][\w.+-]*(?::[\w.+-]+)?):`")
_DIRECTIVE = re.compile(r"^\s*\.\.\s+([A-Za-z][\w.+-]*(?::[\w.+-]+)?)::", re.M)
_ROLE_WITH_TARGET = re.compile(r"^(.*?)\s*<([^<>]+)>$", re.S)
_SILENT = {"toctree", "index", "highlight", "literalinclude", "autosummary", "automodule", "autoclass",
           "autofunction", "automethod", "autodata", "autoattribute", "currentmodule", "module", "default-domain",
           "tabularcolumns", "codeauthor", "sectionauthor", "moduleauthor", "todo", "spelling:word-list",
           "graphviz", "mermaid", "plot"}
# Labels of Sphinx's paragraph-level directives, as a reader sees them rendered.
_LABELS = {"seealso": "See also", "versionadded": "New in version", "versionchanged": "Changed in version",
           "deprecated": "Deprecated since version", "versionremoved": "Removed in version"}
_VERSION_NOTES = {"versionadded", "versionchanged", "deprecated", "versionremoved"}
_FILE_PATH = re.compile(r"^\S*[/\\]\S*\.\w{1,8}$|^\S+\.(?:py|cmake|txt|rst|md|json|ya?ml|toml|cfg|ini|sh|c|h|cpp)$")
_SPACE = re.compile(r"[ \t\n\u00a0]+")
_lock = threading.Lock()


def load_rst(source_text: str, source: str) -> LoadedDocument:
    from docutils.utils import SystemMessage

    links: list[str] = []
    anchors: list[tuple[str, str, int]] = []
    try:
        doctree = _parse(source_text, source)
    except (SystemMessage, ValueError, AttributeError, IndexError, TypeError) as exc:
        raise KnowledgeFileError(source, f"docutils cannot parse this reStructuredText ({exc})",
                                 "check the markup with `python -m docutils FILE`, fix it and ingest again") from None
    walker = _Walker(posixpath.dirname(source), links, anchors)
    walker.body(doctree.children, 0)
    fields = walker.fields
    warnings: list[str] = []
    meta = parse_meta(fields, source, None, warnings)
    sections, title = sections_from_blocks(walker.blocks)
    if walker.included and not any(s.text.strip() for s in sections):
        raise KnowledgeFileError(source, f"its text is included from {walker.included[0]}, which Beacon does not read",
                                 "put the text in this file, or add the included file to the knowledge folder as a "
                                 "page of its own")
    if meta.title is None and title:
        meta.title = title
    return LoadedDocument(source=source, meta=meta, sections=sections, links=links, anchors=anchors,
                          labels=_labels(doctree), navigation=walker.navigation, warnings=warnings)


def _parse(source_text: str, source: str):
    import docutils.core

    settings = {"report_level": 5, "halt_level": 5, "warning_stream": io.StringIO(), "file_insertion_enabled": False,
                "raw_enabled": False, "syntax_highlight": "none", "doctitle_xform": False,
                "sectsubtitle_xform": False, "docinfo_xform": False, "smart_quotes": False, "_disable_config": True,
                "input_encoding": "unicode", "line_length_limit": 1_000_000}
    with _lock:  # the stand-ins go into docutils' module-level registries
        _register_stand_ins(source_text)
        return docutils.core.publish_doctree(source_text, source_path=source, settings_overrides=settings)


def _register_stand_ins(source_text: str) -> None:
    from docutils.parsers.rst import directives, roles
    from docutils.parsers.rst.languages import en

    for name in set(_ROLE.findall(source_text)):
        canonical = en.roles.get(name, name)
        if name not in roles._roles and canonical not in roles._role_registry:
            roles.register_local_role(name, _role)
    for name in set(_DIRECTIVE.findall(source_text)):
        canonical = en.directives.get(name, name)
        if name in directives._directives or canonical in directives._directive_registry:
            continue  # docutils' own (code-block, note, image, …)
        directives.register_directive(name, _SilentDirective if name in _SILENT else _LabelledDirective)


def _role(name, rawtext, content, lineno, inliner, options=None, args=None):
    from docutils import nodes

    shown = content
    match = _ROLE_WITH_TARGET.match(content)
    if match and match.group(1).strip():
        shown = match.group(1).strip()
    elif shown.startswith("~"):
        shown = shown[1:].rsplit(".", 1)[-1]
    shown = shown.replace("-->", ">").replace("&&", "\x00").replace("&", "").replace("\x00", "&")
    shown_node = nodes.inline(rawtext, shown)
    if name == "doc":  # a link to another page of the KB, by its path without the extension
        shown_node["doc_target"] = (match.group(2) if match else content).strip()
    elif name == "ref":  # a link to the section a label names, in any file of the KB
        shown_node["doc_target"] = REF_PREFIX + label_name(match.group(2) if match else content)
    return [shown_node], []


def label_name(label: str) -> str:
    """A Sphinx label as Sphinx compares them: lower case, runs of spaces as one."""
    return " ".join(label.split()).lower()


def _labels(doctree) -> list[tuple[str, int]]:
    """(label, line of its heading) of each ``.. _label:`` placed before a heading."""
    from docutils import nodes

    found: list[tuple[str, int]] = []
    for target in doctree.findall(nodes.target):
        refid = target.get("refid")
        section = doctree.ids.get(refid) if refid else None
        if not isinstance(section, nodes.section):
            continue
        title = section.next_node(nodes.title)
        # the heading's own line, as the walker gives it
        line = max(((title.line if title is not None else None) or 2) - 1, 1)
        found += [(label_name(name), line) for name, id_ in doctree.nameids.items() if id_ == refid]
    return found


class _AnyOptions(dict):
    """Accepts every option a Sphinx directive may carry."""

    def __contains__(self, key) -> bool:
        return True

    def __getitem__(self, key):
        from docutils.parsers.rst import directives

        return directives.unchanged


def _directive_base():
    from docutils.parsers.rst import Directive

    return Directive


class _SilentDirective(_directive_base()):
    has_content = True
    optional_arguments = 100
    final_argument_whitespace = True
    option_spec = _AnyOptions()

    def run(self):
        from docutils import nodes

        # A toctree is the page's list of other pages: marked, so a page that is nothing else is
        # skipped as a contents page rather than failed as empty.
        return [nodes.comment(classes=["navigation"])] if self.name == "toctree" else []


class _LabelledDirective(_directive_base()):
    """A directive whose content is for readers: parsed as reStructuredText under a label.

    A version note's first argument is the version and the rest, up to the first blank line, what
    changed (".. versionadded:: 3.12⏎   Allow :prop:`X`." reads "New in version 3.12: Allow X.");
    ``only`` (a builder's condition) shows its content with no label; a directive with no content
    whose argument is only a file path includes that file (``.. cmake-module:: ../Modules/X.cmake``),
    which is never read, so it shows nothing."""

    has_content = True
    optional_arguments = 100
    final_argument_whitespace = True
    option_spec = _AnyOptions()

    def run(self):
        from docutils import nodes

        node = nodes.container()
        argument = " ".join(" ".join(self.arguments).split())
        if self.name == "only":
            self.state.nested_parse(self.content, self.content_offset, node)
            return [node]
        if not self.content and _FILE_PATH.match(argument):
            return [nodes.comment(classes=["included"], included=argument)]
        node["label"] = _LABELS.get(self.name, admonition_label(self.name.split(":")[-1], None).removesuffix(":"))
        said = ""
        if self.name in _VERSION_NOTES:
            node["argument"], _, said = argument.partition(" ")
        elif self.content:
            node["argument"] = argument
        else:  # ".. seealso:: The plugin rules." says it all on one line
            said = argument
        if said:
            inline, messages = self.state.inline_text(said, self.lineno)
            node += nodes.paragraph(said, "", *inline, *messages)
        if self.content:
            self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


class _Walker:
    def __init__(self, source_dir: str, links: list[str], anchors: list[tuple[str, str, int]],
                 included: list[str] | None = None) -> None:
        self.source_dir, self.links, self.anchors = source_dir, links, anchors  # shared with nested walkers
        self.included: list[str] = [] if included is None else included  # files a directive would insert (unread)
        self.blocks: list[Block] = []
        self.fields: dict = {}  # a leading field list: :title:, :tags:, … (docinfo)
        self.navigation = False  # a toctree or contents directive was dropped

    def body(self, children, depth: int) -> None:
        from docutils import nodes

        for child in children:
            if isinstance(child, (nodes.image, nodes.figure)) and self.blocks:
                before_picture(self.blocks[-1])  # "… is available:" then the screenshot, which is not kept
            self.blocks.extend(self.block(child, depth))

    def block(self, node, depth: int) -> list[Block]:
        from docutils import nodes

        line = node.line or 1
        if isinstance(node, nodes.section):
            title = node.next_node(nodes.title)
            out = [heading(self.inline(title), depth + 1, max((title.line or 2) - 1, 1))] if title else []
            inner = self.child()
            inner.body([c for c in node.children if c is not title], depth + 1)
            self.navigation |= inner.navigation
            return out + inner.blocks
        if isinstance(node, nodes.title) and depth == 0:
            return [heading(self.inline(node), 1, max((node.line or 2) - 1, 1))]
        if isinstance(node, (nodes.paragraph, nodes.rubric)):
            content = self.inline(node)
            return [text(content, line)] if content else []
        if isinstance(node, (nodes.bullet_list, nodes.enumerated_list)):
            lines = self.list_lines(node, 0)
            return [text("\n".join(lines), line)] if lines else []
        if isinstance(node, (nodes.literal_block, nodes.doctest_block)):
            code = node.astext().rstrip("\n")
            return [text(fenced(code), line)] if code.strip() else []
        if isinstance(node, nodes.line_block):
            lines = [_SPACE.sub(" ", self.inline(n)).strip() for n in node.findall(nodes.line)]
            content = "\n".join(x for x in lines if x)
            return [text(content, line)] if content else []
        if isinstance(node, (nodes.definition_list, nodes.field_list, nodes.option_list)):
            if isinstance(node, nodes.field_list) and not self.blocks and not self.fields and depth == 0:
                # A field list before any text holds the file's metadata (Sphinx: :orphan:, :tags:).
                self.fields = {self.inline(f[0]): self.inline(f[1]) for f in node.children if len(f) > 1}
                return []
            content = "\n".join(self.pair_lines(node))
            return [text(content, line)] if content else []
        if isinstance(node, nodes.table):
            rows = self.table_rows(node)
            return [text("\n".join(rows), line)] if rows else []
        if isinstance(node, nodes.Admonition):
            return self.admonition(node, depth)
        if isinstance(node, nodes.container) and "label" in node:
            inner = self.child()
            inner.body(node.children, depth)
            return _labelled(node["label"], node.get("argument") or None, inner.blocks, line)
        if isinstance(node, nodes.comment) and node.get("included"):
            self.included.append(node["included"])
            return []
        if isinstance(node, nodes.comment) and "navigation" in node.get("classes", []) or \
                isinstance(node, nodes.topic) and "contents" in node.get("classes", []):
            self.navigation = True
            return []
        if isinstance(node, (nodes.image, nodes.figure, nodes.target, nodes.comment, nodes.system_message,
                             nodes.substitution_definition, nodes.raw, nodes.pending, nodes.footnote,
                             nodes.citation, nodes.transition, nodes.problematic)):
            return []
        if isinstance(node, nodes.Element):
            inner = self.child()
            inner.body(node.children, depth)
            return inner.blocks
        return []

    def child(self) -> "_Walker":
        return _Walker(self.source_dir, self.links, self.anchors, self.included)

    def admonition(self, node, depth: int) -> list[Block]:
        from docutils import nodes

        title_node = node.next_node(nodes.title) if isinstance(node, nodes.admonition) else None
        inner = self.child()
        inner.body([c for c in node.children if c is not title_node], depth)
        label = admonition_label(node.tagname, None).removesuffix(":")
        if title_node is not None:
            return _labelled(self.inline(title_node), None, inner.blocks, node.line or 1)
        return _labelled(label, None, inner.blocks, node.line or 1)

    def list_lines(self, node, depth: int) -> list[str]:
        from docutils import nodes

        lines = []
        ordered = isinstance(node, nodes.enumerated_list)
        number = int(node.get("start", 1) or 1)
        for item in node.children:
            parts: list[str | list[str]] = []
            for child in item.children:
                if isinstance(child, (nodes.bullet_list, nodes.enumerated_list)):
                    parts.append(self.list_lines(child, depth + 1))
                elif isinstance(child, nodes.paragraph):
                    parts.append(self.inline(child))
                else:
                    parts.append([b.text for b in self.block(child, 0) if not b.is_heading])
            marker = f"{number}." if ordered else "-"
            number += 1
            lines += list_item_lines(marker, depth, parts)
        return lines

    def pair_lines(self, node) -> list[str]:
        lines = []
        for item in node.children:
            if len(item.children) < 2:
                continue
            term = self.inline(item.children[0])
            body = " ".join(b.text.replace("\n", " ") for child in item.children[1:] for b in self.block(child, 0)
                            if not b.is_heading)
            if term or body:
                lines.append(f"{term}: {body}" if term and body else term or body)
        return lines

    def table_rows(self, node) -> list[str]:
        from docutils import nodes

        header: list[str] = []
        out = []
        for group in node.findall(nodes.tgroup):
            for part in group.children:
                if not isinstance(part, (nodes.thead, nodes.tbody)):
                    continue
                for row in part.children:
                    cells = [" ".join(b.text.replace("\n", " ") for c in entry.children for b in self.block(c, 0)
                                      if not b.is_heading) for entry in row.children]
                    if isinstance(part, nodes.thead):
                        header = cells
                        continue
                    parts = [f"{h}: {v}" if h else v for h, v in zip(header + [""] * len(cells), cells) if v]
                    if parts:
                        out.append("; ".join(parts))
        return out

    def inline(self, node) -> str:
        from docutils import nodes

        pieces: list[str] = []

        def visit(n) -> None:
            if isinstance(n, nodes.Text):
                pieces.append(str(n))
                return
            if isinstance(n, (nodes.image, nodes.footnote_reference, nodes.citation_reference, nodes.system_message,
                              nodes.substitution_definition)):
                return
            if isinstance(n, nodes.problematic):
                pieces.append(n.astext())
                return
            if isinstance(n, nodes.reference) and n.get("refuri"):
                record_link(n["refuri"], self.source_dir, self.links)
                self.anchors.append((_SPACE.sub(" ", n.astext()).strip(), n["refuri"], _line_of(n)))
            elif isinstance(n, nodes.inline) and n.get("doc_target"):  # :doc:`hardware-linux`, :ref:`gap limit`
                self.anchors.append((_SPACE.sub(" ", n.astext()).strip(), n["doc_target"], _line_of(n)))
            for c in n.children:
                visit(c)

        visit(node)
        return _SPACE.sub(" ", "".join(pieces)).strip()


def _line_of(node) -> int:
    """The line of the nearest node around ``node`` that docutils gave one."""
    while node is not None and not node.line:
        node = node.parent
    return node.line if node is not None else 1


def _labelled(label: str, argument: str | None, body: list[Block], line: int) -> list[Block]:
    """Label before the first paragraph ("Note: …"); a directive's argument is its title
    ("New in version 4.0: …")."""
    lead = f"{label} {argument}" if argument else label
    if body and not body[0].is_heading and not body[0].text.startswith("```"):
        return [text(f"{lead}: {body[0].text}", body[0].line), *body[1:]]
    return ([text(f"{lead}.", line)] if argument else []) + body
