"""Domain terms a bank uses that the lexicon lacks, ranked by how specific they are.

Three sources, per question: definitional patterns (中文名(English Name, ABBR), X是指…, X是一种…,
X又称/也叫 Y), Latin terms and acronyms (EM, SOM, MMDetection, YOLOv3) and jieba's noun tokens
with the compounds of two adjacent ones (candidate terms from ingest.scan). A term's score is
C-value-like termhood (longer terms count more, terms nested in a longer candidate lose what
the longer one explains) times log(document frequency) times its specificity against jieba's
general dictionary (a word frequent there, 算法, 样本, 场景, is no domain term). Plural and
hyphen/space forms fold to one term; a term that is a lexicon surface or rejected by the user is
skipped; fragments, clauses, code and web noise are no candidates (Discovery._well_formed). A
question title about one thing names a term ("什么是门卷积"). The best terms, and every term a
title names, become concepts with source "discovered"; one IS_A the curated concept its name
ends in (_head), below the confidence that orders study.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice

from ahocorasick_rs import AhoCorasick, MatchKind

from zhitu.graph.model import Concept, Origin, Question, Relation, RelationType
from zhitu.ingest.curate import slug
from zhitu.ingest.lexicon import Lexicon
from zhitu.ingest.mentions import Located
from zhitu.text import segment
from zhitu.text.normalize import normalize

TITLE_GENERIC_PART = 1000  # the same for a term a title asks about (离散+表示 is one)
PLAIN_MODIFIER = 5000  # a word this frequent before a known term adds nothing (传统, 标准)
GENERIC_PART = 50  # a compound of words this frequent (训练+样本, 算法+流程) is no term
MIN_QUESTIONS = 2  # a term must appear in this many questions (a defined one: 1)
MAX_CONCEPTS = 60  # discovered terms that join the graph as concepts, best first
MIN_CONFIDENCE = 0.5  # and only from this confidence on
UNSURE = 0.2  # score factor of a candidate not sure enough to be a concept (_conceptual)
HEAD_CONFIDENCE = 0.45  # a discovered concept IS_A the concept its name ends in (below 0.5)
FRAGMENT = 0.7  # a term this often after the same character is a piece of a longer word
BACKGROUND_COMMON = 5  # jieba's dictionary frequency at which a word's specificity halves
_PAREN = re.compile(r"([\u4e00-\u9fff][\u4e00-\u9fffA-Za-z0-9]{1,11})\s*[（(]\s*"
                    r"([A-Za-z][A-Za-z0-9 .'\-]{2,60}?)"
                    r"(?:\s*[,，;；]\s*(?:简称\s*)?([A-Za-z][A-Za-z0-9\-]{1,15}))?\s*[)）]")
_ALIASING = ("又称", "也叫", "也称", "简称")
_DEFINING = ("是指", "指的是", "是一种", "是一类", *_ALIASING)
_DEFINE = re.compile(r"(?:^|[。！？\n>*])\s*"
                     r"([\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z0-9\- ]{1,14}?)"
                     r"\s*(?:\*\*)?\s*(?:" + "|".join(_DEFINING) + ")")
_ALSO = re.compile(r"([\u4e00-\u9fffA-Za-z0-9\-]{2,14})\s*(?:" + "|".join(_ALIASING) + r")\s*"
                   r"[“\"「]?([\u4e00-\u9fffA-Za-z0-9\-]{2,14})")
_LATIN = re.compile(r"(?<![A-Za-z0-9_.\\{$])(?<![A-Za-z0-9]-)(?<![A-Za-z0-9]\*\*)"
                    r"(?:[A-Z][a-z]*[A-Z][A-Za-z0-9\-]*|[A-Z]{2,}[a-z]?s?|"
                    r"[A-Za-z]{2,}[\-]?v?\d+(?:\.\d)?[A-Za-z]*)"
                    r"(?![A-Za-z0-9_(])(?!-[A-Za-z0-9])(?!\*\*[A-Za-z0-9])(?!\.[A-Za-z0-9])")
_LETTER = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_CODE = re.compile(r"```.*?(?:```|$)|\$\$.*?\$\$|\$[^$\n]{1,200}\$|`[^`\n]*`", re.DOTALL)
_LATIN_NOISE = frozenset(
    "ok id http https www png jpg pdf api gpu cpu url html todo ps eg ie vs pp et al ms cm mm kb "
    "mb gb tb fig table ch cn com org net io py md to of in on at is it or and the for nan inf mask"
    " github gitee wechat qq email arxiv zhihu csdn blog readme".split())
# web addresses, e-mail addresses and credit lines (作者, 贡献者, Editor: …) name no concept
_CREDIT = r"作者|贡献者|编辑|联系方式|微信|群号|Editor|Contact|Contributor|WeChat|e-?mail"
_NOT_TEXT = re.compile(r"https?://\S+|www\.\S+|[\w.\-]+@[\w\-]+\.[\w.]+|"
                       rf"^.*(?:{_CREDIT}).*$", re.IGNORECASE | re.MULTILINE)
_NOT_TEXT_HINT = re.compile(rf"http|www\.|@|{_CREDIT}", re.IGNORECASE)  # in every match of it
_GLUE = "上下不在从到也都就还再又地得"  # characters jieba's HMM glues onto a neighbouring word
_MATH_CALL = re.compile(r"^(?:log|ln|exp|sin|cos|tan|max|min|sum|arg)\d", re.IGNORECASE)
# words that open a clause, not a term: 也包括|输入层, 例如|全连接, 或者|拉普拉斯支持向量机
_LEAD_WORDS = frozenset(
    "也 还 并 即 如 例如 比如 譬如 包括 包含 通过 "
    "使用 利用 采用 基于 或者 或 和 与 及 以及 若 "
    "如果 最后 首先 然后 其中 其次 叫做 称为 称作 "
    "被称为 称 叫 是 为 的 了 在 对 将 把 从 用 "
    "由 等 支持 计算 常见 常用 一种 一个 这种 这个 该 此 其 "
    "提出 引入 加入 准备 描述 解决 所谓 又称 简称 "
    "就是 可以 能够 需要 进行 得到 使得 作为 属于 "
    "即为 代表 表示为 再 又 都 就 而 但 则 去".split())
_ASKING = re.compile(r"怎|如何|什么|为何|能否|是否|吗|呢|哪|几|多少|谁|啥")
# a question title asking about one thing: "什么是X", "X的原理", "X有哪些…" keep X
_TITLE_ASK = re.compile(
    r"^(?:什么是|何为|何谓|常见的|常见|常用的|常用|典型的|主流的|图解|直观理解|通俗理解|深入理解|浅谈|详解|简述一下|简述|简要介绍|介绍一下|介绍|请解释|解释一下|解释|说说|谈谈|"
    r"说一下|讲一下|如何理解|怎么理解|怎样理解|理解|简单介绍一下|简单介绍|简单说一下|简单说说|手写一下|手写|"
    r"手推一下|手推|阐述一下|阐述|详述|描述一下|描述|讲讲|聊聊|谈一下|说一说|你觉得|你知道)|"
    r"(?:是什么|是指什么|指什么|是啥|的工作原理|工作原理|的原理|原理|的作用|作用|有哪些.*|"
    r"有什么.*|的区别|区别|的优缺点|优缺点|存在的问题|的问题|的应用|的实现|代码实现|实现|的定义|"
    r"定义|案例|举例|简介|介绍|概述|的概念|概念|详解|结构|算法|思想|流程|过程|你会.*|你知道.*|"
    r"问题构成|的构成|构成|组成)$")
_FUNCTION = re.compile(r"[的了是为用在和与及即称叫出种个把被对从将其这那有中并或而以于由到]")
_CJK_STOP = re.compile(r"^[第一二三四五六七八九十几多每各该此其本这那对从以将把被维个"
                       r"地的得了和是着]"
                       r"|[的了是在和与及或等们级式地得着]$|效果$|情况$")


@dataclass
class Term:
    """A discovered term: its forms, where it appears, its best evidence and score."""

    name: str
    aliases: set[str] = field(default_factory=set)
    questions: set[str] = field(default_factory=set)
    frequency: int = 0
    defined: str = ""  # the sentence that defines it, if any
    titled: bool = False  # a question's title is about it ("什么是X", "X的原理")
    example: str = ""
    examples: list[str] = field(default_factory=list)  # sentences of different uses, up to 3
    first: tuple[str, int] = ("", 0)  # (question id, offset) of the first occurrence
    score: float = 0.0
    confidence: float = 0.0
    category: str = ""
    left: Counter[str] = field(default_factory=Counter)  # the CJK character before each use


@functools.lru_cache(maxsize=1 << 16)  # the same words come back in every question
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


def _head_term(run: str, tokens: list[tuple[str, str, int]]) -> str:
    """The term at the end of a run, cut at jieba's token boundaries after the last word that
    opens a clause (也包括|输入层, 双向图叫做|因子图, 例如|全连接).

    >>> _head_term("也包括输入层", [("也", "x", 0), ("包括", "x", 1), ("输入层", "n", 3)])
    '输入层'
    """
    start = 0
    for i, (word, _, pos) in enumerate(tokens):
        glued = len(word) == 1 and i + 1 < len(tokens) and len(tokens[i + 1][0]) == 1
        if word in _LEAD_WORDS or (len(word) == 1 and _FUNCTION.match(word) and not glued):
            start = pos + len(word)  # 有|向|无环图: single characters are one unknown word
    return run[start:]


def _english_alias(en: str) -> bool:
    """An English name in a definition is a safe alias when it cannot be an everyday word:
    several words, or capitals inside (Weight Decay, DCNNs), not one word like Input.

    >>> _english_alias("Spatial Pyramid Pooling"), _english_alias("SIMD"), _english_alias("Input")
    (True, True, False)
    """
    return len(re.findall(r"[A-Za-z]+", en)) > 1 or bool(re.search(r".[A-Z0-9]", en))


def _latin_term(form: str) -> bool:
    """A Latin candidate that can be a name: a capital letter somewhere (top-5, caffe2ncnn are
    wording or file names), no long digit run (HQJ199508212176), no math call (log2N).

    >>> [_latin_term(f) for f in ("YOLOv3", "top-5", "HQJ199508212176", "log2N")]
    [True, False, False, False]
    """
    return (bool(re.search(r"[A-Z]", form)) and not re.search(r"\d{4}", form)
            and not _MATH_CALL.match(form))


def _is_cjk(ch: str) -> bool:
    """A Han character or radical (⻔, ⽤ stand for 门, 用 in some banks)."""
    return "\u3400" <= ch <= "\u9fff" or "\u2e80" <= ch <= "\u2fdf"


def _sentence_of(text: str, sentences: list[tuple[int, int]], pos: int) -> str:
    return next((text[s:e] for s, e in sentences if s <= pos < e), "")[:200]


def _sentence_finder(text: str, sentences: list[tuple[int, int]]) -> Callable[[int], str]:
    """_sentence_of(text, sentences, pos) for one text: by bisection when the sentences are
    in order and apart (as split_sentences gives them), not a walk over them for every term."""
    if any(a[1] > b[0] for a, b in zip(sentences, sentences[1:], strict=False)):
        return lambda pos: _sentence_of(text, sentences, pos)
    starts = [s for s, _ in sentences]

    def find(pos: int) -> str:
        i = bisect_right(starts, pos) - 1
        if i >= 0 and pos < sentences[i][1]:
            return text[sentences[i][0]:sentences[i][1]][:200]
        return ""

    return find


def _letters(sentence: str, n: int) -> bool:
    """The sentence holds at least n Chinese or Latin letters (counting stops at n)."""
    return sum(1 for _ in islice(_LETTER.finditer(sentence), n)) == n


class Discovery:
    """Collects terms over a bank's questions, then ranks them."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.known = {fold_term(s) for s in lexicon.surfaces} | {
            fold_term(s) for s in lexicon.context_surfaces}
        self.rejected = {fold_term(s) for s in lexicon.rejected}
        self.terms: dict[str, Term] = {}
        self.cooccur: dict[str, Counter[str]] = defaultdict(Counter)
        self.texts: list[tuple[str, str]] = []  # (question id, NFKC text)
        self.lower_words: set[str] = set()  # Latin words the bank writes in lower case

    def _add(self, form: str, q: Question, pos: int, sentence: str, defined: bool = False,
             aliases: tuple[str, ...] = (), count: bool = True) -> str | None:
        form = form.strip(" -")
        key = fold_term(form)
        if (len(key) < 2 or key in self.known or key in self.rejected or key in _LATIN_NOISE
                or key.isdigit() or _CJK_STOP.search(form) or len(form) > 20):
            return None
        if not _letters(sentence, 6):
            sentence = ""  # markup (&emsp;), a formula or a number: no evidence
        t = self.terms.get(key)
        if t is None:
            t = self.terms[key] = Term(form, first=(q.id, pos))
        t.aliases.add(form)
        t.aliases.update(a for a in aliases if fold_term(a) not in self.known)
        t.questions.add(q.id)
        t.frequency += count
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
        if _NOT_TEXT_HINT.search(text):  # else _NOT_TEXT cannot match (it tries every word)
            text = _NOT_TEXT.sub(lambda m: " " * len(m.group()), text)
        self.texts.append((q.id, unicodedata.normalize("NFKC", text)))
        self.lower_words.update(re.findall(r"(?<![A-Za-z])[a-z]{3,}(?![A-Za-z])", text))
        keys: set[str] = set()
        sentence_of = _sentence_finder(text, sentences)
        # the patterns run only where their words are (they try every position: slow)
        for m in _PAREN.finditer(text) if "(" in text or "（" in text else ():
            zh, en, abbr = m.group(1), m.group(2).strip(), m.group(3)
            sent = sentence_of(m.start())
            zh = _trim(_head_term(zh, segment.token_spans(zh, self.lexicon.vocabulary)))
            named = (bool(abbr) or bool(re.search(r"[A-Z]", en))) and len(zh) <= 8
            aliases = tuple(a for a in ((en if _english_alias(en) else ""), abbr) if a)
            k = self._add(zh, q, m.start(), sent, named, aliases)
            keys.add(k) if k else None
        for m in _DEFINE.finditer(text) if any(w in text for w in _DEFINING) else ():
            if _FUNCTION.search(m.group(1)) or len(m.group(1)) > 10:
                continue  # "例如卷积核的具体参数就是…": a clause, not a term
            sent = sentence_of(m.start(1))
            k = self._add(m.group(1), q, m.start(1), sent, True)
            keys.add(k) if k else None
        for m in _LATIN.finditer(text):
            if (m.group().lower() not in _LATIN_NOISE and len(m.group()) <= 20
                    and _latin_term(m.group())):
                k = self._add(m.group(), q, m.start(), sentence_of(m.start()))
                keys.add(k) if k else None
        for i, (term, pos) in enumerate(terms):
            if re.search(r"[\u4e00-\u9fff]", term):
                k = self._add(term, q, pos, sentence_of(pos))
                keys.add(k) if k else None
            if i + 1 < len(terms) and terms[i + 1][1] == pos + len(term):  # adjacent: a compound
                both = term + terms[i + 1][0]
                k = self._add(both, q, pos, sentence_of(pos))
                keys.add(k) if k else None
        k = self._title_term(q, found, sentences)
        keys.add(k) if k else None
        concepts = Counter(f.concept for f in found)
        for k in keys:
            self.cooccur[k].update(concepts)

    def _title_term(self, q: Question, found: list[Located],
                    sentences: list[tuple[int, int]]) -> str | None:
        """The one thing a title asks about when no concept covers it: 什么是深度网络自适应,
        离散表示存在的问题, 手写数字识别案例; a noun phrase without function words."""
        title = (q.title or "").strip().rstrip("？?。.！!：:")
        if not title or any(f.start < len(q.title or "") for f in found
                            if f.end - f.start >= 0.6 * len(title)):
            return None  # a concept already names what the title asks
        rest = title
        for _ in range(2):
            rest = _TITLE_ASK.sub("", rest).strip(" 的")
        cjk = len(re.findall(r"[\u4e00-\u9fff]", rest))
        if (not (2 <= len(rest) <= 30) or cjk > 12 or _FUNCTION.search(rest) or _ASKING.search(rest)
                or re.search(r"[\s,，、/()（）\[\]【】《》“”\"']", rest)):
            return None
        if re.search(r"[\u4e00-\u9fff]", rest) and len(rest) < 3:
            return None
        pos = (q.title or "").find(rest)
        if any(f.start <= pos and pos + len(rest) <= f.end for f in found):
            return None  # the title asks about a known concept ("手写一下bn过程" is about BN)
        if re.search(r"[\u4e00-\u9fff]", rest) and any(
                pos <= f.start and f.end < pos + len(rest) for f in found):
            return None  # a concept inside, not at the end: a phrase about it (深入SVM：第二层)
        answer = [q.text[s:e] for s, e in sentences if s >= len(q.title or "")]
        said = next((a for a in answer if rest in a), None) or next(
            (a for a in answer if len(re.findall(r"[\u4e00-\u9fffA-Za-z]", a)) >= 8), q.title)
        said = said[:200]
        seen = self.terms.get(fold_term(rest))
        k = self._add(rest, q, max(pos, 0), said, True,
                      count=seen is None or q.id not in seen.questions)  # the title's own use
        if k is not None:
            self.terms[k].titled = True
        return k

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
        """Questions a term appears in, wherever jieba cut it apart (谱|聚类); not where it is
        part of a longer lexicon surface (分离卷积 in 深度可分离卷积), and a Latin form with
        capitals only as written (NegatiVe is not the word negative)."""
        forms: dict[str, tuple[str, str]] = {}  # lower form -> (term key, cased form)
        for key, t in self.terms.items():
            for form in (t.name, *sorted(t.aliases)):
                forms.setdefault(normalize(form), (key, unicodedata.normalize("NFKC", form)))
        patterns = sorted(f for f in forms if len(f) >= 2)
        if not patterns:
            return
        blockers = sorted({s.lower() for s in self.lexicon.surfaces if len(s) >= 3} - set(forms))
        every = patterns + blockers
        ac = AhoCorasick(every, matchkind=MatchKind.LeftmostLongest)
        for qid, cased in self.texts:
            text = cased.lower()
            same = len(text) == len(cased)
            for pid, s, e in ac.find_matches_as_indexes(text):
                if pid >= len(patterns):
                    continue  # inside a longer lexicon surface
                form = patterns[pid]
                if (form[0].isascii() and s > 0 and text[s - 1].isalnum()) or (
                        form[-1].isascii() and e < len(text) and text[e].isalnum()):
                    continue
                key, written = forms[form]
                if same and written.isascii() and written != form and cased[s:e] != written:
                    continue
                t = self.terms[key]
                t.left[text[s - 1] if s > 0 and _is_cjk(text[s - 1]) else ""] += 1
                if qid not in t.questions:
                    t.questions.add(qid)
                    t.frequency += 1

    def _well_formed(self, t: Term) -> bool:
        """Could be a term at all: not a piece of a longer word (控|循环单元 always after 门),
        not a two-character CJK word or a two-letter acronym unless defined (图所, FN), not an
        English word in capitals (SAME, UNIT: the bank writes same, unit)."""
        name = t.name
        latin = re.sub(r"[^A-Za-z]", "", name)
        cjk = len(re.findall(r"[\u4e00-\u9fff]", name))
        if (latin[:1].isupper() and not latin.isupper() and latin.lower() in self.lower_words
                and cjk <= 1 and not re.search(r"\d", name)):
            return False  # an everyday English word (Output层, NegatiVe)
        if not re.search(r"[\u4e00-\u9fff]", name):
            if name.isupper() and name.lower() in self.lower_words or not (
                    t.titled or _latin_term(name)):
                return False  # SAME, UNIT; list, sizeof, 1x1: words and code, not names
            return t.defined or len(latin) >= 3
        if len(name) < 3 and not (t.defined or _background(name)):
            return False  # two characters jieba does not know: a fragment (图所, 然语)
        if _CJK_STOP.search(name) or (_FUNCTION.search(name) and not t.defined):
            return False
        def known(key: str) -> bool:  # not a union of both key sets made for every term
            return key in self.terms or key in self.lexicon.surfaces

        if (name[0] in _GLUE and known(fold_term(name[1:]))) or (
                name[-1] in _GLUE and known(fold_term(name[:-1]))):
            return False  # a term with a function character glued on (下|红黑树, 迭代器|不)
        uses = sum(t.left.values())
        char, n = t.left.most_common(1)[0] if uses else ("", 0)
        return not (char and n >= FRAGMENT * uses and not t.titled)

    def _nested(self) -> dict[str, list[int]]:
        """Term key -> the question counts of the longer terms (in MIN_QUESTIONS questions or
        more) whose key holds it: every key found in every such key at once, not each pair."""
        keys = list(self.terms)
        if not keys:
            return {}
        ac = AhoCorasick(keys)
        inside: dict[str, list[int]] = defaultdict(list)
        for k, o in self.terms.items():
            if len(o.questions) >= MIN_QUESTIONS:
                for key in set(ac.find_matches_as_strings(k, overlapping=True)) - {k}:
                    inside[key].append(len(o.questions))
        return inside

    def ranked(self) -> list[Term]:
        """Terms in at least MIN_QUESTIONS questions (defined ones: 1), best first."""
        self._merge_aliases()
        self._recount()
        out = []
        known = {fold_term(s) for s in self.lexicon.surfaces} | set(self.terms)
        inside = self._nested()
        for key, t in self.terms.items():
            df = len(t.questions)
            if df < (1 if t.defined else MIN_QUESTIONS) or not self._well_formed(t):
                continue
            longer = inside.get(key, [])
            nested = sum(longer) / len(longer) if longer else 0.0
            termhood = math.log2(1 + len(key)) * math.log2(1 + max(0.5, df - nested))
            t.score = termhood * _specificity(t.name) * (1.5 if t.defined else 1.0)
            if len(t.name) <= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", t.name):
                t.score *= 0.5  # a two-character word is rarely a term of its own
            if not _conceptual(t, known):
                t.score *= UNSURE  # a bare acronym, a phrase: listed after the terms
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
    if char and n >= FRAGMENT * uses and not t.titled:
        return False  # always after the same character: a piece of a longer word (对|数似然)
    parts = _parts(t.name)
    everyday = TITLE_GENERIC_PART if t.titled else GENERIC_PART  # a title vouches for it more
    if len(parts) == 2 and all(len(p) > 1 and _background(p) > everyday for p in parts):
        return False  # everyday words put together (训练+样本, 特征+数据)
    first = parts[0]
    if (len(parts) > 1 and len(first) > 1 and _background(first) > PLAIN_MODIFIER
            and fold_term(t.name[len(first):]) in known):
        return False  # a plain word before a term (传统|神经网络): the term itself
    for i in range(2, len(t.name) - 1):
        tail = _parts(t.name[i:])
        if fold_term(t.name[:i]) in known and all(
                len(p) > 1 and _background(p) > GENERIC_PART for p in tail):
            return False  # a term and everyday words after it (智能客服|常见功能, 数据集|下载)
    # words of two or more characters: a one-character affix makes a derivation (超|平面, 偏移|量)
    return t.defined or (all(len(p) > 1 and _background(p) > 0 for p in parts)
                         and _background(t.name) <= BACKGROUND_COMMON)


