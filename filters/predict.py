"""Predict first: questions asked before a reveal, and what a guess tells about the learner's mix-up.

Every question is a frozen `Question`: ``prompt`` and ``details`` are what may be shown before the
reveal, ``answer`` and ``working`` are for after it. The prompt and the details hold no number but
the question's inputs (the window, the filter, the weight, a width, a setting) and the rule's own
constants (the 0 and 255 of clipping, the 3 of a 3 x 3 filter). So they never show the answer,
except where the answer is one of those numbers: the value max pooling keeps is one of the four in
its window, a width kept by 'same' padding is the input's own, a clipped value is the rule's 0 or
255, and a sum can happen to equal a pixel under the filter.

A question also carries its likely mistakes (`Mistake`: the number a mix-up gives, and what it
means), worked out when the question is made, so that `check` needs nothing but the question and
the guess: the same check serves one learner on a page and a whole class in a room
(`filters.rooms`).

- `sum_question`, `value_question`: Inspect a pixel (the weighted sum; the value after the mapping);
- `pool_question`: Pool step by step (one window's max or average);
- `size_questions`, `layer_size_questions`: the size story of the first and the second page;
- `filter_question`, `filter_question_for`: "Which filter made this?" with four presets to choose from,
  and `mystery_preset`: the preset a round hides;
- `read_guess`, `check`: a guess read or refused; right or wrong, how far off, and the probable
  mix-up in our own words;
- `Score`: the running score ("4 of 5 right") a page keeps in its session.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import math
import random
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from filters.convolution import Padding, output_shape
from filters.describe import rows_words
from filters.kernel import COLUMN_NAMES, ROW_NAMES, KernelError, format_weight, parse_number
from filters.layer import ConvSettings, PoolSettings, conv_output_size, size_formula
from filters.mapping import MappingKey
from filters.numbers import format_value
from filters.pooling import PoolKind, PoolStep, pooled_shape
from filters.presets import PRESETS
from filters.recipe import FilterRecipe
from filters.stepping import pool_text
from filters.walkthrough import PixelWalkthrough

QuestionKind = Literal["pixel_count", "pixel_sum", "pooled", "size", "which_filter"]
TOLERANCE = 0.005
"""A guess within half a hundredth counts as right: the app writes at most two decimals."""
MAX_GUESS_CHARS = 40
"""Longer texts are refused before they are read: no number a learner types is that long."""


class GuessError(ValueError):
    """A guess that cannot be read as an answer to the question; ``str()`` is the message to show."""


@dataclass(frozen=True)
class Choice:
    """One of the four filters of "Which filter made this?": its preset key and the name shown."""

    key: str
    label: str


@dataclass(frozen=True)
class Mistake:
    """A likely mix-up: the answer it gives (a number, or a choice's key) and what it means."""

    value: float | str
    key: str
    explanation: str


@dataclass(frozen=True)
class Question:
    """A question to answer before the reveal.

    Attributes
    ----------
    kind : str
        "pixel_count", "pixel_sum", "pooled", "size" or "which_filter".
    prompt : str
        The question, safe to show before the reveal (see the module's docstring).
    details : tuple of str
        What the learner needs besides the picture, e.g. the window and the filter row by row
        (a student's phone shows them); safe before the reveal as well.
    noun : str
        What is asked for, for the reveal's sentence ("the sum", "the width of the filtered image").
    answer : float or str
        The true answer (a number, or the right choice's key). Never shown before the reveal.
    answer_text : str
        The answer as the page writes it (``format_value``, or the filter's name).
    working : str
        The arithmetic or the reason behind the answer, shown with the reveal.
    hint : str
        What to say about a wrong guess that matches no known mix-up.
    accepted : tuple of float
        The range a guess must lie in to be taken at all (it holds every listed mistake);
        outside it a guess is refused with a message. Unbounded for a choice.
    possible : tuple of float or None
        The range the answer can have by the rule (0..255 after clipping), with ``possible_note``
        saying why; a guess outside it is wrong for that reason.
    whole : bool
        The answer is a whole number (a size); fractions are refused.
    choices : tuple of Choice
        The four filters to choose from ("which_filter" only), in the order to show them.
    mistakes : tuple of Mistake
        Likely mix-ups, most plausible first; each value is different from the answer and from
        every earlier mistake's value.
    context : str
        What tells this question from another that reads the same: the pixel or the window it is
        about, or a digest of the picture ("which_filter"). Part of `key`; never shown.
    """

    kind: QuestionKind
    prompt: str
    details: tuple[str, ...]
    noun: str
    answer: float | str
    answer_text: str
    working: str
    hint: str
    accepted: tuple[float, float] = (-math.inf, math.inf)
    possible: tuple[float, float] | None = None
    possible_note: str = ""
    whole: bool = False
    choices: tuple[Choice, ...] = ()
    mistakes: tuple[Mistake, ...] = field(default=(), repr=False)
    context: str = ""

    @property
    def key(self) -> str:
        """A short name for the question (pages keep a guess under it), from all but the answer.

        The answer is left out on purpose: a key that hashed the answer could be shown on a page
        and searched for the answer by trying values. The context is in: two windows of zeros at
        different places are two questions, each asked in turn.
        """
        public = [self.kind, self.prompt, self.details, [c.key for c in self.choices], self.context]
        return hashlib.sha256(json.dumps(public).encode()).hexdigest()[:16]

    def to_json(self) -> str:
        """The question as JSON (a room stores it; `from_json` reads it back). An unbounded end of
        ``accepted`` is written as null: JSON has no infinity."""
        data = {
            "kind": self.kind,
            "prompt": self.prompt,
            "details": list(self.details),
            "noun": self.noun,
            "answer": self.answer,
            "answer_text": self.answer_text,
            "working": self.working,
            "hint": self.hint,
            "accepted": [end if math.isfinite(end) else None for end in self.accepted],
            "possible": None if self.possible is None else list(self.possible),
            "possible_note": self.possible_note,
            "whole": self.whole,
            "choices": [[choice.key, choice.label] for choice in self.choices],
            "mistakes": [[m.value, m.key, m.explanation] for m in self.mistakes],
            "context": self.context,
        }
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)

    @staticmethod
    def from_json(text: str) -> Question:
        """Read back what `to_json` wrote."""
        data = json.loads(text)
        low, high = data["accepted"]
        possible = data["possible"]
        return Question(
            kind=data["kind"],
            prompt=data["prompt"],
            details=tuple(data["details"]),
            noun=data["noun"],
            answer=data["answer"],
            answer_text=data["answer_text"],
            working=data["working"],
            hint=data["hint"],
            accepted=(-math.inf if low is None else float(low), math.inf if high is None else float(high)),
            possible=None if possible is None else (float(possible[0]), float(possible[1])),
            possible_note=data["possible_note"],
            whole=data["whole"],
            choices=tuple(Choice(key, label) for key, label in data["choices"]),
            mistakes=tuple(Mistake(value, key, text) for value, key, text in data["mistakes"]),
            context=data["context"],
        )


