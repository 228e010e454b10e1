"""Structured banks: JSON (a list, or {"questions": [...]}), JSONL and CSV with a header row.

Fields (keys are case-insensitive): question / title / 问题 / 题目, answer / 答案 / 参考回答 /
参考答案 / 回答, analysis / 解析, tags / 标签 (a list, or a string separated by , ， 、 ; ；),
topic / 主题 / 分类. Line numbers: the JSONL line, the CSV row's first line, and for JSON the line
where the question's object starts. Accounting: a record holds its lines (a JSON object from its
first to its last line, a CSV row with its quoted line breaks); the JSON brackets around the list
and the CSV header are skipped as structure.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from zhitu.graph.errors import InputError
from zhitu.ingest.read_common import RawQuestion, ReadResult, make_question

TITLE_KEYS = ("question", "title", "问题", "题目")
ANSWER_KEYS = ("answer", "答案", "参考回答", "参考答案", "回答")
ANALYSIS_KEYS = ("analysis", "解析")
TAG_KEYS = ("tags", "标签")
TOPIC_KEYS = ("topic", "主题", "分类")
_TAG_SPLIT = re.compile(r"[,，、;；]")
_WS = re.compile(r"[ \t\n\r]*")


def read_json(text: str, name: str) -> ReadResult:
    """Questions of a JSON bank; InputError when it is not JSON or holds no question list."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        if e.msg == "Extra data":  # one object per line: a JSONL file named .json
            return read_jsonl(text, name)
        raise InputError(f"{name}:{e.lineno}: JSON 格式错误：{e.msg}") from e
    except (ValueError, RecursionError) as e:
        raise InputError(f"{name}:1: JSON 无法解析：{type(e).__name__}") from e
    items = _question_list(data)
    if items is None:
        raise InputError(f'{name}:1: JSON 顶层应为问题列表或 {{"questions": [...]}}')
    spans = _item_spans(text, len(items))
    warnings: list[str] = []
    skipped: list[tuple[int, str]] = []
    questions = [
        q
        for item, span in zip(items, spans, strict=True)
        if (q := _record(item, name, span, warnings, skipped))
    ]
    held = {n for n, _ in skipped}
    for q in questions:  # a line holding several objects (compact JSON) counts for the first
        q.lines = [n for n in q.lines if n not in held]
        held.update(q.lines)
    skipped += [(n, "JSON 结构") for n in range(1, text.count("\n") + 2) if n not in held]
    return ReadResult(questions, warnings, skipped=skipped)


def read_jsonl(text: str, name: str) -> ReadResult:
    """Questions of a JSONL bank; a bad line is a warning."""
    warnings: list[str] = []
    skipped: list[tuple[int, str]] = []
    questions: list[RawQuestion] = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except (ValueError, RecursionError):
            warnings.append(f"{name}:{number}: 不是合法的 JSON 行，已跳过")
            skipped.append((number, "不是合法的 JSON 行"))
            continue
        if (q := _record(item, name, (number, number), warnings, skipped)) is not None:
            questions.append(q)
    return ReadResult(questions, warnings, skipped=skipped)


def read_csv(text: str, name: str) -> ReadResult:
    """Questions of a CSV bank with a header row (comma, tab or semicolon separated)."""
    header_line = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    warnings: list[str] = []
    questions: list[RawQuestion] = []
    try:
        header = [key.strip().lower() for key in next(reader, [])]
        if not any(key in TITLE_KEYS for key in header):
            raise InputError(f"{name}:1: CSV 表头没有问题列（question / title / 问题）")
        skipped = [(n, "CSV 表头") for n in range(1, reader.line_num + 1)]
        start = reader.line_num + 1
        for row in reader:
            if any(cell.strip() for cell in row):
                item = dict(zip(header, row, strict=False))
                span = (start, max(start, reader.line_num))
                if (q := _record(item, name, span, warnings, skipped)) is not None:
                    questions.append(q)
            start = reader.line_num + 1
    except csv.Error as e:
        raise InputError(f"{name}:{reader.line_num}: CSV 格式错误：{e}") from e
    return ReadResult(questions, warnings, skipped=skipped)


