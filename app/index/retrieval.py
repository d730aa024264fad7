"""Hybrid retrieval: dense search in Chroma fused with BM25, with region/audience filters.

Fusion is relative-score fusion: each list's scores are min-max normalised over its
candidates and mixed as ``alpha * dense + (1 - alpha) * sparse``. It beat reciprocal rank
fusion on the labelled set (table in bench/README.md), because it keeps how far apart the
candidates are, not only their order. FAQ chunks are found by their question as well as
their answer: each has a second vector of its question alone, and the better of the two
counts. A cross-encoder reranker (app/index/reranker.py), when given, reorders the first
``rerank_top_n`` fused results by its score blended with the fused one
(research/kbs/README.md, "Reranker"). Before it, the first ``sentence_top_n`` fused results are
reordered with their best sentence's match to the question (app/index/sentences.py).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Literal

from app.core.source_urls import SourceUrls
from app.index.embedding import Embedder
from app.index.keyword_index import KeywordIndex
from app.index.link_targets import REF_PREFIX, LinkResolver, page_links
from app.index.reranker import Reranker, blend, passage_text
from app.index.sentences import SentenceScores, best_of, reorder
from app.index.store import QUESTION_SUFFIX, KnowledgeStore, chunk_of

# The metadata every result reports, in a stable order (part of the --json contract).
RESULT_METADATA = ("doc_type", "category", "region", "audience", "effective_date", "version", "tags",
                   "question", "line", "content_hash")

log = logging.getLogger(__name__)
Mode = Literal["hybrid", "dense", "sparse"]
# Added to the fused score of a chunk written for the customer's own region: a UK customer
# reads the UK fee schedule before the global FAQ when both match. Chosen on the demo KB's
# region-labelled questions (research/kbs/README.md).
REGION_PREFERENCE = 0.05


@dataclass
class RetrievedChunk:
    chunk_id: str
    source: str
    title: str
    section: str
    text: str
    score: float  # fused, in [0, 1] (blended with the reranker's probability when it ran): the order of results
    dense_score: float | None = None  # cosine similarity of the best vector of the chunk
    sparse_score: float | None = None  # BM25
    metadata: dict = field(default_factory=dict)
    rerank_score: float | None = None  # the reranker's logit, when it read this chunk
    # Each sentence's cosine to the query, in app.index.sentences.sentence_texts order (when the sentence step read it).
    sentence_cosines: list[float] | None = None
    url: str | None = None  # the file's public address, when the file or BEACON_KB_URL_TEMPLATE gives one
    # (link text, public address) of the chunk's links to other articles of the KB that have a page
    page_links: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "chunk_id": self.chunk_id,
            "source": self.source,
            "title": self.title,
            "section": self.section,
            "text": self.text,
            "score": round(self.score, 4),
            "url": self.url,
            **{key: self.metadata.get(key) for key in RESULT_METADATA},
            "dense_score": None if self.dense_score is None else round(self.dense_score, 4),
            "sparse_score": None if self.sparse_score is None else round(self.sparse_score, 4),
            "rerank_score": None if self.rerank_score is None else round(self.rerank_score, 4),
        }


@dataclass
class Retrieval:
    query: str
    results: list[RetrievedChunk]
    signals: dict[str, float]
    timings: dict[str, float]

    def to_json(self, region: str | None, audience: str | None, mode: str = "hybrid") -> dict:
        """What ``beacon search --json`` prints and the staff app's search shows (a stable
        contract: fields are only ever added)."""
        return {
            "query": self.query,
            "region": region,
            "audience": audience,
            "mode": mode,
            "results": [r.to_json() for r in self.results],
            "latency_ms": {k: round(v, 2) for k, v in self.timings.items()},
        }


def _normalise(scores: dict[str, float]) -> dict[str, float]:
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    return {k: (v - low) / (high - low) if high > low else 1.0 for k, v in scores.items()}


def _allowed(region: str | None, audience: str | None):
    """A customer in a region sees that region's documents and the global ones."""
    def allowed(meta: dict) -> bool:
        return (region is None or meta.get("region") in (region, "global")) and (
            audience is None or meta.get("audience") in (audience, "all"))

    return allowed


def _where(region: str | None, audience: str | None) -> dict | None:
    conditions = []
    if region:
        conditions.append({"region": {"$in": [region, "global"]}})
    if audience:
        conditions.append({"audience": {"$in": [audience, "all"]}})
    return None if not conditions else conditions[0] if len(conditions) == 1 else {"$and": conditions}


def _reciprocal_rank(*lists: dict[str, float], k: int = 60) -> dict[str, float]:
    fused: dict[str, float] = {}
    for scores in lists:
        for rank, chunk_id in enumerate(sorted(scores, key=lambda c: -scores[c]), start=1):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + 1 / (k + rank)
    return fused


