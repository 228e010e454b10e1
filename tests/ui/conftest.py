"""UI test fixtures: graph files (the bundled bank, an empty graph, a hostile one), the
Playwright browser and the timings record for the real-browser tests; `run` and `html` for the
AppTest ones."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from tests.conftest import make_toy
from tests.ui import browser_kit
from zhitu.graph.memory import MemoryStore
from zhitu.graph.model import Evidence, GraphData
from zhitu.ui.supervise import STREAMLIT_OPTIONS

for _name, _value in STREAMLIT_OPTIONS.items():  # AppTest runs the app the way `zhitu serve` does
    config.set_option(_name, _value)

APP = str(Path(__file__).resolve().parents[2] / "ui" / "app.py")
MARKER = "--x_x--0_0--"  # streamlit-echarts ran a string between two as JavaScript; text now
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
JS_LINK = "[点我](javascript:alert(3))"
HOSTILE_TITLE = f"LSTM{SCRIPT}的原理"
HOSTILE_ANSWER = f"{IMG} {JS_LINK} {MARKER}function(){{alert(4)}}{MARKER} 门控缓解梯度消失"
TIMEOUT = 60  # seconds an AppTest script run may take


def run(
    graph: Path,
    monkeypatch: pytest.MonkeyPatch,
    script: str = "views/map.py",
    **params: str | list[str],
) -> AppTest:
    """Run the app on `graph`, open page `script` with query params, fail on any exception."""
    monkeypatch.setenv("ZHITU_GRAPH", str(graph))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if script != "views/home.py":
        at.switch_page(script).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def html(at: AppTest) -> str:
    """The bodies of every st.html element on the page."""
    return "\n".join(e.proto.body for e in at.main if type(e).__name__ == "Html")


def charts(at: AppTest) -> list[dict]:
    """The ECharts options of every st.echarts_chart on the page, as the browser gets them."""
    return [json.loads(e.proto.spec) for e in at.main if getattr(e, "type", "") == "echarts_chart"]


def strings(value: object) -> list[str]:
    """Every string inside a JSON value (chart options)."""
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return [s for v in items for s in strings(v)]


def build_bank(path: Path) -> Path:
    """The bundled bank, ingested the way `zhitu ingest` does, stored at `path`."""
    from zhitu.data import QUESTIONS_DIR
    from zhitu.ingest.pipeline import ingest

    data, _ = ingest([QUESTIONS_DIR])
    MemoryStore.open(path).replace(data)
    return path


def hostile_data() -> GraphData:
    """The hand-made graph with script, image, javascript: links and the old JS marker in
    titles, answers, analyses, concept names, aliases, summaries and evidence."""
    data = make_toy()
    q = data.questions["q-lstm"]
    data.questions["q-lstm"] = replace(
        q, title=HOSTILE_TITLE, answer=HOSTILE_ANSWER, analysis=f"**粗体** <b>b</b> {SCRIPT}"
    )
    c = data.concepts["lstm"]
    data.concepts["lstm"] = replace(
        c, name=f"LSTM{MARKER}alert(5){MARKER}", aliases=[IMG, "长短时记忆网络"], summary=SCRIPT
    )
    data.relations = [
        replace(r, evidence=[Evidence("q-lstm", f"证据{SCRIPT}{IMG}")]) if r.dst == "lstm" else r
        for r in data.relations
    ]
    return data


@pytest.fixture(scope="session")
def timings() -> Iterator[dict[str, float]]:
    found: dict[str, float] = {}
    yield found
    if found:
        browser_kit.ARTIFACTS.mkdir(exist_ok=True)
        text = json.dumps(found, indent=1, ensure_ascii=False)
        (browser_kit.ARTIFACTS / "ui-timings.json").write_text(text, encoding="utf-8")
        print("\nUI timings (s):", json.dumps(found, ensure_ascii=False))


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=browser_kit.CHROMIUM, args=browser_kit.ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def bank_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_bank(tmp_path_factory.mktemp("bank") / "graph.json")


@pytest.fixture(scope="session")
def empty_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("empty") / "none.json"  # a missing file is an empty store


@pytest.fixture(scope="session")
def hostile_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "graph.json"
    MemoryStore.open(path).replace(hostile_data())
    return path
