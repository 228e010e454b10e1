"""The app in a real browser: `zhitu serve` on a free port, Debian's chromium through Playwright.

One walk through what a learner does: open the map, click a concept node, open a question,
follow a prerequisite (and come back with the browser's back button), build a study path and
mark a step done; hostile bank text must show as text and never run. Screenshots and timings go
to artifacts/ (git-ignored); timings are printed and saved, never asserted. A second server
shows the map of a synthetic 2,000-concept graph, and a bare page measures ECharts drawing all
2,000 nodes at once.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from graph.memory import MemoryStore
from graph.model import Concept, GraphData, Mention, Origin, Question, Relation, RelationType
from ingest.lexicon import CATEGORIES
from tests.ui.conftest import IMG, SCRIPT
from ui import conceptmap, graphview
from ui.conceptmap import ConceptMap

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-quic", "--no-first-run"]  # fmt: skip
VIEWPORT = {"width": 1400, "height": 1000}
WAIT_MS = 30_000

pytestmark = pytest.mark.skipif(
    not os.access(CHROMIUM, os.X_OK),
    reason=f"{CHROMIUM} is not installed (apt-get install -y chromium fonts-wqy-microhei)",
)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited with {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"server not healthy after {timeout}s: {log.read_text()[-2000:]}")


@contextmanager
def _server(command: list[str], log: Path, port: int) -> Iterator[str]:
    """Run a server in its own process group; yield its URL once healthy; stop the group."""
    env = {**os.environ, "STREAMLIT_SERVER_HEADLESS": "true",
           "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}  # fmt: skip
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                env=env, start_new_session=True)  # fmt: skip
    url = f"http://localhost:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _serve(graph: Path, log: Path) -> Iterator[str]:
    port = _free_port()
    cmd = [sys.executable, "-m", "ui.cli", "--graph", str(graph), "serve", "--port", str(port)]
    return _server(cmd, log, port)


@pytest.fixture(scope="module")
def timings() -> Iterator[dict[str, float]]:
    found: dict[str, float] = {}
    yield found
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "ui-timings.json").write_text(json.dumps(found, indent=1, ensure_ascii=False))
    print("\nUI timings (s):", json.dumps(found, ensure_ascii=False))


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def learner_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled bank plus one hostile question."""
    from data import QUESTIONS_DIR
    from ingest.pipeline import ingest

    folder = tmp_path_factory.mktemp("browser")
    hostile = folder / "hostile.txt"
    hostile.write_text(HOSTILE_BANK, encoding="utf-8")
    data, _ = ingest([QUESTIONS_DIR, hostile])
    MemoryStore.open(folder / "graph.json").replace(data)
    return folder / "graph.json"


def _idle(page) -> None:
    """Wait until the script run is over: no running indicator, no stale element left."""
    page.wait_for_function(
        "() => !document.querySelector("
        "'[data-testid=stStatusWidgetRunningIcon], [data-stale=true]')",
        timeout=WAIT_MS,
    )


def _timed(timings: dict[str, float], page, name: str, action, ready) -> None:
    """Time `action` until `ready` holds and the script run is over."""
    start = time.perf_counter()
    action()
    ready()
    _idle(page)
    timings[name] = round(time.perf_counter() - start, 3)


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


_PAINTED = """() => {
  const c = document.querySelector('.echarts-container canvas');
  if (!c || !c.width) return false;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  for (let i = 3; i < d.length; i += 4 * 31) if (d[i]) return true;
  return false;
}"""


def _painted(page) -> None:
    """Wait until ECharts has painted something on its canvas."""
    page.wait_for_function(_PAINTED, timeout=WAIT_MS)


def _chart_box(page) -> dict[str, float]:
    """The chart's box once painted and settled (not part of any timing)."""
    _painted(page)
    page.wait_for_timeout(1000)  # the update animation is 300 ms; labels settle after it
    return page.locator(".echarts-container").first.bounding_box()


def _overview_options(graph: Path) -> tuple[dict, list[str], ConceptMap]:
    """The options the map page draws by default (same functions, same defaults)."""
    cmap = ConceptMap.from_data(MemoryStore.open(graph).load())
    nodes, edges = conceptmap.select(cmap, limit=conceptmap.OVERVIEW_NODES, min_confidence=0.5)
    positions = conceptmap.layout_for(cmap, nodes, None)
    return graphview.options(cmap, nodes, edges, positions), nodes, cmap


