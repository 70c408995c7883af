"""Error flow, measured: the analysis of the paper's section 3 and appendix A.2, run on nets.

An error ϑ_u(t) = -∂E/∂net_u(t) at unit u's net input, sent back q steps, arrives at unit v
scaled by ∂ϑ_v(t-q)/∂ϑ_u(t) (for a net whose units all read the step before, ∂net_u(t)/
∂net_v(t-q)): for a standard recurrent net a sum of n^(q-1) products of f'(net) w terms
(the paper's eqs. 1-2), computed here exactly, as the product of the Jacobians of the
stored forward pass (:func:`scaling_factors`, :func:`error_flow`), next to the weak upper
bound n (f'_max ||W||_A)^q of section 3 (:func:`log10_weak_bound`).

For an LSTM (:class:`~lstm97.LSTM`) the same measurement follows the paths that the
truncated learner of eqs. 19-28 keeps: from an output unit to a cell's output, into its
state (the entry factor y^out h'(s)), along the constant error carousel (factor 1, eq. 30)
and out to the cell's or the input gate's net input q steps earlier (the exit factors of
eq. 41); and, beside them, the flow of the untruncated gradient, all paths included
(:class:`LSTMFlow`).  :func:`path_gradient` sums those paths over a sequence: with
the truncation it is the gradient the core computes (``LSTM.gradient``), so the learner sees
no other path; without, it is the full gradient.

Long lags make the factors smaller than any float (1e-300 is reached in a few hundred steps),
so every flow is kept as ``scaled * 10**log10_scale``: exact logarithms at any lag.

:func:`draw_figures` draws the four pictures of ``docs/errorflow.md`` (``lstm97 errorflow``).
"""

from __future__ import annotations

import csv
import dataclasses
import math
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ._validation import check_int, check_real, shown
from .models.lstm import LSTM
from .models.recurrent import RecurrentNet, RecurrentTopology

__all__ = ["FIGURE_WORK", "FPRIME_MAX", "ErrorFlow", "Figures", "LSTMFlow", "draw_figures", "error_flow",
           "log10_weak_bound", "net_inputs", "path_gradient", "peak_weight", "scaling_factors"]

#: The largest derivative of each activation of a standard net's units, f'(0).
FPRIME_MAX = {"logistic": 0.25, "tanh": 1.0}

# A flow is rescaled by its largest entry once that leaves [1e-100, 1e100].
_RESCALE = 100.0


# --------------------------------------------------------------------------- results

@dataclasses.dataclass(frozen=True, eq=False)
class ErrorFlow:
    """The scaling factors ∂ϑ_v(t-q)/∂ϑ_u(t) of errors sent back from step ``t``, q = 1..Q.

    Attributes
    ----------
    t : int
        The step where the errors start.
    q : ndarray of int, shape (Q,)
        The lags 1..Q.
    units : tuple of str
        The units v that the errors reach (the rows of every array), by name.
    targets : tuple of str
        The units u where they start (the columns): a net's output units by default.
    scaled, log10_scale : ndarray of shape (Q, n_units, n_targets) and (Q,)
        The factors are ``scaled[q-1] * 10**log10_scale[q-1]`` (see :attr:`factors`).
    log10_bound : ndarray of shape (Q,), or None
        log10 of the weak upper bound of section 3 (:func:`log10_weak_bound`), for a
        standard net; None for an LSTM, whose flow the bound does not describe.
    """

    t: int
    q: np.ndarray
    units: tuple
    targets: tuple
    scaled: np.ndarray
    log10_scale: np.ndarray
    log10_bound: np.ndarray | None = None

    @property
    def factors(self) -> np.ndarray:
        """``ndarray of shape (Q, n_units, n_targets)``: ∂ϑ_v(t-q)/∂ϑ_u(t) as floats (0 where
        that is below the smallest float; :attr:`log10_factors` is exact)."""
        with np.errstate(under="ignore", over="ignore"):
            return self.scaled * 10.0 ** self.log10_scale[:, None, None]

    @property
    def log10_factors(self) -> np.ndarray:
        """log10 |∂ϑ_v(t-q)/∂ϑ_u(t)|, ``(Q, n_units, n_targets)`` (-inf where it is 0)."""
        return _log10(self.scaled) + self.log10_scale[:, None, None]

    @property
    def global_flow(self) -> np.ndarray:
        """The global flow to each unit, Σ_u ∂ϑ_v(t-q)/∂ϑ_u(t) over the targets (the output
        units: the paper's sum over "u: u output unit"), ``(Q, n_units)``."""
        with np.errstate(under="ignore", over="ignore"):
            return self.scaled.sum(axis=2) * 10.0 ** self.log10_scale[:, None]

    @property
    def log10_global_flow(self) -> np.ndarray:
        """log10 |global flow|, ``(Q, n_units)``."""
        return _log10(self.scaled.sum(axis=2)) + self.log10_scale[:, None]

    @property
    def log10_largest(self) -> np.ndarray:
        """log10 of the largest |factor| over all units and targets at each lag, ``(Q,)``."""
        return _log10(np.abs(self.scaled).max(axis=(1, 2))) + self.log10_scale

    def decay_rate(self, q_min: int = 1) -> float:
        """The fitted decay: the least-squares slope of :attr:`log10_largest` against q, over
        the lags from ``q_min`` on, in decades per step (-0.5: a factor 10**-0.5 = 0.32 a
        step); NaN if fewer than two of those lags have a factor above 0."""
        q_min = check_int("q_min", q_min, 1)
        y = self.log10_largest[q_min - 1:]
        x = self.q[q_min - 1:][np.isfinite(y)]
        y = y[np.isfinite(y)]
        if len(x) < 2:
            return math.nan
        return float(np.polyfit(x.astype(float), y, 1)[0])

    def unit(self, name: str) -> int:
        """The row of unit ``name``."""
        return _index("name", name, self.units)


@dataclasses.dataclass(frozen=True, eq=False)
class LSTMFlow(ErrorFlow):
    """The error flow of an LSTM: the paths the truncated learner keeps, and all paths.

    The inherited arrays are the truncated flow (eqs. 19-28): from the output units
    (``targets``) at step t to the net inputs of the hidden units (``units``: conventional
    units, input gates, output gates, cells) at t-q.  Under the truncation only the cells
    and their input gates receive anything at q >= 1, each the eq. 41 product
    ``w_kc * entry * cec * exit``.

    Attributes
    ----------
    full : ErrorFlow
        The same factors with every path (the untruncated gradient, as BPTT would see it).
    cells : tuple of str
        The cells, in the order of the per-cell arrays below.
    entry : ndarray of shape (n_cells,)
        y^out(t) h'(s_c(t)): from the cell's output at t into its state (eq. 41).
    exit_cell, exit_input_gate : ndarray of shape (Q, n_cells)
        g'(net_c(t-q)) y^in(t-q) and g(net_c(t-q)) f'_in(net_in(t-q)): from the state at
        t-q out to the cell's net input and to its input gate's (eq. 41).
    cec, cec_full : ndarray of shape (Q, n_cells)
        ∂s_c(t)/∂s_c(t-q), the flow along the carousel, with the truncation (1: eq. 30)
        and with every path.
    """

    full: ErrorFlow | None = None
    cells: tuple = ()
    entry: np.ndarray | None = None
    exit_cell: np.ndarray | None = None
    exit_input_gate: np.ndarray | None = None
    cec: np.ndarray | None = None
    cec_full: np.ndarray | None = None

    @property
    def along_cec(self) -> dict[str, np.ndarray]:
        """The eq. 41 factors, entry x CEC x exit, from a cell's output at t to the net input
        of the cell (``"cell"``) and of its input gate (``"input_gate"``) at t-q, ``(Q, n_cells)``."""
        through = self.entry * self.cec
        return {"cell": through * self.exit_cell, "input_gate": through * self.exit_input_gate}


