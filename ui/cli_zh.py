"""click's own words in Chinese for the `zhitu` command: help pages, usage lines, usage errors.

click writes its help and its errors in English through gettext (`_()` and `ngettext()` in its
modules). While a zhitu command runs (Group.main), those calls answer from MESSAGES; at any other
time they answer as before, so another click program in the same process keeps its own text. The
locale and gettext's global domain are not touched. Help is laid out by Formatter, which counts a
CJK character as two columns: columns stay aligned and lines fit the terminal. A usage error is
one line, `错误: … (用法见: zhitu CMD --help)`, exit 2.

Every command of the CLI uses Command or Group (cli.py's group makes its subcommands with them);
tests/test_cli_chinese.py checks every help page and the usage errors for English left over.
"""

from __future__ import annotations

import gettext
import importlib
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, NoReturn

import click

# click's message ids (click 8.5's, and older spellings of a few) -> Chinese. Placeholders are
# click's; a translation may leave one out. Messages for the programmer (bad declarations) are
# not listed: they stay English.
MESSAGES = {
    # help pages
    "Usage:": "用法:",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示这份帮助并退出",
    "Show the version and exit.": "显示版本并退出",
    "%(prog)s, version %(version)s": "%(prog)s 版本 %(version)s",
    "default: {default}": "默认: {default}",
    "env var: {var}": "环境变量: {var}",
    "required": "必填",
    "(dynamic)": "(动态)",
    "deprecated": "已弃用",
    "Confirm the action without prompting.": "不再询问, 直接确认",
    "Do you want to continue?": "要继续吗?",
    # errors
    "Error: {message}": "错误: {message}",
    "Try '{command} {option}' for help.": "用法见: {command} {option}",
    "Aborted!": "已中止",
    "Missing command.": "缺少命令",
    "No such command {name!r}.": "没有命令 {name!r}",
    "No such option {name!r}.": "没有选项 {name!r}",
    "No such option: {name}": "没有选项 {name}",
    "Did you mean {possibility}?": "你是不是要找 {possibility}?",
    "(Did you mean one of: {possibilities}?)": "你是不是要找 {possibilities} 之一?",
    "(Possible options: {possibilities})": "你是不是要找 {possibilities} 之一?",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数: {param_name}",
    "Invalid value: {message}": "值无效: {message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效: {message}",
    "Got unexpected extra argument ({args})": "多余的参数: {args}",
    "Got unexpected extra arguments ({args})": "多余的参数: {args}",
    "Option {name!r} requires an argument.": "选项 {name!r} 后面要跟一个值",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 后面要跟 {nargs} 个值",
    "Option {name!r} does not take a value.": "选项 {name!r} 不带值",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 要 {nargs} 个值",
    "Takes {nargs} values but 1 was given.": "要 {nargs} 个值, 只给了 1 个",
    "Takes {nargs} values but {len} were given.": "要 {nargs} 个值, 给了 {len} 个",
    "Invalid start character for option ({option})": "选项的开头字符无效 ({option})",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}: {message}",
    "unknown error": "未知错误",
    "Value must be an iterable.": "值必须是一组值",
    # values (click.types); {number_type} and {name} are English type names, so left out
    "Choose from:\n\t{choices}": "可选: {choices}",
    "{value!r} is not {choice}.": "{value!r} 不是 {choice}",
    "{value!r} is not one of {choices}.": "{value!r} 不是可选值 {choices} 之一",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的数字",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} 不是有效的是非值, 可以用: {states}",
    "{value!r} is not a valid UUID.": "{value!r} 不是有效的 UUID",
    "{value!r} does not match the format {format}.": "{value!r} 不符合格式 {format}",
    "{value!r} does not match the formats {formats}.":
        "{value!r} 不符合格式 {formats} 中的任何一种",
    "{len_type} values are required, but {len_value} was given.":
        "要 {len_type} 个值, 给了 {len_value} 个",
    "{len_type} values are required, but {len_value} were given.":
        "要 {len_type} 个值, 给了 {len_value} 个",
    "file": "文件",
    "directory": "目录",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{filename!r} 不存在",
    "{name} {filename!r} is a file.": "{filename!r} 是一个文件",
    "{name} {filename!r} is a directory.": "{filename!r} 是一个目录",
    "{name} {filename!r} is not readable.": "{filename!r} 不可读",
    "{name} {filename!r} is not writable.": "{filename!r} 不可写",
    "{name} {filename!r} is not executable.": "{filename!r} 不可执行",
    # prompts, progress bar, shell completion
    "Repeat for confirmation": "再输入一次以确认",
    "Error: The two entered values do not match.": "错误: 两次输入的不一致",
    "Error: invalid input": "错误: 输入无效",
    "Press any key to continue...": "按任意键继续...",
    "d": "天",
    "Shell completion is not supported for Bash versions older than 4.4.":
        "Bash 4.4 以前的版本不支持命令补全",
    "Couldn't detect Bash version, shell completion is not supported.":
        "无法检测 Bash 版本, 不支持命令补全",
}

