"""The `beacon` CLI end to end, in process, with the real embedder and a real embedded Chroma."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import app.index.embedding
from app.cli.commands import cli

RESULT_FIELDS = {"chunk_id", "source", "title", "section", "text", "score", "doc_type", "category", "region",
                 "audience", "effective_date", "version", "tags", "question", "line", "content_hash",
                 "dense_score", "sparse_score", "rerank_score", "url"}


@pytest.fixture(autouse=True)
def _shared_embedder(monkeypatch, embedder):
    """Every invocation would load the model again; share the session's copy instead."""
    monkeypatch.setattr(app.index.embedding, "build_embedder", lambda settings: embedder)


@pytest.fixture
def run():
    def invoke(*args, input=None):
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def demo_env(monkeypatch, demo_index):
    monkeypatch.setenv("BEACON_DATA_DIR", str(demo_index))


def test_ingest_json_summary(run, tmp_path):
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "cards.md").write_text("# Cards FAQ\n\n## How do I freeze my card?\nTap Card > Freeze.\n")
    (kb / "photo.png").write_bytes(b"\x89PNG")
    result = run("ingest", "--kb", str(kb), "--json")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert summary["ok"] is True
    assert summary["summary"]["added"] == {"files": 1, "chunks": 1}
    assert summary["summary"]["skipped"]["files"] == 1
    assert summary["chunks_in_store"] == 1
    assert {"kb_dir", "store", "collection", "embedding_model", "files", "seconds"} <= summary.keys()


def test_ingest_with_a_broken_file_exits_1_and_names_file_line_and_fix(run, tmp_path):
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "good.md").write_text("# Good\n\nSome policy text.\n")
    (kb / "bad.md").write_text("---\ntitle: Bad\nregion: Mars\n---\n# Bad\n\ntext\n")
    result = run("ingest", "--kb", str(kb))
    assert result.exit_code == 1
    assert ("bad.md line 3: region 'Mars' is not a region — write a short code in capitals (EU, UK, US, CA, APAC)"
            in result.stdout)


@pytest.mark.parametrize(
    ("env", "args", "message"),
    [
        ({}, ["ingest", "--kb", "/nonexistent/kb"], "error: knowledge directory /nonexistent/kb does not exist"),
        ({"BEACON_KNOWLEGE_DIR": "x"}, ["ingest"], "did you mean BEACON_KNOWLEDGE_DIR?"),
        ({"BEACON_CHUNK_MAX_TOKENS": "lots"}, ["ingest"], "BEACON_CHUNK_MAX_TOKENS"),
        ({"BEACON_CHROMA_URL": "localhost:8000"}, ["ingest"], "write it like http://localhost:8000"),
        ({}, ["search", "anything"], "is empty: run `beacon ingest` first"),
    ],
)
def test_errors_are_one_line_with_the_fix_and_exit_2(run, monkeypatch, env, args, message):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_search_json_puts_the_authenticator_faq_first(run, demo_env):
    result = run("search", "I lost my phone with my authenticator app", "--json")
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    first = payload["results"][0]
    assert first["source"] == "faq/recovery.md"
    assert first["section"].startswith("I lost my phone with my authenticator app")
    assert all(RESULT_FIELDS <= r.keys() for r in payload["results"])
    assert len(payload["results"]) == 5
    assert [r["score"] for r in payload["results"]] == sorted((r["score"] for r in payload["results"]), reverse=True)
    assert set(payload["latency_ms"]) == {"embed_ms", "retrieve_ms", "sparse_ms", "fuse_ms", "sentences_ms"}
    assert payload["mode"] == "hybrid"


