"""The guardrails the answer chain receives, in one object, and the handoff they lead to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app.core.clock import utc_now
from app.handoff.decision_log import DecisionLog
from app.handoff.summary import summarize
from app.handoff.tickets import Ticket, TicketStore, new_ticket_id
from guardrails.escalation import Decision, EscalationPolicy
from guardrails.input_guard import InputGuard
from guardrails.output_guard import OutputGuard


@dataclass
class Guardrails:
    input: InputGuard
    output: OutputGuard
    policy: EscalationPolicy
    tickets: TicketStore
    log: DecisionLog
    vault_factory: type  # guardrails.pii.PiiVault

    def warm_up(self) -> None:
        self.input.warm_up()
        self.output.warm_up()

    def new_vault(self):
        return self.vault_factory()

    def open_ticket(self, session, decision: Decision, sources: list[dict], customer_context: dict,
                    reply_for: Callable[[str], str] | None = None) -> Ticket:
        """A handoff ticket from the session's redacted turns (the current turn included).
        ``reply_for(ticket_id)`` writes what Beacon tells the customer on this turn; it names
        the ticket, so the ticket's transcript can hold it too and the agent reads exactly
        what the customer was told."""
        now = utc_now()
        ticket_id = new_ticket_id(now)
        transcript = []
        for index, turn in enumerate(session.turns):
            at = datetime.fromtimestamp(turn.at, now.tzinfo).isoformat(timespec="seconds")
            transcript.append({"role": "customer", "text": turn.question, "at": at})
            reply = turn.reply
            if not reply and reply_for is not None and index == len(session.turns) - 1:
                reply = reply_for(ticket_id)
            if reply:
                transcript.append({"role": "beacon", "text": reply, "at": at, "action": turn.action})
        ticket = Ticket(
            ticket_id=ticket_id,
            created_at=now.isoformat(timespec="seconds"),
            session_id=session.session_id,
            reason=decision.reasons[0] if decision.reasons else decision.category or "escalated",
            reasons=list(decision.reasons),
            category=decision.category or "human_requested",
            priority=decision.priority or "normal",
            summary=summarize(transcript, decision.category or "human_requested", list(decision.reasons), sources),
            transcript=transcript,
            sources=sources,
            customer_context=customer_context,
        )
        return self.tickets.create(ticket)

    def open_ticket_of(self, session) -> Ticket | None:
        """The conversation's open ticket, from the store: an agent may have assigned, answered
        or resolved it since the last turn, and a restarted server has no session in memory."""
        return self.tickets.open_for_session(session.session_id)

    def add_to_ticket(self, ticket_id: str, question: str, reply: str, action: str,
                      decision: Decision | None = None) -> Ticket:
        """A follow-up (redacted) and what Beacon told the customer, on the conversation's open
        ticket. With an escalating ``decision``, the ticket's priority becomes the higher of the
        two and the reasons are merged, so the agent sees the most pressing reading."""
        at = utc_now().isoformat(timespec="seconds")
        entries = [{"role": "customer", "text": question, "at": at, "follow_up": True}]
        if reply:
            entries.append({"role": "beacon", "text": reply, "at": at, "action": action})
        escalating = decision is not None and decision.escalate

        def summary(updated: Ticket) -> str:
            return summarize(updated.transcript, updated.category, updated.reasons, updated.sources)

        return self.tickets.add_customer_turn(
            ticket_id, entries, priority=decision.priority if escalating else None,
            category=decision.category if escalating else None,
            reasons=tuple(decision.reasons) if escalating else (), summarize=summary)

