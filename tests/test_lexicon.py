"""The lexicon loader: relations and surfaces from a valid file, one clear error per bad entry."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from zhitu.graph.errors import LexiconError
from zhitu.graph.model import Origin
from zhitu.ingest.lexicon import CATEGORIES, load_lexicon
from zhitu.text.normalize import normalize

VALID = """\
ambiguous_aliases: [步长]
concepts:
  - id: rnn
    name: RNN
    zh: 循环神经网络
    aliases: [Recurrent Neural Network, 循環神經網絡]
    category: rnn
    summary: 处理序列的网络
    minutes: 30
  - id: lstm
    name: LSTM
    zh: 长短期记忆网络
    aliases: [Long Short-Term Memory, ＬＳＴＭ网络, LSTM网络]
    category: rnn
    prerequisites: [rnn]
    is_a: [rnn]
    addresses: [vanishing-gradient]
    contrasts: [gru]
  - id: gru
    name: GRU
    zh: 门控循环单元
    category: rnn
    is_a: [rnn]
    contrasts: [lstm]
  - id: forget-gate
    name: 遗忘门
    zh: 遗忘门
    category: rnn
    part_of: [lstm]
  - id: vanishing-gradient
    name: 梯度消失
    zh: 梯度消失
    aliases: [梯度弥散]
    category: nn
  - id: sequence-data
    name: 序列数据
    zh: 序列数据
    context_aliases: [序列, 序列]  # a repeat is harmless
    category: rnn
    contrasts: [rnn]
  - id: stride
    name: stride
    zh: 卷积步长
    aliases: [步长]
    category: cnn
  - id: learning-rate
    name: 学习率
    zh: 学习率
    aliases: [步长]
    category: training
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "concepts.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def lexicon(tmp_path: Path):
    return load_lexicon(_write(tmp_path, VALID))


def test_concepts_keep_their_fields(lexicon) -> None:
    rnn = lexicon.concepts["rnn"]
    assert (rnn.name, rnn.zh, rnn.category, rnn.summary, rnn.minutes) == (
        "RNN",
        "循环神经网络",
        "rnn",
        "处理序列的网络",
        30,
    )
    assert rnn.aliases == ["Recurrent Neural Network", "循環神經網絡"]
    # optional fields default to empty
    gate = lexicon.concepts["forget-gate"]
    assert (gate.aliases, gate.summary, gate.minutes) == ([], "", None)


def test_relations_point_the_documented_way(lexicon) -> None:
    keys = {r.key for r in lexicon.relations}
    assert keys == {
        ("PREREQUISITE_OF", "rnn", "lstm"),  # prerequisites: listed id -> this concept
        ("CONTRASTS_WITH", "rnn", "sequence-data"),
        ("IS_A", "lstm", "rnn"),
        ("IS_A", "gru", "rnn"),
        ("PART_OF", "forget-gate", "lstm"),
        ("ADDRESSES", "lstm", "vanishing-gradient"),
        ("CONTRASTS_WITH", "gru", "lstm"),  # listed on both sides, stored once with src < dst
    }
    assert all(r.source is Origin.LEXICON and r.confidence == 1.0 for r in lexicon.relations)
    assert all(r.evidence == [] for r in lexicon.relations)


def test_surfaces_are_normalized_names_and_aliases(lexicon) -> None:
    assert lexicon.surfaces["lstm"] == ["lstm"]
    assert lexicon.surfaces["long short-term memory"] == ["lstm"]
    # a full-width alias folds to the same surface as the half-width one: listed once
    assert lexicon.surfaces["lstm网络"] == ["lstm"]
    assert lexicon.surfaces["梯度弥散"] == ["vanishing-gradient"]
    assert lexicon.surfaces["步长"] == ["stride", "learning-rate"]
    assert lexicon.ambiguous == {"步长"}
    assert lexicon.path.endswith("concepts.yaml")


def test_context_aliases_are_kept_apart(lexicon) -> None:
    # a context alias is no ordinary surface and no alias shown or looked up as the concept's
    assert lexicon.context_surfaces == {"序列": "sequence-data"}
    assert "序列" not in lexicon.surfaces
    assert lexicon.concepts["sequence-data"].aliases == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ReLU", "relu"),
        ("ＲＮＮ与Ｓｉｇｍｏｉｄ", "rnn与sigmoid"),  # full-width letters fold to ASCII
        ("Batch Normalization", "batch normalization"),
        ("３×３卷积", "3×3卷积"),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_default_path_is_the_bundled_lexicon() -> None:
    lexicon = load_lexicon()
    assert "lstm" in lexicon.concepts
    assert lexicon.path.endswith("concepts.yaml")


