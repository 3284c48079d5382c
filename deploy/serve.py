"""Serve a class: one app process per core behind HAProxy, on one address, kept running.

    python -m deploy.serve                  # one process per core, http://<this machine>:8501
    python -m deploy.serve --processes 4 --port 8080 --log-dir /var/log/convolution-visualizer

Starts Debian's Redis (``apt-get install redis-server``; the class rooms all processes share),
N ``streamlit run app.py`` processes on loopback ports, and Debian's HAProxy (``apt-get install
haproxy``) in front of them with ``deploy/haproxy.cfg``. One Streamlit process uses about one
core (Python's GIL): N processes use N cores.

All app processes share one ``server.cookieSecret`` (a random one per launch, or
``STREAMLIT_SERVER_COOKIE_SECRET`` if set): Streamlit signs its XSRF cookie with it, so the
cookie a page got from one process is valid at every process. HAProxy's affinity cookie keeps a
session's websocket, uploads and pictures on the process that holds the session.

Supervision: a process that dies (an out-of-memory kill, a crash) is started again on its own
port, after a delay that doubles with each restart in the last RESTART_WINDOW_S seconds; the
others keep serving meanwhile (HAProxy takes the dead one out of rotation). After RESTART_LIMIT
restarts within that window, or if HAProxy itself dies, it stops everything and exits with
status 1, so that systemd's ``Restart=on-failure`` or compose's restart policy take over. A stop
signal (SIGTERM, SIGINT, SIGHUP), at any moment of the start-up too, stops every child and exits 0.

Logs outlive the run: ``--log-dir`` (default ``deploy/logs/``) holds ``serve.log`` (this
supervisor: starts, deaths with their exit status or signal, restarts, the give-up),
``haproxy.log``, ``redis.log`` and ``app1.log`` ... ``appN.log``, each rotated at LOG_BYTES with
LOG_BACKUPS old files kept.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import logging
import logging.handlers
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from server.logs import cut

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "haproxy.cfg"
DEFAULT_LOG_DIR = Path(__file__).resolve().parent / "logs"
REDIS_SERVER = "/usr/bin/redis-server"

LOG_BYTES = 5 * 1024 * 1024
LOG_BACKUPS = 2
"""Each log file is rotated at 5 MB and two old ones are kept: at most 15 MB per process, so
(N + 3) x 15 MB in all (75 MB for two app processes), across any number of runs."""
LINE_CHARS = 4000
"""A longer output line is cut (its length noted), so that one huge line (a forged message
echoed in a warning) cannot push a crash's lines out of the rotated logs. The app processes cut
their own log records shorter (server/logs.py); this also bounds what they print otherwise, and
HAProxy's and Redis's lines."""

RESTART_LIMIT = 5
RESTART_WINDOW_S = 300.0
FIRST_DELAY_S = 0.5
MAX_DELAY_S = 30.0
"""A dead process is started again after 0.5 s (its students are waiting), then after 1, 2, 4
and 8 s if it keeps dying: a process that dies again at once (a broken install, memory that runs
out again at start-up) would otherwise take the CPU that the healthy processes serve the class
with (a start costs about 2 CPU-seconds). The 6th death within 5 minutes shows a fault that
restarting does not mend: give up, exit 1, and let systemd or compose restart the whole server
and show the failure to whoever runs it."""

REDIS_SETTINGS = (
    "--save", "", "--appendonly", "no",
    "--maxmemory", "64mb", "--maxmemory-policy", "volatile-ttl",
)  # fmt: skip
"""Class rooms (issue #24) expire after 2 hours and matter only during a lesson, so nothing is
written to disk: a restarted Redis starts empty. 100 rooms of 30 answers take under 5 MB (#24's
budget): 64 MB holds over a thousand rooms and bounds what a flood of forged rooms can take.
Every room key expires, so ``volatile-ttl`` evicts, when memory is full, the rooms nearest their
expiry (the oldest lessons) first; a key stored without an expiry is never evicted (the write
fails instead of losing it silently)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def healthy(url: str, timeout: float = 2) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=timeout) as response:
            return response.read().decode().strip() == "ok"
    except OSError:
        return False


