"""The exported code: the NumPy script, run on the image file, gives the app's very arrays."""

from __future__ import annotations

import io
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from filters.code_export import (
    keras_code,
    layer_keras_code,
    layer_numpy_code,
    layer_pytorch_code,
    numpy_code,
    pytorch_code,
)
from filters.images import decode_image
from filters.layer import ConvSettings, conv_output_size, correlate, keras_refusal
from filters.mapping import MAPPINGS
from filters.recipe import FilterRecipe, ImageRecipe, compute_result
from filters.samples import find_sample

SOBEL_LIKE = (-1.0, 0.0, 1.0, -2.0, 0.0, 3.0, -1.0, 0.5, 0.0)
"""Asymmetric on purpose: a flipped filter would give other sums."""
FRACTIONS = (0.25, -0.125, 1.0, 0.1 + 0.2, 1.0, -0.5, 1.0 / 3.0, 1.0, 1.0)


def make_recipe(
    kernel: tuple[float, ...] = SOBEL_LIKE,
    *,
    weight: float = 1.0,
    colour: bool = False,
    max_side: int | None = 512,
    padding: str = "valid",
    mapping: str = "clip",
    pool_kind: str = "max",
) -> FilterRecipe:
    return FilterRecipe(
        ImageRecipe("upload:test", max_side, colour), kernel, weight, padding, mapping, pool_kind
    )


