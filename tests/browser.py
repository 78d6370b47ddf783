"""Headless Chromium for browser tests: Debian's chromium (installed by .ci/run), driven by Playwright."""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from flask import Flask
from playwright.sync_api import Browser, sync_playwright
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
# No sandbox (CI runs as root), no GPU, and nothing that reaches the network on its own.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium; Playwright's own browsers are never downloaded."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def serve(app: Flask) -> Iterator[str]:
    """The app on a free loopback port, in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
