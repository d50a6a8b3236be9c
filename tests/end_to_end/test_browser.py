"""The evidence pack as a board reader opens it: index.html and one report of every notebook in headless Chromium.

Uses the session's Worcester pack (``conftest.py``: museums, leisure and the portfolio, every notebook at
least once), opens the index and one report of each notebook at a 1,280 px wide window, saves a screenshot
under the test's temporary folder, and fails on:

- a broken link: an ``href``/``src`` inside the pack that does not resolve to a file of the pack (or to an
  ``id`` in it, for a ``#fragment``), a link that leaves the pack or is an absolute file path, or a page
  resource (image, script, stylesheet, font...) loaded from the network — checked both on what the browser
  resolved and, for every HTML file of the pack, on the relative links as written in the HTML;
- a missing image: an ``<img>`` that did not load (``naturalWidth`` 0);
- a console error: ``console.error``, an uncaught exception, or an error the browser logs (a failed load);
- a chart image without real alt text: empty, nbconvert's default "No description has been provided for
  this image", matplotlib's ``<Figure size ...>`` or a bare "image"/"chart";
- a table wider than the page: the document scrolls sideways at 1,280 px (a table in a wrapper that
  scrolls within its own box is fine, so the document's overflow is what is measured).

Chromium is driven over its DevTools protocol on a pipe (``--remote-debugging-pipe``: NUL-separated JSON
on file descriptors 3 and 4), with the standard library only: no driver binary, no websocket, no network
(every host name resolves to nothing). The test skips only when no Chromium can be found; ``.ci/run``
installs Debian's ``chromium`` when it is missing.
"""

from __future__ import annotations

import base64
import html.parser
import json
import os
import select
import shutil
import subprocess
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
COUNCIL = "E07000237"  # Worcester: the council with its own (illustrative) files
SERVICE = "museums"
WIDTH, HEIGHT = 1280, 900
MAX_SCREENSHOT_HEIGHT = 12_000  # px: a full page, cut off below this
PAGE_TIMEOUT = 60.0  # s to load one page

pytestmark = pytest.mark.e2e

NBCONVERT_DEFAULT_ALT = "no description has been provided for this image"
PLACEHOLDER_ALTS = {"image", "img", "chart", "figure", "plot", "graph", "png", "picture", "output"}
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")


def _config() -> dict:
    return tomllib.loads((ROOT / "config" / "services.toml").read_text(encoding="utf-8"))


def _all_notebooks() -> list[str]:
    """Every notebook that some service runs (the browser test must open a report of each)."""
    config = _config()
    services = [config["portfolio"], *config["services"].values()]
    return sorted({nb for svc in services for nb in svc.get("notebooks", [])})


def _find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


# --------------------------------------------------------------------------------------------------------------
# Chromium over the DevTools protocol, on a pipe
# --------------------------------------------------------------------------------------------------------------


class DevToolsError(RuntimeError):
    pass


