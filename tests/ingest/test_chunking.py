"""ingest/chunking.py: one chunk per FAQ entry; policies split along headings, then to a token budget."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.core.tokens import count_tokens
from ingest.chunking import chunk_document, chunk_id, split_to_budget
from ingest.document import LoadedDocument
from ingest.folder import scan
from ingest.loaders.markdown import load_markdown
from ingest.loaders.yaml_faq import load_yaml_faq
from ingest.reading import parse_document, read_document

KB = Path(__file__).resolve().parents[2] / "knowledge"
BUDGETS = (64, 128, 220)


def _normalised(text: str) -> str:
    return " ".join(text.split())


def _read_kb() -> list[LoadedDocument]:
    supported, _ = scan(KB)
    return [read_document(path, path.relative_to(KB).as_posix(), 2_000_000) for path in supported]


@pytest.fixture(scope="module")
def kb_documents() -> list[LoadedDocument]:
    return _read_kb()


def _sentences(count: int, seed: int) -> str:
    words = ["fee", "card", "transfer", "balance", "limit", "Premium", "exchange", "5.99", "€12.50", "naïve", "🙂",
             "withdrawal", "https://lodestar.example/help/cards?ref=kb", "two-factor", "(optional)", "UK/EU"]
    out = []
    for n in range(count):
        length = 4 + (n * seed) % 23
        sentence = " ".join(words[(n * 7 + k * seed) % len(words)] for k in range(length))
        out.append(sentence[:1].upper() + sentence[1:] + ".")
    return " ".join(out)


# Sections that are long in different ways, so each boundary level gets used.
LONG_POLICY = "\n".join([
    "# Long policy",
    "## Many paragraphs",
    "\n\n".join(_sentences(6, seed) for seed in range(3, 12)),
    "## One long paragraph",
    _sentences(60, 5),
    "## One long line without punctuation",
    " ".join(f"word{n}" for n in range(900)),
    "## A long list",
    "\n".join(f"- item {n}: {_sentences(1, n + 2)}" for n in range(80)),
    "### A table under it",
    "\n".join(f"| row {n} | {n * 1.5:.2f} | {_sentences(1, n + 3)} |" for n in range(60)),
])


@pytest.fixture(scope="module")
def long_policy() -> LoadedDocument:
    return parse_document(LONG_POLICY, "policies/long.md", load_markdown)


def _policies(kb_documents, long_policy):
    return [d for d in kb_documents if d.meta.doc_type == "policy"] + [long_policy]


@pytest.mark.parametrize("budget", BUDGETS)
def test_no_policy_chunk_is_over_the_budget(kb_documents, long_policy, budget):
    over = [
        (chunk.source, chunk.section, count_tokens(chunk.text))
        for document in _policies(kb_documents, long_policy)
        for chunk in chunk_document(document, budget)
        if count_tokens(chunk.text) > budget
    ]
    assert over == []


@pytest.mark.parametrize("budget", BUDGETS)
def test_no_text_is_lost_or_reordered(kb_documents, long_policy, budget):
    for document in _policies(kb_documents, long_policy):
        chunks = chunk_document(document, budget)
        for section in document.sections:
            mine = [c for c in chunks if (c.section_path, c.line) == (section.path, section.line)]
            assert mine, f"{document.source} {section.path} has no chunk"
            assert _normalised(" ".join(c.text for c in mine)) == _normalised(section.text)
            for chunk in mine:  # each chunk is one contiguous passage of its section
                assert _normalised(chunk.text) in _normalised(section.text)


def test_long_sections_are_split_and_short_ones_are_not(long_policy):
    chunks = chunk_document(long_policy, 128)
    per_section = {}
    for chunk in chunks:
        per_section[chunk.section] = per_section.get(chunk.section, 0) + 1
    assert all(count > 1 for count in per_section.values()), per_section
    assert len(chunk_document(long_policy, 100_000)) == len(long_policy.sections)


@pytest.mark.parametrize("budget", BUDGETS)
def test_each_faq_entry_is_exactly_one_chunk(kb_documents, budget):
    for document in (d for d in kb_documents if d.meta.doc_type == "faq"):
        chunks = chunk_document(document, budget)
        entries = [s for s in document.sections if s.question and len(s.path) == 1]
        assert entries, document.source
        for entry in entries:
            mine = [c for c in chunks if c.question == entry.question]
            assert [c.section_path for c in mine] == [(entry.question,)], (document.source, entry.question)
            assert mine[0].text.startswith(entry.text)
            assert mine[0].embed_text == f"{entry.question}\n{mine[0].text}"


def test_faq_answer_over_the_budget_stays_whole():
    answer = _sentences(40, 7)
    text = f"title: Long\nfaqs:\n  - question: Why is this so long?\n    answer: \"{answer}\"\n"
    document = parse_document(text, "faq/long.yaml", load_yaml_faq)
    chunks = chunk_document(document, 64)
    assert count_tokens(answer) > 64
    assert [(c.section_path, c.text) for c in chunks] == [(("Why is this so long?",), answer)]


MARKDOWN_FAQ = """# Cards FAQ

