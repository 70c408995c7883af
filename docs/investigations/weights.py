"""Chosen weights of a recorded trial while it trains.

Retrains trial TRIAL of an experiment exactly as `lstm97 run` did (same seeds, same sequences)
for LAST sequences and prints, every EVERY sequences, the mean training error (Σ_k (t_k - y_k)^2
per target step) over those sequences and each weight named as GROUP:UNIT:SOURCE, with the
names of `LSTM.unit_names` and `LSTM.source_names` (e.g. ``cell:c1_1:x0``, the weight from input
0 into cell 1 of block 1, counting from 0).

    python docs/investigations/weights.py adding-T500 0 700000 50000 cell:c1_1:x0 output:k0:c1_1 input_gate:in1:x1
"""

import sys

import numpy as np

from lstm97 import LSTM
from lstm97.experiments import get_experiment, trial_seeds


def main(name, trial, last, every, *weights):
    exp, trial, last, every = get_experiment(name), int(trial), int(last), int(every)
    init_rng, train_rng, _ = trial_seeds(0, trial)
    task, net = exp.task(), LSTM(exp.table10.topology, rng=init_rng)
    where = []
    for weight in weights:
        group, unit, source = weight.split(":")
        where.append((group, net.unit_names[group].index(unit), net.source_names.index(source)))
    print(f"{'sequences':>9s} {'error':>7s} " + " ".join(f"{w:>18s}" for w in weights))
    error = 0.0
    for n in range(1, last + 1):
        seq = task.sample(train_rng)
        error += 2.0 * net.train_sequence(*seq, learning_rate=exp.learning_rate) / np.count_nonzero(seq.target_mask)
        if n % every == 0:
            current = net.get_weights()
            print(f"{n:>9,} {error / every:7.4f} "
                  + " ".join(f"{current[g][u, m]:18.2f}" for g, u, m in where), flush=True)
            error = 0.0


if __name__ == "__main__":
    main(*sys.argv[1:])
