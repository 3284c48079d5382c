"""In a real browser, under load and abuse: many users at once, broken files, no disk writes, no telemetry.

Every session gets its own image, and every number the page shows for it is
checked against the core (``filters``), so a value leaking from one session
into another would fail. The server is the one the ``app_server`` fixture
starts as the README says (``streamlit run app.py``).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import struct
import tempfile
import threading
import time
import tomllib
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import psutil
from PIL import Image
from playwright.sync_api import Page, expect

from filters import PRESETS, apply_filter, format_value, max_pool
from filters.images import decode_image, to_grayscale
from filters.samples import DEFAULT_SAMPLE, SAMPLE_DIR
from filters.stepping import strongest_pixel
from tests.e2e.helpers import wait_for_app

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
UPLOADER = '[data-testid="stFileUploaderDropzoneInput"]'
TRACEBACK = '[data-testid="stException"]'
ERROR = '[data-testid="stAlertContentError"]'
VIEWPORT = {"width": 1600, "height": 2400}
WAIT_MS = 90_000  # ten sessions on two cores: a rerun may queue behind nine others
MB = 1024 * 1024


# ---- Images and what the core makes of them ------------------------------------------------------


def png_bytes(width: int, height: int, seed: int) -> bytes:
    """A PNG of random colour pixels."""
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def photo_jpeg_bytes(width: int, height: int, seed: int) -> bytes:
    """A JPEG that compresses like a photo: smooth gradients with a little noise."""
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float32)
    channels = [
        128 + 100 * np.sin(cols / (width / (3 + k)) + rows / (height / (2 + k)) + k) for k in range(3)
    ]
    pixels = np.stack(channels, axis=-1) + rng.normal(0, 6, (height, width, 3))
    buffer = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG claiming ``width`` x ``height`` pixels with no image data: a decompression bomb's header."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


@dataclass(frozen=True)
class Expected:
    """What the page must show for one image and one preset, computed by the core."""

    width: int
    height: int
    output: np.ndarray
    pooled: np.ndarray

    @property
    def pixel(self) -> tuple[int, int]:
        """The pixel the inspector starts on: the strongest response."""
        return strongest_pixel(self.output)

    def heading(self, row: int | None = None, col: int | None = None) -> str:
        if row is None or col is None:
            row, col = self.pixel
        return f"Output pixel (row {row}, column {col}) = {format_value(self.output[row, col])} (pinned)"

    def pool_step(self, step: int) -> tuple[str, str]:
        """(the four values inside max(...), the maximum) of pooling step ``step`` (1-based)."""
        row, col = divmod(step - 1, self.pooled.shape[1])
        window = self.output[2 * row : 2 * row + 2, 2 * col : 2 * col + 2]
        return ", ".join(format_value(v) for v in window.ravel()), format_value(self.pooled[row, col])


def expected_for(data: bytes, name: str, preset: str = "vertical_edges") -> Expected:
    """The core's numbers for an upload at the default working size (longest side 512), gray."""
    decoded = decode_image(data, name, max_side=512)
    chosen = PRESETS[preset]
    output = apply_filter(to_grayscale(decoded.rgb), chosen.values, weight=chosen.weight).mapped()
    width, height = decoded.size
    return Expected(width, height, output, max_pool(output))


def expected_for_sample(preset: str) -> Expected:
    path = SAMPLE_DIR / DEFAULT_SAMPLE
    return expected_for(path.read_bytes(), path.name, preset)


# ---- Driving a session ---------------------------------------------------------------------------


def open_session(browser, url: str, wait: bool = True) -> Page:
    """A new browser context (its own Streamlit session) on the app; ``wait=False`` only starts loading."""
    page = browser.new_context(viewport=VIEWPORT).new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(url, wait_until="commit")
    if wait:
        wait_for_app(page, timeout=WAIT_MS)
    return page


def start_upload(page: Page, name: str, data: bytes, mime: str) -> None:
    """Put a file in the uploader; the browser then uploads it and the script reruns on its own."""
    page.locator(UPLOADER).set_input_files({"name": name, "mimeType": mime, "buffer": data})


