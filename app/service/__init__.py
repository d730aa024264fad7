"""Beacon as a service: what the REST API and the Gradio apps both call, and the state they share."""
