#!/usr/bin/env python3
"""Record, publish and check the asv dashboard of the current commit, offline.

    python3 tools/dashboard/dashboard.py all [--bench REGEX]... [--quick]

runs the three steps below; each can also be run alone:

  record   asv's machine info, non-interactively, if this machine has none yet (`asv machine
           --yes`), then `asv run --python=same --set-commit-hash=<HEAD>`: the benchmarks run
           against the lstm97 installed in this Python and their results are saved for HEAD
           (a plain `--python=same` run saves nothing). --bench selects benchmarks (asv's regex,
           repeatable); --quick takes one sample of each (`-a repeat=1 -a rounds=1`), saved.
  publish  `asv publish`, then local copies of the pages' CDN libraries from npm (pinned) in
           benchmarks/.asv/html/vendor/, the pages pointed at them, a check that they load
           nothing else, and the grid drawing a lone result as a dot (asv draws only lines).
  check    the published pages in headless Chromium, offline, with screenshots in
           benchmarks/.asv/screenshots/: says which benchmarks are ok, which were not run (no
           result for the commit: expected empty), which failed, and what is broken (a page that
           fails offline). Exits non-zero only for broken pages or when nothing was recorded.

Everything generated stays in benchmarks/.asv/ (git-ignored). Needs asv (`pip install asv`),
Node.js/npm for publish, and Chromium for check (`apt-get install -y chromium`).
"""

import argparse
import glob
import importlib.util
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CONFIG = os.path.join(REPO, "benchmarks", "asv.conf.json")
sys.path.insert(0, HERE)

import offline  # noqa: E402
import render_check  # noqa: E402

#: --quick: one sample per benchmark, with asv's warm-up and its choice of `number` kept. asv's own
#: --quick (number=1, repeat=1, no warm-up) times a single cold call -- the first sample() of a
#: task costs ~25 ms against ~30 us warm -- and its help says such results are not saved.
QUICK = ["-a", "repeat=1", "-a", "rounds=1"]


class Failure(Exception):
    pass


