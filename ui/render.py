"""Safe text for the Streamlit app: HTML and Markdown escaping, search highlighting, snippets.

Bank text is untrusted. Everything that reaches `st.html` goes through `esc`/`highlight`/`prose`
(HTML-escaped), everything that reaches a Markdown label (page links, expanders, headers) goes
through `md`, and everything put into ECharts options goes through `chart_text` (the
streamlit-echarts JS marker would make a string run as JavaScript).
"""

from __future__ import annotations

import html
import re
import string
from collections.abc import Iterable

JS_MARKER = "--x_x--0_0--"
_MD_SPECIAL = set(string.punctuation)
_STOP_TERMS = {
    "的",
    "是",
    "什么",
    "和",
    "与",
    "及",
    "了",
    "在",
    "吗",
    "呢",
    "怎么",
    "如何",
    "为什么",
}


def strip_marker(text: str) -> str:
    """Remove the streamlit-echarts JS marker, also when removing one forms another.

    >>> strip_marker("a--x_x----x_x--0_0--0_0--b")
    'ab'
    """
    while JS_MARKER in text:
        text = text.replace(JS_MARKER, "")
    return text


def chart_text(text: str) -> str:
    """Text for ECharts options: no JS marker, no rich-text/template braces.

    >>> chart_text("{b|x}--x_x--0_0--")
    '｛b|x｝'
    """
    return strip_marker(text).replace("{", "｛").replace("}", "｝")


def esc(text: str) -> str:
    """HTML-escape text (quotes too) and drop the JS marker.

    >>> esc('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    return html.escape(strip_marker(text), quote=True)


def md(text: str) -> str:
    """Escape text for a Streamlit Markdown label so it shows literally, on one line.

    >>> md("[x](javascript:alert(1)) **b**")
    '\\\\[x\\\\]\\\\(javascript\\\\:alert\\\\(1\\\\)\\\\) \\\\*\\\\*b\\\\*\\\\*'
    """
    flat = " ".join(strip_marker(text).split())
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in flat)


def query_terms(tokens: Iterable[str]) -> list[str]:
    """Tokens worth highlighting: no stop words, no punctuation; longest first, unique.

    >>> query_terms(["RNN", "的", "梯度", "?", "梯度"])
    ['RNN', '梯度']
    """
    seen: dict[str, None] = {}
    for tok in tokens:
        tok = tok.strip()
        if not tok or tok in _STOP_TERMS or all(not ch.isalnum() for ch in tok):
            continue
        seen.setdefault(tok, None)
    return sorted(seen, key=len, reverse=True)


def _pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    terms = sorted({t for t in terms if t}, key=len, reverse=True)
    if not terms:
        return None
    # adjacent matches merge into one highlight ("门控" + "原理" -> "门控原理")
    return re.compile("(?:" + "|".join(re.escape(t) for t in terms) + ")+", re.IGNORECASE)


def highlight(text: str, terms: Iterable[str]) -> str:
    """HTML-escaped text with every term (case-insensitive) wrapped in <mark>.

    >>> highlight("<b>RNN</b> 与 rnn", ["RNN"])
    '&lt;b&gt;<mark>RNN</mark>&lt;/b&gt; 与 <mark>rnn</mark>'
    """
    text = strip_marker(text)
    pattern = _pattern(terms)
    if pattern is None:
        return esc(text)
    out: list[str] = []
    last = 0
    for m in pattern.finditer(text):
        out.append(esc(text[last : m.start()]))
        out.append(f"<mark>{esc(m.group(0))}</mark>")
        last = m.end()
    out.append(esc(text[last:]))
    return "".join(out)


def md_mark(text: str, terms: Iterable[str]) -> str:
    """Markdown-escaped text (one line) with every term coloured, for link labels.

    >>> md_mark("什么是RNN*的门控原理", ["rnn", "门控", "原理"])
    '什么是:red[RNN]\\\\*的:red[门控原理]'
    """
    text = " ".join(strip_marker(text).split())
    pattern = _pattern(terms)
    if pattern is None:
        return md(text)
    out, last = [], 0
    for m in pattern.finditer(text):
        out += [md(text[last : m.start()]), f":red[{md(m.group(0))}]"]
        last = m.end()
    return "".join([*out, md(text[last:])])


def snippet(text: str, terms: Iterable[str], width: int = 90) -> str:
    """About `width` characters of text around the first term, highlighted and escaped.

    >>> snippet("一二三四五六七八九十梯度消失", ["梯度"], width=7)
    '…八九十<mark>梯度</mark>消失'
    """
    text = " ".join(strip_marker(text).split())
    terms = list(terms)
    pattern = _pattern(terms)
    match = pattern.search(text) if pattern else None
    start = max(0, match.start() - width // 2) if match else 0
    end = min(len(text), start + width)
    piece = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
    return highlight(piece, terms)


def prose(text: str, terms: Iterable[str] = ()) -> str:
    """A block of bank text as escaped HTML paragraphs, line breaks kept, terms highlighted.

    >>> prose("a<b\\n\\nc")
    '<p>a&lt;b</p><p>c</p>'
    """
    blocks = [b.strip() for b in re.split(r"\n\s*\n", strip_marker(text)) if b.strip()]
    return "".join(
        "<p>" + "<br>".join(highlight(line, terms) for line in block.splitlines()) + "</p>"
        for block in blocks
    )
