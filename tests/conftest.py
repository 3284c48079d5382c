"""Shared fixtures: the page, freshly loaded in Streamlit's AppTest."""

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import app as launcher  # noqa: F401  (its process settings, as `streamlit run app.py` applies them)
from views import state

APP = str(Path(__file__).resolve().parent.parent / "page.py")

try:
    import playwright  # noqa: F401
except ImportError:  # the fast tests run without the browser packages; CI has them, and must run all
    if os.environ.get("CI", "").lower() not in ("1", "true", "yes"):
        collect_ignore = ["e2e"]


@pytest.fixture
def app() -> AppTest:
    """The app after its first run, as a new visitor sees it, with the values as tables opened (they
    are built only while open)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[state.TABLES_OPEN] = True
    at.run()
    assert not at.exception
    return at


def whole_page(at: AppTest) -> AppTest:
    """After a change that reruns only some sections (fragments): AppTest's tree then holds only what
    those drew, where a browser keeps the rest of the page; a run with nothing changed draws it all."""
    assert not at.exception
    return at.run()
