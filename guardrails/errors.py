"""Errors of the guardrails. Messages name the thing and the fix."""

from app.core.errors import BeaconError


class GuardrailError(BeaconError):
    """A guardrail could not run; the chain escalates rather than answer unchecked."""