@dataclass(frozen=True)
class Check:
    """How a guess compares with the answer.

    Attributes
    ----------
    right : bool
    guess_text, answer_text : str
        Both written as the page writes numbers (or the filters' names).
    off_by : float or None
        ``guess - answer`` for numbers (0 when right); None for a choice.
    headline : str
        One sentence: "Right: the sum is 1009." or "Not quite: the sum is 1009; your 1521 is 512 too high."
    explanation : str
        For a wrong guess, what the learner probably mixed up (or a hint); for a right one, why.
    working : str
        The arithmetic behind the answer.
    mixup : str
        The key of the recognised mix-up ("sign", "centre_left_out", ..., "impossible" for a guess
        no input could give), or "" when none was told.
    """

    right: bool
    guess_text: str
    answer_text: str
    off_by: float | None
    headline: str
    explanation: str
    working: str
    mixup: str = ""

    @property
    def off_text(self) -> str:
        """How far off, in words: "512 too high", "3 too low", "" when right or a choice."""
        if self.right or self.off_by is None:
            return ""
        return f"{format_value(abs(self.off_by))} {'too high' if self.off_by > 0 else 'too low'}"


# ---- Reading and checking a guess -------------------------------------------------------------------


def _range_text(low: float, high: float) -> str:
    return f"between {format_value(low)} and {format_value(high)}"


def read_guess(question: Question, guess: object) -> float | str:
    """The guess as an answer to ``question``: a number, or a choice's key.

    Accepts what a page's widget gives (a number, a typed text such as ``-0.5``, ``1/4`` or ``1,5``,
    None) and whatever a forged client may send. Numbers are read by the filter editor's own
    parser (`filters.kernel.parse_number`).

    Raises
    ------
    GuessError
        For anything that is not an answer: empty, not a number, NaN or infinite, longer than
        ``MAX_GUESS_CHARS``, a fraction where a whole number is asked, outside
        ``question.accepted``, or not one of the choices.
    """
    if question.choices:
        if isinstance(guess, str) and guess.strip() in {choice.key for choice in question.choices}:
            return guess.strip()
        raise GuessError(f"Choose one of the {len(question.choices)} filters shown.")
    if isinstance(guess, str):
        guess = guess.strip()
        if len(guess) > MAX_GUESS_CHARS:
            raise GuessError(f"The guess is {len(guess):,} characters long: type one number.")
    elif guess is not None and not isinstance(guess, int | float | np.integer | np.floating):
        raise GuessError("The guess must be one number, such as 12, -0.5 or 1/4.")
    if isinstance(guess, float | np.floating) and not math.isfinite(guess):
        raise GuessError(f"The guess must be a finite number, not {float(guess)}.")
    try:
        value = parse_number(guess, "guess")
    except KernelError as error:
        raise GuessError(str(error)) from None
    if question.whole and not value.is_integer():
        raise GuessError(f"{question.noun.capitalize()} is a whole number; {format_value(value)} is not.")
    low, high = question.accepted
    if not low <= value <= high:
        raise GuessError(
            f"Answers to this question lie {_range_text(low, high)}; {format_value(value)} does not."
        )
    return value


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE + 1e-9 * max(1.0, abs(b))


