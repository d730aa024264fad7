"""Where a knowledge file lives on the company's public help centre, so a citation can be opened.

Two places say it, and the file wins over the pattern:

- the file itself: front matter ``url`` (or ``permalink``, ``canonical_url``…; ingest/schema.py), an
  HTML export's ``<link rel="canonical">`` or ``og:url``. A path from the site's root ("/cards/freeze",
  Jekyll's ``permalink``) is joined to the site of the pattern below; without a pattern it gives nothing.
- the pattern ``BEACON_KB_URL_TEMPLATE``: a web address with the file's place in the knowledge folder
  filled in, as site generators turn file paths into addresses:

  ``{path}``   the path without its extension              ``guides/cards/freeze``
  ``{page}``   the same, an index page named for its folder  ``guides/README.md`` → ``guides``
  ``{folder}`` the name of the file's folder                 ``cards``
  ``{stem}``   the file's name without its extension         ``freeze``

  Sphinx on Read the Docs: ``https://electrum.readthedocs.io/en/latest/{path}.html``; VuePress and
  MkDocs: ``https://docs.btcpayserver.org/{page}/``; Jekyll's per-folder pages:
  ``https://www.getmonero.org/resources/{folder}/{stem}.html``.

Without either, a citation has no address (``url`` is null), as before. Nor has a page whose front matter moves it
away from its path ("slug", an "id" other than its file name, a permalink pattern such as ``/:categories/:title/``):
the pattern would give an address the site does not serve, and no link beats a dead one.
"""

from __future__ import annotations

import re
import string
from pathlib import PurePosixPath
from urllib.parse import quote, urljoin, urlsplit

FIELDS = ("path", "page", "folder", "stem")
# Stored as a page's ``url`` when its front matter says its address is not built from its path (ingest/schema.py).
NOT_FROM_PATH = "not-from-path"
_INDEX_NAMES = {"index", "readme", "_index"}  # a folder's own page in Sphinx, MkDocs, VuePress, Hugo
_REPEATED_SLASHES = re.compile(r"/{2,}")  # an empty {page} or {folder}: "https://docs.example.com//"


def template_problem(template: str) -> str | None:
    """What is wrong with a URL pattern, in words that tell the fix; None when it can be used."""
    if not template.startswith(("http://", "https://")):
        return f"{template!r} is not an http(s) address; write it like https://help.example.com/{{page}}"
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        return f"{template!r} has a broken placeholder ({exc}); write placeholders as {{path}}"
    unknown = [name for name in names if name not in FIELDS]
    if unknown:
        return (f"unknown placeholder {', '.join('{' + n + '}' for n in unknown)} in {template!r}; "
                f"use {', '.join('{' + f + '}' for f in FIELDS)}")
    if not urlsplit(template.split("{", 1)[0]).netloc:
        return f"{template!r} has no site before its first placeholder; write it like https://help.example.com/{{page}}"
    return None


def is_page_address(value: str) -> bool:
    """Whether a file's own ``url`` can be used: a web address, or a path from the site's root."""
    if value.startswith(("http://", "https://")):
        return bool(urlsplit(value).netloc) and not any(c.isspace() for c in value)
    return value.startswith("/") and not value.startswith("//") and ":" not in value and not any(
        c.isspace() for c in value)


def _quoted(path: str) -> str:
    return "/".join(quote(part) for part in path.split("/"))


def _fields(source: str) -> dict[str, str]:
    file = PurePosixPath(source)
    path = str(file.with_suffix("")) if file.suffix else str(file)
    parent = str(file.parent) if str(file.parent) != "." else ""
    page = parent if file.stem.lower() in _INDEX_NAMES else path
    return {"path": _quoted(path), "page": _quoted(page), "folder": quote(file.parent.name), "stem": quote(file.stem)}


class SourceUrls:
    """A knowledge file's public address, from its own ``url`` or the pattern; None when neither gives one."""

    def __init__(self, template: str | None = None) -> None:
        if template is not None and (problem := template_problem(template)):
            raise ValueError(problem)
        self.template = template
        self._site = None if template is None else "{0.scheme}://{0.netloc}/".format(urlsplit(template))

    def url_of(self, source: str, stored: str | None = None) -> str | None:
        if stored == NOT_FROM_PATH:
            return None
        if stored and stored.startswith(("http://", "https://")):
            return stored
        if stored and self._site is not None:
            return urljoin(self._site, stored)
        if self.template is None or not source:
            return None
        filled = self.template.format(**_fields(source))
        head, sep, rest = filled.partition("://")
        return head + sep + _REPEATED_SLASHES.sub("/", rest)
