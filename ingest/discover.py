"""Domain terms a bank uses that the lexicon lacks, ranked by how specific they are.

Three sources, per question: definitional patterns (中文名(English Name, ABBR), X是指…, X是一种…,
X又称/也叫 Y), Latin terms and acronyms (EM, SOM, MMDetection, YOLOv3) and jieba's noun tokens
with the compounds of two adjacent ones (candidate terms from ingest.scan). A term's score is
C-value-like termhood (longer terms count more, terms nested in a longer candidate lose what
the longer one explains) times log(document frequency) times its specificity against jieba's
general dictionary (a word frequent there, 算法, 样本, 场景, is no domain term). Plural and
hyphen/space forms fold to one term; a term that is a lexicon surface or rejected by the user is
skipped. The best terms become concepts with source "discovered".
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ahocorasick_rs import AhoCorasick, MatchKind

from zhitu.graph.model import Concept, Question
from zhitu.ingest.curate import slug
from zhitu.ingest.lexicon import Lexicon
from zhitu.ingest.mentions import Located
from zhitu.text import segment
from zhitu.text.normalize import normalize

GENERIC_PART = 50  # a compound of words this frequent (训练+样本, 算法+流程) is no term
MIN_QUESTIONS = 2  # a term must appear in this many questions (a defined one: 1)
MAX_CONCEPTS = 60  # discovered terms that join the graph as concepts, best first
MIN_CONFIDENCE = 0.5  # and only from this confidence on
BACKGROUND_COMMON = 5  # jieba's dictionary frequency at which a word's specificity halves
_PAREN = re.compile(r"([\u4e00-\u9fff][\u4e00-\u9fffA-Za-z0-9]{1,11})\s*[（(]\s*"
                    r"([A-Za-z][A-Za-z0-9 .'\-]{2,60}?)"
                    r"(?:\s*[,，;；]\s*(?:简称\s*)?([A-Za-z][A-Za-z0-9\-]{1,15}))?\s*[)）]")
_DEFINE = re.compile(r"(?:^|[。！？\n>*])\s*"
                     r"([\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z0-9\- ]{1,14}?)"
                     r"\s*(?:\*\*)?\s*(?:是指|指的是|是一种|是一类|又称|也叫|也称|简称)")
_ALSO = re.compile(r"([\u4e00-\u9fffA-Za-z0-9\-]{2,14})\s*(?:又称|也叫|也称|简称)\s*"
                   r"[“\"「]?([\u4e00-\u9fffA-Za-z0-9\-]{2,14})")
_LATIN = re.compile(r"(?<![A-Za-z0-9_.\\{$])(?:[A-Z][a-z]*[A-Z][A-Za-z0-9\-]*|[A-Z]{2,}[a-z]?s?|"
                    r"[A-Za-z]{2,}[\-]?v?\d+(?:\.\d)?[A-Za-z]*)(?![A-Za-z0-9_(])")
_CODE = re.compile(r"```.*?(?:```|$)|\$\$.*?\$\$|\$[^$\n]{1,200}\$|`[^`\n]*`", re.DOTALL)
_LATIN_NOISE = frozenset(
    "ok id http https www png jpg pdf api gpu cpu url html todo ps eg ie vs pp et al ms cm mm kb "
    "mb gb tb fig table ch cn com org net io py md to of in on at is it or and the for nan inf mask"
    .split())
_FUNCTION = re.compile(r"[的了是为用在和与及即称叫出种个把被对从将其这那有中并或而以于由到]")
_CJK_STOP = re.compile(r"^[第一二三四五六七八九十几多每各该此其本这那对从以将把被维个]"
                       r"|[的了是在和与及或等们]$")


@dataclass
class Term:
    """A discovered term: its forms, where it appears, its best evidence and score."""

    name: str
    aliases: set[str] = field(default_factory=set)
    questions: set[str] = field(default_factory=set)
    frequency: int = 0
    defined: str = ""  # the sentence that defines it, if any
    example: str = ""
    examples: list[str] = field(default_factory=list)  # sentences of different uses, up to 3
    first: tuple[str, int] = ("", 0)  # (question id, offset) of the first occurrence
    score: float = 0.0
    confidence: float = 0.0
    category: str = ""
    left: Counter[str] = field(default_factory=Counter)  # the CJK character before each use


def fold_term(term: str) -> str:
    """The key a term's variants share: normalized, plural s and separators dropped.

    >>> fold_term("LSTMs") == fold_term("lstm")
    True
    >>> fold_term("Mode-Collapse") == fold_term("mode collapse")
    True
    """
    key = normalize(term).lower()
    key = re.sub(r"(?<=[a-z0-9])s$", "", key) if re.search(r"[a-z]{2}s$|[0-9a-z]s$", key) else key
    return re.sub(r"[\s\-_·.]", "", key)


def _background(word: str) -> int:
    """The word's frequency in jieba's general dictionary (0 when unknown)."""
    return segment.dictionary_frequencies().get(word, 0)


def _parts(term: str) -> list[str]:
    """The term cut into shorter dictionary words, longest first from the left (unknown: one
    character); jieba's dictionary also lists rare compounds (训练样本 3) as words.

    >>> _parts("训练样本"), _parts("超平面")
    (['训练', '样本'], ['超', '平面'])
    """
    out, i = [], 0
    while i < len(term):
        for j in range(min(len(term) - (i == 0), i + 4), i, -1):
            if j - i == 1 or _background(term[i:j]):
                out.append(term[i:j])
                i = j
                break
    return out


def _specificity(term: str) -> float:
    """1 for a word jieba's general dictionary does not know, towards 0 for everyday words."""
    if not re.search(r"[\u4e00-\u9fff]", term):
        return 1.0
    freq = _background(term)
    parts = _parts(term)
    generic_parts = len(parts) > 1 and all(len(p) > 1 and _background(p) > GENERIC_PART
                                           for p in parts)
    return (0.3 if generic_parts else 1.0) / (1.0 + freq / BACKGROUND_COMMON)


