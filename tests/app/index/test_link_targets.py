"""app/index/link_targets.py: a link as a help centre writes it, matched to the indexed file."""

from __future__ import annotations

import pytest

from app.index.link_targets import (
    LinkResolver, LinkTarget, anchors_of, heading_slug, heading_slugs, label_places, labels_of)

FILES = ["FAQ/Apps.md", "FAQ/Integrations.md", "Guide.md", "Development/LocalDevelopment.md",
         "_i18n/en/resources/user-guides/restore_from_keys.md", "hardware-linux.rst", "docs/index.html",
         "en/pricing.md", "de/pricing.md"]


@pytest.mark.parametrize(("target", "source", "expected"), [
    ("./Apps.md#point-of-sale-app", "FAQ/General.md", LinkTarget("FAQ/Apps.md", "point-of-sale-app")),  # relative
    ("../Guide.md", "FAQ/General.md", LinkTarget("Guide.md", "")),
    ("./FAQ/Integrations/#woocommerce-faq", "Walkthrough.md", LinkTarget("FAQ/Integrations.md", "woocommerce-faq")),
    ("/Development/LocalDevelopment.md#videos", "Contribute/Dev.md",
     LinkTarget("Development/LocalDevelopment.md", "videos")),  # site root
    ("{{site.baseurl}}/resources/user-guides/restore_from_keys.html", "_i18n/en/resources/user-guides/restore.md",
     LinkTarget("_i18n/en/resources/user-guides/restore_from_keys.md", "")),  # Jekyll: published without _i18n/en
    ("hardware-linux", "faq.rst", LinkTarget("hardware-linux.rst", "")),  # Sphinx :doc:
    ("/docs/", "Guide.md", LinkTarget("docs/index.html", "")),  # a folder's index page
    ("#quick-setup", "Guide.md", None),  # a heading of the same page
    ("https://docs.btcpayserver.org/Guide/", "Guide.md", None),  # another site
    ("mailto:help@example.com", "Guide.md", None),
    ("/pricing.html", "Guide.md", None),  # two files end that way: neither is guessed
    ("./Missing.md", "Guide.md", None),
])
def test_a_link_is_matched_to_the_file_it_points_at(target, source, expected):
    assert LinkResolver(FILES).resolve(target, source) == expected


@pytest.mark.parametrize(("heading", "slug"), [
    ("Point of Sale App", "point-of-sale-app"),
    ("How to update BTCPay Server?", "how-to-update-btcpay-server"),
    ("2.1 Connect (recommended)", "21-connect-recommended"),
])
def test_a_heading_is_slugged_as_site_generators_anchor_it(heading, slug):
    assert heading_slug(heading) == slug


@pytest.mark.parametrize(("heading", "slugs"), [
    # Headings of BTCPay's FAQ that its own pages link to by VuePress' anchors
    ("After initial deployment, I can't register?", {"after-initial-deployment-i-cant-register",
                                                     "after-initial-deployment-i-can-t-register"}),
    ("How to manually install BTCPay on Ubuntu 18.04?", {"how-to-manually-install-btcpay-on-ubuntu-1804",
                                                         "how-to-manually-install-btcpay-on-ubuntu-18-04"}),
    ("2.3 - Bitcoin Node Logs", {"23---bitcoin-node-logs", "23-bitcoin-node-logs", "2-3-bitcoin-node-logs"}),
    ("Point of Sale App", {"point-of-sale-app"}),
])
def test_a_heading_has_the_anchors_common_site_generators_give_it(heading, slugs):
    assert heading_slugs(heading) == slugs


def test_the_links_stored_with_a_chunk_are_read_back_and_a_chunk_without_them_has_none():
    assert anchors_of({"anchors": '[["this guide", "./restore.md"]]'}) == [("this guide", "./restore.md")]
    assert anchors_of({"anchors": ""}) == [] and anchors_of({}) == [] and anchors_of({"anchors": "{broken"}) == []


def test_a_sphinx_ref_leads_to_the_file_and_section_its_label_names():
    stored = [{"source": "faq.rst", "section": "Where is the datadir?", "labels": '["datadir"]'},
              {"source": "faq.rst", "section": "Other", "labels": ""},
              {"source": "coldstorage.rst", "section": "", "labels": '["coldstorage"]'},
              {"source": "a.rst", "section": "Setup", "labels": '["setup"]'},
              {"source": "b.rst", "section": "Setup", "labels": '["setup"]'}]
    places = label_places(stored)
    assert places == {"datadir": ("faq.rst", "Where is the datadir?"), "coldstorage": ("coldstorage.rst", "")}
    resolver = LinkResolver(["faq.rst", "coldstorage.rst", "a.rst", "b.rst"], places)
    assert resolver.resolve("ref:datadir", "plugins.rst") == LinkTarget("faq.rst", "where-is-the-datadir")
    assert resolver.resolve("ref:coldstorage", "faq.rst") == LinkTarget("coldstorage.rst", "")  # the page's top
    assert resolver.resolve("ref:setup", "faq.rst") is None  # two files define it: neither is guessed
    assert resolver.resolve("ref:nowhere", "faq.rst") is None
    assert labels_of({"labels": "{broken"}) == [] and labels_of({}) == []


@pytest.mark.parametrize(("anchors", "expected"), [
    ([("this guide", "https://se.example/q/1")], [("this guide", "https://se.example/q/1")]),
    ([("Deployment FAQ", "./FAQ/Deployment.md"), ("chat", "{{site.baseurl}}/community/")], []),  # the KB's own pages
    ([("https://electrum.org/#download", "https://electrum.org/#download")], []),  # the text shows the address
    ([("2", "https://a.example/fn"), ("mail us", "mailto:help@example.com")], []),  # a marker-like number; no site
    ([("here", "https://a.example/x"), ("here", "https://b.example/y")], []),  # one text, two places: unknown
    ([("here", "https://a.example/x"), ("here", "https://a.example/x")], [("here", "https://a.example/x")]),
])
def test_links_to_other_sites_are_the_ones_a_reply_can_give(anchors, expected):
    from app.index.link_targets import external_links, stored_anchors

    assert external_links({"anchors": stored_anchors(anchors)}) == expected


def test_links_to_other_articles_are_given_with_the_address_of_their_page():
    from app.index.link_targets import page_links, stored_anchors

    pages = {"./FAQ/Deployment.md": "https://docs.example.com/FAQ/Deployment/",
             "./Apps.md#pos": "https://docs.example.com/Apps/#pos"}
    anchors = [("Deployment FAQ", "./FAQ/Deployment.md"), ("point of sale", "./Apps.md#pos"),
               ("a page with none", "./Old.md"), ("this guide", "https://se.example/q/1"),  # another site's: not here
               ("3", "./FAQ/Deployment.md")]  # a marker-like number
    assert page_links({"anchors": stored_anchors(anchors)}, pages.get) == [
        ("Deployment FAQ", "https://docs.example.com/FAQ/Deployment/"),
        ("point of sale", "https://docs.example.com/Apps/#pos")]
    assert page_links({}, pages.get) == []
