"""Question banks in, RawQuestion records out: formats, encodings, stable ids, file:line.

Formats by suffix: .txt is the user's sample format (bullets, 参考回答:, 解析:), falling back to
Markdown; .md/.markdown is Markdown, falling back to the sample format; .json, .jsonl, .csv are
records (see ingest/read_records.py). Every unusable input is an InputError naming the file, every
skipped question a "file:line: message" warning, and every file gets a FileReport: each non-blank
line is in one question or skipped with a reason (docs/READING.md).

Ids: a question's id is a hash of the title keys of its title path (RawQuestion.id_path: for most
questions just the title; for a generic sub-section such as 模型结构 its parent too).
group_questions decides which records are one question: the same path and near-identical text
(SAME_TEXT) merge; the same path with different text stays apart, each id taking file and line.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from zhitu.graph.errors import InputError
from zhitu.ingest.read_common import (
    DELIBERATE_REASONS,
    INVISIBLE,
    MARKUP_REASONS,
    FileReport,
    RawQuestion,
    ReadResult,
    account,
    shorten,
)
from zhitu.ingest.read_markdown import read_markdown
from zhitu.ingest.read_records import read_csv, read_json, read_jsonl
from zhitu.ingest.read_sample import read_sample, write_sample
from zhitu.text.normalize import title_key

__all__ = [
    "SAME_TEXT",
    "SUPPORTED_SUFFIXES",
    "FileReport",
    "Group",
    "RawQuestion",
    "ReadResult",
    "decode",
    "group_questions",
    "question_id",
    "same_text",
    "text_similarity",
    "read_file",
    "read_paths",
    "read_text",
    "write_sample",
]

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".json", ".jsonl", ".csv")
FORMATS: dict[str, Callable[[str, str], ReadResult]] = {
    "sample": read_sample,
    "markdown": read_markdown,
    "json": read_json,
    "jsonl": read_jsonl,
    "csv": read_csv,
}
_SUFFIX_FORMAT = {
    ".txt": "sample",
    ".md": "markdown",
    ".markdown": "markdown",
    ".json": "json",
    ".jsonl": "jsonl",
    ".csv": "csv",
}
_FALLBACK = {"sample": "markdown", "markdown": "sample"}
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF87a", "GIF 图片"),
    (b"GIF89a", "GIF 图片"),
    (b"PK\x03\x04", "ZIP 压缩包（也可能是 docx/xlsx）"),
    (b"PK\x05\x06", "ZIP 压缩包"),
    (b"%PDF-", "PDF 文档"),
    (b"\x1f\x8b", "gzip 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
    (b"Rar!", "RAR 压缩包"),
    (b"\x7fELF", "可执行文件"),
    (b"\xd0\xcf\x11\xe0", "Office 97 文档"),
    (b"SQLite format 3\x00", "SQLite 数据库"),
)
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


EXPLAINED_REASONS = DELIBERATE_REASONS | MARKUP_REASONS
SAME_TEXT = 0.9  # two records with one title path merge when their texts are this similar
SHORT_TEXT = 40  # ... and texts shorter than this (in title-key characters) must be equal


def question_id(title: str | Sequence[str]) -> str:
    """A stable id from the normalized title, or title path (parents first, then the title).

    A one-element path is the title itself, so plain titles keep their ids.

    >>> question_id("什么是RNN") == question_id(" 什么是 rnn？") == question_id(["什么是RNN"])
    True
    >>> question_id(["AlexNet", "模型结构"]) == question_id(["VGG", "模型结构"])
    False
    """
    parts = [title] if isinstance(title, str) else list(title)
    key = "\x1f".join(title_key(part) for part in parts)
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=5)
    return "q" + digest.hexdigest()


def text_similarity(a: str, b: str) -> float:
    """How alike two answers are, 0..1: InDel ratio over their title keys (case, width,
    whitespace and punctuation ignored).

    >>> text_similarity("梯度消失：ReLU 缓解。", "梯度消失:relu缓解")
    1.0
    >>> text_similarity("甲乙", "丙丁")
    0.0
    """
    ka, kb = title_key(a), title_key(b)
    if ka == kb:
        return 1.0
    return fuzz.ratio(ka, kb) / 100


def same_text(a: str, b: str) -> tuple[bool, float]:
    """Whether two answers are one text (the same question shipped twice), and how alike.

    Near-identical: text_similarity >= SAME_TEXT, and for short texts (SHORT_TEXT) equal keys,
    since one changed character in a short answer can change what it says.

    >>> same_text("梯度消失：ReLU 缓解。", "梯度消失:relu缓解")
    (True, 1.0)
    >>> same_text("学习率取0.1。", "学习率取0.01。")[0]
    False
    """
    score = text_similarity(a, b)
    short = min(len(title_key(a)), len(title_key(b))) < SHORT_TEXT
    return score == 1.0 or (score >= SAME_TEXT and not short), score


@dataclass
class Group:
    """Records that are one question: its id and every record (the first one leads)."""

    id: str
    records: list[RawQuestion]
    similarity: float = 1.0  # the lowest similarity of a merged record to the first


def _text(q: RawQuestion) -> str:
    return q.answer + "\n" + q.analysis


def group_questions(records: Iterable[RawQuestion]) -> list[Group]:
    """Records grouped into questions, in reading order of their first record.

    Records with the same title path are one question when their answer and analysis are
    near-identical (same_text: the same question shipped twice). Otherwise
    they stay apart, and then every one of them takes its file name and line into its id.

    >>> a = RawQuestion("模型结构", "五层卷积。", "", "a.md", 3, path=("AlexNet", "模型结构"))
    >>> b = RawQuestion("模型结构", "十六层卷积。", "", "a.md", 9, path=("AlexNet", "模型结构"))
    >>> c = RawQuestion("模型结构", "五层 卷积", "", "b.md", 3, path=("AlexNet", "模型结构"))
    >>> plain = question_id(["AlexNet", "模型结构"])
    >>> [(len(g.records), g.id == plain) for g in group_questions([a, b, c])]
    [(2, False), (1, False)]
    """
    by_path: dict[str, list[list[RawQuestion]]] = {}
    order: list[tuple[str, int]] = []
    lowest: dict[tuple[str, int], float] = {}
    for q in records:
        pid = question_id(q.id_path)
        clusters = by_path.setdefault(pid, [])
        best, score = None, 0.0
        for k, cluster in enumerate(clusters):
            same, s = same_text(_text(cluster[0]), _text(q))
            if same and s > score:
                best, score = k, s
        if best is None:
            clusters.append([q])
            order.append((pid, len(clusters) - 1))
        else:
            clusters[best].append(q)
            key = (pid, best)
            lowest[key] = min(lowest.get(key, 1.0), score)
    groups: list[Group] = []
    for pid, k in order:
        clusters = by_path[pid]
        first = clusters[k][0]
        qid = pid if len(clusters) == 1 else _apart_id(first, pid, clusters)
        groups.append(Group(qid, clusters[k], lowest.get((pid, k), 1.0)))
    return groups


def _apart_id(first: RawQuestion, pid: str, clusters: list[list[RawQuestion]]) -> str:
    """The id of one of several different questions sharing a title path: file name and line
    join the path (the whole file path when two files share a name)."""
    name = os.path.basename(first.file)
    clash = any(os.path.basename(c[0].file) == name and c[0].file != first.file for c in clusters)
    where = first.file if clash else name
    return question_id([*first.id_path, where, str(first.line)])


def decode(data: bytes, name: str) -> str:
    """Bytes of a bank as text: UTF-8 (BOM too), UTF-16/32 with BOM, GB18030, then detection."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                break
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"{name}: 这是二进制文件（{kind}），不是文本题库")
    if b"\x00" in data:
        raise InputError(f"{name}: 含有 NUL 字节：是二进制文件，或是没有 BOM 的 UTF-16 文本")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        failures = [e]
    try:
        guess: str | None = data.decode("gb18030")
    except UnicodeDecodeError as e:
        failures.append(e)
        guess = None
    # Big5 and other CJK bytes often pass GB18030's check, coming out as private-use code
    # points no real bank holds: then detection has a go first
    if guess is not None and not _PRIVATE_USE.search(guess):
        return guess
    import charset_normalizer  # only for text neither UTF-8 nor GB18030 (10 ms to import)

    best = charset_normalizer.from_bytes(data).best()
    if best is not None:
        return str(best)
    if guess is not None:
        return guess
    raise _undecodable(data, name, max(failures, key=lambda e: e.start))


