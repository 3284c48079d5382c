"""The third page, "A trained network" (AppTest): every number it writes is the core's.

The prediction and its ten probabilities, a feature-map pixel term by term, the scrubber's epochs,
what pooling keeps, the confusion matrix's cells, the first page's image at 28 x 28, a learnt
filter opened on the first page, and the page's link. The browser's view is
``tests/e2e/test_network_page.py``; a user's own first layer is tested there and in
``tests/test_keras_weights.py``.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from filters.describe import kernel_words
from filters.fashion_mnist import CLASS_NAMES, fit_to_item, fixed_split, load_items
from filters.feature_maps import explain_map_pixel
from filters.network import confusion_matrix, forward
from filters.numbers import format_value
from filters.trained_network import load_shipped
from tests.conftest import APP
from tests.pixels import sample_pixels
from tests.test_app_predict import texts as page_texts
from views import state
from views.network_page import ITEMS

TITLE = "A trained network: does it tell a boot from a bag?"


def network_page(**query) -> AppTest:
    """The app opened on its third page (with ``query`` as the link's parameters)."""
    at = AppTest.from_file(APP, default_timeout=90)
    for name, value in query.items():
        at.query_params[name] = value
    at.switch_page("network.py").run()
    assert not at.exception
    assert [title.value for title in at.title] == [TITLE]
    return at


@pytest.fixture(scope="module")
def page() -> AppTest:
    return network_page()


def texts(at: AppTest) -> str:
    """Every text of the page's last run, with the clickable grids' alt texts."""
    clickable = [
        json.loads(component.proto.json)["alt"]
        for component in at.get("bidi_component")
        if component.key.startswith("network_")
    ]
    return "\n".join([page_texts(at), *clickable])


def clickable_alt(at: AppTest, key: str) -> str:
    """The alt text of one of the page's clickable pictures (a Components v2 element)."""
    return next(json.loads(c.proto.json)["alt"] for c in at.get("bidi_component") if c.key == key)


def filters_alt(network) -> str:
    """What the 8 filters' picture must say: each filter's values and bias, from the core."""
    return "The 8 learnt filters, each × 1/255 then + its bias. " + " ".join(
        f"Filter {index + 1} · bias {format_value(bias)}: {kernel_words(kernel.astype(float))}."
        for index, (kernel, bias) in enumerate(zip(network.kernels, network.biases, strict=True))
    )


def shown_forward(index: int, epoch: int | None = None):
    run = load_shipped()
    network = run.epochs[-1 if epoch is None else epoch].network
    return network, forward(network, load_items().images[index])


def test_the_prediction_and_its_probabilities_are_the_cores(page):
    _, shown = shown_forward(811)
    words = texts(page)
    predicted = shown.predicted
    assert (
        f"After epoch **15** the network says **{CLASS_NAMES[predicted]}** "
        f"({format_value(shown.probabilities[predicted] * 100)}%) — right." in words
    )
    for name, probability in zip(CLASS_NAMES, shown.probabilities, strict=True):
        assert f"{name} {format_value(probability * 100)}%" in words
    assert "Item 811 of the 900: an ankle boot; held out: the network never trained on it." in words


def test_a_feature_map_pixel_is_written_term_by_term_as_the_core_explains_it(page):
    network, shown = shown_forward(811)
    explained = explain_map_pixel(network, shown, 0, 7, 17)
    words = texts(page)
    assert f"Map 1, row 8, column 18 = **{format_value(shown.maps[0, 7, 17])}**" in words
    for line in (explained.sum_line, explained.weight_line, explained.bias_line, explained.relu_line):
        assert f"`{line}`" in words


def test_typing_another_pixel_and_map_explains_that_one():
    at = network_page()
    at.number_input(key=state.NETWORK_MAP).set_value(5)
    at.number_input(key=state.NETWORK_ROW).set_value(20)
    at.number_input(key=state.NETWORK_COL).set_value(3).run()
    assert not at.exception
    network, shown = shown_forward(811)
    explained = explain_map_pixel(network, shown, 4, 19, 2)
    assert f"`{explained.relu_line}`" in texts(at)


def test_the_filters_picture_gives_the_cores_values_and_biases(page):
    network, _ = shown_forward(811)
    assert clickable_alt(page, state.NETWORK_FILTER_PICK) == filters_alt(network)


def test_scrubbing_to_epoch_0_shows_the_random_start():
    at = network_page()
    at.slider(key=state.NETWORK_EPOCH).set_value(0).run()
    assert not at.exception
    network, shown = shown_forward(811, epoch=0)
    words = texts(at)
    assert f"After epoch **0** the network says **{CLASS_NAMES[shown.predicted]}**" in words
    assert clickable_alt(at, state.NETWORK_FILTER_PICK) == filters_alt(network)
    start = load_shipped().epochs[0]
    assert f"accuracy {format_value(start.train_accuracy * 100)}%" in words
    assert at.query_params["epoch"] == "0"


def test_what_pooling_keeps_gives_the_three_models_accuracies(page):
    run = load_shipped()
    table = page.table[0].value
    assert list(table["Values passed to the dense layer"]) == ["1,352", "5,408", "784"]
    expected = [
        f"{format_value(run.history(kind)[-1].held_out_accuracy * 100)}%"
        for kind in ("cnn", "no_pooling", "dense")
    ]
    assert list(table["Held-out accuracy"]) == expected


def test_the_confusion_matrix_cell_shows_its_items():
    at = network_page()
    run, split, items = load_shipped(), fixed_split(), load_items()
    predictions = run.epochs[-1].held_out_predictions
    matrix = confusion_matrix(items.labels[split.held_out], predictions)
    words = texts(at)
    assert f"{int(np.trace(matrix))} on the diagonal" in words
    assert f"**{matrix[9, 9]}** held-out ankle boot item(s) predicted as **ankle boot**:" in words
    wrong = next((t, p) for t in range(10) for p in range(10) if t != p and matrix[t, p])
    at.session_state[state.NETWORK_CONFUSION_CELL] = wrong
    at.run()
    held = split.held_out
    cell = [int(i) for i, t, p in zip(held, items.labels[held], predictions, strict=True) if (t, p) == wrong]
    assert len(cell) == matrix[wrong]
    assert f"Items {', '.join(str(index) for index in cell)}." in texts(at)


def test_the_link_opens_an_item_at_an_epoch():
    at = network_page(item="5", epoch="3")
    _, shown = shown_forward(5, epoch=3)
    words = texts(at)
    assert "Item 5 of the 900: a t-shirt/top" in words
    assert f"After epoch **3** the network says **{CLASS_NAMES[shown.predicted]}**" in words


def test_a_link_with_nonsense_is_ignored():
    at = network_page(item="9999", epoch="-1")
    assert "Item 811 of the 900" in texts(at)
    assert "After epoch **15**" in texts(at)


def test_the_first_pages_image_is_worked_at_28_x_28_with_its_steps():
    at = network_page()
    at.switch_page("one_filter.py").run()
    at.session_state[state.SHOWN_IMAGE] = ("sample:photos/camera.png", "Cameraman")
    at.run()
    at.switch_page("network.py").run()
    at.segmented_control(key=state.NETWORK_SOURCE).set_value("The first page's image").run()
    assert not at.exception
    fitted = fit_to_item(sample_pixels("photos/camera.png"))
    words = texts(at)
    for step in fitted.steps:
        assert step in words
    shown = forward(load_shipped().final, fitted.pixels)
    assert f"the network says **{CLASS_NAMES[shown.predicted]}**" in words


def test_step_through_opens_the_learnt_filter_on_the_first_page_on_the_same_item():
    at = network_page()
    at.selectbox(key=state.NETWORK_OPEN_FILTER).set_value(2)
    at.button(key="network_open").click().run()
    assert not at.exception
    network, _ = shown_forward(811)
    assert at.session_state[state.WEIGHT_TEXT] == "1/255"
    np.testing.assert_array_equal(np.array(at.session_state[state.LAST_VALID_KERNEL]), network.kernels[2])
    name = at.session_state[state.SHOWN_IMAGE][1]
    assert name == "item-811-28x28.png"
    assert at.session_state[state.PADDING] == "valid" and at.session_state[state.POOL_KIND] == "max"
    assert (at.session_state[state.INSPECT_ROW], at.session_state[state.INSPECT_COL]) == (7, 17)  # the page's
    inspected = [block.value for block in at.markdown if "Sum of the nine products" in block.value]
    explained = explain_map_pixel(network, shown_forward(811)[1], 2, 7, 17)
    assert inspected and explained.sum_line.split(" = ")[0] in inspected[0]  # the same nine products
    _, _, data = at.session_state[state.LAST_GOOD_UPLOAD]
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(data))), load_items().images[811])


