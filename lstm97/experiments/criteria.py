"""The paper's stop criteria (Table 11), behind one protocol.

A criterion is a frozen description of a rule.  ``criterion.monitor(task, test_rng, sets)``
gives the per-trial :class:`Monitor` that sees every training sequence through
``update(n, net, sequence, outputs, error)`` and says when to stop; ``final_test(net)``
then runs the paper's test.  Every criterion takes the same arguments: ``sets`` is the
pair (training set, test set) of a task trained on fixed sets (Exp 1) and ``None`` for a
task drawn online; ``test_rng`` draws fresh test sequences.
"""

from __future__ import annotations

import dataclasses
from typing import Protocol, runtime_checkable

import numpy as np

from ..tasks import Task, TaskSequence

__all__ = ["Criterion", "Monitor", "ReberSuccess", "RecentTraining", "Streak", "TestSetStop", "evaluate"]

Sets = tuple[list[TaskSequence], list[TaskSequence]]


def evaluate(net, task: Task, sequences) -> dict:
    """The paper's test on ``sequences``: number wrong, mean absolute error (against the
    criterion targets, so the noise-free target in 3c) and mean squared error."""
    wrong, abs_err, sq_err = 0, 0.0, 0.0
    steps = slice(None) if task.criterion_steps == "all" else slice(-1, None)
    for seq in sequences:
        out = net.forward(seq.inputs)
        wrong += not task.is_correct(out, seq)
        abs_err += task.abs_error(out, seq)
        sq_err += float(np.mean((out[steps] - seq.criterion_targets[steps]) ** 2))
    n = len(sequences)
    return {"test_size": n, "test_wrong": wrong, "test_mae": abs_err / n, "test_mse": sq_err / n}


@runtime_checkable
class Monitor(Protocol):
    """What a criterion watches during one trial.

    ``solved`` says whether the criterion has been met, ``sequences`` the number of
    training sequences the paper reports for it (None until solved), ``extra`` any
    other figures of the criterion (e.g. ``sequences_st1``)."""

    solved: bool
    sequences: int | None
    extra: dict

    def update(self, n: int, net, sequence: TaskSequence, outputs: np.ndarray, error: float) -> bool:
        """See training sequence ``n`` (1-based), its ``outputs`` while training and its
        ``error`` (Σ_k (t_k - y_k)^2 per target step); True when training should stop."""

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

    def __init__(self, criterion, task, test_rng, sets):
        self.criterion, self.task, self.test_rng, self.sets = criterion, task, test_rng, sets
        self.extra = {}

    def fresh(self, n):
        return [self.task.sample(self.test_rng) for _ in range(n)]

    def final_test(self, net):
        return evaluate(net, self.task, self.fresh(self.criterion.test_size))


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


class _ReberMonitor(_Monitor):
    streak = 0

    def update(self, n, net, seq, outputs, error):
        self.streak = self.streak + 1 if self.task.is_correct(outputs, seq) else 0
        if self.streak >= self.criterion.check_after:
            self.streak = 0
            train, test = self.sets
            if all(self.task.is_correct(net.forward(s.inputs), s) for s in train + test):
                self.solved, self.sequences = True, n
        return self.solved

    def final_test(self, net):
        train, test = self.sets
        result = evaluate(net, self.task, test)
        result["train_wrong"] = evaluate(net, self.task, train)["test_wrong"]
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


class _StreakMonitor(_Monitor):
    streak = 0

    def update(self, n, net, seq, outputs, error):
        if self.task.is_correct(outputs, seq):
            self.streak += 1
            if self.streak == self.criterion.length:
                self.solved, self.sequences = True, n - self.criterion.length + 1
        else:
            self.streak = 0
        return self.solved


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
    def update(self, n, net, seq, outputs, error):
        if n % self.criterion.interval:
            return False
        check = evaluate(net, self.task, self.fresh(self.criterion.check_size))
        if check["test_wrong"] <= self.criterion.st1_wrong:
            self.extra.setdefault("sequences_st1", n)
            if check["test_mae"] < self.criterion.st2_error:
                self.solved, self.sequences = True, n
        return self.solved


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

    def update(self, n, net, seq, outputs, error):
        i = n % self.criterion.window
        self.errors[i] = error
        self.wrong[i] = not self.task.is_correct(outputs, seq)
        if n < self.criterion.window or self.wrong.sum() > self.criterion.max_wrong:
            return False
        beta = self.criterion.beta
        if beta is None or self.errors.mean() < beta:
            self.solved, self.sequences = True, n
        return self.solved
