"""`beacon serve` as an operator starts it: a real process on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx

from tests.fakes.kb_factory import write_kb


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_address_is_printed_once_the_port_listens_and_the_log_is_quiet(tmp_path):
    port = _free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("BEACON_")}, "BEACON_DATA_DIR": str(tmp_path / "d"),
           "BEACON_KNOWLEDGE_DIR": str(write_kb(tmp_path / "kb", documents=2)), "BEACON_EMBEDDING_BACKEND": "hash",
           "BEACON_TOPIC_MODEL": "rules"}
    subprocess.run([sys.executable, "-m", "app.cli", "ingest"], env=env, capture_output=True, timeout=300, check=True)
    server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port)], env=env,
                              stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    log = []
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            line = server.stderr.readline()
            assert line, "beacon serve exited: " + "".join(log)
            log.append(line)
            if "Beacon at http://" in line:
                break
        assert f"http://127.0.0.1:{port}/" in log[-1]
        # The address is printed only once it answers.
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).json()
        assert ready["ready"] and ready["store_chunks"] == 10 and ready["store_vectors"] == 20
        httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
    finally:
        server.terminate()
        log.append(server.communicate(timeout=30)[1])
    text = "".join(log)
    assert "DEBUG" not in text and "bm25s" not in text, text
