"""The `zhitu` command: ingest question banks, then query the graph (CLI contract in DESIGN.md).

`--graph TARGET` (env ZHITU_GRAPH) names a graph file or a Neo4j URI. Without it the graph lives
in $XDG_DATA_HOME/zhitu/graph.json (default ~/.local/share), built from the bundled bank on first
use and rebuilt when the bundled data changed while the graph holds nothing else. Errors are one
Chinese line on stderr: exit 1, or 2 for usage and unknown references (suggestions listed).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

import click

from zhitu.graph.errors import NotFoundError, ZhituError
from zhitu.graph.model import question_tags
from zhitu.graph.store import is_neo4j_target
from zhitu.ui import cli_output as out
from zhitu.ui import cli_zh as zh
from zhitu.ui.cli_target import Target


def _app_path() -> Path:
    return Path(__file__).resolve().parent / "app.py"


class _Group(zh.Group):
    """Turns every expected failure into one Chinese line and an exit code; never a traceback.
    zh.Group puts click's own words (help, usage errors) in Chinese."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as e:
            zh.usage_error(ctx, e)
        except NotFoundError as e:
            zh.fail(ctx, str(e), 2, e.suggestions)
        except ZhituError as e:
            zh.fail(ctx, str(e), 1)
        except BrokenPipeError:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115  (a closed pipe: stop quietly)
            ctx.exit(1)
        except OSError as e:
            zh.fail(ctx, f"{e.filename or ''}: {e.strerror or e}".lstrip(": "), 1)
        except KeyboardInterrupt:
            ctx.exit(130)


# graph.export.FORMATS, named here so that `zhitu --help` does not import the exporters
EXPORT_FORMATS = ("json", "graphml", "cypher")
json_option = out.json_option
top_option = click.option("--top", default=10, show_default=True, type=click.IntRange(min=0),
                          metavar="个数", help="最多列出几个")


@click.group("zhitu", cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--graph",
    "target",
    envvar="ZHITU_GRAPH",
    metavar="图",
    help="图文件路径或 neo4j:// / bolt:// 地址 (环境变量 ZHITU_GRAPH)",
)
@click.pass_context
def cli(ctx: click.Context, target: str | None) -> None:
    """知图: 深度学习面试题知识图谱。"""
    # the driver logs every connection retry on stderr; failures reach us as StoreError anyway
    logging.getLogger("neo4j").setLevel(logging.CRITICAL)
    ctx.obj = Target(target)
    ctx.call_on_close(ctx.obj.close)


@cli.command("ingest")
@click.argument("paths", nargs=-1, required=True, metavar="路径...")
@json_option
@click.pass_obj
def ingest_cmd(obj: Target, paths: tuple[str, ...], as_json: bool) -> None:
    """导入题库文件或目录 (重新导入的文件替换其中的问题)。"""
    store, report = obj.ingest(list(paths))
    stats = store.stats()
    doc = {**stats, "warnings": list(report.warnings), **out.ingest_report_json(report)}
    lines = [*out.ingest_text(report), *out.stats_text(stats)]
    for w in report.warnings:
        click.echo(f"警告: {w}", err=True)
    out.emit(as_json, doc, lines)


@cli.command()
@json_option
@click.pass_obj
def questions(obj: Target, as_json: bool) -> None:
    """列出所有问题及其概念。"""
    store = obj.store()
    by_id = {c.id: c for c in store.concepts()}
    rows, doc = [], []
    for q in store.questions():  # one mentions read a question gives its tags and their focus
        ms = store.mentions(q.id)
        focus = {m.concept_id for m in ms if m.focus}
        tags = [by_id[c] for c in question_tags(ms)]
        rows.append((q, tags))
        doc.append({**out.ref(q), "concepts": [out.tag(c, focus) for c in tags]})
    out.emit(as_json, doc, out.questions_text(rows))


@cli.command()
@json_option
@click.pass_obj
def concepts(obj: Target, as_json: bool) -> None:
    """列出所有概念及涉及的问题数。"""
    from zhitu.ingest.lexicon import CATEGORIES

    store = obj.store()
    found, counts = store.concepts(), store.concept_question_counts()
    doc = [
        {**out.concept_brief(c), "category": c.category, "questions": counts.get(c.id, 0)}
        for c in found
    ]
    out.emit(as_json, doc, out.concepts_text(found, counts, CATEGORIES))


