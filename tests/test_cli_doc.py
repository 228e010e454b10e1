"""docs/CLI.md against the code: every command and option documented, every shape real."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import click
import pytest

from tests.conftest import run_cli
from zhitu.ui.cli import cli

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "CLI.md").read_text(encoding="utf-8")
SAMPLE = Path(__file__).parent / "gold" / "sample.txt"  # a copy of the user's sample bank
CHECKS = re.findall(r"<!-- check: (.+?) -->\n```json\n(.+?)\n```", DOC, re.S)


def _sections() -> dict[str, str]:
    """command name -> the text of its `### zhitu NAME` section."""
    parts = re.split(r"^### zhitu (\S+).*$", DOC, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_command_and_option_is_documented() -> None:
    sections = _sections()
    for name, command in cli.commands.items():
        assert name in sections, f"docs/CLI.md has no section for `zhitu {name}`"
        heading = re.search(rf"^### zhitu {name}.*$", DOC, re.M).group(0)  # type: ignore[union-attr]
        for param in command.params:
            if isinstance(param, click.Option) and param.name != "as_json":
                assert any(o in heading + sections[name] for o in param.opts), (name, param.opts)
    assert not set(sections) - set(cli.commands), "docs/CLI.md documents a command that is gone"


def _missing(doc: object, real: object, where: str = "") -> list[str]:
    """Keys documented in `doc` that `real` lacks, at the same place (lists: their first item)."""
    if isinstance(doc, dict):
        if not isinstance(real, dict):
            return [f"{where or '.'} is not an object"]
        out = [f"{where}.{k}" for k in doc if k not in real]
        for k in doc:
            out += _missing(doc[k], real[k], f"{where}.{k}") if k in real else []
        return out
    if isinstance(doc, list) and doc:
        if not isinstance(real, list):
            return [f"{where or '.'} is not a list"]
        return _missing(doc[0], real[0], f"{where}[0]") if real else []
    return []


@pytest.fixture(scope="module")
def sample_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    graph = tmp_path_factory.mktemp("doc") / "g.json"
    assert run_cli("--graph", str(graph), "ingest", str(SAMPLE)).exit_code == 0
    return graph


def test_the_doc_has_checks() -> None:
    assert len(CHECKS) >= 10


@pytest.mark.parametrize(("command", "shape"), CHECKS, ids=[c for c, _ in CHECKS])
def test_documented_shapes_are_real(command: str, shape: str, sample_graph: Path,
                                    tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    args = [str(SAMPLE) if a == "SAMPLE" else a for a in shlex.split(command)]
    graph = tmp_path / "fresh.json" if args[0] == "ingest" else sample_graph
    result = run_cli("--graph", str(graph), *args, "--json")
    assert result.exit_code == 0, result.output
    real = json.loads(result.output)
    assert real, f"`{command}` printed nothing to compare"
    assert not _missing(json.loads(shape), real), _missing(json.loads(shape), real)
