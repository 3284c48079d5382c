"""The pages' computations as code a learner can copy: NumPy, PyTorch and Keras.

`numpy_code` writes a whole script that decodes the image file as the app does and
repeats the filter, the mapping and the pooling step by step: its arrays equal the app's
exactly, value for value (the tests run it). `pytorch_code` and `keras_code` write the same
filter and pooling as a CNN framework's layers, as text only: neither framework is needed here.
`layer_numpy_code`, `layer_keras_code` and `layer_pytorch_code` write the second page's layer
(padding, stride and dilation, Keras' 'same' or PyTorch's) so that each computes the sums the
page shows (the tests run the NumPy code, and the Keras code where Keras is installed).
"""

from __future__ import annotations

import json
import textwrap

import numpy as np

from filters.kernel import format_weight
from filters.layer import ConvSettings
from filters.mapping import MAPPINGS
from filters.recipe import FilterRecipe

_HEIF_SUFFIXES = (".heic", ".heif")

# ---- Numbers written as Python ---------------------------------------------------------------------


def _number(value: float) -> str:
    """A filter value as Python reads it back exactly: ``-1`` for whole numbers, else ``repr``."""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


def _weight(weight: float) -> str:
    """The weight as Python: ``1``, ``0.5``, or ``1 / 9`` when that fraction is exactly the weight."""
    numerator, slash, denominator = format_weight(weight).partition("/")
    if slash and int(numerator) / int(denominator) == weight:
        return f"{numerator} / {denominator}"
    return _number(weight)


def _kernel_rows(recipe: FilterRecipe) -> str:
    """The filter's three rows as lines of a nested list: ``        [-1, 0, 1],``."""
    kernel = np.asarray(recipe.kernel, dtype=np.float64).reshape(3, 3)
    return "\n".join(f"        [{', '.join(_number(value) for value in row)}]," for row in kernel)


def _settings(recipe: FilterRecipe) -> str:
    """The settings in a sentence, wrapped for a docstring."""
    pixels = "a colour image (each channel filtered on its own)" if recipe.image.colour else "a gray image"
    sentence = (
        f'Settings: {pixels}, "{recipe.padding}" padding, weight {format_weight(recipe.weight)}, '
        f"output mapping {MAPPINGS[recipe.mapping].label}, {recipe.pool_kind} pooling 2x2."
    )
    return textwrap.fill(sentence, width=96, break_on_hyphens=False)


def _kernel_block(recipe: FilterRecipe, array: str, dtype: str) -> str:
    """``KERNEL = array([...], dtype=...)`` and ``WEIGHT = ...``, the filter exactly as typed."""
    return (
        f"KERNEL = {array}(\n    [\n{_kernel_rows(recipe)}\n    ],\n    dtype={dtype},\n)\n"
        f"WEIGHT = {_weight(recipe.weight)}\n"
    )


# ---- NumPy: the whole page, exactly ------------------------------------------------------------------

