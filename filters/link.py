"""A view written into the page's link (its query string) and read back from it.

A teacher prepares a view before class and hands out its link; a reload, Back
or Forward brings the same view back. ``write_link`` turns the settings into
short query parameters (a setting at its default is left out, so links stay
short); ``read_link`` reads them back and validates each one on its own: a
value that is unknown, stale or hostile is ignored and named in
``LinkReading.ignored``, never raised. Uploaded images are never written into
a link: the parameter ``image=upload`` only says that the view showed one.

Parameters whose values are one of a few choices (padding, mapping, ...) are
described by ``choices``: parameter -> {text in the link: value}. The others
are read here: ``image`` (a bundled sample's key), ``preset``, ``kernel`` (nine
numbers, row by row), ``weight``, ``pixel`` ("row,column") and ``step``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from filters.kernel import KernelError, format_weight, parse_kernel, parse_weight
from filters.presets import PRESETS
from filters.samples import find_sample

UPLOAD_MARK = "upload"
"""``image=upload``: the view showed an uploaded image, which the link does not hold."""

MAX_PARAMETER_CHARS = 200
MAX_INDEX = 100_000
"""Pixels and steps beyond this cannot exist at any working size: such values are ignored."""

LECTURE_LINK: dict[str, str] = {
    "image": "lecture/lecture.png",
    "preset": "lecture_example",
    "padding": "same",
    "mapping": "signed",
    "view": "inspect",
    "pixel": "1,1",
    "pooling": "lecture",
}
"""The lecture's first beat as a prepared link: its 4 x 4 pixels, its filter, the raw sums, and the
inspector on the pixel of 192 (row 1, column 1 with 'same' padding), whose sum is 1009."""


@dataclass(frozen=True)
class LinkReading:
    """What a link asks for (parameter -> value; missing means the default) and what was ignored."""

    values: dict[str, object] = field(default_factory=dict)
    ignored: tuple[str, ...] = ()


def exact_number_text(value: float) -> str:
    """The shortest text that reads back as exactly ``value``: ``-1``, ``0.5``, ``1/9``."""
    if float(value).is_integer():
        return str(int(value))
    short = format_weight(value)
    try:
        if float(Fraction(short)) == value:
            return short
    except (ValueError, ZeroDivisionError):
        pass
    return repr(float(value))


def _sample(text: str) -> object:
    if text == UPLOAD_MARK or find_sample(text) is not None:
        return text
    raise ValueError


def _preset(text: str) -> object:
    if text in PRESETS:
        return text
    raise ValueError


def _kernel(text: str) -> object:
    cells = text.split(",")
    if len(cells) != 9:
        raise ValueError
    try:
        values = parse_kernel(np.array(cells, dtype=object).reshape(3, 3))
    except KernelError as problem:
        raise ValueError from problem
    return tuple(float(value) for value in values.ravel())


def _weight(text: str) -> object:
    try:
        return parse_weight(text)
    except KernelError as problem:
        raise ValueError from problem


def _index(text: str) -> int:
    if not text.isdigit() or int(text) > MAX_INDEX:
        raise ValueError
    return int(text)


def _pixel(text: str) -> object:
    row, col = text.split(",")
    return (_index(row), _index(col))


_READERS = {
    "image": _sample,
    "preset": _preset,
    "kernel": _kernel,
    "weight": _weight,
    "pixel": _pixel,
    "step": _index,
}
_WRITERS = {
    "image": str,
    "preset": str,
    "kernel": lambda values: ",".join(exact_number_text(value) for value in values),
    "weight": exact_number_text,
    "pixel": lambda pixel: f"{pixel[0]},{pixel[1]}",
    "step": str,
}


def read_link(query: Mapping[str, str], choices: Mapping[str, Mapping[str, object]]) -> LinkReading:
    """Read every parameter of ``query`` that this page knows and holds a value it offers.

    Returns the values read and, in order, the names of the parameters ignored
    (unknown names, values not offered, malformed or too long).
    """
    values: dict[str, object] = {}
    ignored: list[str] = []
    for name, text in query.items():
        if not isinstance(text, str) or len(text) > MAX_PARAMETER_CHARS:
            ignored.append(name)
        elif name in choices and text in choices[name]:
            values[name] = choices[name][text]
        elif name in _READERS:
            try:
                values[name] = _READERS[name](text)
            except (ValueError, TypeError):
                ignored.append(name)
        else:
            ignored.append(name)
    if "kernel" in values and "preset" not in values:
        values["preset"] = None  # a kernel of its own, not a preset's
    return LinkReading(values, tuple(ignored))


def write_link(
    values: Mapping[str, object],
    choices: Mapping[str, Mapping[str, object]],
    defaults: Mapping[str, object],
) -> dict[str, str]:
    """The query parameters for ``values``, leaving out those equal to ``defaults`` (in a fixed order)."""
    query: dict[str, str] = {}
    for name, value in values.items():
        if value is None or defaults.get(name, object()) == value:
            continue
        if name in choices:
            texts = [text for text, choice in choices[name].items() if choice == value]
            if texts:
                query[name] = texts[0]
        elif name in _WRITERS:
            query[name] = _WRITERS[name](value)
    return query


def ignored_notice(ignored: tuple[str, ...]) -> str:
    """One short sentence naming the link's parameters that were ignored."""
    names = ", ".join(f"'{name[:30]}'" for name in ignored[:6]) + (", ..." if len(ignored) > 6 else "")
    return f"This link held settings this page does not offer ({names}); they were ignored."
