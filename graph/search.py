"""Full-text search over questions: BM25 (bm25s) over jieba tokens plus Chinese bigrams.

Titles count twice (a question is mostly found by what it asks). Any query string is accepted:
quotes, backslashes, emoji and very long text are just tokens; an empty query finds nothing.

Text is tokenized after `prefold` (full-width ASCII to ASCII, ASCII upper to lower case: one
character for one, so token offsets are offsets in the original text) and each token is then
NFKC-normalized and case-folded. Ingest tokenizes every question once for both its candidate
terms and its search document (`document_terms`), so a saved graph comes with its index: `save`
writes it to a folder and `load` takes it back only when its key (`corpus_key`: the questions'
text, the tokenizer's words and engine) still matches.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from itertools import chain
from pathlib import Path

import bm25s
import numpy as np

from graph.model import Question, QuestionRef, SearchHit

FORMAT = 2  # changes whenever the terms of a text change
KEY_FILE = "zhitu-key.json"
_FOLD = str.maketrans(
    {0x3000: " ", **{c: c + 32 for c in range(ord("A"), ord("Z") + 1)},
     **{0xFF01 + i: chr(0x21 + i).lower() for i in range(0x5E)}}  # full width, lower case
)


def _default_tokenizer() -> Callable[[str], list[str]]:
    try:
        from ingest.segment import tokenize
    except ImportError:
        import jieba

        jieba.setLogLevel(60)  # jieba logs its dictionary loading; library code stays quiet
        return jieba.lcut_for_search
    return tokenize


def _by_id(q: Question) -> str:
    return q.id


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def prefold(text: str) -> str:
    """Full-width ASCII and ASCII capitals folded, one character for one (offsets stay valid).

    >>> prefold("ＬＳＴＭ的Gate！")
    'lstm的gate!'
    """
    return text.translate(_FOLD)


def token_terms(tokens: Iterable[str], folded: bool = False) -> list[str]:
    """Search terms of tokens of prefolded text: NFKC, case folded, without whitespace and
    punctuation; a Chinese token of three or more characters also gives its bigrams.
    folded: the text the tokens came from is already NFKC and case folded (`is_folded`).

    >>> token_terms(["lstm", " ", "计算公式", "!"])
    ['lstm', '计算公式', '计算', '算公', '公式']
    """
    out = []
    for token in tokens:
        if not (folded or token.isascii()):
            token = unicodedata.normalize("NFKC", token).casefold()
        if not token.isalnum():  # letters and digits only is the common case
            token = "".join(ch for ch in token if unicodedata.category(ch)[0] not in "PZC")
            if not token:
                continue
        out.append(token)
        if len(token) >= 3:
            out += [
                token[i : i + 2]
                for i in range(len(token) - 1)
                if _is_cjk(token[i]) and _is_cjk(token[i + 1])
            ]
    return out


def is_folded(text: str) -> bool:
    """True when NFKC and case folding leave `text` as it is (then they leave its tokens too).

    >>> is_folded("lstm的门"), is_folded("ＬＳＴＭ"), is_folded("Straße")
    (True, False, False)
    """
    return unicodedata.is_normalized("NFKC", text) and text.casefold() == text


def terms(text: str, tokenize: Callable[[str], list[str]]) -> list[str]:
    """Search terms of `text`: `token_terms` of the tokens of `prefold(text)`.

    >>> terms("ＬＳＴＭ 计算公式！", lambda s: s.split(" "))
    ['lstm', '计算公式', '计算', '算公', '公式']
    """
    folded = prefold(text)
    return token_terms(tokenize(folded), is_folded(folded))


def document_terms(title_terms: list[str], body_terms: list[str]) -> str:
    """A question's search document, space-joined (terms never hold whitespace): title twice.

    >>> document_terms(["rnn"], ["序列"])
    'rnn rnn 序列'
    """
    return " ".join(title_terms + title_terms + body_terms)


def corpus_key(questions: Iterable[Question], words: Iterable[str], engine: str) -> str:
    """What an index depends on: every question's id and text, the tokenizer's words, its engine.

    >>> corpus_key([], [], "jieba") == corpus_key([], [], "rjieba")
    False
    """
    h = hashlib.blake2b(f"{FORMAT}\0{engine}\0".encode(), digest_size=16)
    h.update("\0".join(sorted(words)).encode())
    for q in sorted(questions, key=lambda q: q.id):
        h.update(f"\1{q.id}\0{q.text}".encode())
    return h.hexdigest()


class SearchIndex:
    """A BM25 index over question titles, answers and analyses.

    `documents` (question id -> `document_terms`, as ingest computes them) spares tokenizing
    those questions again; the others are tokenized with `tokenize`.
    """

    def __init__(
        self,
        questions: Iterable[Question],
        tokenize: Callable[[str], list[str]] | None = None,
        documents: Mapping[str, str] | None = None,
    ) -> None:
        self._tokenize = tokenize or _default_tokenizer()
        ordered = sorted(questions, key=_by_id)
        self._refs = [QuestionRef(q.id, q.title) for q in ordered]
        self._retriever: bm25s.BM25 | None = None
        documents = documents or {}
        docs = [documents.get(q.id) or " ".join(self._document(q)) for q in ordered]
        words = dict.fromkeys(chain.from_iterable(d.split(" ") for d in docs))
        words.pop("", None)  # an empty document
        if words:
            vocab = {t: i for i, t in enumerate(words)}
            ids = [list(map(vocab.__getitem__, d.split(" "))) if d else [] for d in docs]
            self._retriever = bm25s.BM25()
            self._retriever.index((ids, vocab), show_progress=False)
            self._vocab = set(self._retriever.vocab_dict)

    def _document(self, q: Question) -> list[str]:
        title = terms(q.title, self._tokenize)
        return title + title + terms(q.text[len(q.title) :], self._tokenize)

    def search(self, text: str, top: int = 10) -> list[SearchHit]:
        """Questions best matching `text`, best first; only questions sharing a term."""
        if self._retriever is None or top <= 0:
            return []
        query = [t for t in terms(text, self._tokenize) if t in self._vocab]
        if not query:
            return []
        scores = self._retriever.get_scores(query)
        order = np.argsort(-scores, kind="stable")[:top]
        return [
            SearchHit(self._refs[i], round(float(scores[i]), 6)) for i in order if scores[i] > 0
        ]

    def save(self, directory: str | Path, key: str) -> None:
        """Write the index to `directory` (replaced as a whole), tagged with `key`.

        OSError when it cannot be written; an index that was there is then left as it was.
        """
        directory = Path(directory)
        directory.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=directory.parent, prefix=f".{directory.name}."))
        try:
            tmp.chmod(0o755)  # mkdtemp makes it private; an index is as readable as its graph
            if self._retriever is not None:
                self._retriever.save(tmp, show_progress=False)
            (tmp / KEY_FILE).write_text(json.dumps({"key": key, "empty": self._retriever is None}))
            old = directory.with_name(tmp.name + ".old")
            if directory.exists():
                os.replace(directory, old)  # a reader between the two renames rebuilds
            os.replace(tmp, directory)
            shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(
        cls,
        directory: str | Path,
        key: str,
        questions: Iterable[Question],
        tokenize: Callable[[str], list[str]] | None = None,
    ) -> SearchIndex | None:
        """The index saved in `directory` for these questions, or None when it is missing,
        unreadable or was made for other text (another key)."""
        directory = Path(directory)
        try:
            saved = json.loads((directory / KEY_FILE).read_text())
            if saved.get("key") != key:
                return None
            index = cls([], tokenize)
            index._refs = [QuestionRef(q.id, q.title) for q in sorted(questions, key=_by_id)]
            if not saved.get("empty"):
                index._retriever = bm25s.BM25.load(directory, show_progress=False)
                index._vocab = set(index._retriever.vocab_dict)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return index
