"""Incremental, safe sync against a real embedded Chroma and the real bundled embedder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter

import pytest

from app.index.embedding.hash_embedder import HashEmbedder
from app.index.store import KnowledgeStore
from ingest.errors import KnowledgeDirError
from ingest.sync import sync_knowledge
from tests.fakes.kb_factory import faq_markdown, write_kb


def _sync(settings, embedder, kb):
    store = KnowledgeStore(settings, embedder.model_id).open()
    return sync_knowledge(kb, store, embedder, settings), store


def _snapshot(store: KnowledgeStore) -> dict[str, tuple[str, str]]:
    """chunk id -> (source, content hash) for every chunk in the store (question vectors aside)."""
    got = store.collection.get(where={"vector_of": "chunk"}, include=["metadatas"])
    return {i: (m["source"], m["content_hash"]) for i, m in zip(got["ids"], got["metadatas"])}


def assert_consistent(store: KnowledgeStore, expected_chunks: dict[str, int]) -> None:
    """Every file has exactly its current chunks, all from one version; nothing else is stored."""
    inventory = store.inventory()
    assert {s: sum(not c.is_question_vector for c in chunks) for s, chunks in inventory.items()} == expected_chunks
    for chunks in inventory.values():
        assert len({c.doc_hash for c in chunks}) == 1
        assert all(c.doc_chunk_count == len(chunks) for c in chunks)


@pytest.fixture
def kb(tmp_path):
    return write_kb(tmp_path / "kb", documents=4, entries=3)


def test_first_sync_adds_every_file_and_rerun_changes_nothing(settings, embedder, kb):
    report, store = _sync(settings, embedder, kb)
    assert report.ok
    assert report.counts()["added"] == {"files": 4, "chunks": 12}
    before = _snapshot(store)

    again, store = _sync(settings, embedder, kb)
    assert again.counts()["unchanged"] == {"files": 4, "chunks": 12}
    assert again.chunks_embedded == 0
    assert _snapshot(store) == before


def test_editing_one_file_changes_only_its_chunks_and_reembeds_only_the_edited_entry(settings, embedder, kb):
    _, store = _sync(settings, embedder, kb)
    before = _snapshot(store)
    path = kb / "faq-0001.md"
    path.write_text(path.read_text().replace("free on every plan.\n\n## How does crypto feature 1-1",
                                             "free on Plus only.\n\n## How does crypto feature 1-1"))

    report, store = _sync(settings, embedder, kb)
    assert report.counts()["updated"] == {"files": 1, "chunks": 3}
    # 3 FAQ chunks store 6 vectors (question+answer, question alone); only the edited answer's is new
    assert report.chunks_embedded == 1 and report.chunks_reused == 5
    after = _snapshot(store)
    changed = {i for i in before if before[i] != after.get(i)}
    assert len(changed) == 1 and before[changed.pop()][0] == "faq-0001.md"
    assert set(after) == set(before)  # chunk ids are stable across versions


def test_deleting_a_file_removes_its_chunks(settings, embedder, kb):
    _sync(settings, embedder, kb)
    (kb / "faq-0002.md").unlink()
    report, store = _sync(settings, embedder, kb)
    assert report.counts()["removed"] == {"files": 1, "chunks": 3}
    assert_consistent(store, {"faq-0000.md": 3, "faq-0001.md": 3, "faq-0003.md": 3})


def test_broken_file_keeps_its_last_good_version_and_fails_the_run(settings, embedder, kb):
    _, store = _sync(settings, embedder, kb)
    good = {i: v for i, v in _snapshot(store).items() if v[0] == "faq-0000.md"}
    (kb / "faq-0000.md").write_text("---\ntitle: [unclosed\n---\n# Broken\n")
    (kb / "faq-0009.md").write_text(faq_markdown(9, entries=2))  # the rest still syncs

    report, store = _sync(settings, embedder, kb)
    assert not report.ok
    failed = [f for f in report.files if f.status == "failed"]
    assert [f.source for f in failed] == ["faq-0000.md"]
    assert "faq-0000.md line 2" in failed[0].error and "keeping the 3 chunks" in failed[0].error
    assert report.counts()["added"] == {"files": 1, "chunks": 2}
    assert {i: v for i, v in _snapshot(store).items() if v[0] == "faq-0000.md"} == good


def test_bad_files_are_reported_and_unknown_extensions_skipped(settings, embedder, tmp_path):
    kb = write_kb(tmp_path / "kb", documents=1, entries=2)
    (kb / "empty.md").write_text("")
    (kb / "binary.md").write_bytes(b"\x00\x01\x02binary")
    (kb / "latin1.md").write_bytes("# Caf\xe9\n\ntext\n".encode("latin-1"))
    (kb / "big.md").write_text("# Big\n\n" + "word " * 2_200_000)
    (kb / "notes.docx").write_bytes(b"PK\x03\x04")
    (kb / "requirements.txt").write_text("sphinx==7.1\nmyst-parser\n")  # a docs folder's build pins, not knowledge
    (kb / "dupes.yaml").write_text(
        "title: Dupes\nfaqs:\n  - question: Is it free?\n    answer: Yes.\n  - question: is it FREE\n    answer: No.\n"
    )
    report, store = _sync(settings, embedder, kb)
    by_source = {f.source: f for f in report.files}
    assert by_source["notes.docx"].status == "skipped"
    assert "unsupported file type .docx" in by_source["notes.docx"].error
    assert by_source["requirements.txt"].status == "skipped"
    assert "build, licence or index file" in by_source["requirements.txt"].error
    for source, fragment in [("empty.md", "empty"), ("binary.md", "binary"), ("latin1.md", "line 1: not valid UTF-8"),
                             ("big.md", "over the 2.0 MB limit"), ("dupes.yaml", "line 5: duplicate FAQ question")]:
        assert by_source[source].status == "failed"
        assert fragment in by_source[source].error
    assert_consistent(store, {"faq-0000.md": 2})


def test_missing_knowledge_directory_is_one_clear_error(settings, embedder, tmp_path):
    with pytest.raises(KnowledgeDirError, match="does not exist: create it"):
        _sync(settings, embedder, tmp_path / "nope")


class _CrashingEmbedder:
    """Wraps the real embedder and dies on the n-th call, like a process killed mid-run."""

    def __init__(self, inner, fail_on_call: int) -> None:
        self.inner, self.model_id, self.calls, self.fail_on_call = inner, inner.model_id, 0, fail_on_call

    def embed_documents(self, texts):
        self.calls += 1
        if self.calls == self.fail_on_call:
            raise RuntimeError("simulated crash")
        return self.inner.embed_documents(texts)


def test_run_that_crashes_midway_is_repaired_by_the_next(settings, embedder, tmp_path):
    kb = write_kb(tmp_path / "kb", documents=60, entries=3)  # 180 chunks: two embedding passes
    store = KnowledgeStore(settings, embedder.model_id).open()
    with pytest.raises(RuntimeError, match="simulated crash"):
        sync_knowledge(kb, store, _CrashingEmbedder(embedder, fail_on_call=2), settings)
    assert 0 < store.chunk_count() < 180

    report, store = _sync(settings, embedder, kb)
    assert report.ok
    assert_consistent(store, {f"faq-{i:04d}.md": 3 for i in range(60)})


def test_crash_between_writing_new_and_deleting_stale_chunks_is_repaired(settings, embedder, kb, monkeypatch):
    _, store = _sync(settings, embedder, kb)
    (kb / "faq-0003.md").write_text(faq_markdown(3, entries=1))  # 3 entries -> 1: two chunks go stale
    monkeypatch.setattr(KnowledgeStore, "delete", lambda self, ids: (_ for _ in ()).throw(OSError("disk gone")))
    with pytest.raises(OSError):
        _sync(settings, embedder, kb)
    monkeypatch.undo()
    monkeypatch.setenv("BEACON_DATA_DIR", str(settings.data_dir))
    report, store = _sync(settings, embedder, kb)
    assert report.counts()["updated"]["files"] == 1
    assert_consistent(store, {"faq-0000.md": 3, "faq-0001.md": 3, "faq-0002.md": 3, "faq-0003.md": 1})


def test_killed_process_leaves_an_index_the_next_run_repairs(settings, tmp_path):
    """SIGKILL a real `beacon ingest` once it has written some files, then re-run. The hash
    embedder keeps this about the store, not the model, and fast."""
    documents = 600
    kb = write_kb(tmp_path / "kb", documents=documents, entries=3)
    env = {**os.environ, "BEACON_DATA_DIR": str(settings.data_dir), "BEACON_KNOWLEDGE_DIR": str(kb),
           "BEACON_EMBEDDING_BACKEND": "hash"}
    proc = subprocess.Popen([sys.executable, "-m", "app.cli.commands", "ingest"], env=env, stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, text=True)
    for line in proc.stderr:
        if " added " in line:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    embedder = HashEmbedder()
    store = KnowledgeStore(settings, embedder.model_id).open()
    assert 0 < store.chunk_count() < documents * 3, "the ingest was not killed midway"
    report = sync_knowledge(kb, store, embedder, settings)
    assert report.ok
    statuses = Counter(f.status for f in report.files)
    assert statuses["unchanged"] >= 1 and statuses["unchanged"] + statuses["added"] + statuses["updated"] == documents
    assert_consistent(store, {f"faq-{i:04d}.md": 3 for i in range(documents)})


def test_editors_are_warned_about_broken_links_and_answers_too_long_to_embed(settings, embedder, tmp_path):
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "terms.md").write_text("# Terms\n\nSee the [fee schedule](fees/missing.md) and [terms](terms.md).\n")
    long_answer = "Our team reviews the request and replies with the next steps. " * 40
    (kb / "faq.yaml").write_text(f"title: FAQ\nfaqs:\n  - question: Why so long?\n    answer: {long_answer}\n")
    report, _ = _sync(settings, embedder, kb)
    warnings = [w for f in report.files for w in f.warnings]
    assert report.ok
    assert warnings == [
        "faq.yaml line 3: the answer to 'Why so long?' is 480 tokens, over the 220-token budget; its end may not "
        "be found by search — shorten it or split the question",
        "terms.md: the link to fees/missing.md points at a file that is not in the knowledge directory: correct the "
        "path, or add that page",
    ]


def test_a_link_the_site_serves_is_not_reported_as_missing(settings, embedder, tmp_path):
    """As BTCPay's VuePress pages link: without the extension, to a folder (its README), and with
    more ``..`` than folders (a browser stays at the site's root). 17 of the 42 "not in the
    knowledge directory" warnings on BTCPay were links like these; a link to a page that is not
    in that folder is still told."""
    kb = tmp_path / "kb"
    (kb / "FAQ").mkdir(parents=True)
    (kb / "Deployment").mkdir()
    (kb / "Deployment" / "README.md").write_text("# Deployment\n\nRun the installer on a server you control.\n")
    (kb / "FAQ" / "General.md").write_text("# General\n\nBTCPay Server is free and open source.\n")
    (kb / "Setup.md").write_text("# Setup\n\nFirst [deploy](Deployment.md), then read the [FAQ](FAQ/General).\n")
    (kb / "README.md").write_text("# About this folder\n\nNot knowledge: it is not indexed.\n")
    (kb / "FAQ" / "Wallet.md").write_text("# Wallet\n\nSee [general](../../FAQ/General.md), [setup](Setup.md), "
                                           "[deployment](../Deployment) and [the docs](../README.md).\n")
    report, _ = _sync(settings, embedder, kb)
    warnings = [w for f in report.files for w in f.warnings]
    assert warnings == ["FAQ/Wallet.md: the link to FAQ/Setup.md points at a file that is not in the knowledge "
                        "directory: correct the path, or add that page"]


def test_a_link_to_an_anchor_no_heading_has_is_reported_to_the_editor(settings, tmp_path):
    # BTCPay's FAQ index links ./ServerSettings.md#maintainance; the heading is "Maintenance".
    kb = tmp_path / "kb"
    (kb / "faq").mkdir(parents=True)
    # The other two links are right as VuePress and MkDocs anchor "I can't log in" and "2.3 - Logs".
    (kb / "faq" / "index.md").write_text("# FAQ\n\n## Server\n\nSee [maintenance](./server.md#maintainance), "
                                         "[updates](./server.md#how-to-update) and [the server FAQ](./server.md#server-faq)"
                                         ", [log-in](./server.md#i-can-t-log-in), [logs](./server.md#23-logs).\n")
    (kb / "faq" / "server.md").write_text("# Server FAQ\n\n## Maintenance\n\nRestart weekly.\n\n## How to update?\n\n"
                                          "Run the update script.\n\n## I can't log in\n\nReset it.\n\n"
                                          "## 2.3 - Logs\n\nRun the logs script.\n")
    embedder = HashEmbedder()
    report, _ = _sync(settings, embedder, kb)
    warnings = {f.source: f.warnings for f in report.files}
    assert warnings["faq/server.md"] == []
    assert warnings["faq/index.md"] == [
        "faq/index.md: the link to ./server.md#maintainance names no heading of faq/server.md (#maintainance): point it "
        "at one of that page's headings, or the link leads to the top of the page"]
    # unchanged files are not checked again: the warning comes with the next edit of the linking file
    assert all(f.warnings == [] for f in _sync(settings, embedder, kb)[0].files)


def test_renaming_a_heading_that_another_page_links_to_is_reported_to_the_editor_of_the_renamed_page(settings, tmp_path):
    kb = tmp_path / "kb"
    (kb / "faq").mkdir(parents=True)
    (kb / "faq" / "index.md").write_text("# FAQ\n\n## Server\n\nSee [updates](./server.md#how-to-update).\n")
    (kb / "faq" / "server.md").write_text("# Server FAQ\n\n## How to update?\n\nRun the update script.\n")
    embedder = HashEmbedder()
    first, _ = _sync(settings, embedder, kb)
    assert all(f.warnings == [] for f in first.files)
    (kb / "faq" / "server.md").write_text("# Server FAQ\n\n## Updating the server\n\nRun the update script.\n")
    report, _ = _sync(settings, embedder, kb)
    warnings = {f.source: f.warnings for f in report.files}
    assert warnings["faq/server.md"] == [
        "faq/server.md: faq/index.md links to ./server.md#how-to-update, and no heading of this page is #how-to-update "
        "(now): keep a heading of that name, or update the link in faq/index.md; it leads to the top of the page"]
    assert warnings.get("faq/index.md", []) == []


def test_a_sphinx_ref_to_a_label_no_file_defines_is_reported_to_the_editor(settings, tmp_path):
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "faq.rst").write_text("FAQ\n===\n\nOffline?\n--------\n\nSee :ref:`cold <coldstorage>` and "
                                ":ref:`the seed <seed>`.\n")
    (kb / "cold.rst").write_text(".. _coldstorage:\n\nCold storage\n============\n\nKeep the keys offline.\n")
    report, _ = _sync(settings, HashEmbedder(), kb)
    warnings = {f.source: f.warnings for f in report.files}
    assert warnings["cold.rst"] == []
    assert warnings["faq.rst"] == [
        "faq.rst: :ref:`seed` names a label no file of the knowledge folder defines (or two files do): define it once "
        "with `.. _seed:` above the heading it means"]


def test_each_file_reports_the_pages_its_citations_open(settings, embedder, tmp_path):
    # A help-desk export gives one address per row; a row without one gets the pattern's page for the file.
    kb = tmp_path / "kb"
    (kb / "faq").mkdir(parents=True)
    (kb / "faq" / "export.csv").write_text(
        "id,title,body,html_url\n"
        "1,How do I freeze my card?,Tap Card > Freeze.,https://acme.zendesk.com/hc/en-us/articles/1-Freeze\n"
        "2,What does a transfer cost?,Nothing in the UK.,\n")
    (kb / "faq" / "limits.md").write_text("# Limits\n\nYou can spend 5,000 a day by card.\n")
    pages = {"faq/export.csv": ["https://acme.zendesk.com/hc/en-us/articles/1-Freeze",
                                "https://help.acme.example/faq/export/"],
             "faq/limits.md": ["https://help.acme.example/faq/limits/"]}
    templated = settings.model_copy(update={"kb_url_template": "https://help.acme.example/{page}/"})
    report, _ = _sync(templated, embedder, kb)
    assert {f.source: f.urls for f in report.files} == pages
    report, _ = _sync(templated, embedder, kb)  # unchanged: read from what the index stores
    assert {f.source: (f.status, f.urls) for f in report.files} == {s: ("unchanged", u) for s, u in pages.items()}
    report, _ = _sync(settings, embedder, kb)  # no pattern: only the row that gives its own address has a page
    assert {f.source: f.urls for f in report.files} == {
        "faq/export.csv": ["https://acme.zendesk.com/hc/en-us/articles/1-Freeze"], "faq/limits.md": []}