class Chromium:
    """One headless Chromium; commands are sent on fd 3, answers and events read from fd 4 (NUL-terminated JSON)."""

    def __init__(self, executable: str, profile: Path):
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire_pipes() -> None:  # in the child, before exec: the protocol's fixed descriptors
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        args = [
            executable, "--headless=new", "--remote-debugging-pipe", f"--user-data-dir={profile}",
            "--no-first-run", "--no-default-browser-check", "--disable-gpu", "--disable-extensions",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-default-apps", "--disable-dev-shm-usage", "--mute-audio", "--hide-scrollbars",
            "--force-device-scale-factor=1",
            "--host-resolver-rules=MAP * ~NOTFOUND",  # offline by construction: nothing can load from elsewhere
            f"--window-size={WIDTH},{HEIGHT}", "about:blank",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # Chromium refuses to run its sandbox as root (CI runs as root)
        self.log = profile.parent / "chromium.log"
        self._log = self.log.open("wb")
        self.process = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            preexec_fn=wire_pipes, pass_fds=(3, 4), close_fds=True,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []

    # -- transport --------------------------------------------------------------------------------------------
    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DevToolsError("Chromium did not answer in time")
            ready, _, _ = select.select([self._from_browser], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise DevToolsError(f"Chromium closed its pipe (exit {self.process.poll()}); see {self.log}")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = PAGE_TIMEOUT) -> dict:
        self._next_id += 1
        command = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            command["sessionId"] = session
        os.write(self._to_browser, json.dumps(command).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            message = self._read_message(deadline)
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise DevToolsError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, method: str, session: str, timeout: float = PAGE_TIMEOUT) -> dict:
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for event in self.events[seen:]:
                if event.get("method") == method and event.get("sessionId") == session:
                    return event
            seen = len(self.events)
            self.events.append(self._read_message(deadline))

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=10)
        except (DevToolsError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        self._log.close()

    # -- one page -----------------------------------------------------------------------------------------------
    def open(self, url: str) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable", session=session)
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False}, session=session)
        first_event = len(self.events)
        navigation = self.send("Page.navigate", {"url": url}, session=session)
        if navigation.get("errorText"):
            raise DevToolsError(f"{url}: {navigation['errorText']}")
        self.wait_for("Page.loadEventFired", session)
        return Page(self, target, session, first_event)


@dataclass
class Page:
    browser: Chromium
    target: str
    session: str
    first_event: int
    problems: dict[str, list[str]] = field(default_factory=dict)

    def evaluate(self, expression: str):
        result = self.browser.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                                         "returnByValue": True}, session=self.session)
        if "exceptionDetails" in result:
            raise DevToolsError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path) -> None:
        height = min(int(self.evaluate("document.documentElement.scrollHeight")), MAX_SCREENSHOT_HEIGHT)
        shot = self.browser.send("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": WIDTH, "height": max(height, HEIGHT), "scale": 1}},
            session=self.session)
        path.write_bytes(base64.b64decode(shot["data"]))

    def own_events(self) -> list[dict]:
        return [e for e in self.browser.events[self.first_event:] if e.get("sessionId") == self.session]

    def close(self) -> None:
        self.browser.send("Target.closeTarget", {"targetId": self.target})


# What the page itself reports, measured after every image has had its chance to load.
PAGE_FACTS = r"""
(async () => {
  const images = Array.from(document.images);
  for (const img of images) { if (img.loading === 'lazy') img.loading = 'eager'; }
  await Promise.all(images.map(img => img.complete ? null : new Promise(done => {
    img.addEventListener('load', done, {once: true});
    img.addEventListener('error', done, {once: true});
    setTimeout(done, 10000);
  })));
  await document.fonts.ready;
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  const headings = Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6'));
  const describe = el => {  // the element's caption, else the heading above it: where a reader finds it
    const caption = el.querySelector && el.querySelector('caption');
    if (caption && caption.textContent.trim()) return 'captioned "' + caption.textContent.trim().slice(0, 70) + '"';
    let above = null;
    for (const h of headings) {
      if (h.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) above = h; else break;
    }
    return above ? 'under "' + above.textContent.replace(/¶/g, '').trim().slice(0, 70) + '"' : 'at the top';
  };
  // a table cut off by an ancestor that hides its overflow, with nothing between them that scrolls
  const clippedBy = t => {
    const right = t.getBoundingClientRect().right;
    for (let a = t.parentElement; a && a !== document.documentElement; a = a.parentElement) {
      const overflow = getComputedStyle(a).overflowX;
      if (overflow === 'auto' || overflow === 'scroll') return null;
      if ((overflow === 'hidden' || overflow === 'clip') && right > a.getBoundingClientRect().right + 1) return a;
    }
    return null;
  };
  const links = [];
  for (const el of document.querySelectorAll('[href], [src], object[data]')) {
    for (const attr of ['href', 'src', 'data']) {
      const raw = el.getAttribute(attr);
      if (raw === null) continue;
      const resolved = attr === 'data' ? new URL(raw, document.baseURI).href : el[attr];
      links.push({tag: el.tagName.toLowerCase(), attr, raw, resolved: String(resolved || raw),
                  rel: el.getAttribute('rel') || ''});
    }
  }
  const ids = Array.from(document.querySelectorAll('[id]'), el => el.id)
      .concat(Array.from(document.querySelectorAll('a[name]'), el => el.getAttribute('name')));
  const tables = Array.from(document.querySelectorAll('table')).map(t => {
    const box = t.getBoundingClientRect();
    return {where: describe(t), right: Math.round(box.right + window.scrollX), width: Math.round(box.width),
            clipped: clippedBy(t) !== null};
  });
  return {
    innerWidth: window.innerWidth,
    scrollWidth: document.documentElement.scrollWidth,
    images: images.map((img, i) => ({index: i, alt: img.getAttribute('alt'), complete: img.complete,
                                     naturalWidth: img.naturalWidth, where: describe(img),
                                     src: (img.getAttribute('src') || '').slice(0, 80)})),
    links, ids, tables,
  };
})()
"""


