"""Standard recurrent nets: the nets of the weight-guessing study and of the paper's
competitors (RTRL, BPTT and Elman nets train this same kind of net).

A :class:`RecurrentTopology` is ``n_units`` units (hidden and output alike) of logistic or
tanh activation.  At step t every unit reads the sources ``[x_0..x_{I-1}, bias,
y_0(t-1)..y_{U-1}(t-1)]`` (the inputs of this step, a unit fixed at 1.0, and every unit's
activation, all 0 at a sequence's start) through the connections its row of ``mask``
allows.  Units of stage 0 update first, all at once, from the activations of step t-1;
then the units of stage 1 (``stages``), reading the stage-0 units of step t: the study's
nets have their output unit in stage 1, as the LSTM's output units read the cells of the
same step (docs/interpretations.md).  Some connections may have a fixed weight (``fixed``, NaN
where the weight is free), as the latch problem's input line has.

:class:`RecurrentNet` holds one set of weights, runs sequences through the compiled
kernel (``lstm97._recurrent``) and draws weights uniformly in a range, as a guess does.
"""

from __future__ import annotations

import dataclasses
import threading

import numpy as np

from .. import _recurrent
from .._validation import check_choice, check_int, check_real, check_rng
from ..tasks.base import SequenceBatch
from . import persistence
from ._sequences import check_inputs, pack
from .lstm import UPDATE_MODES, _batch_result, _exclusive

__all__ = ["ACTIVATIONS", "LEARNERS", "RecurrentNet", "RecurrentTopology", "a1", "a2", "elman",
           "fully_recurrent", "layered", "single_unit"]

#: Activation functions of a unit, by name; their codes in the compiled kernel.
ACTIVATIONS = {"logistic": 0, "tanh": 1}

#: The learners of :class:`RecurrentNet`, with the update modes each has.
LEARNERS = {"rtrl": ("sequence", "step"), "bptt": ("sequence", "step")}

_MODES = {"sequence": _recurrent.LearnMode.LEARN_SEQUENCE, "step": _recurrent.LearnMode.LEARN_STEP}


@dataclasses.dataclass(frozen=True, eq=False)
class RecurrentTopology:
    """A standard recurrent net: which unit reads which source, and each unit's activation.

    Parameters
    ----------
    n_inputs : int
        Input lines, at least 1.
    mask : array_like of bool, shape (n_units, n_inputs + 1 + n_units)
        ``mask[u, m]``: unit u reads source m (inputs, then the bias, then the units).
    outputs : sequence of int
        The output units (indices into the units), in the order of the targets.
    activations : str or sequence of str
        ``"logistic"`` or ``"tanh"``, one for all units or one per unit.
    fixed : array_like of float, optional
        Same shape as ``mask``: a number where a connection has a fixed weight, NaN where
        its weight is free (guessed or trained); only where ``mask`` is True.
    stages : sequence of {0, 1}, optional
        Each unit's stage; all 0 (every unit from the step before) by default.
    name : str, optional
        What to call it in messages and records.
    init_range : float, default 0.2
        A trained net's free weights start uniform in ``[-init_range, init_range]``
        (section 5: "all nets are initialized in [-0.2, 0.2]").
    """

    n_inputs: int
    mask: np.ndarray
    outputs: tuple
    activations: tuple
    fixed: np.ndarray | None = None
    stages: tuple | None = None
    name: str = "recurrent net"
    init_range: float = 0.2

    def __post_init__(self):
        set_ = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731
        set_("n_inputs", check_int("n_inputs", self.n_inputs, 1))
        mask = np.asarray(self.mask)
        if mask.dtype != np.bool_ or mask.ndim != 2:
            raise TypeError(f"mask must be a 2-D boolean array, got dtype {mask.dtype}, shape {mask.shape}")
        U = mask.shape[0]
        if U < 1 or mask.shape[1] != self.n_inputs + 1 + U:
            raise ValueError(f"mask must have shape (n_units, n_inputs + 1 + n_units) with n_units >= 1, "
                             f"got {mask.shape} for n_inputs = {self.n_inputs}")
        mask = mask.copy()
        mask.setflags(write=False)
        set_("mask", mask)
        outputs = tuple(check_int("outputs[]", o, 0) for o in self.outputs)
        if not outputs or len(set(outputs)) != len(outputs) or max(outputs) >= U:
            raise ValueError(f"outputs must be distinct units in [0, {U}), got {list(self.outputs)}")
        set_("outputs", outputs)
        acts = (self.activations,) * U if isinstance(self.activations, str) else tuple(self.activations)
        if len(acts) != U:
            raise ValueError(f"activations must be one name or one per unit ({U}), got {len(acts)}")
        set_("activations", tuple(check_choice("activations[]", a, tuple(ACTIVATIONS)) for a in acts))
        if self.fixed is not None:
            fixed = np.array(self.fixed, dtype=np.float64)
            if fixed.shape != mask.shape:
                raise ValueError(f"fixed must have the shape of mask {mask.shape}, got {fixed.shape}")
            if np.isinf(fixed).any() or (~np.isnan(fixed) & ~mask).any():
                raise ValueError("fixed must be finite, and NaN (free) where mask has no connection")
            fixed.setflags(write=False)
            set_("fixed", fixed)
        stages = (0,) * U if self.stages is None else tuple(self.stages)
        if len(stages) != U or not set(stages) <= {0, 1}:
            raise ValueError(f"stages must be 0 or 1 for each of the {U} units, got {self.stages!r}")
        set_("stages", stages)
        set_("init_range", check_real("init_range", self.init_range, 0.0))
        unread = [u for u in range(U) if not mask[u].any()]
        if unread:
            raise ValueError(f"unit {unread[0]} reads no source (mask row {unread[0]} is all False)")

    @property
    def n_units(self) -> int:
        return self.mask.shape[0]

    @property
    def n_sources(self) -> int:
        return self.mask.shape[1]

    @property
    def free(self) -> np.ndarray:
        """The connections whose weight is free: in ``mask`` and not ``fixed``."""
        return self.mask if self.fixed is None else self.mask & np.isnan(self.fixed)

    @property
    def n_weights(self) -> int:
        """The free weights (what a guess draws, what a learner trains)."""
        return int(self.free.sum())

    @property
    def source_names(self) -> tuple[str, ...]:
        return (*(f"x{i}" for i in range(self.n_inputs)), "bias", *(f"y{u}" for u in range(self.n_units)))

    def __repr__(self):
        return (f"RecurrentTopology({self.name!r}: {self.n_inputs} inputs, {self.n_units} units, "
                f"outputs {list(self.outputs)}, {self.n_weights} free weights)")


