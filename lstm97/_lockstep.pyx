"""Private compiled kernel of lstm97: K trials of one LSTM topology trained in lockstep.

The paper's trials are independent runs of one small net.  ``Lanes`` trains K of them at
once (K = 4, 8 or 16): each lane has its own weights, traces, states, pending update and its
own sequences, and every array holds the lane index innermost (entry e of lane l at
``[e * K + l]``), so each per-weight loop runs across the lanes in vector registers.  A lane
whose batch is shorter than the others' waits, parked on zero weights, until the call ends.

Bit identity
------------
Each lane performs exactly the floating-point operations of ``_core.pyx::Core._step``, in
the same order.  Its exps are libm's, as the core's are: on x86-64 glibc with AVX2 and
FMA, four at a time by a vector exp that performs glibc's own operations (``_exp.h``;
``VECTOR_EXP``: on only where a check at load finds it equal to libm's; eight at a time
where the CPU has AVX-512), elsewhere libm's
``exp`` one by one.  So a lane's weights, per-sequence errors, outputs and final state
after ``run`` are those ``Core.run`` leaves on the same batch, bit for bit
(tests/test_lockstep.py).  ``setup.py`` builds the kernel with ``-ffp-contract=off`` and
builds it three times, for x86-64's baseline, AVX2 and AVX-512 (``ISAS``: those this CPU
runs), so the wheel stays portable; ``Lanes`` runs the widest that its lanes fill
(``default_isa``) unless given ``isa``.

Failures
--------
The kernel does not name a failing step.  A lane whose state, traces or update turn
non-finite, or whose update would make a weight non-finite, stops; ``run`` reports it as not
trained and leaves its core as it was, for the caller to rerun that batch with
``Core.run``, which gives the scalar core's exact account of the failure.

Layout
------
The constructor takes ``Core``'s arguments and lays the network out as ``Core`` does, with the
same :func:`lstm97._layout.layout` (module docstring of ``_core.pyx``); ``run`` checks each
core it is given against it.
"""

from libc.stdint cimport uint64_t

import numpy as np

from . import _core
from ._layout import layout as _layout

cdef extern from "_lockstep_kernel.h":
    enum:
        LS_MAX_LANES
        LS_IDLE
        LS_RUNNING
        LS_DONE
        LS_FAILED
        N_GROUPS                      # _groups.h's, which _core checks against the layout
    ctypedef struct ls_net:
        Py_ssize_t n_inputs, n_outputs, n_hidden, n_blocks, n_cells, n_units, n_weights
        int output_gates, h_identity, g_logistic
        double h_half, g_half
        Py_ssize_t g_rows[N_GROUPS]
        Py_ssize_t g_width[N_GROUPS]
        Py_ssize_t g_off[N_GROUPS]
        Py_ssize_t g_set[N_GROUPS]
        Py_ssize_t s_nx[N_GROUPS]
        Py_ssize_t s_width[N_GROUPS]
        Py_ssize_t s_buf[N_GROUPS]
        Py_ssize_t s_xoff[N_GROUPS]
        Py_ssize_t s_roff[N_GROUPS]
        Py_ssize_t hid_sets[N_GROUPS - 1]
        Py_ssize_t n_hid_sets, n_src
        const Py_ssize_t* xcols
        const Py_ssize_t* rcols
        const Py_ssize_t* xpos
        const Py_ssize_t* out_pos
        const Py_ssize_t* block_start
    ctypedef struct ls_lane:
        const double* x
        const Py_ssize_t* symbols
        const Py_ssize_t* offsets
        Py_ssize_t n
        const double* targets
        const unsigned char* mask
        double* outputs
        double* errors
        double* w
        double* grad
        double* tr_in
        double* tr_c
        double* s
        double* y
        int status
        Py_ssize_t t, failed_at
        double error
    ctypedef struct ls_work:
        double* w
        double* grad
        double* tr_in
        double* tr_c
        double* s
        double* yp
        double* yc
        double* gsrc
        double* h_s
        double* dh_s
        double* y_k
        double* e_k
        double* back
        double* zeros
        double* z
        double* gz
        double* dgz
        double* ex
    enum:
        LS_ISA_BASELINE
        LS_ISA_AVX2
        LS_ISA_AVX512
    int ls_isa_usable(int isa)
    int ls_run(int K, int isa, const ls_net* net, ls_work* work, ls_lane* lanes, int mode,
               double learning_rate) nogil
    int ls_vexp_init()
    const int ls_vexp_built
    void exp_neg_at(double* out, const double* x, Py_ssize_t n, int width) nogil

