"""The bank's own structure as evidence of order: headings, sections, files (ingest.prereq).

A Markdown bank orders its questions: a section's first question opens it, a sub-heading details
the question it sits under, and a section builds its topic up question by question. Each
function gives pairs a before b (with what the pair rests on) for questions read from files
(sources "path:line"); questions without a source give none.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import lru_cache

from zhitu.graph.model import Mention, Question
from zhitu.ingest.read_common import clean_title
from zhitu.ingest.read_titles import SEPARATOR
from zhitu.text.normalize import title_key

SIBLINGS = 2  # earlier questions of the same section placed before a question


def where(q: Question) -> tuple[str, int]:
    """The file and line a question was read from ("", 0 without a source)."""
    path, _, line = (q.sources[0] if q.sources else "").rpartition(":")
    return path, int(line) if line.isdigit() else 0


def _key(titles: Iterable[str]) -> tuple[str, ...]:
    return tuple(map(_title, titles))


@lru_cache(maxsize=1 << 14)  # a section's title comes back for every question under it
def _title(title: str) -> str:
    return title_key(clean_title(title))


def _introduces_itself(q: str, focus: dict[str, list[str]],
                       intro: Callable[[str, str], bool]) -> bool:
    """q introduces its one concept ("什么是GRU"): it needs no question above or before it."""
    return len(focus[q]) == 1 and intro(q, focus[q][0])


def openers(by_id: dict[str, Question], focus: dict[str, list[str]],
            mentions: dict[str, list[Mention]],
            intro: Callable[[str, str], bool]) -> list[tuple[str, str, str]]:
    """(a, b, f): question a opens its section (the first question of a file under its section
    path) by introducing f, and b, later in that section, mentions f or is about a concept a
    mentions ("什么是seq2seq" before "编码器"). The bank's own order is the evidence; b never
    introduces f itself."""
    files: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for q in by_id.values():
        path, line = where(q)
        if path:
            files[path].append((line, q.id))

    def inside(q: str, section: str) -> bool:
        topic = by_id[q].topic
        return not section or topic == section or topic.startswith(section + " / ")

    out = []
    for rows in files.values():
        order = [q for _, q in sorted(rows)]
        for i, a in enumerate(order):
            section = by_id[a].topic
            if not focus[a] or any(inside(q, section) for q in order[:i]):
                continue
            f = focus[a][0]
            if not intro(a, f):
                continue
            told = {m.concept_id for m in mentions.get(a, ())}
            out.extend((a, b, f) for b in order[i + 1:] if inside(b, section) and not intro(b, f)
                       and (any(m.concept_id == f for m in mentions.get(b, ()))
                            or bool(told & set(focus[b]))))
    return out


def parents(by_id: dict[str, Question], focus: dict[str, list[str]],
            mentions: dict[str, list[Mention]],
            intro: Callable[[str, str], bool]) -> list[tuple[str, str]]:
    """(a, b): a heads the section b sits in (its parent or grandparent heading, in the same
    file, above it) and b mentions a focus concept of a without introducing it: a sub-question
    details the question above it ("RNN 为什么会出现梯度消失？" before "RNN 中能否使用 ReLU").
    A question that introduces its one concept needs no section above it."""
    heads: dict[tuple[str, tuple[str, ...]], list[tuple[int, str]]] = defaultdict(list)
    for q in by_id.values():
        path, line = where(q)
        if path and focus[q.id]:
            own = q.title.rsplit(SEPARATOR, 1)[-1]
            heads[path, _key([*q.topic.split(" / "), own] if q.topic else [own])].append(
                (line, q.id))
    out = []
    for b in sorted(by_id.values(), key=lambda q: q.id):
        if _introduces_itself(b.id, focus, intro):
            continue  # "什么是实时流计算？" needs nothing from "如何进行实时计算？" above it
        path, line = where(b)
        parts = b.topic.split(" / ") if b.topic else []
        said = {m.concept_id for m in mentions.get(b.id, ())}
        for up in range(min(2, len(parts))):
            above = [x for x in heads.get((path, _key(parts[:len(parts) - up])), ())
                     if x[0] < line]
            if not above:
                continue
            a = max(above)[1]
            if any(f in said and not intro(b.id, f) for f in focus[a]):
                out.append((a, b.id))
    return out


def siblings(by_id: dict[str, Question], focus: dict[str, list[str]],
             intro: Callable[[str, str], bool],
             plain: Callable[[str], bool]) -> list[tuple[str, str, bool]]:
    """(a, b, same section): a comes earlier in b's section (same file, same heading path) and
    shares a focus concept with it: the bank builds a topic up in order ("LSTM 的内部结构" or "推导
    LSTM" before "GRU 与 LSTM 的关系"; a deeper question first counts too: on four public banks
    nobody here wrote, 12 of 16 such steps were right); the nearest SIBLINGS of them, and the
    nearest question earlier in the file that asks about its concepts themselves, no deeper
    (`plain`: "ELMo 的特点" in an overview before "ELMo 存在的问题")."""
    # (file, section path) -> its questions; (file, None) -> the questions of a file that sit
    # under headings (a flat file's questions are one section already)
    sections: dict[tuple[str, str | None], list[tuple[int, str]]] = defaultdict(list)
    for q in by_id.values():
        path, line = where(q)
        if path and focus[q.id]:
            sections[path, q.topic].append((line, q.id))
            if q.topic:
                sections[path, None].append((line, q.id))
    out = []
    for (_, topic), rows in sections.items():
        same = topic is not None
        wanted = SIBLINGS if same else 1
        seen: dict[str, list[int]] = defaultdict(list)  # concept -> earlier places, in order
        order = [q for _, q in sorted(rows)]
        for i, b in enumerate(order):
            if not _introduces_itself(b, focus, intro):
                near: set[int] = set()
                for c in focus[b]:  # the nearest fitting ones per shared concept
                    fit = (k for k in reversed(seen[c]) if same or (by_id[order[k]].level
                           <= by_id[b].level and plain(order[k])))
                    near.update(x for _, x in zip(range(wanted), fit, strict=False))
                out.extend((order[k], b, same) for k in sorted(near, reverse=True)[:wanted])
            for c in focus[b]:
                seen[c].append(i)
    return out


