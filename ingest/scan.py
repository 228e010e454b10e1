"""What each question gives on its own, computed here or in a pool of forked processes.

For one question: its concept occurrences and mentions, sentences, topics, and one jieba pass
that yields both its candidate terms (new words, not inside a mention) and its search document
(text.terms.document_terms). Corpus-wide work (relations, question prerequisites) needs all of
them and stays in ingest.pipeline.

From PARALLEL_CHARS characters of question text on, with several cores, chunks of CHUNK
questions go to a pool of forked processes (ZHITU_WORKERS overrides the count; 1 means no pool).
The threshold is measured (issue 19): forking and returning the results costs about 0.1 s, a
second core saves about half of 1.2 µs per character. This process sets up jieba (with the
lexicon's words) before forking, so the workers start from it instead of each loading it again;
the pool returns what the serial loop returns. Fork is unsafe with threads running, so a
threaded process (the Streamlit server) and platforms without fork scan serially.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ahocorasick_rs import AhoCorasick

from zhitu.graph.model import Level, Mention, Question, Relation
from zhitu.ingest import forked
from zhitu.ingest.lexicon import Lexicon
from zhitu.ingest.mentions import Located, automaton_for, locate, split_sentences, to_mentions
from zhitu.ingest.prereq import ancestors_map, question_topics
from zhitu.ingest.relations import Doc, doc_patterns, pattern_context
from zhitu.text import segment
from zhitu.text.fold import folded
from zhitu.text.normalize import normalize
from zhitu.text.terms import document_terms, is_folded, prefold, token_terms

Progress = Callable[[int, int], None]
PARALLEL_CHARS = 300_000  # characters of question text from which a process pool scans them
CHUNK = 250  # questions a pool worker scans at a time
WORKERS_ENV = "ZHITU_WORKERS"  # processes for the scan (1 = no pool)
# title words -> level; the highest level found wins ("优势是什么" is a comparison)
LEVEL_WORDS = (
    (Level.DERIVATION, re.compile(r"公式|推导|实现|代码|(?<!刻)画|手写|写出|证明"
                                  r"|(?<![流式行时云线缘构能])计算(?!机|量|复杂|资源|开销|效率|速度|成本|负担)")),
    (Level.COMPARISON, re.compile(r"比较|区别|不同|优缺点|好在哪|优势|优点|缺点|劣势|对比|异同|差异"
                                  r"|相比|vs|存在.{0,4}问题|有什么问题|有哪些问题|局限",
                                  re.IGNORECASE)),
    (Level.PRINCIPLE, re.compile(r"原理|作用|为什么|为何|如何|怎么|怎样|原因|意义|目的|思想|影响")),
    (Level.DEFINITION, re.compile(r"是什么|什么是|定义|介绍|简述|概念|含义|是指|指什么")),
)
_ACRONYM = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9-]*[A-Z][A-Za-z0-9-]*[A-Z][A-Za-z0-9-]*"
                      r"(?![A-Za-z0-9])")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# a new word jieba's HMM glued to a function character ("再用", "时要", "更鲁棒") is no term
_FUNCTION_CHARS = ("的了是在有和与时用要还会更越中上为取再变"
                   "就都也被把对从而及或等很最可能将让使其")
_GLUED = re.compile(f"[{_FUNCTION_CHARS}]")


def level_of(title: str) -> Level:
    """The level a title asks for; a bare term or "X的操作" is a definition.

    >>> level_of("什么是RNN"), level_of("LSTM每个门的计算公式"), level_of("BN的作用是什么")
    (<Level.DEFINITION: 0>, <Level.DERIVATION: 3>, <Level.PRINCIPLE: 1>)
    >>> level_of("什么是实时流计算？"), level_of("如何计算卷积的输出尺寸")
    (<Level.DEFINITION: 0>, <Level.DERIVATION: 3>)
    >>> level_of("RNN 存在什么问题？"), level_of("什么是梯度消失问题")
    (<Level.COMPARISON: 2>, <Level.DEFINITION: 0>)
    """
    for level, words in LEVEL_WORDS:
        if words.search(title):
            return level
    return Level.DEFINITION


@dataclass
class QuestionScan:
    """What one question gives on its own."""

    found: list[Located]
    mentions: list[Mention]
    sentences: list[tuple[int, int]]
    topics: list[str]
    terms: list[tuple[str, int]]  # candidate terms: new words and their offsets in the text
    document: str  # the question's search document
    patterns: list[Relation]  # relations its sentences state (relations.doc_patterns)


class Scanner:
    """Analyses questions against one lexicon (jieba gets its words on the first question)."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.auto = automaton_for(lexicon)
        self.ancestors = ancestors_map(lexicon.relations)
        self.context = pattern_context(lexicon)
        self._unknown: dict[str, bool] = {}  # term -> not known, not everyday, not wording

    def __call__(self, q: Question) -> QuestionScan:
        text = q.text
        found = locate(text, self.auto)
        sentences = split_sentences(text)
        mentions = to_mentions(q, found, sentences, self.lexicon.generic, self.topic_concepts(q))
        # the title and the rest are cut apart, as search cuts them; prefold keeps offsets
        cut = len(q.title)
        pieces = (prefold(text[:cut]), prefold(text[cut:]))
        title, body = [segment.token_spans(p, self.lexicon.vocabulary) for p in pieces]
        document = document_terms(token_terms([w for w, _, _ in title], is_folded(pieces[0])),
                                  token_terms([w for w, _, _ in body], is_folded(pieces[1])))
        doc = Doc(q, found, mentions, sentences,
                  question_topics(q, found, mentions, self.ancestors))
        return QuestionScan(found, mentions, doc.sentences, doc.topics,
                        self._terms(text, [(title, 0), (body, cut)], found), document,
                        doc_patterns(doc, self.context))

    def topic_concepts(self, q: Question) -> set[str]:
        """The concepts the question's own section heading (the topic's last part) names."""
        last = q.topic.rsplit("/", 1)[-1].strip() if q.topic else ""
        return {f.concept for f in locate(last, self.auto)} if last else set()

    def _terms(self, text: str, pieces: list[tuple[list[tuple[str, str, int]], int]],
               found: list[Located]) -> list[tuple[str, int]]:
        """Noun keywords and Latin acronyms outside concept mentions and the lexicon; pieces:
        the token spans of each part of the text and where the part starts."""
        terms = [(text[at + p:at + p + len(w)], at + p) for spans, at in pieces
                 for w, t, p in spans
                 if t in segment.NOUN_TAGS and len(w) >= 2 and _CJK.search(w)
                 and not (t == "nw" and _GLUED.search(w))]
        terms += [(m.group(), m.start()) for m in _ACRONYM.finditer(text)]
        starts = [f.start for f in found]
        out = []
        for term, pos in terms:
            i = bisect_right(starts, pos) - 1
            if not (i >= 0 and found[i].end > pos) and self._new(term):
                out.append((term, pos))
        return out

    def _new(self, term: str) -> bool:
        """Not in the lexicon, not everyday, not the question's own wording (优缺点, 计算公式)."""
        if term not in self._unknown:
            self._unknown[term] = not (
                normalize(term) in self.lexicon.surfaces
                or normalize(term) in self.lexicon.context_surfaces or segment.is_common(term)
                or any(words.search(term) for _, words in LEVEL_WORDS))
        return self._unknown[term]


