"""Crash safety (issue 8): `zhitu ingest` killed with SIGKILL at several points of a long ingest
(a synthetic bank from benchmarks/synth.py merged into a built graph) leaves the previous graph
file byte-identical and loadable, and whatever temp file it left does not break the next run,
which then gives exactly what an uninterrupted run gives. A Neo4j ingest that fails mid-batch
says on one line how many batches and rows were written.

The points inside the write are reached deterministically: the child runs the real CLI with
graph/atomic.py's view of `os` wrapped so that one step (the temp file half written, fully
written, about to be renamed) signals the test and waits to be killed. The other points are
reached by watching the child: its second bank file being read, its progress label.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini_bank.txt"
SYNTH_QUESTIONS = 2000  # two bank files; about 6 s of ingest on 2 cores
WAIT = 180  # seconds any one step may take before the test gives up

# The real CLI, with one step of the ingest made to signal and wait (ZHITU_TEST_PAUSE).
CHILD = textwrap.dedent(
    """
    import os, pathlib, sys, time

    point = os.environ.get("ZHITU_TEST_PAUSE", "")
    mark = pathlib.Path(os.environ.get("ZHITU_TEST_MARK", os.devnull))

    def pause(*args, **kwargs):
        mark.write_text(point)
        time.sleep(3600)

    import zhitu.graph.atomic as atomic
    import zhitu.ingest.read as read

    class HookedOs:
        # os as graph/atomic.py sees it: the step under test waits for the kill
        def __getattr__(self, name):
            return getattr(os, name)

    hooked = HookedOs()
    if point == "half-written":
        def fdopen(fd, *args, **kwargs):
            real = os.fdopen(fd, *args, **kwargs)

            class Half:
                def __enter__(self):
                    return self

                def __exit__(self, *exc):
                    return real.__exit__(*exc)

                def write(self, text):
                    real.write(text[: len(text) // 2])
                    real.flush()
                    pause()

                def __getattr__(self, name):
                    return getattr(real, name)

            return Half()

        hooked.fdopen = fdopen
    elif point == "written":  # every byte in the temp file, before fsync and rename
        hooked.fsync = pause
    elif point == "renaming":
        hooked.replace = pause
    elif point == "reading":  # the first bank file read, the second about to be
        real_read = read.read_file
        seen = []

        def read_file(path):
            seen.append(path)
            if len(seen) == 2:
                pause()
            return real_read(path)

        read.read_file = read_file
    atomic.os = hooked

    from zhitu.ui.cli import main

    sys.argv[0] = "zhitu"
    main()
    """
)


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ZHITU_GRAPH", "ZHITU_LEXICON")}
    return {**env, "XDG_DATA_HOME": str(tmp / "xdg"), **extra}


def zhitu(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The command in its own process, without hooks."""
    return subprocess.run(
        [sys.executable, "-m", "zhitu", *args],
        cwd=ROOT, env=_env(tmp), capture_output=True, text=True, timeout=WAIT,
    )  # fmt: skip


def _alive_in_group(pgid: int) -> list[int]:
    """Processes (not zombies) still in the process group."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(entry.name))
    return alive


class Site:
    """A folder holding a built graph and a synthetic bank to merge into it."""

    def __init__(self, folder: Path) -> None:
        from benchmarks.synth import write_bank
        from zhitu.ingest.lexicon import load_lexicon

        self.folder = folder
        self.graph = folder / "graph" / "g.json"
        self.bank = folder / "synth"
        write_bank(load_lexicon(), SYNTH_QUESTIONS, self.bank)
        done = zhitu(folder, "--graph", str(self.graph), "ingest", str(MINI))
        assert done.returncode == 0, done.stderr
        self.before = self.graph.read_bytes()
        self.questions = json.loads(self.before)["questions"]
        self.killed: dict[str, list[str]] = {}  # kill point -> temp files it left

    def litter(self) -> list[str]:
        return sorted(p.name for p in self.graph.parent.iterdir() if p != self.graph)

    def kill_during(self, point: str) -> list[str]:
        """Run the ingest, SIGKILL it at `point`, return the new files it left behind."""
        mark = self.folder / f"{point}.mark"
        stderr = self.folder / f"{point}.stderr"
        before = self.litter()
        hooks = {"ZHITU_TEST_PAUSE": point, "ZHITU_TEST_MARK": str(mark)}
        with stderr.open("w") as err:
            proc = subprocess.Popen(
                [sys.executable, "-c", CHILD, "--graph", str(self.graph), "ingest", str(self.bank)],
                cwd=ROOT, env=_env(self.folder, **hooks), stdout=subprocess.DEVNULL, stderr=err,
                start_new_session=True,
            )  # fmt: skip
        try:
            self._wait_for(point, proc, mark, stderr)
            proc.send_signal(signal.SIGKILL)  # the process itself, as a crash or OOM kill would
            assert proc.wait(WAIT) == -signal.SIGKILL
            deadline = time.monotonic() + 30
            while _alive_in_group(proc.pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert not _alive_in_group(proc.pid), "helper processes outlived the killed ingest"
        finally:
            if proc.poll() is None or _alive_in_group(proc.pid):
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(WAIT)
        left = [name for name in self.litter() if name not in before]
        self.killed[point] = left
        return left

    def _wait_for(self, point: str, proc: subprocess.Popen, mark: Path, stderr: Path) -> None:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"ingest ended (exit {proc.returncode}) before {point}: "
                            f"{stderr.read_text()[-2000:]}")  # fmt: skip
            if point == "building" and "构建知识图谱" in stderr.read_text():
                time.sleep(1.0)  # well inside the build: mentions, relations, prerequisites
                return
            if mark.exists():
                return
            time.sleep(0.05)
        pytest.fail(f"ingest never reached {point} in {WAIT} s")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield Site(tmp_path_factory.mktemp("crash"))


KILL_POINTS = [
    "reading",  # between two bank files
    "building",  # inside the pipeline, a second into the progress bar
    "half-written",  # half the new graph in the temp file
    "written",  # the whole new graph in the temp file, not yet synced
    "renaming",  # synced, about to replace the old file
]


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_killed_ingest_leaves_the_previous_graph_intact(site: Site, point: str) -> None:
    left = site.kill_during(point)
    assert site.graph.read_bytes() == site.before  # byte for byte
    if point in ("half-written", "written", "renaming"):
        assert len(left) == 1 and left[0].startswith(".g.json.") and left[0].endswith(".tmp")
    else:
        assert left == []
    done = zhitu(site.folder, "--graph", str(site.graph), "stats", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["questions"] == len(site.questions)


def test_the_next_run_after_the_kills_gives_the_uninterrupted_result(
    site: Site, tmp_path: Path
) -> None:
    """Whatever the kills left behind, ingesting again completes and loses nothing."""
    done = zhitu(site.folder, "--graph", str(site.graph), "ingest", str(site.bank), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["questions"] == len(site.questions) + SYNTH_QUESTIONS
    clean = tmp_path / "clean.json"
    clean.write_bytes(site.before)
    again = zhitu(tmp_path, "--graph", str(clean), "ingest", str(site.bank))
    assert again.returncode == 0, again.stderr
    # meta.built_from names the same inputs, so the graphs must be identical (the exports: the
    # files differ only in the change record's times, which exports leave out)
    exports = [zhitu(tmp_path, "--graph", str(g), "export", "--format", "json").stdout
               for g in (site.graph, clean)]
    assert exports[0] == exports[1] and '"questions"' in exports[0]
    left = [name for names in site.killed.values() for name in names]
    assert sorted(site.litter()) == sorted(left)  # the next run neither broke on nor added any


# --- Neo4j: a failed ingest says what was written ---


class FakeDriver:
    """The driver's surface Neo4jStore uses; write batches are accepted until `fail_at`."""

    def __init__(self, fail_at: int | None) -> None:
        self.fail_at = fail_at
        self.batches: list[int] = []  # rows of every accepted write batch

    def verify_connectivity(self) -> None:
        return None

    def execute_query(self, query: str, params: dict[str, Any] | None = None, **_: Any) -> Any:
        from neo4j.exceptions import ServiceUnavailable

        from zhitu.graph import cypher

        if query.startswith("UNWIND $"):
            if len(self.batches) + 1 == self.fail_at:
                raise ServiceUnavailable("Failed to read from defunct connection\nreset by peer")
            (items,) = (params or {}).values()
            self.batches.append(len(items))
        records = [{"questions": 8, "concepts": 1}] if query == cypher.STATS_NODES else []
        return type("Result", (), {"records": records})()

    def close(self) -> None:
        return None


def _neo4j_ingest(monkeypatch: pytest.MonkeyPatch, fail_at: int | None) -> tuple[Any, FakeDriver]:
    from zhitu.ui.cli import cli

    driver = FakeDriver(fail_at)
    monkeypatch.setattr("neo4j.GraphDatabase.driver", lambda uri, auth: driver)
    monkeypatch.setenv("NEO4J_PASSWORD", "secret")
    monkeypatch.setenv("NEO4J_DATABASE", "zhitu")
    monkeypatch.delenv("ZHITU_LEXICON", raising=False)
    args = ["--graph", "bolt://db.example:7687", "ingest", str(MINI)]
    return CliRunner().invoke(cli, args, catch_exceptions=False), driver


def test_a_neo4j_ingest_failing_mid_batch_says_what_was_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, healthy = _neo4j_ingest(monkeypatch, None)
    total = len(healthy.batches)
    assert total > 5
    result, driver = _neo4j_ingest(monkeypatch, 4)
    assert result.exit_code == 1 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("错误: Neo4j bolt://db.example:7687 (数据库 'zhitu'): 无法连接")
    assert "reset by peer" in line and "Traceback" not in result.output
    assert driver.batches == healthy.batches[:3]  # what the server accepted
    assert line.endswith(f"写入中断: 已完成 3/{total} 批 ({sum(driver.batches)} 行)"), line
