"""Number formatting and output mappings: what the grids write and how sums become output."""

import numpy as np
import pytest

from filters import MAPPINGS, fit_mapping, format_value, format_values


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (192, "192"),
        (192.0, "192"),
        (-330.0, "-330"),
        (85.33333, "85.33"),
        (0.5, "0.5"),
        (0.25, "0.25"),
        (0.125, "0.13"),
        (-0.0, "0"),
        (0.004, "0.004"),  # not zero, so never written "0"
        (-0.001, "-0.001"),
        (0.00499, "0.005"),
        (0.000123, "0.00012"),
        (-0.00999, "-0.01"),
        (0.005, "0.01"),
        (1e-7, "0.0000001"),
        (5e-10, "0"),  # within 1e-9 of 0: float arithmetic's crumbs
        (1009.0000000001, "1009"),
        (1e6, "1000000"),
    ],
)
def test_format_value(value, text):
    assert format_value(value) == text


def test_stretching_a_constant_map_says_its_convention_in_words():
    constant = fit_mapping(np.full((3, 3), 20655.0), "stretch")
    text = constant.explain(20655.0)
    assert text == (
        "stretch 20655 from 20655..20655 to 0..255: every sum is 20655, so there is no range to stretch, "
        "and every pixel is drawn as 0"
    )
    assert "/ (" not in text  # no division by zero written out
    np.testing.assert_array_equal(constant.apply(np.full((3, 3), 20655.0)), np.zeros((3, 3)))


def test_format_values_keeps_the_shape():
    texts = format_values(np.array([[1.0, 2.5], [-3.0, 1 / 3]]))
    assert texts.shape == (2, 2)
    assert texts.tolist() == [["1", "2.5"], ["-3", "0.33"]]


RAW = np.array([[-330.0, 0.0], [100.5, 1009.0]])


def test_clip_is_the_labs_clip():
    fitted = fit_mapping(RAW, "clip")
    assert fitted.apply(RAW).tolist() == [[0, 0], [100.5, 255]]
    assert (fitted.display_low, fitted.display_high, fitted.diverging) == (0, 255, False)
    assert fitted.explain(1009) == "clip 1009 to 0..255 = 255"


def test_relu_keeps_values_above_255():
    fitted = fit_mapping(RAW, "relu")
    assert fitted.apply(RAW).tolist() == [[0, 0], [100.5, 1009]]
    assert fitted.display_high == 1009
    assert fitted.explain(-330) == "ReLU(-330) = max(-330, 0) = 0"


def test_abs():
    fitted = fit_mapping(RAW, "abs")
    assert fitted.apply(RAW).tolist() == [[330, 0], [100.5, 1009]]
    assert fitted.explain(-330) == "|-330| = 330"


def test_stretch_maps_min_to_0_and_max_to_255_rounded():
    fitted = fit_mapping(RAW, "stretch")
    out = fitted.apply(RAW)
    assert out.min() == 0 and out.max() == 255
    assert out[0, 1] == round(330 * 255 / 1339)
    assert fitted.explain(-330).endswith("= 0")
    flat = np.full((2, 2), 7.0)
    assert fit_mapping(flat, "stretch").apply(flat).tolist() == [[0, 0], [0, 0]]


def test_signed_keeps_raw_values_on_a_symmetric_diverging_scale():
    fitted = fit_mapping(RAW, "signed")
    assert fitted.apply(RAW).tolist() == RAW.tolist()
    assert (fitted.display_low, fitted.display_high, fitted.diverging) == (-1009, 1009, True)


def test_single_values_map_like_the_whole_array():
    rng = np.random.default_rng(3)
    raw = rng.normal(0, 500, size=(9, 9))
    for key in MAPPINGS:
        fitted = fit_mapping(raw, key)
        whole = fitted.apply(raw)
        for index in [(0, 0), (4, 5), (8, 8)]:
            assert float(fitted.apply(raw[index])) == whole[index]


def test_unknown_mapping_is_refused():
    with pytest.raises(ValueError):
        fit_mapping(RAW, "sigmoid")
