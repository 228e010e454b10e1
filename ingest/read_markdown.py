"""Markdown banks as public repositories write them: headings are a tree.

- A heading with text is a question; its text runs to the next heading. Text under a heading
  before its first sub-heading belongs to that heading's question (a section's overview). A
  heading without text of its own answered by the 总结/引言 it holds is read from that line.
- Under a question heading ("为什么需要激活函数？"), a sub-heading that is not a question with a
  subject of its own (权值共享, 区别, 代码) is part of the answer: its title stays as a line of it.
- A generic title (模型结构, 实验结果, 区别 …: read_titles.is_generic) is shown and identified
  with its parent's: "AlexNet · 模型结构" (path ("AlexNet", "模型结构")); a generic title at the
  top takes the file's name. Other titles stand alone (path (title,)), so their ids do not move.
- An aspect (动机, 代码实现, 模型结构 …: read_titles.is_aspect) under a parent that asks or has
  text of its own joins the parent's answer; under a topic without text it is "父 · 模型结构".
- 参考文献/References/Papers, 目录, 致谢, 附录, 项目说明, 推广 sections are skipped with their
  sub-sections, a TODO heading alone; 小结/总结, 前言 and 符号说明 text joins its parent's question.
- The first heading of a file that names a chapter or a collection (第五章 …, …面试题汇总) is
  the file's introduction (文件简介), not a question.
- Lists of links (a **参考资料** label and the links after it, text that is mostly links) are
  skipped (参考文献 / 链接列表); links inside a real answer stay. Quote lines that open a
  section and name its source or its authors (`> 《某书》 7.12 …`, `> 作者：…`) are no text of it.
- A stub is no answer: placeholders, a line repeating the title, "参见 …", an empty table.
  Nor is a plan: a heading's short text that only says what its sub-sections will do ("先…。
  然后再看…"), or a 总结 that only retells what the article did (文件简介).
- Inside the text of a heading that is not itself a question (or before any heading), a line
  that is a question by its form starts a question: a bold question (`**Q1：…？**`), a 问题:/Q1:
  line, a task item (`- [ ] 1-1 …？`), or a numbered question followed by an 答: line or an
  indented answer. Bold, numbered and list lines inside a question's answer stay in it.
- A file without headings whose text is not a list of such questions answers the question its
  file name asks ("harris角点.md"); a README takes its folder's name.
- Every non-blank line is held by one question or skipped with a reason (images, HTML tags,
  comments, rules, TOC, front matter, placeholders, section headings): see read_common.account.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from zhitu.ingest.read_common import (
    RawQuestion,
    ReadResult,
    Skipped,
    clean_title,
    join_lines,
    make_question,
    match_marker,
    shorten,
)
from zhitu.ingest.read_titles import (
    ADVERT,
    DATED,
    FILE_INTRO,
    INTRO,
    LINKS,
    NOTATION,
    PROJECT,
    QUESTION_LIST,
    REFERENCES,
    SEPARATOR,
    SOURCE,
    SUMMARY,
    TOC,
    TODO,
    TODO_TAIL,
    asks,
    context_name,
    is_aspect,
    is_collection,
    is_generic,
    is_todo,
    non_question,
)

_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]+|(?=[^\x00-\x7f])|$)")
_SETEXT = re.compile(r" {0,3}(=+|-+)[ \t]*")
_PREFIXED = re.compile(r"(?:问题|Q|q|问)\s*(?:\d{1,4}\s*)?[:：.、]")
_LIST_MARK = re.compile(r"(?:[-+*]\s+)?(\[[ xX]\]\s*)?")
_ITEM_ID = re.compile(r"\d{1,3}(?:-\d{1,3})+\s")  # 1-1 / 3-1-2: a numbered question's id
_NUMBERED = re.compile(r"\d{1,4}[.、．)）]\s*\S")
_TASK = re.compile(r"\s*[-*+]\s+\[[ xX]\]\s")
_LABEL = re.compile(r"(\*\*|__)[^*_]{1,40}\1")
_TOC_LINE = re.compile(
    r"\s*(?:[-*+]\s+(\[[ xX]\]\s+)?|\d{1,4}[.)]\s+)?\[[^\]\n]{0,300}\]"
    r"\((?:#[^)\s]{0,500}|[^)\s]{0,500}\.md(?:#[^)\s]{0,300})?)\)\s*"
)
_TOC_MARKS = {"[toc]", "[[toc]]", "[[_toc_]]", "{:toc}", "@[toc]"}
_IMAGE = re.compile(r"!\[[^\]\n]{0,300}\]\([^)\n]{0,1000}\)")
_LINKED_IMAGE = re.compile(r"\[\s*!\[[^\]\n]{0,300}\]\([^)\n]{0,1000}\)\s*\]\([^)\n]{0,1000}\)")
_LINK = re.compile(r"\[([^\]\n]{0,300})\]\([^)\n]{0,1000}\)")
_HTML_TAG = re.compile(
    r"</?(?:a|br|img|details|summary|div|p|span|center|font|sup|sub|strong|em|b|i|u|hr|kbd)"
    r"\b[^<>\n]{0,1000}>",
    re.IGNORECASE,
)
_SUBTREE = ("参考文献", "目录", "致谢", "附录", PROJECT, ADVERT, DATED)
_JOINS_PARENT = (SUMMARY, INTRO, NOTATION)  # their text joins the section they belong to
# a link, a bare URL, or a citation ("[3] He K, et al. Deep residual learning … CVPR 2016")
_URL = re.compile(r"<?(?:https?://|www\.)[^\s<>()（）]{1,1000}>?")
_LINK_ANY = re.compile(  # a link (its target may hold one level of brackets) or a definition
    r"!?\[[^\]\n]{0,300}\]\((?:[^()\n]|\([^()\n]{0,200}\)){0,1000}\)|\[[^\]\n]{1,40}\]:")
_CITATION = re.compile(
    r"\s*(?:[-*+]\s+)?(?:\[\d{1,3}\]|\d{1,3}[.、)）]|[(（]\d{1,3}[)）])\s*\S.{0,400}?"
    r"(?:\[[JCMDAR]\]|arxiv|et\s*al|proceedings|\bdoi\b|ieee|cvpr|iccv|eccv|neurips|nips"
    r"|iclr|icml|aaai)",
    re.IGNORECASE,
)
_LIST_ITEM = re.compile(r"\s*(?:[-*+]\s+|\d{1,3}[.、)）]\s*)")
_BARE_MARK = re.compile(r"[\s>]*(?:[-*+]|\d{1,3}[.、)）])?[\s>]*")
_PICTURE_LABEL = re.compile(r"\s*(?:[-*+>]\s*|\d{1,3}[.、)）]\s*)*[^。，,；;！!？?]{1,20}[:：=]\s*")
_PICTURE = re.compile(r"!\[|<img\b", re.IGNORECASE)
_TABLE_RULE = re.compile(r"\s*\|?(?:\s*:?-{2,}:?\s*\|)+\s*(?::?-{2,}:?\s*)?")
# a label and a URL: "浅谈多任务学习： https://example.com/p/1"
_LABELLED_URL = re.compile(r"\s*(?:[-*+]\s+)?[^。，,；;！!？?]{1,40}[:：]\s*<?(?:https?://|www\.)\S+\s*")
# in a quote: a book section ("《深度学习》 7.12 Dropout") or reference numbers ("[49, 52]")
_BOOK_SECTION = re.compile(r"《[^》]{1,40}》\s*第?\s*\d{1,3}(?:\.\d{1,3})*[^。！？?]{0,80}")
_PATH = re.compile(r"[\w.\-]+(?:/[\w.\-]*)+")  # "owner/repo/docs/": the path of a link
_HAN = re.compile(r"[\u4e00-\u9fff]")
# in a quote: the work a section comes from ("出自2016年的论文《…》")
_FROM = re.compile(r"(?:出自|摘自|选自|引自|节选自|转载自|来源于)[^。！？?]{0,60}"
                   r"(?:《[^》]{1,80}》|论文|paper)[^。！？?]{0,20}", re.IGNORECASE)
_CITED = re.compile(r"\[\s*\d{1,3}(?:\s*[,，\-–]\s*\d{1,3})*\s*\]")
# in a quote: who wrote it ("作者：…", "贡献者：…", "【注：…】")
_CREDIT = re.compile(r"[【\[(（]?\s*(?:作者|贡献者|译者|编者|整理|整理者|编辑|校对|原作者|注|备注"
                     r"|author|authors|contributors?)\s*[:：]", re.IGNORECASE)
# a line naming where an article came from (after links are reduced to their text)
_SOURCE_LINE = re.compile(
    r"\s*(?:[*_]{2})?(?:原文链接|原文地址|原文|文章来源|来源|转载自|阅读原文)(?:[*_]{2})?\s*"
    r"(?:[:：]\s*\S*)?\s*(?:https?://\S*)?\s*"
)  # reasons that skip a heading's sub-sections too


@dataclass
class _Line:
    number: int
    text: str
    code: bool = False
    drop: str = ""  # why a non-blank line holds nothing for an answer
    link: bool = False  # a task item that was a link (`- [ ] [1-1 …](#1-1)`)
    links: bool = False  # the line is a link, a URL or a citation with hardly a word besides
    linked: bool = False  # the line holds a link or a URL
    source: str = ""  # a quote line naming a source (参考文献) or the authors (项目说明)


@dataclass
class _Heading:
    level: int
    title: str
    number: int
    body: list[_Line]
    raw: str = ""  # the title as written, numbering kept
    parent: int | None = None
    owner: int | None = None  # the heading whose question holds this one's text
    skip: str = ""
    parts: list[_Line] = field(default_factory=list)  # folded sub-sections, title lines first


def read_markdown(text: str, name: str) -> ReadResult:
    """Questions of a Markdown bank (text has "\\n" line ends)."""
    lines = _prepare(text.split("\n"))
    skipped: list[Skipped] = [(x.number, x.drop) for x in lines if x.drop]
    preamble, heads = _split_headings(lines)
    for body in [preamble] + [h.body for h in heads]:
        skipped += _drop_link_lists(body)
    reader = _Reader(name, heads, skipped)
    reason = "在第一个标题之前" if heads else "不属于任何问题"
    reader.body_questions(preamble, None, reason)
    reader.tree()
    reader.file_question()
    guessed = reader.named and len(reader.questions) == 1
    return ReadResult(reader.questions, reader.warnings, skipped=skipped, guessed=guessed)


class _Reader:
    def __init__(self, name: str, heads: list[_Heading], skipped: list[Skipped]) -> None:
        self.name = name
        self.heads = heads
        self.skipped = skipped
        self.questions: list[RawQuestion] = []
        self.warnings: list[str] = []
        self.document = _document_title(heads)
        self.title_head = _title_heading(heads)
        self.file_intro = self.title_head is not None and _introduces_file(heads[self.title_head])
        self.named = False  # a question was titled with the file's name
        self.file_parts: list[tuple[_Line, str]] = []  # text outside every section

    def tree(self) -> None:
        heads = self.heads
        for k, (head, after) in enumerate(zip(heads, heads[1:], strict=False)):
            if after.level > head.level:  # a heading over sub-sections: its epigraph is no answer
                self.skipped += _drop_epigraph(head.body)
                # nor is a plan of them ("先介绍…，然后再看…"), unless it introduces the file
                if not asks(head.title) and not (k == self.title_head and self.file_intro):
                    self.skipped += _drop_plan(head.body)
        stack: list[int] = []
        for i, head in enumerate(heads):
            while stack and heads[stack[-1]].level >= head.level:
                stack.pop()
            # TODO and 原文链接 headings are transparent: their sub-sections hang under the parent
            head.parent = next(
                (p for p in reversed(stack) if heads[p].skip not in (TODO, SOURCE)), None)
            stack.append(i)
            self._place(i)
        for i, head in enumerate(heads):
            if head.skip == "小结（不属于任何章节）":
                continue  # in file_parts
            if head.skip == SOURCE:  # the heading is a link; its text is read as loose text
                self.skipped.append((head.number, REFERENCES))
                self.body_questions(head.body, self.topic(i), "在第一个标题之前")
            elif head.skip:
                self._skip(head, head.skip)
            elif head.owner == i:
                self._emit(i)

    def _place(self, i: int) -> None:
        """Decide where heading i's text goes: its own question, an ancestor's, or skipped."""
        head = self.heads[i]
        parent = None if head.parent is None else self.heads[head.parent]
        if parent is not None and parent.skip in _SUBTREE:
            if not asks(head.title):
                head.skip = parent.skip
                return
            # a question under 参考文献 is still a question: it hangs under the section's parent
            head.parent = parent.parent
            parent = None if head.parent is None else self.heads[head.parent]
        reason = non_question(head.title)
        if reason in _JOINS_PARENT:
            head.owner = None if parent is None else parent.owner
            if (reason == INTRO and _about_document(head.body)) or _plan(head.body):
                # "本文先介绍…"; a 总结 that only retells what the article did
                head.skip = FILE_INTRO
            elif head.owner is None and reason == SUMMARY:  # a summary of the whole file
                head.skip = "小结（不属于任何章节）"
                lines = [_Line(head.number, head.title)] + head.body
                self.file_parts += [(x, head.skip) for x in lines if x.text.strip() and not x.drop]
            elif head.owner is None:
                head.skip = FILE_INTRO if reason == INTRO else reason
            else:
                self._fold(i)
            return
        if reason:
            head.skip = reason
            return
        owner = None if parent is None else parent.owner
        if owner is not None and not asks(head.title) and (
            asks(self.heads[owner].title)
            or (is_aspect(head.title) and self._has_text(head.parent))  # type: ignore[arg-type]
        ):
            head.owner = owner
            self._fold(i)
        else:
            head.owner = i

    def _has_text(self, i: int) -> bool:
        """Heading i has text of its own that makes a question (not a file's introduction)."""
        if i == self.title_head and self.file_intro:
            return False
        return any(x.code or (x.text.strip() and not x.drop and not is_todo(x.text))
                   for x in self.heads[i].body)

    def _fold(self, i: int) -> None:
        head = self.heads[i]
        owner = self.heads[head.owner]  # type: ignore[index]
        owner.parts += [_Line(head.number, head.title)] + head.body

    def _skip(self, head: _Heading, reason: str) -> None:
        self.skipped.append((head.number, reason))
        self.skipped += [(x.number, reason) for x in head.body if not x.drop]

    def path(self, i: int) -> tuple[str, ...]:
        """The title path of heading i: its title, after its parent's when it is generic."""
        head = self.heads[i]
        title = head.title.rstrip("：: ") if is_generic(head.title) else head.title
        if not is_generic(head.title):
            return (title,)
        if head.parent is not None:
            return (*self.path(head.parent), title)
        context = context_name(self.name)
        return (context, title) if context and context != title else (title,)

    def topic(self, i: int) -> str:
        titles = []
        p = self.heads[i].parent
        while p is not None:
            if p != self.document and self.heads[p].title:
                titles.append(self.heads[p].title)
            p = self.heads[p].parent
        return " / ".join(reversed(titles))

    def _emit(self, i: int) -> None:
        head = self.heads[i]
        body = head.body
        if _toc_body(body):
            self.skipped += [(x.number, "目录") for x in body if x.text.strip() and not x.drop]
            body = []
        intro = body
        has_children = any(h.parent == i for h in self.heads)
        if not asks(head.title):
            starts = _question_starts(body)
            if starts:
                intro = body[: starts[0][0]]
                topic = " / ".join(t for t in (self.topic(i), self._own_topic(i)) if t)
                # "纸牌问题" whose text is one question ("问题：…？") and its answer: the
                # question's source is the heading
                alone = len(starts) == 1 and not head.parts and not has_children
                heading = head.number if alone and not _content(intro) else None
                self._inner(body, starts, topic, self.path(i), heading)
                if heading is not None:
                    return
        # a heading with no text of its own, answered by the 总结/引言 it holds: the question
        # is read from that section, so that is where its source points
        joined = (head.parts[0].number if head.parts and not _content(intro)
                  and not asks(head.title) else None)
        intro = intro + head.parts
        content = _content(intro)
        if i == self.title_head and self.file_intro and content:
            listed = sum(1 for x in content if not x.code and _LIST_ITEM.match(x.text))
            reason = QUESTION_LIST if listed * 5 >= len(content) * 3 else FILE_INTRO
            self.skipped += [(head.number, reason)] + [(x.number, reason) for x in content]
            return
        todo = [x for x in content if not x.code and is_todo(x.text)]
        if all(not x.code and (x in todo or _restates(x.text, head.title)
                               or _POINTER.fullmatch(x.text)) for x in content):
            todo = list(content)  # "- 可分离卷积（…）" and "- TODO"; "参见第14章"
        self.skipped += [(x.number, TODO) for x in todo]
        if len(todo) == len(content):
            self._no_text(i, has_children or len(intro) != len(body) + len(head.parts), todo)
            return
        path = self.path(i)
        placeholders = {id(x) for x in todo}
        self._make(SEPARATOR.join(path), head.number,
                   [x for x in intro if id(x) not in placeholders], self.topic(i),
                   path if len(path) > 1 else (), source=joined)

    def _own_topic(self, i: int) -> str:
        return "" if i == self.document else self.heads[i].title

    def _no_text(self, i: int, section: bool, todo: list[_Line]) -> None:
        """Heading i has no text of its own: a section heading, a placeholder or an empty one."""
        head = self.heads[i]
        if section:
            self.skipped.append((head.number, "章节标题"))
        elif todo or TODO_TAIL.search(head.raw):
            self.skipped.append((head.number, TODO))
            self.warnings.append(f"{self.name}:{head.number}: 问题「{shorten(head.title)}」只有 "
                                 "TODO 占位，没有答案，已跳过")
        elif asks(head.title):
            self.skipped.append((head.number, "没有答案"))
            self.warnings.append(f"{self.name}:{head.number}: 问题「{shorten(head.title)}」"
                                 "没有答案，已跳过")
        elif any(x.drop in (LINKS, REFERENCES, TOC) for x in head.body):
            self.skipped.append((head.number, LINKS))  # its text was only links
        else:
            self.skipped.append((head.number, "空标题"))

    def body_questions(self, body: list[_Line], topic: str | None, reason: str) -> None:
        """Questions in text outside any heading; the rest is skipped with `reason`."""
        if _toc_body(body):
            reason, body = "目录", [x for x in body if not (x.text.strip() and not x.drop)]
        starts = _question_starts(body)
        before = body[: starts[0][0]] if starts else body
        self.file_parts += [(x, reason) for x in _content(before)]
        self._inner(body, starts, topic or "", ())

    def file_question(self) -> None:
        """Text outside every section (before the first heading, a 总结 at the top): the
        question the file's name asks ("harris角点.md"), or skipped when the name says nothing."""
        title = context_name(self.name)
        content = [x for x, _ in self.file_parts]
        # "深度学习500问 - 第一章" and credits; "本专题介绍…": about the document
        if content and (_names_collection(content[0].text) or _about_document(content)):
            self.skipped += [(x.number, FILE_INTRO) for x in content]
        elif content and title and not all(is_todo(x.text) for x in content):
            self.named = True
            count = len(self.questions)
            self._make(title, content[0].number, content, "", ())
            if len(self.questions) > count:  # the file's question comes first
                self.questions.insert(0, self.questions.pop())
        else:
            self.skipped += [(x.number, reason) for x, reason in self.file_parts]

    def _inner(self, body: list[_Line], starts: list[tuple[int, str, str]], topic: str,
               parent: tuple[str, ...], heading: int | None = None) -> None:
        """Questions that start inside a text; `heading`: the line of the heading whose one
        question this is (it becomes the question's source)."""
        for k, (index, title, rest) in enumerate(starts):
            end = starts[k + 1][0] if k + 1 < len(starts) else len(body)
            first = [_Line(body[index].number, rest)] if rest else []
            lines = first + body[index + 1 : end]
            cleaned = clean_title(title)
            path = (*parent, cleaned) if parent and is_generic(cleaned) else ()
            shown = SEPARATOR.join(path) if path else title
            if heading is None:
                self._make(shown, body[index].number, lines, topic, path)
            else:
                self._make(shown, heading, [_Line(body[index].number, title)] + lines, topic,
                           path, question_line=True)

    def _make(self, title: str, number: int, body: list[_Line], topic: str,
              path: tuple[str, ...], question_line: bool = False,
              source: int | None = None) -> None:
        """A question from its title (on line `number`) and its body; with `question_line` the
        body's first line is the question's text, held but not part of the answer. `source`:
        the line the question is read from when that is not its title's."""
        held = [number] + [x.number for x in _content(body)]
        if question_line:
            body = body[1:]
        answer, analysis = _answer_and_analysis(body)
        q = make_question(title, answer, analysis, (self.name, source or number), self.warnings,
                          topic, lines=held, skipped=self.skipped, path=path)
        if q is not None:
            self.questions.append(q)


def _drop_epigraph(body: list[_Line]) -> list[Skipped]:
    """A text that is one short quote line ("> 某课程 - 某网站"): the source of the section,
    emptied and returned as 参考文献."""
    content = _content(body)
    if len(content) != 1 or content[0].code:
        return []
    text = content[0].text.strip()
    if not text.startswith(">") or len(text) > 80 or any(c in text for c in "。！？?"):
        return []
    content[0].drop, content[0].text = REFERENCES, ""
    return [(content[0].number, REFERENCES)]


def _content(lines: list[_Line]) -> list[_Line]:
    """The lines that hold text (code included)."""
    return [x for x in lines if x.code or (x.text.strip() and not x.drop)]


# a line that only sends the reader elsewhere: "参见 某书 第14章", "详见下一节"
_POINTER = re.compile(
    r"\s*(?:[-*+]\s+)?(?:请?(?:参见|详见|参看|参阅)|请见|请参考)\s*[^。，,；;]{1,40}")
_BRACKETED = re.compile(r"[(（][^)）]{0,80}[)）]")  # "（separable convolution）"
_DOCUMENT = re.compile(r"\s*(?:本文|本节|本章|本篇|本专题|本部分|这篇文章|这篇笔记|这一章|这一节)")


# a sentence that only tells what the text does: it opens with the document ("本文…", "这里我们
# …") or a step of its order ("先…", "然后再…") and says it shows something (介绍, 解释, 看 …)
_SHOWS = (r"(?:介绍|描述|说|讲|解释|讨论|分析|看(?![到作成出见])|展示|给出|引入|回顾|探讨|阐述"
          r"|列举|梳理)")
_PLAN = re.compile(
    r"(?:我们|那么)?(?:(?:本文|本节|本章|本篇|本部分|本系列|这篇文章|这一节|这一章|这一部分)[^。]*?"
    r"|(?:下面|下文|接下来|这里|在此)[^。]{0,12}?"
    r"|(?:首先|先|然后|接着|其次|再|最后)(?:我们|再|来|简单|具体|进一步|并|一起|通过|大致|简要|详细"
    r"|地|会|将|要)*)" + _SHOWS)
_SENTENCE_END = re.compile(r"[。！？!?；;]+")
_PLAN_NOISE = re.compile(r"[\s，,]")  # spaces and commas ("然后，并进一步介绍了…")
PLAN_CHARS = 160  # a heading's own text longer than this is never only a plan


def _plan(lines: list[_Line]) -> bool:
    """Every sentence of the text only tells what the document does or will do ("先描述一下…。
    然后再具体看…。", "这里我们分3个步骤来解释…：", "本文首先…引入了…；然后…介绍了…").

    >>> _plan([_Line(1, "先描述一下它的直觉。然后再看如何近似、如何实现。")])
    True
    >>> _plan([_Line(1, "先验分布是观测数据之前的分布。")])
    False
    """
    content = _content(lines)
    if not content or any(x.code for x in content):
        return False
    sentences = [_PLAN_NOISE.sub("", part) for x in content
                 for part in _SENTENCE_END.split(clean_title(x.text.strip().lstrip("> ")))]
    sentences = [t for t in sentences if t]
    return bool(sentences) and all(_PLAN.match(t) for t in sentences)


def _drop_plan(body: list[_Line]) -> list[Skipped]:
    """The text of a heading over sub-sections when it is only a short plan of them: emptied
    and returned as 文件简介."""
    content = _content(body)
    if sum(len(x.text.strip()) for x in content) > PLAN_CHARS or not _plan(content):
        return []
    for x in content:
        x.drop, x.text = FILE_INTRO, ""
    return [(x.number, FILE_INTRO) for x in content]


def _about_document(lines: list[_Line]) -> bool:
    """The text opens by talking about the document ("本文先介绍…"), not the subject."""
    first = next(iter(_content(lines)), None)
    return first is not None and not first.code and _DOCUMENT.match(first.text) is not None


def _restates(text: str, title: str) -> bool:
    """The line only repeats the title, perhaps with a translation: "可分离卷积（separable …）"."""
    bare = _bare(title)
    if not bare:
        return False
    item = _LIST_ITEM.match(text)
    line = _BRACKETED.sub("", clean_title(text[item.end() if item else 0 :]))
    return line.strip("*_ ：:") == bare


@functools.lru_cache(maxsize=256)  # _restates asks it of every line under the title
def _bare(title: str) -> str:
    return _BRACKETED.sub("", clean_title(title))


def _prepare(raw_lines: list[str]) -> list[_Line]:
    """Lines with front matter, comments, TOC, images and HTML tags emptied (with the reason
    in `drop`), setext headings turned into ATX ones, code flagged."""
    out: list[_Line] = []
    fence = ""
    in_comment = False
    end = _front_matter_end(raw_lines)
    out += [_Line(i + 1, "", drop="文件头信息") for i in range(end) if raw_lines[i].strip()]
    seen = 0  # non-blank lines so far: metadata ("tags: 深度学习") only at the top,
    top = True  # right under the file's first heading or other metadata
    title = False  # that heading is a "# " title
    for index in range(end, len(raw_lines)):
        text = raw_lines[index]
        stripped = text.strip()
        number = index + 1
        seen += bool(stripped)
        if top and seen <= META_LINES and _META.match(stripped) and (
                title or not any(c in stripped for c in "。！？?")):  # under "## 标题": no sentence
            out.append(_Line(number, "", drop="文件头信息"))
            continue
        if seen == 1 and stripped:
            title = stripped.startswith("# ")
        top = top and (not stripped or (seen == 1 and _HEADING.match(stripped) is not None))
        if fence or (not in_comment and stripped.startswith(("```", "~~~"))):
            if fence and stripped.startswith(fence):
                fence = ""
            elif not fence:
                fence = stripped[:3]
            out.append(_Line(number, text.rstrip(), code=True))
            continue
        if in_comment or "<!--" in text:
            text, in_comment = _drop_comments(text, in_comment)
            if not text.strip():
                out.append(_Line(number, "", drop="注释" if stripped else ""))
                continue
        if stripped.lower().replace("\\", "") in _TOC_MARKS:  # also an exporter's \[toc]
            out.append(_Line(number, "", drop="目录"))
            continue
        if "](" in text and (toc := _TOC_LINE.fullmatch(text)) is not None and not toc.group(1):
            out.append(_Line(number, "", drop="目录"))
            continue
        if _setext(out, text):
            out.append(_Line(number, "", drop="标题下划线"))
            continue
        cleaned = _inline(text).rstrip()
        if len(stripped) > 6 and set(stripped) == {"#"}:  # a row of '#' is a rule, not a heading
            out.append(_Line(number, "", drop="分隔线"))
        elif stripped and not cleaned.strip():
            drop = "图片" if "![" in text else "HTML 标签" if "<" in text else "空行标记"
            out.append(_Line(number, "", drop=drop))
        elif "![" in text and _PICTURE_LABEL.fullmatch(cleaned):  # "- 硬间隔：![](…)"
            out.append(_Line(number, "", drop="图片"))
        elif stripped and _BARE_MARK.fullmatch(cleaned):  # "-", ">", "1." with no text
            out.append(_Line(number, "", drop="空行标记"))
        elif index and _PICTURE.search(raw_lines[index - 1]) and _caption(cleaned):
            out.append(_Line(number, "", drop="图片"))
        elif _is_rule(cleaned):
            out.append(_Line(number, "", drop="分隔线"))
        elif _SOURCE_LINE.fullmatch(cleaned):
            out.append(_Line(number, "", drop="参考文献"))
        else:
            out.append(_Line(number, cleaned, link="](" in text and _TASK.match(text) is not None,
                             links=_is_link_line(text), linked=_has_link(text),
                             source=_source_line(text)))
    _empty_tables(out, raw_lines)
    return out


def _caption(cleaned: str) -> bool:
    """A quote line right under an image that is a short label (no sentence, no formula, no
    explanation after a colon): the image's caption."""
    text = cleaned.strip()
    return (text.startswith(">") and len(text) <= 40
            and not any(c in text for c in "。，；！？?：:$=【"))


def _empty_tables(lines: list[_Line], raw_lines: list[str]) -> None:
    """A table with a header and no filled row is a template: a placeholder (TODO 占位), or
    a table of pictures (图片) when its rows held images."""
    k = 0
    while k < len(lines):
        j = k
        while j < len(lines) and not lines[j].code and lines[j].text.lstrip().startswith("|"):
            j += 1
        rows = lines[k:j]
        if len(rows) >= 2 and _TABLE_RULE.fullmatch(rows[1].text) and not any(
                c.isalnum() for x in rows[2:] for c in x.text):
            pictures = any(_PICTURE.search(raw_lines[x.number - 1]) for x in rows[2:])
            for x in rows:
                x.drop, x.text = "图片" if pictures else TODO, ""
        k = max(j, k + 1)


def _toc_body(body: list[_Line]) -> bool:
    """Text that is a table of contents made of task items (`- [ ] [1-1 …](#1-1)`): no item
    has a line of answer after it (labels between items are the contents' headings)."""
    items = [k for k, x in enumerate(body) if not x.code and _TASK.match(x.text)]
    if not items or not any(x.link for x in body):
        return False
    for k in range(items[0], len(body)):
        x = body[k]
        text = x.text.strip()
        if x.code or (text and not x.drop and not _TASK.match(text) and not _label(text)):
            return False
    return not any(x.text.strip() and not x.drop for x in body[: items[0]])


def _label(text: str) -> bool:
    """A line that names a part of a table of contents: bold, short, or no words at all."""
    if _LABEL.fullmatch(text) or not any(c.isalnum() for c in text):
        return True
    return len(text) <= 20 and not text.endswith(("。", ".", "；", ";", "：", ":"))


def _setext(out: list[_Line], text: str) -> bool:
    """A `===` / `---` line under a one-line paragraph: that line becomes an ATX heading."""
    match = _SETEXT.fullmatch(text)
    if match is None or not out:
        return False
    prev = out[-1]
    title = prev.text.strip()
    if prev.code or prev.drop or not title or title.startswith(("#", ">", "|", "-", "*", "+")):
        return False
    if len(out) > 1 and out[-2].text.strip() and not out[-2].drop:
        return False  # a paragraph of several lines: `---` is a rule
    if _NUMBERED.match(title) and len(title) > 40:
        return False
    prev.text = ("# " if match.group(1)[0] == "=" else "## ") + title
    return True


META_LINES = 4  # a file's first non-blank lines where a "tags: …" line is metadata
_META = re.compile(r"^(?:tags|categories|category|date|author|keywords|updated|标签|分类|日期|作者)"
                   r"\s*[:：]", re.IGNORECASE)


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
        cleaned = clean_title(title)
        cleaned = TODO_TAIL.sub("", cleaned) or cleaned  # "VQA 的评价方法 TODO"
        headings.append(_Heading(len(match.group(1)), cleaned, line.number, [], title))
    return preamble, headings


def _document_title(headings: list[_Heading]) -> int | None:
    """The index of a sole level-1 heading that opens the file: a title, not a section."""
    top = [i for i, h in enumerate(headings) if h.level == 1]
    return 0 if top == [0] and len(headings) > 1 else None


def _title_heading(headings: list[_Heading]) -> int | None:
    """The index of the heading that may title the file: the first one, at the top level."""
    if not headings or headings[0].level != min(h.level for h in headings):
        return None
    return 0


def _introduces_file(head: _Heading) -> bool:
    """The file's title names a chapter or a collection ("第五章 …", "…面试题汇总", "…500问"):
    its text introduces the file."""
    return len(head.raw) <= 200 and not asks(head.title) and is_collection(head.raw)


def _names_collection(text: str) -> bool:
    """A first line that titles a chapter or a collection (short, no sentence)."""
    text = text.strip().lstrip("\\#").strip()
    return len(text) <= 60 and not text.endswith(("。", ".", "；", "！")) and is_collection(text)


def _is_link_line(raw: str) -> bool:
    """A line made of links, URLs or a citation, with hardly a word (8 letters) besides.

    >>> _is_link_line("- [一文看懂反向传播](https://example.com/bp)")
    True
    >>> _is_link_line("图像处理：https://example.com/a")
    True
    >>> _is_link_line("[1] A. Li, et al. Deep nets. CVPR 2016")
    True
    >>> _is_link_line("[ResNet](https://example.com) 用残差连接解决了深层网络的退化问题")
    False
    >>> _is_link_line("- 损失函数：![](https://example.com/f.png)")  # a formula as a picture
    False
    """
    if _TASK.match(raw) and "http" not in raw and "www." not in raw:
        return False  # a task item is a question, or an entry of a table of contents
    if "![" in raw:  # a picture (or a linked one) is a figure or a formula, not a citation
        raw = _IMAGE.sub(" ", _LINKED_IMAGE.sub(" ", raw))
    if "](" in raw or "]:" in raw or "http" in raw or "www." in raw:
        rest = _URL.sub(" ", _LINK_ANY.sub(" ", raw))
        if rest != raw and sum(c.isalnum() for c in rest) <= 8:
            return True
    return _CITATION.match(raw) is not None or _LABELLED_URL.fullmatch(raw) is not None


def _has_link(raw: str) -> bool:
    return "](" in raw or "http" in raw or "www." in raw


def _source_line(raw: str) -> str:
    """For a quote line: 参考文献 when it names a source (a link with a few words besides, a
    book section, reference numbers, "出自…论文《…》"), 项目说明 when it names the authors or
    the bank, or "".

    >>> _source_line("> 《深度学习》 7.12 Dropout"), _source_line("> 作者：某某")
    ('参考文献', '项目说明')
    >>> _source_line("> [一篇文章](https://example.com/a) - 某博客"), _source_line("> 注意梯度")
    ('参考文献', '')
    >>> _source_line("> 出自2016年的论文《Gaussian Error Linear Units》")
    '参考文献'
    >>> _source_line("> 动图演示：[owner/repo](https://example.com/r): A report on convolutions")
    '参考文献'
    """
    text = raw.strip()
    if not text.startswith(">"):
        return ""
    text = text.lstrip("> \t")
    if _has_link(text):
        end = max((m.end() for m in (*_LINK_ANY.finditer(text), *_URL.finditer(text))),
                  default=0)
        if end and not _HAN.search(text[end:]):  # ": A technical report on …" names the work
            text = text[:end]
        rest = _PATH.sub(" ", _URL.sub(" ", _LINK_ANY.sub(" ", text)))
        if sum(c.isalnum() for c in rest) <= 24 and "。" not in rest:
            return REFERENCES
    plain = _inline(text).strip().strip("*_").strip()
    if _BOOK_SECTION.fullmatch(plain) or _CITED.fullmatch(plain) or _FROM.fullmatch(plain):
        return REFERENCES
    if _CREDIT.match(plain) or non_question(plain) in (PROJECT, ADVERT):
        return PROJECT
    return ""


def _list_label(line: _Line) -> str:
    """The reason a short label line (**参考资料**, 参考：, **RoadMap**) opens a list of links or
    contents, or ""."""
    text = "" if line.code or line.drop else line.text.strip()
    if not text or len(text) > 40:
        return ""
    item = _LIST_ITEM.match(text)
    text = text[item.end() :] if item else text
    if not text or len(text) > 30:
        return ""
    if not (_LABEL.fullmatch(text) or text.endswith(("：", ":")) or len(text) <= 12):
        return ""
    reason = non_question(text)
    return REFERENCES if reason in (REFERENCES, SOURCE) else reason if reason == TOC else ""


def _drop_link_lists(body: list[_Line]) -> list[tuple[int, str]]:
    """Lists of links in a section's text, emptied (`drop`) and returned with their reason:
    a label naming references or contents (**参考资料**, 参考：, **目录**) with the links (or,
    for contents, the short items) after it; or the whole text when more than half of it is
    links and the rest short labels and at most two other lines, half as many as the links
    (placeholders aside)."""
    dropped: list[tuple[int, str]] = []
    if _toc_body(body):
        return dropped  # a table of contents of task items: read as such in _emit

    def drop(lines: list[_Line], reason: str) -> None:
        for x in lines:
            x.drop, x.text = reason, ""
            dropped.append((x.number, reason))

    for x in body:  # a quote naming the source or the authors opens the section
        if x.code or (x.text.strip() and not x.drop and not x.source):
            break
        if x.source and not x.drop:
            drop([x], x.source)
    k = 0
    while k < len(body):
        reason = _list_label(body[k])
        if not reason:
            k += 1
            continue
        block, j = [body[k]], k + 1
        while j < len(body) and not body[j].code:
            y = body[j]
            text = y.text.strip()
            if text and not y.drop:
                # contents: short items; references: items (a paper and its summary)
                short = 80 if reason == TOC else 200
                item = _LIST_ITEM.match(text) and len(text) <= short
                if not (y.links or item or (reason == REFERENCES and y.linked)):
                    break
                block.append(y)
            j += 1
        if len(block) > 1 or j == len(body):
            drop(block, reason)
        k = j
    if not any(x.drop == TOC for x in body) and not any(x.links for x in _content(body)):
        return dropped  # no link listed: nothing below can be a list of links
    content = [x for x in _content(body) if x.code or not is_todo(x.text)]
    links = [x for x in content if x.links]
    others = [x for x in content if not x.links and (x.code or not _label(x.text.strip()))]
    listed = len(links) + sum(1 for x in body if x.drop == TOC)  # links to other files count
    if listed * 2 > len(content) + listed - len(links) and len(others) <= min(2, listed // 2):
        drop(content, LINKS)
    return dropped


def _question_starts(body: list[_Line]) -> list[tuple[int, str, str]]:
    """(index, title, answer text on the same line) of each line that opens a question."""
    starts: list[tuple[int, str, str]] = []
    for index, line in enumerate(body):
        found = None if line.code or line.drop else _question_line(body, index)
        if found is not None:
            starts.append((index, *found))
    return starts


def _question_line(body: list[_Line], index: int) -> tuple[str, str] | None:
    """(title, answer text on the same line) when body[index] opens a question."""
    text = body[index].text
    stripped = text.strip()
    if not stripped or match_marker(stripped) is not None:
        return None
    mark = _LIST_MARK.match(stripped)
    rest = stripped[mark.end() :] if mark else stripped
    task = bool(mark and mark.group(1))
    emphasis = rest[:2]
    if emphasis in ("**", "__"):
        end = rest.find(emphasis, 2)
        inner = rest[2:end].strip() if end > 2 else ""
        if inner and (inner.endswith(("?", "？")) or _PREFIXED.match(inner)):
            return inner, rest[end + 2 :].lstrip("：: ")
        if not inner or rest[end + 2 :].strip() or not _answer_follows(body, index):
            return None
        return inner, ""  # a bold line answered by an 答: line
    if _PREFIXED.match(stripped):
        return stripped, ""
    if task and (_ITEM_ID.match(rest) or clean_title(rest).endswith(("?", "？"))):
        return rest, ""
    if len(text) - len(text.lstrip()) < 2 and _NUMBERED.match(stripped):
        after = next((b for b in body[index + 1 :] if b.text.strip() and not b.drop), None)
        if after is not None and not after.code:
            if match_marker(after.text) is not None:
                return stripped, ""
            if stripped.endswith(("?", "？")) and after.text[:1] in (" ", "\t"):
                return stripped, ""
    return None


def _answer_follows(body: list[_Line], index: int) -> bool:
    """The next line with text (images and tags aside) starts with an 答:/答案: marker."""
    after = next((b for b in body[index + 1 :] if b.text.strip() and not b.drop), None)
    return after is not None and not after.code and _marker_kind(after.text) == "answer"


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
        else:
            run.append(line.text)
    return "\n".join(parts + _joined(run)).strip()


def _joined(run: list[str]) -> list[str]:
    text = join_lines(run)
    return [text] if text else []


def _is_rule(text: str) -> bool:
    compact = text.replace(" ", "").replace("\t", "")
    return len(compact) >= 3 and compact[0] in "-*_=" and len(set(compact)) == 1
