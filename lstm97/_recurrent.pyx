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

:class:`Learner` trains such a net online by one of the paper's competitors: full RTRL
(Williams & Zipser 1989) or BPTT, epochwise or truncated to a window of h steps.
"""

from libc.math cimport exp, fabs, isfinite, tanh
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


# ----------------------------------------------------------------------------- learners

cpdef enum Algorithm:
    RTRL = 0
    BPTT = 1

# The same codes as lstm97._core's Mode and Fail (tests/test_recurrent_learners.py checks),
# so that one message builder (lstm97.models.lstm._blow_up) serves both.
cpdef enum LearnMode:
    LEARN_GRADIENT = 1
    LEARN_SEQUENCE = 2
    LEARN_STEP = 3

cpdef enum LearnFail:
    LFAIL_NONE = 0
    LFAIL_STATE = 1
    LFAIL_UPDATE = 2
    LFAIL_GRADIENT = 3


cdef inline double derivative(double y, signed char kind) noexcept nogil:
    """f'(net) from the unit's activation y = f(net)."""
    if kind == TANH:
        return 1.0 - y * y
    return y * (1.0 - y)


cdef class Learner:
    """Online training of one net's free weights by full RTRL or by BPTT.

    The free weights are numbered row by row (unit by unit, as ``mask & free`` lists
    them); ``first[u]:first[u + 1]`` are unit u's.  E = 1/2 Σ (d_k - y_k)^2 over the
    output units at the steps with a target.

    - **RTRL** carries p^u_j = ∂y_u(t)/∂w_j forward for every unit u and free weight j:
      p^u_j(t) = f'_u(t) ([j is u's] src_j(t) + Σ_l w_ul p^l_j), with p^l of step t for a
      stage-0 unit l read by a stage-1 unit u, of step t-1 otherwise.  Only the p^u_j that
      can be non-zero are computed: those of the weights of units whose activation
      reaches u (``reach``), so a layered net costs what its paths cost, and a fully
      recurrent one O(U^2 W) per step, as the algorithm does.
    - **BPTT** stores the activations and sends the errors back: epochwise (``window``
      0) over the whole sequence at its end, the exact gradient of its E; truncated
      (``window`` h ≥ 1) at every step with a target, the error of that step through
      that step and the h - 1 before it.  h = 1 is Elman's procedure: the error reaches
      the weights of its own step only, the activations of the step before (the context
      units) taken as inputs.

    ``run`` modes: LEARN_GRADIENT adds -∂E/∂w of every sequence to ``grad`` and leaves the
    weights; LEARN_SEQUENCE applies ``lr`` times a sequence's -∂E/∂w at its end (RTRL's
    sensitivities then are those of the fixed weights: offline RTRL, the same gradient as
    epochwise BPTT); LEARN_STEP applies the change after every step with a target (real-
    time RTRL, its sensitivities carried on; BPTT(h) with the activations it stored).
    """

    cdef readonly int algorithm
    cdef readonly Py_ssize_t window, U, S, I, W
    cdef Py_ssize_t[::1] first, col, flat
    cdef signed char[::1] kinds, stages
    cdef unsigned char[:, ::1] reads, reach
    cdef double[:, ::1] p_old, p_new
    cdef double[::1] dw, backup, src, src1, y, y_prev, zeros, d_next, d_cur
    cdef double[:, ::1] ys
    cdef Py_ssize_t L

    def __init__(self, const unsigned char[:, ::1] free not None, const signed char[::1] kinds not None,
                 const signed char[::1] stages not None, Py_ssize_t n_inputs, int algorithm, Py_ssize_t window=0):
        cdef Py_ssize_t U = free.shape[0], S = free.shape[1], I = n_inputs
        _check(U, S, kinds.shape[0], stages.shape[0], I)
        if algorithm not in (RTRL, BPTT):
            raise ValueError(f"algorithm must be RTRL (0) or BPTT (1), got {algorithm}")
        if window < 0 or (algorithm == RTRL and window != 0):
            raise ValueError(f"window must be 0 (epochwise) or h >= 1 for BPTT, and 0 for RTRL; got {window}")
        self.algorithm, self.window, self.U, self.S, self.I = algorithm, window, U, S, I
        self.kinds = np.array(kinds, dtype=np.int8)
        self.stages = np.array(stages, dtype=np.int8)
        free_arr = np.asarray(free, dtype=bool)
        rows, cols = np.nonzero(free_arr)
        self.W = len(rows)
        self.first = np.searchsorted(rows, np.arange(U + 1)).astype(np.intp)
        self.col = cols.astype(np.intp)
        self.flat = (rows * S + cols).astype(np.intp)
        # reads[u, l]: u reads unit l through any connection (free or fixed).
        reads = free_arr[:, I + 1:].copy()
        self.reads = reads.astype(np.uint8)
        # reach[u, k]: unit k's weights can change y_u: k is u, or u reads a unit they reach.
        reach = np.eye(U, dtype=bool)
        while True:
            grown = reach | (reads.astype(np.intp) @ reach.astype(np.intp) > 0)
            if (grown == reach).all():
                break
            reach = grown
        self.reach = reach.astype(np.uint8)
        self.p_old = np.zeros((U, self.W if algorithm == RTRL else 0))
        self.p_new = np.zeros((U, self.W if algorithm == RTRL else 0))
        self.dw = np.zeros(self.W)
        self.backup = np.zeros(U * S)
        self.src = np.zeros(S)
        self.src1 = np.zeros(S)
        self.y = np.zeros(U)
        self.y_prev = np.zeros(U)
        self.zeros = np.zeros(U)
        self.d_next = np.zeros(U)
        self.d_cur = np.zeros(U)
        self.L = window + 1 if algorithm == BPTT and window > 0 else 0
        self.ys = np.zeros((self.L, U))

    @property
    def state_bytes(self):
        """Bytes of the arrays that carry the learner from one step to the next (the RTRL
        sensitivities, the stored BPTT activations), as sized by the last ``run``."""
        return 8 * (self.p_old.shape[0] * self.p_old.shape[1] * 2 + self.ys.shape[0] * self.ys.shape[1])

    cdef inline const double* sources(self, Py_ssize_t u) noexcept nogil:
        """The source vector unit u read at the step just computed."""
        if self.stages[u] == 1:
            return &self.src1[0]
        return &self.src[0]

    cdef void forward_step(self, const double* w, const double* x_t) noexcept nogil:
        """y(t) from x(t) and y_prev = y(t-1): ``src`` is then [x(t), 1, y(t-1)] (what the
        stage-0 units read), ``src1`` [x(t), 1, y_stage0(t), y_stage1(t-1)] (stage 1)."""
        cdef Py_ssize_t U = self.U, S = self.S, I = self.I, u
        cdef double* src = &self.src[0]
        memcpy(src, x_t, I * sizeof(double))
        src[I] = 1.0
        memcpy(src + I + 1, &self.y_prev[0], U * sizeof(double))
        memcpy(&self.src1[0], src, S * sizeof(double))
        # step() leaves y(t) in its src argument's unit part; src1 is stage 1's view.
        step(w, &self.kinds[0], &self.stages[0], U, S, &self.src1[0], &self.y[0])
        for u in range(U):                      # stage 1 read stage-0 y(t), stage-1 y(t-1)
            self.src1[I + 1 + u] = self.y[u] if self.stages[u] == 0 else self.y_prev[u]

    cdef void rtrl_step(self, const double* w) noexcept nogil:
        """p(t) from p(t-1) (``p_old``) into ``p_new``, then swapped into ``p_old``."""
        cdef Py_ssize_t U = self.U, S = self.S, I = self.I, u, l, k, j, stage, a, b
        cdef double wl, fp
        cdef double* row
        cdef const double* from_p
        cdef const double* srcv
        for stage in range(2):
            for u in range(U):
                if self.stages[u] != stage:
                    continue
                row = &self.p_new[u, 0]
                for k in range(U):
                    if self.reach[u, k]:
                        for j in range(self.first[k], self.first[k + 1]):
                            row[j] = 0.0
                for l in range(U):
                    if not self.reads[u, l]:
                        continue
                    wl = w[u * S + I + 1 + l]
                    from_p = &self.p_new[l, 0] if (stage == 1 and self.stages[l] == 0) else &self.p_old[l, 0]
                    for k in range(U):
                        if self.reach[l, k]:
                            a, b = self.first[k], self.first[k + 1]
                            for j in range(a, b):
                                row[j] += wl * from_p[j]
                srcv = self.sources(u)
                for j in range(self.first[u], self.first[u + 1]):
                    row[j] += srcv[self.col[j]]
                fp = derivative(self.y[u], self.kinds[u])
                for k in range(U):
                    if self.reach[u, k]:
                        for j in range(self.first[k], self.first[k + 1]):
                            row[j] *= fp
        self.p_old, self.p_new = self.p_new, self.p_old

    cdef inline const double* stored(self, Py_ssize_t tau) noexcept nogil:
        """The activations y(tau) that BPTT stored (a ring of ``L`` steps)."""
        return &self.ys[tau % self.L, 0]

    cdef void backward(self, const double* w, const double* x, Py_ssize_t t, Py_ssize_t t0, Py_ssize_t stop,
                       const double* targets, const unsigned char* tmask, const Py_ssize_t* outputs,
                       Py_ssize_t K, double* acc) noexcept nogil:
        """Send errors back from step t to step ``stop`` (inclusive; steps relative to the
        sequence's first row ``t0``), adding -∂E/∂w to ``acc``.  Epochwise (``window`` 0):
        the errors of every step with a target; truncated: the error of step t alone."""
        cdef Py_ssize_t U = self.U, S = self.S, I = self.I, u, v, k, j, tau, col_u
        cdef double eps
        cdef double* d_next = &self.d_next[0]
        cdef double* d_cur = &self.d_cur[0]
        cdef double* swap
        cdef const double* y_tau
        cdef const double* y_before
        memset(d_next, 0, U * sizeof(double))
        tau = t
        while tau >= stop:
            y_tau = self.stored(tau)
            y_before = self.stored(tau - 1) if tau > 0 else &self.zeros[0]
            for u in range(U):
                d_cur[u] = 0.0
            if tmask[t0 + tau] and (self.window == 0 or tau == t):
                for k in range(K):
                    d_cur[outputs[k]] = targets[(t0 + tau) * K + k] - y_tau[outputs[k]]
            for k in range(2):                   # stage 1 first: stage 0 reads into it at tau
                for u in range(U):
                    if self.stages[u] != 1 - k:
                        continue
                    col_u = I + 1 + u
                    eps = d_cur[u]
                    for v in range(U):
                        if not self.reads[v, u]:
                            continue
                        if self.stages[u] == 1 or self.stages[v] == 0:
                            eps += w[v * S + col_u] * d_next[v]
                        else:                    # a stage-1 v reads stage-0 u of this step
                            eps += w[v * S + col_u] * d_cur[v]
                    d_cur[u] = derivative(y_tau[u], self.kinds[u]) * eps
            for u in range(U):
                if d_cur[u] == 0.0:
                    continue
                for j in range(self.first[u], self.first[u + 1]):
                    col_u = self.col[j]
                    if col_u < I:
                        eps = x[(t0 + tau) * I + col_u]
                    elif col_u == I:
                        eps = 1.0
                    elif self.stages[u] == 1 and self.stages[col_u - I - 1] == 0:
                        eps = y_tau[col_u - I - 1]
                    else:
                        eps = y_before[col_u - I - 1]
                    acc[j] += d_cur[u] * eps
            swap = d_next
            d_next = d_cur
            d_cur = swap
            tau -= 1

    def run(self, double[:, ::1] w not None, const double[:, ::1] x not None, const Py_ssize_t[::1] offsets not None,
            const double[:, ::1] targets not None, const unsigned char[::1] tmask not None,
            const Py_ssize_t[::1] outputs not None, double[:, ::1] out, double[::1] errors, double[::1] grad,
            int mode, double lr):
        """Train (or, in LEARN_GRADIENT mode, differentiate) on the sequences of ``x``
        (rows ``offsets[i]:offsets[i + 1]``), one after another, each from a zero state.
        ``targets`` (N, K) are the outputs ``outputs`` (K) wanted at the steps where
        ``tmask`` is 1.  Writes E of each sequence to ``errors``, the outputs (at the steps
        with a target, before that step's change) to ``out`` and, in LEARN_GRADIENT mode,
        adds -∂E/∂w (free weights in order) to ``grad``; each may be None.

        Returns ``(done, fail, step)``: the sequences completed, and a ``LearnFail`` code
        with the step (0-based, in sequence ``done``) where it happened.  On a failure the
        weights are as they were after sequence ``done - 1``.
        """
        cdef Py_ssize_t U = self.U, S = self.S, I = self.I, W = self.W, K = outputs.shape[0]
        cdef Py_ssize_t n = offsets.shape[0] - 1, N = x.shape[0], i, t, T, t0, j, k, o, u, longest = 0
        if w.shape[0] != U or w.shape[1] != S or x.shape[1] != I:
            raise ValueError(f"w must be ({U}, {S}) and x (N, {I}), got ({w.shape[0]}, {w.shape[1]}) and "
                             f"(N, {x.shape[1]})")
        if n < 1 or offsets[0] != 0 or offsets[n] != N:
            raise ValueError("offsets must run from 0 to the number of rows of x, over at least one sequence")
        for i in range(n):
            if offsets[i + 1] <= offsets[i]:
                raise ValueError(f"offsets must be strictly increasing, got {offsets[i]} then {offsets[i + 1]}")
            longest = max(longest, offsets[i + 1] - offsets[i])
        if targets.shape[0] != N or targets.shape[1] != K or tmask.shape[0] != N:
            raise ValueError(f"targets must be ({N}, {K}) and tmask ({N},)")
        for k in range(K):
            if not 0 <= outputs[k] < U:
                raise ValueError(f"outputs[{k}] = {outputs[k]} is not a unit (0 .. {U - 1})")
        if out is not None and (out.shape[0] != N or out.shape[1] != K):
            raise ValueError(f"out must be ({N}, {K})")
        if errors is not None and errors.shape[0] != n:
            raise ValueError(f"errors must have {n} entries")
        if mode == LEARN_GRADIENT:
            if grad is None or grad.shape[0] != W:
                raise ValueError(f"LEARN_GRADIENT needs grad of {W} entries")
        elif mode != LEARN_SEQUENCE and mode != LEARN_STEP:
            raise ValueError(f"mode must be LEARN_GRADIENT, LEARN_SEQUENCE or LEARN_STEP, got {mode}")
        if self.algorithm == BPTT and self.window == 0:
            if mode == LEARN_STEP:
                raise ValueError("epochwise BPTT has no per-step mode")
            if self.L < longest:
                self.L = longest
                self.ys = np.zeros((longest, U))
        cdef double* wp = &w[0, 0]
        cdef double* acc = &grad[0] if mode == LEARN_GRADIENT else &self.dw[0]
        cdef double E, e
        cdef int fail = LFAIL_NONE
        cdef Py_ssize_t done = 0, at = 0
        with nogil:
            for i in range(n):
                t0, T = offsets[i], offsets[i + 1] - offsets[i]
                memcpy(&self.backup[0], wp, U * S * sizeof(double))
                memset(&self.y_prev[0], 0, U * sizeof(double))
                if self.algorithm == RTRL:
                    memset(&self.p_old[0, 0], 0, U * W * sizeof(double))
                if mode != LEARN_GRADIENT:
                    memset(&self.dw[0], 0, W * sizeof(double))
                E = 0.0
                for t in range(T):
                    self.forward_step(wp, &x[t0 + t, 0])
                    at = t
                    for o in range(U):
                        if not isfinite(self.y[o]):
                            fail = LFAIL_STATE
                    if fail != LFAIL_NONE:
                        break
                    if self.algorithm == RTRL:
                        self.rtrl_step(wp)
                    else:
                        memcpy(&self.ys[t % self.L, 0], &self.y[0], U * sizeof(double))
                    memcpy(&self.y_prev[0], &self.y[0], U * sizeof(double))
                    if not tmask[t0 + t]:
                        continue
                    for k in range(K):
                        o = outputs[k]
                        e = targets[t0 + t, k] - self.y[o]
                        E += 0.5 * e * e
                        if out is not None:
                            out[t0 + t, k] = self.y[o]
                        if self.algorithm == RTRL:     # p^o is 0 outside the weights that reach o
                            for u in range(U):
                                if self.reach[o, u]:
                                    for j in range(self.first[u], self.first[u + 1]):
                                        acc[j] += e * self.p_old[o, j]
                    if self.algorithm == BPTT and self.window > 0:
                        self.backward(wp, &x[0, 0], t, t0, max(0, t - self.window + 1),
                                      &targets[0, 0], &tmask[0], &outputs[0], K, acc)
                    if mode == LEARN_STEP:
                        fail = self.apply(wp, lr)
                        if fail != LFAIL_NONE:
                            break
                if fail == LFAIL_NONE and self.algorithm == BPTT and self.window == 0:
                    self.backward(wp, &x[0, 0], T - 1, t0, 0, &targets[0, 0], &tmask[0], &outputs[0], K, acc)
                if fail == LFAIL_NONE and not isfinite(E):
                    fail = LFAIL_STATE
                if fail == LFAIL_NONE and mode == LEARN_SEQUENCE:
                    at = T - 1
                    fail = self.apply(wp, lr)
                if fail == LFAIL_NONE and mode == LEARN_GRADIENT:
                    for j in range(W):
                        if not isfinite(acc[j]):
                            fail = LFAIL_GRADIENT
                            break
                if fail != LFAIL_NONE:
                    memcpy(wp, &self.backup[0], U * S * sizeof(double))
                    break
                if errors is not None:
                    errors[i] = E
                done += 1
        return done, fail, at

    cdef int apply(self, double* wp, double lr) noexcept nogil:
        """w += lr · dw over the free weights, then dw = 0; LFAIL_GRADIENT if dw is not
        finite, LFAIL_UPDATE if a weight would not be (the caller restores the weights)."""
        cdef Py_ssize_t j
        cdef double value
        for j in range(self.W):
            if not isfinite(self.dw[j]):
                return LFAIL_GRADIENT
        for j in range(self.W):
            value = wp[self.flat[j]] + lr * self.dw[j]
            if not isfinite(value):
                return LFAIL_UPDATE
            wp[self.flat[j]] = value
            self.dw[j] = 0.0
        return LFAIL_NONE