def port_is_free(host: str, port: int) -> bool:
    """Nothing listens on ``host``:``port`` (bound as HAProxy binds it)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
        return True


def listening(host: str, port: int, timeout: float = 1) -> bool:
    """Something accepts connections on ``host``:``port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def redis_answers(port: int, timeout: float = 1) -> bool:
    """Redis on loopback ``port`` answers PING (its protocol's inline command)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def haproxy_config(bind: str, port: int, app_ports: list[int]) -> str:
    """The HAProxy configuration for app processes on ``app_ports`` (see deploy/haproxy.cfg)."""
    servers = "\n".join(
        f"    server app{index} 127.0.0.1:{app_port} check cookie app{index}"
        for index, app_port in enumerate(app_ports, start=1)
    )
    return TEMPLATE.read_text().format(bind=bind, port=port, servers=servers)


def exit_status(returncode: int) -> str:
    """A process's end as a person reads it: "exit status 1", "killed by signal 9 (SIGKILL)"."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = "unknown"
        return f"killed by signal {-returncode} ({name})"
    return f"exit status {returncode}"


def rotating_log(path: Path, name: str, with_level: bool = False) -> logging.Logger:
    """A logger of its own (not in logging's registry) writing to ``path``, rotated and bounded."""
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
    )
    layout = "%(asctime)s %(levelname)s %(message)s" if with_level else "%(asctime)s %(message)s"
    handler.setFormatter(logging.Formatter(layout, "%Y-%m-%dT%H:%M:%S%z"))
    log = logging.Logger(name, logging.INFO)
    log.addHandler(handler)
    return log


def close_log(log: logging.Logger) -> None:
    for handler in list(log.handlers):
        handler.close()
        log.removeHandler(handler)


@dataclass
class RestartBudget:
    """How many restarts one child has had lately, and so how long to wait before the next one."""

    limit: int = RESTART_LIMIT
    window_s: float = RESTART_WINDOW_S
    times: deque[float] = field(default_factory=deque)  # of the restarts within the window

    def next_delay(self, now: float) -> float | None:
        """Seconds to wait before restarting, counting this restart; None once the limit is spent."""
        while self.times and now - self.times[0] > self.window_s:
            self.times.popleft()
        if len(self.times) >= self.limit:
            return None
        delay = min(FIRST_DELAY_S * 2 ** len(self.times), MAX_DELAY_S)
        self.times.append(now)
        return delay


class StopSignal:
    """Whether a stop signal came, and which: set by the signal handler ``handle``.

    A plain attribute, not a threading.Event: the handler runs in the main thread between two
    bytecodes, possibly while that thread holds the Event's lock, which setting it would wait for.
    """

    def __init__(self) -> None:
        self.received: str | None = None

    def handle(self, signum: int, _frame: object) -> None:
        self.received = signal.Signals(signum).name

    def is_set(self) -> bool:
        return self.received is not None


class StartFailed(RuntimeError):
    """A child did not come up at the first start; the message holds the end of its log."""


class StopRequested(Exception):
    """A stop signal came during the start-up; every child started so far was stopped."""


