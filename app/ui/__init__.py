"""Beacon's Gradio apps: the open customer chat and the staff app (Knowledge, Escalations,
Insights). Both only build Blocks over a ``BeaconService``; the server mounts them (the staff
app behind ``auth=`` from settings) and nothing here opens a port or reaches the internet.
"""

from __future__ import annotations

import functools
import os

# Before gradio is imported: its analytics call would be the app's only outbound request.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from app.ui.chat import build_chat_app  # noqa: E402
from app.ui.escalations import build_escalations_tab  # noqa: E402
from app.ui.insights import build_insights_tab, insights_view  # noqa: E402
from app.ui.knowledge import build_knowledge_tab  # noqa: E402


def build_staff_app(service) -> gr.Blocks:
    with gr.Blocks(title="Beacon staff", analytics_enabled=False) as blocks:
        gr.Markdown("## Beacon staff")
        with gr.Tabs():
            with gr.Tab("Knowledge", elem_id="tab-knowledge"):
                build_knowledge_tab(service)
            with gr.Tab("Escalations", elem_id="tab-escalations"):
                build_escalations_tab(service)
            with gr.Tab("Insights", elem_id="tab-insights"):
                insights_outputs = build_insights_tab(service)
        blocks.load(functools.partial(insights_view, service), None, insights_outputs)
    return blocks


__all__ = ["build_chat_app", "build_staff_app"]
