"""Ingest benchmark: a synthetic knowledge base of N documents, built from the demo KB's own
sentences so chunk lengths are realistic, ingested into a fresh embedded Chroma store.

Measures full-ingest throughput (documents/s, chunks/s), the time to re-run on the
unchanged KB, the same for the demo KB, and peak memory. Each ingest runs in its own
process (the real `beacon ingest` command) so peak RSS and start-up cost are the
user's. Prints a Markdown table and writes bench/results/ingest.json.

    python bench/ingest.py                # 2,000 documents, bundled MiniLM ONNX model
    python bench/ingest.py --documents 200 --backend hash
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import machine  # bench/ is on sys.path when a script here runs

REPO = Path(__file__).resolve().parent.parent
DEMO_KB = REPO / "knowledge"


def demo_sentences() -> list[str]:
    """Plain sentences from the demo KB, front matter and headings left out."""
    sentences = []
    for path in sorted(DEMO_KB.rglob("*.md")):
        body = re.sub(r"\A---\n.*?\n---\n", "", path.read_text(), flags=re.S)
        for line in body.splitlines():
            if line.strip() and not line.lstrip().startswith(("#", "|", "!", ">", "{", "}", "`", "-", '"')):
                sentences += [s for s in re.split(r"(?<=[.!?])\s+", line.strip()) if len(s.split()) >= 5]
    return sentences


def write_synthetic_kb(root: Path, documents: int, seed: int = 7) -> None:
    """Two FAQ files (6 entries) for every policy (4-7 sections of 2-12 sentences)."""
    rng = random.Random(seed)
    sentences = demo_sentences()
    regions = ["global", "global", "EU", "UK", "US"]
    for index in range(documents):
        region = rng.choice(regions)
        if index % 3 < 2:
            body = [f"# Synthetic FAQ {index}", ""]
            for entry in range(6):
                body += [f"## Question {entry} about topic {index}?", " ".join(rng.sample(sentences, rng.randint(2, 5))), ""]
            kind = "faq"
        else:
            body = [f"# Synthetic policy {index}", ""]
            for section in range(rng.randint(4, 7)):
                body += [f"## Section {section}", ""]
                for _ in range(rng.randint(1, 3)):
                    body += [" ".join(rng.sample(sentences, rng.randint(2, 4))), ""]
            kind = "policy"
        front = f"---\ntitle: Synthetic {kind} {index}\ntype: {kind}\ncategory: synthetic\nregion: {region}\n---\n"
        (root / f"{kind}-{index:05d}.md").write_text(front + "\n".join(body))


_CHILD = """
import atexit, os, sys
from app.cli.commands import main

def report_peak():
    # VmHWM is this process's own peak; ru_maxrss of a child inherits the parent's peak
    # across fork+exec on Linux, so it overstates small children.
    with open("/proc/self/status") as status, open(os.environ["BENCH_PEAK_FILE"], "w") as out:
        out.write(next(line.split()[1] for line in status if line.startswith("VmHWM")))

atexit.register(report_peak)
sys.argv = ["beacon", *sys.argv[1:]]
main()
"""


def run_ingest(kb: Path, data_dir: Path, backend: str) -> dict:
    """One `beacon ingest --json` in a child process; returns its summary, wall time and peak RSS."""
    peak_file = data_dir.parent / f"{data_dir.name}.peak"
    env = {**os.environ, "BEACON_DATA_DIR": str(data_dir), "BEACON_EMBEDDING_BACKEND": backend,
           "BENCH_PEAK_FILE": str(peak_file)}
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _CHILD, "ingest", "--kb", str(kb), "--json"], env=env,
                          capture_output=True, text=True, cwd=REPO)
    wall = time.perf_counter() - started
    # Exit 1 with a report means files an editor should look at (the knowledge-file scan set aside a section
    # of a synthetic page made of random demo sentences): the ingest itself ran, so it is measured all the same.
    if proc.returncode not in (0, 1) or not proc.stdout.strip():
        sys.exit(f"ingest failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return {"summary": json.loads(proc.stdout), "wall_s": wall, "peak_rss_mb": int(peak_file.read_text()) / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--backend", default="minilm-onnx", choices=["minilm-onnx", "hash", "openai"])
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "ingest.json")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="beacon-bench-") as tmp:
        tmp = Path(tmp)
        kb = tmp / "kb"
        kb.mkdir()
        write_synthetic_kb(kb, args.documents)
        full = run_ingest(kb, tmp / "data", args.backend)
        rerun = run_ingest(kb, tmp / "data", args.backend)
        demo_full = run_ingest(DEMO_KB, tmp / "demo-data", args.backend)
        demo_rerun = run_ingest(DEMO_KB, tmp / "demo-data", args.backend)

    s = full["summary"]
    chunks = s["summary"]["added"]["chunks"]
    result = {
        "date": dt.date.today().isoformat(),
        "machine": machine(),
        "backend": args.backend,
        "documents": args.documents,
        "chunks": chunks,
        "full_ingest": {
            "sync_s": s["seconds"], "wall_s": round(full["wall_s"], 2),
            "documents_per_s": round(args.documents / s["seconds"], 1), "chunks_per_s": round(chunks / s["seconds"], 1),
            "peak_rss_mb": round(full["peak_rss_mb"]),
        },
        "unchanged_rerun": {"sync_s": rerun["summary"]["seconds"], "wall_s": round(rerun["wall_s"], 2)},
        "demo_kb": {
            "chunks": demo_full["summary"]["chunks_in_store"],
            "full_wall_s": round(demo_full["wall_s"], 2),
            "unchanged_rerun_sync_s": demo_rerun["summary"]["seconds"],
            "unchanged_rerun_wall_s": round(demo_rerun["wall_s"], 2),
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    f, r, d = result["full_ingest"], result["unchanged_rerun"], result["demo_kb"]
    print(f"| measure | value |\n|---|---|")
    print(f"| synthetic KB | {args.documents} documents, {chunks} chunks, backend {args.backend} |")
    print(f"| full ingest | {f['sync_s']:.1f} s sync ({f['wall_s']:.1f} s wall): {f['documents_per_s']} docs/s, {f['chunks_per_s']} chunks/s |")
    print(f"| re-run, unchanged | {r['sync_s']:.2f} s sync, {r['wall_s']:.2f} s wall |")
    print(f"| demo KB ({d['chunks']} chunks) re-run, unchanged | {d['unchanged_rerun_sync_s']:.2f} s sync, {d['unchanged_rerun_wall_s']:.2f} s wall |")
    print(f"| peak RSS (full ingest) | {f['peak_rss_mb']} MB |")
    print(f"| machine | {result['machine']['cores']} cores, {result['machine']['cpu']} |")


if __name__ == "__main__":
    main()
