"""Exp 4: where the adding networks miss the 0.04 tolerance.

1. The best logistic of an affine function of S = X1 + X2, f(a S + b), against the target
   0.5 + S / 4 over S in [-2, 2]: its largest error (a grid search over a and b).
2. Trial 0 of adding-T100 trained for 300,000 sequences as `lstm97 run` trains it, then the
   signed error and the number of misses (|error| >= 0.04) on 5,000 fresh sequences, by
   target range. Takes under a minute.

    python docs/investigations/adding_extremes.py
"""

import numpy as np

from lstm97 import LSTM
from lstm97.experiments import get_experiment, trial_seeds


def best_affine_logistic():
    s = np.linspace(-2.0, 2.0, 4001)
    best = (np.inf, None, None)
    for a in np.linspace(0.5, 3.0, 251):
        for b in np.linspace(-0.5, 0.5, 51):
            err = np.abs(1.0 / (1.0 + np.exp(-(a * s + b))) - (0.5 + s / 4.0)).max()
            best = min(best, (err, a, b))
    return best


def main():
    err, a, b = best_affine_logistic()
    print(f"best f(a S + b): a = {a:.2f}, b = {b:.2f}, largest error {err:.3f} (tolerance 0.04)")
    exp = get_experiment("adding-T100")
    init_rng, train_rng, test_rng = trial_seeds(0, 0)
    task, net = exp.task(), LSTM(exp.table10.topology, rng=init_rng)
    for _ in range(300_000):
        net.train_sequence(*task.sample(train_rng), learning_rate=exp.learning_rate)
    seqs = [task.sample(test_rng) for _ in range(5000)]
    target = np.array([s.targets[-1, 0] for s in seqs])
    error = np.array([net.forward(s.inputs)[-1, 0] for s in seqs]) - target
    print(f"{'target':>12s} {'sequences':>9s} {'mean error':>10s} {'misses':>6s}")
    for lo, hi in [(0, .05), (.05, .1), (.1, .2), (.2, .4), (.4, .6), (.6, .8), (.8, .9), (.9, .95), (.95, 1)]:
        m = (target >= lo) & (target < hi)
        print(f"[{lo:.2f}, {hi:.2f}) {m.sum():9d} {error[m].mean():+10.4f} {np.sum(np.abs(error[m]) >= 0.04):6d}")


if __name__ == "__main__":
    main()
