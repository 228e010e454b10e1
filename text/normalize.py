"""The normalizations every layer compares text by: `normalize` and `title_key`."""

from __future__ import annotations

import re
import unicodedata

_TITLE_PREFIX = "问题:"  # NFKC makes 问题： into 问题:


def normalize(text: str) -> str:
    """The one normalization for matching: NFKC (full width to half width), then lower case.

    >>> normalize("ＲＮＮ与Relu")
    'rnn与relu'
    """
    return unicodedata.normalize("NFKC", text).lower()


def title_key(title: str) -> str:
    """A title as compared for identity and lookup: normalized, without whitespace,
    punctuation, control characters or a 问题: prefix; symbols stay (C++ is not C).

    >>> title_key("问题：什么是 Dropout？")
    '什么是dropout'
    >>> title_key("C++中的指针是什么") == title_key("C中的指针是什么")
    False
    """
    text = "".join(normalize(title).split())
    while text.startswith(_TITLE_PREFIX):
        text = text[len(_TITLE_PREFIX) :]
    return "".join(c for c in text if unicodedata.category(c)[0] not in "PZC")


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def sendable(text: str) -> str:
    r"""User text as UTF-8 can carry it (Bolt, SQLite): lone surrogates, which argv bytes that
    were no UTF-8 become, replaced by U+FFFD (they match nothing stored).

    >>> sendable("caf\udce9") == "caf\ufffd"
    True
    """
    return _LONE_SURROGATE.sub("\ufffd", text)
