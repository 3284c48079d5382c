"""Your own first layer: the filters of a Conv2D layer, read from an uploaded weights file.

Read from the bytes in memory (nothing is written to disk). The kind is told by the file's first
bytes, not by its name:

- Keras 3 ``model.save_weights("x.weights.h5")``: HDF5, a layer's weights at ``layers/<key>/vars/0``
  (kernel) and ``vars/1`` (bias), where the key is the layer's class, numbered in the model's order
  (``conv2d``, ``conv2d_1``, ...), not its name (tf.keras 2.13-2.15 wrote
  ``_layer_checkpoint_dependencies/`` for ``layers/``);
- a ``.keras`` file: a zip holding ``model.weights.h5``, laid out as above (and ``config.json``);
- legacy HDF5 (Keras 2 / tf.keras ``save_weights("x.h5")``, any Keras' ``model.save("x.h5")``): a group
  per layer, in the order of the ``layer_names`` attribute, listing its weights in ``weight_names``
  (``conv2d/kernel:0``); under ``model_weights`` for a whole model;
- NumPy: an ``.npy`` holding a kernel, or an ``.npz`` holding a kernel (the array named ``kernel``,
  else the first 4-D one) and perhaps its bias (named ``bias``, else the array saved right after the
  kernel if its shape is (N,), as ``np.savez(f, *layer.get_weights())`` saves them).

**Which layer.** The first Conv2D: in Keras 3's layout the group keyed ``conv2d`` (depth first, so a
model nested in a model is searched where its key falls; failing any Conv2D key, the first layer
with a 4-D kernel); in the legacy layout the first layer in ``layer_names`` with a 4-D ``kernel``.

**What is accepted.** A kernel as Keras stores a Conv2D's: shape (3, 3, 1, N), 3 x 3 filters on one
gray channel, no flip (``kernel[:, :, 0, n]`` lies over the image as filter n does on the first
page). The network has 8 filters: a layer of N > 8 gives its first 8 (``FirstLayer.network_filters``,
and ``summary`` says so), and a layer of fewer than 8 is refused rather than filled with made-up
filters. A missing bias is 0. Weights are real numbers of at most ``MAX_ABS_WEIGHT`` in size:
trained 3 x 3 filters' are a few units, and larger ones are a unit mix-up whose maps nobody could
read.

**What is refused**, each with a ``WeightsRejected`` (a ``ValueError``) whose message names what was
expected: files over ``MAX_UPLOAD_MB`` (checked before parsing) and archives whose members declare
more (checked before unpacking: no zip bombs); arrays declaring more values than that; damaged or
truncated files; pickled Python objects (never unpickled); HDF5 links, external storage and virtual
datasets (they would read other files); a file with no Conv2D kernel; any other shape; NaN,
infinity and absurd magnitudes. The messages quote the file's name as given: escape it to show it.
"""

from __future__ import annotations

import io
import math
import re
import resource
import subprocess
import sys
import tokenize
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np

from filters.network import FILTERS
from filters.numbers import format_value

MAX_UPLOAD_MB = 25
"""Largest file read, and most its archive may unpack to; the lab's model saves in under 100 kB."""
MAX_ABS_WEIGHT = 1000.0
"""Largest weight, in size, accepted."""
ACCEPTED_TEXT = "a Keras .weights.h5, .keras or .h5 file, or a NumPy .npy or .npz file"
EXPECTED_TEXT = (
    f"3 x 3 filters on one gray channel: shape (3, 3, 1, N) with N ≥ {FILTERS}, as Keras stores "
    f"the kernel of Conv2D({FILTERS}, (3, 3)) on 28 x 28 x 1 images"
)
_BYTES_PER_MB = 1_000_000
_MAX_BYTES = MAX_UPLOAD_MB * _BYTES_PER_MB
_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_ZIP_SIGNATURE = b"PK\x03\x04"
_NPY_SIGNATURE = b"\x93NUMPY"
_HDF5_ERRORS = (OSError, KeyError, ValueError, TypeError, RuntimeError)
"""What h5py raises on a damaged or truncated file (it maps HDF5's errors to these)."""
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, RuntimeError)
"""What zipfile raises on a damaged, truncated or encrypted archive."""


