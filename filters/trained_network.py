"""The shipped network: its weights after every epoch of one training run, stored as a small ``.npz``.

Beside the CNN, the same training (its settings, another ``kind``) runs for the two models that show
what pooling keeps (``COMPARED``): the same CNN without pooling and a dense softmax on the raw pixels.
Their weights are not kept, only their losses, counts and predictions after every epoch.

Regenerate it (byte for byte; about 10 s on 2 cores: the CNN 3.6 s, without pooling 5.1 s, dense 0.4 s)::

    python -m filters.trained_network            # writes sample_images/fashion_mnist/trained_network.npz
    python -m filters.trained_network --check    # trains again and says whether the bytes are the same

The file is a zip of ``.npy`` arrays that ``numpy.load(..., allow_pickle=False)`` reads. ``np.savez``
stamps each member with the time it was written, so this module writes the zip itself, with a fixed
date and no compression (float32 weights hardly compress, and zlib's output may differ between
versions). Its arrays, E being the number of epochs (epoch 0 is the random start):

- ``kernels`` (E+1, 8, 3, 3), ``biases`` (E+1, 8), ``dense`` (E+1, 1352, 10), ``dense_bias`` (E+1, 10):
  float32, the ``Network`` after each epoch (``dense`` rows in Keras' Flatten order);
- ``train_loss``, ``held_out_loss`` (E+1,) float64; ``train_correct``, ``held_out_correct`` (E+1,) int64;
- ``held_out_predictions`` (E+1, 180) uint8, in ``held_out`` order;
- the same five arrays for each model of ``COMPARED``, named with its kind first:
  ``no_pooling_train_loss``, ..., ``dense_held_out_predictions``;
- ``train``, ``held_out``: the item indices of the split (int64, sorted); ``split_seed`` its seed;
- ``settings``: the ``TrainingSettings`` as a JSON string.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import sys
import time
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from filters.fashion_mnist import SPRITE_PATH, Split
from filters.network import (
    MODEL_TITLES,
    SHIPPED_SETTINGS,
    Epoch,
    ModelKind,
    Network,
    TrainingSettings,
    train,
)

SHIPPED_PATH = SPRITE_PATH.parent / "trained_network.npz"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
"""Every member's timestamp: the earliest a zip can hold, so the bytes depend on the arrays alone."""
COMPARED: tuple[ModelKind, ...] = ("no_pooling", "dense")
"""The models trained beside the CNN, with its settings, to show what pooling keeps."""


@dataclass(frozen=True, eq=False)
class TrainingRun:
    """A training run as shipped: its settings, its split and the state after every epoch.

    Attributes
    ----------
    epochs : the CNN's, each with its ``Network``.
    comparisons : the epochs of each model of ``COMPARED`` trained with the same settings (no weights).
    training_seconds : how long each model took to train in this process; empty for a run read from a
        file, as times are not part of the reproducible bytes.
    """

    settings: TrainingSettings
    split: Split
    epochs: tuple[Epoch, ...] = field(repr=False)
    comparisons: Mapping[ModelKind, tuple[Epoch, ...]] = field(default_factory=dict, repr=False)
    training_seconds: Mapping[ModelKind, float] = field(default_factory=dict, repr=False)

    def history(self, kind: ModelKind) -> tuple[Epoch, ...]:
        """Every epoch of one of the three models: the CNN's own or a comparison's."""
        return self.epochs if kind == "cnn" else self.comparisons[kind]

    @property
    def final(self) -> Network:
        """The network after the last epoch: the one the page uses."""
        network = self.epochs[-1].network
        assert network is not None
        return network


def record(
    settings: TrainingSettings = SHIPPED_SETTINGS,
    split: Split | None = None,
    compared: tuple[ModelKind, ...] = COMPARED,
) -> TrainingRun:
    """Train the CNN with these settings (on the fixed split by default) and keep every epoch; then
    train each model of ``compared`` the same way (``()`` for none: the tests' quicker runs)."""
    from filters.fashion_mnist import fixed_split

    if settings.kind != "cnn":
        raise ValueError("Only the CNN's runs are shipped; the comparison models keep no weights.")
    if not set(compared) <= set(COMPARED):
        raise ValueError(f"compared takes models of {COMPARED}; got {compared}.")
    split = split if split is not None else fixed_split()
    histories, seconds = {}, {}
    for kind in ("cnn", *compared):
        started = time.perf_counter()
        histories[kind] = tuple(train(dataclasses.replace(settings, kind=kind), split=split))
        seconds[kind] = time.perf_counter() - started
    comparisons = {kind: histories[kind] for kind in compared}
    return TrainingRun(settings, split, histories["cnn"], comparisons, seconds)


