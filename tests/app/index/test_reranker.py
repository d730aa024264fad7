"""app/index/reranker.py and the retriever's use of it: the retriever reorders its first results by the
reranker and leaves the rest in fused order, the setting switches it, and a missing or damaged model
file stops with the fix. The model file is not shipped (research/kbs/README.md, "Reranker")."""

from __future__ import annotations

import pytest

from app.chain.factory import build_retriever
from app.core.errors import EmbeddingError
from app.core.settings import Settings
from app.index.embedding.hash_embedder import HashEmbedder
from app.index.reranker import CrossEncoderReranker, blend
from app.index.retrieval import HybridRetriever
from tests.app.index.small_kb import ingested_store

KB = {
    "overview.md": "# What's next\n\nNow that your store runs, read about invoices, refunds, the point of sale app and "
                   "wallet backups. Refunds are covered in their own guide.\n",
    "refunds.md": "# Issuing a refund\n\nOpen the invoice, press Issue refund, choose the rate and send the customer "
                  "the link: they enter their address and the refund is paid from your wallet.\n",
    "backup.md": "# Wallet backup\n\nWrite the seed words on paper and keep them offline.\n",
}
QUESTION = "how do I give a customer their money back"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    embedder = HashEmbedder()
    return ingested_store(tmp_path_factory.mktemp("rerank"), KB, embedder), embedder


class ByWord:
    """A reranker that puts passages naming one word first (a deterministic stand-in for the model)."""

    def __init__(self, word: str) -> None:
        self.word, self.calls = word, 0

    def warm_up(self) -> None:
        pass

    def scores(self, query, passages):
        import numpy as np

        self.calls += 1
        return np.array([4.0 if self.word in p.lower() else -4.0 for p in passages], dtype=np.float32)


def test_the_retriever_reorders_its_first_results_by_the_reranker(store):
    kb_store, embedder = store
    plain = HybridRetriever(kb_store, embedder).retrieve("wallet seed words backup", top_k=3).results
    reranker = ByWord("refund")
    reranked = HybridRetriever(kb_store, embedder, reranker=reranker, rerank_top_n=3).retrieve(
        "wallet seed words backup", top_k=3).results
    assert plain[0].source == "backup.md"
    assert reranker.calls == 1
    assert reranked[0].source == "refunds.md" and reranked[0].rerank_score == 4.0
    assert [c.score for c in reranked] == sorted((c.score for c in reranked), reverse=True)
    assert reranked[0].to_json()["rerank_score"] == 4.0


def test_results_past_the_reranked_ones_keep_their_fused_order(store):
    kb_store, embedder = store
    plain = HybridRetriever(kb_store, embedder).retrieve("wallet seed words backup", top_k=3).results
    reranked = HybridRetriever(kb_store, embedder, reranker=ByWord("refund"), rerank_top_n=1).retrieve(
        "wallet seed words backup", top_k=3).results
    assert [c.chunk_id for c in reranked] == [c.chunk_id for c in plain]
    assert reranked[1].rerank_score is None


@pytest.mark.parametrize(("fused", "logit", "weight", "expected"), [
    (0.8, 0.0, 1.0, 0.5),  # the reranker alone
    (0.8, 0.0, 0.0, 0.8),  # the fused score alone
    (0.8, 0.0, 0.5, 0.65),
])
def test_blend_mixes_the_fused_score_with_the_rerankers_probability(fused, logit, weight, expected):
    assert blend(fused, logit, weight) == pytest.approx(expected)


@pytest.mark.parametrize(("enabled", "kind"), [(True, CrossEncoderReranker), (False, type(None))])
def test_the_setting_switches_the_reranker(store, enabled, kind, tmp_path):
    kb_store, embedder = store
    retriever = build_retriever(Settings(data_dir=tmp_path, reranker=enabled, reranker_top_n=7), kb_store, embedder)
    assert isinstance(retriever.reranker, kind)
    assert retriever.rerank_top_n == 7


def test_switched_off_the_retrieval_reports_no_rerank_score(store, tmp_path):
    kb_store, embedder = store
    results = build_retriever(Settings(data_dir=tmp_path, reranker=False), kb_store, embedder).retrieve(QUESTION).results
    assert results and all(c.rerank_score is None for c in results)


def test_a_missing_model_file_says_how_to_fix_it(tmp_path):
    with pytest.raises(EmbeddingError, match="BEACON_RERANKER=false"):
        CrossEncoderReranker(tmp_path / "reranker.onnx").warm_up()


def test_a_damaged_model_file_says_how_to_fix_it(tmp_path):
    broken = tmp_path / "reranker.onnx"
    broken.write_bytes(b"not a graph")
    with pytest.raises(EmbeddingError, match="cannot load the reranker"):
        CrossEncoderReranker(broken).warm_up()


class CountingSession:
    """An ONNX session stand-in that returns each row's number of real word pieces and records batch sizes."""

    def __init__(self) -> None:
        self.batches: list[int] = []

    def run(self, _outputs, feeds):
        import numpy as np

        self.batches.append(feeds["input_ids"].shape[0])
        return [feeds["attention_mask"].sum(axis=1, keepdims=True).astype(np.float32)]


def test_each_passage_is_scored_alone_so_its_score_does_not_depend_on_the_others(tmp_path):
    from app.core.onnx_models import wordpiece_tokenizer

    model = CrossEncoderReranker(tmp_path / "unused.onnx")
    model._tokenizer, model._session = wordpiece_tokenizer(128), CountingSession()
    passages = ["Issuing a refund\nOpen the invoice and press Issue refund.", "Wallet backup"]
    together = model.scores(QUESTION, passages)
    alone = [model.scores(QUESTION, [p])[0] for p in passages]
    assert list(together) == alone and together[0] > together[1]
    assert model._session.batches == [1, 1, 1, 1]
    assert len(model.scores(QUESTION, [])) == 0
