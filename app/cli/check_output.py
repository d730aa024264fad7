"""``beacon check`` output: the input guardrails' verdict on each text. The JSON is a
contract (docs/cli.md); ``--jsonl`` reads in batches so the models run once per batch."""

from __future__ import annotations

import json
from itertools import islice

import click

from guardrails.input_guard import InputCheck

BATCH = 32


def print_check(text: str, check: InputCheck) -> None:
    click.echo(check.redacted)
    for entity in check.to_json()["pii"]:
        click.echo(click.style(f"  {entity['placeholder']:<22} {entity['type']} "
                               f"[{entity['start']}:{entity['end']}] score {entity['score']:.2f}", dim=True))
    topics = ", ".join(f"{t.category} {t.score:.2f}" for t in check.topics.topics) or "none"
    click.echo(f"sensitive: {'yes' if check.sensitive else 'no'} (topics: {topics})")
    reasons = f" ({', '.join(check.injection.reasons)})" if check.injection.reasons else ""
    click.echo(f"injection: {'yes' if check.injection.injection else 'no'} "
               f"score {check.injection.score:.2f}{reasons}")
    if check.secrets:
        click.echo(click.style("security: the message contains a recovery phrase or private key", fg="red"))


def _parse(number: int, line: str) -> tuple[str | None, dict | None]:
    try:
        request = json.loads(line)
    except ValueError as exc:
        return None, {"text": None, "error": f"line {number}: not JSON: {exc}"}
    if not isinstance(request, dict) or not isinstance(request.get("text"), str):
        return None, {"text": None, "error": f'line {number}: expected an object like {{"text": "..."}}'}
    return request["text"], None


def run_check_jsonl(guard, lines, out, knowledge=None) -> bool:
    """One JSON line out per non-empty line in, in order. Returns False if any line was bad.
    ``knowledge``: the help centre's words (``guardrails.pii.KnowledgeWords``), or None."""
    ok = True
    numbered = ((n, line) for n, line in enumerate(lines, start=1) if line.strip())
    while batch := list(islice(numbered, BATCH)):
        parsed = [_parse(n, line) for n, line in batch]
        texts = [text for text, error in parsed if error is None]
        checks = iter(guard.check_batch(texts, knowledge=knowledge)) if texts else iter(())
        for text, error in parsed:
            ok &= error is None
            payload = error if error is not None else next(checks).to_json()
            out.write(json.dumps(payload, ensure_ascii=False) + "\n")
        out.flush()
    return ok
