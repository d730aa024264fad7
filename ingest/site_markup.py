"""Site-generator markup that no Markdown parser knows, kept out of titles, section paths, chunk
text and answers.

Static-site generators layer a template language over Markdown: Jekyll and Hexo use Liquid
(``{% include x.html %}``, ``{{ site.baseurl }}``), Hugo has shortcodes (``{{< note >}}``,
``{{% tab %}}``), kramdown and attr_list add attribute lists (``{: .class}``, ``{#anchor}``),
VuePress and Python-Markdown put a table of contents where ``[[toc]]`` or ``[TOC]`` stands, and
glossary plugins turn ``@term`` into a link. The template tags render to other text or to
nothing; what a reader sees between them is ordinary Markdown, so the tags are removed from
the rendered plain text (code is left alone) and the Markdown parser does the rest. Paired tags
whose content is not for readers (Liquid ``comment`` blocks, Hugo ``/* */`` comments, GitBook
``content-ref`` cards that only point at another page) are removed with their content before
parsing. Two tags show words to readers and keep them: a GitBook tab's title
(``{% tab title="iOS" %}`` leads its text as "iOS:") and a GitBook hint's style (``{% hint
style="warning" %}`` as "Warning:"). MkDocs Material content tabs (``=== "Label"`` over an
indented block) are handed to the admonition parser as a ``tab`` admonition, outside code.
"""

from __future__ import annotations

import re
from typing import Callable

# Removed with what they enclose, before the Markdown is parsed.
_COMMENT_BLOCKS = re.compile(r"\{%-?\s*(comment|content-ref)\b.*?%\}.*?\{%-?\s*end\1\s*-?%\}|\{\{<?\s*/\*.*?\*/\s*>?\}\}", re.S)
# GitBook tags whose argument a reader sees: a tab's title, a hint's style (its label).
_GITBOOK_TAB = re.compile(r"\{%-?\s*tab\s+title=\"([^\"]+)\"\s*-?%\}")
_GITBOOK_HINT = re.compile(r"\{%-?\s*hint\s+style=\"(\w+)\"\s*-?%\}")
# GitBook block tags alone on their line: blanked before parsing, so that the tabs, steps and
# hints they separate stay separate paragraphs.
_GITBOOK_BLOCK_LINE = re.compile(r"^[ \t]*\{%-?\s*(?:tabs|endtabs|endtab|endhint|stepper|endstepper|step|endstep)\s*-?%\}[ \t]*$", re.M)
_HINT_LABELS = {"info": "Note", "success": "Tip", "warning": "Warning", "danger": "Warning"}
# A MkDocs Material (pymdownx.tabbed) content tab: ``=== "Label"``, ``===! "Label"``, ``===+ "Label"``.
_MKDOCS_TAB = re.compile(r"^(\s*)===[!+]?[ \t]+\"([^\"\n]+)\"[ \t]*$", re.M)
# Removed from rendered text. Each is a whole tag: nothing a reader sees is inside one.
_TAGS = re.compile(
    r"\{%.*?%\}"  # Liquid tags: include, if, for, raw, highlight, read_time, …
    r"|\{\{[<%].*?[>%]\}\}"  # Hugo shortcodes, opening and closing
    r"|\{\{.*?\}\}"  # Liquid / Hugo / Vue expressions: {{ site.baseurl }}, {{ page.title }}
    r"|\{:[^}\n]*\}"  # kramdown attribute lists and extension tags: {: .note}, {::nomarkdown}
    r"|\{\s*(?:[#.][\w-]+\s*|[\w-]+=(?:\"[^\"]*\"|[^\s}]+)\s*)+\}"  # attr_list / Pandoc attributes: {#anchor .class}, { .md-button }
    r"|:(?:material|fontawesome|octicons|simple)-[\w-]+:"  # MkDocs Material icons: :material-upload:
    r"|\[\[toc\]\]|\[TOC\]",  # table-of-contents placeholders
    re.I | re.S,
)
# A glossary auto-link (``@mnemonic-seed``): the term, not an address or a handle inside a word.
_GLOSSARY_TERM = re.compile(r"(?<![\w.@/\\`])@([A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)(?![\w@/])")
# A template expression that starts a link's destination: ``[text]({{ site.baseurl }}/x.html)``.
# CommonMark allows no space in a destination, so it must go before the Markdown is parsed.
_LINK_TEMPLATE = re.compile(r"\]\(\s*(?:\{\{[^{}]*\}\}\s*)+")
# A MyST / Sphinx label line, ``(label)=``, marks a link target.
_MYST_TARGET = re.compile(r"^\s*\([\w.:-]+\)=\s*$")
_SPACES = re.compile(r"[ \t]{2,}")


_ABBREVIATION = re.compile(r"\*\[[^\]\n]+\]:[ \t].*", re.M)


def before_parsing(text: str, code_lines: Callable[[str], set[int]] | None = None) -> str:
    """Drop template comments and navigation cards (keeping their line breaks, so line numbers
    stay right) and the template expressions that start link destinations; turn the tags that
    label text into that label, and MkDocs content tabs into ``tab`` admonitions (``code_lines``
    gives the 0-based lines inside code, which are left alone)."""
    text = _COMMENT_BLOCKS.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    if "*[" in text and _ABBREVIATION.search(text):  # MkDocs abbreviations: a tooltip's text, not the page's
        code = code_lines(text) if code_lines else set()
        text = "\n".join("" if i not in code and _ABBREVIATION.fullmatch(line) else line
                         for i, line in enumerate(text.split("\n")))
    if "{%" in text:
        text = _GITBOOK_BLOCK_LINE.sub("", text)
        text = _GITBOOK_TAB.sub(lambda m: f"{m.group(1).strip()}:", text)
        text = _GITBOOK_HINT.sub(lambda m: f"{_HINT_LABELS.get(m.group(1).lower(), m.group(1).capitalize())}:", text)
    if "===" in text and _MKDOCS_TAB.search(text):
        text = _tabs_as_admonitions(text, code_lines(text) if code_lines else set())
    return _LINK_TEMPLATE.sub("](", text) if "{{" in text else text


def _tabs_as_admonitions(text: str, code: set[int]) -> str:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if i not in code and (match := _MKDOCS_TAB.match(line)):
            lines[i] = f'{match.group(1)}!!! tab "{match.group(2).strip()}"'
    return "\n".join(lines)


_QUOTED = re.compile(r"\"([^\"]{3,})\"|'([^']{3,})'")


def tag_argument(text: str) -> str:
    """The quoted text inside a template tag that stands alone (a heading written as
    ``{% read_time title "My transaction failed" %}`` shows that text)."""
    if not _TAGS.fullmatch(text.strip()):
        return ""
    match = _QUOTED.search(text)
    return (match.group(1) or match.group(2)).strip() if match else ""


def strip_template_tags(text: str) -> str:
    """Plain text with template tags, attribute lists and glossary ``@`` marks removed (the caller
    trims the ends: this may be one piece of a line)."""
    if _MYST_TARGET.match(text):
        return ""
    if "{" in text or "[" in text:
        text = _TAGS.sub(" ", text)
    if "@" in text:
        text = _GLOSSARY_TERM.sub(lambda m: m.group(1).replace("-", " "), text)
    return _SPACES.sub(" ", text)
