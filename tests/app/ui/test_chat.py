"""The customer chat's callbacks, called directly with a real service over the demo index."""

from __future__ import annotations

import re

import gradio as gr
import pytest

from app.chain.questions import EmptyQuestionError
from app.core.settings import Settings
from app.service.beacon_service import BeaconService
from app.ui import build_chat_app
from app.ui.chat import (
    HUMAN_MESSAGE,
    NO_SOURCES,
    UNEXPECTED,
    citation_lines,
    escalation_notice,
    new_conversation,
    new_session_id,
    poll_agent,
    region_selector,
    region_value,
    respond,
    resume_conversation,
    send_feedback,
    tab_turn,
    talk_to_human,
)
from ingest.sync import sync_knowledge
from tests.app.ui import demo_service, element_ids

TICKET = re.compile(r"HO-\d{6}-[A-Z0-9]{5}")
SKIPPED = gr.skip()


@pytest.fixture(scope="module")
def service(tmp_path_factory, demo_index, embedder, redactor):
    return demo_service(tmp_path_factory.mktemp("ui-chat"), demo_index, embedder, redactor)


def final(outputs: list[tuple]) -> tuple:
    assert outputs, "the callback yielded nothing"
    return outputs[-1]


def test_reply_streams_then_shows_its_sources(service):
    outputs = list(respond(service, "How much does a replacement card cost?", [], new_session_id(), "UK"))
    replies = [out[0][1]["content"] for out in outputs]
    assert len(outputs) >= 4  # the question, several pieces, then the checked answer
    assert replies[0] == ""  # the question appears before Beacon has answered
    assert all(later.startswith(earlier) for earlier, later in zip(replies[1:-1], replies[2:-1]))
    history, box, banner, sources, turn_id, code = final(outputs)
    assert history[0] == {"role": "user", "content": "How much does a replacement card cost?"}
    assert "5.99" in history[1]["content"]
    cited = history[2]
    assert cited["metadata"]["title"].startswith("Sources (") and cited["metadata"]["status"] == "done"
    assert "`faq/cards.md`" in cited["content"] and "Cards FAQ" in sources
    assert box == "" and banner == SKIPPED and isinstance(turn_id, int) and code == SKIPPED


def test_a_source_with_a_public_page_is_a_link_to_it():
    shown = citation_lines([
        {"number": 1, "title": "Cards [beta]", "section": "Freeze", "text": "Tap Freeze.", "source": "faq/cards.md",
         "url": "https://help.example.com/Cards (new)/freeze"},
        {"number": 2, "title": "Fees", "section": "", "text": "Free.", "source": "fees.md", "url": None},
    ])
    assert shown.splitlines()[0] == \
        "**[1] [Cards \\[beta\\] › Freeze](https://help.example.com/Cards%20%28new%29/freeze)**  "
    assert "**[2] Fees**" in shown and shown.count("](") == 1


def test_each_browser_session_keeps_its_own_conversation(service):
    first, second = new_session_id(), new_session_id()
    assert first != second
    final(list(respond(service, "How do I freeze my card?", [], first, "None")))
    final(list(respond(service, "What are the fees for sending money abroad?", [], second, "EU")))
    assert [t["question"] for t in service.session(first)["turns"]] == ["How do I freeze my card?"]
    assert [t["question"] for t in service.session(second)["turns"]] == ["What are the fees for sending money abroad?"]


def test_talk_to_a_human_escalates_with_a_visible_ticket(service):
    session = new_session_id()
    history = final(list(respond(service, "How do I freeze my card?", [], session, "UK")))[0]
    history, _, banner, _, turn_id, code = final(list(talk_to_human(service, history, session, "UK")))
    assert history[-1]["role"] == "assistant" and HUMAN_MESSAGE in [m["content"] for m in history]
    ticket_id = TICKET.search(banner).group(0)
    assert "Handed to our team" in banner and "reply in this conversation" in banner
    assert ticket_id in history[-1]["content"]
    ticket = service.handoff(ticket_id)
    assert (ticket["session_id"], ticket["category"], ticket["status"]) == (session, "human_requested", "open")
    assert isinstance(turn_id, int) and code in banner and re.fullmatch(r"([A-Z2-9]{4}-){3}[A-Z2-9]{4}", code)


