"""Headless Debian Chromium for the page tests: one way to start it, one way to open a page."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def headless_chromium(*flags: str) -> Iterator[object]:
    """A selenium driver of a fresh headless profile (browser console log kept); skips when
    Chromium is absent. Extra ``flags`` such as ``--lang=zh-CN`` are added."""
    if not CHROMIUM or not CHROMEDRIVER:
        pytest.skip("Debian chromium and chromium-driver are not installed "
                    "(run scripts/install-browser.sh; CI has them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="siting-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
                 "--window-size=1280,900", *flags):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield browser
    browser.quit()
    shutil.rmtree(profile, ignore_errors=True)


def open_page(driver, path: Path, wait_for: str = "path", seconds: float = 20) -> None:
    """Load ``path`` and wait until the page is complete and ``wait_for`` is drawn."""
    driver.get(path.resolve().as_uri())
    deadline = time.time() + seconds
    while time.time() < deadline:
        if driver.execute_script("return document.readyState") == "complete" and \
                driver.find_elements("css selector", wait_for):
            return
        time.sleep(0.1)
    raise AssertionError(f"{path.name}: nothing matching {wait_for!r} was drawn")


def console_errors(driver) -> list[dict]:
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def network_requests(driver) -> list[str]:
    return driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => !n.startsWith('data:') && !n.startsWith('file:'))")
