"""Settings of the server process the app runs in: uploads stay in memory, big arrays reuse memory.

Both are process-wide and idempotent; ``configure_server()`` is called at the
start of every script run and costs nothing after the first.
"""

from __future__ import annotations

import ctypes
import ctypes.util

from starlette.formparsers import MultiPartParser

from filters.images import MAX_UPLOAD_MB

UPLOADER_LIMIT_MB = 2 * MAX_UPLOAD_MB
"""What the uploader lets through (also server.maxUploadSize in .streamlit/config.toml).

Streamlit's uploader refuses bigger files in the browser with only a red file chip and a
tooltip. Letting files up to twice the app's own limit through means a file just over
the limit reaches the app and gets a message that names it; only absurd files (over
50 MB) meet the uploader's terse refusal.
"""

_MB = 1024 * 1024
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc mallopt parameters


def configure_server() -> None:
    """Keep uploads in memory, and let big arrays reuse freed memory."""
    # Streamlit's upload route parses the form with Starlette, which holds 1 MB of a file in
    # memory and spools the rest to a temporary file on disk: a phone photo would touch the
    # disk. Raising the threshold above what the uploader lets through keeps every upload in
    # memory (Streamlit enforces its limit before parsing).
    MultiPartParser.spool_max_size = (UPLOADER_LIMIT_MB + 1) * _MB
    # glibc gives every array over 32 MB fresh pages from the system and returns them when it
    # is freed; on this kind of virtual machine the first touch of fresh memory costs about
    # 2.7 ms per MB, more than the arithmetic. Serving big arrays from the reusable heap makes
    # a 12-megapixel colour filter 1.8x faster and a 512x512 one 1.4x (see bench/). The heap
    # then keeps up to 1 GB of freed memory for the next computation instead of returning it.
    libc_name = ctypes.util.find_library("c")
    if libc_name and hasattr(ctypes.CDLL(libc_name), "mallopt"):
        libc = ctypes.CDLL(libc_name)
        libc.mallopt(_M_MMAP_THRESHOLD, 512 * _MB)
        libc.mallopt(_M_TRIM_THRESHOLD, 1024 * _MB)
