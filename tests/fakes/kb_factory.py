"""Small knowledge bases written on the fly for tests and benchmarks."""

from __future__ import annotations

from pathlib import Path

TOPICS = ["cards", "crypto", "fees", "security", "privacy", "kyc", "disputes", "account"]


def faq_markdown(index: int, entries: int = 5, region: str = "global") -> str:
    topic = TOPICS[index % len(TOPICS)]
    lines = [
        "---",
        f"title: {topic.title()} FAQ {index}",
        "type: faq",
        f"category: {topic}",
        f"region: {region}",
        "effective_date: 2026-01-01",
        'version: "1"',
        "---",
        f"# {topic.title()} FAQ {index}",
        "",
    ]
    for entry in range(entries):
        lines += [
            f"## How does {topic} feature {index}-{entry} work?",
            f"Feature {index}-{entry} of {topic} works in the app under Settings > {topic.title()}. "
            f"It takes about {entry + 1} minutes and is free on every plan.",
            "",
        ]
    return "\n".join(lines)


def write_kb(root: Path, documents: int, entries: int = 5) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for index in range(documents):
        (root / f"faq-{index:04d}.md").write_text(faq_markdown(index, entries))
    return root
