"""Alt texts: every number they read out is the core's, for gray and colour results."""

import numpy as np

from filters.describe import grid_words, kernel_words, legend_words, mapped_range, results_alts
from filters.mapping import fit_mapping
from filters.pipeline import apply_filter
from filters.presets import PRESETS
from filters.walkthrough import VIEW_INSPECT, VIEW_SLIDE, Marks, marks_for

LECTURE = np.array([[0, 64, 128, 128], [0, 64, 192, 128], [0, 64, 128, 128], [0, 0, 0, 0]])
VERTICAL = PRESETS["vertical_edges"].values


def test_the_filtered_alt_names_its_size_filter_and_the_pinned_pixels_value():
    result = apply_filter(LECTURE, VERTICAL)
    original, filtered, pooled = results_alts(result, (0, 1), marks_for(VIEW_INSPECT, result, (0, 1)))
    value = result.mapped()[0, 1]
    assert "Original image, 4 x 4 pixels, values from 0 to 192." in original
    assert original.endswith("Outlined: rows 0 to 2, columns 1 to 3.")  # the pixel of 192's window
    assert (
        "Filtered image, 2 x 2, made by the filter rows -1 0 1; -2 0 2; -1 0 1, then clip to 0..255"
        in filtered
    )
    assert filtered.endswith(f"Pinned pixel: row 0, column 1 = {value:g}. Outlined: row 0, column 1.")
    low, high, kept = result.pooled.min(), result.pooled.max(), result.pooled[0, 0]
    assert pooled == (
        f"Max pooled 2 x 2, 1 x 1, values from {low:g} to {high:g}. "
        f"The pinned pixel's block is row 0, column 0 = {kept:g}. Outlined: row 0, column 0."
    )


def test_a_colour_alt_reads_the_chosen_channel():
    rgb = np.stack([LECTURE, 255 - LECTURE, np.full_like(LECTURE, 7)], axis=-1)
    result = apply_filter(rgb, VERTICAL, mapping="signed")
    _, filtered, pooled = results_alts(result, (1, 1), Marks(), channel=1)
    assert f"= {result.raw[1, 1, 1]:g} (green channel)." in filtered
    assert f"then raw signed sums; values from {result.raw.min():g} to {result.raw.max():g}" in filtered
    assert pooled.endswith(f"= {result.pooled[0, 0, 1]:g} (green channel).")


def test_the_range_of_each_mapping_is_the_range_of_its_outputs():
    raw = np.array([-300.0, -5.0, 12.0, 400.0])
    for key in ("clip", "relu", "abs", "stretch", "signed"):
        mapping = fit_mapping(raw, key)
        mapped = mapping.apply(raw)
        assert mapped_range(mapping, float(np.abs(raw).min())) == (mapped.min(), mapped.max()), key
    negative = np.array([-300.0, -5.0])
    assert mapped_range(fit_mapping(negative, "abs")) == (5.0, 300.0)


def test_kernels_legends_and_grids_in_words():
    assert kernel_words(np.ones((3, 3)), 1 / 9) == "rows 1 1 1; 1 1 1; 1 1 1, times 1/9"
    assert legend_words(fit_mapping(np.array([-20.0, 8.0]), "signed")) == (
        "Colour scale: blue for negative sums down to -20, mid-grey at 0, orange for positive sums up to 20."
    )
    assert grid_words("Pooled", np.array([[1.5, 2], [3, -4]])) == "Pooled: a 2 x 2 grid, values from -4 to 3."


def test_the_alts_name_what_the_steppers_outline():
    photo = np.random.default_rng(3).integers(0, 256, (60, 60))
    result = apply_filter(photo, VERTICAL)
    marks = marks_for(VIEW_SLIDE, result, (30, 30))  # the stepper's zoom region, outlined on both
    original, filtered, pooled = results_alts(result, (30, 30), marks)
    (window,), (region,) = marks.original, marks.filtered

    def rows_and_columns(box) -> str:
        right, bottom = box.left + box.cols - 1, box.top + box.rows - 1
        return f"Outlined: rows {box.top} to {bottom}, columns {box.left} to {right}."

    assert region.rows == region.cols == 16 and window.rows == window.cols == 18
    assert filtered.endswith(rows_and_columns(region))
    assert original.endswith(rows_and_columns(window))
    assert "Outlined" not in pooled


def test_the_filter_keeps_the_sum_nearest_zero_for_the_absolute_value():
    result = apply_filter(LECTURE, VERTICAL, mapping="abs")
    assert result.nearest_zero == np.abs(result.raw).min()
    assert mapped_range(result.mapping, result.nearest_zero) == (result.mapped().min(), result.mapped().max())