def rescan(questions: list[Question], scans: list[QuestionScan], lexicon: Lexicon,
           before: Scanner | None = None) -> None:
    """Find the mentions again with an extended lexicon (discovered concepts), in place; the
    terms, search documents and pattern relations of the first scan stay.

    before: the first scan's scanner. A question whose text and section heading hold none
    of the surfaces the extension added or changed keeps what the first scan found (matching
    reads only the surfaces a text holds), unless the extension changed what an old concept is
    related to; then every question is scanned again."""
    scanner = Scanner(lexicon)
    changed = _changed(before, scanner) if before is not None else None
    for q, a in zip(questions, scans, strict=True):
        if changed is not None and not _touched(q, changed):
            continue
        a.found = locate(q.text, scanner.auto)
        a.mentions = to_mentions(q, a.found, a.sentences, lexicon.generic,
                                 scanner.topic_concepts(q))
        a.topics = question_topics(q, a.found, a.mentions, scanner.ancestors)


def _changed(old: Scanner, new: Scanner) -> AhoCorasick | None:
    """An automaton of the folded surfaces `new` reads otherwise than `old` (added, or with
    other owners or checks). None when every question must be scanned again: nothing changed,
    or an old concept got other neighbours or ancestors than new concepts (a new concept only
    counts in a text where one of its surfaces is), or other generic or not_near words."""
    known = old.lexicon.concepts.keys()
    if (not _grew_by_new(old.auto.neighbors, new.auto.neighbors, known)
            or not _grew_by_new(old.ancestors, new.ancestors, known)
            or old.lexicon.generic != new.lexicon.generic
            or old.lexicon.not_near != new.lexicon.not_near):
        return None
    patterns: set[str] = set()
    for x, y in ((old.auto.ordinary, new.auto.ordinary),
                 (old.auto.contextual, new.auto.contextual)):
        was = dict(zip(x.patterns, zip(x.owners, x.flags, strict=True), strict=True))
        now = dict(zip(y.patterns, zip(y.owners, y.flags, strict=True), strict=True))
        patterns |= {p for p in was.keys() | now.keys() if was.get(p) != now.get(p)}
    return AhoCorasick(sorted(patterns)) if patterns else None


