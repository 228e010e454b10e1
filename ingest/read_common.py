"""Records and text helpers shared by the bank readers (sample text, Markdown, JSON/JSONL/CSV).

Every reader yields RawQuestion records, "file:line: message" warnings and the lines it skipped
(with a reason); the helpers here clean titles, recognise answer/analysis markers and join lines
that a copy-paste broke. `account` turns one file's records and skipped lines into its FileReport:
every non-blank line of a file is in exactly one question (`RawQuestion.lines`) or skipped.
"""

from __future__ import annotations

import html
import re
import unicodedata
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
    r"|\d{1,3}(?:-\d{1,3})+(?=\s)"  # 2-1-3 (an id before a question)
    r"|\d{1,4}\s*[.．、)）:：]"  # 1. / 1、 / 1)
    r"|[(（]\s*[\d一二三四五六七八九十]{1,4}\s*[)）]"  # (1) / （一）
    r"|[一二三四五六七八九十]{1,4}\s*[、.．]"  # 一、
    r"|第\s*[\d一二三四五六七八九十百]{1,4}\s*[章节篇部](?=\s))"  # 第三章
    r"\s*"
)
_LIST_ITEM = re.compile(r"(?:\d{1,4}[.、．)）]|[-*+]\s|[" + BULLETS + "])")
_SPACES = re.compile(r"\s+")
# Markdown exports (Notion, Feishu, Typora) escape punctuation and write spaces as &#x20;
_ESCAPED = re.compile(r"\\([_*#|~<>!.`])")
_ESCAPED_BRACKET = re.compile(r"\\([\[\]])")
_RADICALS = re.compile("[\u2e80-\u2fdf]")  # Kangxi radicals standing in for ideographs: ⼀ for 一
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
    # the title path the id is made from (ancestors that make the title clear, then its own
    # title); empty means (title,): see docs/READING.md
    path: tuple[str, ...] = ()
    lines: list[int] = field(default_factory=list)  # the file's lines this question holds

    @property
    def id_path(self) -> tuple[str, ...]:
        return self.path or (self.title,)


Skipped = tuple[int, str]  # (1-based line, reason)

# reasons for lines that hold no text of their own (markup, structure): skipping them loses nothing
MARKUP_REASONS = frozenset(
    {"图片", "HTML 标签", "分隔线", "注释", "目录", "文件头信息", "章节标题", "标题下划线",
     "JSON 结构", "CSV 表头", "空行标记", "空标题"}
)
# reasons for text skipped on purpose because it is no question (a reference list, thanks)
DELIBERATE_REASONS = frozenset({"参考文献", "致谢", "链接列表", "项目说明", "推广", "文件简介",
                                "题目列表（没有答案）", "符号说明"})
# reasons each of which already has its own warning (a question without an answer or a title)
WARNED_REASONS = frozenset({"没有答案", "缺少问题标题", "TODO 占位", "不是问题对象",
                            "不是合法的 JSON 行"})
UNCLAIMED = "未归入任何问题"  # a line no reader rule claimed: a reader bug, reported not hidden
LOSS_WARN = 0.05  # a file losing more than this share of its lines gets a warning naming them
LOSS_MIN = 3  # ... and at least this many


@dataclass
class FileReport:
    """How one file was read: questions, non-blank lines kept in questions, lines skipped."""

    file: str
    questions: int = 0
    lines: int = 0  # non-blank lines in the file
    kept: int = 0
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def lost(self) -> list[Skipped]:
        """Skipped lines that held text (not markup, structure or references) and have no
        warning yet."""
        quiet = MARKUP_REASONS | WARNED_REASONS | DELIBERATE_REASONS
        return [s for s in self.skipped if s[1] not in quiet]

    def to_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "questions": self.questions,
            "lines": self.lines,
            "lines_kept": self.kept,
            "lines_skipped": len(self.skipped),
            "skipped": [{"line": n, "reason": r} for n, r in self.skipped],
        }


@dataclass
class ReadResult:
    questions: list[RawQuestion]
    warnings: list[str]  # "file:line: message"
    # files (and given paths) that could not be read at all, as named in `warnings`: their
    # questions already in a graph must stay there, not be replaced by nothing
    failed: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)  # a single file's skipped lines
    files: list[FileReport] = field(default_factory=list)
    guessed: bool = False  # the only question is titled with the file's name (no structure)


