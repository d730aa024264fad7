"""A few Markdown files written to a folder and ingested into their own store, for retrieval tests."""

from __future__ import annotations

from pathlib import Path

from app.core.settings import Settings
from app.index.store import KnowledgeStore
from ingest.sync import sync_knowledge


def ingested_store(root: Path, files: dict[str, str], embedder) -> KnowledgeStore:
    kb = root / "kb"
    kb.mkdir()
    for source, text in files.items():
        (kb / source).parent.mkdir(parents=True, exist_ok=True)
        (kb / source).write_text(text)
    settings = Settings(data_dir=root / "data", knowledge_dir=kb)
    store = KnowledgeStore(settings, embedder.model_id).open()
    sync_knowledge(kb, store, embedder, settings)
    return store
