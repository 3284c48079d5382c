"""The steppers as GIF and WebP files: one frame per step, read back with Pillow, checked cell by cell."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from filters.animation import HOLD_MS, STEP_MS, Animation, convolution_animation, pooling_animation
from filters.drawing import (
    CHOSEN,
    HIGHLIGHT,
    NOT_YET_FILL,
    PADDING_FILL,
    PIXEL_SHADING,
    output_shading,
    render_grid,
    shade,
    value_labels,
)
from filters.images import decode_image
from filters.numbers import format_value
from filters.pipeline import FilterResult, apply_filter
from filters.presets import LECTURE_POOLING_GRID, PRESETS
from filters.recipe import working_pixels
from filters.samples import find_sample
from filters.stepping import Region, pool_text, whole
from filters.walkthrough import (
    channel_of,
    convolution_region,
    pooling_region,
    pooling_steps,
    walk_pixel,
)

FORMATS = ["gif", "webp"]
LECTURE_FILTER = np.array([[-1, 0, -2], [0.5, 4.5, 1.5], [1.5, 2, -3]])


def sample_result(key: str, colour: bool = False, **options) -> FilterResult:
    sample = find_sample(key)
    decoded = decode_image(sample.path.read_bytes(), sample.path.name)
    return apply_filter(working_pixels(decoded, colour), PRESETS["vertical_edges"].values, **options)


@pytest.fixture(scope="module")
def boot() -> FilterResult:
    """The first page's first image: a 28 x 28 ankle boot, filtered 26 x 26."""
    return sample_result("fashion/ankle_boot_1.png")


@pytest.fixture(scope="module")
def slides(boot) -> dict[str, Animation]:
    """The boot's "Slide the filter" as a GIF and as a WebP (676 frames each)."""
    return {fmt: convolution_animation(boot, whole(boot.output_shape), fmt=fmt) for fmt in FORMATS}


def frames(animation: Animation, wanted: list[int]) -> dict[int, np.ndarray]:
    """Frames of the file, decoded by Pillow as a viewer shows them (RGB)."""
    decoded = {}
    with Image.open(io.BytesIO(animation.data)) as image:
        for index in sorted(wanted):
            image.seek(index)
            decoded[index] = np.asarray(image.convert("RGB"))
    return decoded


def cell_block(frame: np.ndarray, at: tuple[int, int], cell: int, row: int, col: int) -> np.ndarray:
    x, y = at[0] + col * cell, at[1] + row * cell
    return frame[y : y + cell, x : x + cell]


def cell_colour(frame: np.ndarray, at: tuple[int, int], cell: int, row: int, col: int) -> tuple[int, ...]:
    """The colour most of a cell shows (not its grid line or its value written in it)."""
    inside = cell_block(frame, at, cell, row, col)[1:, 1:].reshape(-1, 3)
    colours, counts = np.unique(inside, axis=0, return_counts=True)
    return tuple(int(value) for value in colours[counts.argmax()])


def outlined(frame: np.ndarray, at: tuple[int, int], cell: int, shape: tuple[int, int], colour) -> tuple:
    """The cells (top, left, bottom, right) that the pixels in ``colour`` frame in one grid."""
    grid = frame[at[1] : at[1] + shape[0] * cell, at[0] : at[0] + shape[1] * cell]
    rows, cols = np.nonzero((grid == colour).all(axis=2))
    if rows.size == 0:
        return ()
    return rows.min() / cell, cols.min() / cell, (rows.max() + 1) / cell, (cols.max() + 1) / cell


def check_filling(frame, animation, colours, step, steps_shape):
    """Cells before ``step`` show their colour, cells after it are not reached yet."""
    layout = animation.layout
    for index in range(steps_shape[0] * steps_shape[1]):
        row, col = divmod(index, steps_shape[1])
        seen = cell_colour(frame, layout.output_at, layout.cell_px, row, col)
        if index < step:
            assert seen == tuple(colours[row, col]), (step, row, col)
        elif index > step:
            assert seen == NOT_YET_FILL, (step, row, col)


