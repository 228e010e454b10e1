"""The 概念整理 page: decisions go to the overlay file and survive a re-ingest; read-only
servers show no edit controls."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.test_curate import BANK
from tests.ui.conftest import run
from zhitu.graph.memory import MemoryStore
from zhitu.ingest.lexicon import load_lexicon
from zhitu.ingest.pipeline import ingest

PAGE = "views/curate.py"


@pytest.fixture
def graph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A graph of a small bank whose terms 谱聚类 and 超网络 the lexicon lacks."""
    monkeypatch.setenv("ZHITU_OVERLAY", str(tmp_path / "user.yaml"))
    monkeypatch.delenv("ZHITU_LEXICON", raising=False)
    bank = tmp_path / "bank.txt"
    bank.write_text(BANK, encoding="utf-8")
    data, _ = ingest([bank])
    path = tmp_path / "g.json"
    MemoryStore.open(path).replace(data)
    return path


def _pick(at, name: str) -> None:  # noqa: ANN001
    box = at.selectbox(key="curate-pick")
    box.select(next(o for o in box.options if o == name)).run()


def test_accept_in_the_page_reaches_the_overlay_and_survives_reingest(
        graph: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHITU_WRITES", "open")
    at = run(graph, monkeypatch, PAGE)
    table = at.dataframe[0].value
    assert {"谱聚类", "超网络"} <= set(table["概念"])
    _pick(at, "谱聚类")
    assert "谱聚类" in at.text_input[0].value
    at.text_input[0].set_value("谱聚类算法")
    at.selectbox[1].set_value("ml")
    at.multiselect[0].set_value(["clustering"])
    next(b for b in at.button if b.label == "接受").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("已接受 谱聚类算法" in s.value for s in at.success)
    doc = yaml.safe_load((tmp_path / "user.yaml").read_text(encoding="utf-8"))
    entry = next(c for c in doc["concepts"] if c["name"] == "谱聚类算法")
    assert entry["category"] == "ml" and entry["prerequisites"] == ["clustering"]
    # the graph was rebuilt: the accepted concept is no longer listed as discovered
    assert "谱聚类算法" not in set(at.dataframe[0].value["概念"])
    data, _ = ingest([tmp_path / "bank.txt"], lexicon=load_lexicon())  # a later ingest keeps it
    kept = data.concepts[entry["id"]]
    assert kept.name == "谱聚类算法" and kept.source == "user"
    assert any(r.src == "clustering" and r.dst == kept.id for r in data.relations)


def test_reject_and_alias_in_the_page(graph: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHITU_WRITES", "open")
    at = run(graph, monkeypatch, PAGE)
    _pick(at, "超网络")
    next(b for b in at.button if b.label == "拒绝").click().run()
    assert "超网络" not in set(at.dataframe[0].value["概念"])
    _pick(at, "谱聚类")
    at.selectbox(key=next(k for k in _keys(at) if k.startswith("curate-alias-"))).set_value(
        "clustering").run()
    next(b for b in at.button if b.label == "合并").click().run()
    assert not at.exception, [e.value for e in at.exception]
    doc = yaml.safe_load((tmp_path / "user.yaml").read_text(encoding="utf-8"))
    assert doc["rejected"] == ["超网络"]
    assert "谱聚类" in next(c for c in doc["concepts"] if c["id"] == "clustering")["aliases"]
    lexicon = load_lexicon()
    assert lexicon.surfaces["谱聚类"] == ["clustering"] and "超网络" in lexicon.rejected


def _keys(at) -> list[str]:  # noqa: ANN001
    return [w.key for w in at.selectbox if w.key]


def test_read_only_server_lists_without_edit_controls(graph: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZHITU_WRITES", raising=False)
    monkeypatch.delenv("ZHITU_ADMIN_KEY", raising=False)
    at = run(graph, monkeypatch, PAGE)
    assert {"谱聚类", "超网络"} <= set(at.dataframe[0].value["概念"])
    assert not [b for b in at.button if b.label in ("接受", "拒绝", "合并", "添加")]
    assert any("只读" in i.value for i in at.info)
    assert not (tmp_path / "user.yaml").exists()
