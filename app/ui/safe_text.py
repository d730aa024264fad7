"""Customer and agent text shown in the apps as text, never as markup.

Gradio renders chat messages as Markdown and lets custom tags through, so a placeholder like
``<PERSON_1>`` was taken for an HTML tag and everything after it vanished; ``**`` or ``#`` a
customer typed would change how a message looks. Text meant for Markdown has its Markdown
punctuation backslash-escaped and ``<``, ``>`` and ``&`` written as entities; text meant for
HTML is only HTML-escaped.
"""

from __future__ import annotations

import html
import re

# ASCII punctuation Markdown gives a meaning to; < > & are handled as HTML entities instead
# (a backslash before an entity would show the entity's letters).
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$])")


def markdown_text(text: str | None) -> str:
    """``text`` as it was typed, inside Markdown."""
    return html.escape(_MARKDOWN.sub(r"\\\1", str(text or "")), quote=False)


def html_text(text: str | None, line_breaks: bool = True) -> str:
    """``text`` as it was typed, inside HTML (new lines kept as line breaks)."""
    escaped = html.escape(str(text or ""), quote=True)
    return escaped.replace("\n", "<br>") if line_breaks else escaped
