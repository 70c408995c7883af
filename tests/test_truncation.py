"""What the truncation means, checked independently of eqs. 19-28.

The truncated gradient must equal the exact derivative of the loss in which every
recurrent source activation y(t-1) that hidden units read is held at its recorded
value: error then flows only through the outputs of the same step and along the CEC
s(t-1) -> s(t).  Central finite differences of that loss, computed with the forward
pass alone, check this for every weight of small random networks.
"""

import numpy as np
import pytest
from conftest import random_case
from reference import ReferenceLSTM

from lstm97 import GROUPS


def frozen_loss(topology, weights, inputs, targets, mask, recorded):
    _, _, error, _ = ReferenceLSTM(topology, weights).run(inputs, targets, mask, frozen=recorded)
    return error


def finite_difference(net, inputs, targets, mask, frozen, eps=1e-6):
    weights = net.get_weights()
    recorded = ReferenceLSTM(net.topology, weights).run(inputs)[3]
    fd = {}
    for g in GROUPS:
        fd[g] = np.zeros_like(weights[g])
        for r, c in zip(*np.nonzero(net.masks[g])):
            loss = []
            for sign in (1, -1):
                w = {k: v.copy() for k, v in weights.items()}
                w[g][r, c] += sign * eps
                loss.append(frozen_loss(net.topology, w, inputs, targets, mask,
                                        recorded if frozen else None))
            fd[g][r, c] = (loss[0] - loss[1]) / (2 * eps)
    return fd


@pytest.mark.parametrize("seed", range(12))
def test_truncated_gradient_is_the_frozen_recurrence_derivative(seed):
    net, inputs, targets, mask = random_case(seed)
    grad, _ = net.gradient(inputs, targets, mask)
    fd = finite_difference(net, inputs, targets, mask, frozen=True)
    scale = max(np.abs(grad[g]).max(initial=0) for g in GROUPS)
    for g in GROUPS:
        np.testing.assert_allclose(grad[g], fd[g], rtol=1e-5, atol=1e-7 * max(scale, 1.0), err_msg=g)


def test_truncation_differs_from_the_full_gradient():
    """The check above is not vacuous: with recurrent connections live, the gradient differs."""
    for seed in range(40):
        net, inputs, targets, mask = random_case(seed)
        t = net.topology
        if t.connectivity == "F" and t.source_masks is None and len(inputs) > 5:
            break
    grad, _ = net.gradient(inputs, targets, mask)
    full = finite_difference(net, inputs, targets, mask, frozen=False)
    diff = max(np.abs(grad[g] - full[g]).max(initial=0) for g in GROUPS)
    scale = max(np.abs(full[g]).max(initial=0) for g in GROUPS)
    assert diff > 1e-3 * scale
