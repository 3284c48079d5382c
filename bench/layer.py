"""A whole layer (the second page): eight filters, two layers in a row, and learning a filter.

``python -m bench --only layer``. All at the first page's default working size, 512 x 512, on the
bundled camera photo; each timing against the first page's one-filter pipeline measured in the
same run, so the ratios hold on any machine.
"""

from __future__ import annotations

import numpy as np

from bench.timing import median_ms, table, verdict
from filters import PRESETS, apply_filter
from filters.layer import LayerFilter, apply_layer, correlate, preset_kernel, two_layer_pipeline
from filters.learn import DEFAULT_STEPS, learn_filter, loss_and_gradient, scaled
from tests.e2e.helpers import sample_pixels

EIGHT = (
    "vertical_edges",
    "horizontal_edges",
    "outline",
    "sharpen",
    "emboss",
    "box_blur",
    "gaussian_blur",
    "identity",
)
LAYER_BUDGET_MS, PIPELINE_BUDGET_MS, STEP_BUDGET_MS, EXCESS_BUDGET = 60, 100, 20, 0.01


def run() -> str:
    pixels = sample_pixels("photos/camera.png")  # 512 x 512, gray
    one_filter = median_ms(lambda: apply_filter(pixels.astype(np.uint8), PRESETS["vertical_edges"].values), 9)
    filters = [LayerFilter.same_on_every_channel(PRESETS[key].name, preset_kernel(key), 1) for key in EIGHT]
    layer = median_ms(lambda: apply_layer(pixels, filters), 9)
    vertical, horizontal = preset_kernel("vertical_edges"), preset_kernel("horizontal_edges")
    pipeline = median_ms(lambda: two_layer_pipeline(pixels, vertical, horizontal), 9)
    inputs = scaled(pixels)
    target = correlate(inputs, vertical)
    kernel = np.zeros((3, 3))
    step = median_ms(lambda: loss_and_gradient(inputs, target, kernel), 20)
    learning = learn_filter(inputs, target, steps=DEFAULT_STEPS)
    excess = learning.excess(DEFAULT_STEPS)
    rows = [
        ["8 filters: convolve + ReLU + 2x2 max pool", f"{layer:.1f}", f"{layer / one_filter:.1f}x",
         f"< {LAYER_BUDGET_MS} ms", verdict(layer, LAYER_BUDGET_MS)],
        ["conv -> ReLU -> pool -> conv -> ReLU -> pool", f"{pipeline:.1f}", f"{pipeline / one_filter:.1f}x",
         f"< {PIPELINE_BUDGET_MS} ms", verdict(pipeline, PIPELINE_BUDGET_MS)],
        ["one learning step (forward, loss, gradient)", f"{step:.1f}", f"{step / one_filter:.1f}x",
         f"< {STEP_BUDGET_MS} ms", verdict(step, STEP_BUDGET_MS)],
        [f"{DEFAULT_STEPS} steps on the vertical-edge target: loss still to go", f"{100 * excess:.3f}%", "",
         f"< {100 * EXCESS_BUDGET:g}%", verdict(excess, EXCESS_BUDGET)],
    ]  # fmt: skip
    headers = ["512 x 512 (camera.png)", "ms", "vs one filter on page 1", "budget", "within"]
    note = (
        f"One filter on the first page (convolve + clip + 2x2 max pool, same image): {one_filter:.1f} ms. "
        f"The learnt filter after {DEFAULT_STEPS} steps: "
        f"{np.round(learning.kernels[-1], 2).tolist()} (the target: {vertical.tolist()})."
    )
    return table(headers, rows) + "\n\n" + note
