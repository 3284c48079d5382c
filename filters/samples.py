"""The bundled sample images, grouped as the app lists them.

Files live in ``sample_images/<group folder>/``; their sources and licences are
in ``sample_images/ATTRIBUTION.md``. A file added to a folder shows up in the
app with a name made from its file name, or the title given in ``_TITLES``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_images"

GROUPS: dict[str, str] = {"Lecture": "lecture", "Fashion": "fashion", "Photos": "photos"}
"""Group label -> folder, in the order the app lists them."""

_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff"}

_TITLES: dict[str, str] = {
    "lecture": "The lecture's 4 x 4 pixels",
    "tshirt_top": "T-shirt/top",
    "ascent": "Ascent: the lab's staircase",
    "camera": "Cameraman",
    "astronaut": "Astronaut (colour)",
    "chelsea": "Chelsea the cat (colour)",
    "coffee": "Coffee cup (colour)",
    "coins": "Greek coins",
    "brick": "Brick wall",
    "text": "Text",
    "rocket": "Rocket launch (colour)",
}


@dataclass(frozen=True)
class Sample:
    """One bundled image: ``key`` is "<folder>/<file name>", stable across runs."""

    key: str
    title: str
    group: str
    path: Path


def _title(stem: str) -> str:
    """'ankle_boot_2' -> 'Ankle boot 2'; known stems get their title from ``_TITLES``."""
    base, _, number = stem.rpartition("_")
    if base and number.isdigit():
        return f"{_TITLES.get(base, base.replace('_', ' ').capitalize())} {number}"
    return _TITLES.get(stem, stem.replace("_", " ").capitalize())


@cache
def list_samples(sample_dir: Path = SAMPLE_DIR) -> dict[str, tuple[Sample, ...]]:
    """Group label -> samples of that group, sorted by title (read once: the files ship with the app)."""
    groups: dict[str, list[Sample]] = {}
    for group, folder in GROUPS.items():
        paths = sorted(p for p in (sample_dir / folder).glob("*") if p.suffix.lower() in _IMAGE_SUFFIXES)
        samples = [Sample(f"{folder}/{p.name}", _title(p.stem), group, p) for p in paths]
        groups[group] = tuple(sorted(samples, key=lambda sample: sample.title))
    return groups


def find_sample(key: object, sample_dir: Path = SAMPLE_DIR) -> Sample | None:
    """The catalogue's sample with this key, or None: only files the app lists are ever read."""
    for group in list_samples(sample_dir).values():
        for sample in group:
            if sample.key == key:
                return sample
    return None


DEFAULT_GROUP = "Fashion"
DEFAULT_SAMPLE = "fashion/ankle_boot_1.png"
"""First load: a 28x28 fashion item, so that every value can be written on screen."""
