"""The explorer's payload: the core's own numbers, packed small, read back as the browser reads them."""

from __future__ import annotations

import numpy as np
import pytest

from filters.drawing import PIXEL_SHADING
from filters.explore import convolution_payload, pack, pooling_payload, unpack
from filters.pipeline import apply_filter
from filters.pooling import pool_steps
from filters.presets import LECTURE_POOLING_GRID, PRESETS
from filters.stepping import Region, pool_text, whole
from filters.walkthrough import convolution_region, walk_pixel


def test_arrays_come_back_bit_for_bit_and_eight_byte_aligned():
    values = np.array([[0.1, -2.5e300], [np.pi, -0.0]])
    pixels = np.arange(7, dtype=np.uint8)
    data = pack({"kind": "test"}, {"pixels": pixels, "values": values}).framed("inspect", (1, 2))
    header, arrays = unpack(data)
    assert header["kind"] == "test" and header["view"] == "inspect" and header["pinned"] == [1, 2]
    assert arrays["pixels"].tobytes() == pixels.tobytes() and arrays["values"].tobytes() == values.tobytes()
    base = len(data) - sum(-(-array.nbytes // 8) * 8 for array in (pixels, values))
    assert base % 8 == 0 and all(entry["offset"] % 8 == 0 for entry in header["arrays"].values())


def test_the_key_names_the_numbers_not_the_pinned_pixel():
    result = apply_filter(np.arange(64, dtype=np.uint8).reshape(8, 8), PRESETS["sharpen"].values)
    first = convolution_payload(result, whole(result.output_shape))
    again = convolution_payload(result, whole(result.output_shape))
    other = convolution_payload(
        apply_filter(result.image, PRESETS["emboss"].values), whole(result.output_shape)
    )
    assert first.key == again.key != other.key
    assert (
        unpack(first.framed("inspect", (0, 0)))[0]["key"] == unpack(first.framed("slide", (3, 4)))[0]["key"]
    )


@pytest.mark.parametrize(
    ("preset", "weight", "padding", "mapping"),
    [
        ("lecture_example", 1.0, "valid", "signed"),
        ("sharpen", 0.3, "same", "relu"),
        ("box_blur", 1 / 9, "same", "stretch"),
        ("emboss", -1.5, "valid", "abs"),
    ],
)
def test_every_number_of_every_pixel_is_the_walkthroughs(preset, weight, padding, mapping):
    """What the browser reads for a pixel equals ``walk_pixel``'s numbers, bit for bit."""
    image = np.random.default_rng(7).integers(0, 256, size=(12, 15)).astype(np.uint8)
    result = apply_filter(image, PRESETS[preset].values, weight=weight, padding=padding, mapping=mapping)
    region = Region(1, 2, 9, 11) if padding == "valid" else whole(result.output_shape)
    header, arrays = unpack(convolution_payload(result, region).framed("inspect", (1, 2)))
    assert header["kernel"] == result.kernel.ravel().tolist() and header["weight"] == weight
    for local_row in range(region.rows):
        for local_col in range(region.cols):
            walk = walk_pixel(result, region.top + local_row, region.left + local_col)
            window = arrays["inputs"][local_row : local_row + 3, local_col : local_col + 3]
            padded = arrays["padded"][local_row : local_row + 3, local_col : local_col + 3]
            assert np.array_equal(window, walk.explanation.window) and np.array_equal(
                padded, walk.explanation.padded
            )
            assert np.array_equal(
                window * result.kernel, walk.explanation.products
            )  # what the browser multiplies
            assert arrays["sums"][local_row, local_col] == walk.raw_value
            assert arrays["mapped"][local_row, local_col] == walk.output_value
            if weight != 1:
                assert arrays["plain"][local_row, local_col] == walk.explanation.weighted_sum
            raw_text = walk.weight_line.rsplit(" = ", 1)[1]
            filled = header["mapping"].replace("{raw}", raw_text).replace("{value}", walk.final_text)
            assert filled == walk.mapping_line


def test_the_pooled_cells_of_the_region_are_the_results():
    image = np.random.default_rng(8).integers(0, 256, size=(40, 40)).astype(np.uint8)
    result = apply_filter(image, PRESETS["vertical_edges"].values)
    region = convolution_region(result, (20, 21))
    header, arrays = unpack(convolution_payload(result, region).framed("inspect", (20, 21)))
    pooled = header["pooledRegion"]
    assert (pooled["top"], pooled["left"]) == (region.top // 2, region.left // 2)
    top, left = pooled["top"], pooled["left"]
    assert np.array_equal(
        arrays["pooled"], result.pooled[top : top + pooled["rows"], left : left + pooled["cols"]]
    )


def test_colour_mode_explains_the_chosen_channel():
    rgb = np.random.default_rng(3).integers(0, 256, size=(6, 6, 3)).astype(np.uint8)
    result = apply_filter(rgb, PRESETS["sharpen"].values)
    header, arrays = unpack(
        convolution_payload(result, whole(result.output_shape), channel=2).framed("inspect", (0, 0))
    )
    assert header["note"] == " (blue channel)"
    assert arrays["mapped"][1, 1] == walk_pixel(result, 1, 1, 2).output_value
    assert np.array_equal(arrays["inputs"], rgb[..., 2])


def test_a_512_pixel_photo_and_a_12_megapixel_one_send_under_a_megabyte():
    for shape in ((512, 512), (3000, 4000)):
        image = np.random.default_rng(9).integers(0, 256, size=shape).astype(np.uint8)
        result = apply_filter(
            image, np.round(np.random.default_rng(5).uniform(-9, 9, (3, 3)), 2), weight=1 / 7
        )
        region = convolution_region(result, (shape[0] // 2, shape[1] // 2))
        assert len(convolution_payload(result, region).framed("inspect", (0, 0))) < 100_000


def test_pooling_payload_holds_every_windows_value_and_maximum():
    payload = pooling_payload(
        LECTURE_POOLING_GRID, PIXEL_SHADING, "max", whole((4, 4)), "The lecture's pixels"
    )
    header, arrays = unpack(payload.framed("pool", (0, 0)))
    steps = list(pool_steps(LECTURE_POOLING_GRID))
    assert arrays["pooled"].ravel().tolist() == [step.value for step in steps] == [192, 144, 255, 168]
    assert [tuple(pair) for pair in arrays["chosen"].reshape(-1, 2).tolist()] == [
        step.chosen for step in steps
    ]
    assert pool_text(steps[2], "max") == "max(142, 226, 255, 0) = 255"
    assert header["title"] == "The lecture's pixels" and header["poolKind"] == "max"
