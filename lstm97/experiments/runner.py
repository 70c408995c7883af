"""Many trials of an experiment in parallel, each stored as one JSON line as soon as it ends.

``DIR/<experiment>.jsonl`` holds one line per finished trial, written and flushed by the
parent process alone.  Running the same command again skips the trials already there,
so a run killed at any moment resumes with nothing lost and nothing counted twice: a
line cut short by the kill is dropped and its trial runs again.  A trial still running
saves its state every minute (:mod:`.checkpoint`, under ``DIR/.checkpoints/``), and the
run that resumes it trains on from there to the record it would have written anyway.
``DIR/runs.log`` gets a JSON line for every run of an experiment: what it cost and did.
A run holds an exclusive lock on ``DIR`` while it writes, so two runs cannot store a trial
twice.  Trials run in worker processes (:mod:`.pool`), in this process, or in the threads
of a Dask cluster; in each, the pending trials of an LSTM row train together in lockstep
lanes (:func:`.trial.run_in_lanes`), with the records they would have alone.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import fcntl
import json
import os
import platform
import resource
import time
import uuid
from pathlib import Path

from .._lockstep import LANES
from .._validation import check_choice, check_int, check_real, shown
from ..models.persistence import remove_temporaries
from .registry import Experiment, get_experiment, paper_order
from .checkpoint import checkpoint_path
from .pool import _cores, _records, map_trials, share, workers
from .seeding import check_seed
from .trial import lockstep_rows

__all__ = ["BACKENDS", "choose_lanes", "collect", "read_results", "results_path", "run_experiment"]

BACKENDS = ("local", "dask")

#: The most trials one run may ask for (the paper runs at most 30 a row).
MAX_TRIALS = 100_000
#: Seconds between two checkpoints of a running trial (``run_experiment``'s default).
CHECKPOINT_EVERY = 60.0
_LOCK = ".lstm97.lock"


def results_path(directory, experiment) -> Path:
    """Where the records of ``experiment`` (a value or a name) live in ``directory``."""
    return Path(directory) / f"{get_experiment(experiment).name}.jsonl"


def read_results(path, *, duplicates: str = "raise") -> list[dict]:
    """The trial records of a results file, by trial; a last line cut short is ignored.

    Two records of the same trial mean that two runs wrote the file at once (which the
    directory lock now prevents): ``duplicates="raise"`` (the default) refuses such a
    file with a ``ValueError`` naming the trial, ``"first"`` keeps the first record of
    each trial.
    """
    check_choice("duplicates", duplicates, ("raise", "first"))
    path = Path(path)
    try:
        data = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:                  # a folder, no permission, a name too long, ...
        raise ValueError(f"cannot read results file {str(path)!r}: {exc.strerror}") from None
    complete = data[: data.rfind(b"\n") + 1]
    records = {}
    for number, line in enumerate(complete.splitlines(), 1):
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
            raise ValueError(f"{path}:{number} is not a JSON record ({exc}); the file is damaged") from None
        problem = _record_problem(record)
        if problem:
            raise ValueError(f"{path}:{number} is not a trial record ({problem}); the file is damaged")
        trial = record["trial"]
        if trial in records:
            if duplicates == "raise":
                raise ValueError(f"{path}:{number} holds trial {trial} a second time (two runs wrote the "
                                 "file at once?); read it with duplicates='first' to keep the first "
                                 "record of each trial")
            continue
        records[trial] = record
    return [records[t] for t in sorted(records)]


_NUMBER = (int, float)
#: The fields every record has, with their types (None where a field may be null).
_FIELDS = {"trial": int, "seed": int, "max_sequences": int, "solved": bool, "sequences": (int, type(None)),
           "trained": int, "test_size": int, "test_wrong": _NUMBER, "test_mae": _NUMBER,
           "test_mse": _NUMBER, "wall_time": _NUMBER, "curve": list}


def _record_problem(record):
    """What makes ``record`` not a trial record, or None."""
    if not isinstance(record, dict):
        return f"a JSON {type(record).__name__}, not an object"
    for key, kind in _FIELDS.items():
        value = record.get(key)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            return f"field {key!r} is {value!r}"
    if record["trial"] < 0 or record["test_size"] < 1 or record["solved"] and record["sequences"] is None:
        return "its trial, test size or sequences cannot be"
    return None


def _drop_partial_line(path):
    """Cut a line left unfinished by an interruption, so that appending starts clean."""
    if path.exists():
        data = path.read_bytes()
        end = data.rfind(b"\n") + 1
        if end != len(data):
            with open(path, "r+b") as f:
                f.truncate(end)


@contextlib.contextmanager
def _locked(directory: Path):
    """Hold ``directory``'s run lock; a second run on it is refused, naming the first."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(directory / _LOCK, os.O_RDWR | os.O_CREAT, 0o666)
    except FileExistsError:
        raise ValueError(f"results directory {str(directory)!r} is a file, not a directory") from None
    except OSError as exc:
        raise ValueError(f"cannot write to results directory {str(directory)!r}: {exc.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise ValueError(f"another lstm97 run (process {holder}) is writing to {str(directory)!r}; "
                             "wait for it to end or choose another directory") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        if not os.access(directory, os.W_OK):
            raise ValueError(f"cannot write to results directory {str(directory)!r}")
        yield
    finally:
        os.close(fd)


