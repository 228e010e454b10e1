"""Where the lexicon comes from ($ZHITU_LEXICON, explicit path, bundled) and that both YAML
loaders (libyaml and pure Python) read it the same way and name the same lines in errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import zhitu.ingest.lexicon as lexicon_module
from zhitu.data import LEXICON_PATH
from zhitu.graph.errors import LexiconError
from zhitu.ingest.lexicon import LEXICON_ENV, lexicon_path, load_lexicon

OWN = "concepts:\n  - id: own\n    name: 自有概念\n    zh: 自有概念\n    category: nn\n"


@pytest.fixture
def own_lexicon(tmp_path: Path) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(OWN, encoding="utf-8")
    return path


def test_environment_names_the_default_lexicon(monkeypatch, own_lexicon: Path) -> None:
    monkeypatch.setenv(LEXICON_ENV, str(own_lexicon))
    assert lexicon_path() == own_lexicon
    assert list(load_lexicon().concepts) == ["own"]


def test_explicit_path_wins_over_the_environment(monkeypatch, own_lexicon: Path) -> None:
    monkeypatch.setenv(LEXICON_ENV, str(own_lexicon))
    assert "lstm" in load_lexicon(LEXICON_PATH).concepts


@pytest.mark.parametrize("value", [None, ""])  # unset or empty: the bundled lexicon
def test_without_environment_the_bundled_lexicon(monkeypatch, value: str | None) -> None:
    if value is None:
        monkeypatch.delenv(LEXICON_ENV, raising=False)
    else:
        monkeypatch.setenv(LEXICON_ENV, value)
    assert lexicon_path() == LEXICON_PATH


def test_missing_environment_file_names_the_variable(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv(LEXICON_ENV, str(tmp_path / "gone.yaml"))
    with pytest.raises(LexiconError, match=r"gone\.yaml: cannot read the lexicon \(from \$ZHITU"):
        load_lexicon()


def test_pipeline_uses_the_environment_lexicon(monkeypatch, own_lexicon: Path,
                                               tmp_path: Path) -> None:
    from zhitu.ingest.pipeline import ingest

    bank = tmp_path / "bank.txt"
    bank.write_text("● 什么是自有概念\n参考回答:\n自有概念是LSTM的一种。\n", encoding="utf-8")
    monkeypatch.setenv(LEXICON_ENV, str(own_lexicon))
    graph, _ = ingest([bank])
    assert set(graph.concepts) == {"own"}


@pytest.fixture(params=["libyaml", "python"])
def loader(request, monkeypatch) -> str:
    if request.param == "python":
        monkeypatch.setattr(lexicon_module, "_LOADER", yaml.SafeLoader)
    elif not getattr(yaml, "__with_libyaml__", False):
        pytest.skip("PyYAML was built without libyaml")
    return request.param


def test_both_loaders_read_the_bundled_lexicon_alike(monkeypatch) -> None:
    fast = load_lexicon(LEXICON_PATH)
    monkeypatch.setattr(lexicon_module, "_LOADER", yaml.SafeLoader)
    slow = load_lexicon(LEXICON_PATH)
    assert fast.concepts == slow.concepts
    assert fast.surfaces == slow.surfaces and fast.ambiguous == slow.ambiguous
    assert [r.key for r in fast.relations] == [r.key for r in slow.relations]


# (text, line): a YAML syntax error and a schema error, each at a line both loaders must name
@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("concepts:\n  - id: a\n    name: [A\n", 4),  # unclosed flow sequence, found at the end
        ("concepts:\n\t- id: a\n", 2),  # a tab cannot start a token
        ("concepts:\n  - id: a\n    name: A\n    zh: 甲\n    category: nn\n    minutes: -1\n", 6),
        ("concepts:\n  - id: a\n    name: A\n    zh: 甲\n    category: nn\n"
         "    prerequisites:\n      - a\n", 7),
    ],
)
def test_errors_name_the_same_line_with_both_loaders(loader: str, tmp_path: Path, text: str,
                                                     line: int) -> None:
    path = tmp_path / "concepts.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LexiconError) as caught:
        load_lexicon(path)
    assert str(caught.value).startswith(f"{path}:{line}: "), str(caught.value)