def _trim(run: str) -> str:
    """The term at the end of a run of characters: after the last function character that
    does not start a word with the next one (…提出的|人脸检测, but 对数似然 stays whole).

    >>> _trim("出了多层次特征金字塔网络"), _trim("对数似然")
    ('多层次特征金字塔网络', '对数似然')
    """
    for i in range(len(run) - 2, -1, -1):
        if _FUNCTION.match(run[i]) and not _background(run[i:i + 2]):
            return run[i + 1:]
    return run


def _sentence_of(text: str, sentences: list[tuple[int, int]], pos: int) -> str:
    return next((text[s:e] for s, e in sentences if s <= pos < e), "")[:200]


class Discovery:
    """Collects terms over a bank's questions, then ranks them."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.known = {fold_term(s) for s in lexicon.surfaces} | {
            fold_term(s) for s in lexicon.context_surfaces}
        self.rejected = {fold_term(s) for s in lexicon.rejected}
        self.terms: dict[str, Term] = {}
        self.cooccur: dict[str, Counter[str]] = defaultdict(Counter)
        self.texts: list[tuple[str, str]] = []  # (question id, normalized lower text)

    def _add(self, form: str, q: Question, pos: int, sentence: str, defined: bool = False,
             aliases: tuple[str, ...] = ()) -> str | None:
        form = form.strip(" -")
        key = fold_term(form)
        if (len(key) < 2 or key in self.known or key in self.rejected or key in _LATIN_NOISE
                or key.isdigit() or _CJK_STOP.search(form) or len(form) > 20):
            return None
        t = self.terms.get(key)
        if t is None:
            t = self.terms[key] = Term(form, first=(q.id, pos))
        t.aliases.add(form)
        t.aliases.update(a for a in aliases if fold_term(a) not in self.known)
        t.questions.add(q.id)
        t.frequency += 1
        if defined and not t.defined:
            t.defined = sentence
        if not t.example:
            t.example = sentence
        if sentence and len(t.examples) < 3 and sentence not in t.examples:
            t.examples.append(sentence)
        return key

    def add_question(self, q: Question, found: list[Located], sentences: list[tuple[int, int]],
                     terms: list[tuple[str, int]]) -> None:
        text = _CODE.sub(lambda m: " " * len(m.group()), q.text)  # code and formulas: no terms
        self.texts.append((q.id, normalize(text).lower()))
        keys: set[str] = set()
        for m in _PAREN.finditer(text):
            zh, en, abbr = m.group(1), m.group(2).strip(), m.group(3)
            sent = _sentence_of(text, sentences, m.start())
            zh = _trim(zh)
            named = (bool(abbr) or bool(re.search(r"[A-Z]", en))) and len(zh) <= 8
            k = self._add(zh, q, m.start(), sent, named, tuple(a for a in (en, abbr) if a))
            keys.add(k) if k else None
        for m in _DEFINE.finditer(text):
            if _FUNCTION.search(m.group(1)) or len(m.group(1)) > 10:
                continue  # "例如卷积核的具体参数就是…": a clause, not a term
            sent = _sentence_of(text, sentences, m.start(1))
            k = self._add(m.group(1), q, m.start(1), sent, True)
            keys.add(k) if k else None
        for m in _LATIN.finditer(text):
            if m.group().lower() not in _LATIN_NOISE and len(m.group()) <= 20:
                k = self._add(m.group(), q, m.start(), _sentence_of(text, sentences, m.start()))
                keys.add(k) if k else None
        for i, (term, pos) in enumerate(terms):
            if re.search(r"[\u4e00-\u9fff]", term):
                k = self._add(term, q, pos, _sentence_of(text, sentences, pos))
                keys.add(k) if k else None
            if i + 1 < len(terms) and terms[i + 1][1] == pos + len(term):  # adjacent: a compound
                both = term + terms[i + 1][0]
                k = self._add(both, q, pos, _sentence_of(text, sentences, pos))
                keys.add(k) if k else None
        for k in keys:
            for f in found:
                self.cooccur[k][f.concept] += 1

    def _merge_aliases(self) -> None:
        """A defined term's abbreviation or English name found apart is the same term."""
        for key, t in list(self.terms.items()):
            if key not in self.terms or not t.defined:
                continue
            for a in sorted(t.aliases):
                other = self.terms.get(fold_term(a))
                if other is not None and other is not t and not other.defined:
                    t.questions |= other.questions
                    t.frequency += other.frequency
                    del self.terms[fold_term(a)]

    def _recount(self) -> None:
        """Questions a term appears in, wherever jieba cut it apart (谱|聚类)."""
        forms: dict[str, str] = {}
        for key, t in self.terms.items():
            for form in (t.name, *sorted(t.aliases)):
                forms.setdefault(normalize(form).lower(), key)
        patterns = sorted(f for f in forms if len(f) >= 2)
        if not patterns:
            return
        ac = AhoCorasick(patterns, matchkind=MatchKind.LeftmostLongest)
        for qid, text in self.texts:
            for pid, s, e in ac.find_matches_as_indexes(text):
                form = patterns[pid]
                if (form[0].isascii() and s > 0 and text[s - 1].isalnum()) or (
                        form[-1].isascii() and e < len(text) and text[e].isalnum()):
                    continue
                t = self.terms[forms[form]]
                t.left[text[s - 1] if s > 0 and "\u4e00" <= text[s - 1] <= "\u9fff" else ""] += 1
                if qid not in t.questions:
                    t.questions.add(qid)
                    t.frequency += 1

    def ranked(self) -> list[Term]:
        """Terms in at least MIN_QUESTIONS questions (defined ones: 1), best first."""
        self._merge_aliases()
        self._recount()
        out = []
        for key, t in self.terms.items():
            df = len(t.questions)
            if df < (1 if t.defined else MIN_QUESTIONS):
                continue
            longer = [o for k, o in self.terms.items() if k != key and key in k
                      and len(o.questions) >= MIN_QUESTIONS]
            nested = sum(len(o.questions) for o in longer) / len(longer) if longer else 0.0
            termhood = math.log2(1 + len(key)) * math.log2(1 + max(0.5, df - nested))
            t.score = termhood * _specificity(t.name) * (1.5 if t.defined else 1.0)
            if len(t.name) <= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", t.name):
                t.score *= 0.5  # a two-character word is rarely a term of its own
            cats = Counter(self.lexicon.concepts[c].category for c in self.cooccur[key]
                           if c in self.lexicon.concepts and c not in self.lexicon.generic)
            t.category = cats.most_common(1)[0][0] if cats else "ml"
            out.append(t)
        out.sort(key=lambda t: (-t.score, t.name))
        top = out[0].score if out else 1.0
        for t in out:
            t.confidence = round(min(1.0, math.sqrt(t.score / top)), 3)
        return out


