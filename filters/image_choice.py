"""What the sample pickers show: they follow the image on screen, so that one source of truth
(the shown image's recipe source, ``filters.recipe``) decides what is highlighted.

A sample on screen highlights its group and is selected in the sample box. An upload, a drawing
or a webcam photo (all of them ``"upload:..."`` sources) highlights no group and leaves the box on
its placeholder: nothing suggests a sample is in use, and picking any sample shows it.
"""

from __future__ import annotations

from dataclasses import dataclass

from filters.recipe import SAMPLE_PREFIX
from filters.samples import DEFAULT_SAMPLE, Sample, find_sample


@dataclass(frozen=True)
class Pickers:
    """The values of the sample pickers for the image on screen.

    ``group``: the group highlighted, None for an image of the visitor's own. ``sample``: the sample
    key selected in the box, None likewise. ``listed``: the group whose samples the box offers.
    """

    group: str | None
    sample: str | None
    listed: str


def _sample_of(source: str | None) -> Sample | None:
    if source is None or not source.startswith(SAMPLE_PREFIX):
        return None
    return find_sample(source.removeprefix(SAMPLE_PREFIX))


def pickers_for(shown: str, previous_sample: str | None) -> Pickers:
    """The pickers' values while ``shown`` (a recipe source) is on screen.

    ``previous_sample``: the source of the sample shown before the visitor's own image (the one
    removing it goes back to); its group is the one the box offers meanwhile.
    """
    sample = _sample_of(shown)
    if sample is not None:
        return Pickers(sample.group, sample.key, sample.group)
    before = _sample_of(previous_sample) or find_sample(DEFAULT_SAMPLE)
    return Pickers(None, None, before.group)
