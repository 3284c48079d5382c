"""Run a page so that an unexpected error is logged and told in plain words, never as a traceback."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

import streamlit as st

BUG_MESSAGE = (
    "Something went wrong on our side; it is a bug in the app, not something you did. It has been "
    "logged. Reload the page to start again, or try another image or setting."
)
_LOG = logging.getLogger(__name__)


def run_safely(page: Callable[[], None]) -> None:
    """Run a page; an unexpected error is our bug: logged with its traceback, told in plain words.

    Streamlit's own control flow (st.rerun, st.switch_page) passes through: it is not an Exception.
    """
    try:
        page()
    except Exception:
        _LOG.exception("The page failed")
        st.error(BUG_MESSAGE, icon=":material/error:")


def safely(section: Callable[..., None]) -> Callable[..., None]:
    """``section`` run as ``run_safely`` runs a page: for a fragment, which reruns without its page."""

    @functools.wraps(section)
    def run(*args, **kwargs) -> None:
        run_safely(functools.partial(section, *args, **kwargs))

    return run
