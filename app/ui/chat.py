"""The customer chat at ``/``: a streamed, cited, guarded conversation with Beacon, and the
person it hands over to.

The callbacks are plain functions of (service, inputs) so tests call them directly; the
Blocks wiring at the bottom only binds them to components. A browser tab's session id is
set by its first message (``tab_turn``) or by the conversation it resumes, and never by a load
event of its own, which would race the resume link's load and the first message; the bin icon
of the conversation and "New conversation" both start a new one.

After a handoff the chat looks for the agent's replies every few seconds (a ``gr.Timer``) and
shows them in the conversation; the notice above it follows the ticket (waiting, with an
agent, replied, resolved) and carries a resume code, so a customer who closed the tab can come
back to the reply (``/#resume=CODE``, or the code typed into "Resume a conversation"). A
resumed conversation shows the customer's details as words ("[your e-mail address]"): a code
passed on by mistake does not pass them on.

Everything a person typed (the customer, an agent) is shown as text, never as Markdown or HTML.
"""

from __future__ import annotations

import functools
import hashlib
import html
import logging
import math
import textwrap
import uuid
from collections.abc import Callable, Iterator

import gradio as gr

from app.core.company import Company
from app.core.errors import BeaconError
from app.core.markdown_links import markdown_link
from app.core.regions import customer_region, region_name
from app.service.beacon_service import ChatRequest
from app.service.rate_limits import Limits, daily_quota, rate_limiter
from app.ui.safe_text import html_text, markdown_text

log = logging.getLogger(__name__)

HUMAN_MESSAGE = "I'd like to talk to a human, please"
NO_REGION = "None"
SOURCES_TITLE = "Sources"
UNEXPECTED = "Sorry, something went wrong on our side. Please try again in a moment."
NO_SOURCES = "_Sources for the latest answer appear here._"
EXCERPT_CHARS = 220
POLL_SECONDS = 3.0  # how often a tab with a handoff looks for the agent's reply
RESUME_FROM_LINK = """(code) => {
  const found = window.location.hash.match(/resume=([A-Za-z0-9-]{16,24})/);
  return found ? found[1] : "";
}"""


def new_session_id() -> str:
    return str(uuid.uuid4())


def region_value(choice: str | None) -> str | None:
    """The selector's "None" means no customer context, not a region called None. A region an editor
    types in the Knowledge tab is read as a channel's ("ca" is CA); ``RegionError`` names a bad one."""
    return None if not choice or choice == NO_REGION else customer_region(choice)


def region_choices(service) -> list[tuple[str, str]] | None:
    """(label, value) of "None" and of each region the knowledge base has documents of its own for
    (front matter ``region``; "Canada" for CA), or None when they cannot be read (the caller keeps
    what it shows)."""
    try:
        return [(NO_REGION, NO_REGION), *((region_name(r), r) for r in service.regions())]
    except Exception:  # the selector is a convenience: it must not fail the page
        log.exception("reading the knowledge base's regions failed")
        return None


# -- rendering --------------------------------------------------------------------------

def citation_lines(citations: list[dict]) -> str:
    """One Markdown entry per source: number, title › section (a link to the article's public page
    when it has one), a short excerpt, the file."""
    lines = []
    for c in citations:
        heading = " › ".join(part for part in (c.get("title"), c.get("section")) if part) or c.get("source", "")
        if c.get("url"):
            heading = markdown_link(heading, c["url"])
        excerpt = textwrap.shorten(" ".join(str(c.get("text") or "").split()), EXCERPT_CHARS, placeholder=" …")
        line = f"**[{c.get('number', '?')}] {heading}**"
        if excerpt:
            line += f"  \n{excerpt}"
        lines.append(f"{line}  \n— `{c.get('source', '')}`")
    return "\n\n".join(lines)


def sources_message(citations: list[dict]) -> dict | None:
    """A collapsed "thought" message under the reply: sources stay in the history without
    crowding the answer (``status: done`` makes Gradio start the accordion closed)."""
    if not citations:
        return None
    return {"role": "assistant", "content": citation_lines(citations),
            "metadata": {"title": f"{SOURCES_TITLE} ({len(citations)})", "status": "done"}}


