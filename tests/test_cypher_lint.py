"""Every statement in graph/cypher.py passes Neo4j's own Cypher front end.

tools/cypher-lint/lint.mjs runs `lintCypherQuery` of @neo4j-cypher/language-support (pinned in
tools/cypher-lint/package-lock.json; `npm ci --prefix tools/cypher-lint`). Parameters are passed as
declared, labels and relationship types as the database schema, so any diagnostic is a real fault:
a syntax error, an undefined variable, a misspelt label or type, a deprecated construct. The
examples in docs/NEO4J.md are checked too. One node run lints everything (it takes seconds).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import cypher_lint
from zhitu.graph import cypher
from zhitu.graph.model import Label, RelationType

ROOT = Path(__file__).resolve().parent.parent
LINT_DIR = ROOT / "tools" / "cypher-lint"
PACKAGE = LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support"
DOCS = ROOT / "docs" / "NEO4J.md"
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")

# name -> (query, declare its parameters?, a message the linter must give)
BROKEN = {
    # a pattern left open: a syntax error
    "syntax": ("MATCH (q:Question RETURN q", True, "Invalid input"),
    # `x` was never bound: semantic analysis, not just parsing
    "undefined": ("MATCH (q:Question) RETURN x", True, "Variable `x` not defined"),
    # a misspelt label against the declared schema
    "label": ("MATCH (q:Qestion) RETURN q.id AS id", True, "Label Qestion is not present"),
    # a subquery form Neo4j 5 deprecates
    "deprecated": (
        "MATCH (q:Question) CALL { WITH q RETURN q.id AS id } RETURN id",
        True,
        "deprecated",
    ),
    # a parameter nobody declared
    "parameter": ("MATCH (q:Question {id: $id}) RETURN q", False, "Parameter $id is not defined"),
}


def _statements() -> dict[str, str]:
    return {
        name: value
        for name, value in sorted(vars(cypher).items())
        if re.fullmatch(r"[A-Z][A-Z0-9_]*", name) and isinstance(value, str)
    }


def _examples() -> dict[str, str]:
    found = re.findall(r"```cypher\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    return {f"docs/NEO4J.md example {i + 1}": query for i, query in enumerate(found)}


def _item(name: str, query: str, declare: bool = True) -> dict[str, Any]:
    return {
        "name": name,
        "query": query,
        "params": {p: None for p in _PARAM.findall(query)} if declare else {},
        "labels": [label.value for label in Label],
        "relationshipTypes": [rel.value for rel in RelationType],
    }


@pytest.fixture(scope="module")
def diagnostics() -> dict[str, list[dict[str, Any]]]:
    """{name: [diagnostic, ...]} for the statements, the examples and the broken cases."""
    items = [_item(n, q) for n, q in {**_statements(), **_examples()}.items()]
    items += [_item(f"broken {n}", q, declare) for n, (q, declare, _) in BROKEN.items()]
    return {r["name"]: r["diagnostics"] for r in cypher_lint(items)}


def test_module_has_statements() -> None:
    assert {"MERGE_QUESTIONS", "CHAIN", "RELATED", "SEARCH"} <= set(_statements())


def test_every_statement_passes_the_cypher_front_end(diagnostics) -> None:
    faults = {name: diagnostics[name] for name in _statements() if diagnostics[name]}
    assert faults == {}, json.dumps(faults, ensure_ascii=False, indent=1)


def test_documented_examples_pass_the_cypher_front_end(diagnostics) -> None:
    assert len(_examples()) >= 2  # a question's prerequisite chain, a concept's questions
    faults = {name: diagnostics[name] for name in _examples() if diagnostics[name]}
    assert faults == {}, json.dumps(faults, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_the_check_can_fail(diagnostics, case: str) -> None:
    expected = BROKEN[case][2]
    messages = [d["message"] for d in diagnostics[f"broken {case}"]]
    assert any(expected in m for m in messages), messages


def test_bad_input_is_an_error(diagnostics) -> None:  # the fixture: skip or fail as above
    proc = subprocess.run(
        ["node", str(LINT_DIR / "lint.mjs")], input="{}", capture_output=True, text=True
    )
    assert proc.returncode == 2 and "bad input" in proc.stderr
