"""Checkpoints of running trials, so that a killed run loses minutes, not whole trials.

A trial of the paper can outlive a working session (a trial of Exp 2a that learns nothing
trains its 5 million sequences for about 20 minutes alone; Exp 3b's longest trial, in 8
lanes, for nearly two hours).  While a run trains, each trial's state is written every
``every`` seconds, between two batches, to ``DIR/.checkpoints/<experiment>/trial-<i>.npz``;
a run resumed with the same command restores each unfinished trial from its checkpoint and
trains on from there, and the record it ends with is the one the trial would have written
uninterrupted (bit for bit, but for ``wall_time``, which counts the time trained before the
interruption and after it).

What a trial carries from one batch to the next is its weights (every sequence starts from
a reset state: cell states, traces and the update are zero at a sequence's start), the
states of its random streams, the counters and learning curve, and the state of its stop
criterion's monitor and of its construction schedule.  Everything else (the task, the fixed
training and test sets, the experiment) is rebuilt by ``Trial(experiment, trial, seed=...,
max_sequences=...)`` exactly as the trial first built it.  Each class names the attributes
it rebuilds (``_REBUILT``); every other attribute must be a JSON value, an array or a
random generator, and is stored.

The file is an ``.npz`` with a JSON header, written whole or not at all (a temporary file,
renamed), and read with ``allow_pickle=False``: nothing in it is ever unpickled.  A
checkpoint that does not match the trial asked for (another experiment, trial, seed or cap,
another format version) is not used; one that cannot be read is not used either, with a
warning, and the trial starts afresh.
"""

from __future__ import annotations

import json
import time
import warnings
import zipfile
from pathlib import Path

import numpy as np

from ..models.persistence import write_npz

__all__ = ["FORMAT", "Keeper", "checkpoint_path", "identity", "resume", "save"]

FORMAT = "lstm97-trial-checkpoint"
FORMAT_VERSION = 1


def checkpoint_path(directory, experiment, trial: int) -> Path:
    """Where trial ``trial`` of ``experiment`` (a value) keeps its checkpoint in ``directory``."""
    return Path(directory) / ".checkpoints" / experiment.name / f"trial-{trial}.npz"


def _json_value(value):
    """``value`` as JSON takes it (NumPy scalars as Python ones), or TypeError."""
    def plain(o):
        if isinstance(o, np.generic):
            return o.item()
        raise TypeError(type(o).__name__)
    return json.loads(json.dumps(value, default=plain))


def _state(obj, owner):
    """The attributes of ``obj`` that a checkpoint stores: ``({"values": JSON values,
    "generators": their states}, arrays)``, the arrays named ``<owner>.<attribute>``."""
    values, arrays, generators = {}, {}, {}
    rebuilt = getattr(obj, "_REBUILT", ())
    for name, value in vars(obj).items():
        if name in rebuilt:
            continue
        if isinstance(value, np.random.Generator):
            generators[name] = value.bit_generator.state
        elif isinstance(value, np.ndarray):
            arrays[f"{owner}.{name}"] = value
        else:
            try:
                values[name] = _json_value(value)
            except (TypeError, ValueError):
                raise TypeError(f"cannot checkpoint {type(obj).__name__}.{name} ({type(value).__name__}): "
                                "name it in the class's _REBUILT if the trial rebuilds it") from None
    return {"values": values, "generators": generators}, arrays


def _restore(obj, state, arrays, owner):
    for name, value in state["values"].items():
        if isinstance(getattr(obj, name, None), tuple) and isinstance(value, list):
            value = tuple(value)
        setattr(obj, name, value)
    for name, value in state["generators"].items():
        getattr(obj, name).bit_generator.state = value
    prefix = f"{owner}."
    for key, value in arrays.items():
        if key.startswith(prefix):
            setattr(obj, key[len(prefix):], value)


def _parts(trial):
    """The objects of ``trial`` whose state a checkpoint stores, each with its name there."""
    return [(owner, obj) for owner, obj in (("trial", trial), ("monitor", trial.monitor),
                                            ("construction", trial.construction)) if obj is not None]


def _identity(trial):
    return {"experiment": trial.experiment.name, "trial": trial.trial, "seed": trial.seed,
            "max_sequences": trial.max_sequences}