# --------------------------------------------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------------------------------------------


def _alt_problem(alt: str | None) -> str | None:
    if alt is None:
        return "no alt attribute"
    text = " ".join(alt.split())
    if not text:
        return "empty alt text"
    if text.lower() == NBCONVERT_DEFAULT_ALT:
        return "nbconvert's default alt text"
    if text.startswith("<Figure size") or text.lower().strip(".") in PLACEHOLDER_ALTS:
        return f"placeholder alt text {text!r}"
    return None


class _Anchors(html.parser.HTMLParser):
    """Every id/name in a document and every href/src as written."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, value)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)
            elif name in ("href", "src", "data") and not value.startswith("data:"):
                self.links.append((tag, name, value))


_parsed: dict[Path, _Anchors] = {}


def _anchors(path: Path) -> _Anchors:
    if path not in _parsed:
        parser = _Anchors()
        parser.feed(path.read_text(encoding="utf-8", errors="replace"))
        _parsed[path] = parser
    return _parsed[path]


def _check_link(pack: Path, page: Path, value: str, own_ids: set[str] | None = None) -> str | None:
    """Why ``value`` (a link as written in ``page``) is broken, or None. External web links are not followed."""
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme in ("http", "https", "mailto", "tel", "data", "javascript", "about", "blob"):
        return None
    if parts.scheme == "file" or value.startswith("/") or (len(parts.scheme) == 1 and value[1:2] == ":"):
        return "an absolute file path (the pack must open wherever it is copied)"
    if parts.scheme:
        return f"an unexpected scheme {parts.scheme!r}"
    target = (page.parent / unquote(parts.path)).resolve() if parts.path else page.resolve()
    if not target.is_relative_to(pack.resolve()):
        return "points outside the pack"
    if not target.exists():
        return "no such file in the pack"
    if target.is_dir():
        return "a folder, not a file"
    if parts.fragment and target.suffix in (".html", ".htm"):
        ids = own_ids if (own_ids is not None and target == page.resolve()) else _anchors(target).ids
        if unquote(parts.fragment) not in ids and parts.fragment not in ids:
            return f"no id {unquote(parts.fragment)!r} in {target.relative_to(pack.resolve())}"
    return None


def _browser_problems(pack: Path, page_path: Path, facts: dict, events: list[dict]) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}

    def add(kind: str, text: str) -> None:
        problems.setdefault(kind, []).append(text)

    # broken links and resources, as the browser resolved them
    own_ids = set(facts["ids"])
    for link in facts["links"]:
        resolved = link["resolved"]
        parts = urlsplit(resolved)
        loaded = not (link["tag"] == "a" or link["tag"] == "area"
                      or (link["tag"] == "link" and "stylesheet" not in link["rel"] and "icon" not in link["rel"]))
        if parts.scheme in ("http", "https"):
            if loaded:
                add("broken link", f"<{link['tag']} {link['attr']}={link['raw']!r}> loads from the network")
            continue
        if parts.scheme != "file":
            continue
        if not link["raw"].strip() or link["raw"].strip().startswith("file:") or link["raw"].strip().startswith("/"):
            add("broken link", f"<{link['tag']} {link['attr']}={link['raw']!r}>: an absolute or empty link")
            continue
        target = Path(unquote(parts.path))
        relative = os.path.relpath(target, page_path.parent) + (f"#{parts.fragment}" if parts.fragment else "")
        why = _check_link(pack, page_path, relative, own_ids)
        if why:
            add("broken link", f"<{link['tag']} {link['attr']}={link['raw']!r}>: {why}")

    # images that did not load, and their alt text
    for img in facts["images"]:
        if not img["complete"] or img["naturalWidth"] == 0:
            add("missing image", f"image {img['index'] + 1} {img['where']} ({img['src']!r}) did not load")
        why = _alt_problem(img["alt"])
        if why:
            add("image without alt text", f"image {img['index'] + 1} {img['where']}: {why}")

    # console errors, uncaught exceptions and errors the browser logged
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            add("console error", f"console.{params['type']}: {text[:200]}")
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = details.get("exception", {}).get("description") or details.get("text", "")
            add("console error", f"uncaught exception: {text[:200]}")
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            where = entry.get("url", "")
            add("console error", f"{entry.get('source', 'browser')}: {entry.get('text', '')[:200]} {where}".rstrip())

    # the page scrolls sideways: some table (or anything) is wider than the window
    if facts["scrollWidth"] > facts["innerWidth"]:
        wide = [t for t in facts["tables"] if t["right"] > facts["innerWidth"]]
        named = "; ".join(f"{t['where'] or 'a table'} ({t['width']} px, to x={t['right']})" for t in wide[:10])
        add("table wider than the page",
            f"the page is {facts['scrollWidth']} px wide in a {facts['innerWidth']} px window; "
            f"{len(wide)} of {len(facts['tables'])} tables reach past it" + (f": {named}" if named else ""))
    for table in facts["tables"]:
        if table["clipped"]:
            add("table wider than the page", f"the table {table['where']} ({table['width']} px) is cut off at the "
                "right by a box that hides its overflow, without scrolling")
    return problems


def _report(problems: dict[str, list[str]], page: str) -> str:
    lines = [f"{page}: " + ", ".join(f"{len(v)} {k}" for k, v in problems.items())]
    for kind, items in problems.items():
        lines += [f"  [{kind}] {item}" for item in items[:15]]
        if len(items) > 15:
            lines.append(f"  [{kind}] ... and {len(items) - 15} more")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------------------
# Fixtures: one pack, one browser for the module
# --------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium_executable() -> str:
    executable = _find_chromium()
    if executable is None:
        pytest.skip("no Chromium on this machine (looked for " + ", ".join(CHROMIUM_NAMES) + " on PATH); install "
                    "Debian's package: apt-get install -y chromium (.ci/run does so when it runs as root)")
    return executable


@pytest.fixture(scope="module")
def pack(worcester_pack) -> Path:
    """The session's Worcester pack (tests/end_to_end/conftest.py): every notebook at least once."""
    return worcester_pack.pack


