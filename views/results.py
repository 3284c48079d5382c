"""Section "Filter, then pool": original, filtered and pooled grids side by side with their sizes.

The filtered grid is clickable: a click selects the pixel that section 3
explains. The grids outline what section 3 is looking at.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from filters.convolution import ImageTooSmall, check_fits
from filters.describe import (
    HELD_BACK_PIXEL,
    HELD_BACK_POOLED,
    HELD_BACK_SIZES,
    legend_words,
    mapping_in_text,
    results_alts,
)
from filters.drawing import (
    PIXEL_SHADING,
    Geometry,
    Outline,
    Shading,
    colour_legend,
    outline_box,
    output_shading,
    render_channels,
    render_grid,
    to_png,
    value_labels,
    wants_labels,
)
from filters.pipeline import FilterResult
from filters.predict import size_questions
from filters.recipe import FilterRecipe, ImageRecipe, working_pixels
from filters.walkthrough import CHANNEL_NAMES, Marks, size_story
from views import state
from views.exports import grid_download, result_later
from views.image_source import ChosenImage
from views.kernel_editor import KernelChoice
from views.loading import PICTURES, PNGS, filter_result
from views.options import Options
from views.pick_image import pick_image
from views.predict import guess_ui, predicting, result_of, verdict_line
from views.safely import safely
from views.text import plain


@dataclass(frozen=True)
class Panel:
    """One grid of the results row: what it depends on (``key``), its title, values, shading and outlines."""

    key: tuple[str, ImageRecipe | FilterRecipe]
    title: str
    shape: tuple[int, ...]
    values: Callable[[], np.ndarray]
    shading: Shading
    outlines: tuple[Outline, ...]
    alt: str = ""
    clickable: bool = False
    covered: bool = False
    values_hidden: bool = False
    channel_values: Callable[[], list[Callable[[], np.ndarray]]] | None = None

    def channels(self) -> list[Callable[[], np.ndarray]]:
        """One function per channel returning its values (see ``render_channels``)."""
        if self.channel_values is not None:
            return self.channel_values()
        values = self.values()
        if values.ndim == 2:
            return [lambda: values]
        return [lambda channel=channel: values[..., channel] for channel in range(values.shape[2])]

    @property
    def size_text(self) -> str:
        rows, cols = self.shape[:2]
        return f"{cols} x {rows}"


@dataclass(frozen=True)
class DrawnGrid:
    """A grid drawn as PNG, with where its cells lie."""

    png: bytes
    geometry: Geometry


def draw_grid(panel: Panel, labelled: bool, label_channel: int) -> DrawnGrid:
    """The panel drawn as PNG once per recipe, without its outlines: they are drawn over it in the
    browser (``outline_css``), so looking at another pixel neither encodes nor sends a picture again."""
    picture_key = (panel.key, labelled, label_channel)

    def draw():
        if not labelled:  # big grids are reduced one channel at a time
            return render_channels(panel.channels(), panel.shape[:2], panel.shading)
        values = panel.values()
        return render_grid(values, panel.shading, labels=value_labels(values, label_channel))

    picture = PICTURES.get_or_compute(picture_key, draw)
    return DrawnGrid(PNGS.get_or_compute(picture_key, picture.png), picture.geometry)


FILTER_PAD_CELLS = 13
"""The first screen's filter pad column (12.5rem, 200 px) in readable cells of 15 px: the room it
takes from the grids' row (``filters.drawing.READABLE_CELLS_ACROSS``)."""

OUTLINE_PX = 3
COVER_COLOUR = "#8a8a8a"
"""The flat grey over a cell whose value the learner is guessing (predict first)."""
"""The width of an outline's coloured line on screen (a thin black line runs inside it)."""


