"""Full-text search over questions: BM25 (bm25s) over jieba tokens plus Chinese bigrams.

Titles count twice (a question is mostly found by what it asks). Any query string is accepted:
quotes, backslashes, emoji and very long text are just tokens; an empty query finds nothing.

Terms come from zhitu.text.terms. Ingest tokenizes every question once for both its candidate
terms and its search document (`document_terms`), so a saved graph comes with its index: `save`
writes it to a folder and `load` takes it back only when its key (`corpus_key`: the questions'
text, the tokenizer's words and engine) still matches. When ingest has already built the BM25
index of those documents (`bm25`, for related questions), it hands it over in `Documents` and
the index is not built again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import chain
from pathlib import Path

import bm25s
import numpy as np

from zhitu.graph.model import Question, QuestionRef, SearchHit
from zhitu.text.terms import terms

FORMAT = 2  # changes whenever the terms of a text change
KEY_FILE = "zhitu-key.json"


def _default_tokenizer() -> Callable[[str], list[str]]:
    from zhitu.text.segment import tokenize  # jieba loads on the first search only

    return tokenize


def _by_id(q: Question) -> str:
    return q.id


def bm25(documents: Sequence[list[str]]) -> bm25s.BM25 | None:
    """bm25s's index of documents given as their terms, the terms numbered in order of first
    appearance (not bm25s's set order: the same documents give the same index in every run);
    None when no document has a term."""
    words = dict.fromkeys(chain.from_iterable(documents))
    words.pop("", None)
    if not words:
        return None
    vocab = {t: i for i, t in enumerate(words)}
    ids = [list(map(vocab.__getitem__, d)) for d in documents]
    retriever = bm25s.BM25()
    retriever.index((ids, vocab), show_progress=False)
    return retriever


class Documents(dict[str, str]):
    """Question id -> search document, as ingest makes them, and the `bm25` index of the
    documents of `ids` (in that order) when ingest built it: SearchIndex then takes it as
    it is."""

    ids: list[str] | None = None
    index: bm25s.BM25 | None = None

    def share(self, ids: list[str], index: bm25s.BM25) -> None:
        """Keep `index`, the `bm25` of the documents of `ids`, in that order, split on spaces."""
        self.ids, self.index = ids, index


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
        built = getattr(documents, "index", None)
        if built is not None and getattr(documents, "ids", None) == [q.id for q in ordered]:
            self._retriever = built  # what the lines below build from the same documents
        else:
            docs = [documents.get(q.id) or " ".join(self._document(q)) for q in ordered]
            self._retriever = bm25([d.split(" ") if d else [] for d in docs])
        if self._retriever is not None:
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
