"""Response headers that keep a class's pages and pictures where they belong.

Added to every HTTP response of ``streamlit run app.py`` by ``SecurityHeaders`` (an ASGI
middleware that ``st.App`` runs before Streamlit's own). HAProxy sets the same headers in front
of several processes (``deploy/haproxy.cfg``), replacing these, so a class gets them either way.

- ``X-Frame-Options: SAMEORIGIN`` and ``Content-Security-Policy: frame-ancestors 'self'``: no
  other site can show the page inside a frame of its own (and trick a student into clicking in
  it); the page's own frames (a component served from this server) still load. Old browsers read
  the first, current ones the second.
- ``X-Content-Type-Options: nosniff``: a response is only ever what its type says, so an upload
  that is really HTML or script is never run by the browser as such.
- ``Cache-Control: private, no-store`` on pictures (``/media/``): they are drawn from visitors'
  own photos, and their addresses, though unguessable, work for anyone who has one; a shared
  classroom computer's browser or a proxy must not keep them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

EVERY_RESPONSE = {
    b"x-frame-options": b"SAMEORIGIN",
    b"content-security-policy": b"frame-ancestors 'self'",
    b"x-content-type-options": b"nosniff",
}
PICTURES = {b"cache-control": b"private, no-store"}
PICTURE_PATH = "/media/"


def headers_for(path: str) -> dict[bytes, bytes]:
    """The headers a response to ``path`` gets (each replaces one of the same name)."""
    return {**EVERY_RESPONSE, **(PICTURES if path.startswith(PICTURE_PATH) else {})}


class SecurityHeaders:
    """ASGI middleware: every HTTP response gets ``headers_for`` its path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = headers_for(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                kept = [(name, value) for name, value in headers if name.lower() not in added]
                message["headers"] = [*kept, *added.items()]
            await send(message)

        await self.app(scope, receive, send_with_headers)
