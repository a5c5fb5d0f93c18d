"""The built site, served over HTTP on 127.0.0.1, and a headless system Chromium to browse it."""

import os
import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from mlops_kit.workshop_run import build_book

ROOT = Path(__file__).resolve().parents[2]
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
# Chromium's own background traffic fails on a closed network; these flags keep it quiet.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str:
    found = os.environ.get("MLOPS_KIT_CHROMIUM") or next(filter(None, map(shutil.which, BROWSERS)), None)
    if not found:
        pytest.fail("No Chromium found for the site check: install it (Debian: apt-get install chromium) "
                    "or set MLOPS_KIT_CHROMIUM to its path. `./workshop test-site` installs it where it can.")
    return found


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site_url(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    built, log = build_book(ROOT, out)
    assert built, log.read_text()[-6000:]
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(out / "_build" / "html")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, site_url):
    """A page that records every failed request to the site and every JavaScript error."""
    context = browser.new_context()
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(f"JavaScript error: {error}"))
    page.on("response", lambda response: response.url.startswith(site_url) and response.status >= 400
            and page.problems.append(f"{response.status} for {response.url}"))
    yield page
    context.close()