def test_a_learner_walks_the_app(browser, learner_graph, timings, tmp_path) -> None:
    dialogs: list[str] = []
    before = MemoryStore.open(learner_graph).stats()["questions"]
    with _serve(learner_graph, tmp_path / "serve.log") as url:
        page = browser.new_page(viewport=VIEWPORT)
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))

        # 1. the map
        _timed(timings, page, "first_page_ready", lambda: page.goto(url),
               lambda: (page.get_by_text("从哪里开始？").wait_for(timeout=WAIT_MS),
                        _painted(page)))  # fmt: skip
        _chart_box(page)
        _shot(page, "01-map")

        # 2. click a concept node where the layout put it
        opts, nodes, cmap = _overview_options(learner_graph)
        target = next(c for c in ("lstm", "rnn", *nodes) if c in nodes)
        name = cmap.concepts[target].name
        box = _chart_box(page)
        x, y = graphview.pixel(opts, target, box["width"], box["height"])
        _timed(timings, page, "click_node_to_panel",
               lambda: page.mouse.click(box["x"] + x, box["y"] + y),
               lambda: page.get_by_role("heading", name=name, exact=True)
               .wait_for(timeout=WAIT_MS))  # fmt: skip
        assert f"c={target}" in page.url
        page.get_by_text("需要先学", exact=True).wait_for()
        _chart_box(page)
        _shot(page, "02-concept")

        # 3. open a question that mentions it
        store = MemoryStore.open(learner_graph)
        shown = store.concept_questions(target)[:12]  # the panel lists the first 12
        question = max(shown, key=lambda q: (len(store.chain(q.id)) >= 2, -len(shown)))
        link = page.locator(f'[data-testid=stMain] a[href*="q={question.id}"]:visible').first
        _timed(
            timings,
            page,
            "open_question",
            link.click,
            lambda: page.get_by_text("参考回答").wait_for(timeout=WAIT_MS),
        )
        assert f"q={question.id}" in page.url
        _shot(page, "03-question")

        # 4. follow the first prerequisite, then come back with the back button
        chain = store.chain(question.id)
        assert chain, f"{question.title} has no prerequisite chain"
        first = chain[0].question
        step = page.locator(f'[data-testid=stMain] a[href*="q={first.id}"]:visible').first
        assert step.inner_text().startswith("1. ")
        _timed(timings, page, "follow_prerequisite", step.click,
               lambda: page.get_by_role("heading", name=first.title, exact=True)
               .wait_for(timeout=WAIT_MS))  # fmt: skip
        assert f"q={first.id}" in page.url
        _shot(page, "04-prerequisite")
        _timed(timings, page, "back_button", page.go_back,
               lambda: page.get_by_role("heading", name=question.title, exact=True)
               .wait_for(timeout=WAIT_MS))  # fmt: skip

        # 5. a study path towards that question; mark the first step done
        _timed(timings, page, "build_study_path",
               page.locator(f'a[href*="t=q%3A{question.id}"]').click,
               lambda: page.get_by_text("学习步骤").wait_for(timeout=WAIT_MS))  # fmt: skip
        total = len(store.path([question.id]).steps)
        page.get_by_text(f"0 / {total}").wait_for(timeout=WAIT_MS)
        _timed(timings, page, "mark_step_done",
               page.get_by_role("button", name="完成").first.click,
               lambda: page.get_by_text(f"1 / {total}").wait_for(timeout=WAIT_MS))  # fmt: skip
        _shot(page, "05-path")

        # 6. search, and hostile text shown as text on the search and question pages
        page.get_by_role("link", name="题库").click()
        box = page.get_by_label("搜索题目")
        box.wait_for(timeout=WAIT_MS)
        _idle(page)
        box.fill("LSTM 门控原理")
        _timed(timings, page, "search", lambda: box.press("Enter"),
               lambda: page.locator("mark").first.wait_for(timeout=WAIT_MS))  # fmt: skip
        assert "s=LSTM" in page.url
        page.get_by_text(SCRIPT, exact=False).first.wait_for(timeout=WAIT_MS)
        _shot(page, "06-search")
        hostile = next(q for q in MemoryStore.open(learner_graph).questions()
                       if "<script>" in q.title)  # fmt: skip
        page.goto(f"{url}/questions?q={hostile.id}")
        page.get_by_role("heading", name=hostile.title).wait_for(timeout=WAIT_MS)
        page.get_by_text("控制细胞状态", exact=False).first.wait_for(timeout=WAIT_MS)  # the answer
        _idle(page)
        body = page.inner_text("[data-testid=stMain]")
        assert SCRIPT in body and IMG in body and "javascript:alert(3)" in body
        assert page.locator("[data-testid=stMain] img[src=x]").count() == 0
        assert page.locator("[data-testid=stMain] a[href^=javascript]").count() == 0
        _shot(page, "07-hostile")

        # 7. import a bank: preview, then merge
        bank = tmp_path / "新题库.txt"
        bank.write_text(IMPORT_BANK, encoding="utf-8")
        page.get_by_role("link", name="导入").click()
        uploader = page.locator("[data-testid=stFileUploaderDropzoneInput]")
        uploader.wait_for(state="attached", timeout=WAIT_MS)
        _timed(timings, page, "import_preview", lambda: uploader.set_input_files(str(bank)),
               lambda: page.get_by_text("新增题目").first.wait_for(timeout=WAIT_MS))  # fmt: skip
        _shot(page, "08-import-preview")
        _timed(timings, page, "import_merge",
               page.get_by_role("button", name="合并到图谱").click,
               lambda: page.get_by_text("已合并").wait_for(timeout=WAIT_MS))  # fmt: skip
        assert MemoryStore.open(learner_graph).stats()["questions"] == before + 2
        page.close()
    assert not dialogs, f"bank text ran as script: {dialogs}"
    assert not errors, errors