KERAS_FILES = Path(__file__).resolve().parent / "data" / "keras"


def test_an_uploaded_keras_layer_replaces_the_filters_on_the_page():
    at = network_page()
    data = (KERAS_FILES / "lab.weights.h5").read_bytes()
    at.file_uploader(key=state.NETWORK_WEIGHTS).upload(
        "lab.weights.h5", data, "application/octet-stream"
    ).run()
    assert not at.exception
    expected = np.load(KERAS_FILES / "expected.npz")
    kernels = expected["lab.weights.h5_kernel"][:, :, 0, :].transpose(2, 0, 1)
    biases = expected["lab.weights.h5_bias"]
    network = load_shipped().final.with_filters(kernels, biases)
    shown = forward(network, load_items().images[811])
    assert clickable_alt(at, state.NETWORK_FILTER_PICK) == filters_alt(network)
    words = texts(at)
    assert "Read 8 filters of 3 x 3 from" in words
    assert f"the network says **{CLASS_NAMES[shown.predicted]}**" in words
    explained = explain_map_pixel(network, shown, 0, 7, 17)
    assert f"`{explained.sum_line}`" in words
    at.button(key="network_own_back").click().run()
    assert clickable_alt(at, state.NETWORK_FILTER_PICK) == filters_alt(load_shipped().final)


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("five_by_five.weights.h5", (KERAS_FILES / "five_by_five.weights.h5").read_bytes(), "(5, 5, 1, 8)"),
        ("photo.npy", b"not a numpy file at all", "a Keras .weights.h5, .keras or .h5 file"),
    ],
    ids=["5x5 filters", "not weights"],
)
def test_a_weights_file_that_does_not_fit_is_refused_with_what_was_expected(name, data, words):
    at = network_page()
    at.file_uploader(key=state.NETWORK_WEIGHTS).upload(name, data, "application/octet-stream").run()
    assert not at.exception
    errors = [error.value.replace("\\", "") for error in at.error]  # the Markdown escapes taken out
    assert len(errors) == 1 and words in errors[0], errors
    assert clickable_alt(at, state.NETWORK_FILTER_PICK) == filters_alt(load_shipped().final)