def _mask(n_inputs, n_units):
    return np.zeros((n_units, n_inputs + 1 + n_units), dtype=bool)


def a1(n: int, n_inputs: int = 1) -> RecurrentTopology:
    """The study's A1: "a fully connected net with 1 input, 1 output, and n biased hidden
    units": every unit (the n hidden units and the output, unit n) reads the input, the
    bias and every unit; logistic units; the output reads the hidden units of its step.
    ``n_inputs`` > 1 gives the same net with more input lines."""
    n, n_inputs = check_int("n", n, 1), check_int("n_inputs", n_inputs, 1)
    name = f"A1 (n = {n})" if n_inputs == 1 else f"A1 (n = {n}, {n_inputs} inputs)"
    return RecurrentTopology(n_inputs, np.ones((n + 1, n_inputs + 2 + n), dtype=bool), (n,), "logistic",
                             stages=(0,) * n + (1,), name=name)


def a2(self_connections: bool = True) -> RecurrentTopology:
    """The study's A2: "like A1 with n = 10, but less densely connected: each hidden unit
    sees the input unit, the output unit, and itself; the output unit sees all other
    units; all units are biased" (the output, unit 10, reads the input, the bias and the
    hidden units, not itself: see docs/interpretations.md).  ``self_connections=False``: the study's
    "A2 without self-connections for hidden units"."""
    n, out = 10, 10
    mask = _mask(1, n + 1)
    y = 2                                                  # column of unit 0
    mask[:, :2] = True                                     # input and bias, every unit
    mask[:n, y + out] = True                               # hidden units see the output unit
    if self_connections:
        mask[np.arange(n), y + np.arange(n)] = True
    mask[out, y:y + n] = True                              # the output sees every hidden unit
    name = "A2" if self_connections else "A2 without hidden self-connections"
    return RecurrentTopology(1, mask, (out,), "logistic", stages=(0,) * n + (1,), name=name)


