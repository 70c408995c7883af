"""What every task shares: the `Task` interface, `TaskSequence`, the ABS(β) criterion, and the
checks of the parameters that several tasks have in common (lengths, tolerance, sizes)."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .._validation import MAX_STEPS, check_choice, check_int, check_real, check_rng, shown

__all__ = ["MAX_DATASET", "MAX_STEPS", "SequenceBatch", "Task", "TaskDataset", "TaskSequence", "abs_criterion"]


# --------------------------------------------------------------------------------------------------
# validation helpers: every message names the parameter (STYLE.md, "Validate once, in Python")

def _check_size(name, value, minimum, maximum, reason):
    """An int in [minimum, maximum]; `reason` tells the message's reader why the top is there."""
    value = check_int(name, value, minimum)
    if value > maximum:
        raise ValueError(f"{name} must be at most {maximum:,} ({reason}), got {shown(value)}")
    return value


_STEPS_REASON = "the limit on the time steps of one sequence, lstm97.tasks.MAX_STEPS"


def _check_lengths(T, max_length, T_minimum, default_extra):
    """Validate the length range [T, max_length]; ``default_extra(T)`` gives the default top."""
    T = _check_size("T", T, T_minimum, MAX_STEPS, _STEPS_REASON)
    default = max_length is None
    if default:
        max_length = T + default_extra(T)
    max_length = check_int("max_length", max_length)
    if max_length < T:
        raise ValueError(f"max_length must be >= T = {T}, got {shown(max_length)}")
    if max_length > MAX_STEPS:
        given = f"{max_length}, the default for T = {T}" if default else shown(max_length)
        raise ValueError(f"max_length must be at most {MAX_STEPS:,} ({_STEPS_REASON}), got {given}")
    return T, max_length


def _tolerance(tolerance, default):
    """The β of a task's criterion: ``default`` (the paper's) unless one is given."""
    return default if tolerance is None else check_real("tolerance", tolerance, 0.0)


def _tenth(T):
    # "random length in [T, T + T/10]" (Exps 3, 4, 5, 6); T/10 rounded down for T not divisible by 10
    return T // 10


# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, eq=False)
class TaskSequence:
    """One sequence drawn from a task: ``(inputs, targets, target_mask)`` plus what the criteria need.

    Unpacks as the engine's triple: ``inputs, targets, target_mask = sequence``.

    Attributes
    ----------
    inputs : ndarray of shape (T,) and dtype int64, or of shape (T, n_inputs) and dtype float64
        Symbol indices in ``[0, n_inputs)`` for symbol coding; input activations for dense coding.
    targets : ndarray of shape (T, n_outputs), float64
        Teacher signal; 0.0 in the rows where `target_mask` is False.
    target_mask : ndarray of shape (T,), bool
        True at the steps that carry a target.
    label : int or None
        Index into the task's ``classes`` (e.g. which of x/y, which temporal-order class).
    noise_free_targets : ndarray of shape (T, n_outputs) or None
        The expected target without target noise (Exp 3c); None when the targets are noise-free.
    legal_next : ndarray of shape (T, n_outputs), bool, or None
        Exp 1: ``legal_next[t]`` marks the symbols that may legally follow the prefix read up to t.
    relevant_steps : ndarray of int64 or None
        The 0-based steps whose inputs determine the final target (None when all steps do).
    string : str or None
        The symbol string (Exp 1: the whole embedded Reber string; Tomita: the string over {0, 1}).
    """

    inputs: np.ndarray
    targets: np.ndarray
    target_mask: np.ndarray
    label: int | None = None
    noise_free_targets: np.ndarray | None = None
    legal_next: np.ndarray | None = None
    relevant_steps: np.ndarray | None = None
    string: str | None = None

    def __iter__(self):
        yield self.inputs
        yield self.targets
        yield self.target_mask

    @property
    def length(self):
        """int: the number of time steps T."""
        return self.inputs.shape[0]

    @property
    def criterion_targets(self):
        """ndarray of shape (T, n_outputs): the targets the correctness criterion compares with.

        The noise-free targets where the task has target noise (Exp 3c), else the targets.
        """
        return self.targets if self.noise_free_targets is None else self.noise_free_targets


