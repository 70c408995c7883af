"""Checking and packing the sequences a network is given: one home for the LSTM and the
standard recurrent nets (:mod:`.recurrent`), which take sequences alike.

A sequence is ``(inputs, targets[, target_mask])`` or has those attributes (a
``TaskSequence``).  Inputs are dense, ``(T, n_inputs)`` floats, or integer symbols ``(T,)``
in ``[0, n_inputs)``; targets are ``(T, n_outputs)`` floats; the mask (bool, ``(T,)``) says
which steps carry a target, all by default.
"""

from __future__ import annotations

import numpy as np

from .._validation import MAX_STEPS
from ..tasks.base import SequenceBatch

__all__ = ["check_inputs", "check_lengths", "check_targets", "finite_float64", "pack"]


def check_inputs(inputs, n_in, one_sequence=True):
    """``(dense, symbols)`` of one sequence (or several, concatenated, without
    ``one_sequence``) for a net with ``n_in`` inputs: one of them holds it, the other is
    None.  One sequence has at most ``MAX_STEPS`` steps; a batch checks its sequences'
    lengths with :func:`check_lengths`."""
    arr = np.asarray(inputs)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "fiu":
        raise TypeError(f"inputs must be float (T, n_inputs) or integer symbols (T,), got dtype {arr.dtype}")
    if one_sequence and arr.ndim >= 1:
        check_lengths([arr.shape[0]], "inputs has")
    if arr.dtype.kind in "iu":
        if arr.ndim != 1:
            raise ValueError(f"symbol inputs must have shape (T,), got {arr.shape}")
        if arr.shape[0] == 0:
            raise ValueError("inputs is an empty sequence")
        bad = np.flatnonzero((arr < 0) | (arr >= n_in))
        if len(bad):
            raise ValueError(f"inputs has symbol {arr[bad[0]]} at step {bad[0]}, outside [0, {n_in})")
        return None, np.ascontiguousarray(arr, dtype=np.intp)
    if arr.ndim != 2 or arr.shape[1] != n_in:
        raise ValueError(f"dense inputs must have shape (T, {n_in}), got {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError("inputs is an empty sequence")
    return finite_float64("inputs", arr), None


def check_lengths(lengths, what="sequences[{i}] has"):
    """Refuse a sequence longer than ``MAX_STEPS`` (``what`` names it, ``{i}`` its index)."""
    lengths = np.asarray(lengths)
    long = np.flatnonzero(lengths > MAX_STEPS)
    if len(long):
        i = long[0]
        raise ValueError(f"{what.format(i=i)} {lengths[i]:,} steps, more than the {MAX_STEPS:,} "
                         "of the longest sequence lstm97 runs (lstm97.tasks.MAX_STEPS)")


def check_targets(targets, target_mask, T, n_out):
    """``(targets, mask)`` checked for ``T`` steps and ``n_out`` outputs; the mask as uint8."""
    if targets is None:
        raise TypeError(f"targets must be an array of shape ({T}, {n_out}) to learn "
                        "from, got None (forward() runs a sequence without targets)")
    arr = np.asarray(targets)
    shape = (T, n_out)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "fiu":
        raise TypeError(f"targets must be a float array, got dtype {arr.dtype}")
    if arr.shape != shape:
        raise ValueError(f"targets must have shape {shape} (the inputs have T={T}), got {arr.shape}")
    arr = finite_float64("targets", arr)
    if target_mask is None:
        mask = np.ones(T, dtype=np.uint8)
    else:
        mask = np.asarray(target_mask)
        if mask.dtype != np.bool_:
            raise TypeError(f"target_mask must be a boolean array, got dtype {mask.dtype}")
        if mask.shape != (T,):
            raise ValueError(f"target_mask must have shape ({T},) like the inputs, got {mask.shape}")
        mask = np.ascontiguousarray(mask).view(np.uint8)
    return arr, mask


def pack(sequences, n_in, n_out, learn):
    """Validate ``sequences`` and concatenate them for the core: ``(x, symbols, offsets,
    targets, mask)``.  Each sequence is ``(inputs, targets[, target_mask])`` or has those
    attributes (a ``TaskSequence``); without ``learn``, its inputs alone will do.  The
    values are checked on the concatenation, at once, by the checks of one sequence."""
    if isinstance(sequences, SequenceBatch):               # packed already: check the values alone
        offsets = sequences.offsets
        check_lengths(np.diff(offsets))
        x, symbols = check_inputs(sequences.inputs, n_in, one_sequence=False)
        if not learn:
            return x, symbols, offsets, None, None
        return (x, symbols, offsets, *check_targets(sequences.targets, sequences.target_mask, len(sequences.inputs), n_out))
    if isinstance(sequences, (np.ndarray, str, bytes)) or not hasattr(sequences, "__iter__"):
        raise TypeError("sequences must be an iterable of sequences (e.g. a list of TaskSequence), "
                        f"got {type(sequences).__name__}")
    parts = []
    for i, seq in enumerate(sequences):
        if isinstance(seq, (tuple, list)):
            if not (2 if learn else 1) <= len(seq) <= 3:
                raise ValueError(f"sequences[{i}] must be (inputs, targets[, target_mask]), "
                                 f"got {len(seq)} items")
            seq = (*seq, None, None)
        elif hasattr(seq, "inputs"):
            seq = (seq.inputs, getattr(seq, "targets", None), getattr(seq, "target_mask", None))
        elif learn:
            raise TypeError(f"sequences[{i}] must be (inputs, targets[, target_mask]) or a "
                            f"TaskSequence, got {type(seq).__name__}")
        else:
            seq = (seq, None, None)
        if learn and seq[1] is None:
            raise TypeError(f"sequences[{i}] has no targets; training needs them")
        parts.append(seq)
    if not parts:
        raise ValueError("sequences is empty")
    xs = [_array(p[0]) for p in parts]
    lengths = np.array([x.shape[0] if x.ndim else 0 for x in xs])
    empty = np.flatnonzero(lengths == 0)
    if len(empty):
        raise ValueError(f"sequences[{empty[0]}] has no steps; a sequence has inputs of shape (T,) "
                         "or (T, n_inputs) with T >= 1")
    if len({(x.ndim, x.dtype.kind in "iu") for x in xs}) > 1:
        raise ValueError("sequences mixes symbol and dense inputs")
    offsets = np.zeros(len(xs) + 1, dtype=np.intp)
    np.cumsum(lengths, out=offsets[1:])
    check_lengths(lengths)
    x, symbols = check_inputs(_concatenate("inputs", xs), n_in, one_sequence=False)
    if not learn:
        return x, symbols, offsets, None, None
    ys = [_array(p[1]) for p in parts]
    bad = np.flatnonzero(np.array([y.shape[0] if y.ndim else -1 for y in ys]) != lengths)
    if len(bad):
        raise ValueError(f"sequences[{bad[0]}] has targets of shape {ys[bad[0]].shape} for "
                         f"{lengths[bad[0]]} steps")
    ms = [np.ones(n, bool) if p[2] is None else _array(p[2]) for p, n in zip(parts, lengths)]
    y, mask = check_targets(_concatenate("targets", ys), _concatenate("target_mask", ms), int(offsets[-1]), n_out)
    return x, symbols, offsets, y, mask


def finite_float64(name, arr):
    """``arr`` as a C-contiguous float64 array, refused if an entry is not finite *as
    float64*: a longdouble 1e400 is finite before the cast and inf after it."""
    if arr.dtype != np.float64:
        with np.errstate(over="ignore", invalid="ignore"):   # the check below reports it
            arr = arr.astype(np.float64)
    arr = np.ascontiguousarray(arr)
    finite = np.isfinite(arr)
    if not finite.all():
        where = np.argwhere(~finite)[0]
        raise ValueError(f"{name} contains NaN or inf (first at index {tuple(int(i) for i in where)}); "
                         "a value beyond the float64 range counts as inf")
    return arr


def _array(a):
    return a if type(a) is np.ndarray else np.asarray(a)


def _concatenate(name, arrays):
    """The sequences' ``name`` arrays one after another; a ValueError naming ``name`` if
    their shapes do not fit together."""
    try:
        return np.concatenate(arrays)
    except ValueError:
        shapes = sorted({a.shape[1:] for a in arrays})
        raise ValueError(f"the sequences' {name} do not fit together: per-step shapes {shapes}") from None
