"""Trials in worker processes that the run controls.

:func:`map_trials` runs trials of one experiment in ``jobs`` worker processes (or in this
process for ``jobs=1``) and yields each record as soon as its trial ends, with progress
within trials on the way.  Each process trains its trials one at a time, or ``lanes`` of
them at once in lockstep (:func:`.trial.run_in_lanes`); a worker asks the run for its next
trial whenever it has room for one, so the trials go to whichever process frees up first.
Workers are plain ``multiprocessing`` processes talking to the run over one pipe each (no
shared semaphores or memory-mapped folders to leak); whatever ends the run (its last record,
an exception, KeyboardInterrupt, or SIGTERM turned into one by the CLI) stops every worker
before :func:`map_trials` returns, and a worker whose run has died stops at its next
progress report.
"""

from __future__ import annotations

import ctypes
import functools
import multiprocessing
import os
import signal
import time
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.connection import wait

from .checkpoint import Keeper
from .trial import make_trial, run_in_lanes

__all__ = ["map_trials", "share"]

#: Seconds between progress reports of a trial (also how soon a worker notices that its
#: run has gone).
REPORT_EVERY = 0.5


def _throttled(report):
    """``report(trial, n)``, called at most every :data:`REPORT_EVERY` seconds per trial."""
    last = {}

    def progress(trial, n):
        now = time.monotonic()
        if now - last.setdefault(trial, now) >= REPORT_EVERY:
            report(trial, n)
            last[trial] = now

    return progress


def share(n_trials: int, workers: int) -> int:
    """A worker's share of ``n_trials`` trials split evenly over ``workers``: the most it
    holds at once, so that every worker has trials to train while any are pending."""
    return -(-n_trials // max(1, workers))


def _records(experiment, trials, options, lanes, report, checkpoints=None, at_once=None) -> Iterator[dict]:
    """Run ``trials`` (an iterable of indices, taken one at a time as there is room) and yield
    each record as its trial ends: one trial after another, or ``lanes`` at a time in
    lockstep, at most ``at_once`` of them at a time (:func:`share`; default: ``lanes``);
    ``report(trial, n)`` gets the sequences trained, throttled.  With
    ``checkpoints`` (a directory and seconds), each trial resumes from its checkpoint there
    and saves one every so many seconds (:class:`.checkpoint.Keeper`)."""
    progress = _throttled(report)
    keeper = Keeper(checkpoints[0], experiment, checkpoints[1]) if checkpoints else None

    def made(i):
        make = functools.partial(make_trial, experiment, i, **options)
        return keeper.trial(i, make) if keeper is not None else make()

    def tick(trial, n):
        progress(trial, n)
        if keeper is not None:
            keeper.tick(trial)

    if lanes:
        yield from run_in_lanes((made(i) for i in trials), lanes, progress=tick, at_once=at_once)
        return
    for trial in trials:
        yield made(trial).run(progress=functools.partial(tick, trial))


def _requests(conn) -> Iterator[int]:
    """The trials the run hands this worker, each asked for when there is room for it."""
    while True:
        conn.send(("need", None, None))
        trial = conn.recv()
        if trial is None:
            return
        yield trial


#: mallopt's parameters (glibc's malloc.h) and the values a worker sets.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_MMAP_THRESHOLD, _TRIM_THRESHOLD = 32 << 20, 512 << 20


def _keep_freed_memory():
    """Have glibc's malloc keep the memory a worker frees, for its next batch: every batch
    allocates arrays of the same sizes (20 MB each for Exp 2a/2b's dense targets and
    outputs), which by default glibc maps afresh each time and returns, so that each batch
    pays for page faults on zeroed pages (70,017 against 21,019 for 5,120 sequences of
    2b-p100, and 8-10% of its CPU time: README, "Exps 2a and 2b, alone").  Allocations below 32 MiB then come from the
    heap, which keeps up to 512 MiB free at its top.  Only in the workers, which the run
    owns; nothing where the C library has no mallopt."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)
    mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD)


def _worker(conn, experiment, options, lanes, checkpoints=None, at_once=None):
    _keep_freed_memory()
    # The run decides when its workers stop: a Ctrl-C in the terminal reaches the whole
    # process group, and the run then terminates its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        try:
            for record in _records(experiment, _requests(conn), options, lanes,
                                   lambda trial, n: conn.send(("progress", trial, n)), checkpoints, at_once):
                conn.send(("done", record["trial"], record))
        except Exception:
            conn.send(("failed", None, traceback.format_exc()))
        else:
            conn.send(("finished", None, None))
    except (EOFError, BrokenPipeError, ConnectionResetError):
        pass  # the run has gone; so do we


def _cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def workers(jobs: int, n_trials: int) -> int:
    """How many workers run ``n_trials`` trials when ``jobs`` are asked for (-1: one per
    core): never more than there are trials, and at least one."""
    return max(1, min(_cores() if jobs == -1 else jobs, n_trials))


def map_trials(experiment, trials, options: dict, jobs: int,
               heartbeat: Callable[[int, int], None] | None = None, lanes: int = 0,
               checkpoints: tuple | None = None) -> Iterator[dict]:
    """Run ``trials`` (indices) of ``experiment`` with ``options`` for :class:`.trial.Trial`;
    yield each record when its trial ends (in the order they end).

    ``jobs`` worker processes (-1: one per core; 1: in this process), each training its
    trials one at a time, or with ``lanes`` (one of :data:`lstm97._lockstep.LANES`) up to that
    many at once in lockstep, and never more than its :func:`share` of the trials at once
    (so that a worker that starts first does not take the trials of one that starts a
    moment later).  ``heartbeat(trial, n)`` is called in this process with the
    sequences a running trial has trained.  ``checkpoints``, if given, is ``(directory,
    seconds)``: each trial resumes from its checkpoint in ``directory`` and saves one every
    so many seconds (:mod:`.checkpoint`).
    """
    trials = list(trials)
    report = heartbeat or (lambda trial, n: None)
    jobs = workers(jobs, len(trials))
    if jobs == 1:
        yield from _records(experiment, trials, options, lanes, report, checkpoints)
        return
    ctx = multiprocessing.get_context("spawn")
    processes, running, queue = [], {}, iter(trials)
    try:
        for _ in range(jobs):
            ours, theirs = ctx.Pipe()
            process = ctx.Process(target=_worker, name="lstm97-trial", daemon=True,
                                  args=(theirs, experiment, options, lanes, checkpoints, share(len(trials), jobs)))
            process.start()
            theirs.close()
            processes.append((process, ours))
            running[ours] = set()
        while running:
            for conn in wait(list(running)):
                try:
                    kind, trial, payload = conn.recv()
                except EOFError:
                    held = ", ".join(map(str, sorted(running[conn]))) or "none"
                    raise RuntimeError(f"a worker process died (its trials: {held})") from None
                if kind == "progress":
                    report(trial, payload)
                elif kind == "need":
                    trial = next(queue, None)
                    conn.send(trial)
                    if trial is not None:
                        running[conn].add(trial)
                elif kind == "done":
                    running[conn].discard(trial)
                    yield payload
                elif kind == "finished":
                    del running[conn]
                else:
                    held = ", ".join(map(str, sorted(running[conn])))
                    raise RuntimeError(f"a trial ({held}) failed in a worker process:\n{payload}")
    finally:
        for process, conn in processes:
            if process.is_alive():
                process.terminate()
        for process, conn in processes:
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join()
            conn.close()
