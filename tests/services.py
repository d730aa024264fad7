"""Real services on loopback for the tests and benchmarks that need them: a throwaway
PostgreSQL cluster (initdb and pg_ctl in a temp folder) and a ``chroma run`` server.

PostgreSQL refuses to run as root, so as root the cluster runs as the ``postgres`` user
(``runuser``), the way Debian's package sets it up. Everything started here is stopped by
``stop()``; nothing is left listening.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


class ServiceMissing(RuntimeError):
    """A binary the service needs is not installed here; the message says how to install it."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bin() -> Path:
    """The newest installed PostgreSQL's bin folder (Debian: /usr/lib/postgresql/N/bin)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).parent
    raise ServiceMissing("PostgreSQL is not installed: apt-get install -y postgresql")


class ThrowawayPostgres:
    """A PostgreSQL cluster in ``folder``, trust auth on 127.0.0.1, user ``beacon``."""

    def __init__(self, folder: Path | None = None, port: int | None = None, durable: bool = False) -> None:
        self.bin = postgres_bin()
        # Its own folder straight under /tmp: the postgres user must reach it, and pytest's
        # temp folders are its owner's alone.
        self.folder = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="beacon-pg-"))
        self.port = port or free_port()
        self.data = self.folder / "data"
        self._as_root = os.geteuid() == 0
        self.durable = durable  # tests skip fsync for speed; benchmarks keep PostgreSQL's durable defaults

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin / args[0]), *args[1:]]
        if self._as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)

    def start(self) -> ThrowawayPostgres:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self._as_root:
            shutil.chown(self.folder, "postgres")
        if not (self.data / "PG_VERSION").exists():
            self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "beacon", "--no-sync")
        options = (f"-k {self.folder} -p {self.port} -c listen_addresses=127.0.0.1 -c max_connections=200 "
                   "-c shared_buffers=64MB" + ("" if self.durable else " -c fsync=off"))
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"), "-w", "start")
        self.createdb("beacon")
        return self

    def createdb(self, name: str) -> str:
        result = self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "beacon", name, check=False)
        if result.returncode and "already exists" not in result.stderr:
            raise RuntimeError(f"createdb {name} failed: {result.stderr}")
        return self.url(name)

    def url(self, database: str = "beacon") -> str:
        return f"postgresql://beacon@127.0.0.1:{self.port}/{database}"

    def stop(self, mode: str = "fast", remove: bool = True) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)
        if remove:
            shutil.rmtree(self.folder, ignore_errors=True)


def chroma_binary() -> str:
    binary = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    if not Path(binary).exists():
        raise ServiceMissing("the chroma command is missing: pip install -e . installs it with chromadb")
    return binary


class ChromaServer:
    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder = Path(folder)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> ChromaServer:
        self._process = subprocess.Popen(
            [chroma_binary(), "run", "--path", str(self.folder), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                if self._process.poll() is not None:
                    raise RuntimeError("chroma run exited at start") from None
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"chroma run did not listen within {timeout} s")

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=5)
        self._process = None
