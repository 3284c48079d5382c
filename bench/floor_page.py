"""The floor a rerun is compared with: a bare Streamlit page showing the same three pictures.

``python -m bench --only lean`` serves it with ``streamlit run bench/floor_page.py`` from the
project's folder, so it runs under the app's own ``.streamlit/config.toml``. It shows what the
app's first screen shows (the 28 x 28 sample, filtered by the vertical-edge preset and pooled, each
value written in its cell, drawn by the same core), or an upload's at the same 512 px working size.
Its pictures are drawn once per image (keyed by its digest), as the app's caches draw them: what
remains is the cost of a Streamlit page with three pictures.
"""

import hashlib
import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project's core, as app.py finds it
from filters.drawing import PIXEL_SHADING, output_shading, render_grid, value_labels, wants_labels
from filters.images import decode_image
from filters.pipeline import apply_filter
from filters.presets import PRESETS
from filters.recipe import working_pixels
from filters.samples import DEFAULT_SAMPLE, find_sample


@st.cache_resource
def drawn() -> dict[str, list[bytes]]:
    """The three PNGs of each image shown, by the image's SHA-256: drawn once per process, as the app's
    caches draw them (a bench page, for a handful of images)."""
    return {}


def pictures(data: bytes, name: str) -> list[bytes]:
    """The original, filtered and pooled grids of the image ``data`` as PNGs, each value written."""
    pixels = working_pixels(decode_image(data, name, max_side=512), False)
    result = apply_filter(pixels, PRESETS["vertical_edges"].values)
    grids = [(result.image, PIXEL_SHADING), (result.mapped(), output_shading(result.mapping))]
    grids.append((result.pooled, output_shading(result.mapping)))
    return [
        render_grid(
            values, shading, labels=value_labels(values) if wants_labels(values.shape) else None
        ).png()
        for values, shading in grids
    ]


upload = st.file_uploader("Your image", key="uploader")
sample = find_sample(DEFAULT_SAMPLE)
data, name = (upload.getvalue(), upload.name) if upload else (sample.path.read_bytes(), sample.path.name)
st.markdown(f"Showing **{name}**")
digest, cache = hashlib.sha256(data).hexdigest(), drawn()
if digest not in cache:
    cache[digest] = pictures(data, name)
for column, png, caption in zip(
    st.columns(3), cache[digest], ("Original", "Filtered", "Pooled"), strict=True
):
    column.image(png, caption=caption, width="stretch", output_format="PNG")  # as the app shows them
# ``?elements=N`` adds N lines of text, the cheapest element there is: the floor of a page that sends
# as many elements as the app does (bench/lean.py), whatever they show.
for line in range(int(st.query_params.get("elements", 0))):
    st.text(f"Line {line}")
