"""Experiments 4 and 5: the adding and the multiplication problem (`Adding`, `Multiplication`),
which share the rules for marking two pairs of a sequence (`_MarkedPairs`)."""

from __future__ import annotations

import numpy as np

from ._draws import marked_pairs
from .base import Task, _check_lengths, _checked_draws, _end_target_batch, _offsets, _tenth, _tolerance

__all__ = ["Adding", "Multiplication"]


class _MarkedPairs(Task):
    """Shared marker rules of the adding and multiplication problems (Exps 4 and 5)."""

    n_inputs = 2
    n_outputs = 1
    coding = "dense"
    _low: float
    _high: float
    _neutral: float  # what a pair contributes when the first pair is the one chosen (DECISIONS 9)

    def __init__(self, T=100, max_length=None, tolerance=None):
        # the first marked pair is one of the first ten, the second one of the first T/2 pairs
        # (minus the first marked one): T >= 20 keeps both choices inside the first T/2 pairs
        self.T, self.max_length = _check_lengths(T, max_length, 20, _tenth)
        self.tolerance = _tolerance(tolerance, 0.04)
        self._half = self.T // 2
        self.min_lag = self.T - self._half
        self._set_params(T=self.T, max_length=self.max_length, tolerance=self.tolerance)

    def _combine(self, x1, x2):
        raise NotImplementedError

    def sample(self, rng=None):
        """Draw one sequence (see the class docstring).

        Parameters
        ----------
        rng : None, int, numpy.random.SeedSequence, BitGenerator or Generator

        Returns
        -------
        TaskSequence
            ``inputs`` of shape (T, 2) (column 0 value, column 1 marker), ``targets`` of shape
            (T, 1) with the target at the last step, ``relevant_steps`` the two chosen pairs.
        """
        return self.sample_batch(1, rng).sequences[0]

    def sample_batch(self, n, rng=None):
        """Draw ``n`` sequences packed one after another: those of ``n`` calls of
        :meth:`sample` (which draws a batch of one), the same draws in the same order (per
        sequence: the length, the values, the first and the second choice; drawn in C by
        :func:`lstm97.tasks._draws.marked_pairs`), with the batch's arrays built at once.
        Each sequence's arrays are views of the batch's."""
        n, rng = _checked_draws(n, rng)
        lengths, values, choices = marked_pairs(rng, n, self.T, self.max_length, self._low, self._high,
                                                self._half)
        offsets = _offsets(lengths)
        starts, ends = offsets[:-1], offsets[1:] - 1
        # the second is uniform over the first T/2 pairs other than the first, i.e. "one of the
        # first T/2 - 1 still unmarked pairs"
        first, second = choices.T               # views: choices now holds the pairs chosen
        second += second >= first
        inputs = np.zeros((offsets[-1], 2))
        inputs[:, 0] = values
        inputs[starts + first, 1] = inputs[starts + second, 1] = 1.0
        inputs[starts, 1] = inputs[ends, 1] = -1.0   # a chosen first pair keeps its -1 (DECISIONS 9)
        x1, x2 = (np.where(i == 0, self._neutral, values[starts + i]) for i in (first, second))
        return _end_target_batch(inputs, offsets, self._combine(x1, x2)[:, None],
                                 relevant_steps=np.sort(choices, axis=1))


class Adding(_MarkedPairs):
    """Experiment 4: the adding problem.

    Each input is a pair (value, marker); the values are uniform in [-1, 1]; the length is uniform
    in [T, max_length]. Two pairs are marked with 1.0: first one of the first ten pairs (value
    X1), then one of the first T/2 pairs other than that one (X2). The first and the last pair
    carry marker -1.0 and all others 0.0. The target, at the last step only, is
    0.5 + (X1 + X2) / 4.0, in [0, 1].

    If a choice falls on the first pair, that pair keeps its marker -1 and contributes X1 = 0
    (the paper: "In the rare case where the first pair of the sequence gets marked, we set X1 to
    zero"; DECISIONS item 9), so only one pair then carries marker 1.

    Parameters
    ----------
    T : int, default 100
        Minimal sequence length (the paper: 100, 500, 1000). Must be >= 20 for the marker rules.
    max_length : int, optional
        Maximal sequence length; T + T // 10 by default; at most `MAX_STEPS`.
    tolerance : float, optional
        β of ABS(β); the paper's 0.04 by default.

    Attributes
    ----------
    n_inputs, n_outputs : int
        2 (column 0 value, column 1 marker) and 1; dense coding.
    min_lag : int
        T - T // 2 (the paper's T/2).

    Notes
    -----
    "One of the first T/2 - 1 still unmarked pairs" is read as: among the pairs not yet marked
    with 1, the first T/2 - 1, i.e. the first T/2 pairs minus the first marked one. This gives
    exactly the paper's minimal lag T/2. Either choice may fall on the first pair (the second
    one with probability about 2/T); the rule above then applies to whichever it is.
    """

    _low, _high, _neutral = -1.0, 1.0, 0.0

    def _combine(self, x1, x2):
        return 0.5 + (x1 + x2) / 4.0


class Multiplication(_MarkedPairs):
    """Experiment 5: the multiplication problem.

    As `Adding`, but the values are uniform in [0, 1], a marked first pair contributes X1 = 1.0,
    and the target is X1 * X2 (not rescaled).

    Parameters
    ----------
    T : int, default 100
        Minimal sequence length (>= 20).
    max_length : int, optional
        Maximal sequence length; T + T // 10 by default; at most `MAX_STEPS`.
    tolerance : float, optional
        β of ABS(β); the paper's 0.04 by default.

    Attributes
    ----------
    n_inputs, n_outputs : int
        2 and 1; dense coding.
    min_lag : int
        T - T // 2.
    """

    _low, _high, _neutral = 0.0, 1.0, 1.0

    def _combine(self, x1, x2):
        return x1 * x2
