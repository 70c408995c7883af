"""The weight-guessing study (Hochreiter & Schmidhuber 1996; Schmidhuber, Hochreiter & Bengio
2001): the latch and parity problems and Tomita grammars #1, #2, #4 (`Latch`, `Parity`, `Tomita`).

The study's 2-sequence problem is `TwoSequence` (``lstm97/tasks/two_sequence.py``).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .._validation import check_choice, check_real, check_rng, shown
from .base import Task, TaskSequence, _check_lengths, _end_target_sequence, _tolerance

__all__ = ["Latch", "Parity", "Tomita"]


def _guessing_extra(T):
    return 100   # "All sequence lengths are randomly chosen between 500 and 600"


class Latch(Task):
    """The latch problem of Bengio et al. (1994), as used in the weight-guessing study.

    One real-valued input line. The first input is +1.0 (class 1) or -1.0 (class 2); Gaussian
    noise with mean 0 and variance `noise_variance` is every later input ("added to each
    sequence element except the first"). The target at the last step is for a tanh output unit:
    +0.8 / -0.8 (variant I) or +1.0 / -1.0 (variant II).

    In variant I the two initial input values are free parameters of the guessed model; the
    generator puts +-1 there and the class in `TaskSequence.label`, so a guessing experiment
    replaces ``inputs[0, 0]`` by its guessed value for that class.

    Parameters
    ----------
    variant : {"I", "II"}, default "II"
    T : int, default 500
        Minimal sequence length (>= 1).
    max_length : int, optional
        Maximal sequence length; T + 100 (600) by default; at most `MAX_STEPS`.
    noise_variance : float, default 0.2
    tolerance : float, optional
        β of ABS(β) at the sequence end; 0.1 (the guessing study's criterion) by default.

    Attributes
    ----------
    n_inputs, n_outputs : int
        1 and 1 (dense coding).
    classes : tuple of str
        ``("class 1", "class 2")``.
    min_lag : int
        T - 1.
    """

    n_inputs = 1
    n_outputs = 1
    coding = "dense"
    classes = ("class 1", "class 2")

    def __init__(self, variant="II", T=500, max_length=None, noise_variance=0.2, tolerance=None):
        self.variant = check_choice("variant", variant, ("I", "II"))
        self.T, self.max_length = _check_lengths(T, max_length, 1, _guessing_extra)
        self.noise_variance = check_real("noise_variance", noise_variance, 0.0)
        self.tolerance = _tolerance(tolerance, 0.1)
        self.min_lag = self.T - 1
        self._target = 0.8 if self.variant == "I" else 1.0
        self._noise_std = math.sqrt(self.noise_variance)
        self._set_params(variant=self.variant, T=self.T, max_length=self.max_length,
                         noise_variance=self.noise_variance, tolerance=self.tolerance)

    def sample(self, rng=None):
        """Draw one sequence (see the class docstring).

        Parameters
        ----------
        rng : None, int, numpy.random.SeedSequence, BitGenerator or Generator

        Returns
        -------
        TaskSequence
            ``inputs`` of shape (T, 1), ``targets`` of shape (T, 1), ``label`` 0 for class 1.
        """
        rng = check_rng("rng", rng)
        length = int(rng.integers(self.T, self.max_length + 1))
        label = int(rng.integers(0, 2))
        inputs = rng.normal(0.0, self._noise_std, size=(length, 1))
        inputs[0, 0] = 1.0 if label == 0 else -1.0
        targets, mask = _end_target_sequence(inputs, 1)
        targets[-1, 0] = self._target if label == 0 else -self._target
        return TaskSequence(inputs, targets, mask, label=label,
                            relevant_steps=np.array([0], dtype=np.int64))


class Parity(Task):
    """The parity problem of the weight-guessing study.

    Inputs are +1.0 and -1.0 with probability 0.5 each (one input line); the target at the last
    step is 1.0 if the number of +1's is odd and 0.0 if it is even. Bengio et al. (1994) also add
    uniform noise in [-0.2, 0.2]; set ``noise=0.2`` for that.

    Parameters
    ----------
    T : int, default 500
        Minimal sequence length (>= 1).
    max_length : int, optional
        Maximal sequence length; T + 100 (600) by default; at most `MAX_STEPS`.
    noise : float, default 0.0
        Half-width of the uniform noise added to every input.
    tolerance : float, optional
        β of ABS(β) at the sequence end; 0.1 by default.

    Attributes
    ----------
    n_inputs, n_outputs : int
        1 and 1 (dense coding).
    classes : tuple of str
        ``("even", "odd")``: the label is the target.
    """

    n_inputs = 1
    n_outputs = 1
    coding = "dense"
    classes = ("even", "odd")

    def __init__(self, T=500, max_length=None, noise=0.0, tolerance=None):
        self.T, self.max_length = _check_lengths(T, max_length, 1, _guessing_extra)
        self.noise = check_real("noise", noise, 0.0)
        self.tolerance = _tolerance(tolerance, 0.1)
        self._set_params(T=self.T, max_length=self.max_length, noise=self.noise,
                         tolerance=self.tolerance)

    def sample(self, rng=None):
        """Draw one sequence (see the class docstring).

        Parameters
        ----------
        rng : None, int, numpy.random.SeedSequence, BitGenerator or Generator

        Returns
        -------
        TaskSequence
            ``inputs`` of shape (T, 1), ``targets`` of shape (T, 1), ``label`` 1 for odd.
        """
        rng = check_rng("rng", rng)
        length = int(rng.integers(self.T, self.max_length + 1))
        bits = rng.integers(0, 2, size=length)
        inputs = (2.0 * bits - 1.0).reshape(length, 1)
        if self.noise > 0.0:
            inputs += rng.uniform(-self.noise, self.noise, size=(length, 1))
        label = int(bits.sum() & 1)
        targets, mask = _end_target_sequence(inputs, 1)
        targets[-1, 0] = float(label)
        return TaskSequence(inputs, targets, mask, label=label)


class Tomita(Task):
    """Tomita grammars #1, #2 and #4, as used in the weight-guessing study.

    Over the alphabet {0, 1}: #1 = 1*, #2 = (10)*, #4 = no "000" substring (DECISIONS item 16).
    The input line carries +1.0 for 1 and -1.0 for 0; the target at the last step is 1.0 for a
    string of the language and 0.0 otherwise.

    Sampling is class-balanced (the study's training sets hold 50 sequences of each class): the
    label is drawn with probability 0.5, then a length uniform among the lengths in
    [T, max_length] at which that class has strings, then a string uniform among the strings of
    that class and length.

    Parameters
    ----------
    grammar : {1, 2, 4}, default 1
    T : int, default 500
        Minimal string length (>= 1; >= 3 for #4, whose rejected strings contain "000").
    max_length : int, optional
        Maximal string length; T + 100 (600) by default; at most `MAX_STEPS`. For #2 the range
        must contain an even length.
    tolerance : float, optional
        β of ABS(β) at the sequence end; 0.1 by default.

    Attributes
    ----------
    n_inputs, n_outputs : int
        1 and 1 (dense coding).
    classes : tuple of str
        ``("reject", "accept")``: the label is the target.

    Notes
    -----
    Uniform strings of #4 are drawn symbol by symbol with the exact conditional probabilities
    (counts of completions that avoid "000"), a Python loop over the string; the guessing study
    evaluates fixed sets of 100 strings, so this is not on a training hot path.
    """

    n_inputs = 1
    n_outputs = 1
    coding = "dense"
    classes = ("reject", "accept")

    def __init__(self, grammar=1, T=500, max_length=None, tolerance=None):
        if (isinstance(grammar, bool) or not isinstance(grammar, numbers.Integral)
                or grammar not in (1, 2, 4)):
            raise ValueError(
                f"grammar must be one of 1, 2, 4 (Tomita #1, #2, #4), got {shown(grammar)}")
        self.grammar = int(grammar)
        self.T, self.max_length = _check_lengths(
            T, max_length, 3 if self.grammar == 4 else 1, _guessing_extra)
        self.tolerance = _tolerance(tolerance, 0.1)
        lengths = np.arange(self.T, self.max_length + 1)
        self._lengths = {0: lengths, 1: lengths}
        if self.grammar == 2:
            self._lengths[1] = lengths[lengths % 2 == 0]
            if self._lengths[1].size == 0:
                raise ValueError(
                    f"max_length must allow an even length for grammar 2, got T = {self.T}, "
                    f"max_length = {self.max_length}")
        if self.grammar == 4:
            self._p_one = self._no_000_table(self.max_length)
        self._set_params(grammar=self.grammar, T=self.T, max_length=self.max_length,
                         tolerance=self.tolerance)

    @staticmethod
    def _no_000_table(max_length):
        """p_one[z, n]: probability that the next symbol is 1 in a uniform "000"-free string,
        given z trailing zeros so far and n symbols still to draw."""
        # every column is written once below (column 0, never looked up, stays 1.0): no np.ones
        # pass over what can be 240 MB at MAX_STEPS
        p_one = np.empty((3, max_length + 1))
        p_one[:, 0] = 1.0
        completions = np.ones(3)   # completions of length 0 from z = 0, 1, 2 trailing zeros
        # Column n depends only on `completions` before step n, and the rescaled counts settle
        # into a cycle (of length 2, from n = 40, in IEEE doubles): once a state recurs, the
        # columns after it repeat the ones after its first visit, so they are copied rather than
        # recomputed. That keeps the table exact to the bit and cheap up to MAX_STEPS.
        first_seen = {}
        for n in range(1, max_length + 1):
            state = completions.tobytes()
            if state in first_seen:
                start = first_seen[state]
                period = n - start
                for k in range(period):
                    p_one[:, n + k::period] = p_one[:, start + k, None]
                break
            first_seen[state] = n
            with_zero = np.array([completions[1], completions[2], 0.0])
            new = completions[0] + with_zero
            p_one[:, n] = completions[0] / new
            completions = new / new[0]   # rescale: only ratios matter, and counts grow like 1.84^n
        return p_one

    def accepts(self, string):
        """Whether `string` (over "0" and "1") is in the grammar's language.

        Parameters
        ----------
        string : str

        Returns
        -------
        bool

        Raises
        ------
        TypeError
            If `string` is not a str (a membership test on, say, a huge range would not end).
        """
        if not isinstance(string, str):
            raise TypeError(f"string must be a str, got {shown(string)}")
        if self.grammar == 1:
            return "0" not in string
        if self.grammar == 2:
            return len(string) % 2 == 0 and string == "10" * (len(string) // 2)
        return "000" not in string

    def _draw_bits(self, label, length, rng):
        if label == 1 and self.grammar == 1:
            return np.ones(length, dtype=np.int64)
        if label == 1 and self.grammar == 2:
            return np.tile(np.array([1, 0], dtype=np.int64), length // 2)
        if label == 1:
            u = rng.random(length)
            bits = np.empty(length, dtype=np.int64)
            p_one = self._p_one
            zeros = 0
            for i in range(length):
                if u[i] < p_one[zeros, length - i]:
                    bits[i] = 1
                    zeros = 0
                else:
                    bits[i] = 0
                    zeros += 1
            return bits
        # the rejected strings: uniform strings, redrawn in the rare case they are in the language
        while True:
            bits = rng.integers(0, 2, size=length)
            if not self.accepts(_bits_to_string(bits)):
                return bits

    def sample(self, rng=None):
        """Draw one sequence (see the class docstring).

        Parameters
        ----------
        rng : None, int, numpy.random.SeedSequence, BitGenerator or Generator

        Returns
        -------
        TaskSequence
            ``inputs`` of shape (T, 1), ``targets`` of shape (T, 1), ``label`` 1 for accepted
            strings, ``string`` the string over "0"/"1".
        """
        rng = check_rng("rng", rng)
        label = int(rng.integers(0, 2))
        lengths = self._lengths[label]
        length = int(lengths[rng.integers(0, lengths.size)])
        bits = self._draw_bits(label, length, rng)
        inputs = (2.0 * bits - 1.0).reshape(length, 1)
        targets, mask = _end_target_sequence(inputs, 1)
        targets[-1, 0] = float(label)
        return TaskSequence(inputs, targets, mask, label=label, string=_bits_to_string(bits))


def _bits_to_string(bits):
    return (np.asarray(bits, dtype=np.uint8) + ord("0")).tobytes().decode("ascii")
