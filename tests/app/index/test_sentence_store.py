"""Sentence vectors stored at ingest: written for every chunk, read by the scorer instead of embedding,
kept in step with edits and removals, repaired after a killed ingest, and never needed for a turn to
work (real Chroma, the bundled embedder)."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.settings import Settings
from app.index.retrieval import HybridRetriever
from app.index.sentence_store import SentenceStore
from app.index.sentences import SentenceScorer, sentence_texts
from app.index.store import KnowledgeStore
from ingest.sync import sync_knowledge

FILES = {
    "seeds.md": "# Seed phrases\n\n## Lengths\n\nA wallet made with an old version shows 25 words. A new wallet shows "
                "16 words instead; both restore the same way.\n\n## Storing it\n\nWrite the words on paper and keep "
                "them somewhere dry.\n",
    "restore.md": "# Restoring a wallet\n\nOpen the wallet, choose Restore, type the words of your seed and pick "
                  "a restore height. Your old wallet's words restore it on a new computer.\n",
    "fees.md": "# Fees\n\nEvery transaction pays a small network fee to the miners. The fee depends on the size of "
               "the transaction, not on the amount sent.\n",
}


class Counting:
    """The real embedder, counting the texts it embeds; ``fail`` makes it raise as a down endpoint would."""

    def __init__(self, inner) -> None:
        self.inner, self.embedded, self.fail = inner, 0, False
        self.model_id = inner.model_id

    def embed_documents(self, texts):
        if self.fail:
            raise ConnectionError("embedding endpoint unreachable")
        self.embedded += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


@pytest.fixture
def kb(tmp_path, embedder):
    folder = tmp_path / "kb"
    folder.mkdir()
    for name, text in FILES.items():
        (folder / name).write_text(text)
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=folder, sentence_weight=0.2)
    store = KnowledgeStore(settings, embedder.model_id).open()
    return folder, settings, store, Counting(embedder)


def expected(store: KnowledgeStore) -> dict[str, list[str]]:
    ids, documents, metadatas = store.all_chunks()
    return {i: sentence_texts(m["title"], m["section"], d) for i, d, m in zip(ids, documents, metadatas)
            if m.get("vector_of") == "chunk"}


def stored_ids(store: KnowledgeStore) -> set[str]:
    return set(SentenceStore(store).collection.get(include=[])["ids"])


def candidates(store: KnowledgeStore, embedder, question: str):
    return HybridRetriever(store, embedder).retrieve(question, top_k=5).results


def test_ingest_stores_every_chunks_sentences_and_the_scorer_reads_them_instead_of_embedding(kb, embedder):
    folder, settings, store, counting = kb
    report = sync_knowledge(folder, store, counting, settings)
    wanted = expected(store)
    assert report.sentence_vectors["ok"] is True
    assert report.sentence_vectors["records"] == sum(len(t) for t in wanted.values())
    assert stored_ids(store) == {f"{c}#s{n}" for c, texts in wanted.items() for n in range(len(texts))}
    assert report.to_json()["sentence_vectors"] == report.sentence_vectors  # in `beacon ingest --json`

    question = "my new wallet gave me 16 words but my old one had 25"
    chunks = candidates(store, embedder, question)
    vector = embedder.embed_query(question)
    reading = Counting(embedder)
    from_store = SentenceScorer(reading, SentenceStore(store)).best(vector, chunks)
    assert reading.embedded == 0
    from_model = SentenceScorer(embedder).best(vector, chunks)
    assert from_store.keys() == from_model.keys()
    assert np.allclose([from_store[k] for k in from_model], [from_model[k] for k in from_model], atol=1e-5)


def test_an_unchanged_ingest_embeds_nothing_and_an_edit_rewrites_only_its_chunk(kb):
    folder, settings, store, counting = kb
    sync_knowledge(folder, store, counting, settings)
    counting.embedded = 0
    again = sync_knowledge(folder, store, counting, settings)
    assert counting.embedded == 0 and again.sentence_vectors["chunks_written"] == 0

    (folder / "fees.md").write_text(FILES["fees.md"].replace("to the miners.", "to the miners of the network. "
                                                             "Wallets show the fee before you confirm."))
    edited = sync_knowledge(folder, store, counting, settings)
    assert edited.sentence_vectors["chunks_written"] == 1
    # the edited chunk's first sentence changed, its second did not; the new third is new
    assert edited.sentence_vectors["sentences_reused"] == 1 and edited.sentence_vectors["sentences_embedded"] == 2
    wanted = expected(store)
    assert stored_ids(store) == {f"{c}#s{n}" for c, texts in wanted.items() for n in range(len(texts))}

    (folder / "restore.md").unlink()
    removed = sync_knowledge(folder, store, counting, settings)
    assert removed.sentence_vectors["records_deleted"] >= 1
    assert not any(i.startswith("restore.md") for i in stored_ids(store))


def test_a_half_written_set_is_never_read_and_the_next_ingest_repairs_it(kb, embedder):
    folder, settings, store, counting = kb
    sync_knowledge(folder, store, counting, settings)
    sentences = SentenceStore(store)
    wanted = expected(store)
    chunk_id = next(c for c, texts in wanted.items() if len(texts) >= 2)
    sentences.collection.delete(ids=[f"{chunk_id}#s1"])  # an ingest killed between two writes
    sentences.collection.upsert(ids=["gone.md#0#s0"], embeddings=[[0.1] * 384],
                                metadatas=[{"chunk_id": "gone.md#0", "n": 0, "of": 1, "key": "x", "hash": "y"}])

    from app.index.sentences import sentences_key
    keys = {c: sentences_key(t) for c, t in wanted.items()}
    read = sentences.vectors(list(wanted), keys)
    assert chunk_id not in read and len(read) == len(wanted) - 1
    assert all(m.shape == (len(wanted[c]), 384) for c, m in read.items())

    repaired = sync_knowledge(folder, store, counting, settings)
    assert repaired.sentence_vectors["chunks_written"] == 1 and repaired.sentence_vectors["records_deleted"] == 1
    assert stored_ids(store) == {f"{c}#s{n}" for c, texts in wanted.items() for n in range(len(texts))}
    assert chunk_id in sentences.vectors(list(wanted), keys)


def test_a_stale_set_from_an_earlier_text_is_not_read(kb):
    folder, settings, store, counting = kb
    sync_knowledge(folder, store, counting, settings)
    wanted = expected(store)
    from app.index.sentences import sentences_key
    keys = {c: sentences_key(t) for c, t in wanted.items()}
    some = next(iter(wanted))
    assert some not in SentenceStore(store).vectors([some], {some: sentences_key(["another text"])})
    assert some in SentenceStore(store).vectors([some], keys)


def test_switching_the_step_on_after_an_ingest_fills_the_collection_at_the_next_ingest(kb):
    folder, settings, store, counting = kb
    off = sync_knowledge(folder, store, counting, settings.model_copy(update={"sentence_weight": 0.0}))
    assert off.sentence_vectors is None and off.to_json()["sentence_vectors"] is None
    assert not stored_ids(store)
    on = sync_knowledge(folder, store, counting, settings)
    assert all(f.status == "unchanged" for f in on.files)
    assert on.sentence_vectors["chunks_written"] == len(expected(store))


def test_an_embedder_down_at_ingest_leaves_the_chunks_indexed_and_says_how_it_is_repaired(kb, caplog):
    folder, settings, store, counting = kb
    sync_knowledge(folder, store, counting, settings.model_copy(update={"sentence_weight": 0.0}))
    counting.fail = True
    report = sync_knowledge(folder, store, counting, settings)
    assert report.ok and report.chunks_in_store == len(expected(store))
    assert report.sentence_vectors["ok"] is False
    assert "next beacon ingest" in report.sentence_vectors["error"]
    assert "sentence vectors were not stored" in caplog.text


class Unreadable:
    def vectors(self, chunk_ids, keys):
        raise ConnectionError("chroma server unreachable")


def test_a_store_that_cannot_be_read_costs_an_embedding_never_the_turn(kb, embedder, caplog):
    folder, settings, store, counting = kb
    sync_knowledge(folder, store, counting, settings)
    chunks = candidates(store, embedder, "network fee")
    reading = Counting(embedder)
    best = SentenceScorer(reading, Unreadable()).best(embedder.embed_query("network fee"), chunks)
    assert set(best) == {c.chunk_id for c in chunks} and reading.embedded > 0
    assert "stored sentence vectors could not be read" in caplog.text


def test_warming_up_the_retriever_opens_the_stored_vectors(kb, embedder):
    from app.chain.factory import build_retriever

    folder, settings, store, counting = kb
    sync_knowledge(folder, store, counting, settings)
    retriever = build_retriever(settings, store, embedder)
    assert retriever.sentence_scores.stored._collection is None
    retriever.warm_up()
    assert retriever.sentence_scores.stored._collection is not None
