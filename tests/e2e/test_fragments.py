"""The server pays only for what changed: a section's own control reruns that section alone.

Raw-protocol pages (tests/e2e/protocol.py), as a browser drives them, and one real browser:

- a change of the pixel (its Row box, an arrow) reruns the sections that show it (the grids'
  outlines, the step-by-step view, the worksheet, the link) and nothing else: no image picker, no
  filter editor, no options are sent again; and what it sends is right: the new pixel's sum, the
  grids' alt texts, the link;
- a step of the stepper coming to rest reruns the same sections (its step goes into the link);
- the rest of the page stays right: a later run of the whole page shows the same settings, the link
  holds the pixel, and a preset change is still a run of the whole page;
- in the browser, the outline, the heading, the address bar and the Share popover follow an arrow
  click while every other section stays on the page.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs

from playwright.sync_api import expect

from filters.describe import results_alts
from filters.presets import PRESETS
from filters.walkthrough import VIEW_INSPECT, marks_for, walk_pixel
from tests.e2e.helpers import app_session, core_result, sample_pixels, wait_for_app
from tests.e2e.protocol import Session
from views import state

PAGE_ONLY = ("image_source", state.PRESET, state.PADDING, state.PROJECTOR, state.SAMPLE_GROUP)
"""Widgets of the sections outside the fragments: a fragment's run never sends them."""


def _keys(session: Session) -> set[str]:
    return {
        proto.id.split("-", 2)[2]
        for _, proto in session.elements()
        if getattr(proto, "id", "").startswith("$$ID-")
    }


def _link(session: Session) -> dict[str, list[str]]:
    """The query string the run wrote into the page's address (its page_info_changed message)."""
    changed = [
        m.page_info_changed.query_string
        for m in session.last_run
        if m.WhichOneof("type") == "page_info_changed"
    ]
    return parse_qs(changed[-1]) if changed else {}


def _alts(session: Session) -> list[str]:
    alts = [image.alt for kind, proto in session.elements() if kind == "imgs" for image in proto.imgs]
    return [alt for alt in alts if alt.startswith(("Original image", "Max pooled"))]


def test_a_pixel_change_reruns_only_the_sections_that_show_it(app_server):
    result = core_result(sample_pixels())
    with Session(app_server.url) as session:
        session.run()
        assert not session.last_fragments and set(PAGE_ONLY) - {"image_source"} <= _keys(session)
        whole_page = len(session.last_run)

        session.set_widget(state.INSPECT_ROW, 7)
        assert len(session.last_fragments) == 4, "results, step by step, worksheet and link"
        assert not (_keys(session) & set(PAGE_ONLY)), "a section outside the fragments was sent again"
        assert len(session.last_run) < whole_page
        pixel = (7, result.strongest[1])
        walk = walk_pixel(result, *pixel)
        texts = "\n".join(session.texts())
        assert f"Output pixel (row {pixel[0]}, column {pixel[1]})" in texts and walk.sum_line in texts
        original_alt, _, pooled_alt = results_alts(result, pixel, marks_for(VIEW_INSPECT, result, pixel))
        assert _alts(session) == [original_alt, pooled_alt]
        assert _link(session)["pixel"] == [f"{pixel[0]},{pixel[1]}"]
        assert not session.exceptions()

        session.run()  # the whole page again: every section agrees with the fragments' run
        assert not session.last_fragments
        assert f"Output pixel (row {pixel[0]}, column {pixel[1]})" in "\n".join(session.texts())
        assert _alts(session) == [original_alt, pooled_alt]

        session.set_widget(state.PRESET, PRESETS["horizontal_edges"].name)
        assert not session.last_fragments, "a new filter changes every section: the whole page runs"
        assert not session.exceptions()


def test_a_stepper_at_rest_reruns_the_sections_of_the_view_and_writes_the_step_into_the_link(app_server):
    with Session(app_server.url) as session:
        session.run()
        session.set_widget(state.STEP_VIEW, "Slide the filter")
        session.run()
        session.set_widget(state.EXPLORER, {"step": 5})
        assert len(session.last_fragments) == 4 and not (_keys(session) & set(PAGE_ONLY))
        assert _link(session)["step"] == ["5"]


def test_in_the_browser_an_arrow_moves_the_outline_and_the_link_and_the_rest_stays(browser, app_server):
    with app_session(browser, app_server.url) as page:
        result = core_result(sample_pixels())
        row, col = result.strongest
        frame = ".st-key-results_outlined_filtered"
        before = page.locator(frame).evaluate("e => getComputedStyle(e, '::after').left")
        page.get_by_role("button", name="→").click()
        wait_for_app(page)
        heading = page.get_by_role("heading", name=re.compile("^Output pixel"))
        expect(heading).to_contain_text(f"(row {row}, column {col + 1})")
        expect(page).to_have_url(re.compile(rf"pixel={row}%2C{col + 1}"))
        assert page.locator(frame).evaluate("e => getComputedStyle(e, '::after').left") != before
        page.get_by_role("button", name="Share this view").click()
        expect(page.locator("[data-testid='stPopoverBody'] code").first).to_contain_text(
            f"pixel={row}%2C{col + 1}"
        )
        for section in (".st-key-image_source", "[data-testid='stDataFrame']", "[data-testid='stSidebar']"):
            expect(page.locator(section).first).to_be_visible()
        assert page.locator('[data-testid="stException"]').count() == 0