class WeightsRejected(ValueError):
    """An uploaded weights file the page cannot use; the message says why and what was expected."""


@dataclass(frozen=True, eq=False)
class FirstLayer:
    """The filters of a model's first Conv2D layer, as read from a file.

    Attributes
    ----------
    kernels : ndarray of float32, shape (N, 3, 3)
        Filter n is ``kernel[:, :, 0, n]`` of Keras' kernel, as it lies over the image (not flipped).
    biases : ndarray of float32, shape (N,)
        One bias per filter; zeros if the file holds none (``has_bias``).
    source : str
        Where it was read, e.g. 'layer "conv2d" of "lab.weights.h5"'.
    has_bias : bool
    """

    kernels: np.ndarray = field(repr=False)
    biases: np.ndarray = field(repr=False)
    source: str
    has_bias: bool

    @property
    def count(self) -> int:
        """How many filters the layer has (N)."""
        return len(self.kernels)

    @property
    def network_filters(self) -> tuple[np.ndarray, np.ndarray]:
        """The filters the network takes: the first 8 kernels (8, 3, 3) and their biases (8,)."""
        return self.kernels[:FILTERS], self.biases[:FILTERS]

    @property
    def summary(self) -> str:
        """What was read and what the network uses, in a sentence or three."""
        text = f"Read {self.count} filters of 3 x 3 from {self.source}."
        if self.count > FILTERS:
            text += f" The network has {FILTERS} filters, so it uses the first {FILTERS}."
        if not self.has_bias:
            text += " The layer has no biases: they are 0."
        return text


def read_first_layer(data: bytes, name: str) -> FirstLayer:
    """Read the first Conv2D layer's filters from an uploaded file's bytes.

    Parameters
    ----------
    data : bytes
        The whole file.
    name : str
        The file's name, for the messages and ``source``.

    Raises
    ------
    WeightsRejected
        If the file is not one this page reads or its layer is not 3 x 3 x 1 x N (N ≥ 8).
    """
    if not data:
        raise WeightsRejected(f'"{name}" is empty (0 bytes). Please choose {ACCEPTED_TEXT}.')
    if len(data) > _MAX_BYTES:
        raise WeightsRejected(
            f'"{name}" is {math.ceil(len(data) / _BYTES_PER_MB)} MB; the limit is {MAX_UPLOAD_MB} MB. '
            "Saving only the weights (model.save_weights) makes the smallest file."
        )
    if data.startswith(_HDF5_SIGNATURE):
        return _from_hdf5(data, name)
    if data.startswith(_ZIP_SIGNATURE):
        return _from_zip(data, name)
    if data.startswith(_NPY_SIGNATURE):
        return _from_arrays({"": data}, name, f'"{name}"')
    raise WeightsRejected(
        f'"{name}" is not a file of weights this page reads. Please choose {ACCEPTED_TEXT}.'
    )


# ---- Checks shared by every kind of file -------------------------------------------------------------------


def _check_kernel_header(shape: tuple[int, ...], dtype: np.dtype, where: str) -> None:
    """Refuse a kernel by its declared shape and type, before its values are read."""
    _check_dtype(dtype, f"The kernel in {where}")
    if len(shape) != 4 or shape[:3] != (3, 3, 1) or shape[3] < FILTERS:
        hint = ""
        if len(shape) == 4 and shape[2] == 3:
            hint = " It reads 3 channels, as the first layer of a model of colour images does."
        elif len(shape) == 4 and shape[2] != 1:
            hint = f" It reads {shape[2]} channels: it is not the first layer of a model of gray images."
        elif len(shape) == 4 and shape[:3] == (3, 3, 1):
            hint = f" It has {shape[3]} filters and the network has {FILTERS}."
        raise WeightsRejected(
            f"The kernel in {where} has shape {tuple(shape)}; the page takes {EXPECTED_TEXT}.{hint}"
        )
    if math.prod(shape) * dtype.itemsize > _MAX_BYTES:
        raise WeightsRejected(f"The kernel in {where} holds more values than a {MAX_UPLOAD_MB} MB file can.")