# ---- Slide the filter -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_28x28_image_slides_in_one_frame_per_output_pixel_the_last_held(slides, fmt):
    animation = slides[fmt]
    assert animation.frame_count == 676 and len(animation.captions) == 676
    assert animation.mime == f"image/{fmt}" and animation.file_name == f"slide-the-filter.{fmt}"
    assert max(animation.size) <= 1100 and animation.layout.cell_px >= 18
    with Image.open(io.BytesIO(animation.data)) as image:
        assert image.format == fmt.upper() and image.n_frames == 676 and image.size == animation.size
        durations = []
        for index in (0, 674, 675):
            image.seek(index)
            image.load()
            durations.append(image.info["duration"])
    assert durations == [STEP_MS, STEP_MS, HOLD_MS]


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_frame_outlines_the_window_and_fills_the_output_in_reading_order(boot, slides, fmt):
    region = whole(boot.output_shape)
    animation = slides[fmt]
    layout, cell = animation.layout, animation.layout.cell_px
    mapped = boot.mapped()
    colours = shade(mapped, output_shading(boot.mapping))
    assert boot.output_shape == (26, 26)
    decoded = frames(animation, [0, 1, 337, 675])
    for step, frame in decoded.items():
        row, col = region.cell(step)
        assert outlined(frame, layout.input_at, cell, (28, 28), HIGHLIGHT) == (row, col, row + 3, col + 3)
        assert outlined(frame, layout.output_at, cell, (26, 26), HIGHLIGHT) == (row, col, row + 1, col + 1)
        check_filling(frame, animation, colours, step, (26, 26))
    # A cell reached is the page's drawing of it, its value written in it.
    shading = output_shading(boot.mapping)
    labelled = render_grid(mapped, shading, labels=value_labels(mapped), cell_px=cell).image
    plain = render_grid(mapped, shading, cell_px=cell).image
    block = (slice(12 * cell, 13 * cell), slice(4 * cell, 5 * cell))
    reached = cell_block(decoded[337], layout.output_at, cell, 12, 4).astype(int)
    assert np.abs(reached - labelled[block]).max() <= 8 and np.abs(reached - plain[block]).max() > 100
    # The input grid shows the image's pixels, as the page draws them.
    pixel = tuple(shade(boot.image, PIXEL_SHADING)[10, 14])
    assert cell_colour(decoded[0], layout.input_at, cell, 10, 14) == pixel


def test_gif_and_webp_show_the_same_frames(slides):
    gif, webp = (frames(slides[fmt], [0, 200, 675]) for fmt in FORMATS)
    for step in (0, 200, 675):
        assert np.array_equal(gif[step], webp[step])


def test_same_padding_shows_the_zero_border_as_padding():
    result = sample_result("fashion/ankle_boot_1.png", padding="same")
    region = whole(result.output_shape)
    animation = convolution_animation(result, region)
    layout, cell = animation.layout, animation.layout.cell_px
    assert animation.frame_count == 784
    decoded = frames(animation, [0, 783])
    for step, frame in decoded.items():
        row, col = region.cell(step)  # the window starts one padding cell up and left of the pixel
        assert outlined(frame, layout.input_at, cell, (30, 30), HIGHLIGHT) == (row, col, row + 3, col + 3)
    for row, col in [(0, 0), (0, 15), (29, 29), (12, 0)]:
        assert cell_colour(decoded[0], layout.input_at, cell, row, col) == PADDING_FILL
    first_pixel = tuple(shade(result.image, PIXEL_SHADING)[0, 0])
    assert cell_colour(decoded[0], layout.input_at, cell, 1, 1) == first_pixel
    raw = float(result.raw[0, 0])
    expected = f"Step 1 of 784: row 0, column 0: sum {format_value(raw)} → {result.mapping.explain(raw)}"
    assert animation.captions[0] == expected


def test_the_lectures_pixel_in_one_frame():
    result = apply_filter(LECTURE_POOLING_GRID[:3, :3], LECTURE_FILTER)
    for fmt in FORMATS:
        animation = convolution_animation(result, whole(result.output_shape), fmt=fmt)
        assert animation.captions == ("Step 1 of 1: row 0, column 0: sum 1009 → clip 1009 to 0..255 = 255",)
        frame = frames(animation, [0])[0]
        layout = animation.layout
        assert outlined(frame, layout.input_at, layout.cell_px, (3, 3), HIGHLIGHT) == (0, 0, 3, 3)
        inside = cell_block(frame, layout.output_at, layout.cell_px, 0, 0)
        white = (inside == (255, 255, 255)).all(axis=2).mean()
        assert white > 0.4 and not (inside == NOT_YET_FILL).all(axis=2).any()  # 255 is white: reached


@pytest.mark.parametrize(
    ("preset", "weight", "padding", "mapping"),
    [
        ("box_blur", 1 / 9, "same", "stretch"),
        ("emboss", -1.5, "valid", "relu"),
        ("sharpen", 1.0, "same", "abs"),
    ],
)
def test_captions_are_the_walkthroughs_lines(preset, weight, padding, mapping):
    image = np.random.default_rng(3).integers(0, 256, size=(9, 11)).astype(np.uint8)
    result = apply_filter(image, PRESETS[preset].values, weight=weight, padding=padding, mapping=mapping)
    region = Region(1, 2, 5, 6)
    animation = convolution_animation(result, region)
    for step, caption in enumerate(animation.captions):
        walk = walk_pixel(result, *region.cell(step))
        total = walk.weight_line if weight != 1 else format_value(walk.raw_value)
        assert caption == (
            f"Step {step + 1} of 30: row {walk.row}, column {walk.col}: sum {total} → {walk.mapping_line}"
        )


# ---- Big and colour images: the steppers' zoom region ----------------------------------------------