def _conceptual(t: Term, known: set[str]) -> bool:
    """Sure enough to be a concept: defined by a pattern; a Latin name of 3+ characters; or
    Chinese made of words jieba's dictionary knows (HMM fragments like 现网格效应 are not)."""
    if not re.search(r"[\u4e00-\u9fff]", t.name):
        parts = [p for p in re.split(r"[\s\-+/]", t.name) if p]
        if len(parts) > 1 and all(fold_term(p) in known for p in parts):
            return False  # two concepts written together (BiLSTM-CRF): left to its parts
        return t.defined or len(fold_term(t.name)) >= 3 and not t.name.isupper() or len(t.name) >= 4
    if len(t.name) < 3 or (_FUNCTION.search(t.name) and not t.defined):
        return False
    uses = sum(t.left.values())
    char, n = t.left.most_common(1)[0] if uses else ("", 0)
    if char and n >= 0.8 * uses:
        return False  # always after the same character: a piece of a longer word (对|数似然)
    parts = _parts(t.name)
    if len(parts) > 1 and all(len(p) > 1 and _background(p) > GENERIC_PART for p in parts):
        return False  # everyday words put together (训练+样本, 保持+一致)
    # words of two or more characters: a one-character affix makes a derivation (超|平面, 偏移|量)
    return t.defined or (all(len(p) > 1 and _background(p) > 0 for p in parts)
                         and _background(t.name) <= BACKGROUND_COMMON)


