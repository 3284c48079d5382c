"""The server's caches: decoded images, results, drawn grids, hover data, the second page's results.

Each cache is keyed by a small recipe (``filters.recipe``): a bundled sample's
catalogue key or an upload's full SHA-256 digest, plus the settings. Keys never
come from hashing a big array (``st.cache_data`` samples large arrays, so two
different pictures could share an entry and one visitor see another's photo).
Values are returned as they are, not copied: they are frozen and read-only.
Each cache is bounded in bytes as well as in entries; a value too big to keep
is computed and used but not kept.

An upload's entries live as long as some session holds the upload: each session keeps a
lease on the uploads it shows (``hold_uploads``), and once the last lease of an upload is
gone (the visitor moved on, or the closed session was shut down and freed) every entry made
from it is dropped (``release_unheld``), so the caches follow the visitors of now, not the
uploads of the last hour.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections import Counter, deque
from collections.abc import Iterable

from filters.cache import BoundedCache
from filters.images import DecodedImage, ImageRejected, decode_image
from filters.pipeline import FilterResult
from filters.recipe import FilterRecipe, compute_result, sample_source, upload_in
from filters.samples import find_sample

_MB = 1024 * 1024
DECODED = BoundedCache(max_bytes=384 * _MB, max_entries=64, owner_of=upload_in)
"""Decoded images (8-bit RGB at the working size) and refusal messages, by source, name and size."""
RESULTS = BoundedCache(max_bytes=768 * _MB, max_entries=48, owner_of=upload_in)
"""Filter results by recipe: room for one 12-megapixel colour result at "Full size" and many small ones."""
PICTURES = BoundedCache(max_bytes=256 * _MB, max_entries=192, owner_of=upload_in)
"""Grids drawn without outlines, by recipe and panel (at most 1400 px a side: about 6 MB each)."""
PNGS = BoundedCache(max_bytes=128 * _MB, max_entries=384, owner_of=upload_in)
"""Encoded PNGs with their outlines, by picture key and outlines."""

EXPLORER_PAYLOADS = BoundedCache(max_bytes=64 * _MB, max_entries=256, owner_of=upload_in)
"""Every pixel's walkthrough for the hover grid, by recipe and colour channel (at most about 0.6 MB each)."""

LAYER_RESULTS = BoundedCache(max_bytes=256 * _MB, max_entries=32, owner_of=upload_in)
"""The second page's layers, pipelines, single-filter results and learning runs, by recipe."""
LAYER_PNGS = BoundedCache(max_bytes=128 * _MB, max_entries=256, owner_of=upload_in)
"""The second page's drawn grids and loss curves, by recipe and picture."""

NETWORK_RESULTS = BoundedCache(max_bytes=128 * _MB, max_entries=2048, owner_of=upload_in)
"""The third page's items through a network (about 100 kB each) and pictures worked at 28 x 28, by the
network's and the item's full digests (and an upload's source, so that its entries go with it)."""
NETWORK_PNGS = BoundedCache(max_bytes=64 * _MB, max_entries=4096, owner_of=upload_in)
"""The third page's pictures (a few kB to 200 kB each), by run, epoch, item digest and picture: room for
every epoch of many items, so that scrubbing back and forth draws nothing twice."""

CACHES = (
    DECODED,
    RESULTS,
    PICTURES,
    PNGS,
    EXPLORER_PAYLOADS,
    LAYER_RESULTS,
    LAYER_PNGS,
    NETWORK_RESULTS,
    NETWORK_PNGS,
)

_LOG = logging.getLogger(__name__)
BUG_MESSAGE = (
    "Something went wrong on our side while reading this image; it is not your file's fault. "
    "The problem has been logged. Please try again, or choose another image."
)


class UnknownSample(LookupError):
    """A sample key that is not in the catalogue (a stale or forged value)."""


def decode_sample(key: str, max_side: int | None) -> DecodedImage:
    """Decode a bundled sample at the working size; only catalogue keys are read.

    Raises
    ------
    UnknownSample
        For a key the catalogue does not list.
    """
    sample = find_sample(key)
    if sample is None:
        raise UnknownSample(key)
    return DECODED.get_or_compute(
        (sample_source(sample.key), max_side),
        lambda: decode_image(sample.path.read_bytes(), sample.path.name, max_side=max_side),
    )


def decode_upload(data: bytes, source: str, name: str, max_side: int | None) -> DecodedImage | str:
    """Decode an upload (``source`` is its digest), or return why it cannot be used, as a sentence.

    Refusals are cached too (they name the file, so the name is part of the key).
    An unexpected error is logged with its traceback and reported as the app's fault.
    """

    def decode() -> DecodedImage | str:
        try:
            return decode_image(data, name, max_side=max_side)
        except ImageRejected as rejection:
            return str(rejection)

    try:
        return DECODED.get_or_compute((source, name, max_side), decode)
    except Exception:
        _LOG.exception("Decoding an upload of %d bytes failed unexpectedly", len(data))
        return BUG_MESSAGE


def filter_result(recipe: FilterRecipe, decoded: DecodedImage) -> FilterResult:
    """The pipeline's result for ``recipe``, computed once and shared by every rerun and session."""
    return RESULTS.get_or_compute(recipe, lambda: compute_result(recipe, decoded))


def clear_caches() -> None:
    """Empty every cache: the server as it starts (for the tests and the benchmark)."""
    for cache in CACHES:
        cache.clear()


class UploadLease:
    """A session's hold on an upload's cached work (kept in its session state; see the module's text)."""

    def __init__(self, source: str) -> None:
        self.source = source
        with _LEASE_LOCK:
            _LEASES[source] += 1
        # Only noted here: a lease may die inside a garbage collection that runs while a cache's
        # lock is held, so the caches are released later, by release_unheld.
        weakref.finalize(self, _ENDED.append, source)


_LEASE_LOCK = threading.Lock()
_LEASES: Counter[str] = Counter()
"""Upload source -> leases alive."""
_ENDED: deque[str] = deque()
"""Sources whose leases ended and are not counted off yet (deque.append is safe anywhere)."""


def hold_uploads(held: dict[str, UploadLease], sources: Iterable[str | None]) -> dict[str, UploadLease]:
    """The leases a session keeps for ``sources`` (upload sources; others ignored), reusing ``held``'s."""
    wanted = {source for source in sources if source is not None and upload_in(source) is not None}
    return {source: held.get(source) or UploadLease(source) for source in wanted}


def release_unheld() -> int:
    """Drop the cached work of every upload whose last lease ended; returns how many entries went."""
    released = 0
    while True:
        try:
            source = _ENDED.popleft()
        except IndexError:
            return released
        with _LEASE_LOCK:
            _LEASES[source] -= 1
            unheld = _LEASES[source] <= 0
            if unheld:
                del _LEASES[source]
        if unheld:
            released += sum(cache.release(source) for cache in CACHES)
