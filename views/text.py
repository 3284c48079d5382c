"""Showing the user's own text (file names, typed cells) safely inside Streamlit's Markdown."""

from __future__ import annotations

import re

_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def plain(text: object) -> str:
    """``text`` escaped so Markdown shows it exactly as typed.

    Every ASCII punctuation mark gets a backslash (CommonMark allows escaping
    all of them), so a file named ``*final* cat.png`` is not turned into
    italics and ``![x](https://...)`` does not become an image request.
    """
    return _ASCII_PUNCTUATION.sub(r"\\\1", str(text))
