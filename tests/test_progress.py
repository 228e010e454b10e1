"""Learner progress (graph/progress.py) through the CLI: lasting, per learner, safe names, no lost
updates, `path --learner` equal to `path --known`, and the FSRS review queue."""

from __future__ import annotations

import json
import multiprocessing
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import run_cli
from zhitu.graph import progress as prog
from zhitu.graph.memory import MemoryStore


@pytest.fixture
def graph(bundled_graph: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "g.json"
    shutil.copy(bundled_graph, copy)
    return copy


def _json(graph: Path, *args: str) -> dict:
    result = run_cli("--graph", str(graph), *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_progress_set_in_one_process_is_read_in_another(graph: Path) -> None:
    run = [sys.executable, "-m", "zhitu", "--graph", str(graph), "progress", "--learner", "小明"]
    subprocess.run([*run, "--known", "RNN", "--done", "Dropout"], check=True, capture_output=True)
    out = subprocess.run([*run, "--json"], check=True, capture_output=True, text=True).stdout
    assert json.loads(out)["concepts"] == {"rnn": "known", "dropout": "done"}


def test_learners_do_not_see_each_other(graph: Path) -> None:
    _json(graph, "progress", "--learner", "甲", "--known", "RNN")
    _json(graph, "progress", "--learner", "乙", "--skip", "GAN")
    assert _json(graph, "progress", "--learner", "甲")["concepts"] == {"rnn": "known"}
    assert _json(graph, "progress", "--learner", "乙")["concepts"] == {"gan": "skipped"}
    assert _json(graph, "progress", "--learner", "丙")["concepts"] == {}  # a new learner
    after = _json(graph, "progress", "--learner", "甲", "--unset", "RNN", "--done", "LSTM")
    assert after["concepts"] == {"lstm": "done"}


@pytest.mark.parametrize("name", ['"; DROP x', "<script>alert(1)</script>", "../../etc/passwd",
                                  "名" * 200, "a/b\\c:d*?"])
def test_any_name_is_inert_data(graph: Path, name: str) -> None:
    doc = _json(graph, "progress", "--learner", name, "--known", "RNN")
    assert doc["learner"] == name and doc["concepts"] == {"rnn": "known"}
    files = list((graph.parent / "g.json.learners").glob("*.json"))
    assert len(files) == 1 and files[0].parent == graph.parent / "g.json.learners"
    assert prog.FileProgress(graph).learners() == [name]


def test_bad_names_and_grades_are_one_line(graph: Path) -> None:
    result = run_cli("--graph", str(graph), "progress", "--learner", "x" * 201)
    assert result.exit_code == 1 and result.output.count("\n") == 1 and "太长" in result.output
    result = run_cli("--graph", str(graph), "review", "--learner", "a", "--grade", "LSTM=还行")
    assert result.exit_code == 2 and "不会|模糊|会|很熟" in result.output
    result = run_cli("--graph", str(graph), "place", "--target", "LSTM", "--answer", "rnn")
    assert result.exit_code == 2 and "概念=yes" in result.output


def test_a_corrupt_progress_file_is_reported_and_kept(graph: Path) -> None:
    _json(graph, "progress", "--learner", "坏", "--known", "RNN")
    (file,) = (graph.parent / "g.json.learners").glob("*.json")
    file.write_text("{broken", encoding="utf-8")
    result = run_cli("--graph", str(graph), "progress", "--learner", "坏", "--known", "GAN")
    assert result.exit_code == 1 and str(file) in result.output and "损坏" in result.output
    assert file.read_text(encoding="utf-8") == "{broken"


def _mark(graph: str, learner: str, concepts: list[str]) -> None:
    store = prog.FileProgress(graph)
    for c in concepts:
        store.update(learner, lambda p, c=c: prog.set_concepts(p, "known", [c]))


def test_concurrent_updates_lose_nothing(tmp_path: Path) -> None:
    graph = str(tmp_path / "g.json")
    ctx = multiprocessing.get_context("spawn")
    jobs = [ctx.Process(target=_mark, args=(graph, "同一个人", [f"{k}{i}" for i in range(15)]))
            for k in "ab"]
    for j in jobs:
        j.start()
    for j in jobs:
        j.join(60)
    assert [j.exitcode for j in jobs] == [0, 0]
    got = prog.FileProgress(graph).get("同一个人").concepts
    assert len(got) == 30


def test_path_for_a_learner_equals_path_with_known(graph: Path) -> None:
    _json(graph, "progress", "--learner", "小明", "--known", "RNN", "--done", "梯度消失",
          "--skip", "GAN")
    by_learner = _json(graph, "path", "--target", "LSTM", "--learner", "小明")
    by_known = _json(graph, "path", "--target", "LSTM", "--known", "rnn",
                     "--known", "vanishing-gradient")
    assert by_learner == by_known
    assert by_learner != _json(graph, "path", "--target", "LSTM")


def test_review_brings_prerequisites_forward_fundamentals_first(graph: Path) -> None:
    store = MemoryStore.open(graph)
    target = store.question("写出LSTM各个门和细胞状态的计算公式")
    chain = [s.question.id for s in store.chain(target.id)]
    assert chain
    doc = _json(graph, "review", "--learner", "小红", "--grade", f"{target.id}=不会")
    assert [d["id"] for d in doc["due"]] == chain
    assert {d["because"] for d in doc["due"]} == {target.id}
    # the failed question itself comes back within minutes (FSRS learning step)
    progress = prog.FileProgress(graph).get("小红")
    later = prog.now() + timedelta(minutes=15)
    assert target.id in prog.due(progress, later)
    # a good grade on a brought-forward question schedules it days away and clears the reason
    first = chain[0]
    doc = _json(graph, "review", "--learner", "小红", "--grade", f"{first}=很熟")
    assert first not in [d["id"] for d in doc["due"]]
    record = prog.FileProgress(graph).get("小红").questions[first]
    assert "because" not in record and len(record["grades"]) == 1


def test_grades_follow_fsrs_intervals() -> None:
    when = prog.now()
    again = prog.graded(None, "不会", when)
    easy = prog.graded(None, "很熟", when)
    due = {k: prog.datetime.fromisoformat(r["card"]["due"]) for k, r in
           (("again", again), ("easy", easy))}
    assert due["again"] < when + timedelta(hours=1) < when + timedelta(days=1) <= due["easy"]
    assert prog.summary(easy) == {"due": easy["card"]["due"], "grade": "很熟", "reviews": 1,
                                  "because": None}
