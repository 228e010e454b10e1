"""The embedded store: the file format, atomic writes, corrupt files, lookups and queries."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from zhitu.graph import memory
from zhitu.graph.atomic import write_atomic
from zhitu.graph.errors import ConceptNotFound, QuestionNotFound, StoreError
from zhitu.graph.memory import MemoryStore, dumps, loads
from zhitu.graph.model import GraphData, RelationType
from zhitu.graph.store import open_store


def test_missing_file_is_an_empty_store(tmp_path: Path) -> None:
    store = MemoryStore.open(tmp_path / "none.json")
    assert store.stats() == {"questions": 0, "concepts": 0, "relations": {}}
    assert store.questions() == [] and store.search("RNN") == []
    assert not (tmp_path / "none.json").exists()  # reading never creates the file


def test_round_trip_keeps_everything(toy_store: MemoryStore, toy: GraphData) -> None:
    again = MemoryStore.open(toy_store.file).load()
    assert again.questions == toy.questions
    assert again.concepts == toy.concepts
    assert sorted(again.relations, key=lambda r: r.key) == sorted(
        toy.relations, key=lambda r: r.key
    )
    assert len(again.mentions) == len(toy.mentions)


def test_file_is_deterministic_and_has_no_timestamp(tmp_path: Path, toy: GraphData) -> None:
    shuffled = GraphData(
        dict(reversed(toy.questions.items())),
        dict(reversed(toy.concepts.items())),
        list(reversed(toy.relations)),
        list(reversed(toy.mentions)),
    )
    meta = {"built_from": ["toy.txt"], "fingerprint": "abc"}
    assert dumps(toy, meta) == dumps(shuffled, meta)
    doc = json.loads(dumps(toy, meta))
    assert set(doc) == {
        "format",
        "version",
        "meta",
        "questions",
        "concepts",
        "relations",
        "mentions",
    }
    assert doc["meta"] == meta


def test_meta_is_kept(tmp_path: Path, toy: GraphData) -> None:
    MemoryStore.open(tmp_path / "g.json").replace(toy, meta={"built_from": ["bundled"]})
    assert MemoryStore.open(tmp_path / "g.json").meta == {"built_from": ["bundled"]}


def test_failure_mid_write_leaves_the_old_file(
    toy_store: MemoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = toy_store.file.read_bytes()

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(memory.os, "fsync", broken_fsync)
    with pytest.raises(StoreError, match="toy.json"):
        toy_store.replace(GraphData())
    assert toy_store.file.read_bytes() == before
    assert [p.name for p in toy_store.file.parent.iterdir()] == ["toy.json"]  # no temp file left
    assert toy_store.stats()["questions"] == 9  # the store still holds the old data


def test_interrupted_write_leaves_the_old_file(
    toy_store: MemoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = toy_store.file.read_bytes()

    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(memory.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        toy_store.replace(GraphData())
    assert toy_store.file.read_bytes() == before
    assert len(list(toy_store.file.parent.iterdir())) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", r"bad\.json:1: 图文件不是有效的 JSON"),
        ("[1, 2]", "不是知图的图文件"),
        ('{"format": "zhitu-graph", "version": 99}', "版本 99 不受支持"),
        # a record missing a field names the section
        (
            '{"format": "zhitu-graph", "version": 1, "questions": [{"id": "q"}], "concepts": [],'
            ' "relations": [], "mentions": []}',
            "questions 部分已损坏",
        ),
        (
            '{"format": "zhitu-graph", "version": 1, "questions": [], "concepts": [],'
            ' "relations": [{"type": "LIKES", "src": "a", "dst": "b"}], "mentions": []}',
            "relations 部分已损坏",
        ),
    ],
)
def test_corrupt_file_names_itself(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StoreError, match=message) as e:
        MemoryStore.open(path)
    assert str(path) in str(e.value)


def test_directory_is_not_a_graph_file(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="目录"):
        MemoryStore.open(tmp_path)


def test_unwritable_target_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="无法写入"):
        MemoryStore.open(blocker / "g.json").replace(GraphData())


@pytest.mark.parametrize("target", ["http://example.com/g.json", "s3://bucket/g.json"])
def test_open_store_rejects_unknown_schemes(target: str) -> None:
    with pytest.raises(StoreError, match="不支持的图地址"):
        open_store(target)


def test_open_store_opens_a_file(toy_file: Path) -> None:
    assert open_store(str(toy_file)).stats()["questions"] == 9


def test_stats_and_listings(toy_store: MemoryStore) -> None:
    stats = toy_store.stats()
    assert stats["questions"] == 9
    assert stats["concepts"] == 8  # dropout is neither mentioned nor related
    assert stats["relations"][RelationType.MENTIONS.value] == 15  # type: ignore[index]
    assert [q.id for q in toy_store.questions()][:2] == ["q-nn", "q-rnn"]  # file order
    assert toy_store.concept_question_counts()["rnn"] == 4


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("q-lstm-f", "q-lstm-f"),  # id
        ("LSTM每个门的计算公式", "q-lstm-f"),  # title
        ("ｌｓｔｍ 每个门", "q-lstm-f"),  # part of a title, full width and spaced
        ("画gru结构图？", "q-gru"),  # case and punctuation folded
        ("LSTM每个们的计算公式", "q-lstm-f"),  # a typo: fuzzy match
    ],
)
def test_question_lookup(toy_store: MemoryStore, ref: str, expected: str) -> None:
    assert toy_store.question(ref).id == expected


def test_unknown_question_has_suggestions(toy_store: MemoryStore) -> None:
    with pytest.raises(QuestionNotFound, match="卷积核") as e:
        toy_store.question("卷积核的作用")
    assert 1 <= len(e.value.suggestions) <= 5
    assert "BatchNormalization的作用" in e.value.suggestions


@pytest.mark.parametrize(
    ("ref", "expected"),
    [("lstm", "lstm"), ("LSTM", "lstm"), ("长短时记忆网络", "lstm"), ("bn", "batch-norm")],
)
def test_concept_lookup(toy_store: MemoryStore, ref: str, expected: str) -> None:
    assert toy_store.concept(ref).id == expected


def test_unknown_concept(toy_store: MemoryStore) -> None:
    with pytest.raises(ConceptNotFound, match="LSMT") as e:
        toy_store.concept("LSMT")
    assert "LSTM" in e.value.suggestions


def test_store_queries_accept_references(toy_store: MemoryStore) -> None:
    assert [s.question.id for s in toy_store.chain("LSTM每个门")] == ["q-lstm"]
    assert [s.question.id for s in toy_store.chain("LSTM每个门", full=True)][0] == "q-nn"
    [gru] = toy_store.related("画GRU结构图", top=1)
    assert (gru.question.id, gru.shared) == ("q-lstm", ["GRU 和 LSTM 常被拿来比较"])
    assert [c.id for c in toy_store.question_concepts("q-lstm")] == [
        "lstm",
        "rnn",
        "vanishing-gradient",
    ]
    assert [q.id for q in toy_store.concept_questions("LSTM")] == ["q-lstm", "q-lstm-f"]
    assert {r.type for r in toy_store.relations("gru")} >= {RelationType.CONTRASTS_WITH}
    assert toy_store.neighborhood("gru").concepts[0].id == "gru"


def test_path_targets_questions_or_concepts(toy_store: MemoryStore) -> None:
    by_concept = toy_store.path(["LSTM"], known=["RNN"])
    by_question = toy_store.path(["LSTM每个门的计算公式"], known=["rnn"])
    assert [s.concept.id for s in by_question.steps] == ["vanishing-gradient", "lstm"]
    assert by_question == by_concept
    with pytest.raises(ConceptNotFound):
        toy_store.path(["LSTM"], known=["没有这个概念"])
    with pytest.raises(ConceptNotFound, match="找不到概念或问题"):
        toy_store.path(["zzzz"])


def test_load_returns_a_copy(toy_store: MemoryStore) -> None:
    toy_store.load().questions.clear()
    assert toy_store.stats()["questions"] == 9


def test_loads_rejects_foreign_json() -> None:
    with pytest.raises(StoreError, match="x.json"):
        loads('{"nodes": []}', "x.json")


def test_write_atomic_creates_parent_dirs(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "g.json"
    write_atomic(target, "{}")
    assert target.read_text() == "{}"
    assert os.stat(target).st_mode & 0o777 == 0o644  # not mkstemp's private 0600
    target.chmod(0o600)
    write_atomic(target, "[]")
    assert os.stat(target).st_mode & 0o777 == 0o600  # a replaced file keeps its mode


def test_a_write_clears_temp_files_a_killed_writer_left(tmp_path: Path) -> None:
    target = tmp_path / "g.json"
    stale, fresh = tmp_path / ".g.json.old1.tmp", tmp_path / ".g.json.live2.tmp"
    stale.write_text("half a graph")
    fresh.write_text("a writer still at work")
    os.utime(stale, (1, 1))  # untouched since 1970: its writer is gone
    write_atomic(target, "{}")
    assert not stale.exists() and fresh.exists() and target.read_text() == "{}"