def sources_panel(citations: list[dict]) -> str:
    return citation_lines(citations) if citations else "_No sources were used for the latest answer._"


# Inline styles: the banner must stand out without CSS passed at mount time.
_BANNER = ('<div role="alert" style="border-left: 5px solid #b45309; background: #fff7e6; color: #3b2600; '
           'padding: 0.75em 1em; border-radius: 6px; margin: 0.25em 0;">{body}</div>')


_HEADLINES = {
    "waiting": ("Handed to our team — reference {ref}",
                "A member of our support team will pick this up and reply in this conversation. They can see what "
                "you've told me, so you won't need to repeat yourself. Keep this reference if you contact us another "
                "way."),
    "assigned": ("A member of our team has your request — reference {ref}",
                 "They will reply in this conversation; anything you write now goes straight to them."),
    "answered": ("Our team has replied — reference {ref}",
                 "Their reply is in the conversation below. Write here to answer them."),
    "resolved": ("Your request {ref} is resolved",
                 "If you need more help, ask me, or talk to a human again."),
}


def escalation_notice(escalation: dict | None, resume_code: str | None = None) -> str:
    """The banner (HTML) a customer sees when Beacon hands over, and while the ticket lives: the
    reference, where the request is, what happens next, and the resume code."""
    if not escalation:
        return ""
    state = escalation.get("state") or "waiting"
    title, body = _HEADLINES.get(state, _HEADLINES["waiting"])
    urgent = escalation.get("priority") in ("urgent", "high") and state != "resolved"
    reference = html.escape(str(escalation.get("ticket_id", "")))
    parts = [f"<strong style=\"font-size: 1.1em;\">{title.format(ref=reference)}</strong>", body]
    if urgent:
        parts.append("<strong>This has been marked as a priority.</strong>")
    if resume_code:
        code = html.escape(resume_code)
        parts.append(f"Closing this page? Come back to this conversation with your resume code "
                     f"<code id=\"chat-resume-value\">{code}</code> (<a href=\"./#resume={code}\" target=\"_blank\" "
                     f"rel=\"noopener\">resume link</a>). Keep it to yourself, like a password.")
    return _BANNER.format(body="<br>".join(parts))


def message_text(message: dict) -> str:
    """A chat message's text, whether Gradio sent it back as a string or as content blocks."""
    content = message.get("content")
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) if isinstance(part, dict) else str(part) for part in content)
    return "" if content is None else str(content)


def agent_message(message: dict, team: str = Company().team) -> dict:
    """An agent's reply as a chat message: who wrote it and their team ("Acme support team"),
    then their text, as text."""
    return {"role": "assistant",
            "content": f"**{markdown_text(message.get('by') or 'Support')} · {markdown_text(team)}**\n\n"
                       f"{markdown_text(message.get('text'))}"}


def _team(service) -> str:
    return Company.from_settings(service.settings).team


def user_message(text: str) -> dict:
    return {"role": "user", "content": markdown_text(text)}


# -- callbacks --------------------------------------------------------------------------