def test_feedback_is_tied_to_the_last_turn(service):
    session = new_session_id()
    turn_id = final(list(respond(service, "How do I freeze my card?", [], session, "None")))[4]
    message, box = send_feedback(service, "down", session, turn_id, "  didn't say where the button is ")
    assert message.startswith("Thanks") and box == ""
    [stored] = service.session(session)["feedback"]
    assert (stored["rating"], stored["turn_id"], stored["comment"]) == ("down", turn_id,
                                                                        "didn't say where the button is")


@pytest.mark.parametrize("session_id, turn_id", [(None, None), ("fresh", None)])
def test_feedback_before_any_answer_asks_for_a_question(service, session_id, turn_id):
    message, box = send_feedback(service, "up", session_id, turn_id, "great")
    assert message.startswith("Ask a question first") and box == "great"


def test_feedback_for_another_sessions_turn_is_refused_politely(service):
    mine, theirs = new_session_id(), new_session_id()
    their_turn = final(list(respond(service, "How do I freeze my card?", [], theirs, "None")))[4]
    final(list(respond(service, "How do I close my account?", [], mine, "None")))
    message, box = send_feedback(service, "up", mine, their_turn, "ok")
    assert message.startswith("Sorry, we couldn't save that feedback") and box == "ok"
    assert service.session(theirs)["feedback"] == [] and service.session(mine)["feedback"] == []


def test_new_conversation_starts_clean():
    session, history, box, banner, sources, turn_id, status, code, resumed = new_conversation()
    assert len(session) == 36 and session != new_conversation()[0]
    assert (history, box, banner, sources, turn_id, status, code, resumed) == ([], "", "", NO_SOURCES, None, "",
                                                                                None, False)


