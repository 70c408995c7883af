"""What the benchmarks share: Table 10 networks and sequences of the coding each task uses."""

import numpy as np

import lstm97

#: Table 10 rows timed, with the input coding and target pattern of their task.
NETS = {
    "adding 4-1 (93 w)": ("4-1", "dense", "end"),
    "temporal 6a (156 w)": ("6a", "symbols", "end"),
    "temporal 6b (308 w)": ("6b", "symbols", "end"),
    "reber 4x1 (264 w)": ("1-1", "symbols", "every"),
    "reber 3x2 (276 w)": ("1-2", "symbols", "every"),
    "2c p=50 (364 w)": ("2c-1", "symbols", "end"),
    "2c p=1000 (6064 w)": ("2c-5", "symbols", "end"),
}


def network(row, seed=0):
    return lstm97.LSTM(lstm97.table10(row), rng=seed)


def sequence(topology, coding, targets, T, seed=0):
    """A random sequence of length T with the task's coding and target steps."""
    rng = np.random.default_rng(seed)
    if coding == "symbols":
        x = rng.integers(0, topology.n_inputs, T)
    else:
        x = rng.uniform(-1, 1, (T, topology.n_inputs))
    y = rng.random((T, topology.n_outputs))
    mask = np.ones(T, bool) if targets == "every" else np.arange(T) == T - 1
    return x, y, mask
