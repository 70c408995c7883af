"""CPU time per trial-sequence of a row, in several settings side by side.

    python tools/trial_cost.py ROW SEQUENCES SETTING [SETTING ...] [--rounds R]

A SETTING is ``K`` (lanes: 0 trains one trial alone, 4, 8 or 16 train that many trials in
lockstep) or ``CHECKOUT:K`` (the same, with the lstm97 of another checkout, built in place
with ``python setup.py build_ext --inplace``; without one, the installed lstm97).  Each
measurement is a fresh process training the first SEQUENCES sequences of trials 0 .. K-1 of
ROW (without the final test), in ``time.process_time``; the settings alternate, their order
reversed every other round, for R rounds (default 3), and the medians are printed in µs
per sequence of one trial, with every round's figure.  The same sequences every time, so
the settings differ only in how they train them.  Each process sets up its memory as a
run's worker does (``pool._keep_freed_memory``, where the checkout has it).

With ``--checkpoint FILE`` (a trial's checkpoint, from ``DIR/.checkpoints/ROW/``, and
settings of K = 0), each measurement resumes that trial from its state and trains its next
SEQUENCES sequences (whole batches, so a few more): the cost of a trial late in its run,
where a net that has saturated costs other work than a fresh one.
"""

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

MEASURE = """
import sys, time
root = {root!r}
if root:
    sys.path.insert(0, root)
import lstm97
assert not root or lstm97.__file__.startswith(root), lstm97.__file__
from lstm97.experiments import get_experiment, pool
from lstm97.experiments.trial import Trial, run_in_lanes
getattr(pool, "_keep_freed_memory", lambda: None)()
exp, lanes, n, checkpoint, meta = get_experiment({row!r}), {lanes}, {sequences}, {checkpoint!r}, {meta!r}
if checkpoint:
    from lstm97.experiments.checkpoint import resume
    trials = [resume(checkpoint, lambda: Trial(exp, meta["trial"], seed=meta["seed"],
                                               max_sequences=meta["max_sequences"]))]
    assert trials[0].n > 0, "the checkpoint was not used"
else:
    trials = [Trial(exp, i, max_sequences=n) for i in range(max(lanes, 1))]
for trial in trials:
    trial.monitor.final_test = lambda net: {{}}    # time the training only
first = trials[0].n


class Enough(Exception):
    pass


def enough(trained):
    if trained - first >= n:
        raise Enough


start = time.process_time()
if lanes:
    for _ in run_in_lanes(iter(trials), lanes):
        pass
else:
    try:
        trials[0].run(progress=enough if checkpoint else None)
    except Enough:
        pass
print((time.process_time() - start) / ((trials[0].n - first) * len(trials)) * 1e6)
"""


def measure(row, sequences, root, lanes, checkpoint=None, meta=None):
    code = MEASURE.format(root=root, row=row, lanes=lanes, sequences=sequences,
                          checkpoint=checkpoint and str(Path(checkpoint).resolve()), meta=meta)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/")
    if out.returncode:
        raise SystemExit(out.stderr)
    return float(out.stdout.split()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("row")
    parser.add_argument("sequences", type=int)
    parser.add_argument("settings", nargs="+", metavar="SETTING")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--checkpoint", metavar="FILE", help="resume the trial of this checkpoint (K = 0 only)")
    args = parser.parse_args(argv)
    settings = [(s.rpartition(":")[0], int(s.rpartition(":")[2])) for s in args.settings]
    meta = None
    if args.checkpoint:
        if any(lanes for _, lanes in settings):
            parser.error("--checkpoint takes settings of K = 0 (one trial, alone)")
        # read here, with this lstm97, so that a checkout from before the reader can be measured
        from lstm97.experiments.checkpoint import identity
        try:
            meta = identity(args.checkpoint)
        except ValueError as exc:
            parser.error(f"--checkpoint: {exc}")
        if meta["experiment"] != args.row:
            parser.error(f"--checkpoint holds a trial of {meta['experiment']}, not of {args.row}")
    figures = {s: [] for s in settings}
    for r in range(args.rounds):
        for setting in settings if r % 2 == 0 else settings[::-1]:
            figures[setting].append(measure(args.row, args.sequences, *setting, args.checkpoint, meta))
    for (root, lanes), values in figures.items():
        name = f"{root + ':' if root else ''}{lanes or 'alone'}"
        print(f"{args.row} {name}: {statistics.median(values):.1f} µs a sequence "
              f"({', '.join(f'{v:.1f}' for v in values)})")


if __name__ == "__main__":
    main()
