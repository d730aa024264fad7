"""The staff Escalations tab: the agents' desk.

The queue (urgent first) with its age against the pick-up target ("12 min, urgent"), state,
agent and readable labels, refreshed every few seconds with an alert for new urgent tickets;
one ticket's detail (summary, redacted transcript with the agent's replies, sources, customer
context, related tickets of the conversation, who did what when); Assign to me, a reply box,
reveal of one kept value under audit, Resolve / Reopen with a note; and the reveal audit log.

Who acts is the staff login Gradio signed in (``request.username``). Every piece of customer
or agent text is HTML-escaped: a placeholder such as ``<PERSON_1>`` shows as itself.
"""

from __future__ import annotations

import logging
import textwrap
from datetime import datetime

import gradio as gr
import pandas as pd

from app.core.clock import utc_now
from app.core.errors import BeaconError
from app.ui.safe_text import html_text, markdown_text

log = logging.getLogger(__name__)

ANY = "any"
STATUS_CHOICES = (ANY, "open", "resolved")
QUEUE_COLUMNS = ["ticket_id", "age", "state", "assigned_to", "priority", "category", "reason", "summary", "related"]
AUDIT_COLUMNS = ["at", "revealed_by", "ticket_id", "placeholder", "entity_type", "assigned_to"]
NO_TICKET = "<p><em>Select a ticket in the queue, or type its id, to see it here.</em></p>"
REFRESH_SECONDS = 10.0
URGENT = ("urgent", "high")
_ROLE = {"customer": "Customer", "beacon": "Beacon", "agent": "Agent"}


