"""``lstm97``: reproduce the paper's experiments from the command line.

    lstm97 list                       the experiments, with the paper's figures
    lstm97 run NAME [NAME ...]        train and test, trials in parallel, resumable
    lstm97 run --all [--guessing]     every LSTM row of the paper [and of the guessing study]
    lstm97 run --competitors          the competitors' rows (RTRL, BPTT, Elman) of Tables 1-2
    lstm97 sweep ROW --grid K=V1,V2   every combination of readings of a row, ranked
    lstm97 sweep ROW --catalogue      each reading of the catalogue, one at a time, ranked
    lstm97 readings [ROW]             the catalogue of the paper's open readings [for a row]
    lstm97 report [DIR] [--overview]  Markdown table, paper vs ours
    lstm97 plot [DIR]                 PNG learning curves and a summary figure
    lstm97 errorflow --out DIR        the error-flow figures of sections 3 and A.2 (docs/errorflow.md)

The CLI only parses: every argument is checked by the function that owns it, and every
failure a user can cause ends in one ``lstm97: error: ...`` line and exit code 2.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from . import __version__
from .experiments import (BACKENDS, COMPETITORS, CONSTRUCTIONS, EXPERIMENTS, GUESSING, OPTIONS, get_experiment,
                          paper_order, parse_settings, read_results, results_path, run_experiment, summarize,
                          write_summary)
from .experiments.runner import CHECKPOINT_EVERY
from .experiments.readings import CATALOGUE, best_reading, readings, screen
from .experiments.sweep import grid, parse_grid, ranking
from .models import UPDATE_MODES
from .report import overview, plot, report, summaries

DEFAULT_DIR = "lstm97-results"


class _Help(argparse.HelpFormatter):
    """Every help text ends with its default, unless it says it or there is none."""

    def _get_help_string(self, action):
        text = action.help or ""
        none = action.default is None or action.default is False or action.default == [] \
            or action.default == argparse.SUPPRESS
        if "default" in text or none or not action.option_strings and action.nargs != "?":
            return text
        return f"{text} (default: {action.default})"


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Help)
        super().__init__(*args, **kwargs)


def _parser():
    parser = _Parser(prog="lstm97", description="Reproduce the experiments of Hochreiter & Schmidhuber "
                                                "(1997), Long Short-Term Memory.")
    parser.add_argument("--version", action="version", version=f"lstm97 {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    sub.add_parser("list", help="list the experiments with the paper's figures",
                   description="List every experiment: its table, weights, trials and the paper's figures.")

    run = sub.add_parser("run", help="run experiments (resumes what DIR already holds)",
                         description="Train and test the trials of each experiment, in parallel, into "
                                     "DIR/NAME.jsonl; running the same command again resumes. Prints the "
                                     "paper's figures next to ours.")
    run.add_argument("experiments", nargs="*", metavar="NAME",
                     help="experiment names (see `lstm97 list`), or variants NAME[KEY=VALUE,...]")
    run.add_argument("--all", action="store_true", help="every LSTM row of the paper, in its order")
    run.add_argument("--guessing", action="store_true", help="every row of the weight-guessing study")
    run.add_argument("--competitors", action="store_true",
                     help="every competitor's row (full RTRL, BPTT, Elman nets) of Tables 1 and 2 and Exp 2b")
    run.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="settings",
                     help="run a variant with KEY changed (repeatable); keys: " + ", ".join(OPTIONS)
                          + "; results go to DIR/NAME[KEY=VALUE,...].jsonl")
    run.add_argument("--update", choices=UPDATE_MODES,
                     help="the same as --set update=...: apply weight changes at the sequence end "
                          "(the default) or after every step with a target")
    run.add_argument("--reading", choices=["literal", "best"], default="literal",
                     help="literal: the rows as the paper's text reads (the default); best: each row's best "
                          "reading found so far (`lstm97 readings ROW`), where it has one")
    run.add_argument("--construction", choices=CONSTRUCTIONS,
                     help="the same as --set construction=...: cells present from the start (the "
                          "default), or added once the error stops decreasing (Exps 2a/2b)")

    sweep = sub.add_parser("sweep", help="run every combination of readings of a row, ranked by distance to the paper",
                           description="Run every combination of the --grid values as a variant of ROW (each "
                                       "into DIR/ROW[...].jsonl, resumable as `run`), then print the cells "
                                       "ranked by their distance to the paper's figures, and write it to "
                                       "DIR/sweep-ROW.md. With --catalogue, the cells are the catalogue's "
                                       "readings of ROW, one at a time.")
    sweep.add_argument("row", metavar="ROW", help="a row of the paper (see `lstm97 list`)")
    axes = sweep.add_mutually_exclusive_group(required=True)
    axes.add_argument("--grid", action="append", default=[], metavar="KEY=V1,V2,...",
                      help="an axis of the grid (repeatable): a --set key and its values; keys: " + ", ".join(OPTIONS))
    axes.add_argument("--catalogue", action="store_true",
                      help="instead of a grid: each alternative of each reading of the catalogue that applies "
                           "to ROW, one at a time (`lstm97 readings ROW` lists them)")
    for p in (run, sweep):
        _run_options(p)

    readings_parser = sub.add_parser(
        "readings", help="the catalogue of the paper's open readings",
        description="List every point where the paper's text leaves a choice open, as --set options: "
                    "lstm97's reading, the alternatives, what the text says and what our runs found. With "
                    "ROW, the readings that apply to it and its best reading found so far.")
    readings_parser.add_argument("row", nargs="?", metavar="ROW", help="a row of the paper (see `lstm97 list`)")

    for name, text, description in (
            ("report", "print the paper's figures next to ours",
             "Print the Markdown table of every experiment in DIR, and write it to DIR/report.md "
             "with DIR/summary.json and DIR/summary.csv."),
            ("plot", "draw learning curves and a summary figure",
             "Write a PNG per experiment and a summary figure to DIR/plots, and print their paths.")):
        p = sub.add_parser(name, help=text, description=description)
        p.add_argument("directory", nargs="?", default=DEFAULT_DIR, metavar="DIR", help="results directory")
    sub.choices["report"].add_argument(
        "--overview", action="store_true",
        help="print one line per row of the paper instead: the literal reading's figures and the best "
             "reading found (docs/reproduction.md's lead table); the files are written as without it")

    flow = sub.add_parser("errorflow", help="measure the error flow of standard nets and LSTM, and draw it",
                          description="Measure how errors sent back in time are scaled in standard recurrent "
                                      "nets and in LSTM (the paper's section 3 and appendix A.2), and write "
                                      "DIR/errorflow-a.png .. errorflow-d.png and DIR/errorflow.csv; print "
                                      "what was written and the measured figures (docs/errorflow.md).")
    flow.add_argument("--out", default="errorflow", metavar="DIR", help="directory for the pictures and the CSV")
    flow.add_argument("--seed", type=int, default=0, help="seed of every random draw")
    flow.add_argument("--quiet", action="store_true", help="no progress bar and no summary; errors only")
    return parser, sub.choices


def _run_options(p):
    """The options of how trials run, which ``run`` and ``sweep`` share."""
    p.add_argument("--trials", type=int, help="number of trials (default: the paper's)")
    p.add_argument("--jobs", type=int, default=-1, help="worker processes; -1: one per core")
    p.add_argument("--seed", type=int, default=0, help="root seed")
    p.add_argument("--max-sequences", type=int, metavar="N",
                   help="cap on training sequences per trial (default: the experiment's)")
    p.add_argument("--out", default=DEFAULT_DIR, metavar="DIR", help="results directory")
    p.add_argument("--backend", choices=BACKENDS, default="local",
                   help="local: worker processes on this machine; dask: a Dask cluster (needs --scheduler)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://127.0.0.1:8786")
    p.add_argument("--lanes", type=int, metavar="K",
                   help="trials each process trains at once in lockstep: 4, 8 or 16, or 0 for one at a "
                        "time (default: the fewest that hold a process's share); more lanes, more trials "
                        "per hour, each trial slower; the records are the same")
    p.add_argument("--checkpoint-every", type=float, default=CHECKPOINT_EVERY, metavar="SECONDS",
                   help="save each running trial's state this often (default: %(default)g), so that a "
                        "run killed mid-trial resumes from there; 0: never")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no report; errors only")


def _parse(argv):
    """Parse ``argv``; an unknown option is reported with the usage of its subcommand."""
    parser, commands = _parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        commands[args.command].error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def _list():
    names = paper_order()
    width = max(map(len, [*names, "weight guessing experiments"]))
    lstm = [n for n in names if n not in GUESSING]
    for group, rows, unit in (("paper", lstm, "sequences"), ("weight guessing", list(GUESSING), "guesses")):
        print(f"{group + ' experiments':{width}}  table        learner  weights  trials  paper: % success, mean {unit}")
        for name in rows:
            exp = get_experiment(name)
            success, mean = exp.paper.get("success"), exp.paper.get("sequences")
            learner = getattr(exp, "learner", "guess")
            if getattr(exp, "window", None):
                learner += f"({exp.window})"
            print(f"{name:{width}}  {exp.table:11}  {learner:7}  {exp.topology.n_weights:7}  {exp.trials:6}  "
                  f"{'-' if success is None else success:>3}, {'-' if mean is None else f'{mean:,}'}")
        if rows is lstm:
            print()


def _experiments(args):
    """The experiments the command names, with its --set options applied."""
    settings = parse_settings(args.settings)
    for key in ("update", "construction"):
        if getattr(args, key) is not None:
            settings[key] = getattr(args, key)
    names = [*args.experiments, *(EXPERIMENTS if args.all else ()), *(GUESSING if args.guessing else ()),
             *(COMPETITORS if getattr(args, "competitors", False) else ())]
    if not names:
        raise ValueError("name at least one experiment (see `lstm97 list`), or give --all, --guessing or "
                         "--competitors")
    experiments = [get_experiment(name) for name in names]
    if getattr(args, "reading", "literal") == "best":
        experiments = [best_reading(exp) or exp for exp in experiments]
    return [exp.variant(**settings) if settings else exp for exp in experiments]


def _readings(args):
    """Print the catalogue, or a row's readings, its screen and its best reading."""
    if args.row is None:
        for r in CATALOGUE:
            print(f"{r.key} = {', '.join(map(str, r.alternatives))}\n    {r.text}")
            if r.found:
                print(f"    Found: {r.found}")
        return
    exp = get_experiment(args.row)
    for r in readings(exp):
        print(f"{r.key}: {r.literal(exp)!r} (lstm97) or {', '.join(map(repr, r.alternatives))}\n    {r.text}")
        if r.found:
            print(f"    Found: {r.found}")
    best = best_reading(exp)
    print(f"\nbest reading found: {best.name if best else 'the literal one'}")
    print(f"screen (`lstm97 sweep {exp.base} --catalogue`): {', '.join(c.name for c in screen(exp))}")


