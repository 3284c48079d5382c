"""The fast tests (``python -m pytest -m "not e2e"``) collect and import without Playwright installed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WITHOUT_PLAYWRIGHT = """
import sys
sys.modules["playwright"] = None  # as if it were not installed: every import of it fails
import pytest
raise SystemExit(pytest.main(["--collect-only", "-q", "-m", "not e2e", "-p", "no:cacheprovider", "tests"]))
"""


def test_the_fast_tests_collect_without_playwright():
    environment = {key: value for key, value in os.environ.items() if key != "CI"}
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_PLAYWRIGHT],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    collected = [line for line in done.stdout.splitlines() if "::" in line]
    assert any(line.startswith("tests/test_app_layer.py::") for line in collected)
    assert not any(line.startswith("tests/e2e/") for line in collected)
    assert len(collected) > 500