def outline_css(
    container_key: str, geometry: Geometry, outlines: tuple[Outline, ...], covered: bool = False
) -> str:
    """CSS that draws ``outlines`` (one or two) over the picture at the top of the container
    ``container_key``, where ``with_outlines`` would draw them: each frame is placed in fractions of the
    picture's width (an absolute box's margins follow its container's width, and its height follows
    its aspect ratio), so it sits on the same cells at any size the picture is shown. ``covered``: the
    first outline's cells are hidden under a flat grey (its value is being guessed)."""
    if len(outlines) > 2:
        raise ValueError(f"a grid has two outlines at most (::before and ::after), not {len(outlines)}")
    rules = [f".st-key-{container_key} {{ position: relative; }}"]
    for outline, pseudo in zip(outlines, ("after", "before"), strict=False):
        box = outline_box(geometry, outline)
        width, height = box.right - box.left, box.bottom - box.top
        red, green, blue = box.colour
        rules.append(
            f".st-key-{container_key}::{pseudo} {{ content: ''; position: absolute; z-index: 2; "
            "pointer-events: none; box-sizing: border-box; top: 0; "
            f"left: {100 * box.left / box.width:.4f}%; margin-top: {100 * box.top / box.width:.4f}%; "
            f"width: {100 * width / box.width:.4f}%; aspect-ratio: {width} / {height}; "
            f"border: {OUTLINE_PX}px {box.line} rgb({red}, {green}, {blue}); "
            "box-shadow: inset 0 0 0 1px #000;"
            + (f" background: {COVER_COLOUR};" if covered and pseudo == "after" else "")
            + " }"
        )
    return " ".join(rules)


@dataclass(frozen=True)
class FirstScreen:
    """The row the page opens with: the original, the filter, the filtered and the pooled grid.

    Made before anything is drawn, so that the pictures come first on every screen while the
    controls that make them follow; each place is a keyed container that ``first_screen_css`` sizes.
    """

    original: DeltaGenerator
    filter: DeltaGenerator
    filtered: DeltaGenerator
    pooled: DeltaGenerator
    loading: DeltaGenerator

    @property
    def panels(self) -> list[DeltaGenerator]:
        return [self.original, self.filtered, self.pooled]


def first_screen_places() -> FirstScreen:
    """The first screen's row, its places in reading order: image, filter, filtered, pooled."""
    loading = st.empty()  # what is coming, said at once: the pictures follow the controls they depend on
    loading.caption(LOADING)
    row = st.container(horizontal=True, key=FIRST_SCREEN_ROW, gap="small")
    original, kernel = row.container(key="result_panel_0"), row.container(key=FILTER_COLUMN)
    filtered, pooled = row.container(key="result_panel_1"), row.container(key="result_panel_2")
    return FirstScreen(original, kernel, filtered, pooled, loading)


LOADING = "Filtering the image… the image, its filter, the filtered and the pooled grid appear here."


FIRST_SCREEN_ROW, FILTER_COLUMN = "first_screen", "filter_column"
FIRST_SCREEN_CHROME_PX = 250
"""What stands above and below the pictures on a first screen (the page's bar, the title, the
buttons, the captions): the pictures are at most as tall as the window less this, so all of each
fits on the first screen of a laptop (1366 x 768) and a projector (1920 x 1080)."""


def _item(key: str) -> str:
    """The flex item of the first screen's row that holds the container ``key`` (Streamlit wraps each)."""
    return f".st-key-{FIRST_SCREEN_ROW} > div:has(> .st-key-{key})"


