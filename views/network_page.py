"""The third page's sections: one item through the trained network, what it learnt, and how it learnt it.

Every number comes from the core (``filters.network``, ``filters.feature_maps``,
``filters.trained_network``); this module lays out widgets and pictures.
"""

from __future__ import annotations

import hashlib
import logging
import random
from dataclasses import dataclass

import numpy as np
import streamlit as st

from filters.describe import grid_words, kernel_words
from filters.drawing import PIXEL_SHADING as PIXELS
from filters.drawing import Geometry, Outline, montage, render_grid, to_png, value_labels
from filters.fashion_mnist import (
    CLASS_NAMES,
    ITEMS_PER_CLASS,
    FittedItem,
    find_item,
    fit_to_item,
    fixed_split,
    load_items,
)
from filters.feature_maps import (
    SCALE_KINDS,
    explain_map_pixel,
    learning_curves,
    map_scales,
    probability_chart,
    same_class_items,
)
from filters.images import fit_within, to_grayscale
from filters.keras_weights import read_first_layer
from filters.network import (
    DENSE_INPUTS,
    FILTERS,
    MAP_SIDE,
    MODEL_KINDS,
    MODEL_TITLES,
    POOLED_SIDE,
    Forward,
    Network,
    TrainingSettings,
    confusion_cell,
    confusion_matrix,
    forward,
)
from filters.numbers import format_value
from filters.trained_network import load_shipped
from filters.training_job import QueueFull, TrainingJob
from views import state
from views.image_source import UPLOADER_LIMIT_MB, decode_shown
from views.layer_page import positive_shading, signed_shading, step_mark_css
from views.loading import NETWORK_PNGS, NETWORK_RESULTS
from views.pick_image import pick_cell
from views.safely import BUG_MESSAGE, safely
from views.text import plain

_LOG = logging.getLogger(__name__)
ITEMS, FIRST_PAGES_IMAGE = state.NETWORK_SOURCES
SHIPPED, YOURS = "shipped", "yours"
WEIGHT_TYPES = ["h5", "keras", "npy", "npz"]
LABELLED_CELL_PX = 16
CONFUSION_CELL_PX = 40
MAP_CELL_PX = 24
SHELF_ITEMS = 18
"""At most this many items of a confusion matrix's cell are shown."""
FILTER_CELL_PX, MAP_TILE_CELL_PX, POOLED_TILE_CELL_PX = 40, 12, 24
SAME_ITEM_CELL_PX, SAME_POOLED_CELL_PX, SHELF_CELL_PX = 5, 11, 4
"""Cell sizes of the pictures drawn as one (``montage``): values are written in cells of 16 px or more."""
CURVES = "network_curves"
"""The container of the learning curves, whose epoch mark is placed by CSS."""
INVERT_CHOICES = dict(zip(state.NETWORK_INVERTS, (None, True, False), strict=True))
FIT_FROM_SIDE = 1024
"""The first page's image is worked at 28 x 28 from at most this many pixels a side ("Full size" can be
12 MP: a 28 x 28 item needs no more)."""


@dataclass(frozen=True, eq=False)
class ShownItem:
    """The item the page sends through the network: its 28 x 28 pixels and what is known of it."""

    pixels: np.ndarray
    title: str
    label: int | None
    """The true class, where known (one of the 900, or a picture that is exactly one of them)."""
    index: int | None
    fitted: FittedItem | None
    """How the first page's image was worked at 28 x 28 (None for one of the 900)."""
    source: str
    """Where it comes from: "item:N", or the first page's recipe source (an upload's frees its cache)."""

    @property
    def key(self) -> tuple[str, str]:
        """What a cache of its results is keyed by: its source and a full digest of its pixels."""
        return self.source, hashlib.sha256(self.pixels.tobytes()).hexdigest()


def init_network_state() -> None:
    """First values of the page's settings, and the link's item and epoch, taken once per session."""
    defaults = {
        state.NETWORK_SOURCE: ITEMS,
        state.NETWORK_INVERT: next(iter(INVERT_CHOICES)),
        state.NETWORK_CLASS: CLASS_NAMES.index("Ankle boot"),
        state.NETWORK_ITEM: 2,  # item 811, held out: never trained on
        state.NETWORK_EPOCH: load_shipped().settings.epochs,
        state.NETWORK_SCALE: SCALE_KINDS[1],
        state.NETWORK_MAP: 1,
        state.NETWORK_ROW: 8,  # map 1's strongest pixel on item 811
        state.NETWORK_COL: 18,
        state.NETWORK_SAME_FILTER: 1,
        state.NETWORK_SAME_FIRST: CLASS_NAMES.index("Ankle boot"),
        state.NETWORK_SAME_SECOND: CLASS_NAMES.index("Bag"),
        state.NETWORK_SEED: 1,
        state.NETWORK_RUN: SHIPPED,
        state.NETWORK_CONFUSION_CELL: (9, 9),
    }
    for key, value in defaults.items():
        st.session_state.setdefault(key, value)
    if not st.session_state.get(state.NETWORK_LINK_READ):
        st.session_state[state.NETWORK_LINK_READ] = True
        _take_link(defaults[state.NETWORK_EPOCH])


