"""Your own first layer: real Keras files (made by tests/data/keras/make_fixtures.py) read as Keras wrote
them, NumPy files, and every refusal with its message."""

from __future__ import annotations

import io
import os
import threading
import time
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest

from filters.keras_weights import HDF5_SECONDS, MAX_UPLOAD_MB, WeightsRejected, read_first_layer
from filters.network import Network

FIXTURES = Path(__file__).parent / "data" / "keras"
EXPECTED = np.load(FIXTURES / "expected.npz")
SHAPE_REFUSAL = (
    "the page takes 3 x 3 filters on one gray channel: shape (3, 3, 1, N) with N ≥ 8, as Keras stores the "
    "kernel of Conv2D(8, (3, 3)) on 28 x 28 x 1 images."
)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def kernel(count: int = 8, seed: int = 0) -> np.ndarray:
    """A Keras Conv2D kernel (3, 3, 1, count) whose every value differs."""
    return np.random.default_rng(seed).normal(0, 0.3, (3, 3, 1, count)).astype(np.float32)


def npy(array: np.ndarray, allow_pickle: bool = False) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


def npz(*args: np.ndarray, compressed: bool = False, **kwargs: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buffer, *args, **kwargs)
    return buffer.getvalue()


def keras3_hdf5(make_kernel) -> bytes:
    """An HDF5 file in Keras 3's layout, ``make_kernel(vars_group)`` making its ``0``."""
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as file:
        make_kernel(file.create_group("layers/conv2d/vars"))
    return buffer.getvalue()


def refusal(data: bytes, name: str) -> str:
    with pytest.raises(WeightsRejected) as caught:
        read_first_layer(data, name)
    assert isinstance(caught.value, ValueError)
    return str(caught.value)


# ---- What is read ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "layer"),
    [
        ("lab.weights.h5", "conv2d"),  # Keras 3 model.save_weights
        ("lab.keras", "conv2d"),  # Keras 3 model.save
        ("lab.h5", "conv2d"),  # legacy model.save("x.h5"), from Keras 3
        ("tf_keras.h5", "conv2d"),  # tf.keras 2 save_weights("x.h5") layout
        ("two_convs.keras", "z_first"),  # the first of two Conv2D layers, whatever their names
        ("no_bias.weights.h5", "conv2d"),
    ],
)
def test_a_keras_file_gives_its_first_conv2d_layer_as_keras_holds_it(name, layer):
    """The expected values are ``model.layers[0].get_weights()``, saved by the script that made the file."""
    read = read_first_layer(fixture(name), name)
    expected_kernel, expected_bias = EXPECTED[f"{name}_kernel"], EXPECTED[f"{name}_bias"]
    assert read.count == expected_kernel.shape[3]
    assert read.kernels.dtype == np.float32 and read.kernels.shape == (read.count, 3, 3)
    for index in range(read.count):
        assert np.array_equal(read.kernels[index], expected_kernel[:, :, 0, index])
    assert np.array_equal(read.biases, expected_bias)
    assert read.has_bias == (name != "no_bias.weights.h5")
    assert read.source == f'layer "{layer}" of "{name}"'
    assert not read.kernels.flags.writeable and not read.biases.flags.writeable


def test_the_filters_are_the_ones_the_network_takes_from_keras():
    """The same kernel through ``Network.from_keras``, whose forward pass the Keras test checks."""
    read = read_first_layer(fixture("two_convs.keras"), "two_convs.keras")
    kernels, biases = read.network_filters
    assert kernels.shape == (8, 3, 3) and biases.shape == (8,)
    weights = [EXPECTED["two_convs.keras_kernel"][..., :8], EXPECTED["two_convs.keras_bias"][:8]]
    network = Network.from_keras([*weights, np.zeros((1352, 10)), np.zeros(10)])
    assert np.array_equal(kernels, network.kernels) and np.array_equal(biases, network.biases)


def test_the_summary_says_what_was_read_and_what_the_network_uses():
    assert read_first_layer(fixture("lab.keras"), "lab.keras").summary == (
        'Read 8 filters of 3 x 3 from layer "conv2d" of "lab.keras".'
    )
    assert read_first_layer(fixture("two_convs.keras"), "mine.keras").summary == (
        'Read 32 filters of 3 x 3 from layer "z_first" of "mine.keras". '
        "The network has 8 filters, so it uses the first 8."
    )
    assert read_first_layer(npy(kernel()), "k.npy").summary == (
        'Read 8 filters of 3 x 3 from "k.npy". The layer has no biases: they are 0.'
    )


def test_the_kind_is_told_by_the_bytes_not_the_name():
    read = read_first_layer(fixture("lab.keras"), "upload.bin")
    assert np.array_equal(read.kernels, read_first_layer(fixture("lab.weights.h5"), "x").kernels)


