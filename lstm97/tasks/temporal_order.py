"""Experiments 6a and 6b: classify the temporal order of widely separated symbols
(`TemporalOrder`)."""

from __future__ import annotations

import numpy as np

from .._validation import check_choice
from ._draws import temporal_order
from .base import Task, _check_lengths, _checked_draws, _end_target_batch, _offsets, _tenth, _tolerance

__all__ = ["TEMPORAL_ORDER_ALPHABET", "TemporalOrder"]


TEMPORAL_ORDER_ALPHABET = ("E", "B", "a", "b", "c", "d", "X", "Y")
_TEMPORAL_ORDER = {
    # variant: (1-based position ranges of the X/Y symbols, class names in the paper's order)
    "6a": (((10, 20), (50, 60)), ("Q", "R", "S", "U")),
    "6b": (((10, 20), (33, 43), (66, 76)), ("Q", "R", "S", "U", "V", "A", "B", "C")),
}


class TemporalOrder(Task):
    """Experiments 6a and 6b: classify the temporal order of widely separated X/Y symbols.

    Symbol order (inputs): E, B, a, b, c, d, X, Y. A sequence of length uniform in
    [T, max_length] starts with E and ends with B (the trigger); positions t1 in [10, 20] and t2
    in [50, 60] (6a), or t1 in [10, 20], t2 in [33, 43], t3 in [66, 76] (6b), hold X or Y; every
    other position holds a, b, c or d. Positions are 1-based as in the paper, with E at
    position 1 (DECISIONS item 15), which gives Table 10's lags 40 and 24.

    Classes (outputs, one-hot target at the last step): 6a: XX -> Q, XY -> R, YX -> S, YY -> U;
    6b: XXX -> Q, XXY -> R, XYX -> S, XYY -> U, YXX -> V, YXY -> A, YYX -> B, YYY -> C. So the
    label is the X/Y pattern read as a binary number with X = 0, Y = 1.

    Parameters
    ----------
    variant : {"6a", "6b"}, default "6a"
    T : int, default 100
        Minimal sequence length; the last X/Y position must come before it.
    max_length : int, optional
        Maximal sequence length; T + T // 10 (110 for T = 100) by default; at most `MAX_STEPS`.
    tolerance : float, optional
        β of ABS(β) over all output units; the paper's 0.3 by default.

    Attributes
    ----------
    n_inputs : int
        8.
    n_outputs : int
        4 (6a) or 8 (6b).
    classes : tuple of str
        ``("Q", "R", "S", "U")`` or ``("Q", "R", "S", "U", "V", "A", "B", "C")``.
    positions : tuple of (int, int)
        The 1-based ranges of the X/Y positions.
    min_lag : int
        T minus the last X/Y position: 40 (6a) and 24 (6b).
    """

    n_inputs = 8
    coding = "symbols"
    alphabet = TEMPORAL_ORDER_ALPHABET

    def __init__(self, variant="6a", T=100, max_length=None, tolerance=None):
        self.variant = check_choice("variant", variant, tuple(_TEMPORAL_ORDER))
        self.positions, self.classes = _TEMPORAL_ORDER[self.variant]
        last = self.positions[-1][1]
        self.T, self.max_length = _check_lengths(T, max_length, last + 1, _tenth)
        self.tolerance = _tolerance(tolerance, 0.3)
        self.n_outputs = len(self.classes)
        self.min_lag = self.T - last
        self._low = np.array([lo for lo, _ in self.positions], dtype=np.int64) - 1   # 0-based
        self._high = np.array([hi for _, hi in self.positions], dtype=np.int64)      # exclusive, 0-based
        self._weights = 1 << np.arange(len(self.positions) - 1, -1, -1)
        self._set_params(variant=self.variant, T=self.T, max_length=self.max_length,
                         tolerance=self.tolerance)

    def sample(self, rng=None):
        """Draw one sequence (see the class docstring).

        Parameters
        ----------
        rng : None, int, numpy.random.SeedSequence, BitGenerator or Generator

        Returns
        -------
        TaskSequence
            ``inputs`` of shape (T,), ``targets`` of shape (T, n_outputs) with the one-hot class
            at the last step, ``label`` the class index, ``relevant_steps`` the 0-based X/Y steps.
        """
        return self.sample_batch(1, rng).sequences[0]

    def sample_batch(self, n, rng=None):
        """Draw ``n`` sequences packed one after another: those of ``n`` calls of
        :meth:`sample` (which draws a batch of one), the same draws in the same order (per
        sequence: the length, the symbols, the steps of X/Y and which of them each is; drawn
        in C by :func:`lstm97.tasks._draws.temporal_order`), with the batch's arrays built at
        once.  Each sequence's arrays are views of the batch's."""
        n, rng = _checked_draws(n, rng)
        lengths, inputs, steps, xy = temporal_order(rng, n, self.T, self.max_length, self._low, self._high)
        offsets = _offsets(lengths)
        inputs[offsets[:-1]] = 0                        # E
        inputs[offsets[1:] - 1] = 1                     # B
        inputs[(offsets[:-1, None] + steps).ravel()] = (6 + xy).ravel()   # X or Y
        labels = xy @ self._weights
        return _end_target_batch(inputs, offsets, np.eye(self.n_outputs)[labels], labels, steps)
