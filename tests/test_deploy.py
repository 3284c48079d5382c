"""The deployment files: HAProxy configurations HAProxy accepts, and a Dockerfile as the README says."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from deploy.serve import haproxy_config

ROOT = Path(__file__).resolve().parent.parent
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
needs_haproxy = pytest.mark.skipif(not Path(HAPROXY).exists(), reason="apt-get install haproxy")


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
    compose = (ROOT / "deploy" / "docker-compose.yml").read_text()
    assert "STREAMLIT_SERVER_COOKIE_SECRET: ${STREAMLIT_SERVER_COOKIE_SECRET:?" in compose
