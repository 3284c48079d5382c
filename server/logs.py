"""Log lines of a bounded length, whatever a visitor sends.

A forged widget value (a 1 MB "preset", say) reaches log lines through exception messages and
tracebacks; Streamlit accepts client messages of megabytes, so unbounded lines would let one
visitor fill the log disk. Every record made in this process has its message and each line of its
traceback cut to a short prefix, with the length it had. (Streamlit's own rich tracebacks bypass
``logging``; ``logger.enableRich = false`` in ``.streamlit/config.toml`` sends them through it.)
"""

from __future__ import annotations

import logging

MAX_LINE_CHARS = 400


def cut(text: str, limit: int = MAX_LINE_CHARS) -> str:
    """``text`` if short, else its first ``limit`` characters and how many there were in all."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [cut: {len(text):,} characters in all]"


def _cut_lines(text: str) -> str:
    return "\n".join(cut(line) for line in text.split("\n"))


def bound_log_lines() -> None:
    """Make every log record of this process carry bounded lines (message and traceback)."""
    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "bounds_lines", False):
        return

    def bounded_record(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed format: leave it to logging's own error report
            return record
        record.msg, record.args = _cut_lines(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = _cut_lines(logging.Formatter().formatException(record.exc_info))
        return record

    bounded_record.bounds_lines = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(bounded_record)
