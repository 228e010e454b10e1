"""Resolve what a user typed to a question id or a concept id (shared by both stores).

A question reference is an id, else a title or part of one (compared by text.normalize.title_key,
the key question ids are made from), else the best fuzzy match (rapidfuzz's InDel ratio over
title keys). A concept
reference is an id, name, Chinese name or alias (normalized). Failures raise QuestionNotFound /
ConceptNotFound carrying up to five closest titles or names as suggestions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rapidfuzz import fuzz, process

from zhitu.graph.errors import AmbiguousQuestion, ConceptNotFound, QuestionNotFound
from zhitu.graph.model import Concept
from zhitu.text.normalize import normalize, title_key

FUZZY_CUTOFF = 0.6  # similarity (0..1) a fuzzy title match needs
MAX_SUGGESTIONS = 5
FUZZY_CHARS = 200  # a reference is compared by its start
SHOWN_CHARS = 60  # a reference is quoted in messages by its start, on one line


def shown(ref: str) -> str:
    r"""A reference as quoted in a one-line message: whitespace collapsed, characters a terminal
    would not print (controls, lone surrogates) escaped, and cut after SHOWN_CHARS.

    >>> shown("什么是\nRNN  "), shown("a\x00b"), shown("x" * 70)[-3:]
    ('什么是 RNN', 'a\\x00b', 'xx…')
    """
    out: list[str] = []
    size = 0
    for ch in " ".join(ref.split()):
        piece = ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
        if size + len(piece) > SHOWN_CHARS:
            out.append("…")
            break
        out.append(piece)
        size += len(piece)
    return "".join(out)


def _closest(key: str, candidates: Mapping[str, str], n: int, cutoff: float) -> list[str]:
    """Keys of `candidates` (key -> display) whose text is closest to `key`, best first.

    >>> _closest("lstm公式", {"lstm的公式": "", "gru": ""}, 5, 0.3)
    ['lstm的公式']
    """
    key = key[:FUZZY_CHARS]
    found = process.extract(key, list(candidates), scorer=fuzz.ratio, limit=None,
                            score_cutoff=max(cutoff * 100, 1e-9))
    found.sort(key=lambda hit: (-hit[1], len(hit[0]), hit[0]))
    return [k for k, _, _ in found[:n]]


class TitleIndex:
    """Question titles by normalized key; resolves question references."""

    def __init__(self, titles: Mapping[str, str]) -> None:
        """`titles`: question id -> title."""
        self._titles = dict(titles)
        self._by_key: dict[str, str] = {}
        self._same: dict[str, list[str]] = {}  # key -> ids, for titles held by several questions
        for qid in sorted(self._titles):
            key = title_key(self._titles[qid])
            if key in self._by_key:
                self._same.setdefault(key, [self._by_key[key]]).append(qid)
            self._by_key.setdefault(key, qid)

    def find(self, ref: str) -> str | None:
        """The question id `ref` names, or None.

        >>> TitleIndex({"q1": "什么是RNN", "q2": "LSTM每个门的计算公式"}).find("ｌｓｔｍ 计算")
        'q2'
        """
        ref = ref.strip()
        if ref in self._titles:
            return ref
        key = title_key(ref)
        if not key:
            return None
        if key in self._by_key:
            return self._by_key[key]
        # part of a title: the shortest title containing it is the most specific match
        parts = [(len(k), k) for k in self._by_key if key in k]
        if parts:
            return self._by_key[min(parts)[1]]
        fuzzy = _closest(key, self._by_key, 1, FUZZY_CUTOFF)
        return self._by_key[fuzzy[0]] if fuzzy else None

    def suggestions(self, ref: str) -> list[str]:
        """Up to five titles closest to `ref`, best first."""
        keys = _closest(title_key(ref), self._by_key, MAX_SUGGESTIONS, 0.0)
        return [self._titles[self._by_key[k]] for k in keys]

    def resolve(self, ref: str) -> str:
        """The question id `ref` names; QuestionNotFound with suggestions when none, and
        AmbiguousQuestion listing each id when several questions have exactly that title.

        >>> TitleIndex({"q1": "模型结构", "q2": "模型结构"}).resolve("模型结构")
        Traceback (most recent call last):
        zhitu.graph.errors.AmbiguousQuestion: 有 2 个问题的标题都是 '模型结构', 请用 id 指定
        """
        qid = self.find(ref)
        if qid is None:
            raise QuestionNotFound(f"找不到问题 '{shown(ref)}'", self.suggestions(ref))
        same = self._same.get(title_key(self._titles[qid]), [])
        if ref.strip() not in self._titles and len(same) > 1:
            raise AmbiguousQuestion(f"有 {len(same)} 个问题的标题都是 '{shown(ref)}', 请用 id 指定",
                                    [f"{q}  {self._titles[q]}" for q in same])
        return qid


class ConceptIndex:
    """Concepts by id and by normalized name, Chinese name and alias."""

    def __init__(self, concepts: Iterable[Concept]) -> None:
        self._names: dict[str, str] = {}  # concept id -> display name
        self._by_surface: dict[str, str] = {}
        ordered = sorted(concepts, key=lambda c: c.id)
        for c in ordered:
            self._names[c.id] = c.name
        # ids and names win over aliases when two concepts claim the same surface
        for surfaces in (lambda c: [c.id, c.name, c.zh], lambda c: c.aliases):
            for c in ordered:
                for s in surfaces(c):
                    if s and normalize(s).strip():
                        self._by_surface.setdefault(normalize(s).strip(), c.id)

    def find(self, ref: str) -> str | None:
        """The concept id `ref` names, or None.

        >>> ConceptIndex([Concept("lstm", "LSTM", "长短期记忆网络")]).find("Lstm")
        'lstm'
        """
        ref = ref.strip()
        if ref in self._names:
            return ref
        return self._by_surface.get(normalize(ref).strip())

    def suggestions(self, ref: str) -> list[str]:
        """Up to five concept names whose surfaces are closest to `ref`."""
        keys = _closest(normalize(ref).strip(), self._by_surface, MAX_SUGGESTIONS * 3, 0.3)
        names: list[str] = []
        for k in keys:
            name = self._names[self._by_surface[k]]
            if name not in names:
                names.append(name)
        return names[:MAX_SUGGESTIONS]

    def resolve(self, ref: str) -> str:
        """The concept id `ref` names; ConceptNotFound with suggestions when none."""
        cid = self.find(ref)
        if cid is None:
            raise ConceptNotFound(f"找不到概念 '{shown(ref)}'", self.suggestions(ref))
        return cid


def resolve_target(ref: str, concepts: ConceptIndex, titles: TitleIndex) -> tuple[str, str]:
    """A study-path target: ("concept", id) when a concept has that name, else ("question", id).

    Concepts are tried first because question lookup falls back to fuzzy matching.
    """
    cid = concepts.find(ref)
    if cid is not None:
        return ("concept", cid)
    qid = titles.find(ref)
    if qid is not None:
        return ("question", qid)
    suggestions = concepts.suggestions(ref) + titles.suggestions(ref)
    raise ConceptNotFound(f"找不到概念或问题 '{shown(ref)}'", suggestions[:MAX_SUGGESTIONS])
