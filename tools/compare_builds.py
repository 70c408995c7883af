"""Two builds of lstm97 side by side, in CPU time: per-step training, or drawing sequences.

    python tools/compare_builds.py OLD_CHECKOUT NEW_CHECKOUT [--rounds R] [--draws ROW ...]

Each checkout must have its core built in place (``python setup.py build_ext --inplace``).
The two are measured alternately, each in a fresh process, R times (default 4), and the
medians over the rounds are printed with the ratio new / old.  Without ``--draws``, each
measurement is the best of 15 passes over 20 sequences of a net's own task, in µs per time
step; with it, the best of 5 batches of 256 sequences of each ROW's task (``lstm97 run``'s
experiments) drawn by ``sample_batch`` from one generator, as a trial draws them, in µs per
sequence, in a process whose memory is set up as a run's worker's (``pool._keep_freed_memory``,
where the checkout has it: else a large batch's figure counts fresh pages or not, depending on
the rows measured before it).  ``time.process_time`` throughout, so another load on the machine counts less.
"""

import argparse
import statistics
import subprocess
import sys

NETS = {"adding 4-1, T=1000": ("4-1", "Adding(T=1000)"), "temporal order 6a": ("6a", 'TemporalOrder("6a")'),
        "Reber 3x2": ("1-5", "EmbeddedReber()"), "2c p=q=1000": ("2c-5", "VeryLongTimeLag(1000, 1000)")}

MEASURE = """
import sys, time
sys.path.insert(0, {root!r})
import lstm97
from lstm97 import tasks
assert lstm97.__file__.startswith({root!r}), lstm97.__file__
for row, task in {nets!r}:
    net = lstm97.LSTM(lstm97.table10(row), rng=0)
    batch = [eval("tasks." + task).sample(s) for s in range(20)]
    steps = sum(len(s.inputs) for s in batch)
    best = float("inf")
    for _ in range(15):
        t = time.process_time()
        for seq in batch:
            net.train_sequence(*seq, learning_rate=1e-3)
        best = min(best, time.process_time() - t)
    print(best / steps * 1e6)
"""


DRAWS = """
import sys, time
sys.path.insert(0, {root!r})
import numpy as np
import lstm97
from lstm97.experiments import get_experiment, pool
assert lstm97.__file__.startswith({root!r}), lstm97.__file__
getattr(pool, "_keep_freed_memory", lambda: None)()
for row in {rows!r}:
    task = get_experiment(row).task()
    rng = np.random.default_rng(0)
    task.sample_batch(64, rng)
    best = float("inf")
    for _ in range(5):
        t = time.process_time()
        task.sample_batch(256, rng)
        best = min(best, time.process_time() - t)
    print(best / 256 * 1e6)
"""


def measure(root, rows=None):
    code = DRAWS.format(root=root, rows=rows) if rows else MEASURE.format(root=root, nets=list(NETS.values()))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/")
    return [float(v) for v in out.stdout.split()]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--draws", nargs="+", metavar="ROW", help="time sample_batch for these rows' tasks")
    args = parser.parse_args(argv)
    runs = {args.old: [], args.new: []}
    for _ in range(args.rounds):
        for root in runs:
            runs[root].append(measure(root, args.draws))
    label, names, unit = ("row", args.draws, "µs/seq") if args.draws else ("net", list(NETS), "µs/step")
    print(f"{label:22s} {'old ' + unit:>12s} {'new ' + unit:>12s} {'new / old':>10s}")
    for i, name in enumerate(names):
        a = statistics.median(r[i] for r in runs[args.old])
        b = statistics.median(r[i] for r in runs[args.new])
        print(f"{name:22s} {a:12.3f} {b:12.3f} {b / a:10.2f}")


if __name__ == "__main__":
    main()
