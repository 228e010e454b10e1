"""`zhitu curate …`: list discovered concepts and record the learner's decisions in the overlay.

Decisions (accept, reject, alias, rename, category, prereq) go to the overlay file
(ingest.curate.overlay_path, $ZHITU_OVERLAY); the graph is then rebuilt from its questions with
the overlay applied, so the decision shows at once and survives every later ingest.
"""

from __future__ import annotations

import json
from typing import Any

import click

from zhitu.graph.model import Concept
from zhitu.ui import cli_zh as zh
from zhitu.ui.cli_target import Target


def _curate() -> Any:
    from zhitu.ingest import curate  # yaml and the lexicon load only for a decision

    return curate


def _decide(obj: Target, change: Any) -> None:
    path = _curate().require_overlay()
    message = _curate().decide(path, change)
    from zhitu.ui import merge  # the pipeline loads when a decision rebuilds the graph

    merge.rebuild_into(obj.store(), f"{path}: {message}")
    click.echo(f"{message} (已写入 {path})")


@click.group("curate", cls=zh.Group)
def curate_cmd() -> None:
    """整理自动发现的概念: 接受、拒绝、改名、合并为别名、设置类别和先修。"""


@curate_cmd.command("list")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON (脚本用)")
@click.pass_obj
def list_cmd(obj: Target, as_json: bool) -> None:
    """列出自动发现的概念 (按置信度)。"""
    store = obj.store()
    counts = store.concept_question_counts()
    found = sorted((c for c in store.concepts() if c.source == "discovered"),
                   key=lambda c: (-(c.confidence or 0), c.name))
    if as_json:
        click.echo(json.dumps([{"id": c.id, "name": c.name, "aliases": c.aliases,
                                "category": c.category, "confidence": c.confidence,
                                "questions": counts.get(c.id, 0), "summary": c.summary}
                               for c in found], ensure_ascii=False, indent=2))
        return
    for c in found:
        click.echo(f"[发现] {c.name} ({c.id})  置信度 {c.confidence}  {counts.get(c.id, 0)} 个问题")
    if not found:
        click.echo("没有自动发现的概念。")


def _concept(obj: Target, ref: str) -> Concept:
    return obj.store().concept(ref)


@curate_cmd.command()
@click.argument("concept", metavar="概念")
@click.option("--name", metavar="名字", help="新名字")
@click.option("--category", metavar="类别", help="类别 ID (见 data/README.md)")
@click.pass_obj
def accept(obj: Target, concept: str, name: str | None, category: str | None) -> None:
    """接受一个发现的概念 (写入用户词表)。"""
    c = _concept(obj, concept)
    _decide(obj, lambda doc: f"已接受 {_curate().accept(doc, c, name=name, category=category)}")


@curate_cmd.command()
@click.argument("term", metavar="术语")
@click.pass_obj
def reject(obj: Target, term: str) -> None:
    """拒绝一个术语: 以后不再作为概念。"""
    store = obj.store()
    found = next((c for c in store.concepts() if term in (c.id, c.name)), None)
    cid = found.id if found is not None and found.source != "lexicon" else None
    name = found.name if found is not None else term
    _decide(obj, lambda doc: (_curate().reject(doc, name, cid), f"已拒绝 {name}")[1])


@curate_cmd.command("alias")
@click.argument("term", metavar="术语")
@click.argument("target", metavar="概念")
@click.pass_obj
def alias_cmd(obj: Target, term: str, target: str) -> None:
    """把术语合并为已有概念的别名。"""
    store = obj.store()
    goal = store.concept(target)
    found = next((c for c in store.concepts() if term in (c.id, c.name)), None)
    name = found.name if found is not None else term
    dropped = found.id if found is not None and found.source != "lexicon" else None
    _decide(obj, lambda doc: (_curate().alias(doc, name, goal.id, dropped),
                              f"{name} 已合并为 {goal.name} 的别名")[1])


@curate_cmd.command()
@click.argument("concept", metavar="概念")
@click.option("--name", metavar="名字", help="新名字")
@click.option("--category", metavar="类别", help="类别 ID")
@click.option("--prereq", "prereqs", multiple=True, metavar="概念", help="先修概念 (可多次)")
@click.pass_obj
def edit(obj: Target, concept: str, name: str | None, category: str | None,
         prereqs: tuple[str, ...]) -> None:
    """改名、设置类别或先修概念。"""
    store = obj.store()
    c = store.concept(concept)
    ids = [store.concept(p).id for p in prereqs] or None
    _decide(obj, lambda doc: (_curate().change(doc, c, name=name, category=category,
                                            prerequisites=ids), f"已修改 {c.name}")[1])
