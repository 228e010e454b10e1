"""Property test for the Markdown reader (issue #13): on generated nested banks, every non-blank
line is held by exactly one question or skipped with a reason, a held line's words are in its
question, and no two distinct questions merge."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from zhitu.ingest.read import group_questions, read_text
from zhitu.ingest.read_common import UNCLAIMED

# same-titled sub-sections, non-question sections, questions, topics
TITLES = ["模型结构", "实验结果", "网络架构", "AlexNet", "VGG", "什么是梯度消失？",
          "为什么要归一化？", "参考文献", "TODO", "小结", "区别", "定义", "目录", "激活函数"]


_ALPHABET = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水火土日月星山川风云雷电"


def _unique(n: int) -> str:
    """Words unique to block n, most characters unlike any other block's (distinct answers
    differ by more than a digit, as two real questions do)."""
    size = len(_ALPHABET)
    x = (n * 2654435761) % size**6
    return "内容" + "".join(_ALPHABET[(x // size**k + k * n) % size] for k in range(6)) + "号"


@st.composite
def block(draw: st.DrawFn, n: int) -> list[str]:
    """One piece of an answer; n makes its words unique in the bank."""
    word = _unique(n)
    kind = draw(st.sampled_from([
        "para", "para", "bold", "boldq", "numbered", "list", "table", "code", "latex", "comment",
        "image", "details", "quote", "inline", "task",
    ]))
    return {
        "para": [f"这是{word}的一段说明，讲清楚原理。"],
        "bold": [f"**{word}要点**"],
        "boldq": [f"**那么{word}会带来什么问题？**"],
        "numbered": [f"1. {word}第一条。", f"2. {word}第二条？"],
        "list": [f"- {word}甲", f"  - {word}乙"],
        "table": ["| 名称 | 说明 |", "|---|---|", f"| {word} | $x^2$ |"],
        "code": ["```python", f"# {word} 不是标题", "x = 1", "```"],
        "latex": ["$$", f"f({word}) = \\frac{{1}}{{2}}", "$$"],
        "comment": [f"<!-- {word} 注释 -->"],
        "image": [f"![{word}](img/{n}.png)"],
        "details": ["<details>", f"<summary>{word}摘要</summary>", "", f"{word}细节。",
                    "</details>"],
        "quote": [f"> {word}引用"],
        "inline": [f"其中 $ {word} $ 是变量。"],
        "task": ["- [ ] TODO"],
    }[kind]


@st.composite
def bank(draw: st.DrawFn) -> str:
    lines: list[str] = []
    counter = iter(range(10_000))
    if draw(st.booleans()):
        lines += ["[TOC]", ""]
    for _ in range(draw(st.integers(1, 12))):
        level = draw(st.integers(1, 6))
        title = draw(st.sampled_from(TITLES))
        number = draw(st.sampled_from(["", "1.2 ", "3.4.5 "]))
        lines += [f"{'#' * level} {number}{title}", ""]
        for _ in range(draw(st.integers(0, 4))):
            lines += draw(block(next(counter))) + [""]
    if draw(st.booleans()):  # text before any heading
        lines = draw(block(next(counter))) + [""] + lines
    return "\n".join(lines)


def _words(line: str) -> list[str]:
    import re

    return re.findall(r"内容[^号]{6}号", line)


@settings(deadline=None, max_examples=150)
@given(text=bank())
def test_every_line_is_accounted_for_and_nothing_distinct_merges(text: str) -> None:
    result = read_text(text, "gen.md")
    (report,) = result.files
    lines = text.split("\n")
    content = {n for n, line in enumerate(lines, 1) if line.strip()}
    held = [n for q in result.questions for n in q.lines]
    skipped = [n for n, _ in report.skipped]
    assert len(held) == len(set(held)), "a line held by two questions"
    assert not set(held) & set(skipped), "a line held and skipped"
    assert set(held) | set(skipped) == content
    assert UNCLAIMED not in {reason for _, reason in report.skipped}
    assert report.kept + len(report.skipped) == report.lines == len(content)
    for q in result.questions:  # a held line's words are really in its question
        whole = q.title + q.answer + q.analysis
        for n in q.lines:
            for word in _words(lines[n - 1]):
                if "![" not in lines[n - 1] and "<!--" not in lines[n - 1]:
                    assert word in whole, (n, lines[n - 1], q.title)
        assert q.title.split(" · ")[-1] not in ("参考文献", "TODO", "小结", "目录")
    # every generated answer is unique: no two records may become one question
    groups = group_questions(result.questions)
    assert all(len(g.records) == 1 for g in groups)
    assert len({g.id for g in groups}) == len(groups)


@settings(deadline=None, max_examples=50)
@given(text=bank())
def test_the_same_bank_read_twice_merges_pairwise(text: str) -> None:
    first, second = read_text(text, "a/bank.md"), read_text(text, "b/bank.md")
    groups = group_questions(first.questions + second.questions)
    assert len(groups) == len(first.questions)
    assert all([r.file for r in g.records] == ["a/bank.md", "b/bank.md"] for g in groups)
