"""Properties of ingest/read.py: no crash on any input, write_sample round trips, stable ids."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from zhitu.graph.errors import InputError
from zhitu.ingest.read import RawQuestion, decode, question_id, read_text, write_sample
from zhitu.ingest.read_common import clean_title, match_marker
from zhitu.ingest.read_sample import _starts_question

FORMATS = ["sample", "markdown", "json", "jsonl", "csv"]
# pieces of every syntax the readers know, so random text reaches the interesting branches
TOKENS = (
    "\n|\r\n|\r| |  |\t|●|• |## |#### |**|__|`|```|~~~|参考回答:|答案：|回答|答:|A:"
    "|解析:|**解析：**|【解析】|问题:|Q1：|1. |2、|3.6.8 |（一）|<!--|-->|![图](a.png)"
    '|[TOC]|- [目录](#a)|---|<br>|<details>|$$|?|？|{|}|[|]|"|,|:|question|answer'
    '|"question"|"answer"|title|问题|答案|tags|\u200b|\ufeff|\x00|什么是RNN|Batch'
    "|Normalization|梯度消失|。"
).split("|")
markup = st.lists(st.sampled_from(TOKENS) | st.text(max_size=6), max_size=80).map("".join)

_CHARS = st.characters(whitelist_categories=("Lo", "Ll", "Lu", "Nd"), max_codepoint=0x9FFF)
_WORDS = st.text(
    _CHARS | st.sampled_from(list(" ，,。？?（）()+-=/%：:、")), min_size=1, max_size=30
)
_TEXT = _WORDS.map(lambda t: " ".join(t.split())).filter(bool)


def _plain_line(line: str) -> bool:
    """A line the sample format cannot mistake for a bullet, a 问题: line or a marker."""
    return not _starts_question(line) and match_marker(line) is None


titles = _TEXT.filter(lambda t: clean_title(t) == t and _plain_line(t))
# lines end a sentence, so none reads as a paragraph wrapped across lines
lines = _TEXT.map(lambda t: t + "。").filter(_plain_line)
bodies = st.lists(lines, min_size=1, max_size=4).map("\n".join)
questions = st.builds(
    RawQuestion,
    title=titles,
    answer=bodies,
    analysis=st.just("") | bodies,
    file=st.just("gen.txt"),
    line=st.just(1),
)


@settings(deadline=None)
@given(text=st.text(max_size=3000) | markup, fmt=st.sampled_from(FORMATS))
def test_read_text_raises_nothing_but_input_error(text: str, fmt: str) -> None:
    try:
        result = read_text(text, "any.txt", fmt)
    except InputError as e:
        assert str(e) and "\n" not in str(e)
        return
    line_count = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    for q in result.questions:
        assert q.title and q.answer and q.file == "any.txt"
        assert 1 <= q.line <= line_count
    assert all(w.startswith("any.txt:") and "\n" not in w for w in result.warnings)


@settings(deadline=None)
@given(data=st.binary(max_size=2000))
def test_decode_gives_text_or_input_error(data: bytes) -> None:
    try:
        assert isinstance(decode(data, "any.txt"), str)
    except InputError as e:
        assert "any.txt" in str(e)


@settings(deadline=None)
@given(qs=st.lists(questions, max_size=8))
def test_write_sample_round_trips(qs: list[RawQuestion]) -> None:
    result = read_text(write_sample(qs), "rt.txt")
    assert result.warnings == []
    assert [(q.title, q.answer, q.analysis) for q in result.questions] == [
        (q.title, q.answer, q.analysis) for q in qs
    ]
    assert [q.line for q in result.questions] == sorted({q.line for q in result.questions})


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@given(title=_TEXT, spaces=st.lists(st.integers(0, 30), max_size=5))
def test_id_ignores_whitespace_width_case_and_prefix(title: str, spaces: list[int]) -> None:
    variant = "".join(c.swapcase() if c.isascii() else c for c in title)
    for position in spaces:
        variant = variant[:position] + " \t" + variant[position:]
    for changed in (variant, _fullwidth(variant), "问题：" + variant):
        assert question_id(changed) == question_id(title)