def wait_for_image(page: Page, name: str, size_text: str) -> None:
    """Wait until the image block says the page shows ``name`` and the script is idle."""
    caption = page.locator('.st-key-image_source [data-testid="stCaptionContainer"]').first
    expect(caption).to_have_text(f"Showing {name}, {size_text}.", timeout=WAIT_MS)
    expect(caption.locator("strong")).to_have_text(name)
    wait_for_app(page, timeout=WAIT_MS)


def choose_view(page: Page, view: str) -> None:
    page.get_by_role("radio", name=view).click()


def heading(page: Page):
    return page.get_by_role("heading", name=re.compile(r"^Output pixel \(row \d+, column \d+\)"))


def inspect_pixel(page: Page, row: int, col: int) -> None:
    """Type the row and column of the output pixel to inspect."""
    for label, value in (("Row (0 = top)", row), ("Column (0 = left)", col)):
        field = page.get_by_label(label)
        field.fill(str(value))
        field.press("Enter")
        expect(heading(page)).to_contain_text(f"{label.split()[0].lower()} {value}", timeout=WAIT_MS)
        wait_for_app(page, timeout=WAIT_MS)


def step_text(page: Page):
    """The stepper's "Step k of N: ..." line (either stepper, drawn by the explorer)."""
    return page.locator(".ex-position")


def assert_pool_step(page: Page, expected: Expected, step: int) -> None:
    """The pooling stepper shows ``step`` of the right count, with the core's window and maximum."""
    count = expected.pooled.size
    text = step_text(page)
    expect(text).to_contain_text(f"Step {step} of {count}:", timeout=WAIT_MS)
    values, maximum = expected.pool_step(step)
    expect(text).to_contain_text(f"max({values}) = {maximum}")


def assert_no_errors(page: Page, label: str) -> None:
    assert page.locator(TRACEBACK).count() == 0, f"{label}: the page shows a traceback"
    errors = page.locator(ERROR).all_inner_texts()
    assert errors == [], f"{label}: the page shows errors {errors}"


def screenshot(page: Page, name: str) -> None:
    """Save what the session shows to tests/e2e/screenshots/<name>.png, also when the test failed."""
    with contextlib.suppress(Exception):  # a failed screenshot must not hide the test's own failure
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def close(page: Page) -> None:
    page.context.close()


# ---- The server process --------------------------------------------------------------------------


def server_rss(app_server) -> int:
    """Resident memory of the app server and all its children, in bytes."""
    process = psutil.Process(app_server.process.pid)
    total = 0
    for member in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += member.memory_info().rss
    return total


def server_healthy(app_server) -> bool:
    with urllib.request.urlopen(f"{app_server.url}/_stcore/health", timeout=10) as response:
        return response.read().decode().strip() == "ok"


def server_log_size(app_server) -> int:
    """How much the server has printed so far (0 when the fixture keeps no log)."""
    log = getattr(app_server, "log", None)
    return log.stat().st_size if log is not None and log.exists() else 0


def server_log_since(app_server, offset: int) -> str:
    """What the server printed since ``offset`` bytes into its log."""
    log = getattr(app_server, "log", None)
    if log is None or not log.exists():
        return ""
    with log.open("rb") as file:
        file.seek(offset)
        return file.read().decode(errors="replace")


# ---- 1. Ten users at once ------------------------------------------------------------------------

USERS = 10


