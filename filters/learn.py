"""Where filters come from: gradient descent finds the nine weights that turn an image into a target.

A CNN is not given its filters; it learns them. Here the learner is one 3 x 3 filter, the data
one image, and the target what a preset makes of that image, or a map painted by hand (bright
where the output should be bright). Each step does what a deep-learning framework does for a
convolution layer:

- forward: the current filter over the image ("valid" padding), as everywhere in the app;
- loss: the mean squared difference from the target;
- backward: the gradient of the loss with respect to each of the nine weights,
  ``dL/dk[i, j] = 2/N * sum(residual * image shifted by (i, j))``;
- update: gradient descent with momentum (the velocity keeps a running direction, which is what
  lets 200 steps get close on photos, whose neighbouring pixels are so alike that plain descent
  crawls along the edge directions).

The exact answer, for comparison, is the least-squares solution over all windows
(``numpy.linalg.lstsq``). Pixels are scaled to 0..1 on both sides, so the weights are those of the
target filter itself.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from matplotlib.figure import Figure
from numpy.lib.stride_tricks import sliding_window_view
from PIL import Image

from filters.layer import correlate
from filters.numbers import format_value

Start = Literal["zeros", "random"]
STARTS: tuple[Start, ...] = ("zeros", "random")
LEARNING_RATES = (0.003, 0.01, 0.03, 0.1, 0.3)
DEFAULT_LEARNING_RATE = 0.1
DEFAULT_STEPS = 200
MAX_STEPS = 1000
MOMENTUM = 0.9
DIVERGED = 1e12
"""A loss this large (or not a number) means the steps overshoot: the learning rate is too large."""


def scaled(pixels: np.ndarray) -> np.ndarray:
    """Gray pixels 0..255 as the learner's inputs, 0..1."""
    return np.asarray(pixels, dtype=np.float64) / 255.0


def loss_and_gradient(image: np.ndarray, target: np.ndarray, kernel: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error of ``kernel`` over ``image`` against ``target``, and its gradient (3 x 3)."""
    residual = correlate(image, kernel) - target
    rows, cols = residual.shape
    gradient = np.empty((3, 3))
    for i in range(3):
        for j in range(3):
            gradient[i, j] = np.vdot(residual, image[i : i + rows, j : j + cols])
    count = residual.size
    return float(np.vdot(residual, residual)) / count, gradient * (2.0 / count)


def least_squares_filter(image: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, float, float, int]:
    """The exact best filter (least squares over every 3 x 3 window: the smallest such filter when
    several fit equally well), its loss, the windows' condition number (their largest singular value
    over their smallest: how much more some mixes of the nine weights change the output than others)
    and their rank (how many of those mixes change the output at all: 9 unless the image is too
    small or too plain to tell every filter apart)."""
    windows = sliding_window_view(image, (3, 3)).reshape(-1, 9)
    weights, _, rank, singular = np.linalg.lstsq(windows, target.ravel(), rcond=None)
    kernel = weights.reshape(3, 3)
    condition = float(singular[0] / singular[-1]) if rank == 9 else float("inf")
    return kernel, loss_and_gradient(image, target, kernel)[0], condition, int(rank)


@dataclass(frozen=True, eq=False)
class Learning:
    """A run of gradient descent: the filter and the loss after every step (step 0: the start)."""

    kernels: np.ndarray = field(repr=False)
    losses: np.ndarray = field(repr=False)
    exact: np.ndarray = field(repr=False)
    exact_loss: float
    learning_rate: float
    diverged: bool
    condition: float
    rank: int

    @property
    def nbytes(self) -> int:
        return int(self.kernels.nbytes + self.losses.nbytes)

    @property
    def steps(self) -> int:
        return len(self.losses) - 1

    def excess(self, step: int) -> float:
        """How far the loss at ``step`` is above the exact answer's, as a share of the start's."""
        start = self.losses[0] - self.exact_loss
        return float((self.losses[step] - self.exact_loss) / start) if start > 0 else 0.0

    def weight_gap(self, step: int) -> float:
        """How far the filter at ``step`` is from the exact answer: its largest difference in a weight."""
        return float(np.max(np.abs(self.kernels[step] - self.exact)))

    def why_weights_differ(self, step: int) -> str:
        """How far the loss and the weights at ``step`` are from the exact answer's, and why a small
        loss can come with wrong weights, in a sentence with this run's numbers."""
        gap, togo = format_value(self.weight_gap(step)), f"{100 * self.excess(step):.2f}%"
        if self.rank < 9:
            return (
                f"At step {step} the loss has {togo} of its way to go. On this image only {self.rank} of the "
                "nine ways of changing the weights change the output: many filters give exactly the same "
                "result, so the exact answer shown is one of them (the one with the smallest weights), and "
                "weights far from it can be just as right."
            )
        if self.weight_gap(step) < 0.05:
            return (
                f"At step {step} the loss has {togo} of its way to go, and every weight is within {gap} "
                "of the exact answer's."
            )
        return (
            f"At step {step} the loss has {togo} of its way to go, but a weight is still {gap} away from "
            f"the exact answer's: on this image some mixes of the nine weights change the output "
            f"{self.condition:,.0f} times less than others, so the loss is about {self.condition**2:,.0f} "
            "times flatter along them (neighbouring pixels are alike, so weights can trade places almost "
            "for free), and gradient descent crawls along those directions."
        )


