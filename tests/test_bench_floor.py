"""The benchmark's floor page (bench/floor_page.py) shows what the app's first screen shows: a page
that failed would make every ratio of ``python -m bench --only lean`` meaningless."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

FLOOR = str(Path(__file__).resolve().parent.parent / "bench" / "floor_page.py")


def test_the_floor_page_shows_the_three_grids_of_the_sample_and_of_an_upload(tmp_path):
    at = AppTest.from_file(FLOOR, default_timeout=60)
    at.run()
    assert not at.exception
    assert [image.captions[0] for image in at.image] == ["Original", "Filtered", "Pooled"]
    boot = at.image[0].proto.imgs[0].url
    photo = (Path(__file__).resolve().parent.parent / "sample_images" / "photos" / "ascent.png").read_bytes()
    at.file_uploader[0].upload("ascent.png", photo, "image/png").run()
    assert not at.exception and "ascent.png" in at.markdown[0].value
    assert len(at.image) == 3 and at.image[0].proto.imgs[0].url != boot
