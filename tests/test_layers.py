"""The layer rules of docs/architecture.md, checked with import-linter (contracts in
pyproject.toml) and, for bench/ (scripts, not a package), by reading the imports."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHIPPED = ("app", "ingest", "guardrails", "evals")
LINT = Path(sys.executable).parent / "lint-imports"


def lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--no-cache", "--no-logo"], cwd=root, capture_output=True, text=True,
                          timeout=120)


def test_every_layer_contract_is_kept():
    result = lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(" KEPT") == 4


@pytest.mark.parametrize("module, line, contract", [
    ("app/core/stats.py", "import app.chain.answer_chain", "Each layer imports only the layers below it"),
    ("guardrails/normalize.py", "from app.handoff import tickets", "Each layer imports only the layers below it"),
    ("ingest/folder.py", "import app.service.beacon_service", "Each layer imports only the layers below it"),
    ("app/index/store.py", "import guardrails.topics", "Each layer imports only the layers below it"),
    ("app/ui/plots.py", "import app.index.retrieval", "reach Beacon only through the service"),
    ("app/service/insights.py", "import click", "Only the CLI imports click"),
    ("evals/gate.py", "import research.paths", "never import research code"),
])
def test_an_import_against_the_layers_is_caught(tmp_path, module, line, contract):
    for name in (*SHIPPED, "research", "tests"):
        shutil.copytree(REPO / name, tmp_path / name, ignore=shutil.ignore_patterns("*.onnx", "*.jsonl", "__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    with (tmp_path / module).open("a", encoding="utf-8") as source:
        source.write(f"\n{line}\n")
    result = lint(tmp_path)
    assert result.returncode == 1
    broken = result.stdout.split("Broken contracts", 1)[1]
    assert contract in broken and module.removesuffix(".py").replace("/", ".") in broken


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_no_shipped_module_imports_the_benchmarks():
    offenders = [str(path.relative_to(REPO)) for package in SHIPPED for path in (REPO / package).rglob("*.py")
                 if _imported_roots(path) & {"bench", "machine"}]
    assert offenders == []
