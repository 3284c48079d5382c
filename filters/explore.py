"""What the in-browser explorer shows, computed here and packed as raw bytes.

The explorer (``views/explorer.py``) draws a region of the image and of its
filtered output, explains the pixel under the pointer, and plays the steppers,
all in the browser with no server round trip. It receives numbers, never
pictures or texts: the input pixels, the sums read from ``result.raw``, the
final values from ``result.mapped()``, the pooled values and the colours the
server draws them in. The browser writes them with ``format.js``, a port of
``format_value``, and multiplies the nine products (one IEEE multiplication
each, exactly as NumPy does). The tests check every text it shows against
``walk_pixel`` and ``pool_text``.

The payload is one ``bytes`` object: a 4-byte length, a JSON header, then the
arrays, each starting on an 8-byte boundary (so the browser reads them as typed
arrays without copying). A 32 x 32 region is about 60 kB whatever the image size.
"""

from __future__ import annotations

import hashlib
import json
import struct
from dataclasses import dataclass

import numpy as np

from filters.drawing import (
    CHOSEN,
    CHOSEN_LINE,
    HIGHLIGHT,
    HIGHLIGHT_LINE,
    NOT_YET_FILL,
    PADDING_FILL,
    PIXEL_SHADING,
    Shading,
    label_inks,
    output_shading,
    shade,
)
from filters.kernel import format_weight
from filters.pipeline import FilterResult
from filters.pooling import PoolKind, pooled_shape
from filters.stepping import Region, input_region, padded_crop
from filters.walkthrough import channel_note, channel_of, pooling_steps

_ALIGN = 8
_DTYPES = {"u1": np.uint8, "f8": np.float64}


@dataclass(frozen=True, eq=False)
class Payload:
    """A packed payload without its per-rerun part (the pinned pixel): built once per recipe and region.

    ``key`` names the arrays' content, so the browser rebuilds its grids only when it changes.
    """

    header: dict
    blob: bytes
    key: str

    @property
    def nbytes(self) -> int:
        return len(self.blob) + 1024

    def framed(
        self,
        view: str,
        pinned: tuple[int, int],
        step: int = 0,
        projector: bool = False,
        reveal: bool = False,
        sizes: bool = True,
    ) -> bytes:
        """The bytes sent to the browser: this payload, the view it is shown in, the pixel pinned now,
        the stepper's step to start from, whether numbers are drawn for a projector, whether to
        scroll the explanation into view (the user just opened this view with a button), and whether
        the grids' captions say their sizes (not while the learner guesses them)."""
        extra = {
            "key": self.key,
            "view": view,
            "pinned": list(pinned),
            "step": step,
            "projector": projector,
            "reveal": reveal,
            "sizes": sizes,
        }
        return _frame({**self.header, **extra}, self.blob)


def pack(header: dict, arrays: dict[str, np.ndarray]) -> Payload:
    """Pack arrays (uint8 or float64) after a JSON header; see the module docstring for the layout."""
    layout, parts, offset = {}, [], 0
    for name, array in arrays.items():
        code = "u1" if array.dtype == np.uint8 else "f8"
        data = np.ascontiguousarray(array, dtype=_DTYPES[code]).tobytes()
        layout[name] = {"dtype": code, "shape": list(array.shape), "offset": offset}
        padding = -len(data) % _ALIGN
        parts.append(data + bytes(padding))
        offset += len(data) + padding
    blob = b"".join(parts)
    full_header = {**header, "arrays": layout}
    digest = hashlib.sha256(json.dumps(full_header, sort_keys=True).encode() + blob).hexdigest()[:16]
    return Payload(full_header, blob, digest)


def _frame(header: dict, blob: bytes) -> bytes:
    text = json.dumps(header, separators=(",", ":"), allow_nan=False).encode()
    text += b" " * (-(4 + len(text)) % _ALIGN)
    return struct.pack("<I", len(text)) + text + blob


def unpack(data: bytes) -> tuple[dict, dict[str, np.ndarray]]:
    """Read a payload back: the header and the arrays (what the browser does, for the tests)."""
    (length,) = struct.unpack_from("<I", data)
    header = json.loads(data[4 : 4 + length])
    base = 4 + length
    arrays = {}
    for name, entry in header["arrays"].items():
        dtype = np.dtype(_DTYPES[entry["dtype"]])
        count = int(np.prod(entry["shape"], dtype=np.int64))
        flat = np.frombuffer(data, dtype=dtype, count=count, offset=base + entry["offset"])
        arrays[name] = flat.reshape(entry["shape"])
    return header, arrays


def _hex(colour: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour)