def check(question: Question, guess: object) -> Check:
    """Compare ``guess`` with the answer and say what a wrong guess probably mixed up.

    Raises
    ------
    GuessError
        When the guess is not an answer at all (see `read_guess`).
    """
    value = read_guess(question, guess)
    if question.choices:
        return _check_choice(question, str(value))
    answer = float(question.answer)
    right = _same(value, answer)
    result = Check(
        right=right,
        guess_text=format_value(value),
        answer_text=question.answer_text,
        off_by=0.0 if right else value - answer,
        headline="",
        explanation=question.working,
        working=question.working,
    )
    if right:
        return replace(result, headline=f"Right: {question.noun} is {question.answer_text}.")
    headline = (
        f"Not quite: {question.noun} is {question.answer_text}; "
        f"your {result.guess_text} is {result.off_text}."
    )
    mistake = next((m for m in question.mistakes if _same(value, float(m.value))), None)
    if mistake is not None:
        return replace(result, headline=headline, explanation=mistake.explanation, mixup=mistake.key)
    if question.possible is not None:
        low, high = question.possible
        if not low - TOLERANCE <= value <= high + TOLERANCE:
            return replace(result, headline=headline, explanation=question.possible_note, mixup="impossible")
    return replace(result, headline=headline, explanation=question.hint)


def _check_choice(question: Question, key: str) -> Check:
    right = key == question.answer
    label = {choice.key: choice.label for choice in question.choices}[key]
    mistake = next((m for m in question.mistakes if m.value == key), None)
    if right:
        headline, explanation = f"Right: {question.answer_text} made this picture.", question.working
    else:
        headline = f"Not quite: {question.answer_text} made this picture, not {label}."
        explanation = question.hint if mistake is None else mistake.explanation
    return Check(
        right=right,
        guess_text=label,
        answer_text=question.answer_text,
        off_by=None,
        headline=headline,
        explanation=explanation,
        working=question.working,
        mixup="" if right or mistake is None else mistake.key,
    )


Slip = tuple[float, str, str]
"""A mistake being listed: the answer it gives, its key, and what it means."""


def _distinct(slips: list[Slip], answer: float, accepted: tuple[float, float]) -> tuple[Mistake, ...]:
    """The mistakes worth telling: a guess ``accepted`` could give, not the answer, and the first of
    each value (the most plausible reading of a guess is the one listed first)."""
    kept: list[Mistake] = []
    taken = [float(answer)]  # sorted: a value is taken when its nearest neighbour here is the same
    for value, key, text in slips:
        value = float(value)
        at = bisect.bisect(taken, value)
        if not accepted[0] <= value <= accepted[1] or any(
            _same(value, v) for v in taken[max(at - 1, 0) : at + 1]
        ):
            continue
        bisect.insort(taken, value)
        kept.append(Mistake(value, key, text))
    return tuple(kept)


def _within(*ends: float) -> tuple[float, float]:
    """The guesses a question accepts: from -r to r, r the largest size among ``ends`` and 255.

    Made from what the learner sees (the filter, the weight, the window), never from the answer or
    the mistakes: the range is written in a refusal and sent to students' phones before the reveal.
    """
    reach = max(255.0, *(abs(float(end)) for end in ends))
    return -reach, reach


def _rounding_slips(answer: float, noun: str) -> list[Slip]:
    """A fractional answer rounded to a whole number or to one decimal, or cut off."""
    if float(answer).is_integer():
        return []
    text = f"Close: that is {noun} rounded; the page writes it with two decimals, {format_value(answer)}."
    return [
        (math.floor(answer + 0.5), "rounded", text),
        (math.floor(answer * 10 + 0.5) / 10, "rounded", text),
        (math.trunc(answer), "rounded", text),
    ]


# ---- Inspect a pixel: the sum and the final value ---------------------------------------------------


def _where(index: int) -> str:
    return f"{ROW_NAMES[index // 3]} row, {COLUMN_NAMES[index % 3]} column"


