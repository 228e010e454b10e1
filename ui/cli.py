"""The `zhitu` command: ingest question banks, then query the graph (CLI contract in DESIGN.md).

`--graph TARGET` (env ZHITU_GRAPH) names a graph file or a Neo4j URI. Without it the graph lives
in $XDG_DATA_HOME/zhitu/graph.json (default ~/.local/share), built from the bundled bank on first
use and rebuilt when the bundled data changed while the graph holds nothing else. Errors are one
Chinese line on stderr: exit 1, or 2 for usage and unknown references (suggestions listed).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

import data
from graph.errors import InputError, NotFoundError, StoreError, ZhituError
from graph.export import FORMATS, export
from graph.memory import MemoryStore, write_atomic
from graph.store import GraphStore, check_target, is_neo4j_target, open_store
from ui import cli_output as out

BUNDLED = "bundled"
PROGRESS_MIN = 50  # show a progress bar from this many units of ingest work


def default_graph_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "zhitu" / "graph.json"


def bundled_fingerprint() -> str:
    """A hash of the bundled lexicon and question files (names and bytes)."""
    h = hashlib.blake2b(digest_size=10)
    files = [data.LEXICON_PATH, *sorted(p for p in data.QUESTIONS_DIR.rglob("*") if p.is_file())]
    for path in files:
        h.update(path.relative_to(data.DATA_DIR).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _app_path() -> Path:
    return Path(__file__).resolve().parent / "app.py"


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A pipeline progress callback drawing click's progress bar on stderr for long work."""
    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if "bar" not in state and total >= PROGRESS_MIN:
            state["bar"] = click.progressbar(length=total, label=label, file=sys.stderr)
            state["bar"].__enter__()
        if "bar" in state:
            state["bar"].update(done - state["bar"].pos)

    try:
        yield update
    finally:
        if "bar" in state:
            state["bar"].__exit__(None, None, None)


def _ingest(paths: list[str], existing: Any) -> tuple[Any, Any]:
    from ingest.lexicon import load_lexicon
    from ingest.pipeline import ingest

    with _progress("构建知识图谱") as progress:
        return ingest(paths, existing=existing, lexicon=load_lexicon(), progress=progress)


class _Target:
    """The graph the command works on, opened once, on first use."""

    def __init__(self, target: str | None) -> None:
        self.explicit = target
        self.target = target or str(default_graph_path())
        self._store: GraphStore | None = None

    def store(self, must_exist: bool = True) -> GraphStore:
        if self._store is None:
            if self.explicit is None:
                self._store = self._default_store()
            else:
                check_target(self.target)
                if must_exist and not is_neo4j_target(self.target):
                    if not Path(self.target).exists():
                        raise StoreError(
                            f"图文件 {self.target} 不存在; "
                            f"先运行: zhitu --graph {self.target} ingest 题库文件"
                        )
                self._store = open_store(self.target)
        return self._store

    def _default_store(self) -> MemoryStore:
        store = MemoryStore.open(self.target)
        fingerprint = bundled_fingerprint()
        only_bundled = store.meta.get("built_from") == [BUNDLED]
        if not store.file.exists() or (
            only_bundled and store.meta.get("fingerprint") != fingerprint
        ):
            graph, _ = _ingest([str(data.QUESTIONS_DIR)], None)
            store.replace(graph, meta={"built_from": [BUNDLED], "fingerprint": fingerprint})
        return store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def _fail(ctx: click.Context, message: str, code: int, suggestions: list[str] = ()) -> None:
    click.echo(f"错误: {message}", err=True)
    if suggestions:
        click.echo("你是不是要找:", err=True)
        for s in suggestions:
            click.echo(f"  {s}", err=True)
    ctx.exit(code)


