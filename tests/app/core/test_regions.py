"""Regions are the help centre's: any code, a country's name, its currency from CLDR."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
import httpx

from app.api import create_api
from app.cli.commands import cli
from app.core.regions import RegionError, currency, customer_region, mentioned_region, region_code, region_name
from app.core.settings import Settings
from app.service.beacon_service import BeaconService
from app.ui.chat import region_selector
from ingest.sync import sync_knowledge
from tests.app.api.conftest import running

KEY = "user-Regions7Hq2pX9vLm4Rt8"


@pytest.mark.parametrize(("written", "region"), [
    ("CA", "CA"), ("Canada", "CA"), ("ca", "CA"), ("de", "DE"), ("United Kingdom", "UK"), ("GB", "UK"), ("uk", "UK"),
    ("usa", "US"), ("eea", "EU"), ("APAC", "APAC"), ("US-NY", "US-NY"), ("all", "global"), ("*", "global"),
])
def test_an_editor_writes_a_region_as_a_code_or_a_country(written, region):
    assert region_code(written) == region


@pytest.mark.parametrize("written", ["Mars", "Europe", "North America", "apac", "C", "A VERY LONG CODE"])
def test_a_value_that_names_no_region_is_refused_with_what_to_write(written):
    with pytest.raises(RegionError, match="is not a region"):
        region_code(written)


@pytest.mark.parametrize("tag", ["fr", "en_US", "pt-BR", "ca"])
def test_a_site_generators_locale_is_a_language_not_a_country(tag):
    with pytest.raises(RegionError, match="is a language"):
        region_code(tag, language_is_not_region=True)
    assert region_code("CA", language_is_not_region=True) == "CA"
    assert region_code("eu", language_is_not_region=True) == "EU"  # the demo's spelling, as before


def test_a_customers_region_is_read_in_any_case():
    assert [customer_region(v) for v in ("ca", "Uk", "apac", "", "  ", None)] == ["CA", "UK", "APAC", None, None, None]
    with pytest.raises(RegionError):
        customer_region("North America")


def test_a_customer_reads_a_regions_name():
    assert [region_name(r) for r in ("UK", "EU", "US", "CA", "APAC")] == [
        "United Kingdom", "European Union", "United States", "Canada", "APAC"]


@pytest.mark.parametrize(("region", "named"), [
    ("UK", "GBP"), ("EU", "EUR"), ("US", "USD"), ("CA", "CAD"), ("CH", "CHF"), ("US-NY", "USD"),
    ("APAC", None), ("global", None), (None, None),
])
def test_a_regions_currency_is_cldrs(region, named):
    assert currency(region) == named


@pytest.mark.parametrize(("text", "regions", "region"), [
    ("and in the EU?", None, "EU"), ("I live in Spain", None, "EU"), ("what about the UK", None, "UK"),
    ("in the US?", None, "US"), ("how do I freeze my card", None, None), ("UK or EU?", None, None),
    ("I moved to Canada last year", ("EU", "CA"), "CA"), ("fees for APAC customers", ("APAC",), "APAC"),
    ("is it open in ca?", ("CA",), None),  # a two-letter code in a sentence is too often a word
    ("I moved to Canada", None, None),  # only the help centre's regions are named
    # "us" and "gb" are words too (public questions: "both of us have to approve every payment")
    ("me and my business partner want a wallet where both of us have to approve", None, None),
    ("you will hear back from us", None, None), ("I'm in the us", None, "US"), ("5 us dollars in euros", None, "US"),
    ("US customers", None, "US"), ("a card from the U.S.", None, "US"), ("the app takes 5 GB", None, None),
    ("an extra £1 charge", None, "UK"), ("GB customers", None, "UK"),
])
def test_a_message_names_one_of_the_help_centres_regions(text, regions, region):
    assert mentioned_region(text, *(() if regions is None else (regions,))) == region


@pytest.fixture(scope="module")
def canadian(tmp_path_factory, redactor):
    """A help centre written for Canada and Australia, ingested for real (Chroma, Presidio)."""
    root = tmp_path_factory.mktemp("regional")
    kb = root / "kb"
    (kb / "fees").mkdir(parents=True)
    (kb / "fees" / "atm-ca.md").write_text(
        "---\ntitle: ATM fees in Canada\nregion: Canada\n---\n# ATM withdrawals\n\n"
        "Cash withdrawals at any ATM in Canada are free for the first three each month, then 2.50 each.\n")
    (kb / "fees" / "atm-au.md").write_text(
        "---\ntitle: ATM fees in Australia\nregion: AU\n---\n# ATM withdrawals\n\n"
        "Cash withdrawals at any ATM in Australia cost 3.00 each, with no free withdrawals.\n")
    (kb / "fees" / "limits.md").write_text(
        "---\ntitle: Withdrawal limits\n---\n# Daily limit\n\n"
        "The daily ATM withdrawal limit is the equivalent of 500 in your account currency.\n")
    settings = Settings(data_dir=root / "data", knowledge_dir=kb, embedding_backend="hash", api_keys=[KEY])
    service = BeaconService(settings, redactor=redactor)
    sync_knowledge(kb, service.store, service.embedder, settings)
    return service


def test_a_help_centres_own_regions_are_ingested_offered_and_searched(canadian):
    assert canadian.regions() == ["AU", "CA"]
    selector = region_selector(canadian)
    assert selector.visible is True
    assert [tuple(c) for c in selector.choices] == [("None", "None"), ("Australia", "AU"), ("Canada", "CA")]
    found = canadian.search("ATM withdrawal fees", region="CA")
    assert {r["source"] for r in found["results"]} == {"fees/atm-ca.md", "fees/limits.md"}
    assert {r["region"] for r in found["results"]} == {"CA", "global"}


def test_a_customer_who_names_their_country_reads_its_documents_and_currency(canadian):
    chain = canadian.chain
    named = chain.answer("I live in Canada, how much are ATM withdrawals?")
    assert named.region == "CA" and "fees/atm-au.md" not in {c["source"] for c in named.citations}
    limit = chain.answer("what is the daily ATM withdrawal limit?", region="CA")
    if limit.generator == "extractive":
        assert "your account currency (CAD)" in limit.answer


def test_channels_and_the_cli_send_any_region_in_any_case(canadian):
    with running(create_api(canadian, canadian.settings)) as url, \
            httpx.Client(base_url=url, headers={"Authorization": f"Bearer {KEY}"}, timeout=60) as client:
        reply = client.post("/v1/chat", json={"message": "what are the ATM fees?", "context": {"region": "ca"}})
        assert reply.status_code == 200, reply.text
        assert reply.json()["region"] == "CA"
        bad = client.post("/v1/chat", json={"message": "hi", "context": {"region": "North America"}})
        assert bad.status_code == 422 and "is not a region" in bad.json()["error"]["message"]

    env = {"BEACON_DATA_DIR": str(canadian.settings.data_dir),
           "BEACON_KNOWLEDGE_DIR": str(canadian.settings.knowledge_dir), "BEACON_EMBEDDING_BACKEND": "hash"}
    found = CliRunner().invoke(cli, ["search", "ATM fees", "--region", "au", "--json"], env=env)
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout)["region"] == "AU"
    refused = CliRunner().invoke(cli, ["search", "ATM fees", "--region", "North America"], env=env)
    assert refused.exit_code == 2 and "'North America' is not a region" in refused.output


def test_ingest_reports_the_files_of_each_region(tmp_path, redactor):
    """A region written by mistake ("UKK") shows up beside the right one in the ingest report."""
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "fees-uk.md").write_text("---\nregion: UK\n---\n# Fees\n\nA card costs 5 pounds to replace.\n")
    (kb / "fees-typo.md").write_text("---\nregion: UKK\n---\n# Limits\n\nThe daily limit is 500 pounds.\n")
    (kb / "help.md").write_text("# Help\n\nAsk us anything in the chat.\n")
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=kb, embedding_backend="hash")
    service = BeaconService(settings, redactor=redactor)
    report = sync_knowledge(kb, service.store, service.embedder, settings)
    assert report.to_json()["regions"] == {"global": 1, "UK": 1, "UKK": 1}
    assert {f["source"]: f["regions"] for f in report.to_json()["files"]}["fees-typo.md"] == ["UKK"]
    again = sync_knowledge(kb, service.store, service.embedder, settings)  # unchanged files keep their regions
    assert again.regions() == {"global": 1, "UK": 1, "UKK": 1}
    (kb / "fees-typo.md").write_text("---\nregion: Atlantis\n---\n# Limits\n\nThe daily limit is 500 pounds.\n")
    broken = sync_knowledge(kb, service.store, service.embedder, settings)  # the last good version serves
    assert broken.regions() == {"global": 1, "UK": 1, "UKK": 1} and not broken.ok