@pytest.fixture(scope="module")
def browser(chromium_executable, tmp_path_factory):
    chromium = Chromium(chromium_executable, tmp_path_factory.mktemp("chromium") / "profile")
    try:
        chromium.send("Browser.getVersion", timeout=60)
    except DevToolsError as error:
        chromium.close()
        pytest.fail(f"Chromium ({chromium_executable}) started but does not answer on its DevTools pipe: {error}; "
                    f"its log: {chromium.log.read_text(errors='replace')[-2000:]}")
    yield chromium
    chromium.close()


def _reports(pack: Path) -> dict[str, Path]:
    """The reader report of each notebook, from the manifest (the first service that ran it)."""
    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    reports: dict[str, Path] = {}
    for entry in manifest["executions"]:
        html_file = next((rel for rel in entry["outputs"].values()
                          if rel.endswith(".html") and not rel.endswith(".code.html")), None)
        if html_file and entry["notebook"] not in reports:
            reports[entry["notebook"]] = pack / html_file
    return reports


# --------------------------------------------------------------------------------------------------------------
# The tests
# --------------------------------------------------------------------------------------------------------------


PNG_1PX = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
GOOD_PAGE = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Good</title>
<link rel="stylesheet" href="style.css"></head><body><h1 id="top">A good page</h1>
<p><a href="#top">top</a> <a href="bad.html#wide">the bad page</a> <a href="https://example.org/">a source</a></p>
<img src="data:image/png;base64,{PNG_1PX}" alt="Spend per head against 15 comparators: Worcester is fourth">
<div style="overflow-x:auto"><table><caption>Wide, but scrolls in its box</caption>
<tr><td style="min-width:3000px">x</td></tr></table></div></body></html>"""
BAD_PAGE = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Bad</title></head><body>
<a href="missing.html">gone</a> <a href="good.html#nowhere">no such anchor</a> <a href="../../outside.html">out</a>
<img src="missing.png" alt="A chart that is not there">
<img src="data:image/png;base64,{PNG_1PX}" alt="No description has been provided for this image">
<img src="data:image/png;base64,{PNG_1PX}" alt="">
<table id="wide"><tr><td style="min-width:3000px">too wide</td></tr></table>
<div style="overflow:hidden; width:600px"><table><tr><td style="min-width:900px">cut off</td></tr></table></div>
<script>console.error("something broke")</script></body></html>"""


