"""The paper's experiments: every LSTM row of Tables 1-9 with its stop criterion, and one trial.

An :class:`Experiment` holds what the paper fixes for a row: the Table 10 architecture and
learning rate, the task, the stop criterion and test of Table 11, the number of trials,
and the figures the paper reports.  :func:`run_trial` trains one freshly initialised
network online, one sequence at a time, until the criterion holds or the cap is reached,
then runs the paper's test.  Trial ``i`` of a run seeded ``seed`` draws everything from
``SeedSequence(seed, spawn_key=(i,))``, so its result does not depend on which process
runs it or when.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import time
from collections.abc import Callable

import numpy as np

from . import tasks
from ._validation import check_choice, check_int
from .architectures import TABLE10, Table10Row
from .network import LSTM

__all__ = ["EXPERIMENTS", "Experiment", "get_experiment", "run_trial"]


# ------------------------------------------------------------------------------ stop criteria
#
# A criterion is a frozen description; ``monitor()`` gives the per-trial state that sees
# every training sequence and says when to stop.  Monitors record ``solved``, the reported
# number of training sequences ``sequences``, and any extra figures in ``extra``.

def evaluate(net, task, sequences):
    """The paper's test on ``sequences``: number wrong, mean absolute error (against the
    criterion targets, so the noise-free target in 3c) and mean squared error."""
    wrong, abs_err, sq_err = 0, 0.0, 0.0
    for seq in sequences:
        out = net.forward(seq.inputs)
        wrong += not task.is_correct(out, seq)
        abs_err += task.abs_error(out, seq)
        steps = slice(None) if task.criterion_steps == "all" else slice(-1, None)
        sq_err += float(np.mean((out[steps] - seq.criterion_targets[steps]) ** 2))
    n = len(sequences)
    return {"test_size": n, "test_wrong": wrong, "test_mae": abs_err / n, "test_mse": sq_err / n}


class _Monitor:
    solved = False
    sequences = None

    def __init__(self, criterion, task, test_rng):
        self.criterion, self.task, self.test_rng = criterion, task, test_rng
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
    count can be late by at most that many."""

    check_after: int = 256

    def monitor(self, task, test_rng, train, test):
        return _ReberMonitor(self, task, test_rng, train, test)


class _ReberMonitor(_Monitor):
    def __init__(self, criterion, task, test_rng, train, test):
        super().__init__(criterion, task, test_rng)
        self.train, self.test, self.streak = train, test, 0

    def update(self, n, net, seq, outputs, error):
        self.streak = self.streak + 1 if self.task.is_correct(outputs, seq) else 0
        if self.streak >= self.criterion.check_after:
            self.streak = 0
            if all(self.task.is_correct(net.forward(s.inputs), s) for s in self.train + self.test):
                self.solved, self.sequences = True, n
        return self.solved

    def final_test(self, net):
        result = evaluate(net, self.task, self.test)
        result["train_wrong"] = evaluate(net, self.task, self.train)["test_wrong"]
        return result


@dataclasses.dataclass(frozen=True)
class Streak:
    """Exp 2 (DECISIONS item 12): success once the task's ABS criterion has held on
    ``length`` successive training sequences; the reported count is the number of
    sequences seen when that streak began.  A final test on ``test_size`` fresh
    sequences confirms it."""

    length: int = 10_000
    test_size: int = 10_000

    def monitor(self, task, test_rng):
        return _StreakMonitor(self, task, test_rng)


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

    st1_wrong: int
    st2_error: float
    interval: int = 1000
    check_size: int = 256
    test_size: int = 2560

    def monitor(self, task, test_rng):
        return _TestSetMonitor(self, task, test_rng)


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

    def monitor(self, task, test_rng):
        return _RecentMonitor(self, task, test_rng)


class _RecentMonitor(_Monitor):
    def __init__(self, criterion, task, test_rng):
        super().__init__(criterion, task, test_rng)
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


# ------------------------------------------------------------------------------ the registry