def respond(service, message: str, history: list | None, session_id: str,
            region: str | None, request: gr.Request = None, limiter=None,
            resume_code: str | None = None) -> Iterator[tuple]:
    """Stream one turn. Yields (history, input box, escalation banner, sources panel, last turn id,
    resume code); ``gr.skip()`` leaves an output as it was. Each yield carries its own copy of the
    history, so what was shown stays as it was shown. With a ``limiter``, a browser that sends
    faster than BEACON_CHAT_RATE_LIMIT_PER_MINUTE (or BEACON_CHAT_DAILY_LIMIT in a day) gets a
    wait message and nothing reaches the service. The first handoff of the tab gets a resume code."""
    skip = gr.skip()
    history = [dict(message) for message in history or []]
    if not (message or "").strip():
        yield history, "", skip, skip, skip, skip
        return
    wait = limiter.acquire(client_key(request)) if limiter is not None else None
    if wait is not None:  # the typed text stays in the box, to send again
        yield history, skip, skip, skip, skip, skip
        if wait > 60:  # only the daily quota waits longer than the per-minute bucket refills
            gr.Warning("You've sent as many messages as we can take from you today. Please come back tomorrow, "
                       "or contact us another way if it is urgent.")
        else:
            gr.Warning(f"You're sending messages faster than we can answer them. Please wait {math.ceil(wait)} "
                       "seconds and send it again.")
        return

    def shown() -> list[dict]:
        return [*history[:-1], dict(history[-1])]

    history.append(user_message(message))
    reply = {"role": "assistant", "content": ""}
    history.append(reply)
    yield shown(), "", skip, skip, skip, skip
    request = ChatRequest(session_id=session_id, message=message, region=region_value(region), channel="ui")
    try:
        for event in service.stream(request):
            if event["event"] == "delta":
                reply["content"] += event["data"]["text"]
                yield shown(), "", skip, skip, skip, skip
            elif event["event"] == "answer":
                answer = event["data"]
                reply["content"] = answer["answer"]
                extra = sources_message(answer.get("citations") or [])
                if extra:
                    history.append(extra)
                code, banner = resume_code, skip
                if answer.get("escalation"):
                    code = resume_code or service.desk.issue_resume_code(session_id)
                    banner = escalation_notice({**answer["escalation"], **(answer.get("handoff") or {})}, code)
                yield (history, "", banner, sources_panel(answer.get("citations") or []), answer.get("turn_id"),
                       code if code != resume_code else skip)
    except BeaconError as exc:  # a user-facing message, e.g. an empty or refused question
        reply["content"] = str(exc)
        yield history, "", skip, skip, skip, skip
    except Exception:  # the customer sees an apology, never a traceback; the log keeps the detail
        log.exception("chat turn failed for session %s", session_id)
        reply["content"] = UNEXPECTED
        yield history, "", skip, skip, skip, skip


def talk_to_human(service, history, session_id, region, request: gr.Request = None, limiter=None,
                  resume_code: str | None = None) -> Iterator[tuple]:
    """The same chain as a typed message, so the escalation rules (and the rate limit) stay in one
    place: with a ticket already open, Beacon says the team has it and no second ticket is opened."""
    yield from respond(service, HUMAN_MESSAGE, history, session_id, region, request, limiter, resume_code)


def tab_turn(turn: Callable[[str], Iterator[tuple]], session_id: str | None) -> Iterator[tuple]:
    """A turn as a tab runs it: ``turn(session_id)`` (``respond`` or ``talk_to_human``) in the tab's
    session, or in a new one when the tab has none yet, with that session id added as the last
    output, so the tab's next message is in the same conversation."""
    session_id = session_id or new_session_id()
    for outputs in turn(session_id):
        yield (*outputs, session_id)


def poll_agent(service, session_id: str | None, history: list | None, banner: str | None,
               resume_code: str | None, resumed: bool = False) -> tuple:
    """The timer's tick: the agents' replies not shown yet, appended; the notice, when the ticket
    moved. Returns (history, banner), each ``gr.skip()`` when nothing changed. A tab that never
    handed over (no resume code) asks the service nothing."""
    skip = gr.skip()
    if not session_id or not resume_code:
        return skip, skip
    try:
        messages = service.desk.messages_for_customer(session_id, masked=resumed)
        handoff = service.desk.handoff_state(session_id)
    except Exception:  # a missed tick is retried by the next one
        log.exception("looking for agent replies failed for session %s", session_id)
        return skip, skip
    history = [dict(m) for m in history or []]
    present = {message_text(m) for m in history}
    team = _team(service)
    fresh = [shown for shown in (agent_message(m, team) for m in messages) if shown["content"] not in present]
    notice = escalation_notice(handoff, resume_code) if handoff else ""
    return (history + fresh if fresh else skip), (notice if notice and notice != (banner or "") else skip)


