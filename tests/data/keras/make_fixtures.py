"""Make the Keras files that tests/test_keras_weights.py reads, with real Keras.

Run where Keras is installed (``pip install -r requirements-reference.txt``)::

    KERAS_BACKEND=jax python tests/data/keras/make_fixtures.py

Each model's first Conv2D has Keras' own random (Glorot-uniform) kernel and a random bias, so a test
can tell every filter apart. Its layer's weights, as ``get_weights()`` returns them, go to
``expected.npz`` (``<file>_kernel``, ``<file>_bias``): the tests compare what the app reads with
them, so CI needs no Keras. The lab's dense layer is set to zeros (the reader never looks at it, and
git then stores each file in a few kB).

- ``lab.weights.h5``, ``lab.keras``, ``lab.h5``: the course lab's model, Conv2D(8, (3, 3), ReLU),
  MaxPooling2D(2, 2), Flatten, Dense(10, softmax), saved by ``save_weights``, ``save`` and the
  legacy ``save(".h5")``;
- ``tf_keras.h5``: the same model in the layout of Keras 2 / tf.keras ``save_weights("x.h5")``, written
  with h5py (Keras 3 no longer writes it): ``layer_names`` in order, ``conv2d/conv2d/kernel:0``;
- ``two_convs.keras``: Conv2D(32) then Conv2D(16), as the course's later model: the first is read,
  though its name (``z_first``) sorts after the second's (``a_second``);
- ``no_bias.weights.h5``: Conv2D(8, (3, 3), use_bias=False);
- files the page refuses: ``five_by_five.weights.h5`` (5 x 5 filters), ``colour.keras`` (3 channels),
  ``four_filters.weights.h5`` (4 filters), ``dense_only.weights.h5`` (no Conv2D).
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

import h5py
import keras
import numpy as np

HERE = Path(__file__).resolve().parent


def model(*layers, channels: int = 1) -> keras.Sequential:
    """A model of 28 x 28 images whose convolutions have random biases (Keras starts them at 0)."""
    keras.backend.clear_session()  # each model's layers named afresh: conv2d, max_pooling2d, ...
    built = keras.Sequential([keras.Input((28, 28, channels)), *layers])
    rng = np.random.default_rng(len(built.layers))
    for layer in built.layers:
        if isinstance(layer, keras.layers.Conv2D) and layer.use_bias:
            layer.bias.assign(rng.normal(0, 0.1, layer.bias.shape).astype("float32"))
        if isinstance(layer, keras.layers.Dense):
            layer.set_weights([np.zeros(w.shape, "float32") for w in layer.get_weights()])
    return built


def lab_model() -> keras.Sequential:
    """The course lab's model: Conv2D(8, (3, 3), ReLU), MaxPooling2D(2, 2), Flatten, Dense(10, softmax)."""
    return model(
        keras.layers.Conv2D(8, (3, 3), activation="relu"),
        keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax"),
    )


def small_model(filters: int, size: int = 3, channels: int = 1) -> keras.Sequential:
    """A first Conv2D and little else, for the files the page refuses (small to keep)."""
    return model(
        keras.layers.Conv2D(filters, (size, size), activation="relu"),
        keras.layers.GlobalMaxPooling2D(),
        keras.layers.Dense(10, activation="softmax"),
        channels=channels,
    )


def write_tf_keras_weights(built: keras.Sequential, path: Path) -> None:
    """What tf.keras 2's ``model.save_weights("x.h5")`` wrote: each layer's group, in ``layer_names``
    order, listing its weights in ``weight_names`` as ``<layer>/<weight>:0``, each a dataset there."""
    with h5py.File(path, "w") as file:
        file.attrs["layer_names"] = np.asarray([layer.name.encode() for layer in built.layers])
        file.attrs["backend"] = b"tensorflow"
        file.attrs["keras_version"] = b"2.15.0"
        for layer in built.layers:
            group = file.create_group(layer.name)
            names = [f"{layer.name}/{weight.name}:0".encode() for weight in layer.weights]
            group.attrs["weight_names"] = np.asarray(names)
            for name, value in zip(names, layer.get_weights(), strict=True):
                group.create_dataset(name.decode(), data=value)


def main() -> None:
    keras.utils.set_random_seed(25)
    expected = {}
    lab = lab_model()
    lab.save_weights(HERE / "lab.weights.h5")
    lab.save(HERE / "lab.keras")
    lab.save(HERE / "lab.h5")
    write_tf_keras_weights(lab, HERE / "tf_keras.h5")
    for name in ("lab.weights.h5", "lab.keras", "lab.h5", "tf_keras.h5"):
        expected[name] = lab.layers[0].get_weights()
    two_convs = model(  # named so that the second sorts first: the reader goes by Keras' keys
        keras.layers.Conv2D(32, (3, 3), activation="relu", name="z_first"),
        keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Conv2D(16, (3, 3), activation="relu", name="a_second"),
        keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax"),
    )
    two_convs.save(HERE / "two_convs.keras")
    expected["two_convs.keras"] = two_convs.layers[0].get_weights()
    no_bias = model(
        keras.layers.Conv2D(8, (3, 3), activation="relu", use_bias=False),
        keras.layers.GlobalMaxPooling2D(),
        keras.layers.Dense(10, activation="softmax"),
    )
    no_bias.save_weights(HERE / "no_bias.weights.h5")
    expected["no_bias.weights.h5"] = [*no_bias.layers[0].get_weights(), np.zeros(8, "float32")]
    small_model(8, size=5).save_weights(HERE / "five_by_five.weights.h5")
    small_model(8, channels=3).save(HERE / "colour.keras")
    small_model(4).save_weights(HERE / "four_filters.weights.h5")
    model(keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")).save_weights(
        HERE / "dense_only.weights.h5"
    )
    arrays = {f"{name}_{part}": value for name, (kernel, bias) in expected.items() for part, value in
              (("kernel", kernel), ("bias", bias))}  # fmt: skip
    np.savez(HERE / "expected.npz", **arrays)
    for path in sorted(HERE.iterdir()):
        print(f"{path.name}: {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
