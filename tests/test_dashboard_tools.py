"""The offline-dashboard tooling (tools/dashboard/): the CDN rewriting and the check's sorting of
"not run" from "broken". Fast and local: no network, no Chromium, no asv needed."""

import sys
from pathlib import Path

import pytest

DASHBOARD = Path(__file__).resolve().parent.parent / "tools" / "dashboard"
sys.path.insert(0, str(DASHBOARD))

import offline  # noqa: E402
import render_check as rc  # noqa: E402

#: The <head> of asv 0.6.6's www/index.html, as far as it loads things.
SAMPLE_INDEX = """<!doctype html>
<html>
  <head>
    <script type="text/javascript">
      function js_load_failure() {
        window.location = "error.html";
      }
    </script>
    <script src="https://code.jquery.com/jquery-3.3.1.min.js" integrity="sha256-FgpCb/KJQlLNfOu91ta32o/NMZxltwRo8QtmkMRdAu8=" crossorigin="anonymous" onerror="js_load_failure()"></script>
    <script src="https://cdnjs.cloudflare.com/ajax/libs/flot/0.8.3/jquery.flot.min.js" integrity="sha512-eO1AKNIv7KSFl5n81oHCKnYLMi8UV4wWD1TcLYKNTssoECDuiGhoRsQkdiZkl8VUjoms2SeJY7zTSw5noGSqbQ==" crossorigin="anonymous" referrerpolicy="no-referrer" onerror="js_load_failure()"></script>
    <script src="https://cdnjs.cloudflare.com/ajax/libs/flot/0.8.3/jquery.flot.time.min.js" integrity="sha512-lcRowrkiQvFli9HkuJ2Yr58iEwAtzhFNJ1Galsko4SJDhcZfUub8UxGlMQIsMvARiTqx2pm7g6COxJozihOixA==" crossorigin="anonymous" referrerpolicy="no-referrer" onerror="js_load_failure()"></script>
    <script src="https://cdnjs.cloudflare.com/ajax/libs/flot/0.8.3/jquery.flot.selection.min.js" integrity="sha512-3EUG0t3qfbLaGN3FXO86i+57nvxHOXvIb/xMSKRrCuX/HXdn1bkbqwAeLd6U1PDmuEB2cnKhfM+SGLAVQbyjWQ==" crossorigin="anonymous" referrerpolicy="no-referrer" onerror="js_load_failure()"></script>
    <script src="https://cdnjs.cloudflare.com/ajax/libs/flot/0.8.3/jquery.flot.categories.min.js" integrity="sha512-x4QGSZkQ57pNuICMFFevIhDer5NVB5eJCRmENlCdJukMs8xWFH8OHfzWQVSkl9VQ4+4upPPTkHSAewR6KNMjGA==" crossorigin="anonymous" referrerpolicy="no-referrer" onerror="js_load_failure()"></script>
    <script language="javascript" type="text/javascript" src="jquery.flot.axislabels.js"></script>
    <script src="https://cdn.jsdelivr.net/npm/flot-orderbars@1.0.0/js/jquery.flot.orderBars.js" integrity="sha256-OXNbT0b5b/TgglckAfR8VaJ2ezZv0dHoIeRKjYMKEr8=" crossorigin="anonymous" onerror="js_load_failure()"></script>
    <script src="https://cdnjs.cloudflare.com/ajax/libs/stupidtable/1.0.1/stupidtable.min.js" integrity="sha512-GM3Ds3dUrgkpKVXc+4RxKbQDoeTemdlzXxn5d/QCOJT6EFdEufu1UTVBpIFDLd6YjIhSThNe+zpo1mwqzNq4GQ==" crossorigin="anonymous" referrerpolicy="no-referrer" onerror="js_load_failure()"></script>
    <script src="https://cdnjs.cloudflare.com/ajax/libs/blueimp-md5/2.19.0/js/md5.min.js" integrity="sha512-8pbzenDolL1l5OPSsoURCx9TEdMFTaeFipASVrMYKhuYtly+k3tcsQYliOEKTmuB1t7yuzAiVo+yd7SJz+ijFQ==" crossorigin="anonymous" referrerpolicy="no-referrer" onerror="js_load_failure()"></script>
    <script src="https://cdn.jsdelivr.net/npm/bootstrap@3.1.1/dist/js/bootstrap.min.js" integrity="sha256-iY0FoX8s/FEg3c26R6iFw3jAtGbzDwcA5QJ1fiS0A6E=" crossorigin="anonymous" onerror="js_load_failure()"></script>
    <link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/bootstrap@3.1.1/dist/css/bootstrap.min.css" integrity="sha256-6VA0SGkrc43SYPvX98q/LhHwm2APqX5us6Vuulsafps=" crossorigin="anonymous">
    <script language="javascript" type="text/javascript"
            src="asv.js">
    </script>
    <link href="asv.css" rel="stylesheet" type="text/css"/>
    <link rel="shortcut icon" href="swallow.ico"/>
  </head>
  <body>
    <a href="https://github.com/airspeed-velocity/asv/" class="navbar-link">airspeed velocity</a>
  </body>
</html>
"""