def _check_bias_header(shape: tuple[int, ...], dtype: np.dtype, count: int, where: str) -> None:
    """Refuse a bias by its declared shape and type: one number per filter."""
    _check_dtype(dtype, f"The bias in {where}")
    if tuple(shape) != (count,):
        raise WeightsRejected(
            f"The bias in {where} has shape {tuple(shape)}; expected ({count},), one per filter of the "
            "kernel."
        )


def _check_dtype(dtype: np.dtype, what: str) -> None:
    """Refuse anything but real numbers, above all pickled Python objects."""
    if dtype.hasobject:
        raise WeightsRejected(
            f"{what} holds Python objects, which the page never unpickles (unpickling can run code). "
            'Please save the plain array: np.save("kernel.npy", kernel).'
        )
    if dtype.kind not in "fiu":
        raise WeightsRejected(f"{what} holds values of type {dtype}; expected real numbers (float32).")


def _check_values(values: np.ndarray, what: str) -> np.ndarray:
    """Real numbers of at most MAX_ABS_WEIGHT in size, as float32."""
    values = np.asarray(values, dtype=np.float64)
    bad = int(np.count_nonzero(~np.isfinite(values)))
    if bad:
        raise WeightsRejected(
            f"{what} holds {bad} value{'s' if bad > 1 else ''} that {'are' if bad > 1 else 'is'} not a "
            "number (NaN) or infinite; expected real numbers. Training may have diverged."
        )
    largest = float(values.flat[np.abs(values).argmax()]) if values.size else 0.0
    if abs(largest) > MAX_ABS_WEIGHT:
        raise WeightsRejected(
            f"{what} holds a weight of {format_value(largest)}; the page takes weights of at most "
            f"{format_value(MAX_ABS_WEIGHT)} in size (a trained 3 x 3 filter's are a few units)."
        )
    return values.astype(np.float32)


def _first_layer(kernel: np.ndarray, bias: np.ndarray | None, where: str) -> FirstLayer:
    """Check the values of a kernel (3, 3, 1, N) and its bias (N,) (None: no bias); make the filters."""
    kernel = _check_values(kernel, f"The kernel in {where}")
    if bias is None:
        biases, has_bias = np.zeros(kernel.shape[3], dtype=np.float32), False
    else:
        biases, has_bias = _check_values(bias, f"The bias in {where}"), True
    kernels = np.ascontiguousarray(kernel[:, :, 0, :].transpose(2, 0, 1))
    kernels.flags.writeable = biases.flags.writeable = False
    return FirstLayer(kernels, biases, where, has_bias)


# ---- HDF5: Keras 3 .weights.h5, inside .keras, and legacy .h5 ----------------------------------------------


HDF5_SECONDS = 10
"""Longest an HDF5 file may take to read; HDF5's C library can loop forever on some damaged files."""
HDF5_MEMORY = 2 * 1024**3
"""Most memory (address space) the process reading an HDF5 file may take."""
_REFUSED = 3
"""The reading process's exit status for a refusal (its message on standard output)."""


