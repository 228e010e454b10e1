"""The matching form of a text: NFKC, lower case and whitespace folded, offsets kept.

Folding is text.normalize.normalize (NFKC + lower case) plus whitespace: a run of whitespace
becomes one space between Latin words ("Batch\\nNormalization" -> "batch normalization") and
disappears next to CJK text ("BN 层" -> "bn层"). Every character of the folded text keeps the
index of its source character, also when folding changes the length (ligatures, combining
marks), so a match in folded text maps back to the original. Surfaces are folded the same way;
`variants` gives a multi-word Latin surface's spellings written together or with hyphens.
"""

from __future__ import annotations

import re
import unicodedata

from zhitu.text.normalize import normalize

_SPACE = re.compile(r"\s+")
# characters whose NFKC form can merge with a neighbour (combining marks, Hangul jamo)
_COMPOSING = re.compile("[\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0900-\u0dff\u1100-\u11ff"
                        "\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\u3099\u309a\ufe20-\ufe2f]")


def is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def is_cjk(ch: str) -> bool:
    return ch >= "\u2e80"


def _nfkc_lower(text: str) -> tuple[str, list[int]]:
    """normalize(text) and, for each of its characters, the index of its source character."""
    norm = normalize(text)
    if len(norm) == len(text) and not _COMPOSING.search(text):
        return norm, list(range(len(text)))
    out: list[str] = []
    offsets: list[int] = []
    start = 0
    for i in range(1, len(text) + 1):  # one cluster = a character and its combining marks
        if i < len(text) and unicodedata.combining(text[i]):
            continue
        piece = normalize(text[start:i])
        out.append(piece)
        offsets.extend([start] * len(piece))
        start = i
    return "".join(out), offsets


def fold(text: str) -> tuple[str, list[int]]:
    """The matching form of a text and the source index of each of its characters.

    >>> fold("ＲＮＮ 和 Batch\\nNorm")
    ('rnn和batch norm', [0, 1, 2, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15])
    """
    norm, base = _nfkc_lower(text)
    out: list[str] = []
    offsets: list[int] = []
    pos = 0
    for m in _SPACE.finditer(norm):
        s, e = m.span()
        out.append(norm[pos:s])
        offsets.extend(base[pos:s])
        if s > 0 and e < len(norm) and not (is_cjk(norm[s - 1]) or is_cjk(norm[e])):
            out.append(" ")
            offsets.append(base[s])
        pos = e
    out.append(norm[pos:])
    offsets.extend(base[pos:])
    return "".join(out), offsets


def folded(text: str) -> str:
    """fold(text)[0], without the offsets (a test for surfaces, not a match to map back).

    >>> folded("ＲＮＮ 和 Batch\\nNorm") == fold("ＲＮＮ 和 Batch\\nNorm")[0]
    True
    """
    norm = normalize(text)
    if len(norm) != len(text) or _COMPOSING.search(text):
        norm = _nfkc_lower(text)[0]
    out: list[str] = []
    pos = 0
    for m in _SPACE.finditer(norm):
        s, e = m.span()
        out.append(norm[pos:s])
        if s > 0 and e < len(norm) and not (is_cjk(norm[s - 1]) or is_cjk(norm[e])):
            out.append(" ")
        pos = e
    out.append(norm[pos:])
    return "".join(out)


def variants(surface: str) -> set[str]:
    """A folded surface and its spellings with Latin words spaced, hyphenated or joined.

    >>> sorted(variants("bi-lstm layer"))
    ['bi lstm layer', 'bi-lstm layer', 'bi-lstm-layer', 'bilstm layer', 'bilstmlayer']
    """
    forms = {surface}
    if re.search(r"[a-z0-9][ -][a-z0-9]", surface):
        forms.add(surface.replace("-", " "))
        forms.add(re.sub(r"(?<=[a-z0-9]) (?=[a-z0-9])", "-", surface))
        forms.add(re.sub(r"(?<=[a-z0-9])[ -](?=[a-z0-9])", "", surface))
        forms.add(re.sub(r"(?<=[a-z0-9])-(?=[a-z0-9])", "", surface))
    return {f for f in forms if len(f) >= 2}
