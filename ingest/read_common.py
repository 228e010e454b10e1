"""Records and text helpers shared by the bank readers (sample text, Markdown, JSON/JSONL/CSV).

Every reader yields RawQuestion records and "file:line: message" warnings; the helpers here
clean titles, recognise answer/analysis markers and join lines that a copy-paste broke.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
BULLETS = "●•·◆■▪○◦◇□"
QUESTION_WORDS = ("什么", "为什么", "如何", "怎么", "怎样", "哪些", "哪个", "是否", "区别", "吗")
WRAP_MIN = 30  # a line shorter than this is a list item or a label, never a wrapped paragraph

_ANALYSIS_WORDS = ("答案解析", "解析")
_WORDS = "(参考回答|参考答案|答案解析|答案|回答|解析|答|A)"
_EMPH = r"(?:(?:\*\*|__)\s*)?"  # whitespace only after a token: no ambiguous \s*\s* runs
_LEAD = rf"\s*(?:>\s*)?{_EMPH}"
_MARKER = re.compile(rf"{_LEAD}{_WORDS}\s*{_EMPH}[:：]\s*{_EMPH}")
_BRACKET_MARKER = re.compile(rf"{_LEAD}[【\[]\s*{_WORDS}\s*[】\]]\s*{_EMPH}(?:[:：]\s*)?{_EMPH}")
_NUMBERING = re.compile(
    r"(?:(?:Q|q|问题|题目|面试题|问)\s*(?:\d{1,4}\s*)?[:：.、．]"  # Q1: / 问题3： / 问:
    r"|\d{1,4}(?:[.．]\d{1,4})+[.．、]?"  # 3.6.8 / 1.1.
    r"|\d{1,4}\s*[.．、)）:：]"  # 1. / 1、 / 1)
    r"|[(（]\s*[\d一二三四五六七八九十]{1,4}\s*[)）]"  # (1) / （一）
    r"|[一二三四五六七八九十]{1,4}\s*[、.．])"  # 一、
    r"\s*"
)
_LIST_ITEM = re.compile(r"(?:\d{1,4}[.、．)）]|[-*+]\s|[" + BULLETS + "])")
_SPACES = re.compile(r"\s+")
# emphasis pairs, as Markdown reads them: `__` only outside words (`__init__` is a name);
# a pair spans at most 300 characters, so a 100 KB line without closers stays linear
_STAR_BOLD = re.compile(r"\*\*(?=\S)(.{1,300}?)(?<=\S)\*\*")
_UNDERSCORE_BOLD = re.compile(r"(?<!\w)__(?=\S)(.{1,300}?)(?<=\S)__(?!\w)")
_EDGE_EMPH = re.compile(r"^(?:\*\*|__)(?=\S)|(?<=\S)(?:\*\*|__)$")


@dataclass
class RawQuestion:
    """One question as read from a bank, before concepts are found."""

    title: str
    answer: str
    analysis: str
    file: str
    line: int  # 1-based line of the title
    topic: str = ""  # markdown section path "一级 / 二级"
    tags: list[str] = field(default_factory=list)


@dataclass
class ReadResult:
    questions: list[RawQuestion]
    warnings: list[str]  # "file:line: message"
    # files (and given paths) that could not be read at all, as named in `warnings`: their
    # questions already in a graph must stay there, not be replaced by nothing
    failed: list[str] = field(default_factory=list)


def clean_title(text: str) -> str:
    """A question title without bullet, numbering, Q/问题 prefix, emphasis or extra spaces.

    >>> clean_title("### 3.6.8 什么是批归一化（Batch Normalization）")
    '什么是批归一化（Batch Normalization）'
    >>> clean_title("● 问题:神经网络中权重共享的是?")
    '神经网络中权重共享的是?'
    >>> clean_title("**Q1：什么是 `dropout`？**")
    '什么是 dropout？'
    >>> clean_title("PyTorch中__call__和forward的区别，x**2 的导数")
    'PyTorch中__call__和forward的区别，x**2 的导数'
    """
    text = _SPACES.sub(" ", text).strip().lstrip("#").strip()
    text = _UNDERSCORE_BOLD.sub(r"\1", _STAR_BOLD.sub(r"\1", text)).replace("`", "")
    text = _EDGE_EMPH.sub("", text).strip()  # an emphasis closed on another line
    text = text.lstrip(BULLETS + " ")
    for _ in range(2):  # "1. 问题：..." carries two prefixes
        match = _NUMBERING.match(text)
        if match is None or match.end() == len(text):
            break
        text = text[match.end() :]
    return text.strip()


def match_marker(line: str) -> tuple[str, str] | None:
    """("answer" | "analysis", text after the marker) when the line starts with a marker.

    >>> match_marker("参考回答：Sigmoid 的导数")
    ('answer', 'Sigmoid 的导数')
    >>> match_marker("**解析：** 需要掌握函数图像")
    ('analysis', '需要掌握函数图像')
    >>> match_marker("答案是 42") is None
    True
    """
    match = _MARKER.match(line) or _BRACKET_MARKER.match(line)
    if match is None:
        return None
    word = match.group(1)
    kind = "analysis" if word in _ANALYSIS_WORDS else "answer"
    return kind, line[match.end() :].strip()


def looks_like_question(title: str) -> bool:
    """A title that asks something: ends with a question mark or holds a question word.

    >>> looks_like_question("什么是RNN"), looks_like_question("参考文献")
    (True, False)
    """
    title = title.rstrip()
    return title.endswith(("?", "？")) or any(w in title for w in QUESTION_WORDS)


def join_lines(lines: list[str]) -> str:
    """Lines of an answer as one text: wrapped lines joined, blank runs collapsed.

    A break is a wrap when the line before is long (WRAP_MIN) and ends inside a sentence and the
    next line goes on with a letter or ideograph; Latin-Latin joins with a space, else nothing.

    >>> join_lines(["而Batch" + "x" * 30, "Normalization的作用"])
    '而Batchxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx Normalization的作用'
    >>> join_lines(["遗忘门:", "输入门:", "", "", "输出门:"])
    '遗忘门:\\n输入门:\\n\\n输出门:'
    """
    out: list[list[str]] = []
    last = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            if out and out[-1]:
                out.append([])
            last = ""
            continue
        if last and out and _is_wrap(last, line):
            out[-1].append(_joiner(last[-1], line[0]))
            out[-1].append(line)
        else:
            out.append([line])
        last = line
    while out and not out[-1]:
        out.pop()
    return "\n".join("".join(parts) for parts in out)


def join_title(lines: list[str]) -> str:
    """Title lines as one line, Latin-Latin joined with a space, anything else with nothing.

    >>> join_title(["训练过程中,若一个模型不收敛,", "那么是否说明这个模型无效?"])
    '训练过程中,若一个模型不收敛,那么是否说明这个模型无效?'
    """
    parts: list[str] = []
    for line in (raw.strip() for raw in lines):
        if line:
            if parts:  # parts[-1] is the previous line here
                parts.append(_joiner(parts[-1][-1], line[0]))
            parts.append(line)
    return "".join(parts)


def _is_wrap(before: str, after: str) -> bool:
    if len(before) < WRAP_MIN or not after[0].isalnum() or _LIST_ITEM.match(after):
        return False
    end = before[-1]
    return end.isalnum() or end in ",，、;；"


def _joiner(end: str, start: str) -> str:
    latin_end = end.isascii() and (end.isalnum() or end in ",;")
    return " " if latin_end and start.isascii() else ""


def make_question(
    title: str,
    answer: str,
    analysis: str,
    where: tuple[str, int],
    warnings: list[str],
    topic: str = "",
    tags: list[str] | None = None,
) -> RawQuestion | None:
    """A RawQuestion, or None with a warning when the title or the answer is missing."""
    file, line = where
    title = clean_title(title)
    answer, analysis = answer.strip(), analysis.strip()
    if not title:
        warnings.append(f"{file}:{line}: 缺少问题标题，已跳过")
        return None
    if not answer:
        warnings.append(f"{file}:{line}: 问题「{shorten(title)}」没有答案，已跳过")
        return None
    return RawQuestion(title, answer, analysis, file, line, topic, list(tags or []))


def shorten(text: str, limit: int = 30) -> str:
    """The start of a text for a one-line message.

    >>> shorten("abcdef", 3)
    'abc…'
    """
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= limit else text[:limit] + "…"