def _undecodable(data: bytes, name: str, error: UnicodeDecodeError) -> InputError:
    """The error for bytes no encoding reads, at the line where the likeliest one stopped."""
    line = data.count(b"\n", 0, error.start) + 1
    encoding = {"utf-8": "UTF-8", "gb18030": "GB18030"}.get(error.encoding, error.encoding)
    return InputError(
        f"{name}:{line}: 无法识别文件编码（按 {encoding} 读到第 {line} 行遇到无效字节 "
        f"0x{data[error.start]:02x}；也试过 UTF-16 和自动检测）"
    )


def read_text(text: str, name: str, fmt: str | None = None) -> ReadResult:
    """Questions in a bank's text; fmt is one of FORMATS, from the name's suffix when None."""
    if fmt is None:
        fmt = _SUFFIX_FORMAT.get(Path(name).suffix.lower())
        if fmt is None:
            raise InputError(f"{name}: 不支持的文件类型（支持 {', '.join(SUPPORTED_SUFFIXES)}）")
    if fmt not in FORMATS:
        raise InputError(f"{name}: 未知格式 {fmt!r}（可选 {', '.join(FORMATS)}）")
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(INVISIBLE)
    result = FORMATS[fmt](text, name)
    if (not result.questions or result.guessed) and fmt in _FALLBACK:
        other = FORMATS[_FALLBACK[fmt]](text, name)
        # a file read as nothing but a README (project notes, links) stays so
        if other.questions and not other.guessed and (
            result.guessed or _explained(other) > _explained(result)
        ):
            result = other
    result.files = [account(text, name, result)]
    return result


