"""Uploads stay in memory: Starlette would spool a file over 1 MB to a temporary file."""

from __future__ import annotations

from starlette.formparsers import MultiPartParser


def keep_uploads_in_memory(limit_mb: int) -> None:
    """Never let an upload of up to ``limit_mb`` megabytes touch the disk.

    Streamlit's upload route parses the form with Starlette, which holds 1 MB of a file in memory
    and spools the rest to a temporary file. Streamlit refuses files over its limit before parsing,
    so raising the threshold above that limit keeps every upload in memory.
    """
    limit_bytes = (limit_mb + 1) * 1024 * 1024
    MultiPartParser.spool_max_size = max(MultiPartParser.spool_max_size, limit_bytes)


def uploads_kept_in_memory(limit_mb: int) -> bool:
    """True once ``keep_uploads_in_memory(limit_mb)`` has run in this process (the page checks)."""
    return MultiPartParser.spool_max_size > limit_mb * 1024 * 1024
