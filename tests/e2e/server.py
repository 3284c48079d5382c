"""Start the app exactly as the README says (``streamlit run app.py``) on a free loopback port,
and say how to launch Debian's Chromium against it.

Used by the browser tests and the benchmark; no pytest here.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # the machine's closed network refuses Chromium's own requests
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-device-for-media-stream",  # a test pattern as the webcam (st.camera_input's tests)
    "--use-fake-ui-for-media-stream",  # and the permission to use it granted without a prompt
]


class ServerError(RuntimeError):
    """The app did not start; the message holds its output."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _streamlit_executable() -> str:
    """The ``streamlit`` command of the Python environment running this code."""
    beside_python = Path(sys.executable).with_name("streamlit")
    found = str(beside_python) if beside_python.exists() else shutil.which("streamlit")
    if found is None:
        raise ServerError("The streamlit command is not installed: pip install -r requirements.txt")
    return found


class AppServer:
    """A running ``streamlit run app.py``; ``url`` is where it answers, ``process`` its Popen."""

    def __init__(self, timeout: float = 60, options: tuple[str, ...] = (), script: str = "app.py") -> None:
        """``options``: more command-line settings, e.g. ("--server.disconnectedSessionTTL", "2");
        ``script``: what to serve, from the project's folder (the benchmark's floor page, for one)."""
        self.options, self.script = options, script
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(tempfile.mkdtemp(prefix="app-server-")) / "server.log"
        self._log_file = self.log.open("w")
        self._start(timeout)

    def _start(self, timeout: float) -> None:
        command = [
            _streamlit_executable(),
            "run",
            self.script,
            "--server.port",
            str(self.port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            *self.options,
        ]
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=self._log_file, stderr=subprocess.STDOUT)
        self._wait_until_healthy(timeout)

    def restart(self, down_s: float = 1.0, timeout: float = 60) -> None:
        """Stop the server and start it again on the same port after ``down_s`` seconds, as a
        redeploy or a crash and its supervisor would: every session and upload it held is gone."""
        self.process.terminate()
        self.process.wait(timeout=15)
        time.sleep(down_s)
        self._start(timeout)

    def output(self) -> str:
        """What the server printed so far (kept in ``log``, a temporary file outside the repository)."""
        return self.log.read_text()

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                return response.read().decode().strip() == "ok"
        except OSError:
            return False

    def _wait_until_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(f"streamlit exited with {self.process.returncode}:\n{self.output()}")
            if self.healthy():
                return
            time.sleep(0.3)
        self.stop()
        raise ServerError(f"streamlit did not answer within {timeout} s:\n{self.output()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self._log_file.close()
        shutil.rmtree(self.log.parent, ignore_errors=True)
