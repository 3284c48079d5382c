"""The link codec (filters/link.py): what a view writes into its query string and reads back."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from filters import PRESETS, apply_filter
from filters.images import decode_image
from filters.link import (
    LECTURE_LINK,
    MAX_PARAMETER_CHARS,
    UPLOAD_MARK,
    exact_number_text,
    ignored_notice,
    read_link,
    write_link,
)
from filters.presets import LECTURE_POOLING_GRID
from filters.samples import SAMPLE_DIR, find_sample

CHOICES = {"padding": {"valid": "valid", "same": "same"}, "colour": {"1": True, "0": False}}
DEFAULTS = {
    "padding": "valid",
    "colour": False,
    "image": "fashion/ankle_boot_1.png",
    "preset": "vertical_edges",
}


def test_a_view_written_then_read_comes_back_exactly():
    values = {
        "padding": "same",
        "colour": True,
        "image": "photos/ascent.png",
        "preset": "box_blur",
        "kernel": (-1.0, 0.5, 1 / 9, 0.0, 4.5, 1e-7, 3.0, -1000000.0, 0.1),
        "weight": 1 / 9,
        "pixel": (12, 300),
        "step": 41,
    }
    query = write_link(values, CHOICES, DEFAULTS)
    assert query["padding"] == "same" and query["colour"] == "1" and query["pixel"] == "12,300"
    assert query["weight"] == "1/9"
    reading = read_link(query, CHOICES)
    assert reading.ignored == ()
    assert reading.values == values  # every float bit for bit, 1/9 and 1e-7 included


def test_defaults_are_left_out_so_links_stay_short():
    assert write_link(dict(DEFAULTS), CHOICES, DEFAULTS) == {}
    assert write_link({"padding": "same", "preset": None}, CHOICES, DEFAULTS) == {"padding": "same"}


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("padding", "reflect"),  # not offered
        ("colour", "true"),  # not the link's spelling
        ("image", "../../etc/passwd"),  # only the catalogue's samples are ever read
        ("image", "photos/missing.png"),
        ("preset", "__class__"),
        ("kernel", "1,2,3"),  # not nine numbers
        ("kernel", "1,2,3,4,5,6,7,8,nan"),
        ("kernel", "1,2,3,4,5,6,7,8,1e400"),
        ("kernel", "1,2,3,4,5,6,7,8,2000000"),  # beyond the editor's limit
        ("weight", "1/0"),
        ("weight", "inf"),
        ("pixel", "-1,2"),
        ("pixel", "1,2,3"),
        ("pixel", "1e9,2"),
        ("step", "999999999999"),
        ("step", "²"),  # a digit to str.isdigit, not a number
        ("script", "<script>alert(1)</script>"),  # unknown name
    ],
)
def test_unknown_stale_or_hostile_values_are_ignored_and_named(name, text):
    companion = {"padding": "same"} if name != "padding" else {"colour": "1"}
    reading = read_link({name: text, **companion}, CHOICES)
    assert reading.values == read_link(companion, CHOICES).values
    assert reading.ignored == (name,)


def test_an_overlong_value_is_ignored_before_it_is_parsed():
    reading = read_link({"kernel": ",".join(["1"] * 9) + " " * MAX_PARAMETER_CHARS}, CHOICES)
    assert reading.values == {} and reading.ignored == ("kernel",)


def test_a_kernel_without_a_preset_is_a_filter_of_its_own():
    reading = read_link({"kernel": "0,0,0,0,2,0,0,0,0"}, CHOICES)
    assert reading.values["preset"] is None
    assert reading.values["kernel"] == (0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0)


def test_the_upload_mark_is_read_but_never_an_image():
    assert read_link({"image": UPLOAD_MARK}, CHOICES).values == {"image": UPLOAD_MARK}


def test_numbers_are_written_exactly_and_briefly():
    assert [exact_number_text(v) for v in (-1.0, 0.5, 1 / 9, 1 / 16, 0.1, 2.0**-30)] == [
        "-1",
        "0.5",
        "1/9",
        "1/16",
        "0.1",
        "9.313225746154785e-10",  # no short fraction: the shortest decimal that reads back exactly
    ]
    for value in (np.pi, -1e-300, 123456.789, 1 / 7, 2.0**-30):
        assert float(Fraction(exact_number_text(value))) == value


def test_the_notice_names_what_was_ignored_and_stays_short():
    notice = ignored_notice(tuple(f"name{i}" for i in range(9)))
    assert "'name0'" in notice and "'name5'" in notice and "'name6'" not in notice and "..." in notice
    assert len(ignored_notice(("x" * 500,))) < 150


def test_the_lecture_link_opens_the_lectures_pixel_of_192_whose_sum_is_1009():
    reading = read_link(
        LECTURE_LINK,
        {
            "padding": {"same": "same"},
            "mapping": {"signed": "signed"},
            "view": {"inspect": "inspect"},
            "pooling": {"lecture": "lecture"},
        },
    )
    assert reading.ignored == ()
    sample = find_sample(reading.values["image"])
    pixels = decode_image(sample.path.read_bytes(), sample.path.name).rgb[..., 0]
    assert np.array_equal(pixels, LECTURE_POOLING_GRID)  # the same 16 pixels the pooling example uses
    row, col = reading.values["pixel"]
    assert pixels[row, col] == 192 and pixels[row - 1, col - 1] == 0 and pixels[row - 1, col] == 64
    result = apply_filter(pixels, PRESETS[reading.values["preset"]].values, padding="same", mapping="signed")
    assert result.raw[row, col] == 1009
    assert sample.path.parent == SAMPLE_DIR / "lecture"