def _take_link(last_epoch: int) -> None:
    """``?item=N`` (0..899) and ``?epoch=E`` open that item at that epoch; anything else is ignored."""
    item, epoch = st.query_params.get("item", ""), st.query_params.get("epoch", "")
    if item.isdigit() and int(item) < len(CLASS_NAMES) * ITEMS_PER_CLASS:
        st.session_state[state.NETWORK_SOURCE] = ITEMS
        st.session_state[state.NETWORK_CLASS], number = divmod(int(item), ITEMS_PER_CLASS)
        st.session_state[state.NETWORK_ITEM] = number + 1
    if epoch.isdigit() and int(epoch) <= last_epoch:
        st.session_state[state.NETWORK_EPOCH] = int(epoch)


def _write_link(item: ShownItem, epoch: int) -> None:
    query = {}
    if item.index is not None and item.fitted is None:
        query["item"] = str(item.index)
    query["epoch"] = str(epoch)
    if query != st.query_params.to_dict():
        st.query_params.from_dict(query)


# ---- The page ----------------------------------------------------------------------------------------------


def network_page() -> None:
    """The page, top to bottom: item and prediction first, then filters and maps, then learning."""
    job: TrainingJob | None = st.session_state.get(state.NETWORK_JOB)
    own = st.session_state.get(state.NETWORK_OWN_LAYER)
    epochs = _shown_epochs(job)
    last = len(epochs) - 1
    if st.session_state[state.NETWORK_EPOCH] > last:
        st.session_state[state.NETWORK_EPOCH] = last
    top = st.columns([1, 1.25], gap="large")
    with top[0]:
        item = item_ui()
    epoch = int(st.session_state[state.NETWORK_EPOCH])
    network = epochs[epoch].network
    if own is not None and st.session_state[state.NETWORK_RUN] == SHIPPED:
        network = network.with_filters(*own.network_filters)
    digest = network.digest
    shown = _forward(network, digest, item)
    with top[1]:
        prediction_ui(shown, item, epoch, last)
    _write_link(item, epoch)
    key = (digest, *item.key)
    filters_ui(network, item, key)
    maps_ui(network, shown, key)
    same_class_ui(network, digest)
    learning_ui(job, epochs, epoch)
    pooling_keeps_ui()
    confusion_ui(epochs, epoch)
    own_layer_ui()


def _shown_epochs(job: TrainingJob | None) -> list:
    """The run the scrubber walks: the shipped one, or this session's finished "Train again" run."""
    if st.session_state[state.NETWORK_RUN] == YOURS and job is not None and job.finished:
        return job.epochs
    st.session_state[state.NETWORK_RUN] = SHIPPED
    return list(load_shipped().epochs)


def _forward(network: Network, digest: str, item: ShownItem) -> Forward:
    """The item through the network, kept by the network's and the item's full digests."""
    return NETWORK_RESULTS.get_or_compute((digest, *item.key), lambda: forward(network, item.pixels))


# ---- 1. The item -------------------------------------------------------------------------------------------


def item_ui() -> ShownItem:
    """Choose one of the 900 items, or take the first page's image worked at 28 x 28."""
    st.segmented_control("Item", (ITEMS, FIRST_PAGES_IMAGE), key=state.NETWORK_SOURCE, required=True)
    if st.session_state[state.NETWORK_SOURCE] == FIRST_PAGES_IMAGE:
        item = _first_pages_image()
    else:
        item = _one_of_the_900()
    grid(
        ("item", *item.key),
        item.pixels.astype(np.float64),
        PIXELS,
        f"{plain(item.title)} · 28 x 28, the network's input",
        16,
        st.container(width=440),
    )
    return item


