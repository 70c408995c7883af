"""The core equals the pure-NumPy twin of eqs. 19-28 over many random topologies."""

import numpy as np
import pytest
from conftest import random_case
from reference import ReferenceLSTM

from lstm97 import GROUPS

SEEDS = range(120)


def assert_groups_close(actual, expected):
    for g in GROUPS:
        scale = max(np.abs(expected[g]).max(initial=0.0), 1e-300)
        np.testing.assert_allclose(actual[g], expected[g], rtol=1e-12, atol=1e-12 * scale, err_msg=g)


@pytest.mark.parametrize("seed", SEEDS)
def test_forward_and_gradient_equal_twin(seed):
    net, inputs, targets, mask = random_case(seed)
    twin = ReferenceLSTM(net.topology, net.get_weights())
    outputs, grad, error, _ = twin.run(inputs, targets, mask)
    np.testing.assert_allclose(net.forward(inputs), outputs, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(net.cell_states, twin.cell_states, rtol=1e-12, atol=1e-300)
    core_grad, core_error = net.gradient(inputs, targets, mask)
    np.testing.assert_allclose(core_error, error, rtol=1e-12)
    assert_groups_close(core_grad, grad)


@pytest.mark.parametrize("update", ["sequence", "step"])
@pytest.mark.parametrize("seed", SEEDS[:40])
def test_training_equals_twin(seed, update):
    net, inputs, targets, mask = random_case(seed)
    twin = ReferenceLSTM(net.topology, net.get_weights())
    for _ in range(3):
        _, _, error, _ = twin.run(inputs, targets, mask, learning_rate=0.3, update=update)
        np.testing.assert_allclose(
            net.train_sequence(inputs, targets, mask, learning_rate=0.3, update=update), error, rtol=1e-12)
    assert_groups_close(net.get_weights(), twin.W)


def test_random_cases_cover_every_option():
    """The random topologies above exercise every option, so the twin checks all of them."""
    seen = set()
    for seed in SEEDS:
        net, inputs, _, mask = random_case(seed)
        t = net.topology
        seen |= {("conn", t.connectivity), ("bias", t.bias), ("h", t.h), ("g", t.g),
                 ("og", t.output_gates), ("hidden", t.n_hidden > 0), ("masks", t.source_masks is not None),
                 ("symbols", inputs.ndim == 1), ("block>1", max(t.block_sizes) > 1),
                 ("end only", mask.sum() == 1 and mask[-1]), ("every step", mask.all()),
                 ("h_range", t.h_range != 1.0), ("g_range", t.g_range != 2.0)}
    expected = {("conn", "F"), ("conn", "B"), ("h", "identity"), ("h", "sigmoid"), ("g", "logistic"),
                ("g", "sigmoid"), ("og", False), ("og", True), ("hidden", True), ("hidden", False),
                ("masks", True), ("masks", False), ("symbols", True), ("symbols", False), ("block>1", True),
                ("end only", True), ("every step", True), ("h_range", True), ("h_range", False),
                ("g_range", True), ("g_range", False)} | {("bias", b) for b in ("none", "gates", "hidden", "all")}
    assert expected <= seen