_LOADING = '''
def working_size(width, height):
    """The size the app works at: the longest side at most MAX_SIDE, at most MAX_PIXELS pixels
    in all, and never below 3 pixels on a side the image has (a 3x3 filter must fit)."""
    new_width, new_height = width, height
    if MAX_SIDE is not None and max(width, height) > MAX_SIDE:
        shrink = MAX_SIDE / max(width, height)
        new_width, new_height = round(width * shrink), round(height * shrink)
    if new_width * new_height > MAX_PIXELS:
        shrink = math.sqrt(MAX_PIXELS / (new_width * new_height))
        new_width, new_height = math.floor(new_width * shrink), math.floor(new_height * shrink)
    return max(new_width, min(width, 3)), max(new_height, min(height, 3))


def load_image(path):
    """The image as the app reads it: the first frame, upright, in 8-bit RGB, at the working size."""
    image = Image.open(path)  # an animation or a multi-page file opens at its first frame
    size = working_size(*image.size)
    image.draft(None, size)  # a big JPEG is decoded at 1/2, 1/4 or 1/8 scale if that still covers size
    image.load()
    if image.getexif().get(EXIF_ORIENTATION, 1) in (5, 6, 7, 8):  # a phone photo stored on its side
        size = size[::-1]
    ImageOps.exif_transpose(image, in_place=True)  # turn it upright
    image = to_rgb(image)
    if image.size != size:
        # Lanczos; reducing_gap=2.0 first shrinks by a whole factor (fast box averaging)
        # down to twice the size, as the app does.
        image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)
    return image


def to_rgb(image):
    """8-bit RGB: deep gray scaled down, transparent parts placed on white, anything else converted."""
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):  # 16-bit, 32-bit or float gray
        values = np.asarray(image, dtype=float)
        if image.mode != "F" and values.min() >= 0 and values.max() <= 65535:
            values = values / 257  # 16-bit: 65535 becomes 255 (Pillow's convert("L") would clip)
        else:  # unknown scale: the smallest finite value becomes 0, the largest 255
            finite = values[np.isfinite(values)]
            low, high = (finite.min(), finite.max()) if finite.size else (0.0, 0.0)
            values = np.nan_to_num(values, nan=low, posinf=high, neginf=low)
            values = (values - low) * (255 / ((high - low) or 1))
        return Image.fromarray(np.round(values).astype(np.uint8)).convert("RGB")
    if image.mode in ("RGBA", "RGBa", "LA", "PA") or "transparency" in image.info:
        white = Image.new("RGBA", image.size, "white")
        return Image.alpha_composite(white, image.convert("RGBA")).convert("RGB")
    return image.convert("RGB")  # gray v becomes (v, v, v); palette and CMYK images are converted
'''

_GRAY = """

picture = load_image(IMAGE_FILE)
# Gray as Pillow computes it: R x 299/1000 + G x 587/1000 + B x 114/1000, rounded to a whole number.
image = np.asarray(picture.convert("L"), dtype=float)
"""
_COLOUR = """

picture = load_image(IMAGE_FILE)
image = np.asarray(picture, dtype=float)  # (rows, columns, 3): red, green and blue
"""

_FLIP = '''
# A CNN multiplies each neighbour by the filter value in the same position (cross-correlation).
# scipy's convolve2d does a true convolution, which turns the filter by 180 degrees before
# sliding it: handing it the filter already turned cancels that.
FLIPPED = KERNEL[::-1, ::-1]


def weighted_sums(channel):
    """The filter slid over one 2-D channel, each sum times the weight."""
'''
_PADDINGS = {
    "valid": """\
    # "valid": only where all nine neighbours exist, so a 1-pixel border is lost (28 x 28 gives 26 x 26).
    return WEIGHT * convolve2d(channel, FLIPPED, mode="valid")


""",
    "same": """\
    # "same": a border of zeros around the image keeps its size (28 x 28 gives 28 x 28).
    return WEIGHT * convolve2d(channel, FLIPPED, mode="same", boundary="fill", fillvalue=0)


""",
}

_SUMS = {
    False: "sums = weighted_sums(image)\n",
    True: "sums = np.dstack([weighted_sums(image[:, :, channel]) for channel in range(3)])\n",
}

_MAPPING_CODE = {
    "clip": """
# Clip to 0..255, as in the course lab: below 0 becomes 0, above 255 becomes 255.
filtered = np.clip(sums, 0, 255)
""",
    "relu": """
# ReLU, a CNN layer's activation: negative sums become 0.
filtered = np.maximum(sums, 0)
""",
    "abs": """
# Absolute value: edges of both directions light up.
filtered = np.abs(sums)
""",
    "stretch": """
# Min-max stretch (all channels together): the smallest sum becomes 0 and the largest 255,
# rounded half up (+ 0.5, then down).
low, high = sums.min(), sums.max()
if high > low:
    filtered = np.floor((sums - low) * (255 / (high - low)) + 0.5)
else:
    filtered = np.zeros_like(sums)
""",
    "signed": """
# Raw signed sums: kept as they are (the app draws them blue below 0, orange above).
filtered = sums
""",
}

