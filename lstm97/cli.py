"""``lstm97``: reproduce the paper's experiments from the command line.

    lstm97 list                       the experiments, with the paper's figures
    lstm97 run NAME [NAME ...]        train and test, trials in parallel, resumable
    lstm97 report DIR                 Markdown table, paper vs ours
    lstm97 plot DIR                   PNG learning curves
"""

from __future__ import annotations

import argparse
import os
import sys

from pathlib import Path

from .experiments import (BACKENDS, CONSTRUCTIONS, EXPERIMENTS, OPTIONS, get_experiment, parse_settings,
                          read_results, results_path, run_experiment, write_summary)
from .models import UPDATE_MODES
from .report import plot, report, summaries

DEFAULT_DIR = "lstm97-results"


def _parser():
    parser = argparse.ArgumentParser(
        prog="lstm97", description="Reproduce the experiments of Hochreiter & Schmidhuber (1997), "
                                   "Long Short-Term Memory.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the experiments with the paper's figures")

    run = sub.add_parser("run", help="run experiments (resumes what a directory already holds)")
    run.add_argument("experiments", nargs="+", metavar="NAME", help="experiment names (see `lstm97 list`)")
    run.add_argument("--trials", type=int, help="number of trials (default: the paper's)")
    run.add_argument("--jobs", type=int, default=-1, help="worker processes (default: -1, all cores)")
    run.add_argument("--seed", type=int, default=0, help="root seed (default: 0)")
    run.add_argument("--max-sequences", type=int,
                     help="cap on training sequences per trial (default: the experiment's)")
    run.add_argument("--update", choices=UPDATE_MODES,
                     help="apply weight changes at the sequence end (the default) or after every step "
                          "with a target; matters for Exps 1, 2a, 2b; the same as --set update=...")
    run.add_argument("--construction", choices=CONSTRUCTIONS,
                     help="cells present from the start (the default), or added once the error stops "
                          "decreasing, as the paper did for Exps 2a/2b; the same as --set construction=...")
    run.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="settings",
                     help="run a variant with KEY changed (repeatable); keys: " + ", ".join(OPTIONS)
                          + "; the results go to NAME[KEY=VALUE,...].jsonl")
    run.add_argument("--out", default=DEFAULT_DIR, help=f"results directory (default: {DEFAULT_DIR})")
    run.add_argument("--backend", choices=BACKENDS, default="loky",
                     help="loky: processes on this machine; dask: a Dask cluster (needs --scheduler)")
    run.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://127.0.0.1:8786")

    for name, text in (("report", "print and write report.md: paper vs ours"),
                       ("plot", "write PNG learning curves to DIR/plots")):
        p = sub.add_parser(name, help=text)
        p.add_argument("directory", nargs="?", default=DEFAULT_DIR, metavar="DIR")
    return parser


def _list():
    width = max(map(len, EXPERIMENTS))
    print(f"{'experiment':{width}}  table        weights  trials  paper: % success, mean sequences")
    for name, exp in EXPERIMENTS.items():
        success = exp.paper.get("success")
        print(f"{name:{width}}  {exp.table:11}  {exp.topology.n_weights:7}  {exp.trials:6}  "
              f"{'-' if success is None else success:>3}, {exp.paper['sequences']:,}")


def _experiments(args):
    """The experiments the command names, with its --set options applied."""
    settings = parse_settings(args.settings)
    for key in ("update", "construction"):
        if getattr(args, key) is not None:
            settings[key] = getattr(args, key)
    return [get_experiment(name).variant(**settings) if settings else get_experiment(name)
            for name in args.experiments]


def _run(args):
    from tqdm import tqdm

    experiments = _experiments(args)
    for exp in experiments:
        trials = exp.trials if args.trials is None else args.trials
        done = len([r for r in read_results(results_path(args.out, exp)) if r["trial"] < trials])
        with tqdm(total=trials, initial=done, desc=exp.name, unit="trial", disable=None) as bar:
            def progress(record):
                bar.set_postfix(solved="yes" if record["solved"] else "no", refresh=False)
                bar.update()

            run_experiment(exp, args.out, trials=trials, seed=args.seed, jobs=args.jobs,
                           max_sequences=args.max_sequences, backend=args.backend,
                           scheduler=args.scheduler, progress=progress)
    _report(args.out)


def _report(directory):
    """Print the report of ``directory`` and write it there (report.md, summary.json/csv)."""
    if not Path(directory).is_dir():
        raise ValueError(f"{str(directory)!r} is not a directory; run `lstm97 run NAME --out DIR` first")
    rows = summaries(directory)
    if not rows:
        raise ValueError(f"no results in {str(directory)!r}; run `lstm97 run NAME --out DIR` first")
    text = report(rows)
    write_summary(directory, rows)
    (Path(directory) / "report.md").write_text(text)
    print(text, end="")


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "list":
            _list()
        elif args.command == "run":
            _run(args)
        elif args.command == "report":
            _report(args.directory)
        elif args.command == "plot":
            for path in plot(args.directory):
                print(path)
    except (ValueError, RuntimeError) as exc:
        print(f"lstm97: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("lstm97: interrupted; finished trials are saved, run the same command to resume",
              file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader left (`lstm97 list | head`): say nothing more, and point stdout at
        # devnull so that the flush at exit does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
