"""Real-browser test of the built book (headless Chromium driven by Playwright).

Serves the built site on 127.0.0.1 and opens the front page and every page of _toc.yml
that was built.  On each page: no console errors, every formula rendered by MathJax,
every live figure (optlib.interactive) responds to its sliders, and no request leaves
127.0.0.1.  A full-page screenshot of each page goes to _build/screenshots/<page>.png.

    pytest tests -m browser                         # tests _build/html
    OPTLIB_SITE=_build/one-intro/_build/html pytest tests -m browser

Needs Debian's Chromium at /usr/bin/chromium (``apt-get install chromium``); without it
the tests are skipped with a message.  Playwright's own browser download is not used.
"""
from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from optlib.interactive import contract as C

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SITE = (ROOT / os.environ.get("OPTLIB_SITE", "_build/html")).resolve()
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = os.environ.get("OPTLIB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
LOCAL_HOSTS = {"127.0.0.1"}


def toc_pages() -> list[str]:
    """The root and every file of _toc.yml, in order (document names without suffix)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    names = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                names.append(str(node["file"]).rsplit(".", 1)[0] if str(node["file"]).endswith(
                    (".md", ".ipynb")) else str(node["file"]))
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key, []) or []:
                    walk(child)
    walk(toc)
    return list(dict.fromkeys(names))


PAGES = ["index"] + toc_pages()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output clean
        pass


@pytest.fixture(scope="module")
def server():
    if not (SITE / "index.html").is_file():
        pytest.fail(f"the site is not built: {SITE}/index.html is missing. Build it first "
                    "(`jupyter-book build . --all -W -n --keep-going`, as scripts/test.sh "
                    "does), or point OPTLIB_SITE at a built _build/html directory.")
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's package "
                    "(`apt-get install chromium`, as .ci/run does) to run the browser test")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser, url):
    """Open ``url``; return (page, console errors, requests that left localhost)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  service_workers="block")
    page = context.new_page()
    errors, outside = [], []
    page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))

    def route(r):
        parts = urlsplit(r.request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in LOCAL_HOSTS:
            outside.append(r.request.url)
            r.abort()
        else:
            r.continue_()
    context.route("**/*", route)
    page.on("request", lambda req: outside.append(req.url)
            if urlsplit(req.url).scheme in ("http", "https")
            and urlsplit(req.url).hostname not in LOCAL_HOSTS
            and req.url not in outside else None)
    page.goto(url, wait_until="load")
    return page, errors, outside


def _wait_for_math(page):
    """Wait until MathJax has typeset the page (if the page loads MathJax)."""
    if page.evaluate("() => !!document.querySelector('script[src*=\"mathjax\"]')"):
        page.wait_for_function("() => window.MathJax && MathJax.startup && "
                               "MathJax.startup.promise", timeout=20000)
        page.evaluate("() => MathJax.startup.promise")


def _page_text(html: str) -> str:
    """The text of a page as a reader sees it (tags removed, entities decoded)."""
    import html as html_lib
    import re
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return html_lib.unescape(re.sub(r"<[^>]+>", "", body))


@pytest.mark.parametrize("name", PAGES)
def test_no_otter_marker_on_page(name):
    """Solution code is shown without otter's markers (_ext/otter_markers.py strips them
    while the notebooks keep them for `python -m homework`). Needs only the built HTML."""
    import sys
    sys.path.insert(0, str(ROOT / "_ext"))
    from otter_markers import MARKER
    html = SITE / f"{name}.html"
    if not html.is_file():
        pytest.skip(f"{name}.html is not in this build")
    text = _page_text(html.read_text(encoding="utf-8"))
    found = [text[max(0, m.start() - 60):m.end() + 20] for m in MARKER.finditer(text)]
    assert not found, f"{name}: otter markers on the page: {found[:3]}"


@pytest.mark.parametrize("name", PAGES)
def test_page(server, browser, name):
    html = SITE / f"{name}.html"
    if not html.is_file():
        if name in ("index", PAGES[1]):
            pytest.fail(f"the front page {html} was not built")
        pytest.skip(f"{name}.html is not in this build (page not written yet)")
    size = html.stat().st_size
    assert size < 5e6, f"{name}.html weighs {size / 1e6:.1f} MB (figures included): keep it < 5 MB"
    page, errors, outside = _open(browser, f"{server}/{name}.html")
    try:
        page.wait_for_load_state("networkidle")
        _wait_for_math(page)

        # math: every formula became MathJax output, and none is an error
        n_math = page.locator(".math").count()
        if n_math:
            n_done = page.evaluate(
                "() => [...document.querySelectorAll('.math')]"
                ".filter(e => e.querySelector('mjx-container')).length")
            assert n_done == n_math, f"{name}: {n_math - n_done} of {n_math} formulas unrendered"
            assert page.locator("mjx-merror").count() == 0, f"{name}: MathJax error in a formula"

        SHOTS.mkdir(parents=True, exist_ok=True)
        page.evaluate("() => { document.activeElement && document.activeElement.blur(); "
                      "window.scrollTo(0, 0); }")
        page.screenshot(path=str(SHOTS / f"{name.replace('/', '_')}.png"), full_page=True)

        # live figures: every slider changes the figure
        figures = page.locator(f"div.{C.ROOT}")
        for i in range(figures.count()):
            fig = figures.nth(i)
            fig.scroll_into_view_if_needed()
            assert fig.get_attribute(C.READY_ATTR) == "1", \
                f"{name}: live figure {i} was not initialised by optlib-live.js"
            frame = fig.locator(f"img.{C.FRAME}")
            assert frame.evaluate("img => img.complete && img.naturalWidth > 0"), \
                f"{name}: live figure {i} shows no image"
            sliders = fig.locator("input[type=range]")
            assert sliders.count() >= 1
            for j in range(sliders.count()):
                s = sliders.nth(j)
                lo, hi, v = (int(s.get_attribute(a)) for a in ("min", "max", "value"))
                target = lo if v != lo else hi
                before = frame.get_attribute("src")
                out_before = fig.locator("output").nth(j).inner_text()
                pixels_before = fig.locator(f".{C.FIGURE}").screenshot()
                s.fill(str(target))
                after = frame.get_attribute("src")
                assert after != before, f"{name}: figure {i} did not change with slider {j}"
                assert fig.locator("output").nth(j).inner_text() != out_before
                assert frame.evaluate("img => img.decode().then(() => img.naturalWidth > 0)"), \
                    f"{name}: figure {i}, slider {j}: the new frame does not decode"
                assert fig.locator(f".{C.FIGURE}").screenshot() != pixels_before, \
                    f"{name}: figure {i}, slider {j}: the picture on screen did not change"
                s.fill(str(v))                        # back to the initial setting
            assert frame.get_attribute("src") == before or sliders.count() > 1

        # chapter pages carry the launch buttons (links only: nothing is requested)
        if name.startswith("chapters/"):
            hrefs = page.evaluate("() => [...document.querySelectorAll('a[href]')]"
                                  ".map(a => a.getAttribute('href'))")
            assert any("mybinder.org" in h for h in hrefs), f"{name}: no Binder button"
            assert any("colab.research.google.com" in h for h in hrefs), f"{name}: no Colab"
            assert any(h.endswith(".ipynb") and "_sources" in h for h in hrefs), \
                f"{name}: no .ipynb download"

        assert not outside, f"{name}: requests left 127.0.0.1: {sorted(set(outside))}"
        assert not errors, f"{name}: console errors: {errors}"
    finally:
        page.context.close()
