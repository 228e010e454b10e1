"""`zhitu log`: the graph's change record (who changed it, when, with what files), newest first.

The record is meta["changes"] in the store (ui/merge.py writes it at every ingest, from the CLI
and from the UI), the last 500 changes.
"""

from __future__ import annotations

import json
from typing import Any

import click

from zhitu.ui.cli_target import Target
from zhitu.ui.merge import changes

_VIA = {"cli": "命令行", "ui": "界面"}
_ACTIONS = {"ingest": "导入", "curate": "整理概念"}


def change_line(c: dict[str, Any]) -> str:
    """One change as a line of text.

    >>> change_line({"when": "2025-03-01T08:00:00+00:00", "via": "ui", "who": "张三",
    ...              "action": "ingest", "files": ["uploads/a.txt"], "questions_before": 3,
    ...              "questions_after": 5, "session": "会话 1a2b3c4d"})
    '2025-03-01 08:00:00 UTC  界面 · 张三 [会话 1a2b3c4d]  导入 uploads/a.txt  题目 3 → 5'
    """
    when = str(c.get("when", "")).replace("T", " ")[:19]
    via = _VIA.get(str(c.get("via", "")), str(c.get("via", "")))
    who = " · ".join(p for p in (via, str(c.get("who", "")).strip()) if p)
    if c.get("session"):
        who += f" [{c['session']}]"
    action = _ACTIONS.get(str(c.get("action", "")), str(c.get("action", "")))
    files = ", ".join(str(f) for f in c.get("files", []))
    sizes = f"题目 {c.get('questions_before', '?')} → {c.get('questions_after', '?')}"
    return "  ".join(p for p in (f"{when} UTC" if when else "", who, f"{action} {files}".strip(),
                                 sizes) if p)


@click.command("log")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=0),
              help="最多显示几条 (0: 全部)")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON (脚本用)")
@click.pass_obj
def log_cmd(obj: Target, limit: int, as_json: bool) -> None:
    """图谱的变更记录: 谁在什么时候用哪些文件改了图谱 (最新的在前)。"""
    found = changes(obj.store().meta)
    found = found[:limit] if limit else found
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
    elif found:
        click.echo("\n".join(change_line(c) for c in found))
    else:
        click.echo("还没有记录的变更。")
