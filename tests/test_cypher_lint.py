"""Every statement in graph/cypher.py passes Neo4j's own Cypher front end.

tools/cypher-lint/lint.mjs runs `lintCypherQuery` of @neo4j-cypher/language-support (pinned in
tools/cypher-lint/package-lock.json; `npm ci --prefix tools/cypher-lint`). Parameters are passed as
declared, labels and relationship types as the database schema, so any diagnostic is a real fault:
a syntax error, an undefined variable, a misspelt label or type.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from graph import cypher
from graph.model import Label, RelationType

LINT_DIR = Path(__file__).resolve().parent.parent / "tools" / "cypher-lint"
PACKAGE = LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support"
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def _linter_missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not PACKAGE.is_dir():
        return f"{PACKAGE} is missing: run `npm ci --prefix tools/cypher-lint`"
    return None


@pytest.fixture(scope="module")
def lint():
    """Run lint.mjs on [(name, query)] and return {name: [diagnostic, ...]}."""
    reason = _linter_missing()
    if reason is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Cypher linter unavailable in CI: {reason}")
        pytest.skip(f"Cypher linter unavailable: {reason}")

    def run(
        statements: list[tuple[str, str]], declare: bool = True
    ) -> dict[str, list[dict[str, Any]]]:
        items = [
            {
                "name": name,
                "query": query,
                "params": {p: None for p in _PARAM.findall(query)} if declare else {},
                "labels": [label.value for label in Label],
                "relationshipTypes": [rel.value for rel in RelationType],
            }
            for name, query in statements
        ]
        proc = subprocess.run(
            ["node", str(LINT_DIR / "lint.mjs")],
            input=json.dumps(items),
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr
        return {r["name"]: r["diagnostics"] for r in json.loads(proc.stdout)}

    return run


def _statements() -> list[tuple[str, str]]:
    return [
        (name, value)
        for name, value in sorted(vars(cypher).items())
        if re.fullmatch(r"[A-Z][A-Z0-9_]*", name) and isinstance(value, str)
    ]


def test_module_has_statements() -> None:
    names = [name for name, _ in _statements()]
    assert "MERGE_QUESTIONS" in names and "CHAIN" in names, names


def test_every_statement_passes_the_cypher_front_end(lint) -> None:
    diagnostics = lint(_statements())
    faults = {name: found for name, found in diagnostics.items() if found}
    assert faults == {}, json.dumps(faults, ensure_ascii=False, indent=1)


@pytest.mark.parametrize(
    ("query", "declare", "expected"),
    [
        # a pattern left open: a syntax error
        ("MATCH (q:Question RETURN q", True, "Invalid input"),
        # `x` was never bound: semantic analysis, not just parsing
        ("MATCH (q:Question) RETURN x", True, "Variable `x` not defined"),
        # a misspelt label against the declared schema
        ("MATCH (q:Qestion) RETURN q.id AS id", True, "Label Qestion is not present"),
        # a parameter nobody declared
        ("MATCH (q:Question {id: $id}) RETURN q", False, "Parameter $id is not defined"),
    ],
)
def test_the_check_can_fail(lint, query: str, declare: bool, expected: str) -> None:
    messages = [d["message"] for d in lint([("bad", query)], declare=declare)["bad"]]
    assert any(expected in m for m in messages), messages