def test_ten_users_at_once_each_see_only_their_own_image(browser, app_server, record_property):
    uploads = [(f"user{i}.png", png_bytes(8 + 2 * i + i % 3, 30 - 2 * i, seed=100 + i)) for i in range(USERS)]
    expected = [expected_for(data, name) for name, data in uploads]
    assert len({(e.width, e.height) for e in expected}) == USERS, "every user needs an image of its own size"
    presses = [1 + i % 4 for i in range(USERS)]  # how often each user presses Next: 1..4
    log_start = server_log_size(app_server)
    laps, last = {}, [time.monotonic()]

    def lap(name: str) -> None:
        now = time.monotonic()
        laps[name] = round(now - last[0], 1)
        last[0] = now

    rss_cold = server_rss(app_server)
    close(open_session(browser, app_server.url))  # the app's first run imports NumPy, SciPy, Matplotlib
    rss_before = server_rss(app_server)

    pages = [open_session(browser, app_server.url, wait=False) for _ in range(USERS)]
    try:
        for page in pages:
            wait_for_app(page, timeout=WAIT_MS)
        rss_open = server_rss(app_server)
        lap("warm-up, open 10 sessions")

        # All uploads start before any is waited for: the server decodes them side by side.
        for page, (name, data) in zip(pages, uploads, strict=True):
            start_upload(page, name, data, "image/png")
        for page, (name, _), want in zip(pages, uploads, expected, strict=True):
            wait_for_image(page, name, f"{want.width} x {want.height} pixels")
        lap("upload")

        for i, (page, want) in enumerate(zip(pages, expected, strict=True)):
            expect(page.get_by_text(f"Original · {want.width} x {want.height}", exact=True)).to_be_visible()
            expect(heading(page)).to_have_text(want.heading())
            assert_no_errors(page, f"user {i}")

        for page in pages:
            choose_view(page, "Pool step by step")
        for page, want in zip(pages, expected, strict=True):
            assert_pool_step(page, want, 1)
        lap("switch to pooling")

        # Rounds of Next: in each round every user who still has presses left presses once, then all wait.
        for round_number in range(max(presses)):
            pressing = [i for i in range(USERS) if presses[i] > round_number]
            for i in pressing:
                pages[i].get_by_role("button", name="Next").click()
            for i in pressing:
                assert_pool_step(pages[i], expected[i], round_number + 2)
        lap("press Next")

        for page in pages:
            choose_view(page, "Inspect a pixel")
        for i, (page, (name, _), want) in enumerate(zip(pages, uploads, expected, strict=True)):
            expect(heading(page)).to_have_text(want.heading(), timeout=WAIT_MS)
            wait_for_image(page, name, f"{want.width} x {want.height} pixels")
            assert_no_errors(page, f"user {i}")

        rss_busy = server_rss(app_server)
        lap("back to the inspector")
    finally:
        for i, page in enumerate(pages):
            screenshot(page, f"many_users_{i}")
            close(page)
    time.sleep(1)
    rss_closed = server_rss(app_server)

    growth = rss_busy - rss_before
    report = {
        "rss_at_start_mb": round(rss_cold / MB, 1),
        "rss_before_mb": round(rss_before / MB, 1),
        "rss_with_10_sessions_loaded_mb": round(rss_open / MB, 1),
        "rss_after_uploads_and_steps_mb": round(rss_busy / MB, 1),
        "rss_after_closing_mb": round(rss_closed / MB, 1),
        "growth_per_session_mb": round(growth / USERS / MB, 1),
    }
    print(f"\nserver RSS with {USERS} users: {json.dumps(report)}\nseconds per phase: {json.dumps(laps)}")
    for key, value in report.items():
        record_property(key, value)
    assert growth < 1.5 * 1024 * MB, f"the server grew by {growth / MB:.0f} MB for {USERS} users"
    assert app_server.process.poll() is None, "the server died"
    log = server_log_since(app_server, log_start)
    assert "Traceback" not in log, f"the server logged a traceback:\n{log}"


# ---- 2. An error in one session does not affect another ------------------------------------------


