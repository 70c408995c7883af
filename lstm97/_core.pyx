"""Private compiled core of lstm97: the 1997 LSTM forward pass and truncated RTRL learner.

One ``Core`` owns the whole training state: weights, cell states, activations, the
ds/dw traces of input-gate and cell weights (eqs. 25, 27) and the accumulated
update.  ``lstm97.network`` validates every argument and builds the layout; the
core trusts it and runs with bounds checks off.

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
"""

from libc.math cimport exp, isfinite
from libc.string cimport memcpy, memset

cimport numpy as cnp
import numpy as np

cnp.import_array()

GROUP_NAMES = ("hidden", "input_gate", "output_gate", "cell", "output")

cdef enum:
    HIDDEN = 0
    INPUT_GATE = 1
    OUTPUT_GATE = 2
    CELL = 3
    OUTPUT = 4
    N_GROUPS = 5

# The arrays that carry state from one step to the next; the rest is scratch.
STATE_ARRAYS = ("weights", "update", "trace_input_gate", "trace_cell", "cell_state", "activations")

cpdef enum Mode:
    MODE_FORWARD = 0
    MODE_GRADIENT = 1
    MODE_TRAIN_SEQUENCE = 2
    MODE_TRAIN_STEP = 3

# What run() reports: nothing wrong, the state blew up, or an update would have.
cpdef enum Fail:
    FAIL_NONE = 0
    FAIL_STATE = 1
    FAIL_UPDATE = 2


cdef inline double logistic(double x) noexcept nogil:
    return 1.0 / (1.0 + exp(-x))


cdef inline double dot(const double* a, const double* b, Py_ssize_t n) noexcept nogil:
    cdef double acc = 0.0
    cdef Py_ssize_t m
    for m in range(n):
        acc += a[m] * b[m]
    return acc


