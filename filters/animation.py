"""The two steppers as animated GIF or WebP files: one frame per step, as the page plays them.

"Slide the filter": the input (with its zero padding) and the 3x3 window outlined on it, and
the filtered grid filling in cell by cell in reading order. "Pool step by step": the filtered
grid with the 2x2 window (and the value max pooling keeps) outlined, and the pooled grid
filling in. Under the grids, one line with the step's arithmetic in the core's own words.

A 28 x 28 image gives 676 frames, so no frame is drawn whole: ``filters.drawing`` draws each
grid once, the colours are fixed once in a palette, and a frame is an array of palette
indices to which its step pastes one cell, the outlines and its line of text. The GIF is
written frame by frame, each as the box that changed, and libwebp is handed the frames one
at a time as it asks for them: memory holds a few frames, however many steps there are.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from PIL import GifImagePlugin, Image, ImageDraw

from filters.drawing import (
    CHOSEN,
    GRID_LINE,
    HIGHLIGHT,
    NOT_YET_FILL,
    PADDING_FILL,
    PIXEL_SHADING,
    Fill,
    GridPicture,
    Outline,
    Shading,
    label_font,
    output_shading,
    render_grid,
    shade,
    value_labels,
    wants_labels,
    with_outlines,
)
from filters.numbers import format_value
from filters.pipeline import FilterResult
from filters.prints import file_stem
from filters.stepping import Region, input_region, padded_crop, pool_text
from filters.walkthrough import (
    STEPPER_LIMIT,
    VIEW_POOL,
    VIEW_SLIDE,
    channel_note,
    channel_of,
    pooling_steps,
    walk_pixel,
)

AnimationFormat = Literal["gif", "webp"]
MIME_TYPES: dict[str, str] = {"gif": "image/gif", "webp": "image/webp"}
STEP_MS = 200
"""Time on each step: 5 steps a second, a 28 x 28 image in a little over two minutes."""
HOLD_MS = 3000
"""Time on the last step: the finished grid stays a moment before the animation starts again."""
MAX_FRAME_SIDE = 1100
"""Longest side of a frame (unless its line of text is longer): a 28 x 28 image gets 20 px cells."""
LARGEST_CELL_PX = 48
"""Cells of small grids (the lecture's 4 x 4 pixels) are not drawn larger than this."""
CAPTION_PX = 16
"""Size of the text under the grids."""

_MARGIN = 8
_UNCHANGED = 255
"""Palette index of the GIF's transparent pixels, those equal to the frame before's."""
_SENTINEL = (1, 2, 3)
"""A colour no outline is drawn in: where a picture of an outline differs from it, the outline is."""


@dataclass(frozen=True)
class FrameLayout:
    """Where the grids lie in every frame, in pixels.

    ``input_at`` is the (x, y) of the upper-left corner of the left grid (the input, or the
    filtered grid being pooled), ``output_at`` that of the right grid; ``caption_top`` is the
    first row of the line of text.
    """

    cell_px: int
    input_at: tuple[int, int]
    output_at: tuple[int, int]
    caption_top: int


@dataclass(frozen=True)
class Animation:
    """An animation file and what it holds.

    Attributes
    ----------
    data : bytes
        The file.
    frame_count : int
        One frame per step; the last one is shown longer (``HOLD_MS``), not repeated.
    size : tuple of int
        Width and height in pixels.
    mime, file_name : str
        For a download button: ``"image/gif"``, ``"slide-the-filter.gif"``.
    layout : FrameLayout
    captions : tuple of str
        The line of text under each frame: the animation told in words.
    """

    data: bytes = field(repr=False)
    frame_count: int
    size: tuple[int, int]
    mime: str
    file_name: str
    layout: FrameLayout
    captions: tuple[str, ...] = field(repr=False)


@dataclass(frozen=True, eq=False)
class _Grid:
    """Values drawn as a grid, their shading, and cells drawn flat (zero padding)."""

    values: np.ndarray
    shading: Shading
    fills: tuple[Fill, ...] = ()

    @property
    def labels(self) -> np.ndarray | None:
        """The values written in the cells, where the page writes them."""
        return value_labels(self.values) if wants_labels(self.values.shape) else None


@dataclass(frozen=True)
class _Step:
    """One frame: the outlines on the left grid, the right grid's cell it fills, its line of text."""

    outlines: tuple[Outline, ...]
    cell: tuple[int, int]
    caption: str


def convolution_animation(
    result: FilterResult,
    region: Region,
    channel: int = 0,
    fmt: AnimationFormat = "gif",
    *,
    step_ms: int = STEP_MS,
    hold_ms: int = HOLD_MS,
) -> Animation:
    """The "Slide the filter" stepper over ``region`` of the output (one channel of a colour image).

    Frame k outlines the 3x3 input window of output pixel ``region.cell(k)`` and shows the
    output cells 0..k in their colours and values (cell k outlined), the others ``NOT_YET_FILL``.

    Raises
    ------
    ValueError
        If the region is empty or larger than ``STEPPER_LIMIT`` a side (take the steppers'
        ``filters.walkthrough.convolution_region``), or ``fmt`` or a duration is not valid.
    """
    _check(region, fmt, step_ms, hold_ms)
    inputs, padded = padded_crop(channel_of(result.image, channel), input_region(region, result.padding))
    # The region alone as a result of its own: the same windows (zero padding included) and the
    # same sums, so walk_pixel writes the same lines without reading a 12-megapixel photo per step.
    alone = replace(
        result,
        image=inputs.astype(np.uint8),
        raw=channel_of(result.raw, channel)[region.slices()],
        padding="valid",
    )
    note = channel_note(result, channel)
    steps = []
    for step in range(region.count):
        row, col = region.cell(step)
        at = (row - region.top, col - region.left)
        walk = walk_pixel(alone, *at)
        total = format_value(walk.raw_value) if result.weight == 1 else walk.weight_line
        caption = (
            f"Step {step + 1} of {region.count}{note}: row {row}, column {col}: "
            f"sum {total} → {walk.mapping_line}"
        )
        steps.append(_Step((Outline(*at, 3, 3),), at, caption))
    return _animate(
        _Grid(inputs, PIXEL_SHADING, (Fill(padded, PADDING_FILL),)),
        _Grid(channel_of(result.mapped(region.slices()), channel), output_shading(result.mapping)),
        steps,
        f"{file_stem(VIEW_SLIDE)}.{fmt}",
        fmt,
        (step_ms, hold_ms),
    )


def pooling_animation(
    result: FilterResult,
    region: Region,
    channel: int = 0,
    fmt: AnimationFormat = "gif",
    *,
    step_ms: int = STEP_MS,
    hold_ms: int = HOLD_MS,
) -> Animation:
    """The "Pool step by step" stepper over ``region`` of the filtered image (see ``pooling_region``).

    Frame k outlines the k-th 2x2 window (and, for max pooling, the value it keeps, dashed in
    ``CHOSEN``) and shows the pooled cells 0..k in their colours and values, the others
    ``NOT_YET_FILL``.

    Raises
    ------
    ValueError
        If the region holds no 2x2 window or is larger than ``STEPPER_LIMIT`` a side, or
        ``fmt`` or a duration is not valid.
    """
    _check(region, fmt, step_ms, hold_ms)
    values = channel_of(result.mapped(region.slices()), channel)
    windows = pooling_steps(values, result.pool_kind)
    if not windows:
        raise ValueError(f"A {region.rows} x {region.cols} region holds no 2 x 2 pooling window.")
    pooled = np.array([window.value for window in windows]).reshape(windows[-1].out_row + 1, -1)
    note = channel_note(result, channel)
    steps = []
    for number, window in enumerate(windows, start=1):
        outlines = (Outline(window.top, window.left, 2, 2),)
        if result.pool_kind == "max":
            kept_row, kept_col = window.chosen
            outlines += (Outline(window.top + kept_row, window.left + kept_col, colour=CHOSEN),)
        caption = (
            f"Step {number} of {len(windows)}{note}: pooled row {region.top // 2 + window.out_row}, "
            f"column {region.left // 2 + window.out_col}: {pool_text(window, result.pool_kind)}"
        )
        steps.append(_Step(outlines, (window.out_row, window.out_col), caption))
    shading = output_shading(result.mapping)
    return _animate(
        _Grid(values, shading),
        _Grid(pooled, shading),
        steps,
        f"{file_stem(VIEW_POOL)}.{fmt}",
        fmt,
        (step_ms, hold_ms),
    )


def _check(region: Region, fmt: str, step_ms: int, hold_ms: int) -> None:
    if not (0 < region.rows <= STEPPER_LIMIT and 0 < region.cols <= STEPPER_LIMIT):
        raise ValueError(
            f"Animations walk regions of 1 to {STEPPER_LIMIT} pixels a side, not {region.rows} x "
            f"{region.cols}: take the steppers' (filters.walkthrough.convolution_region, pooling_region)."
        )
    if fmt not in MIME_TYPES:
        raise ValueError(f"fmt must be one of {list(MIME_TYPES)}; got {fmt!r}.")
    if min(step_ms, hold_ms) < 20:
        # GIF delays are in hundredths of a second, and browsers slow shorter ones down to 100 ms.
        raise ValueError(f"Frames are shown at least 20 ms; got {step_ms} and {hold_ms}.")


# ---- Frames ------------------------------------------------------------------------------------


def _animate(
    left: _Grid,
    right: _Grid,
    steps: list[_Step],
    file_name: str,
    fmt: AnimationFormat,
    durations_ms: tuple[int, int],
) -> Animation:
    """Draw the board once, then encode one frame per step."""
    board = _board(left, right, steps)
    step_ms, hold_ms = durations_ms
    durations = [step_ms] * (len(steps) - 1) + [hold_ms]
    data = (_gif if fmt == "gif" else _webp)(_frames(board, steps), board.palette, durations)
    height, width = board.blank.shape
    captions = tuple(step.caption for step in steps)
    return Animation(data, len(steps), (width, height), MIME_TYPES[fmt], file_name, board.layout, captions)


@dataclass(frozen=True, eq=False)
class _Stamp:
    """An outline as palette indices, pasted where ``mask`` is True (a dashed one leaves gaps)."""

    mask: np.ndarray
    indices: np.ndarray


@dataclass(frozen=True, eq=False)
class _Board:
    """What every frame is made of, drawn once, as palette indices (uint8 arrays).

    ``blank`` is a frame before any step: the left grid drawn, no right cell reached, no text;
    ``done`` the right grid with every cell reached; ``stamps`` the outlines by kind (at the
    origin); ``text_indices`` the palette index of each gray level the text is drawn in.
    """

    layout: FrameLayout
    palette: np.ndarray
    blank: np.ndarray
    done: np.ndarray
    stamps: dict[Outline, _Stamp]
    text_indices: np.ndarray
    caption_size: tuple[int, int]


def _board(left: _Grid, right: _Grid, steps: list[_Step]) -> _Board:
    """Draw both grids with ``filters.drawing``, fix the palette and lay the frame out."""
    cell = _cell_px(left.values.shape, right.values.shape)
    left_picture = render_grid(left.values, left.shading, labels=left.labels, cell_px=cell, fills=left.fills)
    done = render_grid(right.values, right.shading, labels=right.labels, cell_px=cell).image
    every_cell = Fill(np.ones(right.values.shape, dtype=bool), NOT_YET_FILL)
    not_yet = render_grid(right.values, right.shading, cell_px=cell, fills=(every_cell,)).image
    palette = _palette(
        [left_picture.image, done, not_yet],
        [shade(left.values, left.shading), shade(right.values, right.shading)],
    )

    (left_height, left_width), right_height = left_picture.image.shape[:2], done.shape[0]
    grids_height = max(left_height, right_height)
    caption_width = max(label_font(CAPTION_PX).getlength(step.caption) for step in steps)
    width = 2 * _MARGIN + max(left_width + cell + done.shape[1], round(caption_width))
    layout = FrameLayout(
        cell,
        input_at=(_MARGIN, _MARGIN + (grids_height - left_height) // 2),
        output_at=(_MARGIN + left_width + cell, _MARGIN + (grids_height - right_height) // 2),
        caption_top=2 * _MARGIN + grids_height,
    )
    caption_size = (width, round(CAPTION_PX * 1.6))
    text_indices = _gray_indices(palette)
    blank = np.full((layout.caption_top + caption_size[1] + _MARGIN // 2, width), text_indices[255], np.uint8)
    _paste(blank, layout.input_at, _indices(left_picture.image, palette))
    _paste(blank, layout.output_at, _indices(not_yet, palette))
    kinds = {_kind(outline) for step in steps for outline in step.outlines} | {Outline(0, 0)}
    stamps = {kind: _stamp(left_picture, kind, palette) for kind in kinds}
    return _Board(layout, palette, blank, _indices(done, palette), stamps, text_indices, caption_size)


def _gray_indices(palette: np.ndarray) -> np.ndarray:
    """The palette index of each gray level 0..255: the text is drawn in grays."""
    grays = np.repeat(np.arange(256, dtype=np.uint8)[:, None, None], 3, axis=2)
    return _indices(grays, palette)[:, 0]


def _cell_px(left_shape: tuple[int, ...], right_shape: tuple[int, ...]) -> int:
    """Cells as large as fit ``MAX_FRAME_SIDE`` with both grids side by side, a cell apart."""
    columns = left_shape[1] + 1 + right_shape[1]
    rows = max(left_shape[0], right_shape[0])
    across = (MAX_FRAME_SIDE - 2 * _MARGIN) // columns
    down = (MAX_FRAME_SIDE - 3 * _MARGIN - 2 * CAPTION_PX) // rows
    return min(LARGEST_CELL_PX, across, down)


def _kind(outline: Outline) -> Outline:
    """The outline moved to the origin: its size and colour, which its stamp depends on."""
    return replace(outline, top=0, left=0)


def _stamp(picture: GridPicture, kind: Outline, palette: np.ndarray) -> _Stamp:
    """Draw an outline of ``kind`` once with ``filters.drawing``, in the middle of ``picture``'s grid.

    Both grids of a frame have the same cells, so an outline looks the same on either.
    """
    rows, cols = picture.grid_shape
    top, left = (rows - kind.rows) // 2, (cols - kind.cols) // 2
    blank = np.empty_like(picture.image)
    blank[...] = _SENTINEL
    drawn = with_outlines(replace(picture, image=blank), (replace(kind, top=top, left=left),)).image
    cell = int(picture.cell_px)
    box = drawn[top * cell : (top + kind.rows) * cell, left * cell : (left + kind.cols) * cell]
    return _Stamp((box != _SENTINEL).any(axis=2), _indices(box, palette))


def _frames(board: _Board, steps: list[_Step]) -> Iterator[np.ndarray]:
    """Each step's frame: the right cells reached so far, the step's outlines and its line of text."""
    layout, cell = board.layout, board.layout.cell_px
    reached = board.blank.copy()
    font = label_font(CAPTION_PX)
    for step in steps:
        row, col = step.cell
        cell_pixels = board.done[row * cell : (row + 1) * cell, col * cell : (col + 1) * cell]
        _paste(reached, (layout.output_at[0] + col * cell, layout.output_at[1] + row * cell), cell_pixels)
        frame = reached.copy()
        for outline in step.outlines:
            _press(frame, layout.input_at, outline, board.stamps[_kind(outline)], cell)
        _press(frame, layout.output_at, Outline(row, col), board.stamps[Outline(0, 0)], cell)
        text = Image.new("L", board.caption_size, 255)
        ImageDraw.Draw(text).text((_MARGIN, text.height // 2), step.caption, fill=0, font=font, anchor="lm")
        frame[layout.caption_top : layout.caption_top + text.height] = board.text_indices[np.asarray(text)]
        yield frame


def _paste(canvas: np.ndarray, at: tuple[int, int], picture: np.ndarray) -> None:
    x, y = at
    canvas[y : y + picture.shape[0], x : x + picture.shape[1]] = picture


def _press(frame: np.ndarray, grid_at: tuple[int, int], outline: Outline, stamp: _Stamp, cell: int) -> None:
    """Paste ``stamp`` on the cells of ``outline`` in the grid drawn at ``grid_at``."""
    x, y = grid_at[0] + outline.left * cell, grid_at[1] + outline.top * cell
    target = frame[y : y + stamp.mask.shape[0], x : x + stamp.mask.shape[1]]
    target[stamp.mask] = stamp.indices[stamp.mask]


# ---- Colours ------------------------------------------------------------------------------------


def _packed(rgb: np.ndarray) -> np.ndarray:
    rgb = rgb.astype(np.int32)
    return (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]


def _unpacked(packed: np.ndarray) -> np.ndarray:
    return np.stack([(packed >> 16) & 255, (packed >> 8) & 255, packed & 255], axis=-1).astype(np.uint8)


def _by_use(colours: list[np.ndarray]) -> list[int]:
    """The colours of some (..., 3) arrays, packed, the most used first."""
    packed, counts = np.unique(np.concatenate([_packed(c).ravel() for c in colours]), return_counts=True)
    return packed[np.argsort(-counts, kind="stable")].tolist()


def _palette(pictures: list[np.ndarray], cells: list[np.ndarray]) -> np.ndarray:
    """The 255 colours of every frame, shape (255, 3) or fewer: the outline and fill colours, every
    cell's colour (the most frequent first, should there be more), then the pictures' most used
    other colours (the edges of the written values)."""
    fixed = np.array([HIGHLIGHT, CHOSEN, (0, 0, 0), (255, 255, 255), GRID_LINE, PADDING_FILL, NOT_YET_FILL])
    ranked = dict.fromkeys([*_by_use([fixed]), *_by_use(cells), *_by_use(pictures)])
    return _unpacked(np.array(list(ranked)[:_UNCHANGED]))


def _indices(rgb: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """The palette index of every pixel of ``rgb`` (H, W, 3): its own colour, or the nearest.

    ``Image.quantize`` looks colours up at 6 bits a channel, so that close grays such as 100
    and 101 may share an entry; matched here in full, every colour of the palette stays exact.
    """
    colours, inverse = np.unique(_packed(rgb), return_inverse=True)
    components, entries = _unpacked(colours).astype(float), palette.astype(float)
    distances = (entries**2).sum(axis=1) - 2 * components @ entries.T
    return distances.argmin(axis=1).astype(np.uint8)[inverse].reshape(rgb.shape[:2])


# ---- Files --------------------------------------------------------------------------------------


def _paletted(indices: np.ndarray, palette: np.ndarray | None = None) -> Image.Image:
    """A "P" image of the indices, with ``palette`` (a GIF's later frames need none)."""
    height, width = indices.shape
    image = Image.frombytes("P", (width, height), np.ascontiguousarray(indices).tobytes())
    if palette is not None:
        image.putpalette(palette.tobytes())
    return image


def _gif(frames: Iterator[np.ndarray], palette: np.ndarray, durations: list[int]) -> bytes:
    """A looping GIF, each frame after the first written as the box that changed.

    Pillow's own writer keeps every frame until the end (about 400 MB for the 676 frames of a 28 x 28
    image) and compares them whole; its GIF helpers write one frame at a time.
    """
    out = io.BytesIO()
    colour_table = np.zeros((256, 3), dtype=np.uint8)  # all 256 entries, so that _UNCHANGED is one
    colour_table[: len(palette)] = palette
    previous = None
    for frame, duration in zip(frames, durations, strict=True):
        if previous is None:
            image = _paletted(frame, colour_table)
            header, _ = GifImagePlugin.getheader(image, info={"loop": 0})
            out.write(b"".join(header))
            offset, params = (0, 0), {"duration": duration}
        else:
            changed = frame != previous
            top, bottom, left, right = _box(changed)
            box = (slice(top, bottom), slice(left, right))
            image = _paletted(np.where(changed[box], frame[box], _UNCHANGED).astype(np.uint8))
            offset = (left, top)
            params = {"duration": duration, "transparency": _UNCHANGED, "disposal": 1}
        out.write(b"".join(GifImagePlugin.getdata(image, offset, **params)))
        previous = frame
    out.write(b";")
    return out.getvalue()


def _box(changed: np.ndarray) -> tuple[int, int, int, int]:
    """Top, bottom, left and right of the changed pixels (one pixel when none changed)."""
    rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
    if rows.size == 0:
        return 0, 1, 0, 1
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def _webp(frames: Iterator[np.ndarray], palette: np.ndarray, durations: list[int]) -> bytes:
    """A looping lossless WebP. libwebp finds each frame's changed box itself; no key frames
    after the first (browsers play in order), and the least effort that still compresses well."""
    images = (_paletted(frame, palette) for frame in frames)
    first = next(images)
    more = [_FramesOnDemand(images, len(durations) - 1)] if len(durations) > 1 else []
    out = io.BytesIO()
    first.save(
        out,
        format="WEBP",
        save_all=True,
        append_images=more,
        lossless=True,
        quality=0,
        method=1,
        kmax=0,
        duration=durations,
        loop=0,
    )
    return out.getvalue()


class _FramesOnDemand(Image.Image):
    """Frames drawn only when Pillow's writer seeks to them, in order: one in memory at a time.

    Pillow writes a multi-frame image by seeking to each frame in turn (``n_frames``, ``seek``),
    as it does for a GIF it read; each frame's pixels, mode and size are set as Pillow's image
    plugins set theirs.
    """

    def __init__(self, frames: Iterator[Image.Image], count: int) -> None:
        super().__init__()
        self.n_frames = count
        self._frames = frames
        self._position = -1

    def seek(self, frame: int) -> None:
        if frame == self._position:
            return
        if frame != self._position + 1:
            raise EOFError("These frames are drawn in order, one after the other.")
        image = next(self._frames)
        self.im, self._mode, self._size, self.palette = image.im, image.mode, image.size, image.palette
        self._position = frame

    def tell(self) -> int:
        return self._position