def _pixel_details(walk: PixelWalkthrough) -> tuple[str, ...]:
    explanation = walk.explanation
    details = [
        f"Pixels under the filter: {rows_words(explanation.window)}",
        f"Filter: {rows_words(explanation.kernel)}",
    ]
    if explanation.padded.any():
        details[0] += " (0 where the filter hangs over the edge)"
    if explanation.weight != 1:
        details.append(f"Weight: {format_weight(explanation.weight)}")
    return tuple(details)


def _possible_sums(walk: PixelWalkthrough) -> tuple[float, float]:
    """The smallest and largest sum that pixels from 0 to 255 can give with this filter and weight."""
    kernel, weight = walk.explanation.kernel, walk.explanation.weight
    ends = (255 * weight * float(kernel[kernel < 0].sum()), 255 * weight * float(kernel[kernel > 0].sum()))
    return min(ends) + 0.0, max(ends) + 0.0


def _accepted_sums(walk: PixelWalkthrough) -> tuple[float, float]:
    """Twice the possible sums, and wide enough for the products added before the weight and for
    the nine pixels added unmultiplied: every slip `_sum_slips` lists lies inside."""
    kernel, weight = walk.explanation.kernel, walk.explanation.weight
    low, high = _possible_sums(walk)
    return _within(2 * low, 2 * high, 255 * float(np.abs(kernel).sum()), 9 * 255 * weight)


def _sum_slips(walk: PixelWalkthrough) -> list[Slip]:
    """The sums that common slips give, most plausible first (the weight applied as it should be)."""
    explanation = walk.explanation
    weight = explanation.weight
    window, kernel = explanation.window.ravel(), explanation.kernel.ravel()
    products = explanation.products.ravel()
    total = float(products.sum())
    terms = [index for index in range(9) if products[index] != 0]
    product_texts = [
        f"{format_value(window[i])} × {format_value(kernel[i])} = {format_value(products[i])}"
        for i in range(9)
    ]

    slips: list[Slip] = []
    if walk.output_value != walk.raw_value:
        text = f"That is the final value, after the mapping ({walk.mapping_line}); asked is the sum."
        slips.append((walk.output_value, "final_value", text))
    if weight != 1:
        text = (
            f"That is the sum of the nine products before the weight: "
            f"{format_value(total)} × {format_weight(weight)} = {format_value(walk.raw_value)}."
        )
        slips.append((total, "weight_forgotten", text))
    slips += _rounding_slips(walk.raw_value, "the sum")
    for index in terms:
        product = float(products[index])
        text = (
            f"A sign flipped: {product_texts[index]} ({_where(index)}), counted as {format_value(-product)}."
        )
        slips.append((weight * (total - 2 * product), "sign", text))
    centre = float(products[4])
    if centre:
        text = (
            "The centre term was left out: the pixel under the filter's centre counts too, "
            f"{product_texts[4]}."
        )
        slips.append((weight * (total - centre), "centre_left_out", text))
        text = f"The centre term was counted twice: {product_texts[4]} belongs in the sum once."
        slips.append((weight * (total + centre), "centre_twice", text))
    for index in terms:
        if index != 4:
            product, where = float(products[index]), f"{product_texts[index]} ({_where(index)})"
            slips.append((weight * (total - product), "one_left_out", f"One product is missing: {where}."))
            slips.append((weight * (total + product), "one_twice", f"One product was added twice: {where}."))
    if (products < 0).any():
        text = "Every product was added as if positive: the filter's negative values subtract their pixels."
        slips.append((weight * float(np.abs(products).sum()), "signs_ignored", text))
    for first, second in itertools.combinations(terms, 2):
        text = f"Two signs flipped: {product_texts[first]} and {product_texts[second]}."
        slips.append((weight * (total - 2 * float(products[first] + products[second])), "signs", text))
    turned = float((explanation.window * explanation.kernel[::-1, ::-1]).sum())
    text = (
        "That is the sum with the filter turned by 180 degrees (the textbook convolution, which "
        "scipy.signal.convolve2d computes); a CNN, and this app, lays the filter on the pixels as it is."
    )
    slips.append((weight * turned, "filter_turned", text))
    text = "That adds the nine pixels without multiplying each by the filter value on top of it."
    slips.append((weight * float(window.sum()), "not_multiplied", text))
    if centre:
        text = f"That is the centre product alone, {product_texts[4]}; the sum adds all nine."
        slips.append((weight * centre, "centre_only", text))
    text = "That is the pixel's own value, before the filter: the sum mixes in its eight neighbours."
    slips.append((float(window[4]), "pixel_itself", text))
    return slips


def _pixel_context(walk: PixelWalkthrough) -> str:
    return f"output pixel {walk.row},{walk.col}"


