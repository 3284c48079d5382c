"""Helpers for the browser tests: waiting for Streamlit, finding widgets, clicking grid cells."""

from __future__ import annotations

from playwright.sync_api import Page, expect

PICKER = 'iframe[title="streamlit_image_coordinates.streamlit_image_coordinates"]'
"""The clickable filtered image (a Streamlit component in its own frame)."""


def wait_for_app(page, timeout: float = 60_000) -> None:
    """Wait until the script has finished running and the page shows its results."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)
    page.wait_for_selector('[data-testid="stImage"]', timeout=timeout)
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)


def click_cell(page: Page, row: int, col: int, grid_rows: int, grid_cols: int) -> None:
    """Click the middle of cell (row, col) of the clickable filtered grid, wherever the page put it."""
    image = page.frame_locator(PICKER).locator("#image")
    expect(image).to_be_visible()
    box = image.bounding_box()
    cell_width, cell_height = box["width"] / grid_cols, box["height"] / grid_rows
    image.click(position={"x": (col + 0.5) * cell_width, "y": (row + 0.5) * cell_height})
    wait_for_app(page)