def single_unit(activation: str = "logistic", input_weight: bool = True, bias: bool = True,
                class_inputs: bool = False) -> RecurrentTopology:
    """One unit with a self-connection: Bengio et al.'s latch architecture.

    With the defaults, 3 free weights (self, input, bias): the latch problem's variant II
    (with ``activation="tanh"``) and the study's "architecture with only 3 parameters" for
    the 2-sequence problem.  Variant I (``input_weight=False, bias=False,
    class_inputs=True``) has the self-weight and "the two initial input values" free: the
    input line's weight is fixed at 1.0, and two more lines, on only at step 0 for class 1
    and class 2, carry the free initial values (``latch_inputs`` makes them).
    """
    n_in = 3 if class_inputs else 1
    mask = _mask(n_in, 1)
    fixed = np.full(mask.shape, np.nan)
    mask[0, -1] = True                                     # self
    mask[0, 0] = True
    if not input_weight:
        fixed[0, 0] = 1.0
    if class_inputs:
        mask[0, 1:3] = True
    mask[0, n_in] = bias
    top = RecurrentTopology(n_in, mask, (0,), activation, fixed if not input_weight else None)
    return dataclasses.replace(top, name=f"one {activation} unit, {top.n_weights} free weights")


def layered(n_inputs: int, n_outputs: int, n_hidden: int = 1, *, bias: bool = False,
            hidden_recurrent: bool = True) -> RecurrentTopology:
    """Exp 2a's competitor net: ``n_hidden`` self-recurrent logistic hidden units and
    ``n_outputs`` non-recurrent logistic outputs, "each layer has connections from all
    layers below": the hidden units read the inputs and themselves (each its own
    activation of the step before), the outputs read the inputs and the hidden units of
    their step; no bias by default (36 weights for p = 4, 10,404 for p = 100)."""
    I, K, H = (check_int(k, v, 1) for k, v in (("n_inputs", n_inputs), ("n_outputs", n_outputs),
                                                ("n_hidden", n_hidden)))
    mask = _mask(I, H + K)
    y = I + 1
    mask[:, :I] = True
    mask[:, I] = bias
    if hidden_recurrent:
        mask[np.arange(H), y + np.arange(H)] = True
    mask[H:, y:y + H] = True
    return RecurrentTopology(I, mask, tuple(range(H, H + K)), "logistic", stages=(0,) * H + (1,) * K,
                             name=f"layered net ({I} inputs, {H} hidden, {K} outputs)")


def fully_recurrent(n_inputs: int, n_outputs: int, n_hidden: int, *, bias: bool = False) -> RecurrentTopology:
    """Williams & Zipser's fully recurrent net: ``n_hidden + n_outputs`` logistic units,
    each reading every input and every unit's activation of the step before (and a bias
    with ``bias``); the outputs are units like the others.  Without bias, 3 hidden units
    on Reber's 7 symbols have 170 weights and 12 have 494, Table 1's estimates."""
    I, K, H = (check_int(k, v, 1) for k, v in (("n_inputs", n_inputs), ("n_outputs", n_outputs),
                                                ("n_hidden", n_hidden)))
    mask = np.ones((H + K, I + 1 + H + K), dtype=bool)
    mask[:, I] = bias
    return RecurrentTopology(I, mask, tuple(range(H, H + K)), "logistic",
                             name=f"fully recurrent net ({H} hidden, {K} outputs)")


def elman(n_inputs: int, n_outputs: int, n_hidden: int, *, bias: bool = False) -> RecurrentTopology:
    """Elman's simple recurrent net: the hidden units read the inputs and the context
    units (every hidden unit's activation of the step before), the outputs read the
    hidden units of their step; logistic units, and a bias with ``bias``.  Without bias,
    15 hidden units on Reber's 7 symbols have 435 weights, Table 1's estimate.  Trained by
    ``RecurrentNet(..., learner="bptt", window=1)``, Elman's procedure."""
    I, K, H = (check_int(k, v, 1) for k, v in (("n_inputs", n_inputs), ("n_outputs", n_outputs),
                                                ("n_hidden", n_hidden)))
    mask = _mask(I, H + K)
    y = I + 1
    mask[:H, :I] = True
    mask[:, I] = bias
    mask[:H, y:y + H] = True
    mask[H:, y:y + H] = True
    return RecurrentTopology(I, mask, tuple(range(H, H + K)), "logistic", stages=(0,) * H + (1,) * K,
                             name=f"Elman net ({H} hidden, {K} outputs)")


