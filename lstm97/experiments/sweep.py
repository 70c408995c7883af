"""A search over readings of the paper: a factorial grid of variants of one row, ranked.

``lstm97 sweep ROW --grid KEY=V1,V2 --grid KEY=W1,W2`` runs every combination of the values
as a variant of ``ROW`` (:meth:`~lstm97.experiments.registry.Experiment.variant`, the same
``--set`` keys), each into its own resumable file as ``lstm97 run`` does, and ranks the
cells by their distance to the paper's figures (:func:`distance`).  A cell is a variant
like any other: ``lstm97 report`` shows it, ``lstm97 run NAME`` resumes or extends it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence

from .._validation import shown
from .registry import Experiment, _split_options, get_experiment

__all__ = ["MAX_CELLS", "distance", "grid", "parse_grid", "ranking"]

#: The most cells one sweep may have.
MAX_CELLS = 256


def parse_grid(items: Sequence[str]) -> dict[str, list[str]]:
    """``["KEY=V1,V2", ...]`` (as ``--grid`` gives them) as ``{KEY: [V1, V2]}``; commas
    inside brackets belong to a value (``input_gate_bias=[-1,-2],[-2,-4]``)."""
    out = {}
    for item in items:
        key, eq, values = item.partition("=")
        key = key.strip()
        if not eq or not key or not values.strip():
            raise ValueError(f"a grid axis is KEY=VALUE,VALUE,..., got {shown(item)}")
        if key in out:
            raise ValueError(f"the grid names {key!r} twice; give all its values in one --grid")
        out[key] = [v.strip() for v in _split_options(values)]
    return out


def grid(base: Experiment | str, axes: Mapping[str, Sequence]) -> list[Experiment]:
    """Every combination of ``axes`` (KEY: values, as text or values) as a variant of
    ``base``, in the order of the axes and their values."""
    exp = get_experiment(base)
    if not isinstance(exp, Experiment) or exp.options:
        raise ValueError(f"a sweep varies a row of the paper, not {exp.name!r}")
    if not axes:
        raise ValueError("a sweep needs at least one --grid KEY=VALUE,VALUE,...")
    n = math.prod(len(v) for v in axes.values())
    if n > MAX_CELLS:
        raise ValueError(f"the grid has {n:,} cells, more than {MAX_CELLS} (lstm97.experiments.sweep.MAX_CELLS)")
    cells = [exp.variant(**dict(zip(axes, values))) for values in itertools.product(*axes.values())]
    names = [c.name for c in cells]
    if len(set(names)) != len(names):
        raise ValueError("the grid repeats a cell (a value given twice?)")
    return cells


def distance(exp: Experiment, ours: Mapping) -> float:
    """How far a cell's figures (``ours``, a :func:`~lstm97.experiments.summarize` row) are
    from the band around the paper's: the success rate's shortfall below the paper's minus 10
    points, in tens of points, plus the doublings of the mean sequences beyond the factor of
    2 either way (infinite when no trial was solved).  0 means in band."""
    paper = exp.paper
    short = max(0.0, paper.get("success", 100) - 10 - ours["success"]) / 10
    if ours["sequences"] is None:
        return math.inf
    return short + max(0.0, abs(math.log2(ours["sequences"] / paper["sequences"])) - 1)


def ranking(rows: Sequence[tuple[Experiment, Mapping]]) -> str:
    """A Markdown table of the cells ``rows`` ((experiment, summary) pairs), nearest to the
    paper first (by :func:`distance`, then by success)."""
    order = sorted(rows, key=lambda r: (distance(*r), -r[1]["success"]))
    paper = order[0][0].paper if order else {}
    lines = [f"| rank | cell | trials | % success (paper {paper.get('success', '-')}) "
             f"| mean sequences (median) (paper {paper.get('sequences', 0):,}) | distance | in band |",
             "|---|---|---|---|---|---|---|"]
    for i, (exp, ours) in enumerate(order, 1):
        d = distance(exp, ours)
        cell = ", ".join(f"{k}={v}" for k, v in exp.options) or "the paper's row"
        mean = "-" if ours["sequences"] is None else f"{ours['sequences']:,.0f} ({ours['sequences_median']:,.0f})"
        lines.append(f"| {i} | `{cell}` | {ours['trials']} | {ours['success']:.0f} | {mean} "
                     f"| {'-' if math.isinf(d) else f'{d:.2f}'} | {'yes' if d == 0 else 'no'} |")
    legend = ("Distance: the success rate's shortfall below the paper's minus 10 points, in tens of points, "
              "plus the doublings of the mean beyond the factor-2 band (- when no trial was solved); "
              "0 is in band. With few trials per cell, a ranking is a screen, not a verdict.")
    return "\n".join(lines + ["", legend]) + "\n"
