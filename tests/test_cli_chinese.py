"""Everything the `zhitu` CLI shows is Chinese: every command's help and click's usage errors.

Left as they are: option names, command names, the format names and other technical tokens of
TECHNICAL, paths and URLs, single letters (`x>=0`). Any other ASCII word fails the test.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from zhitu.ui.cli import cli

# names and technical tokens a Chinese learner types or looks up as they are
TECHNICAL = {
    "JSON", "json", "graphml", "cypher", "cypher-shell", "Gephi", "yEd", "Neo4j", "BM25", "FSRS",
    "Streamlit",
    "ZHITU_GRAPH", "ZHITU_ADMIN_KEY", "localhost", "ID", "yes", "no",
}
# a path, file name or URL: letters around '/', '.' or '://'
PATHLIKE = re.compile(r"[\w+-]*(?:://|[/.][\w-])[\w./:+-]*")
OPTION = re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*")
WORD = re.compile(r"[A-Za-z][\w-]*\w")  # two characters or more: `x` of `x>=0` is no word


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path under the group, the group itself first."""
    found = [path]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += _commands(command, (*path, name))
        else:
            found.append((*path, name))
    return found


COMMANDS = _commands(cli)
NAMES = {name for path in COMMANDS for name in path}


def english(text: str, typed: Sequence[str] = ()) -> list[str]:
    """The ASCII words of `text` that are neither names nor technical tokens, nor `typed` (the
    words the user typed, echoed in an error)."""
    for word in typed:
        text = text.replace(word, " ")
    text = PATHLIKE.sub(" ", text)
    text = OPTION.sub(" ", text)
    text = re.sub(r"\bzhitu\b", " ", text)
    return [w for w in WORD.findall(text) if w not in TECHNICAL and w not in NAMES]


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="zhitu", catch_exceptions=False)


def width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ZHITU_GRAPH", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))


def test_the_commands_are_enumerated() -> None:
    assert {("ingest",), ("chain",), ("curate", "accept"), ("serve",)} <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "zhitu")
def test_help_is_chinese(path: tuple[str, ...]) -> None:
    result = run(*path, "--help")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"用法: {' '.join(('zhitu', *path))}"), result.output
    assert "\n选项:\n" in result.output
    assert not english(result.output), (english(result.output), result.output)


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "zhitu")
def test_help_fits_a_terminal_and_stays_aligned(path: tuple[str, ...]) -> None:
    """80 columns (CJK characters take two), descriptions start in one column per section."""
    lines = run(*path, "--help").output.splitlines()
    assert all(width(line) <= 80 for line in lines), [x for x in lines if width(x) > 80]
    for section in "\n".join(lines).split("\n\n"):
        rows = [re.match(r"(  \S.*?\S  +)\S", x) for x in section.splitlines()[1:]]
        starts = {width(m.group(1)) for m in rows if m}
        assert len(starts) <= 1, section


USAGE_ERRORS = [
    ["chain", "--bogus"],  # unknown option
    ["chain", "x", "--ful"],  # unknown option, with a suggestion
    ["--bogus"],  # unknown option of the group itself
    ["chain"],  # missing argument
    ["ingest"],  # missing argument, nargs=-1
    ["path"],  # missing required option
    ["export", "--format", "pdf"],  # bad choice
    ["related", "x", "--top", "abc"],  # not an integer
    ["related", "x", "--top", "-1"],  # out of range
    ["serve", "--port", "0"],  # out of range
    ["stats", "qqq"],  # extra argument (typed words are not English, so they hide none)
    ["stats", "qqq", "www"],  # extra arguments
    ["nosuchcommand"],  # unknown command
    ["curate", "nosuch"],  # unknown subcommand
    ["--graph"],  # option without its value
    ["chain", "x", "--full=yes"],  # flag given a value
    ["--graph", "g.json"],  # no command
]


@pytest.mark.parametrize("args", USAGE_ERRORS, ids=" ".join)
def test_usage_errors_are_one_chinese_line(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误: "), result.stderr
    assert re.search(r" \(用法见: zhitu( \w+)* --help\)$", lines[0]), lines[0]
    assert not english(lines[0], args), (english(lines[0], args), lines[0])


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["chain", "--bogus"], "错误: 没有选项 '--bogus' (用法见: zhitu chain --help)"),
        (["chain"], "错误: 缺少参数 '问题' (用法见: zhitu chain --help)"),
        (["export", "--format", "pdf"],
         "错误: '--format' 的值无效: 'pdf' 不是可选值 'json', 'graphml', 'cypher' 之一"
         " (用法见: zhitu export --help)"),
        (["stats", "extra"], "错误: 多余的参数: extra (用法见: zhitu stats --help)"),
    ],
)
def test_usage_error_wording(args: list[str], expected: str) -> None:
    assert run(*args).stderr == expected + "\n"


def test_a_group_without_its_command_shows_its_help() -> None:
    result = run("curate")
    assert "用法: zhitu curate [选项] 命令 [参数]..." in result.output
    assert "错误" not in result.output and not english(result.output)


def test_english_is_found() -> None:
    """The check itself: click's English is caught, names and technical tokens are not."""
    assert english("Usage: zhitu chain [OPTIONS] QUESTION") == ["Usage", "OPTIONS", "QUESTION"]
    assert english("Error: No such option '--x'.") == ["Error", "No", "such", "option"]
    assert english("  --graph 图  neo4j:// / bolt:// 地址 (ZHITU_GRAPH, concepts.yaml)") == []


def test_other_click_programs_keep_their_english() -> None:
    """Only zhitu's commands speak Chinese: click's text elsewhere in the process is unchanged."""
    run("chain", "--bogus")  # click's modules have been switched by now

    @click.command()
    @click.option("--n", type=int)
    def other(n: int | None) -> None:
        """Another program."""

    assert "Usage: other [OPTIONS]" in CliRunner().invoke(other, ["--help"]).output
    result = CliRunner().invoke(other, ["--n", "x"])
    assert "Error: Invalid value for '--n': 'x' is not a valid integer." in result.output
