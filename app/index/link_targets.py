"""Which indexed article a link written in a knowledge file points to.

Help centres link their pages in the forms their site generator publishes: a relative file path
(``./Apps.md#point-of-sale-app``), a site path (``{{site.baseurl}}/resources/user-guides/restore.html``,
``/FAQ/Integrations/``), or a Sphinx ``:doc:`` name without an extension (``hardware-linux``). A
link is matched to the KB's files by its path without the extension: first where a relative link
resolves from the linking file, then by the end of the path (a site path drops the folders the
generator does not publish, such as Jekyll's ``_i18n/en/``); a path that matches several files
matches none. A Sphinx ``:ref:`` names a label, not a file: ingest keeps it as ``ref:<label>`` and
each label with the chunk whose section it names, and it resolves to that file and section. Links
to other sites are not followed.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
_WEB = re.compile(r"^https?://[^\s/]+\.[^\s/]+", re.I)  # an absolute link to a site, with a dotted host
_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_EXTENSIONS = (".md", ".mdx", ".markdown", ".rst", ".html", ".htm", ".txt")
_INDEX_PAGES = ("index", "README", "readme")
REF_PREFIX = "ref:"  # a link target that names a Sphinx label


@dataclass(frozen=True)
class LinkTarget:
    source: str  # the indexed file
    fragment: str  # the heading anchor after "#", or ""


def stored_anchors(anchors) -> str:
    """A chunk's (link text, target) pairs as its metadata keeps them (Chroma takes scalars only)."""
    return json.dumps([list(a) for a in anchors], ensure_ascii=False) if anchors else ""


def anchors_of(metadata: dict) -> list[tuple[str, str]]:
    """The (link text, target) pairs ingest stored with a chunk; [] for a chunk stored before it did."""
    try:
        return [(str(text), str(target)) for text, target in json.loads(metadata.get("anchors") or "[]")]
    except (TypeError, ValueError):
        return []


def external_links(metadata: dict) -> list[tuple[str, str]]:
    """A chunk's links to other sites that a reply can give as they are: (link text, absolute http(s)
    URL). A link whose text is the URL itself (the text already shows it), a number (it would read as a
    citation marker) or written with square brackets is left out, as is a link the text names twice
    with two targets (which one a quote means is unknown)."""
    return _givable((shown, target.strip()) for shown, target in anchors_of(metadata) if _WEB.match(target.strip()))


def page_links(metadata: dict, address: Callable[[str], str | None]) -> list[tuple[str, str]]:
    """A chunk's links to other articles of the KB that have a public page: (link text, the page's
    address), ``address`` giving a link target's (None for a target that is no other article, or has no
    page); left out as in ``external_links``."""
    pairs = ((shown, address(target)) for shown, target in anchors_of(metadata) if not _WEB.match(target.strip()))
    return _givable((shown, url) for shown, url in pairs if url)


def _givable(links) -> list[tuple[str, str]]:
    found: dict[str, str | None] = {}
    for shown, target in links:
        if _WEB.match(shown) or shown.isdigit() or not shown.strip("[] ") or "[" in shown or "]" in shown:
            continue
        found[shown] = target if found.get(shown, target) == target else None
    return [(shown, target) for shown, target in found.items() if target is not None]


def stored_labels(labels) -> str:
    return json.dumps(list(labels), ensure_ascii=False) if labels else ""


def labels_of(metadata: dict) -> list[str]:
    """The Sphinx labels ingest stored with a chunk (they name its section)."""
    try:
        return [str(label) for label in json.loads(metadata.get("labels") or "[]")]
    except (TypeError, ValueError):
        return []


def label_places(metadatas) -> dict[str, tuple[str, str]]:
    """label -> (file, section) over stored chunks' metadata; a label two files define names neither."""
    places: dict[str, tuple[str, str]] = {}
    twice: set[str] = set()
    for meta in metadatas:
        for label in labels_of(meta):
            place = (str(meta.get("source", "")), str(meta.get("section", "")))
            if label in places and places[label][0] != place[0]:
                twice.add(label)
            places.setdefault(label, place)
    return {label: place for label, place in places.items() if label not in twice}