@pytest.mark.parametrize(
    "array",
    [
        kernel(),
        kernel(12).astype(np.float64),
        np.asfortranarray(kernel(9)),
        kernel().astype(">f4"),  # big-endian
        np.arange(-36, 36, dtype=np.int16).reshape(3, 3, 1, 8),  # a teacher's whole numbers
    ],
)
def test_a_numpy_kernel_is_read_filter_by_filter(array):
    read = read_first_layer(npy(array), "kernel.npy")
    assert read.count == array.shape[3] and read.source == '"kernel.npy"' and not read.has_bias
    for index in range(read.count):
        assert np.array_equal(read.kernels[index], array[:, :, 0, index].astype(np.float32))
    assert np.array_equal(read.biases, np.zeros(read.count))


def test_an_npz_gives_its_kernel_and_bias_by_name_or_in_keras_order():
    weights, bias = kernel(), np.linspace(-0.5, 0.5, 8, dtype=np.float32)
    by_name = read_first_layer(npz(bias=bias, kernel=weights), "w.npz")
    assert by_name.source == 'array "kernel" of "w.npz"' and by_name.has_bias
    assert np.array_equal(by_name.biases, bias)
    # np.savez(f, *model.get_weights()): the conv kernel, its bias, then the dense layer's
    in_order = read_first_layer(npz(weights, bias, np.zeros((1352, 10)), np.zeros(10)), "all.npz")
    assert in_order.source == 'array "arr_0" of "all.npz"' and np.array_equal(in_order.biases, bias)
    assert np.array_equal(in_order.kernels, by_name.kernels)
    compressed = read_first_layer(npz(weights, bias, compressed=True), "c.npz")
    assert np.array_equal(compressed.kernels, by_name.kernels)
    alone = read_first_layer(npz(np.zeros(5), weights), "k.npz")
    assert not alone.has_bias and np.array_equal(alone.biases, np.zeros(8))


# ---- What is refused ---------------------------------------------------------------------------------------


def test_empty_unknown_and_too_big_files_are_refused_before_parsing():
    assert refusal(b"", "x.h5") == (
        '"x.h5" is empty (0 bytes). Please choose a Keras .weights.h5, .keras or .h5 file, or a NumPy .npy '
        "or .npz file."
    )
    assert refusal(b"\x89PNG\r\n\x1a\n....", "photo.png").startswith(
        '"photo.png" is not a file of weights this page reads. Please choose a Keras .weights.h5'
    )
    too_big = fixture("lab.weights.h5") + bytes(MAX_UPLOAD_MB * 1_000_000)
    assert refusal(too_big, "big.weights.h5") == (
        '"big.weights.h5" is 26 MB; the limit is 25 MB. Saving only the weights (model.save_weights) makes '
        "the smallest file."
    )


@pytest.mark.parametrize(
    ("name", "shape"),
    [
        ("five_by_five.weights.h5", "(5, 5, 1, 8)"),
        ("colour.keras", "(3, 3, 3, 8)"),
        ("four_filters.weights.h5", "(3, 3, 1, 4)"),
    ],
)
def test_a_keras_layer_of_another_shape_is_refused_naming_the_shape_expected(name, shape):
    text = refusal(fixture(name), name)
    assert text.startswith(f'The kernel in layer "conv2d" of "{name}" has shape {shape}; {SHAPE_REFUSAL}')
    if name == "colour.keras":
        assert text.endswith("It reads 3 channels, as the first layer of a model of colour images does.")
    if name == "four_filters.weights.h5":
        assert text.endswith("It has 4 filters and the network has 8.")


def test_a_model_without_a_conv2d_layer_is_refused():
    assert refusal(fixture("dense_only.weights.h5"), "dense.weights.h5") == (
        '"dense.weights.h5" holds no Conv2D layer (no 4-D kernel). Expected the weights of a model whose '
        "first layer is Conv2D(8, (3, 3)) on 28 x 28 x 1 images."
    )
    assert refusal(npz(np.zeros(8), np.zeros((3, 3))), "two.npz").startswith(
        '"two.npz" holds no 4-D array to read as a Conv2D kernel; the page takes 3 x 3 filters'
    )