def synthetic_graph(n: int = 2000, seed: int = 3) -> GraphData:
    """n concepts over the 17 categories with prerequisite/is-a edges and Zipf-ish mentions."""
    rng = random.Random(seed)
    cats = list(CATEGORIES)
    data = GraphData()
    for i in range(n):
        data.concepts[f"c{i}"] = Concept(f"c{i}", f"概念{i}", f"概念{i}", [], cats[i % len(cats)])
    for i in range(1, n):
        for _ in range(rng.choice((1, 1, 2))):
            src = f"c{rng.randrange(i)}"
            kind = RelationType.PREREQUISITE_OF if rng.random() < 0.7 else RelationType.IS_A
            data.relations.append(Relation(kind, src, f"c{i}", rng.choice((1.0, 0.8, 0.6)),
                                           Origin.LEXICON))  # fmt: skip
    for j in range(3 * n):
        qid = f"q{j}"
        data.questions[qid] = Question(
            qid, f"合成题目{j}", "合成答案。", "", [f"synth.txt:{j + 1}"]
        )
        for cid in {f"c{min(int(rng.paretovariate(0.8)) - 1, n - 1)}" for _ in range(2)}:
            data.mentions.append(Mention(qid, cid, 1, True))
    return data


def test_a_2000_concept_map(browser, timings, tmp_path) -> None:
    graph = tmp_path / "synthetic.json"
    MemoryStore.open(graph).replace(synthetic_graph())
    with _serve(graph, tmp_path / "serve.log") as url:
        page = browser.new_page(viewport=VIEWPORT)
        _timed(timings, page, "map_2000_concepts_overview", lambda: page.goto(url),
               lambda: (page.get_by_text("这里显示被问得最多的").wait_for(timeout=WAIT_MS),
                        _painted(page)))  # fmt: skip
        _chart_box(page)
        _shot(page, "09-map-2000-overview")
        _timed(timings, page, "map_2000_concepts_focus", lambda: page.goto(f"{url}/?c=c0"),
               lambda: (page.get_by_role("heading", name="概念0", exact=True)
                        .wait_for(timeout=WAIT_MS), _painted(page)))  # fmt: skip
        _chart_box(page)
        _shot(page, "10-map-2000-focus")
        page.close()


BARE_PAGE = """
import json, sys
import streamlit as st
from streamlit_echarts import st_echarts
st.set_page_config(layout="wide")
options = json.loads(open(sys.argv[1], encoding="utf-8").read())
st_echarts(options, height="900px", key="big",
           events={"finished": "function() { document.title = 'drawn'; }"})
"""


def test_echarts_draws_2000_nodes(browser, timings, tmp_path) -> None:
    """All 2,000 nodes in one graph series (the app never does this; it measures the ceiling)."""
    cmap = ConceptMap.from_data(synthetic_graph())
    nodes = cmap.ranked()
    edges = [r for r in cmap.relations]
    rng = random.Random(1)
    positions = {c: (rng.uniform(-1, 1), rng.uniform(-1, 1)) for c in nodes}
    opts = graphview.options(cmap, nodes, edges, positions)
    (tmp_path / "options.json").write_text(json.dumps(opts, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "bare.py").write_text(BARE_PAGE, encoding="utf-8")
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(tmp_path / "bare.py"),
           "--server.port", str(port), "--", str(tmp_path / "options.json")]  # fmt: skip
    with _server(cmd, tmp_path / "bare.log", port) as url:
        page = browser.new_page(viewport=VIEWPORT)
        _timed(
            timings,
            page,
            "echarts_2000_nodes_drawn",
            lambda: page.goto(url),
            lambda: page.wait_for_function("document.title === 'drawn'", timeout=WAIT_MS),
        )
        _shot(page, "11-echarts-2000-nodes")
        page.close()
    assert len(opts["series"][0]["data"]) == 2000


SESSIONS = 20


def test_twenty_sessions_at_once(browser, learner_graph, timings, tmp_path) -> None:
    """20 tabs open different question links at the same moment; each gets its own page."""
    store = MemoryStore.open(learner_graph)
    picked = [q for q in store.questions() if "<" not in q.title][::7][:SESSIONS]
    with _serve(learner_graph, tmp_path / "serve.log") as url:
        context = browser.new_context(viewport={"width": 1000, "height": 700})
        pages = [context.new_page() for _ in picked]
        errors: list[str] = []
        for page in pages:
            page.on("pageerror", lambda e: errors.append(str(e)))
        start = time.perf_counter()
        for page, q in zip(pages, picked, strict=True):
            page.goto(f"{url}/questions?q={q.id}", wait_until="commit")
        for page, q in zip(pages, picked, strict=True):
            page.get_by_role("heading", name=q.title, exact=True).wait_for(timeout=2 * WAIT_MS)
            page.get_by_text("参考回答").wait_for(timeout=WAIT_MS)
            assert f"q={q.id}" in page.url
            assert not page.locator("[data-testid=stException]").count()
        timings[f"{SESSIONS}_sessions_all_ready"] = round(time.perf_counter() - start, 3)
        context.close()
    assert len(picked) == SESSIONS and not errors, errors
