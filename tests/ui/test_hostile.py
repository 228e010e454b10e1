"""Hostile text across every page (issue 8): bank text and link parameters carrying `<script>`,
`<img onerror>`, `<svg onload>`, `<iframe>`, `javascript:` links (HTML and Markdown), KaTeX
`\\href`, entities and the JS marker of the old chart component (streamlit-echarts) show as text
and never run.

Unlike tests/ui/test_app.py (one hostile question and concept), here every question and every
concept carries a payload, the payloads also arrive through deep-link parameters (?s= ?q= ?c= ?t=)
and an uploaded bank, and AppTest covers every page and view. The real browser (`zhitu serve`,
Debian's chromium) then opens each page: every payload would set window.__pwned, which must stay
undefined while the payload text is visible.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import make_toy
from tests.ui.browser_kit import CHART, WAIT_MS, idle, needs_chromium, painted, serve, shot
from tests.ui.conftest import MARKER, charts, html, run, strings
from zhitu.graph.memory import MemoryStore
from zhitu.graph.model import Evidence, GraphData
from zhitu.ui.render import math_spans, md_block, md_math

PAYLOADS = [
    "<script>window.__pwned='script'</script>",
    "<img src=x onerror=\"window.__pwned='img'\">",
    "<svg onload=\"window.__pwned='svg'\"></svg>",
    "<iframe src=\"javascript:window.__pwned='iframe'\"></iframe>",
    "<a href=\"javascript:window.__pwned='a'\">点这里</a>",
    "[点我](javascript:window.__pwned='md')",
    f"{MARKER}function(){{window.__pwned='echarts'}}{MARKER}",
    "$\\href{javascript:window.__pwned='katex'}{公式}$",
    "&lt;b&gt;实体&lt;/b&gt; {{7*7}} ${7*7} :red[红字] <!-- 注释 -->",
    # formulas are typeset; what surrounds them and link/HTML commands inside them stay text
    "$\\sigma^2$<script>window.__pwned='math'</script>$$\\sum_i x_i$$<img src=x onerror=x>",
    "\\(\\url{javascript:window.__pwned='url'}\\) $x$](javascript:window.__pwned='mdmath')",
]
RAW_HTML = re.compile(r"<\s*(script|img|svg|iframe|object|embed)\b|<a\s[^>]*href\s*=\s*[\"']?"
                      r"\s*javascript:|\son\w+\s*=\s*[\"']", re.IGNORECASE)  # fmt: skip
# In Markdown every `<`, `[`, `]`, `(`, `$` of bank text must arrive backslash-escaped, except
# the `$…$` around a formula handed to KaTeX, which must hold no link or HTML command
LIVE_MARKDOWN = re.compile(r"(?<!\\)<|(?<!\\)\]\s*(?<!\\)\(|(?<!\\)\$")
FORMULA = re.compile(r"\$\$\n[^$\n]+\n\$\$|(?<!\\)\$[^$\n]+(?<!\\)\$")
TEX_LINK = re.compile(r"\\(href|url|html|includegraphics)")


def hostile_everywhere() -> GraphData:
    """The hand-made graph with a payload in every title, answer, analysis, concept name,
    Chinese name, alias, summary and evidence sentence."""
    data = make_toy()
    n = len(PAYLOADS)
    for i, qid in enumerate(sorted(data.questions)):
        q = data.questions[qid]
        data.questions[qid] = replace(
            q, title=f"{q.title}{PAYLOADS[i % n]}", answer=f"{PAYLOADS[(i + 1) % n]}\n{q.answer}",
            analysis=PAYLOADS[(i + 2) % n],
        )  # fmt: skip
    for j, cid in enumerate(sorted(data.concepts)):
        c = data.concepts[cid]
        data.concepts[cid] = replace(
            c, name=f"{c.name}{PAYLOADS[j % n]}", zh=f"{c.zh}{PAYLOADS[(j + 3) % n]}",
            aliases=[*c.aliases, PAYLOADS[(j + 4) % n]], summary=PAYLOADS[(j + 5) % n],
        )  # fmt: skip
    data.relations = [
        replace(r, evidence=[Evidence(sorted(data.questions)[k % 9], PAYLOADS[k % n])])
        for k, r in enumerate(data.relations)
    ]
    return data


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile-all") / "graph.json"
    MemoryStore.open(path).replace(hostile_everywhere())
    return path


def markdown(at: AppTest) -> list[str]:
    """Every string Streamlit renders as Markdown on the page, and alert texts."""
    kinds = ("Markdown", "Caption", "Subheader", "Header", "Title", "Error", "Warning", "Info",
             "Success")  # fmt: skip
    found = [e.value for e in at.main if type(e).__name__ in kinds]
    found += [e.proto.label for e in at.main if type(e).__name__ == "PageLink"]
    return found + [e.label for e in at.expander] + [t.label for t in at.tabs]


def assert_inert(at: AppTest) -> None:
    body = html(at)
    assert not RAW_HTML.search(body), RAW_HTML.search(body)
    for text in markdown(at):
        assert not any(TEX_LINK.search(f) for f in FORMULA.findall(text)), text
        text = FORMULA.sub("", text)
        assert not LIVE_MARKDOWN.search(text), text
    for options in charts(at):  # JSON, drawn as canvas text: only template braces could act
        assert {s for s in strings(options) if "{" in s or "}" in s} <= {"{c}"}


def test_streamlits_chart_runs_no_string_as_code() -> None:
    """The charts are st.echarts_chart: JSON options, and its browser code (Streamlit's own
    bundle) has no way to turn a string into code. If a Streamlit upgrade adds one (such as
    pyecharts' `--x_x--` JsCode marker), bank text in chart options needs a look again."""
    import streamlit

    static = Path(streamlit.__file__).parent / "static" / "static" / "js"
    (bundle,) = static.glob("EChartsChart.*.js")
    code = bundle.read_text(encoding="utf-8")
    for sign in ("x_x", "new Function", "eval("):
        assert sign not in code, sign


URL_PAYLOAD = "<img src=x onerror=alert(1)>[x](javascript:alert(2))$x$"
VIEWS = [
    ("views/map.py", {}),
    *[("views/map.py", {"c": cid}) for cid in ("nn", "rnn", "lstm", "gru", "batch-norm")],
    ("views/map.py", {"c": URL_PAYLOAD}),  # an unknown concept from a crafted link
    ("views/questions.py", {}),
    ("views/questions.py", {"s": "RNN 原理"}),
    ("views/questions.py", {"s": "script img onerror javascript"}),  # highlights inside payloads
    ("views/questions.py", {"s": URL_PAYLOAD}),  # the no-match message quotes the search
    ("views/questions.py", {"c": "lstm"}),
    *[("views/questions.py", {"q": qid}) for qid in ("q-nn", "q-lstm", "q-vg", "q-bn", "q-att")],
    ("views/questions.py", {"q": URL_PAYLOAD}),  # "没有编号为「…」的题目"
    ("views/path.py", {"t": "c:lstm"}),
    ("views/path.py", {"t": "q:q-lstm-f", "k": "nn"}),
    ("views/path.py", {"t": f"c:{URL_PAYLOAD}"}),
    ("views/import_bank.py", {}),
]


@pytest.mark.parametrize(("page", "params"), VIEWS, ids=[f"{p[6:-3]}-{i}" for i, (p, _) in
                                                          enumerate(VIEWS)])  # fmt: skip
def test_every_view_shows_hostile_text_as_text(graph, monkeypatch, page, params) -> None:
    at = run(graph, monkeypatch, page, **params)
    assert_inert(at)


def test_the_payloads_are_visible_as_text_on_a_question(graph, monkeypatch) -> None:
    q = MemoryStore.open(graph).question("q-lstm")
    at = run(graph, monkeypatch, "views/questions.py", q="q-lstm")
    shown = [m.value for m in at.markdown]
    assert md_block(q.answer) in shown and md_block(q.analysis) in shown
    assert at.subheader[0].value == md_math(q.title)  # every Markdown character escaped


def test_an_uploaded_hostile_bank_previews_as_text(tmp_path, monkeypatch) -> None:
    graph = tmp_path / "graph.json"
    MemoryStore.open(graph).replace(make_toy())
    bank = "".join(f"● 什么是门控单元{i}{p}\n参考回答:\nLSTM{p}用门控缓解梯度消失。\n"
                   for i, p in enumerate(PAYLOADS))  # fmt: skip
    bank += f"● 没有答案的题{PAYLOADS[0]}\n"  # a warning quoting a payload
    monkeypatch.setenv("ZHITU_WRITES", "open")
    at = run(graph, monkeypatch, "views/import_bank.py")
    at.file_uploader[0].upload("恶意<题库>.txt", bank.encode("utf-8"), "text/plain").run()
    assert not at.exception and at.metric[1].value == str(len(PAYLOADS))
    assert_inert(at)
    assert "&lt;script&gt;window.__pwned" in html(at)  # in the new-questions list and warning


# --- the real browser ---

PWNED = "() => window.__pwned === undefined && !document.querySelector(" \
        "'[data-testid=stMain] img[src=x], [data-testid=stMain] iframe, " \
        "[data-testid=stMain] a[href^=javascript], [data-testid=stMain] svg[onload]')"  # fmt: skip


def hover_chart(page) -> None:  # noqa: ANN001
    """Move the mouse over the first chart on a grid, so tooltips and hover labels show."""
    box = page.locator(CHART).first.bounding_box()
    for i in range(1, 8):
        for j in range(1, 8):
            page.mouse.move(box["x"] + box["width"] * i / 8, box["y"] + box["height"] * j / 8)
    page.wait_for_timeout(200)


@needs_chromium
def test_no_payload_runs_in_the_browser(browser, graph, tmp_path) -> None:
    store = MemoryStore.open(graph)
    lstm = store.question("q-lstm")
    pages = [
        ("", "home"),
        ("map", "map"),
        ("?c=lstm", "map-lstm"),
        ("questions", "questions"),
        ("questions?s=script%20img%20javascript", "search"),
        (f"questions?s={URL_PAYLOAD}", "search-url-payload"),
        ("questions?q=q-lstm", "question"),
        ("questions?q=q-att", "question-att"),
        ("path?t=c:lstm", "path"),
        ("import", "import"),
    ]
    with serve(graph, tmp_path / "serve.log") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for path, name in pages:
            page.goto(f"{url}/{path}")
            page.locator("[data-testid=stMain]").wait_for(timeout=WAIT_MS)
            idle(page)
            if name.startswith("map") or name == "question":
                painted(page)  # the chart drew the hostile labels
                hover_chart(page)  # and their tooltips
            page.wait_for_timeout(300)  # let any injected handler fire
            assert page.evaluate(PWNED), (name, page.evaluate("window.__pwned"))
            assert not page.locator("[data-testid=stException]").count(), name
            if name == "question":  # and the payloads are there to read, as text
                page.get_by_text("LSTM的原理的参考回答。").wait_for(timeout=WAIT_MS)
                parts = [p for p in (lstm.title, lstm.answer.splitlines()[0], lstm.analysis)
                         if not math_spans(p)]  # a typeset formula reads differently
                page.wait_for_function(  # the analysis can arrive after the answer
                    "ps => ps.every(p => document.querySelector('[data-testid=stMain]')"
                    ".innerText.includes(p))", arg=parts, timeout=WAIT_MS)
                text = page.inner_text("[data-testid=stMain]")
                for part in parts:
                    assert part in text, part  # the old JS marker too: text
                shot(page, "hostile-question")
        # the probe does catch a payload that gets in: one added to the page by hand runs
        page.evaluate("p => document.body.insertAdjacentHTML('beforeend', p)", PAYLOADS[1])
        page.wait_for_function("() => window.__pwned === 'img'", timeout=WAIT_MS)
        page.close()
    assert not dialogs


@needs_chromium
def test_an_oversized_upload_is_refused_in_the_browser(browser, tmp_path) -> None:
    from zhitu.ui.views.import_bank import MAX_UPLOAD_MB

    graph = tmp_path / "graph.json"
    MemoryStore.open(graph).replace(make_toy())
    before = graph.read_bytes()
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * (MAX_UPLOAD_MB * 2**20 + 1))
    with serve(graph, tmp_path / "serve.log") as url:
        page = browser.new_page()
        page.goto(f"{url}/import")
        page.get_by_text(f"单个文件不超过 {MAX_UPLOAD_MB} MB").wait_for(timeout=WAIT_MS)
        uploader = page.locator("[data-testid=stFileUploaderDropzoneInput]")
        uploader.set_input_files(str(big))
        chip = page.locator("[data-testid=stFileChip][aria-invalid=true]")
        chip.wait_for(timeout=WAIT_MS)  # refused in the browser, said in Chinese beside the file
        note = chip.evaluate("e => getComputedStyle(e, '::after').content")
        assert "没有上传" in note, note
        idle(page)
        assert not page.get_by_text("读到题目").count()  # no preview was made
        page.close()
    assert graph.read_bytes() == before and not (tmp_path / "uploads").exists()