def _one_of_the_900() -> ShownItem:
    row = st.container(horizontal=True, vertical_alignment="bottom")
    row.selectbox(
        "Class",
        range(len(CLASS_NAMES)),
        format_func=CLASS_NAMES.__getitem__,
        key=state.NETWORK_CLASS,
        width=170,
    )
    row.number_input(
        "Number", min_value=1, max_value=ITEMS_PER_CLASS, step=1, key=state.NETWORK_ITEM, width=120
    )
    row.button("Any item", on_click=_any_item, help="A random item of any class.")
    label = int(st.session_state[state.NETWORK_CLASS])
    index = label * ITEMS_PER_CLASS + int(st.session_state[state.NETWORK_ITEM]) - 1
    held_out = index in set(fixed_split().held_out.tolist())
    seen = "held out: the network never trained on it" if held_out else "one of the 720 it trained on"
    st.caption(f"Item {index} of the 900: {_a(CLASS_NAMES[label])}; {seen}.")
    title = f"Item {index} ({CLASS_NAMES[label]})"
    return ShownItem(load_items().images[index], title, label, index, None, f"item:{index}")


def _a(name: str) -> str:
    """ "an ankle boot", "a bag": a class name with its article, in lower case."""
    return f"{'an' if name[0] in 'AEIOU' else 'a'} {name.lower()}"


def _any_item() -> None:
    index = random.randrange(len(CLASS_NAMES) * ITEMS_PER_CLASS)
    st.session_state[state.NETWORK_CLASS], number = divmod(index, ITEMS_PER_CLASS)
    st.session_state[state.NETWORK_ITEM] = number + 1


def _first_pages_image() -> ShownItem:
    chosen = decode_shown()
    st.page_link(
        "one_filter.py", label="Choose a sample, draw or upload on the first page", icon=":material/image:"
    )
    st.segmented_control(
        "Dark and light",
        tuple(INVERT_CHOICES),
        key=state.NETWORK_INVERT,
        required=True,
        help="Fashion-MNIST's items are light on black: by its border, a picture on a light background "
        "is swapped.",
    )
    invert = INVERT_CHOICES[st.session_state[state.NETWORK_INVERT]]
    fitted = NETWORK_RESULTS.get_or_compute(
        ("fit", chosen.source, chosen.decoded.size, invert),
        lambda: fit_to_item(to_grayscale(fit_within(chosen.decoded.rgb, FIT_FROM_SIDE)), invert),
    )
    index = find_item(fitted.pixels)
    label = None if index is None else index // ITEMS_PER_CLASS
    with st.expander(f"How {plain(chosen.title)} became 28 x 28", expanded=not fitted.as_is):
        for step in fitted.steps:
            st.markdown(f"- {step}")
        source = fitted.source
        grid(
            ("fit-source", chosen.source, chosen.decoded.size),
            source,
            PIXELS,
            f"{plain(chosen.title)} as gray, {source.shape[1]} x {source.shape[0]}",
            None,
        )
    known = "" if label is None else f" (item {index}, {_a(CLASS_NAMES[label])})"
    return ShownItem(fitted.pixels, f"{chosen.title}{known}", label, index, fitted, chosen.source)


# ---- 2. The prediction -------------------------------------------------------------------------------------


def prediction_ui(shown: Forward, item: ShownItem, epoch: int, last: int) -> None:
    """The scrubber, what the network says, and the ten probabilities."""
    st.slider(
        "Epoch",
        min_value=0,
        max_value=last,
        key=state.NETWORK_EPOCH,
        help="Epoch 0 is the random start; each epoch the network sees the 720 training items once.",
    )
    predicted = shown.predicted
    verdict = ""
    if item.label is not None:
        verdict = (
            " — right." if predicted == item.label else f" — wrong: it is {_a(CLASS_NAMES[item.label])}."
        )
    st.markdown(
        f"After epoch **{epoch}** the network says **{CLASS_NAMES[predicted]}** "
        f"({format_value(shown.probabilities[predicted] * 100)}%){verdict}"
    )
    dark = st.context.theme.type == "dark"
    png = NETWORK_PNGS.get_or_compute(
        ("probabilities", hashlib.sha256(shown.probabilities.tobytes()).hexdigest(), item.label, dark),
        lambda: probability_chart(shown.probabilities, item.label, dark),
    )
    alt = "; ".join(
        f"{name} {format_value(probability * 100)}%"
        for name, probability in zip(CLASS_NAMES, shown.probabilities, strict=True)
    )
    st.image(
        png, caption="The ten class probabilities (softmax of the dense layer)", alt=f"Probabilities: {alt}."
    )


# ---- 3. The filters and the maps ---------------------------------------------------------------------------


