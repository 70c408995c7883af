"""The cells' states at the target step while a network trains.

Trains trial 0 of an experiment as `lstm97 run` does (same seeds, same sequences) and, before
training and after 1,000, 10,000 and N sequences, prints per cell the median |s_c| and the median
h'(s_c) (error enters a cell through it, eq. 23) at the last step of 50 fresh sequences.

    python docs/investigations/cell_states.py adding-T500 100000    # about a minute
"""

import sys

import numpy as np
from cell_drift import h_prime

from lstm97 import LSTM
from lstm97.experiments import get_experiment, trial_seeds


def main(name, n_train):
    n_train = int(n_train)
    exp = get_experiment(name)
    task = exp.task()
    init_rng, train_rng, test_rng = trial_seeds(0, 0)
    net = LSTM(exp.table10.topology, rng=init_rng)
    for n in range(n_train + 1):
        if n in (0, 1000, 10_000, n_train):
            states = []
            for _ in range(50):
                net.forward(task.sample(test_rng).inputs)
                states.append(net.cell_states)
            s = np.array(states)
            dh = h_prime(s, net.topology.h_range)
            print(f"{n:>9,} sequences: median |s| " + " ".join(f"{v:5.1f}" for v in np.median(np.abs(s), 0))
                  + ";  median h'(s) " + " ".join(f"{v:.3f}" for v in np.median(dh, 0)))
        if n < n_train:
            net.train_sequence(*task.sample(train_rng), learning_rate=exp.learning_rate)


if __name__ == "__main__":
    main(*sys.argv[1:])