_STYLE = {
    "highlight": _hex(HIGHLIGHT),
    "highlightLine": HIGHLIGHT_LINE,
    "chosen": _hex(CHOSEN),
    "chosenLine": CHOSEN_LINE,
    "paddingFill": _hex(PADDING_FILL),
    "notYetFill": _hex(NOT_YET_FILL),
}


def _shaded(values: np.ndarray, shading: Shading) -> dict[str, np.ndarray]:
    colours = shade(values, shading)
    return {"colours": colours, "inks": label_inks(colours)[..., 0]}


def _region(region: Region) -> dict[str, int]:
    return {"top": region.top, "left": region.left, "rows": region.rows, "cols": region.cols}


def convolution_payload(result: FilterResult, region: Region, channel: int = 0) -> Payload:
    """The numbers behind every output pixel of ``region`` (one colour channel in colour mode).

    Arrays: ``inputs``/``padded`` (the input pixels the region's windows touch, zeros and 1
    where "same" padding hangs over the edge) with their colours; ``sums`` (the grid's raw
    sums), ``plain`` (the sum of the nine products before a weight other than 1), ``mapped``
    (the final values) with their colours; ``pooled`` (the pooled values of the region's 2x2
    blocks). The header holds the filter, the weight and the mapping written as a template.
    """
    inputs_region = input_region(region, result.padding)
    inputs, padded = padded_crop(channel_of(result.image, channel), inputs_region)
    inputs = inputs.astype(np.uint8)  # working pixels are whole numbers 0..255
    rows, cols = region.slices()
    sums = channel_of(result.raw, channel)[rows, cols].astype(np.float64)
    mapped = channel_of(result.mapped(region.slices()), channel)
    arrays: dict[str, np.ndarray] = {"inputs": inputs, "padded": padded.astype(np.uint8)}
    arrays |= {f"input_{name}": array for name, array in _shaded(inputs, PIXEL_SHADING).items()}
    arrays |= {"sums": sums, "mapped": mapped}
    arrays |= _shaded(mapped, output_shading(result.mapping))
    if result.weight != 1:
        arrays["plain"] = _plain_sums(inputs, result.kernel)
    pool_rows, pool_cols = pooled_shape(result.output_shape)
    pooled = Region(region.top // 2, region.left // 2, 0, 0)
    bottom, right = (
        min((region.top + region.rows) // 2, pool_rows),
        min((region.left + region.cols) // 2, pool_cols),
    )
    pooled = Region(pooled.top, pooled.left, max(bottom - pooled.top, 0), max(right - pooled.left, 0))
    arrays["pooled"] = channel_of(result.pooled, channel)[pooled.slices()].astype(np.float64)
    header = {
        "kind": "convolution",
        "region": _region(region),
        "inputRegion": _region(inputs_region),
        "outputShape": list(result.output_shape),
        "pooledRegion": _region(pooled),
        "poolKind": result.pool_kind,
        "kernel": result.kernel.ravel().tolist(),
        "weight": float(result.weight),
        "weightText": format_weight(result.weight),
        "mapping": result.mapping.template(),
        "note": channel_note(result, channel),
        "style": _STYLE,
    }
    return pack(header, arrays)


def _plain_sums(inputs: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Each window's nine products summed as ``explain_pixel`` sums them (``products.sum()``)."""
    windows = np.lib.stride_tricks.sliding_window_view(inputs.astype(np.float64), (3, 3))
    products = np.ascontiguousarray(windows * kernel).reshape(*windows.shape[:2], 9)
    return products.sum(axis=2)


def pooling_payload(
    values: np.ndarray, shading: Shading, kind: PoolKind, origin: Region, title: str
) -> Payload:
    """The pooling stepper's numbers: ``values`` (a region of the filtered image at ``origin``, or
    the lecture's grid), every window's pooled value and, for max pooling, where its maximum sits.
    """
    steps = pooling_steps(values, kind)
    out_rows = steps[-1].out_row + 1 if steps else 0
    out_cols = steps[-1].out_col + 1 if steps else 0
    pooled = np.array([step.value for step in steps], dtype=np.float64).reshape(out_rows, out_cols)
    chosen = np.array([step.chosen if kind == "max" else (0, 0) for step in steps], dtype=np.uint8)
    arrays = {"values": np.asarray(values, dtype=np.float64), **_shaded(values, shading)}
    arrays |= {"pooled": pooled, "chosen": chosen.reshape(out_rows, out_cols, 2)}
    arrays |= {f"pooled_{name}": array for name, array in _shaded(pooled, shading).items()}
    header = {
        "kind": "pooling",
        "region": _region(origin),
        "poolKind": kind,
        "title": title,
        "style": _STYLE,
    }
    return pack(header, arrays)
