"""Drawn grids: the numbers written in the cells are the numbers computed, crisp and readable."""

import io
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image, ImageDraw

from filters import format_values
from filters.drawing import (
    CHOSEN,
    GRID_LINE,
    HIGHLIGHT,
    LABEL_LIMIT,
    MAX_PICTURE_SIDE,
    PIXEL_SHADING,
    READABLE_CELLS_ACROSS,
    Outline,
    Shading,
    _font_px,
    cell_size,
    colour_legend,
    label_font,
    label_inks,
    outline_box,
    render_grid,
    shade,
    value_labels,
    wants_labels,
)


def test_labels_are_the_formatted_values():
    values = np.array([[0, 64.0, 128], [48, 192, 85.3333]])
    picture = render_grid(values, labels=value_labels(values))
    assert picture.labels.tolist() == [["0", "64", "128"], ["48", "192", "85.33"]]
    assert np.array_equal(picture.labels, format_values(values))


def test_colour_labels_come_from_the_chosen_channel():
    rgb = np.zeros((2, 2, 3))
    rgb[..., 1] = [[1, 2], [3, 4]]
    assert value_labels(rgb, channel=1).tolist() == [["1", "2"], ["3", "4"]]
    assert value_labels(rgb, channel=0).tolist() == [["0", "0"], ["0", "0"]]


def test_cells_are_enlarged_without_smoothing():
    values = np.array([[0.0, 255.0], [100.0, 200.0]])
    picture = render_grid(values, cell_px=10)
    image = picture.image
    assert image.shape == (20, 20, 3)
    # Away from the grid lines each cell is one flat colour, exactly its value.
    assert np.all(image[1:10, 1:10] == 0)
    assert np.all(image[1:10, 11:20] == 255)
    assert np.all(image[11:20, 1:10] == 100)
    assert np.all(image[11:20, 11:20] == 200)


def _cell(image: np.ndarray, row: int, col: int, cell: int) -> np.ndarray:
    return image[row * cell : (row + 1) * cell, col * cell : (col + 1) * cell]


def test_the_text_drawn_in_a_cell_is_its_value():
    """Compare each cell with the value drawn independently by Pillow's ImageDraw."""
    values = np.array([[192.0, 0.0], [255.0, 1009.0]])
    labels = format_values(values)
    cell = 48
    picture = render_grid(values, Shading(0, 1009), labels=labels, cell_px=cell)
    font = label_font(_font_px(cell, max(len(text) for text in labels.ravel())))
    inks = label_inks(shade(values, Shading(0, 1009)))
    for (row, col), text in np.ndenumerate(labels):
        drawn = _cell(picture.image, row, col, cell)[1:, 1:]  # skip the grid lines
        background = tuple(int(v) for v in drawn[0, -1])
        reference = Image.new("RGB", (cell, cell), background)
        ImageDraw.Draw(reference).text(
            (cell / 2, cell / 2), text, fill=tuple(int(v) for v in inks[row, col]), font=font, anchor="mm"
        )
        expected = np.asarray(reference)[1:, 1:]
        # Same glyphs, possibly shifted by a pixel of rounding: compare ink amounts and shapes.
        drawn_ink = np.abs(drawn.astype(int) - background).sum(axis=2) > 60
        expected_ink = np.abs(expected.astype(int) - background).sum(axis=2) > 60
        assert abs(int(drawn_ink.sum()) - int(expected_ink.sum())) <= 0.1 * expected_ink.sum(), text
        assert _bbox_size(drawn_ink) == _bbox_size(expected_ink), text
    # Different values really are drawn differently.
    assert not np.array_equal(_cell(picture.image, 0, 0, cell), _cell(picture.image, 1, 0, cell))


def _bbox_size(mask: np.ndarray) -> tuple[int, int]:
    rows, cols = np.nonzero(mask)
    return (int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1))


