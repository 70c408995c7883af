"""Private compiled core of lstm97: the 1997 LSTM forward pass and truncated RTRL learner.

One ``Core`` owns the whole training state: weights, cell states, activations, the
ds/dw traces of input-gate and cell weights (eqs. 25, 27) and the accumulated
update.  ``lstm97.network`` validates every argument and builds the layout; the
core trusts it for the values and runs with bounds checks off, but its entry
points take typed memoryviews and check every shape once per call, so a bug in
the shell raises ``ValueError`` ("Buffer dtype mismatch", a shape naming the
argument) instead of reading past a buffer.

Layout
------
Units are in five groups, in this order: conventional hidden units, input gates,
output gates, cells, output units.  The hidden units (the first four groups) are
numbered ``u = 0 .. n_units-1`` in that order.  Every unit of a group reads the same
sources, a *source set*:

* ``x`` columns: which inputs it reads;
* ``r`` columns: which entries of the rest vector ``r = [1, y_0, .., y_{n_units-1}]``
  it reads (``r[0]`` is the bias unit).

Hidden groups read ``r`` holding the activations of step t-1; the output group reads
``r`` of step t (DECISIONS item 2), so it always has a source set of its own.
A group's weights are stored compactly, row-major: ``(rows, nx + nr)``, the ``x``
columns first.  With symbol (one-hot) input the ``x`` part is not gathered: the
symbol's single column is added on its own, so a step costs O(hidden units), not
O(inputs).

The accumulated update ``grad`` holds -dE/dw (the paper's e_l y^m sums, eqs. 22,
26, 28); applying it is ``w += learning_rate * grad``.

Failures
--------
The kernels never raise.  A step reports a non-finite activation, cell state or
error (FAIL_STATE) or, when asked to check them, a non-finite trace or update entry
(FAIL_GRADIENT); an apply that would make a weight non-finite is refused
(FAIL_UPDATE).  Checking every trace and update entry as it is written costs a
tenth of a sequence's time, so ``run`` does not: the traces and the update only
ever change by ``+=`` until the next reset or apply, and inf or NaN plus anything
stays inf or NaN, so one scan after the loop (and the check in every apply) sees
any that appeared.  Only then does ``run`` go back to the saved state and replay
the sequence with the checks on, to name the step.  ``step`` always checks.  Both
put the whole state back as it was before the call when they fail.
"""

from libc.math cimport NAN, isfinite
from libc.stdint cimport uint64_t
from libc.string cimport memcpy, memset

cdef extern from "_exp.h" nogil:
    void exp_neg4(double* out, const double* x, Py_ssize_t n)   # out[i] = exp(-x[i]), libm's doubles
    int ls_vexp_init()

import numpy as np

from ._layout import GROUP_NAMES, layout as _layout

cdef extern from "_groups.h":
    enum:
        HIDDEN
        INPUT_GATE
        OUTPUT_GATE
        CELL
        OUTPUT
        N_GROUPS

# _groups.h is the lanes' enum too (_lockstep_kernel.h includes it), so this checks both.
if len(GROUP_NAMES) != N_GROUPS or [GROUP_NAMES[g] for g in (HIDDEN, INPUT_GATE, OUTPUT_GATE, CELL, OUTPUT)] != [
        "hidden", "input_gate", "output_gate", "cell", "output"]:
    raise ImportError("_groups.h's group enum does not match lstm97._layout.GROUP_NAMES")

# The arrays that carry state from one step to the next; the rest is scratch.
STATE_ARRAYS = ("weights", "update", "trace_input_gate", "trace_cell", "cell_state", "activations")

cpdef enum Mode:
    MODE_FORWARD = 0
    MODE_GRADIENT = 1
    MODE_TRAIN_SEQUENCE = 2
    MODE_TRAIN_STEP = 3

# What run() and step() report: nothing wrong, the state blew up, applying the
# update would have made a weight non-finite, or a trace or the update itself did.
cpdef enum Fail:
    FAIL_NONE = 0
    FAIL_STATE = 1
    FAIL_UPDATE = 2
    FAIL_GRADIENT = 3


#: Whether the core evaluates its exps four at a time (the vector exp of ``_exp.h``, bit for
#: bit libm's: it is on only where a check at load finds it so), or one by one with libm's.
VECTOR_EXP = bool(ls_vexp_init())


cdef inline double dot(const double* a, const double* b, Py_ssize_t n) noexcept nogil:
    cdef double acc = 0.0
    cdef Py_ssize_t m
    for m in range(n):
        acc += a[m] * b[m]
    return acc


# A double is inf or NaN exactly when its 11 exponent bits are all set; adding one to the
# exponent field then carries into the sign bit.  OR-ing that over a row is branch-free
# integer work the compiler vectorises; isfinite() per entry cost twice as much.
cdef union Bits:
    double d
    uint64_t u


cdef inline uint64_t nonfinite_bit(double v) noexcept nogil:
    """Bit 63 set iff ``v`` is inf or NaN."""
    cdef Bits b
    b.d = v
    return (b.u & 0x7FF0000000000000ULL) + 0x0010000000000000ULL   # exponent field, plus one