def test_forged_settings_are_put_back_and_the_page_still_shows():
    at = network_page()
    for key, value in {
        state.NETWORK_ITEM: 1000,
        state.NETWORK_MAP: 9,
        state.NETWORK_EPOCH: -1,
        state.NETWORK_SOURCE: "a file on the server",
    }.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception
    words = texts(at)
    # each put back to the first value its widget offers: epoch 0, the class's first item, map 1
    assert "After epoch **0**" in words and "Item 810 of the 900" in words
    assert at.session_state[state.NETWORK_MAP] == 1 and at.session_state[state.NETWORK_SOURCE] == ITEMS


def test_the_colour_scale_per_map_or_per_layer_redraws_the_maps():
    at = network_page()
    urls = {
        c.key: json.loads(c.proto.json)["src"]
        for c in at.get("bidi_component")
        if c.key.startswith("network_maps")
    }
    assert "Feature maps 1 to 8, 26 x 26 each, colour scale per layer." in texts(at)
    at.segmented_control(key=state.NETWORK_SCALE).set_value("per map").run()
    assert "Feature maps 1 to 8, 26 x 26 each, colour scale per map." in texts(at)
    changed = {
        c.key: json.loads(c.proto.json)["src"]
        for c in at.get("bidi_component")
        if c.key.startswith("network_maps")
    }
    assert all(changed[key] != urls[key] for key in urls)  # new pictures, each map on its own scale