@dataclasses.dataclass(frozen=True)
class Experiment:
    """One LSTM row of the paper's results tables.

    ``paper`` holds the reported figures: ``trials``, ``success`` (% of successful trials),
    ``sequences`` (mean number of training sequences until the criterion), and per table
    ``sequences_st1``, ``misclassified`` (fraction), ``test_wrong`` (of 2560), ``test_mse``,
    ``avg_difference``.  ``max_sequences`` caps training (the paper stops Exp 2 after 5
    million; elsewhere lstm97 stops at about ten times the paper's mean).
    """

    name: str
    table: str
    title: str
    row: str
    task: Callable[[], tasks.Task]
    criterion: object
    paper: dict
    max_sequences: int

    @property
    def table10(self) -> Table10Row:
        return TABLE10[self.row]

    @property
    def learning_rate(self) -> float:
        return self.table10.learning_rate

    @property
    def trials(self) -> int:
        return self.paper["trials"]


def _cap(mean):
    return int(max(100_000, 10 * mean))


def _registry():
    P = functools.partial
    rows = []
    for (blocks, lr, row, success, mean) in [
            ("4x1", 0.1, "1-1", 100, 39_740), ("3x2", 0.1, "1-2", 100, 21_730),
            ("3x2", 0.2, "1-3", 97, 14_060), ("4x1", 0.5, "1-4", 97, 9_500),
            ("3x2", 0.5, "1-5", 100, 8_440)]:
        rows.append(Experiment(
            f"reber-{blocks}-lr{lr}", "Table 1", f"Embedded Reber grammar, {blocks} blocks, lr {lr}",
            row, tasks.EmbeddedReber, ReberSuccess(),
            {"trials": 30, "success": success, "sequences": mean}, _cap(mean)))
    rows.append(Experiment(
        "2a-p100", "Table 2", "Noise-free sequences with long time lags, p = 100", "2a",
        P(tasks.LongTimeLag, p=100, variant="2a"), Streak(),
        {"trials": 18, "success": 100, "sequences": 5_040}, 5_000_000))
    rows.append(Experiment(
        "2b-p100", "Section 5.2", "No local regularities, p = 100 (reported in the text)", "2b",
        P(tasks.LongTimeLag, p=100, variant="2b"), Streak(),
        {"trials": 18, "success": 100, "sequences": 5_680}, 5_000_000))
    for i, (q, p, mean) in enumerate([
            (50, 50, 30_000), (100, 100, 31_000), (200, 200, 33_000), (500, 500, 38_000),
            (1000, 1000, 49_000), (1000, 500, 49_000), (1000, 200, 75_000),
            (1000, 100, 135_000), (1000, 50, 203_000)]):
        rows.append(Experiment(
            f"2c-q{q}-p{p}", "Table 3", f"Very long time lags, q = {q}, p = {p}", f"2c-{i + 1}",
            P(tasks.VeryLongTimeLag, p=p, q=q), Streak(),
            {"trials": 20, "sequences": mean}, 5_000_000))
    exp3 = [("3a", "Table 4", TestSetStop(0, 0.01), [
                (100, 3, 27_380, 39_850, 0.000195), (100, 1, 58_370, 64_330, 0.000117),
                (1000, 3, 446_850, 452_460, 0.000078)]),
            ("3b", "Table 5", TestSetStop(5, 0.04), [
                (100, 3, 41_740, 43_250, 0.00828), (100, 1, 74_950, 78_430, 0.01500),
                (1000, 1, 481_060, 485_080, 0.01207)])]
    for variant, table, criterion, cases in exp3:
        for T, N, st1, st2, misclassified in cases:
            rows.append(Experiment(
                f"{variant}-T{T}-N{N}", table, f"2-sequence problem {variant}, T = {T}, N = {N}",
                variant, P(tasks.TwoSequence, T=T, N=N, variant=variant), criterion,
                {"trials": 10, "success": 100, "sequences_st1": st1, "sequences": st2,
                 "misclassified": misclassified}, _cap(st2)))
    for N, mean, misclassified, diff in [(3, 269_650, 0.00558, 0.014), (1, 565_640, 0.00441, 0.012)]:
        rows.append(Experiment(
            f"3c-T100-N{N}", "Table 6", f"2-sequence problem 3c (noisy targets), T = 100, N = {N}",
            "3c", P(tasks.TwoSequence, T=100, N=N, variant="3c"), TestSetStop(0, 0.015),
            {"trials": 10, "success": 100, "sequences": mean, "misclassified": misclassified,
             "avg_difference": diff}, _cap(mean)))
    for T, row, wrong, mean in [(100, "4-1", 1, 74_000), (500, "4-2", 0, 209_000),
                                (1000, "4-3", 1, 853_000)]:
        rows.append(Experiment(
            f"adding-T{T}", "Table 7", f"Adding problem, T = {T}", row, P(tasks.Adding, T=T),
            RecentTraining(beta=0.01), {"trials": 10, "success": 100, "sequences": mean,
                                        "test_wrong": wrong}, _cap(mean)))
    for n_seq, wrong, mse, mean in [(140, 139, 0.0223, 482_000), (13, 14, 0.0139, 1_273_000)]:
        rows.append(Experiment(
            f"multiplication-nseq{n_seq}", "Table 8", f"Multiplication problem, T = 100, n_seq = {n_seq}",
            "5", P(tasks.Multiplication, T=100), RecentTraining(beta=None, max_wrong=n_seq - 1),
            {"trials": 10, "success": 100, "sequences": mean, "test_wrong": wrong, "test_mse": mse},
            _cap(mean)))
    for variant, trials, wrong, mean in [("6a", 20, 1, 31_390), ("6b", 10, 2, 571_100)]:
        rows.append(Experiment(
            f"temporal-order-{variant}", "Table 9", f"Temporal order, task {variant}", variant,
            P(tasks.TemporalOrder, variant), RecentTraining(beta=0.1),
            {"trials": trials, "success": 100, "sequences": mean, "test_wrong": wrong}, _cap(mean)))
    return {e.name: e for e in rows}


