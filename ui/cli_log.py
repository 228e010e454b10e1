"""`zhitu log`: the graph's change record (who changed it, when, with what files), newest first.

The record is meta["changes"] in the store (ui/merge.py writes it at every ingest, from the CLI
and from the UI), the last 500 changes.
"""

from __future__ import annotations

import json
from typing import Any

import click

from zhitu.ui import cli_zh as zh
from zhitu.ui.cli_target import Target


def change_line(c: dict[str, Any]) -> str:
    """One change as a line of text.

    >>> change_line({"when": "2025-03-01T08:00:00+00:00", "via": "ui", "who": "张三",
    ...              "action": "ingest", "files": ["uploads/a.txt"], "questions_before": 3,
    ...              "questions_after": 5, "session": "会话 1a2b3c4d"})
    '2025-03-01 08:00:00 UTC  界面 · 张三 [会话 1a2b3c4d]  导入 uploads/a.txt  题目 3 → 5'
    """
    from zhitu.ui.merge import described  # the pipeline loads only for `zhitu log`

    d = described(c)
    who = " · ".join(p for p in (d["来源"], d["谁"]) if p)
    if c.get("session"):
        who += f" [{c['session']}]"
    when = f"{d['时间 (UTC)']} UTC" if d["时间 (UTC)"] else ""
    what = f"{d['操作']} {d['文件'].replace('、', ', ')}".strip()
    return "  ".join(p for p in (when, who, what, f"题目 {d['题目']}") if p)


@click.command("log", cls=zh.Command)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=0),
              metavar="条数", help="最多显示几条 (0: 全部)")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON (脚本用)")
@click.pass_obj
def log_cmd(obj: Target, limit: int, as_json: bool) -> None:
    """图谱的变更记录: 谁在什么时候用哪些文件改了图谱 (最新的在前)。"""
    from zhitu.ui.merge import changes

    found = changes(obj.store().meta)
    found = found[:limit] if limit else found
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
    elif found:
        click.echo("\n".join(change_line(c) for c in found))
    else:
        click.echo("还没有记录的变更。")
