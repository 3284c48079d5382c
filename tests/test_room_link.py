"""The class room's link and QR code (filters/room_link.py): an address students' phones can reach,
drawn as a QR code a phone reads back to that same link."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from filters.room_link import EXAMPLE, QR_BORDER, QR_PIXELS, LinkProblem, qr_png, room_link

CODE = "K7MQ4R"


# ---- The link ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page_url", "link"),
    [
        ("http://192.168.1.20:8501/", "http://192.168.1.20:8501/?room=K7MQ4R"),
        ("http://192.168.1.20:8501", "http://192.168.1.20:8501/?room=K7MQ4R"),
        ("http://192.168.1.20:8501/?projector=1&lesson=3#top", "http://192.168.1.20:8501/?room=K7MQ4R"),
        ("https://Class.Example.org/conv/", "https://class.example.org/conv/?room=K7MQ4R"),
        ("http://[fd00::5]:8501/", "http://[fd00::5]:8501/?room=K7MQ4R"),
        ("http://[2001:DB8::7]/", "http://[2001:db8::7]/?room=K7MQ4R"),
    ],
)
def test_the_link_is_the_projector_pages_address_with_the_room(page_url, link):
    assert room_link(page_url, CODE) == link


def test_the_code_is_written_as_stored_whatever_way_it_was_given():
    assert room_link("http://10.0.0.5:8501/", " k7m-q4r ") == "http://10.0.0.5:8501/?room=K7MQ4R"
    with pytest.raises(LinkProblem, match="'K7MQ40' is not a room code"):
        room_link("http://10.0.0.5:8501/", "K7MQ40")


def test_an_address_the_teacher_types_wins_over_the_pages():
    for typed, link in [
        ("192.168.1.20:8501", "http://192.168.1.20:8501/?room=K7MQ4R"),
        ("  https://class.example.org/app  ", "https://class.example.org/app?room=K7MQ4R"),
        ("[fd00::5]:8501", "http://[fd00::5]:8501/?room=K7MQ4R"),
        ("laptop.local:8501/", "http://laptop.local:8501/?room=K7MQ4R"),
    ]:
        assert room_link("http://localhost:8501/", CODE, teacher_address=typed) == link
    assert (
        room_link("http://10.0.0.5:8501/", CODE, teacher_address="   ") == "http://10.0.0.5:8501/?room=K7MQ4R"
    )


def test_a_page_below_the_address():
    assert room_link("http://10.0.0.5:8501/", CODE, path="class") == "http://10.0.0.5:8501/class?room=K7MQ4R"
    assert room_link("http://10.0.0.5:8501", CODE, path="/class") == "http://10.0.0.5:8501/class?room=K7MQ4R"
    assert (
        room_link("http://localhost:8501/", CODE, teacher_address="https://example.org/app/", path="class")
        == "https://example.org/app/class?room=K7MQ4R"
    )


THIS_COMPUTER = [
    "http://localhost:8501/",
    "http://LOCALHOST:8501",
    "http://localhost.:8501",
    "http://app.localhost:8501",
    "http://127.0.0.1:8501/",
    "http://127.0.0.53/",
    "http://127.1:8501",
    "http://2130706433:8501",
    "http://[::1]:8501/",
    "http://0.0.0.0:8501",
    "http://0:8501",
    "http://[::]:8501",
    "http://[::ffff:127.0.0.1]:8501",
    "localhost:8501",
]
"""This computer's own name, written each way a browser reads it."""


