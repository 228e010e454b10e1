"""Headings that look like questions but hold none (issue #13): a title over credits, a section
whose only text names its source, a stub, a news digest, an empty table, an introduction that
talks about the document, a puzzle heading whose question is its first line.

The fixtures are our own words shaped like public banks.
"""

from __future__ import annotations

from tests.conftest import accounted
from zhitu.graph.model import Question
from zhitu.ingest.prereq import is_question
from zhitu.ingest.read import ReadResult, read_text
from zhitu.ingest.read_titles import DATED, is_generic, is_todo, non_question


def read(text: str, name: str = "bank/主题.md") -> tuple[ReadResult, dict[int, str]]:
    """The result and the skipped lines by number; every non-blank line is held or skipped."""
    result = read_text(text, name)
    return result, accounted(result, text)


def titles(result: ReadResult) -> list[str]:
    return [q.title for q in result.questions]


def test_a_misspelt_references_heading_is_no_question() -> None:
    assert non_question("Refernence") == non_question("Refrences") == "参考文献"
    assert non_question("Acknowlegements") == "致谢"
    assert non_question("Preference") == non_question("Confusion") == ""
    text = ("# 多任务学习\n\n多任务学习让几个任务共用一部分参数，互相提供归纳偏置。\n\n"
            "## Refernence\n\nA Survey of Sharing Things Between Tasks\n")
    result, skipped = read(text)
    assert titles(result) == ["多任务学习"]
    assert skipped[5] == skipped[7] == "参考文献"


def test_a_label_and_a_url_is_a_link_not_an_answer() -> None:
    text = ("# 对比学习\n\n一篇入门文章： https://example.com/p/42\n\n"
            "## 什么是对比学习？\n\n拉近正样本，推远负样本。\n")
    result, skipped = read(text)
    assert titles(result) == ["什么是对比学习？"]
    assert skipped[3] == "链接列表" and skipped[1] == "章节标题"


def test_a_title_over_credits_is_a_section_heading() -> None:
    text = ("# 【聊聊 RNN】面试时常被问到的点\n\n> 作者：某某、某某某\n>\n"
            "> 介绍：本项目整理了作者面试时遇到的问题。\n>\n"
            "> 项目地址：https://example.com/repo\n>\n> 【注：图片可能加载不出来】\n\n"
            "![](img/cover.png)\n\n## 一、RNN 篇\n\n### 1.1 为什么需要 RNN？\n\n"
            "序列的长度不固定，前后元素相互依赖。\n")
    result, skipped = read(text)
    assert titles(result) == ["为什么需要 RNN？"]
    assert skipped[1] == "章节标题"
    assert {skipped[n] for n in (3, 5, 9)} == {"项目说明"} and skipped[7] == "参考文献"


def test_a_section_whose_only_text_names_its_source_holds_no_answer() -> None:
    text = ("# 正则化\n\n## Dropout\n> 《某本教材》 7.12 Dropout\n\n### 动机\n\n"
            "防止神经元之间的共适应。\n\n### 基本原理\n\n训练时按概率随机丢弃神经元。\n\n"
            "## 早停\n> [一篇关于早停的文章](https://example.com/a) - 某博客\n\n"
            "## 权重衰减\n> 《某本教材》 7.1 参数范数惩罚\n\n"
            "在损失中加入权重的 L2 范数，让权重保持较小。\n")
    result, skipped = read(text)
    got = {q.title: q for q in result.questions}
    # without text of its own, Dropout is a topic: its aspects are questions titled with it
    assert set(got) == {"Dropout · 动机", "Dropout · 基本原理", "权重衰减"}
    assert got["权重衰减"].answer.startswith("在损失中加入")
    assert skipped[4] == skipped[15] == skipped[18] == "参考文献"


def test_a_lone_short_quote_over_sub_sections_is_their_source() -> None:
    text = ("# 词向量\n\n## GloVe\n> 某课程 - 第二讲\n\n### 共现矩阵是什么？\n\n"
            "统计词与词在窗口内一起出现的次数。\n")
    result, skipped = read(text)
    assert titles(result) == ["共现矩阵是什么？"]
    assert skipped[4] == "参考文献"


def test_an_image_caption_goes_with_the_image() -> None:
    text = ("# 卷积\n\n## 转置卷积\n\n![](a.gif)\n> No padding, no strides\n\n"
            "> [怎样理解转置卷积？](https://example.com/q) - 某问答站\n")
    result, skipped = read(text)
    assert titles(result) == []
    assert skipped[6] == "图片"
    # a formula's explanation under its picture is text, and so is a quote after a blank line
    text = "## 归一化\n\n![](f.png)\n> γ：缩放参数\n\n![](g.png)\n\n> 均值为 0\n"
    result, skipped = read(text)
    assert "γ：缩放参数" in result.questions[0].answer and "均值为 0" in result.questions[0].answer


