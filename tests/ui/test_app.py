"""The Streamlit app through AppTest: every page on the bundled bank, an empty graph and a hostile
one; search, filters, deep links, chains, study paths with known concepts, progress, import."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import APP, IMG, MARKER, SCRIPT, TIMEOUT, build_bank, charts, html, run
from zhitu.graph.memory import MemoryStore
from zhitu.ui.conceptmap import ConceptMap
from zhitu.ui.render import esc, md, md_block
from zhitu.ui.views import path as path_page
from zhitu.ui.views.questions import SHORT_CHAIN

PAGES = ["views/home.py", "views/map.py", "views/questions.py", "views/path.py",
         "views/import_bank.py"]  # fmt: skip


def elements(at: AppTest, kind: str) -> list:
    """Every element of a kind ("PageLink", "Html", ...), nested ones included."""
    return [e for e in at.main if type(e).__name__ == kind]


def links(at: AppTest) -> list[tuple[str, str, str]]:
    """(label, page, query string) of every page link."""
    return [(e.proto.label, e.proto.page, e.proto.query_string) for e in elements(at, "PageLink")]


def chart_options(at: AppTest) -> dict:
    (options,) = charts(at)
    return options


def texts(at: AppTest) -> list[str]:
    """Everything shown as Markdown: markdown, captions, headers, link and expander labels."""
    out = [e.value for e in at.main if type(e).__name__ in ("Markdown", "Caption", "Subheader")]
    out += [label for label, _, _ in links(at)]
    return out + [e.label for e in at.expander]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_the_bundled_bank(bank_graph, monkeypatch, page) -> None:
    at = run(bank_graph, monkeypatch, page)
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_an_empty_graph(empty_graph, monkeypatch, page) -> None:
    at = run(empty_graph, monkeypatch, page)
    assert not at.error
    if page != "views/import_bank.py":  # every other page points at the import page
        assert at.info and "导入" in at.info[0].value


def test_a_concept_link_opens_its_panel_and_neighbourhood(bank_graph, monkeypatch) -> None:
    at = run(bank_graph, monkeypatch, c="lstm")
    assert at.selectbox(key="map_focus").value == "lstm"
    assert at.subheader[0].value == "LSTM"
    labels = [label for label, _, query in links(at) if query.startswith("c=")]
    assert "RNN" in labels  # among 需要先学
    data = chart_options(at)["series"][0]["data"]
    assert {"lstm", "rnn", "gru"} <= {n["id"] for n in data}
    assert any(n["id"] == "lstm" and n["label"]["fontWeight"] == "bold" for n in data)
    assert any(e.label.startswith("需要先学") for e in at.expander)


def test_choosing_a_concept_writes_the_deep_link(bank_graph, monkeypatch) -> None:
    at = run(bank_graph, monkeypatch)
    at.selectbox(key="map_focus").set_value("rnn").run()
    assert at.query_params["c"] == "rnn" and at.subheader[0].value == "RNN"
    at.selectbox(key="map_focus").set_value(None).run()
    assert "c" not in at.query_params


def test_an_unknown_concept_in_the_link_falls_back_to_the_overview(bank_graph, monkeypatch):
    at = run(bank_graph, monkeypatch, c="no-such-concept")
    assert at.selectbox(key="map_focus").value is None and not at.error


def test_search_finds_and_highlights(bank_graph, monkeypatch) -> None:
    at = run(bank_graph, monkeypatch, "views/questions.py", s="梯度消失")
    found = [label for label, _, query in links(at) if query.startswith("q=")]
    assert found and ":red[梯度消失]" in found[0]
    assert any(":orange[梯度消失]" in c.value for c in at.caption)  # the snippets


def test_typing_a_search_updates_results_and_link(bank_graph, monkeypatch) -> None:
    at = run(bank_graph, monkeypatch, "views/questions.py")
    everything = len([q for _, _, q in links(at) if q.startswith("q=")])
    at.text_input(key="list_search").input("LSTM 遗忘门").run()
    assert at.query_params["s"] == "LSTM 遗忘门"
    assert "按相关度排序" in at.caption[0].value
    assert any(":red[LSTM]" in label for label, _, _ in links(at))
    assert everything == 20  # the unfiltered list is paged


def test_a_search_with_no_match_says_so(bank_graph, monkeypatch) -> None:
    at = run(bank_graph, monkeypatch, "views/questions.py", s="量子纠缠超导体")
    assert at.warning and "没有找到" in at.warning[0].value


def test_concept_filter_keeps_only_questions_mentioning_it(bank_graph, monkeypatch) -> None:
    at = run(bank_graph, monkeypatch, "views/questions.py", c="gru")
    cmap = ConceptMap.from_data(MemoryStore.open(bank_graph).load())
    shown = [q[2:] for _, _, q in links(at) if q.startswith("q=")]
    assert shown and all("gru" in cmap.by_question[q] for q in shown)


def test_category_filter(bank_graph, monkeypatch) -> None:
    at = run(bank_graph, monkeypatch, "views/questions.py")
    at.multiselect(key="cat").set_value(["rnn"]).run()
    cmap = ConceptMap.from_data(MemoryStore.open(bank_graph).load())
    shown = [q[2:] for _, _, q in links(at) if q.startswith("q=")]
    assert shown and all(
        any(cmap.concepts[c].category == "rnn" for c in cmap.by_question[q]) for q in shown
    )


def test_question_page_shows_answer_chips_chain_and_related(bank_graph, monkeypatch) -> None:
    store = MemoryStore.open(bank_graph)
    q = store.question("LSTM和GRU的区别")
    at = run(bank_graph, monkeypatch, "views/questions.py", q=q.id)
    assert at.subheader[0].value.startswith("LSTM和GRU")
    assert md_block(q.answer) in [m.value for m in at.markdown]
    chips = [label for label, page, query in links(at) if query.startswith("c=")]
    assert {"LSTM", "GRU"} <= set(chips)
    chain = [s.question.id for s in store.chain(q.id)]

    def numbered() -> list[str]:
        return [query[2:] for label, _, query in links(at) if re.match(r"\d+\\\. ", label)]

    assert numbered() == chain[-SHORT_CHAIN:] and chain  # the nearest steps, in order, numbered
    if len(chain) > SHORT_CHAIN:
        at.toggle(key="full_chain").set_value(True).run()
    assert numbered() == chain  # the whole chain on demand
    page = html(at)  # each step says why it comes first, as the store gives it
    assert all(f'zt-snippet">{esc(s.via)}<' in page for s in store.chain(q.id) if s.via)
    assert any(s.via for s in store.chain(q.id))
    assert "相关原因" in html(at)


def test_a_path_with_known_concepts_omits_them(bank_graph, monkeypatch) -> None:
    full = run(bank_graph, monkeypatch, "views/path.py", t="c:lstm")
    known = run(bank_graph, monkeypatch, "views/path.py", t="c:lstm", k="rnn")

    def steps(at: AppTest) -> str:  # step cards and the compact list of later steps
        return "\n".join(m.value for m in at.markdown)

    assert "**RNN**" in steps(full) and "**LSTM**" in steps(full)
    assert "**RNN**" not in steps(known) and "**LSTM**" in steps(known)
    assert int(known.metric[0].value) < int(full.metric[0].value)


def test_marking_steps_done_updates_progress_and_next(bank_graph, monkeypatch) -> None:
    at = run(bank_graph, monkeypatch, "views/path.py", t="c:lstm")
    first = next(b for b in at.button if b.key and b.key.startswith("done-")
                 and not b.key.startswith("done-bare"))  # fmt: skip
    concept = first.key.removeprefix("done-")
    first.click().run()
    assert at.metric[3].value.startswith("1 / ")
    assert at.session_state["progress"] == {concept: "done"}
    ready = [query for _, _, query in links(at) if query][:5]  # not the page navigation
    assert f"c={concept}" not in ready
    at.button(key=f"undo-{concept}").click().run()
    assert at.session_state["progress"] == {}


def test_progress_file_round_trip_and_upload(bank_graph, monkeypatch) -> None:
    doc = path_page.progress_json(["c:lstm"], ["nn"], {"rnn": "done"})
    assert path_page.parse_progress(doc.encode()) == (["c:lstm"], ["nn"], {"rnn": "done"})
    at = run(bank_graph, monkeypatch, "views/path.py")
    at.file_uploader(key="progress_upload").upload("p.json", doc.encode(), "application/json")
    at.run()
    assert at.multiselect(key="path_targets").value == ["c:lstm"]
    assert at.session_state["progress"] == {"rnn": "done"}


@pytest.mark.parametrize(
    "data, message",
    [
        (b"{not json", "不是有效的 JSON"),
        (b'{"format": "other"}', "不是知图导出的进度文件"),
        (b'{"format": "zhitu-progress", "progress": {"rnn": "maybe"}}', "格式不对"),
    ],
)
def test_bad_progress_files_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        path_page.parse_progress(data)


def test_plan_markdown_lists_steps_and_questions(bank_graph) -> None:
    plan = MemoryStore.open(bank_graph).path(["lstm"])
    text = path_page.plan_markdown(plan, ["LSTM"], {plan.steps[0].concept.id: "done"})
    assert text.startswith("# 学习路径：LSTM")
    assert text.count("- [x]") == 1 and text.count("- [ ]") == len(plan.steps) - 1


def test_deep_links_from_any_page(bank_graph, monkeypatch) -> None:
    store = MemoryStore.open(bank_graph)
    q = store.questions()[0]
    at = run(bank_graph, monkeypatch, q=q.id)  # a question link to the root opens the question
    assert at.subheader[0].value.startswith(q.title[:4])
    at = run(bank_graph, monkeypatch, "views/home.py", page="path")  # ?page=path
    assert at.subheader[0].value == "学习路径"


def test_import_previews_then_merges(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ZHITU_WRITES", "open")  # `zhitu serve` on loopback (tests/ui/test_security)
    graph = build_bank(tmp_path / "graph.json")
    before = MemoryStore.open(graph).stats()["questions"]
    bank = (
        "● 什么是知图测试专用的胶囊网络路由\n参考回答:\n"
        "胶囊网络用动态路由代替池化，和CNN相比保留了位置关系。\n"
    )
    at = run(graph, monkeypatch, "views/import_bank.py")
    at.file_uploader[0].upload("新题库.txt", bank.encode("utf-8"), "text/plain").run()
    assert not at.exception and at.metric[1].value == "1"  # one new question
    assert MemoryStore.open(graph).stats()["questions"] == before  # preview writes nothing
    at.button[0].click().run()
    assert not at.exception and "已合并" in at.success[0].value
    merged = MemoryStore.open(graph)
    assert merged.stats()["questions"] == before + 1
    assert any("uploads/新题库.txt" in s for q in merged.questions() for s in q.sources)


def test_import_refuses_oversized_and_unreadable_files(empty_graph, monkeypatch) -> None:
    from zhitu.ui.views.import_bank import MAX_UPLOAD_MB

    monkeypatch.setenv("ZHITU_WRITES", "open")
    at = run(empty_graph, monkeypatch, "views/import_bank.py")
    at.file_uploader[0].upload("big.txt", b"x" * (MAX_UPLOAD_MB * 2**20 + 1), "text/plain").run()
    assert at.error and f"超过了 {MAX_UPLOAD_MB} MB" in at.error[0].value
    at = run(empty_graph, monkeypatch, "views/import_bank.py")
    at.file_uploader[0].upload("x.txt", b"\x89PNG\r\n\x1a\n\x00\x00binary", "text/plain").run()
    assert at.error and md("x.txt") in at.error[0].value  # the pipeline's one-line message
    assert not at.button


def test_a_broken_graph_file_is_one_error_not_a_traceback(tmp_path, monkeypatch) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    at = run(broken, monkeypatch)
    assert at.error and md(str(broken)) in at.error[0].value  # shown escaped, as text


# --- hostile text: shown as text everywhere, never as markup or script ---

HOSTILE_VIEWS = [
    ("views/map.py", {"c": "lstm"}),
    ("views/questions.py", {}),
    ("views/questions.py", {"s": "LSTM 原理"}),
    ("views/questions.py", {"q": "q-lstm"}),
    ("views/path.py", {"t": "c:lstm"}),
]


@pytest.mark.parametrize("page, params", HOSTILE_VIEWS)
def test_hostile_text_is_escaped(hostile_graph, monkeypatch, page, params) -> None:
    at = run(hostile_graph, monkeypatch, page, **params)
    body = html(at)
    assert not re.search(r"<(script|img|svg|iframe)", body, re.IGNORECASE), body
    for text in texts(at):  # Markdown: every < and ( of bank text is backslash-escaped
        assert not re.search(r"(?<!\\)<(script|img|svg)", text), text
        assert "](javascript" not in text, text
    if page == "views/map.py":  # JSON for st.echarts_chart: the name as written, inert
        names = [n["name"] for n in chart_options(at)["series"][0]["data"]]
        assert f"LSTM{MARKER}alert(5){MARKER}" in names


def test_hostile_question_shows_its_markup_literally(hostile_graph, monkeypatch) -> None:
    at = run(hostile_graph, monkeypatch, "views/questions.py", q="q-lstm")
    assert at.subheader[0].value == r"LSTM\<script\>alert\(1\)\<\/script\>的原理"
    body = "\n".join(m.value for m in at.markdown)
    assert md("<script>alert(1)</script>") in body
    assert md("<img src=x onerror=alert(2)>") in body and md("[点我](javascript:alert(3))") in body
    assert IMG not in body and SCRIPT not in body


def test_without_a_graph_target_the_app_says_how_to_start(monkeypatch) -> None:
    monkeypatch.delenv("ZHITU_GRAPH", raising=False)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception and at.error and "ZHITU_GRAPH" in at.error[0].value


def test_the_first_screen_sends_each_job_to_its_page(bank_graph, monkeypatch) -> None:
    at = run(bank_graph, monkeypatch, "views/home.py")
    assert any("道题" in c.value and "个概念" in c.value for c in at.caption)  # the bank summary
    assert not at.slider  # the map's controls are not the first thing
    at.text_input(key="home_search").input("梯度消失").run()
    assert at.text_input(key="list_search").value == "梯度消失"  # the search page, searching
    at = run(bank_graph, monkeypatch, "views/home.py")
    at.selectbox(key="home_target").select("lstm").run()
    assert at.multiselect(key="path_targets").value == ["c:lstm"]


@pytest.mark.parametrize(
    ("typed", "known"),
    [
        ("RNN", ["rnn"]),  # a name: exactly that concept, not ResNeXt or Bi-RNN
        ("循环神经网络", ["rnn"]),  # its Chinese name
        ("lstm", ["lstm"]),  # an id
        ("量子纠缠", []),  # nothing: said so, nothing added
    ],
)
def test_typed_known_concepts_resolve_exactly(bank_graph, monkeypatch, typed, known) -> None:
    at = run(bank_graph, monkeypatch, "views/path.py", t="c:transformer")
    at.multiselect(key="path_known").set_value([typed]).run()
    assert at.multiselect(key="path_known").value == known
    assert at.query_params.get("k", []) in (known, known[0] if known else [])
    assert bool(at.warning) == (not known)



def test_pages_are_compiled_without_parsing_them_to_an_ast(bank_graph, monkeypatch) -> None:
    """CPython 3.11 shares one AST counter between threads: with Streamlit's magic on, a page
    parsed while the search index loads (numpy parses .npy headers) failed now and then in CI.
    The app runs without magic, so no page goes through ast.parse."""
    import ast

    parsed: list[str] = []
    real_parse = ast.parse

    def parse(source, filename="<unknown>", *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        parsed.append(str(filename))
        return real_parse(source, filename, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", parse)
    for page in [*PAGES, "views/review.py", "views/curate.py"]:
        run(bank_graph, monkeypatch, page)
    assert not [name for name in parsed if name.endswith(".py")], parsed