def _filter(value: str | None) -> str | None:
    return None if not value or value == ANY else value


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def duration(minutes: float) -> str:
    """``12 min``, ``3 h 5 min``, ``2 d 4 h``."""
    minutes = max(0, int(minutes))
    if minutes < 1:
        return "<1 min"
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 24 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours} h" + (f" {rest} min" if rest else "")
    days, rest = divmod(minutes, 24 * 60)
    return f"{days} d" + (f" {rest // 60} h" if rest // 60 else "")


def age_label(ticket: dict, sla_minutes: dict[str, int], now: datetime | None = None) -> str:
    """How long the ticket has existed and whether it was picked up in time: "12 min, urgent",
    "47 min, urgent: over the 15 min target", "resolved after 2 h"."""
    now = now or utc_now()
    created = _time(ticket.get("created_at")) or now
    if ticket.get("state") == "resolved":
        resolved = _time(ticket.get("resolved_at")) or now
        return f"resolved after {duration((resolved - created).total_seconds() / 60)}"
    minutes = (now - created).total_seconds() / 60
    label = f"{duration(minutes)}, {ticket.get('priority')}"
    if over_target(ticket, sla_minutes, now):
        label += f": over the {duration(sla_minutes[ticket['priority']])} target"
    return label


def over_target(ticket: dict, sla_minutes: dict[str, int], now: datetime | None = None) -> bool:
    """Still waiting for an agent past its priority's pick-up target (BEACON_HANDOFF_SLA_MINUTES)."""
    target = sla_minutes.get(ticket.get("priority") or "")
    created = _time(ticket.get("created_at"))
    if ticket.get("state") != "waiting" or not target or created is None:
        return False
    return ((now or utc_now()) - created).total_seconds() / 60 > target


def queue_table(service, status: str | None = "open", priority: str | None = ANY,
                category: str | None = ANY) -> pd.DataFrame:
    tickets = service.handoffs(status=_filter(status), priority=_filter(priority), category=_filter(category),
                               limit=500)
    labels = service.labels()
    sla = service.settings.handoff_sla_minutes
    now = utc_now()
    rows = [{"ticket_id": t["ticket_id"], "age": age_label(t, sla, now), "state": t.get("state"),
             "assigned_to": t.get("assigned_to") or "—", "priority": t.get("priority"),
             "category": labels["category"](t.get("category") or ""),
             "reason": "; ".join(labels["reasons"](t.get("reasons") or [], t.get("category"))) or "—",
             "summary": textwrap.shorten(" ".join(str(t.get("summary") or "").split()), 140, placeholder=" …"),
             "related": ", ".join(r["ticket_id"] for r in t.get("related_tickets") or []) or "—"}
            for t in tickets]
    return pd.DataFrame(rows, columns=QUEUE_COLUMNS)


def urgent_alert(service, known: list[str] | None) -> tuple[str, list[str]]:
    """(alert HTML, the open tickets now known). Urgent or high tickets still waiting that were
    not in the queue at the last look are announced; the first look announces nothing new but
    still lists what is waiting over its target."""
    tickets = service.handoffs(status="open", limit=1000)
    ids = [t["ticket_id"] for t in tickets]
    sla = service.settings.handoff_sla_minutes
    now = utc_now()
    fresh = [t for t in tickets if known is not None and t["ticket_id"] not in known
             and t.get("priority") in URGENT and t.get("state") == "waiting"]
    late = [t for t in tickets if over_target(t, sla, now)]
    if not fresh and not late:
        return "", ids
    labels = service.labels()
    lines = [f"<strong>New {html_text(t['priority'])} ticket {html_text(t['ticket_id'])}</strong>: "
             f"{html_text(labels['category'](t.get('category') or ''))}" for t in fresh]
    lines += [f"{html_text(t['ticket_id'])} is waiting: {html_text(age_label(t, sla, now))}" for t in late[:5]]
    if fresh:
        gr.Warning(f"New urgent ticket: {', '.join(t['ticket_id'] for t in fresh)}")
    style = ("border-left: 5px solid #b91c1c; background: #fef2f2; color: #450a0a; padding: 0.6em 1em; "
             "border-radius: 6px;")
    return f'<div role="alert" id="esc-alert-body" style="{style}">{"<br>".join(lines)}</div>', ids


# -- one ticket ------------------------------------------------------------------------------
def _row(label: str, value: str) -> str:
    return f"<tr><th style=\"text-align:left; padding-right:1em;\">{label}</th><td>{value}</td></tr>"


def _public_page(url: str | None) -> str:
    """A link to a source's page on the public help centre, for the agent to open or paste."""
    if not url or not url.startswith(("http://", "https://")):
        return ""
    href = html_text(url, line_breaks=False)
    return f' · <a href="{href}" target="_blank" rel="noopener noreferrer">public page</a>'


def ticket_html(ticket: dict, labels: dict, sla_minutes: dict[str, int], reveals: list[dict] | None = None) -> str:
    """The ticket for an agent, every piece of text escaped."""
    e = html_text
    times = [f"opened {e(ticket['created_at'])}"]
    for key, word in (("assigned_at", "assigned"), ("answered_at", "answered"), ("resolved_at", "resolved"),
                      ("reopened_at", "reopened")):
        if ticket.get(key):
            times.append(f"{word} {e(ticket[key])}" + (f" by {e(ticket['resolved_by'])}" if key == "resolved_at"
                                                       and ticket.get("resolved_by") else ""))
    reasons = labels["reasons"](ticket.get("reasons") or [], ticket.get("category"))
    related = ", ".join(f"{e(r['ticket_id'])} ({e(r['state'])}, {e(r['priority'])})"
                        for r in ticket.get("related_tickets") or []) or "none"
    parts = [f"<h3 id=\"esc-detail-title\">{e(ticket['ticket_id'])} — {e(ticket.get('state'))}</h3>",
             "<table>",
             _row("Priority", f"{e(ticket['priority'])} · {e(age_label(ticket, sla_minutes))}"),
             _row("Category", e(labels["category"](ticket.get("category") or ""))),
             _row("Why", e("; ".join(reasons)) if reasons else "—"),
             _row("Assigned to", e(ticket.get("assigned_to") or "nobody yet")),
             _row("Times", ", ".join(times)),
             _row("Other tickets of this conversation", related),
             _row("Session", f"<code>{e(ticket['session_id'])}</code>"),
             "</table>",
             "<h4>Summary</h4>", f"<p class=\"esc-summary\">{e(ticket.get('summary') or '—')}</p>",
             "<h4>Conversation (redacted)</h4>", "<ul class=\"esc-transcript\">"]
    for entry in ticket.get("transcript") or []:
        who = _ROLE.get(entry.get("role"), "Beacon")
        if entry.get("role") == "agent":
            who = f"Agent {entry.get('by') or ''}".strip()
        elif entry.get("follow_up") and entry.get("role") == "customer":
            who = "Customer (after the handoff)"
        parts.append(f"<li><strong>{e(who)}</strong> <small>({e(entry.get('at', ''))})</small>: "
                     f"{e(entry.get('text'))}</li>")
    parts.append("</ul><h4>Sources retrieved</h4><ul>")
    sources = ticket.get("sources") or []
    parts += [f"<li>{e(s.get('title'))} › {e(s.get('section'))} — <code>{e(s.get('source'))}</code> "
              f"(score {e(s.get('score'))}){_public_page(s.get('url'))}</li>" for s in sources] or ["<li>none</li>"]
    context = ticket.get("customer_context") or {}
    shown = ", ".join(f"{e(k)}: {e(v)}" for k, v in context.items() if v) or "none sent"
    parts += ["</ul>", "<h4>Customer context</h4>", f"<p>{shown}</p>"]
    if ticket.get("notes"):
        parts.append("<h4>Notes</h4><ul>")
        parts += [f"<li>{e(n.get('at'))} → {e(n.get('status'))}"
                  + (f" ({e(n['by'])})" if n.get("by") else "") + f": {e(n.get('note') or '')}</li>"
                  for n in ticket["notes"]]
        parts.append("</ul>")
    parts.append("<h4>History</h4><ul>")
    parts += [f"<li>{e(ev.get('at'))}: {e(ev.get('event'))}" + (f" ({e(ev['by'])})" if ev.get("by") else "")
              + "</li>" for ev in ticket.get("events") or []]
    parts.append("</ul>")
    if reveals:
        parts.append("<h4>Values revealed on this ticket</h4><ul>")
        parts += [f"<li>{e(r['at'])}: {e(r['placeholder'])} by {e(r['revealed_by'])}</li>" for r in reveals]
        parts.append("</ul>")
    return "\n".join(parts)


def _failure(exc: Exception) -> str:
    if isinstance(exc, BeaconError):
        return f"<p><strong>Error:</strong> {html_text(str(exc))}</p>"
    log.exception("escalation action failed")
    return f"<p><strong>Error:</strong> unexpected ({html_text(type(exc).__name__)}) — see the server log.</p>"


def _note(exc: Exception) -> str:
    """An error for a Markdown status line."""
    if isinstance(exc, BeaconError):
        return f"**Not done:** {markdown_text(str(exc))}"
    log.exception("escalation action failed")
    return f"**Not done:** unexpected ({type(exc).__name__}) — see the server log."


def _detail(service, ticket: dict) -> str:
    return ticket_html(ticket, service.labels(), service.settings.handoff_sla_minutes,
                       service.desk.reveals(ticket["ticket_id"]))


def ticket_detail(service, ticket_id: str | None) -> str:
    ticket_id = (ticket_id or "").strip()
    if not ticket_id:
        return NO_TICKET
    try:
        return _detail(service, service.handoff(ticket_id))
    except Exception as exc:
        return _failure(exc)


def placeholder_choices(service, ticket_id: str | None):
    """The reveal dropdown for a ticket: its placeholders whose value is kept."""
    ticket_id = (ticket_id or "").strip()
    try:
        found = service.desk.placeholders(ticket_id) if ticket_id else []
    except Exception:
        found = []
    kept = [p["placeholder"] for p in found if p["kept"]]
    return gr.Dropdown(choices=kept, value=kept[0] if kept else None)


def selected_ticket(table: pd.DataFrame | None, evt: gr.SelectData) -> str:
    """The ticket id of the clicked row, whichever cell was clicked. ``row_value`` first: after
    an agent sorts the table in the browser, the row index no longer matches the data."""
    if evt is None:
        return gr.skip()
    if evt.row_value:
        return str(evt.row_value[QUEUE_COLUMNS.index("ticket_id")])
    if table is None or len(table) == 0 or evt.index is None:
        return gr.skip()
    row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
    return str(table.iloc[int(row)]["ticket_id"])


def _agent(request) -> str | None:
    return getattr(request, "username", None) if request is not None else None


SIGN_IN = "Sign in to the staff app first: actions are recorded with your login."


def change_status(service, status: str, ticket_id: str | None, note: str | None, status_filter: str | None,
                  priority: str | None, category: str | None, agent: str | None = None) -> tuple:
    """Resolve or reopen. Returns (detail, queue, note box)."""
    ticket_id = (ticket_id or "").strip()
    if not ticket_id:
        return NO_TICKET, gr.skip(), note
    try:
        ticket = service.set_handoff_status(ticket_id, status, (note or "").strip() or None, agent)
    except Exception as exc:
        return _failure(exc), gr.skip(), note
    return _detail(service, ticket), queue_table(service, status_filter, priority, category), ""


def assign_to_me(service, ticket_id: str | None, agent: str | None, status_filter: str | None,
                 priority: str | None, category: str | None) -> tuple:
    """Returns (detail, queue)."""
    ticket_id = (ticket_id or "").strip()
    if not ticket_id:
        return NO_TICKET, gr.skip()
    if not agent:
        return _failure(BeaconError(SIGN_IN)), gr.skip()
    try:
        ticket = service.desk.assign(ticket_id, agent)
    except Exception as exc:
        return _failure(exc), gr.skip()
    return _detail(service, ticket), queue_table(service, status_filter, priority, category)


def send_reply(service, ticket_id: str | None, text: str | None, agent: str | None) -> tuple:
    """Returns (detail, reply box, status line): the box keeps the text when it was not sent."""
    ticket_id = (ticket_id or "").strip()
    if not ticket_id:
        return NO_TICKET, text, "Choose a ticket first."
    if not agent:
        return gr.skip(), text, SIGN_IN
    try:
        sent = service.desk.send(ticket_id, text or "", agent)
    except Exception as exc:
        return gr.skip(), text, _note(exc)
    return _detail(service, sent["ticket"]), "", f"Sent to the customer at {sent['message']['at'][11:19]} UTC."


def reveal_value(service, ticket_id: str | None, placeholder: str | None, agent: str | None) -> tuple:
    """Returns (revealed value box, status line, detail)."""
    ticket_id = (ticket_id or "").strip()
    if not ticket_id or not placeholder:
        return "", "Choose a ticket and one of its placeholders.", gr.skip()
    if not agent:
        return "", SIGN_IN, gr.skip()
    try:
        revealed = service.desk.reveal(ticket_id, placeholder, agent)
    except Exception as exc:
        return "", _note(exc), gr.skip()
    return (revealed["value"], f"{markdown_text(placeholder)} revealed to {markdown_text(agent)}; recorded in the "
                               "audit log.",
            ticket_detail(service, ticket_id))


def audit_table(service) -> pd.DataFrame:
    entries = service.desk.reveals(limit=500)
    return pd.DataFrame([{k: e.get(k) for k in AUDIT_COLUMNS} for e in entries], columns=AUDIT_COLUMNS)


def build_escalations_tab(service) -> None:
    """Components for the Escalations tab, inside the caller's ``gr.Tab``."""
    with gr.Row():
        status = gr.Dropdown(list(STATUS_CHOICES), value="open", label="Status", elem_id="esc-status")
        choices = service.handoff_filters()
        priority = gr.Dropdown([ANY, *choices["priority"]], value=ANY, label="Priority", elem_id="esc-priority")
        category = gr.Dropdown([ANY, *choices["category"]], value=ANY, label="Category", elem_id="esc-category")
        refresh = gr.Button("Refresh", elem_id="esc-refresh")
    alert = gr.HTML("", elem_id="esc-alert", js_on_load=None)
    # The open tickets at the last look (first: at page load): an urgent one not among them is new.
    known = gr.State(lambda: [t["ticket_id"] for t in service.handoffs(status="open", limit=1000)])
    filters = [status, priority, category]
    table = gr.Dataframe(lambda: queue_table(service), elem_id="esc-table", interactive=False, wrap=True)
    with gr.Row():
        ticket_id = gr.Textbox(label="Ticket id", placeholder="HO-…", elem_id="esc-ticket", scale=3)
        assign = gr.Button("Assign to me", elem_id="esc-assign", scale=1)
        note = gr.Textbox(label="Note (optional)", elem_id="esc-note", scale=4)
        resolve = gr.Button("Resolve", variant="primary", elem_id="esc-resolve", scale=1)
        reopen = gr.Button("Reopen", elem_id="esc-reopen", scale=1)
    detail = gr.HTML(NO_TICKET, elem_id="esc-detail", js_on_load=None)
    with gr.Row():
        reply = gr.Textbox(label="Reply to the customer", lines=3, elem_id="esc-reply", scale=6,
                           placeholder="They read it in their chat. Use their placeholders (e.g. <EMAIL_ADDRESS_1>) "
                                       "or values they gave; nobody else's personal data.")
        send = gr.Button("Send to customer", variant="primary", elem_id="esc-send", scale=1)
    reply_status = gr.Markdown("", elem_id="esc-reply-status")
    with gr.Accordion("Reveal a contact detail (audited)", open=False, elem_id="esc-reveal-panel"):
        gr.Markdown("Only for the agent the ticket is assigned to, and only while it is open. Every reveal is "
                    "recorded with your login, the ticket and the placeholder.")
        with gr.Row():
            placeholder = gr.Dropdown([], label="Placeholder", elem_id="esc-placeholder", scale=3,
                                      allow_custom_value=False)
            reveal = gr.Button("Reveal", elem_id="esc-reveal", scale=1)
            revealed = gr.Textbox(label="Value", interactive=False, elem_id="esc-revealed", scale=4)
        reveal_status = gr.Markdown("", elem_id="esc-reveal-status")
    with gr.Accordion("Reveal audit log", open=False, elem_id="esc-audit-panel"):
        audit_refresh = gr.Button("Refresh the audit log", elem_id="esc-audit-refresh")
        audit = gr.Dataframe(pd.DataFrame(columns=AUDIT_COLUMNS), elem_id="esc-audit", interactive=False, wrap=True)
    timer = gr.Timer(REFRESH_SECONDS)

    def show_queue(status_value, priority_value, category_value):
        return queue_table(service, status_value, priority_value, category_value)

    def look(status_value, priority_value, category_value, seen):
        html, ids = urgent_alert(service, seen)
        return queue_table(service, status_value, priority_value, category_value), html, ids

    def show_detail(ticket):
        return ticket_detail(service, ticket), placeholder_choices(service, ticket), ""

    # Plain functions: Gradio hands the signed-in login only to a parameter annotated gr.Request.
    def do_assign(ticket, status_value, priority_value, category_value, request: gr.Request):
        return assign_to_me(service, ticket, _agent(request), status_value, priority_value, category_value)

    def do_resolve(ticket, text, status_value, priority_value, category_value, request: gr.Request):
        return change_status(service, "resolved", ticket, text, status_value, priority_value, category_value,
                             _agent(request))

    def do_reopen(ticket, text, status_value, priority_value, category_value, request: gr.Request):
        return change_status(service, "open", ticket, text, status_value, priority_value, category_value,
                             _agent(request))

    def do_send(ticket, text, request: gr.Request):
        return send_reply(service, ticket, text, _agent(request))

    def do_reveal(ticket, chosen, request: gr.Request):
        return reveal_value(service, ticket, chosen, _agent(request))

    for control in filters:
        control.change(show_queue, filters, table)
    refresh.click(look, [*filters, known], [table, alert, known])
    timer.tick(look, [*filters, known], [table, alert, known], show_progress="hidden")
    # .submit, not .change: a lookup per keystroke would flash "no ticket" while an id is typed.
    table.select(selected_ticket, table, ticket_id).then(show_detail, ticket_id, [detail, placeholder, revealed])
    ticket_id.submit(show_detail, ticket_id, [detail, placeholder, revealed])
    assign.click(do_assign, [ticket_id, *filters], [detail, table])
    resolve.click(do_resolve, [ticket_id, note, *filters], [detail, table, note])
    reopen.click(do_reopen, [ticket_id, note, *filters], [detail, table, note])
    send.click(do_send, [ticket_id, reply], [detail, reply, reply_status])
    reveal.click(do_reveal, [ticket_id, placeholder], [revealed, reveal_status, detail])
    audit_refresh.click(lambda: audit_table(service), None, audit)
