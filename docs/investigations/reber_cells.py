"""Exp 1: what the cells of an embedded-Reber network hold at the recall step.

Trains trials 0-4 of an experiment of a run seeded SEED (0 by default, as `lstm97 run`) as
`lstm97 run` trains them, each a `Trial` with a cap of N sequences: the same streams and the
same fixed training set (trials 0-9 share one), to N sequences or to the success criterion if
it comes first. Then it reads the trial's 256 training strings and looks at the step whose target
is the final T or P, the one that needs the second symbol. Prints the experiment's name, then per
trial: the share of strings whose recall prediction is right, and per cell its median |s|, its
median h'(s) (error enters a cell through it, eq. 23), and d' = |mean(s | T) - mean(s | P)| /
pooled sd, how well the state separates the two kinds of string; and, for a trial that met the
criterion, after how many sequences (its training stopped there). KEY=VALUE words run a variant
(``exp.variant``), e.g. ``h_range=2 g_range=1``, Table 10's caption reading. Takes about half a
minute.

    python docs/investigations/reber_cells.py reber-3x2-lr0.5 100000
    python docs/investigations/reber_cells.py reber-3x2-lr0.5 100000 h_range=2 g_range=1
"""

import argparse

import numpy as np
from _common import experiment_with, h_prime

from lstm97.experiments import Trial


def recall_states(net, strings):
    """(cell states at the recall step, whether the recall prediction is right, is it a T string)."""
    states, right, is_t = [], [], []
    for seq in strings:
        net.reset()
        for x in seq.inputs[:-1]:
            out = net.step(x)
        states.append(net.cell_states)
        right.append(np.argmax(out) == np.argmax(seq.targets[-2]))
        is_t.append(seq.string[1] == "T")
    return np.array(states), np.array(right), np.array(is_t)


def main(name, n_train, options=(), seed=0):
    exp = experiment_with(name, options)
    print(exp.name)
    for trial in range(5):
        run = Trial(exp, trial, seed=seed, max_sequences=n_train)
        for _ in run:
            pass
        train, _ = run.sets
        s, right, is_t = recall_states(run.net, train)
        dh = h_prime(s, run.net.topology)
        pooled = np.sqrt((s[is_t].var(0) + s[~is_t].var(0)) / 2.0) + 1e-12
        d = np.abs(s[is_t].mean(0) - s[~is_t].mean(0)) / pooled
        print(f"trial {trial}: recall right {right.mean():4.0%};  per cell |s| "
              + " ".join(f"{v:5.1f}" for v in np.median(np.abs(s), 0))
              + ";  h'(s) " + " ".join(f"{v:.2f}" for v in np.median(dh, 0))
              + ";  d' " + " ".join(f"{v:4.1f}" for v in d)
              + (f";  criterion met after {run.monitor.sequences:,}" if run.monitor.solved else ""))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("name", help="an Exp 1 row, e.g. reber-3x2-lr0.5")
    parser.add_argument("n_train", type=int, help="N: training sequences at most, per trial")
    parser.add_argument("options", nargs="*", help="KEY=VALUE changes")
    parser.add_argument("--seed", type=int, default=0, help="the run's root seed (default: 0)")
    args = parser.parse_args()
    main(args.name, args.n_train, args.options, args.seed)
