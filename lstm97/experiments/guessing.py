"""The weight-guessing study (Hochreiter & Schmidhuber 1996, seed 003): its rows and its search.

"REPEAT randomly initialize the weights and test the resulting net on a training set UNTIL
solution found."  A :class:`GuessingExperiment` names a net (:mod:`lstm97.models.recurrent`),
a task and the study's figure; a :class:`GuessingTrial` draws the training set (100
sequences, 50 of each class), then guesses in blocks, every weight uniform in [-100, 100],
judged by the compiled kernel (``lstm97._recurrent.search``) without Python per guess: a
guess stops at its first wrong training sequence and is a solution when all 100 are right
(absolute error at the end below the task's 0.1).  The solution is then tested on 100
fresh sequences.  The count reported is the number of guesses, the solution's included.

A trial's streams are those of every trial (:mod:`.seeding`): ``train`` draws the training
set, ``init`` the guesses, ``test`` the test set; so a trial's count depends on nothing
but the seed and the trial.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType

import numpy as np

from .. import tasks
from .._validation import check_int, check_real
from ..models.recurrent import RecurrentNet, RecurrentTopology, a1, a2, latch_inputs, single_unit
from ..tasks import SequenceBatch
from .criteria import evaluate
from .seeding import trial_streams

__all__ = ["GUESSING", "GuessingExperiment", "GuessingTrial", "training_set"]

#: Guesses judged per kernel call (a block is drawn at once; the stream is the same).
BLOCK = 512


@dataclasses.dataclass(frozen=True)
class GuessingExperiment:
    """One row of the guessing study: guess the weights of ``net`` until it solves ``task``.

    ``paper`` holds the study's figures: ``trials`` and ``sequences``, the mean number of
    guesses (named as the LSTM rows' mean sequences, so that runs, summaries and reports
    treat both alike).  ``max_sequences`` caps the guesses of a trial.  ``inputs`` turns
    a sequence into the net's inputs (latch variant I adds its class lines);
    ``signed_output``: the net's output is a tanh unit, read as (1 + y) / 2 against the
    task's 0/1 targets (so it is judged against 2t - 1 within twice the tolerance);
    ``n_train`` and ``n_test`` are the study's 100 and 100.  ``claim``: a row that
    measures a claim of the 1997 paper rather than a figure of the study; its ``paper``
    figure is then the LSTM row's it is set against, and no band applies.
    """

    name: str
    table: str
    title: str
    net: Callable[[], RecurrentTopology]
    task: Callable[[], tasks.Task]
    paper: Mapping
    max_sequences: int
    weight_range: float = 100.0
    inputs: Callable | None = None
    signed_output: bool = False
    n_train: int = 100
    n_test: int = 100
    claim: str | None = None
    options: tuple = ()

    def __post_init__(self):
        object.__setattr__(self, "max_sequences", check_int("max_sequences", self.max_sequences, 1))
        object.__setattr__(self, "weight_range", check_real("weight_range", self.weight_range, 0.0,
                                                             exclusive_minimum=True))
        object.__setattr__(self, "paper", dict(self.paper))

    @property
    def base(self) -> str:
        return self.name

    @property
    def trials(self) -> int:
        return self.paper["trials"]

    @property
    def topology(self) -> RecurrentTopology:
        return self.net()

    def cap(self, max_sequences: int | None = None) -> int:
        """The cap on guesses per trial: ``max_sequences``, or the experiment's."""
        return self.max_sequences if max_sequences is None else check_int("max_sequences", max_sequences, 1)

    def variant(self, **options):
        raise ValueError(f"{self.name} is a row of the guessing study, which has no variants")


