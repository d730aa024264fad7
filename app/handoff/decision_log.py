"""Every decision Beacon makes, one JSON line each, in redacted form: the audit trail of
why a turn was answered, clarified or handed over.

Callers pass only redacted text. The log is in the data directory (``decisions.jsonl``) and
is flushed per line, so a crash loses at most the line being written.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from pathlib import Path

from app.core.jsonl import read_jsonl
from app.core.private_files import private_file


class DecisionLog:
    def __init__(self, path: Path | None) -> None:
        self.path = Path(path) if path else None
        self._lock = threading.Lock()

    def record(self, session_id: str, redacted_question: str, decision: dict, confidence: float,
               ticket_id: str | None, flags: list[str]) -> None:
        if self.path is None:
            return
        entry = {"at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"), "session_id": session_id,
                 "question": redacted_question, **decision, "confidence": round(confidence, 4),
                 "ticket_id": ticket_id, "flags": flags}
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._lock:
            private_file(self.path)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(line)

    def forget(self, session_ids: set[str], before: str | None = None) -> int:
        """Erasure and retention: rewrite the log without the lines of these conversations (and,
        with ``before``, without lines older than that ISO time). The new file replaces the old
        one atomically; returns how many lines went."""
        if self.path is None or not self.path.exists():
            return 0
        with self._lock:
            kept, dropped = [], 0
            for line in self.path.read_text(encoding="utf-8").splitlines(keepends=True):
                entry = json.loads(line) if line.strip() else None
                if entry is None or entry.get("session_id") in session_ids or (before and entry.get("at", "") < before):
                    dropped += entry is not None
                    continue
                kept.append(line)
            if dropped:
                temporary = private_file(self.path.with_name(f".{self.path.name}.rewrite"))
                temporary.write_text("".join(kept), encoding="utf-8")
                temporary.replace(self.path)
        return dropped

    def read(self) -> list[dict]:
        if self.path is None or not self.path.exists():
            return []
        return read_jsonl(self.path)
