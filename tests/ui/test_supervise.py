"""`zhitu serve`'s supervision (ui/supervise.py) with a stand-in server, no Streamlit: the browser
opens once the server answers, and SIGTERM to the supervisor stops the server too. (The real
`zhitu serve` gets the same SIGTERM check in tests/ui/test_browser_explorer.py.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from tests.ui.browser_kit import free_port

SERVER = """
import http.server, sys
class Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Ok).serve_forever()
"""
SUPERVISOR = """
import os, sys
from zhitu.ui import supervise
server = [sys.executable, "-c", sys.argv[1], sys.argv[2]]
sys.exit(supervise.run(server, os.environ, sys.argv[3], open_browser=sys.argv[4] == "yes"))
"""
BROWSER = "import sys; open(sys.argv[1], 'w').write(sys.argv[2])"


def _wait(check, seconds: float = 20) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def _server(proc: subprocess.Popen) -> psutil.Process:
    """The supervisor's server child (the stand-in browser may still be its child: a zombie
    until the supervisor reaps it)."""
    def servers() -> list[psutil.Process]:
        found = []
        for child in psutil.Process(proc.pid).children():
            try:
                if "http.server" in " ".join(child.cmdline()):
                    found.append(child)
            except psutil.Error:  # a zombie or a process that has just gone
                continue
        return found

    assert _wait(lambda: len(servers()) == 1)
    return servers()[0]


def _supervise(tmp_path: Path, open_browser: str) -> tuple[subprocess.Popen, str, Path]:
    """The supervisor over the stand-in server on a free port, in its own session, with a
    stand-in browser that writes the address it is given to the returned file."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    (tmp_path / "browser.py").write_text(BROWSER, encoding="utf-8")
    opened = tmp_path / "opened.txt"
    env = {**os.environ, "BROWSER": f"{sys.executable} {tmp_path / 'browser.py'} {opened} %s"}
    proc = subprocess.Popen([sys.executable, "-c", SUPERVISOR, SERVER, str(port), url,
                             open_browser], env=env, start_new_session=True)  # fmt: skip
    return proc, url, opened


def test_the_browser_opens_and_sigterm_stops_the_server(tmp_path: Path) -> None:
    proc, url, opened = _supervise(tmp_path, open_browser="yes")
    try:
        assert _wait(opened.exists), "the browser was not opened"
        assert _wait(lambda: opened.read_text() == url)
        server = _server(proc)
        os.kill(proc.pid, signal.SIGTERM)  # the supervisor alone, not its group
        assert proc.wait(20) == 128 + signal.SIGTERM
        assert _wait(lambda: not server.is_running() or server.status() == psutil.STATUS_ZOMBIE)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


def test_without_a_terminal_no_browser_opens(tmp_path: Path) -> None:
    proc, url, opened = _supervise(tmp_path, open_browser="no")
    try:
        assert _wait(lambda: bool(psutil.Process(proc.pid).children()))
        time.sleep(1.5)  # the server answers by now; nothing may open it
        assert not opened.exists()
        os.kill(proc.pid, signal.SIGINT)  # Ctrl+C stops it the same way
        assert proc.wait(20) == 128 + signal.SIGINT
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
