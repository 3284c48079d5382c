"""Grids drawn as pictures: each pixel a cell, its value written in it, windows outlined.

Pure NumPy and Pillow, no Streamlit, so the app, the tests and the benchmark
draw the same pictures. Cells are enlarged without smoothing (nearest
neighbour), so a 28x28 image stays 784 crisp squares. Values are written by
pasting pre-rendered label masks, which is about a hundred times faster than
one Matplotlib ``ax.text`` per cell.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import matplotlib
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from filters.cache import BoundedCache
from filters.mapping import FittedMapping
from filters.numbers import format_value, format_values

RGB = tuple[int, int, int]

LABEL_LIMIT = 32
"""Values are written in the cells of grids up to this many rows and columns."""
MAX_PICTURE_SIDE = 1400
"""Longest side of a drawn grid in pixels: crisp on a projector, below Streamlit's 1460 px cap."""
LABELLED_CELL_PX = 36
"""Cell size for grids with values written in them: a 28x28 grid becomes 1008 px, quick to encode."""

HIGHLIGHT: RGB = (255, 176, 0)
"""Amber outline for the filter window and the chosen pixel: visible on gray and on the colour scale."""
CHOSEN: RGB = (0, 190, 255)
"""Cyan outline for the value pooling keeps: distinct from amber for colour-blind viewers too."""
HIGHLIGHT_LINE = "solid"
"""How amber outlines are drawn: "solid" or "dashed" (as CSS ``border-style``, the explorer's too)."""
CHOSEN_LINE = "dashed"
"""Cyan outlines are dashed: the two kinds differ in shape too, not in colour alone."""
GRID_LINE: RGB = (128, 128, 128)
PADDING_FILL: RGB = (214, 228, 255)
"""Pale blue for zero-padding cells, so they never pass for real black pixels."""
NOT_YET_FILL: RGB = (235, 235, 235)
"""Light grey for output cells a stepper has not reached yet."""

# Diverging scale for signed sums: blue below zero, mid-grey at zero, orange above.
# Blue and orange stay distinct for the common colour-vision deficiencies: tests/test_colour_vision.py
# measures these and the outline colours for deuteranopia, protanopia and tritanopia.
_NEGATIVE: RGB = (33, 102, 172)
_ZERO: RGB = (128, 128, 128)
_POSITIVE: RGB = (230, 97, 1)

_FONT_PATH = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


@dataclass(frozen=True)
class Shading:
    """How values become colours: ``low`` is drawn black (or blue), ``high`` white (or orange).

    With ``diverging``, 0 is mid-grey and the scale runs from ``low`` to ``high``
    symmetrically (set them to -m and m). Colour images shade each channel alone.
    """

    low: float = 0.0
    high: float = 255.0
    diverging: bool = False


PIXEL_SHADING = Shading(0.0, 255.0)
"""Plain 8-bit pixel values: 0 black, 255 white."""


def output_shading(mapping: FittedMapping) -> Shading:
    """The shading of a filtered (and pooled) image under a fitted output mapping."""
    return Shading(mapping.display_low, mapping.display_high, mapping.diverging)


def value_labels(values: np.ndarray, channel: int = 0) -> np.ndarray:
    """The text written in each cell: the values of a gray grid, or of one colour channel."""
    values = np.asarray(values)
    return format_values(values if values.ndim == 2 else values[..., channel])


READABLE_CELLS_ACROSS = 84
"""Cells across a page's width that still leave a value readable: 15 px cells in the 1270 px a
1366 px laptop gives the page (three 28-pixel grids side by side, each value about 8 px high)."""


def wants_labels(shape: tuple[int, ...], cells_across: int | None = None) -> bool:
    """Whether a grid's values are written in its cells, the same rule on every grid and page: the
    grid is at most LABEL_LIMIT cells a side, and the row it is shown in leaves each cell readable.

    ``cells_across``: how many cells span the page's width at this grid's scale (the columns of
    every grid shown beside it at the same scale, or its own columns times the pictures sharing the
    width); None for a grid drawn on its own (a print, a download).
    """
    side = max(shape[:2])
    return 0 < side <= LABEL_LIMIT and (cells_across is None or cells_across <= READABLE_CELLS_ACROSS)