class _Progress:
    """A bar over the sequences of a run: each trial counts its cap, a finished trial all
    of it, so the ETA assumes the trials still running go to the cap (an upper bound).
    Where stderr is not a terminal (a log file), no bar: a line per finished trial."""

    def __init__(self, exp, trials, cap, done, quiet):
        from tqdm import tqdm

        self.name, self.lines = exp.name, not quiet and not sys.stderr.isatty()
        self.cap, self.running = cap, {}
        self.solved = sum(r["solved"] for r in done)
        self.finished = len(done)
        self.trials = trials
        self.bar = tqdm(total=trials * cap, initial=len(done) * cap, desc=exp.name, unit=" seq",
                        unit_scale=True, disable=True if quiet else None, dynamic_ncols=True)
        self._postfix()

    def _postfix(self):
        self.bar.set_postfix_str(f"trials {self.finished}/{self.trials} done, {self.solved} solved", refresh=False)

    def heartbeat(self, trial, n):
        self.bar.update(n - self.running.get(trial, 0))
        self.running[trial] = n

    def record(self, record):
        self.bar.update(self.cap - self.running.pop(record["trial"], 0))
        self.finished += 1
        self.solved += bool(record["solved"])
        self._postfix()
        if self.lines:
            how = (f"solved after {record['sequences']:,} sequences" if record["solved"]
                   else f"not solved in {record['trained']:,} sequences")
            print(f"{self.name}: trial {record['trial']} {how} ({self.finished}/{self.trials} done, "
                  f"{self.solved} solved)", file=sys.stderr, flush=True)

    def close(self):
        self.bar.close()


