"""app/chain/pointers.py: an answer that only points to another article is followed to it
(real embedder, real Chroma, a small KB written for the test)."""

from __future__ import annotations

import pytest

from app.chain.factory import build_retriever
from app.chain.generation.extractive import ExtractiveGenerator
from app.chain.pointers import FOLLOWED, follow, named_article, names
from tests.app.index.small_kb import ingested_store


@pytest.mark.parametrize(("answer", "named"), [
    ("Yes, see Cold Storage.", "Cold Storage"),  # Electrum's FAQ
    ("Yes. Please read our guide on creating the POS app.", "our guide on creating the POS app"),  # BTCPay's
    ("In order to do that, please read How to prove a payment was made.", "How to prove a payment was made"),
    ("To add a new coin, please follow the instructions here.", None),  # names no article
    ("See the relevant FAQ section.", None),
    ("The fee is 2 EUR a month. It is charged on the first day.", None),  # says it itself
    ("Freeze the card in the app under Card > Settings, then see the card's status change to frozen within a few "
     "seconds, and call us if it does not change at all after that.", None),  # too long to be only a pointer
])
def test_a_pointer_only_answer_names_its_article(answer, named):
    assert named_article(answer) == named


@pytest.mark.parametrize(("named", "title", "expected"), [
    ("Cold Storage", "Cold Storage", True),
    ("our Shopify Integration Guide", "Shopify", True),  # all of a short title
    ("How to prove a payment was made", "Prove payment", True),
    ("electrum/contrib/udev", "Electrum Plugin development", False),  # one word of three
    ("Cold Storage", "Two-factor authentication", False),
])
def test_a_named_article_is_matched_to_a_title(named, title, expected):
    assert names(named, title) is expected


FILES = {
    "faq.md": "# Frequently asked questions\n\n## Does the wallet support cold wallets?\n\nYes, see "
              "[Cold Storage](coldstorage.md).\n\n## Can I pay many people at once?\n\nYes: type one address and "
              "amount per line in the Pay to field, separated by a comma.\n",
    "coldstorage.md": "# Cold Storage\n\nThis guide shows how to create an offline wallet that holds your coins and "
                      "a watching-only online wallet that sees the balance.\n\n## Create an offline wallet\n\n"
                      "On a computer that never goes online, create a standard wallet and write down its seed "
                      "words on paper.\n\n## Create a watching-only wallet\n\nExport the master public key of the "
                      "offline wallet and restore a watching-only wallet from it on your online computer.\n",
    "plugins.md": "# Plugins\n\nPlugins add features to the wallet. Enable one under Tools > Plugins and restart "
                  "the wallet.\n",
}


def _retriever(tmp_path_factory, embedder, files: dict[str, str]):
    store = ingested_store(tmp_path_factory.mktemp("pointers"), files, embedder)
    return build_retriever(store.settings, store, embedder)


@pytest.fixture(scope="module")
def retriever(tmp_path_factory, embedder):
    return _retriever(tmp_path_factory, embedder, FILES)


def test_the_article_a_pointer_names_becomes_the_next_source_and_is_quoted(retriever):
    question = "can i keep my keys on an old laptop that never goes online and just watch the balance"
    results = retriever.retrieve("does the wallet support cold wallets", top_k=3).results
    assert results[0].source == "faq.md" and results[0].text.startswith("Yes, see Cold Storage")
    followed = follow(retriever, question, results, top_k=3)
    assert followed[0] is results[0]
    assert followed[1].source == "coldstorage.md" and followed[1].metadata[FOLLOWED] == "faq.md"
    assert followed[1].sentence_cosines is None  # its step's cosines may be to the searched name, not the question
    assert followed[2:] == [c for c in results[1:] if c.chunk_id != followed[1].chunk_id]  # nothing taken away
    assert len({c.chunk_id for c in followed}) == len(followed)
    reply = ExtractiveGenerator().generate(question, followed).text
    assert reply.startswith("Yes, see Cold Storage. [1]")
    assert "See also Cold Storage:\n" in reply and reply.split("See also Cold Storage:\n", 1)[1].endswith("[2]")
    assert "never goes online" in reply or "watching-only" in reply


def test_an_answer_that_says_it_itself_is_left_as_it_is(retriever):
    results = retriever.retrieve("can i pay many people at once", top_k=3).results
    assert results[0].source == "faq.md"
    assert follow(retriever, "can i pay many people at once", results) == results


def test_the_chain_cites_the_article_a_pointer_names(retriever, embedder, redactor, tmp_path_factory):
    from app.chain.factory import build_chain, build_guardrails
    from app.core.settings import Settings

    store = retriever.store
    # The confidence cut is for real help centres; this three-file KB only checks the wiring.
    settings = store.settings.model_copy(update={"confidence_threshold": 0.0})
    state = Settings(data_dir=tmp_path_factory.mktemp("pointer-state"))
    chain = build_chain(settings, store, embedder, guardrails=build_guardrails(state, embedder, redactor))
    answer = chain.answer("does the wallet support cold wallets?")
    assert answer.decision["action"] in ("answer", "answer_with_caution")
    assert [c["source"] for c in answer.citations[:2]] == ["faq.md", "coldstorage.md"]
    assert "pointer_followed" in answer.flags and "follow_ms" in answer.latency_ms
    assert answer.output_check["passed"]


def test_a_search_that_fails_while_following_leaves_the_answer_as_it_was(retriever):
    results = retriever.retrieve("does the wallet support cold wallets", top_k=3).results

    class Failing:
        def retrieve(self, *args, **kwargs):
            raise ConnectionError("chroma server went away")

    assert follow(Failing(), "can i keep my keys offline", results) == results


