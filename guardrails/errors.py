"""Errors of the guardrails. Messages name the thing and the fix."""

from app.errors import BeaconError


class GuardrailError(BeaconError):
    """A guardrail could not run; the chain escalates rather than answer unchecked."""


class TicketNotFoundError(GuardrailError):
    """No handoff ticket has that id."""
