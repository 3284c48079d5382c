"""A class served by two app processes behind HAProxy (python -m deploy.serve), in real browsers.

Two students' pages land on different processes; each uploads its own picture, clicks and steps,
and sees only its own picture and numbers: the affinity cookie keeps every websocket message,
upload and picture of a session on the process that holds it, and the shared cookie secret
makes the XSRF cookie valid wherever the page's requests go. Every response through the
balancer carries the security headers, and the pictures of an upload are never stored by a cache.
(What happens when a process dies: tests/e2e/test_faults.py.)
"""

from __future__ import annotations

import io
import os
import shutil
from contextlib import ExitStack

import pytest
from PIL import Image
from playwright.sync_api import expect

from deploy.serve import ClassServer, free_port
from filters.numbers import format_values
from tests.e2e.helpers import (
    app_session,
    core_result,
    image_block,
    noise_png,
    screenshot_and_check,
    upload_pixels,
    wait_for_app,
)
from tests.e2e.protocol import Session

pytestmark = pytest.mark.e2e
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="module")
def class_server(tmp_path_factory):
    if shutil.which("haproxy") is None and not os.path.exists("/usr/sbin/haproxy"):
        message = "HAProxy is not installed (apt-get install haproxy)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    server = ClassServer(
        processes=2, port=free_port(), bind="127.0.0.1", log_dir=tmp_path_factory.mktemp("logs")
    )
    yield server
    server.stop()


def test_two_students_behind_the_load_balancer_each_see_their_own_picture(browser, class_server, request):
    students = {"ana.png": noise_png(1, (20, 24)), "ben.png": noise_png(2, (18, 30))}
    with ExitStack() as stack:
        pages = {name: stack.enter_context(app_session(browser, class_server.url)) for name in students}
        servers = {name: _affinity(page) for name, page in pages.items()}
        assert len(set(servers.values())) == 2, f"both pages went to one process: {servers}"
        for name, page in pages.items():
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
                files=[{"name": name, "mimeType": "image/png", "buffer": students[name]}]
            )
        for name, page in pages.items():
            width, height = Image.open(io.BytesIO(students[name])).size
            expect(
                image_block(page).get_by_text(f"Showing {name}, {width} x {height} pixels.")
            ).to_be_visible(timeout=30_000)
            wait_for_app(page)
            other = next(other for other in students if other != name)
            expect(page.get_by_text(other)).to_have_count(0)
        for name, page in pages.items():
            # Their numbers: the explorer's filtered grid is the core's result for their own picture.
            result = core_result(upload_pixels(students[name], name))
            output = page.locator(".ex-grid").nth(1).locator(".ex-cell")
            expect(output).to_have_count(result.mapped().size)
            assert output.all_inner_texts() == format_values(result.mapped()).ravel().tolist()
            page.get_by_role("radio", name="Slide the filter").click()
            wait_for_app(page)
            page.get_by_role("button", name="Next", exact=False).click()
            rows, cols = result.output_shape
            expect(page.locator(".ex-position")).to_contain_text(f"Step 2 of {rows * cols}:")
            assert _affinity(page) == servers[name], "the session moved to another process"
            screenshot_and_check(page, f"{request.node.name}_{name}")


def _affinity(page) -> str:
    """The app process HAProxy pinned this page to (its affinity cookie)."""
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    return cookies["CLASS_SERVER"]


SECURITY_HEADERS = {
    "X-Frame-Options": "SAMEORIGIN",
    "Content-Security-Policy": "frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
}


def test_every_response_through_the_balancer_has_the_security_headers_and_upload_pictures_no_cache(
    class_server,
):
    with Session(class_server.url) as student:
        student.run()
        student.upload("uploader", "mine.png", noise_png(7, (24, 18)), "image/png")
        pictures = [url for url in student.media_urls() if url.startswith("/media/")]
        assert pictures, "the page shows no picture from the media route"
        responses = {
            path: student.http.get(class_server.url + path, timeout=30)
            for path in ("/", "/layer", "/_stcore/health", "/_stcore/host-config", *pictures)
        }
    for path, response in responses.items():
        assert response.status_code == 200, path
        for header, value in SECURITY_HEADERS.items():
            assert response.headers.get(header) == value, (path, header, response.headers)
        media = path.startswith("/media/")
        assert (response.headers.get("Cache-Control") == "private, no-store") is media, (
            path,
            response.headers,
        )
    assert responses[pictures[0]].headers["Content-Type"].startswith("image/")
