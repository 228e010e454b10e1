"""Reading a whole public bank folder (issue #13): README files, chapter titles, aspect
sub-headings, reference and link lists, placeholders. Non-question headings never become
questions; every line they hold is skipped with a reason that the report names.

The fixtures in tests/fixtures/reading/ are our own words shaped like public banks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import accounted
from zhitu.graph.errors import InputError
from zhitu.ingest.read import ReadResult, read_file, read_paths, read_text
from zhitu.ingest.read_titles import (
    context_name,
    is_aspect,
    is_collection,
    is_generic,
    non_question,
)

FOLDER = Path(__file__).resolve().parent / "fixtures" / "reading" / "bank_readme"
README = FOLDER / "README.md"
CHAPTER = FOLDER / "ch1_基础.md"


@pytest.fixture(scope="module")
def chapter() -> tuple[ReadResult, dict[int, str]]:
    text = CHAPTER.read_text("utf-8")
    result = read_text(text, str(CHAPTER))
    return result, accounted(result, text)


def titles(result: ReadResult) -> dict[str, object]:
    return {q.title: q for q in result.questions}


def test_a_readme_gives_no_question_and_names_every_skipped_line() -> None:
    text = README.read_text("utf-8")
    result = read_text(text, "README.md")
    skipped = accounted(result, text)
    assert result.questions == []
    assert {skipped[n] for n in (5, 6, 7)} == {"链接列表"}  # the list of chapters and links
    assert skipped[9] == skipped[11] == "项目说明"  # 项目简介
    assert skipped[13] == skipped[15] == "推广"  # a group to join, an offer
    assert skipped[19] == skipped[21] == "项目说明"  # 如何贡献
    assert skipped[24] == skipped[26] == "项目说明"  # 注：… a note on how to read the bank
    assert skipped[28] == skipped[30] == "致谢"
    assert skipped[33] == "参考文献" and skipped[35] == "链接列表"
    with pytest.raises(InputError, match="没有找到可识别的问题（跳过的行：项目说明"):
        read_file(README)


def test_a_folder_with_a_readme_reports_it_and_reads_the_chapters() -> None:
    result = read_paths([FOLDER])
    readme = next(f for f in result.files if f.file.endswith("README.md"))
    assert readme.questions == 0 and len(readme.skipped) == readme.lines
    assert all(q.file.endswith("ch1_基础.md") for q in result.questions)
    assert any(w.startswith(f"{README}: 没有找到可识别的问题") for w in result.warnings)


def test_a_chapter_title_and_its_introduction_are_the_files_introduction(chapter) -> None:
    result, skipped = chapter
    assert "基础" not in titles(result) and "前言" not in " ".join(titles(result))
    assert skipped[3] == skipped[5] == "文件简介"  # 第一章 基础 and its introduction
    assert skipped[7] == skipped[9] == "文件简介"  # 前言 joins the file's introduction


def test_aspects_under_a_question_join_its_answer(chapter) -> None:
    result, skipped = chapter
    got = titles(result)
    answer = got["什么是过拟合？"].answer  # type: ignore[attr-defined]
    assert "原因" in answer and "模型容量相对数据量过大" in answer and "model.fit" in answer
    assert not [t for t in got if "原因" in t or "代码实现" in t]


def test_aspects_under_a_topic_with_text_join_it(chapter) -> None:
    result, _ = chapter
    got = titles(result)
    answer = got["Dropout"].answer  # type: ignore[attr-defined]
    assert "动机" in answer and "共适应" in answer and "Keras 实现" in answer
    assert not [t for t in got if t.startswith("Dropout ·")]


def test_aspects_under_a_topic_without_text_are_titled_with_it(chapter) -> None:
    result, skipped = chapter
    got = titles(result)
    q = got["BatchNorm · 基本原理"]
    assert q.id_path == ("BatchNorm", "基本原理")  # type: ignore[attr-defined]
    assert "BatchNorm · 优缺点" in got and skipped[37] == "章节标题"


def test_notation_placeholders_and_reference_lists_are_no_questions(chapter) -> None:
    result, skipped = chapter
    got = titles(result)
    for title in ("符号说明", "反向传播", "Papers", "相关专题", "面经链接", "Adam"):
        assert not [t for t in got if title in t], title
    assert skipped[47] == skipped[49] == "文件简介"  # 符号说明 of the chapter joins its intro
    assert skipped[53] == "TODO 占位" and skipped[55] == skipped[57] == "参考文献"
    assert skipped[68] == skipped[73] == "参考文献"  # Papers, 相关专题 (citations, links)
    assert {skipped[n] for n in (70, 71, 75, 76)} <= {"参考文献", "链接列表"}
    assert {skipped[n] for n in (78, 80, 82, 83, 84)} == {"链接列表"}  # mostly links
    assert skipped[86] == skipped[88] == "TODO 占位"
    assert [w.split(": ", 1)[1] for w in result.warnings] == [
        "问题「反向传播」只有 TODO 占位，没有答案，已跳过",
        "问题「Adam」只有 TODO 占位，没有答案，已跳过",
    ]


def test_a_labelled_reference_list_leaves_the_answer(chapter) -> None:
    result, skipped = chapter
    q = titles(result)["学习率有哪些调整策略？"]
    assert q.answer == "常用分段衰减、余弦退火和预热。"  # type: ignore[attr-defined]
    assert skipped[64] == skipped[66] == "参考文献"


@pytest.mark.parametrize(
    "text",
    [
        "**RoadMap**\n\n- 第一部分 基础\n- 第二部分 进阶\n",
        "**问题列表**\n- [什么是BN](https://example.org/bn)\n- [什么是LN](https://example.org/ln)\n",
        "# 学习路线\n\n**目录**\n\n1. 基础篇\n2. 提高篇\n",
        "学习资料：https://example.org/a\n\n代码：https://example.org/b\n",
        "- [简介]()\n- [第五章 卷积网络(CNN)](ch05(CNN)/index.md)\n",
    ],
)
def test_label_led_contents_and_link_lists_make_no_question(text: str) -> None:
    result = read_text(text, "notes/学习路线.md")
    skipped = accounted(result, text)
    assert result.questions == []
    assert set(skipped.values()) <= {"目录", "链接列表", "章节标题"}


def test_links_inside_a_real_answer_stay() -> None:
    text = ("## 什么是残差连接？\n\n把输入直接加到输出上，缓解深层网络的退化。\n\n"
            "原论文见 [ResNet](https://example.org/resnet)，其中第三节给出了完整推导。\n")
    (q,) = read_text(text, "x.md").questions
    assert "第三节给出了完整推导" in q.answer


def test_a_sample_format_file_under_a_title_heading_is_still_read() -> None:
    text = "# 深度学习面试题\n● 什么是ReLU\n参考回答:\nReLU 是分段线性函数。\n"
    assert [q.title for q in read_text(text, "x.md").questions] == ["什么是ReLU"]


@pytest.mark.parametrize(
    ("title", "reason"),
    [
        ("Papers", "参考文献"), ("引用文献", "参考文献"), ("相关专题", "参考文献"),
        ("参考资料：", "参考文献"), ("延伸阅读", "参考文献"), ("Reference", "参考文献"),
        ("相关链接", "参考文献"), ("更多", "参考文献"), ("Related Literature", "参考文献"),
        ("**RoadMap**", "目录"), ("问题列表", "目录"), ("目录\t2", "目录"),
        ("符号说明", "符号说明"), ("Notation", "符号说明"), ("前言", "前言"),
        ("写在前面，先别急！", "项目说明"), ("为什么本仓库会一直更新？", "项目说明"),
        ("《某某面试宝典》简介", "项目说明"), ("How to Use This Resource", "项目说明"),
        ("作者简介", "项目说明"), ("Contributing", "项目说明"),
        ("加入读者交流群的方式", "推广"), ("Star History", "推广"),
        ("特别感谢各位朋友（排名不分先后）：", "致谢"), ("本文小结", "小结"),
        ("待补充", "TODO 占位"), ("暂无", "TODO 占位"),
        ("如何更新参数？", ""), ("什么是注意力机制？", ""), ("论文中的残差结构", ""),
    ],
)
def test_non_question_titles(title: str, reason: str) -> None:
    assert non_question(title) == reason


@pytest.mark.parametrize(
    ("title", "aspect"),
    [
        ("动机", True), ("基本原理", True), ("原理", True), ("实现", True), ("Keras 实现", True),
        ("代码实现", True), ("示例", True), ("步骤", True), ("优缺点", True), ("推导", True),
        ("原因", True), ("有什么优点？", False), ("PyTorch", False), ("Caffe是什么？", False),
        ("AlexNet", False), ("卷积层", False),
    ],
)
def test_aspects(title: str, aspect: bool) -> None:
    assert is_aspect(title) is aspect
    if aspect:
        assert is_generic(title)


@pytest.mark.parametrize(
    ("raw", "collection"),
    [
        ("第三章 循环神经网络", True), ("Chapter 2 Basics", True), ("大厂面试题汇总", True),
        ("深度学习500问", True), ("Transformer 灵魂 21 问", True), ("CV 面经", True),
        ("循环神经网络", False), ("卷积神经网络（CNN）", False), ("AlexNet", False),
    ],
)
def test_collection_titles(raw: str, collection: bool) -> None:
    assert is_collection(raw) is collection


def test_a_readme_in_a_generic_folder_takes_the_folder_above() -> None:
    assert context_name("bank/SVM/demo/README.md") == "SVM"
    assert context_name("bank/_sidebar.md") == "" and context_name("bank/目录.md") == ""


def test_a_collection_of_unanswered_questions_is_a_question_list() -> None:
    text = "### 某厂面试题汇总\n\n- 讲一下 BN 的作用\n- 手写 NMS\n- 了解 anchor-free 吗？\n"
    result = read_text(text, "某厂/readme.md")
    skipped = accounted(result, text)
    assert result.questions == []
    assert set(skipped.values()) == {"题目列表（没有答案）"}


def test_a_headingless_file_opened_by_a_collection_title_is_an_introduction() -> None:
    text = "面试一百问 - 第二章 基础\n\n**负责人：**\n张三\n"
    result = read_text(text, "ch02/readme.md")
    assert result.questions == [] and set(accounted(result, text).values()) == {"文件简介"}