@dataclass(frozen=True, eq=False)
class LossCurve:
    """A run's loss curve as a PNG, drawn once, and where each step's point lies on it: the page
    marks the step shown over the picture (CSS), so playing a run draws and sends no picture."""

    png: bytes = field(repr=False)
    width: int
    height: int
    points: np.ndarray = field(repr=False)
    """(steps + 1, 2): each step's (x, y) in the picture's pixels, from its top-left corner."""

    @property
    def nbytes(self) -> int:
        return len(self.png) + int(self.points.nbytes)


def loss_curve(learning: Learning) -> LossCurve:
    """The loss after every step (matplotlib, log scale) beside the exact answer's loss."""
    figure = Figure(figsize=(6, 2.8), dpi=100, layout="constrained")
    axes = figure.subplots()
    steps = np.arange(len(learning.losses))
    # The exact loss is often 0 up to rounding (1e-29): draw it at a tenth of the lowest loss reached.
    floor = max(learning.exact_loss, float(learning.losses.min()) / 10, 1e-300)
    drawn = np.maximum(learning.losses, floor)
    axes.semilogy(steps, drawn, color="#1f5fa8", label="loss (mean squared error)")
    axes.axhline(
        floor, color="#c25e00", linestyle="--", label=f"exact answer (loss {learning.exact_loss:.2g})"
    )
    axes.set_xlabel("step")
    axes.set_ylabel("loss (log scale)")
    axes.legend(loc="upper right")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")  # draws the figure: the axes' transform is final from here
    width, height = (int(side) for side in figure.canvas.get_width_height())
    points = axes.transData.transform(np.column_stack([steps, drawn]))
    points[:, 1] = height - points[:, 1]  # matplotlib counts from the bottom
    return LossCurve(buffer.getvalue(), width, height, points)


def starting_filter(start: Start, seed: int = 0) -> np.ndarray:
    """All zeros, or small random weights (uniform in -1..1, reproducible by ``seed``)."""
    if start == "zeros":
        return np.zeros((3, 3))
    return np.random.default_rng(seed).uniform(-1, 1, size=(3, 3))


def learn_filter(
    image: np.ndarray,
    target: np.ndarray,
    *,
    steps: int = DEFAULT_STEPS,
    learning_rate: float = DEFAULT_LEARNING_RATE,
    start: Start = "zeros",
    seed: int = 0,
) -> Learning:
    """Run ``steps`` steps of gradient descent with momentum from ``start`` on (image, target), both 0..1.

    Stops early when the loss blows up (``diverged``): the learning rate was too large.
    """
    if not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be 1 to {MAX_STEPS}; got {steps}.")
    if learning_rate <= 0:
        raise ValueError(f"the learning rate must be positive; got {learning_rate}.")
    kernel, velocity = starting_filter(start, seed), np.zeros((3, 3))
    kernels, losses, diverged = [kernel.copy()], [], False
    for _ in range(steps):
        loss, gradient = loss_and_gradient(image, target, kernel)
        losses.append(loss)
        if not np.isfinite(loss) or loss > DIVERGED:
            diverged = True
            kernels.pop()
            break
        velocity = MOMENTUM * velocity - learning_rate * gradient
        kernel = kernel + velocity
        kernels.append(kernel.copy())
    else:
        losses.append(loss_and_gradient(image, target, kernel)[0])
    exact, exact_loss, condition, rank = least_squares_filter(image, target)
    return Learning(
        np.array(kernels),
        np.array(losses[: len(kernels)]),
        exact,
        exact_loss,
        learning_rate,
        diverged,
        condition,
        rank,
    )


PAINT_MAX_SIDE = 64
"""The painting grid of a drawn target has at most this many cells a side; a bigger map (a photo's)
gets the painting stretched to its size."""


def paint_grid_shape(target_shape: tuple[int, int]) -> tuple[int, int]:
    """Rows and columns of the painting grid for a target map of ``target_shape``."""
    rows, cols = target_shape
    scale = min(1.0, PAINT_MAX_SIDE / max(rows, cols))
    return max(1, round(rows * scale)), max(1, round(cols * scale))


def painted_target(painted: np.ndarray, target_shape: tuple[int, int]) -> np.ndarray:
    """A painted grid (True: bright) as a target map of ``target_shape``, 0 or 1 in every cell.

    A grid smaller than the map is stretched to it, each painted cell covering its block (nearest).
    """
    painted = np.asarray(painted, dtype=bool)
    if painted.shape == tuple(target_shape):
        return painted.astype(np.float64)
    rows, cols = target_shape
    picture = Image.fromarray(painted.astype(np.uint8) * 255).resize((cols, rows), Image.Resampling.NEAREST)
    return (np.asarray(picture) > 127).astype(np.float64)


def target_background_png(pixels: np.ndarray, grid_shape: tuple[int, int]) -> bytes:
    """The image under the painting grid: the pixels each output pixel is centred on ("valid":
    the image without its 1-pixel border), reduced to the grid, as PNG."""
    inner = np.asarray(pixels, dtype=np.float64)[1:-1, 1:-1]
    rows, cols = grid_shape
    picture = Image.fromarray(np.clip(np.rint(inner), 0, 255).astype(np.uint8))
    buffer = io.BytesIO()
    picture.resize((cols, rows), Image.Resampling.BOX).save(buffer, format="PNG")
    return buffer.getvalue()
