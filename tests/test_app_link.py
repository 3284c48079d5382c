"""The page's link holds its view, and the lecture's example is one click away (AppTest)."""

from __future__ import annotations

import re

import numpy as np
from streamlit.testing.v1 import AppTest

from filters import PRESETS
from filters.recipe import sample_source
from filters.walkthrough import VIEW_EDGES, VIEW_INSPECT, VIEW_POOL, VIEW_SLIDE
from tests.conftest import APP, whole_page
from tests.test_app_steps import explorer
from views import state


def opened(query: dict[str, str]) -> AppTest:
    """A new visitor opening the page at ``?query``."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    at.run()
    assert not at.exception
    return at


def lecture_button(at: AppTest):
    return next(button for button in at.button if button.label == "The lecture's example")


def test_the_lecture_button_opens_the_pixel_of_192_and_its_sum_of_1009(app):
    lecture_button(app).click().run()
    assert not app.exception
    assert app.session_state[state.SHOWN_IMAGE][0] == sample_source("lecture/lecture.png")
    assert app.session_state[state.PRESET] == "lecture_example"
    assert (app.session_state[state.PADDING], app.session_state[state.MAPPING]) == ("same", "signed")
    assert app.session_state[state.STEP_VIEW] == VIEW_INSPECT
    assert app.session_state[state.PIXEL] == (1, 1)
    sums = " ".join(markdown.value for markdown in app.markdown)
    terms = "0 × -1 + 64 × 0 + 128 × -2 + 48 × 0.5 + 192 × 4.5 + 144 × 1.5 + 142 × 1.5 + 226 × 2 + 168 × -3"
    assert f"{terms} = 1009" in sums
    header, arrays = explorer(app)
    assert header["region"] == {"top": 0, "left": 0, "rows": 4, "cols": 4}
    assert arrays["sums"].reshape(4, 4)[1, 1] == 1009 and header["pinned"] == [1, 1]
    assert app.query_params["image"] == "lecture/lecture.png" and app.query_params["pixel"] == "1,1"


def test_the_lectures_pooling_pools_the_same_16_pixels_into_4(app):
    lecture_button(app).click().run()
    app.segmented_control(key=state.STEP_VIEW).set_value(VIEW_POOL).run()
    header, arrays = explorer(app)
    assert header["title"] == "The lecture's pixels"
    assert arrays["values"].tolist() == [
        [0, 64, 128, 128],
        [48, 192, 144, 144],
        [142, 226, 168, 0],
        [255, 0, 0, 64],
    ]
    assert arrays["pooled"].ravel().tolist() == [192, 144, 255, 168]


def test_a_fresh_page_writes_an_empty_link(app):
    assert app.query_params == {}


def test_every_setting_goes_into_the_link_and_a_new_visitor_gets_the_same_view(app):
    app.segmented_control(key=state.SAMPLE_GROUP).set_value("Photos").run()
    app.selectbox(key=state.SAMPLE_KEY).set_value("photos/coins.png").run()
    app.radio(key=state.PADDING).set_value("same").run()
    app.selectbox(key=state.MAPPING).set_value("abs").run()
    app.radio(key=state.POOL_KIND).set_value("average").run()
    app.select_slider(key=state.WORKING_SIZE).set_value(256).run()
    app.toggle(key=state.WRITE_VALUES).set_value(False).run()
    app.radio(key=state.LAYOUT).set_value(state.LAYOUT_STACKED).run()
    app.selectbox(key=state.PRESET).set_value("sharpen").run()
    app.text_input(key=state.WEIGHT_TEXT).set_value("1/3").run()
    app.number_input(key=state.INSPECT_ROW).set_value(40).run()
    app.number_input(key=state.INSPECT_COL).set_value(17).run()
    whole_page(app.segmented_control(key=state.STEP_VIEW).set_value(VIEW_SLIDE).run())
    app.toggle(key=state.PROJECTOR).set_value(True).run()
    assert not app.exception
    link = dict(app.query_params)
    assert link["image"] == "photos/coins.png" and link["view"] == "slide" and link["projector"] == "1"
    assert link["kernel"] == "0,-1,0,-1,5,-1,0,-1,0" and link["weight"] == "1/3" and link["pixel"] == "40,17"

    visitor = opened(link)
    for key in (
        state.SHOWN_IMAGE,
        state.PADDING,
        state.MAPPING,
        state.POOL_KIND,
        state.WORKING_SIZE,
        state.WRITE_VALUES,
        state.LAYOUT,
        state.STEP_VIEW,
        state.PROJECTOR,
        state.PIXEL,
        state.LAST_VALID_KERNEL,
        state.LAST_VALID_WEIGHT,
    ):
        assert visitor.session_state[key] == app.session_state[key], key
    assert visitor.session_state[state.PRESET] is None  # edited: the box names no preset
    assert _same_payload(explorer(visitor), explorer(app))
    assert dict(visitor.query_params) == link


def _same_payload(first, second) -> bool:
    (header_a, arrays_a), (header_b, arrays_b) = first, second
    return header_a == header_b and all(np.array_equal(arrays_a[k], arrays_b[k]) for k in arrays_a)


def test_a_link_holds_the_stepper_step_the_browser_reported(app):
    app.segmented_control(key=state.STEP_VIEW).set_value(VIEW_SLIDE).run()
    app.session_state[state.STEP] = 37  # what the explorer's "step" state sets when it rests
    app.run()
    assert app.query_params["step"] == "37"
    visitor = opened(dict(app.query_params))
    header, _ = explorer(visitor)
    assert header["step"] == 37 and header["view"] == "slide"


def test_an_edited_filter_stops_naming_its_preset_and_can_go_back(app):
    app.text_input(key=state.WEIGHT_TEXT).set_value("2").run()
    assert app.session_state[state.PRESET] is None
    assert app.selectbox(key=state.PRESET).value is None
    captions = " ".join(caption.value for caption in app.caption)
    assert "edited from **Vertical edges (Sobel, dark to bright)**" in captions
    assert app.query_params["kernel"] == "-1,0,1,-2,0,2,-1,0,1" and app.query_params["weight"] == "2"
    reset = next(button for button in app.button if button.label.startswith("Reset to Vertical edges"))
    reset.click().run()
    assert app.session_state[state.PRESET] == "vertical_edges"
    assert "kernel" not in app.query_params and "weight" not in app.query_params
    assert app.text_input(key=state.WEIGHT_TEXT).value == "1"


def test_a_hostile_link_is_ignored_with_a_short_notice_and_the_page_works():
    at = opened(
        {
            "image": "../../../etc/passwd",
            "kernel": "1,2,3",
            "pixel": "-4,2",
            "view": "<img src=x onerror=alert(1)>",
            "mapping": "signed",
            "colour": "yes",
            "x" * 300: "1",
        }
    )
    assert at.session_state[state.MAPPING] == "signed"  # the one good value is taken
    assert at.session_state[state.SHOWN_IMAGE][0] == sample_source("fashion/ankle_boot_1.png")
    (notice,) = [info.value for info in at.info if "this page does not offer" in info.value]
    assert re.search(r"'image'.*'kernel'.*'pixel'.*'view'.*'colour'", notice)
    assert "<img" not in notice and len(notice) < 250
    at.run()  # said once
    assert not [info for info in at.info if "this page does not offer" in info.value]


def test_an_upload_never_goes_into_a_link_and_its_link_says_so(app):
    from tests.test_app import png_bytes

    app.main.file_uploader[0].upload("private.png", png_bytes(np.full((8, 8), 90)), "image/png").run()
    assert app.session_state[state.SHOWN_IMAGE][1] == "private.png"
    link = dict(app.query_params)
    assert link["image"] == "upload" and "private" not in str(link)
    visitor = opened(link)
    assert visitor.session_state[state.SHOWN_IMAGE][0] == sample_source("fashion/ankle_boot_1.png")
    assert any("Links never hold uploads" in info.value for info in visitor.info)


def test_the_edges_view_shows_both_sobel_results_side_by_side(app):
    app.segmented_control(key=state.STEP_VIEW).set_value(VIEW_EDGES).run()
    assert not app.exception
    captions = [caption for image in app.image for caption in image.captions]
    assert captions[-3:] == [
        "Original · 28 x 28",
        f"{PRESETS['vertical_edges'].name} · 26 x 26",
        f"{PRESETS['horizontal_edges'].name} · 26 x 26",
    ]
    assert app.query_params["view"] == "edges"


def test_the_share_popover_shows_the_link_of_the_view_on_screen(app):
    app.radio(key=state.PADDING).set_value("same").run()
    (link,) = [code.value for code in app.code if "?" in code.value or code.value == ""] or [""]
    assert link.endswith("?padding=same")
    app.selectbox(key=state.MAPPING).set_value("relu").run()
    (link,) = [code.value for code in app.code if "?" in code.value]
    assert "?padding=same&mapping=relu" in link  # this run's link, not the one before
    captions = " ".join(caption.value for caption in app.caption)
    assert "Uploaded images are never put in a link" in captions
