"""Many trials of an experiment in parallel, each stored as one JSON line as soon as it ends.

``DIR/<experiment>.jsonl`` holds one line per finished trial, written and flushed by the
parent process alone.  Running the same command again skips the trials already there,
so a run killed at any moment resumes with nothing lost and nothing counted twice: a
line cut short by the kill is dropped and its trial runs again.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

from ._validation import check_choice, check_int
from .experiments import CONSTRUCTIONS, EXPERIMENTS, get_experiment, run_trial
from .network import UPDATE_MODES

__all__ = ["read_results", "results_path", "run_experiment", "summarize", "write_summary"]

BACKENDS = ("loky", "dask")


def results_path(directory, name) -> Path:
    return Path(directory) / f"{name}.jsonl"


def read_results(path) -> list[dict]:
    """The trial records of a results file, by trial; a last line cut short is ignored."""
    path = Path(path)
    if not path.exists():
        return []
    data = path.read_bytes()
    complete = data[: data.rfind(b"\n") + 1]
    records = []
    for number, line in enumerate(complete.splitlines(), 1):
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number} is not a JSON record ({exc}); the file is damaged") from None
    return sorted(records, key=lambda r: r["trial"])


def _drop_partial_line(path):
    """Cut a line left unfinished by an interruption, so that appending starts clean."""
    if path.exists():
        data = path.read_bytes()
        end = data.rfind(b"\n") + 1
        if end != len(data):
            with open(path, "r+b") as f:
                f.truncate(end)


def _trials(name, todo, options, jobs, backend, scheduler):
    """Run the trials in ``todo``, yielding each record as soon as it is done."""
    from joblib import Parallel, delayed, parallel_config

    calls = (delayed(run_trial)(name, i, **options) for i in todo)
    if backend == "dask":
        try:
            from distributed import Client
        except ImportError:
            raise RuntimeError("the dask backend needs the 'distributed' package: "
                               "pip install 'lstm97[dask]'") from None
        with Client(scheduler), parallel_config(backend="dask"):
            yield from Parallel(return_as="generator_unordered")(calls)
    else:
        yield from Parallel(n_jobs=jobs, backend=backend, return_as="generator_unordered")(calls)


def run_experiment(name, directory, *, trials=None, seed=0, jobs=-1, max_sequences=None,
                   update="sequence", construction="present", backend="loky", scheduler=None,
                   progress=None) -> list[dict]:
    """Run (or finish) ``trials`` trials of experiment ``name`` into ``directory``.

    Parameters
    ----------
    name : str
        An experiment of :data:`lstm97.experiments.EXPERIMENTS`.
    directory : path
        Where ``<name>.jsonl`` is kept.
    trials : int, optional
        Number of trials; the paper's by default.
    seed : int
        Root seed: trial ``i`` uses ``SeedSequence(seed, spawn_key=(i,))``.
    jobs : int
        Worker processes for the ``loky`` backend (-1: all cores; 1: in this process).
    max_sequences : int, optional
        Cap on training sequences per trial; the experiment's by default.
    update : {"sequence", "step"}
        The weight-update mode (DECISIONS item 4).
    construction : {"present", "sequential"}
        Cells present from the start, or added when the error stops decreasing
        (DECISIONS item 13; see :func:`lstm97.experiments.run_trial`).
    backend : {"loky", "dask"}
        ``"dask"`` runs the trials on the Dask cluster at ``scheduler`` through joblib.
    progress : callable, optional
        Called with each record as it is written.

    Returns
    -------
    list of dict
        Every record of the file, by trial.
    """
    exp = get_experiment(name)
    trials = exp.trials if trials is None else check_int("trials", trials, 1)
    seed = check_int("seed", seed, 0)
    cap = exp.max_sequences if max_sequences is None else check_int("max_sequences", max_sequences, 1)
    jobs = check_int("jobs", jobs, -1)
    if jobs == 0:
        raise ValueError("jobs must be a positive number of processes, or -1 for all cores, got 0")
    check_choice("update", update, UPDATE_MODES)
    check_choice("construction", construction, CONSTRUCTIONS)
    check_choice("backend", backend, BACKENDS)
    if backend == "dask" and not scheduler:
        raise ValueError("the dask backend needs a scheduler address (e.g. tcp://127.0.0.1:8786)")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = results_path(directory, name)
    _drop_partial_line(path)
    done = read_results(path)
    options = {"seed": seed, "max_sequences": cap, "update": update, "construction": construction}
    for record in done:
        ran = {key: record.get(key) for key in options}
        if ran != options:
            raise ValueError(f"{path} holds trials run with "
                             f"{', '.join(f'{k}={v!r}' for k, v in ran.items())}; "
                             "resume with those options or choose another directory")
    finished = {record["trial"] for record in done}
    todo = [i for i in range(trials) if i not in finished]
    if todo:
        with open(path, "a", encoding="utf-8") as f:
            for record in _trials(name, todo, options, jobs, backend, scheduler):
                f.write(json.dumps(record) + "\n")
                f.flush()
                os.fsync(f.fileno())
                if progress is not None:
                    progress(record)
    return read_results(path)


# ------------------------------------------------------------------------------ summaries

def _mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def _median(values):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def summarize(name, records) -> dict:
    """Our figures for one experiment, shaped like the paper's (see ``Experiment.paper``)."""
    solved = [r for r in records if r["solved"]]
    n = len(records)
    return {
        "experiment": name,
        "trials": n,
        "solved": len(solved),
        "success": 100.0 * len(solved) / n if n else None,
        "sequences": _mean([r["sequences"] for r in solved]),
        "sequences_median": _median([r["sequences"] for r in solved]),
        "sequences_st1": _mean([r.get("sequences_st1") for r in solved]),
        "test_wrong": _mean([r["test_wrong"] for r in records]),
        "test_size": records[0]["test_size"] if records else None,
        "misclassified": _mean([r["test_wrong"] / r["test_size"] for r in records]),
        "test_mae": _mean([r["test_mae"] for r in records]),
        "test_mse": _mean([r["test_mse"] for r in records]),
        "wall_time": sum(r["wall_time"] for r in records),
        "max_sequences": records[0]["max_sequences"] if records else None,
        "blow_ups": sum("error" in r for r in records),
    }


def collect(directory) -> dict[str, list[dict]]:
    """Every experiment's records found in ``directory``, in the paper's order."""
    directory = Path(directory)
    found = {}
    for name in EXPERIMENTS:
        records = read_results(results_path(directory, name))
        if records:
            found[name] = records
    return found


def write_summary(directory) -> list[dict]:
    """Derive ``summary.json`` and ``summary.csv`` in ``directory`` from its results."""
    directory = Path(directory)
    rows = [summarize(name, records) for name, records in collect(directory).items()]
    (directory / "summary.json").write_text(json.dumps(rows, indent=1) + "\n")
    with open(directory / "summary.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else ["experiment"])
        writer.writeheader()
        writer.writerows(rows)
    return rows