class HybridRetriever:
    def __init__(self, store: KnowledgeStore, embedder: Embedder, keyword_index: KeywordIndex | None = None,
                 alpha: float = 0.7, candidates: int = 20, fusion: Literal["rsf", "rrf"] = "rsf",
                 question_vectors: bool = True, region_preference: float = REGION_PREFERENCE,
                 reranker: Reranker | None = None, rerank_top_n: int = 10, rerank_weight: float = 1.0,
                 sentence_scores: SentenceScores | None = None, sentence_top_n: int = 10, sentence_weight: float = 0.0,
                 exact_max_records: int = 100_000, urls: SourceUrls | None = None) -> None:
        from app.index.embedding.llama_adapter import pin_llama_index_defaults

        pin_llama_index_defaults(embedder)
        self.store = store
        self.embedder = embedder
        self.keywords = keyword_index or KeywordIndex(store)
        self.alpha = alpha
        self.candidates = candidates
        self.fusion = fusion  # rrf and question_vectors=False exist for the measurements
        self.question_vectors = question_vectors
        self.region_preference = region_preference
        self.reranker = reranker
        self.rerank_top_n = rerank_top_n
        self.rerank_weight = rerank_weight
        self.sentence_scores = sentence_scores if sentence_weight > 0 else None
        self.sentence_top_n = sentence_top_n
        self.sentence_weight = sentence_weight
        self.exact_max_records = exact_max_records
        self.urls = urls or SourceUrls()
        self._regions: tuple[object, frozenset[str]] | None = None
        self._resolver: tuple[object, LinkResolver] | None = None

    def warm_up(self) -> None:
        self.embedder.embed_query("warm up")
        self.keywords.refresh()
        if self.reranker is not None:
            self.reranker.warm_up()
        if self.sentence_scores is not None and hasattr(self.sentence_scores, "warm_up"):
            self.sentence_scores.warm_up()

    def _dense(self, vector: list[float], region, audience) -> tuple[dict[str, float], dict[str, RetrievedChunk]]:
        """Vector search: exact, over the vectors the keyword index's version holds, up to
        ``exact_max_records`` records (the same nearest chunks in every process); above that,
        or on a version without vectors, Chroma's approximate index. Chroma returns ids and
        distances only; text and metadata come from the in-memory index, and region/audience
        filters are applied here: Chroma's own metadata filter costs ~150 ms at 10,000 chunks.
        Only when too few allowed chunks come back is the query repeated with Chroma's filter."""
        index = self.keywords
        wanted = self.candidates * 2  # FAQ chunks can take two places: question and answer vectors
        exact = None
        if index.records <= self.exact_max_records:
            exact = index.nearest(vector, wanted, index.filter_mask(region, audience) if (region or audience) else None)
        if exact is not None:
            kept = [(rid, s) for rid, s in exact if self._row(rid) is not None]
        else:
            allowed = _allowed(region, audience)
            hits = self.store.nearest(vector, min(wanted * (3 if region or audience else 1), index.records))
            kept = [(rid, s) for rid, s in hits
                    if self._row(rid) is not None and allowed(index.metadatas[self._row(rid)])]
            if len(kept) < wanted and len(hits) < index.records and (region or audience):
                hits = self.store.nearest(vector, min(wanted, index.records), _where(region, audience))
                kept = [(rid, s) for rid, s in hits if self._row(rid) is not None]
        best: dict[str, float] = {}
        for record_id, score in kept:
            if not self.question_vectors and record_id.endswith(QUESTION_SUFFIX):
                continue
            chunk_id = chunk_of(record_id)
            best[chunk_id] = max(score, best.get(chunk_id, -2.0))
        top = dict(sorted(best.items(), key=lambda kv: -kv[1])[: self.candidates])
        return top, {c: self._chunk(c) for c in top}

    def _row(self, record_id: str) -> int | None:
        return self.keywords.row_of.get(chunk_of(record_id))

    def _chunk(self, chunk_id: str) -> RetrievedChunk:
        row = self.keywords.row_of[chunk_id]
        meta = self.keywords.metadatas[row]
        source = meta.get("source", "")
        return RetrievedChunk(chunk_id, source, meta.get("title", ""), meta.get("section", ""),
                              self.keywords.documents[row], 0.0, metadata=meta,
                              url=self.urls.url_of(source, meta.get("url")))

    def sources(self) -> set[str]:
        """Every indexed file."""
        return set(self.keywords.source_rows()) - {""}

    def regions(self) -> set[str]:
        """The regions that some indexed chunk is written for (its front matter's ``region``), "global" aside."""
        self.keywords.refresh()
        version = (self.keywords.version, id(self.keywords.metadatas))
        if self._regions is None or self._regions[0] != version:  # read once per published index
            found = {str(m["region"]) for m in self.keywords.metadatas if m.get("region") not in (None, "", "global")}
            self._regions = (version, frozenset(found))
        return set(self._regions[1])

    def labels(self) -> dict[str, tuple[str, str]]:
        """Sphinx label -> (file, section) over the indexed chunks, for a ``:ref:`` followed."""
        return self.keywords.label_places()

    def passages(self, source: str, region: str | None = None) -> list[RetrievedChunk]:
        """One file's chunks a customer in ``region`` may read, in reading order (unscored), for a
        link followed to it."""
        allowed = _allowed(region, None)
        rows = self.keywords.source_rows().get(source, [])
        chunks = [c for c in (self._chunk(self.keywords.ids[row]) for row in rows) if allowed(c.metadata)]
        for chunk in chunks:
            chunk.page_links = self._page_links(chunk)
        return sorted(chunks, key=lambda c: int(c.metadata.get("line") or 0))

    def _link_resolver(self) -> LinkResolver:
        version = (self.keywords.version, id(self.keywords.metadatas))
        if self._resolver is None or self._resolver[0] != version:  # built once per published index
            self._resolver = (version, LinkResolver(self.sources(), self.labels()))
        return self._resolver[1]

    def _page_links(self, chunk: RetrievedChunk) -> list[tuple[str, str]]:
        """(link text, public address) of ``chunk``'s links to other indexed articles that have one: the
        article's page, with the link's ``#anchor`` as the author wrote it."""
        if not chunk.metadata.get("anchors"):
            return []
        resolver = self._link_resolver()

        def address(target: str) -> str | None:
            found = resolver.resolve(target, chunk.source)
            if found is None or found.source == chunk.source:
                return None
            rows = self.keywords.source_rows().get(found.source)
            stored = self.keywords.metadatas[rows[0]].get("url") if rows else None
            url = self.urls.url_of(found.source, stored)
            written = not target.startswith(REF_PREFIX) and found.fragment  # a :ref:'s anchor is the label's
            return f"{url}#{found.fragment}" if url and written else url

        return page_links(chunk.metadata, address)

    def _sparse(self, query: str, region, audience) -> tuple[dict[str, float], dict[str, RetrievedChunk]]:
        index = self.keywords
        mask = index.filter_mask(region, audience) if (region or audience) else None
        scores = {index.ids[row]: score for row, score in index.search(query, self.candidates, mask)}
        return scores, {c: self._chunk(c) for c in scores}

    def retrieve(self, query: str, top_k: int = 5, region: str | None = None, audience: str | None = None,
                 mode: Mode = "hybrid") -> Retrieval:
        self.keywords.refresh()  # cheap unless an ingest changed the store
        started = time.perf_counter()
        timings = {"embed_ms": 0.0}
        vector = None
        if mode != "sparse":
            vector = self.embedder.embed_query(query)
            timings["embed_ms"] = (time.perf_counter() - started) * 1000
        dense, dense_chunks = self._dense(vector, region, audience) if vector is not None else ({}, {})
        after_dense = time.perf_counter()
        sparse, sparse_chunks = self._sparse(query, region, audience) if mode != "dense" else ({}, {})
        after_sparse = time.perf_counter()
        alpha = {"hybrid": self.alpha, "dense": 1.0, "sparse": 0.0}[mode]
        if self.fusion == "rrf" and mode == "hybrid":
            fused = _reciprocal_rank(dense, sparse)
        else:
            dense_n, sparse_n = _normalise(dense), _normalise(sparse)
            fused = {c: alpha * dense_n.get(c, 0.0) + (1 - alpha) * sparse_n.get(c, 0.0) for c in set(dense) | set(sparse)}
        if region and self.region_preference:
            for chunk_id in fused:
                chunk = dense_chunks.get(chunk_id) or sparse_chunks[chunk_id]
                if chunk.metadata.get("region") == region:
                    fused[chunk_id] += self.region_preference
        results: list[RetrievedChunk] = []
        seen_texts: set[str] = set()
        wanted = max(top_k, self.rerank_top_n if self.reranker is not None else 0,
                     self.sentence_top_n if self.sentence_scores is not None and vector is not None else 0)
        for chunk_id in sorted(fused, key=lambda c: (-fused[c], c)):
            chunk = dense_chunks.get(chunk_id) or sparse_chunks[chunk_id]
            fingerprint = chunk.metadata.get("content_hash") or chunk.text
            if fingerprint in seen_texts:  # the same text in two files: keep the better one
                continue
            seen_texts.add(fingerprint)
            chunk.score, chunk.dense_score, chunk.sparse_score = fused[chunk_id], dense.get(chunk_id), sparse.get(chunk_id)
            results.append(chunk)
            if len(results) == wanted:
                break
        fused_at = time.perf_counter()
        if self.sentence_scores is not None and vector is not None:
            head, tail = results[: self.sentence_top_n], results[self.sentence_top_n :]
            try:
                cosines = self.sentence_scores.cosines(vector, head)
                for chunk in head:
                    chunk.sentence_cosines = cosines.get(chunk.chunk_id)
                results = reorder(head, best_of(cosines), self.sentence_weight) + tail
            except Exception:  # an embedding endpoint that fails here leaves the fused order, never the turn
                log.warning("the best-sentence step failed; the fused order is kept", exc_info=True)
            timings["sentences_ms"] = (time.perf_counter() - fused_at) * 1000
        if self.reranker is not None:
            reranked_at = time.perf_counter()
            results = self._rerank(query, results)
            timings["rerank_ms"] = (time.perf_counter() - reranked_at) * 1000
        results = results[:top_k]
        for chunk in results:
            chunk.page_links = self._page_links(chunk)
        # embed_ms and retrieve_ms (the vector query) keep their meaning from plain vector search.
        timings.update(retrieve_ms=(after_dense - started) * 1000 - timings["embed_ms"],
                       sparse_ms=(after_sparse - after_dense) * 1000, fuse_ms=(fused_at - after_sparse) * 1000)
        signals = retrieval_signals(dense, sparse, results)
        signals.update(self.lexical_signals(query, results))
        return Retrieval(query, results, signals, timings)

    def _rerank(self, query: str, results: list[RetrievedChunk]) -> list[RetrievedChunk]:
        """The first ``rerank_top_n`` results in the order of the reranker's score blended with the
        fused one; the rest keep their place after them."""
        head, tail = results[: self.rerank_top_n], results[self.rerank_top_n :]
        logits = self.reranker.scores(query, [passage_text(c.title, c.section, c.text) for c in head])
        for chunk, logit in zip(head, logits):
            chunk.rerank_score = float(logit)
            chunk.score = blend(chunk.score, chunk.rerank_score, self.rerank_weight)
        return sorted(head, key=lambda c: (-c.score, c.chunk_id)) + tail

    def lexical_signals(self, query: str, results: list[RetrievedChunk]) -> dict[str, float]:
        """Signals on the KB's own scale: the share of the question's words that the KB never
        uses ("staking" in a wallet's docs that never mention it), and how much of the
        question's weight (IDF) the best result covers."""
        index = self.keywords
        terms = list(dict.fromkeys(index.query_terms(query)))
        if not terms:
            return {"query_terms": 0.0, "unknown_share": 0.0, "top_coverage": 0.0}
        weights = {t: index.idf(t) for t in terms}
        row = index.row_of.get(results[0].chunk_id) if results else None
        present = index.row_terms(row) if row is not None else frozenset()
        return {
            "query_terms": float(len(terms)),
            "unknown_share": sum(not index.known(t) for t in terms) / len(terms),
            "top_coverage": sum(w for t, w in weights.items() if t in present) / (sum(weights.values()) or 1.0),
        }


