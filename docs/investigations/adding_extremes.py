"""Exp 4: where the adding networks miss the 0.04 tolerance.

1. The best logistic of an affine function of S = X1 + X2, f(a S + b), against the target
   0.5 + S / 4 over S in [-2, 2]: its largest error (a grid search over a and b).
2. A recorded trial of adding-T100 (trial 0 of docs/results by default) retrained as `lstm97
   run` trained it (its record's seed and cap, through `Trial`) and followed for its first
   300,000 training sequences (or to its criterion, if it met that sooner); then the signed
   error and the number of misses (|error| >= 0.04) on 5,000 fresh sequences of the trial's
   test stream, by target range. Takes under a minute.

    python docs/investigations/adding_extremes.py
    python docs/investigations/adding_extremes.py --trial 1 --sequences 740000 --results docs/results
"""

import argparse

import numpy as np
from _common import RESULTS, probe_stream, record_of, retrain, train_until


def best_affine_logistic():
    s = np.linspace(-2.0, 2.0, 4001)
    best = (np.inf, None, None)
    for a in np.linspace(0.5, 3.0, 251):
        for b in np.linspace(-0.5, 0.5, 51):
            err = np.abs(1.0 / (1.0 + np.exp(-(a * s + b))) - (0.5 + s / 4.0)).max()
            best = min(best, (err, a, b))
    return best


def main(trial=0, sequences=300_000, results=RESULTS):
    err, a, b = best_affine_logistic()
    print(f"best f(a S + b): a = {a:.2f}, b = {b:.2f}, largest error {err:.3f} (tolerance 0.04)")
    run = retrain(record_of("adding-T100", trial, results))
    for _ in train_until(run, sequences):
        pass
    rng = probe_stream(run)
    seqs = [run.task.sample(rng) for _ in range(5000)]
    target = np.array([s.targets[-1, 0] for s in seqs])
    error = np.array([run.net.forward(s.inputs)[-1, 0] for s in seqs]) - target
    print(f"{'target':>12s} {'sequences':>9s} {'mean error':>10s} {'misses':>6s}")
    for lo, hi in [(0, .05), (.05, .1), (.1, .2), (.2, .4), (.4, .6), (.6, .8), (.8, .9), (.9, .95), (.95, 1)]:
        m = (target >= lo) & (target < hi)
        print(f"[{lo:.2f}, {hi:.2f}) {m.sum():9d} {error[m].mean():+10.4f} {np.sum(np.abs(error[m]) >= 0.04):6d}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trial", type=int, default=0, help="the recorded trial (default: 0)")
    parser.add_argument("--sequences", type=int, default=300_000,
                        help="training sequences to follow (default: 300000)")
    parser.add_argument("--results", default=RESULTS, help="the stored runs (default: docs/results)")
    args = parser.parse_args()
    main(args.trial, args.sequences, args.results)
