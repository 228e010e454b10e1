"""Full-text search over questions: BM25 (bm25s) over jieba tokens plus Chinese bigrams.

Titles count twice (a question is mostly found by what it asks). Any query string is accepted:
quotes, backslashes, emoji and very long text are just tokens; an empty query finds nothing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable

import bm25s
import numpy as np

from graph.model import Question, QuestionRef, SearchHit


def _default_tokenizer() -> Callable[[str], list[str]]:
    try:
        from ingest.segment import tokenize
    except ImportError:
        import jieba

        jieba.setLogLevel(60)  # jieba logs its dictionary loading; library code stays quiet
        return jieba.lcut_for_search
    return tokenize


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def terms(text: str, tokenize: Callable[[str], list[str]]) -> list[str]:
    """Normalized tokens of `text` without whitespace and punctuation; a Chinese token of three
    or more characters also gives its character bigrams, so 公式 finds 计算公式.

    >>> terms("ＬＳＴＭ 计算公式！", lambda s: s.split(" "))
    ['lstm', '计算公式', '计算', '算公', '公式']
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    out = []
    for token in tokenize(text):
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


class SearchIndex:
    """A BM25 index over question titles, answers and analyses."""

    def __init__(
        self,
        questions: Iterable[Question],
        tokenize: Callable[[str], list[str]] | None = None,
    ) -> None:
        self._tokenize = tokenize or _default_tokenizer()
        ordered = sorted(questions, key=lambda q: q.id)
        self._refs = [QuestionRef(q.id, q.title) for q in ordered]
        self._retriever: bm25s.BM25 | None = None
        if ordered:
            docs = [self._document(q) for q in ordered]
            self._retriever = bm25s.BM25()
            self._retriever.index(docs, show_progress=False)
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