def sum_question(walk: PixelWalkthrough) -> Question:
    """Guess the weighted sum of one output pixel: ``walk.raw_value``, the sum the inspector writes."""
    weight = walk.explanation.weight
    possible, accepted = _possible_sums(walk), _accepted_sums(walk)
    then = f", then multiply by the weight {format_weight(weight)}" if weight != 1 else ""
    return Question(
        kind="pixel_sum",
        prompt=(
            "What is the sum at this pixel? Multiply each of the nine pixels by the filter value "
            f"on top of it and add the nine products{then}."
        ),
        details=_pixel_details(walk),
        noun="the sum",
        answer=walk.raw_value,
        answer_text=format_value(walk.raw_value),
        working=walk.sum_line + ("" if weight == 1 else f"; {walk.weight_line}"),
        hint="Multiply each pixel by the filter value in the same place, keep the signs, and add all nine.",
        accepted=accepted,
        possible=possible,
        possible_note=(
            f"No sum can be that: with this filter, pixels from 0 to 255 give sums {_range_text(*possible)}."
        ),
        mistakes=_distinct(_sum_slips(walk), walk.raw_value, accepted),
        context=_pixel_context(walk),
    )


def _max_slips(values: np.ndarray) -> list[Slip]:
    largest = "max pooling keeps the largest"
    slips: list[Slip] = [
        (float(values.mean()), "averaged", f"That is the average of the four; {largest}."),
        (float(values.min()), "smallest", f"That is the smallest of the four; {largest}."),
        (float(values.sum()), "added", f"That adds the four values; {largest} one."),
    ]
    slips += [
        (value, "not_largest", f"{format_value(value)} is in the window, but not the largest.")
        for value in values
    ]
    if values.min() < 0:
        text = (
            "That is the largest size, ignoring the sign; max pooling compares values with their signs, "
            "so a negative value is smaller than every positive one."
        )
        slips.append((float(np.abs(values).max()), "magnitude", text))
    return slips


def _average_slips(values: np.ndarray) -> list[Slip]:
    total = float(values.sum())
    slips: list[Slip] = [
        (total, "not_divided", "That is the sum of the four; the average divides it by 4."),
        *_rounding_slips(total / 4, "the average"),
        (float(values.max()), "largest", "That is the largest of the four: max pooling; average them."),
        (total / 2, "divided_by_2", "That divides by 2; the window holds 4 values."),
    ]
    for value in values:
        slips.append(((total - value) / 4, "one_left_out", f"{format_value(value)} was left out of the sum."))
        slips.append(
            ((total - value) / 3, "three_averaged", f"That averages three; {format_value(value)} counts too.")
        )
    return slips


def pool_question(step: PoolStep, kind: PoolKind) -> Question:
    """Guess the value 2x2 ``kind`` pooling keeps from one window (``step.value``, as the stepper
    writes it). For max pooling the answer is one of the four values shown: that is the question."""
    values = step.window.ravel().astype(np.float64)
    low, high = float(values.min()), float(values.max())
    slips = _max_slips(values) if kind == "max" else _average_slips(values)
    accepted = _within(4 * low, 4 * high)
    return Question(
        kind="pooled",
        prompt=(
            "Max pooling keeps one value of this 2 x 2 window: which one?"
            if kind == "max"
            else "Average pooling keeps one value of this 2 x 2 window: what is it?"
        ),
        details=(f"Window: {rows_words(step.window)}",),
        noun="the max" if kind == "max" else "the average",
        answer=step.value,
        answer_text=format_value(step.value),
        working=pool_text(step, kind),
        hint=(
            "Max pooling keeps the largest of the four values."
            if kind == "max"
            else "Add the four values and divide by 4."
        ),
        accepted=accepted,
        possible=(low, high),
        possible_note=(
            f"That cannot be: pooling keeps a value {_range_text(low, high)}, the window's extremes."
        ),
        mistakes=_distinct(slips, step.value, accepted),
        context=f"window at {step.top},{step.left}",
    )


# ---- The size story -----------------------------------------------------------------------------------


def _size_question(
    noun: str, prompt: str, answer: int, working: str, hint: str, shape: tuple[int, int], slips: list[Slip]
) -> Question:
    rows, cols = shape
    accepted = (0.0, float(max(4 * cols, 64)))
    return Question(
        kind="size",
        prompt=prompt,
        details=(f"The image: {cols} x {rows} pixels ({cols} wide).",),
        noun=noun,
        answer=float(answer),
        answer_text=str(answer),
        working=working,
        hint=hint,
        accepted=accepted,
        whole=True,
        mistakes=_distinct(slips, answer, accepted),
    )


