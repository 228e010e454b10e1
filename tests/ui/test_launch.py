"""ui/launch.py's page shell: Streamlit's index.html in Chinese, its base URL given, KaTeX early."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from streamlit import file_util

from zhitu.ui import launch

STATIC = Path(file_util.get_static_dir())
INDEX = (STATIC / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("base, expected", [("", '""'), ("/team/zhitu/", '"/team/zhitu"')])
def test_the_installed_streamlit_page_becomes_zhitus(base: str, expected: str) -> None:
    page = launch.shell(INDEX, STATIC, base)
    assert '<html lang="zh-CN">' in page and "<title>知图</title>" in page
    assert f"window.__streamlit = {{BACKEND_BASE_URL: location.origin + {expected}}}" in page
    # given before Streamlit's own code runs, which reads it once
    assert page.index("window.__streamlit") < page.index('<script type="module"')
    early = re.findall(r'<link rel="(?:modulepreload|preload)"[^>]* href="\./([^"]+)"', page)
    early = [f for f in early if "katex" in f.lower()]  # katex, rehype-katex and KaTeX_ fonts
    assert len(early) == 4 and all((STATIC / f).is_file() for f in early)
    assert page.replace("zh-CN", "en").count("<link") == INDEX.count("<link") + 4


def test_a_changed_streamlit_page_is_served_as_it_is(tmp_path: Path, caplog) -> None:
    (tmp_path / "index.html").write_text(INDEX.replace("<title>Streamlit</title>", ""))
    (tmp_path / "static").mkdir()
    with pytest.raises(ValueError, match="title"):
        launch.shell((tmp_path / "index.html").read_text(), tmp_path, "")
    with caplog.at_level(logging.WARNING):
        assert launch._static_dir(tmp_path) == str(tmp_path)
    assert "Streamlit's own page" in caplog.text


def test_the_shell_folder_holds_the_page_and_links_the_rest() -> None:
    folder = Path(launch._static_dir(STATIC))
    assert folder != STATIC
    assert (folder / "index.html").read_text(encoding="utf-8") == launch.shell(INDEX, STATIC, "")
    others = sorted(p.name for p in STATIC.iterdir() if p.name != "index.html")
    assert sorted(p.name for p in folder.iterdir() if p.name != "index.html") == others
    assert all((folder / name).resolve() == (STATIC / name).resolve() for name in others)
