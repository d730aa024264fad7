"""Site-generator markup that no Markdown parser knows, kept out of titles, section paths, chunk
text and answers.

Static-site generators layer a template language over Markdown: Jekyll and Hexo use Liquid
(``{% include x.html %}``, ``{{ site.baseurl }}``), Hugo has shortcodes (``{{< note >}}``,
``{{% tab %}}``), kramdown and attr_list add attribute lists (``{: .class}``, ``{#anchor}``),
VuePress and Python-Markdown put a table of contents where ``[[toc]]`` or ``[TOC]`` stands, and
glossary plugins turn ``@term`` into a link. The template tags render to other text or to
nothing; what a reader sees between them is ordinary Markdown, so the tags are removed from
the rendered plain text (code is left alone) and the Markdown parser does the rest. Paired tags
whose content is not for readers (Liquid ``comment`` blocks, Hugo ``/* */`` comments) are
removed with their content before parsing.
"""

from __future__ import annotations

import re

# Removed with what they enclose, before the Markdown is parsed.
_COMMENT_BLOCKS = re.compile(r"\{%-?\s*comment\s*-?%\}.*?\{%-?\s*endcomment\s*-?%\}|\{\{<?\s*/\*.*?\*/\s*>?\}\}", re.S)
# Removed from rendered text. Each is a whole tag: nothing a reader sees is inside one.
_TAGS = re.compile(
    r"\{%.*?%\}"  # Liquid tags: include, if, for, raw, highlight, read_time, …
    r"|\{\{[<%].*?[>%]\}\}"  # Hugo shortcodes, opening and closing
    r"|\{\{.*?\}\}"  # Liquid / Hugo / Vue expressions: {{ site.baseurl }}, {{ page.title }}
    r"|\{:[^}\n]*\}"  # kramdown attribute lists and extension tags: {: .note}, {::nomarkdown}
    r"|\{(?:[#.][\w-]+\s*)+\}"  # attr_list / Pandoc heading attributes: {#anchor .class}
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


def before_parsing(text: str) -> str:
    """Drop template comments (keeping their line breaks, so line numbers stay right) and the
    template expressions that start link destinations."""
    text = _COMMENT_BLOCKS.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    return _LINK_TEMPLATE.sub("](", text) if "{{" in text else text


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