def test_an_introduction_about_the_document_is_the_files_introduction() -> None:
    text = ("# 权重初始化\n\n## 前言\n\n本文先列出几种初始化方案，再给出使用建议。\n\n"
            "## 为什么初始化很重要？\n\n初始值决定了信号和梯度在各层之间是否稳定。\n")
    result, skipped = read(text)
    assert titles(result) == ["为什么初始化很重要？"]
    assert skipped[3] == skipped[5] == "文件简介" and skipped[1] == "章节标题"
    # an introduction about the subject still joins the title's question
    text = text.replace("本文先列出几种初始化方案，再给出使用建议。", "全部初始化为零会怎样？")
    result, _ = read(text)
    assert titles(result) == ["权重初始化", "为什么初始化很重要？"]


def test_text_before_the_headings_about_the_document_is_no_question() -> None:
    text = ("本专题面试很少直接问，了解即可。\n\n# 什么是先验概率？\n\n"
            "观察数据之前对参数的信念。\n")
    result, skipped = read(text, "bank/先验与后验.md")
    assert titles(result) == ["什么是先验概率？"]
    assert skipped[1] == "文件简介"


def test_a_puzzle_heading_is_the_question_its_first_line_asks() -> None:
    text = ("# 概率\n\n## 硬币问题\n问题：连抛三次硬币，至少一次正面的概率？\n\n"
            "反面事件是三次都是反面，概率 1/8，所以答案是 7/8。\n")
    result, _ = read(text)
    (q,) = result.questions
    assert q.title == "连抛三次硬币，至少一次正面的概率？"
    assert (q.file, q.line) == ("bank/主题.md", 3) and {3, 4, 6} <= set(q.lines)
    assert q.answer.startswith("反面事件") and "硬币问题" not in q.answer


def test_two_questions_under_a_heading_keep_their_own_lines() -> None:
    text = ("## 两道题\n问题：第一题是什么？\n\n答案一。\n\n问题：第二题是什么？\n\n答案二。\n")
    result, skipped = read(text)
    assert [q.line for q in result.questions] == [2, 6]
    assert skipped[1] == "章节标题"


def test_a_generic_title_at_the_top_takes_the_files_name_and_an_excuse_is_a_placeholder() -> None:
    assert is_generic("有哪些常用的方法") and not is_generic("常见的激活函数")
    assert is_todo("今晚没空了，待补充") and is_todo("介绍不多，有时间再整理")
    assert not is_todo("TODO: 补上推导过程") and not is_todo("这一点很重要，后续会再补充更多细节")
    result, skipped = read("# 有哪些常用的方法\n\n今晚没空了，待补充\n", "bank/文本相似度.md")
    assert titles(result) == []
    assert skipped == {1: "TODO 占位", 3: "TODO 占位"}
    assert any("有哪些常用的方法」只有 TODO 占位" in w for w in result.warnings)
    result, _ = read("# 有哪些常用的方法\n\n余弦相似度、编辑距离。\n", "bank/文本相似度.md")
    assert titles(result) == ["文本相似度 · 有哪些常用的方法"]


def test_a_todo_mark_in_a_heading_is_not_part_of_its_title() -> None:
    text = ("# 模型\n\n## 多分类逻辑回归 TODO\n\n用 softmax 把线性输出变成各类的概率。\n\n"
            "## 维特比算法 -- TODO\n\n## 集成学习\n\n### Stacking\n\n- 介绍不多，有时间再整理\n")
    result, skipped = read(text)
    assert titles(result) == ["多分类逻辑回归"]
    assert skipped[7] == skipped[11] == skipped[13] == "TODO 占位"


def test_a_stub_that_repeats_its_title_or_points_elsewhere_is_no_answer() -> None:
    text = ("# 卷积\n\n## 可分离卷积\n- 可分离卷积（separable convolution）\n- TODO\n\n"
            "## 学习率衰减策略\n\n参见 某本书 第14章\n\n## 空洞卷积\n\n"
            "- 空洞卷积（dilated convolution）在卷积核元素之间插入空洞，扩大感受野。\n")
    result, skipped = read(text)
    assert titles(result) == ["空洞卷积"]
    assert skipped[4] == skipped[5] == skipped[9] == "TODO 占位"


def test_dated_entries_are_a_digest_not_questions() -> None:
    assert non_question("【2018.11】展望未来十年") == non_question("2018-9-27") == DATED
    assert non_question("2019 研究热点") == non_question("1998年提出的LeNet") == ""
    text = ("# 发展趋势\n\n## 【2018.11】某研究院谈未来十年\n\n### 研究热点\n\n- 引入常识\n\n"
            "## 什么是预训练？\n\n在大语料上先学通用表示，再在下游任务上微调。\n")
    result, skipped = read(text)
    assert titles(result) == ["什么是预训练？"]
    assert skipped[3] == skipped[5] == skipped[7] == DATED


