"""How far the untrained cells' states have drifted when the target arrives.

For every Table 3 row (Exp 2c), and for comparison three rows whose nets have negative
input-gate biases: trials 0-19 of a run seeded SEED (0 by default, as `lstm97 run`), each a
`Trial` whose freshly initialised network reads, untrained, the trial's first 20 training
sequences. Printed: the median |s_c| at the last step, the median of h'(s_c) (the factor with
which error enters a cell, eq. 23), and the share of cells where h'(s_c) < 0.01. The last line
repeats 2c-q1000-p1000 with cells that read no hidden unit (gate or cell), only the inputs (the
variant ``cells_read=inputs``). Takes a few seconds.

    python docs/investigations/cell_drift.py
    python docs/investigations/cell_drift.py --seed 1
"""

import argparse

import numpy as np
from _common import h_prime

from lstm97.experiments import EXPERIMENTS, Trial, get_experiment


def final_states(exp, seed):
    """The cells' states at the last step of each of the 20 x 20 sequences."""
    states = []
    for trial in range(20):
        run = Trial(exp, trial, seed=seed)
        for _ in range(20):
            run.net.forward(run.draw().inputs)
            states.append(run.net.cell_states)
    return np.concatenate(states)


def main(seed=0):
    print(f"{'experiment':42s} {'median |s|':>10s} {'median dh/ds':>12s} {'dh/ds < 0.01':>12s}")
    rows = [(exp, exp.name) for name, exp in EXPERIMENTS.items() if name.startswith("2c-")]
    rows += [(get_experiment(name), name) for name in ("3a-T100-N3", "adding-T100", "temporal-order-6a")]
    rows.append((get_experiment("2c-q1000-p1000").variant(cells_read="inputs"),
                 "2c-q1000-p1000, cells read no hidden unit"))
    for exp, label in rows:
        s = final_states(exp, seed)
        dh = h_prime(s, exp.topology)
        print(f"{label:42s} {np.median(np.abs(s)):10.1f} {np.median(dh):12.1e} {np.mean(dh < 0.01):12.0%}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0, help="the run's root seed (default: 0)")
    main(parser.parse_args().seed)
