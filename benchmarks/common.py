"""What the benchmarks share: Table 10 networks, the paper's tasks, and timing helpers."""

import importlib.util
import math
import statistics
import time
import timeit
from pathlib import Path

import numpy as np

import lstm97
from lstm97 import tasks

#: Table 10 nets timed on their own task: (Table 10 row, task).
NETS = {
    "adding T=1000 (93 w)": ("4-1", tasks.Adding(T=1000)),
    "temporal order 6a (156 w)": ("6a", tasks.TemporalOrder("6a")),
    "temporal order 6b (308 w)": ("6b", tasks.TemporalOrder("6b")),
    "reber 4x1 (264 w)": ("1-1", tasks.EmbeddedReber()),
    "reber 3x2 (276 w)": ("1-2", tasks.EmbeddedReber()),
    "2c p=q=50 (364 w)": ("2c-1", tasks.VeryLongTimeLag(p=50, q=50)),
    "2c p=q=1000 (6064 w)": ("2c-5", tasks.VeryLongTimeLag(p=1000, q=1000)),
}


def network(row, seed=0):
    return lstm97.LSTM(lstm97.table10(row), rng=seed)


def sequence(topology, coding, targets, T, seed=0):
    """A random sequence of exactly T steps with the given coding and target steps
    ("end" or "every"), for benchmarks that must control the length."""
    rng = np.random.default_rng(seed)
    if coding == "symbols":
        x = rng.integers(0, topology.n_inputs, T)
    else:
        x = rng.uniform(-1, 1, (T, topology.n_inputs))
    y = rng.random((T, topology.n_outputs))
    mask = np.ones(T, bool) if targets == "every" else np.arange(T) == T - 1
    return x, y, mask


#: The repository's root: the benchmarks run from its checkout.
REPO = Path(__file__).resolve().parent.parent


def repo_module(folder, name):
    """A module from the repository's ``folder`` (``tests``: the NumPy and PyTorch twins;
    ``tools``: the paper's cost)."""
    path = REPO / folder / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"lstm97_{folder}_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def best_time(fn, number, repeat=5):
    """Best of ``repeat`` runs of ``number`` calls, in seconds per call."""
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def alternate(runs, rounds=31, calls=3):
    """Thread CPU seconds per call of each of ``runs`` (a dict of name to callable).

    Each round runs every callable in turn, ``calls`` times each, and keeps the best;
    returns, per name, the median of those bests over ``rounds`` rounds.  Alternating in
    one process keeps the ratios true when the shared machine's speed drifts.
    """
    best = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            fastest = math.inf
            for _ in range(calls):
                start = time.thread_time()
                run()
                fastest = min(fastest, time.thread_time() - start)
            best[name].append(fastest)
    return {name: statistics.median(times) for name, times in best.items()}
