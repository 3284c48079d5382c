"""Serve a class: one app process per core behind HAProxy, on one address.

    python -m deploy.serve                  # one process per core, http://<this machine>:8501
    python -m deploy.serve --processes 4 --port 8080

Starts N ``streamlit run app.py`` processes on loopback ports, waits until each answers its
health check, writes ``deploy/haproxy.cfg`` with them as servers, and runs Debian's HAProxy
(``apt-get install haproxy``) in the foreground; Ctrl-C stops everything. One Streamlit process
uses about one core (Python's GIL): N processes use N cores.

All processes share one ``server.cookieSecret`` (a random one per launch, or
``STREAMLIT_SERVER_COOKIE_SECRET`` if set): Streamlit signs its XSRF cookie with it, so the
cookie a page got from one process is valid at every process. HAProxy's affinity cookie keeps a
session's websocket, uploads and pictures on the process that holds the session.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "haproxy.cfg"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except OSError:
        return False


def haproxy_config(bind: str, port: int, app_ports: list[int]) -> str:
    """The HAProxy configuration for app processes on ``app_ports`` (see deploy/haproxy.cfg)."""
    servers = "\n".join(
        f"    server app{index} 127.0.0.1:{app_port} check cookie app{index}"
        for index, app_port in enumerate(app_ports, start=1)
    )
    return TEMPLATE.read_text().format(bind=bind, port=port, servers=servers)


class ClassServer:
    """N app processes and HAProxy in front of them; ``url`` is the address students open."""

    def __init__(self, processes: int, port: int, bind: str = "0.0.0.0", timeout: float = 90) -> None:
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        if not Path(haproxy).exists():
            raise SystemExit("HAProxy is not installed: apt-get install haproxy")
        self.workdir = Path(tempfile.mkdtemp(prefix="class-server-"))
        self.url = f"http://127.0.0.1:{port}"
        self.app_ports = [free_port() for _ in range(processes)]
        environment = {
            **os.environ,
            "STREAMLIT_SERVER_COOKIE_SECRET": os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET")
            or secrets.token_hex(32),
        }
        self.apps = [self._start_app(app_port, environment) for app_port in self.app_ports]
        try:
            self._wait([f"http://127.0.0.1:{app_port}" for app_port in self.app_ports], timeout)
            config = self.workdir / "haproxy.cfg"
            config.write_text(haproxy_config(bind, port, self.app_ports))
            log = (self.workdir / "haproxy.log").open("w")
            self.haproxy = subprocess.Popen(
                [haproxy, "-f", str(config), "-db"], stdout=log, stderr=subprocess.STDOUT
            )
            self._wait([self.url], timeout)
        except BaseException:
            self.stop()
            raise

    def _start_app(self, app_port: int, environment: dict[str, str]) -> subprocess.Popen:
        log = (self.workdir / f"app-{app_port}.log").open("w")
        command = [
            sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.port", str(app_port),
            "--server.address", "127.0.0.1",
            "--server.headless", "true",
        ]  # fmt: skip
        return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)

    def _wait(self, urls: list[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        waiting = list(urls)
        while waiting:
            if time.monotonic() > deadline:
                logs = "\n".join(path.read_text()[-2000:] for path in self.workdir.glob("*.log"))
                raise RuntimeError(f"not answering after {timeout} s: {waiting}\n{logs}")
            for process in [*self.apps, getattr(self, "haproxy", None)]:
                if process is not None and process.poll() is not None:
                    raise RuntimeError(f"{process.args[:4]} exited with {process.returncode}")
            waiting = [url for url in waiting if not healthy(url)]
            time.sleep(0.3)

    def pids(self) -> list[int]:
        """The app processes' ids (for measuring their CPU time and memory)."""
        return [app.pid for app in self.apps]

    def stop(self) -> None:
        for process in [getattr(self, "haproxy", None), *self.apps]:
            if process is not None and process.poll() is None:
                process.terminate()
        for process in [getattr(self, "haproxy", None), *self.apps]:
            if process is not None:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
        shutil.rmtree(self.workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--processes", type=int, default=os.cpu_count() or 1, help="app processes (default: one per core)"
    )
    parser.add_argument("--port", type=int, default=8501, help="the port students open (default 8501)")
    parser.add_argument(
        "--bind", default="0.0.0.0", help="the address to listen on (default: every interface)"
    )
    options = parser.parse_args()
    server = ClassServer(options.processes, options.port, options.bind)
    print(
        f"Serving the class with {options.processes} app processes behind HAProxy: "
        f"http://<this machine>:{options.port}",
        flush=True,
    )
    stopped = False

    def stop(*_signal) -> None:
        nonlocal stopped
        stopped = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopped and server.haproxy.poll() is None and all(app.poll() is None for app in server.apps):
        time.sleep(0.5)
    server.stop()


if __name__ == "__main__":
    main()