def pixel_count_question(image_shape: tuple[int, ...]) -> Question:
    """How many numbers a gray picture is (the lesson's first beat: 28 x 28 = 784)."""
    rows, cols = image_shape[:2]
    count = rows * cols
    accepted = (0.0, float(max(16 * count, 10_000)))
    slips: list[Slip] = [
        (
            rows + cols,
            "added",
            f"That adds the sides; the grid has {rows} rows of {cols} pixels: {rows} × {cols}.",
        ),
        (2 * (rows + cols), "border", "That counts the pixels around the edge; the inside counts too."),
        (cols, "one_row", f"That is one row; there are {rows} of them."),
        (3 * count, "colour", "That counts three colours a pixel; a gray picture has one number a pixel."),
    ]
    return Question(
        kind="pixel_count",
        prompt=f"A gray picture {cols} pixels wide and {rows} high: how many numbers is it?",
        details=(f"The picture: {cols} x {rows} pixels, one number each.",),
        noun="the number of pixels",
        answer=float(count),
        answer_text=f"{count:,}",
        working=f"{rows} × {cols} = {count:,}",
        hint="Each row has one number per pixel across; count the rows.",
        accepted=accepted,
        whole=True,
        mistakes=_distinct(slips, count, accepted),
    )


def _pooled_slips(before: int, cols: int, size: int, stride: int) -> list[Slip]:
    """Slips in the pooled width: pooling forgotten, rounding up, pooling the input, stride 1."""
    block = f"{size} x {size}"
    return [
        (before, "not_pooled", f"That is the width before pooling; each {block} block gives one value."),
        (
            math.ceil((before - size) / stride) + 1 if before >= size else 0,
            "rounded_up",
            "That rounds up; a last column too short for a block is dropped.",
        ),
        (
            pooled_shape((cols, cols), size, stride)[1],
            "pooled_input",
            "That pools the input; pooling comes after the filter.",
        ),
        (
            pooled_shape((before, before), size, 1)[1],
            "stride_1",
            f"The block jumps {stride} pixels (stride {stride}), not 1.",
        ),
        (before * stride, "multiplied", "Pooling makes the image smaller, not bigger."),
    ]


def _pooled_working(before: int, size: int, stride: int, pooled: int) -> str:
    if before < size:
        return f"{before} is narrower than the {size} x {size} block: nothing is left to pool."
    formula = f"⌊({before} − {size}) / {stride}⌋ + 1 = {pooled}"
    if (before - size) % stride:
        return f"{formula}: an incomplete last block is dropped."
    return f"{formula}: every {size} x {size} block keeps one value."


def size_questions(image_shape: tuple[int, ...], padding: Padding) -> tuple[Question, Question]:
    """The first page's size story as two guesses: the width after the 3 x 3 filter, then after
    2 x 2 pooling at stride 2 (28 -> ? -> ?). Widths only: the height follows the same rule."""
    rows, cols = image_shape[:2]
    filtered = output_shape(image_shape, padding)[1]
    pooled = pooled_shape((filtered, filtered))[1]
    setting = (
        f"An image {cols} pixels wide goes through a 3 x 3 filter with '{padding}' padding, "
        "then 2 x 2 pooling."
    )
    if padding == "valid":
        working = (
            f"{cols} − 2 = {filtered}: the filter needs all 9 neighbours, so the 1-pixel border is lost "
            "on each side ('valid' padding)."
        )
        kept = (
            "That keeps the size; with 'valid' padding the filter needs all 9 neighbours, so the border goes."
        )
        both = "The border is lost on both sides: 1 pixel on the left and 1 on the right."
        three = "That takes off the filter's width, 3; only the 1-pixel border on each side is lost."
        slips: list[Slip] = [
            (cols, "border_kept", kept),
            (cols - 1, "one_side", both),
            (cols - 3, "filter_width", three),
        ]
    else:
        working = f"{cols} stays {filtered}: 'same' padding adds a border of zeros, so the size is kept."
        text = (
            "That loses the border; 'same' padding adds a border of zeros, so the filter fits at every pixel."
        )
        slips = [(cols - 2, "border_lost", text)]
    first = _size_question(
        "the width of the filtered image",
        f"{setting} How wide is the filtered image?",
        filtered,
        working,
        "Count the positions where the 3 x 3 filter fits across the image.",
        (rows, cols),
        slips,
    )
    second = _size_question(
        "the width of the pooled image",
        f"{setting} How wide is the pooled image?",
        pooled,
        _pooled_working(filtered, 2, 2, pooled),
        "Pooling keeps one value of every 2 x 2 block of the filtered image.",
        (rows, cols),
        _pooled_slips(filtered, cols, 2, 2),
    )
    return first, second


