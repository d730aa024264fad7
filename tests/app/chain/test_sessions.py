import pytest

from app.chain.sessions import Session, SessionStore, Turn, looks_like_follow_up, rewrite_follow_up


@pytest.mark.parametrize(
    ("question", "follow_up"),
    [
        ("and what about for the EU?", True),
        ("what about premium?", True),
        ("how much is it?", True),
        ("why?", True),
        ("How do I freeze my card?", False),
        ("What are the fees for sending money abroad from the UK?", False),
    ],
)
def test_follow_up_detection(question, follow_up):
    assert looks_like_follow_up(question) is follow_up


def test_rewrite_carries_the_previous_subject_only_for_follow_ups():
    session = Session("s", turns=[Turn("what are the ATM fees?", "what are the ATM fees?", None)])
    assert rewrite_follow_up("and in the EU?", session) == "what are the ATM fees? and in the EU?"
    assert rewrite_follow_up("How do I close my account?", session) == "How do I close my account?"
    assert rewrite_follow_up("and in the EU?", Session("new")) == "and in the EU?"


def test_store_creates_unknown_ids_evicts_the_least_recent_and_expires_idle(monkeypatch):
    store = SessionStore(max_sessions=2, idle_seconds=10)
    clock = [100.0]
    monkeypatch.setattr("app.chain.sessions.time.monotonic", lambda: clock[0])
    first, created = store.get("a")
    assert created and store.get("a") == (first, False)
    store.get("b")
    store.get("c")  # evicts a, the least recently used
    assert store.get("a")[1] is True
    clock[0] += 11
    assert store.get("c")[1] is True  # idle too long: a fresh session