def identity(path) -> dict:
    """Which trial the checkpoint ``path`` holds: ``{"experiment", "trial", "seed",
    "max_sequences"}``, the arguments that rebuild it (``Trial(get_experiment(experiment),
    trial, seed=seed, max_sequences=max_sequences)``) for :func:`resume`.  Reads the header
    only; a ValueError naming ``path`` if it is not a checkpoint of this format version."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            meta = json.loads(str(archive["meta"]))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:
        raise ValueError(f"{str(path)!r} is not a readable trial checkpoint ({exc})") from None
    if not isinstance(meta, dict) or (meta.get("format"), meta.get("version")) != (FORMAT, FORMAT_VERSION):
        raise ValueError(f"{str(path)!r} is not a trial checkpoint of format {FORMAT} version {FORMAT_VERSION}")
    return {key: meta[key] for key in ("experiment", "trial", "seed", "max_sequences")}


def save(trial, path) -> None:
    """Write the state of ``trial`` (a :class:`~.trial.Trial` between two batches) to ``path``."""
    meta = {"format": FORMAT, "version": FORMAT_VERSION, **_identity(trial),
            "elapsed": time.perf_counter() - trial._start if trial._start is not None else 0.0,
            "streams": {name: g.bit_generator.state for name, g in trial.streams.items()}}
    weights = trial.net.get_weights()
    arrays = ({f"net.{g}": w for g, w in weights.items()} if isinstance(weights, dict) else {"net": weights})
    meta["state"] = {}
    for owner, obj in _parts(trial):
        meta["state"][owner], more = _state(obj, owner)
        arrays.update(more)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_npz(str(path), meta, arrays)


def resume(path, make):
    """The trial ``make()`` builds (a fresh :class:`~.trial.Trial`), brought to the state saved
    in ``path`` if that is a checkpoint of this trial (see the module docstring); else, and
    with a warning if the file cannot be read, a fresh one."""
    path = Path(path)
    if not path.is_file():
        return make()
    trial = make()
    try:
        with np.load(path, allow_pickle=False) as archive:
            data = {key: archive[key] for key in archive.files}
        meta = json.loads(str(data.pop("meta")))
        if ((meta.get("format"), meta.get("version")) != (FORMAT, FORMAT_VERSION)
                or {key: meta.get(key) for key in _identity(trial)} != _identity(trial)):
            return trial
        weights = ({key[4:]: value for key, value in data.items() if key.startswith("net.")}
                   if "net" not in data else data["net"])
        trial.net.set_weights(weights)
        for name, state in meta["streams"].items():
            trial.streams[name].bit_generator.state = state
        for owner, obj in _parts(trial):
            _restore(obj, meta["state"][owner], data, owner)
        trial._start = time.perf_counter() - float(meta["elapsed"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError, zipfile.BadZipFile, EOFError) as exc:
        warnings.warn(f"checkpoint {str(path)!r} cannot be read ({exc}); trial {trial.trial} starts afresh",
                      RuntimeWarning, stacklevel=2)
        return make()
    return trial


class Keeper:
    """The checkpoints of one process's trials of ``experiment`` in ``directory``: trials are
    built through :meth:`trial` (resumed where a checkpoint of theirs is there), and
    :meth:`tick`, called between two batches of a trial, saves it when ``every`` seconds
    have passed since its last save (or since it started here)."""

    def __init__(self, directory, experiment, every: float):
        self.directory, self.experiment, self.every = directory, experiment, every
        self._trials, self._saved = {}, {}

    def trial(self, index, make):
        """Trial ``index``: ``make()`` (a fresh trial), brought to its checkpoint's state if
        it has one; a trial that is not a :class:`~.trial.Trial` (the guessing study's,
        whose search keeps no state worth a checkpoint) is ``make()`` as it is."""
        from .trial import Trial
        trial = resume(checkpoint_path(self.directory, self.experiment, index), make)
        if isinstance(trial, Trial):
            self._trials[index], self._saved[index] = trial, time.monotonic()
        return trial

    def tick(self, index):
        trial = self._trials.get(index)
        if trial is None:
            return
        if trial.done:                            # its record comes next: nothing to keep
            del self._trials[index], self._saved[index]
            return
        now = time.monotonic()
        if now - self._saved[index] >= self.every:
            save(trial, checkpoint_path(self.directory, self.experiment, index))
            self._saved[index] = now