def filters_ui(network: Network, item: ShownItem, key: tuple) -> None:
    """The 8 learnt filters with their biases, drawn as one picture; a click on one (or the box and the
    button) opens it on the first page."""
    st.subheader("The 8 learnt filters")
    st.caption(
        "Each multiplies a 3 x 3 window of the item by its nine values (no flip), × 1/255 (the lab divides "
        "the pixels by 255), then adds its bias. Blue is negative, orange positive. Click one to step "
        "through it on the first page, on this item."
    )
    kernels = [kernel.astype(np.float64) for kernel in network.kernels]
    titles = [f"Filter {index + 1} · bias {format_value(bias)}" for index, bias in enumerate(network.biases)]
    drawn = NETWORK_PNGS.get_or_compute(
        (*key, "filters"),
        lambda: montage(
            [
                render_grid(k, signed_shading(k), labels=value_labels(k), cell_px=FILTER_CELL_PX).image
                for k in kernels
            ],
            titles,
            columns=FILTERS,
        ).encoded(),
    )
    alt = "The 8 learnt filters, each × 1/255 then + its bias. " + " ".join(
        f"{title}: {kernel_words(kernel)}." for title, kernel in zip(titles, kernels, strict=True)
    )
    pick_cell(state.NETWORK_FILTER_PICK, drawn.png, drawn.geometry, alt,
              lambda _row, col: _open_on_first_page(kernels[col], item))  # fmt: skip
    row = st.container(horizontal=True, vertical_alignment="bottom")
    row.selectbox("Filter to step through", range(FILTERS), format_func=lambda i: titles[i],
                  key=state.NETWORK_OPEN_FILTER, width=220)  # fmt: skip
    row.button(
        "Step through it on the first page",
        key="network_open",
        on_click=lambda: _open_on_first_page(kernels[st.session_state[state.NETWORK_OPEN_FILTER]], item),
        help="The first page's inspector and steppers, with this filter and weight 1/255, on this item.",
    )


def _open_on_first_page(kernel: np.ndarray, item: ShownItem) -> None:
    """Hand the filter and the item to the first page (``page.py`` opens it); the item, already worked at
    28 x 28 and light on dark, is taken as it is if it comes back here as the first page's image."""
    if item.fitted is not None:
        st.session_state[state.NETWORK_INVERT] = state.NETWORK_INVERTS[2]  # "Keep"
    st.session_state[state.OPEN_ON_FIRST_PAGE] = state.FirstPageFilter(
        kernel.tolist(),
        f"{item.title.split(' (')[0].lower().replace(' ', '-')}-28x28.png",
        to_png(item.pixels),
        (int(st.session_state[state.NETWORK_ROW]) - 1, int(st.session_state[state.NETWORK_COL]) - 1),
    )


def maps_ui(network: Network, shown: Forward, key: tuple) -> None:
    """The 8 feature maps and the 8 pooled maps, each set drawn as one picture; a click on a map explains
    its pixels below."""
    st.subheader("8 feature maps (26 x 26, after ReLU) and 8 pooled maps (13 x 13)")
    st.segmented_control(
        "Colour scale",
        SCALE_KINDS,
        key=state.NETWORK_SCALE,
        required=True,
        help="Per map: each map's own largest value is white. Per layer: one scale for all 8, so maps "
        "compare (CNN Explainer's local and global).",
    )
    kind = st.session_state[state.NETWORK_SCALE]
    map_tops = map_scales(shown.maps, kind)
    pooled_tops = map_scales(shown.pooled, kind)
    for name, values, tops, cell_px in (
        ("maps", shown.maps, map_tops, MAP_TILE_CELL_PX),
        ("pooled", shown.pooled, pooled_tops, POOLED_TILE_CELL_PX),
    ):
        side = values.shape[1]
        titles = [f"Map {index + 1}" + (" pooled" if name == "pooled" else "") for index in range(FILTERS)]

        def draw(values=values, tops=tops, cell_px=cell_px, titles=titles):
            tiles = [
                render_grid(feature, _up_to(top), cell_px=cell_px,
                            labels=value_labels(feature) if cell_px >= LABELLED_CELL_PX else None).image
                for feature, top in zip(values, tops, strict=True)
            ]  # fmt: skip
            return montage(tiles, titles, columns=4, gap=16).encoded()

        drawn = NETWORK_PNGS.get_or_compute((*key, name, kind), draw)
        words = " ".join(grid_words(title, feature) for title, feature in zip(titles, values, strict=True))
        alt = f"{words} Click a map to explain its pixels."
        pick_cell(f"{state.NETWORK_MAPS_PICK}_{name}", drawn.png, drawn.geometry, alt, _pick_map)
        st.caption(
            f"{'Pooled maps' if name == 'pooled' else 'Feature maps'} 1 to 8, {side} x {side} each, "
            f"colour scale {kind}" + (": values written" if name == "pooled" else "") + "."
        )
    map_pixel_ui(network, shown, key, map_tops)


