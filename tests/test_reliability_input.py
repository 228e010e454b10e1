"""Bad input to `zhitu --graph G ingest ...`, end to end (issue 8).

Every input that cannot be used gives one line on stderr naming the file (and the line where it
applies), no traceback, exit 1 when nothing could be ingested, and leaves the graph built before
byte-identical; input that can partly be used is ingested with one `警告:` line per skipped part.
Reader-level detail (every format, every marker) lives in test_read.py; here the whole command runs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import write_big_bank
from zhitu.graph.memory import MemoryStore
from zhitu.ui.cli import cli

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini_bank.txt"
LEXICON_ENV = "ZHITU_LEXICON"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"


def _question(title: str, answer: str) -> str:
    return f"● {title}\n参考回答:\n{answer}\n"


GOOD = _question("什么是GRU", "GRU只有更新门和重置门两个门，参数比LSTM少。")


def _zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("bank.txt", GOOD)


def _stray_byte(path: Path) -> None:
    """The mini bank in UTF-8 with one byte that is no UTF-8 (and no GB18030) on line 10."""
    data = MINI.read_bytes()
    at = data.index("什么是LSTM".encode())
    path.write_bytes(data[:at] + b"\xff" + data[at:])


def _gbk_stray_byte(path: Path) -> None:
    """The mini bank in GBK with a broken byte on line 10: the error names GB18030's line."""
    data = MINI.read_text(encoding="utf-8").encode("gbk")
    at = data.index("什么是LSTM".encode("gbk"))
    path.write_bytes(data[:at] + b"\xff" + data[at:])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The bytes of a graph built from the mini bank by `zhitu ingest`."""
    graph = tmp_path_factory.mktemp("built") / "g.json"
    result = CliRunner().invoke(cli, ["--graph", str(graph), "ingest", str(MINI)])
    assert result.exit_code == 0, result.output
    return graph.read_bytes()


@pytest.fixture
def graph(tmp_path: Path, built: bytes) -> Path:
    """A fresh copy of the built graph for one test."""
    path = tmp_path / "graph" / "g.json"
    path.parent.mkdir()
    path.write_bytes(built)
    return path


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("ZHITU_GRAPH", LEXICON_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))


def ingest(graph: Path, *paths: Path | str, env: dict[str, str] | None = None) -> Result:
    args = ["--graph", str(graph), "ingest", *map(str, paths), "--json"]
    return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)


def assert_refused(result: Result, graph: Path, before: bytes, where: str) -> str:
    """Exit 1, one `错误:` line naming `where`, nothing on stdout, the graph untouched."""
    assert result.exit_code == 1, result.output
    assert result.stdout == "", result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误: "), result.stderr
    assert where in lines[0], lines[0]
    assert "Traceback" not in result.output
    assert graph.read_bytes() == before  # byte for byte
    assert not [p for p in graph.parent.iterdir() if p.name != graph.name]  # no temp litter
    return lines[0]


# --- nothing can be ingested: one line, exit 1, graph byte-identical ---

Make = Callable[[Path], object]
# (file name, how to make it or None for a missing path, words the message must hold,
#  the file:line prefix when a line applies)
REFUSED: list[tuple[str, Make | None, str, bool]] = [
    ("missing.txt", None, "文件或目录不存在", False),
    ("folder", lambda p: (p.mkdir(), (p / "notes.pdf").write_bytes(b"%PDF-1.4")),
     "目录里没有支持的题库文件", False),
    ("empty.txt", lambda p: p.write_bytes(b""), "文件是空的", False),
    ("blank.md", lambda p: p.write_text("\n \t\n\u3000\n", encoding="utf-8"), "文件是空的", False),
    ("image.png", lambda p: p.write_bytes(PNG), "不支持的文件类型", False),
    # an image renamed to a bank's suffix is still recognised by its magic bytes
    ("image.txt", lambda p: p.write_bytes(PNG), "二进制文件（PNG 图片）", False),
    ("bank.zip", _zip, "不支持的文件类型", False),
    ("bank.md", _zip, "二进制文件（ZIP 压缩包", False),
    ("prose.txt", lambda p: p.write_text("这里只有一段说明文字。\n" * 5, encoding="utf-8"),
     "没有找到可识别的问题", False),
    # a lone question without an answer: the message quotes the skipped question with its line
    ("noanswer.txt", lambda p: p.write_text("● 什么是RNN\n", encoding="utf-8"),
     "没有找到可识别的问题（1 条警告，例如第 1 行：问题「什么是RNN」没有答案", False),
    # a single 100 KB line with no question in it
    ("oneline.txt", lambda p: p.write_text("字" * 100_000, encoding="utf-8"),
     "没有找到可识别的问题", False),
    ("oneline.json", lambda p: p.write_text('["' + "字" * 100_000 + '"]', encoding="utf-8"),
     "例如第 1 行：不是问题对象", False),
    ("stray.txt", _stray_byte, "无法识别文件编码（按 UTF-8 读到第 10 行遇到无效字节 0xff", True),
    ("gbk.txt", _gbk_stray_byte, "无法识别文件编码（按 GB18030 读到第 10 行", True),
    ("nul.txt", lambda p: p.write_bytes(GOOD.encode() + b"\x00\x00"), "NUL 字节", False),
    ("bad.json", lambda p: p.write_text('[{"question": "什么是RNN",\n  "answer": }]',
                                        encoding="utf-8"), "bad.json:2: JSON 格式错误", False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "make", "words", "numbered"), REFUSED, ids=[r[0] for r in REFUSED]
)
def test_unusable_input_is_refused_in_one_line(
    tmp_path: Path, graph: Path, name: str, make: Make | None, words: str, numbered: bool
) -> None:
    path = tmp_path / name
    if make is not None:
        make(path)
    before = graph.read_bytes()
    line = assert_refused(ingest(graph, path), graph, before, str(path))
    assert words in line
    if numbered:
        assert line.startswith(f"错误: {path}:10: "), line


def test_several_unusable_inputs_are_counted(tmp_path: Path, graph: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"")
    (tmp_path / "b.txt").write_bytes(PNG)
    (tmp_path / "c").mkdir()
    before = graph.read_bytes()
    line = assert_refused(
        ingest(graph, tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "c"),
        graph, before, str(tmp_path / "a.txt"),
    )  # fmt: skip
    assert "另有 2 个文件也无法使用" in line


def test_refused_input_into_a_new_graph_creates_no_file(tmp_path: Path) -> None:
    target = tmp_path / "new" / "g.json"
    result = ingest(target, tmp_path / "missing.txt")
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
    assert not target.exists() and not target.parent.exists()


# --- part can be ingested: exit 0, one warning line per skipped part, the rest in the graph ---


def test_a_folder_with_good_and_bad_files_ingests_the_good_and_warns(
    tmp_path: Path, graph: Path
) -> None:
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "a.txt").write_text(
        GOOD + "● 什么是CNN\n\n" + _question("什么是BN", "BN是批归一化。"), encoding="utf-8"
    )
    (bank / "b.txt").write_bytes(b"")
    (bank / "c.txt").write_bytes(PNG)
    (bank / "d.json").write_text('[{"question": "什么是RNN",\n  "answer": }]', encoding="utf-8")
    _stray_byte(bank / "e.md")
    (bank / "f.csv").write_text("question,answer\n什么是池化,\n", encoding="utf-8")
    before = MemoryStore.open(graph).stats()["questions"]
    result = ingest(graph, bank)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["questions"] == before + 2  # GRU and BN; CNN has no answer
    warnings = result.stderr.splitlines()
    assert all(w.startswith("警告: ") for w in warnings) and "Traceback" not in result.output
    expected = [
        f"{bank / 'b.txt'}: 文件是空的",
        f"{bank / 'c.txt'}: 这是二进制文件（PNG 图片）",
        f"{bank / 'd.json'}:2: JSON 格式错误",
        f"{bank / 'e.md'}:10: 无法识别文件编码",
        f"{bank / 'f.csv'}: 没有找到可识别的问题（1 条警告，例如第 2 行：问题「什么是池化」",
        f"{bank / 'a.txt'}:4: 问题「什么是CNN」没有答案",
    ]
    for part in expected:
        assert sum(part in w for w in warnings) == 1, (part, warnings)
    assert len(warnings) == len(expected) == len(doc["warnings"])
    titles = {q.title for q in MemoryStore.open(graph).questions()}
    assert {"什么是GRU", "什么是BN"} <= titles and "什么是CNN" not in titles


def test_a_missing_path_next_to_a_good_one_is_a_warning(tmp_path: Path, graph: Path) -> None:
    bank = tmp_path / "bank.txt"
    bank.write_text(GOOD, encoding="utf-8")
    result = ingest(graph, bank, tmp_path / "gone.txt")
    assert result.exit_code == 0, result.output
    assert result.stderr == f"警告: {tmp_path / 'gone.txt'}: 文件或目录不存在\n"
    assert "什么是GRU" in {q.title for q in MemoryStore.open(graph).questions()}


def test_a_file_that_became_unreadable_keeps_its_questions(tmp_path: Path, graph: Path) -> None:
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "a.txt").write_text(GOOD, encoding="utf-8")
    shutil.copy(MINI, bank / "b.txt")
    assert ingest(graph, bank).exit_code == 0
    before = {q.id: q for q in MemoryStore.open(graph).questions()}
    _stray_byte(bank / "b.txt")  # an editor saved a broken byte into it
    result = ingest(graph, bank)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(f"警告: {bank / 'b.txt'}:10: 无法识别文件编码")
    after = {q.id: q for q in MemoryStore.open(graph).questions()}
    assert after == before  # nothing lost: b.txt's questions stay until it reads again


def test_mixed_encodings_across_files_read_as_the_same_text(tmp_path: Path, graph: Path) -> None:
    bank = tmp_path / "mixed"
    bank.mkdir()
    items = {
        "a-utf8.txt": ("utf-8", "什么是RNN", "RNN的隐藏状态在时间步之间传递。"),
        "b-gbk.txt": ("gbk", "什么是LSTM", "LSTM用遗忘门、输入门和输出门控制细胞状态。"),
        "c-utf16.txt": ("utf-16", "什么是GRU", "GRU只有更新门和重置门。"),
        "d-bom.txt": ("utf-8-sig", "什么是dropout", "dropout随机失活神经元，缓解过拟合。"),
        "e-gb18030.txt": ("gb18030", "什么是梯度消失𠮷", "反向传播时梯度越来越小，例如 ∂L/∂w→0。"),
        "f-big5.txt": ("big5", "什麼是卷積神經網路", "卷積神經網路用卷積核提取局部特徵。"),
    }
    for name, (encoding, title, answer) in items.items():
        text = f"● {title}\n答案:\n{answer}\n"  # 答案 is written the same in Big5
        (bank / name).write_bytes(text.encode(encoding))
    result = ingest(graph, bank)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["warnings"] == [] and result.stderr == ""
    found: dict[str, set[str]] = {}  # the built graph may hold another 什么是RNN (kept apart)
    for q in MemoryStore.open(graph).questions():
        found.setdefault(q.title, set()).add(q.answer)
    for _, title, answer in items.values():
        assert answer in found.get(title, set()), (title, found.get(title))


def test_a_question_with_a_100kb_answer_line_is_ingested(tmp_path: Path, graph: Path) -> None:
    path = tmp_path / "long.txt"
    answer = "RNN用隐藏状态记住之前的输入，" * 7000  # one line of about 100 KB
    path.write_text(_question("为什么RNN能处理序列", answer) + GOOD, encoding="utf-8")
    assert len(answer.encode()) > 100_000
    result = ingest(graph, path)
    assert result.exit_code == 0, result.output
    q = MemoryStore.open(graph).question("为什么RNN能处理序列")
    assert q.answer == answer and q.sources == [f"{path}:1"]


def test_a_twenty_megabyte_bank_is_ingested(tmp_path: Path, graph: Path) -> None:
    path = tmp_path / "big.txt"
    sentence = "循环神经网络处理序列数据，隐藏状态在时间步之间传递，梯度沿时间反向传播。"
    count = write_big_bank(path, sentence, 60)
    before = MemoryStore.open(graph).stats()["questions"]
    result = ingest(graph, path)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["questions"] == before + count
    store = MemoryStore.open(graph)
    last = store.question(f"什么是RNN{count - 1}")
    assert last.sources == [f"{path}:{4 * count - 3}"] and last.analysis == "看结构"


# --- a user lexicon (ZHITU_LEXICON) that cannot be used ---


def _entry(cid: str, name: str, extra: str = "") -> str:
    return f"  - id: {cid}\n    name: {name}\n    zh: {name}\n    category: rnn\n{extra}"


# (lexicon text, the line the message must name, words it must hold)
BAD_LEXICONS = [
    pytest.param("concepts:\n" + _entry("rnn", "RNN") + "  - id: [lstm\n", 7, "invalid YAML",
                 id="yaml-syntax"),
    pytest.param("concepts:\n" + _entry("rnn", "RNN", "    aliases: 循环网络\n"), 6,
                 "field 'aliases' must be a list of strings", id="bad-field"),
    pytest.param("concepts:\n" + _entry("rnn", "RNN") + _entry("rnn", "RNN2"), 6,
                 "field 'id' duplicates the concept on line 2", id="duplicate-id"),
    pytest.param("concepts:\n" + _entry("rnn", "RNN", "    aliases: [循环网络]\n")
                 + _entry("lstm", "LSTM", "    aliases: [循环网络]\n"), 11,
                 "循环网络", id="duplicate-alias"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "line", "words"), BAD_LEXICONS)
def test_a_bad_user_lexicon_is_refused_naming_its_line(
    tmp_path: Path, graph: Path, text: str, line: int, words: str
) -> None:
    lexicon = tmp_path / "my-concepts.yaml"
    lexicon.write_text(text, encoding="utf-8")
    bank = tmp_path / "bank.txt"
    bank.write_text(GOOD, encoding="utf-8")
    before = graph.read_bytes()
    message = assert_refused(
        ingest(graph, bank, env={LEXICON_ENV: str(lexicon)}), graph, before, f"{lexicon}:{line}: "
    )
    assert words in message


def test_a_missing_user_lexicon_is_refused(tmp_path: Path, graph: Path) -> None:
    bank = tmp_path / "bank.txt"
    bank.write_text(GOOD, encoding="utf-8")
    before = graph.read_bytes()
    missing = tmp_path / "nowhere.yaml"
    assert_refused(
        ingest(graph, bank, env={LEXICON_ENV: str(missing)}), graph, before, str(missing)
    )


# --- the real process: exit codes and stderr as a shell sees them ---


@pytest.mark.parametrize(
    ("name", "make", "words"),
    [
        ("missing.txt", None, "文件或目录不存在"),
        ("image.txt", lambda p: p.write_bytes(PNG), "二进制文件"),
        ("stray.txt", _stray_byte, ":10: 无法识别文件编码"),
    ],
)
def test_the_installed_command_refuses_without_a_traceback(
    tmp_path: Path, graph: Path, name: str, make: Make | None, words: str
) -> None:
    path = tmp_path / name
    if make is not None:
        make(path)
    before = graph.read_bytes()
    env = {k: v for k, v in os.environ.items() if k not in ("ZHITU_GRAPH", LEXICON_ENV)}
    done = subprocess.run(
        [sys.executable, "-m", "zhitu", "--graph", str(graph), "ingest", str(path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and words in done.stderr and str(path) in done.stderr
    assert graph.read_bytes() == before


def test_reading_a_bank_never_writes_next_to_it(tmp_path: Path, graph: Path) -> None:
    bank = tmp_path / "readonly"
    shutil.copytree(ROOT / "tests" / "fixtures" / "banks", bank)
    listing = sorted(p.name for p in bank.iterdir())
    result = ingest(graph, bank)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in bank.iterdir()) == listing


def test_read_paths_names_the_files_it_could_not_read(tmp_path: Path) -> None:
    from zhitu.ingest.read import read_paths

    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(PNG)
    (tmp_path / "empty").mkdir()
    result = read_paths([tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "empty"])
    assert [q.title for q in result.questions] == ["什么是GRU"]
    assert result.failed == [str(tmp_path / "b.txt"), str(tmp_path / "empty")]