def _end_target_sequence(inputs, n_outputs):
    """Zero targets and a mask that is True only at the last step."""
    T = inputs.shape[0]
    targets = np.zeros((T, n_outputs))
    mask = np.zeros(T, dtype=bool)
    mask[-1] = True
    return targets, mask


def _check_sequence(sequence):
    """The criteria read a sequence's fields: anything but a TaskSequence is refused by name."""
    if not isinstance(sequence, TaskSequence):
        raise TypeError(
            f"sequence must be a TaskSequence (as drawn by a task), got {shown(sequence)}")
    return sequence


def _evaluated(outputs, sequence, n_outputs, steps):
    """Outputs and criterion targets at the steps a criterion looks at, as 2-D arrays."""
    _check_sequence(sequence)
    T = sequence.length

    # At the end, the last output alone will do: (n_outputs,), or a scalar for one output.
    accepted = {(T, n_outputs)} | ({(n_outputs,)} | ({()} if n_outputs == 1 else set()) if steps == "end" else set())

    def refuse_wrong(shape):
        if shape not in accepted:
            allowed = f"({T}, {n_outputs})" + (f" or ({n_outputs},)" if steps == "end" else "")
            raise ValueError(f"outputs must have shape {allowed}, got {shape}")

    # The shape before converting (a huge broadcast view would be copied whole), and no
    # complex numbers (their imaginary parts would be dropped with only a warning).
    arr = outputs if isinstance(outputs, np.ndarray) else np.asarray(outputs)
    refuse_wrong(arr.shape)
    if arr.dtype.kind == "c":
        raise ValueError(f"outputs must be real numbers, got dtype {arr.dtype}")
    try:
        out = arr.astype(np.float64, copy=False)
    except OverflowError:
        raise ValueError("outputs holds a number beyond the float64 range") from None
    out = out.reshape(-1, n_outputs)
    targets = sequence.criterion_targets
    rows = slice(-1, None) if steps == "end" else sequence.target_mask
    out, targets = out[rows], targets[rows]
    # Only the judged steps must be finite: train_sequence leaves NaN where there is no target.
    if not np.isfinite(out).all():
        raise ValueError("outputs has NaN or inf at a step the criterion judges")
    return out, targets


def abs_criterion(outputs, sequence, beta, steps="end", inclusive=False):
    """The paper's ABS(β): the absolute error of every output unit is below β.

    Parameters
    ----------
    outputs : array_like of shape (T, n_outputs), or (n_outputs,) with ``steps="end"``
        The network's outputs for the whole sequence, or only its output at the last step.
    sequence : TaskSequence
        The sequence the outputs belong to; it is compared with ``sequence.criterion_targets``.
    beta : float
        The threshold β (Table 11: 0.25 for 2a/2b, 0.2 for 2c and 3a/3b, 0.04 for Exps 4/5,
        0.3 for Exp 6).
    steps : {"end", "all"}
        ``"end"``: only the last step counts (Table 11, "at sequence end"); ``"all"``: every step
        with a target (Exp 2a: "the maximal absolute error of all output units is always below").
    inclusive : bool
        If True, an error equal to β still counts as correct (Exp 3c defines *wrong* as > 0.1).

    Returns
    -------
    bool

    Raises
    ------
    TypeError
        If `sequence` is not a `TaskSequence`.
    ValueError
        If `outputs` has neither accepted shape, or `steps` or `beta` is unusable.
    """
    check_choice("steps", steps, ("end", "all"))
    beta = check_real("beta", beta, minimum=0.0)
    n_outputs = _check_sequence(sequence).targets.shape[1]
    out, tgt = _evaluated(outputs, sequence, n_outputs, steps)
    err = np.abs(out - tgt)
    return bool(np.all(err <= beta) if inclusive else np.all(err < beta))


