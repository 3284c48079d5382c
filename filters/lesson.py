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
        The kind of question predicted before the reveal (``filters.predict.QuestionKind``), or
        "pixel_count" for the first beat's count of numbers.
    mystery : str or None
        For "which_filter": the preset that made the picture to recognise.
    """

    title: str
    words: str
    link: dict[str, str] = field(default_factory=dict)
    asks: QuestionKind | str = "pixel_sum"
    mystery: str | None = None


BEATS: tuple[Beat, ...] = (
    Beat(
        "784 numbers for one boot",
        "A 28 x 28 picture of a boot is a grid of numbers, one per pixel, 0 for black to 255 for "
        "white. Most of them are the empty background. A network that looked at every one of them "
        "would spend most of its effort on nothing. **Predict:** how many numbers is that?",
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
        "Vertical lines pop out",
        "A filter with negative values on the left and positive ones on the right gives a big sum "
        "where the picture turns from dark to bright going right: along vertical lines. **Predict:** "
        "which filter made the picture below?",
        {"image": "fashion/ankle_boot_1.png", "preset": "identity", "view": "inspect"},
        asks="which_filter",
        mystery="vertical_edges",
    ),
    Beat(
        "Then horizontal ones",
        "Turn the same filter a quarter turn, negative on top and positive below, and the horizontal "
        "lines stand out instead. **Predict** again: which filter made this one?",
        {"image": "fashion/ankle_boot_1.png", "preset": "identity", "view": "inspect"},
        asks="which_filter",
        mystery="horizontal_edges",
    ),
    Beat(
        "Pooling keeps the biggest of four",
        "2 x 2 max pooling looks at each block of four pixels and keeps only the biggest. The "
        "lecture's 16 pixels become 4: a quarter of the numbers, and the strong responses survive. "
        "**Predict** the value each window keeps.",
        {"image": "lecture/lecture.png", "view": "pool", "pooling": "lecture"},
        asks="pooled",
    ),
    Beat(
        "28 → 26 → 13",
        "Put together: the 3 x 3 filter cannot sit on the border, so 28 pixels across become 26; "
        "pooling halves that to 13. 784 numbers became 169 that still show where the edges are. "
        "**Predict** both widths.",
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