OPTIONS_METAVAR = "[选项]"
SUBCOMMAND_METAVAR = "命令 [参数]..."
USAGE_HINT = "(用法见: {command} --help)"

_active: ContextVar[bool] = ContextVar("zhitu_cli_chinese", default=False)
_CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui",
                  "_termui_impl", "shell_completion")


def zh(message: str) -> str:
    return MESSAGES.get(message, message)


def _gettext(message: str) -> str:
    return zh(message) if _active.get() else gettext.gettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return zh(singular if n == 1 else plural) if _active.get() else gettext.ngettext(
        singular, plural, n)


@contextmanager
def chinese() -> Iterator[None]:
    """click speaks Chinese inside the block (this thread or task only)."""
    for name in _CLICK_MODULES:  # click's modules bind gettext's functions as `_`, `ngettext`
        module = importlib.import_module(f"click.{name}")
        if getattr(module, "_", None) is gettext.gettext:
            module._ = _gettext  # type: ignore[attr-defined]
        if getattr(module, "ngettext", None) is gettext.ngettext:
            module.ngettext = _ngettext  # type: ignore[attr-defined]
    token = _active.set(True)
    try:
        yield
    finally:
        _active.reset(token)


# --- errors ---


def fail(ctx: click.Context, message: str, code: int, suggestions: Sequence[str] = ()) -> NoReturn:
    """`错误: message` on stderr, then the suggestions if any, and exit with `code`."""
    click.echo(zh("Error: {message}").format(message=message), err=True)
    if suggestions:
        click.echo("你是不是要找:", err=True)
        for s in suggestions:
            click.echo(f"  {s}", err=True)
    ctx.exit(code)


def _one_line(e: click.UsageError) -> str:
    text = e.format_message()
    possible = getattr(e, "possibilities", None)  # an unknown option or command
    if possible:  # click puts them after the message with a space; Chinese wants a comma
        names = ", ".join(repr(p) for p in sorted(possible))
        ask = "Did you mean {possibility}?" if len(possible) == 1 else (
            "(Did you mean one of: {possibilities}?)")
        text = f"{e.message}, " + zh(ask).format(possibility=names, possibilities=names)
    if isinstance(e, click.MissingParameter):  # click writes "{missing} {hint}.{more}"
        text = re.sub(r"\.( |$)", lambda m: ";" + m[1] if m[1] else "", text, count=1)
    return " ".join(text.split())


_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())


def usage_error(ctx: click.Context, e: click.UsageError) -> NoReturn:
    """A usage error as one line naming the help to read, exit 2; a group called without its
    command (click >= 8.2 raises that as a usage error) shows its help as click does."""
    if isinstance(e, _NO_ARGS_IS_HELP):
        raise e
    where = (e.ctx or ctx).command_path
    fail(ctx, f"{_one_line(e)} {USAGE_HINT.format(command=where)}", 2)


# --- help layout ---


def width(text: str) -> int:
    """Terminal columns: CJK and full-width characters take two, combining marks none."""
    return sum(
        2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1
        for c in text
    )


_TOKENS = re.compile(r"\s+|[!-~]+|\S")  # spaces, a run of ASCII, one other character
_CLOSING = set(",.;:!?)]}>、，。；：！？）」』》…")
_OPENING = set("([{<（「『《")