_POOLING = """
# 2x2 pooling, stride 2: each block of four pixels keeps one value. An odd last row or
# column has no whole block and is dropped (27 -> 13), as in Keras.
rows, columns = filtered.shape[0] // 2 * 2, filtered.shape[1] // 2 * 2
top_left = filtered[0:rows:2, 0:columns:2]
top_right = filtered[0:rows:2, 1:columns:2]
bottom_left = filtered[1:rows:2, 0:columns:2]
bottom_right = filtered[1:rows:2, 1:columns:2]
"""
_POOL_KINDS = {
    "max": "pooled = np.maximum(np.maximum(top_left, top_right), np.maximum(bottom_left, bottom_right))\n",
    "average": "pooled = (top_left + top_right + bottom_left + bottom_right) / 4\n",
}


def _numpy_header(recipe: FilterRecipe, image_file_name: str) -> str:
    """The script's docstring, imports and settings."""
    heif = image_file_name.lower().endswith(_HEIF_SUFFIXES)
    file_name = json.dumps(image_file_name, ensure_ascii=False)  # a Python string in double quotes
    lines = [
        f'"""Reproduce the Convolution visualizer\'s first page for {file_name}.',
        "",
        _settings(recipe),
        f"Needs numpy, scipy{', pillow and pillow-heif' if heif else ' and pillow'}; "
        "run it in the folder that holds the image.",
        '"""',
        "",
        "import math",
        "",
        "import numpy as np",
        *(["import pillow_heif"] if heif else []),
        "from PIL import Image, ImageOps",
        "from scipy.signal import convolve2d",
        "",
        *(["pillow_heif.register_heif_opener()  # lets Pillow open HEIC and HEIF files"] if heif else []),
        f"IMAGE_FILE = {file_name}",
        f'MAX_SIDE = {recipe.image.max_side}  # the longest side the app works at (None: "Full size")',
        'MAX_PIXELS = 12_000_000  # the app never works on more pixels than this, "Full size" included',
        "EXIF_ORIENTATION = 0x0112",
        _kernel_block(recipe, "np.array", "float"),
        "",
    ]
    return "\n".join(lines)


def numpy_code(recipe: FilterRecipe, image_file_name: str) -> str:
    """A self-contained Python script that reproduces the first page's arrays for ``recipe``.

    It reads ``image_file_name`` from the current folder, decodes it as `filters.images.decode_image`
    does, and defines ``image`` (the pixels filtered, float), ``filtered`` (the mapped output, float)
    and ``pooled``, which equal the app's ``result.image``, ``result.mapped()`` and ``result.pooled``
    exactly. Only NumPy, SciPy and Pillow are needed (and pillow-heif for a HEIC file).
    """
    return "".join(
        [
            _numpy_header(recipe, image_file_name),
            _LOADING,
            _COLOUR if recipe.image.colour else _GRAY,
            _FLIP,
            _PADDINGS[recipe.padding],
            _SUMS[recipe.image.colour],
            _MAPPING_CODE[recipe.mapping],
            _POOLING,
            _POOL_KINDS[recipe.pool_kind],
            '\nprint("image", image.shape, "-> filtered", filtered.shape, "-> pooled", pooled.shape)\n',
        ]
    )


# ---- PyTorch and Keras: the same filter as a framework's layers -------------------------------------

_PADDING_WORDS = {
    "valid": '"valid": only where all nine neighbours exist, so a 1-pixel border is lost',
    "same": '"same": a border of zeros keeps the size',
}
_MAPPING_WORDS = {
    "clip": "clips the sums to 0..255, as in the course lab",
    "abs": "takes the absolute value, so edges of both directions light up",
    "stretch": "stretches the sums: min to 0, max to 255, rounded half up",
    "signed": "keeps the raw sums as they are",
}
_POOL_WORDS = "2x2 blocks, stride 2; an odd last row or column is dropped, as in the app"
_NO_FLIP = "multiplies each neighbour by the filter value in the same place, as the app does (no flip)."


