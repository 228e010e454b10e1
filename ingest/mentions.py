"""Concept mentions in a question: Aho-Corasick over folded text, word boundaries, positions.

Text and surfaces are matched in their folded form (ingest.fold: NFKC, lower case,
whitespace); multi-word Latin surfaces also match written together or with hyphens
("BatchNormalization"). A surface that starts or ends with a Latin letter or digit matches only
at a word boundary, so BN does not match in BNN nor RNN in BRNN, while "RNN的" and "LSTM和GRU"
match. Offsets always refer to the
original text, also when folding changes its length (ligatures, combining marks).

Three readings reject a match (each rejected 1 wrong and 0 right matches on the bundled bank
and the user's sample): a Latin surface of at most three letters in lower case right before "("
is a function (ln(类别数); LN(x) stays LayerNorm); a CJK surface starting with 上 or 下 that
closes an open "在 …" frame (在规则网格|上采样; 会上溢, 结果上采样 stay); a CJK surface whose
first character ends a common word (segment.is_common) with the one before it while the rest is
itself a surface (来|自编码器 reads 来自|编码器; without that last condition 28 rejections, 27
right: 带动量, 增大学习率, 是非线性).

Context aliases (Lexicon.context_surfaces: 平滑, 序列, 大模型) are matched apart and count only
when the text also names their concept or one of its curated neighbours through an ordinary
surface; they never hide an ordinary surface.

Wrong senses: a phrase of Lexicon.not_mentions (点击流, 量化评估) hides every surface inside it,
and a concept's not_near words within NEAR characters refute it (Precision next to FP32).
Latin surfaces also match in the plural (LSTMs, RNNs); nothing inside a web address is a
mention. Weights, focus and tags: ingest.focus.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ahocorasick_rs import AhoCorasick, MatchKind

from zhitu.graph.model import Mention, Question
from zhitu.ingest.focus import TITLE, weigh
from zhitu.ingest.lexicon import Lexicon
from zhitu.text import segment
from zhitu.text.fold import fold, folded, is_cjk, is_word_char, variants

TITLE_WEIGHT = TITLE  # a title mention weighs as much as three mentions in the answer
NEAR = 60  # characters around a match searched for its concept's not_near words
_BLOCK = ""  # owner of a not_mentions phrase: hides what it covers, names nothing
_PLURAL = re.compile(r"(?:^|[ -])[a-z][a-z0-9]*[a-rt-z0-9]$")  # a Latin word that takes an s
_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]*")
_CACHE_SIZE = 4
_CALL_MAX = 3  # a Latin surface this short, in lower case before "(", is a function call
_LOCATIVES = "上下"  # surfaces start with them (上采样, 下溢); 中值滤波, 内积 rarely follow 在
# 在 (not 存在, 现在 …) + a noun phrase still waiting for its locative: 在规则网格|上采样,
# not 在解码器中|上采样 (中 closed it)
_FRAME = re.compile(r"(?<![存现正实所好])在[^\s,;:。!?、()上下中内里时前后间]+$")
_FRAME_REACH = 10
_URL = re.compile(r"https?://[^\s)\]>）]+|www\.[^\s)\]>）]+")


@dataclass(frozen=True)
class Span:
    """One surface found in a text: source offsets, the concepts it can name, and whether it
    is a context alias (its one owner then counts only next to itself or a neighbour)."""

    start: int
    end: int
    owners: tuple[str, ...]
    contextual: bool = False


# what _misread must check for a pattern, decided once per pattern
_LATIN_START, _LATIN_END, _CALL, _LOCATIVE, _JOINED = 1, 2, 4, 8, 16


def _checks(pattern: str, known: set[str] | frozenset[str]) -> int:
    flags = _LATIN_START * is_word_char(pattern[0]) | _LATIN_END * is_word_char(pattern[-1])
    if len(pattern) <= _CALL_MAX and pattern.isascii() and pattern.isalpha():
        flags |= _CALL
    if is_cjk(pattern[0]):
        flags |= _LOCATIVE * (pattern[0] in _LOCATIVES) | _JOINED * (pattern[1:] in known)
    return flags


@dataclass
class _Table:
    """Folded surface variants compiled into one leftmost-longest Aho-Corasick automaton."""

    patterns: list[str]
    owners: list[tuple[str, ...]]
    flags: list[int]  # _checks of each pattern
    ac: AhoCorasick | None

    @classmethod
    def compile(cls, surfaces: Iterable[tuple[str, Iterable[str]]],
                known: frozenset[str] | None = None) -> _Table:
        """known: the ordinary patterns (default: this table's own)."""
        by_pattern: dict[str, set[str]] = defaultdict(set)
        plurals: dict[str, set[str]] = defaultdict(set)
        for surface, ids in surfaces:
            for variant in variants(fold(surface)[0]):
                by_pattern[variant].update(ids)
                if len(variant) >= 3 and variant.isascii() and _PLURAL.search(variant):
                    plurals[variant + "s"].update(ids)  # LSTMs, RNNs, GANs
        for plural, ids in plurals.items():
            by_pattern.setdefault(plural, ids)
        patterns = sorted(by_pattern)
        known = frozenset(patterns) if known is None else known
        ac = AhoCorasick(patterns, matchkind=MatchKind.LeftmostLongest) if patterns else None
        return cls(patterns, [tuple(sorted(by_pattern[p])) for p in patterns],
                   [_checks(p, known) for p in patterns], ac)


@dataclass
class Automaton:
    """The lexicon's surfaces compiled once; build it with automaton_for(lexicon).

    ordinary: names and aliases; contextual: context aliases, matched apart so that they never
    hide an ordinary surface (a context alias overlapping an ordinary match is dropped).
    """

    lexicon: Lexicon
    ordinary: _Table
    contextual: _Table
    neighbors: dict[str, set[str]] = field(default_factory=dict)
    _words: frozenset[str] = frozenset()  # the ordinary patterns
    _common: dict[str, bool] = field(default_factory=dict)  # is_common of two-character words
    _near: dict[str, list[str]] = field(default_factory=dict)  # concept -> folded not_near words

    @classmethod
    def build(cls, lexicon: Lexicon) -> Automaton:
        neighbors: dict[str, set[str]] = defaultdict(set)
        for rel in lexicon.relations:
            neighbors[rel.src].add(rel.dst)
            neighbors[rel.dst].add(rel.src)
        blocks = ((phrase, [_BLOCK]) for phrase in lexicon.not_mentions)
        ordinary = _Table.compile([*lexicon.surfaces.items(), *blocks])
        context = _Table.compile(((s, [cid]) for s, cid in lexicon.context_surfaces.items()),
                                 frozenset(ordinary.patterns))
        return cls(lexicon, ordinary, context, dict(neighbors), frozenset(ordinary.patterns))

    def _misread(self, flags: int, folded: str, s: int, e: int, text: str,
                 offsets: list[int]) -> bool:
        """True when the match folded[s:e] of a text does not read as its surface there (see
        the module docstring); flags: the pattern's _checks."""
        if flags & _LATIN_START and s > 0 and is_word_char(folded[s - 1]):
            return True
        if flags & _LATIN_END and e < len(folded) and is_word_char(folded[e]):
            return True
        if (flags & _CALL and folded.startswith("(", e)
                and text[offsets[s]:offsets[e - 1] + 1].islower()):
            return True  # ln(类别数), log(p): a function, not LN
        if s == 0 or not is_cjk(folded[s - 1]):
            return False
        if flags & _LOCATIVE and _FRAME.search(folded, max(0, s - _FRAME_REACH), s):
            return True  # 在规则网格上|采样: the locative closes 在…上
        if not flags & _JOINED:
            return False
        word = folded[s - 1] + folded[s]  # 来自|编码器: a common word, then another surface
        if word not in self._common:
            # a lexicon surface is a word; asking jieba about it would depend on whether the
            # lexicon's user words were added yet (they change its frequency, nothing else's)
            self._common[word] = word in self._words or segment.is_common(word)
        return self._common[word]

    def _find(self, table: _Table, text: str, folded: str,
              offsets: list[int]) -> list[tuple[int, int, int]]:
        """(pattern id, start, end) in folded text of the table's surfaces that are mentions."""
        found: list[tuple[int, int, int]] = []
        pos = 0
        while table.ac is not None and pos < len(folded):
            restart = None
            for pid, s, e in table.ac.find_matches_as_indexes(folded[pos:]):
                s, e = s + pos, e + pos
                flags = table.flags[pid]
                if flags and self._misread(flags, folded, s, e, text, offsets):
                    restart = s + 1  # a rejected match may hide one starting inside it
                    break
                found.append((pid, s, e))
            pos = restart if restart is not None else len(folded)
        return found

    def spans(self, text: str) -> list[Span]:
        """Leftmost-longest surfaces of the text that read as mentions, in order; context
        aliases only where no ordinary surface overlaps them."""
        folded, offsets = fold(text)
        ordinary = self._find(self.ordinary, text, folded, offsets)
        found = [Span(offsets[s], offsets[e - 1] + 1, self.ordinary.owners[pid])
                 for pid, s, e in ordinary]
        contextual = self._find(self.contextual, text, folded, offsets)
        if not contextual:
            return _outside_urls(text, found)
        starts, ends = [s for _, s, _ in ordinary], [e for _, _, e in ordinary]
        for pid, s, e in contextual:
            i = bisect_right(starts, s) - 1  # the last ordinary match starting at or before s
            if (i >= 0 and ends[i] > s) or (i + 1 < len(starts) and starts[i + 1] < e):
                continue
            found.append(Span(offsets[s], offsets[e - 1] + 1, self.contextual.owners[pid], True))
        found = [f for f in found if f.owners != (_BLOCK,)]
        return sorted(_outside_urls(text, found), key=lambda span: span.start)

    def refuted(self, concept: str, text: str, start: int, end: int) -> bool:
        """A not_near word of the concept within NEAR characters of text[start:end]."""
        words = self.lexicon.not_near.get(concept)
        if not words:
            return False
        if concept not in self._near:
            self._near[concept] = [folded(w) for w in words]
        window = folded(text[max(0, start - NEAR):end + NEAR])
        return any(w in window for w in self._near[concept])

    def resolve(self, span: Span, context: set[str]) -> str | None:
        """The concept a span names given the text's other concepts, or None.

        An ambiguous surface goes to the one owner that is in the context or has the most
        curated neighbours there; a context alias counts when its owner or a neighbour is there.
        """
        owners = span.owners
        if len(owners) == 1 and not span.contextual:
            return owners[0]
        scores = {c: 2 * (c in context) + len(self.neighbors.get(c, set()) & context)
                  for c in owners}
        best = max(scores.values())
        winners = [c for c, score in scores.items() if score == best]
        return winners[0] if best > 0 and len(winners) == 1 else None


def _outside_urls(text: str, spans: list[Span]) -> list[Span]:
    """The spans not inside a web address (github.com/NLP-LOVE/ML-NLP names no NLP).

    >>> t = "见 https://github.com/x/ML-NLP 和 NLP"
    >>> spans = [Span(26, 29, ("nlp",)), Span(32, 35, ("nlp",))]
    >>> [t[s.start:s.end] for s in _outside_urls(t, spans)]
    ['NLP']
    """
    if "http" not in text and "www." not in text:
        return spans
    urls = [m.span() for m in _URL.finditer(text)]
    return [s for s in spans if not any(a <= s.start < b for a, b in urls)]


_automata: dict[int, Automaton] = {}


def automaton_for(lexicon: Lexicon) -> Automaton:
    """The automaton of a lexicon, built once (the last few lexicons are cached)."""
    auto = _automata.get(id(lexicon))
    if auto is None or auto.lexicon is not lexicon:
        auto = Automaton.build(lexicon)
        if len(_automata) >= _CACHE_SIZE:
            _automata.pop(next(iter(_automata)))
        _automata[id(lexicon)] = auto
    return auto


@dataclass(frozen=True)
class Located:
    """A concept found in a text: source offsets [start, end) and the concept id."""

    start: int
    end: int
    concept: str


def locate(text: str, automaton: Automaton) -> list[Located]:
    """Every concept occurrence in the text, in order.

    Ambiguous surfaces go to the owner related to the text's other concepts, else nowhere;
    context aliases count next to their concept or a neighbour (Automaton.resolve).
    CJK surfaces are not held to jieba's token boundaries: on the bundled bank that rejected 53
    matches, about two thirds of them right ("带动量", "梯度方向", "训练集中" split by jieba).
    """
    spans = automaton.spans(text)
    context = {s.owners[0] for s in spans if len(s.owners) == 1 and not s.contextual}
    found = []
    for span in spans:
        concept = automaton.resolve(span, context)
        if concept is not None and not automaton.refuted(concept, text, span.start, span.end):
            found.append(Located(span.start, span.end, concept))
    return found


def to_mentions(question: Question, found: list[Located],
                sentences: list[tuple[int, int]] | None = None,
                generic: set[str] | frozenset[str] = frozenset(),
                topic: set[str] | frozenset[str] = frozenset()) -> list[Mention]:
    """Group a question's occurrences (offsets in question.text) into Mentions, heaviest first,
    with weights, focus and tags from ingest.focus (generic: ids never a focus unless titled;
    topic: concepts its section heading names)."""
    if sentences is None:
        sentences = split_sentences(question.text)
    return weigh(question, [(f.start, f.end, f.concept) for f in found], sentences, generic, topic)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: split after 。！？；!?; and at line ends, stripped.

    >>> t = "RNN是一种网络。它有记忆！\\n LSTM呢"
    >>> [t[s:e] for s, e in split_sentences(t)]
    ['RNN是一种网络。', '它有记忆！', 'LSTM呢']
    """
    out = []
    for m in _SENTENCE.finditer(text):
        s, e = m.span()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.append((s, e))
    return out
