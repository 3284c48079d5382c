"""Predict first in a real browser: each view asks before it tells, and tells after.

On the first page with ``?predict=1``, at the projector's and a phone's size, one session makes a
wrong and then a right prediction in each view: the sizes (the filtered width, then the pooled
width), "Inspect a pixel" (the sum, at the pinned pixel and then at another one), "Pool step by
step" (a window's max, then the next window's) and "Which filter made this?" (two rounds). Before
each reveal the answer is nowhere on the page: not in the text (what is shown, the text of every
element, the attributes a screen reader or a tooltip reads, inside shadow roots too) and not in a
picture's alt text. After it, the verdict the core's ``check`` writes is shown, so the absence
cannot pass by showing nothing. The answers and verdicts come from the core (``walk_pixel``,
``pool_steps`` through ``first_telling_window``, ``filter_question_for``, ``check``), not from the
page. A number such as 26 or 1 appears legitimately elsewhere on the page, so the checks look for the
phrases an answer would be written in ("26 x 26", "= 537", "the max is 1", a filter's name outside
the choices), each of which the page shows once the answer is revealed.

Two more tests hold what the page must not tell while it asks: the sizes in any step-by-step view,
and the pinned pixel's final value while its sum is asked (the pooled grid's block holds it too).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from filters.numbers import format_value
from filters.predict import (
    Question,
    check,
    filter_question_for,
    mystery_preset,
    pool_question,
    size_questions,
    sum_question,
)
from filters.presets import DEFAULT_PRESET, PRESETS
from filters.recipe import FilterRecipe, ImageRecipe, sample_source
from filters.samples import DEFAULT_SAMPLE
from filters.stepping import pool_text
from filters.walkthrough import (
    STEP_VIEWS,
    channel_of,
    first_telling_window,
    pooling_region,
    walk_pixel,
)
from tests.e2e.helpers import (
    app_session,
    core_result,
    inspect_pixel,
    inspector_heading,
    sample_pixels,
    screenshot_and_check,
    wait_for_app,
)

pytestmark = pytest.mark.e2e
SIZES = {"projector": (1920, 1080), "phone": (390, 844)}
COVER = "rgb(138, 138, 138)"
"""``views.results.COVER_COLOUR``: the grey over the pinned cell while its sum is being guessed."""

PAGE_WORDS_JS = """(exclude) => {
  // Everything a page says in words, shadow roots included: the text shown (innerText), the text of
  // every element (text nodes, hidden ones too, but not style sheets or scripts), the attributes a
  // screen reader or a tooltip reads, the values of inputs, and apart from them the pictures' alt texts.
  // ``exclude``: a selector whose elements are left out (the choices of "Which filter made this?").
  const skip = new Set(['STYLE', 'SCRIPT', 'NOSCRIPT']);
  const read = ['title', 'aria-label', 'aria-description', 'aria-valuetext', 'placeholder', 'value'];
  const texts = [], attributes = [], alts = [], shadowShown = [];
  const visit = (node) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) {
        texts.push(child.data);
      } else if (child.nodeType === Node.ELEMENT_NODE) {
        if (exclude && child.matches(exclude)) continue;
        for (const name of read) {
          const value = child.getAttribute(name);
          if (value) attributes.push(value);
        }
        if (child.hasAttribute('alt')) alts.push(child.getAttribute('alt'));
        if ((child.tagName === 'INPUT' || child.tagName === 'TEXTAREA') && child.value) {
          attributes.push(child.value);
        }
        if (child.shadowRoot) {
          // innerText stops at a shadow root: what a component shows inside one is added here.
          for (const inner of child.shadowRoot.children) {
            if (inner.innerText) shadowShown.push(inner.innerText);
          }
          visit(child.shadowRoot);
        }
        if (!skip.has(child.tagName)) visit(child);
      }
    }
  };
  visit(document.body);
  return {
    shown: exclude ? '' : [document.body.innerText, ...shadowShown].join('\\n'),
    text: texts.join('') + '\\n' + attributes.join('\\n'),
    alts: alts.join('\\n'),
  };
}"""


@dataclass(frozen=True)
class Words:
    """What the page says: ``shown`` (innerText), ``text`` (every element's text and attributes), ``alts``."""

    shown: str
    text: str
    alts: str


def page_words(page: Page, exclude: str | None = None) -> Words:
    words = [page.main_frame.evaluate(PAGE_WORDS_JS, exclude)]
    words += [frame.evaluate(PAGE_WORDS_JS, exclude) for frame in page.frames if frame != page.main_frame]
    return Words(*("\n".join(part[name] for part in words) for name in ("shown", "text", "alts")))


NOT_AFTER_A_NUMBER, NOT_BEFORE_A_NUMBER = r"(?<!\d)(?<!\d\.)", r"(?!\d|\.\d)"
"""Lookarounds: what they guard is a whole number, not the end of one ("1.5", "537") nor its start."""


def phrase(text: str) -> re.Pattern:
    """``text`` as a pattern that does not match inside a longer number ("= 53" is not in "= 537")."""
    before = NOT_AFTER_A_NUMBER if text[:1].isdigit() else ""
    after = NOT_BEFORE_A_NUMBER if text[-1:].isdigit() else ""
    return re.compile(before + re.escape(text) + after)


def expect_not_told(page: Page, phrases: list[str | re.Pattern], exclude: str | None = None) -> None:
    """None of ``phrases`` is anywhere on the page: not in its text, not in a picture's alt text."""
    words = page_words(page, exclude)
    for pattern in phrases:
        pattern = phrase(pattern) if isinstance(pattern, str) else pattern
        for where, said in (("shown", words.shown), ("text", words.text), ("alt", words.alts)):
            found = pattern.search(said)
            assert found is None, (
                f"{pattern.pattern!r} told before the reveal ({where}): "
                f"…{said[max(found.start() - 120, 0) : found.end() + 120]}…"
            )


def expect_told(page: Page, phrases: list[str | re.Pattern], where: str = "shown") -> None:
    """Every one of ``phrases`` is on the page now (``where``: "shown" or "alts")."""
    said = getattr(page_words(page), where)
    for pattern in phrases:
        pattern = phrase(pattern) if isinstance(pattern, str) else pattern
        assert pattern.search(said), f"{pattern.pattern!r} not {where} after the reveal: {said[:3000]}"


def expect_score(page: Page, right: int, answered: int) -> None:
    expect(page.get_by_text(re.compile(r"^Score: "))).to_have_text(f"Score: {right} of {answered} right")


def expect_covered(page: Page, covered: bool) -> None:
    """Whether the filtered grid's pinned cell is under the grey cover (``views.results.outline_css``)."""
    page.wait_for_function(
        """([colour, covered]) => {
          const grid = document.querySelector('.st-key-results_outlined_filtered');
          return grid !== null && (getComputedStyle(grid, '::after').backgroundColor === colour) === covered;
        }""",
        arg=[COVER, covered],
        timeout=10_000,
    )


def guess_box(page: Page, key: str):
    """The "Your guess" box of the question at place ``key`` ("size", "pixel", "pool")."""
    box = page.locator(f'[class*="st-key-guess_{key}_"] input')
    expect(box).to_have_count(1)
    return box


def guess(page: Page, key: str, text: str, by: str = "enter") -> None:
    """Type ``text`` as the guess at place ``key`` and reveal, by Enter or by the "Reveal" button."""
    box = guess_box(page, key)
    box.fill(text)
    if by == "enter":
        box.press("Enter")
    else:
        page.locator(f".st-key-FormSubmitter-guess_form_{key}-Reveal button").click()
    wait_for_app(page)


def choose(page: Page, label: str) -> None:
    """Pick ``label`` among the four filters of "Which filter made this?" and press "Reveal"."""
    choices = page.locator('[class*="st-key-guess_which_"]')
    choices.get_by_text(label, exact=True).click()
    page.locator(".st-key-FormSubmitter-guess_form_which-Reveal button").click()
    wait_for_app(page)


def expect_verdict(page: Page, question: Question, answer: str, right: bool) -> None:
    """The reveal of ``answer`` to ``question`` (``right`` or not, by the core's ``check``) shows the
    core's headline and, when wrong, what the guess probably mixed up."""
    result = check(question, answer)
    assert result.right == right, (answer, result.headline)
    expect(page.get_by_text(result.headline, exact=False).first).to_be_visible()
    if not result.right:
        assert result.explanation and result.explanation != result.working
        expect(page.get_by_text(result.explanation, exact=False).first).to_be_visible()


def size_phrases(width: int) -> list[re.Pattern]:
    """How the page would write a width of the filtered or pooled image: "26 x 26", "is 26", "→ 26"."""
    number = f"{NOT_AFTER_A_NUMBER}{width}{NOT_BEFORE_A_NUMBER}"
    return [re.compile(rf"{number} x \d|\d x {number}|(=|is|→|becomes?) \**{number}")]


def sum_phrases(walk) -> list[str | re.Pattern]:
    """How the page would write a pixel's sum or its final value: the sum written out, "= 537", "the sum
    is 537", the inspector's heading "= 255 (pinned)"."""
    answer = format_value(walk.raw_value)
    return [
        walk.sum_line,
        re.compile(rf"(=|is) \**{re.escape(answer)}{NOT_BEFORE_A_NUMBER}"),
        f"= {walk.final_text} (pinned)",
    ]


def which_recipe(round_number: int) -> FilterRecipe:
    """The recipe "Which filter made this?" hides in round ``round_number`` on the first view."""
    preset = PRESETS[DEFAULT_PRESET]
    shown = FilterRecipe(
        ImageRecipe(sample_source(DEFAULT_SAMPLE), 512, False),
        FilterRecipe.kernel_key(preset.values),
        preset.weight,
        "valid",
        "clip",
        "max",
    )
    hidden = PRESETS[mystery_preset(round_number, shown.image.source, DEFAULT_PRESET)]
    return dataclasses.replace(shown, kernel=FilterRecipe.kernel_key(hidden.values), weight=hidden.weight)


@pytest.mark.parametrize("size", list(SIZES))
def test_each_view_asks_before_it_tells_a_wrong_and_a_right_prediction(browser, app_server, size, request):
    width, height = SIZES[size]
    result = core_result(sample_pixels())  # the first view: the default sample and preset
    pinned = result.strongest
    with app_session(
        browser, app_server.url, "/?predict=1", viewport={"width": width, "height": height}
    ) as page:
        expect(page.get_by_text(re.compile(r"^Score: "))).to_have_text("Score: No answers yet")

        # ---- 1. The sizes: the filtered width (wrong), then the pooled width (right) ----
        filtered_q, pooled_q = size_questions(result.image.shape, result.padding)
        filtered_w, pooled_w = result.output_shape[1], result.pooled.shape[1]
        expect(page.get_by_text(filtered_q.prompt, exact=False)).to_be_visible()
        expect(page.get_by_text(re.compile(r"^Filtered \(.*\) · \? x \?"))).to_be_visible()
        expect_not_told(page, size_phrases(filtered_w) + size_phrases(pooled_w))
        wrong = str(result.image.shape[1])  # the size kept: 'valid' padding loses the border
        guess(page, "size", wrong)
        expect_verdict(page, filtered_q, wrong, right=False)
        expect_score(page, 0, 1)
        expect_told(page, size_phrases(filtered_w))
        expect(page.get_by_text(pooled_q.prompt, exact=False)).to_be_visible()
        expect_not_told(page, size_phrases(pooled_w))
        guess(page, "size", str(pooled_w), by="button")
        expect_verdict(page, pooled_q, str(pooled_w), right=True)
        expect_score(page, 1, 2)
        story = f"{result.image.shape[1]} x {result.image.shape[0]} → {filtered_w} x {filtered_w} → "
        expect_told(page, [f"{story}{pooled_w} x {pooled_w}", *size_phrases(pooled_w)])
        expect_told(
            page, [f"Filtered image, {filtered_w} x {filtered_w}", f", {pooled_w} x {pooled_w}"], "alts"
        )

        # ---- 2. Inspect a pixel: the pinned pixel's sum (wrong), another pixel's (right) ----
        first = walk_pixel(result, *pinned)
        expect(inspector_heading(page)).to_have_text(
            f"Output pixel (row {pinned[0]}, column {pinned[1]}) = ?"
        )
        expect_covered(page, True)
        covered = f"Pinned pixel: row {pinned[0]}, column {pinned[1]} = covered until you guess it"
        expect_told(page, [covered], "alts")
        expect_not_told(page, sum_phrases(first))
        guess_box(page, "pixel").scroll_into_view_if_needed()
        screenshot_and_check(page, f"{request.node.name}_pixel_asked")
        wrong = format_value(first.raw_value - 2 * first.explanation.products.ravel()[8])  # a sign flipped
        guess(page, "pixel", wrong)
        expect_verdict(page, sum_question(first), wrong, right=False)
        expect_told(page, sum_phrases(first))
        expect_covered(page, False)
        expect_score(page, 1, 3)
        if size == "phone":  # the boxes (below the pictures on a phone)
            moved = (pinned[0] + 1, pinned[1])
            inspect_pixel(page, *moved)
        else:  # the arrow button
            moved = (pinned[0], pinned[1] + 1)
            page.locator(".st-key-move_right").get_by_role("button", name="→", exact=True).click()
            wait_for_app(page)
        second = walk_pixel(result, *moved)
        expect(inspector_heading(page)).to_have_text(f"Output pixel (row {moved[0]}, column {moved[1]}) = ?")
        expect_covered(page, True)
        expect_not_told(page, sum_phrases(second))
        right = format_value(second.raw_value)
        guess(page, "pixel", right, by="button")
        expect_verdict(page, sum_question(second), right, right=True)
        expect_told(page, sum_phrases(second))
        expect_covered(page, False)
        expect_score(page, 2, 4)
        page.get_by_text(check(sum_question(second), right).headline).scroll_into_view_if_needed()
        screenshot_and_check(page, f"{request.node.name}_pixel_revealed")

        # ---- 3. Pool step by step: the first telling window (wrong), the next one (right) ----
        page.locator(".st-key-step_view").get_by_text("Pool step by step", exact=True).click()
        wait_for_app(page)
        region = pooling_region(result, moved)
        values = channel_of(result.mapped(region.slices()), 0)
        windows = (region.rows // 2) * (region.cols // 2)
        index, step = first_telling_window(values, "max", 0)
        question = pool_question(step, "max")
        expect(page.get_by_text(re.compile(rf"^Window {index + 1} of {windows} \("))).to_be_visible()
        told = [pool_text(step, "max"), f"the max is {format_value(step.value)}"]
        expect_not_told(page, told)
        guess_box(page, "pool").scroll_into_view_if_needed()
        screenshot_and_check(page, f"{request.node.name}_pool_asked")
        wrong = format_value(step.window.min())  # the smallest of the four
        guess(page, "pool", wrong)
        expect_verdict(page, question, wrong, right=False)
        expect_told(page, told)
        expect_score(page, 2, 5)
        page.get_by_role("button", name="Next window: guess first").click()
        wait_for_app(page)
        index, step = first_telling_window(values, "max", index + 1)
        question = pool_question(step, "max")
        expect(page.get_by_text(re.compile(rf"^Window {index + 1} of {windows} \("))).to_be_visible()
        told = [pool_text(step, "max"), f"the max is {format_value(step.value)}"]
        expect_not_told(page, told)
        guess(page, "pool", format_value(step.value), by="button")
        expect_verdict(page, question, format_value(step.value), right=True)
        expect_told(page, told)
        expect_score(page, 3, 6)

        # ---- 4. Which filter made this? round 1 (wrong), round 2 (right) ----
        choices = '[class*="st-key-guess_which_"]'
        for round_number, right_choice in ((0, False), (1, True)):
            question = filter_question_for(which_recipe(round_number), round_number)
            name, description = question.answer_text, PRESETS[question.answer].description
            expect(page.locator(choices).get_by_text(name, exact=True)).to_be_visible()
            # The name is written once, as one of the four choices; nowhere else, and no verdict.
            expect_not_told(page, [name, f"{name} made this", description], exclude=choices)
            words = page_words(page)
            assert words.shown.count(name) == 1, name
            # Wrong: the most instructive other choice (vertical for horizontal edges); then right.
            pick = question.answer if right_choice else question.mistakes[0].value
            choose(page, next(choice.label for choice in question.choices if choice.key == pick))
            expect_verdict(page, question, pick, right=right_choice)
            expect_told(page, [f"{name} made this picture", description])
            expect_score(page, 3 + round_number, 7 + round_number)
            if round_number == 0:
                page.get_by_role("button", name="Another picture").scroll_into_view_if_needed()
                screenshot_and_check(page, f"{request.node.name}_which_revealed")
                page.get_by_role("button", name="Another picture").click()
                wait_for_app(page)
        assert page.foreign_requests == []


@pytest.mark.parametrize(
    ("view", "name"),
    [
        ("inspect", STEP_VIEWS[0]),
        ("slide", STEP_VIEWS[1]),
        ("pool", STEP_VIEWS[2]),
        ("edges", STEP_VIEWS[3]),
    ],
)
def test_no_step_by_step_view_tells_the_sizes_while_they_are_asked(browser, app_server, view, name):
    result = core_result(sample_pixels())
    filtered_w, pooled_w = result.output_shape[1], result.pooled.shape[1]
    # The count of pixels or windows tells a square image's size too ("Step 1 of 676", "169 pixels").
    counts = [re.compile(f"{NOT_AFTER_A_NUMBER}({filtered_w**2}|{pooled_w**2}){NOT_BEFORE_A_NUMBER}")]
    with app_session(
        browser, app_server.url, f"/?predict=1&view={view}", viewport={"width": 1920, "height": 1080}
    ) as page:
        expect(page.get_by_role("radio", name=name, exact=True, checked=True)).to_be_visible()
        expect(page.get_by_text(size_questions(result.image.shape, result.padding)[0].prompt)).to_be_visible()
        expect_not_told(page, size_phrases(filtered_w) + size_phrases(pooled_w) + counts)


def test_the_pinned_pixels_final_value_is_not_told_before_its_sum_is_guessed(browser, app_server):
    result = core_result(sample_pixels())
    walk = walk_pixel(result, *result.strongest)
    with app_session(
        browser, app_server.url, "/?predict=1", viewport={"width": 1920, "height": 1080}
    ) as page:
        expect(inspector_heading(page)).to_have_text(re.compile(r"= \?$"))
        expect_covered(page, True)
        pooled = page.get_by_role("img", name=re.compile(r"^Max pooled 2 x 2")).get_attribute("alt")
        assert f"= {walk.final_text}." not in pooled, pooled
