"""Typing a filter: what students type (``1e309``, ``1,5``, ``1_000``, ``-0``) reads as the core
says, in the table, the weight box and the pad alike."""

from __future__ import annotations

import json
import math
import time

import pytest
from streamlit.testing.v1 import AppTest

from filters import PRESETS, KernelError, parse_kernel, parse_weight
from filters.kernel import parse_number, tidy_number_text, with_typed_value
from tests.test_app import expected_tables, sample_pixels, shown, value_tables
from views import state

RANGE = "keep values between -1,000,000 and 1,000,000."
DOT = "use a dot for decimals (1.5) and no separator for thousands (1000)."


def refusal(text: object, what: str = "cell") -> str:
    with pytest.raises(KernelError) as problem:
        parse_number(text, what)
    return str(problem.value)


def editor_edits(at: AppTest) -> dict:
    """The edits typed into the filter's current table (its widget's state), by row and column."""
    key = state.kernel_editor_key_for(at.session_state[state.KERNEL_EDITOR_VERSION])
    return at.session_state[key]["edited_rows"] if key in at.session_state else {}


def edit_cell(at: AppTest, row: int, column: str, text: str) -> None:
    """Type ``text`` into a cell of the filter's table as a browser does: the edits typed before stay."""
    edits = {str(typed_row): dict(changes) for typed_row, changes in editor_edits(at).items()}
    edits.setdefault(str(row), {})[column] = text
    key = state.kernel_editor_key_for(at.session_state[state.KERNEL_EDITOR_VERSION])
    at.session_state[key] = {"edited_rows": edits, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception


def table_texts(at: AppTest) -> list[list[str]]:
    """What the filter's table shows: the texts it was seeded with, under the edits typed since."""
    (editor,) = [frame for frame in at.dataframe if list(frame.value.index) == ["top", "middle", "bottom"]]
    texts = editor.value.to_numpy().tolist()
    for row, changes in editor_edits(at).items():
        for column, text in changes.items():
            texts[int(row)][list(editor.value.columns).index(column)] = text
    return texts


def pad_labels(at: AppTest) -> list[str]:
    """The nine labels the page sent the filter pad."""
    (pad,) = [element for element in at.get("bidi_component") if element.key == state.FILTER_PAD]
    return json.loads(pad.proto.json)["labels"]


def warning_texts(at: AppTest) -> list[str]:
    return [shown(warning.value) for warning in at.warning]


def sobel_with(row: int, col: int, value: float):
    kernel = PRESETS["vertical_edges"].values.copy()
    kernel[row, col] = value
    return kernel


# ---- 1e309 is a number too large, not "not a number" ---------------------------------------------------


def test_1e309_gets_the_range_message_that_1e12_gets():
    assert refusal("1e12") == f"The cell is 1,000,000,000,000; {RANGE}"
    assert refusal("1e309") == f"The cell is 1e+309; {RANGE}"
    assert refusal("-1e309") == f"The cell is -1e+309; {RANGE}"
    assert refusal(10**400) == f"The cell is 1e+400; {RANGE}"
    assert refusal("10000000000000000000/3") == f"The cell is 3.333333333e+18; {RANGE}"


def test_a_huge_exponent_is_refused_at_once():
    started = time.perf_counter()
    assert refusal("1e9999999") == f"The cell is 1e+9999999; {RANGE}"
    assert refusal("1e99999999") == f"The cell is 1e+99999999; {RANGE}"
    assert time.perf_counter() - started < 0.5  # Fraction("1e9999999") alone took 7.5 s
    assert parse_number("1e-99999999", "cell") == 0


def test_1e309_in_the_table_and_the_weight_gets_the_range_message(app):
    before = value_tables(app)
    edit_cell(app, 0, "right", "1e309")
    assert warning_texts(app) == [
        f"The cell in the top row, right column is 1e+309; {RANGE} The last valid filter stays in force."
    ]
    assert value_tables(app) == before
    edit_cell(app, 0, "right", "1")
    app.text_input(key=state.WEIGHT_TEXT).set_value("1e309").run()
    assert warning_texts(app) == [f"The weight is 1e+309; {RANGE} The last valid weight stays in force."]
    assert value_tables(app) == before


# ---- A decimal comma reads as a decimal point, unless it is ambiguous ---------------------------------


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1,5", 1.5),
        ("-0,25", -0.25),
        ("\u22120,25", -0.25),
        (",5", 0.5),
        ("0,125", 0.125),
        ("1000,5", 1000.5),
    ],
)
def test_a_decimal_comma_reads_as_a_decimal_point(typed, value):
    assert parse_number(typed, "cell") == value
    assert parse_weight(typed) == value


@pytest.mark.parametrize("typed", ["1,000", "-12,345", "1,5,2", "1,5e3", "1,5/2", "1.5,2", "1,", "1, 5"])
def test_an_ambiguous_comma_is_refused_asking_for_a_dot(typed):
    assert refusal(typed) == f"The cell is {typed!r}: {DOT}"


def test_a_decimal_comma_in_the_table_is_used_and_shown_with_a_dot(app):
    edit_cell(app, 1, "middle", "1,5")
    assert not app.exception and not app.warning
    assert value_tables(app) == expected_tables(sample_pixels(), sobel_with(1, 1, 1.5))
    assert table_texts(app) == [["-1", "0", "1"], ["-2", "1.5", "2"], ["-1", "0", "1"]]
    assert pad_labels(app) == ["-1", "0", "1", "-2", "1.5", "2", "-1", "0", "1"]