def first_screen_css(shapes: list[tuple[int, ...]]) -> str:
    """CSS that sizes the first screen's row: the grids at one scale (the pooled grid is visibly a
    quarter), the tallest no taller than the window allows. On a phone the image and its filtered
    result share the first line; the filter and the pooled grid follow."""
    tallest = max(max(shape[0], 1) for shape in shapes)
    rules = [
        f"{_item(f'result_panel_{index}')} {{ flex: {max(shape[1], 1)} 1 0; min-width: 0; "
        f"max-width: calc((100vh - {FIRST_SCREEN_CHROME_PX}px) * {max(shape[1], 1) / tallest:.4f}); }}"
        for index, shape in enumerate(shapes)
    ]
    phone = [
        f".st-key-{FIRST_SCREEN_ROW} {{ flex-wrap: wrap; }}",
        f"{_item('result_panel_0')}, {_item('result_panel_1')} {{ flex: 1 1 40%; max-width: none; }}",
        f"{_item('result_panel_0')} {{ order: 1; }} {_item('result_panel_1')} {{ order: 2; }}",
        f"{_item(FILTER_COLUMN)} {{ order: 3; }}",
        f"{_item('result_panel_2')} {{ order: 4; flex: 0 1 35%; max-width: none; }}",
    ]
    return " ".join(
        [
            f".st-key-{FIRST_SCREEN_ROW} {{ flex-wrap: nowrap; align-items: flex-start; }}",
            f"{_item(FILTER_COLUMN)} {{ flex: 0 0 12.5rem; max-width: 12.5rem; }}",
            f".st-key-{FIRST_SCREEN_ROW} > div > [class*='st-key-result_panel_'] {{ width: 100%; }}",
            *rules,
            f"@media (max-width: 640px) {{ {' '.join(phone)} }}",
        ]
    )


def recipe_for(
    chosen: ChosenImage, kernel: KernelChoice, options: Options, max_side: int | None
) -> FilterRecipe:
    """Everything the result depends on, as a cache key."""
    return FilterRecipe(
        image=ImageRecipe(chosen.source, max_side, options.colour),
        kernel=FilterRecipe.kernel_key(kernel.values),
        weight=kernel.weight,
        padding=options.padding,
        mapping=options.mapping,
        pool_kind=options.pool_kind,
    )


def compute_result(
    chosen: ChosenImage, recipe: FilterRecipe, first_screen: FirstScreen | None = None
) -> FilterResult | None:
    """Filter the chosen image, or show it as it is, say why it cannot be filtered and return None."""
    try:
        check_fits(chosen.decoded.rgb.shape, recipe.padding)
    except ImageTooSmall as problem:
        _image_as_it_is(chosen, recipe, first_screen)
        with first_screen.filtered if first_screen is not None else st.container():
            st.error(plain(f"{chosen.title}: {problem}"), icon=":material/error:")
        return None
    return filter_result(recipe, chosen.decoded)


def _image_as_it_is(chosen: ChosenImage, recipe: FilterRecipe, first_screen: FirstScreen | None) -> None:
    """The image a filter cannot run on, drawn on its own (a 1 x 1 picture is still a picture)."""
    pixels = working_pixels(chosen.decoded, recipe.image.colour)
    rows, cols = pixels.shape[:2]
    labels = value_labels(pixels, 0) if wants_labels(pixels.shape) else None
    picture = render_grid(pixels, PIXEL_SHADING, labels=labels)
    alt = f"{chosen.title} as it is: {cols} x {rows} pixels, not filtered"
    if first_screen is not None:
        first_screen.loading.empty()
    with first_screen.original if first_screen is not None else st.container():
        caption = f"Original · {cols} x {rows} (not filtered)"
        st.image(picture.png(), caption=caption, alt=alt, width="stretch")
    if first_screen is not None:  # a small picture beside the message, not one filling the screen
        picture_item, message_item = _item("result_panel_0"), _item("result_panel_1")
        beside = f"{picture_item} {{ flex: 0 0 14rem; }} {message_item} {{ flex: 1 1 0; }}"
        st.html(f"<style>{beside}</style>")