def _layers_docstring(recipe: FilterRecipe, framework: str, input_shape: str) -> str:
    """The layer code's docstring: what it is, the settings, and what ``forward`` takes."""
    return (
        f'"""The Convolution visualizer\'s filter as {framework} layers.\n\n'
        f"{_settings(recipe)}\nforward(image) takes {input_shape} of pixel values 0..255.\n"
        '"""\n\n'
    )


def _activation(recipe: FilterRecipe, relu_layer: str, functions: dict[str, str]) -> str:
    """ReLU is a layer; the app's other mappings are no CNN layer: a function says what the app does."""
    if recipe.mapping == "relu":
        return f"activation = {relu_layer}  # ReLU: negative sums become 0\n"
    return (
        "\n\ndef activation(sums):\n"
        f'    """No usual CNN layer: here the app {_MAPPING_WORDS[recipe.mapping]}."""\n'
        f"    {functions[recipe.mapping]}\n\n\n"
    )


_FORWARD = '''

def forward(image):
    """Filter, map and pool a batch of images."""
    return pool(activation(conv(image)))
'''

_TORCH_MAPPINGS = {
    "clip": "return sums.clamp(0, 255)",
    "abs": "return sums.abs()",
    "stretch": "low, high = sums.min(), sums.max()\n"
    "    return torch.floor((sums - low) * 255 / (high - low).clamp(min=1e-9) + 0.5)",
    "signed": "return sums",
}
_KERAS_MAPPINGS = {
    "clip": "return ops.clip(sums, 0, 255)",
    "abs": "return ops.abs(sums)",
    "stretch": "low, high = ops.min(sums), ops.max(sums)\n"
    "    return ops.floor((sums - low) * 255 / ops.maximum(high - low, 1e-9) + 0.5)",
    "signed": "return sums",
}


def pytorch_code(recipe: FilterRecipe) -> str:
    """The recipe's filter, mapping and pooling as PyTorch layers (text: torch is not needed here).

    A colour image goes through ``nn.Conv2d(3, 3, groups=3)``: each channel filtered on its own by
    the same 3x3, as the app does. In float32 the layers agree with the app up to rounding.
    """
    padding = {"valid": 0, "same": 1}[recipe.padding]
    if recipe.image.colour:
        shape = "(batch, 3, rows, columns) float tensors"
        conv = (
            "# groups=3: each colour channel is filtered on its own by the same 3x3 filter, as in the app.\n"
            f"conv = nn.Conv2d(3, 3, kernel_size=3, padding={padding}, groups=3, bias=False)\n"
            "with torch.no_grad():\n"
            f"    # Conv2d {_NO_FLIP}\n"
            "    # Weights are (out channels, in channels per group, rows, columns); WEIGHT is folded in.\n"
            "    conv.weight.copy_((KERNEL * WEIGHT).expand(3, 1, 3, 3))\n"
        )
    else:
        shape = "(batch, 1, rows, columns) float tensors"
        conv = (
            f"conv = nn.Conv2d(1, 1, kernel_size=3, padding={padding}, bias=False)\n"
            "with torch.no_grad():\n"
            f"    # Conv2d {_NO_FLIP}\n"
            "    # Weights are (out channels, in channels, rows, columns); WEIGHT is folded in.\n"
            "    conv.weight.copy_((KERNEL * WEIGHT).reshape(1, 1, 3, 3))\n"
        )
    pool = {"max": "nn.MaxPool2d(2)", "average": "nn.AvgPool2d(2)"}[recipe.pool_kind]
    return (
        _layers_docstring(recipe, "PyTorch", shape)
        + "import torch\nfrom torch import nn\n\n"
        + _kernel_block(recipe, "torch.tensor", "torch.float32")
        + f"\n# {_PADDING_WORDS[recipe.padding]}.\n"
        + conv
        + _activation(recipe, "nn.ReLU()", _TORCH_MAPPINGS)
        + f"pool = {pool}  # {_POOL_WORDS}\n"
        + _FORWARD
    )


