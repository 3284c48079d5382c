"""What the third page shows of one item going through the trained network, worked out here.

- ``explain_map_pixel``: one feature-map pixel's sum, term by term, as the first page writes it
  (the nine products, × 1/255, + the filter's bias, ReLU), read from the same ``explain_pixel``.
- ``map_scales``: the colour scale of each map, per map or shared by the layer (CNN Explainer's
  local / global toggle).
- ``same_class_items``: the items the "same class, same features" rows show.
- ``probability_chart`` and ``learning_curves``: the matplotlib figures, as PNG bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from PIL import Image, ImageDraw

from filters.convolution import explain_pixel
from filters.drawing import label_font
from filters.fashion_mnist import CLASS_NAMES, FashionItems, Split
from filters.kernel import format_weight
from filters.learn import LossCurve
from filters.network import INPUT_SCALE, MAP_SIDE, Forward, Network
from filters.numbers import format_value

CHART_FONT_PX = 15
ScaleKind = Literal["per map", "per layer"]
SCALE_KINDS: tuple[ScaleKind, ...] = ("per map", "per layer")


@dataclass(frozen=True, eq=False)
class MapPixel:
    """Feature map ``filter_index`` at (row, col), explained: window, filter, products and every line.

    ``value`` is the map's own number (``Forward.maps``), so the lines end on what the grid shows.
    """

    filter_index: int
    row: int
    col: int
    window: np.ndarray = field(repr=False)
    kernel: np.ndarray = field(repr=False)
    products: np.ndarray = field(repr=False)
    value: float
    sum_line: str
    weight_line: str
    bias_line: str
    relu_line: str


def explain_map_pixel(network: Network, shown: Forward, filter_index: int, row: int, col: int) -> MapPixel:
    """How feature map ``filter_index``'s pixel (row, col) (0-based, 26 x 26) comes from the item.

    Raises
    ------
    IndexError
        If the filter or the pixel does not exist.
    """
    if not 0 <= filter_index < len(network.kernels):
        raise IndexError(f"There is no filter {filter_index + 1}.")
    if not (0 <= row < MAP_SIDE and 0 <= col < MAP_SIDE):
        raise IndexError(f"Pixel ({row}, {col}) is outside the {MAP_SIDE} x {MAP_SIDE} map.")
    kernel = network.kernels[filter_index].astype(np.float64)
    explanation = explain_pixel(shown.pixels, kernel, row, col, weight=INPUT_SCALE, padding="valid")
    products_sum = float(explanation.products.sum())
    weighted = products_sum * INPUT_SCALE
    bias = float(network.biases[filter_index])
    before_relu = float(shown.sums[filter_index, row, col])
    value = float(shown.maps[filter_index, row, col])
    terms = " + ".join(
        f"{format_value(pixel)} × {format_value(weight)}"
        for pixel, weight in zip(explanation.window.ravel(), kernel.ravel(), strict=True)
    )
    sign = "−" if bias < 0 else "+"
    return MapPixel(
        filter_index=filter_index,
        row=row,
        col=col,
        window=explanation.window,
        kernel=kernel,
        products=explanation.products,
        value=value,
        sum_line=f"{terms} = {format_value(products_sum)}",
        weight_line=f"{format_value(products_sum)} × {format_weight(INPUT_SCALE)} = {format_value(weighted)}",
        bias_line=f"{format_value(weighted)} {sign} {format_value(abs(bias))} (the bias) = "
        f"{format_value(before_relu)}",
        relu_line=f"ReLU: max(0, {format_value(before_relu)}) = {format_value(value)}",
    )


def map_scales(maps: np.ndarray, kind: ScaleKind) -> list[float]:
    """The value drawn white on each map (0 is black): each map's own largest value, or the layer's.

    A map that is all zero gets 1, so that it reads black rather than dividing by zero.
    """
    largest = [float(feature_map.max()) for feature_map in maps]
    if kind == "per layer":
        largest = [max(largest)] * len(largest)
    return [value if value > 0 else 1.0 for value in largest]


def same_class_items(items: FashionItems, split: Split, label: int, count: int = 4) -> tuple[int, ...]:
    """The first ``count`` held-out items of class ``label``: items the network never trained on."""
    held = [int(index) for index in split.held_out if items.labels[index] == label]
    return tuple(held[:count])


PROBABILITY_BAR = "#1f5fa8"
"""The predicted class's bar; the others are lighter."""
OTHER_BAR = "#8fa9c8"