def run(cmd, cwd=None):
    print("+", " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=cwd).returncode


def run_checked(cmd, cwd=None):
    if run(cmd, cwd) != 0:
        raise Failure(f"command failed: {' '.join(cmd)}")


def git(*args):
    out = subprocess.run(["git", "-C", REPO, *args], capture_output=True, text=True)
    return out.stdout.strip() if out.returncode == 0 else None


def asv_module():
    try:
        import asv
    except ImportError:
        raise Failure(f'asv is not installed in {sys.executable}: pip install asv') from None
    return asv


def load_conf(config):
    """asv's reading of the config, with its paths made absolute (asv takes them relative to the
    config's folder: it changes to it)."""
    asv_module()
    from asv.config import Config
    conf = Config.load(config)
    base = os.path.dirname(os.path.abspath(config))
    for attr in ("results_dir", "html_dir", "env_dir", "benchmark_dir"):
        setattr(conf, attr, os.path.normpath(os.path.join(base, getattr(conf, attr))))
    return conf


def head():
    sha = git("rev-parse", "--verify", "HEAD")
    if not sha:
        raise Failure(f"{REPO} is not a git checkout with a commit")
    return sha


def branches_holding(conf, sha):
    """The configured branches whose first-parent history holds `sha` (asv publish's test)."""
    return [b for b in conf.branches if sha in (git("rev-list", "--first-parent", b) or "").split()]


def publish_branch(conf, sha):
    """The branch the commit is published under: a configured one holding it, else the branch
    checked out (added to the config for publishing), else HEAD itself (detached)."""
    held = branches_holding(conf, sha)
    return held[0] if held else (git("symbolic-ref", "--short", "-q", "HEAD") or "HEAD")


# --- record ------------------------------------------------------------------------------------

def ensure_machine(config):
    """asv run asks about the machine at a terminal, and stops elsewhere, when it has no record of
    it; record the defaults (`asv machine --yes`) if there is none, keep it if there is."""
    from asv import util
    from asv.machine import Machine, MachineCollection
    name = Machine.get_unique_machine_name()
    path = MachineCollection.get_machine_file_path()
    try:
        MachineCollection.load(name)
        print(f"asv machine info for {name!r}: {path}")
        return
    except util.UserError:
        pass
    cmd = [sys.executable, "-m", "asv", "machine", "--yes", "--config", config]
    print("+", " ".join(cmd), flush=True)
    out = subprocess.run(cmd, cwd=os.path.dirname(config), stdin=subprocess.DEVNULL,
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise Failure(f"`asv machine --yes` failed:\n{out.stdout}{out.stderr}")
    info = MachineCollection.load(name)
    print(f"asv machine info for {name!r} recorded in {path}: "
          + ", ".join(f"{k}={v}" for k, v in info.items() if k != "machine"))


def record(args, conf):
    sha = args.sha
    spec = importlib.util.find_spec("lstm97")
    if spec is None:
        raise Failure(f'lstm97 is not installed in {sys.executable}: pip install ".[test]" asv')
    print(f"benchmarking the lstm97 in {os.path.dirname(spec.origin)}, results saved for {sha[:8]}")
    if git("status", "--porcelain", "--untracked-files=no"):
        print("  note: the working tree has uncommitted changes; the results are saved for "
              f"{sha[:8]} but measure the installed lstm97 as it is now")
    ensure_machine(os.path.abspath(args.config))
    cmd = [sys.executable, "-m", "asv", "run", "--config", os.path.abspath(args.config),
           "--python=same", f"--set-commit-hash={sha}", "--show-stderr"]
    for regex in args.bench or []:
        cmd += ["--bench", regex]
    if args.quick:
        cmd += QUICK
    for attribute in args.attribute or []:
        cmd += ["-a", attribute]
    rc = run(cmd, cwd=os.path.dirname(os.path.abspath(args.config)))
    saved = glob.glob(os.path.join(conf.results_dir, "*", f"{sha[:8]}-*.json"))
    if rc not in (0, 2) or not saved:
        raise Failure(f"asv run failed (exit {rc}); no results saved for {sha[:8]}" if not saved
                      else f"asv run failed (exit {rc})")
    print(f"record: results for {sha[:8]} in {', '.join(os.path.relpath(p, REPO) for p in saved)}")
    if rc == 2:
        print("record: some benchmarks failed (their errors are above); saved as failed")
    return rc


# --- publish -----------------------------------------------------------------------------------

def publish(args, conf):
    config = os.path.abspath(args.config)
    sha = args.sha
    if not branches_holding(conf, sha):
        # asv publish shows only commits on the configured branches: publish with the current
        # branch added, from a copy of the config in the git-ignored .asv/ folder.
        from asv import util
        branch = publish_branch(conf, sha)
        data = util.load_json(config, js_comments=True)
        data["branches"] = list(data.get("branches", [])) + [branch]
        base = os.path.dirname(config)  # asv takes paths relative to the config's folder
        for key in ("repo", "benchmark_dir", "env_dir", "results_dir", "html_dir"):
            if key in data and "://" not in data[key]:
                data[key] = os.path.normpath(os.path.join(base, data[key]))
        config = os.path.join(os.path.dirname(config), ".asv", "asv.conf.dashboard.json")
        os.makedirs(os.path.dirname(config), exist_ok=True)
        util.write_json(config, data)
        print(f"publish: {sha[:8]} is on none of {conf.branches}: publishing with {branch!r} added")
    run_checked([sys.executable, "-m", "asv", "publish", "--config", config],
                cwd=os.path.dirname(os.path.abspath(args.config)))
    try:
        offline.make_offline(conf.html_dir, run_checked)
    except offline.Failure as e:
        raise Failure(str(e)) from None
    print(f"publish: {os.path.relpath(conf.html_dir, REPO)} loads nothing from outside 127.0.0.1")


# --- check -------------------------------------------------------------------------------------

def check(args, conf):
    sha = args.sha
    expected, machine = render_check.recorded(conf, sha)
    graphs = args.graph or sorted(b for b, s in expected.items() if s == render_check.RESULT)
    try:
        report, shots = render_check.check(conf.html_dir, os.path.abspath(args.out), expected, sha,
                                           publish_branch(conf, sha), machine, graphs, args.timeout)
    except render_check.Failure as e:
        raise Failure(str(e)) from None
    for page, url, summary, png in shots:
        print(f"  {page:12} [{summary}]\n      {url}\n      -> {os.path.relpath(png, REPO)}")
    for page, names in report.missing.items():
        print(f"  note: {page}: no graph file (HTTP 404) for {len(names)} benchmark(s) without a "
              "result, as expected")
    print(f"check: commit {sha[:8]}, {len(expected)} benchmarks:")
    legend = {render_check.OK: "has a result for the commit, shown on every page checked",
              render_check.NOT_RUN: "no result for the commit: empty in the grid, as expected",
              render_check.FAILED: "ran for the commit but stored no value (it raised)",
              "broken": "has a result the pages do not show"}
    for kind, meaning in legend.items():
        names = report.names(kind)
        print(f"  {kind:8} {len(names):3}  ({meaning})")
        for name in names:
            print(f"             {name}")
    if report.broken:
        print("check: BROKEN -- the dashboard fails offline:\n  " + "\n  ".join(report.broken))
        return 1
    if not report.names(render_check.OK):
        print(f"check: the pages work, but no benchmark has a result for {sha[:8]}: "
              "run `dashboard.py record` first")
        return 1
    print("check: the dashboard works offline")
    return 0


def main(argv=None):
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", default=CONFIG, help="asv config (default: benchmarks/asv.conf.json)")
    rec = argparse.ArgumentParser(add_help=False)
    rec.add_argument("--bench", "-b", action="append", metavar="REGEX",
                     help="run only the benchmarks matching REGEX (asv's --bench; repeatable)")
    rec.add_argument("--quick", action="store_true",
                     help="one sample per benchmark (-a repeat=1 -a rounds=1), still saved")
    rec.add_argument("--attribute", "-a", action="append", metavar="KEY=VALUE",
                     help="a benchmark attribute passed to asv run -a (repeatable)")
    chk = argparse.ArgumentParser(add_help=False)
    chk.add_argument("--graph", action="append", metavar="BENCHMARK",
                     help="check this benchmark's graph page (default: every one with a result)")
    chk.add_argument("--out", default=os.path.join(REPO, "benchmarks", ".asv", "screenshots"),
                     help="where the screenshots go (default: benchmarks/.asv/screenshots)")
    chk.add_argument("--timeout", type=float, default=30, help="seconds each page may take to draw")

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    sub = ap.add_subparsers(dest="step", required=True)
    sub.add_parser("record", parents=[common, rec], help="run benchmarks, save results for HEAD")
    sub.add_parser("publish", parents=[common], help="asv publish + local copies of the CDN files")
    sub.add_parser("check", parents=[common, chk], help="headless-Chromium check with screenshots")
    sub.add_parser("all", parents=[common, rec, chk], help="record, publish, check")
    args = ap.parse_args(argv)

    steps = {"record": [record], "publish": [publish], "check": [check],
             "all": [record, publish, check]}[args.step]
    rc, times = 0, []
    try:
        asv = asv_module()
        print(f"asv {asv.__version__}, {sys.executable}")
        conf = load_conf(args.config)
        args.sha = head()  # once: other work may commit while the steps run
        for step in steps:
            start = time.monotonic()
            print(f"== {step.__name__}", flush=True)
            rc = max(rc, step(args, conf) or 0)
            times.append(f"{step.__name__} {time.monotonic() - start:.0f} s")
    except Failure as e:
        print(f"dashboard: error: {e}", file=sys.stderr)
        return 1
    finally:
        if len(steps) > 1 and times:
            print("dashboard: " + ", ".join(times))
    if rc and args.step == "all" and len(times) == 3:
        print("dashboard: exit 1: " + ("benchmarks failed in record (above)" if rc == 2
                                       else "see check above"), file=sys.stderr)
    return 1 if rc else 0


if __name__ == "__main__":
    sys.exit(main())
