"""The server restarts under open pages: they come back on their own, and a lost upload is named.

A redeploy or a crash restarts the app while a class has it open. Streamlit's page reconnects
to a new, empty session; the app's connection watcher (views/reconnect.py) reruns it at once,
the page's link rebuilds each view, and uploads, which live only in the old server's memory,
are asked for again. These tests restart a server of their own, so the other tests' server
and sessions are untouched.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from filters.numbers import format_values
from tests.e2e.helpers import (
    app_session,
    choose_preset,
    core_result,
    image_block,
    noise_png,
    sample_pixels,
    screenshot_and_check,
    upload_pixels,
    wait_for_app,
)
from tests.e2e.protocol import Session
from tests.e2e.server import AppServer
from views.reconnect import LOST_UPLOAD_MESSAGE

pytestmark = pytest.mark.e2e
LOST = LOST_UPLOAD_MESSAGE.split(":")[0]  # "Your image was lost"
RESULT_PICTURE = '[data-testid="stImage"] img'


@pytest.fixture
def restartable_server():
    server = AppServer()
    yield server
    server.stop()


def upload(page, name: str, data: bytes) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": name, "mimeType": "image/png", "buffer": data}]
    )


def served_within(page, url: str, seconds: float) -> bool:
    """The server answers ``url`` within ``seconds`` (the page's own cookies, as the page asks)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if page.request.get(url).ok:
            return True
        page.wait_for_timeout(250)
    return False


def filtered_numbers(page) -> list[str]:
    """The numbers of the explorer's filtered grid, as the page writes them."""
    return page.locator(".ex-grid").nth(1).locator(".ex-cell").all_inner_texts()


def test_after_a_restart_open_pages_come_back_by_themselves_and_the_first_upload_works(
    browser, restartable_server, request
):
    before, after = noise_png(1, (21, 17)), noise_png(2, (19, 23))
    with (
        app_session(browser, restartable_server.url) as uploader,
        app_session(browser, restartable_server.url) as settings,
    ):
        upload(uploader, "before.png", before)
        expect(image_block(uploader).get_by_text("Showing before.png, 21 x 17 pixels.")).to_be_visible()
        choose_preset(settings, "horizontal_edges")
        wait_for_app(settings)
        old_picture = settings.locator(RESULT_PICTURE).first.get_attribute("src")
        expect(settings).to_have_url(re.compile(r"preset=horizontal_edges"))

        restartable_server.restart()

        # Without a click: the page with the lost upload says so, back on the last sample shown...
        expect(uploader.get_by_text(LOST)).to_be_visible(timeout=30_000)
        expect(image_block(uploader).get_by_text(re.compile(r"^Showing Ankle boot 1"))).to_be_visible()
        wait_for_app(uploader)
        # ... and the other page is drawn again by the new server (its pictures are served again:
        # a restarted server answers 404 for a picture until a session of its own draws it), with
        # its settings from its link.
        assert served_within(settings, old_picture, seconds=30), "the page was not drawn again"
        wait_for_app(settings)
        expect(settings.get_by_text(LOST)).to_have_count(0)
        expect(settings.get_by_text("This link was made")).to_have_count(0)
        expected = core_result(sample_pixels(), "horizontal_edges")
        assert filtered_numbers(settings) == format_values(expected.mapped()).ravel().tolist()

        # The first upload after the restart is taken, and its numbers are the core's.
        upload(uploader, "after.png", after)
        expect(image_block(uploader).get_by_text("Showing after.png, 19 x 23 pixels.")).to_be_visible()
        wait_for_app(uploader)
        expect(uploader.get_by_text(LOST)).to_have_count(0)
        expected = core_result(upload_pixels(after, "after.png"))
        assert filtered_numbers(uploader) == format_values(expected.mapped()).ravel().tolist()
        screenshot_and_check(uploader, f"{request.node.name}_uploader")
        screenshot_and_check(settings, f"{request.node.name}_settings")


def test_an_upload_cut_off_by_a_restart_is_asked_for_again(browser, restartable_server, request):
    big = noise_png(3, (1600, 1200))  # ~5.8 MB of noise: 6 s at the 1 MB/s the page is throttled to
    with app_session(browser, restartable_server.url) as page:
        network = page.context.new_cdp_session(page)
        network.send("Network.enable")
        network.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 1_000_000},
        )
        upload(page, "big.png", big)
        page.wait_for_timeout(1_500)
        restartable_server.restart()
        expect(page.get_by_text(LOST)).to_be_visible(timeout=30_000)
        expect(image_block(page).get_by_text(re.compile(r"^Showing Ankle boot 1"))).to_be_visible()
        network.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
        upload(page, "again.png", noise_png(4, (30, 20)))
        expect(image_block(page).get_by_text("Showing again.png, 30 x 20 pixels.")).to_be_visible()
        expect(page.get_by_text(LOST)).to_have_count(0)
        screenshot_and_check(page, request.node.name)
        assert page.foreign_requests == []


def test_an_upload_in_the_first_run_of_a_new_session_is_shown(restartable_server):
    """A page open before a restart whose first message to the new server is an upload.

    That run has no callbacks (the new session has not drawn its widgets yet), so the
    uploader's on_change cannot take the file; the page takes it in the next run instead.
    """
    data = noise_png(5, (26, 14))
    with Session(restartable_server.url) as before_restart:
        before_restart.run()
        reconnecting = Session(restartable_server.url, query_string="image=upload")
        reconnecting.connect(first_run=False)
        reconnecting.hold_widgets_of(before_restart)
        with reconnecting:
            reconnecting.upload("uploader", "first.png", data, "image/png")
            texts = reconnecting.texts()
    assert "Showing **first\\.png**, 26 x 14 pixels." in texts, texts  # the dot escaped for Markdown
    assert not [text for text in texts if "link was made" in text or LOST in text], texts
    assert reconnecting.exceptions() == []