def test_text_contrasts_with_its_cell():
    inks = label_inks(np.array([[[0, 0, 0], [255, 255, 255], [128, 128, 128], [33, 102, 172]]], np.uint8))
    assert inks[0, 0].tolist() == [255, 255, 255]  # white on black
    assert inks[0, 1].tolist() == [0, 0, 0]  # black on white
    assert inks[0, 2].tolist() == [0, 0, 0]  # black on mid-grey has the higher contrast
    assert inks[0, 3].tolist() == [255, 255, 255]  # white on the dark blue


def test_white_text_is_drawn_on_a_black_cell_and_black_on_a_white_one():
    values = np.array([[0.0, 255.0]])
    picture = render_grid(values, labels=format_values(values), cell_px=48)
    black_cell, white_cell = _cell(picture.image, 0, 0, 48), _cell(picture.image, 0, 1, 48)
    assert black_cell[1:, 1:].max() == 255  # white ink present
    assert white_cell[1:, 1:].min() == 0  # black ink present


def test_diverging_scale_is_grey_at_zero_blue_below_orange_above():
    colours = shade(np.array([[-10.0, 0.0, 10.0]]), Shading(-10, 10, diverging=True))
    negative, zero, positive = (colours[0, i].astype(int) for i in range(3))
    assert np.all(np.abs(zero - 128) <= 1)
    assert negative[2] > negative[0]  # blue
    assert positive[0] > positive[2]  # orange


def test_colour_images_shade_each_channel():
    rgb = np.array([[[255.0, 0.0, 128.0]]])
    assert shade(rgb, PIXEL_SHADING).tolist() == [[[255, 0, 128]]]


def test_outline_marks_the_window():
    values = np.full((5, 5), 255.0)
    picture = render_grid(values, cell_px=20, outlines=(Outline(1, 1, 3, 3),))
    image = picture.image
    assert image[20, 40].tolist() == list(HIGHLIGHT)  # top edge of the window
    assert image[79, 40].tolist() == list(HIGHLIGHT)  # bottom edge
    assert image[50, 50].tolist() == [255, 255, 255]  # inside untouched
    assert image[5, 5].tolist() == [255, 255, 255]  # outside untouched
    assert image[0, 5].tolist() == list(GRID_LINE)


def _dashes_along(edge: np.ndarray, colour: tuple[int, int, int]) -> list[int]:
    """Lengths of the runs of ``colour`` along a line of pixels (N, 3)."""
    drawn = np.all(edge == colour, axis=-1).astype(int)
    starts = np.flatnonzero(np.diff(np.r_[0, drawn]) == 1)
    ends = np.flatnonzero(np.diff(np.r_[drawn, 0]) == -1)
    return (ends - starts + 1).tolist()


def _edges(image: np.ndarray, top: int, left: int, bottom: int, right: int) -> dict[str, np.ndarray]:
    """The outermost pixels of the frame from (top, left) to (bottom, right), both inclusive."""
    return {
        "top": image[top, left : right + 1],
        "bottom": image[bottom, left : right + 1],
        "left": image[top : bottom + 1, left],
        "right": image[top : bottom + 1, right],
    }


def test_the_value_pooling_keeps_is_outlined_dashed_the_rest_solid():
    assert Outline(0, 0).line == "solid"
    assert Outline(0, 0, 3, 3, colour=HIGHLIGHT).line == "solid"
    assert Outline(0, 0, colour=CHOSEN).line == "dashed"


def test_a_solid_outline_has_no_gaps_along_its_edges():
    values = np.full((6, 6), 128.0)
    image = render_grid(values, cell_px=36, outlines=(Outline(1, 1, 3, 3),)).image
    for side, edge in _edges(image, 36, 36, 143, 143).items():
        assert _dashes_along(edge, HIGHLIGHT) == [108], side
    thickness = 4  # a tenth of the 36 px cell
    inner = _edges(image, 36 + thickness, 36 + thickness, 143 - thickness, 143 - thickness)
    assert all(np.all(edge == 0) for edge in inner.values())  # the black inner line


