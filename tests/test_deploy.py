"""The deployment files: HAProxy configurations HAProxy accepts, an image that holds every page,
compose and systemd settings as the README says, and the supervisor's restart budget and logs."""

from __future__ import annotations

import ast
import fnmatch
import logging
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deploy.serve import (
    LINE_CHARS,
    REDIS_SETTINGS,
    Child,
    RestartBudget,
    close_log,
    exit_status,
    haproxy_config,
)

ROOT = Path(__file__).resolve().parent.parent
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
needs_haproxy = pytest.mark.skipif(not Path(HAPROXY).exists(), reason="apt-get install haproxy")
COMPOSE = (ROOT / "deploy" / "docker-compose.yml").read_text()
UNIT = ROOT / "deploy" / "convolution-visualizer.service"


def setting_lines(config: str) -> set[str]:
    """The lines of an HAProxy configuration that both must share: headers, retries, checks."""
    kept = ("http-response", "http-request", "acl ", "default-server", "retries", "option redispatch")
    kept += ("timeout", "retry-on")
    return {line.strip() for line in config.splitlines() if line.strip().startswith(kept)}


@needs_haproxy
def test_the_launchers_haproxy_configuration_is_valid_and_pins_sessions(tmp_path):
    config = haproxy_config("127.0.0.1", 8501, [8601, 8602, 8603])
    assert "cookie CLASS_SERVER insert indirect nocache httponly" in config
    assert config.count("check cookie app") == 3 and "server app3 127.0.0.1:8603" in config
    assert "timeout tunnel 2h" in config  # websockets outlast a lesson
    path = tmp_path / "haproxy.cfg"
    path.write_text(config)
    checked = subprocess.run([HAPROXY, "-c", "-f", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@needs_haproxy
def test_the_compose_haproxy_configuration_is_valid():
    checked = subprocess.run(
        [HAPROXY, "-c", "-f", str(ROOT / "deploy" / "haproxy-compose.cfg")], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr  # (replicas resolve only in Docker)


def test_both_haproxy_configurations_take_a_dead_process_out_fast_and_set_the_same_headers():
    launcher = haproxy_config("127.0.0.1", 8501, [8601])
    compose = (ROOT / "deploy" / "haproxy-compose.cfg").read_text()
    assert setting_lines(launcher) == setting_lines(compose)
    tuning = next(line for line in setting_lines(launcher) if line.startswith("default-server"))
    numbers = dict(re.findall(r"(inter|fastinter|downinter|fall|rise) (\w+)", tuning))
    seconds = {key: float(value.removesuffix("ms")) / 1000 if value.endswith("ms") else float(value[:-1])
               for key, value in numbers.items() if key.endswith("inter")}  # fmt: skip
    # Out within inter + (fall - 1) x fastinter of a death; back within rise x fastinter.
    assert seconds["inter"] + (int(numbers["fall"]) - 1) * seconds["fastinter"] <= 3
    assert int(numbers["rise"]) * seconds["fastinter"] + seconds["downinter"] <= 3
    assert "option redispatch 1" in setting_lines(launcher)
    for header in (
        "X-Frame-Options SAMEORIGIN",
        "Content-Security-Policy \"frame-ancestors 'self'\"",
        "X-Content-Type-Options nosniff",
        'Cache-Control "private, no-store" if media_response',
    ):
        assert f"http-response set-header {header}" in launcher
    assert "acl media_request path_beg /media/" in launcher


def copied_sources(dockerfile: str) -> list[str]:
    """The source paths of the Dockerfile's COPY lines (flags and destination left out)."""
    sources = []
    for line in dockerfile.splitlines():
        if line.startswith("COPY "):
            words = [word for word in line.split()[1:] if not word.startswith("--")]
            sources += words[:-1]
    return sources


def copied(path: str, sources: list[str]) -> bool:
    """``path`` (relative to the project) is copied by one of ``sources`` (a file, a glob or a folder)."""
    return any(
        fnmatch.fnmatch(path, source) or path.startswith(source.rstrip("/") + "/") for source in sources
    )


def first_party_imports(path: Path) -> set[str]:
    """The project's own top-level modules and packages that ``path`` imports."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return {name for name in names if (ROOT / f"{name}.py").exists() or (ROOT / name).is_dir()}


def test_the_image_holds_every_page_the_navigation_serves_and_everything_they_import():
    sources = copied_sources((ROOT / "Dockerfile").read_text())
    page = (ROOT / "page.py").read_text()
    pages = re.findall(r"st\.Page\(\s*\"([^\"]+)\"", page)
    assert len(pages) >= 2, pages  # one_filter.py and layer.py today
    served = re.findall(r"st\.App\(\s*\"([^\"]+)\"", (ROOT / "app.py").read_text())
    entries = ["app.py", *served, *pages]
    missing = [entry for entry in entries if not copied(entry, sources)]
    assert missing == [], f"the image lacks {missing}: the page would fail in the container"
    modules = set().union(*(first_party_imports(ROOT / entry) for entry in entries))
    for package in {module for module in modules if (ROOT / module).is_dir()}:
        modules |= set().union(*(first_party_imports(path) for path in (ROOT / package).rglob("*.py")))
    folders = [source.rstrip("/") for source in sources]
    lacking = [
        module
        for module in sorted(modules)
        if not (copied(f"{module}.py", sources) if (ROOT / f"{module}.py").exists() else module in folders)
    ]
    assert lacking == [], f"the image lacks the modules {lacking}"
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert not [entry for entry in entries if any(fnmatch.fnmatch(entry, rule) for rule in ignored)]


def test_the_image_runs_as_a_user_with_a_health_check_and_no_downloads_but_pypi():
    dockerfile = (ROOT / "Dockerfile").read_text()
    instructions = [
        line.split()[0] for line in dockerfile.splitlines() if line and not line.startswith(("#", " "))
    ]
    assert instructions.index("USER") > instructions.index("RUN")  # root only to install
    assert "USER app" in dockerfile and "useradd" in dockerfile
    assert "HEALTHCHECK" in dockerfile and "/_stcore/health" in dockerfile
    for fetcher in ("curl", "wget", "apt-get", "git clone"):
        assert fetcher not in dockerfile
    assert "pip install -r requirements.txt" in dockerfile
    assert "STREAMLIT_SERVER_COOKIE_SECRET: ${STREAMLIT_SERVER_COOKIE_SECRET:?" in COMPOSE


def test_compose_runs_redis_as_the_launcher_does_and_restarts_every_service():
    redis_service = COMPOSE.split("\n  redis:\n")[1].split("\n  balancer:\n")[0]
    command = re.findall(r"^      - (.*)$", redis_service, flags=re.MULTILINE)
    quoted = [f'"{word}"' if word in ("", "no") else word for word in REDIS_SETTINGS]  # YAML's quotes
    assert command == ["redis-server", *quoted]
    assert "image: redis:7" in redis_service
    assert "ROOMS_REDIS_URL: redis://redis:6379/0" in COMPOSE
    services = re.findall(r"^  (\w+):$", COMPOSE, flags=re.MULTILINE)
    assert services == ["app", "redis", "balancer"]
    assert COMPOSE.count("    restart: unless-stopped") == len(services)


def test_the_systemd_unit_restarts_the_class_server_when_it_gives_up(tmp_path):
    unit = UNIT.read_text()
    settings = dict(
        line.split("=", 1) for line in unit.splitlines() if "=" in line and not line.startswith("#")
    )
    assert settings["Restart"] == "on-failure"
    assert " -m deploy.serve " in settings["ExecStart"] and "--log-dir /var/log/" in settings["ExecStart"]
    assert settings["LogsDirectory"] in settings["ExecStart"]
    assert settings["KillMode"] == "control-group"
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed: the unit's syntax is not checked")
    copy = tmp_path / UNIT.name  # with this machine's Python: verify wants an executable there
    copy.write_text(unit.replace("/opt/convolution-visualizer/.venv/bin/python", sys.executable))
    checked = subprocess.run([analyze, "verify", str(copy)], capture_output=True, text=True)
    assert checked.returncode == 0 and checked.stderr.strip() == "", checked.stderr


def test_restarts_wait_longer_each_time_until_the_limit_and_the_window_forgets_old_ones():
    budget = RestartBudget(limit=5, window_s=300)
    assert [budget.next_delay(now) for now in (0, 1, 2, 3, 4)] == [0.5, 1, 2, 4, 8]
    assert budget.next_delay(5) is None  # the 6th death within 5 minutes: give up
    assert budget.next_delay(301.5) == 4  # those at 0 and 1 s left the window: 3 are in it
    assert RestartBudget(limit=10, window_s=1000).next_delay(0) == 0.5


def test_an_exit_reads_as_its_status_or_its_signal():
    assert exit_status(1) == "exit status 1"
    assert exit_status(-9) == "killed by signal 9 (SIGKILL)"
    assert exit_status(-15) == "killed by signal 15 (SIGTERM)"


def test_a_childs_output_goes_to_its_own_log_with_huge_lines_cut(tmp_path):
    script = (
        "import sys; print('before'); print('x' * 1_000_000); sys.stderr.write('last words\\n'); sys.exit(3)"
    )
    child = Child("talker", [sys.executable, "-c", script], 0, lambda: True, tmp_path)
    # As in deploy.serve's own process, which does not import the app (whose records the app's
    # launcher cuts shorter, server/logs.py, in this test process too).
    app_records = logging.getLogRecordFactory()
    logging.setLogRecordFactory(logging.LogRecord)
    try:
        child.start()
        child.process.wait(timeout=30)
        deadline = time.monotonic() + 10
        while "last words" not in child.output_tail() and time.monotonic() < deadline:
            time.sleep(0.1)  # the log thread copies what is left in the pipe
    finally:
        logging.setLogRecordFactory(app_records)
        close_log(child.log)
    lines = (tmp_path / "talker.log").read_text().splitlines()
    assert [line.split(" ", 1)[1][:6] for line in lines] == ["before", "xxxxxx", "last w"]
    assert lines[1].endswith(" [cut: 1,000,000 characters in all]")
    assert len(lines[1]) < LINE_CHARS + 100
    assert exit_status(child.process.returncode) == "exit status 3"
