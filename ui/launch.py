"""The server process of `zhitu serve`: Streamlit, with a first visitor's work started early.

A fresh server's first visitor used to pay for opening the graph and building the concept map
on top of Streamlit's own start (BENCHMARKS.md, issue 18). Here that work runs in a thread of
the server process while Streamlit starts, through the same cached functions the pages call
(ui/state.py), so Streamlit's resource caches already hold it when the first page asks; a page
asking sooner waits for the computation under way, it does not repeat it.

The page shell is Streamlit's index.html with four changes (`shell`): the language is zh-CN
(Chinese glyphs, not Japanese ones, for the same characters), the tab is titled 知图 before
the script sets its title, the server's base URL is given (without it Streamlit first asks
`/<page>/_stcore/health`, a wasted 404 round trip on every page but the first screen), and
KaTeX's code and two fonts load with the page rather than after the first formula arrives.

    python -m zhitu.ui.launch APP [streamlit run options]   # what `zhitu serve` runs
"""

from __future__ import annotations

import atexit
import functools
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

# loaded with the page (Streamlit loads them once a formula is on screen)
_EARLY = {"js": ("katex", "rehype-katex"), "media": ("KaTeX_Main-Regular", "KaTeX_Math-Italic")}


def _prewarm() -> None:
    from zhitu.ui import state

    # outside a session Streamlit warns that there is no script context: expected here
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(
        logging.ERROR)
    try:
        state.prewarm()
    except Exception:  # noqa: BLE001  (the first page shows the same error as a message)
        logging.getLogger(__name__).debug("prewarm failed", exc_info=True)


def _early_links(static: Path) -> list[str]:
    links = []
    for name in _EARLY["js"]:
        links += [f'<link rel="modulepreload" crossorigin href="./static/js/{p.name}">'
                  for p in sorted(static.glob(f"static/js/{name}.*.js"))]
    for name in _EARLY["media"]:
        links += [f'<link rel="preload" href="./static/media/{p.name}" as="font" '
                  'type="font/woff2" crossorigin>'
                  for p in sorted(static.glob(f"static/media/{name}.*.woff2"))]
    return links


def shell(index: str, static: Path, base_path: str) -> str:
    """Streamlit's index.html for zhitu; ValueError when its markup is not the one expected."""
    base = "/" + base_path.strip("/") if base_path.strip("/") else ""
    head = [f"<script>window.__streamlit = {{BACKEND_BASE_URL: location.origin + "
            f"{json.dumps(base)}}}</script>", *_early_links(static)]
    edits = (('<html lang="en">', '<html lang="zh-CN">'),
             ("<title>Streamlit</title>", "<title>知图</title>"),
             ('<script type="module"', "\n    ".join(head) + '\n    <script type="module"'))
    for old, new in edits:
        if index.count(old) != 1:
            raise ValueError(f"Streamlit's index.html has changed: {old!r}")
        index = index.replace(old, new)
    return index


def _static_dir(streamlit_static: Path) -> str:
    """Streamlit's static folder with zhitu's shell as its index.html (a temporary folder: the
    page, links to the rest); Streamlit's own folder when its page is not the one expected."""
    from streamlit import config

    try:
        page = shell((streamlit_static / "index.html").read_text(encoding="utf-8"),
                     streamlit_static, str(config.get_option("server.baseUrlPath") or ""))
    except (OSError, ValueError) as err:
        logging.getLogger(__name__).warning("zhitu: Streamlit's own page is served (%s)", err)
        return str(streamlit_static)
    folder = Path(tempfile.mkdtemp(prefix="zhitu-page-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    for item in streamlit_static.iterdir():
        if item.name != "index.html":
            (folder / item.name).symlink_to(item)
    (folder / "index.html").write_text(page, encoding="utf-8")
    return str(folder)


def main() -> None:
    if os.environ.get("ZHITU_GRAPH", "").strip():
        threading.Thread(target=_prewarm, name="zhitu-prewarm", daemon=True).start()
    from streamlit import file_util
    from streamlit.web import cli

    # asked when the server starts, once Streamlit's options are read
    streamlit_static = Path(file_util.get_static_dir())
    file_util.get_static_dir = functools.cache(lambda: _static_dir(streamlit_static))

    sys.argv = ["streamlit", "run", *sys.argv[1:]]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