def _pick_map(row: int, col: int) -> None:
    st.session_state[state.NETWORK_MAP] = row * 4 + col + 1


def grid(
    key: tuple, values: np.ndarray, shading, caption: str, cell_px: int | None, place=None, alt: str = ""
) -> None:
    """Draw a grid with its caption and alt text, at ``cell_px`` pixels a cell (values written in cells of
    16 px or more; None: the app's own size for a picture, no values), drawn once per content."""

    def draw() -> bytes:
        labels = value_labels(values) if cell_px is not None and cell_px >= LABELLED_CELL_PX else None
        return render_grid(values, shading, labels=labels, cell_px=cell_px).png()

    png = NETWORK_PNGS.get_or_compute((*key, cell_px, shading), draw)
    alt = alt or grid_words(caption, values)
    (place or st.container()).image(png, caption=caption, width="stretch", alt=alt)


def _up_to(top: float):
    return positive_shading(np.array([top]))


@safely
@st.fragment
def map_pixel_ui(network: Network, shown: Forward, key: tuple, tops: list[float]) -> None:
    """A feature-map pixel's sum, term by term: click the map, or type its row and column."""
    st.markdown("**A pixel of a feature map, term by term.** Click a map's pixel, or type it.")
    boxes = st.container(horizontal=True, vertical_alignment="bottom")
    boxes.number_input("Map", min_value=1, max_value=FILTERS, step=1, key=state.NETWORK_MAP, width=110)
    boxes.number_input("Row", min_value=1, max_value=MAP_SIDE, step=1, key=state.NETWORK_ROW, width=110)
    boxes.number_input("Column", min_value=1, max_value=MAP_SIDE, step=1, key=state.NETWORK_COL, width=110)
    index = int(st.session_state[state.NETWORK_MAP]) - 1
    row, col = int(st.session_state[state.NETWORK_ROW]) - 1, int(st.session_state[state.NETWORK_COL]) - 1
    explained = explain_map_pixel(network, shown, index, row, col)
    picture_column, words_column = st.columns([1, 1.4], gap="medium")
    with picture_column:
        values = shown.maps[index]
        side = MAP_SIDE * MAP_CELL_PX
        pick_cell(
            state.NETWORK_PICK,
            NETWORK_PNGS.get_or_compute(
                (*key, "pick", index, row, col, tops[index]),
                lambda: render_grid(
                    values,
                    _up_to(tops[index]),
                    labels=value_labels(values),
                    cell_px=MAP_CELL_PX,
                    outlines=(Outline(row, col, 1, 1),),
                ).png(),
            ),
            Geometry(side, side, MAP_CELL_PX, values.shape),
            f"Feature map {index + 1}, 26 x 26, pixel at row {row + 1}, column {col + 1} outlined: "
            f"{format_value(explained.value)}. Click a pixel to explain it.",
            _pick_map_pixel,
        )
    with words_column:
        st.markdown(
            f"Map {index + 1}, row {row + 1}, column {col + 1} = **{format_value(explained.value)}**\n\n"
            f"**The window of the item × filter {index + 1}, the nine products summed:**  \n"
            f"`{explained.sum_line}`\n\n"
            f"**× 1/255**: `{explained.weight_line}`\n\n"
            f"**+ bias**: `{explained.bias_line}`\n\n"
            f"**ReLU** (negatives become 0): `{explained.relu_line}`"
        )


def _pick_map_pixel(row: int, col: int) -> None:
    st.session_state[state.NETWORK_ROW], st.session_state[state.NETWORK_COL] = row + 1, col + 1