@pytest.mark.parametrize("address", THIS_COMPUTER)
def test_the_link_never_points_at_this_computer(address):
    with pytest.raises(LinkProblem) as opened_here:
        room_link(address, CODE)
    message = str(opened_here.value)
    assert message.startswith("This page was opened at an address that names this computer itself")
    assert "students' phones cannot reach" in message and EXAMPLE in message
    with pytest.raises(LinkProblem) as typed:
        room_link("http://192.168.1.20:8501/", CODE, teacher_address=address)
    assert str(typed.value).startswith("That address names this computer itself")


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("ftp://192.168.1.20/", "is not a web address: type one like http://192.168.1.20:8501"),
        ("http://", "is not a web address"),
        ("http://192.168.1.20:99999/", "is not a web address"),
        ("fd00::5:8501", "is not a web address"),
        ("http://teacher:secret@192.168.1.20:8501/", "without a user name or password"),
        ("http://" + "a" * 300 + ".org", "That address is 311 characters long: type the short one"),
    ],
)
def test_addresses_students_cannot_use_are_refused_in_words(address, message):
    with pytest.raises(LinkProblem, match=message):
        room_link("http://192.168.1.20:8501/", CODE, teacher_address=address)


def test_a_page_with_no_address_and_none_typed_is_refused():
    with pytest.raises(LinkProblem, match="is not a web address"):
        room_link("", CODE, teacher_address="")


# ---- The QR code ------------------------------------------------------------------------------------

