"""Exp 1: what the cells of an embedded-Reber network hold at the recall step.

Trains trials 0-4 of an experiment as `lstm97 run` trains them (same seeds, same training
set), then reads the 256 training strings and looks at the step whose target is the final T
or P, the one that needs the second symbol. Per trial: the share of strings whose recall
prediction is right, and per cell its median |s|, its median h'(s) (error enters a cell through
it, eq. 23), and d' = |mean(s | T) - mean(s | P)| / pooled sd, how well the state separates
the two kinds of string. ``h_range=2 g_range=1`` runs Table 10's caption reading instead.
Takes about half a minute.

    python docs/investigations/reber_cells.py reber-3x2-lr0.5 100000
    python docs/investigations/reber_cells.py reber-3x2-lr0.5 100000 h_range=2 g_range=1
"""

import sys

import numpy as np
from cell_drift import h_prime
from variants import register

from lstm97 import LSTM
from lstm97.experiments import EXPERIMENTS, reber_sets, trial_seeds


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


def main(name, n_train, *options):
    if options:
        name = register(name, dict(option.split("=", 1) for option in options))
    exp = EXPERIMENTS[name]
    task = exp.task()
    train, _ = reber_sets(task, 0, 0)
    print(name)
    for trial in range(5):
        init_rng, train_rng, _ = trial_seeds(0, trial)
        net = LSTM(exp.table10.topology, rng=init_rng)
        for _ in range(int(n_train)):
            net.train_sequence(*train[train_rng.integers(len(train))], learning_rate=exp.learning_rate)
        s, right, is_t = recall_states(net, train)
        dh = h_prime(s, net.topology.h_range)
        pooled = np.sqrt((s[is_t].var(0) + s[~is_t].var(0)) / 2.0) + 1e-12
        d = np.abs(s[is_t].mean(0) - s[~is_t].mean(0)) / pooled
        print(f"trial {trial}: recall right {right.mean():4.0%};  per cell |s| "
              + " ".join(f"{v:5.1f}" for v in np.median(np.abs(s), 0))
              + ";  h'(s) " + " ".join(f"{v:.2f}" for v in np.median(dh, 0))
              + ";  d' " + " ".join(f"{v:4.1f}" for v in d))


if __name__ == "__main__":
    main(*sys.argv[1:])
