"""The architecture of a 1997 LSTM network: :class:`Topology`, and the layout of its sources.

Every weight matrix of a group has one column per *source*: the input units, the bias
unit, then the hidden units in the order conventional units, input gates, output gates,
cells.  :meth:`Topology.source_columns` is the one place that knows where each kind of
source sits.
"""

from __future__ import annotations

import dataclasses
import numbers
import sys
from collections.abc import Mapping, Sequence

import numpy as np

from .. import _core
from .. import _validation
from .._validation import check_choice, check_int

__all__ = ["GROUPS", "MAX_BLOCKS", "MAX_WEIGHTS", "SOURCE_KINDS", "Topology"]

#: The five unit groups, in the order the core stores them.  Every unit of a group
#: reads the same sources.
GROUPS = _core.GROUP_NAMES

#: The kinds of source, in the order of :attr:`Topology.source_names`.
SOURCE_KINDS = ("inputs", "bias", "hidden", "input_gate", "output_gate", "cell")

_BIAS_MODES = ("none", "gates", "hidden", "all")
_H_FUNCTIONS = ("sigmoid", "identity")
_G_FUNCTIONS = ("sigmoid", "logistic")

#: Most entries the weight matrices may hold, counted as :meth:`LSTM.get_weights` lays
#: them out: (hidden units + output units) x sources.  Bounds every count of a topology
#: too (n_inputs, n_outputs, n_hidden, each block size).  The paper's largest net (Exp 2c,
#: 1004 inputs) has 6,064 weights in matrices of 8,088 entries.
MAX_WEIGHTS = 10**8

#: Most memory-cell blocks (a topology with 5,000 blocks already exceeds MAX_WEIGHTS;
#: this bound only stops a huge ``block_sizes`` from being walked at all).
MAX_BLOCKS = 10**4

