"""A small CNN that learns to tell the ten Fashion-MNIST classes apart: the course lab's model, in NumPy.

The layers, as in the lab's Keras model::

    28 x 28 gray  ->  Conv2D, 8 filters 3 x 3 + bias, ReLU  ->  8 x 26 x 26
                  ->  MaxPooling2D 2 x 2, stride 2         ->  8 x 13 x 13
                  ->  Flatten (1,352 values)  ->  Dense, softmax over the 10 classes

**Input scaling.** Pixels 0..255 are divided by 255, as the lab does, so the filters' values are
on the scale of a unit input (a filter of ones over a white patch sums to 9). The division is the
first page's *weight*: a feature map is ``convolve(pixels, kernel, weight=1/255) + bias``, the
same function, the same whole-number pixels and the same weight the first page would show for
that filter, so the arithmetic of any feature-map pixel reads as the first page writes it.

**Two forward passes, one answer.** ``forward`` shows one item with the app's own ``convolve``
and ``max_pool`` (``filters.convolution``, ``filters.pooling``). Training and the confusion
matrix work on many items at once: ``batch_forward`` computes the same layers as nine shifted
multiply-adds over a whole batch. The tests show both give the same numbers.

**Flatten order.** Keras' Flatten reads the pooled maps channel last, (row, column, filter), so
``Network.dense`` has its 1,352 rows in that order and a Keras model given ``keras_weights()``
computes the same probabilities.

**Training** (``train``) is mini-batch Adam on the mean cross-entropy, from Glorot-uniform weights
(Keras' defaults), with flips and shifts of up to 2 pixels as augmentation, in float64 throughout.
The items are visited in an order drawn from the seed, and every sum runs in a fixed order, so the
same settings give the same bits: ``python -m filters.trained_network`` regenerates the shipped
snapshots byte for byte, and a test checks it. To keep that true across CPUs, training uses only
operations IEEE 754 rounds the same way everywhere (elementwise +, −, ×, ÷, √, max) and NumPy's
reductions. No BLAS matrix product (its blocking and FMA use depend on the CPU and the library)
and no ``np.exp``/``np.log`` (NumPy picks SIMD versions per CPU that may differ in the last bit):
the exponential and the logarithm below are written out with those operations. What is not
guaranteed: NumPy may change ``default_rng``'s streams or a reduction's order between versions
(none has so far); the test would then say so.

**What is shipped.** After each epoch the weights are rounded to float32 (``Network``, as Keras
stores them); training goes on from its float64 weights, and every reported loss and accuracy is
that of the rounded network, the one the page shows.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from filters.convolution import convolve
from filters.fashion_mnist import ITEM_SIDE, FashionItems, Split, fixed_split, load_items
from filters.pooling import max_pool

INPUT_SCALE = 1 / 255
"""What every pixel is multiplied by: the lab's division by 255 (the first page's weight 1/255)."""
FILTERS = 8
CLASSES = 10
MAP_SIDE = ITEM_SIDE - 2
POOLED_SIDE = MAP_SIDE // 2
FEATURES = FILTERS * POOLED_SIDE * POOLED_SIDE
"""Values the dense layer receives: 8 x 13 x 13 = 1,352."""

ModelKind = Literal["cnn", "no_pooling", "dense"]
MODEL_KINDS: tuple[ModelKind, ...] = ("cnn", "no_pooling", "dense")
MODEL_TITLES: dict[ModelKind, str] = {
    "cnn": "Conv2D 8 x 3 x 3 + ReLU + 2 x 2 max pooling, then dense",
    "no_pooling": "The same CNN without pooling",
    "dense": "Dense softmax on the raw pixels",
}
DENSE_INPUTS: dict[ModelKind, int] = {
    "cnn": FEATURES,
    "no_pooling": FILTERS * MAP_SIDE * MAP_SIDE,
    "dense": ITEM_SIDE * ITEM_SIDE,
}
"""How many values each model passes to its dense layer: 1,352, 5,408 and 784."""


# ---- The network and its forward pass -------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Network:
    """The CNN's weights (float32, read-only).

    Attributes
    ----------
    kernels : ndarray, shape (8, 3, 3)
        The learnt filters, as they lie over the image (not flipped).
    biases : ndarray, shape (8,)
        One bias per filter, added to its feature map.
    dense : ndarray, shape (1352, 10)
        The dense layer's weights, rows in Keras' Flatten order: row ``(r * 13 + c) * 8 + f`` is
        pooled map ``f`` at (r, c).
    dense_bias : ndarray, shape (10,)
    """

    kernels: np.ndarray = field(repr=False)
    biases: np.ndarray = field(repr=False)
    dense: np.ndarray = field(repr=False)
    dense_bias: np.ndarray = field(repr=False)

    def __post_init__(self) -> None:
        shapes = {
            "kernels": (FILTERS, 3, 3),
            "biases": (FILTERS,),
            "dense": (FEATURES, CLASSES),
            "dense_bias": (CLASSES,),
        }
        for name, shape in shapes.items():
            array = np.array(getattr(self, name), dtype=np.float32)
            if array.shape != shape:
                raise ValueError(f"Network.{name} must have shape {shape}; got {array.shape}.")
            array.flags.writeable = False
            object.__setattr__(self, name, array)

    def keras_weights(self) -> list[np.ndarray]:
        """The weights as Keras' ``model.set_weights`` takes them for the lab's model:
        Conv2D kernel (3, 3, 1, 8), its bias (8,), Dense kernel (1352, 10), its bias (10,)."""
        return [self.kernels.transpose(1, 2, 0)[:, :, None, :], self.biases, self.dense, self.dense_bias]

    @classmethod
    def from_keras(cls, weights: list[np.ndarray]) -> Network:
        """The inverse of ``keras_weights`` (``model.get_weights()`` of the lab's model)."""
        kernel, bias, dense, dense_bias = (np.asarray(array) for array in weights)
        return cls(np.asarray(kernel)[:, :, 0, :].transpose(2, 0, 1), bias, dense, dense_bias)

    def with_filters(self, kernels: np.ndarray, biases: np.ndarray) -> Network:
        """This network with another first layer (a user's filters), the dense layer kept."""
        return replace(self, kernels=kernels, biases=biases)

    def dense_for_filter(self, index: int) -> np.ndarray:
        """The dense weights that read filter ``index``'s pooled map: (13, 13, 10)."""
        return self.dense.reshape(POOLED_SIDE, POOLED_SIDE, FILTERS, CLASSES)[:, :, index, :]

    @property
    def digest(self) -> str:
        """A full digest of every weight: what a cache of this network's results is keyed by."""
        digest = hashlib.sha256()
        for array in (self.kernels, self.biases, self.dense, self.dense_bias):
            digest.update(array.tobytes())
        return digest.hexdigest()

    @property
    def weight_count(self) -> int:
        return int(self.kernels.size + self.biases.size + self.dense.size + self.dense_bias.size)


@dataclass(frozen=True, eq=False)
class Forward:
    """One item through the network: every value the page shows (float64, read-only).

    Attributes
    ----------
    pixels : ndarray of uint8, shape (28, 28)
    sums : ndarray, shape (8, 26, 26)
        ``convolve(pixels, kernel, weight=1/255) + bias`` for each filter, before ReLU.
    maps : ndarray, shape (8, 26, 26)
        The feature maps after ReLU.
    pooled : ndarray, shape (8, 13, 13)
        The maps after 2 x 2 max pooling.
    features : ndarray, shape (1352,)
        The pooled maps flattened as Keras does, channel last.
    logits : ndarray, shape (10,)
        ``features @ dense + dense_bias``.
    probabilities : ndarray, shape (10,)
        The softmax of the logits.
    """

    pixels: np.ndarray = field(repr=False)
    sums: np.ndarray = field(repr=False)
    maps: np.ndarray = field(repr=False)
    pooled: np.ndarray = field(repr=False)
    features: np.ndarray = field(repr=False)
    logits: np.ndarray = field(repr=False)
    probabilities: np.ndarray = field(repr=False)

    @property
    def nbytes(self) -> int:
        """Memory its arrays hold (for byte-bounded caches)."""
        arrays = (
            self.pixels,
            self.sums,
            self.maps,
            self.pooled,
            self.features,
            self.logits,
            self.probabilities,
        )
        return sum(int(array.nbytes) for array in arrays)

    @property
    def predicted(self) -> int:
        """The most probable class (the first on a tie)."""
        return int(np.argmax(self.probabilities))


def item_pixels(pixels: np.ndarray) -> np.ndarray:
    """Check an item: 28 x 28 whole numbers 0..255 (as uint8); a ``ValueError`` names what is wrong."""
    pixels = np.asarray(pixels)
    if pixels.shape != (ITEM_SIDE, ITEM_SIDE):
        raise ValueError(f"The network takes a 28 x 28 item; got shape {pixels.shape} (see fit_to_item).")
    if pixels.dtype != np.uint8:
        if not np.array_equal(pixels, np.clip(np.rint(pixels), 0, 255)):
            raise ValueError("The network takes pixel values that are whole numbers from 0 to 255.")
        pixels = pixels.astype(np.uint8)
    return pixels.copy()


def softmax(logits: np.ndarray) -> np.ndarray:
    """Probabilities from logits along the last axis (float64), with the deterministic exponential."""
    logits = np.asarray(logits, dtype=np.float64)
    exps = exp(logits - logits.max(axis=-1, keepdims=True))
    return exps / exps.sum(axis=-1, keepdims=True)


def forward(network: Network, pixels: np.ndarray) -> Forward:
    """Show one item through the network, with the app's own convolution and pooling.

    Parameters
    ----------
    pixels : ndarray, shape (28, 28)
        Whole numbers 0..255, white item on black (``fit_to_item`` makes any picture so).
    """
    pixels = item_pixels(pixels)
    sums = np.stack(
        [
            convolve(pixels, kernel, weight=INPUT_SCALE) + float(bias)
            for kernel, bias in zip(network.kernels, network.biases, strict=True)
        ]
    )
    maps = np.maximum(sums, 0.0)
    pooled = np.stack([max_pool(feature_map) for feature_map in maps])
    features = pooled.transpose(1, 2, 0).ravel()  # Keras' Flatten: channel last
    logits = features @ network.dense.astype(np.float64) + network.dense_bias
    probabilities = softmax(logits)
    for array in (pixels, sums, maps, pooled, features, logits, probabilities):
        array.flags.writeable = False
    return Forward(pixels, sums, maps, pooled, features, logits, probabilities)


def batch_forward(network: Network, images: np.ndarray) -> np.ndarray:
    """The class probabilities of many items at once (N, 10): ``forward``'s numbers, vectorised."""
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != (ITEM_SIDE, ITEM_SIDE):
        raise ValueError(f"batch_forward takes items of shape (N, 28, 28); got {images.shape}.")
    weights = _from_network(network, np.float64)
    logits, _ = _logits("cnn", weights, images.astype(np.float64), scale_after=True)
    return softmax(logits)


def predict(network: Network, images: np.ndarray) -> np.ndarray:
    """The predicted class of each item (N,), as ``forward(...).predicted`` gives it."""
    return np.argmax(batch_forward(network, images), axis=1)


# ---- Deterministic exponential and logarithm ----------------------------------------------------------

_LOG2_E = 1.4426950408889634
_LN2_HIGH, _LN2_LOW = 0.6931471803691238, 1.9082149292705877e-10
"""ln 2 split in two: n * _LN2_HIGH is exact for the n that occur, so the reduction loses nothing."""
_EXP_TERMS = tuple(1 / math.factorial(k) for k in range(14))
_LOG_TERMS = tuple(1 / (2 * k + 1) for k in range(13))
_SQRT_HALF = math.sqrt(0.5)


def exp(values: np.ndarray) -> np.ndarray:
    """e**x in float64 from elementwise IEEE operations only (same bits on every CPU).

    x = n ln 2 + r with |r| <= ln(2) / 2, e**r by its Taylor series to r**13 (error below 1e-16),
    then scaled by 2**n (exact). Arguments below -700 give e**-700 (about 1e-304).
    """
    x = np.maximum(np.asarray(values, dtype=np.float64), -700.0)
    n = np.rint(x * _LOG2_E)
    r = (x - n * _LN2_HIGH) - n * _LN2_LOW
    series = np.full_like(r, _EXP_TERMS[-1])
    for term in reversed(_EXP_TERMS[:-1]):
        series = series * r + term
    return np.ldexp(series, n.astype(np.int64))


def log(values: np.ndarray) -> np.ndarray:
    """ln x for x > 0 in float64 from elementwise IEEE operations only (same bits on every CPU).

    x = m 2**e with m in [sqrt(1/2), sqrt(2)); ln m = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172,
    by its series to s**25.
    """
    mantissa, exponent = np.frexp(np.asarray(values, dtype=np.float64))
    low = mantissa < _SQRT_HALF
    mantissa = np.where(low, mantissa * 2.0, mantissa)
    exponent = exponent - low
    s = (mantissa - 1.0) / (mantissa + 1.0)
    s2 = s * s
    series = np.full_like(s, _LOG_TERMS[-1])
    for term in reversed(_LOG_TERMS[:-1]):
        series = series * s2 + term
    return exponent * _LN2_HIGH + (exponent * _LN2_LOW + 2.0 * s * series)


# ---- The layers over a batch: forward, loss and gradients ----------------------------------------------

Weights = dict[str, np.ndarray]
"""A model's weights while training: "kernels" (8, 3, 3) and "biases" (8,) for the CNNs,
"dense" (10, F) with F in the model's own order (filter, row, column) and "dense_bias" (10,)."""


def _conv(weights: Weights, inputs: np.ndarray, scale_after: bool) -> np.ndarray:
    """Each filter's sums plus its bias, (N, 8, 26, 26): nine shifted multiply-adds, in a fixed order.

    ``scale_after``: the inputs are whole pixels and the sums are multiplied by 1/255 afterwards, as
    ``convolve(pixels, kernel, weight=1/255)`` does (the display's order); else the inputs are scaled.
    """
    count = inputs.shape[0]
    sums = np.zeros((count, FILTERS, MAP_SIDE, MAP_SIDE), dtype=inputs.dtype)
    kernels = weights["kernels"]
    for i in range(3):
        for j in range(3):
            window = inputs[:, None, i : i + MAP_SIDE, j : j + MAP_SIDE]
            sums += kernels[None, :, i, j, None, None] * window
    if scale_after:
        sums *= INPUT_SCALE
    sums += weights["biases"][None, :, None, None]
    return sums


def _pool(maps: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """2 x 2 max pooling of (N, 8, 26, 26) maps, and where each maximum came from (the first of a tie,
    in reading order, as ``filters.pooling.pool_steps`` picks it): four masks, one per corner."""
    corners = [maps[:, :, i::2, j::2] for i in range(2) for j in range(2)]
    pooled = np.maximum(np.maximum(corners[0], corners[1]), np.maximum(corners[2], corners[3]))
    taken = np.zeros(pooled.shape, dtype=bool)
    masks = []
    for corner in corners:
        mask = (corner == pooled) & ~taken
        taken |= mask
        masks.append(mask)
    return pooled, tuple(masks)


def _logits(kind: ModelKind, weights: Weights, inputs: np.ndarray, scale_after: bool = False):
    """The model's logits (N, 10) for a batch of (N, 28, 28) inputs, and what the backward pass needs."""
    count = inputs.shape[0]
    if kind == "dense":
        features = inputs.reshape(count, -1) * INPUT_SCALE if scale_after else inputs.reshape(count, -1)
        cache = {"inputs": inputs}
    else:
        sums = _conv(weights, inputs, scale_after)
        maps = np.maximum(sums, 0)
        cache = {"inputs": inputs, "sums": sums}
        if kind == "cnn":
            pooled, masks = _pool(maps)
            cache["masks"] = masks
            features = pooled.reshape(count, -1)
        else:
            features = maps.reshape(count, -1)
    cache["features"] = features
    products = features[:, None, :] * weights["dense"][None, :, :]
    return products.sum(axis=-1) + weights["dense_bias"], cache


def cross_entropy(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """The mean of -ln(probability of the true class): the loss the network is trained on."""
    chosen = np.asarray(probabilities, dtype=np.float64)[np.arange(len(labels)), labels]
    return float(-log(np.maximum(chosen, 1e-300)).sum() / len(labels))


def loss_and_gradients(
    kind: ModelKind, weights: Weights, inputs: np.ndarray, labels: np.ndarray
) -> tuple[float, Weights]:
    """The mean cross-entropy of a batch (inputs 0..1, shape (N, 28, 28)) and its gradient for every weight.

    Backward through the layers: softmax with cross-entropy gives ``(p - onehot) / N`` on the logits;
    the dense layer passes it to its weights (times the features) and to the features (times the
    weights); max pooling routes each pooled value's gradient to the pixel it came from; ReLU passes it
    where the sum was positive; a filter's gradient is the map's gradient times the shifted inputs.
    """
    count = inputs.shape[0]
    logits, cache = _logits(kind, weights, inputs)
    probabilities = softmax(logits)
    loss = cross_entropy(probabilities, labels)
    delta = probabilities
    delta[np.arange(count), labels] -= 1.0
    delta = (delta / count).astype(inputs.dtype)
    features = cache["features"]
    gradients = {
        "dense": (delta[:, :, None] * features[:, None, :]).sum(axis=0),
        "dense_bias": delta.sum(axis=0),
    }
    if kind == "dense":
        return loss, gradients
    feature_gradient = (delta[:, :, None] * weights["dense"][None, :, :]).sum(axis=1)
    if kind == "cnn":
        pooled_gradient = feature_gradient.reshape(count, FILTERS, POOLED_SIDE, POOLED_SIDE)
        map_gradient = np.zeros(cache["sums"].shape, dtype=inputs.dtype)
        for (i, j), mask in zip(((0, 0), (0, 1), (1, 0), (1, 1)), cache["masks"], strict=True):
            map_gradient[:, :, i::2, j::2] = pooled_gradient * mask
    else:
        map_gradient = feature_gradient.reshape(cache["sums"].shape)
    sum_gradient = map_gradient * (cache["sums"] > 0)
    kernel_gradient = np.empty((FILTERS, 3, 3), dtype=inputs.dtype)
    for i in range(3):
        for j in range(3):
            window = inputs[:, None, i : i + MAP_SIDE, j : j + MAP_SIDE]
            kernel_gradient[:, i, j] = (sum_gradient * window).sum(axis=(0, 2, 3))
    gradients["kernels"] = kernel_gradient
    gradients["biases"] = sum_gradient.sum(axis=(0, 2, 3))
    return loss, gradients


# ---- Training ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingSettings:
    """Everything that decides a training run; the same settings give the same weights, bit for bit."""

    kind: ModelKind = "cnn"
    seed: int = 0
    epochs: int = 15
    batch_size: int = 32
    learning_rate: float = 0.01
    decay: float = 1.0
    """The learning rate is multiplied by this after every epoch."""
    shift: int = 2
    """Largest shift of the augmentation, in pixels (0: no shifts)."""
    flip: bool = True
    """Mirror half the training items left to right each epoch."""

    def __post_init__(self) -> None:
        if self.kind not in MODEL_KINDS:
            raise ValueError(f"kind must be one of {MODEL_KINDS}; got {self.kind!r}.")
        if not (1 <= self.epochs <= 100 and 1 <= self.batch_size <= 720 and self.learning_rate > 0):
            raise ValueError("epochs must be 1 to 100, batch_size 1 to 720, and the learning rate positive.")
        if not 0 <= self.shift <= 4:
            raise ValueError(f"shift must be 0 to 4 pixels; got {self.shift}.")


SHIPPED_SETTINGS = TrainingSettings()
"""The run behind the shipped weights (``filters.trained_network``)."""
ADAM_BETAS, ADAM_EPSILON = (0.9, 0.999), 1e-7
"""Keras' defaults for Adam."""


def initial_weights(kind: ModelKind, seed: int) -> Weights:
    """Glorot-uniform kernels and zero biases, as Keras initialises Conv2D and Dense (float64)."""
    rng = np.random.default_rng(seed)
    weights: Weights = {}
    if kind != "dense":
        limit = math.sqrt(6 / (9 * 1 + 9 * FILTERS))
        weights["kernels"] = rng.uniform(-limit, limit, size=(FILTERS, 3, 3))
        weights["biases"] = np.zeros(FILTERS)
    inputs = DENSE_INPUTS[kind]
    limit = math.sqrt(6 / (inputs + CLASSES))
    weights["dense"] = rng.uniform(-limit, limit, size=(CLASSES, inputs))
    weights["dense_bias"] = np.zeros(CLASSES)
    return weights


def _to_network(weights: Weights) -> Network:
    dense = weights["dense"].reshape(CLASSES, FILTERS, POOLED_SIDE, POOLED_SIDE).transpose(2, 3, 1, 0)
    return Network(
        weights["kernels"], weights["biases"], dense.reshape(FEATURES, CLASSES), weights["dense_bias"]
    )


def _from_network(network: Network, dtype: type) -> Weights:
    dense = network.dense.reshape(POOLED_SIDE, POOLED_SIDE, FILTERS, CLASSES).transpose(3, 2, 0, 1)
    return {
        "kernels": network.kernels.astype(dtype),
        "biases": network.biases.astype(dtype),
        "dense": dense.reshape(CLASSES, FEATURES).astype(dtype),
        "dense_bias": network.dense_bias.astype(dtype),
    }


def augmented(images: np.ndarray, rng: np.random.Generator, settings: TrainingSettings) -> np.ndarray:
    """A fresh view of each item: mirrored left to right (half of them, if ``flip``) and shifted by up to
    ``shift`` pixels in each direction, the uncovered border black."""
    count = len(images)
    flips = rng.random(count) < 0.5 if settings.flip else np.zeros(count, dtype=bool)
    shifts = rng.integers(-settings.shift, settings.shift + 1, size=(count, 2))
    views = np.where(flips[:, None, None], images[:, :, ::-1], images)
    margin = settings.shift
    padded = np.pad(views, ((0, 0), (margin, margin), (margin, margin)))
    out = np.empty_like(images)
    for index, (down, right) in enumerate(shifts):
        top, left = margin - down, margin - right
        out[index] = padded[index, top : top + ITEM_SIDE, left : left + ITEM_SIDE]
    return out


@dataclass(frozen=True, eq=False)
class Epoch:
    """The state after an epoch of training (epoch 0: the random start).

    Attributes
    ----------
    number : int
    network : Network or None
        The CNN's weights after this epoch (None for the comparison models, which are not kept).
    train_loss, held_out_loss : float
        Mean cross-entropy on the 720 training items (as they are, not augmented) and the 180 held out.
    train_correct, held_out_correct : int
        How many of them the network classifies correctly.
    held_out_predictions : ndarray of int, shape (180,)
        The predicted class of each held-out item, in ``split.held_out`` order.
    """

    number: int
    network: Network | None
    train_loss: float
    held_out_loss: float
    train_correct: int
    held_out_correct: int
    held_out_predictions: np.ndarray = field(repr=False)
    train_count: int
    held_out_count: int

    @property
    def held_out_accuracy(self) -> float:
        return self.held_out_correct / self.held_out_count

    @property
    def train_accuracy(self) -> float:
        return self.train_correct / self.train_count


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray) -> np.ndarray:
    """How many items of each true class (row) got each predicted class (column): (10, 10) int64.

    Its diagonal holds the items classified correctly, so its trace is the number correct.
    """
    labels, predictions = _classes(labels, predictions)
    matrix = np.zeros((CLASSES, CLASSES), dtype=np.int64)
    np.add.at(matrix, (labels, predictions), 1)
    return matrix


def confusion_cell(
    items: np.ndarray, labels: np.ndarray, predictions: np.ndarray, true_class: int, predicted_class: int
) -> np.ndarray:
    """The items of one cell of the confusion matrix, in the order given.

    Parameters
    ----------
    items : ndarray of int, shape (N,)
        What names each item, e.g. its index among the 900 (``split.held_out``).
    labels, predictions : ndarray of int, shape (N,)
        Each item's true and predicted class (e.g. ``epoch.held_out_predictions``).
    """
    labels, predictions = _classes(labels, predictions)
    items = np.asarray(items)
    if items.shape != labels.shape:
        raise ValueError(f"items and labels must have the same shape; got {items.shape} and {labels.shape}.")
    return items[(labels == true_class) & (predictions == predicted_class)]


def _classes(labels: np.ndarray, predictions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Check true and predicted classes: two 1-D arrays of the same length, whole numbers 0..9."""
    labels, predictions = np.asarray(labels), np.asarray(predictions)
    if labels.ndim != 1 or labels.shape != predictions.shape:
        raise ValueError(
            f"labels and predictions must be 1-D, of one length; got {labels.shape} and {predictions.shape}."
        )
    for name, values in (("labels", labels), ("predictions", predictions)):
        if values.dtype.kind not in "iu" or (values.size and not 0 <= values.min() <= values.max() < CLASSES):
            raise ValueError(f"{name} must be class numbers 0 to {CLASSES - 1}.")
    return labels, predictions


EVALUATION_CHUNK = 60
"""Items evaluated at once: bounds the broadcast dense product (60 x 10 x 5,408 values without pooling)."""


def _rounded(weights: Weights) -> Weights:
    """The weights as shipped: rounded to float32, computed on in float64."""
    return {name: array.astype(np.float32).astype(np.float64) for name, array in weights.items()}


def _evaluate(kind: ModelKind, weights: Weights, images: np.ndarray, labels: np.ndarray):
    """Loss, number correct and predictions for items as they are (float64, whole pixels scaled after the
    sums, as ``forward`` computes them), with the weights rounded to float32 as they are shipped."""
    wide = _rounded(weights)
    logits = np.concatenate(
        [
            _logits(
                kind, wide, images[start : start + EVALUATION_CHUNK].astype(np.float64), scale_after=True
            )[0]
            for start in range(0, len(images), EVALUATION_CHUNK)
        ]
    )
    probabilities = softmax(logits)
    predictions = np.argmax(probabilities, axis=1)
    return cross_entropy(probabilities, labels), int((predictions == labels).sum()), predictions


def train(
    settings: TrainingSettings = SHIPPED_SETTINGS,
    items: FashionItems | None = None,
    split: Split | None = None,
    fixed_filters: tuple[np.ndarray, np.ndarray] | None = None,
) -> Iterator[Epoch]:
    """Train from ``settings.seed``, yielding the state after every epoch, epoch 0 (the start) first.

    A page can run it in a background fragment and show each epoch as it comes. Deterministic: the same
    settings give the same bits on any machine (see the module docstring).

    Parameters
    ----------
    items, split : the 900 items and the fixed split by default.
    fixed_filters : (kernels (8, 3, 3), biases (8,)), optional
        Keep these filters (a user's first layer) and train only the dense layer on them (CNN only).
    """
    items = items if items is not None else load_items()
    split = split if split is not None else fixed_split()
    kind = settings.kind
    weights = initial_weights(kind, settings.seed)
    if fixed_filters is not None:
        if kind == "dense":
            raise ValueError("fixed_filters need a model with a convolution layer.")
        kernels, biases = (np.asarray(array, dtype=np.float64) for array in fixed_filters)
        if kernels.shape != (FILTERS, 3, 3) or biases.shape != (FILTERS,):
            raise ValueError(f"fixed_filters must be ({FILTERS}, 3, 3) kernels and ({FILTERS},) biases.")
        weights["kernels"], weights["biases"] = kernels.copy(), biases.copy()
    trained = [name for name in weights if fixed_filters is None or name in ("dense", "dense_bias")]
    rng = np.random.default_rng([settings.seed, 1])  # the order and augmentation, apart from the start
    train_images = items.images[split.train]
    train_labels = items.labels[split.train]
    held_images, held_labels = items.images[split.held_out], items.labels[split.held_out]
    first_moment = {name: np.zeros_like(weights[name]) for name in trained}
    second_moment = {name: np.zeros_like(weights[name]) for name in trained}
    beta1, beta2 = ADAM_BETAS
    beta1_power = beta2_power = 1.0
    rate = settings.learning_rate
    for number in range(settings.epochs + 1):
        if number > 1:
            rate *= settings.decay
        if number > 0:
            order = rng.permutation(len(train_labels))
            views = augmented(train_images[order], rng, settings).astype(np.float64) * INPUT_SCALE
            labels = train_labels[order]
            for start in range(0, len(labels), settings.batch_size):
                batch = slice(start, start + settings.batch_size)
                _, gradients = loss_and_gradients(kind, weights, views[batch], labels[batch])
                beta1_power *= beta1  # powers by repeated products: no pow(), whose last bit may vary
                beta2_power *= beta2
                step = rate * math.sqrt(1 - beta2_power) / (1 - beta1_power)
                for name in trained:
                    gradient = gradients[name]
                    first_moment[name] = beta1 * first_moment[name] + (1 - beta1) * gradient
                    second_moment[name] = beta2 * second_moment[name] + (1 - beta2) * (gradient * gradient)
                    weights[name] = weights[name] - step * first_moment[name] / (
                        np.sqrt(second_moment[name]) + ADAM_EPSILON
                    )
        train_loss, train_correct, _ = _evaluate(kind, weights, train_images, train_labels)
        held_loss, held_correct, predictions = _evaluate(kind, weights, held_images, held_labels)
        yield Epoch(
            number=number,
            network=_to_network(_rounded(weights)) if kind == "cnn" else None,
            train_loss=train_loss,
            held_out_loss=held_loss,
            train_correct=train_correct,
            held_out_correct=held_correct,
            held_out_predictions=predictions,
            train_count=len(train_labels),
            held_out_count=len(held_labels),
        )
