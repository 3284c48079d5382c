"""A class in real browsers: one projector page and five phones, through ``python -m deploy.serve``
(HAProxy, two app processes, Redis). The teacher asks the pixel's sum, the phones answer, the
projector reveals; after "Ask again" the phones answer once more and both rounds' histograms equal
the answers sent. The protocol-level class of 30 and the forged answers are
``tests/e2e/test_class_question.py``.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from playwright.sync_api import expect

from filters.numbers import format_value
from filters.predict import sum_question
from filters.walkthrough import walk_pixel
from tests.e2e.helpers import screenshot_and_check, wait_for_app
from tests.e2e.test_class_question import ADDRESS, served  # noqa: F401  (the served class, a fixture)
from tests.e2e.test_predict_first import core_result
from tests.pixels import sample_pixels

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}
FIRST_ROUND = ["537", "537", "255", "-537", "537"]
SECOND_ROUND = ["537", "537", "537", "255", "537"]


def histogram(page, round_number: int) -> Counter:
    """The projector's histogram of a round: its bars' labels and counts, as written on the page."""
    bars = page.locator(f".histogram[data-round='{round_number}'] .bar")
    return Counter(
        {bar.get_attribute("data-label"): int(bar.get_attribute("data-count")) for bar in bars.all()}
    )


def answer(phone, text: str) -> None:
    box = phone.get_by_role("textbox", name="Your answer")
    box.fill(text)
    box.press("Enter")
    expect(phone.get_by_text(f"Your answer {text} is in.")).to_be_visible(timeout=15_000)


def test_a_class_asks_answers_reveals_and_asks_again(browser, served, request):  # noqa: F811
    result = core_result(sample_pixels())
    question = sum_question(walk_pixel(result, *result.strongest))
    assert question.answer_text == "537"  # the answers below are written for it
    projector = browser.new_page(viewport={"width": 1920, "height": 1080})
    projector.goto(f"{served.url}/?predict=1&projector=1")
    wait_for_app(projector)
    projector.get_by_role("button", name="Ask the class").first.click()
    expect(projector.get_by_role("heading", name=re.compile(r"^Room "))).to_be_visible(timeout=20_000)
    address = projector.get_by_role("textbox", name="Address students open")
    address.fill(ADDRESS)
    address.press("Enter")
    link = projector.locator("code").filter(has_text="/class?room=")
    expect(link).to_be_visible(timeout=20_000)
    code = link.inner_text().split("room=")[1].strip()
    expect(projector.get_by_role("img", name=re.compile("QR code of the room's link"))).to_be_visible()

    phones = [browser.new_page(viewport=PHONE) for _ in FIRST_ROUND]
    for phone in phones:  # the link's address is the one students reach; here the balancer's
        phone.goto(f"{served.url}/class?room={code}")
        expect(phone.get_by_text(question.prompt)).to_be_visible(timeout=20_000)
        assert "537" not in phone.locator("body").inner_text()  # the answer is not on a phone
    for phone, text in zip(phones, FIRST_ROUND, strict=True):
        answer(phone, text)
    expect(projector.get_by_text(f"Round 1: {len(FIRST_ROUND)} answered")).to_be_visible(timeout=5_000)
    assert "537" not in phones[0].locator("body").inner_text().replace("Your answer 537 is in.", "")
    projector.get_by_role("button", name="Reveal", exact=True).first.click()
    expect(projector.get_by_text(re.compile(r"Round 1: \d+ answered, revealed"))).to_be_visible(
        timeout=10_000
    )
    sent = Counter(format_value(float(text)) for text in FIRST_ROUND)
    assert histogram(projector, 1) == sent
    for phone in phones:  # each phone learns of the reveal by itself
        expect(phone.get_by_text(f"The answer: {question.answer_text}.", exact=False)).to_be_visible(
            timeout=10_000
        )

    projector.get_by_role("button", name="Ask again").click()
    expect(projector.get_by_text("Round 2: 0 answered")).to_be_visible(timeout=10_000)
    for phone, text in zip(phones, SECOND_ROUND, strict=True):
        expect(phone.get_by_role("textbox", name="Your answer")).to_be_visible(timeout=10_000)
        answer(phone, text)
    expect(projector.get_by_text(f"Round 2: {len(SECOND_ROUND)} answered")).to_be_visible(timeout=5_000)
    projector.get_by_role("button", name="Reveal", exact=True).first.click()
    expect(projector.locator(".histogram[data-round='2']")).to_be_visible(timeout=10_000)
    assert histogram(projector, 1) == sent  # both rounds side by side
    assert histogram(projector, 2) == Counter(format_value(float(text)) for text in SECOND_ROUND)
    projector.locator(".st-key-class_room").scroll_into_view_if_needed()
    screenshot_and_check(projector, f"{request.node.name}_projector")
    screenshot_and_check(phones[0], f"{request.node.name}_phone")
    projector.get_by_role("button", name="Close the room").click()
    for page in (projector, *phones):
        page.close()
