"""The explorer, polished (issue 18), in a real browser on the bundled bank; one `zhitu serve`
for the whole module, stopped by SIGTERM in the last test (its Streamlit child must go too).

First visits are timed in fresh tabs (map first paint on a cold server, first screen, a question
page) and saved with the other UI timings, never asserted. Then: formulas typeset, pickers that
choose exactly what was typed, unknown links that offer the closest matches, the list's page in
the URL, no English widget text on any page, and the 390-px phone layout. Screenshots of every
page at 1440×900 and 390×844 go to artifacts/.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.ui.browser_kit import (
    ROOT,
    WAIT_MS,
    _wait_healthy,
    free_port,
    idle,
    needs_chromium,
    painted,
    shot,
    timed,
)
from zhitu.graph.memory import MemoryStore
from zhitu.ui.cli import cli
from zhitu.ui.render import math_spans
from zhitu.ui.state import PAGES

pytestmark = needs_chromium
WIDE = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}

# Text the reader can see: text nodes with a box, not clipped away for screen readers, not icon
# ligatures, not formulas (bank text typeset by KaTeX)
VISIBLE_TEXT = """() => {
  const hidden = el => { for (; el; el = el.parentElement) { const s = getComputedStyle(el);
    if (s.display === 'none' || s.visibility === 'hidden' || s.opacity === '0'
        || s.clipPath.includes('inset(50%)') || s.clip.startsWith('rect(0px')) return true; }
    return false; };
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const node = walk.currentNode, text = node.textContent.trim(), el = node.parentElement;
    if (!text || !el || el.closest('.katex, script, style, noscript')) continue;
    const style = getComputedStyle(el);
    if (parseFloat(style.fontSize) === 0 || style.fontFamily.includes('Material')) continue;
    const range = document.createRange(); range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    if (box.width < 2 || box.height < 2 || box.bottom < 0 || box.right < 0) continue;
    if (!hidden(el)) out.push(text);
  }
  return out;
}"""
# Boxes inside the page that scroll on their own (a scroll box in the scrolling page)
NESTED_SCROLL = """() => [...document.querySelectorAll('[data-testid=stMainBlockContainer] *')]
  .filter(el => { const s = getComputedStyle(el);
    return /(auto|scroll)/.test(s.overflowY) && el.scrollHeight > el.clientHeight + 4
      && el.clientHeight > 0 && !el.closest('.katex-display, [data-testid=stDataFrame]'); })
  .map(el => el.getAttribute('data-testid') || el.className)"""


@pytest.fixture(scope="module")
def served(bank_graph: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    """(url, the serve process): `zhitu serve` itself, so the last test can signal it."""
    port = free_port()
    log = tmp_path_factory.mktemp("explorer") / "serve.log"
    cmd = [sys.executable, "-m", "zhitu", "--graph", str(bank_graph), "serve",
           "--port", str(port), "--no-browser"]  # fmt: skip
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)  # fmt: skip
    url = f"http://localhost:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield url, proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def formula_question(bank_graph: Path):  # noqa: ANN201
    """A bundled question whose answer has several formulas and a long prerequisite chain."""
    store = MemoryStore.open(bank_graph)
    return max(store.questions(), key=lambda q: (len(math_spans(q.answer)) >= 3,
                                                 len(store.chain(q.id)), q.id))  # fmt: skip


def _open(browser, url: str, ready: str, viewport: dict[str, int] = WIDE):  # noqa: ANN001, ANN202
    """A new tab on `url`, once `ready` (a Playwright selector) is there and the run is over."""
    page = browser.new_page(viewport=viewport)
    page.goto(url)
    page.locator(ready).first.wait_for(timeout=WAIT_MS)
    idle(page)
    return page


def _english(page, allowed: set[str]) -> list[str]:  # noqa: ANN001
    words = re.findall(r"[A-Za-z]{2,}", " ".join(page.evaluate(VISIBLE_TEXT)))
    return sorted({w for w in words if w.casefold() not in allowed})


def _content_then_settled(timings: dict[str, float], page, name: str, action, content) -> None:  # noqa: ANN001
    """Record `name`_content (until `content` is visible) and `name`_settled (the run over)."""
    start = time.perf_counter()
    action()
    content.wait_for(timeout=WAIT_MS)
    timings[f"{name}_content"] = round(time.perf_counter() - start, 3)
    idle(page)
    timings[f"{name}_settled"] = round(time.perf_counter() - start, 3)


def test_first_visits_are_timed_and_formulas_typeset(browser, served, formula_question,
                                                     timings) -> None:  # fmt: skip
    """New tabs of one browser (its cache shared, as a learner's tabs are); the first one is
    also the server's first visitor, on the map."""
    url, _ = served
    context = browser.new_context(viewport=WIDE)
    page = context.new_page()
    timed(timings, page, "map_first_paint_cold_server", lambda: page.goto(f"{url}/map"),
          lambda: painted(page))  # fmt: skip
    page.close()
    page = context.new_page()
    _content_then_settled(timings, page, "first_screen_new_tab", lambda: page.goto(url),
                          page.get_by_role("heading", name="浏览知识图谱"))  # fmt: skip
    page.get_by_text("道题").first.wait_for()  # the bank summary
    for job in ("选一个目标 → 学习路径", "搜题", "浏览知识图谱"):
        page.get_by_role("heading", name=job).wait_for(timeout=WAIT_MS)
    assert not page.locator("[data-testid=stSlider]").count()  # no map controls first
    page.close()
    page = context.new_page()
    missing: list[str] = []  # Streamlit knows its base URL: no probe of /questions/_stcore/health
    page.on("response", lambda r: r.status == 404 and missing.append(r.url))
    answer = page.locator(".st-key-answer .katex")
    _content_then_settled(timings, page, "question_new_tab",
                          lambda: page.goto(f"{url}/questions?q={formula_question.id}"),
                          answer.first)  # fmt: skip
    assert answer.count() >= len(math_spans(formula_question.answer))
    assert "$" not in page.inner_text(".st-key-answer")  # every formula typeset, none raw
    assert page.locator("h3 .katex").count() == len(math_spans(formula_question.title))
    assert not missing and page.evaluate("document.documentElement.lang") == "zh-CN"
    page.close()
    page = context.new_page()
    timed(timings, page, "map_first_paint_new_tab", lambda: page.goto(f"{url}/map"),
          lambda: painted(page))  # fmt: skip
    context.close()


def test_pickers_choose_exactly_what_was_typed(browser, served) -> None:
    url, _ = served
    page = _open(browser, f"{url}/path", "[data-testid=stMultiSelect] input")
    targets, known = page.locator("[data-testid=stMultiSelect] input").all()[:2]
    for box, text, param, expected in ((targets, "LSTM", "t", "c:lstm"),
                                       (known, "RNN", "k", "rnn")):  # fmt: skip
        box.click()
        page.keyboard.type(text)
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        page.wait_for_function(f"() => location.search.includes('{param}=')", timeout=WAIT_MS)
        idle(page)
        found = re.findall(rf"[?&]{param}=([^&]+)", page.url)
        assert [v.replace("%3A", ":") for v in found] == [expected], page.url
    page.get_by_text("学习步骤").wait_for(timeout=WAIT_MS)
    known.click()
    page.keyboard.type("量子纠缠")  # names nothing: said so, nothing added
    page.keyboard.press("Enter")
    page.get_by_text("没有找到概念「量子纠缠」").wait_for(timeout=WAIT_MS)
    assert re.findall(r"[?&]k=([^&]+)", page.url) == ["rnn"]
    page.close()


def test_unknown_links_offer_the_closest_and_a_way_back(browser, served) -> None:
    url, _ = served
    cases = [("?c=lstmm", "没有找到概念", "c="), ("questions?q=no-such-question-id", "没有找到题目",
             "q="), ("path?t=c:lstmm", "没有找到概念", "t=")]  # fmt: skip
    for path, message, param in cases:
        page = _open(browser, f"{url}/{path}", f"text={message}")
        main = page.locator("[data-testid=stMain]")
        main.get_by_role("link", name="回到首页").first.wait_for(timeout=WAIT_MS)
        suggestions = main.locator(f'a[href*="{param}"]')
        suggestions.first.wait_for(timeout=WAIT_MS)
        if param == "c=":
            first = suggestions.first
            href = first.get_attribute("href")
            first.click()
            page.wait_for_url(re.compile(r"/map\?c="), timeout=WAIT_MS)
            assert href and href.split("c=")[1] in page.url
        page.close()


def test_the_list_view_lives_in_the_url(browser, served) -> None:
    url, _ = served
    page = _open(browser, f"{url}/questions?p=2", "text=第 2 /")
    page.locator("[data-testid=stNumberInputStepUp]").click()
    page.wait_for_function("() => location.search.includes('p=3')", timeout=WAIT_MS)
    page.get_by_text("第 3 /").wait_for(timeout=WAIT_MS)
    page.reload()
    page.get_by_text("第 3 /").wait_for(timeout=WAIT_MS)
    page.go_back()
    page.get_by_text("第 2 /").wait_for(timeout=WAIT_MS)
    page.close()


def test_every_page_speaks_chinese_and_fits_a_phone(browser, served, bank_graph,
                                                    formula_question) -> None:  # fmt: skip
    url, _ = served
    data = MemoryStore.open(bank_graph).load()
    bank = [q.title + q.answer + q.analysis + (q.topic or "") + " ".join(q.sources)
            for q in data.questions.values()]  # fmt: skip
    bank += [" ".join([c.name, c.zh or "", *c.aliases, c.summary or ""])
             for c in data.concepts.values()]  # fmt: skip
    # proper nouns from the bank and concept names, and the formats the import page names
    allowed = {w.casefold() for w in re.findall(r"[A-Za-z]{2,}", " ".join(bank))}
    allowed |= {"txt", "md", "markdown", "json", "jsonl", "csv", "utf", "gb", "mb", "zhitu"}
    allowed |= set(cli.commands)  # command names quoted as code (`zhitu curate …`)
    pages = {  # name -> (link, an element that shows the page is drawn)
        "home": ("", "h5"),
        "map": ("map?c=lstm", "[data-testid=stSelectbox]"),  # the chart: tests of its own
        "list": ("questions?s=梯度", "[data-testid=stCaptionContainer]"),
        "question": (f"questions?q={formula_question.id}", ".st-key-answer .katex"),
        "path": ("path?t=c:lstm", "[data-testid=stMetric]"),
        "import": ("import", "[data-testid=stFileUploaderDropzone]"),
        "curate": ("curate", "[data-testid=stHeading]"),
        "review": ("review?learner=小明", "[data-testid=stMetric]"),
    }
    walked = {path.split("?")[0] or "home" for path, _ in pages.values()}
    assert set(PAGES) <= walked, f"pages not walked: {set(PAGES) - walked}"
    left: dict[str, list[str]] = {}
    for name, (path, ready) in pages.items():
        page = _open(browser, f"{url}/{path}", ready)
        left[name] = _english(page, allowed)
        shot(page, f"explorer-{name}-1440")
        if name in ("list", "path"):  # an open picker with nothing matching
            page.locator("[data-testid=stMultiSelect] input").first.click()
            page.keyboard.type("zzzz")
            page.wait_for_timeout(500)
            left[f"{name}-picker"] = _english(page, allowed)
            page.keyboard.press("Escape")
        if name == "home":  # the search box's hint while typing
            page.get_by_label("搜索题目").fill("abc")
            page.wait_for_timeout(300)
            left["home-typing"] = _english(page, allowed)
        page.close()

        phone = _open(browser, f"{url}/{path}", ready, PHONE)
        nav = phone.locator(".st-key-mobile-nav a")
        nav.first.wait_for(timeout=WAIT_MS)  # navigation in sight, not folded behind »
        phone.wait_for_function("n => document.querySelectorAll('.st-key-mobile-nav a').length"
                                " === n", arg=len(PAGES), timeout=WAIT_MS)
        idle(phone)
        assert nav.count() == len(PAGES) and nav.last.is_visible(), name
        assert phone.evaluate("() => document.querySelector('[data-testid=stMain]')"
                              ".scrollWidth") <= PHONE["width"] + 1, name  # nothing cut off
        for row in phone.locator("[class*=st-key-chips-]").all():
            box = row.bounding_box()
            assert not box or box["x"] + box["width"] <= PHONE["width"] + 1, name  # pills wrap
        assert phone.evaluate(NESTED_SCROLL) == [], name
        shot(phone, f"explorer-{name}-390")
        phone.close()
    assert not any(left.values()), {k: v for k, v in left.items() if v}


def test_serve_stops_its_server_on_sigterm(served) -> None:
    _, proc = served
    children = psutil.Process(proc.pid).children(recursive=True)
    assert children, "serve has no Streamlit child"
    os.kill(proc.pid, signal.SIGTERM)  # serve alone, not its process group
    assert proc.wait(30) == 128 + signal.SIGTERM
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(c.is_running() and
                                              c.status() != psutil.STATUS_ZOMBIE for c in children):
        time.sleep(0.2)
    assert not [c.pid for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