FORMAT_LEVELS = {1: "L", 0: "M", 3: "Q", 2: "H"}
DATA_BLOCKS = {
    (1, "L"): [19], (1, "M"): [16], (1, "Q"): [13], (1, "H"): [9],
    (2, "L"): [34], (2, "M"): [28], (2, "Q"): [22], (2, "H"): [16],
    (3, "L"): [55], (3, "M"): [44], (3, "Q"): [17, 17], (3, "H"): [13, 13],
    (4, "L"): [80], (4, "M"): [32, 32], (4, "Q"): [24, 24], (4, "H"): [9, 9, 9, 9],
    (5, "L"): [108], (5, "M"): [43, 43], (5, "Q"): [15, 15, 16, 16], (5, "H"): [11, 11, 12, 12],
    (6, "L"): [68, 68], (6, "M"): [27] * 4, (6, "Q"): [19] * 4, (6, "H"): [15] * 4,
}  # fmt: skip
"""Data codewords per error-correction block, by version and level (ISO/IEC 18004, table 9)."""
MASKS = [
    lambda r, c: (r + c) % 2 == 0,
    lambda r, c: r % 2 == 0,
    lambda r, c: c % 3 == 0,
    lambda r, c: (r + c) % 3 == 0,
    lambda r, c: (r // 2 + c // 3) % 2 == 0,
    lambda r, c: r * c % 2 + r * c % 3 == 0,
    lambda r, c: (r * c % 2 + r * c % 3) % 2 == 0,
    lambda r, c: ((r + c) % 2 + r * c % 3) % 2 == 0,
]


def read_modules(png: bytes) -> tuple[np.ndarray, int, int]:
    """The QR code's modules (True = dark) sampled at their centres, the pixels per module, and the
    light border around the code in pixels."""
    dark = np.asarray(Image.open(io.BytesIO(png)).convert("L")) < 128
    rows, cols = np.nonzero(dark)
    top, left = int(rows.min()), int(cols.min())
    scale = int(np.argmin(dark[top, left:])) // 7  # the finder pattern's top edge is 7 modules long
    size = (int(cols.max()) - left + 1) // scale
    centres = dark[top + scale // 2 :: scale, left + scale // 2 :: scale]
    return centres[:size, :size], scale, min(top, left)


def function_modules(size: int) -> np.ndarray:
    """Where a version 1-6 code keeps its finders, timing lines, format bits and alignment pattern."""
    taken = np.zeros((size, size), dtype=bool)
    taken[:9, :9] = taken[:9, -8:] = taken[-8:, :9] = True
    taken[6, :] = taken[:, 6] = True
    if size > 21:
        taken[-9:-4, -9:-4] = True
    return taken


def decode_qr(modules: np.ndarray) -> str:
    """The text of a clean QR code of version 1 to 6 holding one byte-mode segment (no error
    correction: a code drawn by a program has no damage to correct)."""
    size = len(modules)
    version = (size - 17) // 4
    assert 1 <= version <= 6 and size == 17 + 4 * version, f"a {size} x {size} code"
    places = [(row, 8) for row in range(6)] + [(7, 8), (8, 8), (8, 7)]
    places += [(8, col) for col in range(5, -1, -1)]  # the 15 format bits beside the top-left finder
    format_bits = sum(int(modules[place]) << index for index, place in enumerate(places)) ^ 0x5412
    level, mask = FORMAT_LEVELS[format_bits >> 13], MASKS[format_bits >> 10 & 7]
    taken = function_modules(size)
    bits = []
    for right in range(size - 1, 0, -2):
        right = right - 1 if right <= 6 else right  # column 6 is the timing line
        upward = (right + 1) & 2 == 0
        for step in range(size):
            row = size - 1 - step if upward else step
            for col in (right, right - 1):
                if not taken[row, col]:
                    bits.append(int(modules[row, col]) ^ mask(row, col))
    codewords = [int("".join(map(str, bits[i : i + 8])), 2) for i in range(0, len(bits) - 7, 8)]
    blocks = DATA_BLOCKS[(version, level)]
    interleaved = iter(codewords[: sum(blocks)])
    data: list[list[int]] = [[] for _ in blocks]
    for index in range(max(blocks)):
        for block, length in zip(data, blocks, strict=True):
            if index < length:
                block.append(next(interleaved))
    stream = "".join(f"{byte:08b}" for block in data for byte in block)
    assert stream[:4] == "0100", "a byte-mode segment"
    count = int(stream[4:12], 2)
    return bytes(int(stream[12 + 8 * i : 20 + 8 * i], 2) for i in range(count)).decode()


@pytest.mark.parametrize(
    "link",
    [
        "http://192.168.1.20:8501/?room=K7MQ4R",
        "http://[fd00::5]:8501/class?room=XYZ234",
        "https://class.example.org/convolution-visualizer/class?room=K7MQ4R",
    ],
)
def test_the_qr_code_reads_back_as_the_link(link):
    png = qr_png(link)
    picture = Image.open(io.BytesIO(png))
    assert picture.format == "PNG" and picture.width == picture.height >= QR_PIXELS
    assert set(np.unique(np.asarray(picture.convert("L")))) == {0, 255}
    modules, scale, border = read_modules(png)
    assert border == QR_BORDER * scale, "the quiet zone a phone needs around the code"
    assert picture.width == (len(modules) + 2 * QR_BORDER) * scale
    assert decode_qr(modules) == link


def test_a_long_link_still_gives_a_sharp_black_and_white_code():
    link = room_link("http://192.168.1.20:8501/", CODE, teacher_address="https://" + "a" * 250 + ".org")
    for least in (QR_PIXELS, 1000):
        picture = Image.open(io.BytesIO(qr_png(link, min_pixels=least)))
        assert least <= picture.width == picture.height < least + 200
        assert set(np.unique(np.asarray(picture.convert("L")))) == {0, 255}


def test_a_link_made_on_another_page_is_the_apps_own():
    """``st.context.url`` ends with the page shown (/layer): the room's page is the app's /class."""
    assert room_link("http://10.0.0.5:8501/layer", "K7MQ4R", None, "class", "layer") == (
        "http://10.0.0.5:8501/class?room=K7MQ4R"
    )
    assert room_link("https://school.example/app/layer/", "K7MQ4R", None, "class", "layer") == (
        "https://school.example/app/class?room=K7MQ4R"
    )
    # A typed address is the teacher's own: nothing is taken off it.
    assert room_link("http://10.0.0.5:8501/layer", "K7MQ4R", "10.0.0.5:8501/layer", "class", "layer") == (
        "http://10.0.0.5:8501/layer/class?room=K7MQ4R"
    )
