"""The customer chat at ``/``: a streamed, cited, guarded conversation with Beacon.

The callbacks are plain functions of (service, inputs) so tests call them directly; the
Blocks wiring at the bottom only binds them to components. Each browser tab gets its own
session id from ``gr.State(new_session_id)``, which Gradio calls once per page load.
"""

from __future__ import annotations

import functools
import hashlib
import html
import logging
import math
import textwrap
import uuid
from typing import Iterator

import gradio as gr

from app.core.errors import BeaconError
from app.service.beacon_service import ChatRequest
from app.service.rate_limits import DailyQuota, Limits, RateLimiter

log = logging.getLogger(__name__)

HUMAN_MESSAGE = "I'd like to talk to a human, please"
REGIONS = ("None", "EU", "UK", "US")
SOURCES_TITLE = "Sources"
UNEXPECTED = "Sorry, something went wrong on our side. Please try again in a moment."
NO_SOURCES = "_Sources for the latest answer appear here._"
EXCERPT_CHARS = 220


def new_session_id() -> str:
    return str(uuid.uuid4())


def region_value(choice: str | None) -> str | None:
    """The selector's "None" means no customer context, not a region called None."""
    return None if not choice or choice == "None" else choice


# -- rendering --------------------------------------------------------------------------

def citation_lines(citations: list[dict]) -> str:
    """One Markdown entry per source: number, title › section, a short excerpt, the file."""
    lines = []
    for c in citations:
        heading = " › ".join(part for part in (c.get("title"), c.get("section")) if part) or c.get("source", "")
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


def escalation_notice(escalation: dict | None) -> str:
    """The banner (HTML) a customer sees when Beacon hands over: the reference and what happens next."""
    if not escalation:
        return ""
    urgent = escalation.get("priority") in ("urgent", "high")
    body = (f"<strong style=\"font-size: 1.1em;\">Handed to our team — reference "
            f"{html.escape(str(escalation.get('ticket_id', '')))}</strong><br>"
            "A member of our support team will pick this up and reply in this conversation. They can see what "
            "you've told me, so you won't need to repeat yourself. Keep this reference if you contact us another way."
            + ("<br><strong>This has been marked as a priority.</strong>" if urgent else ""))
    return _BANNER.format(body=body)


# -- callbacks --------------------------------------------------------------------------

def respond(service, message: str, history: list | None, session_id: str | None,
            region: str | None, request: gr.Request = None, limiter=None) -> Iterator[tuple]:
    """Stream one turn. Yields (history, input box, escalation banner, sources panel, last turn id);
    ``gr.skip()`` leaves an output as it was. Each yield carries its own copy of the history, so
    what was shown stays as it was shown. With a ``limiter``, a browser that sends faster than
    BEACON_CHAT_RATE_LIMIT_PER_MINUTE (or BEACON_CHAT_DAILY_LIMIT in a day) gets a wait message and
    nothing reaches the service."""
    history = [dict(message) for message in history or []]
    if not (message or "").strip():
        yield history, "", gr.skip(), gr.skip(), gr.skip()
        return
    wait = limiter.acquire(client_key(request)) if limiter is not None else None
    if wait is not None:  # the typed text stays in the box, to send again
        yield history, gr.skip(), gr.skip(), gr.skip(), gr.skip()
        if wait > 60:  # only the daily quota waits longer than the per-minute bucket refills
            gr.Warning("You've sent as many messages as we can take from you today. Please come back tomorrow, "
                       "or contact us another way if it is urgent.")
        else:
            gr.Warning(f"You're sending messages faster than we can answer them. Please wait {math.ceil(wait)} "
                       "seconds and send it again.")
        return

    def shown() -> list[dict]:
        return [*history[:-1], dict(history[-1])]

    session_id = session_id or new_session_id()
    history.append({"role": "user", "content": message})
    reply = {"role": "assistant", "content": ""}
    history.append(reply)
    yield shown(), "", gr.skip(), gr.skip(), gr.skip()
    request = ChatRequest(session_id=session_id, message=message, region=region_value(region), channel="ui")
    try:
        for event in service.stream(request):
            if event["event"] == "delta":
                reply["content"] += event["data"]["text"]
                yield shown(), "", gr.skip(), gr.skip(), gr.skip()
            elif event["event"] == "answer":
                answer = event["data"]
                reply["content"] = answer["answer"]
                extra = sources_message(answer.get("citations") or [])
                if extra:
                    history.append(extra)
                banner = escalation_notice(answer.get("escalation"))
                yield (history, "", banner if banner else gr.skip(), sources_panel(answer.get("citations") or []),
                       answer.get("turn_id"))
    except BeaconError as exc:  # a user-facing message, e.g. an empty or refused question
        reply["content"] = str(exc)
        yield history, "", gr.skip(), gr.skip(), gr.skip()
    except Exception:  # the customer sees an apology, never a traceback; the log keeps the detail
        log.exception("chat turn failed for session %s", session_id)
        reply["content"] = UNEXPECTED
        yield history, "", gr.skip(), gr.skip(), gr.skip()


