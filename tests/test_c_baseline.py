"""The plain-C baseline the benchmarks time the core against (benchmarks/c_baseline/)
computes what the core computes: the same weights and errors, sequence after sequence."""

import sys
from pathlib import Path

import numpy as np
import pytest

import lstm97

ROOT = Path(__file__).resolve().parent.parent
# The benchmarks package sits beside the tests; the repository's root goes on the path only
# while it is imported: left there, it would put the uncompiled source tree before the
# installed lstm97 in every worker process a later test spawns (they inherit sys.path).
sys.path.insert(0, str(ROOT))
try:
    from benchmarks.c_baseline import DEFAULT_FLAGS, NATIVE_FLAGS, CBaseline, library
    from benchmarks.common import sequence
finally:
    sys.path.remove(str(ROOT))

TOPOLOGIES = {
    "4-1": lstm97.table10("4-1"),
    "6a": lstm97.table10("6a"),
    "3 in, 2 out, blocks (1, 2)": lstm97.Topology(n_inputs=3, n_outputs=2, block_sizes=(1, 2), bias="all"),
}


@pytest.fixture(scope="module", params=[DEFAULT_FLAGS, NATIVE_FLAGS], ids=["core flags", "native"])
def flags(request):
    try:
        library(request.param)
    except NotImplementedError as exc:
        pytest.skip(str(exc))
    return request.param


@pytest.mark.parametrize("name", TOPOLOGIES)
def test_the_c_baseline_trains_as_the_core(name, flags):
    net = lstm97.LSTM(TOPOLOGIES[name], rng=1)
    twin = CBaseline(net, flags)
    for seed, targets in enumerate(["end", "every", "end"]):
        x, y, mask = sequence(net.topology, "dense", targets, T=100, seed=seed)
        error = net.train_sequence(x, y, mask, learning_rate=0.1)
        assert twin.train_sequence(x, y, mask, 0.1) == pytest.approx(error, rel=1e-12, abs=0)
        got = twin.get_weights()
        for group, weights in net.get_weights().items():
            np.testing.assert_allclose(got[group], weights, rtol=1e-12, atol=0,
                                       err_msg=f"{group}, sequence {seed}")


@pytest.mark.parametrize("topology", [lstm97.table10("1-1"), lstm97.table10("2c-1"),
                                      lstm97.Topology(n_inputs=2, n_outputs=1, block_sizes=(1,), n_hidden=1)],
                         ids=["gates-only bias", "no bias", "conventional unit"])
def test_the_c_baseline_refuses_the_nets_it_does_not_implement(topology, flags):
    with pytest.raises(ValueError, match="fully connected nets with output gates"):
        CBaseline(lstm97.LSTM(topology, rng=0), flags)
