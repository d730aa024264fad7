"""``beacon search`` output: text for people, JSON and JSON lines for scripts (a stable contract)."""

from __future__ import annotations

import textwrap

import click

from app.cli.jsonl_batch import answer_lines, region_of
from app.index.retrieval import HybridRetriever


def print_results(query: str, results) -> None:
    if not results:
        click.echo(f"No results for {query!r}.")
        return
    for rank, r in enumerate(results, start=1):
        where = f"{r.source}:{r.metadata.get('line')}"
        region = r.metadata.get("region")
        click.echo(click.style(f"{rank}. [{r.score:.3f}] {r.title} › {r.section}", bold=True) + f"  ({where}, {region})")
        click.echo(textwrap.indent(textwrap.shorten(r.text, 300, placeholder=" …"), "   "))


def run_jsonl(retriever: HybridRetriever, lines, out, top_k: int, region, audience, mode: str = "hybrid") -> bool:
    """`beacon search --jsonl`: see app.cli.jsonl_batch.answer_lines."""

    def handle(request: dict) -> dict:
        if not request["query"].strip():
            raise ValueError("the query is empty")
        line_region = region_of(request.get("region")) or region
        line_audience = request.get("audience") or audience
        retrieval = retriever.retrieve(request["query"], top_k=int(request.get("top_k") or top_k),
                                       region=line_region, audience=line_audience, mode=mode)
        return retrieval.to_json(line_region, line_audience, mode)

    return answer_lines(lines, out, handle, "query", {"results": []})
