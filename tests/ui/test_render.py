"""Escaping and highlighting: hostile text always comes out as text."""

from __future__ import annotations

import re

import pytest

from zhitu.ui import render

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    "[点我](javascript:alert(3))",
    "--x_x--0_0--function(){alert(4)}--x_x--0_0--",
    "--x_x----x_x--0_0--0_0--alert(5)",  # removing the inner marker forms an outer one
    "**粗体** `代码` $x^2$ :red[红] <b>b</b> &amp;",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_html_output_has_no_tags_and_no_marker(text: str) -> None:
    for out in (render.esc(text), render.highlight(text, ["alert", "x"]), render.prose(text)):
        assert render.JS_MARKER not in out
        assert not re.search(r"<(?!/?(mark|p|br)>)", out), out  # only our own tags


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_output_escapes_every_markup_character(text: str) -> None:
    for out in (render.md(text), render.md_mark(text, ["alert"])):
        assert render.JS_MARKER not in out
        plain = re.sub(r":red\[[^\]]*\]", "", out)  # our own colour directive
        assert not re.search(r"(?<!\\)[<>\[\]()*`$]", plain), out


@pytest.mark.parametrize("text", HOSTILE)
def test_chart_text_has_no_marker_and_no_template_braces(text: str) -> None:
    out = render.chart_text(text)
    assert render.JS_MARKER not in out and "{" not in out and "}" not in out


def test_highlight_is_case_insensitive_and_merges_neighbours() -> None:
    assert render.highlight("lstm的门控原理", ["LSTM", "门控", "原理"]) == (
        "<mark>lstm</mark>的<mark>门控原理</mark>"
    )


def test_snippet_centres_on_the_first_match() -> None:
    text = "开头" * 100 + "梯度消失" + "结尾" * 100
    out = render.snippet(text, ["梯度消失"], width=40)
    assert out.startswith("…") and out.endswith("…") and "<mark>梯度消失</mark>" in out


def test_query_terms_drop_stop_words_and_punctuation() -> None:
    assert render.query_terms(["LSTM", "的", "门控", "？", "是", "门控"]) == ["LSTM", "门控"]