def same_class_ui(network: Network, digest: str) -> None:
    """The lab's plot: one filter's pooled maps for items of one class beside items of another."""
    st.subheader("Same class, same features")
    row = st.container(horizontal=True, vertical_alignment="bottom")
    row.number_input(
        "Filter", min_value=1, max_value=FILTERS, step=1, key=state.NETWORK_SAME_FILTER, width=110
    )
    for label, box in (
        ("One class", state.NETWORK_SAME_FIRST),
        ("Beside another", state.NETWORK_SAME_SECOND),
    ):
        row.selectbox(label, range(len(CLASS_NAMES)), format_func=CLASS_NAMES.__getitem__, key=box, width=170)
    index = int(st.session_state[state.NETWORK_SAME_FILTER]) - 1
    items, split = load_items(), fixed_split()
    st.caption(
        f"Filter {index + 1}'s pooled maps (13 x 13) for four held-out items of each class, one scale "
        "for all: items of one class light up in the same places."
    )
    labels = [int(st.session_state[key]) for key in (state.NETWORK_SAME_FIRST, state.NETWORK_SAME_SECOND)]
    chosen = {label: same_class_items(items, split, label) for label in labels}
    pooled = {
        item: _forward(
            network, digest, ShownItem(items.images[item], "", None, item, None, f"item:{item}")
        ).pooled[index]
        for label in labels
        for item in chosen[label]
    }
    top = max(max(float(values.max()) for values in pooled.values()), 1e-12)
    for label in labels:
        titles = [text for item in chosen[label] for text in (f"{CLASS_NAMES[label]} {item}", "pooled")]

        def draw(label=label, titles=titles):
            tiles = []
            for item in chosen[label]:
                tiles.append(render_grid(items.images[item], PIXELS, cell_px=SAME_ITEM_CELL_PX).image)
                tiles.append(render_grid(pooled[item], _up_to(top), cell_px=SAME_POOLED_CELL_PX).image)
            return montage(tiles, titles, columns=len(tiles), gap=10).encoded()

        drawn = NETWORK_PNGS.get_or_compute((digest, "same", index, label, top), draw)
        st.image(
            drawn.png,
            caption=f"{CLASS_NAMES[label]}: four held-out items, each beside filter {index + 1}'s pooled map",
            alt=f"Four held-out {CLASS_NAMES[label].lower()} items, each beside filter {index + 1}'s pooled "
            "map. "
            + " ".join(grid_words(f"Item {item}'s pooled map", pooled[item]) for item in chosen[label]),
        )


# ---- 4. Learning -------------------------------------------------------------------------------------------


def learning_ui(job: TrainingJob | None, epochs: list, epoch: int) -> None:
    st.subheader("Watch it learn")
    curves = NETWORK_PNGS.get_or_compute(
        ("curves", epochs[-1].network.digest, len(epochs)),
        lambda: learning_curves(
            np.array([e.train_loss for e in epochs]),
            np.array([e.held_out_loss for e in epochs]),
            np.array([e.train_accuracy for e in epochs]),
            np.array([e.held_out_accuracy for e in epochs]),
        ),
    )
    shown = epochs[epoch]
    train, held = format_value(shown.train_accuracy * 100), format_value(shown.held_out_accuracy * 100)
    with st.container(key=CURVES, width=curves.width):
        st.image(
            curves.png,
            width="stretch",
            caption=f"Epoch {epoch} (the dot): loss {format_value(shown.train_loss)} on the training items, "
            f"{format_value(shown.held_out_loss)} held out; accuracy {train}% and {held}% held out.",
            alt=f"Loss and accuracy after each of the {len(epochs) - 1} epochs; at epoch {epoch} the "
            f"held-out accuracy is {held}%.",
        )
        st.html(f"<style>{step_mark_css(CURVES, curves, epoch)}</style>")
    own = st.session_state.get(state.NETWORK_OWN_LAYER)
    row = st.container(horizontal=True, vertical_alignment="bottom")
    row.number_input("Seed", min_value=0, max_value=9999, step=1, key=state.NETWORK_SEED, width=120)
    what = "the dense layer on your filters" if own is not None else "the whole network"
    row.button(
        "Train again", on_click=_train_again, help=f"Train {what} from the seed's random start, here and now."
    )
    if job is not None and st.session_state[state.NETWORK_RUN] == YOURS:
        row.button("Back to the shipped run", on_click=_show_run, args=(SHIPPED,))
    problem = st.session_state.pop(state.NETWORK_JOB_PROBLEM, None)
    if problem:
        st.warning(problem, icon=":material/hourglass_top:")
    running = job is not None and not job.done
    st.session_state[state.NETWORK_REDRAW] = running
    st.fragment(safely(training_progress_ui), run_every=1.0 if running else None)()


