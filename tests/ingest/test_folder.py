"""A knowledge folder read into chunks as ingest reads it, without a store."""

from __future__ import annotations

from pathlib import Path

from app.core.settings import Settings
from ingest.folder import chunk_file, chunk_folder, scan
from tests.fakes.kb_factory import faq_markdown, write_kb

DEMO_KB = Path(__file__).resolve().parents[2] / "knowledge"


def test_the_demo_folder_gives_every_knowledge_file_with_its_chunks():
    files = chunk_folder(DEMO_KB, Settings())
    supported, _ = scan(DEMO_KB)
    assert [f.source for f in files] == [p.relative_to(DEMO_KB).as_posix() for p in supported]
    assert "README.md" not in {f.source for f in files}
    assert all(f.error is None and f.chunks and f.document is not None for f in files)
    assert all(chunk.source == f.source for f in files for chunk in f.chunks)


def test_a_broken_file_comes_back_with_its_error_and_the_rest_are_read(tmp_path):
    kb = write_kb(tmp_path / "kb", documents=2, entries=3)
    (kb / "broken.md").write_text("---\ntitle: [unclosed\n---\n# Broken\n\nText.\n")
    files = {f.source: f for f in chunk_folder(kb, Settings())}
    assert files["broken.md"].chunks == [] and files["broken.md"].document is None
    assert "broken.md line" in str(files["broken.md"].error)
    assert len(files["faq-0000.md"].chunks) == 3 and len(files["faq-0001.md"].chunks) == 3


def test_one_file_respects_the_settings_limits(tmp_path):
    path = tmp_path / "big.md"
    path.write_text(faq_markdown(0, entries=400))
    too_big = chunk_file(path, "big.md", Settings(max_file_mb=0.01))
    assert too_big.chunks == [] and "over the" in str(too_big.error)
    fine = chunk_file(path, "big.md", Settings())
    assert fine.error is None and len(fine.chunks) == 400
