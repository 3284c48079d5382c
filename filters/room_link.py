"""The link students open to join a class room, and its QR code for the projector.

The link is built from the address the projector's page was opened with (the page passes
``st.context.url``), or from an address the teacher types, because only they know which address
the students' phones can reach. It never points at this computer's own name (localhost,
127.0.0.1, ::1, 0.0.0.0): on a phone that is the phone itself. `room_link` refuses such an address
with a message that says what to type instead.

The QR code is drawn by ``segno`` (no network): a PNG at least ``QR_PIXELS`` wide, black on white
with the standard 4-module quiet zone, so a phone reads it off a projector from the back of a room.
"""

from __future__ import annotations

import io
import ipaddress
import math
import re
import socket
from urllib.parse import urlencode, urlsplit, urlunsplit

import segno

from filters.rooms import normalise_code

ROOM_PARAMETER = "room"
"""The query parameter that names the room: ``http://192.168.1.20:8501/?room=K7MQ4R``."""
QR_PIXELS = 640
"""The QR image's least width in pixels: sharp at any size it is shown (the projector's page shows
it 320 px wide, a sixth of a 1920 px screen: on a 3 m screen 50 cm, read from about 5 m)."""
QR_BORDER = 4
MAX_ADDRESS_CHARS = 300
EXAMPLE = "http://192.168.1.20:8501"


class LinkProblem(ValueError):
    """An address students cannot use; ``str()`` says why and what to type instead."""


def _is_this_computer(host: str) -> bool:
    """Whether ``host`` names the computer it is opened on: localhost, a loopback or unspecified
    address, written any way a browser reads it (``localhost.``, ``127.1``, ``::ffff:127.0.0.1``)."""
    host = host.rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        if re.fullmatch(r"[0-9.]+", host):  # a browser reads 127.1 and 2130706433 as 127.0.0.1
            address = ipaddress.ip_address(socket.inet_aton(host))
        else:
            address = ipaddress.ip_address(host)
    except (OSError, ValueError):
        return False
    if getattr(address, "ipv4_mapped", None):
        address = address.ipv4_mapped
    return address.is_loopback or address.is_unspecified


def room_link(
    page_url: str,
    code: str,
    teacher_address: str | None = None,
    path: str | None = None,
    page_path: str = "",
) -> str:
    """The link that opens room ``code`` on a student's phone.

    Parameters
    ----------
    page_url : str
        The address the projector's page was opened with.
    code : str
        The room's code.
    teacher_address : str, optional
        An address the teacher typed (``192.168.1.20:8501``, ``https://class.example.org/app``);
        used instead of ``page_url`` when given. ``http://`` is assumed when no scheme is typed.
    path : str, optional
        The page students open, below the app's address: ``"class"`` gives
        ``.../class?room=...``. Default: the address itself.
    page_path : str, optional
        The path of the page the projector shows (``"layer"``), which ``page_url`` ends with and
        which is taken off it to find the app's address (not used for a typed address).

    Raises
    ------
    LinkProblem
        When the address points at this computer (localhost and the like), is not an http(s)
        address, or holds a user name or password.
    """
    room = normalise_code(code)
    if room is None:
        raise LinkProblem(f"{code!r} is not a room code.")
    typed = (teacher_address or "").strip()
    address = typed or str(page_url).strip()
    if len(address) > MAX_ADDRESS_CHARS:
        raise LinkProblem(
            f"That address is {len(address)} characters long: type the short one, like {EXAMPLE}."
        )
    if "://" not in address:
        address = "http://" + address
    try:
        parts = urlsplit(address)
        host, port = parts.hostname, parts.port
    except ValueError:
        raise LinkProblem(f"{address!r} is not a web address: type one like {EXAMPLE}.") from None
    if parts.scheme not in ("http", "https") or not host:
        raise LinkProblem(f"{address!r} is not a web address: type one like {EXAMPLE}.")
    if parts.username or parts.password:
        raise LinkProblem(
            "Type the address without a user name or password: the projector shows it to everyone."
        )
    if _is_this_computer(host):
        where = "That address" if typed else "This page was opened at an address that"
        raise LinkProblem(
            f"{where} names this computer itself ({host}), which students' phones cannot reach. "
            f"Type the address students can open, like {EXAMPLE} (python -m deploy.serve prints it)."
        )
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    app_path = parts.path
    if page_path and not typed and app_path.rstrip("/").endswith(f"/{page_path.strip('/')}"):
        app_path = app_path.rstrip("/")[: -len(page_path.strip("/")) - 1]
    page_path = app_path if path is None else f"{app_path.rstrip('/')}/{path.lstrip('/')}"
    return urlunsplit((parts.scheme, netloc, page_path or "/", urlencode({ROOM_PARAMETER: room}), ""))


def qr_png(link: str, min_pixels: int = QR_PIXELS) -> bytes:
    """The QR code of ``link`` as PNG bytes, black on white, at least ``min_pixels`` wide.

    Error correction M (15% of the code may be lost: a glare spot on a screen), raised by segno
    when the same size allows more; whole pixels per module, so the edges stay sharp.
    """
    code = segno.make(link, error="m", micro=False)
    side = code.symbol_size(scale=1, border=QR_BORDER)[0]
    buffer = io.BytesIO()
    code.save(
        buffer, kind="png", scale=math.ceil(min_pixels / side), border=QR_BORDER, dark="black", light="white"
    )
    return buffer.getvalue()