def training_progress_ui() -> None:
    """How this session's run is going: a fragment that reruns every second while the run waits or
    trains (the page stays usable meanwhile), and reruns the page once the run is done."""
    job: TrainingJob | None = st.session_state.get(state.NETWORK_JOB)
    if job is None:
        return
    if job.done and st.session_state.pop(state.NETWORK_REDRAW, False):
        st.rerun()  # the run ended, or is to be shown: the whole page follows (and stops polling)
    if job.problem:
        st.error(job.problem, icon=":material/error:")
    elif job.waiting:
        ahead = job.ahead
        st.info(
            f"Waiting for {ahead} other training run{'s' if ahead != 1 else ''} on this server to finish: "
            "it trains one at a time."
        )
    elif not job.finished:
        done = max(len(job.epochs) - 1, 0)
        last = job.epochs[-1] if job.epochs else None
        accuracy = (
            "" if last is None else f" · held-out accuracy {format_value(last.held_out_accuracy * 100)}%"
        )
        st.progress(done / job.total_epochs, text=f"Training from seed {job.settings.seed}: epoch {done} of "
                    f"{job.total_epochs}{accuracy}")  # fmt: skip
    elif st.session_state[state.NETWORK_RUN] != YOURS:
        final = job.epochs[-1]
        st.success(
            f"Trained from seed {job.settings.seed} in {format_value(round(job.seconds, 1))} s: held-out "
            f"accuracy {format_value(final.held_out_accuracy * 100)}%."
        )
        st.button("Show this run", on_click=_show_run, args=(YOURS,), type="primary")


def _train_again() -> None:
    _drop_job()
    own = st.session_state.get(state.NETWORK_OWN_LAYER)
    fixed = None if own is None else own.network_filters
    settings = TrainingSettings(seed=int(st.session_state[state.NETWORK_SEED]))
    try:
        st.session_state[state.NETWORK_JOB] = TrainingJob.start(settings, fixed)
    except QueueFull as full:
        st.session_state[state.NETWORK_JOB_PROBLEM] = str(full)


def _drop_job() -> None:
    """Cancel this session's run, if any, and show the shipped one."""
    previous: TrainingJob | None = st.session_state.pop(state.NETWORK_JOB, None)
    if previous is not None:
        previous.cancel()
    st.session_state[state.NETWORK_RUN] = SHIPPED


def _show_run(run: str) -> None:
    st.session_state[state.NETWORK_RUN] = run
    st.session_state[state.NETWORK_REDRAW] = True  # clicked in the fragment: the whole page must follow


def pooling_keeps_ui() -> None:
    """The shipped CNN beside the dense network on raw pixels and the CNN without pooling."""
    st.subheader("What pooling keeps")
    shipped = load_shipped()
    rows = []
    for kind in MODEL_KINDS:
        final = shipped.history(kind)[-1]
        rows.append(
            {
                "Model": MODEL_TITLES[kind],
                "Values passed to the dense layer": f"{DENSE_INPUTS[kind]:,}",
                "Held-out accuracy": f"{format_value(final.held_out_accuracy * 100)}%",
                "Training accuracy": f"{format_value(final.train_accuracy * 100)}%",
            }
        )
    st.table(rows)
    st.caption(
        f"The item has 28 x 28 = 784 pixels; the pooled maps pass on {FILTERS} x {POOLED_SIDE} x "
        f"{POOLED_SIDE} = {DENSE_INPUTS['cnn']:,} values, a quarter of the {DENSE_INPUTS['no_pooling']:,} "
        f"the maps hold. All three trained the same way ({shipped.settings.epochs} epochs, seed "
        f"{shipped.settings.seed}) on the same 720 items, measured on the same 180 held out."
    )


