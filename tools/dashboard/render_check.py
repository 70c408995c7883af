"""Check a published dashboard in headless Chromium (the `check` step of dashboard.py).

Serves the published folder on 127.0.0.1 (a free port), drives Chromium through the DevTools
protocol on a pipe (no extra packages), visits the benchmark grid, the benchmark list and the
graph page of every benchmark with a result, takes a screenshot of each, and sorts what it saw
into

  ok       a benchmark with a result for the commit, shown on every page checked;
  not run  a benchmark with no result for the commit: its grid box stays empty and the page's
           request for its graph file may get a 404; that is expected, not a fault of the page;
  failed   a benchmark that ran for the commit but stored no value (it raised);
  broken   what fails offline: a JavaScript error, a request to any host but the local server,
           a local file that should be there and is not, a library that did not load, or an
           empty graph where the commit has a result.

Chromium resolves no host but 127.0.0.1, so a CDN reference left over fails here even on a
machine with internet.
"""

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
import urllib.parse
from dataclasses import dataclass, field

OK, NOT_RUN, FAILED = "ok", "not run", "failed"
RESULT = "result"  # has a value for the commit (becomes OK unless a page shows it broken)

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]

FLOT_PLUGINS = {"time", "selection", "categories", "orderBars", "axisLabels"}
MIN_PIXELS = 5  # coloured pixels a plot with visible marks must have drawn

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
    const xs = [];
    let marks = false;
    if (p) for (const s of p.getData()) {
      const pts = s.data.filter(d => d && d[1] !== null && d[1] !== undefined && !Number.isNaN(d[1]));
      pts.forEach(d => xs.push(d[0]));
      if (pts.length && ((s.points && s.points.show) || (s.bars && s.bars.show) ||
                         (s.lines && s.lines.show && pts.length > 1))) marks = true;
    }
    return {id: el.id, plotted: !!p, xs: xs, marks: marks, coloured: base ? coloured(base) : 0,
            bottom: el.getBoundingClientRect().bottom + window.scrollY};
  };
  const modal = document.querySelector('#error');
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
    error_modal: modal && modal.classList.contains('in') ?
      (document.querySelector('#error-message') || {}).textContent || 'error' : null,
    grid: [...document.querySelectorAll('#summarygrid-display .benchmark-plot')].map(plot),
    graph: [...document.querySelectorAll('#main-graph')].filter(e => e.offsetParent).map(plot),
    rows: [...document.querySelectorAll('#summarylist-body table tbody tr')].filter(
      tr => tr.offsetParent).map(tr => {
        const a = tr.querySelector('td a');
        const v = tr.querySelector('td.value');
        return [a ? decodeURIComponent(a.getAttribute('href').slice(1).split('?')[0]) : '',
                v ? v.textContent.trim() : ''];
      }),
    sorted: document.querySelectorAll('#summarylist-body table thead th.asc, ' +
                                      '#summarylist-body table thead th.desc').length,
  });
})()"""


class Failure(Exception):
    pass


# --- what the dashboard should show, from the results ------------------------------------------

def recorded(conf, commit):
    """({benchmark: RESULT | FAILED | NOT_RUN}, machine) for `commit`, as `asv publish` sees the
    results (asv's own reader: results of a benchmark whose code changed since are dropped).
    `machine` is the machine that recorded the commit (the last one read, if several did)."""
    from asv.benchmarks import Benchmarks
    from asv.results import iter_results

    benchmarks = Benchmarks.load(conf)
    status = {name: NOT_RUN for name in benchmarks}
    machine = None
    for results in iter_results(conf.results_dir):
        if results.commit_hash != commit:
            continue
        machine = results.params.get("machine", machine)
        for key in results.get_result_keys(benchmarks):
            values = results.get_result_value(key, benchmarks[key]["params"])
            if any(v is not None and v == v for v in values):  # v == v: not NaN
                status[key] = RESULT
            elif status[key] == NOT_RUN:
                status[key] = FAILED
    return status, machine


# --- sorting what the pages showed -------------------------------------------------------------

@dataclass
class Page:
    """What one page showed. `entries`: {benchmark: {"value": the page shows the commit's value
    (a point at its revision, or a row with a value), "drawn": coloured pixels where flot drew
    visible marks (None where it draws none, e.g. a line through a single point)}};
    `expects`: the benchmarks the page is meant to show; `requests`: [(url, HTTP status or None,
    network error or None)]; `problems`: JavaScript errors, missing libraries, page-level faults."""
    name: str
    expects: list
    entries: dict = field(default_factory=dict)
    requests: list = field(default_factory=list)
    problems: list = field(default_factory=list)


@dataclass
class Report:
    status: dict        # benchmark -> OK | NOT_RUN | FAILED | "broken"
    broken: list        # "page: what is wrong", for every fault
    missing: dict       # page -> benchmarks without a result whose graph file the page asked
                        # for and got a 404: expected, listed for the log

    def names(self, kind):
        return sorted(name for name, s in self.status.items() if s == kind)


def graph_file_benchmark(path):
    """The benchmark a graph data file belongs to (graphs/.../<benchmark>.json), or None."""
    path = urllib.parse.unquote(path.split("?")[0]).lstrip("/")
    if not path.startswith("graphs/") or not path.endswith(".json"):
        return None
    return path.rsplit("/", 1)[1][:-len(".json")]


def classify(expected, pages, origin):
    """Sort the pages' observations into ok / not run / failed / broken.

    `expected`: {benchmark: RESULT | FAILED | NOT_RUN} from the results; `pages`: [Page];
    `origin`: the local server ("http://127.0.0.1:PORT"). Returns a Report."""
    status = {name: (OK if s == RESULT else s) for name, s in expected.items()}
    broken, missing = [], {}

    def fault(page, what, benchmark=None):
        broken.append(f"{page.name}: {what}")
        if benchmark in status and status[benchmark] == OK:
            status[benchmark] = "broken"

    for page in pages:
        for problem in page.problems:
            fault(page, problem)
        for url, code, error in page.requests:
            scheme = url.split(":", 1)[0].lower()
            if scheme not in ("http", "https", "ws", "wss"):
                continue  # data:, blob:, about:
            if not url.startswith(origin + "/"):
                fault(page, f"requested {url} (not the local server)")
                continue
            if (code is None or code < 400) and not error:
                continue
            path = url[len(origin):]
            benchmark = graph_file_benchmark(path)
            why = f"HTTP {code}" if code else error
            if benchmark is not None and expected.get(benchmark, NOT_RUN) != RESULT:
                missing.setdefault(page.name, [])
                if benchmark not in missing[page.name]:
                    missing[page.name].append(benchmark)
            else:
                fault(page, f"{why} for {path.split('?')[0]}", benchmark)
        gaps = {}  # what is wrong -> the benchmarks with a result it hits on this page
        for benchmark in page.expects:
            if expected.get(benchmark) != RESULT:
                continue
            entry = page.entries.get(benchmark)
            if entry is None:
                what = "not on the page although the commit has a result"
            elif not entry["value"]:
                what = "an empty graph although the commit has a result"
            elif entry.get("drawn") is False:
                what = "the commit's value is in the plot data but nothing was drawn"
            else:
                continue
            gaps.setdefault(what, []).append(benchmark)
        for what, names in gaps.items():
            for name in names:
                if status.get(name) == OK:
                    status[name] = "broken"
            shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            broken.append(f"{page.name}: {shown}: {what}")
    return Report(status, broken, missing)


def libraries_problems(s):
    """What is missing from the page's libraries, per the probe `s` (empty when all are there)."""
    bad = []
    if s.get("file") == "error.html":
        return ["asv showed error.html: a library failed to load"]
    if not s.get("jquery"):
        return ["jQuery never loaded"]
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
    if s.get("error_modal"):
        bad.append(f"asv showed its error dialog: {s['error_modal']}")
    return bad


def plot_entry(plot, revision):
    return {"value": revision in plot["xs"],
            "drawn": (plot["coloured"] >= MIN_PIXELS) if plot["marks"] else None}


def entries(kind, state, revision, benchmark=None):
    """The probe's view of one page as Page.entries (see Page)."""
    if kind == "index":
        return {p["id"][len("summarygrid-"):]: plot_entry(p, revision) for p in state.get("grid", [])}
    if kind == "graph":
        graphs = state.get("graph", [])
        return {benchmark: plot_entry(graphs[0], revision)} if graphs else {}
    rows = {}
    for name, value in state.get("rows", []):
        rows[name] = {"value": rows.get(name, {}).get("value", False) or bool(value), "drawn": None}
    return rows


def network_log(events):
    """[(url, status, error)] of the requests in DevTools events, and the JavaScript errors."""
    urls, status, errors, js = {}, {}, {}, []
    for e in events:
        p = e.get("params", {})
        method = e.get("method")
        if method == "Network.requestWillBeSent":
            urls[p["requestId"]] = p["request"]["url"]
        elif method == "Network.responseReceived":
            status[p["requestId"]] = p["response"]["status"]
        elif method == "Network.loadingFailed" and not p.get("canceled"):
            errors[p["requestId"]] = p["errorText"]
        elif method == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            text = d.get("exception", {}).get("description") or d.get("text") or "?"
            js.append("JavaScript error: " + " ".join(text.split()))
    requests = [(url, status.get(rid), errors.get(rid)) for rid, url in urls.items()]
    return requests, js


# --- the browser -------------------------------------------------------------------------------

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


class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # Chromium dropped a request
            super().handle_error(request, client_address)


def find_chromium():
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    raise Failure("Chromium not found: apt-get install -y chromium (or set CHROMIUM=/path/to/it)")


def hash_params(params):
    return "&".join(f"{urllib.parse.quote(k)}={urllib.parse.quote(v)}" for k, v in params.items())


def check(html_dir, out_dir, expected, commit, branch, machine, graphs, timeout, size=(1280, 900)):
    """Visit the pages, screenshot them, and return (Report, [(page, url, summary, png)])."""
    chromium = find_chromium()
    for need, why in (("index.json", "nothing published"),
                      ("vendor", "no vendor/ folder: publish with dashboard.py, not `asv publish`")):
        if not os.path.exists(os.path.join(html_dir, need)):
            raise Failure(f"{html_dir}: {why}")
    with open(os.path.join(html_dir, "index.json")) as f:
        index = json.load(f)
    revisions = {h: int(r) for r, h in index["revision_to_hash"].items()}
    revision = revisions.get(commit)
    extra = []
    if revision is None and any(s == RESULT for s in expected.values()):
        extra.append(f"commit {commit[:8]} has results but is not on the dashboard "
                     "(is it on one of the branches in asv.conf.json?)")
    os.makedirs(out_dir, exist_ok=True)
    for old in os.listdir(out_dir):
        if old.endswith(".png"):
            os.remove(os.path.join(out_dir, old))

    # The list page shows the first machine and branch, the graph page the first branch,
    # unless told: show the ones the commit was recorded on.
    params = {}
    if branch and len(index["params"].get("branch", [])) > 1:
        params["branch"] = branch
    if machine and len(index["params"].get("machine", [])) > 1:
        params["machine"] = machine
    query = ("?" + hash_params(params)) if params else ""
    everything = list(index["benchmarks"])
    visits = [("index", "#/", "index", everything, None),
              ("summarylist", "#/summarylist" + query, "summarylist", everything, None)]
    for name in graphs:
        visits.append((f"graph-{name}", f"#{urllib.parse.quote(name)}{query}", "graph", [name], name))

    pages, shots = [], []
    with tempfile.TemporaryDirectory(prefix="dash-chromium-") as profile:
        log_path = os.path.join(profile, "chromium.log")
        handler = functools.partial(QuietHandler, directory=html_dir)
        server = Server(("127.0.0.1", 0), handler)  # a free port
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

            def viewport(height):
                browser.send("Emulation.setDeviceMetricsOverride", {"width": size[0], "height": height,
                             "deviceScaleFactor": 1, "mobile": False}, session)

            def probe():
                reply = browser.send("Runtime.evaluate", {"expression": PROBE, "returnByValue": True}, session)
                return json.loads(reply["result"].get("value") or "null") or {}

            for page_name, fragment, kind, expects, benchmark in visits:
                viewport(size[1])
                browser.send("Page.navigate", {"url": "about:blank"}, session)
                browser.events.clear()
                url = f"{origin}/index.html{fragment}"
                browser.send("Page.navigate", {"url": url}, session)
                want = [b for b in expects if expected.get(b) == RESULT]
                deadline = time.monotonic() + timeout
                grown = False
                while True:
                    state = probe()
                    if state.get("file") == "error.html" or state.get("error_modal"):
                        break
                    if state.get("ready") == "complete" and state.get("jquery"):
                        if kind == "index" and state["grid"] and not grown:
                            # asv loads a grid plot when it scrolls into view: make them all be
                            height = int(max(p["bottom"] for p in state["grid"])) + 40
                            viewport(min(max(height, size[1]), 16000))
                            browser.send("Runtime.evaluate",
                                         {"expression": "jQuery(window).trigger('scroll')"}, session)
                            grown = True
                            continue
                        seen = entries(kind, state, revision, benchmark)
                        if kind == "summarylist":
                            done = bool(state["rows"]) and state["sorted"] == 1 and \
                                all(seen.get(b, {}).get("value") for b in want)
                        else:
                            done = (kind != "index" or grown) and \
                                all(seen.get(b, {}).get("value") for b in want)
                        if done:
                            break
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.25)
                time.sleep(0.5)  # let the last frame paint and late requests finish
                state = probe()
                shot = browser.send("Page.captureScreenshot", {"format": "png"}, session)["data"]
                png = os.path.join(out_dir, f"{page_name}.png")
                with open(png, "wb") as f:
                    f.write(base64.b64decode(shot))

                requests, js_errors = network_log(browser.events)
                page = Page(page_name, expects, entries(kind, state, revision, benchmark), requests,
                            js_errors + libraries_problems(state) + (extra if kind == "index" else []))
                if kind == "summarylist" and want and not page.problems and state.get("sorted") != 1:
                    page.problems.append("the benchmark list was not sorted (stupidtable)")
                pages.append(page)
                shots.append((page_name, url, describe(kind, state, page.entries, expected), png))
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
    return classify(expected, pages, origin), shots


def describe(kind, state, seen, expected):
    """One line on what a page showed, for the log."""
    shown = sum(1 for e in seen.values() if e["value"])
    if kind == "index":
        empty = sum(1 for b, e in seen.items() if not e["value"] and expected.get(b) != RESULT)
        return f"{shown} of {len(seen)} grid plots show the commit, {empty} empty (not run/failed)"
    if kind == "graph":
        g = state.get("graph") or [{}]
        return (f"{len(set(g[0].get('xs', [])))} commit(s) plotted, {len(g[0].get('xs', []))} points, "
                f"{g[0].get('coloured', 0)} coloured pixels") if state.get("graph") else "no graph"
    return f"{len(state.get('rows', []))} rows for {shown} benchmarks, " \
           f"{'sorted' if state.get('sorted') else 'not sorted'}"