def test_a_dashed_outline_has_gaps_along_every_edge_and_its_corners_drawn():
    values = np.full((6, 6), 128.0)
    image = render_grid(values, cell_px=36, outlines=(Outline(1, 1, 3, 3, colour=CHOSEN),)).image
    for side, edge in _edges(image, 36, 36, 143, 143).items():
        dashes = _dashes_along(edge, CHOSEN)
        assert len(dashes) >= 3, side
        assert np.all(edge[0] == CHOSEN) and np.all(edge[-1] == CHOSEN), f"{side}: corners drawn"
        gaps = edge[~np.all(edge == CHOSEN, axis=-1)]
        assert len(gaps) >= 108 // 4, side  # a good share of the edge shows the cells beneath
        assert np.all((gaps == 128) | (gaps == GRID_LINE)), side
    thickness = 4
    inner = _edges(image, 36 + thickness, 36 + thickness, 143 - thickness, 143 - thickness)
    assert all(np.all(edge == 0) for edge in inner.values())  # the black inner line stays whole


def test_a_dashed_outline_of_one_cell_still_shows_gaps():
    image = render_grid(np.full((4, 4), 255.0), cell_px=36, outlines=(Outline(2, 1, colour=CHOSEN),)).image
    for side, edge in _edges(image, 72, 36, 107, 71).items():
        assert len(_dashes_along(edge, CHOSEN)) == 2, side  # one dash from each corner, a gap between


@pytest.mark.parametrize(
    ("shape", "cell_px", "outline", "frame"),
    [
        ((6, 6), 36, Outline(1, 2, 3, 3), (36, 72, 143, 179)),
        ((6, 6), 36, Outline(5, 5), (180, 180, 215, 215)),  # in the corner of the grid
        ((12, 12), 20, Outline(0, 0, 12, 12), (0, 0, 239, 239)),  # the whole grid
        # Cells of 2 px: the 6 px window grows around its centre (23, 23) to 16 px (1/50 of 800 px).
        ((300, 400), None, Outline(10, 10, 3, 3), (15, 15, 30, 30)),
        # Reduced to 0.7 px a cell: 28 px (1/50 of 1400 px) around pixel (70, 140) of the picture.
        ((2000, 1500), None, Outline(100, 200), (56, 126, 83, 153)),
    ],
)
@pytest.mark.parametrize("colour", [HIGHLIGHT, CHOSEN])
def test_solid_and_dashed_outlines_frame_the_same_cells(shape, cell_px, outline, frame, colour):
    values = np.random.default_rng(0).uniform(0, 255, shape)
    plain = render_grid(values, cell_px=cell_px).image
    outlined = render_grid(values, cell_px=cell_px, outlines=(replace(outline, colour=colour),)).image
    changed = np.argwhere(np.any(outlined != plain, axis=-1))
    top, left, bottom, right = frame
    assert [*changed.min(axis=0), *changed.max(axis=0)] == [top, left, bottom, right]
    for side, edge in _edges(outlined, top, left, bottom, right).items():
        assert _dashes_along(edge, colour), f"{side} edge drawn"


@pytest.mark.parametrize(
    ("shape", "cell_px", "outline"),
    [
        ((6, 6), 36, Outline(1, 2, 3, 3)),
        ((6, 6), 36, Outline(5, 5, colour=CHOSEN)),
        ((300, 400), None, Outline(10, 10, 3, 3)),
        ((2000, 1500), None, Outline(100, 200)),
    ],
)
def test_the_frame_the_page_draws_over_a_picture_is_the_one_drawn_into_it(shape, cell_px, outline):
    """The page draws outlines in the browser (over a picture that then never changes with the pixel
    looked at), prints draw them into the picture: both frame the same picture pixels."""
    values = np.random.default_rng(1).uniform(0, 255, shape)
    plain = render_grid(values, cell_px=cell_px)
    outlined = render_grid(values, cell_px=cell_px, outlines=(outline,)).image
    changed = np.argwhere(np.any(outlined != plain.image, axis=-1))
    box = outline_box(plain.geometry, outline)
    assert [*changed.min(axis=0), *changed.max(axis=0)] == [box.top, box.left, box.bottom - 1, box.right - 1]
    assert (box.width, box.height) == plain.image.shape[1::-1]
    assert (box.colour, box.line) == (outline.colour, outline.line)