@dataclass(frozen=True)
class Outline:
    """A rectangle of cells to outline: ``rows`` x ``cols`` cells from (top, left)."""

    top: int
    left: int
    rows: int = 1
    cols: int = 1
    colour: RGB = HIGHLIGHT

    @property
    def line(self) -> str:
        """How the frame is drawn: ``CHOSEN`` outlines dashed, the others solid."""
        return CHOSEN_LINE if self.colour == CHOSEN else HIGHLIGHT_LINE


@dataclass(frozen=True, eq=False)
class Fill:
    """Cells (True in ``mask``, shape (H, W)) drawn in one flat ``colour`` instead of their shade."""

    mask: np.ndarray
    colour: RGB


@dataclass(frozen=True)
class Geometry:
    """Where the cells of a drawn grid lie: picture size in pixels, cell size, rows and columns."""

    width: int
    height: int
    cell_px: float
    grid_shape: tuple[int, int]


@dataclass(frozen=True)
class GridPicture:
    """A drawn grid and what was written in it.

    Attributes
    ----------
    image : ndarray of uint8, shape (height, width, 3)
    cell_px : float
        Drawn size of one cell in pixels (below 1 when a big image is shown reduced).
    labels : ndarray of str or None
        The text written in each cell, or None when the grid is too big for values.
    grid_shape : tuple of int
        Rows and columns of the grid drawn.
    """

    image: np.ndarray
    cell_px: float
    labels: np.ndarray | None
    grid_shape: tuple[int, int]

    @property
    def geometry(self) -> Geometry:
        """Size and cell layout of the picture, for mapping clicks back to cells."""
        return Geometry(self.image.shape[1], self.image.shape[0], self.cell_px, self.grid_shape)

    def png(self) -> bytes:
        """The picture as PNG bytes (fast compression: the grids are flat colour and compress well)."""
        return to_png(self.image)

    @property
    def nbytes(self) -> int:
        """Memory the picture holds (for byte-bounded caches)."""
        return int(self.image.nbytes)


def with_outlines(picture: GridPicture, outlines: tuple[Outline, ...]) -> GridPicture:
    """A copy of ``picture`` with ``outlines`` drawn on it: the grid itself is drawn once per content."""
    if not outlines:
        return picture
    image = picture.image.copy()
    for outline in outlines:
        _draw_outline(image, outline, picture.cell_px)
    return replace(picture, image=image)


PANEL: RGB = (38, 38, 38)
"""The background of pictures drawn as one (``montage``): their white titles read on either theme."""
PANEL_TITLE_PX = 16


@dataclass(frozen=True)
class Montage:
    """Pictures drawn as one, each centred in a square slot above its title, in rows.

    One picture costs the page one element where many would cost many (each element is built and
    sent on every rerun); a click maps back to its slot through ``geometry``.
    """

    image: np.ndarray
    slot_px: int
    grid_shape: tuple[int, int]

    @property
    def geometry(self) -> Geometry:
        return Geometry(self.image.shape[1], self.image.shape[0], self.slot_px, self.grid_shape)

    def encoded(self) -> EncodedPicture:
        return EncodedPicture(to_png(self.image), self.geometry)


@dataclass(frozen=True)
class EncodedPicture:
    """A picture as PNG bytes and where its cells (or slots) lie: what a cache keeps to show it again."""

    png: bytes
    geometry: Geometry

    @property
    def nbytes(self) -> int:
        return len(self.png)


