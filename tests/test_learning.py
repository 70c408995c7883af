"""The engine learns: a Table 10 net solves a long-lag task within a fixed budget.

Bengio et al.'s 2-sequence problem with T = 100 (the paper's Exp 3a, N = 3): the class
shows only in the first three inputs, then ~100 steps of Gaussian noise of variance 0.2
follow, and the net must give the class at the end.  Gradients that flow back through
ordinary recurrent units vanish over such a lag (paper section 3); the CEC carries them.
The check is the paper's ST1: none of 256 fresh test sequences misclassified
(absolute error at the end below 0.2), tested every 1,000 training sequences.
"""

import numpy as np
import pytest

from lstm97 import LSTM, table10


def two_sequence(rng, T=100, N=3):
    length = int(rng.integers(T, T + T // 10 + 1))
    first_class = rng.random() < 0.5
    x = rng.normal(0.0, np.sqrt(0.2), (length, 1))
    x[:N, 0] = 1.0 if first_class else -1.0
    y = np.zeros((length, 1))
    y[-1] = 1.0 if first_class else 0.0
    return x, y, np.arange(length) == length - 1


def misclassified(net, rng, n):
    """Fraction of n fresh sequences whose absolute error at the end is 0.2 or more."""
    wrong = 0
    for _ in range(n):
        x, y, _ = two_sequence(rng)
        wrong += abs(net.forward(x)[-1, 0] - y[-1, 0]) >= 0.2
    return wrong / n


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_3a_net_learns_the_two_sequence_problem(seed):
    rng = np.random.default_rng(seed)
    net = LSTM(table10("3a"), rng=rng)
    assert misclassified(net, np.random.default_rng(seed + 100), 2560) > 0.3
    for n in range(1, 150_001):
        net.train_sequence(*two_sequence(rng), learning_rate=1.0)
        if n % 1000 == 0 and misclassified(net, rng, 256) == 0:
            break
    else:
        pytest.fail("ST1 not reached within 150,000 training sequences")
    assert misclassified(net, np.random.default_rng(seed + 100), 2560) < 0.01
