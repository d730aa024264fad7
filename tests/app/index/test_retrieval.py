"""app/index/retrieval.py: the region preference and the scale-free signals the confidence model reads."""

from __future__ import annotations

import pytest

from app.core.settings import Settings
from app.index.embedding.hash_embedder import HashEmbedder
from app.index.retrieval import HybridRetriever
from app.index.store import KnowledgeStore
from ingest.sync import sync_knowledge
from tests.app.index.small_kb import ingested_store

KB = {
    "fees/replacement.md": "---\nregion: global\n---\n# Card fees\n\nA replacement card costs 5.99 in your account currency.\n",
    "fees/replacement-uk.md": "---\nregion: UK\n---\n# Card fees (UK)\n\nA replacement card costs £5.99 for UK accounts.\n",
    "guides/wallet.md": "# Wallet\n\nBack up the seed of your wallet on paper and keep it offline.\n",
}


@pytest.fixture(scope="module")
def retriever(tmp_path_factory):
    root = tmp_path_factory.mktemp("retrieval")
    kb = root / "kb"
    for source, text in KB.items():
        (kb / source).parent.mkdir(parents=True, exist_ok=True)
        (kb / source).write_text(text)
    settings = Settings(data_dir=root / "data", knowledge_dir=kb)
    embedder = HashEmbedder()
    store = KnowledgeStore(settings, embedder.model_id).open()
    sync_knowledge(kb, store, embedder, settings)
    return HybridRetriever(store, embedder)


@pytest.mark.parametrize(
    ("region", "first"),
    [("UK", "fees/replacement-uk.md"), (None, "fees/replacement.md"), ("EU", "fees/replacement.md")],
)
def test_a_chunk_written_for_the_customers_region_comes_first(retriever, region, first):
    results = retriever.retrieve("what does a replacement card cost", top_k=3, region=region)
    assert results.results[0].source == first


@pytest.mark.parametrize(
    ("query", "unknown_share", "top_coverage"),
    [
        ("back up wallet seed", 0.0, 1.0),  # every word is the KB's, all in the top chunk
        ("staking rewards wallet", 2 / 3, None),  # "staking" and "rewards" appear nowhere in the KB
    ],
)
def test_lexical_signals_are_on_the_kbs_own_scale(retriever, query, unknown_share, top_coverage):
    signals = retriever.retrieve(query, top_k=3).signals
    assert signals["unknown_share"] == pytest.approx(unknown_share)
    if top_coverage is not None:
        assert signals["top_coverage"] == pytest.approx(top_coverage)
    else:
        assert 0 < signals["top_coverage"] < 0.5  # "wallet" is found, but it weighs least
    assert signals["dense_gap"] >= 0


def test_without_the_preference_the_global_chunk_can_lead(retriever):
    plain = HybridRetriever(retriever.store, retriever.embedder, region_preference=0.0)
    results = plain.retrieve("what does a replacement card cost", top_k=3, region="UK")
    assert results.results[0].source == "fees/replacement.md"


def test_a_files_passages_are_listed_for_a_followed_link_within_the_customers_region(retriever):
    assert {"fees/replacement-uk.md", "fees/replacement.md", "guides/wallet.md"} <= retriever.sources()
    uk = retriever.passages("fees/replacement-uk.md", "UK")
    assert [c.text for c in uk] == ["A replacement card costs £5.99 for UK accounts."]
    assert retriever.passages("fees/replacement-uk.md", "EU") == []  # another region's article is not read
    assert retriever.passages("missing.md") == []


def test_the_regions_are_those_some_chunk_is_written_for(retriever, tmp_path):
    assert retriever.regions() == {"UK"}  # "global" is every region's
    embedder = HashEmbedder()
    store = ingested_store(tmp_path, {"guides/wallet.md": KB["guides/wallet.md"]}, embedder)
    assert HybridRetriever(store, embedder).regions() == set()