def to_concepts(terms: list[Term], lexicon: Lexicon) -> list[Concept]:
    """The best terms as discovered concepts (id: a slug of the name), ids unique."""
    concepts: list[Concept] = []
    taken = set(lexicon.concepts)
    known = {fold_term(s) for s in lexicon.surfaces}
    ranked = 0  # concepts admitted by rank (a title's term is admitted anyway)
    for t in terms:
        by_rank = ranked < MAX_CONCEPTS and t.confidence >= MIN_CONFIDENCE and len(
            t.questions) >= MIN_QUESTIONS
        if not (by_rank or t.titled) or not _conceptual(t, known):
            continue  # a term of one question, a fragment or a bare abbreviation stays a candidate
        ranked += by_rank
        cid = slug(t.name)
        if cid in taken or not cid:
            continue
        taken.add(cid)
        aliases = sorted(a for a in t.aliases if a != t.name)
        concepts.append(Concept(cid, t.name, t.name, aliases, t.category,
                                summary=t.defined or t.example, source="discovered",
                                confidence=t.confidence))
    return concepts


def _head(c: Concept, lexicon: Lexicon) -> str | None:
    """The curated concept a discovered name is a kind of, read from the name itself: Chinese
    compounds end in their head (门卷积 -> 卷积, 批梯度下降法 -> 梯度下降), Latin names add a
    version to their family (YOLOv3 -> YOLO, VGG13 -> VGG)."""
    name = normalize(c.name)
    if re.search(r"[\u4e00-\u9fff]", name):
        ends = (name[i:] for i in range(1, len(name) - 1))
    else:
        m = re.fullmatch(r"(.+?)[\s\-]?(?:v?\d+[a-z]*|[\-+][a-z0-9]+)", name)
        ends = iter([m.group(1)] if m else [])
    for end in ends:
        owners = [o for o in lexicon.surfaces.get(end, []) if o in lexicon.concepts]
        if len(owners) == 1 and owners[0] not in lexicon.generic:
            return owners[0]
    return None


