"""The random draws of the task generators whose Python loops cost more than the training they
feed, in C: the same calls NumPy's ``Generator`` makes, in the same order, on the generator's
own bit generator (through its capsule, holding its lock), so a batch is bit for bit the one
the NumPy calls each docstring names would give, and leaves the generator in the same state.

Each function draws ``n`` sequences' worth and returns the draws as arrays, per-sequence
arrays of shape (n,) or (n, k) and the per-step ones concatenated, one sequence after another;
the tasks build their batches from them (:meth:`lstm97.tasks.Task.sample_batch`).

The distributions are NumPy's own (``numpy/random/distributions.h``, linked from the
``npyrandom`` library NumPy ships for this): those of the NumPy the module was built against.
tests/test_tasks.py checks them against the running NumPy's ``Generator``.
"""

from cpython.pycapsule cimport PyCapsule_GetPointer
from libc.stdint cimport int64_t, uint64_t
from libc.stdlib cimport free, realloc
from libc.string cimport memcpy

import numpy as np

cimport numpy as cnp

cnp.import_array()


cdef extern from "numpy/random/bitgen.h":
    ctypedef struct bitgen_t:
        pass

cdef extern from "numpy/random/distributions.h" nogil:
    uint64_t random_bounded_uint64(bitgen_t *state, uint64_t off, uint64_t rng, uint64_t mask,
                                   bint use_masked)
    int64_t random_geometric(bitgen_t *state, double p)
    double random_uniform(bitgen_t *state, double lower, double range)
    double random_normal(bitgen_t *state, double loc, double scale)


cdef inline int64_t _integer(bitgen_t *state, int64_t low, int64_t high) noexcept nogil:
    """``integers(low, high)``, high exclusive (``high > low``)."""
    return low + <int64_t>random_bounded_uint64(state, 0, <uint64_t>(high - 1 - low), 0, False)


# A growing buffer of per-step draws, of 8-byte items (int64 or float64), for draws whose total
# is only known once they are made.
cdef struct Steps:
    char *data
    Py_ssize_t size, used        # in items


cdef char *_take(Steps *steps, Py_ssize_t m) except NULL nogil:
    """Room for ``m`` more items, counted as used (the buffer grown if need be): where the
    first of them goes."""
    cdef Py_ssize_t size = steps.size
    cdef char *grown
    if steps.used + m > size or steps.data == NULL:
        while steps.used + m > size:
            size = 2 * size + 1
        grown = <char *>realloc(steps.data, size * 8)
        if grown == NULL:
            with gil:
                raise MemoryError()
        steps.data, steps.size = grown, size
    steps.used += m
    return steps.data + (steps.used - m) * 8


cdef object _taken(Steps *steps, object dtype):
    """The used items as a new array of ``dtype``."""
    out = np.empty(steps.used, dtype=dtype)
    if steps.used:
        memcpy(cnp.PyArray_DATA(out), steps.data, steps.used * 8)
    return out


cdef inline bitgen_t *_bitgen(object bit_generator) except NULL:
    return <bitgen_t *>PyCapsule_GetPointer(bit_generator.capsule, "BitGenerator")


def very_long_lag(generator, Py_ssize_t n, int64_t p, int64_t q, double probability):
    """Exp 2c's draws for ``n`` sequences (:class:`~lstm97.tasks.VeryLongTimeLag`): per
    sequence, as ``generator.integers(0, 2)``, then ``k = generator.geometric(probability)``,
    then ``generator.integers(0, p, size=q + k - 1)``.

    Returns
    -------
    labels : ndarray of int64, shape (n,)
        0 (x) or 1 (y).
    counts : ndarray of int64, shape (n,)
        Each sequence's number of distractors, q + k - 1.
    distractors : ndarray of int64, shape (counts.sum(),)
    """
    cdef object bit_generator = generator.bit_generator
    cdef bitgen_t *state = _bitgen(bit_generator)
    cdef int64_t[::1] labels = np.empty(n, dtype=np.int64)
    cdef int64_t[::1] counts = np.empty(n, dtype=np.int64)
    cdef Steps steps = Steps(data=NULL, size=min(n * (q + 32), 1 << 20), used=0)
    cdef int64_t *out
    cdef Py_ssize_t i, j
    cdef int64_t m
    try:
        with bit_generator.lock:
            with nogil:
                for i in range(n):
                    labels[i] = _integer(state, 0, 2)
                    m = counts[i] = q + random_geometric(state, probability) - 1
                    out = <int64_t *>_take(&steps, m)
                    for j in range(m):
                        out[j] = _integer(state, 0, p)
        return labels.base, counts.base, _taken(&steps, np.int64)
    finally:
        free(steps.data)


