"""Our figures next to the paper's: a Markdown table, and learning curves as PNG."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .experiments import get_experiment
from .runner import collect, summarize, write_summary

__all__ = ["in_band", "plot", "report"]


def _n(value, digits=0):
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def _test_figures(exp, ours):
    """The test figures the paper's table reports, paper first, then ours."""
    paper = exp.paper
    size = ours["test_size"]
    if "misclassified" in paper:
        text = f"misclassified {paper['misclassified']:.5f} / {ours['misclassified']:.5f}"
        if "avg_difference" in paper:
            text += f"; avg. difference {paper['avg_difference']} / {ours['test_mae']:.4f}"
        return text
    if "test_mse" in paper:
        return (f"wrong {paper['test_wrong']} / {ours['test_wrong']:.1f} of {size}; "
                f"MSE {paper['test_mse']} / {ours['test_mse']:.4f}")
    if "test_wrong" in paper:
        return f"wrong {paper['test_wrong']} / {ours['test_wrong']:.1f} of {size}"
    return f"wrong - / {ours['test_wrong']:.1f} of {size}"


def in_band(exp, ours) -> bool | None:
    """The acceptance band: success at least the paper's minus 10 points, and the mean
    number of training sequences within a factor of 2 of the paper's."""
    paper = exp.paper
    if not ours["trials"]:
        return None
    success_ok = ours["success"] >= paper.get("success", 100) - 10
    mean = ours["sequences"]
    return bool(success_ok and mean is not None and paper["sequences"] / 2 <= mean <= 2 * paper["sequences"])


def report(directory) -> str:
    """The Markdown report of every experiment in ``directory``; also writes
    ``report.md`` and the summaries there."""
    write_summary(directory)
    lines = [
        "| experiment | table | trials paper / ours | % success paper / ours "
        "| sequences paper / ours mean (median) | test paper / ours | in band |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, records in collect(directory).items():
        exp = get_experiment(name)
        ours = summarize(name, records)
        paper = exp.paper
        sequences = f"{_n(paper['sequences'])} / {_n(ours['sequences'])} ({_n(ours['sequences_median'])})"
        if "sequences_st1" in paper:
            sequences = (f"ST1 {_n(paper['sequences_st1'])} / {_n(ours['sequences_st1'])}; "
                         f"ST2 {sequences}")
        band = {True: "yes", False: "**no**", None: "-"}[in_band(exp, ours)]
        lines.append(
            f"| `{name}` | {exp.table} | {paper['trials']} / {ours['trials']} "
            f"| {_n(paper.get('success'))} / {_n(ours['success'])} | {sequences} "
            f"| {_test_figures(exp, ours)} | {band} |")
    text = "\n".join(lines) + "\n"
    (Path(directory) / "report.md").write_text(text)
    return text


def plot(directory) -> list[Path]:
    """One PNG per experiment in ``directory/plots``: training error against training
    sequences, the median over trials and the band from the 10th to the 90th percentile."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(directory) / "plots"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, records in collect(directory).items():
        curves = [np.array(r["curve"], dtype=float).reshape(-1, 2) for r in records if r["curve"]]
        if not curves:
            continue
        length = max(len(c) for c in curves)
        x = next(c[:, 0] for c in curves if len(c) == length)
        # A trial that stopped early keeps its last error for the rest of the axis.
        y = np.array([np.concatenate([c[:, 1], np.full(length - len(c), c[-1, 1])]) for c in curves])
        fig, ax = plt.subplots(figsize=(6.4, 4), dpi=100)
        ax.fill_between(x, np.percentile(y, 10, axis=0), np.percentile(y, 90, axis=0),
                        alpha=0.3, label="10th-90th percentile")
        ax.plot(x, np.median(y, axis=0), label=f"median of {len(curves)} trials")
        paper = get_experiment(name).paper["sequences"]
        ax.axvline(paper, color="k", linestyle=":", label=f"paper's mean ({paper:,})")
        ax.set_yscale("log")
        ax.set_xlabel("training sequences")
        ax.set_ylabel("training error, Σ (t - y)² per target step")
        ax.set_title(name)
        ax.legend()
        fig.tight_layout()
        path = out / f"{name}.png"
        fig.savefig(path)
        plt.close(fig)
        written.append(path)
    return written
