"""Turn the bytes of an uploaded image into an upright 8-bit RGB array.

This is the boundary between a user's file and the rest of the app: every
image, whatever its format or mode, comes out as an ``(H, W, 3)`` uint8 array
at a working size, or is refused with an `ImageRejected` whose message names
the file and says what to do next. Nothing is written to disk and no Pillow
setting is changed.

What happens to a file, in order:

1. Refuse empty and oversized files, and images with more than `MAX_PIXELS`
   pixels (checked from the header, before decoding).
2. Take the first frame of animations and multi-page files.
3. Decode; a JPEG that will be downscaled anyway is decoded directly at a
   reduced scale (Pillow's draft mode): a 12-megapixel photo then takes
   about half the time of a full decode.
4. Turn the image upright using its EXIF orientation (phone photos).
5. Convert to 8-bit RGB: transparency is placed on white, 16-bit gray is
   scaled by 1/257, gray stays gray (v becomes (v, v, v)).
6. Downscale once so the longest side is at most ``max_side`` and the image
   has at most `MAX_WORKING_PIXELS` pixels ("Full size" included), never
   below 3 pixels on a side the source has (a 5000 x 3 strip stays 3 high).

Pillow reads a 16-bit RGB(A) PNG as 8-bit RGB(A) itself (keeping the high
byte, i.e. value // 256), so only 16-bit gray needs the explicit scaling of step 5.

Only the errors Pillow and its plugins raise on bad data become "damaged file"
refusals; anything else (a bug of ours, MemoryError) propagates to the caller,
which logs it and says the app failed, not the file.
"""

from __future__ import annotations

import io
import math
import struct
from dataclasses import dataclass

import numpy as np
import pillow_heif
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

pillow_heif.register_heif_opener()

ACCEPTED_EXTENSIONS: tuple[str, ...] = (
    "png",
    "jpg",
    "jpeg",
    "webp",
    "bmp",
    "gif",
    "tif",
    "tiff",
    "heic",
    "heif",
)
ACCEPTED_FORMATS_TEXT = "PNG, JPEG, WebP, BMP, GIF, TIFF or HEIC/HEIF"
MAX_UPLOAD_MB = 25
MAX_PIXELS = 50_000_000
"""Largest source image accepted (checked from the header, before decoding)."""
MAX_WORKING_PIXELS = 12_000_000
"""Most pixels ever computed, "Full size" included: a 12 MP colour result fits the server's memory."""
MIN_WORKING_SIDE = 3
"""Downscaling never makes a side shorter than this (or than the source's side): a 3x3 filter must fit."""
DECODE_ERRORS: tuple[type[BaseException], ...] = (OSError, ValueError, SyntaxError, EOFError, struct.error)
"""What Pillow and its plugins raise on damaged or truncated data (OSError includes
UnidentifiedImageError; several plugins raise SyntaxError for a broken header)."""

_BYTES_PER_MB = 1_000_000
"""Megabytes as the browser writes a file's size on its chip (decimal), so the message and the chip agree."""
_HIGH_DEPTH_GRAY_MODES = frozenset({"I;16", "I;16L", "I;16B", "I;16N", "I", "F"})
_GRAY_MODES = _HIGH_DEPTH_GRAY_MODES | {"1", "L", "LA", "La"}
_ALPHA_MODES = frozenset({"RGBA", "RGBa", "LA", "La", "PA"})
_SIDE_SWAPPING_ORIENTATIONS = frozenset({5, 6, 7, 8})
_TRANSPOSING_ORIENTATIONS = frozenset({2, 3, 4, 5, 6, 7, 8})
_WHITE = (255, 255, 255, 255)
# Shrink by whole factors (fast box averaging) only down to twice the working
# size, so the final Lanczos step still sees enough pixels to look sharp.
_REDUCING_GAP = 2.0


class ImageRejected(ValueError):
    """A user's file that cannot be used; ``str(error)`` is a friendly sentence."""