def marked_pairs(generator, Py_ssize_t n, int64_t T, int64_t max_length, double low, double high,
                 int64_t half):
    """The adding and multiplication problems' draws for ``n`` sequences (Exps 4 and 5,
    :class:`~lstm97.tasks.Adding`): per sequence, as ``length = generator.integers(T,
    max_length + 1)``, then ``generator.uniform(low, high, size=length)``, then
    ``generator.integers(0, 10)`` and ``generator.integers(0, half - 1)``.

    Returns
    -------
    lengths : ndarray of int64, shape (n,)
    values : ndarray of float64, shape (lengths.sum(),)
    choices : ndarray of int64, shape (n, 2)
        The two ``integers`` draws, as they come.
    """
    cdef object bit_generator = generator.bit_generator
    cdef bitgen_t *state = _bitgen(bit_generator)
    cdef int64_t[::1] lengths = np.empty(n, dtype=np.int64)
    cdef int64_t[:, ::1] choices = np.empty((n, 2), dtype=np.int64)
    cdef Steps steps = Steps(data=NULL, size=min(n * max_length, 1 << 20), used=0)
    cdef double *out
    cdef double span = high - low
    cdef Py_ssize_t i, j
    cdef int64_t m
    try:
        with bit_generator.lock:
            with nogil:
                for i in range(n):
                    m = lengths[i] = _integer(state, T, max_length + 1)
                    out = <double *>_take(&steps, m)
                    for j in range(m):
                        out[j] = random_uniform(state, low, span)
                    choices[i, 0] = _integer(state, 0, 10)
                    choices[i, 1] = _integer(state, 0, half - 1)
        return lengths.base, _taken(&steps, np.float64), choices.base
    finally:
        free(steps.data)


def two_sequence(generator, Py_ssize_t n, int64_t T, int64_t max_length, double noise_std,
                 double target_noise_std, bint target_noise):
    """The 2-sequence problem's draws for ``n`` sequences (Exp 3,
    :class:`~lstm97.tasks.TwoSequence`): per sequence, as ``length = generator.integers(T,
    max_length + 1)``, then ``generator.integers(0, 2)``, then ``generator.normal(0.0,
    noise_std, size=length)``, then, if ``target_noise`` (3c), ``generator.normal(0.0,
    target_noise_std)``.

    Returns
    -------
    lengths, labels : ndarray of int64, shape (n,)
    noise : ndarray of float64, shape (lengths.sum(),)
    target_noise : ndarray of float64, shape (n,)
        Zeros unless ``target_noise``.
    """
    cdef object bit_generator = generator.bit_generator
    cdef bitgen_t *state = _bitgen(bit_generator)
    cdef int64_t[::1] lengths = np.empty(n, dtype=np.int64)
    cdef int64_t[::1] labels = np.empty(n, dtype=np.int64)
    cdef double[::1] final = np.zeros(n)
    cdef Steps steps = Steps(data=NULL, size=min(n * max_length, 1 << 20), used=0)
    cdef double *out
    cdef Py_ssize_t i, j
    cdef int64_t m
    try:
        with bit_generator.lock:
            with nogil:
                for i in range(n):
                    m = lengths[i] = _integer(state, T, max_length + 1)
                    labels[i] = _integer(state, 0, 2)
                    out = <double *>_take(&steps, m)
                    for j in range(m):
                        out[j] = random_normal(state, 0.0, noise_std)
                    if target_noise:
                        final[i] = random_normal(state, 0.0, target_noise_std)
        return lengths.base, labels.base, _taken(&steps, np.float64), final.base
    finally:
        free(steps.data)


def temporal_order(generator, Py_ssize_t n, int64_t T, int64_t max_length,
                   const int64_t[::1] low, const int64_t[::1] high):
    """The temporal order problem's draws for ``n`` sequences (Exp 6,
    :class:`~lstm97.tasks.TemporalOrder`): per sequence, as ``length = generator.integers(T,
    max_length + 1)``, then ``generator.integers(2, 6, size=length)``, then
    ``generator.integers(low, high)`` (one step per marked symbol, each in its own range),
    then ``generator.integers(0, 2, size=len(low))``.

    Returns
    -------
    lengths : ndarray of int64, shape (n,)
    symbols : ndarray of int64, shape (lengths.sum(),)
    steps, xy : ndarray of int64, shape (n, len(low))
    """
    cdef object bit_generator = generator.bit_generator
    cdef bitgen_t *state = _bitgen(bit_generator)
    cdef Py_ssize_t k = low.shape[0]
    if high.shape[0] != k:
        raise ValueError(f"low and high must have one length, got {k} and {high.shape[0]}")
    cdef int64_t[::1] lengths = np.empty(n, dtype=np.int64)
    cdef int64_t[:, ::1] steps_at = np.empty((n, k), dtype=np.int64)
    cdef int64_t[:, ::1] xy = np.empty((n, k), dtype=np.int64)
    cdef Steps steps = Steps(data=NULL, size=min(n * max_length, 1 << 20), used=0)
    cdef int64_t *out
    cdef Py_ssize_t i, j
    cdef int64_t m
    try:
        with bit_generator.lock:
            with nogil:
                for i in range(n):
                    m = lengths[i] = _integer(state, T, max_length + 1)
                    out = <int64_t *>_take(&steps, m)
                    for j in range(m):
                        out[j] = _integer(state, 2, 6)
                    for j in range(k):
                        steps_at[i, j] = _integer(state, low[j], high[j])
                    for j in range(k):
                        xy[i, j] = _integer(state, 0, 2)
        return lengths.base, _taken(&steps, np.int64), steps_at.base, xy.base
    finally:
        free(steps.data)