# --------------------------------------------------------------------------------------------------

MAX_DATASET = 1_000_000
"""int: the most sequences :meth:`Task.make` draws into one data set."""


@dataclass(frozen=True)
class TaskDataset:
    """``n`` sequences of a task as padded arrays, in the spirit of scikit-learn's ``make_*``.

    Attributes
    ----------
    inputs : ndarray of shape (n, L) and dtype int64, or of shape (n, L, n_inputs), float64
        Symbol indices (padded with -1) or input activations (padded with 0.0); L is the
        longest sequence's length.
    targets : ndarray of shape (n, L, n_outputs), float64
        Teacher signals, 0.0 where there is none and in the padding.
    target_mask : ndarray of shape (n, L), bool
        True at the steps that carry a target; False in the padding.
    lengths : ndarray of shape (n,), int64
        Each sequence's length; steps ``lengths[i]:`` of row i are padding.
    labels : ndarray of shape (n,), int64, or None
        ``TaskSequence.label`` of each sequence, where the task has classes.
    sequences : list of TaskSequence
        The sequences themselves, for the task's criteria (``task.is_correct(outputs, seq)``).
    """

    inputs: np.ndarray
    targets: np.ndarray
    target_mask: np.ndarray
    lengths: np.ndarray
    labels: np.ndarray | None
    sequences: list

    @classmethod
    def of(cls, sequences, n_inputs, n_outputs):
        """Pad ``sequences`` (TaskSequence) into one data set."""
        n, lengths = len(sequences), np.array([s.length for s in sequences], dtype=np.int64)
        L = int(lengths.max())
        symbols = sequences[0].inputs.ndim == 1
        inputs = np.full((n, L), -1, dtype=np.int64) if symbols else np.zeros((n, L, n_inputs))
        targets = np.zeros((n, L, n_outputs))
        mask = np.zeros((n, L), dtype=bool)
        for i, seq in enumerate(sequences):
            T = seq.length
            inputs[i, :T], targets[i, :T], mask[i, :T] = seq.inputs, seq.targets, seq.target_mask
        labels = None if sequences[0].label is None else np.array([s.label for s in sequences], dtype=np.int64)
        return cls(inputs, targets, mask, lengths, labels, list(sequences))

    def __len__(self):
        return len(self.lengths)


#: The most outputs :meth:`SequenceBatch.judged` hands a criterion at once (256 KiB of float64).
JUDGED_VALUES = 32768