def resume_conversation(service, code: str | None, request: gr.Request = None, limiter=None) -> tuple:
    """A conversation back from its resume code. Returns (session id, history, banner, sources,
    last turn id, feedback status, resume code, resumed, message), each ``gr.skip()`` but the
    message when the code does not match (the message says why)."""
    skip = gr.skip()
    keep = (skip,) * 8
    code = (code or "").strip()
    if not code:
        return (*keep, "")
    wait = limiter.acquire(client_key(request)) if limiter is not None else None
    if wait is not None:
        return (*keep, f"Too many attempts from your address: please wait {math.ceil(wait)} seconds.")
    try:
        found = service.desk.resume(code)
    except BeaconError as exc:
        return (*keep, str(exc))
    history = []
    team = _team(service)
    for entry in found["history"]:
        if entry["role"] == "customer":
            history.append(user_message(entry["text"]))
        elif entry["role"] == "agent":
            history.append(agent_message(entry, team))
        else:
            history.append({"role": "assistant", "content": entry["text"]})
    code = found["resume_code"]
    banner = escalation_notice(found["handoff"], code) if found["handoff"] else ""
    return (found["session_id"], history, banner, NO_SOURCES, None, "", code, True,
            "Welcome back: here is your conversation. Your details show as words like [your e-mail address] "
            "to keep them private.")


def client_key(request) -> str:
    """The browser's address, hashed (kept in memory only, for the rate limit). Behind a
    proxy, uvicorn takes it from X-Forwarded-For when the proxy is in FORWARDED_ALLOW_IPS."""
    host = getattr(getattr(request, "client", None), "host", None) or "unknown"
    return hashlib.sha256(host.encode()).hexdigest()[:16]


def send_feedback(service, rating: str, session_id: str | None, turn_id: int | None, comment: str | None) -> tuple:
    """Record helpful / not helpful for the last answer. Returns (status text, comment box value)."""
    if not session_id or turn_id is None:
        return "Ask a question first, then tell us whether the answer helped.", comment
    try:
        service.feedback(session_id, rating, (comment or "").strip() or None, turn_id)
    except (BeaconError, ValueError) as exc:
        return f"Sorry, we couldn't save that feedback: {exc}", comment
    thanks = "Thanks, glad it helped!" if rating == "up" else "Thanks for telling us, we'll use this to improve."
    return thanks, ""


def new_conversation() -> tuple:
    """(session id, history, input box, banner, sources panel, last turn id, feedback status,
    resume code, resumed): a fresh conversation, as "New conversation" and the bin icon start."""
    return new_session_id(), [], "", "", NO_SOURCES, None, "", None, False


# -- layout -----------------------------------------------------------------------------

def region_selector(service) -> gr.Radio:
    """The region selector, shown on a page's load when the knowledge base has documents for some
    region of their own: on a help centre without any, a customer's region would change nothing."""
    choices = region_choices(service)
    if choices is None:
        return gr.Radio()
    return gr.Radio(choices=choices, value=NO_REGION, visible=len(choices) > 1)


