"""The paper's stop criteria (Table 11), behind one protocol.

A criterion is a frozen description of a rule.  ``criterion.monitor(task, test_rng, sets)``
gives the per-trial :class:`Monitor` that sees the training sequences in batches through
``update(first, net, batch, outputs, errors)`` and says when to stop; ``final_test(net)``
then runs the paper's test.  Every criterion takes the same arguments: ``sets`` is the
pair (training set, test set) of a task trained on fixed sets (Exp 1) and ``None`` for a
task drawn online; ``test_rng`` draws fresh test sequences.

A monitor judges a whole batch at once (:meth:`~lstm97.tasks.Task.is_correct_batch`), so a
trial costs no Python call per sequence.  Where a criterion needs the network itself (a
test set, Exps 1 and 3), its ``horizon()`` says how many sequences may be trained before it
next does, and the trial makes its batches no longer.
"""

from __future__ import annotations

import dataclasses
from typing import Protocol, runtime_checkable

import numpy as np

from ..tasks import SequenceBatch, Task, TaskSequence

__all__ = ["Criterion", "Monitor", "ReberSuccess", "RecentTraining", "Streak", "TestSetStop", "evaluate"]

Sets = tuple[list[TaskSequence], list[TaskSequence]]

#: The horizon of a monitor that needs the network only at the end (the trial bounds its batches).
UNBOUNDED = 1 << 62


def evaluate(net, task: Task, sequences, mse: bool = True) -> dict:
    """The paper's test on ``sequences`` (a list of TaskSequence or a `SequenceBatch`):
    number wrong, mean absolute error (against the criterion targets, so the noise-free
    target in 3c) and, with ``mse``, mean squared error."""
    batch = sequences if isinstance(sequences, SequenceBatch) else SequenceBatch.of(sequences)
    out = net.forward_sequences(batch)
    n = len(batch)
    # Sums in sequence order, as adding one sequence at a time would (cumsum is sequential).
    result = {"test_size": n, "test_wrong": int(n - np.count_nonzero(task.is_correct_batch(out, batch))),
              "test_mae": float(np.cumsum(task.abs_error_batch(out, batch))[-1]) / n}
    if mse:
        steps = slice(None) if task.criterion_steps == "all" else slice(-1, None)
        sq_err = 0.0
        for seq, o in zip(batch.sequences, np.split(out, batch.offsets[1:-1])):
            sq_err += float(np.mean((o[steps] - seq.criterion_targets[steps]) ** 2))
        result["test_mse"] = sq_err / n
    return result


@runtime_checkable
class Monitor(Protocol):
    """What a criterion watches during one trial.

    ``solved`` says whether the criterion has been met, ``sequences`` the number of
    training sequences the paper reports for it (None until solved), ``extra`` any
    other figures of the criterion (e.g. ``sequences_st1``)."""

    solved: bool
    sequences: int | None
    extra: dict

    def horizon(self) -> int:
        """How many more training sequences (at least 1) may go by before the monitor must
        see the network; the next batch is no longer."""

    def update(self, first: int, net, batch: SequenceBatch, outputs: np.ndarray, errors: np.ndarray) -> int | None:
        """See the training sequences ``first, first + 1, ...`` (1-based) of ``batch``, their
        concatenated ``outputs`` while training and their ``errors`` (Σ_k (t_k - y_k)^2 per
        target step); ``net`` is as after the last of them.  Returns None to go on, or how
        many of them to keep when training should stop after one of them (the trial then
        retrains to there, so the network is as it was after it)."""

    def final_test(self, net) -> dict:
        """The paper's test of the trained ``net``: ``test_size``, ``test_wrong``,
        ``test_mae``, ``test_mse`` and any criterion-specific figures."""


@runtime_checkable
class Criterion(Protocol):
    def monitor(self, task: Task, test_rng: np.random.Generator, sets: Sets | None) -> Monitor:
        """A fresh monitor for one trial."""


class _Monitor:
    solved = False
    sequences = None
    #: What a trial's checkpoint does not store: the trial builds these anew (.checkpoint).
    _REBUILT = ("criterion", "task", "sets", "both")

    def __init__(self, criterion, task, test_rng, sets):
        self.criterion, self.task, self.test_rng, self.sets = criterion, task, test_rng, sets
        self.extra = {}

    def horizon(self):
        return UNBOUNDED

    def fresh(self, n):
        return self.task.sample_batch(n, self.test_rng)

    def final_test(self, net):
        return evaluate(net, self.task, self.fresh(self.criterion.test_size))


class _StreakOf(_Monitor):
    """A monitor that counts the training sequences processed correctly in a row, up to
    ``target()``; a batch can only reach it at its end (``horizon``)."""

    streak = 0

    def horizon(self):
        return self.target() - self.streak

    def extend(self, batch, outputs) -> bool:
        """Count the batch's sequences into the streak; True when it reaches the target."""
        correct = self.task.is_correct_batch(outputs, batch)
        wrong = np.flatnonzero(~correct)
        self.streak = self.streak + len(correct) if not len(wrong) else len(correct) - 1 - int(wrong[-1])
        return self.streak >= self.target()


@dataclasses.dataclass(frozen=True)
class ReberSuccess:
    """Exp 1: every symbol of every string of the training and the test set predicted
    correctly (the k most active outputs are the k legal successors).  The full check runs
    whenever ``check_after`` training presentations in a row were correct, so the reported
    count can be late by at most that many.  Needs the fixed ``sets``."""

    check_after: int = 256

    def monitor(self, task, test_rng, sets):
        if sets is None:
            raise ValueError("ReberSuccess judges the fixed training and test sets; sets must be given")
        return _ReberMonitor(self, task, test_rng, sets)


