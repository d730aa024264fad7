"""Beacon on the real help centres of the public datasets folder (a fixed sample, floors a little
under the measured figures in research/kbs/README.md): every file read, no site markup in what
is indexed, and on Electrum (ingested whole) retrieval and the answer/abstain decision."""

from __future__ import annotations

import csv
import re

import pytest

from app.chain.confidence import load_confidence_model
from app.core.settings import Settings
from app.index.retrieval import HybridRetriever
from app.index.store import KnowledgeStore
from ingest.errors import NothingToIndex
from ingest.folder import chunk_folder
from ingest.sync import sync_knowledge
from tests.public_data import public_datasets_dir

MARKUP = re.compile(r"\{%|%\}|\{\{|\}\}|^:::|\[\[toc|!\[|\]\(|:ref:`|:doc:`|^\.\. \w+::|\[Image:", re.M)
THRESHOLD = Settings().confidence_threshold


def _outside_code(text: str) -> str:
    return re.sub(r"^(`{3,}).*?^\1$", "", text, flags=re.M | re.S)


@pytest.mark.parametrize(("kb", "files", "contents_pages"), [("electrum", 36, 1), ("monero", 69, 0), ("btcpay", 112, 0)])
def test_every_file_of_a_real_help_centre_is_read_without_markup(kb, files, contents_pages):
    read = chunk_folder(public_datasets_dir() / "kbs" / kb / "docs", Settings())
    assert len(read) == files
    skipped = [f.source for f in read if isinstance(f.error, NothingToIndex)]
    failed = [str(f.error) for f in read if f.error and not isinstance(f.error, NothingToIndex)]
    assert failed == [] and len(skipped) == contents_pages
    leaks = [(c.source, field) for f in read for c in f.chunks
             for field, value in (("title", c.meta.title or ""), ("section", c.section), ("text", _outside_code(c.text)))
             if MARKUP.search(value)]
    assert leaks == []
    assert all(f.document.meta.title for f in read if f.document)


@pytest.fixture(scope="module")
def electrum(tmp_path_factory, embedder):
    root = public_datasets_dir() / "kbs" / "electrum"
    settings = Settings(data_dir=tmp_path_factory.mktemp("electrum"), knowledge_dir=root / "docs")
    store = KnowledgeStore(settings, embedder.model_id).open()
    sync_knowledge(root / "docs", store, embedder, settings)
    retriever = HybridRetriever(store, embedder, alpha=settings.retrieval_alpha, candidates=settings.retrieval_candidates)
    with (root / "questions.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return retriever, rows


def test_electrum_retrieval_and_decision_hold_their_floors(electrum):
    retriever, rows = electrum
    model = load_confidence_model()
    ranks, answered, declined = [], [], []
    for row in rows:
        retrieval = retriever.retrieve(row["query"], top_k=30)
        confident = model(retrieval.signals) >= THRESHOLD
        if row["kind"] == "unanswerable":
            declined.append(not confident)
            continue
        targets = set(row["target"].split("|"))
        files = list(dict.fromkeys(r.source for r in retrieval.results))
        ranks.append(next((i for i, f in enumerate(files, start=1) if f in targets), None))
        answered.append(confident and files[0] in targets)
    hit1 = sum(r == 1 for r in ranks) / len(ranks)
    hit5 = sum(r is not None and r <= 5 for r in ranks) / len(ranks)
    print(f"electrum hit@1 {hit1:.2f} hit@5 {hit5:.2f} answered right {sum(answered) / len(answered):.2f} "
          f"declined {sum(declined) / len(declined):.2f}")
    assert (len(ranks), len(declined)) == (50, 20)
    assert hit1 >= 0.82 and hit5 >= 0.94
    # Measured 0.72 and 1.00 (n=50 / n=20); the decision model was fitted with Electrum among its KBs.
    assert sum(answered) / len(answered) >= 0.66 and sum(declined) / len(declined) >= 0.90
