"""The third page, "A trained network", in a real browser: what it shows is what the core computed.

At the projector's size and a phone's: an item picked from the 900 and its prediction, the epoch
scrubber from the random start to the last epoch, a feature-map pixel clicked, and a Keras weights
file uploaded whose filters then show.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

from filters.describe import kernel_words
from filters.fashion_mnist import CLASS_NAMES, ITEMS_PER_CLASS, load_items
from filters.feature_maps import explain_map_pixel
from filters.network import Network, TrainingSettings, forward, train
from filters.numbers import format_value
from filters.trained_network import load_shipped
from tests.e2e.helpers import app_session, choose_option, screenshot_and_check, wait_for_app

pytestmark = pytest.mark.e2e
SIZES = {"projector": (1920, 1080), "phone": (390, 844)}
KERAS_FILES = Path(__file__).resolve().parents[1] / "data" / "keras"
TITLE = "A trained network: does it tell a boot from a bag?"


def filter_alts(page) -> str:
    """The alt text of the 8 filters' picture, read in the browser."""
    return page.locator(".st-key-network_filter_pick img").get_attribute("alt")


def expected_filter_alts(network: Network) -> str:
    """What it must say: each filter's values and bias, from the core."""
    return "The 8 learnt filters, each × 1/255 then + its bias. " + " ".join(
        f"Filter {index + 1} · bias {format_value(bias)}: {kernel_words(kernel.astype(float))}."
        for index, (kernel, bias) in enumerate(zip(network.kernels, network.biases, strict=True))
    )


def prediction_text(network: Network, index: int, epoch: int) -> str:
    shown = forward(network, load_items().images[index])
    label, predicted = index // ITEMS_PER_CLASS, shown.predicted
    verdict = "right." if predicted == label else "wrong: it is "
    return (
        f"After epoch {epoch} the network says {CLASS_NAMES[predicted]} "
        f"({format_value(shown.probabilities[predicted] * 100)}%) — {verdict}"
    )


def scrub_to(page, key: str) -> None:
    """Move the epoch scrubber with the keyboard (Home: epoch 0, End: the last)."""
    page.get_by_role("slider", name="Epoch").focus()
    page.keyboard.press(key)
    wait_for_app(page)


@pytest.mark.parametrize("size", list(SIZES))
def test_an_item_its_prediction_and_the_epochs_are_the_cores(browser, app_server, size, request):
    width, height = SIZES[size]
    run = load_shipped()
    last = len(run.epochs) - 1
    with app_session(browser, app_server.url, "/network") as page:
        page.set_viewport_size({"width": width, "height": height})
        expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
        choose_option(page, "Class", "Bag")
        number = page.get_by_role("spinbutton", name="Number")
        number.fill("3")
        number.press("Enter")
        wait_for_app(page)
        index = CLASS_NAMES.index("Bag") * ITEMS_PER_CLASS + 2
        expect(page.get_by_text(f"Item {index} of the 900: a bag")).to_be_visible()
        expect(page.get_by_text(re.compile(r"^After epoch"))).to_contain_text(
            prediction_text(run.final, index, last)
        )
        shown = forward(run.final, load_items().images[index])
        chart = page.get_by_role("img", name=re.compile("^Probabilities: "))
        expect(chart).to_have_attribute(
            "alt",
            "Probabilities: "
            + "; ".join(
                f"{name} {format_value(p * 100)}%"
                for name, p in zip(CLASS_NAMES, shown.probabilities, strict=True)
            )
            + ".",
        )
        assert filter_alts(page) == expected_filter_alts(run.final)
        scrub_to(page, "Home")
        expect(page.get_by_text(re.compile(r"^After epoch"))).to_contain_text(
            prediction_text(run.epochs[0].network, index, 0)
        )
        at_start = filter_alts(page)
        assert at_start == expected_filter_alts(run.epochs[0].network)
        scrub_to(page, "End")
        expect(page.get_by_text(re.compile(r"^After epoch"))).to_contain_text(f"After epoch {last} ")
        at_end = filter_alts(page)
        assert at_end == expected_filter_alts(run.final)
        assert at_start != at_end  # the filters changed as the network learnt
        screenshot_and_check(page, request.node.name)
        assert page.foreign_requests == []