def test_search_and_ask_give_each_source_its_public_page(run, tmp_path, monkeypatch):
    """A file's own address (front matter url) wins; the others get BEACON_KB_URL_TEMPLATE's."""
    kb = tmp_path / "kb"
    (kb / "cards").mkdir(parents=True)
    (kb / "cards" / "freeze.md").write_text(
        "---\nurl: /hc/articles/4410-freeze-your-card\n---\n# Freezing your card\n\n## How do I freeze my card?\n"
        "Open the app, tap Card, then tap Freeze card. "
        "Card payments abroad are explained in [our travel guide](README.md#abroad).\n")
    (kb / "cards" / "README.md").write_text("# Cards\n\nOur debit cards work in 150 countries without a fee.\n")
    monkeypatch.setenv("BEACON_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BEACON_KB_URL_TEMPLATE", "https://help.example.com/{page}/")
    expected = {"cards/README.md": ["https://help.example.com/cards/"],
                "cards/freeze.md": ["https://help.example.com/hc/articles/4410-freeze-your-card"]}
    added = json.loads(run("ingest", "--kb", str(kb), "--json").stdout)
    assert {f["source"]: f["urls"] for f in added["files"]} == expected  # an editor checks them before going live
    unchanged = json.loads(run("ingest", "--kb", str(kb), "--json").stdout)  # read from what the index stores
    assert {f["source"]: (f["status"], f["urls"]) for f in unchanged["files"]} == {
        source: ("unchanged", urls) for source, urls in expected.items()}

    results = json.loads(run("search", "how do I freeze my card", "--json").stdout)["results"]
    pages = {r["source"]: r["url"] for r in results}
    assert pages == {"cards/freeze.md": "https://help.example.com/hc/articles/4410-freeze-your-card",
                     "cards/README.md": "https://help.example.com/cards/"}

    answer = json.loads(run("ask", "how do I freeze my card?", "--json").stdout)
    assert answer["citations"][0]["url"] == "https://help.example.com/hc/articles/4410-freeze-your-card"
    # a link to another article of the KB opens that article's page, at the anchor the author wrote
    assert "[our travel guide](https://help.example.com/cards/#abroad)" in answer["answer"]
    assert answer["output_check"]["passed"]
    text = run("ask", "how do I freeze my card?").stdout
    assert "https://help.example.com/hc/articles/4410-freeze-your-card" in text

    monkeypatch.delenv("BEACON_KB_URL_TEMPLATE")  # no site to read the file's path on: no address
    results = json.loads(run("search", "how do I freeze my card", "--json").stdout)["results"]
    assert [r["url"] for r in results] == [None, None]
    answer = json.loads(run("ask", "how do I freeze my card?", "--json").stdout)
    assert "in our travel guide." in answer["answer"] and "](" not in answer["answer"]  # no page: the words alone


def test_search_region_filter_keeps_region_and_global_documents(run, demo_env):
    result = run("search", "what does an ATM withdrawal cost", "--region", "us", "--top-k", "10", "--json")
    regions = {r["region"] for r in json.loads(result.stdout)["results"]}
    assert regions <= {"US", "global"} and "US" in regions


def test_search_jsonl_answers_each_line_in_order_and_reports_bad_lines(run, demo_env):
    lines = "\n".join([
        json.dumps({"query": "how do I freeze my card"}),
        "not json",
        json.dumps({"query": "complaint to the ombudsman", "region": "UK", "top_k": 2}),
    ])
    result = run("search", "--jsonl", "-", input=lines)
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["query"] for o in out] == ["how do I freeze my card", None, "complaint to the ombudsman"]
    assert out[1]["error"].startswith("line 2:")
    assert len(out[2]["results"]) == 2 and out[2]["region"] == "UK"
    assert all(r["region"] in ("UK", "global") for r in out[2]["results"])


def test_search_text_output_is_readable(run, demo_env):
    result = run("search", "freeze my card", "-k", "2")
    assert result.exit_code == 0
    assert result.stdout.startswith("1. [")
    assert "faq/cards.md" in result.stdout



def test_eval_refuses_a_broken_case_file_with_file_line_and_reason(run, tmp_path):
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"id": "a", "version": 1}\nnot json\n')
    (tmp_path / "kb").mkdir()
    result = run("eval", "--cases", str(cases), "--kb", str(tmp_path / "kb"), "--no-progress")
    assert result.exit_code == 2
    assert f"{cases} line 1:" in result.output


@pytest.mark.parametrize("args, message", [
    (["--suite", "nope"], "unknown suite 'nope'"),
    (["--kb", "knowledge"], "--kb needs --cases"),
    (["--cases", "x.jsonl", "--kb", "/no/such/dir"], "knowledge directory /no/such/dir does not exist"),
])
def test_eval_bad_arguments_exit_2_with_the_fix(run, args, message):
    result = run("eval", "--no-progress", *args)
    assert result.exit_code == 2 and message in result.output