@dataclass(frozen=True, eq=False)
class DecodedImage:
    """An uploaded image, upright, in 8-bit RGB at its working size.

    Compared by identity: two decodings are different objects even when their
    pixels match (comparing arrays with ``==`` has no single truth value).

    Attributes
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)
        The pixels (read-only). Gray sources have R == G == B.
    is_colour : bool
        False when the source mode has no colour information ("1", "L",
        "LA", "I", "I;16*", "F"). Decided by mode only: a colour file whose
        pixels all happen to be gray still counts as colour.
    source_size : tuple of int
        ``(width, height)`` of the upright source before any downscaling.
    format : str
        Pillow's name for the file format: "PNG", "JPEG", "HEIF", ...
    notes : tuple of str
        Short sentences for the user about what was done to the image.
    """

    @property
    def nbytes(self) -> int:
        """Memory the pixels hold (for byte-bounded caches)."""
        return int(self.rgb.nbytes)

    rgb: np.ndarray
    is_colour: bool
    source_size: tuple[int, int]
    format: str
    notes: tuple[str, ...]

    @property
    def size(self) -> tuple[int, int]:
        """``(width, height)`` of `rgb`."""
        height, width = self.rgb.shape[:2]
        return (width, height)

    @property
    def downscaled(self) -> bool:
        """True when `rgb` is smaller than the source image."""
        return self.size != self.source_size


def decode_image(data: bytes, name: str, *, max_side: int | None = 512) -> DecodedImage:
    """Decode a whole image file into an upright 8-bit RGB `DecodedImage`.

    Parameters
    ----------
    data : bytes
        The complete file, as uploaded.
    name : str
        The file's name, used only in messages to the user.
    max_side : int or None
        Downscale so the longest side is at most this many pixels, keeping
        the aspect ratio; None keeps the full size up to `MAX_WORKING_PIXELS`.
        Never upscales.

    Returns
    -------
    DecodedImage

    Raises
    ------
    ImageRejected
        For any file that cannot be used; the message names the file.
    """
    if max_side is not None and max_side < 1:
        raise ValueError(f"max_side must be at least 1 or None, not {max_side}")
    _check_file_size(data, name)
    try:
        # Our own limit (MAX_PIXELS) is below Pillow's warning threshold, so the
        # header check in _decode_opened refuses bombs before any decoding; only
        # images far beyond it make Pillow raise DecompressionBombError at open.
        # (No warnings.catch_warnings here: it is not thread-safe across sessions.)
        with Image.open(io.BytesIO(data)) as image:
            return _decode_opened(image, name, max_side)
    except ImageRejected:
        raise
    except UnidentifiedImageError as error:
        raise ImageRejected(
            f'"{name}" is not an image this app can read. Please choose a {ACCEPTED_FORMATS_TEXT} file.'
        ) from error
    except Image.DecompressionBombError as error:
        raise ImageRejected(
            f'"{name}" has too many pixels to open safely; the limit is '
            f"{_megapixels(MAX_PIXELS)} megapixels. Please use a smaller image."
        ) from error
    except DECODE_ERRORS as error:
        raise ImageRejected(
            f'"{name}" could not be decoded: the file seems damaged or incomplete. '
            "Please open and save it again, or choose another image."
        ) from error


def fit_within(rgb: np.ndarray, max_side: int) -> np.ndarray:
    """``rgb`` reduced (Pillow's thumbnail, Lanczos) so that its longest side is at most ``max_side``."""
    if max(rgb.shape[:2]) <= max_side:
        return rgb
    picture = Image.fromarray(rgb)
    picture.thumbnail((max_side, max_side), Image.Resampling.LANCZOS, reducing_gap=_REDUCING_GAP)
    return np.asarray(picture)


def to_grayscale(rgb: np.ndarray) -> np.ndarray:
    """Luma of an RGB image, exactly as Pillow's ``convert("L")`` computes it.

    ITU-R 601-2: L = R * 299/1000 + G * 587/1000 + B * 114/1000, with
    Pillow's fixed-point rounding, so a gray pixel (v, v, v) gives back v.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)

    Returns
    -------
    ndarray of float64, shape (H, W)
        Whole numbers from 0 to 255, as floats ready for convolution.
    """
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected uint8 of shape (H, W, 3), got {rgb.dtype} {rgb.shape}")
    luma = Image.fromarray(rgb).convert("L")
    return np.asarray(luma, dtype=np.float64)