def _from_hdf5(data: bytes, name: str) -> FirstLayer:
    """The first Conv2D of an HDF5 weights file, read by another Python process with a time and a memory
    limit (``python -m filters.keras_weights``, the bytes on its standard input, nothing on disk).

    HDF5's C library can spin forever on a damaged file while holding the interpreter's lock, which would
    stop every visitor's page in this process: the reader is killed instead, and the file refused.
    """
    damaged = WeightsRejected(
        f'"{name}" could not be read as an HDF5 weights file: it may be damaged or cut short. '
        "Please save the weights again."
    )
    try:
        reader = subprocess.run(
            [sys.executable, "-m", "filters.keras_weights", name],
            input=data,
            capture_output=True,
            timeout=HDF5_SECONDS,
            cwd=Path(__file__).resolve().parent.parent,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise damaged from None
    if reader.returncode == _REFUSED:
        raise WeightsRejected(reader.stdout.decode("utf-8"))
    if reader.returncode != 0:  # out of memory, or a crash in the C library
        raise damaged
    with np.load(io.BytesIO(reader.stdout), allow_pickle=False) as arrays:
        bias = arrays["bias"] if "bias" in arrays.files else None
        return _first_layer(arrays["kernel"], bias, str(arrays["where"]))


def main() -> int:
    """The reading process: HDF5 bytes on standard input, the kernel, bias and place on standard output
    (an ``.npz``), or a refusal's message and the status ``_REFUSED``."""
    resource.setrlimit(resource.RLIMIT_AS, (HDF5_MEMORY, HDF5_MEMORY))
    try:
        kernel, bias, where = _parse_hdf5(sys.stdin.buffer.read(), sys.argv[1])
    except WeightsRejected as refusal:
        sys.stdout.buffer.write(str(refusal).encode("utf-8"))
        return _REFUSED
    arrays = {"kernel": kernel, "where": np.array(where)}
    if bias is not None:
        arrays["bias"] = bias
    np.savez(sys.stdout.buffer, **arrays)
    return 0


def _parse_hdf5(data: bytes, name: str) -> tuple[np.ndarray, np.ndarray | None, str]:
    """The kernel and bias of the first Conv2D of an HDF5 weights file, and where they were found."""
    try:
        with h5py.File(io.BytesIO(data), "r") as file:
            root = _child(file, "model_weights")
            root = root if isinstance(root, h5py.Group) else file
            legacy = _attribute_list(root, "layer_names") is not None
            candidates = list(_legacy_layers(root)) if legacy else _keras3_layers(file)
            if not candidates:
                raise WeightsRejected(
                    f'"{name}" holds no Conv2D layer (no 4-D kernel). Expected the weights of a model whose '
                    f"first layer is Conv2D({FILTERS}, (3, 3)) on 28 x 28 x 1 images."
                )
            layer, kernel, bias = candidates[0]
            where = f'layer "{layer}" of "{name}"'
            _check_kernel_header(kernel.shape, kernel.dtype, where)
            kernel_values = _read_dataset(kernel, where)
            bias_values = None
            if bias is not None:
                _check_bias_header(bias.shape, bias.dtype, kernel.shape[3], where)
                bias_values = _read_dataset(bias, where)
    except WeightsRejected:
        raise
    except _HDF5_ERRORS as error:
        raise WeightsRejected(
            f'"{name}" could not be read as an HDF5 weights file: it may be damaged or cut short. '
            "Please save the weights again."
        ) from error
    return kernel_values, bias_values, where


Candidate = tuple[str, h5py.Dataset, h5py.Dataset | None]
"""A layer with a 4-D kernel: its name, its kernel and its bias (None if it has none)."""


def _child(group: h5py.Group, name: str) -> h5py.Group | h5py.Dataset | None:
    """A member reached by a hard link only: soft and external links could lead to other files."""
    link = group.get(name, getlink=True)
    return group[name] if isinstance(link, h5py.HardLink) else None


def _keras3_layers(file: h5py.File) -> list[Candidate]:
    """Every layer whose ``vars/0`` is 4-D, in the model's order: Conv2D layers first (Keras keys their
    groups ``conv2d``, ``conv2d_1``, ... in the model's order), then any other (a subclassed model keys
    its layers by its attributes' names). HDF5 visits each object once, by hard links only."""
    found: list[tuple[str, Candidate]] = []

    def visit(path: str, member: h5py.Group | h5py.Dataset) -> None:
        weights = _child(member, "vars") if isinstance(member, h5py.Group) else None
        kernel = _child(weights, "0") if isinstance(weights, h5py.Group) else None
        if isinstance(kernel, h5py.Dataset) and kernel.ndim == 4:
            bias = _child(weights, "1")
            layer = weights.attrs.get("name", path.rsplit("/", 1)[-1])  # Keras 3 keeps the layer's name here
            layer = layer.decode("utf-8") if isinstance(layer, bytes) else str(layer)
            found.append((path, (layer, kernel, bias if isinstance(bias, h5py.Dataset) else None)))

    file.visititems(visit)
    found.sort(key=lambda item: [_keras_key_order(part) for part in item[0].split("/")])
    return [
        layer
        for is_conv2d in (True, False)
        for path, layer in found
        if _is_conv2d_key(path.rsplit("/", 1)[-1]) == is_conv2d
    ]


def _is_conv2d_key(key: str) -> bool:
    """Whether Keras named this layer's group for the Conv2D class: ``conv2d`` or ``conv2d_<n>``."""
    return re.fullmatch(r"conv2d(_\d+)?", key) is not None


def _keras_key_order(key: str) -> list:
    """Sort key: numbers in a key compare as numbers (conv2d, conv2d_1, conv2d_2, ..., conv2d_10)."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", key)]


def _legacy_layers(root: h5py.Group) -> Iterator[Candidate]:
    """Every layer with a 4-D ``kernel`` weight, in the order of ``layer_names``."""
    for layer in _attribute_list(root, "layer_names") or []:
        group = _child(root, layer)
        if not isinstance(group, h5py.Group):
            continue
        weights = {}
        for weight in _attribute_list(group, "weight_names") or []:
            short = weight.rsplit("/", 1)[-1].split(":")[0]  # "sequential/conv2d/kernel:0" -> "kernel"
            dataset = _dataset_at(group, weight)
            if dataset is not None:
                weights[short] = dataset
        kernel = weights.get("kernel")
        if kernel is not None and kernel.ndim == 4:
            yield layer, kernel, weights.get("bias")


def _dataset_at(group: h5py.Group, path: str) -> h5py.Dataset | None:
    """The dataset at a path of hard links below ``group``, or None."""
    member: object = group
    for part in path.split("/"):
        if not isinstance(member, h5py.Group) or not part:
            return None
        member = _child(member, part)
    return member if isinstance(member, h5py.Dataset) else None


def _attribute_list(group: h5py.Group, name: str) -> list[str] | None:
    """A list of names stored as an attribute, as Keras writes it: whole, or split into ``name0``,
    ``name1``, ... when it is too long for one attribute. None if there is none."""
    if name in group.attrs:
        parts = [group.attrs[name]]
    else:
        parts = []
        while f"{name}{len(parts)}" in group.attrs:
            parts.append(group.attrs[f"{name}{len(parts)}"])
        if not parts:
            return None
    return [
        value.decode("utf-8") if isinstance(value, bytes) else str(value)
        for part in parts
        for value in np.atleast_1d(part).tolist()
    ]


def _read_dataset(dataset: h5py.Dataset, where: str) -> np.ndarray:
    """A dataset's values, if they lie in this file (not in another file or a virtual dataset)."""
    if dataset.external or dataset.is_virtual:
        raise WeightsRejected(
            f"The weights of {where} are stored in other files, which the page does not read. "
            "Please save the model's weights again with Keras."
        )
    return np.asarray(dataset[()])


# ---- Zip archives: .keras and .npz -------------------------------------------------------------------------


def _from_zip(data: bytes, name: str) -> FirstLayer:
    """A ``.keras`` file or an ``.npz``, told apart by what they hold, their sizes checked first."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except _ZIP_ERRORS as error:
        raise WeightsRejected(
            f'"{name}" could not be read as a zip archive (.keras or .npz): it may be damaged or cut short.'
        ) from error
    unpacked = sum(member.file_size for member in members)
    if unpacked > _MAX_BYTES:
        raise WeightsRejected(
            f'"{name}" would unpack to {math.ceil(unpacked / _BYTES_PER_MB)} MB; '
            f"the limit is {MAX_UPLOAD_MB} MB."
        )
    names = [member.filename for member in members]
    if "model.weights.h5" in names:
        return _from_hdf5(_unzip(archive, "model.weights.h5", name), name)
    if names and all(member.endswith(".npy") for member in names):
        arrays = {member.removesuffix(".npy"): _unzip(archive, member, name) for member in names}
        return _from_arrays(arrays, name, None)
    raise WeightsRejected(
        f'"{name}" is a zip archive but neither a .keras file (holding model.weights.h5) nor a '
        f"NumPy .npz. Please choose {ACCEPTED_TEXT}."
    )


def _unzip(archive: zipfile.ZipFile, member: str, name: str) -> bytes:
    """One member's bytes (its declared size already checked; zipfile reads no more than that)."""
    try:
        return archive.read(member)
    except (*_ZIP_ERRORS, NotImplementedError) as error:
        raise WeightsRejected(
            f'"{member}" in "{name}" could not be unpacked: the archive may be damaged, cut short or '
            "encrypted."
        ) from error


# ---- NumPy: .npy and the arrays of an .npz -----------------------------------------------------------------


def _from_arrays(arrays: dict[str, bytes], name: str, where: str | None) -> FirstLayer:
    """The kernel and bias among ``.npy`` files' bytes by name (``where``: None to name the array)."""
    headers = {
        key: _npy_header(raw, f'"{key}.npy" in "{name}"' if key else f'"{name}"')
        for key, raw in arrays.items()
    }
    keys = list(arrays)
    only = keys[0] if len(keys) == 1 else None  # an .npy, or an .npz of one array: that is the kernel
    kernel_key = "kernel" if "kernel" in headers else next((k for k in keys if len(headers[k][0]) == 4), only)
    if kernel_key is None:
        raise WeightsRejected(
            f'"{name}" holds no 4-D array to read as a Conv2D kernel; the page takes {EXPECTED_TEXT}.'
        )
    where = where or f'array "{kernel_key}" of "{name}"'
    shape, dtype, _, _ = headers[kernel_key]
    _check_kernel_header(shape, dtype, where)
    bias_key = "bias" if "bias" in headers else None
    following = keys[keys.index(kernel_key) + 1 : keys.index(kernel_key) + 2]
    if bias_key is None and following and headers[following[0]][0] == (shape[3],):
        bias_key = following[0]
    bias = None
    if bias_key is not None:
        _check_bias_header(headers[bias_key][0], headers[bias_key][1], shape[3], where)
        bias = _npy_values(arrays[bias_key], headers[bias_key])
    return _first_layer(_npy_values(arrays[kernel_key], headers[kernel_key]), bias, where)


Header = tuple[tuple[int, ...], np.dtype, int, bool]
"""An ``.npy`` file's shape, dtype, where its values start, and whether they are in Fortran order."""


def _npy_header(raw: bytes, what: str) -> Header:
    """Read an ``.npy`` header, and check it promises exactly the bytes that follow it."""
    stream = io.BytesIO(raw)
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            raise ValueError(f"format {version}")
    except (ValueError, SyntaxError, tokenize.TokenError) as error:  # NumPy parses the header as Python
        raise WeightsRejected(
            f"{what} is not a NumPy array file this page reads: its header is damaged."
        ) from error
    _check_dtype(dtype, what)
    promised, held = math.prod(shape) * dtype.itemsize, len(raw) - stream.tell()
    if promised != held:
        raise WeightsRejected(
            f"{what} is damaged or cut short: its header promises {promised:,} bytes of values and it holds "
            f"{held:,}."
        )
    return shape, dtype, stream.tell(), fortran


def _npy_values(raw: bytes, header: Header) -> np.ndarray:
    """The values an ``.npy`` header describes."""
    shape, dtype, offset, fortran = header
    values = np.frombuffer(raw, dtype=dtype, count=math.prod(shape), offset=offset)
    return values.reshape(shape, order="F" if fortran else "C")


if __name__ == "__main__":
    sys.exit(main())
