"""The life of a handoff ticket, as rules on its ``state``:

    waiting ──assign──▶ assigned ──agent replies──▶ answered ──resolve──▶ resolved
       │                  ▲   │                       │                      │
       │                  │   └──────resolve──────────┼──────────────────────┤
       │                  └──customer writes again────┘                      │
       └──────────────────────────resolve────────────────────────────────────┘
    resolved ──reopen──▶ assigned (it keeps its agent) or waiting (nobody had it)

An agent may also reply to a waiting ticket (it is then theirs and answered) and assign a
ticket someone else holds (a handover; the event log keeps both names). Every change stamps
its time and who made it in ``events``. ``status`` is derived: ``resolved`` or ``open``.
"""

from __future__ import annotations

from app.core.errors import ConflictError

STATES = ("waiting", "assigned", "answered", "resolved")
STATUSES = ("open", "resolved")
PRIORITIES = ("urgent", "high", "normal", "low")  # most pressing first
OWNED = ("assigned", "answered")  # an agent has the conversation: Beacon does not answer over them


class TicketStateError(ConflictError):
    """The ticket's state does not allow that now; the message says what would."""

    code = "wrong_state"


def status_of(state: str) -> str:
    return "resolved" if state == "resolved" else "open"


def more_pressing(priority: str, than: str) -> bool:
    rank = {p: n for n, p in enumerate(PRIORITIES)}
    return rank.get(priority, len(PRIORITIES)) < rank.get(than, len(PRIORITIES))


def _event(ticket, now: str, event: str, by: str | None) -> None:
    ticket.events.append({"at": now, "event": event, "by": by, "state": ticket.state})


def _refuse_resolved(ticket, doing: str) -> None:
    if ticket.state == "resolved":
        raise TicketStateError(f"ticket {ticket.ticket_id} is resolved: reopen it before you {doing}")


def assign(ticket, now: str, agent: str) -> None:
    if not agent or not agent.strip():
        raise ValueError("say who the ticket is assigned to (a staff login or an agent name)")
    _refuse_resolved(ticket, "assign it")
    if ticket.assigned_to == agent and ticket.state in OWNED:
        raise TicketStateError(f"ticket {ticket.ticket_id} is already assigned to {agent}")
    previous = ticket.assigned_to
    ticket.assigned_to = agent
    ticket.assigned_at = now
    if ticket.state == "waiting":
        ticket.state = "assigned"
    _event(ticket, now, f"assigned to {agent}" + (f" (was {previous})" if previous else ""), agent)


def replied(ticket, now: str, agent: str) -> None:
    _refuse_resolved(ticket, "reply")
    if ticket.assigned_to is None:  # replying takes the ticket
        ticket.assigned_to = agent
        ticket.assigned_at = now
    ticket.state = "answered"
    ticket.answered_at = now
    _event(ticket, now, "agent replied", agent)


def customer_wrote(ticket, now: str) -> None:
    """A follow-up from the customer: an answered ticket is the agent's turn again."""
    _refuse_resolved(ticket, "add to it")
    if ticket.state == "answered":
        ticket.state = "assigned"
        _event(ticket, now, "customer wrote again", "customer")


def resolve(ticket, now: str, by: str | None) -> None:
    if ticket.state == "resolved":
        raise TicketStateError(f"ticket {ticket.ticket_id} is already resolved"
                               + (f" (by {ticket.resolved_by})" if ticket.resolved_by else "")
                               + ": reopen it first if there is more to do")
    ticket.state = "resolved"
    ticket.resolved_at = now
    ticket.resolved_by = by
    _event(ticket, now, "resolved", by)


def reopen(ticket, now: str, by: str | None) -> None:
    if ticket.state != "resolved":
        raise TicketStateError(f"ticket {ticket.ticket_id} is not resolved (it is {ticket.state}): only a resolved "
                               "ticket can be reopened")
    ticket.state = "assigned" if ticket.assigned_to else "waiting"
    ticket.resolved_at = None
    ticket.resolved_by = None
    ticket.reopened_at = now
    _event(ticket, now, "reopened", by)
