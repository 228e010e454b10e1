"""ingest/read.py: the user's sample, Markdown, JSON/JSONL/CSV, encodings, ids and bad input."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tests.conftest import write_big_bank
from zhitu.graph.errors import InputError
from zhitu.ingest import read, read_common
from zhitu.ingest.read import (
    RawQuestion,
    decode,
    question_id,
    read_file,
    read_paths,
    read_text,
    write_sample,
)
from zhitu.text.normalize import title_key

# the user's sample (../shared/seed/dl_interview_seed.txt), checked in byte for byte
SEED = Path(__file__).resolve().parent / "gold" / "sample.txt"
BANKS = Path(__file__).resolve().parent / "fixtures" / "banks"

SEED_TITLES = [
    "BatchNormalization的作用",
    "梯度消失",
    "循环神经网络,为什么好?",
    "什么是Group Convolution",
    "什么是RNN",
    "训练过程中,若一个模型不收敛,那么是否说明这个模型无效?导致模型不收敛的原因有哪些?",
    "图像处理中锐化和平滑的操作",
    "VGG使用3*3卷积核的优势是什么?",
    "Relu比Sigmoid的效果好在哪里?",
    "神经网络中权重共享的是?",
    "神经网络激活函数?",
    "在深度学习中,通常会finetuning已有的成熟模型,再基于新数据,修改最后几层神经网络权值,为什么?",
    "画GRU结构图",
    "Attention机制的作用",
    "Lstm和Gru的原理",
    "什么是dropout",
    "LSTM每个门的计算公式",
    "DropConnect的原理",
]


@pytest.fixture(scope="module")
def seed() -> dict[str, RawQuestion]:
    return {q.title: q for q in read_file(SEED).questions}


def by_title(result: read.ReadResult) -> dict[str, RawQuestion]:
    return {q.title: q for q in result.questions}


# --- the user's sample ---


def test_seed_gives_its_18_questions_in_order() -> None:
    result = read_file(SEED)
    assert [q.title for q in result.questions] == SEED_TITLES
    assert result.warnings == []
    assert [q.line for q in result.questions][:3] == [1, 5, 8]
    assert all(q.file == str(SEED) and q.answer for q in result.questions)


def test_seed_answers_and_analyses(seed: dict[str, RawQuestion]) -> None:
    bn = seed["BatchNormalization的作用"].answer
    assert "而Batch Normalization的作用是通过规范化的手段" in bn  # word broken across lines
    assert "\n" not in bn
    assert seed["LSTM每个门的计算公式"].answer == "遗忘门:\n输入门:\n输出门:"  # formulas lost
    assert seed["画GRU结构图"].analysis.startswith("如果不会画GRU,可以画LSTM或者RNN")
    assert seed["神经网络中权重共享的是?"].answer == "卷积神经网络、循环神经网络"
    assert seed["神经网络中权重共享的是?"].analysis == "通过网络结构直接解释"
    sharpen = seed["图像处理中锐化和平滑的操作"].answer.split("\n")
    assert len(sharpen) == 2 and sharpen[1].startswith("平滑与锐化相反")  # two sentences stay apart
    assert seed["DropConnect的原理"].answer.endswith("以一定的概率清0。")  # no final newline
    assert seed["什么是RNN"].analysis == ""


def test_sample_variants_fixture() -> None:
    result = read_file(BANKS / "sample_variants.txt")
    got = by_title(result)
    assert list(got) == [
        "什么是过拟合",
        "梯度爆炸怎么解决？",
        "什么是Adam",
        "什么是学习率",
        "学习率太大会怎样",
    ]
    assert (
        got["什么是过拟合"].answer == "模型在训练集上表现很好，在测试集上表现差。"
    )  # on the marker line
    assert got["什么是过拟合"].analysis == "需要结合偏差和方差来讲。"  # on the following line
    assert "更稳定的Batch Normalization 也常被提到" in got["梯度爆炸怎么解决？"].answer
    assert got["学习率太大会怎样"].line == 21
    assert result.warnings == [
        f"{BANKS / 'sample_variants.txt'}:13: 问题「这个问题没有答案」没有答案，已跳过"
    ]


@pytest.mark.parametrize(
    ("text", "title", "answer", "analysis"),
    [
        ("● 什么是RNN\n参考回答:\n循环网络", "什么是RNN", "循环网络", ""),
        ("● 什么是RNN\n参考回答：循环网络", "什么是RNN", "循环网络", ""),  # full width, same line
        ("● 问题：什么是RNN\n答案:循环网络\n解析：看结构", "什么是RNN", "循环网络", "看结构"),
        ("• 什么是RNN\n回答 ：\n循环网络\n解析:\n看\n结构", "什么是RNN", "循环网络", "看\n结构"),
        ("· 什么是RNN\n【参考答案】循环网络", "什么是RNN", "循环网络", ""),
        ("问题:什么是RNN\n参考回答:\n循环网络", "什么是RNN", "循环网络", ""),  # no bullet
        ("1. 什么是RNN\n参考回答:\n循环网络", "什么是RNN", "循环网络", ""),
        ("3、什么是RNN\n答：循环网络", "什么是RNN", "循环网络", ""),
        ("Q1: 什么是RNN\nA: 循环网络", "什么是RNN", "循环网络", ""),
        (
            "● 训练过程中,若模型\n不收敛怎么办?\n参考回答:\n调学习率",
            "训练过程中,若模型不收敛怎么办?",
            "调学习率",
            "",
        ),
    ],
)
def test_sample_markers(text: str, title: str, answer: str, analysis: str) -> None:
    (q,) = read_text(text, "x.txt").questions
    assert (q.title, q.answer, q.analysis, q.line) == (title, answer, analysis, 1)


def test_numbered_titles_take_the_line_before_each_marker() -> None:
    text = "1. 什么是A\n参考回答:\n是A。\n2. 什么是B\n参考回答:\n是B。\n第二行。\n"
    text += "3. 什么是C\n参考回答:\n"
    result = read_text(text, "n.txt")
    assert [(q.title, q.answer, q.line) for q in result.questions] == [
        ("什么是A", "是A。", 1),
        ("什么是B", "是B。\n第二行。", 4),
    ]
    assert result.warnings == ["n.txt:8: 问题「什么是C」没有答案，已跳过"]


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        (["x" * 30 + "Batch", "Normalization的作用"], "x" * 30 + "Batch Normalization的作用"),
        (
            ["梯" * 30 + "梯度消", "失的问题"],
            "梯" * 30 + "梯度消失的问题",
        ),  # CJK joins with nothing
        (["a" * 30 + "而", "Batch"], "a" * 30 + "而Batch"),
        (["遗忘门:", "输入门:"], "遗忘门:\n输入门:"),  # labels are not wraps
        (["sigmoid", "tanh"], "sigmoid\ntanh"),  # short lines are list items
        (["原因" * 20, "1. 数据太少"], "原因" * 20 + "\n1. 数据太少"),  # a numbered item starts
        (["句子" * 20 + "。", "下一句"], "句子" * 20 + "。\n下一句"),  # a sentence ended
        (["", "a", "", "", "b", ""], "a\n\nb"),  # blank runs collapse, edges trimmed
    ],
)
def test_join_lines(lines: list[str], joined: str) -> None:
    assert read_common.join_lines(lines) == joined


# --- Markdown ---


@pytest.fixture(scope="module")
def markdown() -> read.ReadResult:
    return read_file(BANKS / "repo_style.md")


def test_markdown_questions_topics_and_lines(markdown: read.ReadResult) -> None:
    assert [(q.line, q.title, q.topic) for q in markdown.questions] == [
        (24, "为什么需要非线性激活函数？", "神经网络基础 / 激活函数"),
        (31, "ReLU 的公式是什么？", "神经网络基础 / 激活函数"),
        (47, "什么是批归一化（Batch Normalization）？", "归一化 / 批归一化"),
        (51, "BN 在训练和测试时有什么不同？", "归一化 / 批归一化"),
        (55, "LayerNorm 与 BatchNorm 的区别是什么？", "归一化 / 其他归一化"),
        (57, "什么是 GroupNorm？", "归一化 / 其他归一化"),
        (60, "什么是批归一化（Batch Normalization）", "归一化"),
    ]
    assert markdown.warnings == [
        f"{BANKS / 'repo_style.md'}:66: 问题「什么是梯度爆炸？」没有答案，已跳过"
    ]


def test_markdown_answers(markdown: read.ReadResult) -> None:
    got = by_title(markdown)
    act = got["为什么需要非线性激活函数？"]
    assert "示意图" not in act.answer and "img/act.png" not in act.answer  # image dropped
    assert act.analysis == "关键在于线性变换的复合仍是线性变换。"
    relu = got["ReLU 的公式是什么？"].answer
    assert "f(x) = \\max(0, x)" in relu and "# 这不是标题" in relu  # LaTeX and code kept
    assert got["BN 在训练和测试时有什么不同？"].answer == "训练用 batch 统计量，测试用滑动平均。"
    assert got["LayerNorm 与 BatchNorm 的区别是什么？"].answer.startswith("LayerNorm 在特征维上")
    assert "<br>" not in got["什么是批归一化（Batch Normalization）？"].answer
    titles = " ".join(got)
    assert "注释里的标题" not in titles and "目录" not in titles and "深度学习面试题" not in titles


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("## 激活函数\n\n### 什么是ReLU\n\nReLU 是分段线性函数。", [("什么是ReLU", "激活函数")]),
        ("## 什么是ReLU\nReLU 是分段线性函数。", [("什么是ReLU", "")]),  # body: a question
        (
            "## 激活函数\n\n---\n\n### ReLU\n正半轴导数为 1。",
            [("ReLU", "激活函数")],
        ),  # rule: no body
        (
            "## 激活函数\n激活函数给网络引入非线性。\n### ReLU\n导数为 1。",
            [("激活函数", ""), ("ReLU", "激活函数")],
        ),  # the text before the first sub-heading is the section's own question
        (
            "## 激活函数\n本节介绍激活函数。\n### ReLU\n导数为 1。",
            [("ReLU", "激活函数")],
        ),  # ... unless it only says what the sub-sections do (a plan, 文件简介)
        (
            "## 为什么要激活函数？\n引入非线性。\n### ReLU\n导数为 1。",
            [("为什么要激活函数？", "")],
        ),  # under a question, a sub-heading that asks nothing is part of its answer
        (
            "## 为什么要激活函数？\n引入非线性。\n### 什么是ReLU？\n分段线性。",
            [("为什么要激活函数？", ""), ("什么是ReLU？", "为什么要激活函数？")],
        ),  # ... one that asks is a question of its own
        ("# 题库\n## 1 基础\n#### 1.1.1 什么是BN\nBN 是归一化。", [("什么是BN", "1 基础")]),
        ("##什么是BN\nBN 是归一化。", [("什么是BN", "")]),  # no space after ## (common in Chinese)
        ("## 什么是BN ##\nBN 是归一化。", [("什么是BN", "")]),  # closing hashes
        ("## [什么是BN](#bn)\nBN 是归一化。", [("什么是BN", "")]),  # linked heading
    ],
)
def test_markdown_section_or_question(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(q.title, q.topic) for q in read_text(text, "x.md").questions] == expected


@pytest.mark.parametrize(
    "text",
    [
        "## 题目\n**1. 什么是BN？**\nBN 是归一化。\n**2. 什么是LN？**\nLN 是层归一化。",
        "## 题目\n- **什么是BN？**\n  BN 是归一化。\n- **什么是LN？**\n  LN 是层归一化。",
        "## 题目\n问题1：什么是BN？\n答：BN 是归一化。\n问题2：什么是LN？\n答：LN 是层归一化。",
        "## 题目\n1. 什么是BN？\n    BN 是归一化。\n2. 什么是LN？\n    LN 是层归一化。",
        "## 题目\n1、什么是BN\n答：BN 是归一化。\n2、什么是LN\n答：LN 是层归一化。",
    ],
)
def test_markdown_inner_question_forms(text: str) -> None:
    result = read_text(text, "x.md")
    assert [(q.title, q.answer, q.topic) for q in result.questions] == [
        ("什么是BN？" if "？" in text else "什么是BN", "BN 是归一化。", "题目"),
        ("什么是LN？" if "？" in text else "什么是LN", "LN 是层归一化。", "题目"),
    ]


def test_markdown_list_inside_an_answer_is_not_a_question() -> None:
    text = "## 过拟合怎么办\n1. 增加数据\n2. 正则化\n   L2 惩罚大权重\n**注意：** 先看验证集。"
    (q,) = read_text(text, "x.md").questions
    assert q.title == "过拟合怎么办" and "2. 正则化" in q.answer and "注意" in q.answer


def test_markdown_invisible_characters_and_comments() -> None:
    text = "<!-- 注释 -->\n\u200b## 什么是\u200bBN\nBN 是<!-- x -->归一化。\u200b"
    (q,) = read_text(text, "x.md").questions
    assert (q.title, q.answer) == ("什么是BN", "BN 是归一化。")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("bank.txt", "## 激活函数\n### 什么是ReLU\nReLU 是分段线性函数。"),  # Markdown in a .txt
        ("bank.md", "● 什么是ReLU\n参考回答:\nReLU 是分段线性函数。"),  # the sample in a .md
    ],
)
def test_text_formats_fall_back_to_each_other(name: str, text: str) -> None:
    (q,) = read_text(text, name).questions
    assert (q.title, q.answer) == ("什么是ReLU", "ReLU 是分段线性函数。")


@pytest.mark.parametrize(("name", "fmt"), [("bank.docx", None), ("bank.txt", "yaml")])
def test_unknown_format(name: str, fmt: str | None) -> None:
    with pytest.raises(InputError, match=name):
        read_text("● 题\n参考回答:\n答", name, fmt)


# --- records ---


@pytest.mark.parametrize(
    ("name", "lines"),
    [
        ("bank.json", [2, 8, 10]),
        ("bank_wrapped.json", [4, 10, 12]),
        ("bank.jsonl", [1, 2, 4]),
        ("bank.csv", [2, 3, 5]),
    ],
)
def test_records(name: str, lines: list[int]) -> None:
    result = read_file(BANKS / name)
    assert result.warnings == []
    assert [q.line for q in result.questions] == lines
    dropout, adam, sigmoid = result.questions
    assert (dropout.title, dropout.analysis, dropout.tags) == (
        "什么是dropout？",
        "可以和 DropConnect 对比。",
        ["正则化", "训练"],
    )
    assert (adam.title, adam.answer, adam.tags) == (
        "Adam 优化器的原理",
        "结合动量和自适应学习率。",
        ["优化", "训练"],
    )
    assert (sigmoid.title, sigmoid.tags) == ("Sigmoid 的缺点", ["激活函数", "梯度消失"])


@pytest.mark.parametrize(
    ("text", "fmt", "warning"),
    [
        (
            '[{"question": "A"}, {"question": "B", "answer": "b"}]',
            "json",
            "x:1: 问题「A」没有答案，已跳过",
        ),
        ('[1, {"question": "B", "answer": "b"}]', "json", "x:1: 不是问题对象（int），已跳过"),
        ('{"question": "B", "answer": "b"}\n{bad\n', "jsonl", "x:2: 不是合法的 JSON 行，已跳过"),
        ("question,answer\nB,b\n,c\n", "csv", "x:3: 缺少问题标题，已跳过"),
        ("问题\t答案\nB\tb\nC\t\n", "csv", "x:3: 问题「C」没有答案，已跳过"),  # tab separated
    ],
)
def test_record_warnings(text: str, fmt: str, warning: str) -> None:
    result = read_text(text, "x", fmt)
    assert [q.title for q in result.questions] == ["B"] and result.warnings == [warning]


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        ('[{"question": "A",\n  "answer": }]', "json", "x:2: JSON 格式错误"),
        ('{"name": "题库"}', "json", "x:1: JSON 顶层应为问题列表"),
        ("title_x,answer\nA,a\n", "csv", "x:1: CSV 表头没有问题列"),
        ("[" * 100_000, "json", "x:1: JSON 无法解析"),  # nesting too deep
    ],
)
def test_record_errors(text: str, fmt: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_text(text, "x", fmt)


# --- encodings ---

ENCODED_TEXT = "● 什么是梯度消失\r\n参考回答：\r\n浅层梯度趋近于0。\r\n解析：和梯度爆炸对比\r\n"


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("utf-8"),
        lambda t: t.encode("utf-8-sig"),  # BOM
        lambda t: t.encode("utf-16"),  # BOM included by Python
        lambda t: b"\xfe\xff" + t.encode("utf-16-be"),
        lambda t: t.encode("gb18030"),
        lambda t: t.encode("gbk"),
        lambda t: t.replace("\r\n", "\r").encode("utf-8"),  # old Mac line ends
        lambda t: t.replace("\r\n", "\n").encode("gbk"),
    ],
    ids=["utf8", "utf8-bom", "utf16-le", "utf16-be", "gb18030", "gbk", "cr", "gbk-lf"],
)
def test_encodings(tmp_path: Path, encode) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bank.txt"
    path.write_bytes(encode(ENCODED_TEXT))
    (q,) = read_file(path).questions
    assert (q.title, q.answer, q.analysis, q.line) == (
        "什么是梯度消失",
        "浅层梯度趋近于0。",
        "和梯度爆炸对比",
        1,
    )


def test_decode_falls_back_to_detection() -> None:
    assert decode("café résumé naïve déjà vu ".encode("latin-1") * 20, "x").startswith("caf")


# --- stable ids ---


@pytest.mark.parametrize(
    "variant",
    [
        "什么是 Batch Normalization？",
        "什么是BatchNormalization?",
        "什么是ＢＡＴＣＨ　ｎｏｒｍａｌｉｚａｔｉｏｎ",
        "问题：什么是batch normalization",
        " 什么是\tBatch\nNormalization。 ",
    ],
)
def test_same_title_same_id(variant: str) -> None:
    assert question_id(variant) == question_id("什么是Batch Normalization")
    assert title_key(variant) == "什么是batchnormalization"


def test_ids_differ_and_have_the_documented_shape() -> None:
    assert question_id("什么是RNN") != question_id("什么是LSTM")
    assert question_id("什么是RNN").startswith("q") and len(question_id("什么是RNN")) == 11
    assert question_id("什么是RNN") == question_id("什么是RNN")


# --- bad input (issue 8): one-line InputError naming the file, never a traceback ---


def _png(path: Path) -> None:
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))


def _zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("a.txt", "● 题\n参考回答:\n答")


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("missing.txt", None, "文件不存在"),
        ("empty.txt", lambda p: p.write_bytes(b""), "文件是空的"),
        ("blank.md", lambda p: p.write_bytes(b"\xef\xbb\xbf \r\n\t\n"), "文件是空的"),
        ("image.txt", _png, "二进制文件（PNG 图片）"),
        ("bank.md", _zip, "二进制文件（ZIP 压缩包"),
        ("nul.txt", lambda p: p.write_bytes(b"abc\x00def"), "NUL 字节"),
        ("garbage.txt", lambda p: p.write_bytes(bytes(range(0x80, 0x100)) * 8), "无法识别文件编码"),
        (
            "prose.txt",
            lambda p: p.write_text("只是一段话，没有问题。\n", encoding="utf-8"),
            "没有找到可识别的问题（跳过的行：在第一个问题之前 1 行）",
        ),
        ("picture.md", lambda p: p.write_text("![](https://example.org/a.png)", encoding="utf-8"),
         "没有找到可识别的问题（跳过的行：图片 1 行）"),
        ("links.md", lambda p: p.write_text("[1.什么是RNN](rnn.md)\n\n[2.什么是LSTM](lstm.md)\n",
                                            encoding="utf-8"),
         "没有找到可识别的问题（跳过的行：目录 2 行）"),
        (
            "noanswer.txt",
            lambda p: p.write_text("● 什么是RNN\n", encoding="utf-8"),
            "没有找到可识别的问题（1 条警告，例如",
        ),
        ("bank.pdf", lambda p: p.write_bytes(b"%PDF-1.4"), "不支持的文件类型"),
        ("bad.json", lambda p: p.write_text("[{]", encoding="utf-8"), "bad.json:1: JSON 格式错误"),
    ],
)
def test_bad_files(tmp_path: Path, name: str, make, message: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    if make is not None:
        make(path)
    with pytest.raises(InputError) as info:
        read_file(path)
    text = str(info.value)
    assert message in text and str(path) in text and "\n" not in text


def test_directory_without_banks(tmp_path: Path) -> None:
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    with pytest.raises(InputError, match="目录里没有支持的题库文件"):
        read_paths([tmp_path])
    with pytest.raises(InputError, match="是目录"):
        read_file(tmp_path)


def test_read_paths_expands_sorts_and_warns(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "b.txt").write_bytes("● 什么是B\n参考回答:\nB。".encode("gbk"))  # mixed encodings
    (tmp_path / "sub" / "a.md").write_text("## 什么是A\nA。", encoding="utf-8-sig")
    (tmp_path / ".hidden" / "c.txt").write_text("● 什么是C\n参考回答:\nC。", encoding="utf-8")
    (tmp_path / "empty.json").write_text("", encoding="utf-8")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    result = read_paths([tmp_path, tmp_path / "b.txt", tmp_path / "missing.md"])
    assert [q.title for q in result.questions] == [
        "什么是B",
        "什么是A",
    ]  # sorted paths, b read once
    assert result.questions[1].file == str(tmp_path / "sub" / "a.md")
    assert result.warnings == [
        f"{tmp_path / 'empty.json'}: 文件是空的",
        f"{tmp_path / 'missing.md'}: 文件或目录不存在",
    ]


def test_read_paths_fails_when_nothing_is_read(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("", encoding="utf-8")
    with pytest.raises(InputError, match=r"a\.txt: 文件是空的（另有 1 个文件也无法使用）"):
        read_paths([tmp_path / "a.txt", tmp_path / "nope"])
    with pytest.raises(InputError, match="没有给出"):
        read_paths([])


@pytest.mark.parametrize("fmt", ["sample", "markdown", "json", "jsonl", "csv"])
@pytest.mark.parametrize(
    "line",
    [
        "字" * 100_000,
        "答案" + " " * 100_000 + "x",
        "**" * 50_000,
        "![" * 50_000,
        "<!--" * 25_000,
        "Q" + " " * 100_000 + "?",
        "[" * 100_000,
        "● " + "a " * 50_000,
    ],
    ids=["cjk", "spaces", "bold", "images", "comments", "q-spaces", "brackets", "bullet"],
)
def test_single_100kb_line(fmt: str, line: str) -> None:
    for text in (line, f"● 问题\n参考回答:\n{line}", f"## 标题\n{line}"):
        try:
            read_text(text, "x", fmt)
        except InputError as e:
            assert "\n" not in str(e)


def test_twenty_megabyte_file(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    count = write_big_bank(path, "循环神经网络处理序列，隐藏状态在时间步之间传递。", 8)
    result = read_file(path)
    assert len(result.questions) == count and result.questions[-1].line == 4 * count - 3


# --- write_sample and the module examples ---


def test_write_sample_round_trips_the_seed(seed: dict[str, RawQuestion]) -> None:
    again = read_text(write_sample(seed.values()), "again.txt").questions
    assert [(q.title, q.answer, q.analysis) for q in again] == [
        (q.title, q.answer, q.analysis) for q in seed.values()
    ]
    assert write_sample([]) == ""



def test_json_lines_survive_compact_and_pretty_layouts() -> None:
    items = [{"question": f"问题{i}是什么", "answer": "答"} for i in range(3)]
    pretty = read_text(json.dumps(items, ensure_ascii=False, indent=4), "x.json").questions
    assert [q.line for q in pretty] == [2, 6, 10]
    compact = read_text(json.dumps(items, ensure_ascii=False), "x.json").questions
    assert [q.line for q in compact] == [1, 1, 1]
