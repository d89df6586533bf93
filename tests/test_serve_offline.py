"""`tutor serve` without the Internet: every page it serves, and everything they load, come from the server."""

import asyncio
import os
import re
import subprocess
import time
import urllib.error
import urllib.request
from urllib.parse import urljoin, urlsplit

import aiohttp
import pytest
from test_serve import (APP_S, CHROMIUM, CHROMIUM_FLAGS, Devtools, devtools_port, first_byte, served,  # noqa: F401
                        serving, stop_group)

from tutor.serve import offline_page

#: an address that names a host: scheme://host or //host (a literal host, not a ${...} the script fills in)
ADDRESS = re.compile(r"""(?:\b[a-z][a-z0-9+.-]*:)?//([A-Za-z0-9\[][^\s/"'`)<>\\,;]*)""", re.IGNORECASE)
NAMESPACE = re.compile(r"""\bxmlns(?::\w+)?\s*=\s*["'][^"']*["']""")  # a name, never loaded
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
#: what a page or stylesheet loads or links to
LOADS = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']+)["']|url\(\s*["']?([^"')]+)|@import\s+["']([^"']+)""",
                   re.IGNORECASE)
TEXT = ("text/", "application/javascript", "application/json")


@pytest.fixture
def served_one(tmp_path):
    """`tutor serve --max-sessions 1`: one tab fills it."""
    yield from serving(tmp_path, "--max-sessions", "1")


@pytest.fixture
def served_class(tmp_path, monkeypatch):
    """`tutor serve --class "CS 101"`, its class kept in a private data folder (the tabs inherit it)."""
    monkeypatch.setenv("TUTOR_DATA_DIR", str(tmp_path / "data"))
    yield from serving(tmp_path, "--class", "CS 101")


def get(url: str) -> tuple[int, str, bytes]:
    """GET: (status, content type, body)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers.get_content_type(), r.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get_content_type(), err.read()


def elsewhere(text: str, own: str) -> list[str]:
    """The addresses in a page, stylesheet or script that name a host other than `own` (host:port)."""
    text = CSS_COMMENT.sub("", NAMESPACE.sub("", text))
    return sorted({m.group(0) for m in ADDRESS.finditer(text) if m.group(1).lower() != own})


def crawl(base: str, paths: list[str]) -> dict[str, tuple[int, str]]:
    """Every URL of this server reachable from `paths` through src, href, url() and @import: (status, text)."""
    own, seen, todo = urlsplit(base).netloc, {}, [urljoin(base, p) for p in paths]
    while todo:
        url = todo.pop()
        if url in seen or urlsplit(url).netloc != own:
            continue
        status, kind, body = get(url)
        text = body.decode("utf-8", "replace") if kind.startswith(TEXT) else ""
        seen[url] = (status, text)
        if kind in ("text/html", "text/css"):
            todo += [urljoin(url, next(g for g in m.groups() if g)) for m in LOADS.finditer(CSS_COMMENT.sub("", text))]
    return seen


def assert_all_local(pages: dict[str, tuple[int, str]], own: str) -> None:
    """No page names another host."""
    found = {url: elsewhere(text, own) for url, (_, text) in pages.items()}
    assert {url: hosts for url, hosts in found.items() if hosts} == {}


def test_the_app_page_and_what_it_loads_stay_on_this_server(served):
    """The page, its script, stylesheet, background and fonts (and the static folder's listings) all come from
    the server and name no other host; the Google Fonts link of textual-serve's page is gone."""
    own = urlsplit(served.url).netloc
    pages = crawl(served.url, ["/", "/static/"])
    assert_all_local(pages, own)
    page = pages[served.url + "/"][1]
    assert "googleapis" not in page and f'data-session-websocket-url="ws://{own}/ws"' in page
    loaded = {urlsplit(url).path: status for url, (status, _) in pages.items()}
    for asset in ("/static/js/textual.js", "/static/css/xterm.css", "/static/images/background.png",
                  "/static/fonts/RobotoMono-VariableFont_wght.ttf"):  # what the page loads: each one served
        assert loaded.get(asset) == 200, (asset, loaded)


def test_the_refusal_page_stays_on_this_server(served_one):
    """With every tab in use, the 503 page names no other host."""
    asyncio.run(refused_while_one_tab_is_open(served_one.port, served_one.url))


async def refused_while_one_tab_is_open(port: int, url: str) -> None:
    """Hold one tab (it counts once its websocket is open) and check the page served meanwhile."""
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(f"ws://127.0.0.1:{port}/ws?width=80&height=24"):
            status, _, body = await asyncio.to_thread(get, url + "/")
    assert status == 503 and "every tab is in use" in body.decode()
    assert elsewhere(body.decode(), urlsplit(url).netloc) == []


def test_the_class_pages_stay_on_this_server(served_class):
    """`tutor serve --class`: the students' and instructor's pages and every refusal name no other host."""
    pages = {"/": 200, "/?student=Ann": 200, "/?instructor=wrong": 403, "/?student=%21x": 400, "/ws": 403,
             "/ws/no-such-ticket": 403}
    found = {path: get(served_class.url + path) for path in pages}
    assert {path: status for path, (status, _, _) in found.items()} == pages
    assert_all_local({path: (status, body.decode()) for path, (status, _, body) in found.items()},
                     urlsplit(served_class.url).netloc)
    assert "googleapis" not in found["/"][2].decode()


#: Chromium resolves no name at all: only 127.0.0.1 (the server) is reachable, as in a classroom without Internet
NO_NETWORK = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (apt-get install chromium)")
def test_the_page_draws_in_chromium_without_a_network(served, tmp_path):
    """Headless Chromium that can reach nothing but the server draws the app, and asked for nothing elsewhere."""
    profile = tmp_path / "chromium"
    proc = subprocess.Popen([CHROMIUM, *CHROMIUM_FLAGS, NO_NETWORK, f"--user-data-dir={profile}", served.url + "/"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        loaded = asyncio.run(resources_once_drawn(devtools_port(profile, proc), served.url + "/"))
    finally:
        stop_group(proc)
    assert loaded and all(url.startswith(served.url + "/") for url in loaded), loaded


async def resources_once_drawn(port: int, url: str) -> list[str]:
    """Over the DevTools protocol: wait until the terminal has drawn; every resource the page requested."""
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/json/list") as r:
            pages = [p for p in await r.json(content_type=None) if p["type"] == "page"]
        target = next(p for p in pages if p["url"].startswith(url))
        async with http.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            cdp = Devtools(ws)
            deadline = time.monotonic() + APP_S
            await first_byte(cdp, deadline)
            return await cdp.evaluate("performance.getEntriesByType('resource').map(e => e.name)")


# --- the parts that need no server ---------------------------------------------------------------
def test_offline_page_drops_links_to_other_sites_only():
    """Links to other hosts (with or without a scheme) go; this server's stay; fonts follow the public URL."""
    html = ('<head><link rel="stylesheet" href="http://h:1/static/css/x.css" />\n<link\n rel="stylesheet"\n'
            ' href="https://fonts.example.org/css?family=A" />\n<LINK href=\'//cdn.example.org/y.css\'>\n'
            '<link href="/static/z.css"></head><body></body>')
    page = offline_page(html, "http://h:1/tutor/")
    assert "example.org" not in page and 'href="http://h:1/static/css/x.css"' in page and "/static/z.css" in page
    assert 'url("http://h:1/tutor/static/fonts/RobotoMono-VariableFont_wght.ttf")' in page
    assert elsewhere(page, "h:1") == []
