"""The agents' desk: handoff tickets, their summary, the decision log, the outgoing webhook."""