@dataclass(eq=False)
class Child:
    """One process the class server keeps running, in its own process group, its output logged.

    ``ready`` says whether it serves (its health check); ``port`` is where, for the logs.
    """

    name: str
    command: list[str]
    port: int
    ready: Callable[[], bool]
    log_dir: Path
    environment: dict[str, str] | None = None
    budget: RestartBudget = field(default_factory=RestartBudget)
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    answered: bool = False
    restart_at: float | None = None

    def __post_init__(self) -> None:
        self.log = rotating_log(self.log_dir / f"{self.name}.log", f"deploy.{self.name}")

    def start(self) -> None:
        """Start it in a process group of its own: a stop reaches everything it may have started,
        and a Ctrl-C in the terminal reaches only the supervisor, which stops the children in order."""
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
        self.started_at, self.answered, self.restart_at = time.monotonic(), False, None
        threading.Thread(target=self._copy_output, name=f"log {self.name}", daemon=True).start()

    def _copy_output(self) -> None:
        """Copy the child's output, line by line, into its rotating log (until the pipe closes)."""
        stream = self.process.stdout
        with stream:
            for raw in iter(stream.readline, b""):
                self.log.info(cut(raw.decode(errors="replace").rstrip("\n"), LINE_CHARS))

    @property
    def pid(self) -> int:
        return self.process.pid

    def dead(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def signal_group(self, signum: int) -> None:
        """Send ``signum`` to its process group (the child and anything it started)."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signum)

    def output_tail(self, lines: int = 20) -> str:
        """The last ``lines`` lines of its log (what it said before it ended)."""
        for handler in self.log.handlers:
            handler.flush()
        path = self.log_dir / f"{self.name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def stop_children(children: list[Child], timeout: float = 15) -> None:
    """SIGTERM each child's process group, wait up to ``timeout`` s in all, then SIGKILL what is left."""
    running = [child for child in children if child.process is not None]
    for child in running:
        if child.process.poll() is None:
            child.signal_group(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for child in running:
        try:
            child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.signal_group(signal.SIGKILL)
            child.process.wait()
        child.signal_group(signal.SIGKILL)  # anything the child started and left behind


class ClassServer:
    """Redis, N app processes and HAProxy in front of them, supervised; ``url`` is the address
    students open.

    ``stop_requested``: set by a signal handler; the start-up checks it between steps and raises
    StopRequested after stopping what it started. ``finished`` is set once the server has
    stopped: by ``stop()``, or by the supervision giving up (then ``failure`` says why).
    """

    def __init__(
        self,
        processes: int,
        port: int,
        bind: str = "0.0.0.0",
        timeout: float = 90,
        *,
        log_dir: Path = DEFAULT_LOG_DIR,
        redis: bool = True,
        redis_port: int | None = None,
        restart_limit: int = RESTART_LIMIT,
        restart_window_s: float = RESTART_WINDOW_S,
        stop_requested: StopSignal | None = None,
        script: str = "app.py",
    ) -> None:
        """``script``: the page each process serves, from the project's folder (the app; the
        benchmark's floor page, for one)."""
        self.script = script
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        if not Path(haproxy).exists():
            raise SystemExit("HAProxy is not installed: apt-get install haproxy")
        self.url = f"http://{'127.0.0.1' if bind in ('0.0.0.0', '::', '') else bind}:{port}"
        self.timeout = timeout
        self._budget = functools.partial(RestartBudget, restart_limit, restart_window_s)
        self.log_dir = Path(log_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.log = rotating_log(self.log_dir / "serve.log", "deploy.serve", with_level=True)
        alerts = logging.StreamHandler(sys.stderr)
        alerts.setLevel(logging.WARNING)
        alerts.setFormatter(logging.Formatter("deploy.serve: %(message)s"))
        self.log.addHandler(alerts)
        self.workdir = Path(tempfile.mkdtemp(prefix="class-server-"))  # the generated haproxy.cfg
        self.failure: str | None = None
        self.finished = threading.Event()
        self._stopping = threading.Event()
        self._stop_requested = stop_requested or StopSignal()
        self._lock = threading.Lock()
        self.children: list[Child] = []
        self.redis: Child | None = None
        self.haproxy: Child | None = None
        self.log.info("starting: %d app processes, public port %d on %s", processes, port, bind)
        try:
            if not port_is_free(bind, port):
                raise StartFailed(f"port {port} on {bind} is in use (another class server still running?)")
            environment = self._app_environment(redis, redis_port)
            self.apps = [self._app(index, free_port(), environment) for index in range(1, processes + 1)]
            for app in self.apps:
                self._start(app)
            self._wait_until_ready([*filter(None, [self.redis]), *self.apps])
            config = self.workdir / "haproxy.cfg"
            config.write_text(haproxy_config(bind, port, [app.port for app in self.apps]))
            command = [haproxy, "-f", str(config), "-db"]
            # Ready once it listens: the app processes answered already, and one that dies from now
            # on is the supervisor's to restart (waiting for an answer through HAProxy would wait
            # for it).
            ready = functools.partial(listening, urlsplit(self.url).hostname, port)
            self.haproxy = Child("haproxy", command, port, ready, self.log_dir)
            self._start(self.haproxy)
            self._wait_until_ready([self.haproxy])
        except BaseException as problem:
            if isinstance(problem, StartFailed):
                self.log.error("could not start: %s", problem)
            elif isinstance(problem, StopRequested):
                self.log.info("stopping during the start-up: %s received", self._stop_requested.received)
            self.stop()
            raise
        self.log.info("serving at %s", self.url)
        self._supervisor = threading.Thread(target=self._supervise, name="supervisor", daemon=True)
        self._supervisor.start()

    # ---- Starting --------------------------------------------------------------------------------

    def _app_environment(self, redis: bool, redis_port: int | None) -> dict[str, str]:
        """The app processes' environment: the shared cookie secret, and Redis's address."""
        environment = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",  # every line reaches the log at once, the last ones before a crash too
            "STREAMLIT_SERVER_COOKIE_SECRET": os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET")
            or secrets.token_hex(32),
        }
        if not redis:
            return environment  # an external Redis may still come in ROOMS_REDIS_URL
        server = shutil.which("redis-server") or REDIS_SERVER
        if not Path(server).exists():
            self.log.warning(
                "redis-server is not installed (apt-get install redis-server): serving without it. "
                "Class rooms then live in each app process's memory, so a room reaches only the "
                "students whose pages are on the process that made it."
            )
            return environment
        redis_port = redis_port or free_port()
        command = [
            server, "--port", str(redis_port), "--bind", "127.0.0.1", "--protected-mode", "yes",
            "--daemonize", "no", "--dir", str(self.workdir), *REDIS_SETTINGS,
        ]  # fmt: skip
        ready = functools.partial(redis_answers, redis_port)
        self.redis = Child("redis", command, redis_port, ready, self.log_dir, budget=self._budget())
        self._start(self.redis)
        return {**environment, "ROOMS_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0"}

    def _app(self, index: int, app_port: int, environment: dict[str, str]) -> Child:
        command = [
            sys.executable, "-m", "streamlit", "run", self.script,
            "--server.port", str(app_port),
            "--server.address", "127.0.0.1",
            "--server.headless", "true",
        ]  # fmt: skip
        url = f"http://127.0.0.1:{app_port}"
        ready = functools.partial(healthy, url, timeout=1)
        return Child(f"app{index}", command, app_port, ready, self.log_dir, environment, self._budget())

    def _start(self, child: Child) -> None:
        """Start ``child`` and count it at once, so that any stop from now on stops it too."""
        if self._stop_requested.is_set():
            raise StopRequested
        with self._lock:
            child.start()
            if child not in self.children:
                self.children.append(child)
        self.log.info("%s started on port %d (pid %d)", child.name, child.port, child.pid)
        child.log.info("--- started by deploy.serve on port %d (pid %d)", child.port, child.pid)

    def _wait_until_ready(self, children: list[Child]) -> None:
        deadline = time.monotonic() + self.timeout
        waiting = list(children)
        while waiting:
            if self._stop_requested.is_set():
                raise StopRequested
            for child in waiting:
                if child.dead():
                    raise StartFailed(
                        f"{child.name} ended at start-up, {exit_status(child.process.returncode)}:\n"
                        f"{child.output_tail()}"
                    )
            if time.monotonic() > deadline:
                names = ", ".join(child.name for child in waiting)
                raise StartFailed(f"not answering after {self.timeout} s: {names}")
            waiting = [child for child in waiting if not child.ready()]
            time.sleep(0.2)
        for child in children:
            child.answered = True

    # ---- Supervising -----------------------------------------------------------------------------

    def _supervise(self) -> None:
        """Watch every child until the server stops: restart the dead, or give up."""
        while not self._stopping.wait(0.2):
            for child in [*filter(None, [self.redis]), *self.apps, self.haproxy]:
                with self._lock:
                    if self._stopping.is_set():
                        return
                    problem = self._check(child)
                if problem:
                    self._give_up(problem)
                    return

    def _check(self, child: Child) -> str | None:
        """Restart ``child`` when it is due, note a death, or a start that never answers; the
        reason to give up, if any."""
        now = time.monotonic()
        if child.restart_at is not None:
            if now >= child.restart_at:
                child.start()
                self.log.info("%s started again on port %d (pid %d)", child.name, child.port, child.pid)
                child.log.info("--- started again by deploy.serve (pid %d)", child.pid)
            return None
        if child.dead():
            status = exit_status(child.process.returncode)
            child.signal_group(signal.SIGKILL)  # anything it started goes with it
            return self._after_death(child, f"{status}, {now - child.started_at:.1f} s after its start")
        if not child.answered:
            if child.ready():
                child.answered = True
                self.log.info("%s answers again, %.1f s after its start", child.name, now - child.started_at)
            elif now - child.started_at > self.timeout:
                child.signal_group(signal.SIGKILL)
                child.process.wait()
                return self._after_death(child, f"not answering {self.timeout:.0f} s after its start, killed")
        return None

    def _after_death(self, child: Child, how: str) -> str | None:
        """Log the death and plan the restart, with backoff; the reason to give up, if any."""
        message = f"{child.name} (port {child.port}, pid {child.pid}) ended: {how}"
        child.log.info("--- %s", message)
        if child is self.haproxy:
            return (
                f"{message}; HAProxy is the class's only address, so nothing can be served. "
                f"Its last words:\n{child.output_tail(5)}"
            )
        budget = child.budget
        delay = budget.next_delay(time.monotonic())
        if delay is None:
            return f"{message}; restarted {budget.limit} times within {budget.window_s:.0f} s, the limit"
        child.restart_at = time.monotonic() + delay
        self.log.warning(
            "%s; restart %d of at most %d within %.0f s, in %.1f s",
            message,
            len(budget.times),
            budget.limit,
            budget.window_s,
            delay,
        )
        return None

    def _give_up(self, reason: str) -> None:
        self.failure = reason
        self.log.error("giving up: %s. Stopping everything (exit status 1).", reason)
        self.stop()

    # ---- Using and stopping ----------------------------------------------------------------------

    def pids(self) -> list[int]:
        """The app processes' ids (for measuring their CPU time and memory); new ones after a restart."""
        return [app.pid for app in self.apps]

    def stop(self) -> None:
        """Stop every child (HAProxy first, so that nobody reaches a process that is stopping); the
        logs stay in ``log_dir``."""
        self._stopping.set()
        supervisor = getattr(self, "_supervisor", None)
        if supervisor is not None and supervisor is not threading.current_thread():
            supervisor.join()
        with self._lock:
            if self.finished.is_set():
                return
            stop_children([child for child in self.children if child is self.haproxy])
            stop_children([child for child in self.children if child is not self.haproxy])
            for child in self.children:
                if child.process.returncode is not None:
                    child.log.info("--- stopped (%s)", exit_status(child.process.returncode))
                close_log(child.log)
            self.log.info("stopped")
            close_log(self.log)
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.finished.set()


def main() -> int:
    """Serve until a stop signal (exit 0) or until the supervision gives up (exit 1)."""
    stop_requested = StopSignal()
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, stop_requested.handle)
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
    parser.add_argument(
        "--log-dir", type=Path, default=DEFAULT_LOG_DIR, help="where the logs go (default: deploy/logs)"
    )
    parser.add_argument("--no-redis", action="store_true", help="start no Redis (class rooms)")
    parser.add_argument("--redis-port", type=int, help="Redis's loopback port (default: a free one)")
    parser.add_argument(
        "--restart-limit",
        type=int,
        default=RESTART_LIMIT,
        help=f"restarts of one process within the window before giving up (default {RESTART_LIMIT})",
    )
    parser.add_argument(
        "--restart-window",
        type=float,
        default=RESTART_WINDOW_S,
        help=f"the window, in seconds (default {RESTART_WINDOW_S:g})",
    )
    options = parser.parse_args()
    try:
        server = ClassServer(
            options.processes,
            options.port,
            options.bind,
            log_dir=options.log_dir,
            redis=not options.no_redis,
            redis_port=options.redis_port,
            restart_limit=options.restart_limit,
            restart_window_s=options.restart_window,
            stop_requested=stop_requested,
        )
    except StopRequested:
        print(f"deploy.serve: stopped by {stop_requested.received} during the start-up", file=sys.stderr)
        return 0
    except StartFailed:
        return 1  # said on stderr and in serve.log
    print(
        f"Serving the class with {options.processes} app processes behind HAProxy: "
        f"http://<this machine>:{options.port} (logs in {options.log_dir})",
        flush=True,
    )
    while not stop_requested.is_set() and not server.finished.is_set():
        time.sleep(0.2)
    if stop_requested.is_set():
        server.log.info("stopping: %s received", stop_requested.received)
    server.stop()
    return 1 if server.failure else 0


if __name__ == "__main__":
    sys.exit(main())