def test_a_clicked_feature_map_pixel_is_explained_as_the_core_does(browser, app_server, request):
    with app_session(browser, app_server.url, "/network") as page:
        picker = page.locator(".st-key-network_pick img")
        picker.scroll_into_view_if_needed()
        box = picker.bounding_box()
        row, col = 12, 5
        picker.click(position={"x": (col + 0.5) * box["width"] / 26, "y": (row + 0.5) * box["height"] / 26})
        wait_for_app(page)
        network = load_shipped().final
        shown = forward(network, load_items().images[811])
        explained = explain_map_pixel(network, shown, 0, row, col)
        expect(page.get_by_text(f"Map 1, row {row + 1}, column {col + 1} =")).to_contain_text(
            format_value(explained.value)
        )
        for line in (explained.sum_line, explained.bias_line, explained.relu_line):
            expect(page.locator("code").filter(has_text=line)).to_have_count(1)
        screenshot_and_check(page, request.node.name)


@pytest.mark.parametrize("size", list(SIZES))
def test_an_uploaded_keras_weights_file_shows_its_filters(browser, app_server, size, request):
    width, height = SIZES[size]
    expected = np.load(KERAS_FILES / "expected.npz")
    kernels = expected["lab.weights.h5_kernel"][:, :, 0, :].transpose(2, 0, 1)
    network = load_shipped().final.with_filters(kernels, expected["lab.weights.h5_bias"])
    with app_session(browser, app_server.url, "/network") as page:
        page.set_viewport_size({"width": width, "height": height})
        uploader = page.locator(".st-key-network_weights")
        uploader.scroll_into_view_if_needed()
        uploader.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            str(KERAS_FILES / "lab.weights.h5")
        )
        wait_for_app(page)
        expect(page.get_by_text("Read 8 filters of 3 x 3 from")).to_be_visible()
        assert filter_alts(page) == expected_filter_alts(network)
        expect(page.get_by_text(re.compile(r"^After epoch"))).to_contain_text(
            prediction_text(network, 811, len(load_shipped().epochs) - 1)
        )
        screenshot_and_check(page, request.node.name)
        uploader.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            str(KERAS_FILES / "five_by_five.weights.h5")
        )
        wait_for_app(page)
        expect(page.get_by_text("(5, 5, 1, 8)")).to_be_visible()


def test_clicking_a_learnt_filter_opens_it_on_the_first_page_on_the_same_item(browser, app_server, request):
    network = load_shipped().final
    with app_session(browser, app_server.url, "/network") as page:
        picture = page.locator(".st-key-network_filter_pick img")
        box = picture.bounding_box()
        picture.click(position={"x": 2.5 * box["width"] / 8, "y": box["height"] / 2})  # the third filter
        wait_for_app(page)
        expect(page.get_by_text("Showing item-811-28x28.png")).to_be_visible()
        expect(page.get_by_role("textbox", name="Weight", exact=True)).to_have_value("1/255")
        kernel = network.kernels[2].astype(float)
        expect(page.get_by_role("img", name=re.compile(re.escape(kernel_words(kernel))))).not_to_have_count(0)
        screenshot_and_check(page, request.node.name)


def test_train_again_reports_its_progress_by_itself_and_shows_the_run_it_trained(
    browser, app_server, request
):
    with app_session(browser, app_server.url, "/network") as page:
        seed = page.get_by_role("spinbutton", name="Seed")
        seed.fill("3")
        seed.press("Enter")
        wait_for_app(page)
        page.get_by_role("button", name="Train again").click()
        # nothing else is touched: the progress fragment polls by itself, then redraws the page
        expect(
            page.get_by_text(re.compile(r"^Trained from seed 3 in .* s: held-out accuracy"))
        ).to_be_visible(timeout=90_000)
        trained = list(train(TrainingSettings(seed=3)))
        final = trained[-1]
        expect(page.get_by_text(re.compile(r"^Trained from seed 3"))).to_contain_text(
            f"held-out accuracy {format_value(final.held_out_accuracy * 100)}%"
        )
        page.get_by_role("button", name="Show this run").click()
        wait_for_app(page)
        expect(page.get_by_text(re.compile(r"^After epoch"))).to_contain_text(
            prediction_text(final.network, 811, len(trained) - 1)
        )
        assert filter_alts(page) == expected_filter_alts(final.network)
        screenshot_and_check(page, request.node.name)
