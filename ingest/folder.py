"""A knowledge folder as ``beacon ingest`` sees it: which files are knowledge, and each one read
and chunked exactly as ingest does, without a store. The one place evaluation, benchmarks and
the staff app's upload preview get chunks from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath

from app.core.settings import Settings
from ingest.chunking import Chunk, chunk_document
from ingest.document import LoadedDocument
from ingest.errors import KnowledgeFileError
from ingest.reading import is_supported, read_document


def is_folder_readme(rel: PurePath) -> bool:
    """Whether ``rel`` (a path inside the folder) is the KB's own top-level README.md: it documents
    the folder, so it is not knowledge, but it is there for a link to name."""
    return rel.as_posix().lower() == "readme.md"


def scan(kb_dir: Path) -> tuple[list[Path], list[Path]]:
    """(supported files, skipped files) under ``kb_dir``, sorted, hidden paths ignored.
    The KB's own top-level README.md documents the KB and is not knowledge."""
    supported, skipped = [], []
    for path in sorted(kb_dir.rglob("*")):
        rel = path.relative_to(kb_dir)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        if is_folder_readme(rel):
            continue
        (supported if is_supported(path) else skipped).append(path)
    return supported, skipped


@dataclass
class ChunkedFile:
    source: str  # the path relative to the knowledge folder, as editors and citations name it
    document: LoadedDocument | None  # None when the file failed validation
    chunks: list[Chunk]
    error: KnowledgeFileError | None = None


def chunk_file(path: Path, source: str, settings: Settings) -> ChunkedFile:
    """One file read, validated and chunked with the settings' limits; a file that fails
    validation comes back with its error and no chunks."""
    try:
        document = read_document(path, source, int(settings.max_file_mb * 1_000_000))
        return ChunkedFile(source, document, chunk_document(document, settings.chunk_max_tokens))
    except KnowledgeFileError as exc:
        return ChunkedFile(source, None, [], exc)


def chunk_folder(kb_dir: Path, settings: Settings) -> list[ChunkedFile]:
    """Every knowledge file under ``kb_dir``, in path order."""
    supported, _ = scan(kb_dir)
    return [chunk_file(path, path.relative_to(kb_dir).as_posix(), settings) for path in supported]