def wrap(text: str, limit: int) -> list[str]:
    """Lines of at most `limit` columns: breaks at spaces and between CJK characters, never
    before closing punctuation nor after opening punctuation (a longer word stays whole)."""
    tokens: list[str] = []
    for t in _TOKENS.findall(text):
        glue = tokens and not t.isspace() and not tokens[-1].isspace()
        if glue and (t[0] in _CLOSING or tokens[-1][-1] in _OPENING):
            tokens[-1] += t
        else:
            tokens.append(t)
    lines, line = [], ""
    for t in tokens:
        if t.isspace():
            line += t if line else ""
        elif line and width(line) + width(t) > limit:
            lines.append(line.rstrip())
            line = t
        else:
            line += t
    return [*lines, line.rstrip()] if line.strip() else lines


def fill(text: str, limit: int, indent: str = "") -> str:
    """Paragraphs (split at blank lines) wrapped and indented; a paragraph that starts with
    click's "\\b" marker keeps its lines."""
    out = []
    for para in re.split(r"\n\s*\n", text.strip()):
        if para.startswith("\b"):
            lines = para[1:].strip("\n").splitlines()
        else:
            lines = wrap(re.sub(r"\s*\n\s*", " ", para), max(limit - width(indent), 10))
        out.append("\n".join(indent + line for line in lines))
    return "\n\n".join(out)


def shorten(text: str, limit: int) -> str:
    """`text` in at most `limit` columns: whole when it fits, else cut at the last pause
    (、 , ; : 。 or an opening bracket, outside brackets) past its first third, else anywhere,
    and "…" added."""
    if width(text) <= limit:
        return text
    used, depth, end, pause = 0, 0, 0, 0
    for i, c in enumerate(text):
        if used + width(c) > limit - 1:
            break
        if depth == 0 and c in "、,，;；:：。(（" and used >= limit // 3:
            pause = i
        depth += (c in "(（") - (c in ")）")
        used, end = used + width(c), i + 1
    return text[: pause or end].rstrip() + "…"


class Formatter(click.HelpFormatter):
    """click's help layout, measured in terminal columns."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None:
            prefix = f"{zh('Usage:')} "
        head = f"{' ' * self.current_indent}{prefix}{prog}"
        if not args:
            self.write(f"{head}\n")
            return
        lines = wrap(args, max(self.width - width(head) - 1, 20))
        pad = " " * (width(head) + 1)
        self.write(f"{head} " + f"\n{pad}".join(lines) + "\n")

    def write_text(self, text: str) -> None:
        self.write(fill(text, self.width, " " * self.current_indent) + "\n")

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30,
                 col_spacing: int = 2) -> None:
        rows = list(rows)
        first_col = min(max((width(r[0]) for r in rows), default=0), col_max) + col_spacing
        indent = " " * self.current_indent
        pad = " " * (self.current_indent + first_col)
        for first, second in rows:
            self.write(f"{indent}{first}")
            if not second:
                self.write("\n")
                continue
            if width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - width(first)))
            else:
                self.write(f"\n{pad}")
            text = fill(second, max(self.width - self.current_indent - first_col, 10))
            self.write(text.replace("\n", f"\n{pad}").replace(f"\n{pad}\n", "\n\n") + "\n")


class Context(click.Context):
    formatter_class = Formatter


class Command(click.Command):
    """A zhitu command: Chinese help and one-line usage errors."""

    context_class = Context

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:  # click fixes its help text when it first makes the option
            option.help = zh("Show this message and exit.")
        return option

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as e:
            usage_error(ctx, e)


class Group(Command, click.Group):
    """A zhitu command group: as Command; its subcommands are made as Command and Group."""

    command_class = Command
    group_class = type

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", SUBCOMMAND_METAVAR)
        super().__init__(*args, **kwargs)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        with chinese():
            return super().main(*args, **kwargs)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        found = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx)]
        rows = [(name, cmd) for name, cmd in found if cmd is not None and not cmd.hidden]
        if not rows:
            return
        limit = formatter.width - formatter.current_indent - 2 - max(width(n) for n, _ in rows)
        limit -= 2  # the section's indent
        with formatter.section(zh("Commands")):
            formatter.write_dl(
                [(name, shorten(cmd.get_short_help_str(limit=10_000), limit)) for name, cmd in rows]
            )