def _layer_slips(cols: int, width: int, conv: ConvSettings) -> list[Slip]:
    """Slips in a layer's output width, each computed by `conv_output_size` with one setting undone."""
    slips: list[Slip] = []
    stride, dilation, padding = conv.stride, conv.dilation, conv.padding
    if stride > 1:
        text = f"That is the width at stride 1; at stride {stride} only every {stride}th position counts."
        slips.append((conv_output_size(cols, replace(conv, stride=1)), "stride_ignored", text))
    if dilation > 1:
        side = conv.span + 1
        text = (
            f"That ignores the dilation: the filter's values lie {dilation} apart, a window {side} x {side}."
        )
        slips.append((conv_output_size(cols, replace(conv, dilation=1)), "dilation_ignored", text))
    if padding != "valid":
        text = f"That is the width without padding; '{padding}' padding adds zeros around the image first."
        slips.append((conv_output_size(cols, replace(conv, padding="valid")), "padding_ignored", text))
    text = "One short: the window's first position gives an output too (the + 1 of the formula)."
    slips.append((width - 1, "first_position", text))
    if stride > 1 and padding != "same":
        text = "That rounds up; a window that would hang over the (padded) edge is not computed."
        slips.append((conv_output_size(cols + stride - 1, conv), "rounded_up", text))
    slips.append((cols, "size_kept", "That is the input's width; count the positions where the window fits."))
    return slips


def layer_size_questions(
    image_shape: tuple[int, ...], conv: ConvSettings, pooling: PoolSettings | None = None
) -> tuple[Question, Question]:
    """The second page's size story: the feature map's width with this stride, dilation and padding,
    then the pooled width (2 x 2 max pooling at stride 2 unless ``pooling`` says otherwise).
    The sizes are `filters.layer`'s own (``conv_output_size``, as ``apply_layer`` computes them)."""
    pooling = pooling or PoolSettings()
    rows, cols = image_shape[:2]
    width = conv_output_size(cols, conv)
    pooled = pooled_shape((width, width), pooling.size, pooling.stride)[1]
    setting = (
        f"An image {cols} pixels wide goes through a 3 x 3 filter with stride {conv.stride}, dilation "
        f"{conv.dilation} and '{conv.padding}' padding, then {pooling.size} x {pooling.size} "
        f"{pooling.kind} pooling with stride {pooling.stride}."
    )
    first = _size_question(
        "the width of the feature map",
        f"{setting} How wide is the feature map?",
        width,
        size_formula(cols, conv),
        "Count the positions where the window fits, jumping by the stride.",
        (rows, cols),
        _layer_slips(cols, width, conv),
    )
    second = _size_question(
        "the width of the pooled map",
        f"{setting} How wide is the pooled map?",
        pooled,
        _pooled_working(width, pooling.size, pooling.stride, pooled),
        f"Pooling keeps one value of every {pooling.size} x {pooling.size} block of the feature map.",
        (rows, cols),
        _pooled_slips(width, cols, pooling.size, pooling.stride),
    )
    return first, second


# ---- Which filter made this? -------------------------------------------------------------------------

_LOOKS: dict[str, str] = {
    "vertical_edges": "vertical rising",
    "vertical_edges_prewitt": "vertical rising",
    "vertical_edges_scharr": "vertical rising",
    "vertical_edges_reversed": "vertical falling",
    "horizontal_edges": "horizontal rising",
    "horizontal_edges_prewitt": "horizontal rising",
    "horizontal_edges_scharr": "horizontal rising",
    "horizontal_edges_reversed": "horizontal falling",
    "box_blur": "blur",
    "gaussian_blur": "blur",
}
"""Presets that give nearly the same picture: never offered together (a preset not named here
looks like no other). Sobel, Prewitt and Scharr of one direction differ only in strength."""

_PARTNERS: dict[str, str] = {
    "vertical_edges": "horizontal_edges",
    "horizontal_edges": "vertical_edges",
    "vertical_edges_reversed": "horizontal_edges_reversed",
    "horizontal_edges_reversed": "vertical_edges_reversed",
    "vertical_edges_prewitt": "horizontal_edges_prewitt",
    "horizontal_edges_prewitt": "vertical_edges_prewitt",
    "vertical_edges_scharr": "horizontal_edges_scharr",
    "horizontal_edges_scharr": "vertical_edges_scharr",
    "outline": "emboss",
    "emboss": "outline",
    "sharpen": "identity",
    "identity": "sharpen",
    "box_blur": "identity",
    "gaussian_blur": "identity",
    "lecture_example": "sharpen",
}
"""The most instructive wrong choice for a preset, always among its four (vertical vs horizontal);
a preset not named here gets four drawn at random."""

_NEVER_OFFERED = frozenset({"lecture_example"})
"""Offered only when it made the picture: it is one pixel's example, not a filter to recognise."""


def _look(key: str, mapping: MappingKey) -> str:
    look = _LOOKS.get(key, key)
    if mapping == "abs":  # |sum|: an edge filter and its reverse give the same picture
        look = look.replace(" falling", "").replace(" rising", "")
    return look


