"""jieba set-up and tokenization: one segmenter per process, concept surfaces as user words.

The engine is plain jieba unless ZHITU_SEGMENTER=rjieba (and rjieba is installed). Both get a
Vocabulary's words (a lexicon's or a saved graph's concept surfaces) as user words (tag ``nz``);
set-up is lazy and guarded by a lock, so the first caller pays jieba's start-up once and every
thread shares the same dictionary.

Differences of the rjieba engine (jieba-rs): the same dictionary and user-word semantics, but its
HMM for unknown words and its tagger are jieba-rs's own, so rare out-of-vocabulary splits and
part-of-speech tags can differ from jieba's. Neither engine can hold a user word with a space in
it ("Batch Normalization"): such surfaces are found by zhitu.ingest.mentions, not by the tokenizer.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from zhitu.text.normalize import normalize

ENGINE_ENV = "ZHITU_SEGMENTER"
ENGINES = ("jieba", "rjieba")  # values of ZHITU_SEGMENTER
USER_TAG = "nz"
# part-of-speech tags that make a token a candidate concept (jieba's ICTCLAS-style tag set)
NOUN_TAGS = frozenset({"n", "nz", "nl", "ng", "vn", "eng", "nw"})
# a word jieba's dictionary has seen more often than this is everyday language, not a term
COMMON_FREQUENCY = 1000

_lock = threading.Lock()
_engine: _Engine | None = None


class Named(Protocol):
    """What a concept offers the tokenizer: its surfaces."""

    name: str
    zh: str
    aliases: list[str]


class Vocabulary:
    """User words for the tokenizer: surfaces as written and lower-cased, no spaces, sorted
    (jieba sizes a new word's frequency by the words added before it).

    >>> from types import SimpleNamespace as C
    >>> Vocabulary.of([C(name="BN层", zh="批归一化", aliases=["batch norm"])]).words
    ('BN层', 'bn层', '批归一化')
    """

    def __init__(self, words: Iterable[str]) -> None:
        self.words = tuple(sorted(set(words)))

    @classmethod
    def of(cls, concepts: Iterable[Named]) -> Vocabulary:
        """The surfaces of these concepts (names, Chinese names, aliases)."""
        words: set[str] = set()
        for c in concepts:
            for surface in (c.name, c.zh, *c.aliases):
                for form in (surface.strip(), normalize(surface.strip())):
                    if form and not any(ch.isspace() for ch in form):
                        words.add(form)
        return cls(words)


class _Engine:
    """One tokenizer and tagger plus the user words already given to them."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.words: set[str] = set()
        self.vocabularies: dict[int, Vocabulary] = {}  # vocabularies whose words were added
        self._nouns: set[str] | None = None
        if name == "rjieba":
            import rjieba

            self._rj: Any = rjieba.Jieba()
            return
        import jieba

        logging.getLogger("jieba").setLevel(logging.WARNING)  # jieba logs its start-up
        self._jb: Any = jieba.dt
        self._jb.initialize()

    def frequency(self, word: str) -> int:
        """The word's count in jieba's main dictionary (0 when absent)."""
        if self.name == "jieba":
            return int(self._jb.FREQ.get(word, 0))
        return dictionary_frequencies().get(word, 0)

    def add_words(self, words: Iterable[str]) -> None:
        for word in words:
            if word in self.words:
                continue
            self.words.add(word)
            if self.name == "rjieba":
                self._rj.add_word(word, None, USER_TAG)
            else:
                self._jb.add_word(word, None, USER_TAG)

    def cut(self, text: str) -> list[str]:
        if self.name == "rjieba":
            return list(self._rj.cut(text))
        return list(self._jb.cut(text))

    def tag(self, text: str) -> list[tuple[str, str]]:
        """(token, tag): rjieba's tagger, or jieba's tokens tagged from its dictionary.

        For jieba the tags are those of jieba's dict.txt (what jieba.posseg uses for dictionary
        words, without loading posseg's full table at start-up): "n" for its noun tags, USER_TAG
        for lexicon words, "eng" for Latin words, "nw" for a new word found by jieba's HMM.
        """
        if self.name == "rjieba":
            return [(w, t) for w, t in self._rj.tag(text)]
        if self._nouns is None:
            self._nouns = _dictionary_nouns()
        out = []
        for w in self._jb.cut(text):
            if w in self.words:
                tag = USER_TAG
            elif w in self._nouns:
                tag = "n"
            elif w.isascii() and w.isalnum():
                tag = "eng"
            elif len(w) > 1 and w not in self._jb.FREQ:
                tag = "nw"
            else:
                tag = "x"
            out.append((w, tag))
        return out


def _dictionary_text() -> str:
    import jieba

    with jieba.get_dict_file() as raw:
        return raw.read().decode("utf-8")


def _dictionary_nouns() -> set[str]:
    """The words jieba's dict.txt tags as nouns."""
    return set(re.findall(r"^(\S+) \d+ (?:n|nz|nl|ng|vn)\s*$", _dictionary_text(), re.M))


@functools.lru_cache(maxsize=1)
def dictionary_frequencies() -> dict[str, int]:
    """jieba's dict.txt as word -> count, without words added at run time (read once)."""
    return {w: int(n) for w, n in re.findall(r"^(\S+) (\d+)", _dictionary_text(), re.M)}


def engine_name() -> str:
    """The configured engine: ``rjieba`` when asked for and importable, else ``jieba``."""
    wanted = os.environ.get(ENGINE_ENV, "jieba").strip().lower()
    if wanted == "rjieba":
        try:
            import rjieba  # noqa: F401
        except ImportError:
            return "jieba"
        return "rjieba"
    return "jieba"


def tokenizer_for(concepts: Iterable[Named]) -> Callable[[str], list[str]]:
    """tokenize() with these concepts' surfaces as user words: what ingest tokenized with."""
    vocabulary = Vocabulary.of(concepts)
    return lambda text: tokenize(text, vocabulary)


def _get(vocabulary: Vocabulary | None) -> _Engine:
    """The process's engine, created on first use, with the vocabulary's words added."""
    global _engine
    with _lock:
        name = engine_name()
        if _engine is None or _engine.name != name:
            _engine = _Engine(name)
        if vocabulary is not None and id(vocabulary) not in _engine.vocabularies:
            _engine.add_words(vocabulary.words)
            _engine.vocabularies[id(vocabulary)] = vocabulary  # kept alive: its id stays unique
        return _engine


def tokenize(text: str, vocabulary: Vocabulary | None = None) -> list[str]:
    """Tokens of the text without whitespace tokens.

    >>> tokenize("LSTM和GRU")
    ['LSTM', '和', 'GRU']
    """
    return [t for t in _get(vocabulary).cut(text) if t.strip()]


def token_spans(text: str, vocabulary: Vocabulary | None = None) -> list[tuple[str, str, int]]:
    """(token, tag, offset) of every token but whitespace, tagged as `_Engine.tag` does.

    >>> [(w, p) for w, _, p in token_spans("LSTM 和GRU")]
    [('LSTM', 0), ('和', 5), ('GRU', 6)]
    """
    out = []
    pos = 0
    for word, tag in _get(vocabulary).tag(text):
        if word.strip():
            out.append((word, tag, pos))
        pos += len(word)
    return out


def is_common(word: str) -> bool:
    """True for everyday words (frequent in jieba's dictionary): 问题, 方法, 模型 …

    >>> is_common("问题"), is_common("感受野")
    (True, False)
    """
    return _get(None).frequency(word) > COMMON_FREQUENCY