#: The numbers of lanes the kernel is built for.
LANES = (4, 8, 16)

#: Whether the lanes evaluate exp in vectors, eight or four at a time (the vector exp of
#: ``_exp.h``, bit for bit libm's: it is on only where a check at load finds it so), or lane
#: by lane with libm's.
_VECTOR_EXP_WIDTH = ls_vexp_init()        # 8, 4 or 0 (off): the arguments it takes at a time
VECTOR_EXP = bool(_VECTOR_EXP_WIDTH)
_VECTOR_EXP_BUILT = bool(ls_vexp_built)    # False on other platforms and in the baseline-only build

_ISA_CODES = {"avx512": LS_ISA_AVX512, "avx2": LS_ISA_AVX2, "baseline": LS_ISA_BASELINE}

#: The doubles in one vector register of each build.
_ISA_WIDTH = {"avx512": 8, "avx2": 4, "baseline": 1}

#: The builds of the kernel this CPU runs, widest first: ``"avx512"`` (AVX-512 F, VL, DQ, BW
#: and CD), ``"avx2"``, ``"baseline"`` (x86-64's).  Each performs the same operations, so
#: each gives the same doubles.
ISAS = tuple(name for name, code in _ISA_CODES.items() if ls_isa_usable(code))


def default_isa(int n_lanes):
    """The build ``Lanes`` runs ``n_lanes`` lanes in unless told otherwise: the widest of
    ``ISAS`` whose vector the lanes fill (so AVX2 for 4 lanes, where AVX-512 would run
    half-empty registers under masks)."""
    return next(isa for isa in ISAS if _ISA_WIDTH[isa] <= n_lanes)


def _exp_neg(const double[::1] x not None, width=None):
    """exp(-x) as the lanes and the core compute it, for the tests: ``width`` (8, 4 or 0,
    at most ``_VECTOR_EXP_WIDTH``) arguments at a time; None: as wide as they do."""
    if width is None:
        width = _VECTOR_EXP_WIDTH
    if width not in (0, 4, 8) or width > _VECTOR_EXP_WIDTH:
        raise ValueError(f"width must be 0, 4 or 8, at most {_VECTOR_EXP_WIDTH} on this CPU, got {width!r}")
    out = np.empty(x.shape[0])
    cdef double[::1] o = out
    if x.shape[0]:
        exp_neg_at(&o[0], &x[0], x.shape[0], width)
    return out