def _orientation(key: str) -> str:
    return "vertical" if key.startswith("vertical") else "horizontal" if key.startswith("horizontal") else ""


def _choice_mistake(chosen: str, true: str) -> Mistake:
    picked, made = PRESETS[chosen], PRESETS[true]
    if {_orientation(chosen), _orientation(true)} == {"vertical", "horizontal"}:
        text = (
            f"{picked.name} would light up {_orientation(chosen)} lines; here the {_orientation(true)} "
            f"lines stand out. {made.description}"
        )
    else:
        text = f"{picked.name}: {picked.description} This picture shows something else. {made.description}"
    return Mistake(chosen, "other_filter", text)


def filter_question(true_key: str, seed: str, mapping: MappingKey = "clip") -> Question:
    """ "Which filter made this?" with the true preset and three that look different, in an order and
    with distractors fixed by ``seed`` (the same seed gives the same four, in every process).

    The first distractor is the preset's most instructive opposite (vertical vs horizontal edges);
    the others are drawn from presets whose pictures differ from all the others under ``mapping``.
    ``seed`` names the picture (a digest of it is the question's context, so an upload's source is
    never stored in a room).
    """
    if true_key not in PRESETS:
        raise ValueError(f"Unknown preset {true_key!r}.")
    rng = random.Random(f"{seed}|{true_key}|{mapping}")
    chosen = [true_key]
    looks = {_look(true_key, mapping)}

    def offer(key: str) -> None:
        if key not in chosen and _look(key, mapping) not in looks:
            chosen.append(key)
            looks.add(_look(key, mapping))

    if true_key in _PARTNERS:
        offer(_PARTNERS[true_key])
    others = [key for key in PRESETS if key not in _NEVER_OFFERED]
    rng.shuffle(others)
    for key in others:
        if len(chosen) == 4:
            break
        offer(key)
    shown = chosen[:]
    rng.shuffle(shown)
    made = PRESETS[true_key]
    return Question(
        kind="which_filter",
        prompt="Which filter made this picture? Look at what turned bright, and which way the lines run.",
        details=(),
        noun="the filter",
        answer=true_key,
        answer_text=made.name,
        working=made.description,
        hint=made.description,
        choices=tuple(Choice(key, PRESETS[key].name) for key in shown),
        mistakes=tuple(_choice_mistake(key, true_key) for key in chosen[1:]),
        context=hashlib.sha256(f"{seed}|{mapping}".encode()).hexdigest()[:16],
    )


def _preset_of(kernel: np.ndarray, weight: float) -> str | None:
    """The preset whose filter and weight these are, or None for a filter of the user's own."""
    values = np.asarray(kernel, dtype=np.float64)
    for key, preset in PRESETS.items():
        if np.array_equal(preset.values, values) and preset.weight == weight:
            return key
    return None


def filter_question_for(recipe: FilterRecipe, round_number: int = 0) -> Question | None:
    """ "Which filter made this?" for a filtered picture's recipe; None when its filter is no preset.

    Seeded by the recipe and the round, so the projector's page and every student's page offer the
    same four, and a preset hidden again in a later round is a new question (not one answered).
    """
    key = _preset_of(np.array(recipe.kernel).reshape(3, 3), recipe.weight)
    if key is None:
        return None
    seed = f"{recipe.image.source}|{recipe.padding}|{round_number}"
    return filter_question(key, seed=seed, mapping=recipe.mapping)


def mystery_preset(round_number: int, seed: str, shown: str | None = None) -> str:
    """The preset hidden in round ``round_number`` of "Which filter made this?" on a picture named
    by ``seed`` (its source): every preset that can be offered once, in an order the seed fixes,
    before any comes again, so two rounds in a row never hide the same one. Never ``shown``, the
    preset the page names beside its own filtered picture (the same picture would give it away)."""
    order = [key for key in PRESETS if key not in _NEVER_OFFERED and key != shown]
    random.Random(f"mystery|{seed}").shuffle(order)
    return order[round_number % len(order)]


# ---- The running score --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    """The running score a page keeps in its session: how many questions, how many right.

    Only a question's first answer counts (``record`` ignores a question it has seen), so guessing
    again after the reveal does not raise the score.
    """

    right: int = 0
    answered: int = 0
    seen: frozenset[str] = frozenset()

    def record(self, question: Question, result: Check) -> Score:
        """The score with ``result`` counted, unless ``question`` was answered before."""
        if question.key in self.seen:
            return self
        return Score(self.right + int(result.right), self.answered + 1, self.seen | {question.key})

    @property
    def text(self) -> str:
        """ "4 of 5 right", or "No answers yet"."""
        return f"{self.right} of {self.answered} right" if self.answered else "No answers yet"
