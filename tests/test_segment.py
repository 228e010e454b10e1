"""text.segment: one jieba per process, a lexicon's vocabulary as user words, tagged tokens."""

from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhitu.ingest.lexicon import Lexicon, load_lexicon
from zhitu.text import segment

SMALL = Path(__file__).parent / "fixtures" / "ingest" / "small_lexicon.yaml"


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon(SMALL)


@pytest.fixture(params=["jieba", "rjieba"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test under each engine (ZHITU_SEGMENTER)."""
    monkeypatch.setenv(segment.ENGINE_ENV, request.param)
    return request.param


def test_engine_name_follows_the_environment(engine: str) -> None:
    assert segment.engine_name() == engine
    assert segment.tokenize("RNN") == ["RNN"]  # the engine starts under that name
    assert segment._get(None).name == engine


def test_unknown_engine_falls_back_to_jieba(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(segment.ENGINE_ENV, "thulac")
    assert segment.engine_name() == "jieba"


def test_lexicon_words_stay_whole(engine: str, lexicon: Lexicon) -> None:
    # 跟新门 (a typo of 更新门 seen in real banks) is not a jieba word until the lexicon adds it
    tokens = segment.tokenize("Gru由重置门和跟新门组成", lexicon.vocabulary)
    assert "跟新门" in tokens and "重置门" in tokens
    assert segment.tokenize("BN层的作用", lexicon.vocabulary)[0] == "BN层"


def test_user_words_skip_spaced_surfaces(lexicon: Lexicon) -> None:
    words = lexicon.vocabulary.words
    assert "Long Short-Term Memory" not in words  # no tokenizer can hold a space
    assert {"BN层", "bn层", "跟新门", "sigmod"} <= set(words)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("LSTM和GRU", ["LSTM", "和", "GRU"]),
        ("  ", []),  # whitespace only
        ("", []),
        ("Batch Normalization", ["Batch", "Normalization"]),  # spaces split words
    ],
)
def test_tokenize_drops_whitespace(text: str, expected: list[str]) -> None:
    assert segment.tokenize(text) == expected


def test_nouns_are_tagged_as_nouns(engine: str) -> None:
    spans = segment.token_spans("锐化就是通过增强高频分量来减少图像中的模糊")
    nouns = {w for w, t, _ in spans if t in segment.NOUN_TAGS and len(w) >= 2}
    assert "图像" in nouns
    assert not {"就是", "通过", "减少", "中", "的"} & nouns


def test_token_spans_point_into_the_text(engine: str, lexicon: Lexicon) -> None:
    text = "平滑与锐化相反, 过滤掉高频分量, 减少图像的噪声"
    spans = segment.token_spans(text, lexicon.vocabulary)
    assert spans and all(text[p:p + len(w)] == w for w, _, p in spans)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="RNN的梯度消失 和LSTM，。\nab12", max_size=40))
def test_token_offsets_always_match(text: str) -> None:
    for word, _, pos in segment.token_spans(text):
        assert text[pos:pos + len(word)] == word


@pytest.mark.parametrize(("word", "common"), [("问题", True), ("方法", True), ("感受野", False),
                                              ("稀疏性", False)])
def test_is_common(engine: str, word: str, common: bool) -> None:
    assert segment.is_common(word) is common


def test_blocks_seen_before_are_cut_as_jieba_cuts_them() -> None:
    # blocks are remembered per process; added words start afresh (叉烧包卷积: no jieba word)
    text = "他用叉烧包卷积做实验。 他用叉烧包卷积做实验\n叉烧包卷积！"
    jb = segment._get(None)._jb
    for vocabulary in (None, segment.Vocabulary(["叉烧包卷积"])):
        for _ in range(2):
            got = segment.token_spans(text, vocabulary)
            assert [w for w, _, _ in got] == [w for w in jb.cut(text) if w.strip()]
            assert segment.tokenize(text, vocabulary) == [w for w, _, _ in got]
    assert "叉烧包卷积" in segment.tokenize(text)


def test_the_dictionary_cache_gives_jiebas_dictionary(tmp_path: Path) -> None:
    loaded = SimpleNamespace(FREQ={}, total=0, initialized=False)
    original = SimpleNamespace(FREQ={"深度": 5, "深": 3, "学": 0, "x": 1}, total=9)
    assert not segment._load_dictionary(loaded, tmp_path)  # nothing saved yet
    segment._save_dictionary(original, tmp_path)
    assert segment._load_dictionary(loaded, tmp_path) and loaded.initialized
    assert loaded.FREQ == original.FREQ and list(loaded.FREQ) == list(original.FREQ)
    assert loaded.total == 9


def test_user_word_counts_are_cached_per_word_list(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert segment._load_counts(["卷积", "池化"]) is None
    segment._save_counts(["卷积", "池化"], [7, 11])
    assert segment._load_counts(["卷积", "池化"]) == [7, 11]
    assert segment._load_counts(["池化", "卷积"]) is None  # another order: other counts


def test_threads_share_one_segmenter(lexicon: Lexicon) -> None:
    text = "循环神经网络(RNN)是一种节点定向连接成环的人工神经网络,Gru由重置门和跟新门组成"
    expected = segment.tokenize(text, lexicon.vocabulary)
    results: list[list[str]] = []

    def work() -> None:
        for _ in range(20):
            results.append(segment.tokenize(text, lexicon.vocabulary))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 80 and all(r == expected for r in results)