def _run(args):
    _run_each(_experiments(args), args)
    _write_report(args.out)


def _sweep(args):
    cells = screen(args.row) if args.catalogue else grid(args.row, parse_grid(args.grid))
    rows = _run_each(cells, args, report_each=False)
    text = ranking(list(zip(cells, rows)))
    _write_report(args.out)
    path = Path(args.out) / f"sweep-{cells[0].base}.md"
    try:
        how = "--catalogue" if args.catalogue else " ".join(f"--grid {g}" for g in args.grid)
        path.write_text(f"# `lstm97 sweep {args.row} {how}`\n\n" + text)
    except OSError as exc:
        raise ValueError(f"cannot write {str(path)!r}: {exc.strerror}") from None
    print(text, end="")


def _run_each(experiments, args, report_each=True):
    """Run each of ``experiments`` as ``lstm97 run`` does; their summaries, in order."""
    rows = []
    for exp in experiments:
        trials = exp.trials if args.trials is None else args.trials
        cap = exp.cap(args.max_sequences)
        path = results_path(args.out, exp)
        done = [r for r in read_results(path) if r["trial"] < trials] if path.is_file() else []
        progress = _Progress(exp, trials, cap, done, args.quiet)
        try:
            records = run_experiment(exp, args.out, trials=trials, seed=args.seed, jobs=args.jobs,
                                     max_sequences=args.max_sequences, backend=args.backend,
                                     scheduler=args.scheduler, progress=progress.record,
                                     heartbeat=progress.heartbeat, lanes=args.lanes,
                                     checkpoint_every=args.checkpoint_every)
        finally:
            progress.close()
        rows.append(summarize(exp, records))
        if not args.quiet:
            print(f"{exp.name}: {len(records)} trials in {path}", file=sys.stderr)
    if report_each and not args.quiet:
        print(report(rows), end="")
    return rows