def test_big_images_are_reduced_for_the_screen_and_small_ones_enlarged():
    big = render_grid(np.zeros((3024, 4032)))
    assert max(big.image.shape[:2]) <= MAX_PICTURE_SIDE
    assert big.cell_px < 1 and big.labels is None
    small = render_grid(np.zeros((28, 28)))
    assert small.image.shape[0] >= 28 * 10


def test_labels_only_for_grids_up_to_the_limit():
    assert wants_labels((LABEL_LIMIT, LABEL_LIMIT))
    assert not wants_labels((LABEL_LIMIT + 1, 4))
    assert not wants_labels((0, 0))


def test_values_are_written_only_where_the_row_leaves_them_readable():
    """The rule itself; tests/test_values_in_cells.py checks the rows the pages give it."""
    assert wants_labels((28, 28), READABLE_CELLS_ACROSS) and not wants_labels(
        (28, 28), READABLE_CELLS_ACROSS + 1
    )
    assert wants_labels(
        (13, 13), 28 + 26 + 13 + 13
    )  # the first page's row for a 28 x 28 sample, pad included
    assert not wants_labels((31, 31), 64 + 62 + 31 + 13)  # a 64 x 64 upload's pooled grid, at its row's scale
    assert not wants_labels((26, 26), 26 * 4)  # the second page's maps, four a row
    assert wants_labels((5, 5), 5 * 5) and not wants_labels(
        (28, 28), 28 * 5
    )  # two layers' stages, five a row
    assert not wants_labels((LABEL_LIMIT + 1, 4), 10)  # too many cells to write, whatever the row
    assert wants_labels((LABEL_LIMIT, LABEL_LIMIT))  # drawn on its own: a print, a download


def test_png_round_trips():
    values = np.arange(9.0).reshape(3, 3)
    picture = render_grid(values, labels=format_values(values))
    decoded = np.asarray(Image.open(io.BytesIO(picture.png())))
    assert np.array_equal(decoded, picture.image)


def test_legend_has_the_requested_size():
    legend = colour_legend(Shading(-1020, 1020, diverging=True), width=300, height=40)
    assert legend.shape == (40, 300, 3)
    assert np.all(np.abs(legend[5, 150].astype(int) - 128) <= 2)  # 0 in the middle is grey


@pytest.mark.parametrize("side", [3, 4, 20, 40, 150, 300, 466])
def test_small_grids_are_drawn_at_least_700_px_wide_so_the_browser_never_enlarges_them(side):
    for labelled in (True, False):
        if labelled and side > 32:
            continue
        cell = cell_size((side, side), labelled)
        assert cell == int(cell) and side * cell >= 700  # whole factors: sharp cells, big text


@pytest.mark.parametrize("side", [467, 512, 1024, 1400])
def test_photos_are_drawn_at_their_own_size(side):
    assert cell_size((side, side), labelled=False) == 1.0


def test_a_montage_puts_each_tile_in_its_slot_and_a_click_finds_it():
    from filters.drawing import PANEL, cell_at, montage

    colours = [(value, 255 - value, 7) for value in (50, 100, 150, 200, 250)]  # no grey a title could blend
    tiles = [np.full((10, 20, 3), colour, dtype=np.uint8) for colour in colours]
    drawn = montage(tiles, ["a", "b", "c", "d", "e"], columns=3, gap=4)
    rows, cols = drawn.grid_shape
    assert (rows, cols) == (2, 3)
    slot = drawn.slot_px
    assert drawn.image.shape == (2 * slot, 3 * slot, 3)
    for index, colour in enumerate(colours):
        row, col = divmod(index, 3)
        own_slot = drawn.image[row * slot : (row + 1) * slot, col * slot : (col + 1) * slot]
        assert (own_slot == colour).all(axis=-1).sum() == 10 * 20  # the whole tile, once, in its own slot
        x, y = (col + 0.5) * slot, (row + 0.5) * slot
        assert cell_at(drawn.geometry, x, y, drawn.image.shape[1], drawn.image.shape[0]) == (row, col)
    assert tuple(drawn.image[-1, -1]) == PANEL  # the sixth slot is empty panel