class _ReberMonitor(_StreakOf):
    def __init__(self, criterion, task, test_rng, sets):
        super().__init__(criterion, task, test_rng, sets)
        self.both = SequenceBatch.of(sets[0] + sets[1])   # packed once: the sets are fixed

    def target(self):
        return self.criterion.check_after

    def update(self, first, net, batch, outputs, errors):
        if self.extend(batch, outputs):
            self.streak = 0
            if self.task.is_correct_batch(net.forward_sequences(self.both), self.both).all():
                self.solved, self.sequences = True, first + len(batch) - 1
                return len(batch)
        return None

    def final_test(self, net):
        train, test = self.sets
        result = evaluate(net, self.task, test)
        result["train_wrong"] = evaluate(net, self.task, train, mse=False)["test_wrong"]
        return result


@dataclasses.dataclass(frozen=True)
class Streak:
    """Exp 2 (DECISIONS item 12): success once the task's ABS criterion has held on
    ``length`` successive training sequences; the reported count is the number of
    sequences seen when that streak began.  A final test on ``test_size`` fresh
    sequences confirms it."""

    length: int = 10_000
    test_size: int = 10_000

    def monitor(self, task, test_rng, sets):
        return _StreakMonitor(self, task, test_rng, sets)


class _StreakMonitor(_StreakOf):
    def target(self):
        return self.criterion.length

    def update(self, first, net, batch, outputs, errors):
        if self.extend(batch, outputs):
            last = first + len(batch) - 1
            self.solved, self.sequences = True, last - self.criterion.length + 1
            return len(batch)
        return None


@dataclasses.dataclass(frozen=True)
class TestSetStop:
    """Exp 3's ST1 and ST2 (DECISIONS item 11): every ``interval`` training sequences, a
    fresh test set of 256; ST1 when at most ``st1_wrong`` are misclassified, ST2 when ST1
    holds and the mean absolute test error is below ``st2_error``.  Training stops at ST2;
    then the fraction misclassified on ``test_size`` fresh sequences is measured."""

    __test__ = False  # not a pytest test class, despite its name

    st1_wrong: int
    st2_error: float
    interval: int = 1000
    check_size: int = 256
    test_size: int = 2560

    def monitor(self, task, test_rng, sets):
        return _TestSetMonitor(self, task, test_rng, sets)


class _TestSetMonitor(_Monitor):
    def horizon(self):
        return self.criterion.interval - self.seen % self.criterion.interval

    seen = 0

    def update(self, first, net, batch, outputs, errors):
        self.seen = n = first + len(batch) - 1
        if n % self.criterion.interval:                    # a check falls only on the batch's end
            return None
        check = evaluate(net, self.task, self.fresh(self.criterion.check_size), mse=False)
        if check["test_wrong"] <= self.criterion.st1_wrong:
            self.extra.setdefault("sequences_st1", n)
            if check["test_mae"] < self.criterion.st2_error:
                self.solved, self.sequences = True, n
                return len(batch)
        return None


@dataclasses.dataclass(frozen=True)
class RecentTraining:
    """The criteria on the ``window`` most recent training sequences.

    ST3(β) (Exps 4, 6; DECISIONS item 10): the mean of Σ_k (t_k - y_k)^2 at the sequence
    end is below ``beta`` and every one of them was processed correctly (``max_wrong=0``).
    Exp 5: fewer than ``n_seq`` of them were wrong (``beta=None, max_wrong=n_seq - 1``).
    Checked after every training sequence; then the test on ``test_size`` fresh sequences.
    """

    beta: float | None
    max_wrong: int = 0
    window: int = 2000
    test_size: int = 2560

    def monitor(self, task, test_rng, sets):
        return _RecentMonitor(self, task, test_rng, sets)


class _RecentMonitor(_Monitor):
    def __init__(self, criterion, task, test_rng, sets):
        super().__init__(criterion, task, test_rng, sets)
        self.errors = np.zeros(criterion.window)
        self.wrong = np.zeros(criterion.window, dtype=bool)

    def horizon(self):
        return self.criterion.window   # so a batch never writes a slot of the window twice

    def update(self, first, net, batch, outputs, errors):
        c = self.criterion
        wrong = ~self.task.is_correct_batch(outputs, batch)
        n = first + np.arange(len(wrong))
        # The wrong count of the window after each sequence, at once: it gains this batch's
        # and loses those that fall out of the window, which sit in the slots they overwrite.
        count = self.wrong.sum() + np.cumsum(wrong.astype(np.int64) - self.wrong[n % c.window])
        candidates = np.flatnonzero((n >= c.window) & (count <= c.max_wrong))
        done = 0
        for j in candidates.tolist():    # the window's mean as it is after sequence n[j]
            self._write(n[done:j + 1], errors[done:j + 1], wrong[done:j + 1])
            done = j + 1
            if c.beta is None or self.errors.mean() < c.beta:
                self.solved, self.sequences = True, int(n[j])
                return done
        self._write(n[done:], errors[done:], wrong[done:])
        return None

    def _write(self, n, errors, wrong):
        self.errors[n % self.criterion.window] = errors
        self.wrong[n % self.criterion.window] = wrong