def test_a_zoom_region_of_a_photo_steps_through_its_own_pixels():
    result = sample_result("photos/camera.png")
    region = convolution_region(result, (300, 200))
    assert (region.rows, region.cols) == (16, 16) and region.top > 0 and region.left > 0
    animation = convolution_animation(result, region)
    layout, cell = animation.layout, animation.layout.cell_px
    assert animation.frame_count == 256
    assert animation.captions[17].startswith(
        f"Step 18 of 256: row {region.top + 1}, column {region.left + 1}: "
    )
    inputs = shade(result.image[region.top : region.top + 18, region.left : region.left + 18], PIXEL_SHADING)
    colours = shade(result.mapped(region.slices()), output_shading(result.mapping))
    for step, frame in frames(animation, [17, 130, 255]).items():
        row, col = divmod(step, 16)
        assert outlined(frame, layout.input_at, cell, (18, 18), HIGHLIGHT) == (row, col, row + 3, col + 3)
        check_filling(frame, animation, colours, step, (16, 16))
        for corner in [(0, 17), (17, 0)]:
            assert cell_colour(frame, layout.input_at, cell, *corner) == tuple(inputs[corner])


def test_a_colour_photo_steps_through_the_chosen_channel():
    result = sample_result("photos/astronaut.png", colour=True)
    region = convolution_region(result, result.strongest)
    animation = convolution_animation(result, region, channel=2, fmt="webp")
    layout, cell = animation.layout, animation.layout.cell_px
    assert all("(blue channel)" in caption for caption in animation.captions)
    top, left = region.top, region.left  # "valid": the input region starts where the output's does
    blue = result.image[top : top + region.rows + 2, left : left + region.cols + 2, 2]
    mapped = result.mapped(region.slices())[..., 2]
    last = region.count - 1
    frame = frames(animation, [last])[last]
    check_filling(frame, animation, shade(mapped, output_shading(result.mapping)), last, mapped.shape)
    for row, col in [(0, 0), (5, 9), (region.rows + 1, 0)]:
        assert cell_colour(frame, layout.input_at, cell, row, col) == (blue[row, col],) * 3


# ---- Pool step by step ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_max_pooling_fills_one_pooled_cell_per_window_and_marks_the_kept_value(boot, fmt):
    region = pooling_region(boot, boot.strongest)
    animation = pooling_animation(boot, region, fmt=fmt)
    layout, cell = animation.layout, animation.layout.cell_px
    assert animation.file_name == f"pool-step-by-step.{fmt}" and animation.frame_count == 169
    with Image.open(io.BytesIO(animation.data)) as image:
        assert image.n_frames == 169
    windows = pooling_steps(boot.mapped(), "max")
    colours = shade(boot.pooled, output_shading(boot.mapping))
    for step, frame in frames(animation, [0, 84, 168]).items():
        window = windows[step]
        assert outlined(frame, layout.input_at, cell, (26, 26), HIGHLIGHT) == (
            window.top,
            window.left,
            window.top + 2,
            window.left + 2,
        )
        kept = (window.top + window.chosen[0], window.left + window.chosen[1])
        assert outlined(frame, layout.input_at, cell, (26, 26), CHOSEN) == (*kept, kept[0] + 1, kept[1] + 1)
        assert outlined(frame, layout.output_at, cell, (13, 13), HIGHLIGHT) == (
            window.out_row,
            window.out_col,
            window.out_row + 1,
            window.out_col + 1,
        )
        check_filling(frame, animation, colours, step, (13, 13))
        assert animation.captions[step].endswith(pool_text(window, "max"))


def test_average_pooling_of_a_photos_zoom_region_keeps_no_single_value():
    result = sample_result("photos/camera.png", pool_kind="average")
    region = pooling_region(result, (301, 201))
    assert region.top % 2 == 0 and region.left % 2 == 0
    animation = pooling_animation(result, region)
    layout, cell = animation.layout, animation.layout.cell_px
    assert animation.frame_count == region.count // 4
    assert animation.captions[0].startswith(
        f"Step 1 of 64: pooled row {region.top // 2}, column {region.left // 2}: ("
    )
    top, left = region.top // 2, region.left // 2
    pooled = channel_of(result.pooled, 0)[top : top + 8, left : left + 8]
    frame = frames(animation, [40])[40]
    assert outlined(frame, layout.input_at, cell, (16, 16), CHOSEN) == ()
    check_filling(frame, animation, shade(pooled, output_shading(result.mapping)), 40, (8, 8))


# ---- What is refused ------------------------------------------------------------------------------------


def test_regions_the_steppers_never_walk_are_refused(boot):
    with pytest.raises(ValueError, match="1 to 32 pixels"):
        convolution_animation(
            apply_filter(np.zeros((40, 40)), PRESETS["sharpen"].values), Region(0, 0, 33, 16)
        )
    with pytest.raises(ValueError, match="1 to 32 pixels"):
        convolution_animation(boot, Region(0, 0, 0, 4))
    with pytest.raises(ValueError, match="no 2 x 2 pooling window"):
        pooling_animation(boot, Region(0, 0, 1, 8))
    with pytest.raises(ValueError, match="fmt"):
        convolution_animation(boot, Region(0, 0, 2, 2), fmt="png")
    with pytest.raises(ValueError, match="20 ms"):
        pooling_animation(boot, Region(0, 0, 2, 2), step_ms=10)
