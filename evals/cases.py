"""Evaluation cases: the versioned JSONL schema, the loader and the validator.

One case is one line. The schema is documented in ``evals/datasets/cases/README.md``; this
module is what enforces it, so a bad file stops the run with the file, the line and the
reason instead of producing a report nobody can trust.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from app.core.regions import HINT as REGION_HINT, RegionError, region_code
from app.core.settings import Settings
from guardrails.escalation import CATEGORIES

CASES_DIR = Path(__file__).parent / "datasets" / "cases"
SCHEMA_VERSION = 1
# A suite is one or more files in CASES_DIR, read in order.
SUITES: dict[str, tuple[str, ...]] = {
    "core": ("derived.jsonl", "handwritten.jsonl"),
    "smoke": ("smoke.jsonl",),
}
DEFAULT_SUITE = "core"
DECISIONS = ("answer", "clarify", "escalate")
TAGS = ("faq", "policy", "multi-turn", "region", "out-of-scope", "unanswerable", "pii", "adversarial", "incident",
        "human-request", "vague", "handwritten")
TIERS = ("standard", "plus", "premium", "business")
REQUIRED = ("id", "version", "context", "reference_answer", "reference_contexts", "expected", "tags")
_KNOWN_KEYS = set(REQUIRED) | {"question", "turns", "note", "pii_values"}


class EvalError(Exception):
    """An evaluation cannot run as asked; the message names the problem and the fix."""


class CaseFileError(EvalError):
    """A case file breaks the schema. ``str()`` names the file, the line and the fix."""

    def __init__(self, path: Path | str, line: int, reason: str) -> None:
        self.path, self.line, self.reason = str(path), line, reason
        super().__init__(f"{path} line {line}: {reason}")


@dataclass(frozen=True)
class Case:
    id: str
    turns: tuple[str, ...]  # the customer's messages in order; the last one is scored
    context: dict
    reference_answer: str
    reference_contexts: tuple[tuple[str, str], ...]  # (source, section) the answer should come from
    expected_decision: str
    expected_category: str | None
    tags: tuple[str, ...]
    version: int = SCHEMA_VERSION
    file: str = ""
    line: int = 0
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def question(self) -> str:
        return self.turns[-1]

    @property
    def region(self) -> str | None:
        return self.context.get("region")


def suite_files(name: str) -> list[Path]:
    if name not in SUITES:
        raise CaseFileError(name, 0, f"unknown suite {name!r}: the suites are {', '.join(SUITES)}; "
                                     "or pass your own file with --cases")
    return [CASES_DIR / f for f in SUITES[name]]


def kb_sections(kb_dir: Path, settings: Settings | None = None) -> dict[str, set[str]]:
    """Every source file in ``kb_dir`` with the section paths its chunks carry, read as ingest
    reads them, so the validator and the store agree on what a section is. A file that fails
    validation is ingest's to report: its sections are unknown here."""
    from ingest.folder import chunk_folder

    return {f.source: {c.section for c in f.chunks} for f in chunk_folder(kb_dir, settings or Settings())}


def section_exists(section: str, sections: set[str]) -> bool:
    # Labels may name a heading whose chunks sit deeper ("Fees" covers "Fees > ATM"); an empty
    # section names the whole file.
    return section == WHOLE_FILE or section in sections or any(s.startswith(section + " > ") for s in sections)


QUESTIONS_HEADER = ("query", "target", "kind")
WHOLE_FILE = ""  # a reference section that stands for every section of its file
KINDS = ("answerable", "unanswerable")


def is_questions_tsv(path: Path) -> bool:
    """The labelled-questions format of a help centre: ``query<TAB>target<TAB>kind``."""
    with path.open(encoding="utf-8") as handle:
        first = handle.readline().rstrip("\r\n")
    return tuple(c.strip().lower() for c in first.split("\t")) == QUESTIONS_HEADER


