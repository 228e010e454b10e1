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
same files; that import alone cost ~80 ms), and its dictionary is loaded from a cache of our own
in the same place, a format that loads in about a third of the time of jieba's (_load_dictionary).
The noun list of its dictionary is cached there too; both caches are keyed by the dictionary
file (_dictionary_key) and `prepare` loads them before a process forks. With the jieba engine,
the dictionary's frequencies are read from the loaded dictionary itself, not parsed again from
dict.txt, and a block of text jieba cuts on its own is cut once per process (_Engine._block):
the same tokens as jieba.cut, block by block as it cuts them.
"""

from __future__ import annotations

import array
import functools
import hashlib
import logging
import marshal
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
CACHE_FORMAT = 1  # of the dictionary caches kept in cache_dir()
KEEP_COUNTS = 8  # cached user-word counts kept (one file per vocabulary)
# part-of-speech tags that make a token a candidate concept (jieba's ICTCLAS-style tag set)
NOUN_TAGS = frozenset({"n", "nz", "nl", "ng", "vn", "eng", "nw"})
# a word jieba's dictionary has seen more often than this is everyday language, not a term
COMMON_FREQUENCY = 1000
MAX_MEMO = 50_000  # blocks (and tags of words) remembered per process (~600 bytes a block)

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
        self.counts: _Counts | None = None  # see dictionary_frequencies
        if name == "rjieba":
            import rjieba

            self._rj: Any = rjieba.Jieba()
            return
        jieba = _import_jieba()
        logging.getLogger("jieba").setLevel(logging.WARNING)  # jieba logs its start-up
        self._jb: Any = jieba.dt
        self._han, self._skip = jieba.re_han_default, jieba.re_skip_default
        self._cut_block = self._jb._Tokenizer__cut_DAG  # what jieba's cut does to a block
        self._blocks: dict[str, list[tuple[str, str, int]]] = {}  # see _block
        self._tags: dict[str, str] = {}  # word -> tag, see _tag
        cache = cache_dir()
        if cache is not None:
            self._jb.tmp_dir = str(cache)  # its dictionary cache: jieba.cache
        if not _load_dictionary(self._jb, cache):
            self._jb.initialize()
            _save_dictionary(self._jb, cache)

    def frequency(self, word: str) -> int:
        """The word's count in jieba's main dictionary (0 when absent)."""
        if self.name == "jieba":
            return int(self._jb.FREQ.get(word, 0))
        return _parsed_frequencies().get(word, 0)

    def add_words(self, words: Iterable[str]) -> None:
        new = [w for w in dict.fromkeys(words) if w not in self.words]
        if not new:
            return
        if self.name == "rjieba":
            for word in new:
                self.words.add(word)
                self._rj.add_word(word, None, USER_TAG)
            return
        # jieba sizes each word's count by cutting it with the words added before it; the
        # first words added to the dictionary as loaded get the counts cached for them
        first = not self.words
        cached = _load_counts(new) if first else None
        counts = []
        for i, word in enumerate(new):
            self.words.add(word)
            self.replaced.setdefault(word, int(self._jb.FREQ.get(word, 0)))
            count = cached[i] if cached is not None else self._jb.suggest_freq(word, False)
            counts.append(count)
            self._jb.add_word(word, count, USER_TAG)
        if first and cached is None:
            _save_counts(new, counts)
        self._blocks, self._tags = {}, {}  # blocks cut and tags given before no longer hold

    def prepare_tags(self) -> None:
        """Load the noun list the tags need (before a process forks: its workers share it)."""
        if self.name == "jieba" and self._nouns is None:
            self._nouns = dictionary_nouns()

    def cut(self, text: str) -> list[str]:
        if self.name == "rjieba":
            return list(self._rj.cut(text))
        return [w for w, _, _ in self.spans(text, keep_spaces=True)]

    def tag(self, text: str) -> list[tuple[str, str]]:
        """(token, tag): rjieba's tagger, or jieba's tokens tagged from its dictionary.

        For jieba the tags are those of jieba's dict.txt (what jieba.posseg uses for dictionary
        words, without loading posseg's full table at start-up): "n" for its noun tags, USER_TAG
        for lexicon words, "eng" for Latin words, "nw" for a new word found by jieba's HMM.
        """
        if self.name == "rjieba":
            return [(w, t) for w, t in self._rj.tag(text)]
        return [(w, t) for w, t, _ in self.spans(text, keep_spaces=True)]

    def _tag(self, w: str) -> str:
        tag = self._tags.get(w)
        if tag is None:
            if self._nouns is None:
                self._nouns = dictionary_nouns()
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
            if len(self._tags) < MAX_MEMO:
                self._tags[w] = tag
        return tag

    def _block(self, block: str) -> list[tuple[str, str, int]]:
        """(word, tag, offset) of a block jieba cuts on its own (a run of Chinese, Latin
        letters, digits and +#&._%-): its words depend on the block and the dictionary
        alone, so a block seen before is not cut again (issue 19: half the Chinese of a real
        bank is in blocks seen before: 你可以, 梯度消失, 在训练过程中 ...). add_words starts
        new memos; a thread still cutting with the old dictionary fills the old one."""
        memo = self._blocks
        got = memo.get(block)
        if got is None:
            got, pos = [], 0
            for w in self._cut_block(block):
                w = sys.intern(w)  # the same words come back in many blocks
                got.append((w, self._tag(w), pos))
                pos += len(w)
            if len(memo) < MAX_MEMO:
                memo[block] = got
        return got

    def spans(self, text: str, keep_spaces: bool = False) -> list[tuple[str, str, int]]:
        """(token, tag, offset) of jieba's tokens: what Tokenizer.cut(text) yields (precise
        mode, HMM on), block by block as it does, without whitespace tokens unless asked."""
        out: list[tuple[str, str, int]] = []
        pos = 0
        for blk in self._han.split(text):
            if not blk:
                continue
            if self._han.match(blk):  # no whitespace in such a block
                got = self._block(blk)
                out += [(w, t, p + pos) for w, t, p in got] if pos else got
                pos += len(blk)
                continue
            for x in self._skip.split(blk):
                if self._skip.match(x):  # whitespace, one token
                    if keep_spaces or x.strip():
                        out.append((x, self._tag(x), pos))
                    pos += len(x)
                    continue
                for ch in x:  # anything else, one character a token
                    if keep_spaces or ch.strip():
                        out.append((ch, self._tag(ch), pos))
                    pos += 1
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


def _dictionary_key() -> str:
    """What jieba's dictionary file is (path, size, modification time, jieba's version): the
    key of the caches made from it. jieba itself trusts its own cache of the default
    dictionary without any check."""
    jieba = _import_jieba()
    path = jieba.dt.dictionary or os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    st = os.stat(path)
    key = f"{CACHE_FORMAT}\0{jieba.__version__}\0{path}\0{st.st_size}\0{st.st_mtime_ns}"
    return hashlib.blake2b(key.encode(), digest_size=12).hexdigest()


def _write_cache(path: Path, write: Callable[[Any], None]) -> None:
    """A whole file or none: written aside, then renamed (nothing when it cannot be)."""
    import tempfile

    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "wb") as f:
                write(f)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError:
        pass  # an unwritable cache: made again next time


def _load_dictionary(jb: Any, cache: Path | None) -> bool:
    """Give jieba's tokenizer its dictionary from our cache; False when there is none.

    jieba's own cache (jieba.cache) is one marshalled dict of ~500,000 words and prefixes:
    0.45 s to load here. The same dict as one string of the words and an array of their
    counts loads in ~0.12 s (the same words, counts and order)."""
    if cache is None:
        return False
    try:
        with open(cache / f"dict-{_dictionary_key()}.bin", "rb") as f:
            words, counts, total = marshal.load(f)
        values = array.array("q")
        values.frombytes(counts)
        freq = dict(zip(words.split("\n"), values.tolist(), strict=True))
    except (OSError, ValueError, TypeError, EOFError):
        return False
    jb.FREQ, jb.total, jb.initialized = freq, total, True
    return True


def _save_dictionary(jb: Any, cache: Path | None) -> None:
    """Keep the dictionary jieba just loaded for _load_dictionary (nothing added to it yet)."""
    if cache is None or any("\n" in w for w in jb.FREQ):
        return
    record = ("\n".join(jb.FREQ), array.array("q", jb.FREQ.values()).tobytes(), jb.total)
    _write_cache(cache / f"dict-{_dictionary_key()}.bin", lambda f: marshal.dump(record, f))


def _counts_file(words: list[str]) -> Path | None:
    cache = cache_dir()
    if cache is None:
        return None
    key = hashlib.blake2b(f"{_dictionary_key()}\0".encode(), digest_size=12)
    key.update("\0".join(words).encode())
    return cache / f"words-{key.hexdigest()}.bin"


def _load_counts(words: list[str]) -> list[int] | None:
    """The counts jieba gives `words` added in this order to its dictionary as loaded (what
    suggest_freq says for each, ~40 ms for a lexicon's 3,000 words), if they were cached."""
    path = _counts_file(words)
    if path is None:
        return None
    counts = array.array("q")
    try:
        counts.frombytes(path.read_bytes())
    except (OSError, ValueError):
        return None
    return counts.tolist() if len(counts) == len(words) else None


def _save_counts(words: list[str], counts: list[int]) -> None:
    path = _counts_file(words)
    if path is None:
        return
    data = array.array("q", counts).tobytes()
    _write_cache(path, lambda f: f.write(data))
    try:  # a vocabulary per lexicon (and curation): the most recent few are kept
        kept = sorted(path.parent.glob("words-*.bin"), key=lambda p: p.stat().st_mtime)
        for old in kept[:-KEEP_COUNTS]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def dictionary_nouns() -> set[str]:
    """The words jieba's dict.txt tags as nouns, cached in `cache_dir()` (see _dictionary_key)."""
    cache = cache_dir()
    name = f"nouns-{_dictionary_key()}.txt"
    if cache is not None:
        try:
            return set((cache / name).read_text(encoding="utf-8").split("\n"))
        except (OSError, UnicodeDecodeError):
            pass
    text = _dictionary_text()
    nouns = set(re.findall(r"^(\S+) \d+ (?:n|nz|nl|ng|vn)\s*$", text, re.M))
    if cache is not None:
        data = "\n".join(sorted(nouns)).encode("utf-8")
        _write_cache(cache / name, lambda f: f.write(data))
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
        if engine.counts is None or engine.counts._freq is not engine._jb.FREQ:
            engine.counts = _Counts(engine)  # one per dictionary (asked once per word pair)
        return engine.counts
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
    """Start the engine now, with the vocabulary's words and what its tags need (a process
    about to fork)."""
    _get(vocabulary).prepare_tags()


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
    engine = _get(vocabulary)
    if engine.name == "jieba":
        return engine.spans(text)
    out = []
    pos = 0
    for word, tag in engine.tag(text):
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