def test_an_empty_table_is_a_placeholder_and_a_table_of_pictures_is_pictures() -> None:
    text = ("# 调参\n\n## 技巧参数\n\n| 参数 | 说明 | 推荐值 |\n| --- | --- | --- |\n|  |  |  |\n\n"
            "## 算法图示\n\n| 回归 | 聚类 |\n| :--: | :--: |\n| ![](a.png) | ![](b.png) |\n\n"
            "## 学习率\n\n| 优化器 | 范围 |\n| --- | --- |\n| SGD | 1e-2 |\n")
    result, skipped = read(text)
    assert titles(result) == ["学习率"]
    assert {skipped[n] for n in (5, 6, 7)} == {"TODO 占位"}
    assert {skipped[n] for n in (11, 12, 13)} == {"图片"}


def test_metadata_under_a_second_level_title_and_bare_markers_are_markup() -> None:
    text = ("## 评估指标\n\ntags: 机器学习\n\n## 什么是 F1？\n\nP 与 R 的调和平均。\n\n"
            "## PCA\n-\n>\n")
    result, skipped = read(text)
    assert titles(result) == ["什么是 F1？"]
    assert skipped[3] == "文件头信息" and skipped[10] == skipped[11] == "空行标记"


def test_a_references_label_takes_every_linked_line_after_it() -> None:
    text = ("# 序列\n\n## 因果卷积\n\n**Reference**\n- [某篇论文](https://example.com/a) | 某机构\n"
            "- someone/[some-repo](https://example.com/b) - 代码托管站\n")
    result, skipped = read(text)
    assert titles(result) == []
    assert skipped[5] == skipped[6] == skipped[7] == "参考文献"


def test_chains_and_related_lists_use_the_readers_test_for_non_questions() -> None:
    for title in ("Refernence", "## 2. 参考文献", "致谢", "【2019.02】某次访谈", "TODO", "总结"):
        assert not is_question(Question("q", title, "")), title
    assert is_question(Question("q", "什么是参考文献管理", ""))
    assert is_question(Question("q", "Dropout · 动机", ""))


def test_a_formula_as_a_picture_is_not_a_link_and_its_label_goes_with_it() -> None:
    text = ("# 间隔\n\n# 软间隔与硬间隔的表达式\n- 硬间隔：![](https://example.com/a.png)\n"
            "- 软间隔：![](https://example.com/b.png)\n\n# 加入拉格朗日乘子后的损失\n"
            "- 原损失：![](https://example.com/c.png)\n- 新损失：[![](c.png)](https://example.com/e)\n"
            "- 要求乘子非负\n")
    result, skipped = read(text)
    (q,) = result.questions  # not dropped as a list of links
    assert q.title == "加入拉格朗日乘子后的损失" and q.answer == "- 要求乘子非负"
    assert {skipped[n] for n in (4, 5, 8, 9)} == {"图片"}
    assert skipped[3] == "空标题"


def test_a_special_topic_title_introduces_its_file() -> None:
    text = ("专题-基本网络\n===\n\n> [某框架的模型库](https://example.com/apps) - 文档\n\n"
            "- [2015] 某网络 [2]\n- [2016] 另一网络 [3]\n\n"
            "## 什么是残差连接？\n\n让输出加上输入。\n")
    result, skipped = read(text, "bank/B-专题-基本网络.md")
    assert titles(result) == ["什么是残差连接？"]
    assert skipped[6] == skipped[7] == "题目列表（没有答案）"


def test_a_references_label_takes_the_list_of_papers_after_it() -> None:
    text = ("# 视觉问答\n\n## 什么是视觉问答？\n\n给一张图和一个问题，回答这个问题。\n\n"
            "**相关论文**\n- [2016].某篇综述\n    - 本文从数据集和评价方法两方面讨论了现状。\n\n"
            "回答往往需要常识。\n")
    result, skipped = read(text)
    (q,) = result.questions
    assert q.answer.startswith("给一张图") and q.answer.endswith("回答往往需要常识。")
    assert skipped[7] == skipped[8] == skipped[9] == "参考文献"


def test_heading_noise_from_markdown_exporters_is_undone() -> None:
    # exporters write spaces as &#x20;, escape _ and [ and use radicals for ideographs
    text = ("# 注意力\n\n## 多头注意力&#x20;\n\n多个头各自算注意力再拼接。\n\n"
            "## MHA\\_MQA 的区别\n\nMQA 让所有头共用一组键和值。\n\n"
            "## 为什么要加一个\\[CLS]标志\n\n它的输出用来做分类。\n\n"
            "## 第⼀步：算分数\n\n先算查询和键的点积。\n\n"
            "## 公式 \\[ a+b \\] 怎么读\n\n这是一个行间公式。\n")
    result, _ = read(text)
    assert titles(result) == ["多头注意力", "MHA_MQA 的区别", "为什么要加一个[CLS]标志",
                              "第一步：算分数", "公式 \\[ a+b \\] 怎么读"]


def test_an_escaped_toc_marker_is_a_table_of_contents() -> None:
    text = "# 激活函数\n\n\\[toc]\n\n## 什么是ReLU\n\nReLU 在正半轴上是恒等映射。\n"
    result, skipped = read(text)
    assert titles(result) == ["什么是ReLU"]
    assert skipped[3] == "目录"