LINKED = {
    "faq.md": "# Shop FAQ\n\n## Can I sell at a market stall?\n\nYes. Please read [our guide on the till]"
              "(guides/shop.md#set-up-the-till).\n\n## Why is my balance zero after restoring my wallet?\n\n"
              "You set a restore height above the block of your first payment, so the wallet skipped it while scanning "
              "the blockchain for your transactions. To solve this, change the restore height. Please read "
              "[this guide]({{site.baseurl}}/guides/restore-height.html) for detailed instructions.\n\n"
              "## What does the shop cost?\n\nThe shop costs 5 EUR a month. Fees are listed in the "
              "[Pricing](guides/pricing.md) table of your plan.\n\n## Is there a plugin for hardware wallets?\n\n"
              "Yes, see Plugins.\n",
    "guides/shop.md": "# Shop\n\n## Opening hours\n\nThe shop app shows your opening hours on the receipt.\n\n"
                      "## Set up the till\n\nOpen Apps > Till, add your products with their prices and print the QR "
                      "code for the stall.\n",
    "guides/restore-height.md": "# Change the restore height\n\n## Balance zero after restoring the wallet?\n\n"
                                "See [Rescan](rescan.md).\n\n## Steps\n\nOpen Settings > Info, press Change next "
                                "to the restore height, enter a block from before your first payment and rescan.\n",
    "guides/pricing.md": "# Pricing\n\nThe shop costs 5 EUR a month on the basic plan and 15 EUR on the pro plan.\n",
    "plugins.md": "# Plugins\n\nPlugins add features to the wallet. Enable the hardware wallet plugin under Tools > "
                  "Plugins and restart the wallet.\n",
}


@pytest.fixture(scope="module")
def linked(tmp_path_factory, embedder):
    return _retriever(tmp_path_factory, embedder, LINKED)


def _first(retriever, asked: str):
    results = retriever.retrieve(asked, top_k=3).results
    assert results[0].source == "faq.md"
    return results


def test_a_pointer_is_followed_by_its_link_to_the_section_the_anchor_names(linked):
    # "our guide on the till" names no title: the link's target does.
    results = _first(linked, "can i sell at a market stall")
    followed = follow(linked, "how do i take payments at my market stall", results)
    assert followed[1].source == "guides/shop.md" and followed[1].section == "Set up the till"
    assert followed[1].metadata[FOLLOWED] == "faq.md"


def test_an_anchor_written_as_vuepress_writes_it_finds_its_section(tmp_path_factory, embedder):
    # BTCPay's FAQ index links "./Deployment.md#after-initial-deployment-i-can-t-register-…": VuePress' anchor.
    retriever = _retriever(tmp_path_factory, embedder, {
        "faq.md": "# Shop FAQ\n\n## Can I sell at a market stall?\n\nYes. Please read [our guide on the till]"
                  "(guides/shop.md#i-can-t-find-the-till).\n",
        # The search finds the stall's opening hours; the link names the other section.
        "guides/shop.md": "# Shop\n\n## Opening hours\n\nSelling at a market stall? The shop app shows your stall's "
                          "opening hours on the receipt.\n\n## I can't find the till\n\nOpen Apps > Till and add "
                          "your products with their prices.\n"})
    followed = follow(retriever, "how do i take payments at my market stall", _first(retriever, "can i sell at a "
                                                                                      "market stall"))
    assert followed[1].source == "guides/shop.md" and followed[1].section == "I can't find the till"


def test_an_answer_that_ends_by_deferring_to_a_guide_is_followed_through_a_site_path(linked):
    question = "restored my wallet and the balance shows zero"
    results = _first(linked, "why is my balance zero after restoring my wallet")
    assert named_article(results[0].text) is None  # it says something itself
    followed = follow(linked, question, results)
    assert followed[1].source == "guides/restore-height.md" and followed[1].section == "Steps"  # not its pointer
    reply = ExtractiveGenerator().generate(question, followed).text
    assert "See also Change the restore height:\n" in reply


def test_a_link_in_a_sentence_that_is_no_pointer_is_not_followed(linked):
    results = _first(linked, "what does the shop cost")
    assert follow(linked, "what does the shop cost", results) == results


def test_a_pointer_without_a_link_is_still_matched_by_title(linked):
    results = _first(linked, "is there a plugin for hardware wallets")
    followed = follow(linked, "is there a plugin for hardware wallets", results)
    assert followed[1].source == "plugins.md"


SPHINX = {
    "faq.rst": "FAQ\n===\n\nCan the wallet stay offline?\n----------------------------\n\n"
               "Yes, see :ref:`our offline guide <offline>`.\n\nWhere are the settings kept?\n"
               "----------------------------\n\nIn the data folder.\n",
    "guides/keys.rst": "Keys\n====\n\nIntroduction\n------------\n\nKeys sign transactions.\n\n.. _offline:\n\n"
                       "Keeping keys off the network\n----------------------------\n\nCreate the wallet on a computer "
                       "that never goes online and export the watching-only key to the online one.\n",
}


@pytest.fixture(scope="module")
def sphinx(tmp_path_factory, embedder):
    return _retriever(tmp_path_factory, embedder, SPHINX)


def test_a_sphinx_ref_is_followed_to_the_section_its_label_names_in_another_file(sphinx):
    # "our offline guide" names no title and the label is no path: only the label leads there.
    results = sphinx.retrieve("can the wallet stay offline", top_k=3).results
    assert results[0].source == "faq.rst"
    followed = follow(sphinx, "can i keep my wallet offline", results)
    assert followed[1].source == "guides/keys.rst" and followed[1].section == "Keeping keys off the network"
    assert followed[1].metadata[FOLLOWED] == "faq.rst"
