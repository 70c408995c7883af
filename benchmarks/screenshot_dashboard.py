#!/usr/bin/env python3
"""Check that the published asv dashboard renders offline, in headless Chromium, with screenshots.

Serves the published folder on 127.0.0.1 (a free port), drives Debian's Chromium through the
DevTools protocol on a pipe (no extra packages), and for each page waits until it has drawn, then
checks that flot drew its graphs (the plotted series and the coloured pixels on their canvases),
that jQuery, flot and its plugins, stupidtable, md5 and Bootstrap's JS and CSS came from the
published folder, and that the page asked no other host for anything. Chromium resolves no host
but 127.0.0.1, so a CDN reference left over fails here even on a machine with internet.

    cd benchmarks && python3 publish_offline.py && python3 screenshot_dashboard.py

Screenshots go to .asv/screenshots/ (git-ignored). Exits non-zero if a page does not render.
"""

import argparse
import base64
import fcntl
import functools
import http.server
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]

# Runs in the page; reports what has loaded and what flot has drawn, as JSON.
PROBE = r"""(() => {
  const $ = window.jQuery;
  const coloured = c => {   // pixels a data series drew: saturated, unlike the grey grid and text
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < px.length; i += 4)
      if (px[i + 3] > 128 && Math.max(px[i], px[i+1], px[i+2]) - Math.min(px[i], px[i+1], px[i+2]) > 60) n++;
    return n;
  };
  const plot = el => {
    const p = $ && $(el).data('plot');
    const base = el.querySelector('canvas.flot-base');
    return {id: el.id, series: p ? p.getData().map(s => s.data.length) : [],
            coloured: base ? coloured(base) : 0,
            in_view: el.getBoundingClientRect().top < window.innerHeight};
  };
  return JSON.stringify({
    file: location.pathname.split('/').pop() || 'index.html',
    ready: document.readyState,
    jquery: $ ? $.fn.jquery : null,
    flot: $ && $.plot ? $.plot.version : null,
    plugins: $ && $.plot ? $.plot.plugins.map(p => p.name) : [],
    md5: typeof window.md5,
    stupidtable: $ ? typeof $.fn.stupidtable : null,
    bootstrap_js: $ ? typeof $.fn.popover : null,
    css: [...document.querySelectorAll('link[rel=stylesheet]')].map(
      l => [l.getAttribute('href'), l.sheet ? l.sheet.cssRules.length : 0]),
    grid: [...document.querySelectorAll('#summarygrid-display .benchmark-plot')].map(plot),
    graph: [...document.querySelectorAll('#main-graph')].filter(e => e.offsetParent).map(plot),
    rows: document.querySelectorAll('#summarylist-body table tbody tr').length,
    sorted: document.querySelectorAll('#summarylist-body table thead th.asc, ' +
                                      '#summarylist-body table thead th.desc').length,
  });
})()"""

FLOT_PLUGINS = {"time", "selection", "categories", "orderBars", "axisLabels"}


class Failure(Exception):
    pass


def libraries_problems(s):
    """What is missing from the page's libraries, per the probe `s` (empty when all are there)."""
    bad = []
    if s["jquery"] != "3.3.1":
        bad.append(f"jQuery is {s['jquery']}, expected 3.3.1")
    if s["flot"] != "0.8.3":
        bad.append(f"flot is {s['flot']}, expected 0.8.3")
    if not FLOT_PLUGINS <= set(s["plugins"]):
        bad.append(f"flot plugins missing: {sorted(FLOT_PLUGINS - set(s['plugins']))}")
    for name in ("md5", "stupidtable", "bootstrap_js"):
        if s[name] != "function":
            bad.append(f"{name} did not load")
    bad += [f"stylesheet {href} is empty or did not load" for href, rules in s["css"] if not rules]
    return bad


def drawn(plot, min_pixels):
    return bool(plot["series"]) and min(plot["series"]) > 0 and plot["coloured"] >= min_pixels


