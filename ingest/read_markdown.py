"""Markdown banks as public repositories write them.

A question is a heading with an answer body of its own ("### 3.6.8 什么是批归一化"), a bold
question line (`**Q1：…？**`), a 问题:/Q1: line, or a numbered item followed by an indented
answer or an 答: line. A heading with no body of its own (only sub-headings) is a section:
its path becomes the topic of the questions below it. Tables of contents, images, HTML
comments and tags, [TOC], front matter and horizontal rules are skipped; LaTeX and code stay
as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zhitu.ingest.read_common import (
    RawQuestion,
    ReadResult,
    clean_title,
    join_lines,
    looks_like_question,
    make_question,
    match_marker,
    shorten,
)

_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]+|(?=[^\x00-\x7f])|$)")
_PREFIXED = re.compile(r"(?:问题|Q|q|问)\s*(?:\d{1,4}\s*)?[:：.、]")
_LIST_MARK = re.compile(r"[-+*]\s+")
_NUMBERED = re.compile(r"\d{1,4}[.、．)）]\s*\S")
_TOC_LINE = re.compile(
    r"\s*(?:[-*+]\s+|\d{1,4}[.)]\s+)?\[[^\]\n]{0,300}\]"
    r"\((?:#[^)\s]{0,500}|[^)\s]{0,500}\.md(?:#[^)\s]{0,300})?)\)\s*"
)
_TOC_MARKS = {"[toc]", "[[toc]]", "[[_toc_]]", "{:toc}", "@[toc]"}
_TOC_TITLES = {"目录", "toc", "tableofcontents", "contents"}
_IMAGE = re.compile(r"!\[[^\]\n]{0,300}\]\([^)\n]{0,1000}\)")
_LINK = re.compile(r"\[([^\]\n]{0,300})\]\([^)\n]{0,1000}\)")
_HTML_TAG = re.compile(
    r"</?(?:a|br|img|details|summary|div|p|span|center|font|sup|sub|strong|em|b|i|u|hr|kbd)"
    r"\b[^<>\n]{0,1000}>",
    re.IGNORECASE,
)


@dataclass
class _Line:
    number: int
    text: str
    code: bool = False


@dataclass
class _Heading:
    level: int
    title: str
    number: int
    body: list[_Line]


def read_markdown(text: str, name: str) -> ReadResult:
    """Questions of a Markdown bank (text has "\\n" line ends)."""
    preamble, headings = _split_headings(_prepare(text.split("\n")))
    questions: list[RawQuestion] = []
    warnings: list[str] = []

    def emit(title: str, number: int, body: list[_Line], topic: str) -> None:
        answer, analysis = _answer_and_analysis(body)
        q = make_question(title, answer, analysis, (name, number), warnings, topic)
        if q is not None:
            questions.append(q)

    for title, number, body in _inner_questions(preamble):
        emit(title, number, body, "")
    skip = _document_title(headings)
    path: list[tuple[int, str]] = []
    for i, head in enumerate(headings):
        while path and path[-1][0] >= head.level:
            path.pop()
        topic = " / ".join(t for _, t in path)
        if i != skip and head.title:
            path.append((head.level, head.title))
        if head.title.lower().replace(" ", "") in _TOC_TITLES:
            continue
        has_children = i + 1 < len(headings) and headings[i + 1].level > head.level
        inner = _inner_questions(head.body)
        for title, number, body in inner:
            emit(title, number, body, " / ".join(t for _, t in path))
        if inner:
            continue
        if _has_content(head.body):
            if not has_children or looks_like_question(head.title):
                emit(head.title, head.number, head.body, topic)
        elif not has_children and looks_like_question(head.title):
            warnings.append(f"{name}:{head.number}: 问题「{shorten(head.title)}」没有答案，已跳过")
    return ReadResult(questions, warnings)


def _prepare(raw_lines: list[str]) -> list[_Line]:
    """Lines with front matter, comments, TOC, images and HTML tags removed; code flagged."""
    out: list[_Line] = []
    fence = ""
    in_comment = False
    for index in range(_front_matter_end(raw_lines), len(raw_lines)):
        text = raw_lines[index]
        stripped = text.strip()
        if fence or (not in_comment and stripped.startswith(("```", "~~~"))):
            if fence and stripped.startswith(fence):
                fence = ""
            elif not fence:
                fence = stripped[:3]
            out.append(_Line(index + 1, text.rstrip(), code=True))
            continue
        if in_comment or "<!--" in text:
            text, in_comment = _drop_comments(text, in_comment)
        if stripped.lower() in _TOC_MARKS or ("](" in text and _TOC_LINE.fullmatch(text)):
            continue
        out.append(_Line(index + 1, _inline(text).rstrip()))
    return out


def _front_matter_end(lines: list[str]) -> int:
    if not lines or lines[0].strip() not in ("---", "+++"):
        return 0
    mark = lines[0].strip()
    for index in range(1, min(len(lines), 200)):
        if lines[index].strip() == mark:
            return index + 1
    return 0


def _drop_comments(text: str, in_comment: bool) -> tuple[str, bool]:
    """The text outside <!-- --> comments, and whether a comment is still open at the end."""
    parts: list[str] = []
    pos = 0
    while True:
        if in_comment:
            end = text.find("-->", pos)
            if end < 0:
                return "".join(parts), True
            pos, in_comment = end + 3, False
        else:
            start = text.find("<!--", pos)
            if start < 0:
                parts.append(text[pos:])
                return "".join(parts), False
            parts.append(text[pos:start])
            pos, in_comment = start + 4, True


def _inline(text: str) -> str:
    if "![" in text:
        text = _IMAGE.sub("", text)
    if "<" in text:
        text = _HTML_TAG.sub("", text)
    if "](" in text:
        text = _LINK.sub(r"\1", text)
    return text


def _split_headings(lines: list[_Line]) -> tuple[list[_Line], list[_Heading]]:
    preamble: list[_Line] = []
    headings: list[_Heading] = []
    for line in lines:
        match = None if line.code or "#" not in line.text[:4] else _HEADING.match(line.text)
        if match is None:
            (headings[-1].body if headings else preamble).append(line)
            continue
        title = line.text[match.end() :].strip()
        bare = title.rstrip("#")
        if bare != title and (not bare or bare[-1].isspace()):  # closing "## 标题 ##"
            title = bare.strip()
        headings.append(_Heading(len(match.group(1)), clean_title(title), line.number, []))
    return preamble, headings


def _document_title(headings: list[_Heading]) -> int | None:
    """The index of a sole level-1 heading that opens the file: a title, not a section."""
    top = [i for i, h in enumerate(headings) if h.level == 1]
    return 0 if top == [0] and len(headings) > 1 else None


def _inner_questions(body: list[_Line]) -> list[tuple[str, int, list[_Line]]]:
    """Bold, 问题:/Q: and numbered questions inside a body, each with the lines up to the next."""
    starts: list[tuple[int, str, str]] = []
    for index, line in enumerate(body):
        found = None if line.code else _question_line(body, index)
        if found is not None:
            starts.append((index, *found))
    found_questions: list[tuple[str, int, list[_Line]]] = []
    for k, (index, title, rest) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(body)
        first = [_Line(body[index].number, rest)] if rest else []
        found_questions.append((title, body[index].number, first + body[index + 1 : end]))
    return found_questions


def _question_line(body: list[_Line], index: int) -> tuple[str, str] | None:
    """(title, answer text on the same line) when body[index] opens a question."""
    text = body[index].text
    stripped = text.strip()
    if not stripped or match_marker(stripped) is not None:
        return None
    bold = stripped[_LIST_MARK.match(stripped).end() :] if _LIST_MARK.match(stripped) else stripped
    emphasis = bold[:2]
    if emphasis in ("**", "__"):
        end = bold.find(emphasis, 2)
        inner = bold[2:end].strip() if end > 2 else ""
        if inner and (inner.endswith(("?", "？")) or _PREFIXED.match(inner)):
            return inner, bold[end + 2 :].lstrip("：: ")
        return None
    if _PREFIXED.match(stripped):
        return stripped, ""
    if len(text) - len(text.lstrip()) < 2 and _NUMBERED.match(stripped):
        after = next((b for b in body[index + 1 :] if b.text.strip()), None)
        if after is not None and not after.code:
            if match_marker(after.text) is not None:
                return stripped, ""
            if looks_like_question(stripped) and after.text[:1] in (" ", "\t"):
                return stripped, ""
    return None


def _answer_and_analysis(body: list[_Line]) -> tuple[str, str]:
    split = next(
        (i for i, b in enumerate(body) if not b.code and _marker_kind(b.text) == "analysis"),
        len(body),
    )
    answer, analysis = body[:split], body[split:]
    return _text(answer), _text(analysis)


def _marker_kind(text: str) -> str | None:
    marker = match_marker(text) if text.strip() else None
    return marker[0] if marker else None


def _text(lines: list[_Line]) -> str:
    """Body lines as text: a leading 答: marker dropped, paragraphs joined, code kept verbatim."""
    first = next((i for i, line in enumerate(lines) if line.text.strip()), None)
    if first is not None and not lines[first].code:
        marker = match_marker(lines[first].text)
        if marker is not None:
            lines = lines[:first] + [_Line(lines[first].number, marker[1])] + lines[first + 1 :]
    parts: list[str] = []  # joined paragraphs (never empty) and code lines (may be blank)
    run: list[str] = []
    for line in lines:
        if line.code:
            parts += _joined(run) + [line.text]
            run = []
        elif not _is_rule(line.text):
            run.append(line.text)
    return "\n".join(parts + _joined(run)).strip()


def _joined(run: list[str]) -> list[str]:
    text = join_lines(run)
    return [text] if text else []


def _has_content(body: list[_Line]) -> bool:
    return any(line.code or (line.text.strip() and not _is_rule(line.text)) for line in body)


def _is_rule(text: str) -> bool:
    compact = text.replace(" ", "").replace("\t", "")
    return len(compact) >= 3 and len(set(compact)) == 1 and compact[0] in "-*_="