def _log10(a):
    with np.errstate(divide="ignore"):
        return np.log10(np.abs(a))


def _index(name, value, names):
    if not isinstance(value, str) or value not in names:
        raise ValueError(f"{name} must name a unit of the net, one of {', '.join(names)}; got {shown(value)}")
    return names.index(value)


# --------------------------------------------------------------------------- checks

def _length(inputs):
    """The number of steps of ``inputs`` (its values are checked by the net that runs it)."""
    shape = np.shape(inputs)
    if not shape:
        raise ValueError(f"inputs must be a sequence of shape (T, n_inputs) or (T,), got {shown(inputs)}")
    return shape[0]


def _check_step(t, q_max, T):
    """``(t, q_max)``: t a step of a sequence of T steps, 1 <= q_max <= t."""
    t = check_int("t", t)
    if not 0 <= t < T:
        raise ValueError(f"t must be a step of the sequence, 0 <= t < {T}, got {shown(t)}")
    q_max = check_int("q_max", q_max, 1)
    if q_max > t:
        raise ValueError(f"q_max must be at most t = {t} (an error cannot go back before step 0), "
                         f"got {shown(q_max)}")
    return t, q_max


def _matrix(name, value, shape=None):
    arr = np.asarray(value)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "fiu":
        raise TypeError(f"{name} must be a float array, got dtype {arr.dtype}")
    arr = np.array(arr, dtype=np.float64)
    if arr.ndim != 2 or (shape is not None and arr.shape != shape):
        want = "a 2-D array" if shape is None else f"shape {shape}"
        raise ValueError(f"{name} must have {want}, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def _targets(units, names, default):
    """Indices of the named ``units`` among ``names`` (the ``default`` indices if None)."""
    if units is None:
        return list(default)
    if isinstance(units, str) or not isinstance(units, Sequence) or not units:
        raise TypeError(f"units must be a non-empty sequence of unit names, got {shown(units)}")
    return [_index("units", u, names) for u in units]


# --------------------------------------------------------------------------- standard nets

def scaling_factors(derivatives, weights, t, q_max, same_step=None, units=None) -> ErrorFlow:
    """The scaling factors of a standard net from its derivatives and weights (eqs. 1-2).

    The net's units update as net(τ) = A y(τ) + B y(τ-1) + (input terms), y = f(net): B is
    ``weights`` and A ``same_step``, the connections read within a step (zero by default,
    every unit reading the step before).  Backpropagation through time sends an error
    vector ϑ back one step as ϑ(τ-1) = (I + F'(τ-1) A^T) F'(τ-1) B^T ϑ(τ), F' the diagonal
    of derivatives (the paper's eq. 1 when A = 0), and the factors are the products of
    these maps, from a unit error put at u at step t (and sent within step t through A).

    Parameters
    ----------
    derivatives : array_like of shape (T, n)
        f'_v(net_v(τ)) of every unit at every step (1 for a linear unit).
    weights : array_like of shape (n, n)
        ``weights[u, v]``: the weight into unit u from unit v's activation of the step before.
    t : int
        The step the errors start from, ``0 <= t < T``.
    q_max : int
        The longest lag, ``1 <= q_max <= t``.
    same_step : array_like of shape (n, n), optional
        Weights from units of the same step (a net's stage-1 units reading its stage-0
        units); the units that read within a step must not be read within a step.
    units : sequence of str, optional
        Names of the n units (``"0"``, ``"1"``, ... by default).

    Returns
    -------
    ErrorFlow
        Every unit both as target u and as unit v; no bound.
    """
    d = _matrix("derivatives", derivatives)
    T, n = d.shape
    B = _matrix("weights", weights, (n, n))
    A = None if same_step is None else _matrix("same_step", same_step, (n, n))
    if A is not None:
        readers, read = (A != 0).any(axis=1), (A != 0).any(axis=0)
        if (readers & read).any():
            raise ValueError("same_step must not connect a unit that reads within a step to one that "
                             f"does: unit {int(np.flatnonzero(readers & read)[0])} both reads and is read")
    t, q_max = _check_step(t, q_max, T)
    names = tuple(str(u) for u in range(n)) if units is None else tuple(units)
    if len(names) != n:
        raise ValueError(f"units must name the {n} units, got {len(names)} names")
    return _flow(d, B, A, t, q_max, np.arange(n), names)


def _flow(d, B, A, t, q_max, start, names, log10_bound=None):
    """The factors from the targets ``start`` (indices): rows P_q, P_q[u, v] the error at
    v's net input at t - q per unit of error put at u's at t, carried back one step at a
    time (P_q = P_{q-1} B F'(t-q) (I + A F'(t-q)): back through the weights from the step
    before, then within step t - q from the units that read v there), rescaled when they
    leave [1e-100, 1e100]."""
    n = d.shape[1]
    P = np.eye(n)[start]
    if A is not None:
        P = P + (P @ A) * d[t]                            # within step t
    scaled = np.empty((q_max, n, len(start)))
    log10_scale = np.empty(q_max)
    scale = 0.0
    for q in range(1, q_max + 1):
        P = (P @ B) * d[t - q]
        if A is not None:
            P = P + (P @ A) * d[t - q]
        largest = np.abs(P).max()
        if largest > 0 and abs(math.log10(largest)) > _RESCALE:
            P = P / largest
            scale += math.log10(largest)
        scaled[q - 1] = P.T
        log10_scale[q - 1] = scale
    return ErrorFlow(t, np.arange(1, q_max + 1), names, tuple(names[i] for i in start), scaled, log10_scale,
                     log10_bound)


def _split(topology: RecurrentTopology, weights):
    """``(Wx, A, B)`` of a standard net: the weights from the inputs and the bias, from
    units of the same step (stage 1 reading stage 0) and from units of the step before."""
    n_in = topology.n_inputs
    units = weights[:, n_in + 1:]
    stage = np.array(topology.stages)
    same = (stage[:, None] == 1) & (stage[None, :] == 0)
    return weights[:, :n_in + 1], np.where(same, units, 0.0), np.where(same, 0.0, units)


def _derivative(kind, net):
    """f'(net) of a logistic or tanh unit, accurate far into the tails (where y(1-y) or
    1-y^2 from a rounded y would be 0)."""
    if kind == "logistic":
        e = np.exp(-np.abs(net))
        return e / (1.0 + e) ** 2
    e = np.exp(-2.0 * np.abs(net))
    return 4.0 * e / (1.0 + e) ** 2


def net_inputs(net: RecurrentNet, inputs) -> tuple[np.ndarray, np.ndarray]:
    """``(activations, net inputs)`` of a standard net over one sequence, both ``(T, n_units)``:
    the activations of the compiled kernel (:meth:`RecurrentNet.activations`), and the net
    inputs they came from, the weights applied to the sources each unit read."""
    y = net.activations(inputs)
    x = np.asarray(inputs, dtype=np.float64)
    Wx, A, B = _split(net.topology, net.get_weights())
    before = np.vstack([np.zeros(y.shape[1]), y[:-1]])
    return y, x @ Wx[:, :-1].T + Wx[:, -1] + y @ A.T + before @ B.T


def log10_weak_bound(net: RecurrentNet, q_max) -> np.ndarray:
    """log10 of the weak upper bound of section 3 on every |∂ϑ_v(t-q)/∂ϑ_u(t)|, q = 1..q_max.

    n (f'_max ||W||_A)^q, with n units, f'_max the largest derivative of their activations
    (:data:`FPRIME_MAX`) and ||W||_A the largest sum of absolute weights into a unit from the
    units (the norm compatible with the max norm).  For a net whose stage-1 units read
    stage-0 units of the same step (weights A, the others B; see :func:`scaling_factors`),
    each step back has a norm of at most f'_max ||B||_A (1 + f'_max ||A||_A), and step t
    one more (1 + f'_max ||A||_A): the bound is n (1 + f'_max ||A||_A)^(q+1) (f'_max
    ||B||_A)^q, the paper's when every unit is in stage 0 (A = 0).

    Returns
    -------
    ndarray of shape (q_max,)
    """
    if not isinstance(net, RecurrentNet):
        raise TypeError(f"net must be a RecurrentNet, got {type(net).__name__}")
    q_max = check_int("q_max", q_max, 1)
    top = net.topology
    fmax = max(FPRIME_MAX[a] for a in top.activations)
    _, A, B = _split(top, net.get_weights())
    norm_a, norm_b = (np.abs(M).sum(axis=1).max() for M in (A, B))   # ||.||_A: the largest row sum
    within = math.log10(1.0 + fmax * norm_a)
    q = np.arange(1, q_max + 1)
    with np.errstate(divide="ignore"):
        return math.log10(top.n_units) + (q + 1) * within + q * np.log10(fmax * norm_b)


def error_flow(net, inputs, t, q_max, units=None) -> ErrorFlow:
    """The scaling factors ∂ϑ_v(t-q)/∂ϑ_u(t), q = 1..q_max, of ``net`` on one sequence.

    ∂ϑ_v(t-q)/∂ϑ_u(t) is the error that reaches unit v's net input at step t-q for a unit of
    error put at unit u's net input at step t.  The forward pass runs in the compiled code
    (the standard net's kernel, the LSTM's core); the factors are its Jacobians multiplied
    back from step ``t``, exactly.

    Parameters
    ----------
    net : RecurrentNet or LSTM
    inputs : ndarray of shape (T, n_inputs), or of int, shape (T,) for an LSTM's symbols
        The sequence.
    t : int
        The step the errors start from, ``0 <= t < T``.
    q_max : int
        The longest lag, ``1 <= q_max <= t``.
    units : sequence of str, optional
        The units u the errors start at: the net's output units by default.  A standard
        net's units are ``"y0"``, ``"y1"``, ...; an LSTM's are its output units ``"k0"``,
        ``"k1"``, ... (see :attr:`LSTM.unit_names`).

    Returns
    -------
    ErrorFlow
        For a standard net, with the weak bound (:func:`log10_weak_bound`).
    LSTMFlow
        For an LSTM.

    Raises
    ------
    TypeError
        If ``net`` is neither, or an argument has the wrong type.
    ValueError
        If ``q_max < 1``, ``t`` is not a step of the sequence, ``q_max > t``, or ``units``
        names a unit the net does not have.
    """
    if isinstance(net, LSTM):
        return _lstm_flow(net, inputs, t, q_max, units)
    if not isinstance(net, RecurrentNet):
        raise TypeError(f"net must be a RecurrentNet or an LSTM, got {type(net).__name__}")
    top = net.topology
    names = tuple(f"y{u}" for u in range(top.n_units))
    q_max = check_int("q_max", q_max, 1)
    start = _targets(units, names, top.outputs)
    t, q_max = _check_step(t, q_max, _length(inputs))
    _, nets = net_inputs(net, inputs)
    d = np.column_stack([_derivative(a, nets[:, u]) for u, a in enumerate(top.activations)])
    _, A, B = _split(top, net.get_weights())
    return _flow(d, B, A if A.any() else None, t, q_max, start, names, log10_weak_bound(net, q_max))


def peak_weight(y) -> tuple[float, float]:
    """Where a logistic unit passes the most error back: ``(w, |f'(w y) w|)`` at its largest.

    For a unit whose net input is w y (one source of activation y, the weight w), |f'(net) w|
    is largest where w = coth(net/2) / y (section 3.1): net = w y solves net = coth(net/2),
    net = 1.54340..., so w = 1.54340 / y and the largest factor is 0.22387... / |y|, above 1
    for a source with |y| < 0.224 (and then only for |w| > 4.0).

    Parameters
    ----------
    y : float
        The source's activation, non-zero.

    Returns
    -------
    w : float
        The weight of the largest factor (its sign is y's; -w gives the same factor).
    factor : float
        |f'(w y) w| there.
    """
    y = check_real("y", y)
    if y == 0.0:
        raise ValueError("y must be non-zero (with y = 0 the net input does not depend on w)")
    net = 2.4                                             # Newton on net - coth(net/2) = 0
    for _ in range(50):
        c = 1.0 / math.tanh(net / 2.0)
        step = (net - c) / (1.0 + 0.5 * (c * c - 1.0))
        net -= step
        if abs(step) < 1e-15:
            break
    w = net / y
    return w, float(_derivative("logistic", net) * abs(w))


# --------------------------------------------------------------------------- LSTM

@dataclasses.dataclass(frozen=True)
class _Pass:
    """One LSTM forward pass, read for the backward one: per step (rows), the quantities of
    eqs. 19-28 and 41, from the core's activations and cell states (:meth:`LSTM.trace`)."""

    sources: np.ndarray     # (T, n_sources): [x(t), 1, y(t-1)], what the hidden units read
    out_sources: np.ndarray  # (T, n_sources): [x(t), 1, y(t)], what the output units read
    outputs: np.ndarray     # (T, K)
    W: np.ndarray           # (n_units, n_sources): into the hidden units, absent connections 0
    W_out: np.ndarray       # (K, n_sources)
    masks: np.ndarray       # (n_units, n_sources)
    out_mask: np.ndarray    # (K, n_sources)
    hid: slice              # the hidden columns of the sources
    fprime: np.ndarray      # (T, n_units): f'(net) of the conventional units and gates (0 for cells)
    fprime_in: np.ndarray   # (T, n_cells): f'_in(net_in) of each cell's input gate
    g: np.ndarray           # (T, n_cells) g(net_c)
    g_prime: np.ndarray     # (T, n_cells) g'(net_c)
    h: np.ndarray           # (T, n_cells) h(s_c)
    h_prime: np.ndarray     # (T, n_cells) h'(s_c)
    y_in: np.ndarray        # (T, n_cells): the input gate of each cell's block
    y_out: np.ndarray       # (T, n_cells): the output gate (1 without output gates)
    rows: dict              # group -> slice of the hidden units
    block: np.ndarray       # (n_blocks, n_cells): cell v is in block j
    cells: tuple


def _squash(kind, half, z):
    """``(value, derivative)`` of the cell squashing h or g (A.1 eqs. 3-5, with the
    topology's ranges): ``half (2 f(z) - 1)``, ``f(z)`` or the identity."""
    if kind == "identity":
        return z, np.ones_like(z)
    with np.errstate(over="ignore"):                      # exp(800) is inf, and f(-800) 0, as it should be
        f = 1.0 / (1.0 + np.exp(-z))
    f_prime = _derivative("logistic", z)
    if kind == "logistic":
        return f, f_prime
    return half * (2.0 * f - 1.0), 2.0 * half * f_prime


def _lstm_pass(net: LSTM, inputs) -> _Pass:
    top = net.topology
    trace = net.trace(inputs)                             # validates the inputs
    arr = np.asarray(inputs)
    T = len(arr)
    weights, masks = net.get_weights(), net.masks
    hidden_groups = ("hidden", "input_gate", "output_gate", "cell")
    W = np.vstack([weights[g] for g in hidden_groups])
    hid = top.source_columns("bias").stop
    y = trace["activations"]
    x = np.zeros((T, top.n_inputs))
    if arr.dtype.kind in "iu":
        x[np.arange(T), arr] = 1.0
    else:
        x[...] = arr
    sources = np.hstack([x, np.ones((T, 1)), np.vstack([np.zeros(top.n_units), y[:-1]])])
    out_sources = np.hstack([x, np.ones((T, 1)), y])
    nets = sources @ W.T
    sizes = [top.group_size(g) for g in hidden_groups]
    bounds = np.cumsum([0, *sizes])
    rows = {g: slice(int(a), int(b)) for g, a, b in zip(hidden_groups, bounds[:-1], bounds[1:])}
    fprime = np.zeros_like(nets)
    for g in ("hidden", "input_gate", "output_gate"):
        fprime[:, rows[g]] = _derivative("logistic", nets[:, rows[g]])
    cell_block = np.repeat(np.arange(top.n_blocks), top.block_sizes)
    g_val, g_prime = _squash(top.g, top.g_range, nets[:, rows["cell"]])
    h_val, h_prime = _squash(top.h, top.h_range, trace["cell_state"])
    y_in = y[:, rows["input_gate"]][:, cell_block]
    y_out = y[:, rows["output_gate"]][:, cell_block] if top.output_gates else np.ones((T, top.n_cells))
    block = (np.arange(top.n_blocks)[:, None] == cell_block[None, :]).astype(float)
    return _Pass(sources, out_sources, trace["outputs"], W, weights["output"],
                 np.vstack([masks[g] for g in hidden_groups]), masks["output"], slice(hid, None),
                 fprime, fprime[:, rows["input_gate"]][:, cell_block], g_val, g_prime, h_val, h_prime,
                 y_in, y_out, rows, block, top.unit_names["cell"])


def _back_step(p: _Pass, tau, ybar, sbar):
    """One step back through step ``tau``: from the errors at the hidden activations y(tau)
    (``ybar``, (n_units, m)) and at the cell states carried from tau + 1 (``sbar``), the
    errors at every hidden unit's net input at tau and at the states s(tau)."""
    r = p.rows
    netbar = np.zeros_like(ybar)
    yc = ybar[r["cell"]]
    sbar = sbar + yc * (p.y_out[tau] * p.h_prime[tau])[:, None]        # y^c = y^out h(s)
    yin = ybar[r["input_gate"]] + p.block @ (sbar * p.g[tau][:, None])  # s += y^in g(net_c)
    netbar[r["hidden"]] = ybar[r["hidden"]] * p.fprime[tau, r["hidden"], None]
    netbar[r["input_gate"]] = yin * p.fprime[tau, r["input_gate"], None]
    if r["output_gate"].stop > r["output_gate"].start:
        yout = ybar[r["output_gate"]] + p.block @ (yc * p.h[tau][:, None])
        netbar[r["output_gate"]] = yout * p.fprime[tau, r["output_gate"], None]
    netbar[r["cell"]] = sbar * (p.y_in[tau] * p.g_prime[tau])[:, None]
    return netbar, sbar


def _lstm_back(p: _Pass, t, q_max, ybar, sbar, truncated, inject=None):
    """Carry errors placed at step t (at the hidden activations, ``ybar``, and the states,
    ``sbar``) back to t - q_max: the net-input errors and the state errors at each step,
    ``(netbar (q_max + 1, n_units, m), sbar (q_max + 1, n_cells, m), log10_scale (q_max + 1,))``,
    row q for step t - q.  ``truncated``: the errors at the net inputs go no further back
    (eqs. 19-28: only the carousel carries error in time).  ``inject`` (T, n_units, m), if
    given, adds errors at the hidden activations of every step on the way (the output
    errors of a whole sequence); the errors are then never rescaled."""
    W_rec = p.W[:, p.hid]
    nb = np.empty((q_max + 1, *ybar.shape))
    sb = np.empty((q_max + 1, *sbar.shape))
    scales = np.empty(q_max + 1)
    scale = 0.0
    for q in range(q_max + 1):
        if inject is not None:
            ybar = ybar + inject[t - q]
        netbar, sbar = _back_step(p, t - q, ybar, sbar)
        nb[q], sb[q], scales[q] = netbar, sbar, scale
        ybar = np.zeros_like(ybar) if truncated else W_rec.T @ netbar
        largest = max(np.abs(ybar).max(), np.abs(sbar).max())
        if inject is None and largest > 0 and abs(math.log10(largest)) > _RESCALE:
            ybar, sbar, scale = ybar / largest, sbar / largest, scale + math.log10(largest)
    return nb, sb, scales


def _lstm_flow(net, inputs, t, q_max, units):
    top = net.topology
    outputs = top.unit_names["output"]
    q_max = check_int("q_max", q_max, 1)
    start = _targets(units, outputs, range(top.n_outputs))
    t, q_max = _check_step(t, q_max, _length(inputs))
    p = _lstm_pass(net, inputs)
    names = tuple(n for g in ("hidden", "input_gate", "output_gate", "cell") for n in top.unit_names[g])
    C, m = top.n_cells, len(start)
    ybar = p.W_out[start][:, p.hid].T                     # an error at output k reaches y(t) through w_k.
    flows, cec = {}, {}
    for truncated in (True, False):
        nb, _, scales = _lstm_back(p, t, q_max, ybar, np.zeros((C, m)), truncated)
        flows[truncated] = ErrorFlow(t, np.arange(1, q_max + 1), names, tuple(outputs[i] for i in start),
                                     nb[1:], scales[1:])
        _, sb, scales = _lstm_back(p, t, q_max, np.zeros((top.n_units, C)), np.eye(C), truncated)
        with np.errstate(under="ignore", over="ignore"):
            cec[truncated] = np.diagonal(sb[1:], axis1=1, axis2=2) * 10.0 ** scales[1:, None]
    tr = flows[True]
    steps = t - tr.q
    return LSTMFlow(t, tr.q, names, tr.targets, tr.scaled, tr.log10_scale, None,
                    full=flows[False], cells=p.cells, entry=p.y_out[t] * p.h_prime[t],
                    exit_cell=p.g_prime[steps] * p.y_in[steps],
                    exit_input_gate=p.g[steps] * p.fprime_in[steps],
                    cec=cec[True], cec_full=cec[False])


def path_gradient(net: LSTM, inputs, targets, target_mask=None, truncated=True):
    """The gradient dE/dw of one sequence as the sum of its error paths.

    Each output error e_k(t) = f'_k (t_k - y_k) (eq. 19) is carried back along the paths
    :func:`error_flow` follows, and every path ending at a unit's net input at some step adds
    its error times the sources that unit read then.  ``truncated=True`` keeps the paths
    of eqs. 19-28 (into the cells, along the carousel, out at eq. 41's exits): that sum is
    the gradient of ``LSTM.gradient``, the core's, so the truncated learner sees no other
    path.  ``truncated=False`` keeps every path: the full gradient of E, as BPTT computes it.

    Parameters
    ----------
    net : LSTM
    inputs, targets, target_mask
        One sequence, as :meth:`LSTM.gradient` takes it.
    truncated : bool, default True

    Returns
    -------
    gradient : dict of str to ndarray of shape (units, n_sources)
        Per group, as :meth:`LSTM.gradient` returns it.
    error : float
        E = 1/2 Σ (t_k - y_k)^2 over the steps with a target.
    """
    if not isinstance(net, LSTM):
        raise TypeError(f"net must be an LSTM, got {type(net).__name__}")
    if not isinstance(truncated, (bool, np.bool_)):
        raise TypeError(f"truncated must be True or False, got {shown(truncated)}")
    p = _lstm_pass(net, inputs)                           # checks the inputs
    T = len(p.outputs)
    d, mask = net._targets(targets, target_mask, T)
    top = net.topology
    mask = mask.astype(bool)
    diff = np.where(mask[:, None], d - p.outputs, 0.0)
    e = p.outputs * (1.0 - p.outputs) * diff              # eq. 19, (T, K)
    inject = (e @ p.W_out[:, p.hid])[:, :, None]          # each step's output errors at y(t)
    netbar, _, _ = _lstm_back(p, T - 1, T - 1, np.zeros((top.n_units, 1)), np.zeros((top.n_cells, 1)),
                              truncated, inject)
    hidden = -(netbar[::-1, :, 0].T @ p.sources) * p.masks
    grad = {g: hidden[p.rows[g]] for g in p.rows}
    grad["output"] = -(e.T @ p.out_sources) * p.out_mask
    return grad, float(0.5 * (diff ** 2).sum())


# --------------------------------------------------------------------------- the figures

# (a): random fully recurrent logistic nets of _A_UNITS units, each weight uniform in
# [-w, w], w a multiple of the paper's 4.0/n; _A_NETS nets at each multiple.
_A_UNITS, _A_LAG, _A_NETS = 10, 60, 10
_A_SHOWN = (0.5, 1.0, 2.0, 4.0)
_A_MULTIPLES = (0.1, 0.2, 0.35, 0.5, 0.7, 1.0, 1.4, 2.0, 3.0, 4.0, 6.0, 10.0, 16.0, 30.0)
# (b): the sources' activations y.
_B_ACTIVATIONS = (1.0, 0.5, 0.25, 0.1, 0.05)
# (c): Table 10's 2c nets at the paper's lags, and a standard net of as many weights.
_C_ROWS = (("2c-2", 100), ("2c-5", 1000))
_C_UNITS = 6
_C_DETAILS = (("CEC, every path: ∂s(t)/∂s(t-q) untruncated", "cec_full", ":"),
              ("exit to the cell's net input, g'(net_c) y^in (eq. 41)", "exit_cell", "--"),
              ("exit to its input gate's, g(net_c) f'_in (eq. 41)", "exit_input_gate", "-."))
# (d): the latch net, its test sequences, and the self-weights of the sweep.
_D_SHOWN, _D_TEST = 10, 100
_D_SELF_WEIGHTS = tuple(float(w) for w in np.geomspace(0.5, 100.0, 16))

#: Units of work of :func:`draw_figures` (a progress bar's total).
FIGURE_WORK = len(_A_MULTIPLES) * _A_NETS + 1 + 3 * len(_C_ROWS) + 2 + len(_D_SELF_WEIGHTS)


@dataclasses.dataclass(frozen=True)
class Figures:
    """What :func:`draw_figures` wrote.

    Attributes
    ----------
    paths : tuple of Path
        ``errorflow-a.png`` .. ``errorflow-d.png``.
    csv : Path
        ``errorflow.csv``: the plotted numbers, one per row (figure, series, x, y); of the
        latch net's trajectories and flows, the first ones.
    summary : tuple of str
        The measured figures in words: fitted decay rates, the gradient check, the latch net.
    """

    paths: tuple
    csv: Path
    summary: tuple


class _Data:
    """The rows of the CSV, and the summary lines, as the figures are drawn."""

    def __init__(self):
        self.rows, self.lines = [], []

    def add(self, figure, series, x, y):
        self.rows.extend((figure, series, float(a), float(b)) for a, b in zip(np.ravel(x), np.ravel(y)))

    def say(self, line):
        self.lines.append(line)


def _full_net(n_inputs, n_units, outputs):
    """A standard net of logistic units in one stage: every unit reads every input and every
    unit (no bias)."""
    mask = np.ones((n_units, n_inputs + 1 + n_units), dtype=bool)
    mask[:, n_inputs] = False
    return RecurrentTopology(n_inputs, mask, outputs, "logistic", name=f"{n_units} fully recurrent logistic units")


def _random(topology, w, rng):
    weights = np.zeros(topology.mask.shape)
    weights[topology.mask] = rng.uniform(-w, w, int(topology.mask.sum()))
    return RecurrentNet(topology, weights)


def _rate_text(rate):
    if abs(rate) < 5e-4:
        return "0.000 decades a step (x1: no decay)"
    return f"{rate:+.3f} decades a step (x{10.0 ** rate:.3g})"


def _figure_a(plt, rng, data, work, path):
    n = _A_UNITS
    top = _full_net(1, n, (0,))
    names = [f"y{u}" for u in range(n)]
    measured, bounds, rates, bound_rates, beyond, total = {}, {}, {}, {}, 0, 0
    for c in _A_MULTIPLES:
        runs = []
        for _ in range(_A_NETS):
            net = _random(top, c * 4.0 / n, rng)
            flow = error_flow(net, rng.normal(size=(_A_LAG + 1, 1)), _A_LAG, _A_LAG, units=names)
            beyond += int((flow.log10_factors > flow.log10_bound[:, None, None] + 1e-9).sum())
            total += flow.scaled.size
            runs.append((flow.log10_largest, flow.log10_bound, flow.decay_rate()))
            work(1)
        measured[c] = np.array([r[0] for r in runs])
        bounds[c] = np.median([r[1] for r in runs], axis=0)
        rates[c] = np.array([r[2] for r in runs])
        bound_rates[c] = float(np.median([r[1][1] - r[1][0] for r in runs]))
    q = np.arange(1, _A_LAG + 1)
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.6), dpi=100, gridspec_kw={"width_ratios": [3, 2]})
    fig.suptitle(f"(a) Error flow in random fully recurrent nets: {n} logistic units, each weight uniform "
                 f"in [-w, w], {_A_NETS} nets per w", fontsize=11)
    for i, c in enumerate(_A_SHOWN):
        w, color = c * 4.0 / n, f"C{i}"
        median = np.median(measured[c], axis=0)
        rate = float(np.median(rates[c]))
        left.fill_between(q, measured[c].min(axis=0), measured[c].max(axis=0), color=color, alpha=0.15, lw=0)
        left.plot(q, median, color=color, lw=1.8,
                  label=f"w = {w:.2g} ({c:g} x 4.0/n): measured, fitted {rate:+.2f} decades/step")
        left.plot(q, bounds[c], color=color, lw=1.2, ls="--",
                  label=f"w = {w:.2g}: weak bound, {bound_rates[c]:+.2f} decades/step")
        data.add("a", f"w={w:.4g}: log10 largest factor, median", q, median)
        data.add("a", f"w={w:.4g}: log10 weak bound, median", q, bounds[c])
    left.axhline(0.0, color="0.3", lw=0.8)
    left.set_xlabel("lag q (steps back from t)")
    left.set_ylabel("log10 of the largest |∂ϑ_v(t-q) / ∂ϑ_u(t)| over all u, v")
    left.set_title("solid: measured (median of the nets; band: smallest to largest); "
                   "dashed: n (f'_max ||W||_A)^q", fontsize=9, color="0.25")
    left.legend(fontsize=7.5, loc="lower left", ncol=1)
    left.set_xlim(0, _A_LAG)
    left.grid(alpha=0.3)
    cs = np.array(_A_MULTIPLES)
    med = np.array([np.median(rates[c]) for c in cs])
    right.errorbar(cs, med, yerr=[med - [rates[c].min() for c in cs], [rates[c].max() for c in cs] - med],
                   fmt="o-", color="C0", ms=4, capsize=2, label="measured (median; bars: smallest to largest)")
    right.plot(cs, [bound_rates[c] for c in cs], "s--", color="C3", ms=4, label="weak bound: log10(f'_max ||W||_A)")
    right.axhline(0.0, color="0.3", lw=0.8)
    right.axvline(1.0, color="0.5", ls=":", lw=1.2)
    right.text(1.05, 0.03, "w = 4.0/n", transform=right.get_xaxis_transform(), fontsize=8, color="0.35")
    right.set_xscale("log")
    right.set_xticks([0.1, 0.3, 1, 3, 10, 30], ["0.1", "0.3", "1", "3", "10", "30"])
    right.set_xlabel("weight range w, in units of 4.0/n")
    right.set_ylabel("fitted decay, decades per step (0: constant flow)")
    right.set_title("decay rate against weight range", fontsize=9, color="0.25")
    right.legend(fontsize=7.5, loc="upper left")
    right.grid(alpha=0.3)
    data.add("a", "decay rate against w / (4.0/n): measured, median", cs, med)
    data.add("a", "decay rate against w / (4.0/n): weak bound, median", cs, [bound_rates[c] for c in cs])
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    for c in _A_SHOWN:
        data.say(f"(a) w = {c * 4.0 / n:.3g} ({c:g} x 4.0/n): measured {_rate_text(float(np.median(rates[c])))}; "
                 f"weak bound {_rate_text(bound_rates[c])}")
    slowest = max(_A_MULTIPLES, key=lambda c: np.median(rates[c]))
    data.say(f"(a) slowest decay over w = 0.1 .. 30 x 4.0/n: {_rate_text(float(np.median(rates[slowest])))} "
             f"at {slowest:g} x 4.0/n; {beyond} of {total:,} measured factors exceed the weak bound")


