"""The typed model shared by ingest, both stores, the study algorithms and the UI.

Nodes are Question and Concept; edges are Relation (concept -> concept, question -> question)
and Mention (question -> concept). Direction is meaning: see RelationType.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum, IntEnum


class RelationType(str, Enum):
    """Edge types. The value is the Neo4j relationship type (labels come only from here)."""

    PREREQUISITE_OF = "PREREQUISITE_OF"  # learn src before dst (concepts; questions: the reason
    # in plain Chinese is the evidence sentence, ingest.prereq)
    IS_A = "IS_A"  # src is a kind of dst
    PART_OF = "PART_OF"  # src is a component of dst
    ADDRESSES = "ADDRESSES"  # src solves or mitigates dst
    CONTRASTS_WITH = "CONTRASTS_WITH"  # undirected, stored once with src < dst
    # concepts: undirected co-occurrence, weight = NPMI, src < dst; questions: src's stored
    # related list (ingest.related), weight = score, evidence = the reason
    RELATED_TO = "RELATED_TO"
    MENTIONS = "MENTIONS"  # question -> concept

    @property
    def undirected(self) -> bool:
        return self in (RelationType.CONTRASTS_WITH, RelationType.RELATED_TO)


CONCEPT_RELATIONS = (
    RelationType.PREREQUISITE_OF,
    RelationType.IS_A,
    RelationType.PART_OF,
    RelationType.ADDRESSES,
    RelationType.CONTRASTS_WITH,
    RelationType.RELATED_TO,
)


class Label(str, Enum):
    """Node labels (Neo4j labels come only from here)."""

    QUESTION = "Question"
    CONCEPT = "Concept"
    META = "ZhituMeta"  # one node: what the graph was built from (GraphStore.meta)


class Origin(str, Enum):
    """Where a relation came from; stored as the edge's `source` property."""

    LEXICON = "lexicon"
    PATTERN = "pattern"
    COOCCURRENCE = "cooccurrence"
    INFERRED = "inferred"
    DISCOVERED = "discovered"  # found in the bank itself (ingest.discover), not curated
    USER = "user"


class Level(IntEnum):
    """Question level: the order among questions on the same topic."""

    DEFINITION = 0  # 是什么 / 定义
    PRINCIPLE = 1  # 原理 / 作用 / 为什么
    COMPARISON = 2  # 比较 / 区别 / 优缺点
    DERIVATION = 3  # 公式 / 推导 / 实现 / 代码


@dataclass(frozen=True)
class Evidence:
    """A sentence of a question that supports a relation."""

    question_id: str
    sentence: str


@dataclass
class Question:
    id: str
    title: str
    answer: str
    analysis: str = ""
    sources: list[str] = field(default_factory=list)  # "path:line", first is the primary one
    level: Level = Level.PRINCIPLE
    topic: str = ""  # section path, e.g. "循环神经网络 / LSTM"
    tags: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Everything searchable about the question."""
        return "\n".join(p for p in (self.title, self.answer, self.analysis) if p)


@dataclass
class Concept:
    id: str  # lexicon slug: "lstm", "batch-norm"
    name: str  # display name, the form learners use: "LSTM", "梯度消失"
    zh: str  # Chinese name
    aliases: list[str] = field(default_factory=list)
    category: str = ""
    summary: str = ""
    minutes: int | None = None
    source: str = "lexicon"  # "lexicon", "user" (the learner's overlay) or "discovered"
    confidence: float | None = None  # a discovered concept's termhood, 0..1


@dataclass
class Relation:
    """A concept->concept or question->question edge."""

    type: RelationType
    src: str
    dst: str
    confidence: float
    source: Origin
    evidence: list[Evidence] = field(default_factory=list)
    weight: float | None = None  # NPMI for RELATED_TO

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.type.value, self.src, self.dst)


@dataclass
class Mention:
    """A question mentions a concept: counts, title flag, weight and character positions."""

    question_id: str
    concept_id: str
    count: int
    in_title: bool
    weight: float = 1.0
    positions: list[int] = field(default_factory=list)  # offsets in Question.text
    focus: bool = False  # one of the 1-3 concepts the question is about (ingest.focus)
    shown: bool = True  # a tag of the question; False for a weak mention in passing


def focus_concepts(mentions: list[Mention], question_id: str | None = None) -> list[str]:
    """The focus concept ids of a question's mentions, heaviest first (old graphs: none).

    >>> rnn = Mention("q", "rnn", 1, True, 3.0, focus=True)
    >>> focus_concepts([rnn, Mention("q", "gru", 1, False)])
    ['rnn']
    """
    ms = [m for m in mentions if m.focus and (question_id is None or m.question_id == question_id)]
    return [m.concept_id for m in sorted(ms, key=lambda m: (-m.weight, m.concept_id))]


def question_tags(mentions: list[Mention]) -> list[str]:
    """A question's tags: focus concepts first, then the other shown mentions by weight.

    >>> b = Mention("q", "b", 1, True, 1.0, focus=True)
    >>> question_tags([Mention("q", "a", 1, False, 2.0), b,
    ...                Mention("q", "c", 1, False, 0.5, shown=False)])
    ['b', 'a']
    """
    ms = [m for m in mentions if m.shown or m.focus]
    return [m.concept_id for m in sorted(ms, key=lambda m: (not m.focus, -m.weight, m.concept_id))]


def spaced(name: str) -> str:
    """A name inside a Chinese reason: a Latin name gets a space on each side (see `say`)."""
    return f" {name} " if name[:1].isascii() or name[-1:].isascii() else name


def say(text: str) -> str:
    """A reason in plain Chinese: spaces only between Latin and Chinese words.

    >>> say(f"先弄懂{spaced('RNN')}，才能理解{spaced('LSTM')}的门")
    '先弄懂 RNN，才能理解 LSTM 的门'
    """
    text = re.sub(r"\s+", " ", text)
    return re.sub(r" (?=[，。、）)」])|(?<=[，。、（(「]) ", "", text).strip()


@dataclass
class GraphData:
    """Everything ingest produces and a store holds."""

    questions: dict[str, Question] = field(default_factory=dict)
    concepts: dict[str, Concept] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)

    def relation_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.relations:
            counts[r.type.value] = counts.get(r.type.value, 0) + 1
        if self.mentions:
            counts[RelationType.MENTIONS.value] = len(self.mentions)
        return dict(sorted(counts.items()))


# --- query results (the same for every store) ---


@dataclass(frozen=True)
class QuestionRef:
    id: str
    title: str


@dataclass
class ChainStep:
    """One prerequisite question of a chain, with the concept link that put it there."""

    question: QuestionRef
    via: str  # e.g. "RNN → LSTM" or "RNN" (same topic, lower level)


@dataclass
class RelatedQuestion:
    question: QuestionRef
    score: float
    shared: list[str]  # concept names that explain the score


@dataclass
class SearchHit:
    question: QuestionRef
    score: float


@dataclass
class PlanStep:
    concept: Concept
    questions: list[QuestionRef]
    minutes: int | None = None
    has_questions: bool = False  # False: a step to read about, no question asks it (foldable)


@dataclass
class StudyPlan:
    steps: list[PlanStep]
    next: list[Concept]  # concepts whose prerequisites are all known
    cycles: list[list[str]]  # concept ids condensed because extracted prerequisites loop
    total_minutes: int | None = None
    edges: list[tuple[str, str]] = field(default_factory=list)  # (before, after) among steps


@dataclass
class Neighborhood:
    center: str
    concepts: list[Concept]
    relations: list[Relation]
