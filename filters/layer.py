"""A convolution layer as CNN libraries define it: stride, dilation, padding, several filters, channels.

The first page of the app is the lecture's single 3 x 3 filter at stride 1. This module is the
next chapter: the settings of Keras' ``Conv2D`` (the course's library) and PyTorch's ``conv2d``,
which agree on everything but where 'same' puts its zeros once the stride is above 1:

- **padding** "valid" (none), "same" or "full" (``2 * dilation`` zeros on each side: every
  position where the filter touches the image; PyTorch's ``padding=2*d``, Keras has no 'full');
- **'same', two conventions.** Keras / TensorFlow (the default here) work the padding out from
  the stride: the output is ``ceil(n / s)``, the total padding
  ``max((out - 1) * s + d * (3 - 1) + 1 - n, 0)``, its half (rounded down) before the image and
  the rest after it (the extra zero goes at the bottom and the right). PyTorch's
  ``padding=d`` puts ``d`` zeros on each side whatever the stride (its ``padding='same'``
  refuses a stride above 1). At stride 1 the two are the same; at stride 2 or 3 the sizes
  often agree while every window is shifted by a pixel, so the values differ;
- **stride** s: the window jumps s pixels, so only every s-th output is computed;
- **dilation** d: the filter's nine values are spread d pixels apart (gaps of d - 1). Keras
  refuses a stride above 1 together with a dilation above 1 (PyTorch computes it);
- the output size, per side, ``floor((n + before + after - d * (3 - 1) - 1) / s) + 1``.

CNN layers compute a cross-correlation (the filter is not flipped, as everywhere in this app);
``flip=True`` gives the true convolution, which ``scipy.signal.convolve2d`` computes natively.
A layer applies several filters to the same input and stacks their feature maps
(H x W x filters); on a colour image each filter has one 3 x 3 slice per channel and the three
channel sums are added, plus the filter's bias, as ``Conv2D`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from scipy import ndimage
from scipy.signal import convolve2d

from filters.numbers import format_value
from filters.pooling import LayerPoolKind, pool, pooled_shape
from filters.presets import PRESETS

LayerPadding = Literal["valid", "same", "full"]
LAYER_PADDINGS: tuple[LayerPadding, ...] = ("valid", "same", "full")
Convention = Literal["keras", "pytorch"]
CONVENTIONS: tuple[Convention, ...] = ("keras", "pytorch")
CONVENTION_NAMES = {"keras": "Keras / TensorFlow", "pytorch": "PyTorch"}
"""How the page and the exported code name the two conventions of 'same' padding."""
KERNEL_SIZE = 3
MAX_FILTERS = 8
STRIDES = DILATIONS = (1, 2, 3)


def keras_same_pads(n: int, stride: int, dilation: int) -> tuple[int, int]:
    """Zeros before and after a side of ``n`` pixels under Keras / TensorFlow's 'same' padding.

    TensorFlow's documented rule: the output is ``ceil(n / s)``; the total padding is
    ``max((out - 1) * s + d * (3 - 1) + 1 - n, 0)``; ``total // 2`` goes before the image (top,
    left), the rest after it (bottom, right).
    """
    out = -(-n // stride)
    total = max((out - 1) * stride + dilation * (KERNEL_SIZE - 1) + 1 - n, 0)
    return total // 2, total - total // 2


def keras_refusal(padding: LayerPadding, stride: int, dilation: int) -> str | None:
    """Why Keras has no ``Conv2D`` with these settings (None when it has one)."""
    if padding == "full":
        return "Keras has no 'full' padding (its Conv2D knows 'valid' and 'same' only)."
    if stride > 1 and dilation > 1:
        return (
            "Keras refuses a stride above 1 together with a dilation above 1 "
            "(`strides > 1 not supported in conjunction with dilation_rate > 1`)."
        )
    return None


@dataclass(frozen=True)
class Pads:
    """Zeros added on each side of the image, as the window sees it."""

    top: int
    bottom: int
    left: int
    right: int

    @property
    def widths(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """The pads as ``np.pad`` takes them: ((top, bottom), (left, right))."""
        return (self.top, self.bottom), (self.left, self.right)


@dataclass(frozen=True)
class ConvSettings:
    """How a layer slides its filters: padding, stride, dilation, flipped or not, and whose 'same'.

    ``convention``: whose layer these settings are, "keras" (the default, as in the course) or
    "pytorch". The numbers differ for 'same' only (Keras works its zeros out from the stride,
    PyTorch's ``padding=d`` does not). Settings Keras refuses ('full', a stride and a dilation both
    above 1) are refused with ``convention="keras"`` and need "pytorch": no Keras layer computes
    them, so none is pretended.
    """

    padding: LayerPadding = "valid"
    stride: int = 1
    dilation: int = 1
    flip: bool = False
    convention: Convention = "keras"

    def __post_init__(self) -> None:
        if self.padding not in LAYER_PADDINGS:
            raise ValueError(f"padding must be one of {LAYER_PADDINGS}; got {self.padding!r}.")
        if self.stride < 1 or self.dilation < 1:
            raise ValueError(f"stride and dilation must be at least 1; got {self.stride}, {self.dilation}.")
        if self.convention not in CONVENTIONS:
            raise ValueError(f"convention must be one of {CONVENTIONS}; got {self.convention!r}.")
        refusal = keras_refusal(self.padding, self.stride, self.dilation)
        if self.convention == "keras" and refusal:
            raise ValueError(f"{refusal} Use convention='pytorch'.")

    @property
    def span(self) -> int:
        """How far the window reaches beyond its first pixel: d * (3 - 1)."""
        return self.dilation * (KERNEL_SIZE - 1)

    @property
    def pytorch_padding(self) -> int:
        """PyTorch's ``padding=`` for these settings: 0 ("valid"), d ("same"), 2d ("full")."""
        return {"valid": 0, "same": self.span // 2, "full": self.span}[self.padding]

    def side_pads(self, n: int) -> tuple[int, int]:
        """Zeros before and after a side of ``n`` pixels (Keras' 'same' depends on ``n``)."""
        if self.padding == "same" and self.convention == "keras":
            return keras_same_pads(n, self.stride, self.dilation)
        return self.pytorch_padding, self.pytorch_padding

    def pads(self, shape: tuple[int, ...]) -> Pads:
        """The zeros on each side of an image of ``shape`` (rows, columns, ...)."""
        top, bottom = self.side_pads(shape[0])
        left, right = self.side_pads(shape[1])
        return Pads(top, bottom, left, right)

    def turned(self) -> ConvSettings:
        """The same settings for the true convolution (the filter turned by 180 degrees)."""
        return replace(self, flip=True)


@dataclass(frozen=True)
class PoolSettings:
    """Pooling after the activation: the kind, the window's side and its stride (2x2, stride 2)."""

    kind: LayerPoolKind = "max"
    size: int = 2
    stride: int = 2


def conv_output_size(n: int, settings: ConvSettings) -> int:
    """Output length of a side of ``n`` pixels: floor((n + before + after - d(3 - 1) - 1) / s) + 1, or 0."""
    before, after = settings.side_pads(n)
    reach = n + before + after - settings.span - 1
    return reach // settings.stride + 1 if reach >= 0 else 0


def size_formula(n: int, settings: ConvSettings) -> str:
    """The output-size formula with the padding before and after filled in.

    E.g. "⌊(8 + 0 + 1 − 1·2 − 1) / 2⌋ + 1 = 4" (Keras' 'same', stride 2: no zero before, one after).
    """
    s = settings
    before, after = s.side_pads(n)
    return f"⌊({n} + {before} + {after} − {s.dilation}·2 − 1) / {s.stride}⌋ + 1 = {conv_output_size(n, s)}"


def settings_in_words(settings: ConvSettings) -> str:
    """What the stride and the dilation in force do to the pictures, in plain words."""
    stride = (
        "Stride 1: the window moves one pixel at a time."
        if settings.stride == 1
        else f"Stride {settings.stride}: the window jumps {settings.stride} pixels at a time, so the output "
        f"is about 1/{settings.stride} as wide and high."
    )
    reach = settings.span + 1
    dilation = (
        "Dilation 1: the filter's nine values sit side by side (a 3 x 3 reach)."
        if settings.dilation == 1
        else f"Dilation {settings.dilation}: the filter's nine values sit {settings.dilation} pixels apart, "
        f"so the same nine weights reach over {reach} x {reach} pixels."
    )
    return f"{stride} {dilation}"


def same_padding_rule(n: int, settings: ConvSettings) -> str:
    """How the padding of a side was found, e.g. for Keras' 'same' on 8 pixels at stride 2:
    "⌈8 / 2⌉ = 4 outputs, so max((4 − 1)·2 + 1·2 + 1 − 8, 0) = 1 zero: 0 before, 1 after"."""
    before, after = settings.side_pads(n)
    if settings.padding != "same" or settings.convention != "keras":
        return f"{before} {'zero' if before == 1 else 'zeros'} before, {after} after"
    out, total = -(-n // settings.stride), before + after
    return (
        f"⌈{n} / {settings.stride}⌉ = {out} outputs, so max(({out} − 1)·{settings.stride} + "
        f"{settings.dilation}·2 + 1 − {n}, 0) = {total} {'zero' if total == 1 else 'zeros'}: "
        f"{before} before, {after} after"
    )


def window_offsets(settings: ConvSettings) -> np.ndarray:
    """Where the filter's nine values lie relative to the window's first pixel: (9, 2) row, col."""
    steps = np.arange(KERNEL_SIZE) * settings.dilation
    rows, cols = np.meshgrid(steps, steps, indexing="ij")
    return np.stack([rows.ravel(), cols.ravel()], axis=1)


def correlate(image: np.ndarray, kernel: np.ndarray, settings: ConvSettings = ConvSettings()) -> np.ndarray:
    """One filter over a 2-D image with the layer's padding, stride and dilation (float64 sums).

    ``out[r, c] = sum_ij kernel[i, j] * padded[r*s + i*d, c*s + j*d]``: a CNN's cross-correlation,
    computed by ``scipy.ndimage.correlate`` (three times faster here than ``convolve2d`` with a
    turned filter, which matters for eight filters). With ``settings.flip`` the kernel is turned
    by 180 degrees first: the true convolution, computed natively by ``scipy.signal.convolve2d``.
    A dilated kernel has zeros in its gaps; the stride keeps every s-th sum.
    """
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    if image.ndim != 2 or kernel.shape != (KERNEL_SIZE, KERNEL_SIZE):
        raise ValueError(
            f"correlate takes a 2-D image and a 3 x 3 filter; got {image.shape}, {kernel.shape}."
        )
    rows, cols = (conv_output_size(n, settings) for n in image.shape)
    if rows == 0 or cols == 0:
        raise ValueError(
            f"A {image.shape[1]} x {image.shape[0]} image has no output pixel with these settings "
            f"(the window spans {settings.span + 1} x {settings.span + 1} pixels)."
        )
    dilated = np.zeros((settings.span + 1, settings.span + 1))
    dilated[:: settings.dilation, :: settings.dilation] = kernel
    padded = padded_input(image, settings)
    if settings.flip:  # the true convolution, which convolve2d computes natively (it turns the filter)
        sums = convolve2d(padded, dilated, mode="valid")
    else:  # the CNN's cross-correlation, which ndimage.correlate computes as it is (centred windows)
        half = settings.span // 2
        sums = ndimage.correlate(padded, dilated, mode="constant", cval=0.0)
        sums = sums[half : padded.shape[0] - half, half : padded.shape[1] - half]
    return sums[:: settings.stride, :: settings.stride][:rows, :cols]


def relu(sums: np.ndarray) -> np.ndarray:
    """The activation of a CNN layer: negative sums become 0."""
    return np.maximum(sums, 0.0)


@dataclass(frozen=True)
class LayerFilter:
    """One filter of a layer: its name, one 3 x 3 slice per input channel, and its bias."""

    name: str
    slices: tuple[np.ndarray, ...] = field(repr=False)
    bias: float = 0.0

    @staticmethod
    def same_on_every_channel(name: str, kernel: np.ndarray, channels: int, bias: float = 0.0) -> LayerFilter:
        kernel = np.asarray(kernel, dtype=np.float64)
        return LayerFilter(name, tuple(kernel for _ in range(channels)), bias)


@dataclass(frozen=True, eq=False)
class FeatureMap:
    """What one filter of a layer gives: the per-channel sums, their total plus bias, ReLU, pooled."""

    name: str
    channel_sums: tuple[np.ndarray, ...] = field(repr=False)
    bias: float
    sums: np.ndarray = field(repr=False)
    activated: np.ndarray = field(repr=False)
    pooled: np.ndarray = field(repr=False)


@dataclass(frozen=True, eq=False)
class LayerResult:
    """A layer's feature maps, stacked as a CNN stores them (H' x W' x filters), and pooled."""

    maps: tuple[FeatureMap, ...]
    conv: ConvSettings
    pooling: PoolSettings
    input_shape: tuple[int, ...]

    @property
    def stack(self) -> np.ndarray:
        """The activated maps as one (H', W', filters) array."""
        return np.stack([feature.activated for feature in self.maps], axis=-1)

    @property
    def shape_text(self) -> str:
        """The layer's output shape as a CNN library prints it, e.g. "26 x 26 x 8"."""
        rows, cols = self.maps[0].sums.shape
        return f"{rows} x {cols} x {len(self.maps)}"

    @property
    def nbytes(self) -> int:
        """Memory the maps hold (for byte-bounded caches)."""
        arrays = [a for m in self.maps for a in (*m.channel_sums, m.sums, m.activated, m.pooled)]
        return int(sum(array.nbytes for array in arrays))

    @property
    def pooled_shape_text(self) -> str:
        rows, cols = self.maps[0].pooled.shape
        return f"{rows} x {cols} x {len(self.maps)}"


def apply_layer(
    image: np.ndarray,
    filters: list[LayerFilter],
    conv: ConvSettings = ConvSettings(),
    pooling: PoolSettings = PoolSettings(),
) -> LayerResult:
    """Apply up to eight filters to a gray (H, W) or colour (H, W, C) image, as a Conv2D layer.

    Each filter's map is the sum over channels of its slice correlated with that channel,
    plus its bias; then ReLU, then pooling.
    """
    image = np.asarray(image, dtype=np.float64)
    channels = [image] if image.ndim == 2 else [image[..., c] for c in range(image.shape[2])]
    if not 1 <= len(filters) <= MAX_FILTERS:
        raise ValueError(f"A layer here has 1 to {MAX_FILTERS} filters; got {len(filters)}.")
    maps = []
    for layer_filter in filters:
        if len(layer_filter.slices) != len(channels):
            raise ValueError(
                f"Filter {layer_filter.name!r} has {len(layer_filter.slices)} slices "
                f"for {len(channels)} channels."
            )
        channel_sums = tuple(
            correlate(channel, piece, conv)
            for channel, piece in zip(channels, layer_filter.slices, strict=True)
        )
        sums = channel_sums[0].copy()
        for part in channel_sums[1:]:
            sums += part
        sums += layer_filter.bias
        activated = relu(sums)
        pooled = pool_map(activated, pooling)
        maps.append(FeatureMap(layer_filter.name, channel_sums, layer_filter.bias, sums, activated, pooled))
    return LayerResult(tuple(maps), conv, pooling, image.shape)


def pool_map(values: np.ndarray, pooling: PoolSettings) -> np.ndarray:
    """Pool one map; a map smaller than the window pools to nothing (0 x 0)."""
    return pool(values, pooling.kind, pooling.size, pooling.stride)


@dataclass(frozen=True, eq=False)
class Stage:
    """One stage of a small CNN: its name, the size it leaves, and its values."""

    name: str
    values: np.ndarray = field(repr=False)

    @property
    def size_text(self) -> str:
        rows, cols = self.values.shape
        return f"{rows}x{cols}"


@dataclass(frozen=True, eq=False)
class Pipeline:
    """The stages of a small CNN, input first."""

    stages: tuple[Stage, ...]

    @property
    def sizes_text(self) -> str:
        """The sizes along the pipeline, as the lecture writes them: "28x28 -> 26x26 -> 13x13 -> ..."."""
        return " -> ".join(stage.size_text for stage in self.stages)

    @property
    def nbytes(self) -> int:
        return int(sum(stage.values.nbytes for stage in self.stages))


def two_layer_pipeline(
    image: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    pooling: PoolSettings = PoolSettings(),
) -> Pipeline:
    """conv -> ReLU -> pool -> conv -> ReLU -> pool on a gray image ('valid', stride 1, as in the lecture).

    28x28 -> 26x26 -> 13x13 -> 11x11 -> 5x5: each stage's values, the input first.
    """
    stages = [Stage("Input", np.asarray(image, dtype=np.float64))]
    for number, kernel in enumerate((first, second), start=1):
        rows, cols = stages[-1].values.shape
        if min(rows, cols) < KERNEL_SIZE:
            raise ValueError(
                f"The map before conv {number} is {cols} x {rows}: too small for a 3 x 3 filter."
            )
        activated = relu(correlate(stages[-1].values, kernel))
        stages.append(Stage(f"Conv {number} + ReLU", activated))
        if 0 in pooled_shape(activated.shape, pooling.size, pooling.stride):
            raise ValueError(
                f"The map after conv {number} is {activated.shape[1]} x {activated.shape[0]}: "
                "too small to pool."
            )
        stages.append(Stage(f"Pool {number}", pool_map(activated, pooling)))
    return Pipeline(tuple(stages))


def preset_kernel(key: str) -> np.ndarray:
    """A preset's filter with its weight folded in (the box blur's ones times 1/9)."""
    preset = PRESETS[key]
    return np.asarray(preset.values, dtype=np.float64) * preset.weight


@dataclass(frozen=True, eq=False)
class WindowStep:
    """One position of the sliding window: which output pixel, which nine padded-input cells, the sum.

    ``cells`` are (row, col) in the padded input (padding included), in the filter's reading
    order; with a dilation d they lie d apart, and the next output pixel's window starts s
    further on (the stride).
    """

    out_row: int
    out_col: int
    cells: tuple[tuple[int, int], ...]
    values: np.ndarray = field(repr=False)
    kernel: np.ndarray = field(repr=False)
    total: float

    @property
    def sum_text(self) -> str:
        """The nine products written out, e.g. "0 × 1 + 64 × 0 + ... = -330"."""
        terms = " + ".join(
            f"{format_value(value)} × {format_value(weight)}"
            for value, weight in zip(self.values.ravel(), self.kernel.ravel(), strict=True)
        )
        return f"{terms} = {format_value(self.total)}"


def window_step(
    image: np.ndarray, kernel: np.ndarray, settings: ConvSettings, index: int, sums: np.ndarray
) -> WindowStep:
    """The ``index``-th window in reading order, its nine values and the sum ``sums`` holds for it.

    The sum is read from ``sums`` (the layer's own array), so the number written is the one drawn;
    the kernel is the one applied (turned by 180 degrees for a true convolution).
    """
    rows, cols = sums.shape
    out_row, out_col = divmod(index, cols)
    if not 0 <= out_row < rows:
        raise IndexError(f"Step {index} is outside the {rows} x {cols} output.")
    padded = padded_input(image, settings)
    top, left = out_row * settings.stride, out_col * settings.stride
    cells = tuple((top + int(r), left + int(c)) for r, c in window_offsets(settings))
    values = np.array([padded[cell] for cell in cells]).reshape(3, 3)
    applied = np.asarray(kernel, dtype=np.float64)
    if settings.flip:
        applied = applied[::-1, ::-1]
    return WindowStep(out_row, out_col, cells, values, applied, float(sums[out_row, out_col]))


def padded_input(image: np.ndarray, settings: ConvSettings) -> np.ndarray:
    """The input with the layer's zero padding around it, as the window sees it."""
    image = np.asarray(image, dtype=np.float64)
    return np.pad(image, settings.pads(image.shape).widths)
