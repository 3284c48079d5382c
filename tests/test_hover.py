"""The hover grid's data: every text is the core's walkthrough, and it stays small."""

from __future__ import annotations

import json

import numpy as np

from filters.hover import HOVER_LIMIT, hover_payload, wants_hover
from filters.numbers import format_values
from filters.pipeline import apply_filter
from filters.presets import PRESETS
from filters.walkthrough import walk_pixel


def test_every_pixel_carries_its_walkthrough():
    image = np.random.default_rng(2).integers(0, 256, size=(9, 11)).astype(np.uint8)
    result = apply_filter(
        image, PRESETS["lecture_example"].values, weight=0.5, padding="same", mapping="relu"
    )
    payload = hover_payload(result)
    assert (payload["rows"], payload["cols"]) == result.output_shape
    assert payload["labels"] == format_values(result.mapped()).ravel().tolist()
    for index, entry in enumerate(payload["walks"]):
        walk = walk_pixel(result, *divmod(index, payload["cols"]))
        assert entry["sum"] == walk.sum_line and entry["weight"] == walk.weight_line
        assert entry["mapping"] == walk.mapping_line and entry["final"] == walk.final_text
        assert entry["products"] == format_values(walk.explanation.products).ravel().tolist()
        assert entry["padded"] == walk.explanation.padded.ravel().tolist()


def test_colour_payload_explains_the_chosen_channel():
    rgb = np.random.default_rng(3).integers(0, 256, size=(6, 6, 3)).astype(np.uint8)
    result = apply_filter(rgb, PRESETS["sharpen"].values)
    payload = hover_payload(result, channel=2)
    assert payload["note"] == " (blue channel)"
    assert payload["walks"][5]["final"] == walk_pixel(result, 1, 1, 2).final_text


def test_the_largest_grid_offered_stays_well_under_a_megabyte():
    size = HOVER_LIMIT + 2  # "valid" leaves a 32 x 32 output
    image = np.random.default_rng(4).integers(0, 256, size=(size, size)).astype(np.uint8)
    result = apply_filter(image, np.round(np.random.default_rng(5).uniform(-9, 9, (3, 3)), 2), weight=1 / 7)
    assert wants_hover(result)
    assert len(json.dumps(hover_payload(result), separators=(",", ":"))) < 1_000_000
    assert not wants_hover(apply_filter(np.zeros((size + 1, size)), PRESETS["identity"].values))
