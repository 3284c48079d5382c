"""Which grids write their values, through the pages themselves (AppTest): one rule on every grid
(``filters.drawing.wants_labels``), given the row each grid is shown in.

The pages' calls to the core's drawing are watched: a grid drawn by ``render_grid`` with labels
writes its values, one drawn without (or by ``render_channels``) does not. Each test shows an image
of its own (random pixels), so that no cache of another test answers for it.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

import views.layer_page
import views.results
from tests.conftest import APP
from views import state


def random_png(side: int, seed: int) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 256, (side, side), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def drawn(monkeypatch) -> list[tuple[tuple[int, int], bool, str]]:
    """(shape, values written, the view's module) of every grid the pages ask the core to draw."""
    calls: list[tuple[tuple[int, int], bool, str]] = []
    for module in (views.results, views.layer_page):
        grid, channels = module.render_grid, getattr(module, "render_channels", None)

        def watched_grid(values, *args, _grid=grid, _name=module.__name__, **kwargs):
            calls.append((np.shape(values)[:2], kwargs.get("labels") is not None, _name))
            return _grid(values, *args, **kwargs)

        monkeypatch.setattr(module, "render_grid", watched_grid)
        if channels is not None:

            def watched_channels(values, shape, *args, _channels=channels, _name=module.__name__, **kwargs):
                calls.append((tuple(shape), False, _name))
                return _channels(values, shape, *args, **kwargs)

            monkeypatch.setattr(module, "render_channels", watched_channels)
    return calls


def upload(side: int, seed: int) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.main.file_uploader[0].set_value((f"noise{seed}.png", random_png(side, seed), "image/png")).run()
    assert not at.exception
    return at


def test_a_64_pixel_upload_writes_no_values_on_any_of_its_grids(drawn):
    upload(64, 101)
    grids = {shape: written for shape, written, _ in drawn if shape in {(64, 64), (62, 62), (31, 31)}}
    assert grids == {(64, 64): False, (62, 62): False, (31, 31): False}  # the pooled grid too


def test_a_28_pixel_upload_writes_its_values_on_all_three_grids(drawn):
    upload(28, 102)
    grids = {shape: written for shape, written, _ in drawn if shape in {(28, 28), (26, 26), (13, 13)}}
    assert grids == {(28, 28): True, (26, 26): True, (13, 13): True}


@pytest.mark.parametrize(("padding", "written"), [("valid", True), ("full", False)])
def test_the_second_pages_first_row_is_written_whole_or_not_at_all(drawn, padding, written):
    """'valid': the 28 x 28 input beside 26 x 26 results, all written (the issue: the input was not);
    'full': 30 x 30 results make the row's cells too small, and none is written, the input neither."""
    at = upload(28, 103 if padding == "valid" else 104)
    drawn.clear()  # what the second page draws, from its first run with the padding chosen
    at.session_state[state.LAYER_PADDING] = padding
    at.switch_page("layer.py").run()
    assert not at.exception
    out = 26 if padding == "valid" else 30
    first_row = [(shape, value) for shape, value, module in drawn if module == "views.layer_page"][:3]
    assert first_row == [((28, 28), written), ((out, out), written), ((out, out), written)]
