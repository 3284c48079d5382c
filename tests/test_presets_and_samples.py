"""The preset table and the bundled samples."""

import numpy as np
from PIL import Image

from filters import DEFAULT_PRESET, PRESETS
from filters.samples import DEFAULT_SAMPLE, SAMPLE_DIR, list_samples


def test_every_preset_is_a_3x3_float_filter_with_a_sentence():
    for preset in PRESETS.values():
        assert preset.values.shape == (3, 3)
        assert preset.values.dtype == np.float64
        assert not preset.values.flags.writeable
        assert preset.description.endswith(".")
        assert preset.weight != 0


def test_edges_come_first_and_the_default_is_vertical_edges():
    assert list(PRESETS)[:2] == ["vertical_edges", "horizontal_edges"]
    assert DEFAULT_PRESET == "vertical_edges"


def test_required_presets_have_the_lecture_values_and_weights():
    assert PRESETS["identity"].values.tolist() == [[0, 0, 0], [0, 1, 0], [0, 0, 0]]
    assert PRESETS["box_blur"].weight == 1 / 9 and PRESETS["box_blur"].values.sum() == 9
    assert PRESETS["gaussian_blur"].weight == 1 / 16 and PRESETS["gaussian_blur"].values.sum() == 16
    for key in ("sharpen", "emboss", "identity"):
        assert PRESETS[key].values.sum() == 1


def test_edge_presets_sum_to_zero_and_mirror_each_other():
    for key, preset in PRESETS.items():
        if "edges" in key:
            assert preset.values.sum() == 0, key
    assert np.array_equal(PRESETS["vertical_edges_reversed"].values, -PRESETS["vertical_edges"].values)
    assert np.array_equal(PRESETS["horizontal_edges"].values, PRESETS["vertical_edges"].values.T)


def test_preset_names_are_unique():
    names = [preset.name for preset in PRESETS.values()]
    assert len(set(names)) == len(names)


def test_samples_are_grouped_with_twenty_28x28_fashion_items():
    groups = list_samples()
    assert list(groups) == ["Lecture", "Fashion", "Photos"]
    fashion = groups["Fashion"]
    assert len(fashion) == 20
    for sample in fashion:
        assert Image.open(sample.path).size == (28, 28)
    titles = {sample.title for sample in fashion}
    assert {"Ankle boot 1", "T-shirt/top 2", "Sneaker 1"} <= titles
    photo_keys = {sample.key for sample in groups["Photos"]}
    assert "photos/ascent.png" in photo_keys
    assert len(photo_keys) == 9


def test_default_sample_exists_and_attribution_ships_with_the_samples():
    assert (SAMPLE_DIR / DEFAULT_SAMPLE).is_file()
    attribution = (SAMPLE_DIR / "ATTRIBUTION.md").read_text()
    assert "Fashion-MNIST" in attribution and "ascent.png" in attribution
