"""``beacon ask`` output: readable text for people, JSON lines for scripts (a stable contract)."""

from __future__ import annotations

import click

from app.chain.answer_chain import Answer, AnswerChain
from app.cli.jsonl_batch import answer_lines, region_of


def print_answer(answer: Answer) -> None:
    click.echo(answer.answer)
    if answer.citations:
        click.echo()
        for c in answer.citations:
            click.echo(click.style(f"[{c['number']}] {c['title']} › {c['section']}", bold=True) + f"  ({c['source']})"
                       + (f"\n    {c['url']}" if c.get("url") else ""))
    if answer.escalation:
        e = answer.escalation
        click.echo(click.style(f"\nhanded over: ticket {e['ticket_id']} · {e['category']} · priority {e['priority']}",
                               fg="yellow", bold=True))
    action = answer.decision["action"] if answer.decision else "answer"
    click.echo(click.style(f"\n{action} · confidence {answer.confidence:.2f}"
                           + (f" · {', '.join(answer.flags)}" if answer.flags else ""), dim=True))


def run_ask_jsonl(chain: AnswerChain, lines, out) -> bool:
    """`beacon ask --jsonl`, models loaded once: see app.cli.jsonl_batch.answer_lines."""

    def handle(request: dict) -> dict:
        answer = chain.answer(request["question"], session_id=request.get("session_id"),
                              region=region_of(request.get("region")))
        return answer.to_json()

    return answer_lines(lines, out, handle, "question", {"answer": None, "citations": []})
