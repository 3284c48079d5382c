"""The pipeline worked in bands equals the whole-image arithmetic exactly, and stays lean."""

from __future__ import annotations

import numpy as np
import pytest

from filters.convolution import convolve_channels
from filters.mapping import MAPPINGS, fit_mapping
from filters.pipeline import apply_filter, sums_fit_float32
from filters.pooling import pool
from filters.presets import PRESETS
from filters.stepping import strongest_pixel

KERNELS = {
    "whole": np.array([[1, -2, 3], [-4, 5, -6], [7, -8, 9]], dtype=float),
    "fractions": np.round(np.random.default_rng(1).uniform(-2, 2, size=(3, 3)), 2),
    "blur": PRESETS["box_blur"].values,
}


@pytest.mark.parametrize("kernel", list(KERNELS))
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("mapping", list(MAPPINGS))
@pytest.mark.parametrize("shape", [(23, 17), (9, 8, 3)])
@pytest.mark.parametrize("pool_kind", ["max", "average"])
def test_bands_equal_the_whole_image_computed_at_once(kernel, padding, mapping, shape, pool_kind):
    image = np.random.default_rng(7).integers(0, 256, size=shape).astype(np.uint8)
    weight = 0.37 if kernel == "fractions" else 1.0
    expected_raw = convolve_channels(image, KERNELS[kernel], weight=weight, padding=padding)
    fitted = fit_mapping(expected_raw, mapping)
    expected_output = fitted.apply(expected_raw)
    for band_rows in (2, 4, 6, 256):
        result = apply_filter(
            image,
            KERNELS[kernel],
            weight=weight,
            padding=padding,
            mapping=mapping,
            pool_kind=pool_kind,
            band_rows=band_rows,
        )
        assert np.array_equal(result.raw, expected_raw)
        assert result.mapping == fitted
        assert np.array_equal(result.mapped(), expected_output)
        assert np.array_equal(result.pooled, pool(expected_output, result.pool_kind))
        assert result.strongest == strongest_pixel(expected_output)


@pytest.mark.parametrize("pool_kind", ["max", "average"])
def test_pooling_in_bands_with_odd_sizes(pool_kind):
    image = np.random.default_rng(3).integers(0, 256, size=(16, 13)).astype(np.uint8)
    whole = apply_filter(image, PRESETS["sharpen"].values, pool_kind=pool_kind, band_rows=256)
    banded = apply_filter(image, PRESETS["sharpen"].values, pool_kind=pool_kind, band_rows=4)
    assert banded.pooled.shape == (7, 5)
    assert np.array_equal(banded.pooled, whole.pooled)


def test_pooled_values_are_float32_only_where_exact():
    image = np.random.default_rng(5).integers(0, 256, size=(12, 12)).astype(np.uint8)
    huge = np.full((3, 3), 7000.0)  # sums up to 16 million: quarters of them need float64
    for kernel, mapping, kind, dtype in [
        (PRESETS["vertical_edges"].values, "signed", "average", np.float32),
        (huge, "signed", "max", np.float32),
        (huge, "signed", "average", np.float64),
        (huge, "clip", "average", np.float32),
        (PRESETS["box_blur"].values / 9, "stretch", "max", np.float32),
        (PRESETS["box_blur"].values / 9, "clip", "max", np.float64),
    ]:
        result = apply_filter(image, kernel, mapping=mapping, pool_kind=kind)
        assert result.pooled.dtype == dtype
        assert np.array_equal(result.pooled, pool(result.mapped(), kind))


def test_float32_is_chosen_only_for_sums_it_holds_exactly():
    assert sums_fit_float32(PRESETS["vertical_edges"].values, 1)
    assert sums_fit_float32(PRESETS["sharpen"].values, -3)
    assert not sums_fit_float32(PRESETS["box_blur"].values, 1 / 9)
    assert not sums_fit_float32(np.full((3, 3), 0.5), 1)
    assert not sums_fit_float32(np.full((3, 3), 10_000.0), 1)  # 255 x 90,000 > 2**24


def test_band_rows_must_keep_pooling_blocks_whole():
    with pytest.raises(ValueError, match="even"):
        apply_filter(np.zeros((8, 8)), PRESETS["identity"].values, band_rows=3)