def build_chat_app(service) -> gr.Blocks:
    max_chars = getattr(service.settings, "max_question_chars", None)
    company = Company.from_settings(service.settings)
    with gr.Blocks(title=company.page_title, analytics_enabled=False) as blocks:
        session_id = gr.State(None)  # set by the first message (tab_turn) or a resumed conversation
        last_turn = gr.State(None)
        resume_code = gr.State(None)  # issued at the tab's first handoff
        resumed = gr.State(False)  # a conversation brought back by its code: details shown as words
        gr.Markdown(f"## {markdown_text(company.page_title)}\nAsk a question about "
                    f"{markdown_text(company.account)} or how something works. Never share your password, PIN or "
                    "recovery phrase here.")
        with gr.Row():
            shown = region_choices(service) or [(NO_REGION, NO_REGION)]
            region = gr.Radio(shown, value=NO_REGION, label="Your region", elem_id="chat-region", scale=3,
                              visible=len(shown) > 1)
            new = gr.Button("New conversation", elem_id="chat-new", scale=1)
        banner = gr.HTML("", elem_id="chat-escalation", js_on_load=None)
        # Custom tags are not let through: a placeholder like <PERSON_1> is text, not an element.
        chatbot = gr.Chatbot(label="Beacon", elem_id="chat-history", height=480, feedback_options=None,
                             allow_tags=False, sanitize_html=True, group_consecutive_messages=False)
        with gr.Row():
            text = gr.Textbox(placeholder="Type your question…", show_label=False, elem_id="chat-input", scale=6,
                              max_length=max_chars, autofocus=True)
            send = gr.Button("Send", variant="primary", elem_id="chat-send", scale=1)
            human = gr.Button("Talk to a human", elem_id="chat-human", scale=1)
        with gr.Accordion("Sources of the latest answer", open=True):
            sources = gr.Markdown(NO_SOURCES, elem_id="chat-sources")
        with gr.Row():
            comment = gr.Textbox(placeholder="Optional: tell us more about this answer", show_label=False,
                                 elem_id="feedback-comment", scale=6)
            up = gr.Button("Helpful", elem_id="feedback-up", scale=1, min_width=80)
            down = gr.Button("Not helpful", elem_id="feedback-down", scale=1, min_width=80)
        status = gr.Markdown("", elem_id="feedback-status")
        with gr.Accordion("Resume a conversation", open=False, elem_id="chat-resume-panel"):
            with gr.Row():
                code_box = gr.Textbox(placeholder="Your resume code, e.g. ABCD-EFGH-JKLM-NPQR", show_label=False,
                                      elem_id="chat-resume-code", scale=5, max_length=40)
                resume = gr.Button("Resume", elem_id="chat-resume", scale=1)
            resume_status = gr.Markdown("", elem_id="chat-resume-status")
        link_code = gr.Textbox(visible=False)  # filled from the page's #resume=CODE on load
        poll = gr.Timer(POLL_SECONDS)

        turn_outputs = [chatbot, text, banner, sources, last_turn, resume_code, session_id]
        chat_inputs = [text, chatbot, session_id, region, resume_code]
        resume_outputs = [session_id, chatbot, banner, sources, last_turn, status, resume_code, resumed,
                          resume_status]
        # One bucket per browser address: the chat is open, so this is what keeps one client from
        # flooding the service (and the agents' queue, through "talk to a human"), or guessing codes.
        limiter = Limits(rate_limiter(service.settings, "chat", service.settings.chat_rate_limit_per_minute),
                         daily_quota(service.settings, "chat-day", service.settings.chat_daily_limit))
        # Gradio runs one call of an event at a time unless told otherwise: turns of different
        # customers share this many workers, so one slow turn never holds up everyone.
        turns = {"concurrency_limit": service.settings.chat_concurrency, "concurrency_id": "chat-turn"}

        # Plain functions, not partials: Gradio hands over the request (the browser's address)
        # only to a parameter it can see annotated as gr.Request.
        def run(message, history, session, chosen_region, code, request: gr.Request):
            yield from tab_turn(lambda sid: respond(service, message, history, sid, chosen_region, request, limiter,
                                                    code), session)

        def run_human(history, session, chosen_region, code, request: gr.Request):
            yield from tab_turn(lambda sid: talk_to_human(service, history, sid, chosen_region, request, limiter,
                                                          code), session)

        def run_resume(code, request: gr.Request):
            return resume_conversation(service, code, request, limiter)

        text.submit(run, chat_inputs, turn_outputs, **turns)
        send.click(run, chat_inputs, turn_outputs, **turns)
        human.click(run_human, [chatbot, session_id, region, resume_code], turn_outputs, **turns)
        up.click(functools.partial(send_feedback, service, "up"), [session_id, last_turn, comment],
                 [status, comment])
        down.click(functools.partial(send_feedback, service, "down"), [session_id, last_turn, comment],
                   [status, comment])
        fresh = [session_id, chatbot, text, banner, sources, last_turn, status, resume_code, resumed]
        new.click(new_conversation, None, fresh)
        # The bin icon empties the screen: it must also forget the conversation, or the next
        # question would be read as a follow-up of the old topic.
        chatbot.clear(new_conversation, None, fresh)
        resume.click(run_resume, code_box, resume_outputs)
        code_box.submit(run_resume, code_box, resume_outputs)
        blocks.load(run_resume, link_code, resume_outputs, js=RESUME_FROM_LINK)
        blocks.load(functools.partial(region_selector, service), None, region, show_progress="hidden")
        poll.tick(functools.partial(poll_agent, service), [session_id, chatbot, banner, resume_code, resumed],
                  [chatbot, banner], show_progress="hidden", concurrency_limit=8, concurrency_id="chat-poll")
    return blocks