#: summarygrid.js's plot call, as in asv 0.6.6.
SAMPLE_GRID = """                var options = {series: {lines: {show: true}}, yaxis: {ticks: [], min: 0}};

                var plot = $.plot(
                    plot_div, [{data: data}], options);
            }).fail(function() {
"""

ORIGIN = "http://127.0.0.1:8000"


JQUERY_SRI = "sha256-FgpCb/KJQlLNfOu91ta32o/NMZxltwRo8QtmkMRdAu8="


def rewritten(text, identical=()):
    """The sample rewritten as publish does it; the copies in `identical` are jQuery's CDN file."""
    def integrity_of(path, algorithm):
        return JQUERY_SRI if path in identical else f"{algorithm}-of-the-npm-file"
    return offline.rewrite_html(text, offline.local_paths(), integrity_of)


def test_every_cdn_url_of_the_sample_becomes_a_local_vendor_path(tmp_path):
    assert all(url in SAMPLE_INDEX for url in offline.CDN)  # the sample has them all
    new, notes = rewritten(SAMPLE_INDEX)
    assert len(notes) == len(offline.CDN)
    for url, (package, path) in offline.CDN.items():
        assert url not in new
        assert f'"vendor/{package}/{path}"' in new
    (tmp_path / "index.html").write_text(new)
    loads, links = offline.external_loads(tmp_path)
    assert loads == []  # nothing is loaded from another host any more
    assert links == [("index.html", "https://github.com/airspeed-velocity/asv/")]  # a link, kept
    assert 'src="asv.js"' in new and "onerror=\"js_load_failure()\"" in new


def test_integrity_is_kept_only_for_byte_identical_copies():
    jquery = "vendor/jquery/dist/jquery.min.js"
    new, notes = rewritten(SAMPLE_INDEX, identical={jquery})
    jquery_tag = next(line for line in new.splitlines() if jquery in line)
    flot_tag = next(line for line in new.splitlines() if "vendor/flot/jquery.flot.js" in line)
    assert f'integrity="{JQUERY_SRI}"' in jquery_tag
    assert "integrity" not in flot_tag
    assert sum("integrity kept" in n for n in notes) == 1


def test_a_cdn_url_left_over_is_found(tmp_path):
    (tmp_path / "index.html").write_text(SAMPLE_INDEX)
    (tmp_path / "x.css").write_text("/* https://example.org banner */ a { background: url(//cdn.example/x.png) }")
    loads, _ = offline.external_loads(tmp_path)
    assert {u for _, u in loads} == set(offline.CDN) | {"//cdn.example/x.png"}


def test_the_grid_draws_single_points_and_is_patched_once():
    new, patched = offline.patch_summary_grid(SAMPLE_GRID)
    assert patched and offline.GRID_MARK in new and "points" in new
    assert new.index(offline.GRID_MARK) < new.index("var plot = $.plot(")
    assert offline.patch_summary_grid(new) == (new, True)
    assert offline.patch_summary_grid("something else") == ("something else", False)


# --- the check's sorting -----------------------------------------------------------------------

EXPECTED = {"a.time_x": rc.RESULT, "a.time_y": rc.RESULT, "b.time_z": rc.NOT_RUN, "b.track_w": rc.FAILED}
DRAWN = {"value": True, "drawn": True}


def index_page(entries=None, requests=(), problems=()):
    shown = {"a.time_x": DRAWN, "a.time_y": DRAWN,
             "b.time_z": {"value": False, "drawn": None}, "b.track_w": {"value": False, "drawn": None}}
    return rc.Page("index", list(EXPECTED), {**shown, **(entries or {})}, list(requests), list(problems))


def test_a_benchmark_not_run_is_not_run_not_broken():
    page = index_page(requests=[(f"{ORIGIN}/index.html", 200, None),
                                (f"{ORIGIN}/graphs/summary/b.time_z.json?timestamp=1", 404, None),
                                (f"{ORIGIN}/graphs/summary/b.track_w.json?timestamp=1", 404, None)])
    report = rc.classify(EXPECTED, [page], ORIGIN)
    assert report.broken == []
    assert report.names(rc.OK) == ["a.time_x", "a.time_y"]
    assert report.names(rc.NOT_RUN) == ["b.time_z"]
    assert report.names(rc.FAILED) == ["b.track_w"]
    assert report.missing == {"index": ["b.time_z", "b.track_w"]}


