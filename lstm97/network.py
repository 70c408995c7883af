"""Network topology and the public :class:`LSTM` class.

Every argument is validated here, once, with a message that names it; the compiled
core (:mod:`lstm97._core`) then runs without checks.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
import zipfile
from collections.abc import Mapping, Sequence

import numpy as np

from . import _core
from ._validation import check_choice, check_int, check_real

__all__ = ["GROUPS", "LSTM", "Topology"]

#: The five unit groups, in the order the core stores them.  Every unit of a group
#: reads the same sources.
GROUPS = _core.GROUP_NAMES

_BIAS_MODES = ("none", "gates", "hidden", "all")
_H_FUNCTIONS = ("sigmoid", "identity")
_G_FUNCTIONS = ("sigmoid", "logistic")
UPDATE_MODES = ("sequence", "step")
_FORMAT = "lstm97-model"
_FORMAT_VERSION = 1


@dataclasses.dataclass(frozen=True)
class Topology:
    """The architecture of a 1997 LSTM network: everything Table 10 of the paper varies.

    Parameters
    ----------
    n_inputs, n_outputs : int
        Number of input units and of (logistic) output units.
    block_sizes : sequence of int
        Cells per memory-cell block, e.g. ``(2, 2)``: two blocks of two cells, each
        block with one input gate and one output gate.
    n_hidden : int, default 0
        Conventional (logistic) hidden units.  The paper's experiments use none.
    output_gates : bool, default True
        ``False`` gives the gate-less blocks of Exps 2a/2b: ``y^c = h(s)``.
    connectivity : {"F", "B"}, default "F"
        Table 10, column c.  ``"F"``: hidden units (cells, gates, conventional units)
        read the inputs and every hidden unit; outputs read the cells and conventional
        units.  ``"B"``: hidden units read the inputs only; outputs read the inputs,
        the cells and the conventional units.  Outputs never read gates (A.1).
    bias : {"none", "gates", "hidden", "all"}, default "all"
        Which units have a weight from the bias unit (activation 1): Table 10's
        ``none``, ``ga`` (gates only), ``b1`` (every hidden unit), ``all`` (every
        non-input unit, outputs included).
    h : {"sigmoid", "identity"}, default "sigmoid"
        Cell output squashing: ``h_range (2 f(x) - 1)``, in [-1, 1] by default (the
        paper's h1), or the identity (``id``, Exps 2a/2b).
    g : {"sigmoid", "logistic"}, default "sigmoid"
        Cell input squashing: ``g_range (2 f(x) - 1)``, in [-2, 2] by default (g2), or
        ``f(x)`` in [0, 1] (g1).
    h_range, g_range : float, default 1.0 and 2.0
        Half-widths of the centred sigmoids h and g.  The defaults follow the paper's body
        text and appendix (DECISIONS item 1); Table 10's caption reads h in [-2, 2] and g
        in [-1, 1] (``h_range=2.0, g_range=1.0``).  Only for ``h="sigmoid"`` / ``g="sigmoid"``.
    init_range : float, default 0.1
        Every weight starts uniform in ``[-init_range, init_range]``.
    input_gate_bias, output_gate_bias : sequence of float, optional
        Initial bias weight of each block's input / output gate (one value per block);
        ``None`` leaves it random like the other weights.  Needs gate biases.
    source_masks : mapping of str to array of bool, optional
        Per group (a name in :data:`GROUPS`), which sources its units read, as a
        boolean vector over :attr:`source_names`; replaces what ``connectivity`` and
        ``bias`` give for that group.  Output units must not read gates.
    """

    n_inputs: int
    n_outputs: int
    block_sizes: tuple[int, ...]
    n_hidden: int = 0
    output_gates: bool = True
    connectivity: str = "F"
    bias: str = "all"
    h: str = "sigmoid"
    g: str = "sigmoid"
    h_range: float = 1.0
    g_range: float = 2.0
    init_range: float = 0.1
    input_gate_bias: tuple[float, ...] | None = None
    output_gate_bias: tuple[float, ...] | None = None
    source_masks: tuple[tuple[str, tuple[bool, ...]], ...] | None = None

    def __post_init__(self):
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        set_("n_inputs", check_int("n_inputs", self.n_inputs, 1))
        set_("n_outputs", check_int("n_outputs", self.n_outputs, 1))
        if isinstance(self.block_sizes, (str, bytes)) or not isinstance(self.block_sizes, Sequence):
            raise TypeError(f"block_sizes must be a sequence of integers, got {self.block_sizes!r}")
        if len(self.block_sizes) == 0:
            raise ValueError("block_sizes must name at least one memory-cell block, got ()")
        set_("block_sizes", tuple(check_int(f"block_sizes[{j}]", s, 1)
                                  for j, s in enumerate(self.block_sizes)))
        set_("n_hidden", check_int("n_hidden", self.n_hidden, 0))
        if not isinstance(self.output_gates, (bool, np.bool_)):
            raise TypeError(f"output_gates must be True or False, got {self.output_gates!r}")
        set_("output_gates", bool(self.output_gates))
        check_choice("connectivity", self.connectivity, ("F", "B"))
        check_choice("bias", self.bias, _BIAS_MODES)
        check_choice("h", self.h, _H_FUNCTIONS)
        check_choice("g", self.g, _G_FUNCTIONS)
        for name, function, default in (("h_range", "h", 1.0), ("g_range", "g", 2.0)):
            value = check_real(name, getattr(self, name), 0.0, exclusive_minimum=True)
            set_(name, value)
            if value != default and getattr(self, function) != "sigmoid":
                raise ValueError(f"{name} applies to {function}='sigmoid' only, got {name}={value!r} "
                                 f"with {function}={getattr(self, function)!r}")
        set_("init_range", check_real("init_range", self.init_range, 0.0))
        for name, gated in (("input_gate_bias", True), ("output_gate_bias", self.output_gates)):
            values = getattr(self, name)
            if values is None:
                continue
            if not gated:
                raise ValueError(f"{name} is given but the blocks have no output gates")
            if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
                raise TypeError(f"{name} must be a sequence of numbers, got {values!r}")
            if len(values) != self.n_blocks:
                raise ValueError(f"{name} needs one value per block ({self.n_blocks}), got {len(values)}")
            set_(name, tuple(check_real(f"{name}[{j}]", v) for j, v in enumerate(values)))
        if self.source_masks is not None:
            set_("source_masks", self._check_source_masks(self.source_masks))
        for name, group in (("input_gate_bias", "input_gate"), ("output_gate_bias", "output_gate")):
            if getattr(self, name) is not None and not self.source_mask(group)[self.n_inputs]:
                raise ValueError(f"{name} is given but the {group} units have no bias weight "
                                 f"(bias={self.bias!r})")

    def _check_source_masks(self, masks):
        items = masks.items() if isinstance(masks, Mapping) else masks
        checked = {}
        for group, mask in items:
            if group not in GROUPS:
                raise ValueError(f"source_masks has unknown group {group!r}; groups are {', '.join(GROUPS)}")
            arr = np.asarray(mask)
            if arr.dtype != np.bool_ or arr.shape != (self.n_sources,):
                raise ValueError(f"source_masks[{group!r}] must be a boolean vector of length "
                                 f"{self.n_sources} (one per source), got dtype {arr.dtype} shape {arr.shape}")
            if group == "output":
                gates = self._gate_columns()
                if arr[gates].any():
                    raise ValueError("source_masks['output'] connects output units to gates; "
                                     "output units never read gates (paper A.1)")
            checked[group] = tuple(bool(b) for b in arr)
        return tuple(sorted(checked.items(), key=lambda item: GROUPS.index(item[0])))

    # ----------------------------------------------------------------- derived sizes

    @property
    def n_blocks(self) -> int:
        return len(self.block_sizes)

    @property
    def n_cells(self) -> int:
        return sum(self.block_sizes)

    @property
    def n_units(self) -> int:
        """Hidden units: conventional units, input gates, output gates and cells."""
        return self.n_hidden + self.n_blocks * (2 if self.output_gates else 1) + self.n_cells

    @property
    def n_sources(self) -> int:
        """Length of the source vector ``[x, bias, hidden units]``."""
        return self.n_inputs + 1 + self.n_units

    def group_size(self, group: str) -> int:
        """Number of units in ``group``."""
        return {"hidden": self.n_hidden, "input_gate": self.n_blocks,
                "output_gate": self.n_blocks if self.output_gates else 0,
                "cell": self.n_cells, "output": self.n_outputs}[check_choice("group", group, GROUPS)]

    @property
    def unit_names(self) -> dict[str, tuple[str, ...]]:
        """Row names per group: ``h<i>`` conventional units, ``in<j>`` / ``out<j>`` the
        input / output gate of block j, ``c<j>_<v>`` cell v of block j, ``k<k>`` outputs."""
        cells = tuple(f"c{j}_{v}" for j, size in enumerate(self.block_sizes) for v in range(size))
        return {
            "hidden": tuple(f"h{i}" for i in range(self.n_hidden)),
            "input_gate": tuple(f"in{j}" for j in range(self.n_blocks)),
            "output_gate": tuple(f"out{j}" for j in range(self.n_blocks)) if self.output_gates else (),
            "cell": cells,
            "output": tuple(f"k{k}" for k in range(self.n_outputs)),
        }

    @property
    def source_names(self) -> tuple[str, ...]:
        """Column names of every weight matrix: ``x<i>`` inputs, ``bias``, then the
        hidden units in the order ``h``, ``in``, ``out``, ``c`` (see :attr:`unit_names`).
        Hidden units read the hidden columns at step t-1, output units at step t."""
        names = self.unit_names
        hidden = [n for g in ("hidden", "input_gate", "output_gate", "cell") for n in names[g]]
        return (*(f"x{i}" for i in range(self.n_inputs)), "bias", *hidden)

    def _gate_columns(self):
        start = self.n_inputs + 1 + self.n_hidden
        return np.arange(start, start + self.n_blocks * (2 if self.output_gates else 1))

    def source_mask(self, group: str) -> np.ndarray:
        """Boolean vector over :attr:`source_names`: which sources ``group`` reads."""
        check_choice("group", group, GROUPS)
        if self.source_masks is not None:
            explicit = dict(self.source_masks)
            if group in explicit:
                return np.array(explicit[group], dtype=bool)
        n_in = self.n_inputs
        mask = np.zeros(self.n_sources, dtype=bool)
        if group == "output":
            mask[:n_in] = self.connectivity == "B"
            mask[n_in] = self.bias == "all"
            mask[n_in + 1:n_in + 1 + self.n_hidden] = True
            mask[n_in + 1 + self.n_units - self.n_cells:] = True
        else:
            mask[:n_in] = True
            mask[n_in + 1:] = self.connectivity == "F"
            biased = ("gates", "hidden", "all") if group.endswith("gate") else ("hidden", "all")
            mask[n_in] = self.bias in biased
        return mask

    @property
    def n_weights(self) -> int:
        """Number of weights, counted as Table 10 counts them (bias weights included)."""
        return sum(self.group_size(g) * int(self.source_mask(g).sum()) for g in GROUPS)

    # ----------------------------------------------------------------- JSON

    def to_dict(self) -> dict:
        """A JSON-able description; ``Topology.from_dict`` inverts it."""
        d = dataclasses.asdict(self)
        for key in ("block_sizes", "input_gate_bias", "output_gate_bias"):
            if d[key] is not None:
                d[key] = list(d[key])
        if self.source_masks is not None:
            d["source_masks"] = {g: list(m) for g, m in self.source_masks}
        return d

    @classmethod
    def from_dict(cls, d: Mapping) -> Topology:
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = set(d) - fields
        if unknown:
            raise ValueError(f"unknown topology fields: {', '.join(sorted(unknown))}")
        d = dict(d)
        for key in ("block_sizes", "input_gate_bias", "output_gate_bias"):
            if d.get(key) is not None:
                d[key] = tuple(d[key])
        if d.get("source_masks") is not None:
            d["source_masks"] = {g: np.array(m, dtype=bool) for g, m in d["source_masks"].items()}
        return cls(**d)


class LSTM:
    """A 1997 LSTM network trained online by the paper's truncated RTRL variant.

    Parameters
    ----------
    topology : Topology
        The architecture.
    rng : None, int or numpy.random.Generator
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
    """

    def __init__(self, topology: Topology, rng=None):
        if not isinstance(topology, Topology):
            raise TypeError(f"topology must be a Topology, got {type(topology).__name__}")
        self._setup(topology)
        rng = np.random.default_rng(rng)
        r = topology.init_range
        for g in GROUPS:
            view = self._view(g)
            view[...] = rng.uniform(-r, r, size=view.shape)
        for name, group in (("input_gate_bias", "input_gate"), ("output_gate_bias", "output_gate")):
            values = getattr(topology, name)
            if values is not None:
                bias_col = int(np.searchsorted(self._columns[group], topology.n_inputs))
                self._view(group)[:, bias_col] = values

    def _setup(self, topology):
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
        self._core = _core.Core(
            n_in, topology.n_outputs, topology.n_hidden, np.array(topology.block_sizes, dtype=np.intp),
            topology.output_gates, topology.h == "identity", topology.g == "logistic",
            topology.h_range, topology.g_range, group_set,
            [np.flatnonzero(m[:n_in]) for m in set_masks], [np.flatnonzero(m[n_in:]) for m in set_masks])

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

    def get_weights(self) -> dict[str, np.ndarray]:
        """A copy of every weight, per group, as ``ndarray of shape (units, n_sources)``.

        Row ``r`` of group ``g`` holds the weights *into* unit ``unit_names[g][r]``,
        column ``m`` those *from* ``source_names[m]``; absent connections are 0.
        """
        return {g: self._full(g) for g in GROUPS}

    def set_weights(self, weights: Mapping[str, np.ndarray]) -> None:
        """Set the weights of some or all groups from arrays shaped as :meth:`get_weights`.

        Every array is checked before any is written: right shape, finite, and zero
        where the connection does not exist.
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
            if not np.isfinite(arr).all():
                raise ValueError(f"weights[{g!r}] contains NaN or inf")
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
        """``(dense, symbols)``: one of them holds the sequence, the other is empty."""
        arr = np.asarray(inputs)
        n_in = self.topology.n_inputs
        if arr.dtype == np.bool_ or arr.dtype.kind not in "fiu":
            raise TypeError(f"inputs must be float (T, n_inputs) or integer symbols (T,), got dtype {arr.dtype}")
        if arr.dtype.kind in "iu":
            if arr.ndim != 1:
                raise ValueError(f"symbol inputs must have shape (T,), got {arr.shape}")
            if arr.shape[0] == 0:
                raise ValueError("inputs is an empty sequence")
            bad = np.flatnonzero((arr < 0) | (arr >= n_in))
            if len(bad):
                raise ValueError(f"inputs has symbol {arr[bad[0]]} at step {bad[0]}, outside [0, {n_in})")
            return _EMPTY_2D, np.ascontiguousarray(arr, dtype=np.intp)
        if arr.ndim != 2 or arr.shape[1] != n_in:
            raise ValueError(f"dense inputs must have shape (T, {n_in}), got {arr.shape}")
        if arr.shape[0] == 0:
            raise ValueError("inputs is an empty sequence")
        _check_finite("inputs", arr)
        return np.ascontiguousarray(arr, dtype=np.float64), _EMPTY_SYMBOLS

    def _targets(self, targets, target_mask, T):
        arr = np.asarray(targets)
        shape = (T, self.topology.n_outputs)
        if arr.dtype == np.bool_ or arr.dtype.kind not in "fiu":
            raise TypeError(f"targets must be a float array, got dtype {arr.dtype}")
        if arr.shape != shape:
            raise ValueError(f"targets must have shape {shape} (the inputs have T={T}), got {arr.shape}")
        _check_finite("targets", arr)
        if target_mask is None:
            mask = np.ones(T, dtype=np.uint8)
        else:
            mask = np.asarray(target_mask)
            if mask.dtype != np.bool_:
                raise TypeError(f"target_mask must be a boolean array, got dtype {mask.dtype}")
            if mask.shape != (T,):
                raise ValueError(f"target_mask must have shape ({T},) like the inputs, got {mask.shape}")
            mask = np.ascontiguousarray(mask).view(np.uint8)
        return np.ascontiguousarray(arr, dtype=np.float64), mask

    def _run(self, inputs, targets, target_mask, mode, learning_rate=0.0, outputs=False):
        x, symbols = self._inputs(inputs)
        T = max(x.shape[0], symbols.shape[0])
        if targets is None:
            y, mask = _EMPTY_2D, _EMPTY_MASK
        else:
            y, mask = self._targets(targets, target_mask, T)
        out = np.full((T, self.topology.n_outputs), np.nan) if outputs else _EMPTY_2D
        fail, step = self._core.run(x, symbols, y, mask, out, mode, learning_rate)
        if fail != _core.Fail.FAIL_NONE:
            self._core.reset()
            if fail == _core.Fail.FAIL_STATE:
                raise FloatingPointError(
                    f"non-finite activation, cell state or error at step {step} (0-based) of the sequence; the weights "
                    "are unchanged (a smaller learning_rate or smaller initial weights may help)")
            raise FloatingPointError(
                f"the weight update after step {step} would make a weight non-finite; the weights "
                f"are unchanged (learning_rate={learning_rate!r} is probably too large)")
        return out

    # ----------------------------------------------------------------- whole sequences

    def forward(self, inputs) -> np.ndarray:
        """Run one sequence and return the outputs, ``ndarray of shape (T, n_outputs)``."""
        return self._run(inputs, None, None, _core.Mode.MODE_FORWARD, outputs=True)

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

    def train_sequence(self, inputs, targets, target_mask=None, *, learning_rate,
                       update="sequence", return_outputs=False):
        """Train online on one sequence and return its error E.

        ``update="sequence"`` sums the weight changes over the sequence and applies them
        at its end; ``update="step"`` applies them after every step with a target,
        carrying the traces on (DECISIONS item 4).  The two agree when only the last
        step has a target.  On a numeric blow-up, raises ``FloatingPointError`` naming
        the step and leaves the weights exactly as they were.

        Returns
        -------
        error : float
            E of the sequence, from the outputs it produced while training.
        outputs : ndarray of shape (T, n_outputs), only with ``return_outputs=True``
            Those outputs at the steps with a target (NaN elsewhere), computed with the
            weights before the update in ``"sequence"`` mode; what the paper's "training
            sequence processed correctly" criteria judge.
        """
        learning_rate = check_real("learning_rate", learning_rate, 0.0, exclusive_minimum=True)
        mode = {"sequence": _core.Mode.MODE_TRAIN_SEQUENCE, "step": _core.Mode.MODE_TRAIN_STEP}[
            check_choice("update", update, UPDATE_MODES)]
        outputs = self._run(inputs, targets, target_mask, mode, learning_rate, outputs=return_outputs)
        return (self._core.error, outputs) if return_outputs else self._core.error

    # ----------------------------------------------------------------- one step at a time

    def reset(self) -> None:
        """Start a new sequence: zero cell states, activations, traces and the pending update."""
        self._core.reset()

    def step(self, x, target=None) -> np.ndarray:
        """Advance one time step and return the outputs, ``ndarray of shape (n_outputs,)``.

        ``x`` is a float vector of length ``n_inputs`` or an integer symbol.  With a
        ``target`` (length ``n_outputs``), the step's error is added to :attr:`error`
        and its truncated gradient to the pending update that :meth:`learn` applies.
        """
        n_in, n_out = self.topology.n_inputs, self.topology.n_outputs
        arr = np.asarray(x)
        if arr.ndim == 0 and arr.dtype.kind in "iu":
            if not 0 <= arr < n_in:
                raise ValueError(f"x is symbol {int(arr)}, outside [0, {n_in})")
            dense, symbol = _EMPTY_VECTOR, int(arr)
        elif arr.dtype.kind in "fiu" and arr.dtype != np.bool_ and arr.shape == (n_in,):
            _check_finite("x", arr)
            dense, symbol = np.ascontiguousarray(arr, dtype=np.float64), -1
        else:
            raise ValueError(f"x must be an integer symbol or a float vector of length {n_in}, "
                             f"got dtype {arr.dtype} shape {arr.shape}")
        if target is None:
            t = _EMPTY_VECTOR
        else:
            t = np.asarray(target)
            if t.dtype == np.bool_ or t.dtype.kind not in "fiu" or t.shape != (n_out,):
                raise ValueError(f"target must be a float vector of length {n_out}, "
                                 f"got dtype {t.dtype} shape {t.shape}")
            _check_finite("target", t)
            t = np.ascontiguousarray(t, dtype=np.float64)
        out = np.empty(n_out)
        if not self._core.step(dense, symbol, t, out):
            raise FloatingPointError(f"non-finite activation, cell state or error at step {self._core.t - 1} "
                                     "(0-based) since the last reset; the weights are unchanged")
        return out

    def learn(self, learning_rate) -> None:
        """Apply the pending update (``w += learning_rate * (-dE/dw)``) and clear it."""
        learning_rate = check_real("learning_rate", learning_rate, 0.0, exclusive_minimum=True)
        if not self._core.apply(learning_rate):
            raise FloatingPointError(f"the update would make a weight non-finite; the weights are "
                                     f"unchanged (learning_rate={learning_rate!r} is probably too large)")

    @property
    def error(self) -> float:
        """E accumulated over the steps with a target since the last reset."""
        return self._core.error

    @property
    def steps(self) -> int:
        """Time steps since the last reset."""
        return self._core.t

    @property
    def cell_states(self) -> np.ndarray:
        """The internal states s_c of the cells after the last step (of :meth:`step`, or the
        last step of a whole sequence), block by block; a copy, ``ndarray of shape (n_cells,)``."""
        return self._core.state_arrays()["cell_state"].copy()

    # ----------------------------------------------------------------- persistence

    def save(self, path) -> None:
        """Write the network and its full state to an ``.npz`` file (with a JSON header).

        The state includes cell states, activations, traces and any pending update, so
        a stream resumed from the file continues bit for bit.  The file is written to a
        temporary name first and renamed, so an interrupted save never leaves a
        half-written file behind.
        """
        meta = {"format": _FORMAT, "version": _FORMAT_VERSION, "topology": self.topology.to_dict(),
                "steps": self._core.t, "error": self._core.error}
        arrays = {f"weights.{g}": self._full(g) for g in GROUPS}
        arrays.update({f"state.{k}": v for k, v in self._core.state_arrays().items() if k != "weights"})
        path = os.fspath(path)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, meta=np.array(json.dumps(meta)), **arrays)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise

    @classmethod
    def load(cls, path) -> LSTM:
        """Read a network written by :meth:`save`; raises ``ValueError`` on a foreign or corrupt file."""
        try:
            with np.load(path, allow_pickle=False) as f:
                meta = json.loads(str(f["meta"][()]))
                if not isinstance(meta, dict) or meta.get("format") != _FORMAT:
                    raise ValueError("the header does not name the lstm97 model format")
                if meta.get("version") != _FORMAT_VERSION:
                    raise ValueError(f"format version {meta.get('version')!r} is not supported "
                                     f"(this lstm97 reads version {_FORMAT_VERSION})")
                net = cls.__new__(cls)
                net._setup(Topology.from_dict(meta["topology"]))
                net.set_weights({g: f[f"weights.{g}"] for g in GROUPS})
                for name, view in net._core.state_arrays().items():
                    if name == "weights":
                        continue
                    arr = f[f"state.{name}"]
                    if arr.shape != view.shape or not np.isfinite(arr).all():
                        raise ValueError(f"state array {name!r} has the wrong shape or non-finite values")
                    view[...] = arr
                net._core.set_counters(int(meta["steps"]), float(meta["error"]))
        except FileNotFoundError:
            raise
        except (OSError, zipfile.BadZipFile, KeyError, ValueError, TypeError, json.JSONDecodeError) as exc:
            raise ValueError(f"{os.fspath(path)!r} is not a valid lstm97 model file: {exc}") from exc
        return net

    def __repr__(self):
        t = self.topology
        return (f"LSTM(n_inputs={t.n_inputs}, n_outputs={t.n_outputs}, block_sizes={t.block_sizes}, "
                f"connectivity={t.connectivity!r}, n_weights={self.n_weights})")


def _check_finite(name, arr):
    finite = np.isfinite(arr)
    if not finite.all():
        where = np.argwhere(~finite)[0]
        raise ValueError(f"{name} contains NaN or inf (first at index {tuple(int(i) for i in where)})")


_EMPTY_2D = np.empty((0, 1))
_EMPTY_SYMBOLS = np.empty(0, dtype=np.intp)
_EMPTY_MASK = np.empty(0, dtype=np.uint8)
_EMPTY_VECTOR = np.empty(0)
