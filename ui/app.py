"""Streamlit entry point of 知图: `zhitu serve` runs `streamlit run ui/app.py` with $ZHITU_GRAPH.

Pages live in ui/views/, one file each, wired with st.navigation. (Not in ui/pages/: a pages/
folder next to the entry script makes Streamlit fall back to its v1 multipage mode, which runs
a deep-linked page without this script.) Deep links work from any page:
?page=<map|questions|path|import>, ?q=<question id> opens the question page, ?c=<concept id>
opens the concept on the map; other params are kept.
"""

from __future__ import annotations

import streamlit as st

from zhitu.ui import state
from zhitu.ui.state import PAGES, param

_CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 3.5rem; }
[class*="st-key-chips-"] [data-testid="stPageLink"] a {
  border: 1px solid #d0d7de; border-radius: 999px; padding: 0 .7rem; background: #f6f8fa; }
[class*="st-key-chips-"] [data-testid="stPageLink"] a:hover { border-color: #ff4b4b; }
mark { background: #ffe066; padding: 0 2px; border-radius: 3px; }
.zt-answer p { line-height: 1.75; margin: 0 0 .6em 0; }
.zt-snippet { color: #495057; font-size: .92rem; margin: -.4rem 0 .2rem 2rem; }
.zt-meta { color: #868e96; font-size: .85rem; }
.zt-evidence { color: #495057; font-size: .9rem; border-left: 3px solid #dee2e6;
               padding-left: .6rem; margin: .2rem 0 .5rem 0; }
</style>
"""


def _redirect(current: str) -> None:
    """Honour ?page= and entity params that belong to another page."""
    wanted = param("page")
    if wanted is None:
        if param("q") and current != "questions":
            wanted = "questions"
        elif param("c") and current == "import":
            wanted = "map"
    if wanted in PAGES and wanted != current:
        keep = {k: st.query_params.get_all(k) for k in st.query_params if k != "page"}
        st.switch_page(PAGES[wanted][0], query_params=keep)


def _sync_url() -> None:
    """Echo this run's query params to the browser.

    A page link to the page already shown (question -> question) reruns with the new params but
    Streamlit leaves the address bar alone; echoing them makes the browser push a history entry
    whenever they differ from its URL, so shared links and the back button keep working.
    """
    st.query_params.from_dict({k: st.query_params.get_all(k) for k in st.query_params})


def main() -> None:
    st.set_page_config(page_title="知图 · 深度学习面试知识图谱", page_icon="🧭", layout="wide")
    pages = {
        name: st.Page(script, title=title, icon=icon, url_path=name, default=name == "map")
        for name, (script, title, icon) in PAGES.items()
    }
    current = st.navigation(list(pages.values()), position="top")
    st.html(_CSS)
    _redirect(next(n for n, p in pages.items() if p.url_path == current.url_path))
    _sync_url()
    current.run()
    state.warm_up()


if __name__ == "__main__":  # Streamlit runs this file as __main__
    main()