def test_categories_are_the_fixed_list() -> None:
    assert list(CATEGORIES)[:3] == ["math", "ml", "nn"]
    assert len(CATEGORIES) == 17
    assert all(label for label in CATEGORIES.values())


def _concept(extra: str = "", cid: str = "a", zh: str = "甲") -> str:
    return f"  - id: {cid}\n    name: A{cid}\n    zh: {zh}\n    category: nn\n{extra}"


# Each case: a broken lexicon, the line the error must name, and the words it must contain.
BROKEN = [
    pytest.param(
        "concepts:\n  - id: a\n    name: [A\n", 4, ["invalid YAML", "line 3"], id="yaml-syntax"
    ),
    pytest.param("concepts:\n\t- id: a\n", 2, ["invalid YAML"], id="yaml-tab"),
    pytest.param("", 1, ["empty"], id="empty-file"),
    pytest.param("- a\n- b\n", 1, ["the lexicon must be a mapping"], id="top-not-mapping"),
    pytest.param("ambiguous_aliases: []\n", 1, ["'concepts' is missing"], id="no-concepts"),
    pytest.param("concepts: {a: 1}\n", 1, ["'concepts' must be a list"], id="concepts-not-list"),
    pytest.param("concept:\n" + _concept(), 1, ["unknown top-level key 'concept'"], id="top-typo"),
    pytest.param("concepts:\n  - just a string\n", 2, ["concept #1", "mapping"], id="entry-string"),
    pytest.param(
        "concepts:\n  - id: a\n    name: A\n    category: nn\n",
        2,
        ["concept 'a'", "field 'zh' is missing"],
        id="missing-zh",
    ),
    pytest.param(
        "concepts:\n  - name: A\n    zh: 甲\n    category: nn\n",
        2,
        ["concept #1", "field 'id' is missing"],
        id="missing-id",
    ),
    pytest.param(
        "concepts:\n  - id: a\n    name: [A]\n    zh: 甲\n    category: nn\n",
        3,
        ["concept 'a'", "field 'name'", "non-empty string"],
        id="name-list",
    ),
    pytest.param(
        "concepts:\n  - id: a\n    name: ''\n    zh: 甲\n    category: nn\n",
        3,
        ["concept 'a'", "field 'name'", "non-empty string"],
        id="name-empty",
    ),
    pytest.param(
        "concepts:\n" + _concept("    aliases: alpha\n"),
        6,
        ["concept 'a'", "field 'aliases' must be a list of strings"],
        id="aliases-string",
    ),
    pytest.param(
        "concepts:\n" + _concept("    aliases: [alpha, 3]\n"),
        6,
        ["concept 'a'", "field 'aliases' must be a list of strings"],
        id="alias-number",
    ),
    pytest.param(
        "concepts:\n" + _concept("    minutes: -5\n"),
        6,
        ["concept 'a'", "field 'minutes'", "positive whole number"],
        id="minutes-negative",
    ),
    pytest.param(
        "concepts:\n" + _concept("    minutes: yes\n"),  # YAML 1.1 reads yes as a boolean
        6,
        ["concept 'a'", "field 'minutes'"],
        id="minutes-bool",
    ),
    pytest.param(
        "concepts:\n" + _concept("    minutes: 半小时\n"),
        6,
        ["concept 'a'", "field 'minutes'"],
        id="minutes-text",
    ),
    pytest.param(
        "concepts:\n  - id: a\n    name: A\n    zh: 甲\n    category: vision\n",
        5,
        ["concept 'a'", "field 'category'", "unknown category 'vision'"],
        id="unknown-category",
    ),
    pytest.param(
        "concepts:\n" + _concept("    prerequisite: [b]\n"),
        6,
        ["concept 'a'", "unknown field 'prerequisite'"],
        id="field-typo",
    ),
    pytest.param(
        "concepts:\n" + _concept("    name: again\n"),
        6,
        ["field 'name' is given twice"],
        id="field-twice",
    ),
    pytest.param(
        "concepts:\n" + _concept() + _concept(zh="乙"),
        6,
        ["concept 'a'", "field 'id'", "line 2"],
        id="duplicate-id",
    ),
    pytest.param(
        "concepts:\n" + _concept(cid="Batch_Norm"),
        2,
        ["concept 'Batch_Norm'", "field 'id'", "slug"],
        id="slug-case-underscore",
    ),
    pytest.param(
        "concepts:\n" + _concept(cid="batch-"),
        2,
        ["concept 'batch-'", "field 'id'", "slug"],
        id="slug-trailing-dash",
    ),
    pytest.param(
        "concepts:\n"
        + _concept("    prerequisites:\n      - b\n      - c\n")
        + _concept(cid="b", zh="乙"),
        8,
        ["concept 'a'", "field 'prerequisites'", "unknown concept 'c'"],
        id="unknown-reference",
    ),
    pytest.param(
        "concepts:\n" + _concept("    is_a: [a]\n"),
        6,
        ["concept 'a'", "field 'is_a'", "itself"],
        id="self-reference",
    ),
    pytest.param(
        "concepts:\n" + _concept("    part_of: b\n") + _concept(cid="b", zh="乙"),
        6,
        ["concept 'a'", "field 'part_of' must be a list of strings"],
        id="link-not-list",
    ),
    pytest.param(
        "concepts:\n"
        + _concept("    aliases: [ReLU]\n")
        + _concept("    aliases: [relu]\n", "b", "乙"),
        11,
        ["concept 'b'", "field 'aliases'", "'relu'", "concept 'a'", "ambiguous_aliases"],
        id="alias-shared-by-case",
    ),
    pytest.param(
        "concepts:\n"
        + _concept("    aliases: [ＲＮＮ]\n")
        + _concept(cid="b", zh="乙")
        + "    aliases:\n      - x\n      - RNN\n",
        13,
        ["concept 'b'", "'RNN'", "concept 'a'"],
        id="alias-shared-by-width",
    ),
    pytest.param(
        "concepts:\n" + _concept() + _concept(cid="b"),
        8,
        ["concept 'b'", "field 'zh'", "'甲'", "concept 'a'"],
        id="zh-shared",
    ),
    pytest.param(
        "ambiguous_aliases: [步长]\nconcepts:\n" + _concept(),
        1,
        ["ambiguous_aliases", "'步长'", "not a name or alias"],
        id="ambiguous-unused",
    ),
    pytest.param(
        "concepts:\n" + _concept("    context_aliases: 平滑\n    is_a: [b]\n")
        + _concept(cid="b", zh="乙"),
        6,
        ["concept 'a'", "field 'context_aliases' must be a list of strings"],
        id="context-alias-string",
    ),
    pytest.param(
        "concepts:\n" + _concept("    aliases: [平滑]\n")
        + _concept("    context_aliases: [x, 平滑]\n    is_a: [a]\n", "b", "乙"),
        11,
        ["concept 'b'", "field 'context_aliases'", "'平滑'", "name or alias of concept 'a'"],
        id="context-alias-is-a-surface",
    ),
    pytest.param(
        "concepts:\n" + _concept("    context_aliases: [甲]\n    is_a: [b]\n")
        + _concept(cid="b", zh="乙"),
        6,
        ["concept 'a'", "'甲'", "name or alias of concept 'a'"],  # its own zh
        id="context-alias-is-own-name",
    ),
    pytest.param(
        "concepts:\n" + _concept("    context_aliases: [序列]\n    is_a: [b]\n")
        + _concept("    context_aliases:\n      - 序列\n", "b", "乙"),
        13,
        ["concept 'b'", "'序列'", "context alias of concept 'a'"],
        id="context-alias-twice",
    ),
    pytest.param(
        "concepts:\n" + _concept("    context_aliases: [序列]\n") + _concept(cid="b", zh="乙"),
        6,
        ["concept 'a'", "'序列'", "no curated relation"],
        id="context-alias-without-neighbour",
    ),
]


