"""What Beacon writes in its data directory is readable by its own user only: conversations,
tickets and the decision log hold (redacted) customer text. Folders are created 0700 and files
0600, whatever the process umask; `beacon` itself also runs with umask 077 so files that other
libraries create there (Chroma's) are private too."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_UMASK = 0o077


def private_dir(path: Path) -> Path:
    """``path`` and any missing parents created owner-only; an existing ``path`` is tightened."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def private_file(path: Path) -> Path:
    """``path`` created empty and owner-only if it does not exist yet (SQLite then gives its
    write-ahead log and shared-memory files the same mode); an existing one is tightened."""
    path = Path(path)
    private_dir(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
    os.close(fd)
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    return path


def use_private_umask() -> None:
    """For the `beacon` process: every file and folder it creates is owner-only by default."""
    os.umask(PRIVATE_UMASK)