def to_concepts(terms: list[Term], lexicon: Lexicon) -> list[Concept]:
    """The best terms as discovered concepts (id: a slug of the name), ids unique."""
    concepts: list[Concept] = []
    taken = set(lexicon.concepts)
    known = {fold_term(s) for s in lexicon.surfaces}
    for t in terms:
        if len(concepts) >= MAX_CONCEPTS or t.confidence < MIN_CONFIDENCE:
            break
        if len(t.questions) < MIN_QUESTIONS or not _conceptual(t, known):
            continue  # a term of one question, a fragment or a bare abbreviation stays a candidate
        cid = slug(t.name)
        if cid in taken or not cid:
            continue
        taken.add(cid)
        aliases = sorted(a for a in t.aliases if a != t.name)
        concepts.append(Concept(cid, t.name, t.name, aliases, t.category,
                                summary=t.defined or t.example, source="discovered",
                                confidence=t.confidence))
    return concepts


def with_discovered(lexicon: Lexicon, concepts: list[Concept]) -> Lexicon:
    """The lexicon plus discovered concepts; a surface a curated concept owns stays its own."""
    from dataclasses import replace

    surfaces = {s: list(o) for s, o in lexicon.surfaces.items()}
    for c in concepts:
        for form in (c.name, *c.aliases):
            surfaces.setdefault(normalize(form), [c.id])
    return replace(lexicon, concepts={**lexicon.concepts, **{c.id: c for c in concepts}},
                   surfaces=surfaces)


def discover(questions: list[Question], found: list[list[Located]],
             sentences: list[list[tuple[int, int]]], terms: list[list[tuple[str, int]]],
             lexicon: Lexicon) -> list[Term]:
    """Every candidate term of a bank, best first (see the module docstring)."""
    d = Discovery(lexicon)
    for q, f, s, t in zip(questions, found, sentences, terms, strict=True):
        d.add_question(q, f, s, t)
    return d.ranked()
