"""The guided lesson: the lecture's story beat by beat, each a live view of the first page with one
prediction to make before the reveal.

A beat is data: its title, our words, the first page's settings as link parameters (the same codec
as the page's link, ``filters.link``), and the kind of question it asks (``filters.predict``). The
page shows the beat's words above its live views and holds back only that question's answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from filters.link import LECTURE_LINK
from filters.predict import QuestionKind


@dataclass(frozen=True)
class Beat:
    """One step of the lesson.

    Attributes
    ----------
    title : str
    words : str
        What the beat says, in Markdown: the idea, then what to predict.
    link : dict of str to str
        The first page's settings for this beat, as link parameters.
    asks : str
        The kind of question predicted before the reveal (``filters.predict.QuestionKind``). The
        words never give its answer (the reveal does).
    mystery : str or None
        For "which_filter": the preset that made the picture to recognise.
    """

    title: str
    words: str
    link: dict[str, str] = field(default_factory=dict)
    asks: QuestionKind = "pixel_sum"
    mystery: str | None = None


BEATS: tuple[Beat, ...] = (
    Beat(
        "How much is there to look at?",
        "A 28 x 28 picture of a boot is a grid of numbers, one per pixel, 0 for black to 255 for "
        "white, and most of them are the empty background. **Predict:** how many numbers would a "
        "network have to look at?",
        {"image": "fashion/ankle_boot_1.png", "view": "inspect"},
        asks="pixel_count",
    ),
    Beat(
        "One pixel's sum",
        "A 3 x 3 filter lies on a pixel and its eight neighbours. Each of the nine pixels is multiplied "
        "by the filter value on top of it, and the nine products are added: that sum is the new "
        "pixel. **Predict** the sum below before the page shows it.",
        LECTURE_LINK,
        asks="pixel_sum",
    ),
    Beat(
        "A filter for lines",
        "A filter with negative values on one side and positive values on the other gives a big sum "
        "where the picture turns from dark to bright across it: along lines that run the other way. "
        "**Predict:** which filter made the picture below?",
        {"image": "fashion/ankle_boot_1.png", "preset": "identity", "view": "inspect"},
        asks="which_filter",
        mystery="vertical_edges",
    ),
    Beat(
        "A quarter turn",
        "Turn such a filter a quarter turn and other lines stand out. **Predict** again: which filter "
        "made this one?",
        {"image": "fashion/ankle_boot_1.png", "preset": "identity", "view": "inspect"},
        asks="which_filter",
        mystery="horizontal_edges",
    ),
    Beat(
        "Pooling keeps one of four",
        "2 x 2 max pooling looks at each block of four pixels and keeps one number for it. The lecture's "
        "4 x 4 pixels are pooled this way. **Predict** the value each window keeps.",
        {"image": "lecture/lecture.png", "view": "pool", "pooling": "lecture"},
        asks="pooled",
    ),
    Beat(
        "The sizes, start to end",
        "Put together: a 3 x 3 filter with no padding, then 2 x 2 pooling. **Predict** the width of the "
        "picture after each; the page then shows how many numbers are left of the first beat's.",
        {"image": "fashion/ankle_boot_1.png", "view": "inspect"},
        asks="size",
    ),
)
"""The lecture's story, in its order."""


def beat(number: int) -> Beat:
    """Beat ``number`` (1 for the first), as the page's link names it.

    Raises
    ------
    ValueError
        When the lesson has no such beat.
    """
    if not 1 <= number <= len(BEATS):
        raise ValueError(f"The lesson has beats 1 to {len(BEATS)}, not {number}.")
    return BEATS[number - 1]