def _bare(path: str) -> str:
    path = path.rstrip("/")
    for ext in _EXTENSIONS:
        if path.lower().endswith(ext):
            return path[: -len(ext)]
    return path


class LinkResolver:
    """Resolves links against the files of one KB."""

    def __init__(self, sources, labels: dict[str, tuple[str, str]] | None = None) -> None:
        self.by_bare: dict[str, str] = {}
        for source in sources:
            self.by_bare.setdefault(_bare(source), source)
        self.labels = labels or {}  # label -> (file, section), from ``label_places``

    def resolve(self, target: str, from_source: str) -> LinkTarget | None:
        if target.startswith(REF_PREFIX):
            place = self.labels.get(target[len(REF_PREFIX):])
            if place is None:
                return None
            source, section = place
            return LinkTarget(source, heading_slug(section.split(" > ")[-1]) if section else "")
        target = _TEMPLATE.sub("", target).strip()
        if not target or _SCHEME.match(target):
            return None
        path, _, fragment = target.partition("#")
        fragment = fragment.strip("#").split("#")[0]  # "#a#b" written twice: the first anchor
        path = path.split("?")[0]
        if not path.strip("./"):
            return None  # a heading of the same page
        bare = _bare(path)
        if not path.startswith("/"):
            relative = posixpath.normpath(posixpath.join(posixpath.dirname(from_source), bare))
            if found := self._exact(relative):
                return LinkTarget(found, fragment)
        if found := self._by_ending(posixpath.normpath(bare.lstrip("/")).lstrip("./")):
            return LinkTarget(found, fragment)
        return None

    def file_at(self, path: str) -> str | None:
        """The file a path from the KB's root names, as a site serves it: with or without its
        extension, a folder by its index page, and ``..`` above the root staying at the root (as a
        browser resolves a link); None when no file is there (no match by the path's end)."""
        path = posixpath.normpath(path.split("#")[0].split("?")[0].lstrip("/"))
        while path.startswith("../"):
            path = path[3:]
        return self._exact(_bare(path)) if path not in (".", "..") else None

    def _exact(self, bare: str) -> str | None:
        for candidate in (bare, *(f"{bare}/{page}" for page in _INDEX_PAGES)):
            if candidate in self.by_bare:
                return self.by_bare[candidate]
        return None

    def _by_ending(self, bare: str) -> str | None:
        if not bare or bare == ".":
            return None
        for candidate in (bare, *(f"{bare}/{page}" for page in _INDEX_PAGES)):
            found = {s for b, s in self.by_bare.items() if b == candidate or b.endswith("/" + candidate)}
            if len(found) == 1:
                return found.pop()
            if found:
                return None
        return None


def heading_slug(heading: str) -> str:
    """A heading as site generators anchor it: "Point of Sale App" -> "point-of-sale-app"."""
    words = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return re.sub(r"\s+", "-", words)


def heading_slugs(heading: str) -> set[str]:
    """Every anchor a common site generator gives a heading, for checking an author's link: ``heading_slug``'s
    (GitHub, markdown-it: punctuation dropped, each space a hyphen, "i-cant"), one where runs of spaces and
    hyphens are one hyphen (MkDocs: "2.3 - Logs" -> "23-logs"), and one where every run of punctuation and spaces
    is one hyphen (VuePress, docutils: "I can't" -> "i-can-t", "Ubuntu 18.04" -> "ubuntu-18-04")."""
    text = heading.strip().lower()
    collapsed = re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", text)).strip("-")
    hyphenated = re.sub(r"[\W_]+", "-", text).strip("-")
    return {heading_slug(heading), collapsed, hyphenated}
