"""The staff Escalations tab: the handoff queue with filters, one ticket's detail (redacted
transcript, sources, customer context), and Resolve / Reopen with a note."""

from __future__ import annotations

import functools
import logging
import textwrap

import gradio as gr
import pandas as pd

from app.core.errors import BeaconError

log = logging.getLogger(__name__)

ANY = "any"
STATUS_CHOICES = (ANY, "open", "resolved")
QUEUE_COLUMNS = ["ticket_id", "created_at", "status", "priority", "category", "reason", "summary"]
NO_TICKET = "_Select a ticket in the queue, or type its id, to see it here._"


def _filter(value: str | None) -> str | None:
    return None if not value or value == ANY else value


def queue_table(service, status: str | None = "open", priority: str | None = ANY,
                category: str | None = ANY) -> pd.DataFrame:
    tickets = service.handoffs(status=_filter(status), priority=_filter(priority), category=_filter(category),
                               limit=500)
    rows = [{**{k: t.get(k) for k in QUEUE_COLUMNS[:-1]},
             "summary": textwrap.shorten(" ".join(str(t.get("summary") or "").split()), 140, placeholder=" …")}
            for t in tickets]
    return pd.DataFrame(rows, columns=QUEUE_COLUMNS)


def ticket_markdown(ticket: dict) -> str:
    lines = [f"### {ticket['ticket_id']} — {ticket['status']}",
             f"**Priority:** {ticket['priority']} · **Category:** {ticket['category']} · "
             f"**Reason:** {ticket['reason']} ({', '.join(ticket.get('reasons') or [])})",
             f"**Opened:** {ticket['created_at']} · **Updated:** {ticket.get('updated_at') or '—'}"
             + (f" · **Resolved:** {ticket['resolved_at']}" if ticket.get("resolved_at") else ""),
             f"**Session:** `{ticket['session_id']}`", "", "#### Summary", ticket.get("summary") or "—", "",
             "#### Transcript (redacted)"]
    for turn in ticket.get("transcript") or []:
        who = "Customer" if turn.get("role") == "customer" else "Beacon"
        text = " ".join(str(turn.get("text") or "").split())
        lines.append(f"- **{who}** ({turn.get('at', '')}): {text}")
    lines += ["", "#### Sources retrieved"]
    sources = ticket.get("sources") or []
    lines += [f"- {s.get('title')} › {s.get('section')} — `{s.get('source')}` (score {s.get('score')})"
              for s in sources] or ["- none"]
    context = ticket.get("customer_context") or {}
    lines += ["", "#### Customer context",
              ", ".join(f"{k}: {v}" for k, v in context.items() if v) or "none sent"]
    if ticket.get("notes"):
        lines += ["", "#### Notes"]
        lines += [f"- {n.get('at')} → {n.get('status')}: {n.get('note') or ''}" for n in ticket["notes"]]
    return "\n".join(lines)


def _failure(exc: Exception) -> str:
    if isinstance(exc, BeaconError):
        return f"**Error:** {exc}"
    log.exception("escalation action failed")
    return f"**Error:** unexpected ({type(exc).__name__}) — see the server log."


def ticket_detail(service, ticket_id: str | None) -> str:
    ticket_id = (ticket_id or "").strip()
    if not ticket_id:
        return NO_TICKET
    try:
        return ticket_markdown(service.handoff(ticket_id))
    except Exception as exc:
        return _failure(exc)


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


def change_status(service, status: str, ticket_id: str | None, note: str | None, status_filter: str | None,
                  priority: str | None, category: str | None) -> tuple:
    """Resolve or reopen. Returns (detail, queue, note box)."""
    ticket_id = (ticket_id or "").strip()
    if not ticket_id:
        return NO_TICKET, gr.skip(), note
    try:
        ticket = service.set_handoff_status(ticket_id, status, (note or "").strip() or None)
    except Exception as exc:
        return _failure(exc), gr.skip(), note
    return ticket_markdown(ticket), queue_table(service, status_filter, priority, category), ""


def build_escalations_tab(service) -> None:
    """Components for the Escalations tab, inside the caller's ``gr.Tab``."""
    with gr.Row():
        status = gr.Dropdown(list(STATUS_CHOICES), value="open", label="Status", elem_id="esc-status")
        choices = service.handoff_filters()
        priority = gr.Dropdown([ANY, *choices["priority"]], value=ANY, label="Priority", elem_id="esc-priority")
        category = gr.Dropdown([ANY, *choices["category"]], value=ANY, label="Category", elem_id="esc-category")
        refresh = gr.Button("Refresh", elem_id="esc-refresh")
    filters = [status, priority, category]
    table = gr.Dataframe(functools.partial(queue_table, service), elem_id="esc-table", interactive=False, wrap=True)
    with gr.Row():
        ticket_id = gr.Textbox(label="Ticket id", placeholder="HO-…", elem_id="esc-ticket", scale=3)
        note = gr.Textbox(label="Note (optional)", elem_id="esc-note", scale=5)
        resolve = gr.Button("Resolve", variant="primary", elem_id="esc-resolve", scale=1)
        reopen = gr.Button("Reopen", elem_id="esc-reopen", scale=1)
    detail = gr.Markdown(NO_TICKET, elem_id="esc-detail", line_breaks=True)  # summaries are multi-line

    show_queue = functools.partial(queue_table, service)
    for control in filters:
        control.change(show_queue, filters, table)
    refresh.click(show_queue, filters, table)
    show_detail = functools.partial(ticket_detail, service)
    # .submit, not .change: a lookup per keystroke would flash "no ticket" while an id is typed.
    table.select(selected_ticket, table, ticket_id).then(show_detail, ticket_id, detail)
    ticket_id.submit(show_detail, ticket_id, detail)
    resolve.click(functools.partial(change_status, service, "resolved"), [ticket_id, note, *filters],
                  [detail, table, note])
    reopen.click(functools.partial(change_status, service, "open"), [ticket_id, note, *filters],
                 [detail, table, note])
