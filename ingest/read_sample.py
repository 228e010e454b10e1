"""The user's plain-text bank format: bulleted questions with 参考回答 / 解析 markers.

    ● BatchNormalization的作用
    参考回答:
    神经网络在训练的时候……
    解析:通过网络结构直接解释

A question starts at a bullet (●, •, · …) or a 问题: / Q1: line. Where a bank has no bullets
(numbered "1." / "1、" lists, bare titles), the last line before an answer marker is the title.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from zhitu.ingest.read_common import (
    BULLETS,
    RawQuestion,
    ReadResult,
    join_lines,
    join_title,
    make_question,
    match_marker,
)

_QUESTION_PREFIX = re.compile(r"(?:问题|Q|q|问)\s*(?:\d{1,4}\s*)?[:：]")

Numbered = tuple[int, str]  # (1-based line, text)


@dataclass
class _Block:
    line: int
    title: list[Numbered]
    answer: list[Numbered] = field(default_factory=list)
    analysis: list[Numbered] = field(default_factory=list)
    state: str = "title"  # title -> answer -> analysis


def read_sample(text: str, name: str) -> ReadResult:
    """Questions of a bank in the sample's format (text has "\\n" line ends)."""
    blocks: list[_Block] = []
    loose: list[Numbered] = []  # lines before the first question
    current: _Block | None = None
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        marker = match_marker(line) if line else None
        if marker is None and _starts_question(line):
            current = _Block(number, [(number, line)])
            blocks.append(current)
        elif marker is not None:
            kind, rest = marker
            if kind == "answer" and (current is None or current.state != "title"):
                current = _title_from_previous(current, loose, number)
                blocks.append(current)
            if current is not None:
                current.state = kind
                _lines_of(current).append((number, rest))
        elif current is None:
            loose.append((number, line))
        elif current.state == "title":
            current.title.append((number, line))
        else:
            _lines_of(current).append((number, line))
    warnings: list[str] = []
    skipped = [(n, "在第一个问题之前") for n, _ in loose]
    questions = [q for b in blocks if (q := _finish(b, name, warnings, skipped)) is not None]
    return ReadResult(questions, warnings, skipped=skipped)


def write_sample(questions: Iterable[RawQuestion]) -> str:
    """Questions in the sample's format; read_sample gives them back.

    >>> print(write_sample([RawQuestion("什么是RNN", "循环神经网络。", "看结构", "x", 1)]), end="")
    ● 什么是RNN
    参考回答:
    循环神经网络。
    解析:看结构
    """
    out: list[str] = []
    for q in questions:
        out += [f"● {' '.join(q.title.split())}", "参考回答:", q.answer.strip()]
        if q.analysis.strip():
            out.append(f"解析:{q.analysis.strip()}")
    return "\n".join(out) + "\n" if out else ""


def _starts_question(line: str) -> bool:
    return bool(line) and (line[0] in BULLETS or _QUESTION_PREFIX.match(line) is not None)


def _lines_of(block: _Block) -> list[Numbered]:
    return block.analysis if block.state == "analysis" else block.answer


def _title_from_previous(current: _Block | None, loose: list[Numbered], number: int) -> _Block:
    """An answer marker with no question open: the last line before it is the title."""
    source = loose if current is None else _lines_of(current)
    while source and not source[-1][1]:
        source.pop()
    if not source:
        return _Block(number, [])  # no title at all: reported when finished
    line, title = source.pop()
    return _Block(line, [(line, title)])


def _finish(block: _Block, name: str, warnings: list[str], skipped: list[tuple[int, str]]
            ) -> RawQuestion | None:
    answer = join_lines([text for _, text in block.answer])
    analysis = join_lines([text for _, text in block.analysis])
    title = join_title([text for _, text in block.title])
    lines = [n for part in (block.title, block.answer, block.analysis) for n, _ in part]
    return make_question(title, answer, analysis, (name, block.line), warnings,
                         lines=lines or [block.line], skipped=skipped)
