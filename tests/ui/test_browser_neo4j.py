"""`zhitu --graph bolt://… serve` in a real browser against the live Neo4j (tests/neo4j_server.py).

The user's sample bank is ingested into the session's server; then chromium opens the map, a
question, a study path towards it, and imports a bank through the page, which must land in Neo4j.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from tests import neo4j_server
from tests.ui.browser_kit import VIEWPORT, WAIT_MS, idle, needs_chromium, painted, serve, shot

pytestmark = [needs_chromium, pytest.mark.neo4j]

SAMPLE = neo4j_server.ROOT / "tests" / "gold" / "sample.txt"
IMPORT_BANK = (
    "● 胶囊网络的动态路由是什么？\n参考回答:\n"
    "胶囊网络用动态路由代替池化，和CNN相比保留了位置关系。\n"
    "● 知识蒸馏中温度参数的作用是什么？\n参考回答:\n"
    "温度越高，Softmax 输出越平滑，学生模型能学到类别间的相似度。\n"
)


@pytest.fixture
def bolt(monkeypatch: pytest.MonkeyPatch, tmp_path) -> Iterator[str]:  # noqa: ANN001
    """The sample bank in the live Neo4j; its URI (NEO4J_* set for the server process)."""
    from zhitu.ui.cli import cli

    neo4j_server.open_store().close()  # an empty database
    env = neo4j_server.live_neo4j()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("ZHITU_GRAPH", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    done = CliRunner().invoke(cli, ["--graph", env["NEO4J_URI"], "ingest", str(SAMPLE)],
                              catch_exceptions=False)  # fmt: skip
    assert done.exit_code == 0, done.output
    yield env["NEO4J_URI"]


def test_serve_on_bolt_in_a_browser(browser, bolt: str, tmp_path) -> None:  # noqa: ANN001
    from zhitu.graph.neo4j_store import Neo4jStore

    store = Neo4jStore.from_env(bolt)
    try:
        before = store.stats()["questions"]
        questions = store.questions()
        question = max(questions, key=lambda q: (len(store.chain(q.id)), q.id))
        plan = store.path([question.id])
    finally:
        store.close()
    errors: list[str] = []
    with serve(bolt, tmp_path / "serve.log") as url:  # type: ignore[arg-type]
        page = browser.new_page(viewport=VIEWPORT)
        page.on("pageerror", lambda e: errors.append(str(e)))

        # 1. the map, drawn from Neo4j
        page.goto(f"{url}/map")
        page.get_by_text("从哪里开始？").wait_for(timeout=WAIT_MS)
        painted(page)
        shot(page, "neo4j-01-map")

        # 2. a question: its answer and prerequisite chain
        page.goto(f"{url}/questions?q={question.id}")
        page.get_by_role("heading", name=question.title, exact=True).wait_for(timeout=WAIT_MS)
        page.get_by_text("参考回答").first.wait_for(timeout=WAIT_MS)
        idle(page)
        shot(page, "neo4j-02-question")

        # 3. a study path towards it
        page.goto(f"{url}/path?t=q:{question.id}")
        page.get_by_text("学习步骤").first.wait_for(timeout=WAIT_MS)
        if plan.steps:
            page.get_by_text(f"0 / {len(plan.steps)}").wait_for(timeout=WAIT_MS)
            name = plan.steps[0].concept.name
            page.get_by_text(name, exact=False).first.wait_for(timeout=WAIT_MS)
        shot(page, "neo4j-03-path")

        # 4. import a bank: preview, then merge into Neo4j
        bank = tmp_path / "新题库.txt"
        bank.write_text(IMPORT_BANK, encoding="utf-8")
        page.goto(f"{url}/import")
        uploader = page.locator("[data-testid=stFileUploaderDropzoneInput]")
        uploader.wait_for(state="attached", timeout=WAIT_MS)
        uploader.set_input_files(str(bank))
        page.get_by_text("新增题目").first.wait_for(timeout=WAIT_MS)
        page.get_by_role("button", name="合并到图谱").click()
        page.get_by_text("已合并").wait_for(timeout=WAIT_MS)
        shot(page, "neo4j-04-import")
        page.close()
    store = Neo4jStore.from_env(bolt)
    try:
        assert store.stats()["questions"] == before + 2  # the import reached Neo4j
    finally:
        store.close()
    assert not errors, errors