def talk_to_human(service, history, session_id, region, request: gr.Request = None, limiter=None) -> Iterator[tuple]:
    """The same chain as a typed message, so the escalation rules (and the rate limit) stay in one place."""
    yield from respond(service, HUMAN_MESSAGE, history, session_id, region, request, limiter)


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
    """(session id, history, input box, banner, sources panel, last turn id, feedback status)."""
    return new_session_id(), [], "", "", NO_SOURCES, None, ""


# -- layout -----------------------------------------------------------------------------

def build_chat_app(service) -> gr.Blocks:
    max_chars = getattr(service.settings, "max_question_chars", None)
    with gr.Blocks(title="Lodestar support", analytics_enabled=False) as blocks:
        session_id = gr.State(new_session_id)
        last_turn = gr.State(None)
        gr.Markdown("## Lodestar support\nAsk about your account, cards, transfers or crypto. "
                    "Never share your password, card PIN or recovery phrase here.")
        with gr.Row():
            region = gr.Radio(list(REGIONS), value="None", label="Your region", elem_id="chat-region", scale=3)
            new = gr.Button("New conversation", elem_id="chat-new", scale=1)
        banner = gr.HTML("", elem_id="chat-escalation", js_on_load=None)
        chatbot = gr.Chatbot(label="Beacon", elem_id="chat-history", height=480, feedback_options=None)
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

        turn_outputs = [chatbot, text, banner, sources, last_turn]
        chat_inputs = [text, chatbot, session_id, region]
        # One bucket per browser address: the chat is open, so this is what keeps one client from
        # flooding the service (and the agents' queue, through "talk to a human").
        limiter = Limits(RateLimiter(service.settings.chat_rate_limit_per_minute),
                         DailyQuota(service.settings.chat_daily_limit))
        # Gradio runs one call of an event at a time unless told otherwise: turns of different
        # customers share this many workers, so one slow turn never holds up everyone.
        turns = {"concurrency_limit": service.settings.chat_concurrency, "concurrency_id": "chat-turn"}

        # Plain functions, not partials: Gradio hands over the request (the browser's address)
        # only to a parameter it can see annotated as gr.Request.
        def run(message, history, session, chosen_region, request: gr.Request):
            yield from respond(service, message, history, session, chosen_region, request, limiter)

        def run_human(history, session, chosen_region, request: gr.Request):
            yield from talk_to_human(service, history, session, chosen_region, request, limiter)

        text.submit(run, chat_inputs, turn_outputs, **turns)
        send.click(run, chat_inputs, turn_outputs, **turns)
        human.click(run_human, [chatbot, session_id, region], turn_outputs, **turns)
        up.click(functools.partial(send_feedback, service, "up"), [session_id, last_turn, comment],
                 [status, comment])
        down.click(functools.partial(send_feedback, service, "down"), [session_id, last_turn, comment],
                   [status, comment])
        new.click(new_conversation, None, [session_id, chatbot, text, banner, sources, last_turn, status])
    return blocks
