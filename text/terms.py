"""Search terms of a text: folded one character for one, tokenized, NFKC and case folded.

Text is tokenized after `prefold` (full-width ASCII to ASCII, ASCII upper to lower case: one
character for one, so token offsets are offsets in the original text) and each token is then
NFKC-normalized and case-folded. Ingest tokenizes every question once for both its candidate
terms and its search document (`document_terms`); graph.search indexes those documents.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable

_FOLD = str.maketrans(
    {0x3000: " ", **{c: c + 32 for c in range(ord("A"), ord("Z") + 1)},
     **{0xFF01 + i: chr(0x21 + i).lower() for i in range(0x5E)}}  # full width, lower case
)


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