def questions_tsv_cases(path: Path) -> list[str]:
    """A questions file as case lines. ``target`` is a file relative to the knowledge dir
    (``a|b``: either file answers); an answerable question expects an answer citing it, an
    unanswerable one (empty target) a handoff as ``unanswered``."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    lines = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 3:
            raise CaseFileError(path, number, f"{len(row)} columns: write query<TAB>target<TAB>kind "
                                              "(an unanswerable question has an empty target)")
        query, target, kind = (cell.strip() for cell in row)
        if kind not in KINDS:
            raise CaseFileError(path, number, f"kind {kind!r} is not one of {', '.join(KINDS)}")
        targets = [t.strip() for t in target.split("|") if t.strip()]
        if kind == "answerable" and not targets:
            raise CaseFileError(path, number, "an answerable question needs a target file")
        if kind == "unanswerable" and targets:
            raise CaseFileError(path, number, "an unanswerable question has an empty target")
        answerable = kind == "answerable"
        lines.append(json.dumps({
            "id": f"{path.stem}-{number - 1:03d}", "version": SCHEMA_VERSION, "question": query,
            "context": {"region": None, "language": "en", "tier": None}, "reference_answer": "",
            "reference_contexts": [{"source": t, "section": WHOLE_FILE} for t in targets],
            "expected": {"decision": "answer" if answerable else "escalate",
                         "category": None if answerable else "unanswered"},
            "tags": ["faq" if answerable else "unanswerable"],
        }))
    return lines


def load_cases(paths: list[Path], kb_dir: Path | None = None) -> list[Case]:
    """Read and validate ``paths`` (case JSONL, or a help centre's questions TSV); with ``kb_dir``
    also check every reference context against the knowledge files. Raises CaseFileError on the
    first problem."""
    sections = kb_sections(kb_dir) if kb_dir is not None else None
    cases: list[Case] = []
    seen: dict[str, str] = {}
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise CaseFileError(path, 0, "file not found: check the path (suites live in evals/datasets/cases/)")
        if is_questions_tsv(path):
            lines = [(number, line) for number, line in enumerate(questions_tsv_cases(path), start=2)]
        else:
            lines = list(enumerate(path.read_text(encoding="utf-8").splitlines(), start=1))
        for number, line in lines:
            if not line.strip():
                continue
            case = parse_case(line, path, number, sections)
            if case.id in seen:
                raise CaseFileError(path, number, f"duplicate id {case.id!r} (first at {seen[case.id]}): "
                                                  "give every case its own id")
            seen[case.id] = f"{path.name} line {number}"
            cases.append(case)
    if not cases:
        raise CaseFileError(paths[0] if paths else "(no file)", 0, "no cases: add at least one JSON line")
    return cases


def parse_case(line: str, path: Path | str, number: int, sections: dict[str, set[str]] | None = None) -> Case:
    def fail(reason: str):
        raise CaseFileError(path, number, reason)

    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        fail(f"invalid JSON ({exc.msg} at column {exc.colno}): one case per line, as a JSON object")
    if not isinstance(row, dict):
        fail("a case must be a JSON object")
    missing = [k for k in REQUIRED if k not in row]
    if "question" not in row and "turns" not in row:
        missing.append("question or turns")
    if missing:
        fail(f"missing field(s) {', '.join(missing)}: see evals/datasets/cases/README.md for the schema")
    unknown = sorted(set(row) - _KNOWN_KEYS)
    if unknown:
        fail(f"unknown field(s) {', '.join(unknown)}: remove them or put free text in 'note'")
    if not isinstance(row["id"], str) or not row["id"].strip():
        fail("id must be a non-empty string")
    if row["version"] != SCHEMA_VERSION:
        fail(f"version {row['version']!r} is not supported: this Beacon reads version {SCHEMA_VERSION}")
    if "question" in row and "turns" in row:
        fail("give either question or turns, not both")
    turns = row.get("turns", [row.get("question")])
    if not isinstance(turns, list) or not turns or not all(isinstance(t, str) and t.strip() for t in turns):
        fail("question must be a non-empty string, turns a non-empty list of non-empty strings")
    context = row["context"]
    if not isinstance(context, dict) or set(context) - {"region", "language", "tier"}:
        fail("context must be an object with only region, language and tier")
    region = context.get("region")
    if region is not None:
        try:
            written = region_code(str(region))
        except RegionError as exc:
            fail(f"context.region: {exc}; {REGION_HINT} (or null)")
        if written != region:
            fail(f"context.region: {region!r} is written {written!r} in Beacon; {REGION_HINT} (or null)")
    if context.get("tier") not in (None, *TIERS):
        fail(f"context.tier {context.get('tier')!r} is not one of {', '.join(TIERS)} (or null)")
    if not isinstance(row["reference_answer"], str):
        fail("reference_answer must be a string (empty when the expected decision is not answer)")
    refs = row["reference_contexts"]
    if not isinstance(refs, list) or not all(isinstance(r, dict) and {"source", "section"} <= set(r) for r in refs):
        fail("reference_contexts must be a list of {\"source\": ..., \"section\": ...}")
    expected = row["expected"]
    if not isinstance(expected, dict) or "decision" not in expected:
        fail("expected must be an object with decision (and category for an escalation)")
    decision, category = expected.get("decision"), expected.get("category")
    if decision not in DECISIONS:
        fail(f"expected.decision {decision!r} is not one of {', '.join(DECISIONS)}")
    if decision == "escalate" and category not in CATEGORIES:
        fail(f"expected.category {category!r} is not an escalation category ({', '.join(CATEGORIES)})")
    if decision != "escalate" and category is not None:
        fail(f"expected.category must be null unless the decision is escalate (got {category!r})")
    pii_values = row.get("pii_values", [])
    if not isinstance(pii_values, list) or not all(isinstance(v, str) and v for v in pii_values):
        fail("pii_values must be a list of the raw personal values written in the messages")
    if any(v not in " ".join(turns) for v in pii_values):
        fail("every pii_values entry must appear verbatim in the question or turns")
    if decision == "answer" and not refs:
        fail("an answer case needs at least one reference context")
    tags = row["tags"]
    if not isinstance(tags, list) or not tags:
        fail("tags must be a non-empty list")
    bad = [t for t in tags if t not in TAGS]
    if bad:
        fail(f"unknown tag(s) {', '.join(map(str, bad))}: the tags are {', '.join(TAGS)}")
    if sections is not None:
        for ref in refs:
            if ref["source"] not in sections:
                fail(f"reference source {ref['source']!r} is not a file in the knowledge directory: "
                     "fix the path (relative to the knowledge dir, forward slashes)")
            if not section_exists(ref["section"], sections[ref["source"]]):
                fail(f"reference section {ref['section']!r} is not in {ref['source']}: use the heading path "
                     "as ingest shows it (\"Heading > Sub-heading\")")
    return Case(
        id=row["id"], turns=tuple(turns), context=dict(context), reference_answer=row["reference_answer"],
        reference_contexts=tuple((r["source"], r["section"]) for r in refs), expected_decision=decision,
        expected_category=category, tags=tuple(tags), version=row["version"], file=str(path), line=number,
        extra={k: row[k] for k in ("note", "pii_values") if k in row},
    )
