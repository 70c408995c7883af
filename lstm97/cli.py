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

from .experiments import CONSTRUCTIONS, EXPERIMENTS, get_experiment
from .network import UPDATE_MODES
from .report import plot, report
from .runner import BACKENDS, collect, read_results, results_path, run_experiment

DEFAULT_DIR = "lstm97-results"


def _positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _jobs(text):
    value = int(text)
    if value == 0 or value < -1:
        raise argparse.ArgumentTypeError(f"must be a positive number of processes or -1 (all cores), got {text}")
    return value


def _parser():
    parser = argparse.ArgumentParser(
        prog="lstm97", description="Reproduce the experiments of Hochreiter & Schmidhuber (1997), "
                                   "Long Short-Term Memory.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the experiments with the paper's figures")

    run = sub.add_parser("run", help="run experiments (resumes what a directory already holds)")
    run.add_argument("experiments", nargs="+", metavar="NAME", help="experiment names (see `lstm97 list`)")
    run.add_argument("--trials", type=_positive, help="number of trials (default: the paper's)")
    run.add_argument("--jobs", type=_jobs, default=-1, help="worker processes (default: -1, all cores)")
    run.add_argument("--seed", type=int, default=0, help="root seed (default: 0)")
    run.add_argument("--max-sequences", type=_positive,
                     help="cap on training sequences per trial (default: the experiment's)")
    run.add_argument("--update", choices=UPDATE_MODES, default="sequence",
                     help="apply weight changes at the sequence end (default) or after every step "
                          "with a target; matters for Exps 1, 2a, 2b")
    run.add_argument("--construction", choices=CONSTRUCTIONS, default="present",
                     help="cells present from the start (default), or added once the error stops "
                          "decreasing, as the paper did for Exps 2a/2b")
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
        print(f"{name:{width}}  {exp.table:11}  {exp.table10.topology.n_weights:7}  {exp.trials:6}  "
              f"{'-' if success is None else success:>3}, {exp.paper['sequences']:,}")


def _run(args):
    from tqdm import tqdm

    for name in args.experiments:
        get_experiment(name)
    if args.backend == "dask" and not args.scheduler:
        raise ValueError("--backend dask needs --scheduler ADDRESS")
    for name in args.experiments:
        exp = get_experiment(name)
        trials = args.trials or exp.trials
        done = len([r for r in read_results(results_path(args.out, name)) if r["trial"] < trials])
        with tqdm(total=trials, initial=done, desc=name, unit="trial", disable=None) as bar:
            def progress(record):
                bar.set_postfix(solved="yes" if record["solved"] else "no", refresh=False)
                bar.update()

            run_experiment(name, args.out, trials=trials, seed=args.seed, jobs=args.jobs,
                           max_sequences=args.max_sequences, update=args.update,
                           construction=args.construction, backend=args.backend,
                           scheduler=args.scheduler, progress=progress)
    print(report(args.out), end="")


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "list":
            _list()
        elif args.command == "run":
            _run(args)
        elif args.command == "report":
            if not collect(args.directory):
                raise ValueError(f"no results in {args.directory!r}; run `lstm97 run NAME --out DIR` first")
            print(report(args.directory), end="")
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