def test_a_missing_graph_file_of_a_benchmark_with_a_result_is_broken():
    page = index_page(entries={"a.time_x": {"value": False, "drawn": None}},
                      requests=[(f"{ORIGIN}/graphs/summary/a.time_x.json?timestamp=1", 404, None)])
    report = rc.classify(EXPECTED, [page], ORIGIN)
    assert report.names("broken") == ["a.time_x"]
    assert report.names(rc.NOT_RUN) == ["b.time_z"]  # still told apart
    assert any("HTTP 404 for /graphs/summary/a.time_x.json" in b for b in report.broken)
    assert any("empty graph" in b for b in report.broken)


@pytest.mark.parametrize("requests, problems, fault", [
    ([("https://code.jquery.com/jquery-3.3.1.min.js", None, "net::ERR_NAME_NOT_RESOLVED")], [],
     "requested https://code.jquery.com/jquery-3.3.1.min.js (not the local server)"),
    ([("http://127.0.0.1:9/other-port.js", 200, None)], [], "not the local server"),
    ([(f"{ORIGIN}/vendor/flot/jquery.flot.js", 404, None)], [], "HTTP 404 for /vendor/flot/jquery.flot.js"),
    ([(f"{ORIGIN}/asv.js", None, "net::ERR_CONNECTION_RESET")], [], "net::ERR_CONNECTION_RESET for /asv.js"),
    ([], ["JavaScript error: ReferenceError: x is not defined"], "JavaScript error"),
])
def test_what_fails_offline_is_broken_even_when_every_graph_is_there(requests, problems, fault):
    report = rc.classify(EXPECTED, [index_page(requests=requests, problems=problems)], ORIGIN)
    assert len(report.broken) == 1 and fault in report.broken[0]
    assert report.names(rc.NOT_RUN) == ["b.time_z"]


def test_a_plot_without_the_commit_or_without_pixels_is_broken():
    page = index_page(entries={"a.time_x": {"value": True, "drawn": False}})
    graph = rc.Page("graph-a.time_y", ["a.time_y"], {})  # the graph page showed no graph
    report = rc.classify(EXPECTED, [page, graph], ORIGIN)
    assert report.names("broken") == ["a.time_x", "a.time_y"]
    assert len(report.broken) == 2


def test_pages_that_load_nothing_of_a_benchmark_not_run_are_fine():
    graph = rc.Page("graph-b.time_z", ["b.time_z"], {}, [(f"{ORIGIN}/graphs/m/b.time_z.json", 404, None)])
    report = rc.classify(EXPECTED, [graph], ORIGIN)
    assert report.broken == [] and report.names(rc.NOT_RUN) == ["b.time_z"]


def test_the_probe_is_read_against_the_commits_revision():
    state = {"grid": [{"id": "summarygrid-a.time_x", "xs": [67, 68], "marks": True, "coloured": 40},
                      {"id": "summarygrid-a.time_y", "xs": [67], "marks": True, "coloured": 40},
                      {"id": "summarygrid-b.time_z", "xs": [], "marks": False, "coloured": 0}]}
    seen = rc.entries("index", state, 68)
    assert seen["a.time_x"] == {"value": True, "drawn": True}
    assert seen["a.time_y"]["value"] is False  # a point, but of an older commit
    assert seen["b.time_z"] == {"value": False, "drawn": None}
    rows = rc.entries("summarylist", {"rows": [["a.time_x", "1.2ms"], ["a.time_x", ""]]}, 68)
    assert rows == {"a.time_x": {"value": True, "drawn": None}}


def test_network_log_pairs_requests_with_their_outcome():
    events = [
        {"method": "Network.requestWillBeSent", "params": {"requestId": "1", "request": {"url": "u1"}}},
        {"method": "Network.responseReceived", "params": {"requestId": "1", "response": {"status": 404}}},
        {"method": "Network.requestWillBeSent", "params": {"requestId": "2", "request": {"url": "u2"}}},
        {"method": "Network.loadingFailed", "params": {"requestId": "2", "errorText": "net::ERR_FAILED"}},
        {"method": "Runtime.exceptionThrown",
         "params": {"exceptionDetails": {"exception": {"description": "TypeError: t\n  at x.js:1"}}}},
    ]
    requests, js = rc.network_log(events)
    assert requests == [("u1", 404, None), ("u2", None, "net::ERR_FAILED")]
    assert js == ["JavaScript error: TypeError: t at x.js:1"]


def test_the_real_asv_index_html_is_fully_rewritten_when_asv_is_installed(tmp_path):
    asv = pytest.importorskip("asv")
    page = Path(asv.__file__).parent / "www" / "index.html"
    new, _ = rewritten(page.read_text())
    (tmp_path / "index.html").write_text(new)
    assert offline.external_loads(tmp_path)[0] == [], f"asv {asv.__version__} loads a CDN file CDN lacks"
    grid = (Path(asv.__file__).parent / "www" / "summarygrid.js").read_text()
    assert offline.patch_summary_grid(grid)[1], f"asv {asv.__version__}'s summarygrid.js changed"