def run_exported(tmp_path: Path, data: bytes, name: str, recipe: FilterRecipe) -> dict:
    """Write the file and the script into ``tmp_path`` and run the script there; its module globals."""
    (tmp_path / name).write_bytes(data)
    script = tmp_path / "reproduce.py"
    script.write_text(numpy_code(recipe, name), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        return runpy.run_path(str(script))


def assert_reproduces(tmp_path: Path, data: bytes, name: str, recipe: FilterRecipe) -> None:
    """The script's image, filtered and pooled arrays equal the app's, value for value."""
    result = compute_result(recipe, decode_image(data, name, max_side=recipe.image.max_side))
    exported = run_exported(tmp_path, data, name, recipe)
    assert np.array_equal(exported["image"], result.image)
    assert np.array_equal(exported["filtered"], result.mapped())
    assert np.array_equal(exported["pooled"], result.pooled)
    assert exported["filtered"].dtype == np.float64


def sample_bytes(key: str) -> tuple[bytes, str]:
    sample = find_sample(key)
    assert sample is not None, key
    return sample.path.read_bytes(), sample.path.name


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def photo(width: int, height: int, seed: int = 0) -> np.ndarray:
    """A smooth colour picture with some noise: Lanczos and JPEG have real work to do."""
    rows, cols = np.mgrid[0:height, 0:width]
    noise = np.random.default_rng(seed).normal(0, 12, (height, width, 3))
    base = np.stack([cols * 255 / width, rows * 255 / height, (rows + cols) % 97 * 2.6], axis=-1)
    return np.clip(base + noise, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("mapping", list(MAPPINGS))
@pytest.mark.parametrize("pool_kind", ["max", "average"])
def test_script_reproduces_the_sample_with_every_setting(tmp_path, padding, mapping, pool_kind):
    data, name = sample_bytes("fashion/ankle_boot_1.png")
    recipe = make_recipe(padding=padding, mapping=mapping, pool_kind=pool_kind)
    assert_reproduces(tmp_path, data, name, recipe)


@pytest.mark.parametrize(
    ("key", "padding", "mapping", "pool_kind"),
    [
        ("photos/coffee.png", "valid", "stretch", "average"),
        ("photos/chelsea.png", "same", "abs", "max"),
        ("photos/rocket.jpg", "valid", "signed", "average"),
    ],
)
def test_script_reproduces_colour_samples(tmp_path, key, padding, mapping, pool_kind):
    data, name = sample_bytes(key)
    recipe = make_recipe(colour=True, padding=padding, mapping=mapping, pool_kind=pool_kind)
    assert_reproduces(tmp_path, data, name, recipe)


@pytest.mark.parametrize("colour", [False, True])
@pytest.mark.parametrize("name", ["phone.jpg", "phone.png"])
def test_script_turns_and_shrinks_a_big_phone_photo_as_the_app_does(tmp_path, colour, name):
    """The JPEG is decoded at half scale (draft); the PNG is first halved (reducing_gap)."""
    exif = Image.Exif()
    exif[0x0112] = 6  # stored on its side: the camera was turned
    fmt = "JPEG" if name.endswith(".jpg") else "PNG"
    data = encoded(Image.fromarray(photo(2100, 1400)), fmt, exif=exif)
    recipe = make_recipe(colour=colour, mapping="relu")
    assert_reproduces(tmp_path, data, name, recipe)
    assert run_exported(tmp_path, data, name, recipe)["image"].shape[:2] == (512, 341)


def with_alpha() -> Image.Image:
    rgba = np.dstack([photo(40, 30), np.tile(np.linspace(0, 255, 40).astype(np.uint8), (30, 1))])
    return Image.fromarray(rgba, mode="RGBA")


def palette_with_transparency() -> Image.Image:
    picture = Image.fromarray(photo(40, 30)).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    picture.info["transparency"] = 3
    return picture


ODD_FILES = {
    "transparent.png": lambda: encoded(with_alpha(), "PNG"),
    "gray_alpha.png": lambda: encoded(with_alpha().convert("LA"), "PNG"),
    "palette.gif": lambda: encoded(palette_with_transparency(), "GIF", transparency=3),
    "cmyk.jpg": lambda: encoded(Image.fromarray(photo(40, 30)).convert("CMYK"), "JPEG"),
    "deep.png": lambda: encoded(
        Image.fromarray((np.arange(30 * 40).reshape(30, 40) * 54).astype(np.uint16)), "PNG"
    ),
}


@pytest.mark.parametrize("name", list(ODD_FILES))
@pytest.mark.parametrize("colour", [False, True])
def test_script_decodes_transparent_palette_cmyk_and_16_bit_files_as_the_app_does(tmp_path, name, colour):
    recipe = make_recipe(colour=colour, padding="same", mapping="stretch", pool_kind="average")
    assert_reproduces(tmp_path, ODD_FILES[name](), name, recipe)


def test_the_16_bit_file_is_really_16_bit():
    assert Image.open(io.BytesIO(ODD_FILES["deep.png"]())).mode.startswith("I")


@pytest.mark.parametrize("colour", [False, True])
def test_script_reproduces_fractional_filters_and_a_one_ninth_weight(tmp_path, colour):
    data, name = sample_bytes("photos/coffee.png")
    for kernel in (FRACTIONS, (1.0,) * 9):
        recipe = make_recipe(kernel, weight=1 / 9, colour=colour, max_side=256, mapping="signed")
        assert_reproduces(tmp_path, data, name, recipe)


def test_script_reproduces_full_size(tmp_path):
    data = encoded(Image.fromarray(photo(1200, 900, seed=1)), "PNG")
    recipe = make_recipe(max_side=None, mapping="abs", pool_kind="average")
    assert_reproduces(tmp_path, data, "big.png", recipe)
    assert "MAX_SIDE = None" in numpy_code(recipe, "big.png")


def test_script_runs_on_its_own_and_prints_the_sizes(tmp_path):
    data, name = sample_bytes("fashion/ankle_boot_1.png")
    (tmp_path / name).write_bytes(data)
    (tmp_path / "reproduce.py").write_text(numpy_code(make_recipe(), name), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "reproduce.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "image (28, 28) -> filtered (26, 26) -> pooled (13, 13)"


def test_script_explains_the_flip_and_writes_the_filter_exactly():
    text = numpy_code(make_recipe(FRACTIONS, weight=1 / 9), "cat.png")
    assert "KERNEL[::-1, ::-1]" in text and "true convolution" in text and "cross-correlation" in text
    assert "[0.25, -0.125, 1]," in text and "[0.3333333333333333, 1, 1]," in text
    assert "[0.30000000000000004, 1, -0.5]," in text
    assert "WEIGHT = 1 / 9" in text
    assert 'IMAGE_FILE = "cat.png"' in text


def test_a_heic_file_gets_the_plug_in():
    text = numpy_code(make_recipe(), "IMG_0001.HEIC")
    assert "import pillow_heif" in text and "register_heif_opener()" in text
    assert "pillow_heif" not in numpy_code(make_recipe(), "cat.jpg")


@pytest.mark.parametrize("colour", [False, True])
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("mapping", list(MAPPINGS))
@pytest.mark.parametrize("pool_kind", ["max", "average"])
def test_layer_texts_compile_and_hold_the_filter_and_padding(colour, padding, mapping, pool_kind):
    recipe = make_recipe(
        FRACTIONS, weight=0.5, colour=colour, padding=padding, mapping=mapping, pool_kind=pool_kind
    )
    torch_text, keras_text = pytorch_code(recipe), keras_code(recipe)
    for text in (torch_text, keras_text):
        compile(text, "layers.py", "exec")
        assert "[0.25, -0.125, 1]," in text and "0.30000000000000004" in text and "WEIGHT = 0.5" in text
        assert ("ReLU()" in text) == (mapping == "relu")
        assert ("def activation(sums):" in text) == (mapping != "relu")
    assert f"padding={0 if padding == 'valid' else 1}" in torch_text
    assert f'padding="{padding}"' in keras_text
    assert ("groups=3" in torch_text) == colour
    assert ("DepthwiseConv2D" in keras_text) == colour
    assert {"max": "nn.MaxPool2d(2)", "average": "nn.AvgPool2d(2)"}[pool_kind] in torch_text
    assert {"max": "MaxPooling2D(2)", "average": "AveragePooling2D(2)"}[pool_kind] in keras_text


def test_gray_layers_take_one_channel():
    recipe = make_recipe()
    assert "nn.Conv2d(1, 1, kernel_size=3, padding=0, bias=False)" in pytorch_code(recipe)
    keras_text = keras_code(recipe)
    assert 'layers.Conv2D(1, 3, padding="valid", use_bias=False)' in keras_text
    assert "reshape(3, 3, 1, 1)" in keras_text  # Keras' (rows, columns, in, out) order


# ---- The second page's layer as code ------------------------------------------------------------------

LAYER_SETTINGS = [
    ConvSettings(padding, stride, dilation, convention=convention)
    for padding in ("valid", "same", "full")
    for stride in (1, 2, 3)
    for dilation in (1, 2, 3)
    for convention in ("keras", "pytorch")
    if convention == "pytorch" or not keras_refusal(padding, stride, dilation)
]


def run_layer_code(code: str, function: str, image: np.ndarray) -> np.ndarray:
    """An exported layer script's ``function`` on ``image``, run as a learner who copied it would."""
    namespace: dict = {"__name__": "exported"}
    exec(compile(code, "exported.py", "exec"), namespace)
    return np.asarray(namespace[function](image), dtype=np.float64)


@pytest.mark.parametrize("settings", LAYER_SETTINGS, ids=repr)
def test_the_layers_numpy_code_gives_the_pages_sums(settings):
    kernel = np.array(SOBEL_LIKE).reshape(3, 3)
    code = layer_numpy_code(kernel, settings, "Sobel-like")
    for shape in ((7, 8), (27, 28)):
        image = np.random.default_rng(sum(shape)).integers(0, 256, size=shape).astype(np.float64)
        if conv_output_size(min(shape), settings) == 0:
            continue
        np.testing.assert_array_equal(run_layer_code(code, "conv", image), correlate(image, kernel, settings))


def test_the_layers_code_names_whose_same_it_is():
    kernel = np.array(SOBEL_LIKE).reshape(3, 3)
    keras_same, pytorch_same = ConvSettings("same", 2), ConvSettings("same", 2, convention="pytorch")
    assert "Keras / TensorFlow 'same' padding" in layer_numpy_code(kernel, keras_same, "f")
    assert 'padding="same"' in layer_keras_code(kernel, keras_same, "f")
    assert "F.pad(batch, (left, right, top, bottom))" in layer_pytorch_code(kernel, keras_same, "f")
    assert "PyTorch's padding=1" in layer_numpy_code(kernel, pytorch_same, "f")
    assert "layers.ZeroPadding2D(1)" in layer_keras_code(kernel, pytorch_same, "f")
    assert "padding=1, bias=False" in layer_pytorch_code(kernel, pytorch_same, "f")
    refused = ConvSettings("valid", 2, 2, convention="pytorch")
    refused_code = layer_keras_code(kernel, refused, "f")
    assert "Keras refuses strides > 1 together with dilation_rate > 1" in refused_code