@dataclass(frozen=True, eq=False)
class SequenceBatch:
    """Sequences of a task one after another, as the engine trains them in one call.

    Sequence ``i`` is rows ``offsets[i]:offsets[i + 1]`` of every per-step array.
    :meth:`lstm97.LSTM.train_sequences` and :meth:`~lstm97.LSTM.forward_sequences` take a
    batch as it is (a list of sequences is packed into one first), and the criteria judge
    a whole batch at once (:meth:`Task.is_correct_batch`).

    Attributes
    ----------
    inputs : ndarray of shape (N,) and dtype int64, or of shape (N, n_inputs), float64
    targets, criterion_targets : ndarray of shape (N, n_outputs), float64
        As in `TaskSequence`, concatenated.
    target_mask : ndarray of shape (N,), bool
    legal_next : ndarray of shape (N, n_outputs), bool, or None
        Exp 1's legal successors, concatenated (None for other tasks).
    offsets : ndarray of shape (n + 1,), intp
        Where each sequence starts, and N at the end.
    sequences : sequence of TaskSequence
        The sequences themselves: a list, or (the batches the tasks draw) made one by one as
        they are first asked for.
    """

    inputs: np.ndarray
    targets: np.ndarray
    target_mask: np.ndarray
    criterion_targets: np.ndarray
    legal_next: np.ndarray | None
    offsets: np.ndarray
    sequences: Sequence

    @classmethod
    def of(cls, sequences):
        """Pack ``sequences`` (TaskSequence, at least one, of one task) into a batch."""
        sequences = list(sequences)
        if not sequences:
            raise ValueError("sequences is empty")
        for i, seq in enumerate(sequences):
            if not isinstance(seq, TaskSequence):
                raise TypeError(f"sequences[{i}] must be a TaskSequence, got {shown(seq)}")
        offsets = np.zeros(len(sequences) + 1, dtype=np.intp)
        np.cumsum([seq.inputs.shape[0] for seq in sequences], out=offsets[1:])
        cat = np.concatenate
        legal = None if sequences[0].legal_next is None else cat([seq.legal_next for seq in sequences])
        targets = cat([seq.targets for seq in sequences])
        noisy = any(seq.noise_free_targets is not None for seq in sequences)
        return cls(cat([seq.inputs for seq in sequences]), targets, cat([seq.target_mask for seq in sequences]),
                   cat([seq.criterion_targets for seq in sequences]) if noisy else targets, legal, offsets,
                   sequences)

    def __len__(self):
        return len(self.sequences)

    @property
    def lengths(self):
        """ndarray of shape (n,): each sequence's length."""
        return np.diff(self.offsets)

    @property
    def final_targets(self):
        """ndarray of shape (n, n_outputs): each sequence's criterion target at its last step."""
        return self.criterion_targets[self.offsets[1:] - 1]

    def take(self, indices):
        """The batch of sequences ``indices`` (an int array, repeats allowed), in that order."""
        indices = np.asarray(indices, dtype=np.intp)
        if indices.ndim != 1 or not len(indices):
            raise ValueError(f"indices must be a non-empty 1-D array of sequence numbers, got shape {indices.shape}")
        lengths = self.lengths[indices]
        offsets = np.zeros(len(indices) + 1, dtype=np.intp)
        np.cumsum(lengths, out=offsets[1:])
        rows = np.repeat(self.offsets[indices] - offsets[:-1], lengths) + np.arange(offsets[-1])
        targets = self.targets[rows]
        return SequenceBatch(self.inputs[rows], targets, self.target_mask[rows],
                             targets if self.criterion_targets is self.targets else self.criterion_targets[rows],
                             None if self.legal_next is None else self.legal_next[rows], offsets,
                             [self.sequences[i] for i in indices])

    def judged(self, outputs, steps):
        """The rows a criterion judges (``steps`` "end" or "all", see :func:`abs_criterion`),
        in pieces of at most :data:`JUDGED_VALUES` outputs: yields ``(at, sequence of each
        row, outputs there)``, ``at`` indexing those rows of any per-step array (a slice where
        they are consecutive); refuses outputs of the wrong shape or non-finite at those rows.
        A piece's temporaries stay in the cache: Exp 2a's batches judge 2.6 million outputs,
        and whole-batch temporaries of that size cost more in fresh pages than in arithmetic."""
        outputs = np.asarray(outputs, dtype=np.float64)
        if outputs.shape != self.targets.shape:
            raise ValueError(f"outputs must have shape {self.targets.shape} (the batch's steps), got {outputs.shape}")
        if steps == "end":
            rows, owner = self.offsets[1:] - 1, np.arange(len(self))
        else:
            rows = np.flatnonzero(self.target_mask)
            owner = np.searchsorted(self.offsets, rows, side="right") - 1
        every = len(rows) == len(outputs)                  # then rows is 0 .. N-1
        size = max(1, JUDGED_VALUES // max(1, outputs.shape[1]))
        for a in range(0, len(rows), size):
            at = slice(a, a + size) if every else rows[a:a + size]
            out = outputs[at]
            if not np.isfinite(out).all():
                raise ValueError("outputs has NaN or inf at a step the criterion judges")
            yield at, owner[a:a + size], out


class _EndTargetSequences(Sequence):
    """The sequences of a batch built by :func:`_end_target_batch`, each made (of views of
    the batch's arrays) when first asked for: training reads the batch's arrays, and most of
    its sequences are never looked at one by one."""

    def __init__(self, inputs, targets, mask, noise_free, offsets, labels, relevant_steps):
        self._arrays = inputs, targets, mask, noise_free
        self._bounds = offsets.tolist()
        self._labels, self._relevant = labels, relevant_steps
        self._made = {}

    def __len__(self):
        return len(self._bounds) - 1

    def __add__(self, other):
        return list(self) + list(other)

    def __radd__(self, other):
        return list(other) + list(self)

    def __repr__(self):
        return f"<{len(self)} sequences of a batch>"

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = operator.index(i)
        if not -len(self) <= i < len(self):
            raise IndexError(f"sequence {i} of a batch of {len(self)}")
        i %= len(self)
        seq = self._made.get(i)
        if seq is None:
            a, b = self._bounds[i], self._bounds[i + 1]
            inputs, targets, mask, noise_free = self._arrays
            seq = self._made[i] = TaskSequence(
                inputs[a:b], targets[a:b], mask[a:b],
                label=None if self._labels is None else int(self._labels[i]),
                noise_free_targets=None if noise_free is None else noise_free[a:b],
                relevant_steps=None if self._relevant is None else self._relevant[i])
        return seq


def _end_target_batch(inputs, offsets, final, labels=None, relevant_steps=None, noise_free=None):
    """The batch of sequences whose one target is at their last step: sequence ``i`` is rows
    ``offsets[i]:offsets[i + 1]`` of ``inputs`` and has the targets ``final[i]`` there
    (shape ``(n, n_outputs)``; ``noise_free``, if given, the criterion's), the label
    ``labels[i]`` and the relevant steps ``relevant_steps[i]``, if given.  Each sequence's
    arrays are views of the batch's, made when the sequence is first asked for."""
    ends = offsets[1:] - 1
    targets = np.zeros((offsets[-1], final.shape[1]))
    targets[ends] = final
    criterion = targets
    if noise_free is not None:
        criterion = np.zeros_like(targets)
        criterion[ends] = noise_free
    mask = np.zeros(offsets[-1], dtype=bool)
    mask[ends] = True
    sequences = _EndTargetSequences(inputs, targets, mask, None if noise_free is None else criterion, offsets,
                                    labels, relevant_steps)
    return SequenceBatch(inputs, targets, mask, criterion, None, offsets, sequences)


def _offsets(lengths):
    """``offsets`` of sequences of ``lengths``: where each starts, and the total at the end."""
    offsets = np.zeros(len(lengths) + 1, dtype=np.intp)
    np.cumsum(lengths, out=offsets[1:])
    return offsets


def _checked_draws(n, rng):
    """``(n, rng)`` of :meth:`Task.make` and :meth:`Task.sample_batch`, checked: a number of
    sequences from 1 to :data:`MAX_DATASET`, and a Generator."""
    return _check_size("n", n, 1, MAX_DATASET, "the most sequences one data set holds"), check_rng("rng", rng)


class Task:
    """Interface shared by all task generators.

    Attributes
    ----------
    n_inputs : int
        Number of input units (symbol-alphabet size under symbol coding).
    n_outputs : int
        Number of output units.
    coding : {"symbols", "dense"}
        How `TaskSequence.inputs` is given.
    alphabet : tuple of str or None
        Under symbol coding, the symbol names in index order.
    classes : tuple of str or None
        Names of the classes that `TaskSequence.label` indexes.
    tolerance : float or None
        The β of the task's correctness criterion.
    criterion_steps : {"end", "all"}
        Which steps the correctness criterion looks at.
    min_lag : int or None
        The smallest number of steps, over all sequences the task can draw, from the last input
        that determines the final target to the step that carries it (0-based ``t_target -
        t_relevant``). Table 10 of the paper counts lags inconsistently (sometimes one more),
        so this may differ from its "lag" column by one.
    """

    n_inputs: int
    n_outputs: int
    coding: str
    alphabet: tuple | None = None
    classes: tuple | None = None
    tolerance: float | None = None
    criterion_steps: str = "end"
    min_lag: int | None = None
    _inclusive = False

    def sample(self, rng=None):
        """Draw one sequence.

        Parameters
        ----------
        rng : None, int, numpy.random.SeedSequence, BitGenerator or Generator
            Source of randomness, normalised as by `numpy.random.default_rng` (a Generator is
            used as is); anything else, or a negative seed, raises an error naming ``rng``.

        Returns
        -------
        TaskSequence
        """
        raise NotImplementedError

    def make(self, n, rng=None):
        """Draw ``n`` sequences as one padded data set, for training other models on the task.

        The sequences are those ``n`` calls of :meth:`sample` with the same generator give, in
        that order, padded at the end to the longest.

        Parameters
        ----------
        n : int
            Number of sequences, 1 to :data:`MAX_DATASET`.
        rng : None, int, numpy.random.SeedSequence, BitGenerator or Generator

        Returns
        -------
        TaskDataset
        """
        return TaskDataset.of(self.sample_batch(n, rng).sequences, self.n_inputs, self.n_outputs)

    def sample_batch(self, n, rng=None):
        """Draw ``n`` sequences packed one after another (a :class:`SequenceBatch`), as the
        engine trains them in one call; ``n`` and ``rng`` as for :meth:`make`.

        The sequences are those ``n`` calls of :meth:`sample` with the same generator give, in
        that order, and the generator ends in the same state; a task may draw them in one go
        (Exps 2a, 2b and 2c build the arrays of the whole batch at once)."""
        n, rng = _checked_draws(n, rng)
        return SequenceBatch.of([self.sample(rng) for _ in range(n)])

    def is_correct(self, outputs, sequence):
        """Whether the network processed `sequence` correctly, in the paper's sense for this task.

        Parameters
        ----------
        outputs : array_like of shape (T, n_outputs)
            The network's outputs at every step. Tasks judged at the sequence end also accept
            the last output alone, of shape (n_outputs,).
        sequence : TaskSequence

        Returns
        -------
        bool
        """
        return abs_criterion(outputs, sequence, self.tolerance, self.criterion_steps,
                             self._inclusive)

    def is_correct_batch(self, outputs, batch):
        """:meth:`is_correct` of every sequence of ``batch`` (a `SequenceBatch`) at once, from
        their concatenated ``outputs`` (shape ``(N, n_outputs)``); ``ndarray of bool, (n,)``."""
        wrong = np.zeros(len(batch), dtype=bool)
        for at, owner, out in batch.judged(outputs, self.criterion_steps):
            err = np.abs(out - batch.criterion_targets[at])
            wrong[owner[(err > self.tolerance if self._inclusive else err >= self.tolerance).any(axis=1)]] = True
        return ~wrong

    def abs_error_batch(self, outputs, batch):
        """:meth:`abs_error` of every sequence of ``batch`` at once; ``ndarray of float, (n,)``."""
        worst = np.full(len(batch), -np.inf)
        for at, owner, out in batch.judged(outputs, self.criterion_steps):
            np.maximum.at(worst, owner, np.abs(out - batch.criterion_targets[at]).max(axis=1))
        return worst

    def abs_error(self, outputs, sequence):
        """The largest absolute error over the output units and the steps the criterion looks at.

        It is measured against ``sequence.criterion_targets`` (so the noise-free target in Exp 3c);
        its mean over a test set is the paper's mean absolute test error.

        Parameters
        ----------
        outputs : array_like of shape (T, n_outputs), or (n_outputs,) for end-of-sequence tasks
        sequence : TaskSequence

        Returns
        -------
        float
        """
        out, tgt = _evaluated(outputs, sequence, self.n_outputs, self.criterion_steps)
        return float(np.max(np.abs(out - tgt)))

    def _set_params(self, **params):
        self._params = params

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._params.items())
        return f"{type(self).__name__}({args})"
