"""Private compiled kernel of lstm97's standard recurrent nets (``lstm97.models.recurrent``).

A net has ``U`` units and reads, at step t, the sources ``[x(t), 1, y]``: the ``I``
inputs, a bias unit and the units' activations (0 at a sequence's start).  ``w`` is
``(U, I + 1 + U)``, row u the weights into unit u (0 where there is no connection), and
y_u(t) = f_u(w_u . src), with f_u logistic (``kind`` 0) or tanh (``kind`` 1).  Units of
stage 0 update first, all at once, from the activations of step t-1; then the units of
stage 1 (a net's output units, say), reading the stage-0 units' activations of step t and
the stage-1 units' of step t-1.

The Python layer validates every argument; these functions check shapes once per call
(a bug there raises ``ValueError`` instead of reading past a buffer) and run without the
GIL.
"""

from libc.math cimport exp, fabs, tanh
from libc.string cimport memcpy, memset

import numpy as np

cdef enum:
    LOGISTIC = 0
    TANH = 1


cdef inline double activate(double z, signed char kind) noexcept nogil:
    if kind == TANH:
        return tanh(z)
    return 1.0 / (1.0 + exp(-z))


cdef inline void step(const double* w, const signed char* kinds, const signed char* stages,
                      Py_ssize_t U, Py_ssize_t S, double* src, double* y) noexcept nogil:
    """One step: ``src`` holds [x(t), 1, y(t-1)]; afterwards its last U entries and ``y``
    hold y(t)."""
    cdef Py_ssize_t u, m, stage
    cdef double acc
    cdef const double* row
    cdef double* units = src + S - U
    for stage in range(2):
        for u in range(U):
            if stages[u] != stage:
                continue
            row = w + u * S
            acc = 0.0
            for m in range(S):
                acc += row[m] * src[m]
            y[u] = activate(acc, kinds[u])
        if stage == 0:                       # stage 1 reads the stage-0 units of this step
            for u in range(U):
                if stages[u] == 0:
                    units[u] = y[u]
    memcpy(units, y, U * sizeof(double))


def _check(Py_ssize_t U, Py_ssize_t S, Py_ssize_t n_kinds, Py_ssize_t n_stages, Py_ssize_t I):
    if n_kinds != U or n_stages != U:
        raise ValueError(f"kinds and stages must have one entry per unit ({U}), got {n_kinds} and {n_stages}")
    if S != I + 1 + U:
        raise ValueError(f"weights must have I + 1 + U = {I + 1 + U} columns, got {S}")


def forward(const double[:, ::1] w not None, const signed char[::1] kinds not None,
            const signed char[::1] stages not None, const double[:, ::1] x not None, double[:, ::1] out not None):
    """Every unit's activation at every step of one sequence from a zero state: ``out``
    (T, U) for inputs ``x`` (T, I)."""
    cdef Py_ssize_t U = w.shape[0], S = w.shape[1], I = x.shape[1], T = x.shape[0], t
    _check(U, S, kinds.shape[0], stages.shape[0], I)
    if out.shape[0] != T or out.shape[1] != U:
        raise ValueError(f"out must have shape ({T}, {U}), got ({out.shape[0]}, {out.shape[1]})")
    if T == 0:
        return
    src_arr = np.zeros(S)
    cdef double[::1] src = src_arr
    with nogil:
        src[I] = 1.0
        for t in range(T):
            memcpy(&src[0], &x[t, 0], I * sizeof(double))
            step(&w[0, 0], &kinds[0], &stages[0], U, S, &src[0], &out[t, 0])


def search(const double[:, :, ::1] guesses not None, const signed char[::1] kinds not None,
           const signed char[::1] stages not None, const double[:, ::1] x not None, const Py_ssize_t[::1] offsets not None,
           const double[:, ::1] targets not None, const Py_ssize_t[::1] outputs not None,
           double tolerance, bint early_exit=True):
    """Judge ``guesses`` (G, U, S) in order on a set of sequences: sequence i is rows
    ``offsets[i]:offsets[i+1]`` of ``x`` (N, I); it is correct when every output unit
    ``outputs[k]`` ends within ``tolerance`` (strictly) of ``targets[i, k]``.

    Returns ``(first, correct)``: the index of the first guess that gets every sequence
    right (-1 if none does) and, per guess up to it, how many sequences it got right.
    With ``early_exit`` a guess stops at its first wrong sequence (its count is then the
    sequences before it); without, every guess runs every sequence (for tests).
    """
    cdef Py_ssize_t G = guesses.shape[0], U = guesses.shape[1], S = guesses.shape[2]
    cdef Py_ssize_t I = x.shape[1], n = offsets.shape[0] - 1, K = outputs.shape[0]
    cdef Py_ssize_t g, i, t, k, first = -1, right
    _check(U, S, kinds.shape[0], stages.shape[0], I)
    if n < 1 or offsets[0] != 0 or offsets[n] != x.shape[0]:
        raise ValueError("offsets must run from 0 to the number of rows of x, over at least one sequence")
    for i in range(n):
        if offsets[i + 1] <= offsets[i]:
            raise ValueError(f"offsets must be strictly increasing, got {offsets[i]} then {offsets[i + 1]}")
    if targets.shape[0] != n or targets.shape[1] != K:
        raise ValueError(f"targets must have shape ({n}, {K}), got ({targets.shape[0]}, {targets.shape[1]})")
    for k in range(K):
        if not 0 <= outputs[k] < U:
            raise ValueError(f"outputs[{k}] = {outputs[k]} is not a unit (0 .. {U - 1})")
    correct_arr = np.zeros(G, dtype=np.intp)
    src_arr = np.zeros(S)
    y_arr = np.zeros(U)
    cdef Py_ssize_t[::1] correct = correct_arr
    cdef double[::1] src = src_arr
    cdef double[::1] y = y_arr
    cdef bint ok
    if G == 0:
        return -1, correct_arr
    with nogil:
        for g in range(G):
            right = 0
            for i in range(n):
                memset(&src[0], 0, S * sizeof(double))
                src[I] = 1.0
                for t in range(offsets[i], offsets[i + 1]):
                    memcpy(&src[0], &x[t, 0], I * sizeof(double))
                    step(&guesses[g, 0, 0], &kinds[0], &stages[0], U, S, &src[0], &y[0])
                ok = True
                for k in range(K):
                    if not fabs(y[outputs[k]] - targets[i, k]) < tolerance:
                        ok = False
                right += ok
                if not ok and early_exit:
                    break
            correct[g] = right
            if right == n:
                first = g
                break
    return first, correct_arr[:G if first < 0 else first + 1]