def _on_dask(exp, todo, options, scheduler, lanes=None):
    """Run the trials in ``todo`` on the Dask cluster at ``scheduler``, yielding each record
    as soon as it is done; an interrupted run cancels what the cluster still holds.

    Each of the cluster's threads (up to one per trial) runs one task that does what a local
    worker process does: it takes the next pending trial from a queue on the scheduler
    whenever it has room for one (at most its :func:`~.pool.share` of them at once), trains
    its trials one at a time or in lanes (:func:`choose_lanes`, the threads counted as
    processes), and sends each record back through another queue as its trial ends."""
    from .._optional import require
    distributed = require("distributed", "dask", what="the dask backend")
    with distributed.Client(scheduler) as client:
        threads = max(1, sum(client.nthreads().values()))
        lanes = choose_lanes(exp, todo, threads, lanes)
        name = f"lstm97-{uuid.uuid4().hex}"
        pending = distributed.Queue(f"{name}-trials", client=client)
        done = distributed.Queue(f"{name}-records", client=client)
        stop = distributed.Event(f"{name}-stop", client=client)
        tasks = workers(threads, len(todo))
        for i in todo:
            pending.put(i)
        for _ in range(tasks):
            pending.put(None)                   # one "no more trials" per task
        futures = [client.submit(_dask_worker, exp, options, lanes, name, share(len(todo), tasks), pure=False)
                   for _ in range(tasks)]
        try:
            finished = 0
            while finished < tasks:
                try:
                    record = done.get(timeout=1)
                except TimeoutError:
                    for future in futures:
                        if future.status == "error":
                            future.result()     # raises the task's exception here
                    continue
                if record is None:
                    finished += 1
                else:
                    yield record
        finally:
            # Dask does not interrupt a running task: the stop event ends each at its next
            # report of progress.
            with contextlib.suppress(Exception):       # the cluster may be gone already
                stop.set()
            client.cancel(futures)
            for queue in (pending, done):
                with contextlib.suppress(Exception):
                    queue.close()


class _Stopped(Exception):
    """The run of a Dask task has stopped."""


def _dask_worker(exp, options, lanes, name, at_once):
    """A task of :func:`_on_dask`: train the trials that the queue ``{name}-trials`` hands
    out, as a local worker process does (one at a time, or up to ``lanes`` at a time in
    lockstep, at most ``at_once`` at a time), and put each record in the queue
    ``{name}-records`` as its trial ends, and None there when the trials have run out; end
    at the next report of progress (within :data:`~.pool.REPORT_EVERY` seconds and a batch)
    once the event ``{name}-stop`` is set."""
    from distributed import Event, Queue
    pending, done, stop = Queue(f"{name}-trials"), Queue(f"{name}-records"), Event(f"{name}-stop")

    def trials():
        while (trial := pending.get()) is not None:
            yield trial

    def check(trial, n):
        if stop.is_set():
            raise _Stopped

    with contextlib.suppress(_Stopped):
        for record in _records(exp, trials(), options, lanes, check, at_once=at_once):
            done.put(record)
        done.put(None)


#: The most lanes chosen unless more are asked for: 16 lanes trained fewer trial-steps a
#: second than 8 on every row measured, Reber's, adding's and 2c's (README, "Speed and memory").
DEFAULT_LANES = 8
#: Nets with more weights than this train one trial at a time unless lanes are asked for:
#: Exps 2a/2b's 10,504-weight nets, whose 101 output units have a target at every step,
#: train faster alone than in lanes (README, "Speed and memory"); every other row's net
#: has at most 6,064 and trains faster in lanes.
LANES_MAX_WEIGHTS = 8192