class RecordingService:
    """Stands in for BeaconService where the real one cannot fail on demand."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.requests = []

    def stream(self, request):
        self.requests.append(request)
        raise self.error


@pytest.mark.parametrize("message", ["", "   ", "\n"])
def test_blank_message_sends_nothing(message):
    fake = RecordingService()
    [(history, box, *rest)] = list(respond(fake, message, [{"role": "user", "content": "hi"}], "s", "None"))
    assert fake.requests == [] and history == [{"role": "user", "content": "hi"}] and box == ""


@pytest.mark.parametrize("error, shown", [
    (EmptyQuestionError("the question is empty: type what you would like to know"),
     "the question is empty: type what you would like to know"),
    (RuntimeError("database is locked at /secret/path"), UNEXPECTED),
])
def test_errors_become_a_message_never_a_traceback(error, shown):
    fake = RecordingService(error)
    history = final(list(respond(fake, "hello", [], "s", "EU")))[0]
    assert history[-1] == {"role": "assistant", "content": shown}
    assert fake.requests[0].channel == "ui" and fake.requests[0].region == "EU"


@pytest.mark.parametrize("choice, region", [("None", None), (None, None), ("", None), ("UK", "UK"), ("EU", "EU"),
                                           ("ca", "CA"), ("Canada", "CA")])
def test_region_selector(choice, region):
    assert region_value(choice) == region


@pytest.mark.parametrize("escalation, expected, priority_line", [
    (None, "", False),
    ({"ticket_id": "HO-250301-ABCDE", "priority": "normal"}, "HO-250301-ABCDE", False),
    ({"ticket_id": "HO-250301-ZZ234", "priority": "urgent"}, "HO-250301-ZZ234", True),
    ({"ticket_id": "<img src=x onerror=alert(1)>", "priority": "low"}, "&lt;img src=x onerror=alert(1)&gt;", False),
])
def test_escalation_notice(escalation, expected, priority_line):
    notice = escalation_notice(escalation)
    assert expected in notice
    assert ("priority" in notice) is priority_line and "<img" not in notice


def test_chat_app_has_the_ids_a_browser_test_uses(service):
    blocks = build_chat_app(service)
    assert {"chat-input", "chat-send", "chat-human", "chat-new", "chat-region", "chat-escalation", "chat-sources",
            "feedback-up", "feedback-down", "chat-resume-code", "chat-resume"} <= element_ids(blocks)
    # A State with a callable value runs as a load event of its own: it raced the resume link's
    # load (a resumed tab kept polling a new, empty session) and a first message (whose ticket
    # the tab's follow-up then missed).
    assert not [b for b in blocks.blocks.values() if isinstance(b, gr.State) and callable(b.value)]


def test_a_tab_keeps_the_session_its_first_message_opened(service):
    """The first message of a tab without a session starts one and hands it back to the tab (the
    last output of every step); the follow-up, in that session, joins the ticket."""
    steps = list(tab_turn(lambda sid: respond(service, "my card was stolen, please help", [], sid, "UK"), None))
    sessions = {outputs[-1] for outputs in steps}
    assert len(sessions) == 1 and len(next(iter(sessions))) == 36
    history, _, banner, _, _, code, session = steps[-1]
    ticket_id = TICKET.search(banner).group(0)
    follow_up = final(list(tab_turn(lambda sid: respond(service, "it was in my bag on the bus", history, sid, "UK",
                                                        resume_code=code), session)))
    assert follow_up[-1] == session
    assert "added this to your request" in " ".join(m["content"] for m in follow_up[0][len(history):])
    assert [t["ticket_id"] for t in service.handoffs(limit=1000) if t["session_id"] == session] == [ticket_id]
    other = final(list(tab_turn(lambda sid: talk_to_human(service, [], sid, "UK"), None)))
    assert other[-1] not in (None, session)


def test_the_region_is_asked_for_only_when_the_help_centre_writes_for_regions(service, tmp_path, redactor):
    assert service.regions() == ["EU", "UK", "US"] and region_selector(service).visible is True
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "wallet.md").write_text("# Wallet\n\nBack up the seed of your wallet on paper and keep it offline.\n")
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=kb, embedding_backend="hash")
    plain = BeaconService(settings, redactor=redactor)
    sync_knowledge(kb, plain.store, plain.embedder, settings)
    assert plain.regions() == [] and region_selector(plain).visible is False


def test_one_browser_over_the_chat_rate_limit_is_asked_to_wait(service):
    """Two messages a minute allowed: the third from the same address reaches nothing and
    leaves its text in the box; another address is not affected; "talk to a human" counts too."""
    from types import SimpleNamespace

    from app.service.rate_limits import RateLimiter
    from app.ui.chat import talk_to_human

    limiter = RateLimiter(2)
    me, other = (SimpleNamespace(client=SimpleNamespace(host=h)) for h in ("203.0.113.7", "198.51.100.2"))
    session = new_session_id()
    for question in ("How do I freeze my card?", "What are the ATM fees?"):
        final(list(respond(service, question, [], session, "UK", me, limiter)))
    turns = len(service.session(session)["turns"])
    history, box, *_ = final(list(respond(service, "And in the EU?", [], session, "UK", me, limiter)))
    assert box == gr.skip() and history == []  # the typed text stays in the box
    assert final(list(talk_to_human(service, [], session, "UK", me, limiter)))[:2] == ([], gr.skip())
    assert len(service.session(session)["turns"]) == turns
    history, box, *_ = final(list(respond(service, "How do I freeze my card?", [], new_session_id(), "UK", other,
                                          limiter)))
    assert box == "" and history[-1]["role"] == "assistant" and history[-1]["content"]


def test_chat_handlers_receive_the_request_for_the_rate_limit(service):
    """Gradio passes the request only to a parameter it can see annotated as gr.Request (a
    functools.partial hides it): without it every browser would share one bucket."""
    from gradio import utils

    from app.ui.chat import build_chat_app

    handlers = {fn.fn.__name__: fn.fn for fn in build_chat_app(service).fns.values()
                if getattr(fn.fn, "__name__", None) in ("run", "run_human")}
    assert set(handlers) == {"run", "run_human"}
    for handler in handlers.values():
        assert utils.get_type_hints(handler).get("request") is gr.Request


# -- the handoff loop in the chat ---------------------------------------------------------------
HACKED = "someone hacked my account and changed my password"


def test_follow_ups_join_the_ticket_and_the_notice_keeps_its_reference_priority_and_code(service):
    session = new_session_id()
    history, _, banner, _, _, code = final(list(respond(service, HACKED, [], session, "UK")))
    ticket_id = TICKET.search(banner).group(0)
    assert "marked as a priority" in banner and code in banner
    history, _, banner2, _, _, code2 = final(list(respond(service, "what should I do right now?", history, session,
                                                          "UK", resume_code=code)))
    if banner2 != SKIPPED:  # it joined the ticket: same reference, still a priority, no new code
        assert TICKET.search(banner2).group(0) == ticket_id and "marked as a priority" in banner2
    assert code2 == SKIPPED
    history, _, banner3, _, _, _ = final(list(talk_to_human(service, history, session, "UK", resume_code=code)))
    assert TICKET.search(banner3).group(0) == ticket_id and "already has your request" in history[-1]["content"]
    assert [t["ticket_id"] for t in service.handoffs(limit=1000) if t["session_id"] == session] == [ticket_id]


def test_typed_markup_and_placeholders_are_shown_as_text(service):
    typed = "I am <PERSON_1> **not bold** <b>hi</b> & [link](http://x)"
    history = final(list(respond(service, typed, [], new_session_id(), "None")))[0]
    shown = history[0]["content"]
    assert "<" not in shown and "&lt;PERSON\\_1&gt;" in shown and "\\*\\*not bold\\*\\*" in shown
    assert "&amp;" in shown and "\\[link\\]\\(http://x\\)" in shown


def test_an_agent_reply_reaches_the_open_tab_once_and_the_notice_follows_the_ticket(service):
    session = new_session_id()
    history, _, banner, _, _, code = final(list(respond(
        service, "I was scammed, please email me at lena.ortiz@example.com", [], session, "EU")))
    ticket_id = TICKET.search(banner).group(0)
    assert poll_agent(service, session, history, banner, code) == (SKIPPED, SKIPPED)
    service.desk.assign(ticket_id, "sam")
    service.desk.send(ticket_id, "Hi, this is Sam. We have written to lena.ortiz@example.com about it.", "sam")
    updated, notice = poll_agent(service, session, history, banner, code)
    assert updated[-1]["role"] == "assistant" and "Our team has replied" in notice and code in notice
    reply = updated[-1]["content"]
    assert reply.startswith("**sam · support team**") and "lena\\.ortiz@example\\.com" in reply
    # As Gradio sends the history back: content blocks. Shown once, however often the timer ticks.
    echoed = [{**m, "content": [{"type": "text", "text": m["content"]}]} for m in updated]
    assert poll_agent(service, session, echoed, notice, code) == (SKIPPED, SKIPPED)
    assert poll_agent(service, session, history, banner, None) == (SKIPPED, SKIPPED)  # no handoff: no lookup


def test_a_closed_tab_comes_back_with_its_resume_code_and_sees_the_reply_masked(service):
    session = new_session_id()
    _, _, banner, _, _, code = final(list(respond(
        service, "my card was stolen, call me on +44 7911 123456", [], session, "UK")))
    ticket_id = TICKET.search(banner).group(0)
    service.desk.send(ticket_id, "We've frozen the card and will call +44 7911 123456 in an hour.", "kim")
    (resumed_session, history, notice, sources, turn_id, status, kept_code, resumed,
     message) = resume_conversation(service, code.lower().replace("-", " "))
    assert resumed_session == session and kept_code == code and resumed is True
    assert message.startswith("Welcome back") and ticket_id in notice and code in notice
    texts = [m["content"] for m in history]
    assert "7911" not in " ".join(texts) and "\\[your phone number\\]" in texts[0]
    assert texts[-1].startswith("**kim · support team**")
    # The resumed tab keeps polling masked, and finds nothing new.
    assert poll_agent(service, session, history, notice, kept_code, resumed=True)[0] == SKIPPED


@pytest.mark.parametrize("code, expected", [
    ("", ""), ("ABCD-EFGH-JKLM-NPQR", "doesn't match a conversation"), ("<script>", "doesn't match"),
])
def test_a_wrong_resume_code_changes_nothing_and_says_why(service, code, expected):
    *outputs, message = resume_conversation(service, code)
    assert outputs == [SKIPPED] * 8 and expected in message


def test_the_bin_icon_starts_a_new_conversation(service):
    blocks = build_chat_app(service)
    clear = [d for d in blocks.config["dependencies"] if any(t[1] == "clear" for t in d["targets"])]
    assert clear and all(blocks.fns[d["id"]].fn is new_conversation for d in clear)
