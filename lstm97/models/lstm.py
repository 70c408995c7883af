"""The public :class:`LSTM` class: a 1997 LSTM network and its training state.

Every argument is validated here, once, with a message that names it; the compiled
core (:mod:`lstm97._core`) then checks only shapes (its last line of defence) and
runs the loop without checks.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Mapping

import numpy as np

from .. import _core, _lockstep
from .._validation import check_choice, check_real, check_rng
from . import persistence
from ._sequences import check_inputs, check_targets, finite_float64, pack
from .topology import GROUPS, Topology

__all__ = ["LSTM", "UPDATE_MODES", "train_in_lanes"]

UPDATE_MODES = ("sequence", "step")


def _exclusive(method):
    """Run ``method`` holding the network's lock, or raise ``RuntimeError`` at once if
    another thread holds it (see "Threads" in the :class:`LSTM` notes)."""
    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        if not self._lock.acquire(blocking=False):
            raise RuntimeError(
                f"this LSTM is being used by another thread (in a call to {method.__name__}); an LSTM "
                "holds one training state, so use one network per thread or serialise the calls")
        try:
            return method(self, *args, **kwargs)
        finally:
            self._lock.release()
    return guarded


class LSTM:
    """A 1997 LSTM network trained online by the paper's truncated RTRL variant.

    Parameters
    ----------
    topology : Topology
        The architecture.
    rng : None, int, numpy.random.SeedSequence, BitGenerator or Generator
        Draws the initial weights (uniform in ``[-init_range, init_range]``, then the
        gate biases the topology fixes).

    Notes
    -----
    Inputs are either dense, ``ndarray of shape (T, n_inputs)`` of floats, or symbols
    for local (one-hot) coding, ``ndarray of shape (T,)`` of integers in
    ``[0, n_inputs)``; a symbol step costs O(hidden units) whatever ``n_inputs`` is.
    Targets are ``ndarray of shape (T, n_outputs)`` with a boolean ``target_mask`` of
    shape ``(T,)`` marking the steps that carry one (all steps when omitted).

    The error is ``E = 1/2 sum_k (t_k - y_k)^2`` summed over the steps with a target
    (DECISIONS item 3).  :meth:`forward`, :meth:`gradient` and :meth:`train_sequence`
    each process one whole sequence from reset activations; :meth:`reset`,
    :meth:`step` and :meth:`learn` drive the same computation one step at a time.

    *Numeric blow-ups.*  When an activation, a cell state, the error, a trace or an
    update entry becomes non-finite, or applying an update would make a weight
    non-finite, the call raises ``FloatingPointError`` naming the step and leaves the
    network exactly as it was before the call: the weights and the whole state (cell
    states, activations, traces, pending update, :attr:`steps`, :attr:`error`).  For
    :meth:`step` that is the state before that one step, so a stream can go on (say,
    with a different input) or be reset; for :meth:`learn`, the pending update is kept,
    so it can be applied again with a smaller learning rate.

    *Threads.*  An ``LSTM`` holds one training state, so it refuses concurrent use:
    while one thread is inside a method that reads or writes the weights or the state
    (:meth:`forward`, :meth:`gradient`, :meth:`train_sequence`, :meth:`reset`,
    :meth:`step`, :meth:`learn`, :meth:`get_weights`, :meth:`set_weights`,
    :attr:`cell_states`), a call from another thread raises ``RuntimeError`` at once
    instead of waiting, and changes nothing.  Silent interleaving would be a bug in the
    caller either way (two streams mixed into one state); a blocking lock would only
    hide it.  Use one network per thread (copy one with :meth:`get_weights` and
    :meth:`set_weights`), or serialise the calls with a lock of your own.  The whole
    sequence runs without the GIL, so networks in different threads train in
    parallel.
    """

    def __init__(self, topology: Topology, rng=None):
        if not isinstance(topology, Topology):
            raise TypeError(f"topology must be a Topology, got {type(topology).__name__}")
        rng = check_rng("rng", rng)
        self._setup(topology)
        r = topology.init_range
        for g in GROUPS:
            view = self._view(g)
            view[...] = rng.uniform(-r, r, size=view.shape)
        for name, group in (("input_gate_bias", "input_gate"), ("output_gate_bias", "output_gate")):
            values = getattr(topology, name)
            if values is not None:
                bias_col = int(np.searchsorted(self._columns[group], topology.source_columns("bias").start))
                self._view(group)[:, bias_col] = values

    def _setup(self, topology):
        # Here, not in __init__: LSTM.load builds a network through _setup alone.
        self._lock = threading.Lock()
        self.topology = topology
        n_in = topology.n_inputs
        masks = {g: topology.source_mask(g) for g in GROUPS}
        self._columns = {g: np.flatnonzero(masks[g]) for g in GROUPS}
        # Hidden groups with the same sources share one gathered source vector; the
        # outputs read step-t activations, so they always get a set of their own.
        set_masks, group_set = [], []
        for g in GROUPS[:-1]:
            for s, m in enumerate(set_masks):
                if np.array_equal(m, masks[g]):
                    group_set.append(s)
                    break
            else:
                set_masks.append(masks[g])
                group_set.append(len(set_masks) - 1)
        set_masks.append(masks["output"])
        group_set.append(len(set_masks) - 1)
        # The core's arguments, kept for lockstep lanes of this topology (_lanes()).
        self._core_args = (
            n_in, topology.n_outputs, topology.n_hidden, np.array(topology.block_sizes, dtype=np.intp),
            topology.output_gates, topology.h == "identity", topology.g == "logistic",
            topology.h_range, topology.g_range, group_set,
            [np.flatnonzero(m[:n_in]) for m in set_masks], [np.flatnonzero(m[n_in:]) for m in set_masks])
        self._core = _core.Core(*self._core_args)
        # The core's buffers live as long as the core, and loading writes into them in place.
        self._cell_state = self._core.state_arrays()["cell_state"]

    def _view(self, group, which="weights"):
        return self._core.group_view(GROUPS.index(group), which)

    def _full(self, group, which="weights"):
        rows = self.topology.group_size(group)
        full = np.zeros((rows, self.topology.n_sources))
        full[:, self._columns[group]] = self._view(group, which)
        return full

    # ----------------------------------------------------------------- weights

    @property
    def n_weights(self) -> int:
        return self._core.n_weights

    @property
    def source_names(self) -> tuple[str, ...]:
        """Column names of every weight matrix (see :attr:`Topology.source_names`)."""
        return self.topology.source_names

    @property
    def unit_names(self) -> dict[str, tuple[str, ...]]:
        """Row names of each group's weight matrix (see :attr:`Topology.unit_names`)."""
        return self.topology.unit_names

    @property
    def masks(self) -> dict[str, np.ndarray]:
        """Per group, ``ndarray of bool, shape (units, n_sources)``: the connections that exist."""
        return {g: np.broadcast_to(self.topology.source_mask(g), (self.topology.group_size(g),
                                                                  self.topology.n_sources)).copy()
                for g in GROUPS}

    @_exclusive
    def get_weights(self) -> dict[str, np.ndarray]:
        """A copy of every weight, per group, as ``ndarray of shape (units, n_sources)``.

        Row ``r`` of group ``g`` holds the weights *into* unit ``unit_names[g][r]``,
        column ``m`` those *from* ``source_names[m]``; absent connections are 0.
        """
        return {g: self._full(g) for g in GROUPS}

    @_exclusive
    def set_weights(self, weights: Mapping[str, np.ndarray]) -> None:
        """Set the weights of some or all groups from arrays shaped as :meth:`get_weights`.

        Every array is checked before any is written: right shape, finite as float64
        (the type the weights are kept in), and zero where the connection does not exist.
        """
        if not isinstance(weights, Mapping):
            raise TypeError(f"weights must be a mapping of group name to array, got {type(weights).__name__}")
        checked = {}
        for g, arr in weights.items():
            if g not in GROUPS:
                raise ValueError(f"weights has unknown group {g!r}; groups are {', '.join(GROUPS)}")
            shape = (self.topology.group_size(g), self.topology.n_sources)
            arr = np.asarray(arr)
            if arr.dtype.kind not in "fiu":
                raise TypeError(f"weights[{g!r}] must be numeric, got dtype {arr.dtype}")
            if arr.shape != shape:
                raise ValueError(f"weights[{g!r}] must have shape {shape}, got {arr.shape}")
            arr = finite_float64(f"weights[{g!r}]", arr)
            absent = ~self.topology.source_mask(g)
            bad = np.argwhere(arr[:, absent] != 0)
            if len(bad):
                r, c = bad[0]
                raise ValueError(f"weights[{g!r}] is non-zero for a connection that does not exist: "
                                 f"{self.source_names[np.flatnonzero(absent)[c]]} -> {self.unit_names[g][r]}")
            checked[g] = arr[:, self._columns[g]]
        for g, compact in checked.items():
            self._view(g)[...] = compact

    # ----------------------------------------------------------------- validation

    def _inputs(self, inputs):
        return check_inputs(inputs, self.topology.n_inputs)

    def _targets(self, targets, target_mask, T):
        return check_targets(targets, target_mask, T, self.topology.n_outputs)

    def _run(self, inputs, targets, target_mask, mode, learning_rate=0.0, outputs=False):
        x, symbols = self._inputs(inputs)
        T = len(x if symbols is None else symbols)
        if mode == _core.Mode.MODE_FORWARD:
            y = mask = None
        else:
            y, mask = self._targets(targets, target_mask, T)
        out = np.empty((T, self.topology.n_outputs)) if outputs else None      # the core writes every row
        done, fail, step = self._core.run(x, symbols, np.array([0, T], dtype=np.intp), y, mask, out, None,
                                          mode, learning_rate)
        if fail != _core.Fail.FAIL_NONE:
            raise _blow_up(fail, f"step {step} (0-based) of the sequence", learning_rate)
        return out

    def _pack(self, sequences, learn):
        return pack(sequences, self.topology.n_inputs, self.topology.n_outputs, learn)

    def _run_many(self, sequences, mode, learning_rate=0.0, outputs=False):
        """Run ``sequences`` one after another in one core call; ``(errors, outputs, blow_up)``
        with ``blow_up`` None, or the ``FloatingPointError`` of the sequence that failed
        (its ``sequence`` attribute is its index; ``errors`` is cut to the ones before)."""
        args = self._batch(sequences, mode != _core.Mode.MODE_FORWARD, outputs)
        return _batch_result(self._core.run(*args, mode, learning_rate), args[2], args[6], args[5], learning_rate)

    def _batch(self, sequences, learn, outputs):
        """What ``Core.run`` (and a lane of ``Lanes.run``) takes for ``sequences``: ``(x,
        symbols, offsets, targets, mask, outputs, errors)``, the last two to be written."""
        x, symbols, offsets, y, mask = self._pack(sequences, learn)
        # Core.run (and a lane) writes every row: the outputs, or NaN at a step without a target
        out = np.empty((int(offsets[-1]), self.topology.n_outputs)) if outputs else None
        return x, symbols, offsets, y, mask, out, np.zeros(len(offsets) - 1)

    # ----------------------------------------------------------------- whole sequences

    @_exclusive
    def forward(self, inputs) -> np.ndarray:
        """Run one sequence and return the outputs, ``ndarray of shape (T, n_outputs)``."""
        return self._run(inputs, None, None, _core.Mode.MODE_FORWARD, outputs=True)

    @_exclusive
    def gradient(self, inputs, targets, target_mask=None) -> tuple[dict[str, np.ndarray], float]:
        """The truncated gradient dE/dw of one sequence, without changing the weights.

        Returns
        -------
        gradient : dict of str to ndarray of shape (units, n_sources)
            Per group, laid out as :meth:`get_weights`; 0 where no connection exists.
        error : float
            ``E = 1/2 sum (t_k - y_k)^2`` over the steps with a target.
        """
        self._run(inputs, targets, target_mask, _core.Mode.MODE_GRADIENT)
        return {g: -self._full(g, "update") for g in GROUPS}, self._core.error

    @_exclusive
    def train_sequence(self, inputs, targets, target_mask=None, *, learning_rate,
                       update="sequence", return_outputs=False):
        """Train online on one sequence and return its error E.

        ``update="sequence"`` sums the weight changes over the sequence and applies them
        at its end; ``update="step"`` applies them after every step with a target,
        carrying the traces on (DECISIONS item 4).  The two agree when only the last
        step has a target.  On a numeric blow-up, or an update that would make a weight
        non-finite, raises ``FloatingPointError`` naming the step and leaves the weights
        and the state exactly as they were before the call.

        Returns
        -------
        error : float
            E of the sequence, from the outputs it produced while training.
        outputs : ndarray of shape (T, n_outputs), only with ``return_outputs=True``
            Those outputs at the steps with a target (NaN elsewhere), computed with the
            weights before the update in ``"sequence"`` mode; what the paper's "training
            sequence processed correctly" criteria judge.
        """
        learning_rate, mode = _training(learning_rate, update)
        outputs = self._run(inputs, targets, target_mask, mode, learning_rate, outputs=return_outputs)
        return (self._core.error, outputs) if return_outputs else self._core.error

    @_exclusive
    def _train_until_blow_up(self, sequences, *, learning_rate, update, return_outputs):
        """:meth:`train_sequences` for a trial, which must go on with what a blow-up leaves:
        ``(errors, outputs, blow_up)`` as :meth:`_run_many` gives them, instead of raising."""
        learning_rate, mode = _training(learning_rate, update)
        return self._run_many(sequences, mode, learning_rate, return_outputs)

    def _lanes(self, n_lanes, isa=None):
        """Lockstep lanes (:class:`lstm97._lockstep.Lanes`) for ``n_lanes`` networks of this
        network's topology, for :func:`train_in_lanes`; ``isa`` the kernel's build (one of
        ``_lockstep.ISAS``; None: ``_lockstep.default_isa``)."""
        return _lockstep.Lanes(n_lanes, *self._core_args, isa=isa)

    @_exclusive
    def train_sequences(self, sequences, *, learning_rate, update="sequence", return_outputs=False):
        """Train online on several sequences, one after another, in one call.

        The same as calling :meth:`train_sequence` on each in turn (bit for bit), without
        the per-call cost: the whole batch runs in one loop of the compiled core, which
        matters for short sequences (a 12-step Reber string costs less than the call).

        Parameters
        ----------
        sequences : SequenceBatch, or iterable of (inputs, targets[, target_mask])
            Each a sequence as :meth:`train_sequence` takes it (a ``TaskSequence`` is one),
            all dense or all symbols; a :class:`~lstm97.tasks.SequenceBatch` is taken as
            packed, with no work per sequence.
        learning_rate, update
            As for :meth:`train_sequence`.
        return_outputs : bool, default False
            Also return the outputs of every step, concatenated (see below).

        Returns
        -------
        errors : ndarray of shape (n,)
            E of each sequence, from the outputs it produced while training.
        outputs : ndarray of shape (sum of lengths, n_outputs), only with ``return_outputs=True``
            The sequences' outputs, one after another (``np.split(outputs,
            np.cumsum(lengths)[:-1])`` cuts them apart), as :meth:`train_sequence` returns them.

        Raises
        ------
        FloatingPointError
            On a numeric blow-up in sequence ``i`` (the exception's ``sequence``
            attribute): the sequences before it are trained, and the network is exactly as
            it was after them.
        """
        learning_rate, mode = _training(learning_rate, update)
        errors, outputs, blow_up = self._run_many(sequences, mode, learning_rate, return_outputs)
        if blow_up is not None:
            raise blow_up
        return (errors, outputs) if return_outputs else errors

    @_exclusive
    def forward_sequences(self, sequences) -> np.ndarray:
        """Run several sequences (each from reset activations) in one call and return their
        outputs one after another, ``ndarray of shape (sum of lengths, n_outputs)``.

        ``sequences`` is an iterable of input arrays, or of sequences whose first item (or
        ``inputs``) is the input, e.g. ``TaskSequence``; the same as :meth:`forward` on each.
        """
        return self._run_many(sequences, _core.Mode.MODE_FORWARD, outputs=True)[1]

    # ----------------------------------------------------------------- one step at a time

    @_exclusive
    def reset(self) -> None:
        """Start a new sequence: zero cell states, activations, traces and the pending update."""
        self._core.reset()

    @_exclusive
    def step(self, x, target=None) -> np.ndarray:
        """Advance one time step and return the outputs, ``ndarray of shape (n_outputs,)``.

        ``x`` is a float vector of length ``n_inputs`` or an integer symbol.  With a
        ``target`` (length ``n_outputs``), the step's error is added to :attr:`error`
        and its truncated gradient to the pending update that :meth:`learn` applies.
        On a numeric blow-up, raises ``FloatingPointError`` and leaves the network as it
        was before this step (weights, cell states, activations, traces, pending update,
        :attr:`steps` and :attr:`error`).
        """
        n_in, n_out = self.topology.n_inputs, self.topology.n_outputs
        arr = np.asarray(x)
        if arr.ndim == 0 and arr.dtype.kind in "iu":
            if not 0 <= arr < n_in:
                raise ValueError(f"x is symbol {int(arr)}, outside [0, {n_in})")
            dense, symbol = None, int(arr)
        elif arr.dtype.kind in "fiu" and arr.dtype != np.bool_ and arr.shape == (n_in,):
            dense, symbol = finite_float64("x", arr), -1
        else:
            raise ValueError(f"x must be an integer symbol or a float vector of length {n_in}, "
                             f"got dtype {arr.dtype} shape {arr.shape}")
        if target is None:
            t = None
        else:
            t = np.asarray(target)
            if t.dtype == np.bool_ or t.dtype.kind not in "fiu" or t.shape != (n_out,):
                raise ValueError(f"target must be a float vector of length {n_out}, "
                                 f"got dtype {t.dtype} shape {t.shape}")
            t = finite_float64("target", t)
        out = np.empty(n_out)
        fail = self._core.step(dense, symbol, t, out)
        if fail != _core.Fail.FAIL_NONE:
            raise _blow_up(fail, f"step {self._core.t} (0-based) since the last reset")
        return out

    @_exclusive
    def learn(self, learning_rate) -> None:
        """Apply the pending update (``w += learning_rate * (-dE/dw)``) and clear it.

        If that would make a weight non-finite, raises ``FloatingPointError`` and changes
        nothing: the weights and the pending update stay as they were.
        """
        learning_rate = check_real("learning_rate", learning_rate, 0.0, exclusive_minimum=True)
        if not self._core.apply(learning_rate):
            raise _blow_up(_core.Fail.FAIL_UPDATE, None, learning_rate)

    @property
    def error(self) -> float:
        """E accumulated over the steps with a target since the last reset."""
        return self._core.error

    @property
    def steps(self) -> int:
        """Time steps since the last reset."""
        return self._core.t

    @property
    @_exclusive
    def cell_states(self) -> np.ndarray:
        """The internal states s_c of the cells after the last step (of :meth:`step`, or the
        last step of a whole sequence), block by block; a copy, ``ndarray of shape (n_cells,)``."""
        return self._cell_state.copy()

    @_exclusive
    def trace(self, inputs) -> dict[str, np.ndarray]:
        """Run one sequence and return what the core holds after every step.

        The computation of :meth:`forward` (from reset activations), one step at a time,
        read out of the core after each step: what the error-flow analysis of the paper's
        appendix A.2 needs (:mod:`lstm97.errorflow`).  Read-only: afterwards the network
        is exactly as it was before the call (weights, state, :attr:`steps`, :attr:`error`).

        Parameters
        ----------
        inputs : ndarray of shape (T, n_inputs), or ndarray of int, shape (T,)
            One sequence, as :meth:`forward` takes it.

        Returns
        -------
        trace : dict of str to ndarray
            ``"activations"``, ``ndarray of shape (T, n_units)``: every hidden unit's
            activation y(t), in the order of the hidden columns of :attr:`source_names`
            (conventional units, input gates, output gates, cells; a cell's is
            ``y^out h(s_c)``); ``"cell_state"``, ``(T, n_cells)``: the internal states
            s_c(t); ``"outputs"``, ``(T, n_outputs)``: the output units, as
            :meth:`forward` returns them.
        """
        x, symbols = self._inputs(inputs)
        T = len(x if symbols is None else symbols)
        live = self._core.state_arrays()
        saved = {name: array.copy() for name, array in live.items()}
        counters = self._core.t, self._core.error
        top = self.topology
        trace = {"activations": np.empty((T, top.n_units)), "cell_state": np.empty((T, top.n_cells)),
                 "outputs": np.empty((T, top.n_outputs))}
        try:
            self._core.reset()
            for t in range(T):
                fail = self._core.step(None if x is None else x[t], -1 if x is not None else int(symbols[t]),
                                       None, trace["outputs"][t])
                if fail != _core.Fail.FAIL_NONE:
                    raise _blow_up(fail, f"step {t} (0-based) of the sequence")
                trace["activations"][t] = live["activations"][1:]      # [0] is the bias unit
                trace["cell_state"][t] = live["cell_state"]
        finally:
            for name, array in saved.items():
                live[name][...] = array
            self._core.set_counters(*counters)
        return trace

    # ----------------------------------------------------------------- persistence

    @_exclusive
    def save(self, path) -> None:
        """Write the network and its full state to an ``.npz`` file (with a JSON header).

        The state includes cell states, activations, traces and any pending update, so
        a stream resumed from the file continues bit for bit.  The file is written to a
        temporary name first and renamed, so an interrupted save never leaves a
        half-written file behind.  See :mod:`lstm97.models.persistence`.
        """
        persistence.save(self, path)

    @classmethod
    def load(cls, path) -> LSTM:
        """Read a network written by :meth:`save`; raises ``ValueError`` on a foreign or corrupt file."""
        return persistence.load(cls, path)

    def __repr__(self):
        t = self.topology
        return (f"LSTM(n_inputs={t.n_inputs}, n_outputs={t.n_outputs}, block_sizes={t.block_sizes}, "
                f"connectivity={t.connectivity!r}, n_weights={self.n_weights})")


