"""Our figures for an experiment, shaped like the paper's, and the summary files."""

from __future__ import annotations

import csv
import json
import statistics
from pathlib import Path

from .registry import get_experiment

__all__ = ["summarize", "write_summary"]


def _mean(values):
    values = [v for v in values if v is not None]
    return statistics.fmean(values) if values else None


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarize(experiment, records) -> dict:
    """Our figures for ``experiment`` from its trial ``records`` (see ``Experiment.paper``
    for the paper's): success, mean and median sequences of the solved trials, the test
    figures, and how the run differed from the paper's (trials, cap, options)."""
    exp = get_experiment(experiment)
    solved = [r for r in records if r["solved"]]
    n = len(records)
    return {
        "experiment": exp.name,
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
        # The guessing study's test is of its solutions: each must get every test sequence right.
        "solutions_failing_test": sum(r["test_wrong"] > 0 for r in solved),
        "solutions_test_mae": _mean([r["test_mae"] for r in solved]),
    }


def write_summary(directory, rows) -> None:
    """Write ``rows`` (from :func:`summarize`) to ``summary.json`` and ``summary.csv`` in
    ``directory``."""
    directory = Path(directory)
    (directory / "summary.json").write_text(json.dumps(rows, indent=1) + "\n")
    with open(directory / "summary.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else ["experiment"])
        writer.writeheader()
        writer.writerows(rows)