def confusion_ui(epochs: list, epoch: int) -> None:
    """The held-out items' confusion matrix at this epoch; a click on a cell shows its items."""
    st.subheader("Which items it confuses")
    split, items = fixed_split(), load_items()
    predictions = epochs[epoch].held_out_predictions
    matrix = confusion_matrix(items.labels[split.held_out], predictions)
    values = matrix.astype(np.float64)
    side = len(CLASS_NAMES) * CONFUSION_CELL_PX
    columns = st.columns([1, 1.2], gap="medium")
    with columns[0]:
        order = ", ".join(f"{number + 1}. {name}" for number, name in enumerate(CLASS_NAMES))
        st.caption(f"Rows: the true class; columns: the class predicted, in the order {order}.")
        pick_cell(
            state.NETWORK_CONFUSION_PICK,
            NETWORK_PNGS.get_or_compute(
                ("confusion", hashlib.sha256(matrix.tobytes()).hexdigest()),
                lambda: render_grid(
                    values, positive_shading(values), labels=value_labels(values), cell_px=CONFUSION_CELL_PX
                ).png(),
            ),
            Geometry(side, side, CONFUSION_CELL_PX, matrix.shape),
            f"Confusion matrix of the 180 held-out items at epoch {epoch}: {int(np.trace(matrix))} on the "
            "diagonal (right). Click a cell to see its items.",
            _pick_confusion_cell,
        )
    cells = [(true, guessed) for true in range(len(CLASS_NAMES)) for guessed in range(len(CLASS_NAMES))]
    with columns[1]:
        true, guessed = st.selectbox(
            "Cell",
            cells,
            key=state.NETWORK_CONFUSION_CELL,
            format_func=lambda cell: (
                f"{CLASS_NAMES[cell[0]]} predicted as {CLASS_NAMES[cell[1]].lower()} ({matrix[cell]})"
            ),
            help="The same as a click on the matrix: its row (the true class) and column (the prediction).",
            width=360,
        )
        held = split.held_out
        chosen = confusion_cell(held, items.labels[held], predictions, true, guessed).tolist()
        shown = "" if len(chosen) <= SHELF_ITEMS else f" (the first {SHELF_ITEMS})"
        st.markdown(
            f"**{len(chosen)}** held-out {CLASS_NAMES[true].lower()} item(s) predicted as "
            f"**{CLASS_NAMES[guessed].lower()}**{shown}:"
        )
        if chosen:
            shown_items = chosen[:SHELF_ITEMS]
            drawn = NETWORK_PNGS.get_or_compute(("shelf", *shown_items), lambda: _shelf(shown_items))
            st.image(drawn.png, alt="Items " + ", ".join(str(i) for i in shown_items) + ".")


def _shelf(indices: list[int]):
    """Items of the 900 drawn as one picture, six a row, each named."""
    images = load_items().images
    tiles = [render_grid(images[index], PIXELS, cell_px=SHELF_CELL_PX).image for index in indices]
    return montage(tiles, [f"Item {index}" for index in indices], columns=min(6, len(tiles)), gap=8).encoded()


def _pick_confusion_cell(row: int, col: int) -> None:
    st.session_state[state.NETWORK_CONFUSION_CELL] = (row, col)


# ---- 5. Your own first layer -------------------------------------------------------------------------------


def own_layer_ui() -> None:
    """Upload a Conv2D layer's weights from the course lab: its filters replace the learnt ones here."""
    st.subheader("Your own first layer")
    st.file_uploader(
        "The weights of your Conv2D layer (3 x 3, one channel, at least 8 filters)",
        type=WEIGHT_TYPES,
        key=state.NETWORK_WEIGHTS,
        on_change=_take_weights,
        max_upload_size=UPLOADER_LIMIT_MB,
        help="Keras' model.save_weights() .weights.h5, a .keras file, or a NumPy .npy / .npz of shape "
        "(3, 3, 1, N). It stays in this session's memory: never saved or sent anywhere.",
    )
    problem = st.session_state.get(state.NETWORK_OWN_PROBLEM)
    if problem:
        st.error(plain(problem), icon=":material/error:")
    own = st.session_state.get(state.NETWORK_OWN_LAYER)
    if own is None:
        return
    if st.session_state[state.NETWORK_RUN] == YOURS:
        dense = "The dense layer shown is the one your run trained on them."
    else:
        dense = (
            "The dense layer is still the one learnt for the shipped filters, so the prediction means little "
            "until you press Train again: it then trains only the dense layer on your filters."
        )
    st.success(f"{plain(own.summary)} Your filters replace the learnt ones in every section above. {dense}")
    st.button("Back to the learnt filters", key="network_own_back", on_click=_drop_own_layer)


def _take_weights() -> None:
    """Read the uploaded layer; a run trained on other filters is dropped with the filters it was for."""
    uploaded = st.session_state.get(state.NETWORK_WEIGHTS)
    st.session_state.pop(state.NETWORK_OWN_PROBLEM, None)
    if uploaded is None:
        return
    try:
        layer = read_first_layer(uploaded.getvalue(), uploaded.name)
    except ValueError as problem:
        st.session_state[state.NETWORK_OWN_PROBLEM] = str(problem)
    except Exception:  # our bug, not the file's: logged, and said in plain words
        _LOG.exception("Reading a weights file failed")
        st.session_state[state.NETWORK_OWN_PROBLEM] = BUG_MESSAGE
    else:
        st.session_state[state.NETWORK_OWN_LAYER] = layer
        _drop_job()


def _drop_own_layer() -> None:
    st.session_state.pop(state.NETWORK_OWN_LAYER, None)
    _drop_job()