def retrieval_signals(dense: dict[str, float], sparse: dict[str, float], results: list[RetrievedChunk]) -> dict[str, float]:
    """The numbers the confidence model reads: how good the best match is, how clearly it
    beats the runner-up and the field, and whether keyword and vector search agree on it."""
    dense_sorted = sorted(dense.values(), reverse=True)
    sparse_sorted = sorted(sparse.values(), reverse=True)
    top = results[0].chunk_id if results else None
    sparse_top3 = sorted(sparse, key=lambda c: -sparse[c])[:3]
    dense_top3 = sorted(dense, key=lambda c: -dense[c])[:3]
    field = dense_sorted[1:10]
    return {
        "dense_gap": dense_sorted[0] - sum(field) / len(field) if field else 0.0,
        "dense_top": dense_sorted[0] if dense_sorted else 0.0,
        "dense_margin": dense_sorted[0] - dense_sorted[1] if len(dense_sorted) > 1 else 0.0,
        "sparse_top": sparse_sorted[0] if sparse_sorted else 0.0,
        "sparse_margin": sparse_sorted[0] - sparse_sorted[1] if len(sparse_sorted) > 1 else 0.0,
        "agreement": float(top is not None and top in sparse_top3 and top in dense_top3),
        "fused_margin": results[0].score - results[1].score if len(results) > 1 else 1.0,
    }
