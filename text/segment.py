"""jieba set-up and tokenization: one segmenter per process, concept surfaces as user words.

The engine is plain jieba unless ZHITU_SEGMENTER=rjieba (and rjieba is installed). Both get a
Vocabulary's words (a lexicon's or a saved graph's concept surfaces) as user words (tag ``nz``);
set-up is lazy and guarded by a lock, so the first caller pays jieba's start-up once and every
thread shares the same dictionary.

Differences of the rjieba engine (jieba-rs): the same dictionary and user-word semantics, but its
HMM for unknown words and its tagger are jieba-rs's own, so rare out-of-vocabulary splits and
part-of-speech tags can differ from jieba's. Neither engine can hold a user word with a space in
it ("Batch Normalization"): such surfaces are found by zhitu.ingest.mentions, not by the tokenizer.

Start-up (issue 19): jieba keeps its dictionary cache in the user's cache directory
(`cache_dir()`, not the shared /tmp), is imported without pkg_resources (its fallback reads the
same files; that import alone cost ~80 ms), and the noun list of its dictionary is cached there
too, keyed by the dictionary's content. With the jieba engine, the dictionary's frequencies are
read from the loaded dictionary itself, not parsed again from dict.txt.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
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
        self.replaced: dict[str, int] = {}  # dictionary counts the user words overwrote
        if name == "rjieba":
            import rjieba

            self._rj: Any = rjieba.Jieba()
            return
        jieba = _import_jieba()
        logging.getLogger("jieba").setLevel(logging.WARNING)  # jieba logs its start-up
        self._jb: Any = jieba.dt
        cache = cache_dir()
        if cache is not None:
            self._jb.tmp_dir = str(cache)  # its dictionary cache: jieba.cache
        self._jb.initialize()

    def frequency(self, word: str) -> int:
        """The word's count in jieba's main dictionary (0 when absent)."""
        if self.name == "jieba":
            return int(self._jb.FREQ.get(word, 0))
        return _parsed_frequencies().get(word, 0)

    def add_words(self, words: Iterable[str]) -> None:
        for word in words:
            if word in self.words:
                continue
            self.words.add(word)
            if self.name == "rjieba":
                self._rj.add_word(word, None, USER_TAG)
            else:
                self.replaced.setdefault(word, int(self._jb.FREQ.get(word, 0)))
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
            self._nouns = dictionary_nouns()
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


def cache_dir() -> Path | None:
    """$XDG_CACHE_HOME/zhitu/jieba (default ~/.cache), created; None when it cannot be."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    path = Path(base) / "zhitu" / "jieba"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path


def _import_jieba() -> Any:
    """jieba, imported without pkg_resources (slow to import; jieba then opens its files
    directly, the same files)."""
    if "jieba" in sys.modules or "pkg_resources" in sys.modules:
        import jieba

        return jieba
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # ImportError inside jieba
    try:
        import jieba
    finally:
        del sys.modules["pkg_resources"]
    return jieba


def _dictionary_bytes() -> bytes:
    jieba = _import_jieba()
    with jieba.get_dict_file() as raw:
        return raw.read()


def _dictionary_text() -> str:
    return _dictionary_bytes().decode("utf-8")


def dictionary_nouns() -> set[str]:
    """The words jieba's dict.txt tags as nouns, cached in `cache_dir()` by its content."""
    raw = _dictionary_bytes()
    cache = cache_dir()
    name = f"nouns-{hashlib.blake2b(raw, digest_size=12).hexdigest()}.txt"
    if cache is not None:
        try:
            return set((cache / name).read_text(encoding="utf-8").split("\n"))
        except (OSError, UnicodeDecodeError):
            pass
    nouns = set(re.findall(r"^(\S+) \d+ (?:n|nz|nl|ng|vn)\s*$", raw.decode("utf-8"), re.M))
    if cache is not None:
        import tempfile

        try:  # a whole file or none: written aside, then renamed
            fd, tmp = tempfile.mkstemp(dir=cache, prefix=f".{name}.")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write("\n".join(sorted(nouns)))
            os.replace(tmp, cache / name)
        except OSError:
            pass  # an unwritable cache: parsed again next time
    return nouns


class _Counts:
    """jieba's dictionary counts read from the loaded dictionary: user words added since
    overwrote some (their counts before are kept in `replaced`), added ones count 0."""

    def __init__(self, engine: _Engine) -> None:
        self._freq = engine._jb.FREQ
        self._replaced = engine.replaced

    def get(self, word: str, default: int = 0) -> int:
        count = self._replaced[word] if word in self._replaced else self._freq.get(word, 0)
        return int(count) or default


def dictionary_frequencies() -> _Counts | dict[str, int]:
    """jieba's dict.txt as word -> count (`.get`), without words added at run time."""
    engine = _engine
    if engine is not None and engine.name == "jieba":
        return _Counts(engine)
    return _parsed_frequencies()


@functools.lru_cache(maxsize=1)
def _parsed_frequencies() -> dict[str, int]:
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


def prepare(vocabulary: Vocabulary | None = None) -> None:
    """Start the engine now, with the vocabulary's words (a process about to fork)."""
    _get(vocabulary)


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
