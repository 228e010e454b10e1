"""The learner's progress in a real browser (issue 17): `zhitu serve`, the 今日复习 page with
?learner=, a self-test graded 不会 brings the prerequisite questions first, a reload keeps the
learner and the queue, and a link that drops ?learner= does not lose the learner. A name with
markup shows as text. Skipped until app.py registers the review page (state.PAGES["review"])."""

from __future__ import annotations

import shutil
import urllib.parse
from datetime import timedelta
from pathlib import Path

import pytest

from tests.ui.browser_kit import VIEWPORT, WAIT_MS, idle, needs_chromium, serve, shot
from zhitu.graph import progress as prog
from zhitu.graph.memory import MemoryStore
from zhitu.ui.state import PAGES
from zhitu.ui.views.review import SHOWN

pytestmark = [needs_chromium,
              pytest.mark.skipif("review" not in PAGES, reason="the review page is not wired")]

TARGET = "写出LSTM各个门和细胞状态的计算公式"
NAME = "小红<b>粗</b>"


LINKS = '[data-testid="stMain"] [data-testid="stPageLink"] a'


def numbered(page, count: int | None = None) -> list[str]:
    """The review items' titles once the page shows `count` of them (when given)."""
    if count is not None:
        page.wait_for_function(
            "([sel, n]) => [...document.querySelectorAll(sel)]"
            ".filter(a => /^\\d/.test(a.innerText)).length === n", arg=[LINKS, count],
            timeout=WAIT_MS)
    return [t for t in page.locator(LINKS).all_inner_texts() if t[:1].isdigit()]


def test_review_survives_reload_and_links(bank_graph: Path, tmp_path: Path, browser) -> None:
    graph = tmp_path / "graph.json"
    shutil.copy(bank_graph, graph)
    store = MemoryStore.open(graph)
    target = store.question(TARGET)
    chain = [s.question.title for s in store.chain(target.id)]
    when = prog.now() - timedelta(days=30)
    prog.FileProgress(graph).update(NAME, lambda p: prog.grade(p, target.id, "会", [], when))
    with serve(graph, tmp_path / "server.log") as url:
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(f"{url}/review?learner={urllib.parse.quote(NAME)}")
        page.get_by_text("先想一想，再看答案").first.wait_for(timeout=WAIT_MS)
        page.get_by_role("button", name="看答案").first.click()
        page.get_by_role("button", name="不会").first.click()
        page.get_by_text("答不上来").first.wait_for(timeout=WAIT_MS)
        idle(page)
        first = numbered(page, min(len(chain), SHOWN))
        assert [t.split(" ", 1)[1] for t in first] == chain[:SHOWN]
        shot(page, "review-after-no")
        page.reload()
        page.get_by_text("答不上来").first.wait_for(timeout=WAIT_MS)
        idle(page)
        assert numbered(page, len(first)) == first
        assert urllib.parse.unquote(page.url).endswith(f"learner={NAME}")
        page.locator(LINKS).filter(
            has_text="1.").first.click()  # the question page: its link has no ?learner=
        page.get_by_text("参考回答").first.wait_for(timeout=WAIT_MS)
        idle(page)
        assert f"learner={NAME}" in urllib.parse.unquote(page.url)
        page.get_by_role("link", name="今日复习").first.click()
        page.get_by_text("答不上来").first.wait_for(timeout=WAIT_MS)
        idle(page)
        assert numbered(page, len(first)) == first
        assert page.locator("b", has_text="粗").count() == 0  # the name's markup is text
