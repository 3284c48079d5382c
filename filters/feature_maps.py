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

from filters.convolution import explain_pixel
from filters.fashion_mnist import CLASS_NAMES, FashionItems, Split
from filters.kernel import format_weight
from filters.network import INPUT_SCALE, MAP_SIDE, Forward, Network
from filters.numbers import format_value

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


def probability_chart(probabilities: np.ndarray, true_label: int | None, dark: bool = False) -> bytes:
    """The ten class probabilities as horizontal bars, the prediction's bar darker, the true class named.

    Each bar is labelled with its percentage, so the chart reads without the axis.
    """
    foreground = "#e8e8e8" if dark else "#1a1a1a"
    figure = Figure(figsize=(5.6, 3.4), dpi=100, layout="constrained")
    figure.patch.set_alpha(0)
    axes = figure.subplots()
    axes.patch.set_alpha(0)
    predicted = int(np.argmax(probabilities))
    rows = np.arange(len(CLASS_NAMES))
    colours = ["#1f5fa8" if index == predicted else "#8fa9c8" for index in rows]
    axes.barh(rows, probabilities * 100, color=colours)
    names = [f"{name}  (true)" if index == true_label else name for index, name in enumerate(CLASS_NAMES)]
    axes.set_yticks(rows, names, color=foreground)
    axes.invert_yaxis()
    axes.set_xlim(0, 118)
    axes.set_xlabel("probability (%)", color=foreground)
    axes.tick_params(colors=foreground)
    for spine in axes.spines.values():
        spine.set_color(foreground)
    for index, probability in enumerate(probabilities):
        axes.text(probability * 100 + 1.5, index, f"{format_value(probability * 100)}%", va="center",
                  color=foreground, fontsize=9)  # fmt: skip
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def learning_curves(
    train_loss: np.ndarray,
    held_out_loss: np.ndarray,
    train_accuracy: np.ndarray,
    held_out_accuracy: np.ndarray,
    epoch: int,
) -> bytes:
    """Loss and accuracy after every epoch (training and held-out items), the epoch shown marked."""
    figure = Figure(figsize=(8, 2.8), dpi=100, layout="constrained")
    loss_axes, accuracy_axes = figure.subplots(1, 2)
    epochs = np.arange(len(train_loss))
    loss_axes.plot(epochs, train_loss, color="#1f5fa8", label="training items")
    loss_axes.plot(epochs, held_out_loss, color="#c25e00", linestyle="--", label="held-out items")
    loss_axes.set_ylabel("loss (cross-entropy)")
    accuracy_axes.plot(epochs, np.asarray(train_accuracy) * 100, color="#1f5fa8", label="training items")
    accuracy_axes.plot(epochs, np.asarray(held_out_accuracy) * 100, color="#c25e00", linestyle="--",
                       label="held-out items")  # fmt: skip
    accuracy_axes.set_ylabel("accuracy (%)")
    accuracy_axes.set_ylim(0, 100)
    for axes in (loss_axes, accuracy_axes):
        axes.set_xlabel("epoch")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.axvline(epoch, color="#555555", linewidth=1)
        axes.legend(loc="best", fontsize=8)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