cdef class Lanes:
    """``n_lanes`` networks of one topology (``Core``'s arguments), trained in lockstep."""

    cdef readonly int n_lanes
    cdef readonly str isa
    cdef int _isa
    cdef readonly Py_ssize_t n_inputs, n_outputs, n_weights, n_cells, n_units
    cdef ls_net net
    cdef ls_work work
    cdef ls_lane lanes[LS_MAX_LANES]
    cdef list _keep
    cdef tuple _sizes

    def __init__(self, int n_lanes, Py_ssize_t n_inputs, Py_ssize_t n_outputs, Py_ssize_t n_hidden,
                 block_sizes, bint output_gates, bint h_identity, bint g_logistic,
                 double h_half, double g_half, group_set, set_xcols, set_rcols, *, isa=None):
        if n_lanes not in LANES:
            raise ValueError(f"n_lanes must be one of {LANES}, got {n_lanes}")
        if isa is None:
            isa = default_isa(n_lanes)
        if isa not in ISAS:
            raise ValueError(f"isa must be one of {ISAS} (the builds this CPU runs), got {isa!r}")
        self.isa, self._isa = isa, _ISA_CODES[isa]
        cdef ls_net* n = &self.net
        cdef Py_ssize_t g, s, m
        self._keep = []
        self.n_lanes = n_lanes
        n_blocks, n_cells = len(block_sizes), int(sum(block_sizes))
        lay = _layout(n_inputs, n_outputs, n_hidden, block_sizes, output_gates, group_set, set_xcols, set_rcols)
        n.n_inputs, n.n_outputs, n.n_hidden, n.n_blocks, n.n_cells = n_inputs, n_outputs, n_hidden, n_blocks, n_cells
        n.output_gates, n.h_identity, n.g_logistic = output_gates, h_identity, g_logistic
        n.h_half, n.g_half = h_half, g_half
        n.n_units, n.n_weights, n.n_src = lay.n_units, lay.n_weights, lay.n_src
        for s in range(len(set_xcols)):
            n.s_nx[s], n.s_width[s] = lay.s_nx[s], lay.s_width[s]
            n.s_xoff[s], n.s_roff[s], n.s_buf[s] = lay.s_xoff[s], lay.s_roff[s], lay.s_buf[s]
        for g in range(len(lay.g_rows)):                  # every group, as the layout has them
            n.g_rows[g], n.g_set[g], n.g_width[g], n.g_off[g] = lay.g_rows[g], lay.g_set[g], lay.g_width[g], lay.g_off[g]
        n.n_hid_sets = len(lay.hid_sets)
        for m in range(n.n_hid_sets):
            n.hid_sets[m] = lay.hid_sets[m]
        self._keep += [lay.xcols, lay.rcols, lay.xpos, lay.out_pos, lay.block_start]
        cdef Py_ssize_t[::1] v
        v = lay.xcols
        n.xcols = &v[0]
        v = lay.rcols
        n.rcols = &v[0]
        v = lay.xpos
        n.xpos = &v[0]
        v = lay.out_pos
        n.out_pos = &v[0]
        v = lay.block_start
        n.block_start = &v[0]
        self.n_inputs, self.n_outputs, self.n_weights = n_inputs, n_outputs, n.n_weights
        self.n_cells, self.n_units = n_cells, n.n_units
        size_in, size_c = n_cells * n.g_width[1], n_cells * n.g_width[3]
        # The sizes of Core.state_arrays(), in its order, that run() checks every core against.
        self._sizes = (n.n_weights, n.n_weights, size_in, size_c, n_cells, 1 + n.n_units)
        cdef ls_work* w = &self.work
        w.w, w.grad = self._alloc(n.n_weights), self._alloc(n.n_weights)
        w.tr_in, w.tr_c = self._alloc(size_in), self._alloc(size_c)
        w.s, w.h_s, w.dh_s = self._alloc(n_cells), self._alloc(n_cells), self._alloc(n_cells)
        w.yp, w.yc = self._alloc(1 + n.n_units), self._alloc(1 + n.n_units)
        w.gsrc, w.back = self._alloc(n.n_src), self._alloc(n.n_units)
        w.y_k, w.e_k = self._alloc(n_outputs), self._alloc(n_outputs)
        w.z, w.gz, w.dgz = self._alloc(n_cells), self._alloc(n_cells), self._alloc(n_cells)
        w.ex = self._alloc(max(n.n_units, n_outputs))
        w.zeros = self._alloc(max(n_inputs, n_outputs) // n_lanes + 1)   # an input (or target) row of zeros

    cdef double* _alloc(self, Py_ssize_t n):
        """A zeroed buffer of ``n`` entries per lane, never empty, starting on a 64-byte
        boundary (a cache line: in 8 lanes one entry of every lane is one line)."""
        arr = np.zeros(max(n, 1) * self.n_lanes + 8)
        self._keep.append(arr)
        cdef double[::1] view = arr
        cdef Py_ssize_t skip = (-(<size_t>&view[0] // sizeof(double))) % 8
        return &view[skip]

    def run(self, cores, batches, int mode, double learning_rate):
        """Train lane ``l``'s network ``cores[l]`` on ``batches[l]``, all lanes at once.

        ``cores`` is a list of at most ``n_lanes`` ``Core`` objects of this topology;
        ``batches[l]`` is ``(x, symbols, offsets, targets, mask, outputs, errors)`` as
        ``Core.run`` takes them (all lanes dense, or all symbols; ``targets`` and ``mask``
        required, ``outputs`` or None; ``errors`` required; no two lanes writing to one
        array), and ``mode`` is
        ``MODE_TRAIN_SEQUENCE`` or ``MODE_TRAIN_STEP``.  Each batch is checked before the loop
        by ``_core.check_batch``, the checks of ``Core.run`` (values are trusted).

        Returns a list of ``(trained, sequence)``, one per lane: a lane that trained its whole
        batch leaves its core as ``Core.run`` would (weights, state, ``t``, ``error``; its
        ``errors`` and ``outputs`` written) and reports ``(True, -1)``; one that hit a
        non-finite value reports ``(False, i)``, ``i`` the sequence it stopped in, and its
        core is unchanged (its ``errors`` and ``outputs`` are not meaningful).
        """
        if mode != _core.Mode.MODE_TRAIN_SEQUENCE and mode != _core.Mode.MODE_TRAIN_STEP:
            raise ValueError(f"mode must be MODE_TRAIN_SEQUENCE or MODE_TRAIN_STEP, got {mode}")
        if not np.isfinite(learning_rate):
            raise ValueError(f"learning_rate must be finite, got {learning_rate}")
        cores, batches = list(cores), list(batches)
        if not 1 <= len(cores) <= self.n_lanes or len(batches) != len(cores):
            raise ValueError(f"cores and batches must be as long, 1 to {self.n_lanes}, got "
                             f"{len(cores)} and {len(batches)}")
        if len({id(core) for core in cores}) != len(cores):
            raise ValueError("cores must be distinct: each lane trains a network of its own")
        keep = []
        codings = set()
        cdef Py_ssize_t l, n
        cdef ls_lane* ln
        cdef const double[:, ::1] xv
        cdef const Py_ssize_t[::1] sv
        cdef const Py_ssize_t[::1] ov
        cdef const double[:, ::1] tv
        cdef const unsigned char[::1] mv
        cdef double[:, ::1] outv
        cdef double[::1] ev, a
        for l in range(self.n_lanes):
            ln = &self.lanes[l]
            ln.n = 0
            if l >= len(cores):
                continue
            core, (x, symbols, offsets, targets, mask, outputs, errors) = cores[l], batches[l]
            if not isinstance(core, _core.Core):
                raise TypeError(f"cores[{l}] must be a Core, got {type(core).__name__}")
            state = core.state_arrays()
            if tuple(len(arr) for arr in state.values()) != self._sizes or core.n_inputs != self.n_inputs:
                raise ValueError(f"cores[{l}] is not a network of this topology")
            if errors is None:
                raise ValueError(f"batches[{l}]: errors must be given")
            try:
                n = _core.check_batch(self.n_inputs, self.n_outputs, x, symbols, offsets, targets, mask,
                                      outputs, errors, mode, learning_rate)
            except ValueError as exc:
                raise ValueError(f"batches[{l}]: {exc}") from None
            codings.add(symbols is not None)
            if symbols is None:
                xv = x
            else:
                sv = symbols
            ov, tv, mv, ev = offsets, targets, mask, errors
            ln.outputs = NULL
            if outputs is not None:
                outv = outputs
                ln.outputs = &outv[0, 0]
            ln.x = &xv[0, 0] if symbols is None else NULL
            ln.symbols = &sv[0] if symbols is not None else NULL
            ln.offsets, ln.n, ln.targets, ln.mask, ln.errors = &ov[0], n, &tv[0, 0], &mv[0], &ev[0]
            arrays = list(state.values())
            a = arrays[0]
            ln.w = &a[0]
            a = arrays[1]
            ln.grad = &a[0]
            a = arrays[2]
            ln.tr_in = &a[0] if len(arrays[2]) else NULL
            a = arrays[3]
            ln.tr_c = &a[0] if len(arrays[3]) else NULL
            a = arrays[4]
            ln.s = &a[0] if len(arrays[4]) else NULL
            a = arrays[5]
            ln.y = &a[0]
            keep.append((x, symbols, offsets, targets, mask, outputs, errors, arrays))
        if len(codings) > 1:
            raise ValueError("batches mixes symbol and dense inputs")
        with nogil:
            ls_run(self.n_lanes, self._isa, &self.net, &self.work, self.lanes, mode, learning_rate)
        result = []
        for l in range(len(cores)):
            ln = &self.lanes[l]
            if ln.status == LS_DONE:
                cores[l].set_counters(ln.t, ln.error)
                result.append((True, -1))
            else:
                result.append((False, ln.failed_at))
        return result