cdef inline void axpy(double a, const double* x, double* y, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t m
    for m in range(n):
        y[m] += a * x[m]


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
    cdef Py_ssize_t g_rows[5]
    cdef Py_ssize_t g_width[5]
    cdef Py_ssize_t g_off[5]
    cdef Py_ssize_t g_set[5]
    # source sets
    cdef Py_ssize_t s_nx[5]
    cdef Py_ssize_t s_width[5]
    cdef Py_ssize_t s_buf[5]
    cdef Py_ssize_t s_xoff[5]
    cdef Py_ssize_t s_roff[5]
    cdef Py_ssize_t s_lo[5]              # per step: first gathered column
    cdef Py_ssize_t s_sp[5]              # per step: compact column of the symbol, or -1
    cdef Py_ssize_t hid_sets[4]
    cdef Py_ssize_t n_hid_sets

    cdef Py_ssize_t* xcols
    cdef Py_ssize_t* rcols
    cdef Py_ssize_t* xpos                # (n_sets, n_inputs): compact column of input i, or -1
    cdef Py_ssize_t* out_pos             # (n_units,): compact column of hidden unit u in the output group, or -1
    cdef Py_ssize_t* block_start         # (n_blocks + 1,)

    cdef double* w
    cdef double* grad
    cdef double* backup
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

    cdef list _keep
    cdef dict _arrays

    def __init__(self, Py_ssize_t n_inputs, Py_ssize_t n_outputs, Py_ssize_t n_hidden,
                 block_sizes, bint output_gates, bint h_identity, bint g_logistic,
                 double h_half, double g_half, group_set, set_xcols, set_rcols):
        cdef Py_ssize_t g, s, m, j, off
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
        self.n_units = n_hidden + self.n_blocks * (2 if output_gates else 1) + self.n_cells
        self.n_sets = len(set_xcols)

        rows = (n_hidden, self.n_blocks, self.n_blocks if output_gates else 0,
                self.n_cells, n_outputs)
        xcols_all = np.concatenate([np.asarray(c, dtype=np.intp) for c in set_xcols] + [np.zeros(1, np.intp)])
        rcols_all = np.concatenate([np.asarray(c, dtype=np.intp) for c in set_rcols] + [np.zeros(1, np.intp)])
        self._keep += [xcols_all, rcols_all]
        cdef Py_ssize_t[::1] xv = xcols_all, rv = rcols_all
        self.xcols = &xv[0]
        self.rcols = &rv[0]

        xpos = np.full(max(self.n_sets * n_inputs, 1), -1, dtype=np.intp)
        self._keep.append(xpos)
        cdef Py_ssize_t[::1] xpv = xpos
        self.xpos = &xpv[0]
        cdef Py_ssize_t xo = 0, ro = 0, bo = 0
        for s in range(self.n_sets):
            nx = len(set_xcols[s])
            self.s_nx[s] = nx
            self.s_width[s] = nx + len(set_rcols[s])
            self.s_xoff[s] = xo
            self.s_roff[s] = ro
            self.s_buf[s] = bo
            for m in range(nx):
                xpos[s * n_inputs + set_xcols[s][m]] = m
            xo += nx
            ro += len(set_rcols[s])
            bo += self.s_width[s]

        off = 0
        self.n_hid_sets = 0
        for g in range(N_GROUPS):
            s = group_set[g]
            self.g_rows[g] = rows[g]
            self.g_set[g] = s
            self.g_width[g] = self.s_width[s]
            self.g_off[g] = off
            off += rows[g] * self.s_width[s]
            if g != OUTPUT and rows[g] > 0:
                for m in range(self.n_hid_sets):
                    if self.hid_sets[m] == s:
                        break
                else:
                    self.hid_sets[self.n_hid_sets] = s
                    self.n_hid_sets += 1
        self.n_weights = off

        out_pos = np.full(max(self.n_units, 1), -1, dtype=np.intp)
        s = group_set[OUTPUT]
        for m, r in enumerate(set_rcols[s]):
            if r >= 1:
                out_pos[r - 1] = self.s_nx[s] + m
        self._keep.append(out_pos)
        cdef Py_ssize_t[::1] opv = out_pos
        self.out_pos = &opv[0]

        bstart = np.zeros(self.n_blocks + 1, dtype=np.intp)
        bstart[1:] = np.cumsum(block_sizes)
        self._keep.append(bstart)
        cdef Py_ssize_t[::1] bsv = bstart
        self.block_start = &bsv[0]

        self._arrays = {}
        self.w = self._alloc("weights", self.n_weights)
        self.grad = self._alloc("update", self.n_weights)
        self.backup = self._alloc("backup", self.n_weights)
        self.tr_in = self._alloc("trace_input_gate", self.n_cells * self.g_width[INPUT_GATE])
        self.tr_c = self._alloc("trace_cell", self.n_cells * self.g_width[CELL])
        self.s = self._alloc("cell_state", self.n_cells)
        self.y_prev = self._alloc("activations", 1 + self.n_units)
        self.y_cur = self._alloc("activations_now", 1 + self.n_units)
        self.gsrc = self._alloc("sources", bo)
        self.ones = self._alloc("ones", self.n_blocks)
        self._arrays["ones"][:] = 1.0
        self.h_s = self._alloc("h_s", self.n_cells)
        self.dh_s = self._alloc("dh_s", self.n_cells)
        self.y_k = self._alloc("y_k", n_outputs)
        self.e_k = self._alloc("e_k", n_outputs)
        self.back = self._alloc("back", self.n_units)
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

    def step(self, cnp.ndarray x, Py_ssize_t symbol, cnp.ndarray target, cnp.ndarray out):
        """One time step with traces on.  ``x`` empty means symbol input; ``target`` empty
        means no target at this step.  Writes the outputs to ``out``; False on blow-up.
        Arrays are contiguous float64, as lstm97.network makes them."""
        cdef const double* xp = <const double*>cnp.PyArray_DATA(x) if cnp.PyArray_SIZE(x) else NULL
        cdef const double* tp = <const double*>cnp.PyArray_DATA(target) if cnp.PyArray_SIZE(target) else NULL
        cdef double* op = <double*>cnp.PyArray_DATA(out)
        cdef int bad
        with nogil:
            bad = self._step(xp, symbol, tp, op, True)
        return not bad

    def run(self, cnp.ndarray x, cnp.ndarray symbols, cnp.ndarray targets, cnp.ndarray mask,
            cnp.ndarray outputs, int mode, double learning_rate):
        """Run a whole sequence from a reset state inside one nogil region.

        Exactly one of ``x`` (T, n_inputs) and ``symbols`` (T,) is non-empty.  ``targets``
        and ``mask`` are read unless ``mode`` is forward; ``outputs`` (T, n_outputs) is
        written when non-empty: every step in forward mode, otherwise the steps with a
        target (the outputs before this sequence's update, in sequence mode).  The arrays
        are C-contiguous float64 (``symbols`` intp, ``mask`` uint8), as lstm97.network makes
        them; the core reads them without checks.
        Returns ``(fail, step)``: ``fail`` is FAIL_NONE, FAIL_STATE (non-finite state or
        error at ``step``) or FAIL_UPDATE (an update after ``step`` would make weights
        non-finite).  On failure the weights are as they were before the call.
        """
        cdef bint use_sym = cnp.PyArray_SIZE(symbols) > 0
        cdef Py_ssize_t T = cnp.PyArray_SIZE(symbols) if use_sym else cnp.PyArray_DIMS(x)[0]
        cdef const double* xs = <const double*>cnp.PyArray_DATA(x)
        cdef const Py_ssize_t* syms = <const Py_ssize_t*>cnp.PyArray_DATA(symbols)
        cdef const double* ts = <const double*>cnp.PyArray_DATA(targets)
        cdef const unsigned char* ms = <const unsigned char*>cnp.PyArray_DATA(mask)
        cdef double* outs = <double*>cnp.PyArray_DATA(outputs)
        cdef bint learn = mode != MODE_FORWARD
        cdef bint want_out = cnp.PyArray_SIZE(outputs) > 0
        cdef bint per_step = mode == MODE_TRAIN_STEP
        cdef Py_ssize_t t, fail_step = -1
        cdef int fail = FAIL_NONE
        cdef const double* xp = NULL
        cdef const double* tp
        cdef double* op = NULL
        cdef Py_ssize_t sym = -1
        with nogil:
            self._reset()
            if per_step:
                memcpy(self.backup, self.w, self.n_weights * sizeof(double))
            for t in range(T):
                if use_sym:
                    sym = syms[t]
                else:
                    xp = xs + t * self.n_inputs
                tp = ts + t * self.n_outputs if learn and ms[t] else NULL
                if want_out and (tp != NULL or not learn):
                    op = outs + t * self.n_outputs
                else:
                    op = NULL
                if self._step(xp, sym, tp, op, learn):
                    fail = FAIL_STATE
                    fail_step = t
                    break
                if per_step and tp != NULL and self._apply(learning_rate):
                    fail = FAIL_UPDATE
                    fail_step = t
                    break
            if fail == FAIL_NONE and mode == MODE_TRAIN_SEQUENCE and self._apply(learning_rate):
                fail = FAIL_UPDATE
                fail_step = T - 1
            if fail != FAIL_NONE and per_step:
                memcpy(self.w, self.backup, self.n_weights * sizeof(double))
        return fail, fail_step

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

    cdef inline void _accumulate(self, double* dst, double a, Py_ssize_t g) noexcept nogil:
        """``dst += a * sources of group g``: one row of an update or of a trace."""
        cdef Py_ssize_t s = self.g_set[g], lo = self.s_lo[s], sp = self.s_sp[s]
        axpy(a, self.gsrc + self.s_buf[s] + lo, dst + lo, self.g_width[g] - lo)
        if sp >= 0:
            dst[sp] += a

    cdef int _step(self, const double* x, Py_ssize_t sym, const double* target,
                   double* out, bint learn) noexcept nogil:
        """One time step in the experimental ordering of section 5 (DECISIONS item 2).

        Hidden units read [x(t), 1, y(t-1)], outputs read [x(t), 1, y(t)].  With ``learn``
        the traces are carried and, when ``target`` is given, the truncated error of this
        step is added to the update.  Returns 1 if an activation, a cell state or the
        error is not finite (NaN from inf - inf in a net input, say).
        """
        cdef Py_ssize_t i, j, k, v, u, m
        cdef Py_ssize_t H = self.n_hidden, C = self.n_blocks, K = self.n_outputs
        cdef Py_ssize_t og_base = 1 + H + C
        cdef Py_ssize_t cell_base = og_base + (C if self.output_gates else 0)
        cdef double y, z, e, gz, dgz, sv, acc, err, check = 0.0
        cdef double* yc = self.y_cur
        # Gate activations live in yc; derivatives f' = y (1 - y) are taken where used.
        cdef const double* y_in = yc + 1 + H
        cdef const double* y_out = yc + og_base if self.output_gates else self.ones
        cdef Py_ssize_t wi = self.g_width[INPUT_GATE], wc = self.g_width[CELL]
        cdef Py_ssize_t wk = self.g_width[OUTPUT]
        cdef const double* wrow

        for m in range(self.n_hid_sets):
            self._gather(self.hid_sets[m], x, sym, self.y_prev)

        for i in range(H):                                    # eq. 6
            y = logistic(self._net(HIDDEN, i))
            yc[1 + i] = y
            check += y
        for j in range(C):                                    # eqs. 7, 8
            y = logistic(self._net(INPUT_GATE, j))
            yc[1 + H + j] = y
            check += y
            if self.output_gates:
                y = logistic(self._net(OUTPUT_GATE, j))
                yc[og_base + j] = y
                check += y
        for j in range(C):
            for v in range(self.block_start[j], self.block_start[j + 1]):
                z = self._net(CELL, v)
                if self.g_logistic:
                    gz = logistic(z)
                    dgz = gz * (1.0 - gz)
                else:
                    e = logistic(z)
                    gz = 2.0 * self.g_half * e - self.g_half
                    dgz = 2.0 * self.g_half * e * (1.0 - e)
                if learn:
                    self._accumulate(self.tr_in + v * wi, gz * (y_in[j] * (1.0 - y_in[j])), INPUT_GATE)  # eq. 25
                    self._accumulate(self.tr_c + v * wc, dgz * y_in[j], CELL)                          # eq. 27
                sv = self.s[v] + y_in[j] * gz                                              # eq. 9: the CEC
                self.s[v] = sv
                if self.h_identity:
                    self.h_s[v] = sv
                    self.dh_s[v] = 1.0
                else:
                    e = logistic(sv)
                    self.h_s[v] = 2.0 * self.h_half * e - self.h_half
                    self.dh_s[v] = 2.0 * self.h_half * e * (1.0 - e)
                yc[cell_base + v] = y_out[j] * self.h_s[v]
                check += sv + yc[cell_base + v]

        if out != NULL or target != NULL:
            self._gather(self.g_set[OUTPUT], x, sym, yc)
            for k in range(K):
                self.y_k[k] = logistic(self._net(OUTPUT, k))
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
            check += err
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
                self._accumulate(self.grad + self.g_off[OUTPUT] + k * wk, self.e_k[k], OUTPUT)
            for i in range(H):                                # eqs. 20, 22, l = i
                y = yc[1 + i]
                self._accumulate(self.grad + self.g_off[HIDDEN] + i * self.g_width[HIDDEN],
                                 y * (1.0 - y) * self.back[i], HIDDEN)
            for j in range(C):
                acc = 0.0
                for v in range(self.block_start[j], self.block_start[j + 1]):
                    u = cell_base - 1 + v
                    acc += self.h_s[v] * self.back[u]
                    e = y_out[j] * self.dh_s[v] * self.back[u]                              # eq. 23
                    axpy(e, self.tr_in + v * wi, self.grad + self.g_off[INPUT_GATE] + j * wi, wi)  # eq. 26
                    axpy(e, self.tr_c + v * wc, self.grad + self.g_off[CELL] + v * wc, wc)         # eq. 28
                if self.output_gates:                         # eqs. 21, 22, l = out_j
                    y = y_out[j]
                    self._accumulate(self.grad + self.g_off[OUTPUT_GATE] + j * self.g_width[OUTPUT_GATE],
                                     y * (1.0 - y) * acc, OUTPUT_GATE)

        memcpy(self.y_prev, yc, (1 + self.n_units) * sizeof(double))
        self.t += 1
        return not isfinite(check)
