"""`zhitu copy SRC DST`: move a graph between stores (a graph file, a Neo4j URI), meta included.

SRC and DST are TARGETs as for `--graph`. The whole graph is read from SRC, then DST is made to
hold exactly it (`GraphStore.replace`): a file is written atomically, Neo4j in batches (a failure
says how many were written; running the copy again completes it). A DST that already holds a
graph is only replaced with `--replace`, so a mistyped DST loses nothing. Both ends are checked
(server, credentials, database) before anything is written.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from zhitu.graph.errors import StoreError
from zhitu.graph.store import is_neo4j_target
from zhitu.ui import cli_zh as zh
from zhitu.ui.cli_target import Target


def _same(src: str, dst: str) -> bool:
    if is_neo4j_target(src) or is_neo4j_target(dst):
        return src.rstrip("/") == dst.rstrip("/")
    return Path(src).resolve() == Path(dst).resolve()


@click.command("copy", cls=zh.Command)
@click.argument("src", metavar="源图")
@click.argument("dst", metavar="目标图")
@click.option("--replace", "replace_", is_flag=True, help="目标已有图时替换它")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON (脚本用)")
def copy_cmd(src: str, dst: str, replace_: bool, as_json: bool) -> None:
    """把整个图 (含元数据) 从源图复制到目标图: 图文件或 Neo4j 地址。"""
    if _same(src, dst):
        raise StoreError(f"源和目标是同一个图: {src}")
    source, target = Target(src), Target(dst)
    try:
        from_store = source.store(must_exist=True)
        data, meta = from_store.load(), dict(from_store.meta)
        to_store = target.store(must_exist=False)
        held = to_store.stats()  # reaches the server (and checks the login) before any write
        if (held["questions"] or held["concepts"]) and not replace_:
            raise StoreError(
                f"目标 {dst} 已有图 ({held['questions']} 个问题, {held['concepts']} 个概念); "
                "加 --replace 替换它"
            )
        to_store.replace(data, meta)
        stats = to_store.stats()
    finally:
        source.close()
        target.close()
    if as_json:
        click.echo(json.dumps({"from": src, "to": dst, **stats}, ensure_ascii=False, indent=2))
    else:
        click.echo(f"已复制 {src} → {dst}: {stats['questions']} 个问题, {stats['concepts']} 个概念")