@pytest.mark.parametrize(("text", "line", "words"), BROKEN)
def test_bad_lexicon_names_file_line_and_thing(
    tmp_path: Path, text: str, line: int, words: list[str]
) -> None:
    path = tmp_path / "concepts.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LexiconError) as caught:
        load_lexicon(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}:{line}: "), message
    for word in words:
        assert word in message, message


def test_missing_file_is_a_lexicon_error(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="nowhere.yaml: cannot read"):
        load_lexicon(tmp_path / "nowhere.yaml")


def test_non_utf8_file_is_a_lexicon_error(tmp_path: Path) -> None:
    path = tmp_path / "concepts.yaml"
    path.write_bytes("concepts:\n  - id: a\n    name: 甲\n".encode("gb18030"))
    with pytest.raises(LexiconError, match="cannot read"):
        load_lexicon(path)


def test_declared_ambiguous_alias_may_be_shared(tmp_path: Path) -> None:
    text = "ambiguous_aliases: [BP]\nconcepts:\n"
    text += _concept("    aliases: [BP]\n") + _concept("    aliases: [bp]\n", "b", "乙")
    lexicon = load_lexicon(_write(tmp_path, text))
    assert lexicon.surfaces["bp"] == ["a", "b"]


def test_a_concept_may_repeat_its_own_surface(tmp_path: Path) -> None:
    # name and alias differ only in case: one surface, one owner, no error
    lexicon = load_lexicon(_write(tmp_path, "concepts:\n" + _concept("    aliases: [Aa, AA]\n")))
    assert lexicon.surfaces["aa"] == ["a"]
    assert lexicon.concepts["a"].aliases == ["Aa", "AA"]