def _results(directory, found):
    """``found`` (what ``directory`` holds); a missing directory or an empty ``found`` is an error."""
    if not Path(directory).is_dir():
        raise ValueError(f"{str(directory)!r} is not a directory; run `lstm97 run NAME --out DIR` first")
    if not found:
        raise ValueError(f"no results in {str(directory)!r}; run `lstm97 run NAME --out DIR` first")
    return found


def _write_report(directory):
    """Write DIR/report.md, DIR/summary.json and DIR/summary.csv over every experiment in
    ``directory``; return the report's text and the summaries it was made from."""
    rows = _results(directory, summaries(directory) if Path(directory).is_dir() else [])
    text = report(rows)
    try:
        write_summary(directory, rows)
        (Path(directory) / "report.md").write_text(text)
    except OSError as exc:
        raise ValueError(f"cannot write the report to {str(directory)!r}: {exc}") from None
    return text, rows


def _errorflow(args):
    from tqdm import tqdm

    from .errorflow import FIGURE_WORK, draw_figures

    bar = tqdm(total=FIGURE_WORK, desc="errorflow", unit=" step", disable=True if args.quiet else None,
               dynamic_ncols=True)
    try:
        figures = draw_figures(args.out, seed=args.seed, progress=bar.update)
    finally:
        bar.close()
    if not args.quiet:
        for path in (*figures.paths, figures.csv):
            print(path)
        for line in figures.summary:
            print(line)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    """Run the command line ``argv`` (``sys.argv[1:]`` by default) and return its exit
    code: 0, 2 for any error a user can cause (argparse's usage errors included), 130
    when interrupted."""
    try:
        args = _parse(argv)
    except SystemExit as exc:       # --help, --version, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 2
    # SIGTERM (`kill PID`) ends a run as Ctrl-C does: workers stopped, finished trials kept.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        if args.command == "list":
            _list()
        elif args.command == "run":
            _run(args)
        elif args.command == "sweep":
            _sweep(args)
        elif args.command == "readings":
            _readings(args)
        elif args.command == "report":
            text, rows = _write_report(args.directory)
            print(overview(rows) if args.overview else text, end="")
        elif args.command == "plot":
            paths = plot(args.directory) if Path(args.directory).is_dir() else []
            for path in _results(args.directory, paths):
                print(path)
        elif args.command == "errorflow":
            _errorflow(args)
    except (ValueError, RuntimeError) as exc:
        print(f"lstm97: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("lstm97: interrupted; finished trials are saved (and running ones as of their last "
              "checkpoint): run the same command to resume", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader left (`lstm97 list | head`): say nothing more, and point stdout at
        # devnull so that the flush at exit does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0


if __name__ == "__main__":
    sys.exit(main())