def probability_chart(probabilities: np.ndarray, true_label: int | None, dark: bool = False) -> bytes:
    """The ten class probabilities as horizontal bars with their percentages, the prediction's bar darker,
    the true class named; drawn with Pillow on a transparent background (a few ms: it changes with
    every epoch and item)."""
    ink = (232, 232, 232, 255) if dark else (26, 26, 26, 255)
    font = label_font(CHART_FONT_PX)
    names = [f"{name} (true)" if index == true_label else name for index, name in enumerate(CLASS_NAMES)]
    label_width = max(int(font.getlength(name)) for name in names) + 12
    row, bar_room, text_room = CHART_FONT_PX * 2, 330, 90
    picture = Image.new("RGBA", (label_width + bar_room + text_room, row * len(names) + 4), (0, 0, 0, 0))
    draw = ImageDraw.Draw(picture)
    predicted = int(np.argmax(probabilities))
    for index, (name, probability) in enumerate(zip(names, probabilities, strict=True)):
        middle = index * row + row // 2 + 2
        draw.text((label_width - 8, middle), name, fill=ink, font=font, anchor="rm")
        length = max(1, round(float(probability) * bar_room))
        colour = PROBABILITY_BAR if index == predicted else OTHER_BAR
        draw.rectangle((label_width, middle - row // 3, label_width + length, middle + row // 3), fill=colour)
        percent = f"{format_value(probability * 100)}%"
        draw.text((label_width + length + 6, middle), percent, fill=ink, font=font, anchor="lm")
    draw.line((label_width, 2, label_width, row * len(names) + 2), fill=ink, width=1)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def learning_curves(
    train_loss: np.ndarray,
    held_out_loss: np.ndarray,
    train_accuracy: np.ndarray,
    held_out_accuracy: np.ndarray,
) -> LossCurve:
    """Loss and accuracy after every epoch (training and held-out items), drawn once per run, with where
    each epoch's held-out accuracy lies on the picture: the page marks the epoch shown over it (CSS), so
    moving the scrubber draws no figure."""
    figure = Figure(figsize=(8, 2.8), dpi=100, layout="constrained")
    loss_axes, accuracy_axes = figure.subplots(1, 2)
    epochs = np.arange(len(train_loss))
    held_out_percent = np.asarray(held_out_accuracy) * 100
    loss_axes.plot(epochs, train_loss, color="#1f5fa8", label="training items")
    loss_axes.plot(epochs, held_out_loss, color="#c25e00", linestyle="--", label="held-out items")
    loss_axes.set_ylabel("loss (cross-entropy)")
    accuracy_axes.plot(epochs, np.asarray(train_accuracy) * 100, color="#1f5fa8", label="training items")
    accuracy_axes.plot(epochs, held_out_percent, color="#c25e00", linestyle="--", label="held-out items")
    accuracy_axes.set_ylabel("accuracy (%)")
    accuracy_axes.set_ylim(0, 100)
    for axes in (loss_axes, accuracy_axes):
        axes.set_xlabel("epoch")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.legend(loc="best", fontsize=8)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")  # draws the figure: the axes' transform is final from here
    width, height = (int(side) for side in figure.canvas.get_width_height())
    points = accuracy_axes.transData.transform(np.column_stack([epochs, held_out_percent]))
    points[:, 1] = height - points[:, 1]  # matplotlib counts from the bottom
    return LossCurve(buffer.getvalue(), width, height, points)