def test_seeding_the_table_again_keeps_every_other_cell_exact(app):
    edit_cell(app, 0, "middle", "1/9")
    edit_cell(app, 1, "middle", "0,5")
    assert not app.warning
    assert table_texts(app) == [["-1", "1/9", "1"], ["-2", "0.5", "2"], ["-1", "0", "1"]]
    assert app.session_state[state.LAST_VALID_KERNEL][0][1] == 1 / 9


def test_an_ambiguous_comma_in_the_table_gets_a_message_and_the_filter_stays(app):
    before = value_tables(app)
    edit_cell(app, 2, "left", "1,000")
    assert warning_texts(app) == [
        f"The cell in the bottom row, left column is '1,000': {DOT} The last valid filter stays in force."
    ]
    assert value_tables(app) == before


def test_a_decimal_comma_in_the_weight_is_used_and_shown_with_a_dot(app):
    app.text_input(key=state.WEIGHT_TEXT).set_value("0,5").run()
    assert not app.warning
    assert app.text_input(key=state.WEIGHT_TEXT).value == "0.5"
    assert value_tables(app) == expected_tables(sample_pixels(), PRESETS["vertical_edges"].values, weight=0.5)


# ---- Underscores are refused, not read as digit separators -----------------------------------------------


def test_underscores_are_refused():
    message = "write numbers without underscores (1000, not 1_000)."
    assert refusal("1_000") == f"The cell is '1_000': {message}"
    assert refusal("1_0/9", "weight") == f"The weight is '1_0/9': {message}"
    with pytest.raises(KernelError) as problem:
        parse_kernel([["1_000", "0", "0"], ["0"] * 3, ["0"] * 3])
    assert str(problem.value) == f"The cell in the top row, left column is '1_000': {message}"


def test_underscores_in_the_table_and_the_weight_get_a_message(app):
    before = value_tables(app)
    edit_cell(app, 1, "right", "1_000")
    assert warning_texts(app) == [
        "The cell in the middle row, right column is '1_000': write numbers without underscores "
        "(1000, not 1_000). The last valid filter stays in force."
    ]
    assert value_tables(app) == before
    edit_cell(app, 1, "right", "2")
    app.text_input(key=state.WEIGHT_TEXT).set_value("1_0").run()
    assert warning_texts(app) == [
        "The weight is '1_0': write numbers without underscores (1000, not 1_000). "
        "The last valid weight stays in force."
    ]
    assert value_tables(app) == before


# ---- -0 reads as 0 everywhere ----------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["-0", "\u22120", "-0.0", "-0,0", "-0e5", "-0/3", -0.0])
def test_minus_zero_reads_as_plus_zero(typed):
    value = parse_number(typed, "cell")
    assert value == 0 and math.copysign(1, value) == 1
    assert tidy_number_text(typed) == ("0" if isinstance(typed, str) else typed)


def test_tidy_text_changes_only_zeros_and_decimal_commas():
    assert [tidy_number_text(text) for text in ("1,5", " -2,5 ", "1/9", "2e-1", "abc", "1,000", "0")] == [
        "1.5",
        " -2.5 ",
        "1/9",
        "2e-1",
        "abc",
        "1,000",
        "0",
    ]


def test_minus_zero_shows_as_0_in_the_table_and_on_the_pad(app):
    edit_cell(app, 0, "left", "-0")
    assert not app.exception and not app.warning
    assert table_texts(app)[0][0] == "0"
    assert pad_labels(app)[0] == "0"
    assert value_tables(app) == expected_tables(sample_pixels(), sobel_with(0, 0, 0))


def test_minus_zero_as_the_weight_shows_as_0(app):
    app.text_input(key=state.WEIGHT_TEXT).set_value("-0").run()
    assert app.text_input(key=state.WEIGHT_TEXT).value == "0"
    assert "weight **0**" in " ".join(caption.value for caption in app.caption)


# ---- A value typed on the pad is read as a table cell is ------------------------------------------------


def test_a_value_typed_on_the_pad_is_read_as_a_table_cell_is():
    sobel = PRESETS["vertical_edges"].values
    assert with_typed_value(sobel, 4, "1,5").tolist() == sobel_with(1, 1, 1.5).tolist()
    assert with_typed_value(sobel, 2, "1/9")[0, 2] == 1 / 9
    assert math.copysign(1, with_typed_value(sobel, 0, "-0")[0, 0]) == 1
    assert with_typed_value(sobel, 4, "1,5").dtype == sobel.dtype and sobel[1, 1] == 0  # a copy
    with pytest.raises(KernelError) as problem:
        with_typed_value(sobel, 0, "1_000")
    assert str(problem.value) == (
        "The cell in the top row, left column is '1_000': write numbers without underscores "
        "(1000, not 1_000)."
    )
    with pytest.raises(KernelError) as problem:
        with_typed_value(sobel, 8, "1e309")
    assert str(problem.value) == f"The cell in the bottom row, right column is 1e+309; {RANGE}"


# ---- Long values on the pad ------------------------------------------------------------------------------


def test_the_pad_is_sent_long_values_in_full(app):
    edit_cell(app, 0, "left", "999999")
    edit_cell(app, 2, "right", "-999999.99")
    assert not app.warning
    assert pad_labels(app) == ["999999", "0", "1", "-2", "0", "2", "-1", "0", "-999999.99"]