def _grew_by_new(old: dict[str, set[str]], new: dict[str, set[str]],
                 known: Iterable[str]) -> bool:
    """Each known concept's set in `new` is its set in `old` plus concepts not known."""
    known = set(known)
    return all(old.get(c, set()) <= new.get(c, set())
               and known.isdisjoint(new.get(c, set()) - old.get(c, set())) for c in known)


def _touched(q: Question, changed: AhoCorasick) -> bool:
    """The question's text or section heading holds a changed surface."""
    last = q.topic.rsplit("/", 1)[-1].strip() if q.topic else ""
    return any(changed.find_matches_as_indexes(folded(t)) for t in (q.text, last))


def text_size(questions: list[Question]) -> int:
    """Characters of question text to scan (what decides the pool)."""
    return sum(len(q.title) + len(q.answer) + len(q.analysis) for q in questions)


def workers_for(n: int, workers: int | None = None, chars: int | None = None) -> int:
    """Processes to analyse n questions of `chars` characters with: `workers`, else
    $ZHITU_WORKERS, else one per core from PARALLEL_CHARS characters on (without `chars`, n
    questions of the synthetic banks' 300 characters); 1 without fork or with threads running.

    >>> workers_for(10, 1), workers_for(900, chars=PARALLEL_CHARS - 1)
    (1, 1)
    """
    if workers is None:
        wanted = os.environ.get(WORKERS_ENV, "").strip()
        size = chars if chars is not None else n * 300
        workers = int(wanted) if wanted.isdigit() else (_cores() if size >= PARALLEL_CHARS else 1)
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return 1
    return max(1, min(workers, -(-n // CHUNK)))


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def scan(questions: list[Question], scanner: Scanner, workers: int = 1,
            progress: Progress | None = None) -> list[QuestionScan]:
    """Every question scanned by `scanner`, in order (rescan compares its extension with the
    same scanner). progress(2i, 2n) about 100 times (a question counts twice: mentions and
    terms, as the pipeline's progress always has)."""
    n = len(questions)
    step = max(1, n // 100)
    out: list[QuestionScan] = []

    def tick(done: int, before: int) -> None:
        if progress is not None and (done // step > before // step or done == n):
            progress(2 * done, 2 * n)

    segment.prepare(scanner.lexicon.vocabulary)  # before forking: the workers start from it
    if workers <= 1:
        for q in questions:
            out.append(scanner(q))
            tick(len(out), len(out) - 1)
        return out
    # at least four chunks a worker in a small bank: none waits long for the last one
    size = max(1, min(CHUNK, -(-n // (4 * workers))))
    for done in forked.chunks(scanner, questions, workers, size):
        out += done
        tick(len(out), len(out) - len(done))
    return out