def montage(tiles: list[np.ndarray], titles: list[str], columns: int, gap: int = 12) -> Montage:
    """Draw ``tiles`` (RGB uint8 pictures, any sizes) in rows of ``columns`` on a dark panel, each
    with its title in white under it."""
    band = PANEL_TITLE_PX + 8
    widest = max(
        max(tile.shape[1] for tile in tiles),
        *(_label_mask(title, PANEL_TITLE_PX).shape[1] + 8 for title in titles),
    )
    slot = max(widest, max(tile.shape[0] for tile in tiles) + band) + gap
    rows = -(-len(tiles) // columns)
    image = np.empty((rows * slot, columns * slot, 3), dtype=np.uint8)
    image[...] = PANEL
    for index, (tile, title) in enumerate(zip(tiles, titles, strict=True)):
        row, col = divmod(index, columns)
        height, width = tile.shape[:2]
        top = row * slot + (slot - height - band) // 2
        left = col * slot + (slot - width) // 2
        image[top : top + height, left : left + width] = tile[..., :3]
        mask = _label_mask(title, PANEL_TITLE_PX)
        text_top = top + height + 4
        text_left = col * slot + max(1, (slot - mask.shape[1]) // 2)
        region = image[text_top : text_top + mask.shape[0], text_left : text_left + mask.shape[1]]
        alpha = mask[: region.shape[0], : region.shape[1], None]
        region[...] = np.rint(region * (1 - alpha) + 255 * alpha).astype(np.uint8)
    return Montage(image, slot, (rows, columns))


def to_png(image: np.ndarray) -> bytes:
    """Encode an RGB uint8 array as PNG with fast compression."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def cell_size(shape: tuple[int, ...], labelled: bool) -> float:
    """Drawn cell size for a grid of ``shape``: big cells for values, else fit ``MAX_PICTURE_SIDE``.

    Small images (up to a third of ``MAX_PICTURE_SIDE``) are enlarged by a whole factor to
    at least half of it, wider than the columns they are shown in, so the browser never
    blurs them by enlarging; mid-sized photos are sent at their own size (a 512 px photo
    in a 600 px column: enlarging it would quadruple the PNG the server encodes for little
    gain); images larger than ``MAX_PICTURE_SIDE`` are reduced for the screen only.
    """
    longest = max(shape[0], shape[1], 1)
    enlarged = -(-(MAX_PICTURE_SIDE // 2) // longest)  # the whole factor that reaches half the side
    if labelled:  # the text of a 4 x 4 grid is drawn big, not enlarged
        return float(max(1, min(max(LABELLED_CELL_PX, enlarged), MAX_PICTURE_SIDE // longest)))
    if longest > MAX_PICTURE_SIDE:
        return MAX_PICTURE_SIDE / longest
    return float(enlarged if longest <= MAX_PICTURE_SIDE // 3 else 1)


def fit_cell_px(shape: tuple[int, ...], target_px: int = 720, smallest: int = 16, largest: int = 180) -> int:
    """Cell size that makes a grid about ``target_px`` wide: big cells for a 4x4 example, small for 34x34.

    Pictures at least as large as their place on the page are never blurred by upscaling.
    """
    return max(smallest, min(largest, target_px // max(shape[0], shape[1], 1)))


def shade(values: np.ndarray, shading: Shading) -> np.ndarray:
    """Colour of every cell: (H, W) or (H, W, 3) values -> (H, W, 3) uint8."""
    values = np.asarray(values)
    span = shading.high - shading.low
    # One float64 temporary, worked in place (a 12-megapixel picture's would otherwise be six).
    fraction = np.subtract(values, shading.low, dtype=np.float64)
    if span > 0:
        fraction /= span
    else:
        fraction.fill(0.0)
    np.nan_to_num(fraction, copy=False, nan=0.0)
    np.clip(fraction, 0.0, 1.0, out=fraction)
    fraction *= 255
    np.rint(fraction, out=fraction)
    if values.ndim == 3:
        return fraction.astype(np.uint8)
    if shading.diverging:
        return _diverging_lut()[fraction.astype(np.intp)]
    return np.repeat(fraction.astype(np.uint8)[..., None], 3, axis=2)


@lru_cache(maxsize=1)
def _diverging_lut() -> np.ndarray:
    """256 colours from blue through mid-grey (index 127.5) to orange."""
    position = np.linspace(0.0, 1.0, 256)[:, None]
    negative, zero, positive = (np.array(c, dtype=np.float64) for c in (_NEGATIVE, _ZERO, _POSITIVE))
    lower = negative + (zero - negative) * (position * 2)
    upper = zero + (positive - zero) * (position * 2 - 1)
    lut = np.where(position < 0.5, lower, upper)
    return np.rint(lut).astype(np.uint8)


def render_grid(
    values: np.ndarray,
    shading: Shading = PIXEL_SHADING,
    *,
    labels: np.ndarray | None = None,
    cell_px: float | None = None,
    outlines: tuple[Outline, ...] = (),
    fills: tuple[Fill, ...] = (),
) -> GridPicture:
    """Draw a grid of values as a picture.

    Parameters
    ----------
    values : ndarray, shape (H, W) or (H, W, 3)
        What the cells show (colour images shade each channel).
    shading : Shading
        Value range and colour scale.
    labels : ndarray of str, shape (H, W), optional
        Text to write in each cell (see ``filters.numbers.format_values``); the
        text is black or white, whichever contrasts with the cell.
    cell_px : float, optional
        Drawn cell size; by default ``cell_size(values.shape, labels is not None)``.
    outlines : tuple of Outline
        Rectangles of cells to outline (the filter window, the chosen pixel).
    fills : tuple of Fill
        Cells drawn in a flat colour (zero padding, cells a stepper has not reached).
    """
    values = np.asarray(values)
    rows, cols = values.shape[:2]
    if labels is not None and labels.shape != (rows, cols):
        raise ValueError(f"labels have shape {labels.shape}, the grid {(rows, cols)}.")
    if cell_px is None:
        cell_px = cell_size(values.shape, labels is not None)
    if rows == 0 or cols == 0:
        return GridPicture(np.zeros((1, 1, 3), dtype=np.uint8), cell_px, labels, (rows, cols))
    if cell_px >= 1:
        cell = int(cell_px)
        colours = _fill(shade(values, shading), fills)
        image = np.repeat(np.repeat(colours, cell, axis=0), cell, axis=1)
        if cell >= 12:
            image[::cell, :] = GRID_LINE
            image[:, ::cell] = GRID_LINE
        if labels is not None:
            _write_labels(image, colours, labels, cell)
    else:
        # Reduce the values first and shade the few pixels left: a 12-megapixel photo
        # shown 1400 px wide is shaded from 1.5 million values, not 12 million.
        size = (max(1, round(cols * cell_px)), max(1, round(rows * cell_px)))
        reduced_fills = tuple(
            Fill(_reduce(fill.mask.astype(np.float32), size) >= 0.5, fill.colour) for fill in fills
        )
        image = _fill(shade(_reduce(values, size), shading), reduced_fills)
    for outline in outlines:
        _draw_outline(image, outline, cell_px)
    return GridPicture(image, cell_px, labels, (rows, cols))


def render_channels(
    channels: Sequence[Callable[[], np.ndarray]],
    shape: tuple[int, int],
    shading: Shading = PIXEL_SHADING,
    cell_px: float | None = None,
) -> GridPicture:
    """Draw a grid given one function per channel that returns that channel's (H, W) values.

    For a grid too big to draw cell by cell (a 12-megapixel result), this reduces one
    channel at a time, so only one full-size channel is ever in memory; the picture is
    the one ``render_grid`` draws from the stacked channels. ``cell_px`` as in ``render_grid``
    (by default the screen's ``cell_size``).
    """
    rows, cols = shape
    if cell_px is None:
        cell_px = cell_size(shape, labelled=False)
    if cell_px >= 1 or rows == 0 or cols == 0:
        values = [channel() for channel in channels]
        return render_grid(
            values[0] if len(values) == 1 else np.stack(values, axis=-1), shading, cell_px=cell_px
        )
    size = (max(1, round(cols * cell_px)), max(1, round(rows * cell_px)))
    if len(channels) == 1:
        return GridPicture(shade(_reduce(channels[0](), size), shading), cell_px, None, (rows, cols))
    # Colour: each channel reduced and shaded before the next is read (colour shading is per channel).
    each = replace(shading, diverging=False)
    planes = [shade(_reduce(channel(), size), each)[..., 0] for channel in channels]
    return GridPicture(np.stack(planes, axis=-1), cell_px, None, (rows, cols))


def _fill(colours: np.ndarray, fills: tuple[Fill, ...]) -> np.ndarray:
    for fill in fills:
        colours[fill.mask] = fill.colour
    return colours


def _reduce(values: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Average ``values`` (H, W) or (H, W, C) down to ``size`` (width, height), channel by channel."""
    if values.ndim == 3:
        return np.stack([_reduce(values[..., channel], size) for channel in range(values.shape[2])], axis=-1)
    image = Image.fromarray(np.ascontiguousarray(values, dtype=np.float32), mode="F")
    return np.asarray(image.resize(size, Image.Resampling.BOX), dtype=np.float64)


def cell_at(
    geometry: Geometry, x: float, y: float, shown_width: float, shown_height: float
) -> tuple[int, int] | None:
    """The (row, col) of the cell under a click at (x, y) on a picture shown at the given size.

    Browsers report clicks in displayed pixels; the picture may be scaled to fit
    its column, and its cells may be enlarged or reduced. None when the click
    misses the grid.
    """
    if not np.all(np.isfinite([x, y, shown_width, shown_height])) or shown_width <= 0 or shown_height <= 0:
        return None
    if not (0 <= x < shown_width and 0 <= y < shown_height):  # off the picture (and no overflow below)
        return None
    col = int((x * geometry.width / shown_width) // geometry.cell_px)
    row = int((y * geometry.height / shown_height) // geometry.cell_px)
    rows, cols = geometry.grid_shape
    if 0 <= row < rows and 0 <= col < cols:
        return row, col
    return None


def _font_px(cell: int, longest_label: int) -> int:
    """Largest font that fits the longest label into a cell with a margin."""
    by_height = cell * 0.42
    by_width = cell * 0.86 / (0.64 * max(longest_label, 1))
    return max(6, int(min(by_height, by_width)))


_LABEL_MASKS = BoundedCache(max_bytes=32 * 1024 * 1024, max_entries=8192)
"""Rendered labels, shared by every grid drawn in the process (a few kB each)."""


def _label_mask(text: str, font_px: int) -> np.ndarray:
    """Coverage mask (0..1 float32) of ``text`` at ``font_px``: the same text is rendered once."""
    return _LABEL_MASKS.get_or_compute((text, font_px), lambda: _render_label(text, font_px))


def _render_label(text: str, font_px: int) -> np.ndarray:
    font = label_font(font_px)
    left, top, right, bottom = font.getbbox(text)
    canvas = Image.new("L", (max(1, right - left), max(1, bottom - top)), 0)
    ImageDraw.Draw(canvas).text((-left, -top), text, fill=255, font=font)
    mask = np.asarray(canvas, dtype=np.float32) / 255.0
    mask.flags.writeable = False
    return mask


@lru_cache(maxsize=64)
def label_font(font_px: int) -> ImageFont.FreeTypeFont:
    """DejaVu Sans at ``font_px`` pixels: the one font of every grid, animation and label."""
    return ImageFont.truetype(str(_FONT_PATH), font_px)


def label_inks(colours: np.ndarray) -> np.ndarray:
    """Text colour per cell: black or white, whichever has the higher WCAG contrast with the cell.

    ``colours`` is (..., 3) uint8; the result has the same shape.
    """
    srgb = np.asarray(colours, dtype=np.float64)[..., :3] / 255.0
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    luminance = linear @ np.array([0.2126, 0.7152, 0.0722])
    black_is_better = (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05)
    ink = np.where(black_is_better, 0, 255).astype(np.uint8)
    return np.repeat(ink[..., None], 3, axis=-1)


def _write_labels(image: np.ndarray, colours: np.ndarray, labels: np.ndarray, cell: int) -> None:
    """Write each label centred in its cell, in the colour that contrasts with the cell."""
    longest = max((len(text) for text in labels.ravel()), default=1)
    font_px = _font_px(cell, longest)
    inks = label_inks(colours).astype(np.float32)
    for (row, col), text in np.ndenumerate(labels):
        if not text:
            continue
        mask = _label_mask(text, font_px)
        height, width = mask.shape
        top = row * cell + (cell - height) // 2
        left = col * cell + (cell - width) // 2
        region = image[top : top + height, left : left + width]
        alpha = mask[: region.shape[0], : region.shape[1], None]
        region[...] = np.rint(region * (1 - alpha) + inks[row, col] * alpha).astype(np.uint8)


@dataclass(frozen=True)
class OutlineBox:
    """Where an outline's frame lies on a picture ``width`` x ``height`` pixels: its edges in picture
    pixels, its colour and line. The page draws it over the picture in the browser (the picture itself
    then never changes with the pixel looked at); prints and animations draw it into the picture."""

    top: int
    bottom: int
    left: int
    right: int
    width: int
    height: int
    colour: RGB
    line: str


def outline_box(geometry: Geometry, outline: Outline) -> OutlineBox:
    """The frame of ``outline`` on a picture of ``geometry``: around its cells, grown to a size that
    can be seen on a big photo, kept inside the picture (exactly where ``with_outlines`` draws it)."""
    height, width = geometry.height, geometry.width
    smallest = max(12, max(height, width) // 50)
    top, bottom = _span(outline.top, outline.rows, geometry.cell_px, smallest)
    left, right = _span(outline.left, outline.cols, geometry.cell_px, smallest)
    top, left = max(0, min(top, height - 1)), max(0, min(left, width - 1))
    bottom, right = max(top + 1, min(bottom, height)), max(left + 1, min(right, width))
    return OutlineBox(top, bottom, left, right, width, height, outline.colour, outline.line)


def _draw_outline(image: np.ndarray, outline: Outline, cell_px: float) -> None:
    """A thick coloured frame, solid or dashed, with a thin black inner line: visible on any background.

    On a big photo a pixel or a 3x3 window is only a few picture pixels wide: the
    frame then grows around it to a size that can be seen. A dashed frame leaves the
    cells showing in its gaps; its black inner line stays whole.
    """
    height, width = image.shape[:2]
    box = outline_box(Geometry(width, height, cell_px, (0, 0)), outline)
    top, bottom, left, right = box.top, box.bottom, box.left, box.right
    thickness = max(2, round(max(cell_px, 1) / 10), max(height, width) // 300)
    frame = image[top:bottom, left:right]
    rows, cols = frame.shape[:2]
    dashed = outline.line == "dashed"
    across = _dashes(cols, thickness) if dashed else slice(None)
    down = _dashes(rows, thickness) if dashed else slice(None)
    frame[:thickness, across] = outline.colour
    frame[max(0, rows - thickness) :, across] = outline.colour
    frame[down, :thickness] = outline.colour
    frame[down, max(0, cols - thickness) :] = outline.colour
    inner = frame[thickness : rows - thickness, thickness : cols - thickness]
    if inner.size:
        inner[[0, -1], :] = 0
        inner[:, [0, -1]] = 0


def _dashes(length: int, thickness: int) -> np.ndarray:
    """Which of ``length`` pixels along an edge a dashed line covers (bool, shape (length,)).

    Dashes are about three line widths long with gaps of about two, spread evenly so
    that a dash ends at each corner and every gap is at least one line width.
    """
    dash, gap = 3 * thickness, 2 * thickness
    count = max(2, round((length + gap) / (dash + gap)))
    dash = max(1, min(dash, (length - (count - 1) * thickness) // count))
    covered = np.zeros(length, dtype=bool)
    for start in np.rint(np.linspace(0, length - dash, count)).astype(int):
        covered[max(0, start) : start + dash] = True
    return covered


def _span(first: int, count: int, cell_px: float, smallest: int) -> tuple[int, int]:
    """Start and end, in picture pixels, of ``count`` cells from ``first``, at least ``smallest`` long."""
    start, end = round(first * cell_px), round((first + count) * cell_px)
    if end - start < smallest:
        middle = (start + end) // 2
        start, end = middle - smallest // 2, middle + smallest - smallest // 2
    return start, end


def colour_legend(shading: Shading, width: int = 600, height: int = 56) -> np.ndarray:
    """A horizontal colour bar with its low, 0 (when signed) and high values written under it."""
    bar_height = height // 2
    ramp = np.linspace(shading.low, shading.high, width)[None, :].repeat(bar_height, axis=0)
    bar = shade(ramp, shading)
    canvas = Image.new("RGB", (width, height), (255, 255, 255))
    canvas.paste(Image.fromarray(bar), (0, 0))
    draw = ImageDraw.Draw(canvas)
    font = label_font(max(10, height // 4))
    ticks = [(0, shading.low, "la"), (width - 1, shading.high, "ra")]
    if shading.diverging:
        ticks.append((width // 2, 0.0, "ma"))
    for x, value, anchor in ticks:
        draw.line([(x, bar_height), (x, bar_height + 4)], fill=(0, 0, 0), width=1)
        draw.text((x, bar_height + 5), format_value(value), fill=(0, 0, 0), font=font, anchor=anchor)
    return np.asarray(canvas)
