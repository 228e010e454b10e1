"""A section's own text that answers nothing (issue #13): a plan of the sub-sections under it,
a summary that only retells what the article did, a quote naming the work a section comes
from; and where a heading with no text of its own, answered by its 总结 or 引言, is read from.

The fixtures are our own words shaped like public banks.
"""

from __future__ import annotations

from tests.test_read_stubs import read, titles


def test_a_plan_of_the_sub_sections_is_no_answer() -> None:
    text = ("# 激活函数\n\n## GELU\n\n> 出自2016年的论文《一篇讲高斯误差的论文》\n\n"
            "先说一下它的设计直觉。然后再具体看如何近似计算、如何写代码。\n\n"
            "### 介绍\n\nGELU 按输入大于它的概率给输入加权。\n\n"
            "### 代码实现\n\n用 tanh 近似正态分布的累积分布函数。\n")
    result, skipped = read(text)
    # the heading holds no text of its own, so its aspects are questions titled with it
    assert titles(result) == ["GELU · 介绍", "GELU · 代码实现"]
    assert skipped[3] == "章节标题" and skipped[5] == "参考文献" and skipped[7] == "文件简介"


def test_an_announcing_line_over_steps_is_no_answer() -> None:
    text = ("# 注意力\n\n## softmax 的梯度\n\n这里我们分两步来解释 softmax 的梯度问题：\n\n"
            "### 第一步：输入变大时输出怎样变化\n\n最大的分量趋近 1，其余趋近 0。\n\n"
            "### 第二步：梯度为什么会消失\n\n输出接近独热向量时雅可比矩阵接近零。\n")
    result, skipped = read(text)
    assert titles(result) == ["第一步：输入变大时输出怎样变化", "第二步：梯度为什么会消失"]
    assert skipped[3] == "章节标题" and skipped[5] == "文件简介"


def test_a_short_real_text_over_sub_sections_stays_an_answer() -> None:
    for own in ("先验分布是看到数据之前对参数的信念。",  # starts like "先…" but says something
                "常用的有三种：BPE、WordPiece 和 Unigram，这里简单介绍："):
        text = (f"# 概率\n\n## 先验\n\n{own}\n\n### 共轭先验是什么？\n\n"
                "后验与先验同属一族分布。\n")
        result, _ = read(text)
        assert titles(result) == ["先验", "共轭先验是什么？"], own


def test_a_summary_that_only_retells_the_article_is_no_answer() -> None:
    plan = ("本文首先用一个比喻引入了 GAN；然后，介绍了生成器和判别器；"
            "最后，通过介绍训练过程引入了训练目标。")
    text = ("# 【聊聊 GAN】那些事\n\n## 一、生成器是什么？\n\n生成器把噪声映射成样本。\n\n"
            f"## 二、总结\n\n{plan}\n")
    result, skipped = read(text)
    assert titles(result) == ["生成器是什么？"]
    assert skipped[1] == "章节标题" and skipped[7] == skipped[9] == "文件简介"
    # a summary that says something about the subject still answers the title
    result, _ = read(text.replace(plan, "GAN 让两个网络相互博弈来学习数据分布。"))
    assert titles(result) == ["【聊聊 GAN】那些事", "生成器是什么？"]


def test_a_heading_answered_by_its_summary_is_read_from_the_summary() -> None:
    text = ("# 位置编码\n\n## 绝对位置编码\n\n### 正弦位置编码是什么？\n\n"
            "用不同频率的正弦和余弦表示位置。\n\n### 总结\n\n绝对位置编码简单，但难以外推。\n")
    result, _ = read(text)
    topic, detail = result.questions
    assert (topic.title, detail.title) == ("绝对位置编码", "正弦位置编码是什么？")
    assert topic.line == 9 and 3 in topic.lines  # the summary's heading; its own stays held
    assert topic.answer.endswith("绝对位置编码简单，但难以外推。")
    # the same for an introduction, and a heading with text of its own keeps its line
    intro = text.replace("### 总结", "### 引言")
    assert read(intro)[0].questions[0].line == 9
    own = text.replace("## 绝对位置编码\n", "## 绝对位置编码\n\n按位置给每个词加一个向量。\n")
    assert read(own)[0].questions[0].line == 3


def test_a_heading_that_asks_is_read_from_its_own_line() -> None:
    text = ("# 模型\n\n## Transformer 为什么能代替 seq2seq？\n\n### seq2seq 的两个缺陷\n\n"
            "固定长度的语义向量会丢信息，也无法并行。\n\n### 总结\n\n注意力同时解决了这两点。\n")
    (q,) = read(text)[0].questions
    assert q.title == "Transformer 为什么能代替 seq2seq？" and q.line == 3


def test_a_quote_naming_a_linked_work_is_its_source() -> None:
    text = ("# 卷积\n\n## 空洞卷积\n\n"
            "> [某问答：如何理解空洞卷积](https://example.com/q/1) - 某网站\n\n"
            "> 卷积动图演示：someone/[conv_demo](https://example.com/someone/conv_demo): "
            "A guide to convolution arithmetic\n\n## 转置卷积是什么？\n\n上采样用的卷积。\n")
    result, skipped = read(text)
    assert titles(result) == ["转置卷积是什么？"]
    assert skipped[5] == skipped[7] == "参考文献" and skipped[3] == "链接列表"
    # a description in Chinese after the link is words of the line
    text = text.replace("A guide to convolution arithmetic",
                        "这里的动图把每种卷积的滑动过程都一步步画出来了")
    assert titles(read(text)[0]) == ["空洞卷积", "转置卷积是什么？"]