def keras_code(recipe: FilterRecipe) -> str:
    """The recipe's filter, mapping and pooling as Keras layers (text: Keras is not needed here).

    A colour image goes through a ``DepthwiseConv2D``: each channel filtered on its own by the
    same 3x3, as the app does. Weights are set in Keras' (rows, columns, in, out) order.
    """
    padding = f'"{recipe.padding}"'
    if recipe.image.colour:
        shape = "(batch, rows, columns, 3) float arrays"
        conv = (
            "# Depthwise: each colour channel is filtered on its own by the same 3x3 filter, as in the app.\n"
            f"conv = layers.DepthwiseConv2D(3, padding={padding}, use_bias=False)\n"
            "conv.build((None, None, None, 3))\n"
            f"# DepthwiseConv2D {_NO_FLIP}\n"
            "# Weights are (rows, columns, channels, 1); WEIGHT is folded in.\n"
            "conv.set_weights([np.repeat((KERNEL * WEIGHT).reshape(3, 3, 1, 1), 3, axis=2)])\n"
        )
    else:
        shape = "(batch, rows, columns, 1) float arrays"
        conv = (
            f"conv = layers.Conv2D(1, 3, padding={padding}, use_bias=False)\n"
            "conv.build((None, None, None, 1))\n"
            f"# Conv2D {_NO_FLIP}\n"
            "# Weights are (rows, columns, in channels, out channels); WEIGHT is folded in.\n"
            "conv.set_weights([(KERNEL * WEIGHT).reshape(3, 3, 1, 1)])\n"
        )
    pool = {"max": "layers.MaxPooling2D(2)", "average": "layers.AveragePooling2D(2)"}[recipe.pool_kind]
    uses_layers_only = recipe.mapping in ("relu", "signed")  # the other mappings need keras.ops
    return (
        _layers_docstring(recipe, "Keras", shape)
        + f"import numpy as np\nfrom keras import {'layers' if uses_layers_only else 'layers, ops'}\n\n"
        + _kernel_block(recipe, "np.array", '"float32"')
        + f"\n# {_PADDING_WORDS[recipe.padding]}.\n"
        + conv
        + _activation(recipe, "layers.ReLU()", _KERAS_MAPPINGS)
        + f"pool = {pool}  # {_POOL_WORDS}\n"
        + _FORWARD
    )


# ---- The second page's layer (section 1): the CNN's sums as NumPy, Keras and PyTorch --------------


def _layer_kernel(kernel: np.ndarray, array: str, dtype: str) -> str:
    rows = "\n".join(
        f"        [{', '.join(_number(value) for value in row)}],"
        for row in np.asarray(kernel, dtype=np.float64).reshape(3, 3)
    )
    return f"KERNEL = {array}(\n    [\n{rows}\n    ],\n    dtype={dtype},\n)\n"


def _padding_words(settings: ConvSettings) -> str:
    """The padding in force, named by its convention."""
    d = settings.dilation
    if settings.padding == "valid":
        return "'valid' padding (no zeros)"
    if settings.padding == "full":
        return f"'full' padding as PyTorch's padding={2 * d} ({2 * d} zeros a side; Keras has no 'full')"
    if settings.convention == "pytorch":
        return f"'same' padding as PyTorch's padding={d} ({d} zeros on each side, whatever the stride)"
    return "Keras / TensorFlow 'same' padding (ceil(n / stride) outputs; an odd extra zero goes after)"


def _layer_docstring(framework: str, name: str, settings: ConvSettings, takes: str) -> str:
    sentence = (
        f"Settings: the filter {name}, {_padding_words(settings)}, stride {settings.stride}, "
        f"dilation {settings.dilation}, no flip (a CNN's cross-correlation), no bias, no activation."
    )
    return (
        f'"""The Convolution visualizer\'s second page, section 1, in {framework}: '
        "the CNN's sums it shows.\n\n"
        f"{textwrap.fill(sentence, width=96, break_on_hyphens=False)}\n{takes}\n"
        '"""\n\n'
    )