def train_in_lanes(lanes, nets, batches, *, learning_rate, update, return_outputs):
    """:meth:`LSTM._train_until_blow_up` of each of ``nets`` on its batch, the nets trained
    together in the lockstep ``lanes`` (from :meth:`LSTM._lanes`, at least as many as
    ``nets``; all nets of its topology, all batches dense or all symbols).

    Returns one ``(errors, outputs, blow_up)`` per net, bit for bit what
    ``net._train_until_blow_up(batch, ...)`` returns and leaves in ``net``: a lane that
    meets a non-finite value is rerun from its unchanged start by that very call, so a
    blow-up is named and undone as the scalar core does it.
    """
    learning_rate, mode = _training(learning_rate, update)
    nets, batches = list(nets), list(batches)
    if len(nets) != len(batches) or len({id(net) for net in nets}) != len(nets):
        raise ValueError(f"nets must be distinct networks, one per batch, got {len(nets)} for "
                         f"{len(batches)} batches")
    if any(net.topology != nets[0].topology for net in nets):
        raise ValueError("nets must share one topology to train in lockstep")
    held = []
    try:
        for net in nets:
            if not net._lock.acquire(blocking=False):
                raise RuntimeError("an LSTM of train_in_lanes is being used by another thread")
            held.append(net)
        calls = [net._batch(batch, True, return_outputs) for net, batch in zip(nets, batches)]
        trained = lanes.run([net._core for net in nets], calls, mode, learning_rate)
    finally:
        for net in held:
            net._lock.release()
    results = []
    for net, batch, (ok, _), call in zip(nets, batches, trained, calls):
        if ok:
            results.append((call[6], call[5], None))
        else:
            results.append(net._train_until_blow_up(batch, learning_rate=learning_rate, update=update,
                                                    return_outputs=return_outputs))
    return results


