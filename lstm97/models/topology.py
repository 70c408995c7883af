"""The architecture of a 1997 LSTM network: :class:`Topology`, and the layout of its sources.

Every weight matrix of a group has one column per *source*: the input units, the bias
unit, then the hidden units in the order conventional units, input gates, output gates,
cells.  :meth:`Topology.source_columns` is the one place that knows where each kind of
source sits.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np

from .. import _core
from .._validation import check_choice, check_int, check_real

__all__ = ["GROUPS", "SOURCE_KINDS", "Topology"]

#: The five unit groups, in the order the core stores them.  Every unit of a group
#: reads the same sources.
GROUPS = _core.GROUP_NAMES

#: The kinds of source, in the order of :attr:`Topology.source_names`.
SOURCE_KINDS = ("inputs", "bias", "hidden", "input_gate", "output_gate", "cell")

_BIAS_MODES = ("none", "gates", "hidden", "all")
_H_FUNCTIONS = ("sigmoid", "identity")
_G_FUNCTIONS = ("sigmoid", "logistic")


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
            if getattr(self, name) is not None and not self.source_mask(group)[self.source_columns("bias")].any():
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
                if arr[self.source_columns("gates")].any():
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

    def source_columns(self, kind: str) -> slice:
        """Where sources of ``kind`` (one of :data:`SOURCE_KINDS`, or ``"gates"`` for both
        gate groups) sit in :attr:`source_names` and in every weight matrix's columns."""
        check_choice("kind", kind, (*SOURCE_KINDS, "gates"))
        if kind == "gates":
            return slice(self.source_columns("input_gate").start, self.source_columns("output_gate").stop)
        sizes = {"inputs": self.n_inputs, "bias": 1, "hidden": self.n_hidden, "input_gate": self.n_blocks,
                 "output_gate": self.n_blocks if self.output_gates else 0, "cell": self.n_cells}
        start = 0
        for name in SOURCE_KINDS:
            if name == kind:
                return slice(start, start + sizes[name])
            start += sizes[name]
        raise AssertionError(kind)  # unreachable: check_choice above

    def source_mask(self, group: str) -> np.ndarray:
        """Boolean vector over :attr:`source_names`: which sources ``group`` reads."""
        check_choice("group", group, GROUPS)
        if self.source_masks is not None:
            explicit = dict(self.source_masks)
            if group in explicit:
                return np.array(explicit[group], dtype=bool)
        col = self.source_columns
        mask = np.zeros(self.n_sources, dtype=bool)
        if group == "output":
            mask[col("inputs")] = self.connectivity == "B"
            mask[col("bias")] = self.bias == "all"
            mask[col("hidden")] = True
            mask[col("cell")] = True
        else:
            mask[col("inputs")] = True
            mask[col("bias").stop:] = self.connectivity == "F"
            biased = ("gates", "hidden", "all") if group.endswith("gate") else ("hidden", "all")
            mask[col("bias")] = self.bias in biased
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
