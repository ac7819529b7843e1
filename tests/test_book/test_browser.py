"""A reader's browser opens every page offline: no console errors, no request beyond localhost, figures load."""

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from conftest import REPOSITORY, book_pages, chromium_or_skip

pytestmark = pytest.mark.slow  # builds the book: `make test`, not `make check`

SCREENSHOTS = REPOSITORY / "_build" / "screenshots"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


class QuietHandler(SimpleHTTPRequestHandler):
    """Static file handler that does not log every request to stderr."""

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def book_url(quick_book: Path) -> Iterator[str]:
    """Serve the quick-profile HTML on a free localhost port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(quick_book)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium driven by Playwright; skipped where it is missing, except under CI."""
    chromium = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.mark.parametrize("page", book_pages())
def test_page_opens_offline_with_figures_and_no_console_errors(browser: Any, book_url: str, page: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: errors.append(str(error)))

    def keep_local(route: Any) -> None:
        url = route.request.url
        if url.startswith("data:") or urlparse(url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", keep_local)
    tab.goto(f"{book_url}/{page}.html", wait_until="networkidle")
    images = tab.eval_on_selector_all("img", "imgs => imgs.map(i => [i.src, i.complete && i.naturalWidth > 0])")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=SCREENSHOTS / f"{page.replace('/', '_')}.png", full_page=True)
    context.close()

    assert not outside, f"{page} requested {outside}"
    assert not errors, f"{page} logged {errors}"
    assert all(loaded for _, loaded in images), f"{page}: images that did not load: {[s for s, ok in images if not ok]}"
