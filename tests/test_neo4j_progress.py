"""Learner progress in a live Neo4j (graph/progress.py Neo4jProgress): per learner, lasting, safe
names, no lost updates from two writers, and `path --learner` through the CLI on bolt."""

from __future__ import annotations

import json
import re
import threading
from typing import Any

import pytest
from click.testing import CliRunner

from tests import neo4j_server
from tests.conftest import cypher_lint
from zhitu.graph import progress as prog
from zhitu.graph.model import Label, RelationType
from zhitu.ingest.pipeline import ingest

pytestmark = pytest.mark.neo4j

SAMPLE_LEARNERS = ["甲", "<b>乙</b>", "'; MATCH (n) DETACH DELETE n //", "名" * 200]


def test_progress_statements_pass_the_cypher_front_end() -> None:
    statements = {n: getattr(prog.Neo4jProgress, n) for n in ("READ", "WRITE", "LEARNERS",
                                                                 "SCHEMA", "LOCK")}
    items = [{"name": n, "query": q,
              "params": {p: None for p in re.findall(r"\$([A-Za-z_]\w*)", q)},
              "labels": [label.value for label in Label] + ["ZhituLearner"],
              "relationshipTypes": [r.value for r in RelationType] + ["KNOWS", "REVIEWED"]}
             for n, q in statements.items()]
    faults = {r["name"]: r["diagnostics"] for r in cypher_lint(items) if r["diagnostics"]}
    assert faults == {}


@pytest.fixture(scope="module")
def store() -> Any:
    from tests.conftest import FIXTURES

    live = neo4j_server.open_store()
    data, _ = ingest([str(FIXTURES / "mini_bank.txt")])
    live.replace(data, meta={})
    yield live
    live.close()


def test_progress_is_per_learner_and_lasts(store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in neo4j_server.live_neo4j().items():
        monkeypatch.setenv(key, value)
    concepts = [c.id for c in store.concepts()][:3]
    for i, name in enumerate(SAMPLE_LEARNERS):
        prog.progress_store(store).update(
            name, lambda p, i=i: prog.set_concepts(p, "known", concepts[: i % 3 + 1]))
    from zhitu.graph.neo4j_store import Neo4jStore

    env = neo4j_server.live_neo4j()
    fresh = Neo4jStore.from_env(env["NEO4J_URI"])  # another connection reads what was written
    try:
        for i, name in enumerate(SAMPLE_LEARNERS):
            got = prog.progress_store(fresh).get(name)
            assert got.learner == name and sorted(got.concepts) == sorted(concepts[: i % 3 + 1])
        assert set(SAMPLE_LEARNERS) <= set(prog.progress_store(fresh).learners())
    finally:
        fresh.close()
    assert len(store.questions()) > 0  # the hostile names touched nothing else


def test_two_writers_lose_nothing(store: Any) -> None:
    concepts = [c.id for c in store.concepts()][:20]
    halves = [concepts[::2], concepts[1::2]]
    errors: list[BaseException] = []

    def write(ids: list[str]) -> None:
        try:
            for c in ids:
                prog.progress_store(store).update(
                    "并发", lambda p, c=c: prog.set_concepts(p, "done", [c]))
        except BaseException as e:  # noqa: BLE001  (reported below)
            errors.append(e)

    threads = [threading.Thread(target=write, args=(h,)) for h in halves]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert sorted(prog.progress_store(store).get("并发").concepts) == sorted(concepts)


def test_review_and_path_for_a_learner_on_bolt(store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from zhitu.ui.cli import cli

    for key, value in neo4j_server.live_neo4j().items():
        monkeypatch.setenv(key, value)
    uri = neo4j_server.live_neo4j()["NEO4J_URI"]
    run = CliRunner()

    def call(*args: str) -> dict:
        result = run.invoke(cli, ["--graph", uri, *args, "--json"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    question = store.questions()[-1]
    chain = [s.question.id for s in store.chain(question.id)]
    doc = call("review", "--learner", "复习者", "--grade", f"{question.id}=不会")
    assert [d["id"] for d in doc["due"]] == chain
    target = store.concepts()[0].id
    call("progress", "--learner", "复习者", "--known", target)
    assert call("path", "--target", question.id, "--learner", "复习者") == \
        call("path", "--target", question.id, "--known", target)
