"""The staff Knowledge tab: what is indexed, upload with a preview before ingest, re-ingest,
and a search box that shows what a question retrieves and why.

Service errors (``BeaconError``: a bad upload, an ingest already running) come back as a
message in the result box; an editor never sees a traceback.
"""

from __future__ import annotations

import functools
import logging
import textwrap
from pathlib import Path

import gradio as gr
import pandas as pd

from app.core.errors import BeaconError
from app.core.regions import HINT as REGION_HINT, RegionError
from app.ui.chat import NO_REGION, region_choices, region_value

log = logging.getLogger(__name__)

DOCUMENT_COLUMNS = ["source", "title", "status", "version", "effective_date", "chunks", "ingested_at", "url", "problem"]
RESULT_COLUMNS = ["rank", "score", "title › section", "source", "region", "excerpt"]
PREVIEW_CHUNKS = 20
NO_FILE = "Choose a Markdown, YAML or CSV file first."


def _problem(doc: dict) -> str:
    """The error, or the quarantine reasons, in one cell."""
    if doc.get("error"):
        return str(doc["error"])
    findings = doc.get("findings") or []
    if findings:
        return "quarantined: " + "; ".join(f"{f.get('reason', '?')} (line {f.get('line', '?')})" for f in findings)
    return ""


def documents_table(service) -> pd.DataFrame:
    rows = [{**{k: doc.get(k) for k in DOCUMENT_COLUMNS[:-1]}, "problem": _problem(doc)} for doc in service.documents()]
    frame = pd.DataFrame(rows, columns=DOCUMENT_COLUMNS)
    return frame.astype(object).where(frame.notna(), "")


def _read_upload(path: str | None) -> tuple[str, bytes]:
    """Gradio hands over the uploaded copy's path; its file name is the one the editor chose."""
    file = Path(path)
    return file.name, file.read_bytes()


def _failure(exc: Exception) -> str:
    if isinstance(exc, BeaconError):
        return f"**Error:** {exc}"
    log.exception("knowledge action failed")
    return f"**Error:** unexpected ({type(exc).__name__}) — see the server log."


def preview_markdown(preview: dict) -> str:
    head = f"**{preview['source']}** — "
    if preview.get("error"):
        return head + f"**not valid:** {preview['error']}"
    lines = []
    if preview.get("findings"):
        lines.append(head + "would be **quarantined** (it looks like instructions to the assistant):")
        lines += [f"- line {f.get('line', '?')}: {f.get('reason', '?')} (section lines {f.get('section_start', '?')}–"
                  f"{f.get('section_end', '?')}: “{f.get('excerpt', '')}”)" for f in preview["findings"]]
    else:
        lines.append(head + f"valid, {len(preview['chunks'])} chunks. Press **Ingest** to add it.")
    lines += [f"- warning: {w}" for w in preview.get("warnings") or []]
    for chunk in preview["chunks"][:PREVIEW_CHUNKS]:
        text = textwrap.shorten(" ".join(chunk["text"].split()), 300, placeholder=" …")
        lines.append(f"\n**{chunk.get('section') or '(no section)'}** (line {chunk.get('line')})  \n{text}")
    if len(preview["chunks"]) > PREVIEW_CHUNKS:
        lines.append(f"\n… and {len(preview['chunks']) - PREVIEW_CHUNKS} more chunks.")
    return "\n".join(lines)


def preview_upload(service, path: str | None) -> str:
    if not path:  # the file was cleared
        return ""
    try:
        return preview_markdown(service.preview_upload(*_read_upload(path)))
    except Exception as exc:
        return _failure(exc)


def ingest_upload(service, path: str | None, replace: bool = False) -> tuple[str, pd.DataFrame | object]:
    """(result text, refreshed document table)."""
    if not path:
        return NO_FILE, gr.skip()
    try:
        result = service.upload(*_read_upload(path), replace=bool(replace))
    except Exception as exc:
        return _failure(exc), gr.skip()
    return (f"**{result['source']}**: {result['status']}, {result['chunks']} chunks. Answers use it now.",
            documents_table(service))


