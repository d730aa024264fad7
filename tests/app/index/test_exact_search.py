"""The exact vector search the keyword index's version carries (app/index/keyword_files.py) and the
retriever's use of it: the same nearest records whatever order the store returns them in, the
region filter applied before the cut, and Chroma's approximate index only above the limit."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.index.embedding.hash_embedder import HashEmbedder
from app.index.keyword_files import KeywordFiles, build_keyword_files
from app.index.keyword_index import KeywordIndex
from app.index.retrieval import HybridRetriever
from tests.app.index.small_kb import ingested_store


def _records(count: int = 40, seed: int = 7):
    rng = np.random.default_rng(seed)
    ids, documents, metadatas = [], [], []
    for i in range(count):
        chunk = f"c{i:03d}"
        region = "UK" if i % 4 == 0 else "global"
        ids.append(chunk)
        documents.append(f"passage {i} about topic {i % 5}")
        metadatas.append({"source": f"f{i % 6}.md", "region": region, "audience": "all", "vector_of": "chunk"})
        if i % 3 == 0:  # a FAQ chunk's question vector
            ids.append(chunk + "#q")
            documents.append("")
            metadatas.append({"source": f"f{i % 6}.md", "region": region, "audience": "all", "vector_of": "question"})
    vectors = rng.normal(size=(len(ids), 16)).astype(np.float32)
    return ids, documents, metadatas, vectors


def _build(folder, ids, documents, metadatas, vectors, order=None):
    order = list(range(len(ids))) if order is None else order
    build_keyword_files(folder, [ids[i] for i in order], [documents[i] for i in order],
                        [metadatas[i] for i in order], len(ids), "test", vectors=vectors[order])
    return KeywordFiles(folder)


def test_the_nearest_records_are_the_exact_cosine_ranking(tmp_path):
    ids, documents, metadatas, vectors = _records()
    files = _build(tmp_path / "v", ids, documents, metadatas, vectors)
    query = np.random.default_rng(1).normal(size=16)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    cosines = unit @ (query / np.linalg.norm(query))
    expected = [ids[i] for i in np.argsort(-cosines)[:10]]
    got = files.nearest(query.tolist(), 10)
    assert [record for record, _ in got] == expected
    assert [score for _, score in got] == pytest.approx(sorted(cosines, reverse=True)[:10], abs=1e-5)


def test_two_builds_from_the_store_in_different_orders_are_the_same(tmp_path):
    ids, documents, metadatas, vectors = _records()
    reversed_order = list(range(len(ids)))[::-1]
    first = _build(tmp_path / "a", ids, documents, metadatas, vectors)
    second = _build(tmp_path / "b", ids, documents, metadatas, vectors, order=reversed_order)
    for name in ("ids.json", "vector_ids.json", "chunks.jsonl"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert np.array_equal(np.load(tmp_path / "a" / "vectors.npy"), np.load(tmp_path / "b" / "vectors.npy"))
    query = np.random.default_rng(2).normal(size=16)
    assert first.nearest(query, 25) == second.nearest(query, 25)
    assert first.search("topic 3", 10) == second.search("topic 3", 10)


def test_equal_scores_are_ranked_in_record_id_order(tmp_path):
    ids = ["b", "a", "c"]
    vectors = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    metadatas = [{"source": f"{i}.md", "vector_of": "chunk"} for i in ids]
    files = _build(tmp_path / "v", ids, ["card fees", "wallet seed", "freeze card"], metadatas, vectors)
    assert [record for record, _ in files.nearest([1.0, 0.0], 2)] == ["a", "b"]


def test_a_region_filter_keeps_that_regions_and_the_global_records_before_the_cut(tmp_path):
    ids, documents, metadatas, vectors = _records()
    files = _build(tmp_path / "v", ids, documents, metadatas, vectors)
    mask = files.filter_mask("UK", None)
    query = np.random.default_rng(3).normal(size=16)
    got = files.nearest(query, 12, mask)
    assert len(got) == 12
    region_of = dict(zip(ids, (m["region"] for m in metadatas)))
    assert all(region_of[record] in ("UK", "global") for record, _ in got)
    assert files.nearest(query, 100, np.zeros(files.rows, dtype=np.float32)) == []  # nothing allowed


def test_a_question_record_counts_for_its_faq_chunk(tmp_path):
    ids, documents, metadatas, vectors = _records()
    files = _build(tmp_path / "v", ids, documents, metadatas, vectors)
    rows = np.load(tmp_path / "v" / "vector_rows.npy")
    vector_ids = json.loads((tmp_path / "v" / "vector_ids.json").read_text())
    for record, row in zip(vector_ids, rows):
        assert files.ids[row] == record.removesuffix("#q")


KB = {
    "cards/freeze.md": "# Freezing a card\n\nOpen the app, tap the card and choose Freeze. Unfreeze it the same way.\n",
    "cards/fees.md": "# Card fees\n\nA replacement card costs 5.99.\n",
    "wallet/seed.md": "# Seed phrase\n\nWrite the twelve words on paper and keep them offline.\n",
}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    embedder = HashEmbedder()
    return ingested_store(tmp_path_factory.mktemp("exact"), KB, embedder), embedder


class _NoApproximateSearch:
    """A store whose Chroma vector query must not be used."""

    def __init__(self, store) -> None:
        self._store = store
        self.asked = 0

    def nearest(self, *args, **kwargs):
        self.asked += 1
        return self._store.nearest(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._store, name)


def test_the_retriever_searches_the_versions_vectors_and_finds_what_chroma_finds(ingested):
    store, embedder = ingested
    watched = _NoApproximateSearch(store)
    exact = HybridRetriever(watched, embedder, keyword_index=KeywordIndex(store))
    approximate = HybridRetriever(store, embedder, exact_max_records=0)
    for question in ("how do I freeze my card", "where do I keep my seed words", "replacement card price"):
        got = [(r.chunk_id, round(r.score, 4)) for r in exact.retrieve(question, top_k=3, mode="dense").results]
        assert got == [(r.chunk_id, round(r.score, 4)) for r in approximate.retrieve(question, top_k=3, mode="dense").results]
    assert watched.asked == 0
    assert exact.retrieve("how do I freeze my card", top_k=1).results[0].source == "cards/freeze.md"


def test_above_the_limit_chromas_index_answers(ingested):
    store, embedder = ingested
    watched = _NoApproximateSearch(store)
    retriever = HybridRetriever(watched, embedder, keyword_index=KeywordIndex(store), exact_max_records=1)
    assert retriever.retrieve("how do I freeze my card", top_k=1).results[0].source == "cards/freeze.md"
    assert watched.asked == 1


def test_a_version_built_without_vectors_is_rebuilt_with_them(ingested, tmp_path):
    store, embedder = ingested
    index = KeywordIndex(store)
    index.refresh(force=True)
    folder = index.versions.folder(index.version)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest.pop("vectors")
    manifest["format"] = 1  # as an older Beacon wrote it
    (folder / "manifest.json").write_text(json.dumps(manifest))
    fresh = KeywordIndex(store)
    fresh.refresh(force=True)
    assert fresh.version != index.version
    assert fresh.files.vectors is not None and len(fresh.files.vector_ids) == store.count()


def test_a_version_knows_the_words_its_chunks_write_in_lower_case(tmp_path):
    ids, documents, metadatas, vectors = _records(6)
    documents[0] = "Alice starts monerod and signs up."
    metadatas[0] = {**metadatas[0], "title": "Running a node", "section": "Ports"}
    files = _build(tmp_path / "v", ids, documents, metadatas, vectors)
    assert (tmp_path / "v" / "lower_words.json").exists()
    assert files.writes_lower("monerod") and files.writes_lower("Up") and files.writes_lower("node")
    assert not files.writes_lower("alice") and not files.writes_lower("ports") and not files.writes_lower("xyz")
    # a version built before the file existed reads its rows instead
    (tmp_path / "v" / "lower_words.json").unlink()
    older = KeywordFiles(tmp_path / "v")
    assert older.writes_lower("monerod") and not older.writes_lower("alice")