#: Largest ``init_range``: the initial weights are drawn uniform in [-init_range, init_range],
#: whose width must be a finite float.
MAX_INIT_RANGE = sys.float_info.max / 2


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

    Raises
    ------
    TypeError
        If an argument has the wrong type (each message names it).
    ValueError
        If an argument has the right type but cannot be used; also if the net is too
        large: every count is at most :data:`MAX_WEIGHTS`, there are at most
        :data:`MAX_BLOCKS` blocks, and the weight matrices, (hidden units + outputs) x
        sources, hold at most :data:`MAX_WEIGHTS` (10**8) entries.
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
        set_("n_inputs", _check_count("n_inputs", self.n_inputs, 1))
        set_("n_outputs", _check_count("n_outputs", self.n_outputs, 1))
        _check_sequence("block_sizes", self.block_sizes, "integers")
        n_blocks = _length("block_sizes", self.block_sizes)
        if n_blocks == 0:
            raise ValueError("block_sizes must name at least one memory-cell block, got ()")
        if n_blocks > MAX_BLOCKS:
            raise ValueError(f"block_sizes must name at most {MAX_BLOCKS} memory-cell blocks, got {n_blocks}")
        set_("block_sizes", tuple(_check_count(f"block_sizes[{j}]", s, 1)
                                  for j, s in enumerate(self.block_sizes)))
        set_("n_hidden", _check_count("n_hidden", self.n_hidden, 0))
        if not isinstance(self.output_gates, (bool, np.bool_)):
            raise TypeError(f"output_gates must be True or False, got {shown(self.output_gates)}")
        set_("output_gates", bool(self.output_gates))
        # Everything else (source_names, masks, the core's buffers) is sized by this, so it
        # is bounded before any of it is built.
        entries = (self.n_units + self.n_outputs) * self.n_sources
        if entries > MAX_WEIGHTS:
            raise ValueError(
                f"the topology is too large: its weight matrices would hold {entries:,} entries "
                f"((hidden units {self.n_units:,} + outputs {self.n_outputs:,}) x sources "
                f"{self.n_sources:,}); at most {MAX_WEIGHTS:,} are allowed")
        for name, choices in (("connectivity", ("F", "B")), ("bias", _BIAS_MODES),
                              ("h", _H_FUNCTIONS), ("g", _G_FUNCTIONS)):
            set_(name, _check_name(name, getattr(self, name), choices))
        for name, function, default in (("h_range", "h", 1.0), ("g_range", "g", 2.0)):
            value = _check_real(name, getattr(self, name), 0.0, exclusive_minimum=True)
            set_(name, value)
            if value != default and getattr(self, function) != "sigmoid":
                raise ValueError(f"{name} applies to {function}='sigmoid' only, got {name}={value!r} "
                                 f"with {function}={getattr(self, function)!r}")
        set_("init_range", _check_real("init_range", self.init_range, 0.0, MAX_INIT_RANGE))
        for name, gated in (("input_gate_bias", True), ("output_gate_bias", self.output_gates)):
            values = getattr(self, name)
            if values is None:
                continue
            if not gated:
                raise ValueError(f"{name} is given but the blocks have no output gates")
            _check_sequence(name, values, "numbers")
            if _length(name, values) != self.n_blocks:
                raise ValueError(f"{name} needs one value per block ({self.n_blocks}), got {len(values)}")
            set_(name, tuple(_check_real(f"{name}[{j}]", v) for j, v in enumerate(values)))
        if self.source_masks is not None:
            set_("source_masks", self._check_source_masks(self.source_masks))
        for name, group in (("input_gate_bias", "input_gate"), ("output_gate_bias", "output_gate")):
            if getattr(self, name) is not None and not self.source_mask(group)[self.source_columns("bias")].any():
                raise ValueError(f"{name} is given but the {group} units have no bias weight "
                                 f"(bias={self.bias!r})")

    def _check_source_masks(self, masks):
        if isinstance(masks, Mapping):
            items = list(masks.items())
        elif isinstance(masks, (str, bytes)) or not isinstance(masks, Sequence):
            raise TypeError(f"source_masks must be a mapping of group name to boolean vector "
                            f"(or None), got {shown(masks)}")
        else:
            if _length("source_masks", masks) > len(GROUPS):
                raise ValueError(f"source_masks has {len(masks)} entries; there are {len(GROUPS)} groups")
            items = list(masks)
            for item in items:
                if not isinstance(item, Sequence) or isinstance(item, (str, bytes)) or len(item) != 2:
                    raise TypeError(f"source_masks must be a mapping of group name to boolean vector, "
                                    f"or a sequence of (group, vector) pairs; got the entry {shown(item)}")
        checked = {}
        for group, mask in items:
            if not isinstance(group, str):
                raise TypeError(f"source_masks keys must be group names (str), got {shown(group)}")
            if group not in GROUPS:
                raise ValueError(f"source_masks has unknown group {shown(group)}; groups are {', '.join(GROUPS)}")
            if group in checked:
                raise ValueError(f"source_masks gives group {group!r} twice")
            what = (f"source_masks[{group!r}] must be a boolean vector of length {self.n_sources} "
                    f"(one per source)")
            try:
                arr = np.asarray(mask)
            except (TypeError, ValueError, OverflowError, RecursionError) as exc:   # e.g. a ragged list
                raise TypeError(f"{what}, got {shown(mask)}") from exc
            if arr.dtype != np.bool_ or arr.shape != (self.n_sources,):
                raise ValueError(f"{what}, got dtype {arr.dtype} shape {arr.shape}")
            if group == "output" and arr[self.source_columns("gates")].any():
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
        """The topology that :meth:`to_dict` described; every field is validated as by the
        constructor, and each message names the field."""
        if not isinstance(d, Mapping):
            raise TypeError(f"a topology description must be a mapping of field names, got {shown(d)}")
        fields = dataclasses.fields(cls)
        names = {f.name for f in fields}
        unknown = set(d) - names
        if unknown:
            raise ValueError("unknown topology fields: "
                             + ", ".join(sorted(k if isinstance(k, str) else shown(k) for k in unknown)))
        required = [f.name for f in fields if f.default is dataclasses.MISSING and f.name not in d]
        if required:
            raise ValueError(f"missing topology fields: {', '.join(required)}")
        d = dict(d)
        # JSON has lists where the dataclass has tuples; anything else goes on as it is, for
        # the constructor to refuse with a message that names the field.
        for key in ("block_sizes", "input_gate_bias", "output_gate_bias"):
            if isinstance(d.get(key), list):
                d[key] = tuple(d[key])
        masks = d.get("source_masks")
        if masks is not None and not isinstance(masks, Mapping):
            raise TypeError(f"source_masks must be a mapping of group name to a list of booleans "
                            f"(or null), got {shown(masks)}")
        return cls(**d)


def shown(value):
    """:func:`lstm97._validation.shown`, which also survives a list nested too deeply to
    repr (its ``RecursionError`` would hide the argument's name)."""
    try:
        return _validation.shown(value)
    except RecursionError:
        return f"a {type(value).__name__} nested too deeply to print"


def _check_count(name, value, minimum):
    """An int in [minimum, MAX_WEIGHTS]: no count of a topology can exceed the weight bound."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {shown(value)}")
    value = check_int(name, value, minimum)
    if value > MAX_WEIGHTS:
        raise ValueError(f"{name} must be at most {MAX_WEIGHTS:,} (the bound on the size of a "
                         f"topology), got {shown(value)}")
    return value


def _check_real(name, value, *args, **kwargs):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {shown(value)}")
    return _validation.check_real(name, value, *args, **kwargs)


def _check_sequence(name, value, of):
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be a sequence of {of}, got {shown(value)}")


def _length(name, value):
    try:
        return len(value)
    except OverflowError:   # a Sequence whose length does not fit an index, e.g. range(10**20)
        raise ValueError(f"{name} is far too long: its length does not fit an index") from None


def _check_name(name, value, choices):
    """One of the string ``choices``; a non-string (an array, a list, None) is a TypeError."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, one of {', '.join(map(repr, choices))}, got {shown(value)}")
    return str(check_choice(name, value, choices))
