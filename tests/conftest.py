import importlib.util
import pathlib

import numpy as np
import pytest

from lstm97 import GROUPS, LSTM, Topology


def tool(name):
    """The repository's ``tools/NAME.py``, imported (the tools are scripts, not a package)."""
    path = pathlib.Path(__file__).resolve().parent.parent / "tools" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"lstm97_tool_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def random_case(seed):
    """A random topology (every option of Topology), network, and sequence."""
    rng = np.random.default_rng(seed)
    kwargs = dict(
        n_inputs=int(rng.integers(1, 6)),
        n_outputs=int(rng.integers(1, 4)),
        block_sizes=tuple(int(s) for s in rng.integers(1, 4, size=rng.integers(1, 4))),
        n_hidden=int(rng.integers(0, 3)),
        output_gates=bool(rng.random() < 0.75),
        connectivity=str(rng.choice(["F", "B"])),
        bias=str(rng.choice(["none", "gates", "hidden", "all"])),
        h=str(rng.choice(["sigmoid", "identity"])),
        g=str(rng.choice(["sigmoid", "logistic"])),
        init_range=1.0,
    )
    if kwargs["h"] == "sigmoid" and rng.random() < 0.5:
        kwargs["h_range"] = float(rng.uniform(0.5, 3.0))
    if kwargs["g"] == "sigmoid" and rng.random() < 0.5:
        kwargs["g_range"] = float(rng.uniform(0.5, 3.0))
    topology = Topology(**kwargs)
    if rng.random() < 0.3:
        masks = {}
        for g in GROUPS:
            m = rng.random(topology.n_sources) < 0.6
            if g == "output":
                m[topology.source_columns("gates")] = False
            masks[g] = m
        topology = Topology(**kwargs, source_masks=masks)
    net = LSTM(topology, rng=seed)
    T = int(rng.integers(1, 25))
    if rng.random() < 0.5:
        inputs = rng.integers(0, topology.n_inputs, size=T)
    else:
        inputs = rng.normal(size=(T, topology.n_inputs))
    targets = rng.random((T, topology.n_outputs))
    kind = rng.integers(3)
    mask = np.ones(T, bool) if kind == 0 else (np.arange(T) == T - 1) if kind == 1 else rng.random(T) < 0.5
    return net, inputs, targets, mask


@pytest.fixture
def adding_net():
    from lstm97 import table10
    return LSTM(table10("4-1"), rng=0)


@pytest.fixture
def adding_sequence():
    rng = np.random.default_rng(7)
    T = 60
    x = np.column_stack([rng.uniform(-1, 1, T), np.zeros(T)])
    x[[3, 20], 1] = 1.0
    y = np.zeros((T, 1))
    y[-1] = 0.5 + (x[3, 0] + x[20, 0]) / 4
    mask = np.zeros(T, bool)
    mask[-1] = True
    return x, y, mask
