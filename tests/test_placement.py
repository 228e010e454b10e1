"""Placement (graph/placement.py): exact for consistent learners, tolerant of one careless answer,
and `zhitu place` stateless through the CLI."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from benchmarks.placement import learner
from tests.conftest import run_cli
from zhitu.graph import placement
from zhitu.graph.memory import MemoryStore


@pytest.fixture(scope="module")
def lstm(bundled_graph: Path) -> dict[str, set[str]]:
    return placement.closure(MemoryStore.open(bundled_graph), ["LSTM"])


def _run(order: dict[str, set[str]], truth: set[str], slip_at: int = -1) -> tuple[int, set[str]]:
    answers: dict[str, bool] = {}
    while (r := placement.place(order, answers)).ask is not None:
        answers[r.ask] = (r.ask in truth) != (len(answers) == slip_at)
    return len(answers), set(r.known)


def test_the_closure_is_down_closed(lstm: dict[str, set[str]]) -> None:
    assert "lstm" in lstm and "rnn" in lstm["lstm"]
    for c, before in lstm.items():
        for b in before:
            assert lstm[b] <= before, (c, b)


def test_consistent_learners_are_placed_exactly(lstm: dict[str, set[str]]) -> None:
    rng = random.Random(3)
    asked = []
    for _ in range(12):
        truth = learner(lstm, rng)
        n, known = _run(lstm, truth)
        assert known == truth
        asked.append(n)
    assert sum(asked) / len(asked) < len(lstm) / 2  # far fewer questions than concepts


def test_a_sampled_state_space_still_places_exactly(bundled_graph: Path) -> None:
    order = placement.closure(MemoryStore.open(bundled_graph), ["Transformer"])
    assert len(order) > placement.MAX_ENUMERATED  # its states are sampled, not enumerated
    rng = random.Random(11)
    for _ in range(8):
        truth = learner(order, rng)
        _, known = _run(order, truth)
        assert known == truth


def test_one_careless_answer_is_confirmed_not_believed(lstm: dict[str, set[str]]) -> None:
    truth = set(lstm)  # an expert
    n_clean, _ = _run(lstm, truth)
    n_slip, known = _run(lstm, truth, slip_at=0)  # says "no" to the first question by mistake
    assert n_slip > n_clean
    assert len(known ^ truth) <= 1  # at most the slipped concept itself is wrong


def test_place_is_stateless_and_saves_the_result(bundled_graph: Path, tmp_path: Path,
                                                 lstm: dict[str, set[str]]) -> None:
    graph = tmp_path / "g.json"
    graph.write_bytes(bundled_graph.read_bytes())
    answers: list[str] = []
    truth = lstm["bptt"] | {"bptt"}  # knows everything up to BPTT, not LSTM
    for _ in range(40):
        args = ["--graph", str(graph), "place", "--target", "LSTM", "--learner", "新人",
                *[a for x in answers for a in ("--answer", x)], "--json"]
        doc = json.loads(run_cli(*args).output)
        assert doc["asked"] == len(answers)
        if doc["ask"] is None:
            break
        answers.append(f"{doc['ask']['id']}={'yes' if doc['ask']['id'] in truth else 'no'}")
    assert doc["ask"] is None and set(doc["known"]) == truth
    saved = json.loads(run_cli("--graph", str(graph), "progress", "--learner", "新人",
                               "--json").output)
    assert set(saved["concepts"]) == set(doc["known"])