def results_ui(
    title: str,
    note: str | None,
    recipe: FilterRecipe,
    result: FilterResult,
    options: Options,
    marks: Marks,
    pixel: tuple[int, int],
    first_screen: FirstScreen | None = None,
    held_back: frozenset[str] = frozenset(),
) -> None:
    """Draw the three grids of the image ``title`` with their sizes (``note``: how it was reduced, if
    it was), the colour legend and the values as tables; side by side they go in ``first_screen``'s
    places where the page made them. ``held_back`` (predict first): the pinned pixel's value is
    covered, or the sizes are asked for instead of shown (``filters.describe.HELD_BACK_*``)."""
    if first_screen is None:
        st.subheader("Filter, then pool")
    shading = output_shading(result.mapping)
    original_alt, filtered_alt, pooled_alt = results_alts(
        result, pixel, marks, options.label_channel, held_back
    )
    result_of = result_later(recipe)  # what the print downloads read, when they are made
    pool_title = "Max pooled" if result.pool_kind == "max" else "Average pooled"
    panels = [
        Panel(
            ("original", recipe.image),
            "Original",
            result.image.shape,
            lambda: result_of().image,
            PIXEL_SHADING,
            marks.original,
            alt=original_alt,
        ),
        Panel(
            ("filtered", recipe),
            f"Filtered ({mapping_in_text(result.mapping.key)})",
            result.raw.shape,
            lambda: result_of().mapped(),
            shading,
            marks.filtered,
            alt=filtered_alt,
            clickable=True,
            covered=HELD_BACK_PIXEL in held_back,
            channel_values=lambda: result_of().mapped_channels(),
        ),
        Panel(
            ("pooled", recipe),
            f"{pool_title} 2 x 2",
            result.pooled.shape,
            lambda: result_of().pooled,
            shading,
            marks.pooled,
            alt=pooled_alt,
            covered=HELD_BACK_PIXEL in held_back,
            values_hidden=HELD_BACK_POOLED in held_back,  # the window asked keeps one of them
        ),
    ]
    if HELD_BACK_SIZES in held_back:
        size_question_ui(result)
    else:
        size_story_ui(result)
    if note is not None:
        st.caption(note)
    widths = [max(panel.shape[1], 1) for panel in panels]
    sizes_shown = HELD_BACK_SIZES not in held_back
    # The grids are shown at one scale: the cells across the page are those of the row they share
    # (on the first screen with the filter pad's column), or the original's alone, one below the other.
    if options.stacked:
        cells_across = result.image.shape[1]
    else:
        cells_across = sum(widths) + (FILTER_PAD_CELLS if first_screen is not None else 0)
    if options.stacked:
        for panel in panels:
            draw_panel(
                panel, options, title, cells_across, relative_to=result.image.shape[1], sizes=sizes_shown
            )
    elif first_screen is not None:
        st.html(f"<style>{first_screen_css([panel.shape for panel in panels])}</style>")
        for place, panel in zip(first_screen.panels, panels, strict=True):
            with place:
                draw_panel(panel, options, title, cells_across, sizes=sizes_shown)
        first_screen.loading.empty()
    else:
        st.html(f"<style>{narrow_screen_widths(widths)}</style>")
        for index, (column, panel) in enumerate(zip(st.columns(widths, gap="small"), panels, strict=True)):
            with column.container(key=f"result_panel_{index}"):
                draw_panel(panel, options, title, cells_across, sizes=sizes_shown)
    if result.mapping.diverging:
        st.image(
            to_png(colour_legend(shading)),
            caption="Signed sums: blue below 0, mid-grey at 0, orange above"
            + (" (each colour channel: 0 is 128)" if result.is_colour else ""),
            width=600,
            output_format="PNG",
            alt=legend_words(result.mapping),
        )
    if held_back:
        st.caption("The values as tables follow your guess.")
    else:
        _value_tables(panels, options)


def size_question_ui(result: FilterResult) -> None:
    """Predict first: the size story asked width by width (28 -> ? -> ?) before it is told."""
    for question in size_questions(result.image.shape, result.padding):
        if result_of(question) is None:
            guess_ui(question, "size")
            return
        verdict_line(question)


