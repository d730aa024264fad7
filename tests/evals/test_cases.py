"""The case schema: the shipped suites load, and each kind of bad input is refused with file, line and reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.cases import CASES_DIR, SUITES, CaseFileError, load_cases, suite_files
from evals.cli import EXIT_BAD_INPUT, run_cli
from evals.retrieval import is_hit

REPO = Path(__file__).resolve().parents[2]
KB = REPO / "knowledge"
GOOD = {"id": "x-1", "version": 1, "question": "how do i freeze my card",
        "context": {"region": None, "language": "en", "tier": None}, "reference_answer": "Open the app.",
        "reference_contexts": [{"source": "faq/cards.md", "section": "How do I freeze my card?"}],
        "expected": {"decision": "answer", "category": None}, "tags": ["faq"]}


def _line(**changes) -> str:
    row = {**GOOD, **changes}
    return json.dumps({k: v for k, v in row.items() if v is not ...})


@pytest.mark.parametrize("lines, line_no, reason", [
    (['{"id": "x-1", "version": 1,'], 1, "invalid JSON"),
    ([_line(expected=...)], 1, "missing field(s) expected"),
    ([_line(question=...)], 1, "missing field(s) question or turns"),
    ([_line(), _line()], 2, "duplicate id 'x-1'"),
    ([_line(reference_contexts=[{"source": "faq/nope.md", "section": "How do I freeze my card?"}])], 1,
     "reference source 'faq/nope.md' is not a file"),
    ([_line(reference_contexts=[{"source": "faq/cards.md", "section": "Made-up heading"}])], 1,
     "reference section 'Made-up heading' is not in faq/cards.md"),
    ([_line(tags=["faq", "spicy"])], 1, "unknown tag(s) spicy"),
    ([_line(expected={"decision": "maybe", "category": None})], 1, "expected.decision 'maybe'"),
    ([_line(expected={"decision": "escalate", "category": "bored"})], 1, "expected.category 'bored'"),
    ([_line(expected={"decision": "answer", "category": "fraud_scam"})], 1, "must be null unless"),
    ([_line(version=7)], 1, "version 7 is not supported"),
    ([_line(turns=["a", "b"])], 1, "either question or turns"),
    ([_line(context={"region": "Mars"})], 1, "context.region: 'Mars' is not a region"),
    ([_line(reference_contexts=[])], 1, "an answer case needs at least one reference context"),
    ([_line(pii_values=["Jane Doe"])], 1, "must appear verbatim"),
    ([_line(colour="blue")], 1, "unknown field(s) colour"),
    (["", _line(), "[1, 2]"], 3, "must be a JSON object"),
])
def test_bad_case_files_are_refused_with_file_line_and_reason(tmp_path, lines, line_no, reason):
    path = tmp_path / "mine.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(CaseFileError) as caught:
        load_cases([path], KB)
    assert caught.value.line == line_no
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"{path} line {line_no}: ")


def test_a_good_case_and_a_multi_turn_case_load(tmp_path):
    path = tmp_path / "mine.jsonl"
    path.write_text(_line() + "\n" + _line(id="x-2", question=..., turns=["hi", "and unfreeze?"]) + "\n")
    first, second = load_cases([path], KB)
    assert first.question == "how do i freeze my card" and first.reference_contexts == (
        ("faq/cards.md", "How do I freeze my card?"),)
    assert second.turns == ("hi", "and unfreeze?") and second.question == "and unfreeze?"


@pytest.mark.parametrize("suite, low, high", [("core", 200, 10_000), ("smoke", 5, 20)])
def test_shipped_suites_are_valid_against_the_demo_kb(suite, low, high):
    cases = load_cases(suite_files(suite), KB)
    assert low <= len(cases) <= high
    tags = {t for c in cases for t in c.tags}
    assert {"faq", "policy", "multi-turn", "region", "out-of-scope", "unanswerable", "pii", "adversarial"} <= tags \
        or suite == "smoke"


def test_core_has_every_decision_and_pii_cases_carry_their_values():
    cases = load_cases(suite_files("core"))
    assert {c.expected_decision for c in cases} == {"answer", "clarify", "escalate"}
    pii = [c for c in cases if "pii" in c.tags]
    assert len(pii) >= 10 and all(c.extra.get("pii_values") for c in pii)


def test_builder_output_is_up_to_date():
    """research/cases/build.py is deterministic: rebuilding gives the committed files."""
    from research.cases.build import derived_cases, kb_chunks

    rebuilt = derived_cases(kb_chunks(KB))
    committed = [json.loads(line) for line in (CASES_DIR / "derived.jsonl").read_text().splitlines()]
    assert rebuilt == committed


def test_unknown_suite_and_bad_file_exit_2_with_the_reason(tmp_path, capsys):
    assert run_cli("nope", False, tmp_path / "out", False, False, None, None, False) == EXIT_BAD_INPUT
    assert "unknown suite 'nope'" in capsys.readouterr().err
    bad = tmp_path / "bad.jsonl"
    bad.write_text(_line() + "\n" + _line() + "\n")
    assert run_cli(None, False, tmp_path / "out", False, False, bad, KB, False) == EXIT_BAD_INPUT
    assert f"{bad} line 2: duplicate id" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    assert set(SUITES) == {"core", "smoke"}


# -- a help centre's questions.tsv (query, target, kind) ------------------------------------
QUESTIONS_KB = {"faq/cards.md": "# Cards\n\n## How do I freeze my card?\n\nTap Freeze.\n",
                "guides/abroad.md": "# Abroad\n\nCards work abroad.\n"}


def _questions(tmp_path, body: str):
    kb = tmp_path / "kb"
    for source, text in QUESTIONS_KB.items():
        (kb / source).parent.mkdir(parents=True, exist_ok=True)
        (kb / source).write_text(text)
    path = tmp_path / "questions.tsv"
    path.write_text("query\ttarget\tkind\n" + body)
    return path, kb


def test_a_questions_tsv_becomes_file_level_cases(tmp_path):
    path, kb = _questions(tmp_path, "my card is lost, freeze it?\tfaq/cards.md\tanswerable\n"
                                    "do cards work in spain\tguides/abroad.md|faq/cards.md\tanswerable\n"
                                    "can i buy gold\t\tunanswerable\n")
    cases = load_cases([path], kb)
    assert [(c.id, c.question, c.expected_decision, c.expected_category, c.reference_contexts, c.tags) for c in cases] == [
        ("questions-001", "my card is lost, freeze it?", "answer", None, (("faq/cards.md", ""),), ("faq",)),
        ("questions-002", "do cards work in spain", "answer", None, (("guides/abroad.md", ""), ("faq/cards.md", "")),
         ("faq",)),
        ("questions-003", "can i buy gold", "escalate", "unanswered", (), ("unanswerable",)),
    ]


@pytest.mark.parametrize(
    ("body", "line", "reason"),
    [
        ("q\tfaq/cards.md\tmaybe\n", 2, "kind 'maybe' is not one of answerable, unanswerable"),
        ("q\t\tanswerable\n", 2, "needs a target file"),
        ("q\tfaq/cards.md\tunanswerable\n", 2, "has an empty target"),
        ("ok\tfaq/cards.md\tanswerable\nq\tfaq/nope.md\tanswerable\n", 3, "'faq/nope.md' is not a file"),
        ("q\tfaq/cards.md\n", 2, "2 columns"),
    ],
    ids=["bad-kind", "answerable-without-target", "unanswerable-with-target", "unknown-file", "missing-column"],
)
def test_a_broken_questions_tsv_names_the_line(tmp_path, body, line, reason):
    path, kb = _questions(tmp_path, body)
    with pytest.raises(CaseFileError) as caught:
        load_cases([path], kb)
    assert caught.value.line == line and reason in caught.value.reason


def test_file_level_labels_hit_any_section_of_the_file():
    assert is_hit("faq/cards.md", "How do I freeze my card?", (("faq/cards.md", ""),))
    assert not is_hit("faq/other.md", "", (("faq/cards.md", ""),))
    assert not is_hit("faq/cards.md", "Other", (("faq/cards.md", "Fees"),))
