"""Streamlit entry point of 知图: `zhitu serve` runs `streamlit run ui/app.py` with $ZHITU_GRAPH.

Pages live in ui/views/, one file each, wired with st.navigation. (Not in ui/pages/: a pages/
folder next to the entry script makes Streamlit fall back to its v1 multipage mode, which runs
a deep-linked page without this script.) Deep links work from any page:
?page=<home|map|questions|path|import>, ?q=<question id> opens the question page, ?c=<concept id>
(or its name or alias) opens the concept on the map, ?t= the study path, ?s= the search; other
params are kept. An unknown ?c= says so, with the closest concepts as links.

Streamlit's own widget texts are English; the CSS below relabels the ones a learner sees
(file uploader, text input hints, empty-result lists) in Chinese.
"""

from __future__ import annotations

import streamlit as st

from zhitu.ui import learner, state
from zhitu.ui.state import PAGES, param

_CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 3.5rem; }
[class*="st-key-chips-"] [data-testid="stPageLink"] a {
  border: 1px solid #d0d7de; border-radius: 999px; padding: 0 .7rem; background: #f6f8fa; }
[class*="st-key-chips-"] [data-testid="stPageLink"] a:hover { border-color: #ff4b4b; }
/* long question titles in links wrap instead of ending in "…" */
[data-testid="stPageLink-NavLink"] > span:has(> [data-testid="stMarkdownContainer"]),
[data-testid="stPageLink-NavLink"] [data-testid="stMarkdownContainer"] {
  white-space: normal; overflow: visible; }
.st-key-mobile-nav [data-testid="stPageLink-NavLink"] * { white-space: nowrap; }
mark { background: #ffe066; padding: 0 2px; border-radius: 3px; }
/* the charts' hover toolbar (download, fullscreen) speaks English and covers the legend */
[data-testid="stElementContainer"]:has([data-testid="stEChartsChart"])
  [data-testid="stElementToolbar"] { display: none; }
.st-key-answer p, .st-key-analysis p { line-height: 1.75; }
.st-key-answer .katex-display, .st-key-analysis .katex-display { overflow-x: auto; }
.zt-snippet { color: #495057; font-size: .92rem; margin: -.4rem 0 .2rem 2rem; }
.zt-meta { color: #868e96; font-size: .85rem; }
.zt-evidence { color: #495057; font-size: .9rem; border-left: 3px solid #dee2e6;
               padding-left: .6rem; margin: .2rem 0 .5rem 0; }
/* Streamlit's English widget texts, relabelled (font-size 0 hides the text, ::after says it) */
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p,
[data-testid="stFileUploaderDropzoneInstructions"] span,
[data-testid="InputInstructions"],
[data-testid="stMultiSelectDropdown"] [role="option"] > span,
[data-testid="stSelectboxVirtualDropdown"] [role="option"] > span,
[data-key="__creatable__"] [data-item-hl] { font-size: 0 !important; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {
  content: "选择文件"; font-size: .875rem; }
[data-testid="stFileUploaderDropzoneInstructions"] span::after {
  content: "或把文件拖到这里"; font-size: .875rem; }
[data-testid="stFileChip"][aria-invalid="true"]::after {
  content: "文件太大或类型不对，没有上传"; font-size: .8rem; color: #c92a2a; margin-left: .6rem;
  align-self: center; }
[data-key="__creatable__"] [data-item-hl]::after {
  content: "按回车：按名称或别名精确查找"; font-size: .875rem; }
[data-testid="InputInstructions"]::after { content: "按回车确认"; font-size: .75rem; }
[data-testid="stMultiSelectDropdown"] [role="option"] > span::after,
[data-testid="stSelectboxVirtualDropdown"] [role="option"] > span::after {
  content: "没有匹配的选项"; font-size: .875rem; }
/* phones: Streamlit folds the top navigation into the sidebar; our own row of links shows */
.st-key-mobile-nav { display: none; }
@media (max-width: 640px) {
  .st-key-mobile-nav { display: flex; flex-wrap: wrap; gap: .2rem .6rem;
                       border-bottom: 1px solid #e9ecef; padding-bottom: .3rem; }
  [data-testid="stMainBlockContainer"] { padding-left: .8rem; padding-right: .8rem; }
  [class*="st-key-chips-"] { flex-wrap: wrap; }
}
</style>
"""


def _redirect(current: str) -> None:
    """Honour ?page= and entity params that belong to another page."""
    wanted = param("page")
    if wanted is None:
        if param("q") and current != "questions":
            wanted = "questions"
        elif param("c") and current in ("import", "home"):
            wanted = "map"
        elif current == "home":
            wanted = "path" if param("t") else "questions" if param("s") else None
    if wanted in PAGES and wanted != current:
        keep = {k: st.query_params.get_all(k) for k in st.query_params if k != "page"}
        st.switch_page(PAGES[wanted][0], query_params=keep)


def _known_concept() -> None:
    """?c= naming a concept by name or alias becomes its id; an unknown one says so (with the
    closest concepts as links) and is dropped, so the page shows its overview below."""
    ref = param("c")
    if ref is None or not state.concepts():
        return
    found = state.find_concept(ref)
    if found is None:
        st.query_params.pop("c", None)
        state.not_found("concept", ref)
    elif found.id != ref:
        st.query_params["c"] = found.id


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
        name: st.Page(script, title=title, icon=icon, url_path=name, default=name == "home")
        for name, (script, title, icon) in PAGES.items()
    }
    current = st.navigation(list(pages.values()), position="top")
    st.html(_CSS)
    _redirect(next(n for n, p in pages.items() if p.url_path == current.url_path))
    with st.container(horizontal=True, key="mobile-nav"):
        for page in pages.values():
            st.page_link(page, label=page.title, icon=page.icon)
    _known_concept()
    _sync_url()
    learner.widget()
    current.run()
    state.warm_up()


if __name__ == "__main__":  # Streamlit runs this file as __main__
    main()