def size_story_ui(result: FilterResult) -> None:
    """The sizes and what changed them, with the learner's guesses when they were asked for."""
    st.markdown(size_story(result))
    if predicting("size"):
        for question in size_questions(result.image.shape, result.padding):
            verdict_line(question)


def narrow_screen_widths(widths: list[int]) -> str:
    """CSS that keeps the grids at one scale on a phone, where the columns stack at full width:
    each panel as wide as its grid relative to the widest, so the pooled grid is visibly a quarter."""
    widest = max(widths)
    rules = " ".join(
        f".st-key-result_panel_{index} {{ width: {100 * width / widest:.1f}% !important; }}"
        for index, width in enumerate(widths)
    )
    return f"@media (max-width: 640px) {{ {rules} }}"


def draw_panel(
    panel: Panel,
    options: Options,
    image_title: str,
    cells_across: int,
    section: str = "results",
    relative_to: int | None = None,
    sizes: bool = True,
) -> None:
    """Draw one grid with its caption, alt text and print download (``cells_across``: the cells
    across the page at its scale, which decide whether its values are readable; ``section`` keeps
    the download's key apart from the same grid's in another section)."""
    rows, cols = panel.shape[:2]
    if rows == 0 or cols == 0:
        st.info(f"{panel.title}: the filtered image is too small for 2 x 2 pooling.")
        return
    labelled = options.write_values and not panel.values_hidden and wants_labels(panel.shape, cells_across)
    drawn = draw_grid(panel, labelled, options.label_channel)
    place = st.container()
    if relative_to is not None:
        # Stacked: keep every grid at the scale of the original, so the pooled grid looks a quarter.
        place, _ = st.columns([cols, max(relative_to - cols, 0) + 1e-6])
    caption = f"{panel.title} · {panel.size_text if sizes or panel.key[0] == 'original' else '? x ?'}"
    outlined = f"{section}_outlined_{panel.key[0]}" if panel.outlines else None  # a grid outlined once a page
    with place, st.container(key=outlined):
        if panel.clickable:
            pick_image(drawn.png, drawn.geometry, panel.alt)
            st.caption(f"{caption} · click a pixel to see its sum")
        else:
            st.image(drawn.png, caption=caption, width="stretch", output_format="PNG", alt=panel.alt)
        grid_download(
            f"{image_title} {panel.title} {panel.size_text}",
            values=panel.values,
            shading=panel.shading,
            key=f"{section}_{panel.title}",
            label=f"{panel.title.split(' (')[0]} as PNG",
            channels=panel.channels,
            shape=panel.shape,
            outlines=panel.outlines,
            label_channel=options.label_channel,
        )
        if outlined is not None:  # after the picture: the frame is placed from the container's top
            st.html(f"<style>{outline_css(outlined, drawn.geometry, panel.outlines, panel.covered)}</style>")


def _value_tables(panels: list[Panel], options: Options) -> None:
    """The same numbers as tables: for copying, for screen readers, and for checking."""
    if not all(wants_labels(panel.shape) for panel in panels):
        return
    channel = (
        f" ({CHANNEL_NAMES[options.label_channel].lower()} channel)" if len(panels[0].shape) == 3 else ""
    )
    _tables_ui(f"The values as tables{channel}", panels, options.label_channel)


@st.fragment
@safely
def _tables_ui(title: str, panels: list[Panel], label_channel: int) -> None:
    """The tables' expander, rerun alone when opened or closed; the tables are built only while it
    is open (three grids of text in a closed expander were a fifth of every rerun's cost)."""
    tables = st.expander(title, key=state.TABLES_OPEN, on_change="rerun")
    if not tables.open:
        return
    with tables:
        for tab, panel in zip(st.tabs([panel.title for panel in panels]), panels, strict=True):
            tab.dataframe(pd.DataFrame(value_labels(panel.values(), label_channel)), width="content")
