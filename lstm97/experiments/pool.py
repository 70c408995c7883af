"""Trials in worker processes that the run controls.

:func:`map_trials` runs trials of one experiment in ``jobs`` worker processes (or in this
process for ``jobs=1``) and yields each record as soon as its trial ends, with progress
within trials on the way.  Workers are plain ``multiprocessing`` processes talking to the
run over one pipe each (no shared semaphores or memory-mapped folders to leak); whatever
ends the run (its last record, an exception, KeyboardInterrupt, or SIGTERM turned into one
by the CLI) stops every worker before :func:`map_trials` returns, and a worker whose run
has died stops at its next progress report.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.connection import wait

from .trial import make_trial

__all__ = ["map_trials"]

#: Seconds between progress reports of a trial (also how soon a worker notices that its
#: run has gone).
REPORT_EVERY = 0.5


def _train(experiment, trial, options, report) -> dict:
    """Run one trial, calling ``report(n)`` with the sequences trained at most every
    :data:`REPORT_EVERY` seconds."""
    last = time.monotonic()

    def progress(n):
        nonlocal last
        if time.monotonic() - last >= REPORT_EVERY:
            report(n)
            last = time.monotonic()

    return make_trial(experiment, trial, **options).run(progress=progress)


def _worker(conn, experiment, options):
    # The run decides when its workers stop: a Ctrl-C in the terminal reaches the whole
    # process group, and the run then terminates its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        while (trial := conn.recv()) is not None:
            try:
                record = _train(experiment, trial, options, lambda n: conn.send(("progress", trial, n)))
            except Exception:
                conn.send(("failed", trial, traceback.format_exc()))
            else:
                conn.send(("done", trial, record))
    except (EOFError, BrokenPipeError, ConnectionResetError):
        pass  # the run has gone; so do we


def _cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def map_trials(experiment, trials, options: dict, jobs: int,
               heartbeat: Callable[[int, int], None] | None = None) -> Iterator[dict]:
    """Run ``trials`` (indices) of ``experiment`` with ``options`` for :class:`Trial`;
    yield each record when its trial ends (in the order they end).

    ``jobs`` worker processes (-1: one per core; 1: in this process).  ``heartbeat(trial,
    n)`` is called in this process with the sequences a running trial has trained.
    """
    trials = list(trials)
    report = heartbeat or (lambda trial, n: None)
    jobs = min(_cores() if jobs == -1 else jobs, len(trials))
    if jobs <= 1:
        for trial in trials:
            yield _train(experiment, trial, options, lambda n, trial=trial: report(trial, n))
        return
    ctx = multiprocessing.get_context("spawn")
    workers, busy, queue = [], {}, iter(trials)
    try:
        for _ in range(jobs):
            ours, theirs = ctx.Pipe()
            process = ctx.Process(target=_worker, args=(theirs, experiment, options), daemon=True,
                                  name="lstm97-trial")
            process.start()
            theirs.close()
            workers.append((process, ours))

        def assign(conn):
            trial = next(queue, None)
            conn.send(trial)
            if trial is None:
                busy.pop(conn, None)
            else:
                busy[conn] = trial

        for _, conn in workers:
            assign(conn)
        while busy:
            for conn in wait(list(busy)):
                try:
                    kind, trial, payload = conn.recv()
                except EOFError:
                    raise RuntimeError(f"the worker process running trial {busy[conn]} died") from None
                if kind == "progress":
                    report(trial, payload)
                elif kind == "failed":
                    raise RuntimeError(f"trial {trial} failed in a worker process:\n{payload}")
                else:
                    assign(conn)
                    yield payload
    finally:
        for process, conn in workers:
            if process.is_alive():
                process.terminate()
        for process, conn in workers:
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join()
            conn.close()
