"""The guardrails the answer chain receives, in one object, and the handoff they lead to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from guardrails.decision_log import DecisionLog
from guardrails.escalation import Decision, EscalationPolicy
from guardrails.handoff import Ticket, TicketStore, new_ticket_id, utc_now
from guardrails.input_guard import InputGuard
from guardrails.output_guard import OutputGuard
from guardrails.ticket_summary import summarize


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

    def open_ticket(self, session, decision: Decision, sources: list[dict], customer_context: dict) -> Ticket:
        """A handoff ticket from the session's redacted turns (the current turn included)."""
        transcript = []
        for turn in session.turns:
            at = datetime.fromtimestamp(turn.at, utc_now().tzinfo).isoformat(timespec="seconds")
            transcript.append({"role": "customer", "text": turn.question, "at": at})
            if turn.reply:
                transcript.append({"role": "beacon", "text": turn.reply, "at": at, "action": turn.action})
        now = utc_now()
        ticket = Ticket(
            ticket_id=new_ticket_id(now),
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