def _figure_b(plt, data, work, path):
    w = np.geomspace(0.1, 1000.0, 400)
    fig, ax = plt.subplots(figsize=(10, 5.6), dpi=100)
    for i, y in enumerate(_B_ACTIVATIONS):
        factor = _derivative("logistic", w * y) * w
        peak_w, peak = peak_weight(y)
        ax.plot(w, factor, color=f"C{i}", lw=1.6, label=f"y = {y:g}: largest {peak:.3f} at w = {peak_w:.3g}")
        ax.plot([peak_w], [peak], "o", color=f"C{i}", ms=6)
        data.add("b", f"y={y:g}: |f'(w y) w|", w, factor)
        data.add("b", f"y={y:g}: peak", [peak_w], [peak])
    ax.plot(w, 0.25 * w, color="0.45", ls=":", lw=1.2, label="f'_max |w| = |w| / 4: no y does better")
    ax.axhline(1.0, color="k", ls="--", lw=1.1, label="|f'(net) w| = 1: above, the error grows")
    ax.axvspan(w[0], 4.0, color="0.5", alpha=0.12, lw=0, label="|w| < 4.0: |f' w| < 1 whatever y (f' <= 0.25)")
    ax.set_xscale("log")
    ax.set_xlim(w[0], w[-1])
    ax.set_ylim(0, 5.0)
    ax.set_xticks([0.1, 1, 4, 10, 100, 1000], ["0.1", "1", "4", "10", "100", "1000"])
    ax.set_xlabel("weight w (the factor is the same for -w)")
    ax.set_ylabel("|f'(net) w|, net = w y")
    net_peak, peak = peak_weight(1.0)                     # for y = 1: net and |f' w| at the peak
    ax.set_title("(b) The one-step scaling factor of a logistic unit with one source of activation y;\n"
                 f"dots: the largest, where w = coth(net/2) / y, i.e. where net = w y = {net_peak:.4f}", fontsize=10.5)
    ax.legend(fontsize=8, loc="upper right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    work(1)
    data.say(f"(b) largest |f'(net) w| = {peak:.4f} / y at w = {net_peak:.4f} / y: "
             f"above 1 only for sources with y < {peak:.4f}")


def _figure_c(plt, rng, data, work, path):
    from .tasks import VeryLongTimeLag

    fig, axes = plt.subplots(2, 2, figsize=(13, 9.2), dpi=100)
    fig.suptitle("(c) An LSTM of Table 10 (Exp 2c, as initialised) against a standard net of as many weights, "
                 "errors sent back from the target step", fontsize=11)
    for col, (row, p) in enumerate(_C_ROWS):
        lstm = LSTM(_table10(row), rng=rng)
        seq = VeryLongTimeLag(p=p, q=p).sample(rng)
        T = len(seq.inputs)
        t = T - 1
        flow = error_flow(lstm, seq.inputs, t, t)
        work(1)
        top = _full_net(p + 4, _C_UNITS, tuple(range(_C_UNITS - 2, _C_UNITS)))
        standard = _random(top, lstm.topology.init_range, rng)
        dense = np.zeros((T, p + 4))
        dense[np.arange(T), seq.inputs] = 1.0
        sflow = error_flow(standard, dense, t, t)
        work(1)
        core, _ = lstm.gradient(*seq)
        paths, _ = path_gradient(lstm, *seq)
        scale = max(np.abs(g).max(initial=0.0) for g in core.values())
        gap = max(np.abs(core[g] - paths[g]).max(initial=0.0) for g in core) / scale
        work(1)
        q = flow.q
        relevant = t - int(seq.relevant_steps[0])
        up = axes[0, col]
        level = float(np.median(flow.log10_largest))
        lines = [("lstm truncated: log10 largest factor", f"LSTM, truncated (what its learner sees): about 10^{level:.1f} at every q",
                  flow.log10_largest, "C0", "-"),
                 ("lstm every path: log10 largest factor", "LSTM, every path (the untruncated gradient)", flow.full.log10_largest,
                  "C1", ":"),
                 ("standard net: log10 largest factor", f"standard net: fitted {sflow.decay_rate():+.2f} decades/step",
                  sflow.log10_largest, "C3", "-"),
                 ("standard net: log10 weak bound", "standard net: weak bound", sflow.log10_bound, "C3", "--")]
        for series, label, values, color, ls in lines:
            up.plot(q, values, color=color, ls=ls, lw=1.6, label=label)
            data.add("c", f"{row} {series}", q, values)
        up.axvline(relevant, color="0.4", ls=":", lw=1)
        up.text(relevant, 0.98, "x/y, the relevant input ", transform=up.get_xaxis_transform(), ha="right",
                va="top", fontsize=7.5, color="0.35")
        up.set_title(f"{row}: p = q = {p}, T = {T}; LSTM: {lstm.n_weights} weights; standard net: "
                     f"{_C_UNITS} units, {standard.n_weights} weights", fontsize=9)
        up.set_xlabel("lag q")
        up.set_ylabel("log10 |∂ϑ_v(t-q) / ∂ϑ_k(t)|, largest over v, k")
        up.legend(fontsize=7.5, loc="lower left")
        up.grid(alpha=0.3)
        down = axes[1, col]
        exact = bool((flow.cec == 1.0).all())
        down.plot(q, _log10(flow.cec[:, 0]), color="k", lw=2.2)
        for j, cell in enumerate(flow.cells):
            for _, field, ls in _C_DETAILS:
                values = _log10(getattr(flow, field)[:, j])
                down.plot(q, values, color=f"C{2 * j}", ls=ls, lw=1.3)
                data.add("c", f"{row} {cell}: log10 {field}", q, values)
        data.add("c", f"{row} every cell: log10 cec", q, _log10(flow.cec[:, 0]))
        down.axvline(relevant, color="0.4", ls=":", lw=1)
        entries = ", ".join(f"{c} {e:.2g}" for c, e in zip(flow.cells, flow.entry))
        down.set_title(f"eq. 41 on the way, at t - q (entry factors y^out h'(s) at t: {entries})", fontsize=9)
        down.set_xlabel("lag q")
        down.set_ylabel("log10 of the factor")
        down.grid(alpha=0.3)
        cec = "exactly 1 at every q" if exact else f"{flow.cec.min():.17g} to {flow.cec.max():.17g}"
        data.say(f"(c) {row} (lag {relevant}): LSTM truncated flow {_rate_text(flow.decay_rate())}, every path "
                 f"{_rate_text(flow.full.decay_rate())}; CEC factor (truncated) {cec}, every path "
                 f"{flow.cec_full[-1].round(3).tolist()} at q = {q[-1]}; entry factors {entries}")
        bound_rate = float(sflow.log10_bound[1] - sflow.log10_bound[0])
        data.say(f"(c) {row}: standard net ({standard.n_weights} weights, |w| <= {lstm.topology.init_range:g}) "
                 f"{_rate_text(sflow.decay_rate())}, weak bound {_rate_text(bound_rate)}; "
                 f"the core's truncated gradient and the sum of the surviving paths differ by "
                 f"{'less than 1e-14' if gap < 1e-14 else f'{gap:.1e}'} (relative)")
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], color="k", lw=2.2, label="CEC, truncated: ∂s(t)/∂s(t-q) "
                      + ("= 1 exactly, every cell, every q" if exact else "(see the CSV)"))]
    handles += [Line2D([], [], color="0.3", ls=ls, lw=1.3, label=label) for label, _, ls in _C_DETAILS]
    handles += [Line2D([], [], color=f"C{2 * j}", lw=4, label=f"cell {cell}") for j, cell in enumerate(flow.cells)]
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=8.5, frameon=False)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    fig.savefig(path)
    plt.close(fig)