def choose_lanes(exp, todo, jobs, asked=None) -> int:
    """How many lockstep lanes each process of the local backend trains the pending trials
    ``todo`` in, or 0 for one at a time: ``asked`` if given (0 where the row cannot train in
    lanes); else, when their row can (:func:`~.trial.lockstep_rows`), its net has at most
    :data:`LANES_MAX_WEIGHTS` weights and each process has at least two of them, the fewest
    lanes that hold a process's share (the trials split evenly over the ``jobs`` processes,
    as :func:`~.pool.map_trials` counts them), at most :data:`DEFAULT_LANES` (the lanes
    then take the next pending trial as each one ends, and shrink once none is pending)."""
    if asked is not None:
        return asked if lockstep_rows(exp) else 0
    held = share(len(todo), workers(jobs, len(todo)))
    if held < 2 or not lockstep_rows(exp) or exp.topology.n_weights > LANES_MAX_WEIGHTS:
        return 0
    return next((k for k in LANES if k >= min(held, DEFAULT_LANES)), DEFAULT_LANES)


def run_experiment(experiment: Experiment | str, directory, *, trials=None, seed=0, jobs=-1,
                   max_sequences=None, backend="local", scheduler=None, progress=None,
                   heartbeat=None, lanes=None, checkpoint_every=CHECKPOINT_EVERY) -> list[dict]:
    """Run (or finish) ``trials`` trials of ``experiment`` into ``directory``.

    Parameters
    ----------
    experiment : Experiment or str
        The experiment, or its name (a variant's too: ``"2a-p100[update=step]"``).
    directory : path
        Where ``<name>.jsonl`` is kept; created if missing.
    trials : int, optional
        Number of trials; the paper's by default.
    seed : int
        Root seed (see :mod:`lstm97.experiments.seeding`).
    jobs : int
        Worker processes for the ``local`` backend (-1: one per core; 1: in this process).
        In each, the trials of an LSTM row train in lockstep lanes, as many at once as the
        process has pending trials, up to 8 (:func:`~.trial.run_in_lanes`), but for rows
        whose net has more than :data:`LANES_MAX_WEIGHTS` weights; the records are those of
        trials run one by one, but for ``wall_time``.
    max_sequences : int, optional
        Cap on training sequences per trial; the experiment's by default.
    backend : {"local", "dask"}
        ``"local"``: worker processes of this run (:mod:`.pool`); ``"dask"``: the Dask
        cluster at ``scheduler``, each of its threads taking the place of a process.
    progress : callable, optional
        Called with each record as it is written.
    heartbeat : callable, optional
        Called as ``heartbeat(trial, n)`` with the sequences a running trial has trained
        so far, about twice a second (``local`` backend only).
    lanes : {None, 0, 4, 8, 16}
        How many trials each process trains at once: None chooses (see ``jobs``); 0 trains
        them one at a time.  Lanes trade a trial's latency for throughput: in 8 lanes each
        trial takes about 2.8 times as long as alone, while a core trains about 2.9 times
        as many trial-steps (docs: README, "Speed and memory").  The records are the same.
    checkpoint_every : float or None
        Seconds between two checkpoints of a running trial (:mod:`.checkpoint`), from
        which a run killed mid-trial resumes; None or 0 for none (the ``local`` backend
        only: a Dask cluster's workers need not share this directory).

    Returns
    -------
    list of dict
        The records of trials ``0 .. trials - 1`` in the file, by trial.
    """
    exp = get_experiment(experiment)
    trials = exp.trials if trials is None else check_int("trials", trials, 1)
    if trials > MAX_TRIALS:
        raise ValueError(f"trials must be at most {MAX_TRIALS:,}, got {shown(trials)}")
    seed = check_seed(seed)
    cap = exp.cap(max_sequences)
    jobs = check_int("jobs", jobs, -1)
    if jobs == 0:
        raise ValueError("jobs must be a positive number of processes, or -1 for all cores, got 0")
    check_choice("backend", backend, BACKENDS)
    if lanes is not None:
        check_choice("lanes", check_int("lanes", lanes, 0), (0, *LANES))
    if backend == "dask" and not scheduler:
        raise ValueError("the dask backend needs a scheduler address (e.g. tcp://127.0.0.1:8786)")
    checkpoint_every = check_real("checkpoint_every", 0.0 if checkpoint_every is None else checkpoint_every, 0.0)
    directory = Path(directory)
    with _locked(directory):
        path = results_path(directory, exp)
        _drop_partial_line(path)
        done = read_results(path)
        options = {"seed": seed, "max_sequences": cap}
        for record in done:
            ran = {key: record.get(key) for key in options}
            if ran != options:
                raise ValueError(f"{path} holds trials run with "
                                 f"{', '.join(f'{k}={v!r}' for k, v in ran.items())}; "
                                 "resume with those options or choose another directory")
        finished = {record["trial"] for record in done}
        for trial in finished:              # left by a run killed between a record and this
            checkpoint_path(directory, exp, trial).unlink(missing_ok=True)
        _tidy(checkpoint_path(directory, exp, 0).parent)
        todo = [i for i in range(trials) if i not in finished]
        if todo:
            n_lanes = choose_lanes(exp, todo, jobs, lanes)
            checkpoints = (directory, checkpoint_every) if checkpoint_every else None
            records = (map_trials(exp, todo, options, jobs, heartbeat, lanes=n_lanes, checkpoints=checkpoints)
                       if backend == "local" else _on_dask(exp, todo, options, scheduler, lanes))
            log = _RunLog(directory, exp, backend, jobs, n_lanes if backend == "local" else lanes)
            # closing(): whatever ends the loop stops the workers now, not when the
            # generator is collected.
            with log, open(path, "a", encoding="utf-8") as f, contextlib.closing(records):
                for record in records:
                    f.write(json.dumps(record) + "\n")
                    f.flush()
                    os.fsync(f.fileno())
                    checkpoint_path(directory, exp, record["trial"]).unlink(missing_ok=True)
                    log.finished += 1
                    if progress is not None:
                        progress(record)
                log.complete = log.finished == len(todo)
        _tidy(checkpoint_path(directory, exp, 0).parent)
        return [r for r in read_results(path) if r["trial"] < trials]


