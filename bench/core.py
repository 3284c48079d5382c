"""Core benchmark: convolve + map + pool at several sizes, against the lab's loop and OpenCV."""

from __future__ import annotations

import numpy as np
from scipy.signal import convolve2d

from bench.timing import median_ms, table, verdict
from filters import PRESETS, apply_filter
from filters.reference import lab_convolution

SIZES = {"28x28": (28, 28), "512x512": (512, 512), "1920x1080": (1080, 1920), "4032x3024": (3024, 4032)}
KERNEL = PRESETS["vertical_edges"].values
FLIPPED = KERNEL[::-1, ::-1].copy()  # what filters.convolve hands to convolve2d
KERNEL32 = KERNEL.astype(np.float32)


def _image(shape: tuple[int, int], colour: bool) -> np.ndarray:
    """Random 8-bit pixels as the app holds them: read-only uint8, colour as decoded (H, W, 3)."""
    rng = np.random.default_rng(0)
    full_shape = (*shape, 3) if colour else shape
    pixels = rng.integers(0, 256, size=full_shape, dtype=np.uint8)
    pixels.flags.writeable = False
    return pixels


def _repeats(shape: tuple[int, int]) -> int:
    pixels = shape[0] * shape[1]
    return 30 if pixels < 1e5 else 9 if pixels < 3e6 else 5


def _opencv():
    try:
        import cv2
    except ImportError:
        return None
    return cv2


def run() -> str:
    """Time the core and return the Markdown table."""
    cv2 = _opencv()
    rows = []
    lab_row = None
    full_rgb_ms = None
    for name, shape in SIZES.items():
        for colour in (False, True):
            image = _image(shape, colour)
            repeats = _repeats(shape)
            pipeline = median_ms(lambda image=image: apply_filter(image, KERNEL), repeats)
            channel = np.ascontiguousarray(image if image.ndim == 2 else image[..., 0], dtype=np.float64)
            scipy_only = median_ms(
                lambda channel=channel: convolve2d(channel, FLIPPED, mode="valid"), repeats
            )
            if cv2 is not None:
                channel32 = channel.astype(np.float32)
                opencv = median_ms(lambda channel32=channel32: cv2.filter2D(channel32, -1, KERNEL32), repeats)
                opencv_text, ratio_text = f"{opencv:.2f}", f"{scipy_only / opencv:.1f}x"
            else:
                opencv_text = ratio_text = "n/a (pip install opencv-python-headless)"
            lab_text = speedup_text = ""
            if name == "512x512" and not colour:
                lab = median_ms(lambda image=image: lab_convolution(image, KERNEL.tolist()), 3, warmup=0)
                lab_text, speedup_text = f"{lab:.0f}", f"{lab / pipeline:.0f}x"
                lab_row = (lab, pipeline)
            if name == "4032x3024" and colour:
                full_rgb_ms = pipeline
            rows.append(
                [
                    name,
                    "RGB" if colour else "gray",
                    f"{pipeline:.2f}",
                    f"{scipy_only:.2f}",
                    opencv_text,
                    ratio_text,
                    lab_text,
                    speedup_text,
                ]
            )
    headers = [
        "image",
        "mode",
        "convolve + map + pool (ms)",
        "convolve2d, 1 channel (ms)",
        "cv2.filter2D, 1 channel (ms)",
        "convolve2d / cv2",
        "lab loop (ms)",
        "core vs lab loop",
    ]
    notes = []
    if lab_row is not None:
        lab, pipeline = lab_row
        notes.append(
            f"- Budget: core >= 50x faster than the lab loop at 512x512: {lab / pipeline:.0f}x "
            f"({verdict(-lab / pipeline, -50)})."
        )
    if full_rgb_ms is not None:
        notes.append(
            f"- Budget: full-resolution 12 MP RGB convolve + map + pool < 1 s: {full_rgb_ms:.0f} ms "
            f"({verdict(full_rgb_ms, 1000)})."
        )
    return table(headers, rows) + "\n\n" + "\n".join(notes)