def _history_arrays(epochs: tuple[Epoch, ...], prefix: str = "") -> dict[str, np.ndarray]:
    """What the file keeps of every epoch besides the weights, each array's name after ``prefix``."""
    return {
        f"{prefix}train_loss": np.array([epoch.train_loss for epoch in epochs], dtype=np.float64),
        f"{prefix}held_out_loss": np.array([epoch.held_out_loss for epoch in epochs], dtype=np.float64),
        f"{prefix}train_correct": np.array([epoch.train_correct for epoch in epochs], dtype=np.int64),
        f"{prefix}held_out_correct": np.array([epoch.held_out_correct for epoch in epochs], dtype=np.int64),
        f"{prefix}held_out_predictions": np.stack([epoch.held_out_predictions for epoch in epochs]).astype(
            np.uint8
        ),
    }


def _history(
    arrays: dict[str, np.ndarray],
    counts: tuple[int, int],
    prefix: str = "",
    networks: list[Network] | None = None,
) -> tuple[Epoch, ...]:
    """The epochs ``_history_arrays`` wrote, with these networks (none for a comparison model)."""
    return tuple(
        Epoch(
            number=number,
            network=networks[number] if networks is not None else None,
            train_loss=float(arrays[f"{prefix}train_loss"][number]),
            held_out_loss=float(arrays[f"{prefix}held_out_loss"][number]),
            train_correct=int(arrays[f"{prefix}train_correct"][number]),
            held_out_correct=int(arrays[f"{prefix}held_out_correct"][number]),
            held_out_predictions=arrays[f"{prefix}held_out_predictions"][number].astype(np.int64),
            train_count=counts[0],
            held_out_count=counts[1],
        )
        for number in range(len(arrays[f"{prefix}train_loss"]))
    )


def to_bytes(run: TrainingRun) -> bytes:
    """The run as an ``.npz`` file's bytes: the same run gives the same bytes."""
    networks = [epoch.network for epoch in run.epochs]
    assert all(network is not None for network in networks)
    arrays = {
        "kernels": np.stack([network.kernels for network in networks]),
        "biases": np.stack([network.biases for network in networks]),
        "dense": np.stack([network.dense for network in networks]),
        "dense_bias": np.stack([network.dense_bias for network in networks]),
        **_history_arrays(run.epochs),
        **{
            name: array
            for kind in COMPARED
            if kind in run.comparisons
            for name, array in _history_arrays(run.comparisons[kind], f"{kind}_").items()
        },
        "train": np.asarray(run.split.train, dtype=np.int64),
        "held_out": np.asarray(run.split.held_out, dtype=np.int64),
        "split_seed": np.array(run.split.seed, dtype=np.int64),
        "settings": np.array(json.dumps(dataclasses.asdict(run.settings), sort_keys=True)),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, np.asarray(array, order="C"), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE)
            info.external_attr = 0o644 << 16
            archive.writestr(info, member.getvalue())
    return buffer.getvalue()


def from_bytes(data: bytes) -> TrainingRun:
    """Read a run written by ``to_bytes``; a ``ValueError`` says what is missing or malformed."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        settings = TrainingSettings(**json.loads(arrays["settings"].item()))
        counts = len(arrays["train"]), len(arrays["held_out"])
        networks = [
            Network(*(arrays[name][number] for name in ("kernels", "biases", "dense", "dense_bias")))
            for number in range(len(arrays["kernels"]))
        ]
        epochs = _history(arrays, counts, networks=networks)
        comparisons = {
            kind: _history(arrays, counts, f"{kind}_") for kind in COMPARED if f"{kind}_train_loss" in arrays
        }
    except (KeyError, TypeError, ValueError, OSError, zipfile.BadZipFile) as error:
        raise ValueError(f"Not a training run written by filters.trained_network: {error}") from error
    split = Split(train=arrays["train"], held_out=arrays["held_out"], seed=int(arrays["split_seed"]))
    return TrainingRun(settings, split, epochs, comparisons)


@cache
def load_shipped(path: Path = SHIPPED_PATH) -> TrainingRun:
    """The shipped run (read once: it ships with the app)."""
    return from_bytes(path.read_bytes())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="train again and compare with the shipped file")
    parser.add_argument("--output", type=Path, default=SHIPPED_PATH, help="where to write (or what to check)")
    options = parser.parse_args(argv)
    run = record()
    data = to_bytes(run)
    for kind in ("cnn", *COMPARED):
        last = run.history(kind)[-1]
        print(
            f"{MODEL_TITLES[kind]}: {last.number} epochs in {run.training_seconds[kind]:.1f} s, held-out "
            f"accuracy {last.held_out_accuracy:.1%} ({last.held_out_correct}/{last.held_out_count}), "
            f"training {last.train_accuracy:.1%}."
        )
    print(f"{len(data):,} bytes.")
    if options.check:
        same = options.output.exists() and options.output.read_bytes() == data
        print(f"{options.output}: {'the same bytes' if same else 'DIFFERENT'}")
        return 0 if same else 1
    options.output.write_bytes(data)
    print(f"Wrote {options.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
