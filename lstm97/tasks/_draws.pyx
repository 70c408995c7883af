"""The random draws of the task generators whose Python loops cost more than the training they
feed, in C: the same calls NumPy's ``Generator`` makes, in the same order, on the generator's
own bit generator (through its capsule, holding its lock), so a batch is bit for bit the one
the NumPy calls the docstrings name would give, and leaves the generator in the same state.

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
        Every sequence's distractors, one sequence after another.
    """
    cdef object bit_generator = generator.bit_generator
    cdef bitgen_t *state = _bitgen(bit_generator)
    cdef cnp.ndarray[int64_t, ndim=1] labels = np.empty(n, dtype=np.int64)
    cdef cnp.ndarray[int64_t, ndim=1] counts = np.empty(n, dtype=np.int64)
    cdef int64_t *label = <int64_t *>cnp.PyArray_DATA(labels)
    cdef int64_t *count = <int64_t *>cnp.PyArray_DATA(counts)
    cdef Py_ssize_t size = min(n * (q + 32), 1 << 20) + 1, used = 0, i, j
    cdef int64_t m
    cdef uint64_t high = <uint64_t>(p - 1)
    cdef int64_t *grown
    cdef int64_t *buffer = <int64_t *>realloc(NULL, size * sizeof(int64_t))
    if buffer == NULL:
        raise MemoryError()
    try:
        with bit_generator.lock:
          with nogil:
            for i in range(n):
                label[i] = <int64_t>random_bounded_uint64(state, 0, 1, 0, False)
                m = q + random_geometric(state, probability) - 1
                count[i] = m
                if used + m > size:
                    while used + m > size:
                        size *= 2
                    grown = <int64_t *>realloc(buffer, size * sizeof(int64_t))
                    if grown == NULL:
                        with gil:
                            raise MemoryError()
                    buffer = grown
                for j in range(used, used + m):
                    buffer[j] = <int64_t>random_bounded_uint64(state, 0, high, 0, False)
                used += m
        distractors = np.empty(used, dtype=np.int64)
        memcpy(cnp.PyArray_DATA(distractors), buffer, used * sizeof(int64_t))
    finally:
        free(buffer)
    return labels, counts, distractors
