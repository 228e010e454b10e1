"""Reading real bank structures faithfully (issue #13): the heading tree, title paths and ids,
non-question sections, text around bold and numbered lines, accounting of every line, merges.

The fixtures are our own words shaped like public banks: per-model sub-sections, 参考文献 and
TODO sections, bold sub-questions inside answers, Q&A in tables, <details> blocks, task-list
questions with a table of contents, a heading-less one-question file, a chapter shipped twice.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from zhitu.ingest.read import (
    FileReport,
    ReadResult,
    group_questions,
    question_id,
    read_file,
    read_paths,
    read_text,
)
from zhitu.ingest.read_common import UNCLAIMED
from zhitu.ingest.read_titles import asks, is_generic, non_question

BANKS = Path(__file__).resolve().parent / "fixtures" / "banks"


def assert_accounted(result: ReadResult, text: str) -> FileReport:
    """Every non-blank line is in exactly one question or skipped with a reason."""
    (report,) = result.files
    content = {n for n, line in enumerate(text.split("\n"), 1) if line.strip()}
    held = [n for q in result.questions for n in q.lines]
    skipped = [n for n, _ in report.skipped]
    assert len(held) == len(set(held)), "a line held by two questions"
    assert not set(held) & set(skipped)
    assert set(held) | set(skipped) == content
    assert UNCLAIMED not in {r for _, r in report.skipped}
    assert report.kept + len(report.skipped) == report.lines == len(content)
    return report


def by_title(result: ReadResult) -> dict[str, object]:
    return {q.title: q for q in result.questions}


@pytest.fixture(scope="module")
def nested() -> ReadResult:
    return read_file(BANKS / "nested_sections.md")


def test_generic_sub_sections_carry_their_parent(nested: ReadResult) -> None:
    got = by_title(nested)
    for part in ("模型介绍", "模型结构", "模型特性"):  # LeNet has no text of its own
        q = got[f"LeNet · {part}"]
        assert q.id_path == ("LeNet", part) and q.topic == "LeNet"  # type: ignore[attr-defined]
    ids = {question_id(q.id_path) for q in nested.questions}
    assert len(ids) == len(nested.questions)  # same-titled sub-sections, different questions
    assert got["LeNet · 模型结构"].answer != got["LeNet · 模型特性"].answer  # type: ignore[attr-defined]
    assert got["批归一化 · 定义"].answer.startswith("对每个通道")  # type: ignore[attr-defined]


def test_aspects_join_a_parent_that_has_text(nested: ReadResult) -> None:
    """AlexNet has text of its own: its 模型介绍/模型结构/模型特性 are parts of its answer."""
    got = by_title(nested)
    assert not [t for t in got if t.startswith("AlexNet ·")]
    answer = got["AlexNet"].answer  # type: ignore[attr-defined]
    for kept in ("不能丢", "模型介绍", "用 GPU 训练了更深的网络", "模型结构", "五层卷积",
                 "**ReLU 激活**"):
        assert kept in answer, kept


def test_text_before_the_first_sub_heading_is_kept(nested: ReadResult) -> None:
    got = by_title(nested)
    assert "不能丢" in got["AlexNet"].answer  # type: ignore[attr-defined]
    # a chapter's title and its introduction are the file's introduction, not a question
    assert "经典网络" not in got
    reasons = dict(nested.files[0].skipped)
    assert reasons[3] == reasons[5] == "文件简介"


def test_bold_numbered_lists_tables_code_math_stay_in_the_answer(nested: ReadResult) -> None:
    got = by_title(nested)
    deep = got["为什么深层网络难以训练？"].answer  # type: ignore[attr-defined]
    for kept in ("那么梯度消失会带来什么后果", "浅层的参数几乎不更新", "引用：", "\\prod_i",
                 "# 这一行在代码块里", "展开看一个数值例子", "0.12", "权值共享", "滑动"):
        assert kept in deep, kept
    assert "那么梯度消失会带来什么后果？" not in got  # a bold line inside an answer asks nothing
    features = got["AlexNet"].answer  # type: ignore[attr-defined]
    assert "**ReLU 激活**" in features and "2. 局部响应归一化" in features
    assert "| 卷积1 | 28x28x6 |" in got["LeNet · 模型结构"].answer  # type: ignore[attr-defined]
    # a sub-heading that asks its own question stays a question
    assert got["残差连接为什么能缓解这个问题？"].topic == "为什么深层网络难以训练？"  # type: ignore[attr-defined]


def test_non_question_sections_are_skipped_with_reasons(nested: ReadResult) -> None:
    report = assert_accounted(nested, (BANKS / "nested_sections.md").read_text("utf-8"))
    reasons = dict(report.skipped)
    titles = " ".join(by_title(nested))
    assert "参考文献" not in titles and "TODO" not in titles and "小结" not in titles
    assert reasons[1] == "目录" and reasons[98] == "参考文献" and reasons[88] == "TODO 占位"
    assert reasons[7] == "章节标题"  # a section with no text of its own
    assert "稳定很多" in by_title(nested)["批归一化"].answer  # type: ignore[attr-defined]  # 小结
    assert nested.warnings == [
        f"{BANKS / 'nested_sections.md'}:90: 问题「训练和推理有什么不同？」只有 TODO 占位，"
        "没有答案，已跳过"
    ]


def test_bold_questions_under_a_topic_heading_and_a_table() -> None:
    text = (BANKS / "qa_in_body.md").read_text("utf-8")
    result = read_text(text, "qa_in_body.md")
    assert_accounted(result, text)
    got = by_title(result)
    assert got["什么是难例挖掘？"].answer == "挑出损失最大的负样本参与训练。"  # type: ignore[attr-defined]
    assert got["类别不平衡"].answer.startswith("单阶段检测器")  # type: ignore[attr-defined]
    assert "| 什么是 NMS？ | 去掉重叠度高的重复框。 |" in got["常见问题速查"].answer  # type: ignore[attr-defined]


def test_metadata_under_a_file_title_is_no_answer() -> None:
    # a notes file in our own words: its title, a blog-style tags line, a rule, a TOC mark
    text = ("# 激活函数\ntags: 深度学习\n---\n[TOC]\n\n## 什么是ReLU\n\n"
            "ReLU 在正半轴取恒等，负半轴取零。\n\n## ReLU 的缺点\n\n"
            "负半轴梯度为零，神经元可能死掉。\n")
    result = read_text(text, "调参 - 激活函数.md")
    report = assert_accounted(result, text)
    assert sorted(by_title(result)) == ["ReLU 的缺点", "什么是ReLU"]
    assert (2, "文件头信息") in report.skipped
    # the same words as an answer's first line stay in the answer
    later = read_text("## 标签怎么打\n\ntags: 用逗号隔开的词。\n", "x.md")
    assert by_title(later)["标签怎么打"].answer == "tags: 用逗号隔开的词。"  # type: ignore[attr-defined]


def test_task_list_questions_and_their_table_of_contents() -> None:
    text = (BANKS / "task_list.md").read_text("utf-8")
    result = read_text(text, "task_list.md")
    report = assert_accounted(result, text)
    assert [(q.line, q.title) for q in result.questions] == [
        (13, "监督学习和无监督学习有什么区别？"),
        (17, "什么是交叉验证？"),
    ]
    assert {n for n, r in report.skipped if r == "目录"} == {1, 3, 5, 6, 7}
    assert result.warnings == ["task_list.md:22: 问题「什么是偏差？」没有答案，已跳过"]


def test_a_file_without_headings_answers_its_names_question() -> None:
    text = (BANKS / "空洞卷积.md").read_text("utf-8")
    result = read_text(text, "banks/空洞卷积.md")
    report = assert_accounted(result, text)
    (q,) = result.questions
    assert q.title == "空洞卷积" and "网格效应" in q.answer and "example.com" not in q.answer
    assert report.skipped == [(1, "参考文献")]


def test_the_sample_format_in_a_md_file_still_wins_over_a_file_title() -> None:
    (q,) = read_text("● 什么是ReLU\n参考回答:\nReLU 是分段线性函数。", "激活.md").questions
    assert q.title == "什么是ReLU"


def test_a_chapter_shipped_twice_merges_and_same_titles_stay_apart() -> None:
    result = read_paths([BANKS / "twice"])
    for report in result.files:
        assert report.kept + len(report.skipped) == report.lines
    groups = group_questions(result.questions)
    merged = [g for g in groups if len(g.records) > 1]
    (merge,) = merged  # near-identical text: one question with both sources
    assert merge.records[0].title == "为什么需要激活函数？" and merge.similarity >= 0.9
    assert merge.id == question_id("为什么需要激活函数？")
    results = [g for g in groups if g.records[0].title == "基础 · 实验结果"]
    assert len(results) == 2 and results[0].id != results[1].id  # other text: kept apart
    assert question_id(("基础", "实验结果")) not in {g.id for g in groups}


def test_loss_warning_names_the_lines() -> None:
    text = "## 什么是BN？\nBN 是归一化。\n## 附录\n" + "\n".join(f"第{i}条补充" for i in range(6))
    result = read_text(text, "x.md")
    (warning,) = result.warnings
    assert warning.startswith("x.md:3: 跳过了 7/9 行内容") and "附录 7 行" in warning
    assert "第 3-9 行" in warning


def test_every_bank_fixture_is_accounted_for() -> None:
    for path in sorted(BANKS.rglob("*")):
        if path.is_file():
            text = path.read_text("utf-8").replace("\r\n", "\n").lstrip("\ufeff")
            assert_accounted(read_file(path), text)


@pytest.mark.parametrize(
    ("title", "reason"),
    [
        ("参考文献", "参考文献"), ("## 9. References", "参考文献"), ("TODO", "TODO 占位"),
        ("目录", "目录"), ("小结", "小结"), ("总结", "小结"), ("致谢", "致谢"), ("附录", "附录"),
        ("相关文献", "参考文献"), ("最后", "小结"), ("写在最后", "小结"),
        ("什么是参考文献管理？", ""),  # a question about references is a question
        ("最后一层为什么用softmax？", ""),  # a question that starts with 最后
        ("模型结构", ""),  # generic, not a non-question: it takes its parent's title
    ],
)
def test_non_question_titles(title: str, reason: str) -> None:
    assert non_question(title) == reason


@pytest.mark.parametrize(
    ("title", "generic"),
    [
        ("模型结构", True), ("网络架构", True), ("实验结果", True), ("设计思想", True),
        ("联系", True), ("区别", True), ("定义", True), ("简介", True), ("有什么优缺点？", True),
        ("Net", True), ("IO", True), ("网络模型结构", True),
        ("AlexNet", False), ("什么是损失函数", False), ("卷积层", False), ("LeNet-5", False),
        ("为什么要归一化？", False), ("生成模型和判别模型的区别", False),
    ],
)
def test_generic_titles(title: str, generic: bool) -> None:
    assert is_generic(title) is generic
    assert asks(title) is (not generic and ("？" in title or "什么" in title or "区别" in title))