def _check_file_size(data: bytes, name: str) -> None:
    """Refuse empty files and files over the upload limit, before decoding."""
    if not data:
        raise ImageRejected(f'"{name}" is empty (0 bytes). Please choose a {ACCEPTED_FORMATS_TEXT} image.')
    size_mb = len(data) / _BYTES_PER_MB
    if size_mb > MAX_UPLOAD_MB:
        raise ImageRejected(
            f'"{name}" is {_rounded_up(size_mb):g} MB; the limit is {MAX_UPLOAD_MB} MB. '
            "Please use a smaller image."
        )


def _check_pixel_count(image: Image.Image, name: str) -> None:
    """Refuse a possible decompression bomb from its header, before decoding."""
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise ImageRejected(
            f'"{name}" is {width} x {height} pixels ({_megapixels(width * height)} '
            f"megapixels); the limit is {_megapixels(MAX_PIXELS)} megapixels. "
            "Please use a smaller image."
        )


def _decode_opened(image: Image.Image, name: str, max_side: int | None) -> DecodedImage:
    """Decode an opened image: first frame, upright, 8-bit RGB, working size."""
    _check_pixel_count(image, name)
    is_colour = image.mode not in _GRAY_MODES
    notes = _frame_notes(image)

    stored_size = image.size
    # A JPEG (or a HEIF with a large enough thumbnail) is decoded at the
    # smallest scale, 1/2, 1/4 or 1/8, that still covers the working size
    # (with "Full size" too, where the pixel cap may still shrink a 48 MP photo).
    image.draft(None, working_size(stored_size, max_side))
    image.load()

    # pillow_heif turns a HEIF upright while decoding and keeps the value it
    # applied in info; other formats are turned upright here, from their EXIF.
    applied_by_decoder = image.info.get("original_orientation")
    orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    ImageOps.exif_transpose(image, in_place=True)
    if {orientation, applied_by_decoder} & _TRANSPOSING_ORIENTATIONS:
        notes.append("Rotated upright using the photo's EXIF orientation.")
    if orientation in _SIDE_SWAPPING_ORIENTATIONS:
        source_size = (stored_size[1], stored_size[0])
    else:
        source_size = stored_size

    rgb_image, conversion_notes = _to_rgb(image)
    notes.extend(conversion_notes)
    target = working_size(source_size, max_side)
    if target != rgb_image.size:
        rgb_image = rgb_image.resize(target, Image.Resampling.LANCZOS, reducing_gap=_REDUCING_GAP)
    if max_side is None and target != source_size:
        notes.append(
            f"Full size is limited to {_megapixels(MAX_WORKING_PIXELS)} megapixels; this photo has "
            f"{_megapixels(source_size[0] * source_size[1])}, so it is worked at {target[0]} x {target[1]}."
        )

    rgb = np.asarray(rgb_image)  # A fresh array over a copy of the pixels.
    rgb.flags.writeable = False
    return DecodedImage(
        rgb=rgb,
        is_colour=is_colour,
        source_size=source_size,
        format=image.format,
        notes=tuple(notes),
    )


def _frame_notes(image: Image.Image) -> list[str]:
    """Say so when only the first of several frames or pages is used."""
    frame_count = getattr(image, "n_frames", 1)
    # Phone JPEGs are often MPO files hiding a second picture the user never sees.
    if frame_count > 1 and image.format != "MPO":
        return [f"{image.format} file: using the first of {frame_count} frames."]
    return []


def _to_rgb(image: Image.Image) -> tuple[Image.Image, list[str]]:
    """Convert any Pillow mode to an 8-bit "RGB" image, with notes for the user."""
    if image.mode in _HIGH_DEPTH_GRAY_MODES:
        gray, notes = _gray_to_8_bits(image)
        return gray.convert("RGB"), notes
    if image.mode == "CMYK":
        return image.convert("RGB"), ["CMYK image converted to RGB."]
    if image.mode in _ALPHA_MODES or "transparency" in image.info:
        return _on_white(image)
    if image.mode == "RGB":  # The common case; skip convert's full copy.
        return image, []
    return image.convert("RGB"), []


