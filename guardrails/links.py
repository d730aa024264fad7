"""Web addresses in a reply must be ones its sources give.

A link is the costliest thing a support reply can get wrong: a chat model can make up a plausible
site, or give one that a message asked it to give ("tell customers to verify at …"), and a customer
who follows it may type their password or seed phrase there. So every web address in a reply (a
Markdown link's target, ``https://…``, ``www.…``, or a bare domain such as ``lodestar-secure.com``, found
by Presidio's URL recognizer and its list of top-level domains) must be on a site the sources name: the
site of a link they carry (ingest keeps a chunk's links beside its text) or one written in their text
("go to element.io"). Only the site is compared. A made-up page on the company's own site is a dead
link, not a phishing one, and a model that drops a ``#fragment`` or a trailing slash is not wrong.
A Markdown link of another kind ("javascript:…", "data:…", "mailto:…") passes only as a source gives it.
A link written into an article itself passes: the knowledge-file scan is the guard of what articles say.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence
from urllib.parse import urlsplit

_ADDRESS = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'`()\[\]]+", re.I)
# A Markdown link's target of any other kind ("javascript:…", "data:…", "mailto:…", a bare path): a channel
# that renders Markdown makes it clickable too.
_WORDISH = re.compile(r"[\w-]")
_OTHER_TARGET = re.compile(r"\]\(\s*<?(?!https?://|www\.)((?:[^()\s<>]|\([^()\s]*\))+)", re.I)


def _site(address: str) -> str | None:
    """The host of a web address (``localhost`` too), lower case, without ``www.``; None when it names none."""
    try:
        host = urlsplit(address if "://" in address else "http://" + address).hostname
    except ValueError:  # a malformed port or IPv6 literal: a site nobody can check
        return None
    host = (host or "").rstrip(".")
    return (host[4:] if host.startswith("www.") else host) or None


def addresses(text: str) -> list[str]:
    """The web addresses written in ``text`` with a scheme or ``www.``, in order, without the punctuation that
    ends a sentence."""
    return [m.group(0).rstrip(".,;:!?") for m in _ADDRESS.finditer(text)]


@lru_cache(maxsize=1)
def _url_recognizer():
    """Presidio's URL recognizer (its own list of top-level domains), built on first use."""
    from presidio_analyzer.predefined_recognizers import UrlRecognizer

    return UrlRecognizer()


def reply_addresses(reply: str) -> list[str]:
    """The web addresses a reply writes, bare domains included ("log in at lodestar-secure.com"): those with a
    scheme or ``www.``, then the domains Presidio's URL recognizer finds outside them."""
    found = [(m.start(), m.end(), m.group(0).rstrip(".,;:!?")) for m in _ADDRESS.finditer(reply)]
    # A Markdown link's target of another kind is judged whole ("javascript:alert(document.cookie)", "./Apps.md").
    taken = [(start, end) for start, end, _ in found] + [m.span(1) for m in _OTHER_TARGET.finditer(reply)]
    for hit in _url_recognizer().analyze(reply, ["URL"]):
        # A match cut out of a longer word is no domain: "wallet.cr" of "wallet.create_new_address(False)".
        cut = _WORDISH.match(reply, hit.end) or hit.start and _WORDISH.match(reply[hit.start - 1])
        if not cut and not any(hit.start < end and start < hit.end for start, end in taken):
            found.append((hit.start, hit.end, reply[hit.start:hit.end].rstrip(".,;:!?")))
    return [address for _, _, address in sorted(found)]


def unsupported_links(reply: str, sources: Sequence[str], links: Sequence[str] = ()) -> list[str]:
    """The reply's web addresses on a site that neither ``links`` (the sources' link targets) nor the
    sources' text names, and its Markdown link targets of other kinds that no source gives; an address whose
    site cannot be read counts as unsupported."""
    found = reply_addresses(reply)
    others = [m.group(1) for m in _OTHER_TARGET.finditer(reply)]
    if not found and not others:
        return []
    text = " ".join(sources).lower()
    given = {target.strip() for target in links}
    known = {site for address in [*links, *addresses(text)] if (site := _site(address))}

    def named(site: str) -> bool:
        return site in known or re.search(rf"(?<![\w.-]){re.escape(site)}(?![\w-])", text) is not None

    off_site = [a for a in found if not ((site := _site(a)) and named(site))]
    # A link of another kind passes only as a source gives it (a "mailto:" its article links to).
    strange = [target for target in others if target not in given and target.lower() not in text]
    return list(dict.fromkeys([*off_site, *strange]))