@cli.command()
@click.argument("ref", metavar="问题")
@json_option
@click.pass_obj
def question(obj: Target, ref: str, as_json: bool) -> None:
    """一个问题: 回答、概念、前置问题和相关问题。"""
    store = obj.store()
    q = store.question(ref)
    parts = (q, store.question_concepts(q.id), store.chain(q.id), store.related(q.id, 5))
    out.emit(as_json, out.question_json(*parts), out.question_text(*parts))


@cli.command()
@click.argument("ref", metavar="问题")
@click.option("--full", is_flag=True, help="列出全部前置问题 (默认只列直接前置)")
@json_option
@click.pass_obj
def chain(obj: Target, ref: str, full: bool, as_json: bool) -> None:
    """前置问题链: 从基础到这个问题。"""
    store = obj.store()
    q = store.question(ref)
    steps = store.chain(q.id, full)
    doc = {"question": out.ref(q), "chain": [out.ref(s.question) for s in steps]}
    out.emit(as_json, doc, out.chain_text(q, steps))


@cli.command()
@click.argument("ref", metavar="问题")
@top_option
@json_option
@click.pass_obj
def related(obj: Target, ref: str, top: int, as_json: bool) -> None:
    """相关问题: 入库时按文本相似度、共同的核心概念和章节结构算好, 附相关原因。"""
    store = obj.store()
    q = store.question(ref)
    found = store.related(q.id, top)
    doc = {"question": out.ref(q), "related": [out.related_item(r) for r in found]}
    out.emit(as_json, doc, out.related_text(q, found))


@cli.command()
@click.option("--target", "targets", multiple=True, required=True, metavar="目标",
              help="目标问题或概念 (可多次)")
@click.option("--known", multiple=True, metavar="概念", help="已掌握的概念 (可多次)")
@click.option("--learner", metavar="名字", help="跳过这个学习者已掌握或已学完的概念")
@json_option
@click.pass_obj
def path(obj: Target, targets: tuple[str, ...], known: tuple[str, ...], learner: str | None,
         as_json: bool) -> None:
    """学习路径: 达到目标还需要学的概念, 从基础开始。"""
    store = obj.store()
    if learner:
        from zhitu.graph.progress import progress_store

        known = (*known, *progress_store(store).get(learner).known())
    plan = store.path(targets, known)
    out.emit(as_json, out.plan_json(plan), out.plan_text(plan))


@cli.command()
@click.argument("words", nargs=-1, required=True, metavar="关键词...")
@top_option
@json_option
@click.pass_obj
def search(obj: Target, words: tuple[str, ...], top: int, as_json: bool) -> None:
    """全文搜索问题 (BM25)。"""
    hits = obj.store().search(" ".join(words), top)
    out.emit(as_json, out.search_json(hits), out.search_text(hits))


@cli.command()
@json_option
@click.pass_obj
def stats(obj: Target, as_json: bool) -> None:
    """问题、概念和各类关系的数量。"""
    found = obj.store().stats()
    out.emit(as_json, found, out.stats_text(found))


@cli.command()
@top_option
@json_option
@click.pass_obj
def candidates(obj: Target, top: int, as_json: bool) -> None:
    """题目中常见但词表里没有的候选术语 (用来扩充 concepts.yaml)。"""
    from zhitu.ingest.lexicon import load_lexicon
    from zhitu.ingest.pipeline import build

    _, found = build(obj.store().questions(), load_lexicon())
    found = found[:top]
    doc = [
        {"term": c.term, "frequency": c.frequency, "questions": c.questions, "examples": c.examples}
        for c in found
    ]
    lines = [f"{c.term}  (出现 {c.frequency} 次, {c.questions} 个问题)" for c in found]
    out.emit(as_json, doc, lines or ["没有候选术语。"])


@cli.command("export")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="json",
              show_default=True, help="导出格式")
@click.option("-o", "--output", type=click.Path(dir_okay=False), metavar="文件",
              help="输出文件 (默认标准输出)")
