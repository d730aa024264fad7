"""Everything the `beacon` command writes in its data directory is its own user's only."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

from tests.fakes.kb_factory import write_kb


def test_the_data_directory_and_every_file_in_it_are_owner_only(tmp_path):
    data = tmp_path / "data"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("BEACON_")}, "BEACON_DATA_DIR": str(data),
           "BEACON_KNOWLEDGE_DIR": str(write_kb(tmp_path / "kb", documents=2)), "BEACON_EMBEDDING_BACKEND": "hash",
           "BEACON_TOPIC_MODEL": "rules"}
    for args in (["ingest"], ["ask", "someone stole my phone and my card, please help"]):
        done = subprocess.run([sys.executable, "-m", "app.cli", *args], env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode in (0, 1), done.stderr
    written = [data, *data.rglob("*")]
    names = {p.name for p in written}
    assert {"handoffs.sqlite3", "decisions.jsonl", "last_ingest.json", "chroma"} <= names
    loose = [f"{p.relative_to(tmp_path)} {stat.filemode(p.stat().st_mode)}" for p in written
             if p.stat().st_mode & 0o077]
    assert loose == []
