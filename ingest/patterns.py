"""Relations from Chinese lexical patterns between two concept mentions of one sentence.

Each sentence is turned into a template: every concept occurrence becomes one private-use
character (a marker), the rest is normalized text. Patterns are regular expressions over that
template, so "Lstm由输入门,遗忘门,输出门和一个cell组成" reads "①由②,③,④和一个cell组成":

- IS_A            A是一种/是一类/属于 … B,  A是 … B的一种; A must head its clause's subject
                  (it opens the clause, only an adverb before the verb: in "卷积核粒度与通道粒度
                  属于粗粒度剪枝" 通道 is no subject); before a method noun B must be the whole
                  modifier: "是一种正则化方法" (IS_A 正则化), not "是一种自适应学习率方法"
- PART_OF         A由 B1, B2 … 组成/构成,  A包括/包含 B1、B2
- ADDRESSES       A … 防止/避免/解决/缓解/克服/抑制/消除 B  (减少/减轻/降低/改善 weaker)
- CONTRASTS_WITH  A和/与 B 的区别/不同/对比,  A比B,  A相比B,  与B不同/相反

When a pattern has no subject in its clause ("…,避免梯度消失的问题"), the subject is the concept
that opens the sentence, else the question's single topic, at lower confidence. Confidence
reflects the pattern's strength; evidence is the sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from zhitu.graph.model import Evidence, Origin, Relation, RelationType
from zhitu.ingest.mentions import Located
from zhitu.text.normalize import normalize

MARK = 0xE000
M = "[\ue000-\uf8ff]"  # one concept marker
_BREAK = ",;:。!?"  # clause breaks after NFKC (，；： become ,;:)
MAX_EVIDENCE_CHARS = 300

_SUBJECT = re.compile(rf"^(?:而且|而|但是|但|所以|因此|同时|此外|另外|并且|其中|总之|即)?\s*({M})")
_BAD_PREFIX = ("在", "对于", "对", "从", "当", "随着", "针对", "由于", "与", "和", "相比", "比",
               "除了", "像", "如")

_IS_A_KEYS = re.compile(rf"({M})([^\ue000-\uf8ff{_BREAK}]{{0,4}}?)"
                        rf"(是一种|是一类|属于一种|属于)([^{_BREAK}]*)")
_IS_A_OF = re.compile(rf"({M})([^\ue000-\uf8ff{_BREAK}]{{0,4}}?)是([^{_BREAK}]*?)({M})"
                      rf"[^\ue000-\uf8ff{_BREAK}]{{0,3}}?的一种(?!推广|泛化|扩展)")
# what may open a clause before its subject: a connective, list numbering, emphasis marks
_OPENER = re.compile(r"^[\s*>#\-\d.、()（）]*(?:而且|而|但是|但|所以|因此|同时|此外|另外|并且|其中|"
                     r"总之|即|比如|例如)?[\s*]*$")
_ADVERBS = re.compile(r"^(?:也|还|则|就|都|又|本身|其实|实际上|通常|一般|本质上|可以说|就是)?$")
_APPOSITION = re.compile(r"[()（）]|模型|网络|算法|方法")  # "X模型(X)": one subject named twice
_WHERE = re.compile(r"在|中|由|用|提出")  # "X是在Y中提出的一种…": Y is where, not what
_IS_A_BARE = re.compile(rf"(?:^|[{_BREAK}])\s*(?:也|还|它|其)?是一种([^{_BREAK}]*)")
_PART_MADE = re.compile(rf"({M})([^\ue000-\uf8ff{_BREAK}]{{0,3}}?)由([^;。!?]*?)(?:组成|构成)")
_PART_HAS = re.compile(rf"({M})([^\ue000-\uf8ff{_BREAK}(]{{0,3}}?)(?:包括|包含)了?:?\s*"
                       rf"((?:{M}\s*(?:[、,和与及或]|以及)?\s*)+)")
_ADDRESS_STRONG = ("防止", "避免", "解决", "缓解", "克服", "抑制", "消除")
_ADDRESS_WEAK = ("减少", "减轻", "降低", "改善")
_ADDRESS = re.compile("(" + "|".join(_ADDRESS_STRONG + _ADDRESS_WEAK) + ")")
# what may follow the object of 防止/避免…: a break, a list, "(的)问题/现象", another alias
_TARGET_END = re.compile(rf"(?:\s*(?:[{_BREAK}、)]|$|和|与|及|以及|等|{M}"
                         r"|的?(?:问题|现象|风险|影响|方法|手段|措施|技巧|策略)))")
# a noun phrase ending in one of these names a kind of method ("正则化方法")
_METHOD_NOUN = re.compile(r"(?:方法|算法|技术|策略|机制|技巧|手段|方式)$")
_NP_OPEN = "的、,和与及或"  # what may stand right before a method's modifier: 常用的正则化方法
_NEGATION = re.compile(r"(?:不|无法|没有|未|难以|不能)\S{0,2}$")
_CONTRAST_LIST = re.compile(rf"({M}(?:\s*(?:和|与|跟|同|及|以及|、|,|vs\.?)\s*{M})+)"
                            rf"[^{_BREAK}]{{0,6}}?(?:区别|不同|差异|异同|对比|比较|相比|优劣|优缺点|不一样)")
_CONTRAST_THAN = re.compile(rf"({M})[^\ue000-\uf8ff{_BREAK}]{{0,3}}?比(?![较例如值率重特])"
                            rf"[^\ue000-\uf8ff{_BREAK}]{{0,2}}?({M})")
_CONTRAST_VERSUS = re.compile(rf"({M})\s*(?:相比于|相较于|相对于|相比|相较|对比)\s*({M})")
_CONTRAST_WITH = re.compile(rf"(?:与|和|跟|同)\s*({M})[^\ue000-\uf8ff{_BREAK}]{{0,2}}?"
                            r"(?:相比|相较|比较|对比|不同|相反)")


@dataclass(frozen=True)
class _Sentence:
    """A sentence as a template: markers stand for concepts, offsets for the original text."""

    template: str
    concepts: list[str]
    text: str

    def concept(self, marker: str) -> str:
        return self.concepts[ord(marker) - MARK]

    def markers(self, part: str) -> list[str]:
        return [ch for ch in part if MARK <= ord(ch) < MARK + len(self.concepts)]


@dataclass(frozen=True)
class Context:
    """What the lexicon says about concepts, used to read a pattern.

    problems: concepts the lexicon has something address (overfitting, 梯度消失 …): the only
      objects of the weak verbs 减少/减轻/降低/改善 ("降低学习率" is an action, not a fix);
    parents: concepts with curated kinds: "激活函数包括sigmoid、tanh" lists kinds, not parts;
    categories: concept -> category: contrasts read from 比/相比 or borrowed subjects must stay
      within one category ("收敛比sigmoid快" compares tanh's convergence, not 收敛 and sigmoid).
    """

    problems: frozenset[str] = frozenset()
    parents: frozenset[str] = frozenset()
    categories: dict[str, str] | None = None

    def comparable(self, a: str, b: str) -> bool:
        cats = self.categories or {}
        return cats.get(a) == cats.get(b)


def _template(text: str, start: int, end: int, found: list[Located]) -> _Sentence:
    parts: list[str] = []
    concepts: list[str] = []
    pos = start
    for loc in found:
        if loc.start < pos or loc.end > end or len(concepts) >= 0x18FF:
            continue
        parts.append(normalize(text[pos:loc.start]))
        parts.append(chr(MARK + len(concepts)))
        concepts.append(loc.concept)
        pos = loc.end
    parts.append(normalize(text[pos:end]))
    return _Sentence("".join(parts), concepts, text[start:end][:MAX_EVIDENCE_CHARS])


def _clean_gap(gap: str) -> bool:
    """A gap between a subject and its verb: short and not a possessive ("RNN的输出是…")."""
    return "的" not in gap


def _head(sent: _Sentence, part: str, max_tail: int = 4) -> str | None:
    """The concept heading a noun phrase: its last marker, with at most a short tail after it.

    Before a method noun the concept must open the modifier ("一种常用的②方法"); one modified
    itself ("一种自适应②方法": an adaptive-learning-rate method) only qualifies the method.
    """
    marks = sent.markers(part)
    if not marks:
        return None
    last = marks[-1]
    before, tail = part[:part.rindex(last)].strip(), part[part.rindex(last) + 1:].strip()
    if len(tail) > max_tail or "的" in tail or _ADDRESS.search(part):
        return None
    if _METHOD_NOUN.search(tail) and before and before[-1] not in _NP_OPEN:
        return None
    return sent.concept(last)


def _subject(sent: _Sentence, topic: str | None, before: int) -> tuple[str | None, float]:
    """Who a subject-less clause talks about: the concept opening the sentence, else the topic.

    Returns the concept and a confidence factor (1.0 same clause, lower when borrowed).
    """
    m = _SUBJECT.match(sent.template)
    if m and m.start(1) < before:
        return sent.concept(m.group(1)), 0.85
    return topic, 0.75


def _heads_clause(sent: _Sentence, start: int, gap: str) -> bool:
    """The concept at `start` is the head noun of its clause's subject: it opens the clause
    (after a connective, a list mark, or itself named another way: "循环神经网络模型(RNN)是一种")
    and only an adverb stands before the verb. "卷积核粒度与通道粒度属于粗粒度剪枝" makes 通道
    no kind of 剪枝: 粒度 is the head noun."""
    t = sent.template
    clause = t[max(t.rfind(ch, 0, start) for ch in _BREAK) + 1:start]
    itself = sent.concept(t[start])
    clause = "".join(ch for ch in clause if not (sent.markers(ch) and sent.concept(ch) == itself))
    clause = _APPOSITION.sub("", clause)
    return bool(_OPENER.match(clause)) and bool(_ADVERBS.match(_APPOSITION.sub("", gap).strip()))


def _is_a(sent: _Sentence, topic: str | None) -> Iterator[tuple[RelationType, str, str, float]]:
    t = sent.template
    for m in _IS_A_KEYS.finditer(t):
        if _clean_gap(m.group(2)) and _heads_clause(sent, m.start(1), m.group(2)):
            head = _head(sent, m.group(4))
            if head:
                yield RelationType.IS_A, sent.concept(m.group(1)), head, 0.8
    for m in _IS_A_OF.finditer(t):
        if (_clean_gap(m.group(2)) and _heads_clause(sent, m.start(1), m.group(2))
                and not _ADDRESS.search(m.group(3)) and not _WHERE.search(m.group(3))):
            yield RelationType.IS_A, sent.concept(m.group(1)), sent.concept(m.group(4)), 0.8
    for m in _IS_A_BARE.finditer(sent.template):
        head = _head(sent, m.group(1))
        subject, factor = _subject(sent, topic, m.start())
        if head and subject:
            yield RelationType.IS_A, subject, head, 0.75 * factor


def _part_of(sent: _Sentence, ctx: Context) -> Iterator[tuple[RelationType, str, str, float]]:
    for m in _PART_MADE.finditer(sent.template):
        parts = sent.markers(m.group(3))
        filler = re.sub(rf"{M}|[、,和与及或\s]|以及", "", m.group(3))
        if _clean_gap(m.group(2)) and parts and len(filler) <= 8:
            for p in parts:
                yield RelationType.PART_OF, sent.concept(p), sent.concept(m.group(1)), 0.8
    for m in _PART_HAS.finditer(sent.template):
        whole = sent.concept(m.group(1))
        if _clean_gap(m.group(2)) and whole not in ctx.parents:
            for p in sent.markers(m.group(3)):
                yield RelationType.PART_OF, sent.concept(p), whole, 0.5


def _addresses(sent: _Sentence, topic: str | None,
               ctx: Context) -> Iterator[tuple[RelationType, str, str, float]]:
    t = sent.template
    for m in _ADDRESS.finditer(t):
        if _NEGATION.search(t[max(0, m.start() - 4):m.start()]):
            continue
        strong = m.group(1) in _ADDRESS_STRONG
        target = _target(sent, m.end())
        if target is None or not (strong or target in ctx.problems):
            continue
        clause_start = max(t.rfind(ch, 0, m.start()) for ch in _BREAK) + 1
        subject, factor = None, 1.0
        for i in range(clause_start, m.start()):
            if sent.markers(t[i]) and not t[clause_start:i].endswith(_BAD_PREFIX):
                subject = sent.concept(t[i])
                break
        if subject is None:
            subject, factor = _subject(sent, topic, clause_start)
            if subject in ctx.problems:
                continue  # a borrowed subject that is itself a problem fixes nothing
        if subject:
            yield RelationType.ADDRESSES, subject, target, (0.7 if strong else 0.5) * factor


def _target(sent: _Sentence, pos: int) -> str | None:
    """The object of a verb at pos: the first concept within reach, ending its noun phrase.

    "解决RNN的梯度消失" (RNN owns the problem) and "防止过拟合的正则化方法" (a relative clause)
    look alike, so a concept followed by 的 and another concept gives no object at all.
    """
    t = sent.template
    end = min([i for i in (t.find(ch, pos) for ch in _BREAK) if i >= 0] + [len(t)])
    for i in range(pos, min(end, pos + 5)):
        if re.search(r"方法|包括|是|有", t[pos:i]):
            return None  # "缓解方法包括降低学习率": the verb only names a kind of method
        if sent.markers(t[i]):
            if re.match(rf"\s*的\s*{M}", t[i + 1:end]) or not _TARGET_END.match(t, i + 1):
                return None
            return sent.concept(t[i])
    return None


def _contrasts(sent: _Sentence, topic: str | None,
               ctx: Context) -> Iterator[tuple[RelationType, str, str, float]]:
    t = sent.template
    for m in _CONTRAST_LIST.finditer(t):
        listed = list(dict.fromkeys(sent.concept(k) for k in sent.markers(m.group(1))))
        for i, a in enumerate(listed):
            for b in listed[i + 1:]:
                yield RelationType.CONTRASTS_WITH, a, b, 0.8
    for pattern in (_CONTRAST_THAN, _CONTRAST_VERSUS):
        for m in pattern.finditer(t):
            a, b = sent.concept(m.group(1)), sent.concept(m.group(2))
            if ctx.comparable(a, b):
                yield RelationType.CONTRASTS_WITH, a, b, 0.7
    for m in _CONTRAST_WITH.finditer(t):
        b = sent.concept(m.group(1))
        before = re.search(rf"({M})[^\ue000-\uf8ff{_BREAK}]{{0,3}}$", t[:m.start()])
        if before:
            a, confidence = sent.concept(before.group(1)), 0.7
        else:
            a, factor = _subject(sent, topic, m.start())
            confidence = 0.75 * factor
        if a and ctx.comparable(a, b):
            yield RelationType.CONTRASTS_WITH, a, b, confidence


def sentence_relations(question_id: str, text: str, start: int, end: int, found: list[Located],
                       topic: str | None = None, ctx: Context | None = None) -> list[Relation]:
    """Pattern relations of one sentence text[start:end]; found: the text's concept occurrences.

    >>> from zhitu.ingest.mentions import Located
    >>> found = [Located(0, 4, "lstm"), Located(7, 10, "rnn")]
    >>> rels = sentence_relations("q1", "LSTM是一种RNN", 0, 10, found)
    >>> [(r.type.value, r.src, r.dst, r.confidence) for r in rels]
    [('IS_A', 'lstm', 'rnn', 0.8)]
    """
    inside = [f for f in found if f.start >= start and f.end <= end]
    if not inside or (len(inside) < 2 and topic is None):
        return []
    sent = _template(text, start, end, inside)
    ctx = ctx or Context()
    found_rels: dict[tuple[str, str, str], Relation] = {}
    for kind, src, dst, confidence in (*_is_a(sent, topic), *_part_of(sent, ctx),
                                       *_addresses(sent, topic, ctx),
                                       *_contrasts(sent, topic, ctx)):
        if src == dst:
            continue
        if kind.undirected:
            src, dst = min(src, dst), max(src, dst)
        rel = Relation(kind, src, dst, round(confidence, 3), Origin.PATTERN,
                       [Evidence(question_id, sent.text)])
        old = found_rels.get(rel.key)
        if old is None or old.confidence < rel.confidence:
            found_rels[rel.key] = rel
    return list(found_rels.values())