def _explained(result: ReadResult) -> int:
    """How many lines a reading explains: held by questions, or skipped for what they are
    (markup, references, project notes), not as a file's mere introduction."""
    held = sum(len(q.lines) for q in result.questions)
    vague = {"文件简介", "题目列表（没有答案）"}
    return held + sum(1 for _, r in result.skipped if r in EXPLAINED_REASONS and r not in vague)


def read_file(path: str | Path) -> ReadResult:
    """Questions of one bank file; InputError (one line naming the file) when it is unusable."""
    result = _load(path)
    if not result.questions:
        raise InputError(_nothing_found(result, str(path)))
    return result


def _nothing_found(result: ReadResult, name: str) -> str:
    skipped = result.files[0].skipped if result.files else []
    if not result.warnings and skipped:
        reasons: dict[str, int] = {}  # a README, a list of links, an image: say what they were
        for _, reason in skipped:
            reasons[reason] = reasons.get(reason, 0) + 1
        top = sorted(reasons.items(), key=lambda x: -x[1])[:4]
        why = "、".join(f"{r} {n} 行" for r, n in top)
        return f"{name}: 没有找到可识别的问题（跳过的行：{why}）"
    first = _example(result.warnings, name)
    return f"{name}: 没有找到可识别的问题（{len(result.warnings)} 条警告{first}）"


def _load(path: str | Path) -> ReadResult:
    """One bank file read, with its FileReport even when it holds no question."""
    name = str(path)
    target = Path(path)
    if not target.exists():
        raise InputError(f"{name}: 文件不存在")
    if target.is_dir():
        raise InputError(f"{name}: 是目录，不是文件")
    if target.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise InputError(f"{name}: 不支持的文件类型（支持 {', '.join(SUPPORTED_SUFFIXES)}）")
    try:
        data = target.read_bytes()
    except OSError as e:
        raise InputError(f"{name}: 无法读取（{e.strerror or type(e).__name__}）") from e
    text = decode(data, name)
    if not text.strip():
        raise InputError(f"{name}: 文件是空的")
    return read_text(text, name)


def _example(warnings: list[str], name: str) -> str:
    """The first warning for a message about file `name`: its line and text, not the path again.

    >>> _example(["a.txt:4: 问题「什么是RNN」没有答案，已跳过"], "a.txt")
    '，例如第 4 行：问题「什么是RNN」没有答案，已跳过'
    """
    if not warnings:
        return ""
    first = warnings[0]
    line, _, message = first.removeprefix(f"{name}:").partition(": ")
    if first.startswith(f"{name}:") and line.isdigit():
        return f"，例如第 {line} 行：{shorten(message, 60)}"
    return f"，例如 {shorten(first, 80)}"


def read_paths(paths: Iterable[str | Path]) -> ReadResult:
    """Questions of files and directories (expanded, sorted, supported suffixes only).

    A bad file is a warning while another file yields questions; InputError when nothing does.
    """
    questions: list[RawQuestion] = []
    warnings: list[str] = []
    errors: list[str] = []
    failed: list[str] = []
    reports: list[FileReport] = []
    seen: set[str] = set()
    for given in paths:
        try:
            files = _expand(given)
        except InputError as e:
            errors.append(str(e))
            failed.append(str(given))
            continue
        for file in files:
            key = os.path.realpath(file)
            if key in seen:
                continue
            seen.add(key)
            try:
                result = read_file(file)
            except InputError as e:
                errors.append(str(e))
                failed.append(str(file))
                reports += _report_of_unread(file)
                continue
            questions += result.questions
            warnings += result.warnings
            reports += result.files
    if not questions:
        if not errors:
            raise InputError("没有给出要读取的文件或目录")
        more = f"（另有 {len(errors) - 1} 个文件也无法使用）" if len(errors) > 1 else ""
        raise InputError(errors[0] + more)
    return ReadResult(questions, errors + warnings, failed, files=reports)


def _report_of_unread(file: Path) -> list[FileReport]:
    """The FileReport of a file read_file refused: every line skipped when it could be decoded
    but held no question; nothing when it could not be read at all."""
    try:
        result = _load(file)
    except InputError:
        return []
    report = result.files[0]
    held = {n for q in result.questions for n in q.lines}
    report.skipped = sorted(report.skipped + [(n, "文件里没有可识别的问题") for n in held])
    report.kept, report.questions = 0, 0
    return [report]


def _expand(given: str | Path) -> list[Path]:
    path = Path(given)
    if not path.exists():
        raise InputError(f"{given}: 文件或目录不存在")
    if not path.is_dir():
        return [path]
    files = sorted(
        p
        for p in path.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUPPORTED_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(path).parts)
    )
    if not files:
        raise InputError(f"{given}: 目录里没有支持的题库文件（{', '.join(SUPPORTED_SUFFIXES)}）")
    return files
