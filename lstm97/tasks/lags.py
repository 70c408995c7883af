"""Experiments 2a, 2b and 2c: long time lags between a symbol and the step that must recall it
(`LongTimeLag` for 2a/2b, `VeryLongTimeLag` for 2c)."""

from __future__ import annotations

import numpy as np

from .._validation import check_choice, check_real
from ._draws import very_long_lag
from .base import (MAX_STEPS, SequenceBatch, Task, TaskSequence, _check_size, _checked_draws,
                   _end_target_batch, _offsets, _tolerance)

__all__ = ["LongTimeLag", "VeryLongTimeLag"]

# Exps 2a/2b: a sequence's targets are a dense (p, p + 1) float64 array, so memory grows as p^2;
# p = 5000 (50 times the paper's largest lag) already takes 200 MB.
_MAX_LAG = 5_000
# Exp 2c: the inputs stay symbol-coded, so p only sets the alphabet (and the network's input layer).
_MAX_DISTRACTORS = 1_000_000
# Exp 2c: the mean number of extra distractors is 1 / trigger_probability - 1 (geometric); below
# 10^-6 a sequence would average more than a million extra steps.
_MIN_TRIGGER_PROBABILITY = 1e-6


def _one_hot_prediction(strings, n_symbols):
    """Inputs = symbols 1..L-1, targets = one-hot of symbols 2..L, mask all True; of one
    string (shape (L,)), or of several of one length (shape (n, L)) one after another."""
    inputs, following = np.ascontiguousarray(strings[..., :-1].reshape(-1)), strings[..., 1:].reshape(-1)
    T = inputs.shape[0]
    targets = np.zeros((T, n_symbols))
    targets[np.arange(T), following] = 1.0
    return inputs, targets, np.ones(T, dtype=bool)


class LongTimeLag(Task):
    """Experiments 2a and 2b: predict the next symbol of (y, a_1..a_{p-1}, y) or (x, ..., x).

    There are p+1 locally coded symbols. Each sequence starts with x or y (probability 0.5 each),
    has a middle of length p-1, and ends with its first symbol again; the network predicts the
    next symbol at every step. In 2a the middle is always a_1, ..., a_{p-1} (only two different
    sequences exist); in 2b ("no local regularities") it is a random string of length p-1 over
    {a_1, ..., a_{p-1}}. Symbol order: a_1, ..., a_{p-1}, x, y (x = index p-1, y = index p).

    Parameters
    ----------
    p : int, default 100
        The time lag (Table 2 uses 4, 10 and 100); 1 <= p <= 5000.
    variant : {"2a", "2b"}, default "2a"
    tolerance : float, optional
        β of ABS(β); the paper's 0.25 by default.

    Attributes
    ----------
    n_inputs, n_outputs : int
        p + 1 each.
    classes : tuple of str
        ``("x", "y")``.
    criterion_steps : str
        ``"all"`` for 2a ("the maximal absolute error of all output units is always below 0.25"),
        ``"end"`` for 2b ("below 0.25 at sequence end").
    min_lag : int
        p - 1 (the first input, step 0, decides the target at step p - 1).
    """

    n_outputs: int
    coding = "symbols"
    classes = ("x", "y")

    def __init__(self, p=100, variant="2a", tolerance=None):
        self.p = _check_size("p", p, 1, _MAX_LAG,
                             "a sequence's targets are a p x (p + 1) float64 array, 200 MB at 5000")
        self.variant = check_choice("variant", variant, ("2a", "2b"))
        self.tolerance = _tolerance(tolerance, 0.25)
        self.n_inputs = self.n_outputs = self.p + 1
        self.alphabet = tuple(f"a{i}" for i in range(1, self.p)) + ("x", "y")
        self.criterion_steps = "all" if self.variant == "2a" else "end"
        self.min_lag = self.p - 1
        self._middle = np.arange(self.p - 1, dtype=np.int64)
        self._set_params(p=self.p, variant=self.variant, tolerance=self.tolerance)

    def sample(self, rng=None):
        """Draw one sequence (see the class docstring).

        Parameters
        ----------
        rng : None, int, numpy.random.SeedSequence, BitGenerator or Generator

        Returns
        -------
        TaskSequence
            ``inputs`` of shape (p,), ``targets`` of shape (p, p+1), mask all True, ``label`` 0
            for x and 1 for y.
        """
        return self.sample_batch(1, rng).sequences[0]

    def sample_batch(self, n, rng=None):
        """Draw ``n`` sequences packed one after another, with the one-hot targets of the
        whole batch built at once: those of ``n`` calls of :meth:`sample` (which draws a batch
        of one), the same draws in the same order.  Each sequence's arrays are views of the
        batch's."""
        n, rng = _checked_draws(n, rng)
        p = self.p
        strings = np.empty((n, p + 1), dtype=np.int64)
        labels = np.empty(n, dtype=np.int64)
        for i in range(n):
            labels[i] = rng.integers(0, 2)
            if self.variant == "2b" and p > 1:
                strings[i, 1:-1] = rng.integers(0, p - 1, size=p - 1)
        if self.variant == "2a":
            strings[:, 1:-1] = self._middle
        strings[:, 0] = strings[:, -1] = p - 1 + labels
        inputs, targets, mask = _one_hot_prediction(strings, p + 1)
        offsets = np.arange(0, n * p + 1, p, dtype=np.intp)
        sequences = [TaskSequence(inputs[a:a + p], targets[a:a + p], mask[a:a + p], label=int(label),
                                  relevant_steps=np.array([0], dtype=np.int64))
                     for a, label in zip(offsets[:-1], labels)]
        return SequenceBatch(inputs, targets, mask, targets, None, offsets, sequences)