class _Group(click.Group):
    """Turns every expected failure into one Chinese line and an exit code; never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as e:
            name = e.ctx.command_path if e.ctx else "zhitu"
            _fail(ctx, f"{e.format_message()} (用法见: {name} --help)", 2)
        except NotFoundError as e:
            _fail(ctx, str(e), 2, e.suggestions)
        except ZhituError as e:
            _fail(ctx, str(e), 1)
        except BrokenPipeError:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115  (a closed pipe: stop quietly)
            ctx.exit(1)
        except OSError as e:
            _fail(ctx, f"{e.filename or ''}: {e.strerror or e}".lstrip(": "), 1)
        except KeyboardInterrupt:
            ctx.exit(130)


def _emit(as_json: bool, doc: object, lines: list[str]) -> None:
    if as_json:
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(lines))


json_option = click.option("--json", "as_json", is_flag=True, help="输出 JSON (脚本用)")
top_option = click.option("--top", default=10, show_default=True, type=click.IntRange(min=0))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--graph",
    "target",
    envvar="ZHITU_GRAPH",
    metavar="TARGET",
    help="图文件路径或 neo4j:// / bolt:// 地址 (环境变量 ZHITU_GRAPH)",
)
@click.pass_context
def cli(ctx: click.Context, target: str | None) -> None:
    """知图: 深度学习面试题知识图谱。"""
    # the driver logs every connection retry on stderr; failures reach us as StoreError anyway
    logging.getLogger("neo4j").setLevel(logging.CRITICAL)
    ctx.obj = _Target(target)
    ctx.call_on_close(ctx.obj.close)


@cli.command("ingest")
@click.argument("paths", nargs=-1, required=True)
@json_option
@click.pass_obj
def ingest_cmd(obj: _Target, paths: tuple[str, ...], as_json: bool) -> None:
    """导入题库文件或目录 (重新导入的文件替换其中的问题)。"""
    for p in paths:
        if not Path(p).exists():
            raise InputError(f"{p}: 文件或目录不存在")
    store = obj.store(must_exist=False)
    graph, report = _ingest(list(paths), store.load())
    if isinstance(store, MemoryStore):
        built_from = [str(b) for b in store.meta.get("built_from", [])]  # type: ignore[union-attr]
        meta = {"built_from": built_from + [p for p in paths if p not in built_from]}
        if BUNDLED in built_from:
            meta["fingerprint"] = store.meta.get("fingerprint", "")
        store.replace(graph, meta=meta)
    else:
        store.replace(graph)
    stats = store.stats()
    doc = {**stats, "warnings": list(report.warnings)}
    lines = [
        f"读入 {report.questions_read} 个问题 (合并重复 {report.questions_merged} 个)",
        *out.stats_text(stats),
    ]
    for w in report.warnings:
        click.echo(f"警告: {w}", err=True)
    _emit(as_json, doc, lines)


@cli.command()
@json_option
@click.pass_obj
def questions(obj: _Target, as_json: bool) -> None:
    """列出所有问题及其概念。"""
    store = obj.store()
    rows = [(q, store.question_concepts(q.id)) for q in store.questions()]
    doc = [{**out.ref(q), "concepts": [out.concept_brief(c) for c in cs]} for q, cs in rows]
    _emit(as_json, doc, out.questions_text(rows))


@cli.command()
@json_option
@click.pass_obj
def concepts(obj: _Target, as_json: bool) -> None:
    """列出所有概念及涉及的问题数。"""
    from ingest.lexicon import CATEGORIES

    store = obj.store()
    found, counts = store.concepts(), store.concept_question_counts()
    doc = [
        {**out.concept_brief(c), "category": c.category, "questions": counts.get(c.id, 0)}
        for c in found
    ]
    _emit(as_json, doc, out.concepts_text(found, counts, CATEGORIES))


@cli.command()
@click.argument("ref", metavar="QUESTION")
@json_option
@click.pass_obj
def question(obj: _Target, ref: str, as_json: bool) -> None:
    """一个问题: 回答、概念、前置问题和相关问题。"""
    store = obj.store()
    q = store.question(ref)
    parts = (q, store.question_concepts(q.id), store.chain(q.id), store.related(q.id, 5))
    _emit(as_json, out.question_json(*parts), out.question_text(*parts))


@cli.command()
@click.argument("ref", metavar="QUESTION")
@json_option
@click.pass_obj
def chain(obj: _Target, ref: str, as_json: bool) -> None:
    """前置问题链: 从基础到这个问题。"""
    store = obj.store()
    q = store.question(ref)
    steps = store.chain(q.id)
    doc = {"question": out.ref(q), "chain": [out.ref(s.question) for s in steps]}
    _emit(as_json, doc, out.chain_text(q, steps))


@cli.command()
@click.argument("ref", metavar="QUESTION")
@top_option
@json_option
@click.pass_obj
def related(obj: _Target, ref: str, top: int, as_json: bool) -> None:
    """相关问题, 按共同概念排序。"""
    store = obj.store()
    q = store.question(ref)
    found = store.related(q.id, top)
    doc = {"question": out.ref(q), "related": [out.related_item(r) for r in found]}
    _emit(as_json, doc, out.related_text(q, found))


@cli.command()
@click.option("--target", "targets", multiple=True, required=True, help="目标问题或概念 (可多次)")
@click.option("--known", multiple=True, help="已掌握的概念 (可多次)")
@json_option
@click.pass_obj
def path(obj: _Target, targets: tuple[str, ...], known: tuple[str, ...], as_json: bool) -> None:
    """学习路径: 达到目标还需要学的概念, 从基础开始。"""
    plan = obj.store().path(targets, known)
    _emit(as_json, out.plan_json(plan), out.plan_text(plan))


@cli.command()
@click.argument("words", nargs=-1, required=True, metavar="TEXT")
@top_option
@json_option
@click.pass_obj
def search(obj: _Target, words: tuple[str, ...], top: int, as_json: bool) -> None:
    """全文搜索问题 (BM25)。"""
    hits = obj.store().search(" ".join(words), top)
    _emit(as_json, out.search_json(hits), out.search_text(hits))


@cli.command()
@json_option
@click.pass_obj
def stats(obj: _Target, as_json: bool) -> None:
    """问题、概念和各类关系的数量。"""
    found = obj.store().stats()
    _emit(as_json, found, out.stats_text(found))


@cli.command()
@top_option
@json_option
@click.pass_obj
def candidates(obj: _Target, top: int, as_json: bool) -> None:
    """题目中常见但词表里没有的候选术语 (用来扩充 concepts.yaml)。"""
    from ingest.lexicon import load_lexicon
    from ingest.pipeline import build

    _, found = build(obj.store().questions(), load_lexicon())
    found = found[:top]
    doc = [
        {"term": c.term, "frequency": c.frequency, "questions": c.questions, "examples": c.examples}
        for c in found
    ]
    lines = [f"{c.term}  (出现 {c.frequency} 次, {c.questions} 个问题)" for c in found]
    _emit(as_json, doc, lines or ["没有候选术语。"])


@cli.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="输出文件 (默认标准输出)")
@click.pass_obj
def export_cmd(obj: _Target, fmt: str, output: str | None) -> None:
    """导出整个图: json (本工具的格式)、graphml (Gephi/yEd)、cypher (cypher-shell)。"""
    store = obj.store()
    meta = store.meta if isinstance(store, MemoryStore) else None
    text = export(store.load(), fmt, meta)
    if output and output != "-":
        write_atomic(output, text)
    else:
        click.echo(text, nl=False)


@cli.command()
@click.option("--host", default="localhost", show_default=True)
@click.option("--port", default=8501, show_default=True, type=click.IntRange(1, 65535))
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """在浏览器中打开知图 (Streamlit)。"""
    app = _app_path()
    if not app.is_file():
        raise ZhituError(f"找不到界面程序 {app}; 请安装完整的知图")
    obj: _Target = ctx.obj
    store = obj.store()
    target = obj.target if is_neo4j_target(obj.target) else str(Path(obj.target).resolve())
    store.close()
    env = {**os.environ, "ZHITU_GRAPH": target}
    command = [sys.executable, "-m", "streamlit", "run", str(app)]
    command += ["--server.address", host, "--server.port", str(port)]
    command += ["--browser.gatherUsageStats", "false"]
    ctx.exit(subprocess.call(command, env=env))


def main() -> None:
    cli(prog_name="zhitu")


if __name__ == "__main__":
    main()
