"""The package's shape: one namespace, imports flowing one way, a plain install that works."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# layer -> the layers it may import (data flows text -> graph -> ingest -> ui)
ALLOWED = {
    "text": {"text"},
    "data": {"data"},
    "graph": {"text", "graph"},
    "ingest": {"text", "graph", "ingest", "data"},
    "ui": {"text", "graph", "ingest", "ui", "data"},
}


def _imports(path: Path) -> set[str]:
    """The zhitu layers a module imports (top-level and lazy imports alike)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "zhitu" and len(parts) > 1 and parts[1] in ALLOWED:
                found.add(parts[1])
            assert parts[0] not in ALLOWED, f"{path}: bare import of '{name}' (use zhitu.{name})"
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_imports_flow_one_way(layer: str) -> None:
    for path in sorted((ROOT / layer).rglob("*.py")):
        wrong = _imports(path) - ALLOWED[layer]
        assert not wrong, f"{path.relative_to(ROOT)} imports zhitu.{sorted(wrong)}"


@pytest.mark.slow
def test_wheel_installs_one_namespace(tmp_path: Path) -> None:
    """A built wheel holds zhitu/... only; installed, `import graph` fails, zhitu works."""
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "-w", str(wheels), str(ROOT)], check=True, capture_output=True)
    (wheel,) = wheels.glob("zhitu-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"zhitu"}
    assert "zhitu/data/concepts.yaml" in names and "zhitu/__main__.py" in names
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(target), str(wheel)], check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(target), "XDG_DATA_HOME": str(tmp_path / "xdg"),
           "XDG_CACHE_HOME": str(tmp_path / "cache")}

    def python(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, *args], capture_output=True, text=True,
                              cwd=tmp_path, env=env)

    probe = python("-c", "import importlib.util as u, zhitu; print(zhitu.__file__, "
                   "[u.find_spec(n) is None for n in ('graph', 'ingest', 'ui', 'data', 'text')])")
    assert probe.stdout.split(" ", 1) == [str(target / "zhitu" / "__init__.py"),
                                          "[True, True, True, True, True]\n"], probe.stderr
    graph = str(tmp_path / "g.json")
    run = python("-m", "zhitu", "--graph", graph, "ingest", str(target / "zhitu/data/questions"))
    assert run.returncode == 0, run.stderr
    stats = python("-m", "zhitu", "--graph", graph, "stats", "--json")
    assert stats.returncode == 0 and '"questions": 273' in stats.stdout, stats.stderr
