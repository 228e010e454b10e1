"""`zhitu serve`'s child: run the Streamlit server, stop it with us, open the browser once.

The server runs as a child process. SIGTERM or SIGINT to `zhitu serve` is passed on to the
child, which gets GRACE_SECONDS to stop before it is killed, so stopping serve (kill, Ctrl+C,
a service manager) never leaves a server behind. Run in a terminal, serve opens the app in the
default browser as soon as the server answers (`--no-browser` or a non-terminal stdout: not).
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time
import urllib.request
import webbrowser
from collections.abc import Mapping, Sequence

GRACE_SECONDS = 10
READY_SECONDS = 60
# Streamlit's "magic" re-parses each page with ast.parse in its session thread. CPython 3.11 keeps
# one AST recursion counter for all threads, so that parse fails ("AST constructor recursion depth
# mismatch") when another thread parses at the same time (numpy reads .npy headers with
# ast.literal_eval while the search index loads). zhitu's pages call st.* and need no magic.
STREAMLIT_OPTIONS = {"runner.magicEnabled": False}


def browser_url(host: str, port: int) -> str:
    """The address a browser on this machine opens.

    >>> browser_url("0.0.0.0", 8501), browser_url("::1", 80), browser_url("example.org", 8080)
    ('http://localhost:8501', 'http://[::1]:80', 'http://example.org:8080')
    """
    if host in ("", "0.0.0.0", "::"):
        host = "localhost"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _open_when_ready(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    webbrowser.open(url)
                    return
        except OSError:
            time.sleep(0.3)


def run(command: Sequence[str], env: Mapping[str, str], url: str, open_browser: bool) -> int:
    """Run `command` until it exits or we are told to stop; its exit code (128+N on signal N)."""
    proc = subprocess.Popen(list(command), env=dict(env))
    stopped: list[int] = []

    def stop(signum: int, _frame: object) -> None:
        stopped.append(signum)
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        if open_browser:
            threading.Thread(target=_open_when_ready, args=(url, proc), daemon=True).start()
        deadline = None
        while True:
            try:
                code = proc.wait(0.5)
                break
            except subprocess.TimeoutExpired:
                if stopped and deadline is None:
                    deadline = time.monotonic() + GRACE_SECONDS
                if deadline is not None and time.monotonic() > deadline:
                    proc.kill()  # it ignored SIGTERM for GRACE_SECONDS
    finally:
        if proc.poll() is None:  # an exception in this function: never leave the child
            proc.kill()
            proc.wait()
        for s, handler in previous.items():
            signal.signal(s, handler)
    return 128 + stopped[0] if stopped else code