#: The run log of a results directory: one JSON line per run of an experiment there.
RUN_LOG = "runs.log"


class _RunLog:
    """On leaving (however the run ends, but for ``kill -9``), appends to ``DIR/runs.log`` a
    JSON line of what the run of ``experiment`` did: when it started (UTC), its wall time and
    the CPU time of this process and of its finished worker processes, in seconds, the trials
    it finished, whether it finished every pending one, how it ran, and on what machine
    (:func:`machine`).  The sum of a directory's wall times is what its records cost, however
    many runs they took; a sum over several machines is only a sum, which ``machine`` shows."""

    def __init__(self, directory, experiment, backend, jobs, lanes):
        self.path = Path(directory) / RUN_LOG
        self.entry = {"experiment": experiment.name, "backend": backend, "jobs": jobs, "lanes": lanes,
                      "machine": machine()}
        self.finished, self.complete = 0, False

    def __enter__(self):
        self.started = datetime.datetime.now(datetime.timezone.utc)
        self.wall, self.cpu = time.perf_counter(), _cpu_seconds()
        return self

    def __exit__(self, kind, exc, tb):
        entry = {**self.entry, "started": self.started.isoformat(timespec="seconds"),
                 "wall_time": round(time.perf_counter() - self.wall, 3),
                 "cpu_time": round(_cpu_seconds() - self.cpu, 3), "trials_finished": self.finished,
                 "complete": self.complete, "stopped_by": None if kind is None else kind.__name__}
        with contextlib.suppress(OSError), open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")
        return False


def machine() -> dict:
    """The machine this process runs on, as a run log entry names it: ``{"cpu": model,
    "cores": n}``, the model from ``/proc/cpuinfo`` (elsewhere ``platform.processor()``, or
    ``platform.machine()`` when that is empty) and the cores this process may use.  A
    virtual machine can land on other hardware from one day to the next, with other speeds."""
    model = ""
    with contextlib.suppress(OSError):
        model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), "")
    return {"cpu": model or platform.processor() or platform.machine(), "cores": _cores()}


def _cpu_seconds():
    """CPU seconds of this process and of its children that have ended."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _tidy(folder):
    """Remove the temporary files that killed writers left in ``folder`` (an experiment's
    checkpoints), then ``folder`` and its parent when they are empty.  Only under the
    directory's lock with no worker running (at a run's start and end)."""
    remove_temporaries(folder)
    for path in (folder, folder.parent):
        with contextlib.suppress(OSError):
            path.rmdir()


def collect(directory, *, duplicates: str = "raise") -> dict[str, list[dict]]:
    """Every experiment's records found in ``directory`` (the paper's rows and their
    variants, the guessing study's rows), by name, in the paper's order, then the study's."""
    directory = Path(directory)
    order = {name: i for i, name in enumerate(paper_order())}
    found = {}
    for path in directory.glob("*.jsonl"):
        if not path.is_file():
            continue
        try:
            exp = get_experiment(path.stem)
        except ValueError:
            continue  # not an experiment's file
        records = read_results(path, duplicates=duplicates)
        if records:
            found[exp.name] = records
    return dict(sorted(found.items(), key=lambda item: (order[item[0].split("[")[0]], item[0])))