@pytest.mark.parametrize(
    ("array", "shape"),
    [
        (np.zeros(72, dtype=np.float32), "(72,)"),
        (np.zeros((8, 3, 3), dtype=np.float32), "(8, 3, 3)"),
        (np.zeros((3, 3, 8), dtype=np.float32), "(3, 3, 8)"),
        (np.zeros((3, 3, 2, 8), dtype=np.float32), "(3, 3, 2, 8)"),
    ],
)
def test_a_numpy_array_of_another_shape_is_refused(array, shape):
    assert refusal(npy(array), "k.npy") == f'The kernel in "k.npy" has shape {shape}; {SHAPE_REFUSAL}' + (
        " It reads 2 channels: it is not the first layer of a model of gray images."
        if array.ndim == 4
        else ""
    )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("truncated.weights.h5", fixture("lab.weights.h5")[:30_000], "could not be read as an HDF5"),
        ("garbled.h5", fixture("lab.h5")[:8] + bytes(2_000), "could not be read as an HDF5"),
        ("truncated.keras", fixture("lab.keras")[:40_000], "could not be read as a zip archive"),
        ("half.npz", npz(kernel())[:300], "could not be read as a zip archive"),
        ("cut.npy", npy(kernel())[:200], "is damaged or cut short: its header promises 288 bytes of values"),
    ],
)
def test_a_damaged_or_truncated_file_is_refused(name, data, message):
    assert message in refusal(data, name)


def test_a_damaged_member_of_a_keras_file_is_refused():
    data = bytearray(fixture("lab.keras"))
    start = data.index(b"\x89HDF")  # model.weights.h5, stored: change a byte, its checksum no longer holds
    data[start + 5000] ^= 0xFF
    assert refusal(bytes(data), "lab.keras") == (
        '"model.weights.h5" in "lab.keras" could not be unpacked: the archive may be damaged, cut short or '
        "encrypted."
    )


def zip_bomb(member: str) -> bytes:
    """A zip of about 60 kB whose one member unpacks to 60 MB of zeros."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open(member, "w", force_zip64=True) as stream,
    ):
        for _ in range(60):
            stream.write(bytes(1_000_000))
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "member"), [("bomb.keras", "model.weights.h5"), ("bomb.npz", "kernel.npy")])
def test_an_archive_that_would_unpack_too_big_is_refused_before_unpacking(name, member):
    data = zip_bomb(member)
    assert len(data) < 100_000
    assert refusal(data, name) == f'"{name}" would unpack to 60 MB; the limit is 25 MB.'


def test_a_zip_that_is_neither_keras_nor_npz_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    assert refusal(buffer.getvalue(), "notes.zip").startswith(
        '"notes.zip" is a zip archive but neither a .keras file (holding model.weights.h5) nor a NumPy .npz.'
    )


UNPICKLED = []


class Payload:
    """Unpickling this would run ``UNPICKLED.append`` (a stand-in for any code a pickle can run)."""

    def __reduce__(self):
        return UNPICKLED.append, ("ran",)


def test_pickled_objects_are_refused_and_never_unpickled():
    objects = np.empty((3, 3, 1, 8), dtype=object)
    objects[...] = Payload()
    message = (
        "holds Python objects, which the page never unpickles (unpickling can run code). Please save the "
        'plain array: np.save("kernel.npy", kernel).'
    )
    assert refusal(npy(objects, allow_pickle=True), "evil.npy") == f'"evil.npy" {message}'
    assert (
        refusal(npz(kernel=objects, allow_pickle=True), "evil.npz") == f'"kernel.npy" in "evil.npz" {message}'
    )
    assert UNPICKLED == []


@pytest.mark.parametrize(
    ("array", "message"),
    [
        (np.zeros((3, 3, 1, 8), dtype=np.complex64), "holds values of type complex64; expected real numbers"),
        (np.zeros((3, 3, 1, 8), dtype="U2"), "holds values of type <U2; expected real numbers"),
        (np.zeros((3, 3, 1, 8), dtype=bool), "holds values of type bool; expected real numbers"),
    ],
)
def test_values_that_are_not_real_numbers_are_refused(array, message):
    assert refusal(npy(array), "k.npy") == f'"k.npy" {message} (float32).'


def test_not_a_number_infinite_and_absurd_weights_are_refused():
    nan = kernel()
    nan[0, 0, 0, 3] = np.nan
    nan[1, 2, 0, 5] = np.inf
    assert refusal(npy(nan), "nan.npy") == (
        'The kernel in "nan.npy" holds 2 values that are not a number (NaN) or infinite; expected real '
        "numbers. Training may have diverged."
    )
    huge = kernel()
    huge[2, 2, 0, 7] = -5000
    assert refusal(npy(huge), "huge.npy") == (
        'The kernel in "huge.npy" holds a weight of -5000; the page takes weights of at most 1000 in size '
        "(a trained 3 x 3 filter's are a few units)."
    )
    assert read_first_layer(npy(np.full((3, 3, 1, 8), -1000.0)), "edge.npy").kernels.min() == -1000
    bias = np.zeros(8)
    bias[4] = np.nan
    assert refusal(npz(kernel=kernel(), bias=bias), "b.npz").startswith(
        'The bias in array "kernel" of "b.npz" holds 1 value that is not a number (NaN) or infinite;'
    )


def test_a_bias_of_another_shape_is_refused():
    assert refusal(npz(kernel=kernel(), bias=np.zeros(7)), "b.npz") == (
        'The bias in array "kernel" of "b.npz" has shape (7,); expected (8,), one per filter of the kernel.'
    )

    def wrong_bias(group):
        group["0"] = kernel()
        group["1"] = np.zeros((8, 1), dtype=np.float32)

    assert "has shape (8, 1); expected (8,)" in refusal(keras3_hdf5(wrong_bias), "b.weights.h5")


def test_an_array_declaring_more_values_than_a_file_can_hold_is_refused_before_reading():
    """A header that promises 3.6 GB: an .npy of a few bytes, an HDF5 dataset of unwritten chunks."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f4", "fortran_order": False, "shape": (3, 3, 1, 10**8)}
    )
    assert "header promises 3,600,000,000 bytes of values and it holds 0" in refusal(
        header.getvalue(), "k.npy"
    )

    def huge(group):
        group.create_dataset("0", shape=(3, 3, 1, 10**8), dtype="f4", chunks=(3, 3, 1, 1024))

    data = keras3_hdf5(huge)
    assert len(data) < 20_000
    assert refusal(data, "huge.weights.h5") == (
        'The kernel in layer "conv2d" of "huge.weights.h5" holds more values than a 25 MB file can.'
    )


