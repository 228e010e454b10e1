"""Question banks in, RawQuestion records out: formats, encodings, stable ids, file:line.

Formats by suffix: .txt is the user's sample format (bullets, 参考回答:, 解析:), falling back to
Markdown; .md/.markdown is Markdown, falling back to the sample format; .json, .jsonl, .csv are
records (see ingest/read_records.py). Every unusable input is an InputError naming the file, every
skipped question a "file:line: message" warning.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import charset_normalizer
from zhitu.graph.errors import InputError
from zhitu.ingest.read_common import INVISIBLE, RawQuestion, ReadResult, shorten
from zhitu.ingest.read_markdown import read_markdown
from zhitu.ingest.read_records import read_csv, read_json, read_jsonl
from zhitu.ingest.read_sample import read_sample, write_sample
from zhitu.text.normalize import title_key

__all__ = [
    "SUPPORTED_SUFFIXES",
    "RawQuestion",
    "ReadResult",
    "decode",
    "question_id",
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


def question_id(title: str) -> str:
    """A stable id from the normalized title: the same question in two files gets one id.

    >>> question_id("什么是RNN") == question_id(" 什么是 rnn？")
    True
    """
    digest = hashlib.blake2b(title_key(title).encode("utf-8", "surrogatepass"), digest_size=5)
    return "q" + digest.hexdigest()


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
    if not result.questions and fmt in _FALLBACK:
        other = FORMATS[_FALLBACK[fmt]](text, name)
        if other.questions:
            return other
    return result


def read_file(path: str | Path) -> ReadResult:
    """Questions of one bank file; InputError (one line naming the file) when it is unusable."""
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
    result = read_text(text, name)
    if not result.questions:
        first = _example(result.warnings, name)
        raise InputError(f"{name}: 没有找到可识别的问题（{len(result.warnings)} 条警告{first}）")
    return result


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
                continue
            questions += result.questions
            warnings += result.warnings
    if not questions:
        if not errors:
            raise InputError("没有给出要读取的文件或目录")
        more = f"（另有 {len(errors) - 1} 个文件也无法使用）" if len(errors) > 1 else ""
        raise InputError(errors[0] + more)
    return ReadResult(questions, errors + warnings, failed)


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
