"""The colours stay apart for colour-blind viewers: the signed scale and the two outline colours.

Each deficiency is simulated at full severity (deuteranopia, protanopia, tritanopia) with the
matrices of Machado, Oliveira and Fernandes (2009), applied to linear RGB; colours are then
compared by CIEDE2000 in CIE Lab (D65). A difference of about 2 is just noticeable; the
thresholds below ask for far more. A failing test prints the whole table it measured.
"""

import warnings
from functools import cache

import colour
import numpy as np
import pytest

from filters.drawing import (
    _NEGATIVE,
    _POSITIVE,
    _ZERO,
    CHOSEN,
    HIGHLIGHT,
    RGB,
    Shading,
    _diverging_lut,
    colour_legend,
    shade,
)

VISIONS = {
    "normal": None,
    "deuteranopia": "Deuteranomaly",
    "protanopia": "Protanomaly",
    "tritanopia": "Tritanomaly",
}
"""Column name -> the deficiency ``colour.blindness.matrix_cvd_Machado2009`` simulates (severity 1)."""

BLACK: RGB = (0, 0, 0)
WHITE: RGB = (255, 255, 255)
HALF_NEGATIVE: RGB = tuple(int(c) for c in _diverging_lut()[64])  # -50 % of the scale
HALF_POSITIVE: RGB = tuple(int(c) for c in _diverging_lut()[191])  # +50 %


@cache
def _matrix(deficiency: str) -> np.ndarray:
    with warnings.catch_warnings():  # colour warns that its tritanomaly model is an approximation
        warnings.simplefilter("ignore", colour.utilities.ColourUsageWarning)
        return colour.blindness.matrix_cvd_Machado2009(deficiency, 1)


def seen(rgb: RGB | np.ndarray, vision: str) -> np.ndarray:
    """sRGB (0..1 floats) of 8-bit ``rgb`` as a viewer with ``vision`` sees it."""
    linear = colour.models.eotf_sRGB(np.asarray(rgb, dtype=np.float64) / 255.0)
    if VISIONS[vision] is not None:
        linear = np.clip(linear @ _matrix(VISIONS[vision]).T, 0.0, 1.0)
    return colour.models.eotf_inverse_sRGB(linear)


def delta_e(first: RGB | np.ndarray, second: RGB | np.ndarray, vision: str) -> np.ndarray:
    """CIEDE2000 between two colours (or arrays of colours) as seen with ``vision``."""
    first_lab, second_lab = (colour.XYZ_to_Lab(colour.sRGB_to_XYZ(seen(c, vision))) for c in (first, second))
    return colour.delta_E(first_lab, second_lab, method="CIE 2000")


def measure(pairs: dict[str, tuple[RGB, RGB]]) -> dict[str, dict[str, float]]:
    """ΔE of every pair for every vision: {pair: {vision: ΔE}}."""
    return {
        name: {vision: float(delta_e(*pair, vision)) for vision in VISIONS} for name, pair in pairs.items()
    }


def table(measured: dict[str, dict[str, float]], needed: float) -> str:
    """The measured values as a table that a failing assertion prints."""
    lines = [f"CIEDE2000, each needs >= {needed}:", f"{'':34}" + "".join(f"{v:>14}" for v in VISIONS)]
    for name, row in measured.items():
        lines.append(f"{name:34}" + "".join(f"{row[v]:>14.1f}" for v in VISIONS))
    return "\n".join(lines)


def assert_apart(pairs: dict[str, tuple[RGB, RGB]], needed: float) -> None:
    measured = measure(pairs)
    weakest = min(value for row in measured.values() for value in row.values())
    assert weakest >= needed, "\n" + table(measured, needed)


def test_the_colours_checked_are_the_colours_drawn():
    colours = shade(np.array([[-8.0, -4.0, 0.0, 4.0, 8.0]]), Shading(-8, 8, diverging=True))[0]
    assert [tuple(int(c) for c in colours[i]) for i in (0, 4)] == [_NEGATIVE, _POSITIVE]
    assert [tuple(int(c) for c in colours[i]) for i in (1, 3)] == [HALF_NEGATIVE, HALF_POSITIVE]
    assert np.all(np.abs(colours[2].astype(int) - _ZERO) <= 1)
    bar = colour_legend(Shading(-8, 8, diverging=True))
    assert tuple(bar[0, 0]) == _NEGATIVE and tuple(bar[0, -1]) == _POSITIVE


def test_the_ends_of_the_signed_scale_are_far_apart():
    assert_apart({"negative end / positive end": (_NEGATIVE, _POSITIVE)}, needed=30)


def test_each_end_of_the_signed_scale_differs_from_zero():
    assert_apart(
        {"negative end / zero grey": (_NEGATIVE, _ZERO), "positive end / zero grey": (_POSITIVE, _ZERO)}, 15
    )


def test_half_way_values_of_opposite_sign_do_not_collapse():
    assert_apart({"-50 % / +50 %": (HALF_NEGATIVE, HALF_POSITIVE)}, needed=20)
    assert_apart(
        {"-50 % / zero grey": (HALF_NEGATIVE, _ZERO), "+50 % / zero grey": (HALF_POSITIVE, _ZERO)}, 10
    )


@pytest.mark.parametrize("vision", VISIONS)
def test_stronger_values_look_further_from_zero(vision):
    lut = _diverging_lut()
    for half in (lut[128:], lut[127::-1]):  # from zero out to each end
        distances = delta_e(half, np.asarray(_ZERO), vision)
        # Never back towards zero by more than the rounding of the 8-bit colours (about 0.4).
        assert np.all(np.maximum.accumulate(distances) - distances <= 0.5), np.round(distances, 1)


def test_the_two_outline_colours_differ():
    assert_apart({"amber HIGHLIGHT / cyan CHOSEN": (HIGHLIGHT, CHOSEN)}, needed=30)


def test_outline_colours_stand_out_on_grey_black_and_white_cells():
    cells = {"zero grey": _ZERO, "black": BLACK, "white": WHITE}
    pairs = {}
    for outline_name, outline in (("amber", HIGHLIGHT), ("cyan", CHOSEN)):
        pairs |= {f"{outline_name} / {name}": (outline, cell) for name, cell in cells.items()}
    assert_apart(pairs, needed=20)


def test_outlines_stand_out_on_the_signed_scale_by_colour_or_their_black_line():
    # Amber on the orange end is the weakest pair (about 14 for deuteranopia): the black inner
    # line drawn with every outline carries it there.
    cells = {
        "negative end": _NEGATIVE,
        "-50 %": HALF_NEGATIVE,
        "+50 %": HALF_POSITIVE,
        "positive end": _POSITIVE,
    }
    rows = {}
    for name, cell in cells.items():
        for outline_name, outline in (("amber", HIGHLIGHT), ("cyan", CHOSEN)):
            by_colour = measure({"": (outline, cell)})[""]
            by_line = measure({"": (BLACK, cell)})[""]
            rows[f"{outline_name} or its black line / {name}"] = {
                vision: max(by_colour[vision], by_line[vision]) for vision in VISIONS
            }
    weakest = min(value for row in rows.values() for value in row.values())
    assert weakest >= 20, "\n" + table(rows, 20)