Intro for the whole page.

## How do I freeze my card?
Tap Freeze.
### On the web
Use the dashboard.
#### Old browsers
Update first.

## Where is my PIN?
Under Card.
"""


def test_markdown_faq_sub_headings_stay_inside_their_answer():
    document = parse_document(MARKDOWN_FAQ, "faq/cards.md", load_markdown)
    chunks = chunk_document(document, 220)
    assert [(c.section_path, c.question, c.line, c.text) for c in chunks] == [
        ((), None, 3, "Intro for the whole page."),
        (("How do I freeze my card?",), "How do I freeze my card?", 5,
         "Tap Freeze.\n\nOn the web\nUse the dashboard.\n\nOn the web > Old browsers\nUpdate first."),
        (("Where is my PIN?",), "Where is my PIN?", 12, "Under Card."),
    ]


def test_question_followed_directly_by_a_sub_heading_is_still_one_entry():
    text = "## How do I freeze my card?\n### In the app\nTap Freeze.\n### On the web\nUse the dashboard.\n"
    document = parse_document(text, "faq/cards.md", load_markdown)
    chunks = chunk_document(document, 220)
    assert [c.section_path for c in chunks] == [("How do I freeze my card?",)]
    assert all(words in chunks[0].text for words in ("In the app", "Tap Freeze.", "On the web", "Use the dashboard."))


NESTED = """# Fee schedule

Intro.