def test_a_broken_upload_in_one_session_leaves_the_others_working(browser, app_server):
    vertical, horizontal = expected_for_sample("vertical_edges"), expected_for_sample("horizontal_edges")
    # A pixel where the two filters' values differ, so the page shows which filter is in force.
    differs = np.argwhere(vertical.output[:, :-1] != horizontal.output[:, :-1])
    row, col = (int(i) for i in differs[len(differs) // 2])
    whole = png_bytes(24, 24, seed=7)
    log_start = server_log_size(app_server)

    other = open_session(browser, app_server.url)
    broken = open_session(browser, app_server.url)
    try:
        expect(heading(other)).to_have_text(vertical.heading())

        start_upload(broken, "broken.png", whole[: len(whole) // 2], "image/png")
        error = broken.locator(ERROR)
        expect(error).to_have_count(1, timeout=WAIT_MS)
        expect(error).to_contain_text('"broken.png"', timeout=WAIT_MS)
        expect(error).to_contain_text("damaged or incomplete")

        other.get_by_role("combobox", name="Preset").click()
        other.get_by_role("option", name="Horizontal edges (Sobel, dark to bright)").click()
        wait_for_app(other, timeout=WAIT_MS)
        inspect_pixel(other, row, col)
        expect(heading(other)).to_have_text(horizontal.heading(row, col), timeout=WAIT_MS)

        start_upload(broken, "bomb.png", png_header_only(100_000, 100_000), "image/png")
        expect(error).to_contain_text('"bomb.png"', timeout=WAIT_MS)
        expect(error).to_contain_text("megapixels")
        wait_for_app(broken, timeout=WAIT_MS)
        # The refused files leave the previous image on screen, still filtered with the default preset.
        expect(broken.get_by_text("Original · 28 x 28", exact=True)).to_be_visible()
        expect(heading(broken)).to_have_text(vertical.heading())
        assert broken.locator(TRACEBACK).count() == 0

        other.get_by_role("button", name="→").click()
        expect(heading(other)).to_have_text(horizontal.heading(row, col + 1), timeout=WAIT_MS)
        assert_no_errors(other, "the other session")
    finally:
        screenshot(other, "broken_upload_other_session")
        screenshot(broken, "broken_upload_session")
        close(other)
        close(broken)
    assert app_server.process.poll() is None, "the server died"
    assert server_healthy(app_server)
    log = server_log_since(app_server, log_start)
    assert "Traceback" not in log, f"the server logged a traceback:\n{log}"


# ---- 3. Nothing is written to disk ---------------------------------------------------------------

# Folders under the repository that are not the app's: caches of the tools, the virtualenv, the browser
# tests' own screenshots and server logs, and the benchmark's results.
SKIPPED_DIRS = {".git", "__pycache__", ".pytest_cache", ".ruff_cache", "venv", ".venv", "node_modules"}
SKIPPED_PATHS = {ROOT / "tests" / "e2e" / "screenshots", ROOT / "bench" / "results"}
SOURCE_SUFFIXES = {".py", ".md", ".toml", ".txt", ".cfg", ".ini", ".yml", ".yaml"}
IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"RIFF", b"BM", b"II*\x00", b"MM\x00*")
# Top-level entries of the temp dir that the browser makes for itself (profile, downloads, sockets).
BROWSER_TEMP = re.compile(r"^\.?(org\.chromium\.|playwright|\.com\.google\.Chrome|scoped_dir)")
MEMORY_FILESYSTEMS = {"tmpfs", "ramfs"}
WRITE_SLACK = 64 * 1024
"""Bytes the server may write to storage while watched: its log lines (the fixture sends them to a file)."""
SPOOL_LIMIT = 1024 * 1024
"""Starlette's multipart parser (Streamlit's upload route) keeps this much of a file in memory."""


def filesystem_of(path: str | Path) -> str:
    """The type of the filesystem holding ``path`` ("ext4", "tmpfs", ...; "" when unknown)."""
    path = os.path.realpath(path)
    mount, kind = "", ""
    for partition in psutil.disk_partitions(all=True):
        point = partition.mountpoint.rstrip("/") + "/"
        if (path + "/").startswith(point) and len(point) > len(mount):
            mount, kind = point, partition.fstype
    return kind


def on_disk(path: str) -> bool:
    """False for files in memory (tmpfs, ramfs); ``path`` may be "/tmp/#123 (deleted)"."""
    return filesystem_of(os.path.dirname(path.removesuffix(" (deleted)"))) not in MEMORY_FILESYSTEMS


def snapshot(root: Path) -> dict[Path, tuple[int, int]]:
    """Every file under ``root`` (skipping the folders above) with its size and modification time."""
    files = {}
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and here / d not in SKIPPED_PATHS]
        for name in names:
            path = here / name
            if here == ROOT / "tests" / "e2e" and name.startswith("server-") and name.endswith(".log"):
                continue
            try:
                stat = path.stat()
            except OSError:
                continue  # removed while we looked
            files[path] = (stat.st_size, stat.st_mtime_ns)
    return files


def changed_files(before: dict, after: dict) -> list[Path]:
    return sorted(path for path, stamp in after.items() if before.get(path) != stamp)


def looks_like_upload(path: Path, uploads: dict[str, bytes]) -> bool:
    """True for a file named after an upload, holding image bytes, or holding an upload's first bytes."""
    if any(Path(name).stem in path.name for name in uploads):
        return True
    try:
        with path.open("rb") as file:
            head = file.read(64 * 1024)
    except OSError:
        return False
    return head.startswith(IMAGE_MAGIC) or any(data[:256] in head for data in uploads.values())


def open_for_writing(process: psutil.Process) -> set[str]:
    """Files ``process`` holds open for writing, unnamed temporary files ("/tmp/#123 (deleted)") included.

    Reads /proc on Linux (psutil's ``open_files`` leaves deleted files out); elsewhere asks psutil.
    File descriptors 1 and 2 are the server's output, which the fixture sends to its log.
    """
    fd_dir = Path(f"/proc/{process.pid}/fd")
    if not fd_dir.is_dir():
        return {f.path for f in process.open_files() if f.fd > 2 and set(f.mode) & {"w", "a", "+"}}
    found = set()
    for fd in os.listdir(fd_dir):
        try:
            target = os.readlink(fd_dir / fd)
            info = (fd_dir.parent / "fdinfo" / fd).read_text()
        except OSError:
            continue  # closed while we looked
        flags = re.search(r"^flags:\s*([0-7]+)", info, re.MULTILINE)
        writable = flags is not None and int(flags.group(1), 8) & 0o3  # O_WRONLY or O_RDWR
        if int(fd) > 2 and writable and target.startswith("/") and not target.startswith(("/dev/", "/proc/")):
            found.add(target)
    return found


class DiskWatch:
    """Watches whether the app server writes to disk while uploads are made; ``problems()`` says what it saw.

    Three views, from the most to the least certain:

    - the kernel's count of bytes the server process sent to storage (``write_bytes`` of /proc/<pid>/io,
      via psutil): it names no file but misses nothing written to a disk-backed filesystem, even a temp
      file deleted at once;
    - the files the server holds open for writing, sampled every 2 ms: names the file while it is open;
    - snapshots of the repository, ~/.streamlit and the temp dir, before and after. The temp dir is shared
      with the browser and every other program, so there only new top-level entries (where ``tempfile``
      puts its files and folders) count, the browser's own are skipped, and what remains must not look
      like an upload (named after one, starting with image magic bytes, or holding an upload's first
      bytes). People may edit the code while the suite runs, so in the repository an edited source
      file (by suffix) only counts if it looks like an upload; any other new or changed file counts.
    """

    def __init__(self, app_server, uploads: dict[str, bytes]) -> None:
        self.process = psutil.Process(app_server.process.pid)
        self.uploads = uploads
        self.temp = Path(tempfile.gettempdir())
        self.home = Path.home() / ".streamlit"
        self.opened: set[str] = set()
        self.samples = 0
        self.written: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _members(self) -> list[psutil.Process]:
        return [self.process, *self.process.children(recursive=True)]

    def _write_bytes(self) -> int | None:
        try:
            return sum(member.io_counters().write_bytes for member in self._members())
        except (AttributeError, psutil.Error):  # no I/O accounting on this system
            return None

    def _sample(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(psutil.Error):
                for member in self._members():
                    self.opened |= {path for path in open_for_writing(member) if on_disk(path)}
            self.samples += 1
            time.sleep(0.002)

    def __enter__(self) -> DiskWatch:
        self._repo, self._home = snapshot(ROOT), snapshot(self.home)
        self._temp = set(os.listdir(self.temp))
        self._written_before = self._write_bytes()
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()
        written_after = self._write_bytes()
        if written_after is not None and self._written_before is not None:
            self.written = written_after - self._written_before
        self.repo_changes = [
            path
            for path in changed_files(self._repo, snapshot(ROOT))
            if path.suffix not in SOURCE_SUFFIXES or looks_like_upload(path, self.uploads)
        ]
        self.home_changes = changed_files(self._home, snapshot(self.home))
        self.temp_files = []
        for name in sorted(set(os.listdir(self.temp)) - self._temp):
            entry = self.temp / name
            if BROWSER_TEMP.match(name):
                continue
            candidates = [entry] if entry.is_file() else [p for p in entry.rglob("*") if p.is_file()]
            self.temp_files += [p for p in candidates if looks_like_upload(p, self.uploads)]

    def summary(self) -> str:
        return (
            f"server wrote {self.written} bytes to storage; {self.samples} samples of its open files, "
            f"open for writing: {sorted(self.opened)}"
        )

    def problems(self) -> list[str]:
        problems = []
        if self.written is not None and self.written > WRITE_SLACK:
            problems.append(f"the server wrote {self.written:,} bytes to storage")
        if self.opened:
            problems.append(f"the server opened files on disk for writing: {sorted(self.opened)}")
        if self.repo_changes:
            problems.append(f"files appeared or changed in the repository: {self.repo_changes}")
        if self.home_changes:
            problems.append(f"files appeared or changed in {self.home}: {self.home_changes}")
        if self.temp_files:
            problems.append(f"upload-like files appeared in {self.temp}: {self.temp_files}")
        return problems


def test_uploads_under_1_mb_are_never_written_to_disk(browser, app_server):
    uploads = {
        "disk_probe_small.png": png_bytes(40, 30, seed=11),
        "disk_probe_photo.jpg": photo_jpeg_bytes(1600, 1200, seed=12),
    }
    assert all(len(data) < SPOOL_LIMIT for data in uploads.values())
    page = open_session(browser, app_server.url)  # the app's first run (imports, caches) happens before
    try:
        with DiskWatch(app_server, uploads) as watch:
            start_upload(page, "disk_probe_small.png", uploads["disk_probe_small.png"], "image/png")
            wait_for_image(page, "disk_probe_small.png", "40 x 30 pixels")
            start_upload(page, "disk_probe_photo.jpg", uploads["disk_probe_photo.jpg"], "image/jpeg")
            wait_for_image(page, "disk_probe_photo.jpg", "working at 512 x 384, downscaled from 1600 x 1200")
            choose_view(page, "Slide the filter")
            expect(step_text(page)).to_contain_text("Step 1 of 256:", timeout=WAIT_MS)
            page.get_by_role("button", name="Next").click()
            expect(step_text(page)).to_contain_text("Step 2 of 256:", timeout=WAIT_MS)
            choose_view(page, "Pool step by step")
            expect(step_text(page)).to_contain_text("Step 1 of 64:", timeout=WAIT_MS)
            page.get_by_role("combobox", name="Sample").click()
            page.get_by_role("option", name="Bag 1", exact=True).click()
            wait_for_image(page, "Bag 1", "28 x 28 pixels")
            page.get_by_role("button", name="Show disk_probe_photo.jpg again").click()
            wait_for_image(page, "disk_probe_photo.jpg", "working at 512 x 384, downscaled from 1600 x 1200")
            assert_no_errors(page, "the uploading session")
    finally:
        screenshot(page, "uploads_not_on_disk")
        close(page)
    print(f"\n{watch.summary()}")
    assert watch.samples > 10
    assert watch.problems() == []


# Starlette's multipart parser spools files over 1 MB to a temporary file; views/image_source.py
# raises that threshold above the upload limit so that this photo stays in memory.
def test_a_12_megapixel_photo_is_never_written_to_disk(browser, app_server):
    uploads = {"disk_probe_12mp.jpg": photo_jpeg_bytes(4032, 3024, seed=13)}
    assert len(uploads["disk_probe_12mp.jpg"]) > SPOOL_LIMIT
    page = open_session(browser, app_server.url)
    try:
        with DiskWatch(app_server, uploads) as watch:
            start_upload(page, "disk_probe_12mp.jpg", uploads["disk_probe_12mp.jpg"], "image/jpeg")
            wait_for_image(page, "disk_probe_12mp.jpg", "working at 512 x 384, downscaled from 4032 x 3024")
            choose_view(page, "Pool step by step")
            expect(step_text(page)).to_contain_text("Step 1 of 64:", timeout=WAIT_MS)
            assert_no_errors(page, "the uploading session")
    finally:
        screenshot(page, "photo_12mp_upload")
        close(page)
    print(f"\n{watch.summary()}")
    assert watch.problems() == []


# ---- 4. No telemetry, no foreign hosts -----------------------------------------------------------

TRACKERS = ("fivetran", "segment", "google", "streamlit.io", "sentry", "mixpanel", "amplitude", "doubleclick")
"""Parts of host names of analytics services (Streamlit's own metrics go to data.streamlit.io)."""


def hosts_in(text: str) -> set[str]:
    """The host of every http(s) URL written in ``text``."""
    return set(re.findall(r"https?://([^/\"'\s<>)]+)", text))


def test_the_page_talks_only_to_its_own_server_and_usage_stats_are_off(browser, app_server):
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["browser"]["gatherUsageStats"] is False

    context = browser.new_context(viewport=VIEWPORT)
    requests, sockets, frames = [], [], []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)

    def watch_socket(socket) -> None:
        sockets.append(socket.url)
        socket.on("framereceived", lambda payload: frames.append(payload))

    page.on("websocket", watch_socket)
    try:
        page.goto(app_server.url)
        wait_for_app(page, timeout=WAIT_MS)
        start_upload(page, "telemetry_probe.png", png_bytes(20, 16, seed=21), "image/png")
        wait_for_image(page, "telemetry_probe.png", "20 x 16 pixels")
        choose_view(page, "Pool step by step")
        expect(step_text(page)).to_contain_text("Step 1 of 63", timeout=WAIT_MS)
        page.get_by_role("button", name="Play").click()
        page.wait_for_timeout(2_000)
        page.get_by_role("button", name="Pause").click()
        wait_for_app(page, timeout=WAIT_MS)
        step = int(re.search(r"Step (\d+) of", step_text(page).inner_text()).group(1))
        assert step > 1, "the stepper did not play"
        rendered = page.content()
    finally:
        screenshot(page, "telemetry_requests")
        context.close()

    own = (app_server.url + "/", "data:", "blob:")
    foreign = sorted({url for url in requests if not url.startswith(own)})
    print(f"\n{len(requests)} requests, {len(sockets)} websocket(s), foreign: {foreign}")
    assert len(requests) > 10
    assert foreign == [], f"the page contacted other hosts: {foreign}"
    assert sockets and all(url.startswith(app_server.url.replace("http", "ws", 1) + "/") for url in sockets)

    with urllib.request.urlopen(app_server.url, timeout=10) as response:
        html = response.read().decode()
    named = hosts_in(html) | hosts_in(rendered) | {urlsplit(url).netloc for url in requests}
    trackers = sorted(host for host in named if any(tracker in host.lower() for tracker in TRACKERS))
    assert trackers == [], f"the page names analytics hosts: {trackers}"

    # The server tells the browser not to gather usage statistics, in every new session message.
    new_sessions = []
    for payload in frames:
        if isinstance(payload, bytes):
            message = ForwardMsg()
            message.ParseFromString(payload)
            if message.WhichOneof("type") == "new_session":
                new_sessions.append(message.new_session.config.gather_usage_stats)
    assert new_sessions and not any(new_sessions), f"gather_usage_stats sent: {new_sessions}"
    with urllib.request.urlopen(f"{app_server.url}/_stcore/host-config", timeout=10) as response:
        metrics_url = json.loads(response.read()).get("metricsUrl") or ""
    assert not metrics_url.startswith("http"), f"host-config names a metrics endpoint: {metrics_url}"
