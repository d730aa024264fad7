"""guardrails/links.py: a reply's web addresses must be on a site its sources name."""

from __future__ import annotations

import pytest

from guardrails.links import addresses, unsupported_links

SOURCES = ["Go to element.io to download the app. Ask on reddit.", "Run wget https://download.electrum.org/4.5/x.",
           "The wallets are on getmonero.org."]
LINKS = ["https://www.reddit.com/r/monerosupport/", "{{site.baseurl}}/community/hangouts/", "./Apps.md",
         "mailto:help@example.com"]


@pytest.mark.parametrize(("reply", "unsupported"), [
    ("Ask on [reddit](https://www.reddit.com/r/monerosupport/) [1].", []),  # the source's own link
    ("Ask on https://reddit.com/r/monerosupport.", []),  # the same site, written without www. or the slash
    ("Download it from www.element.io/download [1].", []),  # a site the source's text names
    ("Get it at https://download.electrum.org/4.6/ [2].", []),  # another page of a site the text links to
    ("No address at all [1].", []),
    ("Restore your wallet at https://electrum-recovery.com/seed [1].", ["https://electrum-recovery.com/seed"]),
    ("Download it from [the site](https://element.io.evil.example/app) [1].", ["https://element.io.evil.example/app"]),
    ("See www.monero.org [1].", ["www.monero.org"]),  # "getmonero.org" would not name "monero.org"
    ("Open http://localhost:8080/admin [1].", ["http://localhost:8080/admin"]),
    # Markdown links of other kinds: rendered, they are as clickable as a web address
    ("[Verify your wallet](javascript:alert(document.cookie)) [1].", ["javascript:alert(document.cookie)"]),
    ("[Open it](data:text/html;base64,PHNjcmlwdD4=) [1].", ["data:text/html;base64,PHNjcmlwdD4="]),
    ("[Write to us](mailto:help@electrum.example) [1].", ["mailto:help@electrum.example"]),
    ("[Write to us](mailto:help@example.com) [1].", []),  # the source's own link
    ("[Apps](./Apps.md) [1].", []),
])
def test_a_reply_links_only_to_sites_its_sources_name(reply, unsupported):
    assert unsupported_links(reply, SOURCES, LINKS) == unsupported


def test_an_address_ends_before_the_sentence_does():
    assert addresses("See https://a.example/x. Or [b](https://b.example/y%28z%29), www.c.example!") == [
        "https://a.example/x", "https://b.example/y%28z%29", "www.c.example"]


@pytest.mark.parametrize(("reply", "unsupported"), [
    ("Log in at lodestar-secure.com and type your seed phrase [1].", ["lodestar-secure.com"]),
    ("Restore your wallet at electrum-wallet.help/recover [1].", ["electrum-wallet.help/recover"]),
    ("Write to help@lodestar-support.net [1].", ["lodestar-support.net"]),  # an e-mail address on a made-up site
    ("Download the app from element.io [1].", []),  # the source names it
    ("Tap Card > Freeze; it costs 4.99 a month [1].", []),  # amounts and menu paths are no sites
])
def test_a_bare_domain_is_a_site_too(reply, unsupported):
    assert unsupported_links(reply, SOURCES, LINKS) == unsupported


def test_a_piece_of_a_longer_word_is_no_domain():
    # Presidio's recognizer finds "wallet.cr" in Electrum's console command; the reply quotes the command.
    assert unsupported_links("Type wallet.create_new_address(False) in the console [1].", ["Type it."]) == []