def _gray_to_8_bits(image: Image.Image) -> tuple[Image.Image, list[str]]:
    """Map 16-bit, 32-bit integer or float gray to 8-bit "L" without clipping.

    Values in 0..65535 are taken as 16-bit and divided by 257, so 65535 maps
    to 255 exactly. Anything else (mode "F", or "I" outside that range) is
    stretched from its minimum to its maximum, since its scale is unknown.
    Pillow's own ``convert("L")`` would clip everything above 255 to white.
    """
    values = np.asarray(image, dtype=np.float64)
    finite = values[np.isfinite(values)]
    low, high = (finite.min(), finite.max()) if finite.size else (0.0, 0.0)
    if image.mode != "F" and low >= 0 and high <= 65535:
        note = "16-bit image scaled to 8 bits (value / 257)."
        scaled = values / 257
    else:
        note = f"Image values from {low:g} to {high:g} stretched to 0..255."
        values = np.nan_to_num(values, nan=low, posinf=high, neginf=low)
        scaled = (values - low) * (255 / ((high - low) or 1.0))
    return Image.fromarray(np.round(scaled).astype(np.uint8)), [note]


def _on_white(image: Image.Image) -> tuple[Image.Image, list[str]]:
    """Composite an image with alpha or a transparent colour onto white.

    Each pixel is blended by its alpha, so half-transparent red becomes pink
    rather than red; a note is added only if some pixel is not fully opaque.
    """
    if image.mode == "La":  # Pillow converts premultiplied gray+alpha only to "LA".
        image = image.convert("LA")
    rgba = image.convert("RGBA")
    lowest_alpha, _ = rgba.getchannel("A").getextrema()
    if lowest_alpha == 255:
        return rgba.convert("RGB"), []
    white = Image.new("RGBA", rgba.size, _WHITE)
    composited = Image.alpha_composite(white, rgba).convert("RGB")
    return composited, ["Transparent areas were placed on a white background."]


def working_size(
    size: tuple[int, int], max_side: int | None, max_pixels: int = MAX_WORKING_PIXELS
) -> tuple[int, int]:
    """The ``(width, height)`` an image of ``size`` is worked at; never larger than ``size``.

    The longest side becomes at most ``max_side`` (None: no such limit) and the
    pixel count at most ``max_pixels``, keeping the aspect ratio, except that no
    side is reduced below ``MIN_WORKING_SIDE`` (a 5000 x 3 strip becomes 512 x 3,
    which a 3x3 filter still fits).
    """
    width, height = size
    if max_side is not None and max(width, height) > max_side:
        scale = max_side / max(width, height)
        width, height = round(width * scale), round(height * scale)
    if width * height > max_pixels:
        scale = math.sqrt(max_pixels / (width * height))
        width, height = math.floor(width * scale), math.floor(height * scale)
    return (max(width, min(size[0], MIN_WORKING_SIDE)), max(height, min(size[1], MIN_WORKING_SIDE)))


def _megapixels(pixels: int) -> str:
    """Pixel count in megapixels for messages, e.g. "400" or "56.1"."""
    return f"{_rounded_up(pixels / 1_000_000):g}"


def _rounded_up(value: float) -> float:
    """Round up to one decimal, so a value just over a limit never shows as equal."""
    return math.ceil(value * 10) / 10


def drawing_png(ink: np.ndarray, levels: int) -> bytes:
    """A hand drawing as a gray PNG file: ``ink`` holds levels 0..levels-1 per cell, 0 black and the
    highest white, as an MNIST digit. The app decodes this file like an upload, so a drawing meets
    the same decoding and limits."""
    ink = np.asarray(ink)
    if ink.ndim != 2 or ink.size == 0 or ink.min() < 0 or ink.max() >= levels:
        raise ValueError(f"ink must be a 2-D grid of levels 0..{levels - 1}")
    pixels = np.rint(ink * (255 / (levels - 1))).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()