_TAKES = "{call}(image) takes the gray pixels (rows, columns) as floats, 0..255."
_EXAMPLE = """

if __name__ == "__main__":
    print(conv(np.arange(64.0).reshape(8, 8)))  # the README's 8 x 8 example
"""


def layer_numpy_code(kernel: np.ndarray, settings: ConvSettings, name: str) -> str:
    """Section 1's "What a CNN computes" as NumPy: ``conv(image)`` gives the page's very sums.

    The windows are read as the definition says, ``out[r, c] = sum_ij K[i, j] *
    padded[r*s + i*d, c*s + j*d]``, with the padding of each side written out (Keras' rule as a
    function of the size). Only NumPy is needed.
    """
    if settings.padding == "same" and settings.convention == "keras":
        pads = '''

def side_pads(n):
    """Keras / TensorFlow 'same': ceil(n / STRIDE) outputs, and the zeros they need before and after
    (the odd one after: at the bottom, at the right)."""
    out = -(-n // STRIDE)
    total = max((out - 1) * STRIDE + DILATION * 2 + 1 - n, 0)
    return total // 2, total - total // 2
'''
    else:
        pads = f'''

def side_pads(n):
    """{_padding_words(settings)}."""
    return {settings.pytorch_padding}, {settings.pytorch_padding}
'''
    return (
        _layer_docstring("NumPy", name, settings, _TAKES.format(call="conv"))
        + "import numpy as np\n\n"
        + _layer_kernel(kernel, "np.array", "float")
        + f"STRIDE = {settings.stride}\nDILATION = {settings.dilation}\n"
        + pads
        + '''

def conv(image):
    """out[r, c] = sum of KERNEL[i, j] * padded[r * STRIDE + i * DILATION, c * STRIDE + j * DILATION]."""
    image = np.asarray(image, dtype=float)
    padded = np.pad(image, (side_pads(image.shape[0]), side_pads(image.shape[1])))
    rows = (padded.shape[0] - DILATION * 2 - 1) // STRIDE + 1
    cols = (padded.shape[1] - DILATION * 2 - 1) // STRIDE + 1
    out = np.zeros((rows, cols))
    for i in range(3):
        for j in range(3):
            top, left = i * DILATION, j * DILATION  # where value (i, j) of the filter reads
            window = padded[top::STRIDE, left::STRIDE][:rows, :cols]
            out += KERNEL[i, j] * window
    return out
'''
        + _EXAMPLE
    )


def layer_keras_code(kernel: np.ndarray, settings: ConvSettings, name: str) -> str:
    """Section 1's sums as Keras layers (text: Keras is not needed here).

    Keras' own 'same' where the page uses it; PyTorch's symmetric padding as a ``ZeroPadding2D``
    before a 'valid' ``Conv2D``; a stride with a dilation, which ``Conv2D`` refuses, as a filter
    of (2d + 1) x (2d + 1) with zeros in its gaps. Each computes the page's numbers.
    """
    s, d = settings.stride, settings.dilation
    keras_same = settings.padding == "same" and settings.convention == "keras"
    lines = [
        _layer_docstring("Keras", name, settings, _TAKES.format(call="forward")),
        "import numpy as np\nfrom keras import layers\n\n",
        _layer_kernel(kernel, "np.array", '"float32"'),
    ]
    if s > 1 and d > 1:
        side = 2 * d + 1
        lines.append(
            "\n# Keras refuses strides > 1 together with dilation_rate > 1. A dilation only spreads the\n"
            f"# nine values {d} apart: a {side} x {side} filter with zeros in its gaps gives the same sums.\n"
            f'SPREAD = np.zeros(({side}, {side}), dtype="float32")\nSPREAD[::{d}, ::{d}] = KERNEL\n'
            f'conv = layers.Conv2D(1, {side}, strides={s}, padding="valid", use_bias=False)\n'
            "conv.build((None, None, None, 1))\n"
            "conv.set_weights([SPREAD.reshape(" + f"{side}, {side}" + ", 1, 1)])\n"
        )
    else:
        keras_padding = "same" if keras_same else "valid"
        lines.append(
            f'\nconv = layers.Conv2D(1, 3, strides={s}, dilation_rate={d}, padding="{keras_padding}", '
            "use_bias=False)\nconv.build((None, None, None, 1))\n"
            f"# Conv2D {_NO_FLIP}\n"
            "# Weights are (rows, columns, in channels, out channels).\n"
            "conv.set_weights([KERNEL.reshape(3, 3, 1, 1)])\n"
        )
    if not keras_same and settings.pytorch_padding:
        lines.append(
            f"# {_padding_words(settings)}.\n"
            + (
                "# Keras' own 'same' would place the zeros otherwise at a stride above 1.\n"
                if settings.padding == "same" and s > 1
                else ""
            )
            + f"pad = layers.ZeroPadding2D({settings.pytorch_padding})\n"
        )
        call = "conv(pad(batch))"
    else:
        call = "conv(batch)"
    lines.append(
        f'''

def forward(image):
    """The CNN's sums for one gray image (rows, columns): a batch of one, with one channel."""
    batch = np.asarray(image, dtype="float32")[None, :, :, None]
    return np.asarray({call})[0, :, :, 0]
'''
    )
    return "".join(lines)