def test_the_checks_find_each_kind_of_failure_and_pass_a_good_page(browser, tmp_path):
    """The checks themselves, on two small pages: one with every failure, one with none."""
    site = tmp_path / "deep" / "site"
    site.mkdir(parents=True)
    (site / "good.html").write_text(GOOD_PAGE, encoding="utf-8")
    (site / "bad.html").write_text(BAD_PAGE, encoding="utf-8")
    (site / "style.css").write_text("body { font-family: sans-serif; }", encoding="utf-8")
    found = {}
    for name in ("good", "bad"):
        opened = browser.open((site / f"{name}.html").as_uri())
        try:
            found[name] = _browser_problems(site, site / f"{name}.html", opened.evaluate(PAGE_FACTS),
                                            opened.own_events())
        finally:
            opened.close()
    assert found["good"] == {}
    bad = {kind: len(items) for kind, items in found["bad"].items()}
    assert bad == {"broken link": 4, "missing image": 1, "image without alt text": 2, "console error": 2,
                   "table wider than the page": 2}, _report(found["bad"], "bad.html")
    written = [_check_link(site, site / "bad.html", value) for _, _, value in _anchors(site / "bad.html").links]
    assert sum(why is not None for why in written) == 4


def test_the_pack_has_a_report_of_every_notebook(pack):
    assert sorted(_reports(pack)) == _all_notebooks()


@pytest.mark.parametrize("page", ["index", *_all_notebooks()])
def test_page_in_headless_chromium(page, browser, pack, tmp_path):
    path = pack / "index.html" if page == "index" else _reports(pack).get(page)
    assert path is not None and path.is_file(), f"the pack has no report of {page}"
    opened = browser.open(path.as_uri())
    try:
        facts = opened.evaluate(PAGE_FACTS)
        opened.screenshot(tmp_path / f"{page}.png")
        problems = _browser_problems(pack, path, facts, opened.own_events())
    finally:
        opened.close()
    assert (tmp_path / f"{page}.png").stat().st_size > 0
    assert not problems, _report(problems, str(path.relative_to(pack))) + f"\n(screenshot: {tmp_path / page}.png)"


def test_every_relative_link_written_in_the_pack_resolves(pack):
    """Every HTML file of the pack (reader and code versions alike), its links as written in the HTML."""
    broken: list[str] = []
    pages = sorted(pack.rglob("*.html"))
    assert pages
    for page in pages:
        for tag, attr, value in _anchors(page).links:
            why = _check_link(pack, page, value)
            if why:
                broken.append(f"{page.relative_to(pack)}: <{tag} {attr}={value!r}>: {why}")
    assert not broken, f"{len(broken)} broken links in {len({b.split(':')[0] for b in broken})} pages:\n" + "\n".join(
        broken[:40])