def _question_list(data: Any) -> list[Any] | None:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        if isinstance(data.get("questions"), list):
            return data["questions"]
        if _field(_lower_keys(data), TITLE_KEYS):  # a single question object
            return [data]
    return None


def _record(item: Any, name: str, span: tuple[int, int], warnings: list[str],
            skipped: list[tuple[int, str]]) -> RawQuestion | None:
    line = span[0]
    lines = list(range(span[0], span[1] + 1))
    if not isinstance(item, dict):
        warnings.append(f"{name}:{line}: 不是问题对象（{type(item).__name__}），已跳过")
        skipped += [(n, "不是问题对象") for n in lines]
        return None
    fields = _lower_keys(item)
    return make_question(
        _field(fields, TITLE_KEYS),
        _field(fields, ANSWER_KEYS),
        _field(fields, ANALYSIS_KEYS),
        (name, line),
        warnings,
        topic=_field(fields, TOPIC_KEYS).strip(),
        tags=_tags(next((fields[k] for k in TAG_KEYS if k in fields), None)),
        lines=lines,
        skipped=skipped,
    )


def _lower_keys(item: dict[Any, Any]) -> dict[str, Any]:
    return {str(key).strip().lower(): value for key, value in item.items()}


def _field(fields: dict[str, Any], keys: tuple[str, ...]) -> str:
    for key in keys:
        value = fields.get(key)
        if value is not None and value != "":
            return _as_text(value)
    return ""


def _as_text(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(_as_text(v) for v in value if v is not None)
    if isinstance(value, dict):
        return ""
    return str(value)


def _tags(value: Any) -> list[str]:
    if isinstance(value, list):
        tags = [_as_text(v).strip() for v in value]
    elif isinstance(value, str):
        tags = [t.strip() for t in _TAG_SPLIT.split(value)]
    else:
        tags = []
    return [t for t in tags if t]


def _item_spans(text: str, count: int) -> list[tuple[int, int]]:
    """The first and last line of each element of the question list ((1, 1) each when the scan
    fails)."""
    try:
        offsets = _element_offsets(text)
    except (ValueError, IndexError, RecursionError):
        offsets = []
    if len(offsets) != count:
        return [(1, 1)] * count
    return [(text.count("\n", 0, a) + 1, text.count("\n", 0, max(a, b - 1)) + 1)
            for a, b in offsets]


def _element_offsets(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the question list's elements, found by walking the top level."""
    decoder = json.JSONDecoder()
    start = _skip(text, 0)
    if text[start] == "[":
        return _array_offsets(text, start, decoder)[0]
    found = [(start, len(text.rstrip()))]  # a single question object
    pos = _skip(text, start + 1)
    while text[pos] != "}":
        key, pos = decoder.raw_decode(text, pos)
        pos = _skip(text, _skip(text, pos) + 1)  # past ':'
        if key == "questions" and text[pos] == "[":
            found, pos = _array_offsets(text, pos, decoder)
        else:
            _, pos = decoder.raw_decode(text, pos)
        pos = _skip(text, pos)
        if text[pos] == ",":
            pos = _skip(text, pos + 1)
    return found


def _array_offsets(text: str, pos: int, decoder: json.JSONDecoder
                   ) -> tuple[list[tuple[int, int]], int]:
    """(start, end) offsets of the elements of the array at pos, and the offset after it."""
    offsets: list[tuple[int, int]] = []
    pos = _skip(text, pos + 1)
    while text[pos] != "]":
        start = pos
        _, pos = decoder.raw_decode(text, pos)
        offsets.append((start, pos))
        pos = _skip(text, pos)
        if text[pos] == ",":
            pos = _skip(text, pos + 1)
    return offsets, pos + 1


def _skip(text: str, pos: int) -> int:
    match = _WS.match(text, pos)
    return match.end() if match else pos
