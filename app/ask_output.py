"""``beacon ask`` output: readable text for people, JSON lines for scripts (a stable contract)."""

from __future__ import annotations

import json
import textwrap

import click

from app.chain import Answer, AnswerChain
from app.questions import EmptyQuestionError


def print_answer(answer: Answer) -> None:
    click.echo(answer.answer)
    if answer.citations:
        click.echo()
        for c in answer.citations:
            click.echo(click.style(f"[{c['number']}] {c['title']} › {c['section']}", bold=True) + f"  ({c['source']})")
    click.echo(click.style(f"\nconfidence {answer.confidence:.2f}" + (f" · {', '.join(answer.flags)}" if answer.flags else ""),
                           dim=True))


def run_ask_jsonl(chain: AnswerChain, lines, out) -> bool:
    """One answer per input line, in order, with the models loaded once. A bad line gets an
    ``error`` object instead of stopping the batch; returns False if any line was bad."""
    ok = True
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            if not isinstance(request, dict) or not isinstance(request.get("question"), str):
                raise ValueError('expected an object like {"question": "..."}')
            region = request.get("region")
            answer = chain.answer(request["question"], session_id=request.get("session_id"),
                                  region=region.upper() if isinstance(region, str) else None)
            payload = answer.to_json()
        except (ValueError, TypeError, EmptyQuestionError) as exc:
            ok = False
            payload = {"question": None, "error": f"line {number}: {exc}", "answer": None, "citations": []}
        out.write(json.dumps(payload, ensure_ascii=False) + "\n")
        out.flush()
    return ok
