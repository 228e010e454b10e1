"""The server process of `zhitu serve`: Streamlit, with a first visitor's work started early.

A fresh server's first visitor used to pay for opening the graph and building the concept map
on top of Streamlit's own start (BENCHMARKS.md, issue 18). Here that work runs in a thread of
the server process while Streamlit starts, through the same cached functions the pages call
(ui/state.py), so Streamlit's resource caches already hold it when the first page asks; a page
asking sooner waits for the computation under way, it does not repeat it.

    python -m zhitu.ui.launch APP [streamlit run options]   # what `zhitu serve` runs
"""

from __future__ import annotations

import logging
import os
import sys
import threading


def _prewarm() -> None:
    from zhitu.ui import state

    # outside a session Streamlit warns that there is no script context: expected here
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(
        logging.ERROR)
    try:
        state.prewarm()
    except Exception:  # noqa: BLE001  (the first page shows the same error as a message)
        logging.getLogger(__name__).debug("prewarm failed", exc_info=True)


def main() -> None:
    if os.environ.get("ZHITU_GRAPH", "").strip():
        threading.Thread(target=_prewarm, name="zhitu-prewarm", daemon=True).start()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", *sys.argv[1:]]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
