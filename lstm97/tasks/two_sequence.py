"""Experiments 3a, 3b and 3c, and the weight-guessing study's 500-600 variant: Bengio et al.'s
2-sequence problem (`TwoSequence`)."""

from __future__ import annotations

import math

import numpy as np

from .._validation import check_choice, check_int, check_real, shown
from ._draws import two_sequence
from .base import Task, _check_lengths, _checked_draws, _end_target_batch, _offsets, _tenth, _tolerance

__all__ = ["TwoSequence"]


class TwoSequence(Task):
    """Experiments 3a, 3b, 3c: Bengio et al.'s 2-sequence problem (noise and signal on one channel).

    One real-valued input line. Each sequence belongs to class 1 or class 2 (probability 0.5
    each); its length is uniform in [T, max_length]. The first N inputs are +1.0 (class 1) or
    -1.0 (class 2); every later input is Gaussian noise with mean 0 and variance
    `noise_variance`. The target, at the last step only, is 1.0 (class 1) or 0.0 (class 2).

    - 3a: as above.
    - 3b: the same Gaussian noise is also added to the first N (information-carrying) inputs.
    - 3c: as 3a, but the targets are 0.2 (class 1) and 0.8 (class 2) plus Gaussian target noise of
      variance `target_noise_variance`, redrawn for every sequence (DECISIONS item 14); the
      noise-free target is `TaskSequence.noise_free_targets`, and correctness is judged against it.

    The weight-guessing study uses the 3a problem with N = 1 and lengths between 500 and 600 and
    calls a sequence correct if its absolute error at the end is below 0.1:
    ``TwoSequence(T=500, N=1, max_length=600, tolerance=0.1)``.

    Parameters
    ----------
    T : int, default 100
        Minimal sequence length (>= 1).
    N : int, default 3
        Number of information-carrying elements, 1 <= N <= T (the paper: 1 or 3).
    variant : {"3a", "3b", "3c"}, default "3a"
    max_length : int, optional
        Maximal sequence length; T + T // 10 by default ("random in [T, T + T/10]"); at most
        `MAX_STEPS`.
    noise_variance : float, default 0.2
        Variance of the input noise (not the standard deviation).
    target_noise_variance : float, default 0.1
        Variance of the 3c target noise (standard deviation 0.32); unused by 3a and 3b.
    tolerance : float, optional
        3a/3b: β of ABS(β), 0.2 by default. 3c: the largest allowed distance to the noise-free
        target, 0.1 by default (the paper's misclassified means "> 0.1", so 0.1 itself is correct).

    Attributes
    ----------
    n_inputs, n_outputs : int
        1 and 1 (dense coding).
    classes : tuple of str
        ``("class 1", "class 2")``.
    min_lag : int
        T - N.
    """

    n_inputs = 1
    n_outputs = 1
    coding = "dense"
    classes = ("class 1", "class 2")

    def __init__(self, T=100, N=3, variant="3a", max_length=None, noise_variance=0.2,
                 target_noise_variance=0.1, tolerance=None):
        self.T, self.max_length = _check_lengths(T, max_length, 1, _tenth)
        self.N = check_int("N", N, 1)
        if self.N > self.T:
            raise ValueError(f"N must be <= T = {self.T}, got {shown(self.N)}")
        self.variant = check_choice("variant", variant, ("3a", "3b", "3c"))
        self.noise_variance = check_real("noise_variance", noise_variance, 0.0)
        self.target_noise_variance = check_real(
            "target_noise_variance", target_noise_variance, 0.0)
        default_tolerance = 0.1 if self.variant == "3c" else 0.2
        self.tolerance = _tolerance(tolerance, default_tolerance)
        self._inclusive = self.variant == "3c"
        self.min_lag = self.T - self.N
        self._noise_std = math.sqrt(self.noise_variance)
        self._target_noise_std = math.sqrt(self.target_noise_variance)
        self._relevant = np.arange(self.N, dtype=np.int64)
        self._relevant.flags.writeable = False   # shared by every sequence this task draws
        self._set_params(T=self.T, N=self.N, variant=self.variant, max_length=self.max_length,
                         noise_variance=self.noise_variance,
                         target_noise_variance=self.target_noise_variance,
                         tolerance=self.tolerance)

    def sample(self, rng=None):
        """Draw one sequence (see the class docstring).

        Parameters
        ----------
        rng : None, int, numpy.random.SeedSequence, BitGenerator or Generator

        Returns
        -------
        TaskSequence
            ``inputs`` of shape (T, 1), ``targets`` of shape (T, 1) with the target at the last
            step; ``label`` 0 for class 1 and 1 for class 2; 3c also ``noise_free_targets``.
        """
        return self.sample_batch(1, rng).sequences[0]

    def sample_batch(self, n, rng=None):
        """Draw ``n`` sequences packed one after another: those of ``n`` calls of
        :meth:`sample` (which draws a batch of one), the same draws in the same order (per
        sequence: the length, the class, the input noise and, for 3c, the target noise; drawn
        in C by :func:`lstm97.tasks._draws.two_sequence`), with the batch's arrays built at
        once.  Each sequence's arrays are views of the batch's."""
        n, rng = _checked_draws(n, rng)
        noisy = self.variant == "3c"
        lengths, labels, noise, target_noise = two_sequence(
            rng, n, self.T, self.max_length, self._noise_std, self._target_noise_std, noisy)
        offsets = _offsets(lengths)
        inputs = noise[:, None]
        first = (offsets[:-1, None] + np.arange(self.N)).ravel()
        sign = np.repeat(np.where(labels == 0, 1.0, -1.0), self.N)
        if self.variant == "3b":
            inputs[first, 0] += sign
        else:
            inputs[first, 0] = sign
        relevant = np.broadcast_to(self._relevant, (n, self.N))
        if noisy:
            noise_free = np.where(labels == 0, 0.2, 0.8)[:, None]
            return _end_target_batch(inputs, offsets, noise_free + target_noise[:, None], labels, relevant,
                                     noise_free)
        return _end_target_batch(inputs, offsets, np.where(labels == 0, 1.0, 0.0)[:, None], labels, relevant)
