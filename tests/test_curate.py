"""The user's overlay: decisions round-trip through the file, the CLI and every re-ingest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from zhitu.graph.errors import LexiconError
from zhitu.graph.model import Concept
from zhitu.ingest import curate
from zhitu.ingest.lexicon import load_lexicon
from zhitu.ui.cli import cli

BANK = """● 什么是谱聚类
参考回答:
谱聚类(Spectral Clustering, SC)是一种基于图拉普拉斯矩阵的聚类方法。谱聚类先构造相似度图。
● 谱聚类和K-means的区别
参考回答:
谱聚类在非凸数据上比K-means好, 谱聚类的复杂度更高。
● 什么是超网络
参考回答:
超网络是一种为另一个网络生成权重的网络, 超网络在元学习中常用。
● 超网络的用途
参考回答:
超网络可以压缩参数, 超网络也用于神经架构搜索。
"""


@pytest.fixture
def overlay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "user.yaml"
    monkeypatch.setenv("ZHITU_OVERLAY", str(path))
    monkeypatch.delenv("ZHITU_LEXICON", raising=False)
    return path


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_overlay_adds_changes_and_rejects(overlay: Path) -> None:
    overlay.write_text(yaml.safe_dump({
        "concepts": [{"id": "spectral-clustering", "name": "谱聚类", "category": "ml",
                      "aliases": ["Spectral Clustering"], "prerequisites": ["clustering"]},
                     {"id": "lstm", "aliases": ["长短记忆单元"]}],
        "rejected": ["超网络"]}, allow_unicode=True), encoding="utf-8")
    lex = load_lexicon()
    assert lex.concepts["spectral-clustering"].source == "user"
    assert lex.surfaces["长短记忆单元"] == ["lstm"]
    assert any(r.src == "clustering" and r.dst == "spectral-clustering" for r in lex.relations)
    assert "超网络" in lex.rejected


def test_bad_overlay_is_one_line_naming_the_file(overlay: Path) -> None:
    overlay.write_text("concepts:\n  - id: x\n    name: X\n    category: nope\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="user.yaml: concept 'x'"):
        load_lexicon()


def test_cli_curation_round_trips_through_the_overlay(overlay: Path, tmp_path: Path) -> None:
    bank = tmp_path / "bank.txt"
    bank.write_text(BANK, encoding="utf-8")
    graph = str(tmp_path / "g.json")
    _run("--graph", graph, "ingest", str(bank))
    found = {c["name"]: c for c in json.loads(_run("--graph", graph, "curate", "list", "--json"))}
    assert "谱聚类" in found and "超网络" in found
    spectral = found["谱聚类"]["id"]
    _run("--graph", graph, "curate", "accept", spectral, "--category", "ml")
    _run("--graph", graph, "curate", "reject", "超网络")
    _run("--graph", graph, "curate", "edit", spectral, "--name", "谱聚类算法",
         "--prereq", "clustering")
    _run("--graph", graph, "curate", "alias", "SC聚类", spectral)
    doc = yaml.safe_load(overlay.read_text(encoding="utf-8"))
    assert doc["rejected"] == ["超网络"]
    log = json.loads(_run("--graph", graph, "log", "--json"))  # each decision is a recorded change
    assert [c["action"] for c in log][:4] == ["curate"] * 4 and log[-1]["action"] == "ingest"
    _run("--graph", graph, "ingest", str(bank))  # re-ingesting keeps every decision
    concepts = {c["id"]: c for c in json.loads(_run("--graph", graph, "concepts", "--json"))}
    assert concepts[spectral]["name"] == "谱聚类算法" and "SC聚类" in concepts[spectral]["aliases"]
    assert concepts[spectral]["questions"] == 2
    assert not any(c["name"] == "超网络" for c in concepts.values())
    listed = json.loads(_run("--graph", graph, "questions", "--json"))
    tags = {q["title"]: q["concepts"] for q in listed}
    assert tags["什么是谱聚类"][0]["id"] == spectral


def test_slug_is_stable() -> None:
    assert curate.slug("Faster R-CNN") == "faster-r-cnn"
    assert curate.slug("谱聚类") == curate.slug("谱聚类")


def test_accept_keeps_the_discovered_name() -> None:
    doc = {"concepts": [], "rejected": ["PointNet"]}
    c = Concept("pointnet", "PointNet", "PointNet", category="cv", source="discovered")
    curate.accept(doc, c)
    assert doc["rejected"] == [] and doc["concepts"][0]["name"] == "PointNet"