def _training(learning_rate, update):
    """``(learning_rate, core mode)`` of a training call, both checked."""
    learning_rate = check_real("learning_rate", learning_rate, 0.0, exclusive_minimum=True)
    mode = {"sequence": _core.Mode.MODE_TRAIN_SEQUENCE, "step": _core.Mode.MODE_TRAIN_STEP}[
        check_choice("update", update, UPDATE_MODES)]
    return learning_rate, mode


def _batch_result(result, offsets, errors, out, learning_rate):
    """``(errors, outputs, blow_up)`` from a kernel's ``(done, fail, step)`` over a batch
    of these ``offsets`` (the LSTM core's and the standard nets' learners report alike):
    ``blow_up`` None, or the ``FloatingPointError`` of the sequence that failed, with its
    index in ``sequence``, ``errors`` cut to the sequences before it and the outputs from
    that sequence on NaN."""
    done, fail, step = result
    if fail == _core.Fail.FAIL_NONE:
        return errors, out, None
    exc = _blow_up(fail, f"step {step} (0-based) of sequences[{done}]", learning_rate)
    exc.sequence = done
    if out is not None:
        out[offsets[done]:] = np.nan            # the rows the kernel left unwritten
    return errors[:done], out, exc


def _blow_up(fail, step, learning_rate=None):
    """The ``FloatingPointError`` for a ``Fail`` code of the core at ``step`` (a phrase
    naming it; None for :meth:`LSTM.learn`).  The core has already put the network back
    as it was before the call."""
    if fail == _core.Fail.FAIL_UPDATE:
        which = "the pending weight update" if step is None else f"the weight update after {step}"
        return FloatingPointError(
            f"{which} would make a weight non-finite; the weights and state are unchanged "
            f"(learning_rate={learning_rate!r} is probably too large)")
    what = ("a trace or the accumulated update" if fail == _core.Fail.FAIL_GRADIENT
            else "an activation, cell state or the error")
    return FloatingPointError(
        f"non-finite value in {what} at {step}; the weights and state are unchanged "
        "(smaller weights, inputs or learning_rate may help)")