def _table10(row):
    from .models.table10 import table10
    return table10(row)


def _latch_net(seed):
    """The latch net, found by random weight guessing (the study's search, ``guess-latch-II``)."""
    from .experiments import GuessingTrial, get_experiment

    trial = GuessingTrial(get_experiment("guess-latch-II"), 0, seed=seed)
    for _ in trial:
        pass
    if trial.found is None:
        raise RuntimeError(f"random weight guessing found no latch net in {trial.n:,} guesses (seed {seed})")
    trial.net.set_weights(trial.found)
    return trial.net, trial.n, trial.task


def _figure_d(plt, seed, rng, data, work, path):
    from .experiments.guessing import training_set

    net, guesses, task = _latch_net(seed)
    w_x, b, w = net.get_weights()[0]
    work(1)
    shown = training_set(task, 2 * _D_SHOWN, rng)
    test = training_set(task, _D_TEST, rng)
    flows, traj = [], []
    for seq in shown:
        y, nets = net_inputs(net, seq.inputs)
        m = _derivative("tanh", nets[:, 0]) * abs(w)
        flows.append(error_flow(net, seq.inputs, len(y) - 1, len(y) - 1))
        traj.append((seq.label, y[:, 0], _log10(m)))
    work(1)
    sweep = []
    for ws in _D_SELF_WEIGHTS:
        trial_net = RecurrentNet(net.topology, [[w_x, b, ws]])
        right, logs = 0, []
        for seq in test:
            y, nets = net_inputs(trial_net, seq.inputs)
            right += bool(task.is_correct(y, seq))
            logs.append(np.mean(_log10(_derivative("tanh", nets[:, 0]) * ws)))
        sweep.append((ws, right / len(test), float(np.mean(logs))))
        work(1)
    # The map without input, its fixed points and where |M'| < 1.
    grid = np.linspace(-1.0, 1.0, 4001)
    m_grid = np.tanh(w * grid + b)
    slope = np.abs(w) * _derivative("tanh", w * grid + b)
    edge = math.atanh(math.sqrt(1.0 - 1.0 / abs(w))) if abs(w) > 1 else None   # |M'| = 1 where |net| = edge
    stable = []
    for y0 in (1.0, -1.0):
        y = y0
        for _ in range(200):
            y = math.tanh(w * y + b)
        stable.append(y)
    noise = 2.0 * abs(w_x) * math.sqrt(task.noise_variance)

    fig = plt.figure(figsize=(15, 9.5), dpi=100)
    gs = fig.add_gridspec(2, 6)
    ax_map, ax_y, ax_m = (fig.add_subplot(gs[0, 2 * i:2 * i + 2]) for i in range(3))
    ax_flow, ax_sweep = fig.add_subplot(gs[1, :3]), fig.add_subplot(gs[1, 3:])
    fig.suptitle(f"(d) Robust latching and gradient decay: the latch problem (variant II, lengths {task.T}-"
                 f"{task.max_length}), one tanh unit y(t) = tanh(w y(t-1) + w_x x(t) + b) found by random weight "
                 f"guessing in {guesses} guesses:\nw = {w:.2f}, w_x = {w_x:.2f}, b = {b:.3f}", fontsize=11)
    bad = slope > 1.0
    ax_map.fill_between(grid, -1.05, 1.05, where=~bad, color="C2", alpha=0.12, lw=0, label="|M'| < 1: latching region")
    ax_map.fill_between(grid, -1.05, 1.05, where=bad, color="C3", alpha=0.35, lw=0, label="|M'| > 1")
    ax_map.plot(grid, m_grid, color="k", lw=1.6, label="M(y) = tanh(w y + b), no input")
    for sign in (-1, 1):
        ax_map.plot(grid, np.tanh(w * grid + b + sign * noise), color="0.5", lw=0.8, ls="--",
                    label="with input ±2σ w_x" if sign > 0 else None)
    ax_map.plot(grid, grid, color="0.4", lw=0.8, ls=":", label="y(t) = y(t-1)")
    ax_map.plot(stable, stable, "o", color="C0", ms=7, label=f"stable fixed points ±{abs(stable[0]):.12g}")
    ax_map.set_xlim(-1.05, 1.05)
    ax_map.set_ylim(-1.05, 1.05)
    ax_map.set_xlabel("y(t-1)")
    ax_map.set_ylabel("y(t)")
    width = "" if edge is None else f"; |M'| > 1 only for |w y + b| < {edge:.2f}"
    ax_map.set_title(f"the map and its Jacobian M' = w (1 - M(y)^2){width}", fontsize=9)
    ax_map.legend(fontsize=7, loc="lower right")
    data.add("d", "map M(y) without input", grid[::20], m_grid[::20])
    data.add("d", "|M'| of the map", grid[::20], slope[::20])
    for label, y, logm in traj:
        color = "C0" if label == 0 else "C1"
        steps = np.arange(len(y))
        ax_y.plot(steps, y, color=color, lw=0.8, alpha=0.8)
        ax_m.plot(steps, logm, color=color, lw=0.6, alpha=0.7)
    for ax in (ax_y, ax_m):
        ax.plot([], [], color="C0", label=f"class 1 (first input +1), {_D_SHOWN} sequences")
        ax.plot([], [], color="C1", label=f"class 2 (first input -1), {_D_SHOWN} sequences")
        ax.set_xlabel("step t")
    if edge is not None:
        lo, hi = (-edge - b) / w, (edge - b) / w
        ax_y.axhspan(min(lo, hi), max(lo, hi), color="C3", alpha=0.35, lw=0, label="|M'| > 1 (without input)")
    ax_y.set_ylim(-1.1, 1.1)
    ax_y.set_ylabel("y(t)")
    ax_y.set_title("state trajectories", fontsize=9)
    ax_y.legend(fontsize=7, loc="center right")
    ax_m.axhline(0.0, color="k", ls="--", lw=1.0, label="|M'| = 1")
    ax_m.set_ylabel("log10 |M'(t)| = log10 |w f'(net(t))|")
    all_m = np.concatenate([t[2] for t in traj])
    ax_m.set_title(f"the Jacobian along the trajectories: mean log10 |M'| = {all_m.mean():.2f}", fontsize=9)
    ax_m.legend(fontsize=7, loc="center right")
    for i, (label, y, logm) in enumerate(traj[:2]):
        data.add("d", f"trajectory {i} (class {label + 1}) y", np.arange(len(y)), y)
        data.add("d", f"trajectory {i} (class {label + 1}) log10 |M'|", np.arange(len(y)), logm)
    rates = [f.decay_rate() for f in flows]
    for (label, _, _), f in zip(traj, flows):
        ax_flow.plot(f.q, f.log10_factors[:, 0, 0], color="C0" if label == 0 else "C1", lw=0.8, alpha=0.8)
    for i, f in enumerate(flows[:2]):
        data.add("d", f"trajectory {i} (class {traj[i][0] + 1}) log10 error flow", f.q, f.log10_factors[:, 0, 0])
    ax_flow.set_xlabel("lag q (steps back from the last step)")
    ax_flow.set_ylabel("log10 |∂ϑ(t-q) / ∂ϑ(t)|")
    ax_flow.set_title(f"the error flow from the target step: fitted {np.mean(rates):+.2f} decades a step; "
                      f"at q = {task.T}: 10^{np.mean([f.log10_factors[task.T - 1, 0, 0] for f in flows]):,.0f}",
                      fontsize=9)
    ax_flow.grid(alpha=0.3)
    ws, frac, mean_log = (np.array(c) for c in zip(*sweep))
    ax_sweep.plot(ws, 100 * frac, "o-", color="C2", ms=4, label="test sequences latched (%, left)")
    ax_sweep.axvline(w, color="0.4", ls=":", lw=1)
    ax_sweep.text(w, 0.06, "guessed w ", transform=ax_sweep.get_xaxis_transform(), ha="right", fontsize=8,
                  color="0.35")
    ax_sweep.set_xscale("log")
    ax_sweep.set_xticks([0.5, 1, 2, 5, 10, 20, 50, 100], ["0.5", "1", "2", "5", "10", "20", "50", "100"])
    ax_sweep.set_xlabel("self-weight w (w_x and b as guessed)")
    ax_sweep.set_ylabel(f"% of {_D_TEST} test sequences right (ABS(0.1))", color="C2")
    ax_sweep.set_ylim(-3, 103)
    twin = ax_sweep.twinx()
    twin.plot(ws, mean_log, "s--", color="C4", ms=4, label="mean log10 |M'| per step (right)")
    twin.axhline(0.0, color="C4", lw=0.8, alpha=0.6)
    twin.set_ylabel("mean log10 |M'| along the trajectories", color="C4")
    handles = ax_sweep.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    ax_sweep.legend(handles=handles, fontsize=7.5, loc="center left")
    ax_sweep.set_title("the same net with another self-weight: latching against decay", fontsize=9)
    ax_sweep.grid(alpha=0.3)
    data.add("d", "self-weight sweep: fraction latched", ws, frac)
    data.add("d", "self-weight sweep: mean log10 |M'|", ws, mean_log)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    data.say(f"(d) latch net found by guessing in {guesses} guesses: w = {w:.4g}, w_x = {w_x:.4g}, b = {b:.4g}; "
             f"mean log10 |M'| along {len(traj)} trajectories {all_m.mean():.2f} (largest {all_m.max():.2f}); "
             f"error flow {_rate_text(float(np.mean(rates)))}")
    latched = [s for s in sweep if s[1] >= 0.9]
    if latched:
        data.say(f"(d) self-weight sweep: >= 90% of {_D_TEST} test sequences latched from w = {latched[0][0]:.3g} "
                 f"on, where the mean log10 |M'| is {latched[0][2]:.2f} a step; largest mean log10 |M'| of the "
                 f"sweep {max(s[2] for s in sweep):.2f}")