def latch_inputs(sequence) -> np.ndarray:
    """The inputs of latch variant I for ``single_unit(class_inputs=True)``: the sequence's
    line with its first element (the class's ±1) cleared, and two lines that are 1.0 at
    step 0 for class 1 and for class 2."""
    x = np.zeros((sequence.length, 3))
    x[1:, 0] = sequence.inputs[1:, 0]
    x[0, 1 + sequence.label] = 1.0
    return x


class RecurrentNet:
    """A :class:`RecurrentTopology` with weights, and a learner to train them.

    Parameters
    ----------
    topology : RecurrentTopology
    weights : array_like of shape (n_units, n_sources), optional
        0 where there is no connection and the fixed value where one is fixed; zeros (with
        the fixed values) by default, or random with ``rng``.
    learner : {"rtrl", "bptt"}, default "rtrl"
        How the training calls compute the gradient: full RTRL (Williams & Zipser 1989),
        its sensitivities carried forward, or BPTT, the errors sent back through the
        stored activations (see :data:`LEARNERS`).
    window : int, optional
        BPTT only: None for epochwise BPTT (the whole sequence, the exact gradient), h ≥ 1
        for truncated BPTT(h), the error of each step sent back through h steps; h = 1 is
        Elman's procedure (the context units taken as inputs).
    rng : numpy.random.Generator or int, optional
        Draw the free weights uniformly in ``[-init_range, init_range]`` of the topology.

    Notes
    -----
    Every training call is online, sequence after sequence: ``update="sequence"`` applies
    a sequence's summed change at its end (offline RTRL, epochwise BPTT: the exact
    gradient of its E = 1/2 Σ (d_k - y_k)^2), ``update="step"`` after every step with a
    target (real-time RTRL, its sensitivities carried on; BPTT(h) from the activations it
    stored).  Epochwise BPTT has only the first.  Work per step: RTRL O(U^2 W) for a fully
    recurrent net of U units and W weights (less where the connections allow: only the
    sensitivities that can be non-zero are computed), BPTT(h) O(h W) per step with a
    target; memory: RTRL O(U W), BPTT O(T U) epochwise and O(h U) truncated.
    """

    def __init__(self, topology: RecurrentTopology, weights=None, *, learner: str = "rtrl",
                 window: int | None = None, rng=None):
        if not isinstance(topology, RecurrentTopology):
            raise TypeError(f"topology must be a RecurrentTopology, got {type(topology).__name__}")
        self.topology = topology
        self._kinds = np.array([ACTIVATIONS[a] for a in topology.activations], dtype=np.int8)
        self._stages = np.array(topology.stages, dtype=np.int8)
        self._outputs = np.array(topology.outputs, dtype=np.intp)
        self.learner = check_choice("learner", learner, tuple(LEARNERS))
        if window is not None:
            if self.learner != "bptt":
                raise ValueError(f"window applies to learner='bptt' only, not {self.learner!r}")
            window = check_int("window", window, 1)
        self.window = window
        self._learner = None
        self._lock = threading.Lock()
        self._w = self.template()
        if weights is not None:
            if rng is not None:
                raise TypeError("give weights or rng, not both")
            self.set_weights(weights)
        elif rng is not None and topology.init_range > 0:
            self._w = self.guesses(1, check_rng("rng", rng), topology.init_range)[0]

    def template(self) -> np.ndarray:
        """Zero weights with the fixed ones in place."""
        top = self.topology
        return np.zeros(top.mask.shape) if top.fixed is None else np.where(np.isnan(top.fixed), 0.0, top.fixed)

    @property
    def n_weights(self) -> int:
        return self.topology.n_weights

    def get_weights(self) -> np.ndarray:
        """A copy of the weights, ``(n_units, n_sources)``."""
        return self._w.copy()

    def set_weights(self, weights) -> None:
        """Set every weight; refused unless finite, 0 where there is no connection and the
        fixed value where one is fixed."""
        w = np.array(weights, dtype=np.float64)
        top = self.topology
        if w.shape != top.mask.shape:
            raise ValueError(f"weights must have shape {top.mask.shape}, got {w.shape}")
        if not np.isfinite(w).all():
            raise ValueError("weights contains NaN or inf")
        if (w[~top.mask] != 0).any():
            raise ValueError("weights is non-zero where the topology has no connection")
        if top.fixed is not None and (w[~np.isnan(top.fixed)] != top.fixed[~np.isnan(top.fixed)]).any():
            raise ValueError("weights changes a fixed weight")
        self._w = w

    def guesses(self, n: int, rng, weight_range: float = 100.0) -> np.ndarray:
        """``n`` random weight sets ``(n, n_units, n_sources)``: each free weight uniform in
        ``[-weight_range, weight_range]``, drawn from ``rng`` guess after guess, in the
        order of the free connections (row by row), so that drawing them in blocks or one
        at a time gives the same guesses."""
        n = check_int("n", n, 1)
        r = check_real("weight_range", weight_range, 0.0, exclusive_minimum=True)
        free = self.topology.free
        out = np.broadcast_to(self.template(), (n, *free.shape)).copy()
        out[:, free] = check_rng("rng", rng).uniform(-r, r, size=(n, int(free.sum())))
        return out

    def judge(self, guesses, inputs, offsets, targets, tolerance, early_exit=True):
        """Judge ``guesses`` (``(G, n_units, n_sources)``, e.g. from :meth:`guesses`) on
        sequences concatenated in ``inputs`` with ``offsets``: a sequence is right when each
        output ends strictly within ``tolerance`` of its row of ``targets`` (n, outputs).
        Returns ``(first, right)``: the first guess that gets them all right (-1 if none)
        and the sequences each guess up to it got right (with ``early_exit``, counted up to
        its first wrong one).  Runs in the compiled kernel, without the GIL."""
        return _recurrent.search(np.ascontiguousarray(guesses, dtype=np.float64), self._kinds, self._stages,
                                 self._inputs(inputs), np.ascontiguousarray(offsets, dtype=np.intp),
                                 np.ascontiguousarray(targets, dtype=np.float64), self._outputs,
                                 check_real("tolerance", tolerance, 0.0, exclusive_minimum=True), early_exit)

    def _inputs(self, x):
        """Dense inputs ``(T, n_inputs)``, checked; integer symbols become one-hot rows."""
        dense, symbols = check_inputs(x, self.topology.n_inputs)
        return dense if symbols is None else _one_hot(symbols, self.topology.n_inputs)

    def activations(self, inputs) -> np.ndarray:
        """Every unit's activation at every step of one sequence, ``(T, n_units)``."""
        x = self._inputs(inputs)
        out = np.empty((len(x), self.topology.n_units))
        _recurrent.forward(self._w, self._kinds, self._stages, x, out)
        return out

    def forward(self, inputs) -> np.ndarray:
        """The output units at every step of one sequence, ``(T, len(outputs))``."""
        return self.activations(inputs)[:, self._outputs]

    def forward_sequences(self, sequences) -> np.ndarray:
        """The outputs of several sequences, one after another (as
        :meth:`lstm97.LSTM.forward_sequences` gives them, so the criteria's
        :func:`~lstm97.experiments.criteria.evaluate` judges either net)."""
        items = sequences.sequences if isinstance(sequences, SequenceBatch) else sequences
        return np.concatenate([self.forward(getattr(s, "inputs", s)) for s in items])

    # ----------------------------------------------------------------- learning

    @property
    def n_outputs(self) -> int:
        return len(self.topology.outputs)

    def _kernel(self):
        """The compiled learner, made at the first training call."""
        if self._learner is None:
            algorithm = _recurrent.Algorithm.RTRL if self.learner == "rtrl" else _recurrent.Algorithm.BPTT
            self._learner = _recurrent.Learner(np.ascontiguousarray(self.topology.free, dtype=np.uint8),
                                               self._kinds, self._stages, self.topology.n_inputs,
                                               algorithm, self.window or 0)
        return self._learner

    def _mode(self, learning_rate, update):
        """``(learning_rate, kernel mode)`` of a training call, both checked."""
        learning_rate = check_real("learning_rate", learning_rate, 0.0, exclusive_minimum=True)
        check_choice("update", update, UPDATE_MODES)
        if update == "step" and self.learner == "bptt" and self.window is None:
            raise ValueError("update='step' needs a window: epochwise BPTT computes the gradient of "
                             "a whole sequence, so it updates at the sequence end (update='sequence'); "
                             "give window=h for BPTT(h) with an update after every step")
        return learning_rate, _MODES[update]

    def _run_many(self, sequences, mode, learning_rate=0.0, outputs=False, grad=None):
        """Train on (or differentiate) ``sequences`` in one kernel call; ``(errors, outputs,
        blow_up)`` as :meth:`lstm97.LSTM._run_many` gives them."""
        x, symbols, offsets, y, mask = pack(sequences, self.topology.n_inputs, self.n_outputs, True)
        if symbols is not None:
            x = _one_hot(symbols, self.topology.n_inputs)
        out = np.full((int(offsets[-1]), self.n_outputs), np.nan) if outputs else None
        errors = np.zeros(len(offsets) - 1)
        return _batch_result(self._kernel().run(self._w, x, offsets, y, mask, self._outputs, out, errors,
                                                grad, mode, learning_rate), offsets, errors, out, learning_rate)

    @_exclusive
    def gradient(self, inputs, targets, target_mask=None) -> tuple[np.ndarray, float]:
        """The learner's gradient dE/dw of one sequence, without changing the weights:
        the exact one for RTRL and epochwise BPTT, the truncated one for BPTT(h).

        Returns
        -------
        gradient : ndarray of shape (n_units, n_sources)
            0 where no free weight is.
        error : float
            ``E = 1/2 sum (d_k - y_k)^2`` over the steps with a target.
        """
        grad = np.zeros(self.n_weights)
        errors, _, blow_up = self._run_many([(inputs, targets, target_mask)], _recurrent.LearnMode.LEARN_GRADIENT,
                                            grad=grad)
        if blow_up is not None:
            raise blow_up
        full = np.zeros(self.topology.mask.shape)
        full[self.topology.free] = -grad
        return full, float(errors[0])

    @_exclusive
    def train_sequence(self, inputs, targets, target_mask=None, *, learning_rate, update="sequence",
                       return_outputs=False):
        """Train online on one sequence and return its error E (and, with
        ``return_outputs``, the outputs at the steps with a target, NaN elsewhere), as
        :meth:`lstm97.LSTM.train_sequence` does; a numeric blow-up raises
        ``FloatingPointError`` and leaves the weights as they were."""
        learning_rate, mode = self._mode(learning_rate, update)
        errors, out, blow_up = self._run_many([(inputs, targets, target_mask)], mode, learning_rate,
                                              return_outputs)
        if blow_up is not None:
            raise blow_up
        return (float(errors[0]), out) if return_outputs else float(errors[0])

    @_exclusive
    def _train_until_blow_up(self, sequences, *, learning_rate, update, return_outputs):
        """:meth:`train_sequences` for a trial: ``(errors, outputs, blow_up)`` instead of raising."""
        learning_rate, mode = self._mode(learning_rate, update)
        return self._run_many(sequences, mode, learning_rate, return_outputs)

    @_exclusive
    def train_sequences(self, sequences, *, learning_rate, update="sequence", return_outputs=False):
        """Train online on several sequences, one after another, in one kernel call: the
        same as :meth:`train_sequence` on each in turn.  Takes and returns what
        :meth:`lstm97.LSTM.train_sequences` does; on a blow-up in sequence ``i`` raises
        ``FloatingPointError`` (its ``sequence`` attribute is ``i``) with the sequences
        before it trained."""
        learning_rate, mode = self._mode(learning_rate, update)
        errors, outputs, blow_up = self._run_many(sequences, mode, learning_rate, return_outputs)
        if blow_up is not None:
            raise blow_up
        return (errors, outputs) if return_outputs else errors

    # ----------------------------------------------------------------- persistence

    _file_format = persistence.RECURRENT_FORMAT

    @_exclusive
    def save(self, path) -> None:
        """Write the net (topology, weights, learner and window) to an ``.npz`` file with a
        JSON header, atomically, as :meth:`lstm97.LSTM.save` does.  Between training calls
        a standard net's whole state is its weights: every sequence starts from zero
        activations, sensitivities and stored steps."""
        persistence.save(self, path)

    @classmethod
    def load(cls, path) -> RecurrentNet:
        """Read a net written by :meth:`save`; ``ValueError`` on a foreign or corrupt file."""
        return persistence.load(cls, path)

    @property
    def state_bytes(self) -> int:
        """Bytes of the learner's state between steps (RTRL's sensitivities, the activations
        BPTT stores), as sized by the longest sequence trained so far."""
        return self._kernel().state_bytes

    def __repr__(self):
        window = "" if self.window is None else f", window={self.window}"
        return f"RecurrentNet({self.topology!r}, learner={self.learner!r}{window})"


def _one_hot(symbols, n):
    x = np.zeros((len(symbols), n))
    x[np.arange(len(symbols)), symbols] = 1.0
    return x
