"""The labelled knowledge bases the kbs research measures on, read where they live.

Public data stays in the shared datasets folder (``PUBLIC_DATASETS_DIR``, default
``<repo>/../shared/datasets``) and is never copied into the repository. StackFAQ is a JSON-lines
corpus, not a folder of files: it is written out as one Markdown article per thread into the
research cache, outside the repository.

Every KB comes with labelled questions: ``targets`` holds the files (relative to the KB folder)
that answer a question, empty for a question no file answers.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path

from research.paths import DEMO_KB, public_datasets

REAL_KBS = ("electrum", "monero", "btcpay")


def datasets_dir() -> Path:
    return public_datasets()


def cache_dir() -> Path:
    """Ingested KBs and cached embeddings; outside the repository, kept between runs."""
    path = Path(os.environ.get("KBS_CACHE_DIR") or Path.home() / ".cache" / "beacon-kbs")
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass(frozen=True)
class Question:
    id: str
    query: str
    targets: tuple[str, ...]  # files that answer it; () when none does
    region: str | None = None

    @property
    def answerable(self) -> bool:
        return bool(self.targets)


@dataclass(frozen=True)
class LabelledKB:
    name: str
    docs: Path
    questions: tuple[Question, ...]
    written_here: bool = False  # the demo KB: ours, reported second


def read_questions_tsv(path: Path, prefix: str = "") -> list[Question]:
    """The kbs format: a header ``query<TAB>target<TAB>kind``; ``a|b`` targets; empty target when
    unanswerable."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    out = []
    for number, row in enumerate(rows, start=1):
        targets = tuple(t.strip() for t in (row.get("target") or "").split("|") if t.strip())
        if row["kind"].strip() == "unanswerable":
            targets = ()
        out.append(Question(f"{prefix}{number:03d}", row["query"].strip(), targets))
    return out


def real_kb(name: str) -> LabelledKB:
    root = datasets_dir() / "kbs" / name
    return LabelledKB(name, root / "docs", tuple(read_questions_tsv(root / "questions.tsv", f"{name}-")))


def demo_kb() -> LabelledKB:
    from research.retrieval.queries import demo_queries

    questions = [Question(q.id, q.query, tuple(dict.fromkeys(s for s, _ in q.expected)) if q.answerable else (),
                          q.region) for q in demo_queries()]
    return LabelledKB("demo", DEMO_KB, tuple(questions), written_here=True)


def stackfaq_kb(split: str = "train") -> LabelledKB:
    """StackFAQ's 125 threads as Markdown articles (title, then each community answer as a
    section), with the queries of one split."""
    source = datasets_dir() / "retrieval"
    docs = cache_dir() / "stackfaq-docs"
    docs.mkdir(parents=True, exist_ok=True)
    for line in (source / "stackfaq_corpus.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        answers = "\n\n".join(a.strip() for a in row["answers"] if a.strip())
        text = f"# {row['title'].strip()}\n\n{answers}\n"
        target = docs / f"{row['doc_id']}.md"
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    questions = []
    for line in (source / "stackfaq_queries.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["split"] == split:
            questions.append(Question(f"stackfaq-{row['query_id']}", row["query"], (f"{row['doc_id']}.md",)))
    return LabelledKB(f"stackfaq-{split}", docs, tuple(questions))


def clinc150() -> dict[str, list[list[str]]]:
    """CLINC150's dev file: each part ("train", "val", "oos_train", "oos_val") as [text, intent] rows."""
    return json.loads((datasets_dir() / "out_of_scope" / "clinc150_dev.json").read_text(encoding="utf-8"))


def banking77_texts() -> list[str]:
    """BANKING77 train's queries, in the file's order."""
    with (datasets_dir() / "topics" / "banking77_train.csv").open(encoding="utf-8", newline="") as handle:
        return [row["text"] for row in csv.DictReader(handle)]


def clinc_out_of_scope(part: str) -> list[Question]:
    """CLINC150's out-of-scope queries (``oos_train`` or ``oos_val``): no KB answers them."""
    return [Question(f"clinc-{part}-{i:03d}", text, ()) for i, (text, _) in enumerate(clinc150()[part])]


def all_kbs() -> list[LabelledKB]:
    """The public KBs first, the demo KB (written here) last."""
    return [*(real_kb(name) for name in REAL_KBS), demo_kb()]
