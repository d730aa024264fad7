"""The production store path: a real `chroma run` server on loopback, started and stopped here."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core.errors import StoreUnavailableError
from app.core.settings import Settings
from app.index.retrieval import HybridRetriever
from app.index.sentence_store import SentenceStore
from app.index.sentences import sentence_texts, sentences_key
from app.index.store import KnowledgeStore
from ingest.sync import sync_knowledge
from tests.fakes.kb_factory import write_kb


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    binary = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = _free_port()
    proc = subprocess.Popen([binary, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if proc.poll() is not None:
                pytest.fail("chroma run exited at start")
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("chroma run did not start listening within 30 s")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def test_sync_and_search_through_a_chroma_server(chroma_server, embedder, tmp_path):
    kb = write_kb(tmp_path / "kb", documents=3, entries=2)
    settings = Settings(data_dir=tmp_path / "data", chroma_url=chroma_server)
    store = KnowledgeStore(settings, embedder.model_id).open()
    report = sync_knowledge(kb, store, embedder, settings)
    assert report.ok and report.chunks_in_store == 6
    assert report.store == chroma_server
    assert not (tmp_path / "data" / "chroma").exists()  # nothing went to the embedded store

    (kb / "faq-0001.md").unlink()
    again = sync_knowledge(kb, KnowledgeStore(settings, embedder.model_id).open(), embedder, settings)
    assert again.counts()["unchanged"]["files"] == 2 and again.counts()["removed"]["chunks"] == 2

    results = HybridRetriever(store, embedder).retrieve("How does cards feature 0-1 work?", top_k=3).results
    assert results[0].source == "faq-0000.md" and results[0].section == "How does cards feature 0-1 work?"

    # the best-sentence step's vectors live on the server too, kept in step with the removal
    assert report.sentence_vectors["ok"] and again.sentence_vectors["records_deleted"] >= 1
    sentences = SentenceStore(store)
    keys = {c.chunk_id: sentences_key(sentence_texts(c.title, c.section, c.text)) for c in results}
    assert set(sentences.vectors(list(keys), keys)) == set(keys)
    held = sentences.collection.get(include=["metadatas"])["metadatas"]
    assert held and not any(m["chunk_id"].startswith("faq-0001.md") for m in held)


def test_unreachable_server_is_one_clear_error(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", chroma_url=f"http://127.0.0.1:{_free_port()}")
    with pytest.raises(StoreUnavailableError, match="cannot reach the Chroma server at http://127.0.0.1:.*unset BEACON_CHROMA_URL"):
        KnowledgeStore(settings, "minilm-l6-v2-int8").open()