## Cards
Card text.
### Replacement
Replacement text.
#### Express
Express text.
### Virtual
Virtual text.
## Transfers
Transfer text.
#### Deep jump
Deep text.
## Cards
A second Cards section.
"""


def test_heading_paths_and_embed_text_of_a_nested_policy():
    document = parse_document(NESTED, "policies/fees.md", load_markdown)
    chunks = chunk_document(document, 220)
    assert [(c.section, c.line, c.embed_text) for c in chunks] == [
        ("", 3, "Fee schedule\nIntro."),
        ("Cards", 5, "Fee schedule > Cards\nCard text."),
        ("Cards > Replacement", 7, "Fee schedule > Cards > Replacement\nReplacement text."),
        ("Cards > Replacement > Express", 9, "Fee schedule > Cards > Replacement > Express\nExpress text."),
        ("Cards > Virtual", 11, "Fee schedule > Cards > Virtual\nVirtual text."),
        ("Transfers", 13, "Fee schedule > Transfers\nTransfer text."),
        ("Transfers > Deep jump", 15, "Fee schedule > Transfers > Deep jump\nDeep text."),
        ("Cards", 17, "Fee schedule > Cards\nA second Cards section."),
    ]
    assert all(c.question is None and c.meta.doc_type == "policy" for c in chunks)


def test_chunk_ids_are_stable_across_runs_and_unique(long_policy):
    first = [c.chunk_id for d in _read_kb() for c in chunk_document(d, 128)]
    second = [c.chunk_id for d in _read_kb() for c in chunk_document(d, 128)]
    assert first == second
    assert len(set(first)) == len(first)
    nested = [c.chunk_id for c in chunk_document(parse_document(NESTED, "policies/fees.md", load_markdown), 220)]
    assert len(set(nested)) == len(nested)  # the two "Cards" sections differ by occurrence
    long_ids = [c.chunk_id for c in chunk_document(long_policy, 64)]
    assert len(set(long_ids)) == len(long_ids)  # the parts of one section differ by part number


def test_chunk_id_depends_on_position_not_on_text():
    edited = NESTED.replace("Card text.", "Card text, reworded by an editor.")
    before = [c.chunk_id for c in chunk_document(parse_document(NESTED, "policies/fees.md", load_markdown), 220)]
    after = [c.chunk_id for c in chunk_document(parse_document(edited, "policies/fees.md", load_markdown), 220)]
    assert before == after


@pytest.mark.parametrize(
    "other",
    [
        ("faq/b.md", ("Q",), 0, 0),
        ("faq/a.md", ("R",), 0, 0),
        ("faq/a.md", ("Q", "Sub"), 0, 0),
        ("faq/a.md", ("Q",), 1, 0),
        ("faq/a.md", ("Q",), 0, 1),
        ("faq/a.md", ("Q Sub",), 0, 0),  # joining the path must not make two paths collide
    ],
)
def test_chunk_id_changes_with_each_coordinate(other):
    assert chunk_id("faq/a.md", ("Q",), 0, 0) == chunk_id("faq/a.md", ("Q",), 0, 0)
    assert chunk_id(*other) != chunk_id("faq/a.md", ("Q",), 0, 0)


@pytest.mark.parametrize(
    ("text", "budget", "pieces"),
    [
        ("  Short text.  ", 10, ["Short text."]),
        ("Para one is here.\n\nPara two is here.", 6, ["Para one is here.", "Para two is here."]),
        ("Para one is here.\n\nPara two is here.", 20, ["Para one is here.\n\nPara two is here."]),
        ("Line one is here\nLine two is here", 5, ["Line one is here", "Line two is here"]),
        ("One two three. Four five six! Seven eight nine?", 5,
         ["One two three.", "Four five six!", "Seven eight nine?"]),
        ("a b c d e f g h", 4, ["a b c", "d e f", "g h"]),
        ("First para.\n\nSecond para has a line\nand another line here.", 8,
         ["First para.", "Second para has a line", "and another line here."]),
    ],
)
def test_split_to_budget_prefers_natural_boundaries(text, budget, pieces):
    assert split_to_budget(text, budget) == pieces


@pytest.mark.parametrize("budget", [8, *BUDGETS])
@pytest.mark.parametrize(
    "word",
    ["x" * 5_000, "ab12" * 1_250, "é" * 3_000, "🙂" * 1_000],
    ids=["x", "ab12", "accented", "emoji"],
)
def test_a_giant_word_is_cut_within_the_budget(word, budget):
    pieces = split_to_budget(word, budget)
    assert len(pieces) > 1
    assert max(count_tokens(p) for p in pieces) <= budget
    assert "".join(pieces) == word


@pytest.mark.parametrize("budget", BUDGETS)
def test_a_giant_word_inside_a_sentence_gets_no_spaces_added(budget):
    text = "See the address " + "0x" + "ab12" * 600 + " before you send."
    for piece in split_to_budget(text, budget):
        assert _normalised(piece) in _normalised(text)


def test_a_lead_in_goes_with_what_it_introduces_when_a_chunk_ends_on_it():
    intro = "The console runs Python commands and shows their results as objects. " * 3
    text = intro + "\n\nLet us call listunspent to see the unspent outputs:\n\n```\n>> listunspent()\n[]\n```"
    budget = count_tokens(intro.strip() + "\n\nLet us call listunspent to see the unspent outputs:") + 2  # the code does not fit after
    pieces = split_to_budget(text, budget)
    assert pieces == [intro.strip(), "Let us call listunspent to see the unspent outputs:\n\n```\n>> listunspent()\n[]\n```"]
    assert max(count_tokens(p) for p in pieces) <= budget


def test_a_lead_in_stays_put_when_the_next_chunk_has_no_room_for_it():
    intro = "The console runs Python commands and shows their results as objects."
    code = "```\n" + "\n".join(f">> command_number_{n}()" for n in range(12)) + "\n```"
    text = intro + "\n\nLet us call these:\n\n" + code
    budget = max(count_tokens(code), count_tokens(intro + "\n\nLet us call these:"))
    pieces = split_to_budget(text, budget)
    assert max(count_tokens(p) for p in pieces) <= budget
    assert pieces[0].endswith("Let us call these:") and pieces[1] == code


def test_a_code_block_over_the_budget_is_split_into_fenced_pieces():
    # Electrum's console page: a long listunspent() output was cut across chunks with one fence
    # each, so the reply quoted half a block as one line of prose.
    lines = [f'"address_{n}": "12cmY5RHRgx8KkUKASDcDYRotget9FNso{n}",' for n in range(40)]
    text = "Let us call listunspent:\n\n```json\n" + "\n".join(lines) + "\n```\n\nNote the result is JSON."
    pieces = split_to_budget(text, 128)
    assert max(count_tokens(p) for p in pieces) <= 128
    code = [p for p in pieces if "address_" in p]
    assert len(code) > 1
    assert all(p.count("```") == 2 for p in code)
    assert [line for p in code for line in p.split("\n") if line.startswith('"address_')] == lines


def test_a_lead_in_keeps_the_first_lines_of_the_long_code_block_it_introduces():
    # Electrum's console page: "Let us call listunspent(), to see …:" ended its chunk alone once the
    # code pieces were packed full, and the reply could not quote it with its code.
    intro = "The console runs Python. " * 12
    lines = [f'    "address_{n}": "12cmY5RHRgx8KkUKASDcDYRotget9FNso{n}",' for n in range(40)]
    lead_in = ("Let us call listunspent, to see the list of unspent outputs in the wallet, with their addresses "
               "and values:")
    text = intro + "\n\n" + lead_in + "\n\n```\n" + "\n".join(lines) + "\n```"
    pieces = split_to_budget(text, 220)
    lead = next(p for p in pieces if lead_in in p)
    assert lead.split(lead_in)[1].startswith("\n\n```\n" + lines[0])
    assert all(p.count("```") in (0, 2) for p in pieces) and max(count_tokens(p) for p in pieces) <= 220
    assert [line for p in pieces for line in p.split("\n") if line.startswith('    "address_')] == lines


def test_a_chunk_keeps_the_links_in_its_own_text():
    import json

    from ingest.nodes import chunk_metadata

    # "this guide" is written twice: each chunk keeps the link of its own section.
    text = ("# Shop\n\n## Till\n\nRead [this guide](till.md) for the till.\n\n## Fees\n\nFees are in the "
            "[price list](prices.md), read [this guide](fees.md).\n")
    till, fees = chunk_document(parse_document(text, "shop.md", load_markdown), 220)
    assert till.anchors == (("this guide", "till.md"),)
    assert fees.anchors == (("price list", "prices.md"), ("this guide", "fees.md"))
    assert json.loads(chunk_metadata(till, "h", 2, "now")["anchors"]) == [["this guide", "till.md"]]
    assert chunk_metadata(chunk_document(parse_document("# A\n\nNo links.\n", "a.md", load_markdown), 220)[0],
                          "h", 1, "now")["anchors"] == ""


def test_a_section_that_only_introduces_its_sub_section_is_read_with_it():
    # Monero's verification guide: "This section will cover …" alone was a chunk that answered nothing.
    text = ("# Verify\n\n## Download and Verify Hash File\n\nThis section will cover downloading the hash file and "
            "verifying it.\n\n### Get Hash File\n\nGo to getmonero.org and save the page as hashes.txt.\n\n"
            "## Fees\n\nSending costs a network fee.\n\n### Priority\n\nA higher priority costs more.\n")
    chunks = chunk_document(parse_document(text, "verify.md", load_markdown), 220)
    assert [(c.section, c.line, c.text) for c in chunks] == [
        ("Download and Verify Hash File > Get Hash File", 3,
         "This section will cover downloading the hash file and verifying it.\n\nGo to getmonero.org and save the "
         "page as hashes.txt."),
        ("Fees", 11, "Sending costs a network fee."),  # says something itself: its own chunk
        ("Fees > Priority", 15, "A higher priority costs more."),
    ]


def _fenced_pieces(pieces: list[str], info: str) -> list[str]:
    """The code of each piece that holds some, checked to be one whole block fenced with ``info``."""
    code = []
    for piece in (p for p in pieces if "```" in p):
        fences = re.findall(r"^```.*$", piece, re.M)
        assert fences == [f"```{info}", "```"], piece
        code.append(re.search(rf"^```{info}\n(.*?)\n```$", piece, re.M | re.S).group(1))
    return code


def _settings_json(services: int) -> list[str]:
    """An indented JSON document whose objects are parted by blank lines."""
    lines = ["{"]
    for n in range(services):
        lines += [f'    "service_{n}": {{', f'        "port": {8000 + n},', '        "hosts": [',
                  f'            "a{n}.internal",', f'            "b{n}.internal"', "        ],",
                  f'        "enabled": {"true" if n % 2 else "false"}', "    },", ""]
    return lines[:-1] + ["}"]


def _only_blank_lines_between(whole: str, bodies: list[str]) -> bool:
    """``bodies`` are consecutive stretches of ``whole`` as written, with only blank lines left out
    where one piece ends and the next starts."""
    at = 0
    for body in bodies:
        found = whole.find(body, at)
        if found < 0 or whole[at:found].strip("\n") or found and whole[found - 1] != "\n":
            return False
        at = found + len(body)
    return not whole[at:].strip()


@pytest.mark.parametrize("budget", BUDGETS)
def test_a_code_block_over_the_budget_keeps_its_indentation_and_blank_lines(budget):
    lines = _settings_json(14)
    block = "```json\n" + "\n".join(lines) + "\n```"
    text = "The settings file looks like this:\n\n" + block + "\n\nRestart the service after editing it."
    pieces = split_to_budget(text, budget)
    assert max(count_tokens(p) for p in pieces) <= budget
    bodies = _fenced_pieces(pieces, "json")
    assert len(bodies) > 1
    assert _only_blank_lines_between("\n".join(lines), bodies)
    assert all(body.split("\n")[0].strip() and body.split("\n")[-1].strip() for body in bodies)
    assert any("\n\n" in body for body in bodies)  # blank lines inside a piece stay
    assert all(body.startswith((" ", "}")) for body in bodies[1:])  # a piece starts inside the object, indented
    assert pieces[0].startswith("The settings file looks like this:")
    assert pieces[-1].endswith("Restart the service after editing it.")


def _pipeline_yaml(jobs: int) -> str:
    """A YAML file nested three deep, its jobs parted by blank lines."""
    out = ["stages:", "  - build", "  - test", "", "jobs:"]
    for n in range(jobs):
        out += [f"  job_{n}:", "    image: python:3.11", "    script:", f"      - make target_{n}",
                f"      - ./check.sh --shard {n}", "    retry: 2", ""]
    return "\n".join(out).rstrip()


@pytest.mark.parametrize("budget", BUDGETS)
def test_a_section_that_is_one_code_block_over_the_budget_is_split_into_fenced_pieces(budget):
    code = _pipeline_yaml(30)
    document = parse_document(f"# Pipeline\n\n## The file\n\n```yaml\n{code}\n```\n", "pipeline.md", load_markdown)
    assert document.sections[-1].text == f"```\n{code}\n```"  # the loader drops the info string
    chunks = chunk_document(document, budget)
    assert len(chunks) > 1 and all(c.section == "The file" for c in chunks)
    assert max(count_tokens(c.text) for c in chunks) <= budget
    bodies = _fenced_pieces([c.text for c in chunks], "")
    assert len(bodies) == len(chunks)  # every chunk is a whole block: no fence opened in one, closed in another
    assert _only_blank_lines_between(code, bodies)


@pytest.mark.parametrize(
    "text",
    [
        "```yaml\n" + _pipeline_yaml(2) + "\n```",
        "Put this in the file:\n\n```yaml\n" + _pipeline_yaml(2) + "\n```\n\nThen push it.",
        "```python\ndef fee(amount):\n\n    if amount > 100:\n        return 0\n\n    return 1.5\n```",
    ],
    ids=["alone", "between-prose", "python"],
)
def test_a_code_block_within_the_budget_is_kept_byte_for_byte(text):
    block = re.search(r"^```.*?^```$", text, re.M | re.S).group(0)
    assert count_tokens(block) <= 128
    assert split_to_budget(text, 1_000) == [text]
    long_prose = "\n\n".join(_sentences(4, seed) for seed in range(3, 9))
    pieces = split_to_budget(long_prose + "\n\n" + text, 128)  # the section is split; the block is not
    assert sum(block in piece for piece in pieces) == 1


def test_a_code_line_over_the_budget_is_cut_at_its_spaces_and_keeps_its_indentation():
    line = "    run --flag " + " ".join(f"--option-{n}=value{n}" for n in range(80))
    text = "```sh\nset -e\n" + line + "\necho done\n```"
    pieces = split_to_budget(text, 64)
    assert max(count_tokens(p) for p in pieces) <= 64
    bodies = _fenced_pieces(pieces, "sh")
    lines = "\n".join(bodies).split("\n")
    assert lines[1].startswith("    run --flag ")
    assert lines[0] == "set -e" and lines[-1] == "echo done" and len(lines) > 3
    assert " ".join(lines[1:-1]) == line  # cut only where a space was
