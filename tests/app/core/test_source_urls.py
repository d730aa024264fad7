"""app/core/source_urls.py: a knowledge file's public address, from the file or the pattern."""

from __future__ import annotations

import pytest

from app.core.errors import ConfigError
from app.core.settings import load_settings
from app.core.source_urls import SourceUrls, is_page_address, template_problem


@pytest.mark.parametrize(("template", "source", "expected"), [
    # Sphinx on Read the Docs: one page per file, its path with .html
    ("https://electrum.readthedocs.io/en/latest/{path}.html", "faq.rst",
     "https://electrum.readthedocs.io/en/latest/faq.html"),
    ("https://electrum.readthedocs.io/en/latest/{path}.html", "security_issues/sec_202306.md",
     "https://electrum.readthedocs.io/en/latest/security_issues/sec_202306.html"),
    # VuePress / MkDocs: a folder's README or index is the folder's own page
    ("https://docs.btcpayserver.org/{page}/", "FAQ/General.md", "https://docs.btcpayserver.org/FAQ/General/"),
    ("https://docs.btcpayserver.org/{page}/", "FAQ/README.md", "https://docs.btcpayserver.org/FAQ/"),
    ("https://docs.btcpayserver.org/{page}/", "README.md", "https://docs.btcpayserver.org/"),
    ("https://docs.example.com/{page}", "guides/index.md", "https://docs.example.com/guides"),
    # Jekyll: the text lives under _i18n/en/, the page under the folder's name
    ("https://www.getmonero.org/resources/{folder}/{stem}.html", "_i18n/en/resources/user-guides/restore_account.md",
     "https://www.getmonero.org/resources/user-guides/restore_account.html"),
    # a space or a parenthesis in a file name is escaped, the slashes between folders are not
    ("https://help.example.com/{path}", "Cards and fees/Freeze (new).md",
     "https://help.example.com/Cards%20and%20fees/Freeze%20%28new%29"),
    ("https://help.example.com/{path}", "notes", "https://help.example.com/notes"),
])
def test_the_pattern_fills_in_the_files_place(template, source, expected):
    assert SourceUrls(template).url_of(source) == expected


def test_the_files_own_address_wins_over_the_pattern():
    urls = SourceUrls("https://help.example.com/{page}/")
    assert urls.url_of("faq/cards.md", "https://support.example.com/hc/articles/360001") == \
        "https://support.example.com/hc/articles/360001"
    # a path from the site's root (Jekyll's permalink) is read on the pattern's site
    assert urls.url_of("faq/cards.md", "/cards/freeze.html") == "https://help.example.com/cards/freeze.html"


def test_without_a_pattern_only_a_full_address_of_the_files_own_counts():
    urls = SourceUrls()
    assert urls.url_of("faq/cards.md") is None
    assert urls.url_of("faq/cards.md", "/cards/freeze.html") is None  # no site to read the path on
    assert urls.url_of("faq/cards.md", "") is None
    assert urls.url_of("faq/cards.md", "https://help.example.com/cards") == "https://help.example.com/cards"


@pytest.mark.parametrize(("template", "problem"), [
    ("help.example.com/{page}", "is not an http(s) address"),
    ("https://help.example.com/{slug}", "unknown placeholder {slug}"),
    ("https://help.example.com/{page", "broken placeholder"),
    ("https://{page}.example.com/", "no site before its first placeholder"),
])
def test_a_pattern_that_cannot_work_is_named_with_the_fix(template, problem):
    assert problem in template_problem(template)
    with pytest.raises(ValueError, match=r"write|use \{path\}"):
        SourceUrls(template)


def test_the_setting_is_checked_when_it_is_read(monkeypatch):
    monkeypatch.setenv("BEACON_KB_URL_TEMPLATE", "https://help.example.com/{slug}/")
    with pytest.raises(ConfigError, match=r"BEACON_KB_URL_TEMPLATE: .*unknown placeholder \{slug\}.*use \{path\}"):
        load_settings()
    monkeypatch.setenv("BEACON_KB_URL_TEMPLATE", "https://help.example.com/{page}/")
    assert load_settings().kb_url_template == "https://help.example.com/{page}/"
    monkeypatch.setenv("BEACON_KB_URL_TEMPLATE", "")
    assert load_settings().kb_url_template is None


@pytest.mark.parametrize(("value", "usable"), [
    ("https://help.example.com/cards", True),
    ("/cards/freeze.html", True),
    ("/:categories/:title/", False),  # Jekyll's pattern of permalinks, not a page's
    ("cards/freeze", False),
    ("//cdn.example.com/x", False),
    ("https://", False),
    ("javascript:alert(1)", False),
    ("https://help.example.com/a b", False),
])
def test_what_a_file_may_give_as_its_address(value, usable):
    assert is_page_address(value) is usable