cdef inline bint any_nonfinite(const double* a, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t m
    cdef uint64_t acc = 0
    for m in range(n):
        acc |= nonfinite_bit(a[m])
    return (acc >> 63) != 0


cdef inline bint axpy(double a, const double* x, double* y, Py_ssize_t n, bint check) noexcept nogil:
    """``y += a * x``; with ``check``, True if an entry of ``y`` is then not finite (the
    check rides on values already in registers)."""
    cdef Py_ssize_t m
    cdef uint64_t acc = 0
    cdef double v
    if not check:
        for m in range(n):
            y[m] += a * x[m]
        return False
    for m in range(n):
        v = y[m] + a * x[m]
        y[m] = v
        acc |= nonfinite_bit(v)
    return (acc >> 63) != 0


cdef inline void _copy(bint restore, double* live, double* saved, Py_ssize_t n) noexcept nogil:
    if restore:
        memcpy(live, saved, n * sizeof(double))
    else:
        memcpy(saved, live, n * sizeof(double))


cdef inline Py_ssize_t _first_nonincreasing(const Py_ssize_t* a, Py_ssize_t n) noexcept nogil:
    """Index of the first entry of ``a`` not larger than the one before it, or -1."""
    cdef Py_ssize_t i
    for i in range(1, n):
        if a[i] <= a[i - 1]:
            return i
    return -1


cdef inline Py_ssize_t _first_outside(const Py_ssize_t* a, Py_ssize_t n, Py_ssize_t stop) noexcept nogil:
    """Index of the first entry of ``a`` outside ``[0, stop)``, or -1."""
    cdef Py_ssize_t i
    for i in range(n):
        if a[i] < 0 or a[i] >= stop:
            return i
    return -1


cdef Py_ssize_t _check_batch(Py_ssize_t n_inputs, Py_ssize_t n_outputs, const double[:, ::1] x,
                             const Py_ssize_t[::1] symbols, const Py_ssize_t[::1] offsets,
                             const double[:, ::1] targets, const unsigned char[::1] mask,
                             double[:, ::1] outputs, double[::1] errors, int mode,
                             double learning_rate) except -1:
    """The checks of ``Core.run``'s arguments (its docstring says what they must be), for a
    network of ``n_inputs`` inputs and ``n_outputs`` outputs; ValueError naming the first
    that fails, else the number of sequences."""
    cdef bint use_sym = symbols is not None
    cdef Py_ssize_t N, n, i
    if not MODE_FORWARD <= mode <= MODE_TRAIN_STEP:
        raise ValueError(f"mode must be a Mode, got {mode}")
    if use_sym == (x is not None):
        raise ValueError("exactly one of x and symbols must be given")
    if offsets is None:
        raise ValueError("offsets must be given")
    N = symbols.shape[0] if use_sym else x.shape[0]
    if not use_sym and x.shape[1] != n_inputs:
        raise ValueError(f"x must have shape (N, {n_inputs}), got ({N}, {x.shape[1]})")
    n = offsets.shape[0] - 1
    if n < 1:
        raise ValueError("offsets must hold at least two entries (one sequence)")
    if offsets[0] != 0 or offsets[n] != N:
        raise ValueError(f"offsets must run from 0 to the total length {N}, got {offsets[0]} to {offsets[n]}")
    with nogil:
        i = _first_nonincreasing(&offsets[0], n + 1)
    if i >= 0:
        raise ValueError(f"offsets must be strictly increasing (no empty sequence), "
                         f"got offsets[{i}] = {offsets[i]} after {offsets[i - 1]}")
    if mode == MODE_GRADIENT and n != 1:
        raise ValueError(f"gradient mode runs one sequence, got {n}")
    if mode != MODE_FORWARD:
        if targets is None or mask is None:
            raise ValueError("targets and mask are required unless mode is MODE_FORWARD")
        if targets.shape[0] != N or targets.shape[1] != n_outputs:
            raise ValueError(f"targets must have shape ({N}, {n_outputs}), "
                             f"got ({targets.shape[0]}, {targets.shape[1]})")
        if mask.shape[0] != N:
            raise ValueError(f"mask must have shape ({N},), got ({mask.shape[0]},)")
    if outputs is not None and (outputs.shape[0] != N or outputs.shape[1] != n_outputs):
        raise ValueError(f"outputs must have shape ({N}, {n_outputs}), "
                         f"got ({outputs.shape[0]}, {outputs.shape[1]})")
    if errors is not None and errors.shape[0] != n:
        raise ValueError(f"errors must have shape ({n},), got ({errors.shape[0]},)")
    if mode >= MODE_TRAIN_SEQUENCE and not isfinite(learning_rate):
        raise ValueError(f"learning_rate must be finite, got {learning_rate}")
    if use_sym:
        with nogil:
            i = _first_outside(&symbols[0], N, n_inputs)
        if i >= 0:
            raise ValueError(f"symbols[{i}] = {symbols[i]} is outside [0, {n_inputs})")
    return n


def check_batch(Py_ssize_t n_inputs, Py_ssize_t n_outputs, const double[:, ::1] x, const Py_ssize_t[::1] symbols,
                const Py_ssize_t[::1] offsets, const double[:, ::1] targets, const unsigned char[::1] mask,
                double[:, ::1] outputs, double[::1] errors, int mode, double learning_rate):
    """``Core.run``'s argument checks, for the lockstep lanes (``lstm97._lockstep``), which
    take each lane's batch as ``Core.run`` does: ValueError (or a buffer dtype or contiguity
    error) if any is wrong, else the number of sequences."""
    return _check_batch(n_inputs, n_outputs, x, symbols, offsets, targets, mask, outputs, errors, mode,
                        learning_rate)


cdef class Core:
    """The whole state of one network; see the module docstring for the layout."""

    cdef readonly Py_ssize_t n_inputs, n_outputs, n_hidden, n_blocks, n_cells
    cdef readonly Py_ssize_t n_units, n_weights, n_sets
    cdef readonly bint output_gates
    cdef readonly Py_ssize_t t           # steps since the last reset
    cdef readonly double error           # E = 1/2 sum (t_k - y_k)^2 since the last reset
    cdef bint h_identity, g_logistic
    cdef double h_half, g_half           # h = h_half (2 f - 1), g = g_half (2 f - 1) when sigmoid

    # groups
    cdef Py_ssize_t g_rows[N_GROUPS]
    cdef Py_ssize_t g_width[N_GROUPS]
    cdef Py_ssize_t g_off[N_GROUPS]
    cdef Py_ssize_t g_set[N_GROUPS]
    # source sets
    cdef Py_ssize_t s_nx[N_GROUPS]
    cdef Py_ssize_t s_width[N_GROUPS]
    cdef Py_ssize_t s_buf[N_GROUPS]
    cdef Py_ssize_t s_xoff[N_GROUPS]
    cdef Py_ssize_t s_roff[N_GROUPS]
    cdef Py_ssize_t s_lo[N_GROUPS]              # per step: first gathered column
    cdef Py_ssize_t s_sp[N_GROUPS]              # per step: compact column of the symbol, or -1
    cdef Py_ssize_t hid_sets[N_GROUPS - 1]
    cdef Py_ssize_t n_hid_sets

    cdef Py_ssize_t* xcols
    cdef Py_ssize_t* rcols
    cdef Py_ssize_t* xpos                # (n_sets, n_inputs): compact column of input i, or -1
    cdef Py_ssize_t* out_pos             # (n_units,): compact column of hidden unit u in the output group, or -1
    cdef Py_ssize_t* block_start         # (n_blocks + 1,)

    cdef double* w
    cdef double* grad
    # The state before the current call, put back when the call fails.
    cdef double* bk_w
    cdef double* bk_grad
    cdef double* bk_tr_in
    cdef double* bk_tr_c
    cdef double* bk_s
    cdef double* bk_y
    cdef Py_ssize_t bk_t
    cdef double bk_error
    cdef double* tr_in                   # (n_cells, width of input gates): ds_v/dw_in (eq. 25)
    cdef double* tr_c                    # (n_cells, width of cells): ds_v/dw_c (eq. 27)
    cdef double* s                       # (n_cells,) cell states
    cdef double* y_prev                  # rest vector of step t-1: [1, y_hidden(t-1)]
    cdef double* y_cur                   # rest vector of step t
    cdef double* gsrc                    # gathered sources, one segment per set
    cdef double* ones                    # output-gate activations of gate-less blocks
    cdef double* h_s
    cdef double* dh_s
    cdef double* y_k
    cdef double* e_k
    cdef double* back                    # sum_k w_ku e_k for every hidden unit u
    cdef double* nets                    # one step's net inputs (hidden units, gates and cells; or
    cdef double* exps                    # outputs) and their exps: squashed together (exp_neg4)

    cdef list _keep
    cdef dict _arrays

    def __init__(self, Py_ssize_t n_inputs, Py_ssize_t n_outputs, Py_ssize_t n_hidden,
                 block_sizes, bint output_gates, bint h_identity, bint g_logistic,
                 double h_half, double g_half, group_set, set_xcols, set_rcols):
        cdef Py_ssize_t g, s, m
        self._keep = []
        self.n_inputs = n_inputs
        self.n_outputs = n_outputs
        self.n_hidden = n_hidden
        self.n_blocks = len(block_sizes)
        self.n_cells = sum(block_sizes)
        self.output_gates = output_gates
        self.h_identity = h_identity
        self.g_logistic = g_logistic
        self.h_half = h_half
        self.g_half = g_half
        self.n_sets = len(set_xcols)

        lay = _layout(n_inputs, n_outputs, n_hidden, block_sizes, output_gates, group_set, set_xcols, set_rcols)
        self._keep += [lay.xcols, lay.rcols, lay.xpos, lay.out_pos, lay.block_start]
        cdef Py_ssize_t[::1] xv = lay.xcols, rv = lay.rcols, xpv = lay.xpos, opv = lay.out_pos
        cdef Py_ssize_t[::1] bsv = lay.block_start
        self.xcols, self.rcols, self.xpos, self.out_pos = &xv[0], &rv[0], &xpv[0], &opv[0]
        self.block_start = &bsv[0]
        for s in range(self.n_sets):
            self.s_nx[s], self.s_width[s] = lay.s_nx[s], lay.s_width[s]
            self.s_xoff[s], self.s_roff[s], self.s_buf[s] = lay.s_xoff[s], lay.s_roff[s], lay.s_buf[s]
        for g in range(N_GROUPS):
            self.g_rows[g], self.g_set[g] = lay.g_rows[g], lay.g_set[g]
            self.g_width[g], self.g_off[g] = lay.g_width[g], lay.g_off[g]
        self.n_hid_sets = len(lay.hid_sets)
        for m in range(self.n_hid_sets):
            self.hid_sets[m] = lay.hid_sets[m]
        self.n_weights, self.n_units = lay.n_weights, lay.n_units

        self._arrays = {}
        self.w = self._alloc("weights", self.n_weights)
        self.grad = self._alloc("update", self.n_weights)
        self.tr_in = self._alloc("trace_input_gate", self.n_cells * self.g_width[INPUT_GATE])
        self.tr_c = self._alloc("trace_cell", self.n_cells * self.g_width[CELL])
        self.s = self._alloc("cell_state", self.n_cells)
        self.y_prev = self._alloc("activations", 1 + self.n_units)
        self.bk_w = self._alloc("backup_weights", self.n_weights)
        self.bk_grad = self._alloc("backup_update", self.n_weights)
        self.bk_tr_in = self._alloc("backup_trace_input_gate", self.n_cells * self.g_width[INPUT_GATE])
        self.bk_tr_c = self._alloc("backup_trace_cell", self.n_cells * self.g_width[CELL])
        self.bk_s = self._alloc("backup_cell_state", self.n_cells)
        self.bk_y = self._alloc("backup_activations", 1 + self.n_units)
        self.y_cur = self._alloc("activations_now", 1 + self.n_units)
        self.gsrc = self._alloc("sources", lay.n_src)
        self.ones = self._alloc("ones", self.n_blocks)
        self._arrays["ones"][:] = 1.0
        self.h_s = self._alloc("h_s", self.n_cells)
        self.dh_s = self._alloc("dh_s", self.n_cells)
        self.y_k = self._alloc("y_k", n_outputs)
        self.e_k = self._alloc("e_k", n_outputs)
        self.back = self._alloc("back", self.n_units)
        n_squashed = max(self.n_hidden + self.n_blocks * (2 if output_gates else 1) + self.n_cells, n_outputs)
        self.nets = self._alloc("nets", n_squashed)
        self.exps = self._alloc("exps", n_squashed)
        self.reset()

    # ------------------------------------------------------------------ Python access

    cdef double* _alloc(self, str name, Py_ssize_t n):
        """A zeroed float64 buffer, visible to Python as ``_arrays[name]``; never empty,
        so its pointer is valid even when ``n`` is 0."""
        arr = np.zeros(max(n, 1))
        self._arrays[name] = arr[:n]
        cdef double[::1] view = arr
        return &view[0]

    def group_view(self, Py_ssize_t g, str which="weights"):
        """Compact ``(rows, width)`` view of group ``g`` in ``weights`` or ``update``."""
        flat = self._arrays[which]
        return flat[self.g_off[g]:self.g_off[g] + self.g_rows[g] * self.g_width[g]].reshape(
            self.g_rows[g], self.g_width[g])

    def state_arrays(self):
        """Views of every array that carries state from one step to the next (save/load)."""
        return {name: self._arrays[name] for name in STATE_ARRAYS}

    def set_counters(self, Py_ssize_t t, double error):
        self.t = t
        self.error = error

    def reset(self):
        """Start a new sequence: zero states, activations, traces and the pending update."""
        with nogil:
            self._reset()

    def apply(self, double learning_rate):
        """``w += learning_rate * update`` and clear the update; False (nothing changed) if
        that would make a weight non-finite."""
        cdef int bad
        with nogil:
            bad = self._apply(learning_rate)
        return not bad

    def step(self, const double[::1] x, Py_ssize_t symbol, const double[::1] target, double[::1] out not None):
        """One time step with traces on; returns a ``Fail`` code.

        ``x`` (n_inputs,) is the dense input, or None for symbol input ``symbol`` in
        ``[0, n_inputs)``; ``target`` (n_outputs,) or None for no target at this step.
        Writes the outputs to ``out`` (n_outputs,).  On failure every state array, the
        step counter and the error are as they were before the call; ``out`` is not
        meaningful then.  Shapes are checked here; values are trusted.
        """
        cdef bint has_target = target is not None
        if x is None:
            if not 0 <= symbol < self.n_inputs:
                raise ValueError(f"symbol must be in [0, {self.n_inputs}), got {symbol}")
        elif x.shape[0] != self.n_inputs:
            raise ValueError(f"x must have shape ({self.n_inputs},), got ({x.shape[0]},)")
        if has_target and target.shape[0] != self.n_outputs:
            raise ValueError(f"target must have shape ({self.n_outputs},), got ({target.shape[0]},)")
        if out.shape[0] != self.n_outputs:
            raise ValueError(f"out must have shape ({self.n_outputs},), got ({out.shape[0]},)")
        cdef const double* xp = &x[0] if x is not None else NULL
        cdef const double* tp = &target[0] if has_target else NULL
        cdef double* op = &out[0]
        cdef int fail
        with nogil:
            # Back up only what this step can change: the update only with a target.
            self._backup(False, False, has_target, symbol if xp == NULL else -1)
            fail = self._step(xp, symbol, tp, op, True, True)
            if fail != FAIL_NONE:
                self._backup(True, False, has_target, symbol if xp == NULL else -1)
        return fail

    def run(self, const double[:, ::1] x, const Py_ssize_t[::1] symbols, const Py_ssize_t[::1] offsets not None,
            const double[:, ::1] targets, const unsigned char[::1] mask, double[:, ::1] outputs,
            double[::1] errors, int mode, double learning_rate):
        """Run sequences one after another, each from a reset state, in one nogil region.

        The sequences are concatenated: sequence ``i`` is rows ``offsets[i]:offsets[i+1]``
        of every per-step array (``offsets``, intp, starts at 0, strictly increasing, ends
        at the total length N).  Exactly one of ``x`` (N, n_inputs) and ``symbols`` (N,)
        (intp, in ``[0, n_inputs)``) is given, the other None.  ``targets`` (N, n_outputs)
        and ``mask`` (N,) (uint8, non-zero at the steps with a target) are required unless
        ``mode`` is forward, where they are ignored (pass None).  ``outputs`` (N,
        n_outputs), or None, gets the outputs at every step in forward mode, otherwise at
        the steps with a target (the outputs before each sequence's update, in sequence
        mode) and NaN at the others, so it may come uninitialised; the rows of a failed
        sequence and of those after it are not written.  ``errors`` (n,), or None, gets each sequence's E.  Gradient mode takes one
        sequence (it leaves that sequence's update pending).  Every shape, the offsets,
        the symbols, ``mode`` and ``learning_rate`` are checked once here, before the
        loop; ValueError (or a buffer dtype or contiguity error) if any is wrong.

        Returns ``(done, fail, step)``: the first ``done`` sequences ran (and trained, in
        a training mode) exactly as if each had been run by a call of its own; ``fail``
        is FAIL_NONE if all did, else the ``Fail`` code of sequence ``done``: FAIL_STATE
        (non-finite activation, state or error at its ``step``), FAIL_GRADIENT (a
        non-finite trace or update entry at ``step``) or FAIL_UPDATE (applying the update
        after ``step`` would make a weight non-finite).  The network is then as it was
        after sequence ``done - 1``: a failed sequence changes nothing.
        """
        cdef bint use_sym = symbols is not None
        cdef bint learn = mode != MODE_FORWARD
        cdef bint want_out = outputs is not None
        cdef Py_ssize_t N, n, i, t, fail_step = -1, done = 0
        n = _check_batch(self.n_inputs, self.n_outputs, x, symbols, offsets, targets, mask, outputs, errors,
                         mode, learning_rate)
        N = symbols.shape[0] if use_sym else x.shape[0]
        cdef const Py_ssize_t* off = &offsets[0]
        cdef const double* xs = &x[0, 0] if not use_sym else NULL
        cdef const Py_ssize_t* syms = &symbols[0] if use_sym else NULL
        cdef const double* ts = &targets[0, 0] if learn else NULL
        cdef const unsigned char* ms = &mask[0] if learn else NULL
        cdef double* outs = &outputs[0, 0] if want_out else NULL
        cdef double* errs = &errors[0] if errors is not None else NULL
        cdef int fail = FAIL_NONE, replayed
        with nogil:
            # One backup for the whole call (_reset clears the update, so it is saved too);
            # the normal path has no per-sequence copy.
            self._backup(False, learn, True, -1)
            while done < n:
                fail = self._one(done, off, xs, syms, ts, ms, outs, mode, learning_rate, False, &fail_step)
                if fail != FAIL_NONE:
                    break
                if errs != NULL:
                    errs[done] = self.error
                done += 1
            if fail != FAIL_NONE:
                # Back to the start, redo the sequences that went well (the same arithmetic,
                # so the same result), then replay the failed one from a fresh backup with
                # every check on: it stops at the first failure, which names the step (a
                # trace can go bad long before a state does).  Then undo that sequence.
                self._backup(True, learn, True, -1)
                for i in range(done):
                    self._one(i, off, xs, syms, ts, ms, outs, mode, learning_rate, False, &t)
                self._backup(False, learn, True, -1)
                replayed = self._one(done, off, xs, syms, ts, ms, outs, mode, learning_rate, True, &t)
                if replayed != FAIL_NONE:
                    fail, fail_step = replayed, t
                self._backup(True, learn, True, -1)
        return done, fail, fail_step

    cdef inline int _one(self, Py_ssize_t i, const Py_ssize_t* off, const double* xs, const Py_ssize_t* syms,
                         const double* ts, const unsigned char* ms, double* outs, int mode,
                         double learning_rate, bint check, Py_ssize_t* fail_step) noexcept nogil:
        """Sequence ``i`` of a ``run`` call, with the traces and update it leaves checked."""
        cdef Py_ssize_t a = off[i], K = self.n_outputs
        cdef int fail = self._sequence(xs + a * self.n_inputs if xs != NULL else NULL,
                                       syms + a if syms != NULL else NULL,
                                       ts + a * K if ts != NULL else NULL,
                                       ms + a if ms != NULL else NULL,
                                       outs + a * K if outs != NULL else NULL,
                                       off[i + 1] - a, mode, learning_rate, check, fail_step)
        if fail == FAIL_NONE and mode != MODE_FORWARD and self._learning_nonfinite():
            fail = FAIL_GRADIENT
        return fail

    cdef int _sequence(self, const double* xs, const Py_ssize_t* syms, const double* ts,
                       const unsigned char* ms, double* outs, Py_ssize_t T, int mode,
                       double learning_rate, bint check, Py_ssize_t* fail_step) noexcept nogil:
        """The loop of ``run`` from a reset state; returns a ``Fail`` code and sets
        ``fail_step``.  Does not undo anything."""
        cdef bint learn = mode != MODE_FORWARD
        cdef bint per_step = mode == MODE_TRAIN_STEP
        cdef const double* xp = NULL
        cdef const double* tp
        cdef double* op = NULL
        cdef Py_ssize_t t, k, sym = -1
        cdef int fail = FAIL_NONE
        fail_step[0] = -1
        self._reset()
        for t in range(T):
            if syms != NULL:
                sym = syms[t]
            else:
                xp = xs + t * self.n_inputs
            tp = ts + t * self.n_outputs if learn and ms[t] else NULL
            if outs != NULL and (tp != NULL or not learn):
                op = outs + t * self.n_outputs
            else:
                op = NULL
                if outs != NULL:                              # a step without a target: NaN
                    for k in range(self.n_outputs):
                        outs[t * self.n_outputs + k] = NAN
            fail = self._step(xp, sym, tp, op, learn, check)
            if fail == FAIL_NONE and per_step and tp != NULL and self._apply(learning_rate):
                fail = FAIL_UPDATE
            if fail != FAIL_NONE:
                fail_step[0] = t
                break
        if fail == FAIL_NONE and mode == MODE_TRAIN_SEQUENCE and self._apply(learning_rate):
            fail = FAIL_UPDATE
            fail_step[0] = T - 1
        return fail

    cdef bint _learning_nonfinite(self) noexcept nogil:
        """A trace or an update entry is inf or NaN."""
        return (any_nonfinite(self.grad, self.n_weights)
                or any_nonfinite(self.tr_in, self.n_cells * self.g_width[INPUT_GATE])
                or any_nonfinite(self.tr_c, self.n_cells * self.g_width[CELL]))

    # ------------------------------------------------------------------ kernels

    cdef void _reset(self) noexcept nogil:
        memset(self.s, 0, self.n_cells * sizeof(double))
        memset(self.y_prev, 0, (1 + self.n_units) * sizeof(double))
        memset(self.y_cur, 0, (1 + self.n_units) * sizeof(double))
        self.y_prev[0] = 1.0
        self.y_cur[0] = 1.0
        memset(self.tr_in, 0, self.n_cells * self.g_width[INPUT_GATE] * sizeof(double))
        memset(self.tr_c, 0, self.n_cells * self.g_width[CELL] * sizeof(double))
        memset(self.grad, 0, self.n_weights * sizeof(double))
        self.t = 0
        self.error = 0.0

    cdef void _backup(self, bint restore, bint weights, bint update, Py_ssize_t sym) noexcept nogil:
        """Copy the state a call may change to the backup, or with ``restore`` back from
        it, to undo a failed call; the weights and the update only when the call can
        change them.  ``sym >= 0`` means the call is one step with that symbol, which of
        each trace row changes only the gathered columns (the rest vector) and the
        symbol's own: only those are copied, so a step of 2c-5 (2020-wide traces)
        copies 6 entries a row, not 1010."""
        if weights:
            _copy(restore, self.w, self.bk_w, self.n_weights)
        if update:
            _copy(restore, self.grad, self.bk_grad, self.n_weights)
        self._backup_trace(restore, self.tr_in, self.bk_tr_in, INPUT_GATE, sym)
        self._backup_trace(restore, self.tr_c, self.bk_tr_c, CELL, sym)
        _copy(restore, self.s, self.bk_s, self.n_cells)
        _copy(restore, self.y_prev, self.bk_y, 1 + self.n_units)
        if restore:
            self.t, self.error = self.bk_t, self.bk_error
        else:
            self.bk_t, self.bk_error = self.t, self.error

    cdef void _backup_trace(self, bint restore, double* live, double* saved, Py_ssize_t g,
                            Py_ssize_t sym) noexcept nogil:
        cdef Py_ssize_t s = self.g_set[g], w = self.g_width[g], lo, sp, v
        if sym < 0:
            _copy(restore, live, saved, self.n_cells * w)
            return
        lo = self.s_nx[s]                                     # as _gather sets s_lo, s_sp
        sp = self.xpos[s * self.n_inputs + sym]
        for v in range(self.n_cells):
            _copy(restore, live + v * w + lo, saved + v * w + lo, w - lo)
            if sp >= 0:
                _copy(restore, live + v * w + sp, saved + v * w + sp, 1)

    cdef int _apply(self, double lr) noexcept nogil:
        cdef Py_ssize_t i
        for i in range(self.n_weights):
            if not isfinite(self.w[i] + lr * self.grad[i]):
                return 1
        for i in range(self.n_weights):
            self.w[i] += lr * self.grad[i]
        memset(self.grad, 0, self.n_weights * sizeof(double))
        return 0

    cdef inline void _gather(self, Py_ssize_t s, const double* x, Py_ssize_t sym,
                             const double* rest) noexcept nogil:
        cdef double* buf = self.gsrc + self.s_buf[s]
        cdef Py_ssize_t nx = self.s_nx[s], m
        cdef const Py_ssize_t* xc
        cdef const Py_ssize_t* rc = self.rcols + self.s_roff[s]
        if x != NULL:
            xc = self.xcols + self.s_xoff[s]
            for m in range(nx):
                buf[m] = x[xc[m]]
            self.s_lo[s] = 0
            self.s_sp[s] = -1
        else:
            self.s_lo[s] = nx
            self.s_sp[s] = self.xpos[s * self.n_inputs + sym]
        for m in range(self.s_width[s] - nx):
            buf[nx + m] = rest[rc[m]]

    cdef inline double _net(self, Py_ssize_t g, Py_ssize_t row) noexcept nogil:
        """Net input of unit ``row`` of group ``g`` from its gathered sources."""
        cdef Py_ssize_t s = self.g_set[g], lo = self.s_lo[s], sp = self.s_sp[s]
        cdef const double* wr = self.w + self.g_off[g] + row * self.g_width[g]
        cdef double acc = dot(wr + lo, self.gsrc + self.s_buf[s] + lo, self.g_width[g] - lo)
        if sp >= 0:
            acc += wr[sp]
        return acc

    cdef inline bint _accumulate(self, double* dst, double a, Py_ssize_t g, bint check) noexcept nogil:
        """``dst += a * sources of group g``: one row of an update or of a trace; with
        ``check``, True if an entry of the row is then not finite."""
        cdef Py_ssize_t s = self.g_set[g], lo = self.s_lo[s], sp = self.s_sp[s]
        cdef bint bad = axpy(a, self.gsrc + self.s_buf[s] + lo, dst + lo, self.g_width[g] - lo, check)
        if sp >= 0:
            dst[sp] += a
            bad |= check and not isfinite(dst[sp])
        return bad

    cdef int _step(self, const double* x, Py_ssize_t sym, const double* target,
                   double* out, bint learn, bint checked) noexcept nogil:
        """One time step in the experimental ordering of section 5 (DECISIONS item 2).

        Hidden units read [x(t), 1, y(t-1)], outputs read [x(t), 1, y(t)].  With ``learn``
        the traces are carried and, when ``target`` is given, the truncated error of this
        step is added to the update.  Returns FAIL_STATE if an activation, a cell state or
        the error is not finite (NaN from inf - inf in a net input, say); with ``checked``,
        FAIL_GRADIENT if a trace or an update entry this step wrote is (an overflow of a
        product with large weights); else FAIL_NONE.  The caller undoes the step on failure.
        """
        cdef Py_ssize_t i, j, k, v, u, m
        cdef Py_ssize_t H = self.n_hidden, C = self.n_blocks, K = self.n_outputs
        cdef Py_ssize_t og_base = 1 + H + C
        cdef Py_ssize_t cell_base = og_base + (C if self.output_gates else 0)
        cdef double y, e, gz, dgz, acc, err, check = 0.0
        cdef bint bad = False                                 # a trace or update entry is non-finite
        cdef double* yc = self.y_cur
        # Gate activations live in yc; derivatives f' = y (1 - y) are taken where used.
        cdef const double* y_in = yc + 1 + H
        cdef const double* y_out = yc + og_base if self.output_gates else self.ones
        cdef Py_ssize_t wi = self.g_width[INPUT_GATE], wc = self.g_width[CELL]
        cdef Py_ssize_t wk = self.g_width[OUTPUT]
        cdef const double* wrow

        for m in range(self.n_hid_sets):
            self._gather(self.hid_sets[m], x, sym, self.y_prev)

        # The hidden units', gates' and cells' inputs are squashed together, then the cell
        # states, then the outputs, so that exp_neg4 computes their exps four at a time;
        # each value's own operations are those of 1 / (1 + exp(-net)), and ``check`` sums
        # in the order of the units.
        cdef double* nets = self.nets
        cdef double* ex = self.exps
        cdef Py_ssize_t per_block = 2 if self.output_gates else 1
        cdef Py_ssize_t n_first = H + C * per_block             # hidden units and gates
        for i in range(H):                                    # eq. 6
            nets[i] = self._net(HIDDEN, i)
        for j in range(C):                                    # eqs. 7, 8
            nets[H + j * per_block] = self._net(INPUT_GATE, j)
            if self.output_gates:
                nets[H + j * per_block + 1] = self._net(OUTPUT_GATE, j)
        for v in range(self.n_cells):                         # the cells' inputs (eq. 9) need no gate
            nets[n_first + v] = self._net(CELL, v)
        exp_neg4(ex, nets, n_first + self.n_cells)
        for i in range(H):
            y = 1.0 / (1.0 + ex[i])
            yc[1 + i] = y
            check += y
        for j in range(C):
            y = 1.0 / (1.0 + ex[H + j * per_block])
            yc[1 + H + j] = y
            check += y
            if self.output_gates:
                y = 1.0 / (1.0 + ex[H + j * per_block + 1])
                yc[og_base + j] = y
                check += y
        for j in range(C):
            for v in range(self.block_start[j], self.block_start[j + 1]):
                e = 1.0 / (1.0 + ex[n_first + v])
                if self.g_logistic:
                    gz = e
                    dgz = gz * (1.0 - gz)
                else:
                    gz = 2.0 * self.g_half * e - self.g_half
                    dgz = 2.0 * self.g_half * e * (1.0 - e)
                if learn:
                    bad |= self._accumulate(self.tr_in + v * wi, gz * (y_in[j] * (1.0 - y_in[j])), INPUT_GATE, checked)  # eq. 25
                    bad |= self._accumulate(self.tr_c + v * wc, dgz * y_in[j], CELL, checked)                          # eq. 27
                self.s[v] = self.s[v] + y_in[j] * gz                                       # eq. 9: the CEC
        if self.h_identity:
            for v in range(self.n_cells):
                self.h_s[v] = self.s[v]
                self.dh_s[v] = 1.0
        else:
            exp_neg4(ex, self.s, self.n_cells)
            for v in range(self.n_cells):
                e = 1.0 / (1.0 + ex[v])
                self.h_s[v] = 2.0 * self.h_half * e - self.h_half
                self.dh_s[v] = 2.0 * self.h_half * e * (1.0 - e)
        for j in range(C):
            for v in range(self.block_start[j], self.block_start[j + 1]):
                yc[cell_base + v] = y_out[j] * self.h_s[v]
                check += self.s[v] + yc[cell_base + v]

        if out != NULL or target != NULL:
            self._gather(self.g_set[OUTPUT], x, sym, yc)
            for k in range(K):
                nets[k] = self._net(OUTPUT, k)
            exp_neg4(ex, nets, K)
            for k in range(K):
                self.y_k[k] = 1.0 / (1.0 + ex[k])
                check += self.y_k[k]
                if out != NULL:
                    out[k] = self.y_k[k]

        if learn and target != NULL:
            err = 0.0
            for k in range(K):                                # eq. 19
                e = target[k] - self.y_k[k]
                err += e * e
                self.e_k[k] = self.y_k[k] * (1.0 - self.y_k[k]) * e
            self.error += 0.5 * err
            check += self.error                               # err >= 0, so this covers it too
            # Error reaching hidden units from the outputs of this step (the only
            # path the truncation leaves open), with the pre-update output weights.
            for u in range(self.n_units):
                m = self.out_pos[u]
                acc = 0.0
                if m >= 0:
                    wrow = self.w + self.g_off[OUTPUT] + m
                    for k in range(K):
                        acc += wrow[k * wk] * self.e_k[k]
                self.back[u] = acc
            for k in range(K):                                # eq. 22, l = k
                bad |= self._accumulate(self.grad + self.g_off[OUTPUT] + k * wk, self.e_k[k], OUTPUT, checked)
            for i in range(H):                                # eqs. 20, 22, l = i
                y = yc[1 + i]
                bad |= self._accumulate(self.grad + self.g_off[HIDDEN] + i * self.g_width[HIDDEN],
                                        y * (1.0 - y) * self.back[i], HIDDEN, checked)
            for j in range(C):
                acc = 0.0
                for v in range(self.block_start[j], self.block_start[j + 1]):
                    u = cell_base - 1 + v
                    acc += self.h_s[v] * self.back[u]
                    e = y_out[j] * self.dh_s[v] * self.back[u]                              # eq. 23
                    bad |= axpy(e, self.tr_in + v * wi, self.grad + self.g_off[INPUT_GATE] + j * wi, wi, checked)  # eq. 26
                    bad |= axpy(e, self.tr_c + v * wc, self.grad + self.g_off[CELL] + v * wc, wc, checked)         # eq. 28
                if self.output_gates:                         # eqs. 21, 22, l = out_j
                    y = y_out[j]
                    bad |= self._accumulate(self.grad + self.g_off[OUTPUT_GATE] + j * self.g_width[OUTPUT_GATE],
                                            y * (1.0 - y) * acc, OUTPUT_GATE, checked)

        memcpy(self.y_prev, yc, (1 + self.n_units) * sizeof(double))
        self.t += 1
        if not isfinite(check):
            return FAIL_STATE
        return FAIL_GRADIENT if bad else FAIL_NONE