def draw_figures(directory, seed=0, progress: Callable[[int], object] | None = None) -> Figures:
    """Draw the four pictures of ``docs/errorflow.md`` into ``directory`` (made if missing).

    ``errorflow-a.png``: the error flow of random fully recurrent nets against q, at weight
    ranges below, near and above 4.0/n, with the weak bound and the fitted decay rates;
    ``errorflow-b.png``: |f'(net) w| against w for sources of fixed activation y, with its
    peak at w = coth(net/2)/y; ``errorflow-c.png``: the flow of the 2c nets of Table 10 at
    lags 100 and 1000, truncated and not, next to a standard net of as many weights;
    ``errorflow-d.png``: a latch net found by weight guessing: its map, the Jacobian |M'|
    along its trajectories, the decay of its error flow, and latching against decay as its
    self-weight changes.  The numbers plotted go to ``errorflow.csv`` too (see :class:`Figures`).

    Parameters
    ----------
    directory : str or Path
    seed : int, default 0
        Seeds every random draw (nets, weights, sequences, the guessing).
    progress : callable, optional
        Called with a number of units of work as each is done (:data:`FIGURE_WORK` in all).

    Returns
    -------
    Figures
    """
    from ._optional import require

    seed = check_int("seed", seed, 0)
    matplotlib = require("matplotlib", "plot", what="the error-flow figures")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(directory)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"cannot make the directory {str(out)!r}: {exc.strerror}") from None
    work = progress if progress is not None else (lambda n: None)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)]
    data = _Data()
    paths = tuple(out / f"errorflow-{k}.png" for k in "abcd")
    csv_path = out / "errorflow.csv"
    try:
        _figure_a(plt, streams[0], data, work, paths[0])
        _figure_b(plt, data, work, paths[1])
        _figure_c(plt, streams[1], data, work, paths[2])
        _figure_d(plt, seed, streams[2], data, work, paths[3])
        with open(csv_path, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(("figure", "series", "x", "y"))
            writer.writerows((fig, series, f"{x:.7g}", f"{y:.7g}") for fig, series, x, y in data.rows)
    except OSError as exc:
        plt.close("all")
        raise ValueError(f"cannot write the figures to {str(out)!r}: {exc.strerror or exc}") from None
    return Figures(paths, csv_path, tuple(data.lines))
