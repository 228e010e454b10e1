"""Escaping, highlighting and formulas: hostile text always comes out as text, formulas are
handed to KaTeX whole (never cut) and only when they hold no link, HTML or macro command."""

from __future__ import annotations

import re

import pytest

from zhitu.ui import render

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    "[点我](javascript:alert(3))",
    "--x_x--0_0--function(){alert(4)}--x_x--0_0--",  # streamlit-echarts' JS marker: text now
    "**粗体** `代码` $x^2$ :red[红] <b>b</b> &amp;",
    "<script>alert(6)</script>$\\sigma^2$<img src=x onerror=alert(7)>",  # tags next to formulas
    "$\\href{javascript:alert(8)}{点}$ \\(\\url{javascript:alert(9)}\\) $$\\htmlId{x}{y}$$",
    "$x$](javascript:alert(10)) [a$](b)$ $$</script>$$",  # link syntax split by formulas
]
SAFE_MATH = re.compile(r"\$\$\n[^$\n]+\n\$\$|(?<!\\)\$[^$\n]+(?<!\\)\$")


@pytest.mark.parametrize("text", HOSTILE)
def test_html_output_has_no_tags(text: str) -> None:
    for out in (render.esc(text), render.highlight(text, ["alert", "x"])):
        assert not re.search(r"<(?!/?(mark|p|br)>)", out), out  # only our own tags


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_output_escapes_every_markup_character(text: str) -> None:
    outs = (render.md(text), render.md_math(text, ["alert"]), render.md_block(text),
            render.md_snippet(text, ["alert"], width=30))  # fmt: skip
    for out in outs:
        plain = re.sub(r":(red|orange)\[[^\]]*\]", "", out)  # our own colours
        formulas = SAFE_MATH.findall(plain)
        assert not any(re.search(r"\\(href|url|html)", f) for f in formulas), out
        plain = SAFE_MATH.sub("", plain)
        assert not re.search(r"(?<!\\)[<>\[\]()*`$]", plain), out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("其中 $y = f(x)$ 是", "其中 $y = f(x)$ 是"),
        ("行内 \\(a_i\\) 记号", "行内 $a_i$ 记号"),
        ("独立 $$\\sum_i x_i$$ 公式", "独立 \n\n$$\n\\sum_i x_i\n$$\n\n 公式"),
        ("独立 \\[E_D[f]\\] 公式", "独立 \n\n$$\nE_D[f]\n$$\n\n 公式"),
        ("价格 $5 到 $10 之间", "价格 \\$5 到 \\$10 之间"),  # money, not a formula
        ("$\\href{javascript:x}{y}$", "\\$\\\\href\\{javascript\\:x\\}\\{y\\}\\$"),
    ],
)
def test_formulas_in_the_four_delimiters_are_typeset(text: str, expected: str) -> None:
    assert render.md_block(text) == expected


def test_a_snippet_never_cuts_a_formula() -> None:
    formula = "$\\bar f(x) = E_D[f_D(x)]$"
    text = "方差" * 30 + formula + "偏差" * 30
    spans = {(s, e) for s, e, _, _ in render.math_spans(text)}
    assert spans
    for width in range(4, 90, 3):
        for term in ("方差", "偏差", "E_D"):
            out = render.md_snippet(text, [term], width=width)
            assert out.count("$") % 2 == 0, (width, term, out)  # formulas arrive whole
            assert "$" not in out or formula in out.replace(":orange[E\\_D]", "E_D")


@pytest.mark.parametrize("text", HOSTILE)
def test_chart_text_has_no_template_braces(text: str) -> None:
    out = render.chart_text(text)
    assert "{" not in out and "}" not in out
    assert out.replace("｛", "{").replace("｝", "}") == text  # otherwise as written


def test_highlight_is_case_insensitive_and_merges_neighbours() -> None:
    assert render.highlight("lstm的门控原理", ["LSTM", "门控", "原理"]) == (
        "<mark>lstm</mark>的<mark>门控原理</mark>"
    )


def test_snippet_centres_on_the_first_match() -> None:
    text = "开头" * 100 + "梯度消失" + "结尾" * 100
    out = render.md_snippet(text, ["梯度消失"], width=40)
    assert out.startswith("…") and out.endswith("…") and ":orange[梯度消失]" in out


def test_query_terms_drop_stop_words_and_punctuation() -> None:
    assert render.query_terms(["LSTM", "的", "门控", "？", "是", "门控"]) == ["LSTM", "门控"]
