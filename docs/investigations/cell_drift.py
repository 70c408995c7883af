"""How far the untrained cells' states have drifted when the target arrives.

For every Table 3 row (Exp 2c), and for comparison three rows whose nets have negative
input-gate biases: 20 freshly initialised networks (the initial weights of trials 0-19) each
read 20 training sequences. Printed: the median |s_c| at the last step, the median of h'(s_c)
(the factor with which error enters a cell, eq. 23), and the share of cells where
h'(s_c) < 0.01. The last line repeats 2c-q1000-p1000 with cells that read no hidden unit (gate
or cell), only the inputs. Takes a few seconds.

    python docs/investigations/cell_drift.py
"""

import numpy as np
from variants import register

from lstm97 import LSTM
from lstm97.experiments import EXPERIMENTS, trial_seeds


def h_prime(s, h_range=1.0):
    """h'(s) of the centred sigmoid h = h_range (2 f(s) - 1)."""
    f = 1.0 / (1.0 + np.exp(-s))
    return 2.0 * h_range * f * (1.0 - f)


def final_states(exp):
    task, states = exp.task(), []
    for trial in range(20):
        init_rng, train_rng, _ = trial_seeds(0, trial)
        net = LSTM(exp.table10.topology, rng=init_rng)
        for _ in range(20):
            net.forward(task.sample(train_rng).inputs)
            states.append(net.cell_states)
    return np.concatenate(states)


def main():
    print(f"{'experiment':42s} {'median |s|':>10s} {'median dh/ds':>12s} {'dh/ds < 0.01':>12s}")
    rows = [(name, name) for name in EXPERIMENTS if name.startswith("2c-")]
    rows += [(name, name) for name in ("3a-T100-N3", "adding-T100", "temporal-order-6a")]
    cut = register("2c-q1000-p1000", {"cells_read": "inputs"})
    rows.append((cut, "2c-q1000-p1000, cells read no hidden unit"))
    for name, label in rows:
        s = final_states(EXPERIMENTS[name])
        print(f"{label:42s} {np.median(np.abs(s)):10.1f} {np.median(h_prime(s)):12.1e} "
              f"{np.mean(h_prime(s) < 0.01):12.0%}")


if __name__ == "__main__":
    main()