#: Every experiment, by name, in the paper's order.
EXPERIMENTS: dict[str, Experiment] = _registry()


def get_experiment(name: str) -> Experiment:
    """The experiment called ``name``; an unknown name raises ``ValueError`` with the close matches."""
    try:
        return EXPERIMENTS[name]
    except KeyError:
        close = difflib.get_close_matches(name, EXPERIMENTS, n=4, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else "; `lstm97 list` shows them all"
        raise ValueError(f"unknown experiment {name!r}{hint}") from None


# ------------------------------------------------------------------------------ sequential construction

class _SequentialConstruction:
    """Exps 2a/2b as the paper ran them (section 4; DECISIONS item 13): "memory cell and
    input gate are added once the error has stopped decreasing".  Until then the cells'
    outgoing weights are held at 0, so they neither affect the outputs nor receive error
    (exactly so with ``update="sequence"``, where weights are constant within a
    sequence).  The error has stopped decreasing when the mean training error of
    ``window`` sequences has not fallen below 0.99 times the best earlier mean for
    ``patience`` windows in a row, or, if ``at`` is given, after training sequence ``at``
    (the paper does not say how it detected the stall); then the cells' incoming,
    input-gate and outgoing weights are drawn afresh in the initialisation range."""

    window = 500
    patience = 2

    def __init__(self, net, rng, at=None):
        self.net, self.rng, self.at = net, rng, at
        top = net.topology
        first_cell = top.n_inputs + 1 + top.n_units - top.n_cells
        self.cells = slice(first_cell, first_cell + top.n_cells)
        self.added_at = None
        self.best, self.stale, self.total = np.inf, 0, 0.0
        self._hold()

    def _hold(self):
        w = self.net.get_weights()["output"]
        w[:, self.cells] = 0.0
        self.net.set_weights({"output": w})

    def after(self, n, error):
        if self.added_at is not None:
            return
        self._hold()
        if self.at is not None:
            if n >= self.at:
                self._add(n)
            return
        self.total += error
        if n % self.window:
            return
        mean, self.total = self.total / self.window, 0.0
        if mean < 0.99 * self.best:
            self.best, self.stale = mean, 0
            return
        self.stale += 1
        if self.stale >= self.patience:
            self._add(n)

    def _add(self, n):
        self.added_at = n
        weights, masks = self.net.get_weights(), self.net.masks
        r = self.net.topology.init_range
        fresh = {g: np.where(masks[g], self.rng.uniform(-r, r, weights[g].shape), 0.0)
                 for g in ("input_gate", "cell")}
        out = weights["output"]
        out[:, self.cells] = self.rng.uniform(-r, r, out[:, self.cells].shape)
        self.net.set_weights({**fresh, "output": out})


CONSTRUCTIONS = ("present", "sequential")


# ------------------------------------------------------------------------------ one trial

def trial_seeds(seed: int, trial: int):
    """The three independent streams of trial ``trial``: initial weights, training
    sequences, test sequences."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed, spawn_key=(trial,)).spawn(3)]


def reber_sets(task, seed: int, trial: int):
    """Exp 1's (training set, test set) for trial ``trial``: 3 random pairs, 10 trials
    each (section 5.1), so trials 0-9 share the first pair."""
    pair = np.random.SeedSequence(seed, spawn_key=(trial // 10, 1))
    return task.train_test_sets(rng=np.random.default_rng(pair))


def run_trial(name: str, trial: int, seed: int = 0, max_sequences: int | None = None,
              update: str = "sequence", construction: str = "present",
              cell_at: int | None = None, curve_points: int = 100) -> dict:
    """Train and test one network for experiment ``name``; a JSON-able record.

    ``update`` is the weight-update mode of :meth:`LSTM.train_sequence` (DECISIONS item 4);
    it matters only where targets come at every step (Exps 1, 2a, 2b).  ``construction``
    is ``"present"`` (the cells are there from the start, the default) or ``"sequential"``
    (added once the error stops decreasing, as the paper did in Exps 2a/2b, or after
    training sequence ``cell_at`` if that is given; the record's ``cell_added_at`` says when).

    The record holds the experiment, trial, seed, cap, update mode and construction;
    ``solved``; ``sequences`` (the paper's "success after", None when unsolved) and any
    criterion figures (e.g. ``sequences_st1``); ``trained`` (sequences actually trained
    on); the test figures
    (``test_size``, ``test_wrong``, ``test_mae``, ``test_mse``; Exp 1 also ``train_wrong``);
    ``wall_time`` in seconds; ``error`` if training blew up; and ``curve``, pairs of
    (sequences, mean over the preceding ones of Σ_k (t_k - y_k)^2 per target step).
    """
    exp = get_experiment(name)
    cap = exp.max_sequences if max_sequences is None else int(max_sequences)
    check_choice("construction", construction, CONSTRUCTIONS)
    if cell_at is not None:
        if construction != "sequential":
            raise ValueError(f"cell_at applies only to construction='sequential', not {construction!r}")
        cell_at = check_int("cell_at", cell_at, 1)
    init_rng, train_rng, test_rng = trial_seeds(seed, trial)
    task = exp.task()
    net = LSTM(exp.table10.topology, rng=init_rng)
    if isinstance(exp.criterion, ReberSuccess):
        train, test = reber_sets(task, seed, trial)
        monitor = exp.criterion.monitor(task, test_rng, train, test)
        draw = lambda: train[train_rng.integers(len(train))]  # noqa: E731
    else:
        monitor = exp.criterion.monitor(task, test_rng)
        draw = lambda: task.sample(train_rng)  # noqa: E731
    every = max(1, cap // curve_points)
    curve, window = [], 0.0
    record = {"experiment": name, "trial": trial, "seed": seed, "max_sequences": cap, "update": update,
              "construction": construction}
    if cell_at is not None:
        record["cell_at"] = cell_at
    builder = _SequentialConstruction(net, init_rng, cell_at) if construction == "sequential" else None
    start = time.perf_counter()
    n = 0
    try:
        for n in range(1, cap + 1):
            seq = draw()
            error, outputs = net.train_sequence(*seq, learning_rate=exp.learning_rate,
                                                update=update, return_outputs=True)
            error = 2.0 * error / np.count_nonzero(seq.target_mask)
            window += error
            if n % every == 0:
                curve.append([n, window / every])
                window = 0.0
            if builder is not None:
                builder.after(n, error)
            if monitor.update(n, net, seq, outputs, error):
                break
    except FloatingPointError as exc:
        record["error"] = str(exc)
    record.update(solved=monitor.solved, sequences=monitor.sequences, trained=n, **monitor.extra)
    if builder is not None:
        record["cell_added_at"] = builder.added_at
    record.update(monitor.final_test(net))
    record.update(wall_time=round(time.perf_counter() - start, 3), curve=curve)
    return record
