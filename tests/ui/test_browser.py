"""The app in a real browser: `zhitu serve` on a free port, Debian's chromium through Playwright.

One walk through what a learner does: open the map, click a concept node, open a question,
follow a prerequisite (and come back with the browser's back button), build a study path, mark
a step done, search, and import a bank; hostile bank text must show as text and never run.
Then 20 sessions open question links at once. Screenshots and timings go to artifacts/
(git-ignored); timings are printed and saved, never asserted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui import browser_kit
from tests.ui.browser_kit import (
    VIEWPORT,
    WAIT_MS,
    chart_box,
    idle,
    needs_chromium,
    painted,
    serve,
    shot,
    timed,
)
from tests.ui.conftest import IMG, SCRIPT
from zhitu.graph.memory import MemoryStore
from zhitu.ui import chart, conceptmap
from zhitu.ui.conceptmap import ConceptMap

pytestmark = needs_chromium

HOSTILE_BANK = (
    f"● LSTM{SCRIPT}的门控原理是什么？\n参考回答:\n"
    f"{IMG} [点我](javascript:alert(3)) --x_x--0_0--alert(4)--x_x--0_0-- "
    "LSTM 用遗忘门、输入门和输出门控制细胞状态，从而缓解 RNN 的梯度消失。\n"
)


IMPORT_BANK = (
    "● 胶囊网络的动态路由是什么？\n参考回答:\n"
    "胶囊网络用动态路由代替池化，和CNN相比保留了位置关系。\n"
    "● 知识蒸馏中温度参数的作用是什么？\n参考回答:\n"
    "温度越高，Softmax 输出越平滑，学生模型能学到类别间的相似度。\n"
)


@pytest.fixture(scope="module")
def learner_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled bank plus one hostile question."""
    from zhitu.data import QUESTIONS_DIR
    from zhitu.ingest.pipeline import ingest

    folder = tmp_path_factory.mktemp("browser")
    hostile = folder / "hostile.txt"
    hostile.write_text(HOSTILE_BANK, encoding="utf-8")
    data, _ = ingest([QUESTIONS_DIR, hostile])
    MemoryStore.open(folder / "graph.json").replace(data)
    return folder / "graph.json"


def _overview_options(graph: Path) -> tuple[dict, list[str], ConceptMap]:
    """The options the map page draws by default (same functions, same defaults)."""
    cmap = ConceptMap.from_data(MemoryStore.open(graph).load())
    nodes, edges = conceptmap.select(cmap, limit=conceptmap.OVERVIEW_NODES, min_confidence=0.5)
    positions = conceptmap.layout_for(cmap, nodes, None)
    return chart.options(cmap, nodes, edges, positions), nodes, cmap