def with_discovered(lexicon: Lexicon, concepts: list[Concept]) -> Lexicon:
    """The lexicon plus discovered concepts; a surface a curated concept owns stays its own.
    A discovered concept IS_A the curated one its name ends in (_head), with HEAD_CONFIDENCE:
    shown, but below the floor that orders study until something corroborates it."""
    from dataclasses import replace

    surfaces = {s: list(o) for s, o in lexicon.surfaces.items()}
    relations = list(lexicon.relations)
    for c in concepts:
        for form in (c.name, *c.aliases):
            surfaces.setdefault(normalize(form), [c.id])
        head = _head(c, lexicon)
        if head is not None:
            relations.append(Relation(RelationType.IS_A, c.id, head, HEAD_CONFIDENCE,
                                      Origin.PATTERN))  # read from the name
    return replace(lexicon, concepts={**lexicon.concepts, **{c.id: c for c in concepts}},
                   surfaces=surfaces, relations=relations)


def discover(questions: list[Question], found: list[list[Located]],
             sentences: list[list[tuple[int, int]]], terms: list[list[tuple[str, int]]],
             lexicon: Lexicon) -> list[Term]:
    """Every candidate term of a bank, best first (see the module docstring)."""
    d = Discovery(lexicon)
    for q, f, s, t in zip(questions, found, sentences, terms, strict=True):
        d.add_question(q, f, s, t)
    return d.ranked()
