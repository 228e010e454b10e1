"""What a question is about: a weight for every concept occurrence, 1-3 focus concepts, tags.

An occurrence weighs by where and how it appears: in the title TITLE; in the first sentence of
the answer or defined there (X是指…, X又称…) more than an ordinary one; as one item of an
enumeration (A、B、C), in a table row or in a reference section much less. A concept's weight
is the sum over its occurrences. Focus: the title's concepts (generic ones only when the title
names nothing else), else the heaviest concepts of the answer. Tags (Mention.shown): the focus,
then concepts that weigh at least STRONG, or any concept of a short answer; a generic concept
(Lexicon.generic: 神经网络, 矩阵 …) is a tag only when it is a focus.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict

from zhitu.graph.model import Mention, Question

TITLE = 3.0
FIRST = 1.5  # in the first sentence of the answer
DEFINED = 2.5  # the sentence defines it: "X是指…", "X（English, ABBR）是一种…"
TOPIC = 1.5  # bonus when the section heading above the question names it too
LISTED = 0.4  # one item of an enumeration or a table row
REFERENCE = 0.1  # in a 参考文献 / Reference section
STRONG = 2.0  # weight from which a mention is a tag
SHORT = 400  # an answer this short shows every non-generic concept it names
MAX_FOCUS = 3
FOCUS_SHARE = 0.6  # without a title concept: focus = weight >= this share of the heaviest
MAX_TAGS = 10
_REFERENCE = re.compile(r"^[#>*\s]*(?:\d+[.、]?\s*)?"
                        r"(?:参考文献|参考资料|参考链接|参考|引用|相关阅读|"
                        r"延伸阅读|references?)[*:：\s]*$", re.IGNORECASE | re.MULTILINE)
_DEFINES = re.compile(r"\s*(?:[(（][^)）]{0,60}[)）])?\s*(?:\*\*)?\s*[:：]?\s*"
                      r"(?:是指|指的是|是一种|是一个|是一类|定义为|又称|也叫|也称|即|是)")
# a title asking for a list or a comparison: the items of the answer's lists are its content
_ASKS_LIST = re.compile(r"哪些|几种|类型|种类|分类|优缺点|比较|对比|区别|异同|常用|常见|方法")
_DECORATION = re.compile(r"[\s*>#\-0-9.、()（）:：]+")  # list marks, numbering, bold
_SEPARATOR = re.compile(r"^[\s、，,/和与及或以及等*`]{1,4}$")


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


def _listed(starts: list[int], ends: list[int], i: int, text: str) -> bool:
    """Occurrence i sits in an enumeration: a separator-only gap to a neighbour on each side,
    or to two neighbours on one side (A、B、C)."""
    def gap(a: int, b: int) -> bool:
        return 0 <= a < len(starts) and 0 <= b < len(starts) and bool(
            _SEPARATOR.match(text[ends[a]:starts[b]]))
    left, right = gap(i - 1, i), gap(i, i + 1)
    return (left and right) or (left and gap(i - 2, i - 1)) or (right and gap(i + 1, i + 2))


def occurrence_weights(q: Question, spans: list[tuple[int, int, str]],
                       sentences: list[tuple[int, int]]) -> list[float]:
    """The weight of each occurrence (start, end, concept) in q.text, in order.

    >>> q = Question("q", "什么是RNN", "RNN是一种网络。常见的有LSTM、GRU、BiRNN等。")
    >>> spans = [(3, 6, "rnn"), (7, 10, "rnn"), (20, 24, "lstm"), (25, 28, "gru"),
    ...          (29, 34, "birnn")]
    >>> occurrence_weights(q, spans, [(0, 6), (7, 16), (16, 36)])
    [3.0, 2.5, 0.4, 0.4, 0.4]
    """
    text = q.text
    title_end = len(q.title) if q.title else 0
    answer = [s for s in sentences if s[0] >= title_end]
    first_end = answer[0][1] if answer else -1
    refs = [m.start() for m in _REFERENCE.finditer(text)]
    reference_from = refs[0] if refs and refs[0] > title_end else len(text) + 1
    starts, ends = [s for s, _, _ in spans], [e for _, e, _ in spans]
    listed = 1.0 if _ASKS_LIST.search(q.title or "") else LISTED
    sent_starts = [s for s, _ in sentences]
    out = []
    for i, (s, e, _) in enumerate(spans):
        if s < title_end:
            out.append(TITLE)
            continue
        if s >= reference_from:
            out.append(REFERENCE)
            continue
        line_start, _ = _line_bounds(text, s)
        if text[line_start:s].lstrip().startswith("|") or _listed(starts, ends, i, text):
            out.append(listed)
            continue
        k = bisect_right(sent_starts, s) - 1
        sentence_start = sentences[k][0] if k >= 0 else line_start
        head = _DECORATION.sub("", text[sentence_start:s])
        if len(head) <= 2 and _DEFINES.match(text, e):
            out.append(DEFINED)
        elif s < first_end:
            out.append(FIRST)
        else:
            out.append(1.0)
    return out


def weigh(q: Question, spans: list[tuple[int, int, str]], sentences: list[tuple[int, int]],
          generic: set[str] | frozenset[str] = frozenset(),
          topic_concepts: set[str] | frozenset[str] = frozenset()) -> list[Mention]:
    """Mentions of a question from its occurrences (start, end, concept) in q.text: weight,
    in_title, focus and shown (see the module docstring); heaviest first."""
    title_end = len(q.title) if q.title else 0
    weights = occurrence_weights(q, spans, sentences)
    positions: dict[str, list[int]] = defaultdict(list)
    total: dict[str, float] = defaultdict(float)
    for (s, _, cid), w in zip(spans, weights, strict=True):
        positions[cid].append(s)
        total[cid] += w
    for cid in topic_concepts & total.keys():
        total[cid] += TOPIC
    mentions = [Mention(q.id, cid, len(ps), ps[0] < title_end, round(total[cid], 3), ps)
                for cid, ps in positions.items()]
    mentions.sort(key=lambda m: (-m.weight, m.positions[0]))
    _choose(mentions, generic, len(q.text) - title_end)
    return mentions


def _choose(mentions: list[Mention], generic: set[str] | frozenset[str], length: int) -> None:
    """Set focus and shown on mentions sorted heaviest first."""
    titled = [m for m in mentions if m.in_title]
    specific = [m for m in titled if m.concept_id not in generic]
    if titled:
        focus = (specific or titled)[:MAX_FOCUS]
    else:
        rest = [m for m in mentions if m.concept_id not in generic]
        top = rest[0].weight if rest else 0.0
        focus = [m for m in rest if m.weight >= FOCUS_SHARE * top][:MAX_FOCUS]
    chosen = {id(m) for m in focus}
    shown = 0
    for m in mentions:
        m.focus = id(m) in chosen
        strong = m.weight >= STRONG or (length <= SHORT and m.weight >= 1.0)
        m.shown = m.focus or (m.concept_id not in generic and strong and shown < MAX_TAGS)
        shown += m.shown
