"""jieba set-up and tokenization: one segmenter per process, the lexicon as its user dictionary.

The engine is plain jieba unless ZHITU_SEGMENTER=rjieba (and rjieba is installed). Both get the
lexicon's surfaces as user words (tag ``nz``); set-up is lazy and guarded by a lock, so the first
caller pays jieba's start-up once and every thread shares the same dictionary.

Differences of the rjieba engine (jieba-rs): the same dictionary and user-word semantics, but its
HMM for unknown words and its tagger are jieba-rs's own, so rare out-of-vocabulary splits and
part-of-speech tags can differ from jieba's. Neither engine can hold a user word with a space in
it ("Batch Normalization"): such surfaces are found by ingest.mentions, not by the tokenizer.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from graph.model import Concept
from ingest.lexicon import Lexicon, normalize

ENGINE_ENV = "ZHITU_SEGMENTER"
ENGINES = ("jieba", "rjieba")  # values of ZHITU_SEGMENTER
USER_TAG = "nz"
# part-of-speech tags that make a token a candidate concept (jieba's ICTCLAS-style tag set)
NOUN_TAGS = frozenset({"n", "nz", "nl", "ng", "vn", "eng", "nw"})
# a word jieba's dictionary has seen more often than this is everyday language, not a term
COMMON_FREQUENCY = 1000

_lock = threading.Lock()
_engine: _Engine | None = None


class _Engine:
    """One tokenizer and tagger plus the user words already given to them."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.words: set[str] = set()
        self.lexicons: dict[int, Lexicon] = {}  # lexicons whose words were added
        self._freq: dict[str, int] | None = None
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
        if self._freq is None:
            self._freq = _dictionary_frequencies()
        return self._freq.get(word, 0)

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


def _dictionary_frequencies() -> dict[str, int]:
    """jieba's dict.txt as word -> count (for engines that do not expose theirs)."""
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


def user_words(lexicon: Lexicon) -> list[str]:
    """The lexicon's surfaces a tokenizer can hold: as written and lower-cased, no spaces,
    sorted (jieba sizes a new word's frequency by the words added before it).

    >>> from graph.model import Concept
    >>> lex = Lexicon({"bn": Concept("bn", "BN层", "批归一化", ["batch norm"])}, [], {}, set(), "")
    >>> user_words(lex)
    ['BN层', 'bn层', '批归一化']
    """
    return concept_words(lexicon.concepts.values())


def concept_words(concepts: Iterable[Concept]) -> list[str]:
    """user_words of any concepts (a saved graph holds its lexicon's concepts)."""
    words: set[str] = set()
    for c in concepts:
        for surface in (c.name, c.zh, *c.aliases):
            for form in (surface.strip(), normalize(surface.strip())):
                if form and not any(ch.isspace() for ch in form):
                    words.add(form)
    return sorted(words)


def tokenizer_for(concepts: Mapping[str, Concept]) -> Callable[[str], list[str]]:
    """tokenize() with these concepts' surfaces as user words: what ingest tokenized with."""
    lexicon = Lexicon(dict(concepts), [], {}, set(), "")
    return lambda text: tokenize(text, lexicon)


def _get(lexicon: Lexicon | None) -> _Engine:
    """The process's engine, created on first use, with the lexicon's words added."""
    global _engine
    with _lock:
        name = engine_name()
        if _engine is None or _engine.name != name:
            _engine = _Engine(name)
        if lexicon is not None and id(lexicon) not in _engine.lexicons:
            _engine.add_words(user_words(lexicon))
            _engine.lexicons[id(lexicon)] = lexicon  # kept alive, so its id stays unique
        return _engine


def prepare(lexicon: Lexicon | None = None) -> str:
    """Start the engine now (it is lazy otherwise) and add the lexicon's words; the engine name."""
    return _get(lexicon).name


def tokenize(text: str, lexicon: Lexicon | None = None) -> list[str]:
    """Tokens of the text without whitespace tokens.

    >>> tokenize("LSTM和GRU")
    ['LSTM', '和', 'GRU']
    """
    return [t for t in _get(lexicon).cut(text) if t.strip()]


def tagged(text: str, lexicon: Lexicon | None = None) -> list[tuple[str, str]]:
    """(token, part-of-speech tag) pairs without whitespace tokens."""
    return [(w, t) for w, t in _get(lexicon).tag(text) if w.strip()]


def token_spans(text: str, lexicon: Lexicon | None = None) -> list[tuple[str, str, int]]:
    """(token, tag, offset) of every token but whitespace, tagged as tagged() does.

    >>> [(w, p) for w, _, p in token_spans("LSTM 和GRU")]
    [('LSTM', 0), ('和', 5), ('GRU', 6)]
    """
    out = []
    pos = 0
    for word, tag in _get(lexicon).tag(text):
        if word.strip():
            out.append((word, tag, pos))
        pos += len(word)
    return out


def noun_spans(text: str, lexicon: Lexicon | None = None) -> list[tuple[str, int]]:
    """(token, offset) of the noun-like tokens of two or more characters (candidate terms)."""
    return [(w, p) for w, t, p in token_spans(text, lexicon) if t in NOUN_TAGS and len(w) >= 2]


def is_common(word: str) -> bool:
    """True for everyday words (frequent in jieba's dictionary): 问题, 方法, 模型 …

    >>> is_common("问题"), is_common("感受野")
    (True, False)
    """
    return _get(None).frequency(word) > COMMON_FREQUENCY


def keywords(text: str, lexicon: Lexicon | None = None) -> list[str]:
    """Noun-like tokens of two or more characters, in order, repeats kept (candidate terms).

    >>> from ingest.lexicon import load_lexicon
    >>> keywords("锐化就是通过增强高频分量来减少图像中的模糊", load_lexicon())
    ['锐化', '高频分量', '图像']
    """
    return [w for w, t in tagged(text, lexicon) if t in NOUN_TAGS and len(w) >= 2]
