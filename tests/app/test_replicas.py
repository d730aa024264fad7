"""Two ``beacon serve`` replicas (separate processes, different ports) over one PostgreSQL
database and one Chroma server, as a load balancer would spread a customer's requests: one
conversation goes alternately through both. Placeholders, follow-up rewriting, a handoff, the
agent's reply through the other replica, a reveal, the customer carrying on after it, a replica
killed mid-conversation, and erasure.

Everything runs for real: a throwaway PostgreSQL cluster, ``chroma run``, ``beacon ingest``
and ``beacon serve`` started here and stopped at the end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.conftest import DEMO_KB, REPO, VAULT_KEY
from tests.services import free_port

pytestmark = pytest.mark.postgres
KEY = "replica-test-key-Fs3Vm7Qw1Lc5Xn9Tj2Bh6"
ADMIN = "replica-admin-key-Qm7h2YtY3o1xJcS8dLwN5"
AUTH = {"Authorization": f"Bearer {KEY}"}
STAFF = {"Authorization": f"Bearer {ADMIN}"}
EMAIL = "dana.quill@example.org"


class Replica:
    def __init__(self, name: str, env: dict, folder: Path) -> None:
        self.name, self.folder = name, folder
        self.port = free_port()
        self.env = {**env, "BEACON_DATA_DIR": str(folder / name), "BEACON_PORT": str(self.port)}
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> Replica:
        self.log = open(self.folder / f"{self.name}.log", "w")
        self.process = subprocess.Popen([sys.executable, "-m", "app.cli.commands", "serve"], env=self.env, cwd=REPO,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        return self

    def wait_ready(self, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"replica {self.name} exited: {(self.folder / f'{self.name}.log').read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        pytest.fail(f"replica {self.name} was not ready within {timeout} s")

    def chat(self, session_id: str, message: str, **extra) -> dict:
        response = httpx.post(f"{self.base}/v1/chat", headers=AUTH, timeout=60,
                              json={"session_id": session_id, "message": message, **extra})
        assert response.status_code == 200, response.text
        return response.json()

    def get(self, path: str, headers=AUTH) -> httpx.Response:
        return httpx.get(f"{self.base}{path}", headers=headers, timeout=60)

    def post(self, path: str, body: dict, headers=STAFF) -> httpx.Response:
        return httpx.post(f"{self.base}{path}", headers=headers, json=body, timeout=60)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@pytest.fixture(scope="module")
def deployment(postgres_cluster, chroma_server_url, tmp_path_factory):
    folder = tmp_path_factory.mktemp("replicas")
    name = f"replicas_{uuid.uuid4().hex[:8]}"
    database_url = postgres_cluster.createdb(name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BEACON_")}
    env.update({"BEACON_DATABASE_URL": database_url, "BEACON_CHROMA_URL": chroma_server_url,
                "BEACON_VAULT_KEY": VAULT_KEY, "BEACON_API_KEYS": KEY, "BEACON_ADMIN_API_KEYS": ADMIN,
                "BEACON_KNOWLEDGE_DIR": str(DEMO_KB), "BEACON_CHROMA_COLLECTION": name,
                "BEACON_TOPIC_MODEL": "rules", "ANONYMIZED_TELEMETRY": "False", "PYTHONPATH": str(REPO)})
    ingest = subprocess.run([sys.executable, "-m", "app.cli.commands", "ingest", "--json"], env={
        **env, "BEACON_DATA_DIR": str(folder / "ingest")}, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert ingest.returncode == 0, ingest.stderr[-3000:]
    replicas = [Replica("a", env, folder).start(), Replica("b", env, folder).start()]
    try:
        for replica in replicas:
            replica.wait_ready()
        yield {"a": replicas[0], "b": replicas[1], "env": env, "folder": folder, "database_url": database_url}
    finally:
        for replica in replicas:
            replica.stop()


def _database_text(database_url: str) -> str:
    """Every row of every table, as text."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                             "AND tablename NOT LIKE 'keyword_index%'")]
        return " ".join(str(conn.execute(f"SELECT * FROM {t}").fetchall()) for t in tables)


