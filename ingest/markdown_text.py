"""Turn Markdown's extras into plain text that reads well in a chunk and in an answer.

Admonitions and GitHub alerts keep their label ("Warning: ..."), images keep their alt
text, links keep their text and record relative targets so editors can see what a
document points at.
"""

from __future__ import annotations

import posixpath
import re

_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_LINK = re.compile(r"(?<!!)\[([^\]]+)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_REF_LINK = re.compile(r"(?<!!)\[([^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_HTML_TAG = re.compile(r"</?(?:br|span|div|p|b|i|u|em|strong|sup|sub|small|kbd)\b[^>]*>", re.I)
ADMONITION = re.compile(r"^(?:!!!|\?\?\?\+?)\s*([A-Za-z][\w-]*)(?:\s+\"([^\"]*)\")?\s*$")
GITHUB_ALERT = re.compile(r"^\s*>\s*\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]\s*(.*)$", re.I)
REFERENCE_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S+")


def admonition_label(kind: str, title: str | None) -> str:
    label = kind.replace("-", " ").capitalize()
    return f"{label}: {title.strip()}" if title and title.strip() else f"{label}:"


def record_link(target: str, source_dir: str, links: list[str]) -> None:
    """Remember a relative link's target as a path inside the KB; URLs and anchors are not files."""
    if target and not re.match(r"^[a-z][a-z0-9+.-]*:|^#|^/", target, re.I):
        resolved = posixpath.normpath(posixpath.join(source_dir, target.split("#")[0]))
        if resolved not in links:
            links.append(resolved)


def clean_inline(line: str, source_dir: str, links: list[str]) -> str:
    def link(match: re.Match) -> str:
        record_link(match.group(2), source_dir, links)
        return match.group(1)

    line = _IMAGE.sub(lambda m: f"[Image: {m.group(1)}]" if m.group(1).strip() else "", line)
    line = _LINK.sub(link, line)
    line = _REF_LINK.sub(r"\1", line)
    line = _AUTOLINK.sub(r"\1", line)
    line = _HTML_TAG.sub(" ", line)
    return _EMPHASIS.sub(r"\2", line)
