"""The PyTorch-autograd version of the truncated gradient (used by the benchmarks) is right."""

import numpy as np
import pytest
from conftest import random_case

pytest.importorskip("torch")
from torch_twin import truncated_gradient  # noqa: E402

from lstm97 import GROUPS  # noqa: E402


@pytest.mark.parametrize("seed", range(20))
def test_autograd_with_detached_recurrence_equals_the_core(seed):
    net, inputs, targets, mask = random_case(seed)
    grad, error = truncated_gradient(net, inputs, targets, mask)
    core, core_error = net.gradient(inputs, targets, mask)
    np.testing.assert_allclose(error, core_error, rtol=1e-12)
    for g in GROUPS:
        scale = max(np.abs(core[g]).max(initial=0.0), 1e-300)
        np.testing.assert_allclose(grad[g], core[g], rtol=1e-10, atol=1e-12 * scale, err_msg=g)