def training_set(task, n, rng) -> list:
    """``n`` sequences of ``task`` from ``rng``; for a task with two classes, ``n // 2`` of
    each (the study's "50 from class 1 and 50 from class 2"), drawn by keeping the first
    ones of each class the task draws, in the order drawn."""
    n = check_int("n", n, 1)
    if getattr(task, "classes", None) is None:
        return list(task.sample_batch(n, rng).sequences)
    want = {0: n // 2, 1: n - n // 2}
    kept = []
    while any(want.values()):
        seq = task.sample(rng)
        if want[seq.label]:
            want[seq.label] -= 1
            kept.append(seq)
    return kept


@dataclasses.dataclass(frozen=True)
class _Progress:
    n: int


class GuessingTrial:
    """Trial ``trial`` of a guessing experiment in a run seeded ``seed``; ``run()`` gives
    its record, iterating it yields the guesses so far (``.n``) after each block.
    ``curve_points`` is taken, as :class:`~lstm97.experiments.Trial` takes it, and unused:
    a search has no learning curve."""

    def __init__(self, experiment: GuessingExperiment, trial: int = 0, *, seed: int = 0,
                 max_sequences: int | None = None, curve_points: int | None = None):
        self.experiment = exp = experiment
        self.trial, self.seed = int(trial), int(seed)
        self.streams = trial_streams(seed, trial)
        self.max_sequences = exp.cap(max_sequences)
        self.task = exp.task()
        self.net = RecurrentNet(exp.net())
        self.train = training_set(self.task, exp.n_train, self.streams["train"])
        packed = SequenceBatch.of(self.train)
        self._x = packed.inputs if exp.inputs is None else np.concatenate([exp.inputs(s) for s in self.train])
        self._offsets = packed.offsets
        self._targets = packed.final_targets
        self._tolerance = self.task.tolerance
        if exp.signed_output:
            self._targets, self._tolerance = 2.0 * self._targets - 1.0, 2.0 * self._tolerance
        self.n, self.found, self.best = 0, None, (-1, None)
        self._start = None

    def _inputs(self, seq):
        return self.experiment.inputs(seq) if self.experiment.inputs else seq.inputs

    @property
    def done(self) -> bool:
        return self.found is not None or self.n >= self.max_sequences

    def __iter__(self) -> Iterator[_Progress]:
        if self._start is None:
            self._start = time.perf_counter()
        net, rng = self.net, self.streams["init"]
        while not self.done:
            k = min(BLOCK, self.max_sequences - self.n)
            guesses = net.guesses(k, rng, self.experiment.weight_range)
            first, correct = net.judge(guesses, self._x, self._offsets, self._targets, self._tolerance)
            j = int(np.argmax(correct))
            if correct[j] > self.best[0]:
                self.best = (int(correct[j]), guesses[j])
            if first >= 0:
                self.found = guesses[first]
                self.n += first + 1
            else:
                self.n += k
            yield _Progress(self.n)

    def run(self, progress: Callable[[int], object] | None = None) -> dict:
        """Guess to a solution or the cap, test, and return the record: ``solved``,
        ``sequences`` (guesses to the solution, None if none within the cap),
        ``trained`` (guesses made), ``train_right`` (training sequences the solution, or
        the best guess, gets right), the test figures of that net on ``n_test`` fresh
        sequences, and ``outcome`` in words.  ``progress(n)``, if given, is called after
        each block with the guesses so far."""
        for step in self:
            if progress is not None:
                progress(step.n)
        exp = self.experiment
        self.net.set_weights(self.found if self.found is not None else self.best[1])
        result = evaluate(_Read(self), self.task, self.task.sample_batch(exp.n_test, self.streams["test"]))
        solved = self.found is not None
        outcome = (f"solved after {self.n:,} guesses" if solved
                   else f"not found within {self.max_sequences:,} guesses")
        return {"experiment": exp.name, "trial": self.trial, "seed": self.seed,
                "max_sequences": self.max_sequences, "solved": solved, "sequences": self.n if solved else None,
                "trained": self.n, "train_right": len(self.train) if solved else self.best[0],
                **result, "outcome": outcome,
                "wall_time": round(time.perf_counter() - self._start, 3), "curve": []}


class _Read:
    """A trial's net as the task sees it (its inputs made, its output read), for :func:`evaluate`."""

    def __init__(self, trial):
        self.trial = trial

    def forward_sequences(self, batch):
        t = self.trial
        out = np.concatenate([t.net.forward(t._inputs(s)) for s in batch.sequences])
        return (1.0 + out) / 2.0 if t.experiment.signed_output else out


def _registry():
    P = functools.partial
    two_sequence = P(tasks.TwoSequence, T=500, N=1, max_length=600, tolerance=0.1)
    rows = []

    def row(name, title, net, task, mean, cap=None, **kwargs):
        # A claim's figure is the LSTM row's, and the paper gives no success rate for guessing it.
        paper = {"trials": 10, "sequences": mean} if "claim" in kwargs else {"trials": 10, "success": 100, "sequences": mean}
        rows.append(GuessingExperiment(f"guess-{name}", "Guessing study", title, net, task, paper,
                                       cap or max(100_000, 20 * mean), **kwargs))

    row("2seq-A2", "2-sequence problem (N = 1, lengths 500-600), A2", a2, two_sequence, 718)
    row("2seq-A1", "2-sequence problem (N = 1, lengths 500-600), A1 with n = 1", P(a1, 1), two_sequence, 1_247)
    row("2seq-3param", "2-sequence problem (N = 1, lengths 500-600), one tanh unit with 3 weights",
        P(single_unit, "tanh"), two_sequence, 22, signed_output=True)
    row("parity-A1", "Parity (lengths 500-600), A1 with n = 1", P(a1, 1), tasks.Parity, 2_906)
    row("parity-A2", "Parity (lengths 500-600), A2", a2, tasks.Parity, 2_797)
    row("parity-A2-noself", "Parity (lengths 500-600), A2 without hidden self-connections",
        P(a2, self_connections=False), tasks.Parity, 250)
    for grammar, (n, mean_a1), mean_a2 in [(1, (1, 182), 288), (2, (3, 1_511), 17_953), (4, (2, 13_833), 35_610)]:
        task = P(tasks.Tomita, grammar=grammar)
        row(f"tomita{grammar}-A1", f"Tomita #{grammar} (lengths 500-600), A1 with n = {n}", P(a1, n), task, mean_a1)
        row(f"tomita{grammar}-A2", f"Tomita #{grammar} (lengths 500-600), A2", a2, task, mean_a2)
    row("latch-I", "Latch, variant I: one tanh unit's self-weight and the two initial inputs",
        P(single_unit, "tanh", input_weight=False, bias=False, class_inputs=True),
        P(tasks.Latch, variant="I"), 6, inputs=latch_inputs)
    row("latch-II", "Latch, variant II: one tanh unit with self, input and bias weights",
        P(single_unit, "tanh"), P(tasks.Latch, variant="II"), 22)
    # The 1997 paper's own claims (section 5.3: 3a "can be solved quickly by random weight
    # guessing"; the study: the adding problem cannot be solved by guessing in reasonable
    # time), each set against its LSTM row.
    row("3a-T100-A2", "2-sequence problem 3a (T = 100, N = 3) by guessing A2, against LSTM's 39,850 sequences",
        a2, P(tasks.TwoSequence, T=100, N=3, tolerance=0.1), 39_850,
        claim="1997, section 5.3: 3a is solved quickly by random weight guessing (beside ours: LSTM's "
              "mean training sequences, Table 4)")
    row("adding-T100-A1", "Adding problem (T = 100) by guessing A1 (n = 5, 2 inputs), against LSTM's 74,000 sequences",
        P(a1, 5, n_inputs=2), P(tasks.Adding, T=100), 74_000, cap=100_000,
        claim="the study: guessing does not solve the adding problem in reasonable time (beside ours: "
              "LSTM's mean training sequences, Table 7)")
    return MappingProxyType({e.name: e for e in rows})


#: Every row of the guessing study, by name (read-only).
GUESSING: Mapping[str, GuessingExperiment] = _registry()