def account(text: str, name: str, result: ReadResult) -> FileReport:
    """The FileReport of one file's ReadResult (text has "\\n" line ends).

    Question lines are narrowed to the file's non-blank lines; a non-blank line neither held by
    a question nor skipped is skipped as UNCLAIMED. A warning names the lines when more than
    LOSS_WARN of the file's lines (and LOSS_MIN or more) held text and were skipped without a
    warning of their own.

    >>> q = RawQuestion("t", "a", "", "f", 1, lines=[1, 2, 3])
    >>> r = ReadResult([q], [], skipped=[(4, "注释")])
    >>> report = account("t\\na\\n\\n<!-- -->\\nx", "f", r)
    >>> report.kept, report.skipped, r.questions[0].lines
    (2, [(4, '注释'), (5, '未归入任何问题')], [1, 2])
    """
    content = {n for n, line in enumerate(text.split("\n"), 1) if line.strip()}
    held: set[int] = set()
    for q in result.questions:
        q.lines = sorted(n for n in set(q.lines) if n in content)
        held.update(q.lines)
    skipped = {n: reason for n, reason in result.skipped if n in content and n not in held}
    for n in sorted(content - held - set(skipped)):
        skipped[n] = UNCLAIMED
    report = FileReport(name, len(result.questions), len(content), len(held),
                        sorted(skipped.items()))
    lost = report.lost
    if len(lost) >= LOSS_MIN and len(lost) > LOSS_WARN * len(content):
        reasons: dict[str, int] = {}
        for _, reason in lost:
            reasons[reason] = reasons.get(reason, 0) + 1
        why = "、".join(f"{r} {n} 行" for r, n in sorted(reasons.items(), key=lambda x: -x[1]))
        share = 100 * len(lost) / len(content)
        where = line_ranges([n for n, _ in lost])
        result.warnings.append(f"{name}:{lost[0][0]}: 跳过了 {len(lost)}/{len(content)} 行内容"
                               f"（{share:.0f}%；{why}）：第 {where} 行")
    return report


def line_ranges(numbers: list[int], limit: int = 12) -> str:
    """Line numbers as short ranges.

    >>> line_ranges([1, 2, 3, 7, 9, 10])
    '1-3、7、9-10'
    """
    spans: list[list[int]] = []
    for n in sorted(numbers):
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    shown = [f"{a}-{b}" if b > a else str(a) for a, b in spans[:limit]]
    return "、".join(shown) + ("……" if len(spans) > limit else "")


def clean_title(text: str) -> str:
    """A question title without bullet, numbering, Q/问题 prefix, emphasis or extra spaces.

    >>> clean_title("### 3.6.8 什么是批归一化（Batch Normalization）")
    '什么是批归一化（Batch Normalization）'
    >>> clean_title("● 问题:神经网络中权重共享的是?")
    '神经网络中权重共享的是?'
    >>> clean_title("**Q1：什么是 `dropout`？**")
    '什么是 dropout？'
    >>> clean_title("2-1-3 如何做数据清洗？"), clean_title("第三章 深度学习基础")
    ('如何做数据清洗？', '深度学习基础')
    >>> clean_title("PyTorch中__call__和forward的区别，x**2 的导数")
    'PyTorch中__call__和forward的区别，x**2 的导数'
    """
    text = _SPACES.sub(" ", _export_noise(text)).strip().lstrip("#").strip()
    text = _UNDERSCORE_BOLD.sub(r"\1", _STAR_BOLD.sub(r"\1", text)).replace("`", "")
    text = _EDGE_EMPH.sub("", text).strip()  # an emphasis closed on another line
    text = text.lstrip(BULLETS + " ")
    for _ in range(2):  # "1. 问题：..." carries two prefixes
        match = _NUMBERING.match(text)
        if match is None or match.end() == len(text):
            break
        text = text[match.end() :]
    return text.strip()


def _export_noise(text: str) -> str:
    """Undo what Markdown exporters add to a heading: character references, backslash escapes
    (not a \\[ … \\] formula) and radicals for ideographs.

    >>> _export_noise("MHA\\\\_MQA &#x20;"), _export_noise("加一个\\\\[CLS]标志")
    ('MHA_MQA  ', '加一个[CLS]标志')
    >>> _export_noise("第⼀步")
    '第一步'
    """
    if "&" in text:
        text = html.unescape(text)
    if "\\" in text:
        text = _ESCAPED.sub(r"\1", text)
        if not ("\\[" in text and "\\]" in text):
            text = _ESCAPED_BRACKET.sub(r"\1", text)
    return _RADICALS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


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
    lines: list[int] | None = None,
    skipped: list[Skipped] | None = None,
    path: tuple[str, ...] = (),
    no_answer: str = "",
) -> RawQuestion | None:
    """A RawQuestion, or None with a warning when the title or the answer is missing.

    `lines` are the file lines the question is made of; when it is skipped they go to `skipped`
    with the reason. `no_answer` replaces the warning's reason (e.g. a TODO placeholder).
    """
    file, line = where
    title = clean_title(title)
    answer, analysis = answer.strip(), analysis.strip()
    held = list(lines) if lines is not None else [line]
    if not title:
        warnings.append(f"{file}:{line}: 缺少问题标题，已跳过")
        if skipped is not None:
            skipped += [(n, "缺少问题标题") for n in held]
        return None
    if not answer:
        reason = no_answer or "没有答案"
        warnings.append(f"{file}:{line}: 问题「{shorten(title)}」{reason}，已跳过")
        if skipped is not None:
            skipped += [(n, reason) for n in held]
        return None
    return RawQuestion(title, answer, analysis, file, line, topic, list(tags or []), path, held)


def shorten(text: str, limit: int = 30) -> str:
    """The start of a text for a one-line message.

    >>> shorten("abcdef", 3)
    'abc…'
    """
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= limit else text[:limit] + "…"
