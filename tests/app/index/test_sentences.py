"""The best-sentence step: how chunks are cut into sentences, how candidates are reordered, the cache of
sentence vectors, and the retriever with it (the bundled embedder on a small KB)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.chain.factory import build_retriever
from app.core.settings import Settings
from app.index.retrieval import HybridRetriever
from app.index.sentences import SentenceMatch, SentenceScorer, reorder, sentence_texts, sentences
from tests.app.index.small_kb import ingested_store


def test_sentences_are_cut_at_stops_and_line_breaks_and_short_pieces_dropped():
    text = "Open the app and tap Card. Then switch on Freeze!\nDone.\nYour card stays frozen until you switch it off"
    assert sentences(text) == ["Open the app and tap Card.", "Then switch on Freeze!",
                               "Your card stays frozen until you switch it off"]


def test_each_sentence_is_embedded_after_its_title_and_section():
    assert sentence_texts("Cards FAQ", "Freezing", "Open the app and tap Card. Done.") == [
        "Cards FAQ › Freezing: Open the app and tap Card."]
    assert sentence_texts("", "", "Ok.") == ["Ok."]  # nothing long enough: the chunk itself


@dataclass
class Chunk:
    chunk_id: str
    score: float
    title: str = ""
    section: str = ""
    text: str = ""


def test_reorder_adds_the_normalised_sentence_score_and_keeps_scores_in_range():
    chunks = [Chunk("a", 0.9), Chunk("b", 0.8), Chunk("c", 0.1)]
    ordered = reorder(chunks, {"a": 0.30, "b": 0.60, "c": 0.45}, weight=0.5)
    # a: (0.9 + 0) / 1.5 = 0.6; b: (0.8 + 0.5) / 1.5 = 0.867; c: (0.1 + 0.25) / 1.5 = 0.233
    assert [c.chunk_id for c in ordered] == ["b", "a", "c"]
    assert [round(c.score, 3) for c in ordered] == [0.867, 0.6, 0.233]
    assert reorder([Chunk("a", 0.9)], {}, 0.5)[0].score == 0.9  # nothing scored: unchanged
    assert reorder([Chunk("a", 0.9)], {"a": 0.2}, 0.0)[0].score == 0.9  # weight 0: off


class Counting:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self, inner) -> None:
        self.inner, self.embedded = inner, 0

    def embed_documents(self, texts):
        self.embedded += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        self.embedded += 1
        return self.inner.embed_query(text)


def test_the_scorer_prefers_the_chunk_with_the_matching_sentence_and_caches_its_vectors(embedder):
    counting = Counting(embedder)
    scorer = SentenceScorer(counting, capacity=2)
    seed = Chunk("seed", 0.5, "Seed words", "Lengths",
                 "Wallets made before 2024 show 25 words. New wallets show a 16-word seed instead, which is expected.")
    fees = Chunk("fees", 0.5, "Fees", "Network fees", "Every transaction pays a small network fee to the miners.")
    vector = embedder.embed_query("my new wallet gave me 16 words but my old one had 25")
    best = scorer.best(vector, [seed, fees])
    assert best["seed"] > best["fees"]
    assert counting.embedded == 3 and len(scorer) == 2
    assert scorer.best(vector, [seed, fees]) == best and counting.embedded == 3  # from the cache
    other = Chunk("other", 0.5, "Backups", "", "Write the words on paper and keep the paper somewhere safe.")
    scorer.best(vector, [other])
    assert len(scorer) == 2 and counting.embedded == 4  # the least recently used chunk made room


def test_a_quoted_sentence_the_step_scored_is_matched_without_embedding_and_with_the_same_cosine(embedder):
    from app.index.retrieval import RetrievedChunk

    question = "my new wallet gave me 16 words but my old one had 25"
    text = "Wallets made before 2024 show 25 words. New wallets show a 16-word seed instead, which is expected."
    scored = RetrievedChunk("seed", "seed.md", "Seed words", "Lengths", text, 0.5)
    scored.sentence_cosines = SentenceScorer(embedder).cosines(embedder.embed_query(question), [scored])["seed"]
    counting = Counting(embedder)
    quoted = "New wallets show a 16-word seed instead, which is expected."
    [from_step] = SentenceMatch(counting).cosines(question, [(scored, quoted)])
    assert counting.embedded == 0
    unscored = RetrievedChunk("seed", "seed.md", "Seed words", "Lengths", text, 0.5)
    [embedded] = SentenceMatch(counting).cosines(question, [(unscored, quoted)])
    assert counting.embedded == 2 and from_step == pytest.approx(embedded, abs=1e-4)  # the question and the sentence
    # A quote the step's cut does not hold (another chunk's text, a stale set) is embedded, never guessed.
    [elsewhere] = SentenceMatch(counting).cosines(question, [(scored, "Fees are paid to the miners of each block.")])
    assert elsewhere < embedded
    # One passage the step did not score: every passage is embedded, each against the same question vector.
    counting.embedded = 0
    mixed = SentenceMatch(counting).cosines(question, [(scored, quoted), (unscored, quoted)])
    assert counting.embedded == 3 and mixed == pytest.approx([embedded, embedded], abs=1e-6)


KB = {
    "seeds.md": "# Seed phrases\n\n## Lengths\n\nA wallet made with an old version shows 25 words. A new wallet shows "
                "16 words instead; both restore the same way.\n\n## Storing it\n\nWrite the words on paper.\n",
    "restore.md": "# Restoring a wallet\n\nOpen the wallet, choose Restore, type the words of your seed and pick "
                  "a restore height. Your old wallet's words restore it on a new computer.\n",
}


@pytest.fixture(scope="module")
def kb_store(tmp_path_factory, embedder):
    return ingested_store(tmp_path_factory.mktemp("sentences"), KB, embedder)


def test_the_retriever_with_the_sentence_step(kb_store, embedder, tmp_path):
    question = "my new wallet gave me 16 words but my old one had 25, did something go wrong"
    retriever = build_retriever(Settings(data_dir=tmp_path, sentence_weight=0.5, sentence_top_n=5), kb_store, embedder)
    assert isinstance(retriever.sentence_scores, SentenceScorer) and retriever.sentence_top_n == 5
    retrieval = retriever.retrieve(question, top_k=3)
    assert retrieval.results[0].source == "seeds.md"
    assert all(0.0 <= c.score <= 1.0 for c in retrieval.results)
    assert [c.score for c in retrieval.results] == sorted((c.score for c in retrieval.results), reverse=True)
    assert "sentences_ms" in retrieval.timings
    assert len(retrieval.results) <= 3
    # Each result keeps its sentences' cosines, one a sentence, for the reply's "See also" check.
    assert all(len(c.sentence_cosines) == len(sentence_texts(c.title, c.section, c.text)) for c in retrieval.results)


def test_switched_off_there_is_no_sentence_step(kb_store, embedder, tmp_path):
    retriever = build_retriever(Settings(data_dir=tmp_path, sentence_weight=0.0), kb_store, embedder)
    assert retriever.sentence_scores is None
    assert "sentences_ms" not in retriever.retrieve("seed words", top_k=2).timings
    plain = HybridRetriever(kb_store, embedder)
    assert [c.chunk_id for c in retriever.retrieve("seed words", top_k=2).results] == \
        [c.chunk_id for c in plain.retrieve("seed words", top_k=2).results]


def test_sparse_mode_has_no_question_vector_and_no_sentence_step(kb_store, embedder, tmp_path):
    retriever = build_retriever(Settings(data_dir=tmp_path, sentence_weight=0.5), kb_store, embedder)
    assert "sentences_ms" not in retriever.retrieve("seed words", top_k=2, mode="sparse").timings


class Failing:
    """A sentence step whose embedding endpoint is down."""

    def cosines(self, query_vector, chunks):
        raise ConnectionError("embedding endpoint unreachable")


def test_a_failing_sentence_step_keeps_the_fused_order(kb_store, embedder, caplog):
    plain = HybridRetriever(kb_store, embedder).retrieve("seed words", top_k=2).results
    failing = HybridRetriever(kb_store, embedder, sentence_scores=Failing(), sentence_weight=0.5).retrieve("seed words", top_k=2)
    assert [c.chunk_id for c in failing.results] == [c.chunk_id for c in plain]
    assert [c.score for c in failing.results] == [c.score for c in plain]
    assert "best-sentence step failed" in caplog.text