def reingest(service) -> tuple[str, pd.DataFrame | object]:
    try:
        report = service.reingest()
    except Exception as exc:
        return _failure(exc), gr.skip()
    counts: dict[str, int] = {}
    for file in report.get("files", []):
        counts[file.get("status", "?")] = counts.get(file.get("status", "?"), 0) + 1
    problems = [f"- `{f['source']}`: {f['error']}" for f in report.get("files", []) if f.get("error")]
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "no files"
    return "\n".join([f"Re-ingest finished: {summary}."] + problems), documents_table(service)


def search_table(service, query: str, region: str | None, top_k: int = 5) -> tuple[str, pd.DataFrame | object]:
    """(note, results with scores) for what the answer chain would retrieve for ``query``."""
    if not (query or "").strip():
        return "Type a question to see what it retrieves.", gr.skip()
    try:
        found = service.search(query, region=region_value(region), top_k=int(top_k))
    except RegionError as exc:  # typed into the region box
        return f"**Error:** region {exc}: {REGION_HINT}.", gr.skip()
    except Exception as exc:
        return _failure(exc), gr.skip()
    rows = [{"rank": rank, "score": r.get("score"),
             "title › section": " › ".join(p for p in (r.get("title"), r.get("section")) if p),
             "source": f"{r.get('source')}:{r.get('line')}" if r.get("line") else r.get("source"),
             "region": r.get("region") or "", "excerpt": textwrap.shorten(" ".join(r.get("text", "").split()), 240,
                                                                          placeholder=" …")}
            for rank, r in enumerate(found.get("results", []), start=1)]
    total = (found.get("latency_ms") or {}).get("total_ms")
    note = f"{len(rows)} results" + (f" in {total:.0f} ms" if total else "") + " (hybrid retrieval; higher is better)."
    return note, pd.DataFrame(rows, columns=RESULT_COLUMNS)


def build_knowledge_tab(service) -> None:
    """Components for the Knowledge tab, inside the caller's ``gr.Tab``."""
    gr.Markdown("Every knowledge file, its status and its chunks. Upload a new or changed file to preview it, "
                "then ingest it.")
    # A callable value is computed on every page load, not once when the app is built.
    table = gr.Dataframe(functools.partial(documents_table, service), elem_id="kb-table", interactive=False, wrap=True,
                         show_search="search")
    with gr.Row():
        upload = gr.File(label="Upload a knowledge file", file_types=list(service.knowledge_file_types()),
                         type="filepath", elem_id="kb-upload")
        with gr.Column():
            replace = gr.Checkbox(False, label="Replace the file of that name", elem_id="kb-replace")
            ingest = gr.Button("Ingest", variant="primary", elem_id="kb-ingest")
            reingest_all = gr.Button("Re-ingest everything", elem_id="kb-reingest")
            refresh = gr.Button("Refresh table", elem_id="kb-refresh")
    preview = gr.Markdown("", elem_id="kb-preview")
    gr.Markdown("### What does a question retrieve?")
    with gr.Row():
        query = gr.Textbox(placeholder="e.g. how much is a replacement card", show_label=False, elem_id="kb-search",
                           scale=5)
        region = gr.Dropdown(region_choices(service) or [(NO_REGION, NO_REGION)], value=NO_REGION, label="Region",
                             scale=1, allow_custom_value=True)  # a region ingested since the page was built
        go = gr.Button("Search", elem_id="kb-search-go", scale=1)
    note = gr.Markdown("")
    result = gr.Dataframe(pd.DataFrame(columns=RESULT_COLUMNS), elem_id="kb-result", interactive=False, wrap=True)

    upload.change(functools.partial(preview_upload, service), upload, preview)
    ingest.click(functools.partial(ingest_upload, service), [upload, replace], [preview, table])
    reingest_all.click(functools.partial(reingest, service), None, [preview, table])
    refresh.click(functools.partial(documents_table, service), None, table)
    query.submit(functools.partial(search_table, service), [query, region], [note, result])
    go.click(functools.partial(search_table, service), [query, region], [note, result])