@click.pass_obj
def export_cmd(obj: Target, fmt: str, output: str | None) -> None:
    """导出整个图: json (本工具的格式)、graphml (Gephi/yEd)、cypher (cypher-shell)。"""
    from zhitu.graph.atomic import write_atomic
    from zhitu.graph.export import export

    store = obj.store()
    text = export(store.load(), fmt, store.meta or None)
    if output and output != "-":
        write_atomic(output, text)
    else:
        click.echo(text, nl=False)


@cli.command()
@click.option("--host", default="localhost", show_default=True, metavar="地址",
              help="监听地址; 不是本机回环地址时, 界面里的修改需要管理员密钥")
@click.option("--port", default=8501, show_default=True, type=click.IntRange(1, 65535),
              metavar="端口", help="监听端口")
@click.option("--admin-key-file", type=click.Path(dir_okay=False), metavar="文件",
              help="管理员密钥所在的文件 (默认读环境变量 ZHITU_ADMIN_KEY)")
@click.option("--read-only", is_flag=True, help="界面只读, 即使在本机也不能导入")
@click.option("--max-previews", default=2, show_default=True, type=click.IntRange(1, 64),
              metavar="个数", help="同时进行的导入预览最多几个")
@click.option("--preview-timeout", default=300, show_default=True, type=click.IntRange(5, 86400),
              metavar="秒数", help="一次导入预览最多用几秒, 超时取消")
@click.option("--no-browser", is_flag=True, help="不自动打开浏览器 (只在终端里运行时才会打开)")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, admin_key_file: str | None, read_only: bool,
          max_previews: int, preview_timeout: int, no_browser: bool) -> None:
    """在浏览器中打开知图 (Streamlit)。"""
    from zhitu.ui import serving, supervise

    app = _app_path()
    if not app.is_file():
        raise ZhituError(f"找不到界面程序 {app}; 请安装完整的知图")
    key = serving.admin_key(admin_key_file, os.environ)
    obj: Target = ctx.obj
    store = obj.store()
    target = obj.target if is_neo4j_target(obj.target) else str(Path(obj.target).resolve())
    store.close()
    env = {**os.environ, "ZHITU_GRAPH": target}
    env.update(serving.policy_env(host, key, read_only))
    env["ZHITU_MAX_PREVIEWS"] = str(max_previews)
    env["ZHITU_PREVIEW_SECONDS"] = str(preview_timeout)
    click.echo(serving.policy_text(serving.policy(env), host), err=True)
    command = [sys.executable, "-m", "zhitu.ui.launch", str(app)]  # streamlit run, warmed
    command += ["--server.address", host, "--server.port", str(port)]
    # headless: no first-run e-mail prompt; minimal toolbar: no "Deploy" button for learners
    command += ["--browser.gatherUsageStats", "false", "--server.headless", "true"]
    command += ["--client.toolbarMode", "minimal"]
    options = supervise.STREAMLIT_OPTIONS.items()
    command += [f"--{name}={str(value).lower()}" for name, value in options]
    url = supervise.browser_url(host, port)
    click.echo(f"知图: {url} (在浏览器中打开; Ctrl+C 停止)", err=True)
    ctx.exit(supervise.run(command, env, url, open_browser=sys.stdout.isatty() and not no_browser))


# commands that live in modules of their own (they import this module's helpers)
from zhitu.ui.cli_concepts import curate_cmd  # noqa: E402
from zhitu.ui.cli_copy import copy_cmd  # noqa: E402
from zhitu.ui.cli_learner import place_cmd, progress_cmd, review_cmd  # noqa: E402
from zhitu.ui.cli_log import log_cmd  # noqa: E402

for _command in (curate_cmd, copy_cmd, log_cmd, progress_cmd, place_cmd, review_cmd):
    cli.add_command(_command)


def main() -> None:
    try:
        cli(prog_name="zhitu")
    except SystemExit as e:
        _leave(e.code)
        raise


def _leave(code: object) -> None:
    """End the process with `code` once the exit handlers ran and the output is flushed,
    without freeing every object one by one (0.15 s after an ingest; the system takes the
    memory back at once). Not with a thread still running (the normal exit waits for it), nor
    under a profiler or tracer (it writes its results after the program ends)."""
    import threading

    if (not (code is None or isinstance(code, int)) or threading.active_count() > 1
            or sys.getprofile() is not None or sys.gettrace() is not None):
        return
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # a closed pipe: nothing more can reach it
    os._exit(code or 0)


if __name__ == "__main__":
    main()