def test_a_learner_walks_the_app(browser, learner_graph, timings, tmp_path) -> None:
    dialogs: list[str] = []
    before = MemoryStore.open(learner_graph).stats()["questions"]
    with serve(learner_graph, tmp_path / "serve.log") as url:
        page = browser.new_page(viewport=VIEWPORT)
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))

        # 1. the map
        timed(timings, page, "first_page_ready", lambda: page.goto(f"{url}/map"),
               lambda: (page.get_by_text("从哪里开始？").wait_for(timeout=WAIT_MS),
                        painted(page)))  # fmt: skip
        chart_box(page)
        shot(page, "01-map")

        # 2. click a concept node where the layout put it
        opts, nodes, cmap = _overview_options(learner_graph)
        target = next(c for c in ("lstm", "rnn", *nodes) if c in nodes)
        name = cmap.concepts[target].name
        box = chart_box(page)
        x, y = browser_kit.pixel(opts, target, box["width"], box["height"])
        timed(timings, page, "click_node_to_panel",
               lambda: page.mouse.click(box["x"] + x, box["y"] + y),
               lambda: page.get_by_role("heading", name=name, exact=True)
               .wait_for(timeout=WAIT_MS))  # fmt: skip
        assert f"c={target}" in page.url
        page.get_by_text("需要先学", exact=True).wait_for()
        chart_box(page)
        shot(page, "02-concept")

        # 3. open a question that mentions it
        store = MemoryStore.open(learner_graph)
        shown = store.concept_questions(target)[:12]  # the panel lists the first 12
        question = max(shown, key=lambda q: (len(store.chain(q.id)) >= 2, -len(shown)))
        link = page.locator(f'[data-testid=stMain] a[href*="q={question.id}"]:visible').first
        timed(
            timings,
            page,
            "open_question",
            link.click,
            lambda: page.get_by_text("参考回答").wait_for(timeout=WAIT_MS),
        )
        assert f"q={question.id}" in page.url
        shot(page, "03-question")

        # 4. follow the first prerequisite, then come back with the back button
        chain = store.chain(question.id)
        assert chain, f"{question.title} has no prerequisite chain"
        first = chain[0].question
        step = page.locator(f'[data-testid=stMain] a[href*="q={first.id}"]:visible').first
        assert step.inner_text().startswith("1. ")
        timed(timings, page, "follow_prerequisite", step.click,
               lambda: page.get_by_role("heading", name=first.title, exact=True)
               .wait_for(timeout=WAIT_MS))  # fmt: skip
        assert f"q={first.id}" in page.url
        shot(page, "04-prerequisite")
        timed(timings, page, "back_button", page.go_back,
               lambda: page.get_by_role("heading", name=question.title, exact=True)
               .wait_for(timeout=WAIT_MS))  # fmt: skip

        # 5. a study path towards that question; mark the first step done
        timed(timings, page, "build_study_path",
               page.locator(f'a[href*="t=q%3A{question.id}"]').click,
               lambda: page.get_by_text("学习步骤").wait_for(timeout=WAIT_MS))  # fmt: skip
        total = len(store.path([question.id]).steps)
        page.get_by_text(f"0 / {total}").wait_for(timeout=WAIT_MS)
        timed(timings, page, "mark_step_done",
               page.get_by_role("button", name="完成").first.click,
               lambda: page.get_by_text(f"1 / {total}").wait_for(timeout=WAIT_MS))  # fmt: skip
        shot(page, "05-path")

        # 6. search, and hostile text shown as text on the search and question pages
        page.get_by_role("link", name="题库").click()
        box = page.get_by_label("搜索题目")
        box.wait_for(timeout=WAIT_MS)
        idle(page)
        box.fill("LSTM 门控原理")
        timed(timings, page, "search", lambda: box.press("Enter"),
               lambda: page.locator("[data-testid=stCaptionContainer] .stMarkdownColoredText")
               .first.wait_for(timeout=WAIT_MS))  # fmt: skip
        assert "s=LSTM" in page.url
        page.get_by_text(SCRIPT, exact=False).first.wait_for(timeout=WAIT_MS)
        shot(page, "06-search")
        hostile = next(q for q in MemoryStore.open(learner_graph).questions()
                       if "<script>" in q.title)  # fmt: skip
        page.goto(f"{url}/questions?q={hostile.id}")
        page.get_by_role("heading", name=hostile.title).wait_for(timeout=WAIT_MS)
        page.get_by_text("控制细胞状态", exact=False).first.wait_for(timeout=WAIT_MS)  # the answer
        idle(page)
        body = page.inner_text("[data-testid=stMain]")
        assert SCRIPT in body and IMG in body and "javascript:alert(3)" in body
        assert page.locator("[data-testid=stMain] img[src=x]").count() == 0
        assert page.locator("[data-testid=stMain] a[href^=javascript]").count() == 0
        shot(page, "07-hostile")

        # 7. import a bank: preview, then merge
        bank = tmp_path / "新题库.txt"
        bank.write_text(IMPORT_BANK, encoding="utf-8")
        page.get_by_role("link", name="导入").click()
        uploader = page.locator("[data-testid=stFileUploaderDropzoneInput]")
        uploader.wait_for(state="attached", timeout=WAIT_MS)
        timed(timings, page, "import_preview", lambda: uploader.set_input_files(str(bank)),
               lambda: page.get_by_text("新增题目").first.wait_for(timeout=WAIT_MS))  # fmt: skip
        shot(page, "08-import-preview")
        timed(timings, page, "import_merge",
               page.get_by_role("button", name="合并到图谱").click,
               lambda: page.get_by_text("已合并").wait_for(timeout=WAIT_MS))  # fmt: skip
        assert MemoryStore.open(learner_graph).stats()["questions"] == before + 2
        page.close()
    assert not dialogs, f"bank text ran as script: {dialogs}"
    assert not errors, errors