class VeryLongTimeLag(Task):
    """Experiment 2c: very long time lags, no local regularities.

    Symbols (locally coded, in this order): a_1, ..., a_p (distractors), e (trigger), b, x, y;
    so a_i = index i-1, e = p, b = p+1, x = p+2, y = p+3. A sequence is generated as the paper
    says: b, then x or y (probability 0.5 each), then q random distractors; then repeatedly
    another random distractor with probability 9/10 or e with probability 1/10 (which stops it);
    after e, the final symbol is x or y to match the second one. Distractors are drawn uniformly
    from a_1..a_p (DECISIONS item 8). The final symbol is not an input: the network reads b ... e
    and at the last step (reading e) must predict it on 2 output units, one-hot (x, y).

    Parameters
    ----------
    p : int, default 100
        Number of distractor symbols, 1 <= p <= 1,000,000.
    q : int, default 100
        Number of distractors always present; the minimal time lag is q + 1. A sequence has at
        least q + 3 steps, so 0 <= q <= `MAX_STEPS` - 3.
    trigger_probability : float, default 0.1
        Probability of appending e instead of another distractor, in [1e-6, 1].
    tolerance : float, optional
        β of ABS(β) at the sequence end; the paper's 0.2 by default.

    Attributes
    ----------
    n_inputs : int
        p + 4.
    n_outputs : int
        2 (x, y).
    classes : tuple of str
        ``("x", "y")``.
    min_lag : int
        q + 1 (step 1 holds x/y, the target is at step q + 2 or later).

    Notes
    -----
    The number k of extra distractors is geometric, P(k) = (1/10)(9/10)^k with mean 9, so the
    mean string length is q + 13 (the paper prints q + 14) and the mean input length is q + 12.
    """

    n_outputs = 2
    coding = "symbols"
    classes = ("x", "y")

    def __init__(self, p=100, q=100, trigger_probability=0.1, tolerance=None):
        self.p = _check_size("p", p, 1, _MAX_DISTRACTORS, "the alphabet has p + 4 symbols")
        self.q = _check_size("q", q, 0, MAX_STEPS - 3,
                             "a sequence has at least q + 3 steps, and at most "
                             f"lstm97.tasks.MAX_STEPS = {MAX_STEPS:,} are allowed")
        self.trigger_probability = check_real(
            "trigger_probability", trigger_probability, 0.0, 1.0, exclusive_minimum=True)
        if self.trigger_probability < _MIN_TRIGGER_PROBABILITY:
            raise ValueError(
                f"trigger_probability must be at least {_MIN_TRIGGER_PROBABILITY} (a sequence "
                "has 1 / trigger_probability - 1 extra distractors on average), got "
                f"{self.trigger_probability!r}")
        self.tolerance = _tolerance(tolerance, 0.2)
        self.n_inputs = self.p + 4
        self.alphabet = tuple(f"a{i}" for i in range(1, self.p + 1)) + ("e", "b", "x", "y")
        self.min_lag = self.q + 1
        self._set_params(p=self.p, q=self.q, trigger_probability=self.trigger_probability,
                         tolerance=self.tolerance)

    def sample(self, rng=None):
        """Draw one sequence (see the class docstring).

        Parameters
        ----------
        rng : None, int, numpy.random.SeedSequence, BitGenerator or Generator

        Returns
        -------
        TaskSequence
            ``inputs`` of shape (T,) with T = q + k + 3 (b, x|y, q + k distractors, e),
            ``targets`` of shape (T, 2) with the one-hot x/y code at the last step, ``label``
            0 for x and 1 for y.
        """
        return self.sample_batch(1, rng).sequences[0]

    def sample_batch(self, n, rng=None):
        """Draw ``n`` sequences packed one after another: those of ``n`` calls of
        :meth:`sample` (which draws a batch of one), the same draws in the same order (per
        sequence: x or y, the number of extra distractors, the distractors; drawn in C by
        :func:`lstm97.tasks._draws.very_long_lag`), with the batch's arrays built at once.
        Each sequence's arrays are views of the batch's."""
        n, rng = _checked_draws(n, rng)
        p, q, probability = self.p, self.q, self.trigger_probability
        labels, counts, distractors = very_long_lag(rng, n, p, q, probability)
        offsets = _offsets(counts + 3)
        starts, ends = offsets[:-1], offsets[1:] - 1
        inputs = np.empty(offsets[-1], dtype=np.int64)
        middle = np.ones(offsets[-1], dtype=bool)
        middle[starts] = middle[starts + 1] = middle[ends] = False
        inputs[middle] = distractors
        inputs[starts] = p + 1                   # b
        inputs[starts + 1] = p + 2 + labels      # x or y
        inputs[ends] = p                         # e
        return _end_target_batch(inputs, offsets, np.eye(2)[labels], labels,
                                 relevant_steps=np.ones((n, 1), dtype=np.int64))
