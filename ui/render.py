"""Safe text for the Streamlit app: HTML and Markdown escaping, search highlighting, snippets.

Bank text is untrusted. Everything that reaches `st.html` goes through `esc`/`highlight`
(HTML-escaped); everything that reaches Markdown (labels, headers, captions, answers) goes through
`md` (plain text) or, where a formula may appear (titles, answers, analyses, snippets), through
`md_math`/`md_block`/`md_snippet`: the text escaped, each formula handed to KaTeX as the one
unescaped part (KaTeX runs untrusted, and formulas with link, HTML or macro commands stay text);
everything put into ECharts options goes through `chart_text` (no template braces). The charts
are Streamlit's own `st.echarts_chart`, which takes JSON only and runs no string as code, so the
`--x_x--` marker of streamlit-echarts (a string that ran as JavaScript) is plain text here.
"""

from __future__ import annotations

import html
import re
import string
from collections.abc import Iterable

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


def chart_text(text: str) -> str:
    """Text for ECharts options: no rich-text/template braces.

    >>> chart_text("{b|x} {c}")
    '｛b|x｝ ｛c｝'
    """
    return text.replace("{", "｛").replace("}", "｝")


def esc(text: str) -> str:
    """HTML-escape text (quotes too).

    >>> esc('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    return html.escape(text, quote=True)


def md(text: str) -> str:
    """Escape text for a Streamlit Markdown label so it shows literally, on one line.

    >>> md("[x](javascript:alert(1)) **b**")
    '\\\\[x\\\\]\\\\(javascript\\\\:alert\\\\(1\\\\)\\\\) \\\\*\\\\*b\\\\*\\\\*'
    """
    flat = " ".join(text.split())
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


_MATH = re.compile(
    r"\$\$(?P<d1>[^$]{1,2000}?)\$\$"  # $$…$$, may span lines
    r"|\\\[(?P<d2>.{1,2000}?)\\\]"  # \[…\]
    r"|\\\((?P<i2>.{1,500}?)\\\)"  # \(…\)
    r"|(?<![\\$])\$(?P<i1>[^$\n]{1,500}?)(?<!\\)\$(?!\d)",  # $…$, one line, not "$5 到 $10"
    re.DOTALL,
)
_NUMBER = re.compile(r"[\d.,%\s]+")  # "$10 $" in "$5 到 $10 $…" is money, not a formula
# KaTeX commands that make links, HTML or macros: such a formula stays plain text
_UNSAFE_TEX = re.compile(
    r"\\(?:href|url|includegraphics|def|gdef|edef|xdef|let|(?:re|provide)?newcommand"
    r"|newenvironment)(?![A-Za-z])|\\html[A-Za-z]"
)


def math_spans(text: str) -> list[tuple[int, int, bool, str]]:
    """(start, end, display, body) of each formula KaTeX may typeset.

    >>> math_spans(r"其中 $x^2$ 与 \\[a\\] 价格 $5 到 $10 $\\href{javascript:x}{y}$")
    [(3, 8, False, 'x^2'), (11, 16, True, 'a')]
    """
    found = []
    for m in _MATH.finditer(text):
        display = m.group("d1") is not None or m.group("d2") is not None
        body = " ".join(next(g for g in m.groups() if g is not None).split())
        unsafe = "$" in body or _UNSAFE_TEX.search(body) or _NUMBER.fullmatch(body)
        if body and not unsafe:
            found.append((m.start(), m.end(), display, body))
    return found


def _md_raw(text: str) -> str:
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in text)


def _md_marked(text: str, pattern: re.Pattern[str] | None, mark: str) -> str:
    if pattern is None:
        return _md_raw(text)
    out, last = [], 0
    for m in pattern.finditer(text):
        out += [_md_raw(text[last : m.start()]), f":{mark}[{_md_raw(m.group(0))}]"]
        last = m.end()
    return "".join([*out, _md_raw(text[last:])])


def md_math(text: str, terms: Iterable[str] = (), mark: str = "red") -> str:
    """One line of bank text for Markdown: escaped, formulas typeset, terms coloured.

    Without formulas and terms it is exactly `md(text)`.

    >>> md_math("什么是RNN*的门控 $h_t$", ["rnn", "门控"])
    '什么是:red[RNN]\\\\*的:red[门控] $h_t$'
    >>> md_math(r"<b>$\\href{javascript:x}{y}$</b>") == md(r"<b>$\\href{javascript:x}{y}$</b>")
    True
    """
    text = " ".join(text.split())
    pattern = _pattern(terms)
    out, last = [], 0
    for start, end, _, body in math_spans(text):
        out += [_md_marked(text[last:start], pattern, mark), f"${body}$"]
        last = end
    return "".join([*out, _md_marked(text[last:], pattern, mark)])


def md_block(text: str) -> str:
    """A block of bank text for st.markdown: escaped, line breaks and paragraphs kept,
    formulas typeset ($$…$$ and \\[…\\] on their own lines).

    >>> md_block("第一行 $a$\\n第二行\\n\\n$$b$$ <i>")
    '第一行 $a$  \\n第二行\\n\\n$$\\nb\\n$$\\n\\n \\\\<i\\\\>'
    """
    text = text.strip()
    out, last = [], 0
    for start, end, display, body in math_spans(text):
        out += [_md_lines(text[last:start]), f"\n\n$$\n{body}\n$$\n\n" if display else f"${body}$"]
        last = end
    return re.sub(r"\n{3,}", "\n\n", "".join([*out, _md_lines(text[last:])])).strip("\n")


def _md_lines(text: str) -> str:
    paragraphs = re.split(r"[ \t\u3000]*\n\s*\n", text)
    return "\n\n".join(
        "  \n".join(_md_raw(re.sub(r"[ \t\u3000]+", " ", line)) for line in p.split("\n"))
        for p in paragraphs
    )


def _word_edge(text: str, i: int, step: int, most: int = 20) -> int:
    """Move a cut at `i` out of a Latin word (optimizer.st|ep -> optimizer.step|).

    >>> _word_edge("调用 optimizer.step 更新", 15, 1), _word_edge("调用 optimizer", 6, -1)
    (17, 3)
    """
    def inside(k: int) -> bool:
        return 0 < k < len(text) and (text[k - 1] + text[k]).isascii() and (
            text[k - 1].isalnum() and text[k].isalnum())

    moved = 0
    while inside(i) and moved < most:
        i += step
        moved += 1
    return i


def md_snippet(text: str, terms: Iterable[str], width: int = 90) -> str:
    """About `width` characters around the first term, as one Markdown line: terms on an
    in orange, formulas typeset and never cut in half.

    >>> md_snippet("一二三四五六七八九十梯度消失", ["梯度"], width=7)
    '…八九十:orange[梯度]消失'
    >>> print(md_snippet(r"损失 $\\sum_i (y_i - w^T x_i)^2$ 最小", ["损失"], width=20))
    :orange[损失] $\\sum_i (y_i - w^T x_i)^2$…
    """
    text = " ".join(text.split())
    terms = list(terms)
    pattern = _pattern(terms)
    match = pattern.search(text) if pattern else None
    start = max(0, match.start() - width // 2) if match else 0
    end = min(len(text), start + width)
    start, end = _word_edge(text, start, -1), _word_edge(text, end, 1)
    for s, e, _, _ in math_spans(text):
        if s < start < e:
            start = s
        if s < end < e:
            end = e if e - start <= 2 * width else s
    piece = text[start:end]
    return ("…" if start else "") + md_math(piece, terms, "orange") + (
        "…" if end < len(text) else ""
    )