def test_hdf5_links_and_external_storage_that_would_read_other_files_are_refused(tmp_path):
    outside = tmp_path / "secret.bin"
    outside.write_bytes(np.ones(72, dtype=np.float32).tobytes())

    def external_storage(group):
        group.create_dataset("0", shape=(3, 3, 1, 8), dtype="f4", external=[(str(outside), 0, 288)])

    assert refusal(keras3_hdf5(external_storage), "ext.weights.h5") == (
        'The weights of layer "conv2d" of "ext.weights.h5" are stored in other files, which the page does '
        "not read. Please save the model's weights again with Keras."
    )

    def external_link(group):
        group["0"] = h5py.ExternalLink(str(tmp_path / "other.h5"), "/kernel")

    def soft_link(group):
        group["elsewhere"] = kernel()
        group["0"] = h5py.SoftLink("/layers/conv2d/vars/elsewhere")

    for make in (external_link, soft_link):
        assert "holds no Conv2D layer" in refusal(keras3_hdf5(make), "link.weights.h5")


def test_hdf5_groups_that_link_back_to_themselves_are_searched_once():
    def cycles(group):
        group["0"] = kernel()
        layers = group.parent.parent
        for index in range(10):
            layers[f"loop{index}"] = layers  # "layers" holds itself ten times over

    assert read_first_layer(keras3_hdf5(cycles), "loops.weights.h5").count == 8


def test_keras_reads_the_fixtures_as_the_app_does():
    """Where Keras is installed: Keras' own loading gives the values the app reads (and expected.npz)."""
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    model = keras.saving.load_model(FIXTURES / "two_convs.keras")
    expected_kernel, expected_bias = model.layers[0].get_weights()
    read = read_first_layer(fixture("two_convs.keras"), "two_convs.keras")
    assert np.array_equal(read.kernels, expected_kernel[:, :, 0, :].transpose(2, 0, 1))
    assert np.array_equal(read.biases, expected_bias)
    assert np.array_equal(EXPECTED["two_convs.keras_kernel"], expected_kernel)


def test_an_hdf5_file_that_would_read_forever_is_refused_and_the_server_keeps_serving():
    """A byte of lab.h5 changed makes HDF5's C library spin while holding the interpreter's lock: the file
    is read by another process, killed after HDF5_SECONDS, and this one's threads run on meanwhile."""
    damaged = bytearray((FIXTURES / "lab.h5").read_bytes())
    damaged[4712] = 0xBC
    ticks = []
    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(0.05):
            ticks.append(time.perf_counter())

    ticker = threading.Thread(target=tick)
    ticker.start()
    started = time.perf_counter()
    try:
        with pytest.raises(WeightsRejected, match="could not be read as an HDF5 weights file"):
            read_first_layer(bytes(damaged), "damaged.h5")
    finally:
        stop.set()
        ticker.join()
    assert time.perf_counter() - started < HDF5_SECONDS + 5
    assert max(np.diff(ticks)) < 1.0  # the other threads were never stopped


def test_an_npy_whose_header_is_damaged_is_refused():
    buffer = io.BytesIO()
    np.save(buffer, np.zeros((3, 3, 1, 8), dtype=np.float32))
    damaged = bytearray(buffer.getvalue())
    damaged[10] = ord("'")  # NumPy's header parser then raises a tokenize error, not a ValueError
    with pytest.raises(WeightsRejected, match="its header is damaged"):
        read_first_layer(bytes(damaged), "weights.npy")