def test_one_conversation_alternately_through_two_replicas(deployment):
    a, b = deployment["a"], deployment["b"]
    session = f"two-replicas-{uuid.uuid4().hex[:8]}"

    first = a.chat(session, f"Hi, I'm Dana, my email is {EMAIL}. How do I freeze my card?", context={"region": "UK"})
    assert first["citations"] and not first["escalation"]
    assert [p["placeholder"] for p in first["pii"] if p["type"] == "EMAIL_ADDRESS"] == ["<EMAIL_ADDRESS_1>"]

    # The follow-up on the other replica is read with the first turn's subject.
    follow = b.chat(session, "and what about in the EU?")
    assert "freeze" in follow["standalone_question"].lower() and follow["citations"]

    # The same value keeps its placeholder on the other replica; a new one gets the next number.
    again = a.chat(session, f"Also, is {EMAIL} the right address, or should I use dana.q@example.com?")
    numbers = {p["placeholder"] for p in again["pii"] if p["type"] == "EMAIL_ADDRESS"}
    assert numbers == {"<EMAIL_ADDRESS_1>", "<EMAIL_ADDRESS_2>"}, again["pii"]

    handoff = b.chat(session, "I'd like to talk to a human, please")
    ticket_id = handoff["escalation"]["ticket_id"]

    # The agent works on replica A: assigns, replies with the customer's placeholder, reveals a value.
    assert a.post(f"/v1/handoffs/{ticket_id}/assign", {}).status_code == 200  # to the caller: this admin key
    sent = a.post(f"/v1/handoffs/{ticket_id}/messages", {"text": "I've frozen your card and written to "
                                                                 "<EMAIL_ADDRESS_1> with the next steps."})
    assert sent.status_code == 201, sent.text
    # The value was sealed (encrypted) by one replica and is revealed, under audit, by the other.
    revealed = b.post(f"/v1/handoffs/{ticket_id}/reveal", {"placeholder": "<EMAIL_ADDRESS_1>"})
    assert revealed.status_code == 200 and revealed.json()["value"] == EMAIL, revealed.text

    # The customer reads the reply on replica B, with their own address back.
    with httpx.stream("GET", f"{b.base}/v1/sessions/{session}/events?timeout=3", headers=AUTH, timeout=30) as events:
        text = "".join(events.iter_text())
    assert "event: agent_message" in text and EMAIL in text
    stored = b.get(f"/v1/sessions/{session}").json()
    assert stored["handoff"]["state"] == "answered" and stored["agent_messages"][0]["text"].count("<EMAIL_ADDRESS_1>")

    # The customer writes again through A: it goes to the agent, who resolves on B; then Beacon answers again.
    passed = a.chat(session, "Thanks, and will my card still work for direct debits?")
    assert passed["escalation"]["joined"] and passed["escalation"]["ticket_id"] == ticket_id
    assert b.post(f"/v1/handoffs/{ticket_id}/resolve", {"note": "done"}).status_code == 200
    resumed = a.chat(session, "How do I unfreeze my card?")
    assert resumed["citations"] and not resumed["escalation"]

    turns = b.get(f"/v1/sessions/{session}").json()["turns"]
    assert len(turns) == 6 and all(EMAIL not in t["question"] for t in turns)
    assert EMAIL not in _database_text(deployment["database_url"])  # only ever encrypted

    # Erasure through one replica removes the conversation from the shared database for both.
    erased = b.get(f"/v1/sessions/{session}")
    assert erased.status_code == 200
    assert httpx.delete(f"{a.base}/v1/sessions/{session}", headers=AUTH, timeout=60).status_code == 200
    assert b.get(f"/v1/sessions/{session}").status_code == 404
    assert session not in _database_text(deployment["database_url"])


def test_a_replica_killed_mid_conversation_loses_no_stored_turn(deployment):
    """A is killed while a turn is in flight: every turn a replica answered is stored, and the
    conversation goes on at once on B (the dead replica's lock went with its connections)."""
    a, b = deployment["a"], deployment["b"]
    session = f"killed-{uuid.uuid4().hex[:8]}"
    answered = 0
    for number, replica in enumerate((a, b, a, b)):
        replica.chat(session, f"What are the fees for card payments abroad? ({number})")
        answered += 1
    in_flight: dict = {}

    def doomed() -> None:
        try:
            in_flight["response"] = httpx.post(f"{a.base}/v1/chat", headers=AUTH, timeout=60, json={
                "session_id": session, "message": "And how long does a transfer to the EU take?"})
        except httpx.HTTPError as exc:
            in_flight["error"] = exc

    thread = threading.Thread(target=doomed)
    thread.start()
    time.sleep(0.05)
    a.kill()
    thread.join(timeout=60)
    answered += int(in_flight.get("response") is not None and in_flight["response"].status_code == 200)

    started = time.monotonic()
    after = b.chat(session, "How do I freeze my card?")
    assert time.monotonic() - started < 10 and after["session_id"] == session
    turns = b.get(f"/v1/sessions/{session}").json()["turns"]
    assert answered + 1 <= len(turns) <= answered + 2  # the killed turn is stored whole or not at all
    assert [t["question"] for t in turns[:4]] == [f"What are the fees for card payments abroad? ({n})" for n in range(4)]
    # A replacement replica takes over where A was.
    replacement = Replica("a2", deployment["env"], deployment["folder"]).start()
    try:
        replacement.wait_ready()
        assert len(replacement.get(f"/v1/sessions/{session}").json()["turns"]) == len(turns)
        assert replacement.chat(session, "and in the UK?")["standalone_question"].lower().count("freeze")
    finally:
        replacement.stop()
