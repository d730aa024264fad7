"""Does BEACON_KB_URL_TEMPLATE give each help centre's pages the addresses its site gives them?

A citation's link is only worth having if it opens the article. Nothing here reaches the web, so the check
uses what the help centres say about their own addresses: every link an article writes to another page of
its own site (an absolute address on the site, or, for Jekyll, a path from the site's root once
``{{ site.baseurl }}`` is read out). Each such address, without its ``#fragment``, is looked up among the
addresses the pattern gives the KB's files: found, or not (a page the KB does not hold: another repository's
pages, blog posts, downloads).

    python -m research.kbs.page_urls
"""

from __future__ import annotations

import argparse
from urllib.parse import urljoin, urlsplit

from app.core.settings import Settings
from app.core.source_urls import SourceUrls
from ingest.folder import chunk_folder
from research.kbs.data import real_kb

# The pattern of each public help centre, read from its generator's configuration as published.
TEMPLATES = {
    "electrum": "https://electrum.readthedocs.io/en/latest/{path}.html",  # Sphinx on Read the Docs
    "monero": "https://www.getmonero.org/resources/{folder}/{stem}.html",  # Jekyll; the text lives in _i18n/en/
    "btcpay": "https://docs.btcpayserver.org/{page}/",  # VuePress, clean addresses
}
# Jekyll's links start at the site's root once {{ site.baseurl }} is read out: they are the site's addresses.
ROOT_PATHS_ARE_ADDRESSES = {"monero"}


def site_links(kb: str, template: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """(the address the pattern gives each indexed file, [(linking file, address linked)])."""
    urls = SourceUrls(template)
    site = "{0.scheme}://{0.netloc}".format(urlsplit(template))
    host = urlsplit(template).netloc.removeprefix("www.")
    pages, links = {}, []
    for loaded in chunk_folder(real_kb(kb).docs, Settings()):
        if loaded.document is None or not loaded.chunks:
            continue
        pages[loaded.source] = urls.url_of(loaded.source, loaded.document.meta.url)
        for _, target, _ in loaded.document.anchors:
            if target.startswith("/") and not target.startswith("//") and kb in ROOT_PATHS_ARE_ADDRESSES:
                target = urljoin(site, target)
            parts = urlsplit(target)
            if parts.scheme in ("http", "https") and parts.netloc.removeprefix("www.") == host:
                links.append((loaded.source, parts._replace(fragment="", scheme="https").geturl()))
    return pages, links


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", action="append", choices=sorted(TEMPLATES))
    parser.add_argument("--show", action="store_true", help="list the addresses no file has")
    args = parser.parse_args()
    print("| KB | pattern | files with an address | links to the site's own pages | of which a KB file's address |")
    print("|---|---|---|---|---|")
    missed = {}
    for kb in args.kb or sorted(TEMPLATES):
        pages, links = site_links(kb, TEMPLATES[kb])
        known = {url.replace("://www.", "://") for url in pages.values() if url}
        found = [url for _, url in links if url.replace("://www.", "://") in known]
        missed[kb] = sorted({url for _, url in links if url.replace("://www.", "://") not in known})
        print(f"| {kb} | `{TEMPLATES[kb]}` | {sum(1 for u in pages.values() if u)} of {len(pages)} | {len(links)} "
              f"({len({u for _, u in links})} distinct) | {len(found)} ({len(set(found))} distinct) |")
    if args.show:
        for kb, urls in missed.items():
            print(f"\n{kb}: addresses on the site that no indexed file has ({len(urls)})")
            for url in urls:
                print("  ", url)


if __name__ == "__main__":
    main()
