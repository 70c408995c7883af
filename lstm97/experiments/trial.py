"""One trial: a freshly initialised network trained online to the stop criterion, then tested.

A :class:`Trial` is built from an experiment (a value, or a name) and a trial index, and owns
everything the trial draws or decides: its random streams (:mod:`.seeding`), the network, the
task, the training draw, the stop criterion's monitor and the construction schedule.
Iterating it trains one sequence per step and yields what an observer needs; ``run()``
trains to the end and returns the record that ``lstm97 run`` stores.  The same experiment,
trial and seed give the same object with the same streams, so a trial retrained for an
investigation is the trial that ``lstm97 run`` ran.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable, Collection, Iterable, Iterator

import numpy as np

from .._lockstep import LANES
from .._validation import check_choice, check_int
from ..models import LSTM, RecurrentNet
from ..models.lstm import train_in_lanes
from ..tasks import SequenceBatch, TaskSequence
from .construction import SequentialConstruction
from .guessing import GuessingExperiment, GuessingTrial
from .registry import Experiment, get_experiment
from .seeding import stream, trial_streams

__all__ = ["Step", "Trial", "lockstep_rows", "make_trial", "run_in_lanes", "run_trial"]

#: The longest batch of training sequences one core call trains.
BATCH = 256



@dataclasses.dataclass(frozen=True)
class Step:
    """What one training sequence did: its number ``n`` (1-based), the ``sequence``, its
    ``error`` (Σ_k (t_k - y_k)^2 per target step, from the outputs while training), those
    ``outputs`` (at the steps with a target), the ``cell_states`` at its end (before the
    criterion runs any test sequence through the net; None for a competitor's net) and
    the ``net`` after its update."""

    n: int
    sequence: TaskSequence
    error: float
    outputs: np.ndarray
    cell_states: np.ndarray | None
    net: LSTM | RecurrentNet


class Trial:
    """Trial ``trial`` of ``experiment`` in a run seeded ``seed``.

    Parameters
    ----------
    experiment : Experiment or str
        The experiment, or its name (a variant's name too, see
        :func:`~lstm97.experiments.get_experiment`).
    trial : int
        The trial's index; with ``seed`` it fixes every stream (:mod:`.seeding`).
    seed : int, default 0
        The run's root seed.
    max_sequences : int, optional
        Cap on training sequences; the experiment's by default.
    curve_points : int, default 100
        About how many points the learning curve gets over the cap.
    skip_updates : collection of int, optional
        Training sequences that are only read (forward, for the criterion) and whose
        weight update is left out: an ablation, for investigations.

    Attributes
    ----------
    net : LSTM or RecurrentNet
        The network being trained (a competitor's row trains a
        :class:`~lstm97.models.recurrent.RecurrentNet` with its learner).
    task, sets, monitor
        The task; the fixed (training set, test set) of Exp 1, or None; the criterion's
        monitor (see :mod:`.criteria`).
    n : int
        Training sequences seen so far.
    """

    #: What a checkpoint does not store (:mod:`.checkpoint`): built anew from the experiment,
    #: trial and seed, or stored on their own (the streams, the net's weights, the monitor,
    #: the construction, the time trained).
    _REBUILT = ("experiment", "streams", "skip_updates", "task", "net", "sets", "monitor", "construction",
                "_train_batch", "_start")

    def __init__(self, experiment: Experiment | str, trial: int = 0, *, seed: int = 0,
                 max_sequences: int | None = None, curve_points: int = 100,
                 skip_updates: Collection[int] = ()):
        self.experiment = exp = get_experiment(experiment)
        self.streams = trial_streams(seed, trial)
        self.trial, self.seed = int(trial), int(seed)
        self.max_sequences = exp.cap(max_sequences)
        self._every = max(1, self.max_sequences // check_int("curve_points", curve_points, 1))
        if not isinstance(skip_updates, Collection) or isinstance(skip_updates, (str, bytes)):
            raise TypeError(f"skip_updates must be a collection of sequence numbers, got {skip_updates!r}")
        if len(skip_updates) > self.max_sequences:
            raise ValueError(f"skip_updates names {len(skip_updates):,} sequences, more than the cap "
                             f"({self.max_sequences:,})")
        self.skip_updates = frozenset(check_int("skip_updates[]", n, 1) for n in skip_updates)
        self.task = exp.task()
        self.net = exp.network(self.streams["init"])
        self.sets = None
        if exp.fixed_sets is not None:
            first = exp.fixed_sets * (self.trial // exp.fixed_sets)
            self.sets = self.task.train_test_sets(rng=stream(self.seed, first, "shared"))
        self.monitor = exp.criterion.monitor(self.task, self.streams["test"], self.sets)
        self.construction = (SequentialConstruction(self.net, self.streams["init"], exp.cell_at)
                             if exp.construction == "sequential" else None)
        self.n = 0
        self.curve: list[list[float]] = []
        self.failure: str | None = None
        self._window = 0.0
        self._start = None
        self._train_batch = None
        self._states = None

    @property
    def done(self) -> bool:
        """The criterion is met, the cap reached, or training blew up."""
        return self.monitor.solved or self.failure is not None or self.n >= self.max_sequences

    def draw(self) -> TaskSequence:
        """The next training sequence: a string of the fixed training set (Exp 1), or a
        fresh sequence of the task."""
        return self._draw(1).sequences[0]

    def _draw(self, k) -> SequenceBatch:
        """The next ``k`` training sequences, as ``k`` calls of :meth:`draw` would give them
        (the set's indices drawn at once are the ones drawn one at a time)."""
        rng = self.streams["train"]
        if self.sets is not None:
            if self._train_batch is None:
                self._train_batch = SequenceBatch.of(self.sets[0])
            return self._train_batch.take(rng.integers(len(self.sets[0]), size=k))
        return self.task.sample_batch(k, rng)

    def _horizon(self) -> int:
        """How many sequences the next batch may hold: as many as can go by before the
        criterion must see the net, the next skipped update or the cap; one while a
        sequential construction holds the cells' weights after every sequence."""
        if self.construction is not None and self.construction.added_at is None:
            return 1
        k = min(self.monitor.horizon(), self.max_sequences - self.n, BATCH)
        later = [m for m in self.skip_updates if m > self.n]
        return min(k, max(1, min(later) - self.n - 1)) if later else k

    def _advance(self, k) -> tuple[SequenceBatch, np.ndarray, np.ndarray] | None:
        """Train the next ``k`` sequences (one core call) as ``k`` single steps of the trial
        would; what they did, or None when a numeric blow-up ended the trial at the first."""
        first, batch, start = self._begin(k)
        if first in self.skip_updates:                     # then k is 1
            seq = batch.sequences[0]
            _, error = self.net.gradient(*seq)
            trained = np.array([error]), self.net.forward(seq.inputs), None
        else:
            trained = self._train(batch, return_outputs=True)
        return self._finish(first, batch, start, *trained)

    @property
    def in_lanes(self) -> bool:
        """Whether the trial can train in lockstep with others of its experiment
        (:func:`run_in_lanes`): one of :func:`lockstep_rows`, without skipped updates."""
        return lockstep_rows(self.experiment) and not self.skip_updates

    def _begin(self, k) -> tuple[int, SequenceBatch, dict | None]:
        """The start of :meth:`_advance`: the first sequence's number, the batch of ``k``
        and the weights before it (for retraining to a stop inside the batch)."""
        return self.n + 1, self._draw(k), self.net.get_weights() if k > 1 else None

    def _train(self, batch, return_outputs):
        """The core call of :meth:`_advance`: ``(errors, outputs, blow_up)``."""
        exp = self.experiment
        return self.net._train_until_blow_up(batch, learning_rate=exp.learning_rate, update=exp.update,
                                             return_outputs=return_outputs)

    def _finish(self, first, batch, start, errors, outputs, blow_up):
        """The rest of :meth:`_advance`, once the batch from :meth:`_begin` has trained
        (here, or in lanes) with this result."""
        exp, net, k = self.experiment, self.net, len(batch.offsets) - 1
        if blow_up is not None:
            self.failure = str(blow_up)
            if blow_up.sequence == 0:
                self.n += 1
                return None
            k = blow_up.sequence                           # the ones before it trained
            batch = batch.take(np.arange(k))
            outputs = outputs[:batch.offsets[-1]]
        # Before the criterion runs any test sequence through the net (a Step shows them).
        self._states = net.cell_states if k == 1 and exp.is_lstm else None
        errors = 2.0 * errors / np.add.reduceat(batch.target_mask, batch.offsets[:-1])
        if self.construction is not None:                  # k is 1 while it holds
            self.construction.after(first, float(errors[0]))
        stop = self.monitor.update(first, net, batch, outputs, errors)
        if stop is not None:
            self.failure = None                            # it stopped before any blow-up
            if stop < k:                                   # inside the batch: retrain to there
                net.set_weights(start)
                k, batch = stop, batch.take(np.arange(stop))
                errors, outputs = errors[:stop], outputs[:batch.offsets[-1]]
                self._train(batch, return_outputs=False)
        elif blow_up is not None:
            self.n += 1                                    # the sequence that failed counts
        self._track(first, errors)
        self.n += k
        return batch, errors, outputs

    def _track(self, first, errors):
        """Add the sequences' errors to the learning curve."""
        n = first + np.arange(len(errors))
        ends = np.flatnonzero(n % self._every == 0)
        start = 0
        for j in ends:                   # sums in sequence order, as one at a time would
            self.curve.append([int(n[j]), float(np.cumsum(np.r_[self._window, errors[start:j + 1]])[-1]) / self._every])
            self._window, start = 0.0, j + 1
        if start < len(errors):
            self._window = float(np.cumsum(np.r_[self._window, errors[start:]])[-1])

    def __iter__(self) -> Iterator[Step]:
        """Train one sequence per step until :attr:`done`; a numeric blow-up ends the
        trial and is kept in :attr:`failure`."""
        if self._start is None:
            self._start = time.perf_counter()
        while not self.done:
            done = self._advance(1)
            if done is None or self.failure is not None:
                return
            batch, errors, outputs = done
            yield Step(self.n, batch.sequences[0], float(errors[0]), outputs, self._states, self.net)

    def run(self, progress: Callable[[int], object] | None = None) -> dict:
        """Train to the end (from wherever iteration left off), run the paper's test and
        return the record; see :func:`run_trial` for its fields.  The sequences are trained
        in batches (one core call each), with the same result as iterating;
        ``progress(n)``, if given, is called after each batch with the sequences so far."""
        if self._start is None:
            self._start = time.perf_counter()
        while not self.done:
            self._advance(self._horizon())
            if progress is not None:
                progress(self.n)
        exp = self.experiment
        record = {"experiment": exp.name, "trial": self.trial, "seed": self.seed,
                  "max_sequences": self.max_sequences, "update": exp.update,
                  "construction": exp.construction}
        if exp.cell_at is not None:
            record["cell_at"] = exp.cell_at
        if exp.options:
            record["set"] = dict(exp.options)
        if self.skip_updates:
            record["skip_updates"] = sorted(self.skip_updates)
        if self.failure is not None:
            record["error"] = self.failure
        monitor = self.monitor
        record.update(solved=monitor.solved, sequences=monitor.sequences, trained=self.n, **monitor.extra)
        if self.construction is not None:
            record["cell_added_at"] = self.construction.added_at
        record.update(monitor.final_test(self.net))
        record.update(wall_time=round(time.perf_counter() - self._start, 3), curve=self.curve)
        return record


def lockstep_rows(experiment) -> bool:
    """Whether the trials of ``experiment`` (a value) can train in lockstep: an LSTM row whose
    every batch is one core call on the trial's own net, so not a competitor's row, a
    guessing row, or a sequential construction (which changes the net between sequences)."""
    return (isinstance(experiment, Experiment) and experiment.is_lstm
            and experiment.construction != "sequential")


def run_in_lanes(trials: Iterable[Trial], n_lanes: int, *,
                 progress: Callable[[int, int], object] | None = None,
                 at_once: int | None = None) -> Iterator[dict]:
    """Run ``trials`` (of one experiment, taken from the iterable as lanes free up), up to
    ``n_lanes`` (one of :data:`lstm97._lockstep.LANES`) at a time in lockstep, and yield
    each one's record as it ends, in the order they end.

    Each round, every trial in a lane draws its next batch as :meth:`Trial.run` does (as many
    sequences as its :meth:`~Trial._horizon` allows), the lanes train all of them in one
    call (:func:`lstm97.models.lstm.train_in_lanes`: each net bit for bit as its own core
    call would train it), and each trial then takes in what its batch did as
    :meth:`~Trial._advance` does (criterion, retraining to a stop, learning curve).  A trial
    that is done leaves its lane to the next one.  So every record is the one
    :meth:`Trial.run` gives, but for ``wall_time``.  ``progress(trial, n)``, if given, is
    called after each round with each trial's index and sequences so far.

    Once ``trials`` has no more, the lanes shrink to the fewest of :data:`LANES` that hold the
    trials left (a round costs the same for an idle lane as for a busy one), and the last
    trial trains on alone, in the scalar core, which takes less time a step than a kernel of
    4 lanes with 3 idle: the records stay the same (each lane is its trial's scalar core,
    bit for bit).

    ``at_once``, if given, is the most trials taken from ``trials`` at a time (``n_lanes`` by
    default): a process's share of a run's trials, so that the first process to ask does
    not take trials that another core would train (:func:`.pool.map_trials`); the lanes are
    then the fewest of :data:`LANES` that hold that many (with 1, each trial trains alone).
    """
    check_choice("n_lanes", n_lanes, LANES)
    at_once = n_lanes if at_once is None else min(check_int("at_once", at_once, 1), n_lanes)
    pending, active, lanes, more = iter(trials), [], None, True
    while True:
        for trial in [t for t in active if t.done]:
            active.remove(trial)
            yield trial.run()
        while more and len(active) < at_once:
            if (trial := next(pending, None)) is None:
                more = False
                break
            if not isinstance(trial, Trial) or not trial.in_lanes:
                raise ValueError(f"{trial!r} cannot train in lanes: only a Trial of an LSTM row without "
                                 "sequential construction or skipped updates can")
            if active and trial.experiment != active[0].experiment:
                raise ValueError(f"trials of {trial.experiment.name} and {active[0].experiment.name} "
                                 "cannot share lanes: lanes train trials of one experiment")
            if trial._start is None:                       # not a trial resumed mid-way
                trial._start = time.perf_counter()
            active.append(trial)
        if not active:
            return
        if any(t.done for t in active):
            continue
        if len(active) == 1 and (not more or at_once == 1):
            alone = active.pop()
            yield alone.run(progress=None if progress is None else functools.partial(progress, alone.trial))
            continue
        exp = active[0].experiment
        size = min(k for k in LANES if k >= (at_once if more else len(active)))
        if lanes is None or lanes.n_lanes != size:
            lanes = active[0].net._lanes(size)
        begun = [trial._begin(trial._horizon()) for trial in active]
        trained = train_in_lanes(lanes, [trial.net for trial in active], [batch for _, batch, _ in begun],
                                 learning_rate=exp.learning_rate, update=exp.update, return_outputs=True)
        for trial, start, result in zip(active, begun, trained):
            trial._finish(*start, *result)
            if progress is not None:
                progress(trial.trial, trial.n)


def make_trial(experiment, trial: int, **options) -> Trial | GuessingTrial:
    """Trial ``trial`` of ``experiment`` (a value or a name): a :class:`Trial` of an LSTM
    row, a :class:`~lstm97.experiments.guessing.GuessingTrial` of a guessing row."""
    exp = get_experiment(experiment)
    if isinstance(exp, GuessingExperiment):
        return GuessingTrial(exp, trial, **options)
    return Trial(exp, trial, **options)


def run_trial(experiment: Experiment | str, trial: int, seed: int = 0, max_sequences: int | None = None,
              curve_points: int = 100) -> dict:
    """Train and test one network: ``Trial(experiment, trial, ...).run()``, a JSON-able record.

    The record holds the experiment, trial, seed, cap, update mode and construction (and a
    variant's ``set`` options); ``solved``; ``sequences`` (the paper's "success after",
    None when unsolved) and any criterion figures (e.g. ``sequences_st1``); ``trained``
    (sequences actually trained on); the test figures (``test_size``, ``test_wrong``,
    ``test_mae``, ``test_mse``; Exp 1 also ``train_wrong``); ``wall_time`` in seconds;
    ``error`` if training blew up; and ``curve``, pairs of (sequences, mean over the
    preceding ones of Σ_k (t_k - y_k)^2 per target step).
    """
    return make_trial(experiment, trial, seed=seed, max_sequences=max_sequences, curve_points=curve_points).run()