def layer_pytorch_code(kernel: np.ndarray, settings: ConvSettings, name: str) -> str:
    """Section 1's sums as PyTorch layers (text: torch is not needed here).

    PyTorch's ``padding=`` where the page uses its convention; Keras' 'same' at a stride above 1,
    which PyTorch has no padding for (its ``padding='same'`` refuses a stride above 1), as
    ``F.pad`` with Keras' zeros before and after, then no padding.
    """
    s, d = settings.stride, settings.dilation
    keras_same = settings.padding == "same" and settings.convention == "keras"
    asymmetric = keras_same and s > 1
    padding = 0 if asymmetric else settings.pytorch_padding
    lines = [
        _layer_docstring("PyTorch", name, settings, _TAKES.format(call="forward")),
        "import torch\n"
        + ("import torch.nn.functional as F\n" if asymmetric else "")
        + "from torch import nn\n\n",
        _layer_kernel(kernel, "torch.tensor", "torch.float32"),
        f"\nconv = nn.Conv2d(1, 1, kernel_size=3, stride={s}, dilation={d}, padding={padding}, bias=False)\n"
        "with torch.no_grad():\n"
        f"    # Conv2d {_NO_FLIP}\n"
        "    conv.weight.copy_(KERNEL.reshape(1, 1, 3, 3))  # (out channels, in channels, rows, columns)\n",
    ]
    if asymmetric:
        lines.append(
            f'''

def keras_same_pads(n):
    """Keras' 'same' at stride {s}: ceil(n / {s}) outputs; the zeros they need, the extra one after."""
    out = -(-n // {s})
    total = max((out - 1) * {s} + {d} * 2 + 1 - n, 0)
    return total // 2, total - total // 2


def forward(image):
    """The CNN's sums for one gray image (rows, columns), padded as Keras pads it."""
    batch = torch.as_tensor(image, dtype=torch.float32)[None, None]
    top, bottom = keras_same_pads(batch.shape[2])
    left, right = keras_same_pads(batch.shape[3])
    with torch.no_grad():
        return conv(F.pad(batch, (left, right, top, bottom)))[0, 0]  # F.pad: last dimension first
'''
        )
    else:
        if keras_same:
            lines.append(f"# At stride 1 Keras' 'same' is {d} zeros on each side: PyTorch's padding={d}.\n")
        lines.append(
            '''

def forward(image):
    """The CNN's sums for one gray image (rows, columns): a batch of one, with one channel."""
    with torch.no_grad():
        return conv(torch.as_tensor(image, dtype=torch.float32)[None, None])[0, 0]
'''
        )
    return "".join(lines)