# Each page: (name, URL fragment, what "has drawn" means for it, from the probe).
def pages(benchmark):
    return [
        ("index", "#/", lambda s: bool(s["grid"]) and all(drawn(p, 20) for p in s["grid"] if p["in_view"])),
        ("graph", "#" + benchmark, lambda s: len(s["graph"]) == 1 and drawn(s["graph"][0], 500)),
        ("summarylist", "#/summarylist", lambda s: s["rows"] > 0 and s["sorted"] == 1),
    ]


class Browser:
    """Headless Chromium driven over --remote-debugging-pipe (fd 3: commands in, fd 4: out)."""

    def __init__(self, chromium, profile, log):
        cmd_r, cmd_w = os.pipe()
        out_r, out_w = os.pipe()

        def to_fds_3_and_4():  # in the child, before exec; no thread is running yet
            a = fcntl.fcntl(cmd_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(out_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [chromium, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, close_fds=False,
            preexec_fn=to_fds_3_and_4)
        os.close(cmd_r)
        os.close(out_w)
        self.cmd = os.fdopen(cmd_w, "wb")
        self.out = out_r
        self.buf = b""
        self.last_id = 0
        self.events = []

    def send(self, method, params=None, session=None, timeout=30):
        self.last_id += 1
        message = {"id": self.last_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.cmd.write(json.dumps(message).encode() + b"\0")
        self.cmd.flush()
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self.last_id:
                if "error" in reply:
                    raise Failure(f"Chromium refused {method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            self.events.append(reply)

    def _read(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.out], [], [], left)[0]:
                raise Failure("Chromium did not answer in time")
            chunk = os.read(self.out, 1 << 20)
            if not chunk:
                raise Failure("Chromium exited")
            self.buf += chunk
        message, _, self.buf = self.buf.partition(b"\0")
        return json.loads(message)

    def close(self):
        try:
            self.send("Browser.close", timeout=5)
        except (Failure, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.cmd.close()
        os.close(self.out)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def network_problems(events, origin):
    """Requests to anywhere but the local server, and local requests that failed."""
    bad, urls = [], {}
    for e in events:
        p = e.get("params", {})
        if e.get("method") == "Network.requestWillBeSent":
            url = p["request"]["url"]
            urls[p["requestId"]] = url
            if url.split(":")[0] in ("http", "https", "ws", "wss") and not url.startswith(origin + "/"):
                bad.append(f"requested {url}")
        elif e.get("method") == "Network.responseReceived" and p["response"]["status"] >= 400:
            bad.append(f"HTTP {p['response']['status']} for {p['response']['url']}")
        elif e.get("method") == "Network.loadingFailed" and not p.get("canceled"):
            url = urls.get(p["requestId"], "?")
            if url.startswith(origin + "/"):  # an outside request is reported above already
                bad.append(f"{p['errorText']} loading {url}")
        elif e.get("method") == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            bad.append(f"JavaScript error: {d.get('exception', {}).get('description') or d.get('text')}")
    return bad


def describe(name, s):
    """One line on what a page showed, for the log."""
    if name == "index":
        shown = [p for p in s.get("grid", []) if p["in_view"]]
        return f"{sum(drawn(p, 20) for p in shown)} of {len(shown)} grid plots in view drawn"
    if name == "graph":
        return "; ".join(f"{len(p['series'])} series of {max(p['series'] or [0])} points, "
                         f"{p['coloured']} coloured pixels" for p in s.get("graph", [])) or "no graph"
    return f"{s.get('rows', 0)} rows, {'sorted' if s.get('sorted') else 'not sorted'}"


def check(html_dir, out_dir, benchmark, timeout, size):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise Failure("chromium not found: apt-get install chromium")
    if not os.path.isfile(os.path.join(html_dir, "index.json")):
        raise Failure(f"nothing published in {html_dir}: run `asv run`, then publish_offline.py")
    if not os.path.isdir(os.path.join(html_dir, "vendor")):
        raise Failure(f"{html_dir} has no vendor/ folder: publish with publish_offline.py, not `asv publish`")
    with open(os.path.join(html_dir, "index.json")) as f:
        benchmarks = json.load(f)["benchmarks"]
    if benchmark not in benchmarks:
        raise Failure(f"no benchmark {benchmark} in the results; there are: {', '.join(sorted(benchmarks))}")
    os.makedirs(out_dir, exist_ok=True)

    failures = []
    with tempfile.TemporaryDirectory(prefix="dash-chromium-") as profile:
        log_path = os.path.join(profile, "chromium.log")
        handler = functools.partial(QuietHandler, directory=html_dir)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)  # a free port
        origin = f"http://127.0.0.1:{server.server_address[1]}"
        browser = serving = None
        try:
            with open(log_path, "wb") as log:
                browser = Browser(chromium, profile, log)  # before any thread: it forks
            serving = threading.Thread(target=server.serve_forever, daemon=True)
            serving.start()
            print(f"serving {html_dir} on {origin}/ (Chromium: {chromium})")
            target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            for method in ("Page.enable", "Network.enable", "Runtime.enable"):
                browser.send(method, session=session)
            browser.send("Network.setCacheDisabled", {"cacheDisabled": True}, session)
            browser.send("Emulation.setDeviceMetricsOverride", {"width": size[0], "height": size[1],
                         "deviceScaleFactor": 1, "mobile": False}, session)
            for name, fragment, has_drawn in pages(benchmark):
                browser.send("Page.navigate", {"url": "about:blank"}, session)
                browser.events.clear()
                url = f"{origin}/index.html{fragment}"
                browser.send("Page.navigate", {"url": url}, session)
                deadline = time.monotonic() + timeout
                while True:
                    reply = browser.send("Runtime.evaluate", {"expression": PROBE, "returnByValue": True}, session)
                    state = json.loads(reply["result"].get("value") or "null") or {}
                    if state.get("file") == "error.html":
                        break
                    if state.get("ready") == "complete" and state.get("jquery") and has_drawn(state):
                        break
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.25)
                time.sleep(0.5)  # let the last frame paint before the screenshot
                shot = browser.send("Page.captureScreenshot", {"format": "png"}, session)["data"]
                png = os.path.join(out_dir, f"{name}.png")
                with open(png, "wb") as f:
                    f.write(base64.b64decode(shot))

                problems = network_problems(browser.events, origin)
                if state.get("file") == "error.html":
                    problems.insert(0, "asv showed error.html: a library failed to load")
                elif not state.get("jquery"):
                    problems.insert(0, "jQuery never loaded")
                else:
                    problems += libraries_problems(state)
                    if not has_drawn(state):
                        problems.append(f"did not draw within {timeout} s: {json.dumps(state)}")
                summary = describe(name, state)
                print(f"{'FAIL' if problems else 'ok  '} {name:12} {url}  [{summary}]  -> {png}")
                failures += [f"{name}: {p}" for p in problems]
        except Failure as e:  # Chromium itself failed: its log says why
            with open(log_path, "rb") as f:
                tail = f.read().decode(errors="replace").strip().splitlines()[-15:]
            raise Failure(f"{e}; Chromium's log ends with:\n  " + "\n  ".join(tail)) from None
        finally:
            if browser:
                browser.close()
            if serving:
                server.shutdown()
            server.server_close()
    if failures:
        raise Failure("the dashboard did not render offline:\n  " + "\n  ".join(failures))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--html-dir", default=os.path.join(HERE, ".asv", "html"))
    ap.add_argument("--out", default=os.path.join(HERE, ".asv", "screenshots"),
                    help="where the PNGs go (default: .asv/screenshots, git-ignored)")
    ap.add_argument("--benchmark", default="bench_engine.Engine.time_train_sequences",
                    help="the benchmark whose graph page is checked")
    ap.add_argument("--timeout", type=float, default=30, help="seconds each page may take to draw")
    args = ap.parse_args()
    try:
        check(os.path.abspath(args.html_dir), os.path.abspath(args.out), args.benchmark,
              args.timeout, (1280, 900))
    except Failure as e:
        print(f"screenshot_dashboard: error: {e}", file=sys.stderr)
        return 1
    print(f"screenshot_dashboard: the dashboard renders offline; screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
