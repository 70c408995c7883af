"""Our figures next to the paper's: a Markdown table, and learning curves as PNG."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .experiments import collect, get_experiment, summarize

__all__ = ["in_band", "plot", "report", "summaries"]


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
        # Table 8's "MSE" column matches its text's "average test error" (below 0.026), an
        # absolute error, so ours is given as the mean absolute error, with the MSE after it.
        return (f"wrong {paper['test_wrong']} / {ours['test_wrong']:.1f} of {size}; "
                f"\"MSE\" {paper['test_mse']} / mean abs. {ours['test_mae']:.4f} (MSE {ours['test_mse']:.4f})")
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


def summaries(directory) -> list[dict]:
    """:func:`~lstm97.experiments.summarize` of every experiment in ``directory``."""
    return [summarize(name, records) for name, records in collect(directory).items()]


def report(rows) -> str:
    """The Markdown table of ``rows`` (from :func:`summaries`): the paper's figures next
    to ours, with the band's verdict."""
    lines = [
        "| experiment | table | trials paper / ours | % success paper / ours "
        "| sequences paper / ours mean (median) | test paper / ours | in band |",
        "|---|---|---|---|---|---|---|",
    ]
    for ours in rows:
        name = ours["experiment"]
        exp = get_experiment(name)
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
    return "\n".join(lines) + "\n"


def plot(directory) -> list[Path]:
    """One PNG per experiment in ``directory/plots``.  Top: the training error of the trials
    still training, median and 10th-90th percentile band, against training sequences.
    Bottom: the fraction of trials that have met the stop criterion by then."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(directory) / "plots"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, records in collect(directory).items():
        curves = [np.array(r["curve"], dtype=float).reshape(-1, 2) for r in records]
        if not any(len(c) for c in curves):
            continue
        x = max(curves, key=len)[:, 0]
        running = [[c[i, 1] for c in curves if len(c) > i] for i in range(len(x))]
        fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(6.4, 5.6), dpi=100,
                                          gridspec_kw={"height_ratios": [2, 1]})
        top.fill_between(x, [np.percentile(v, 10) for v in running],
                         [np.percentile(v, 90) for v in running], alpha=0.3, label="10th-90th percentile")
        top.plot(x, [np.median(v) for v in running], label="median")
        top.set_yscale("log")
        top.set_ylabel("training error,\nΣ (t - y)² per target step")
        top.set_title(f"{name}: {len(records)} trials (error of those still training)")
        solved = sorted(r["sequences"] for r in records if r["solved"])
        steps = np.concatenate([[0], solved, [x[-1]]])
        fraction = np.concatenate([[0], np.arange(1, len(solved) + 1), [len(solved)]]) / len(records)
        bottom.step(steps, 100 * fraction, where="post", label="ours")
        paper = get_experiment(name).paper
        for ax in (top, bottom):
            ax.axvline(paper["sequences"], color="k", linestyle=":",
                       label=f"paper's mean ({paper['sequences']:,})")
        bottom.set_ylim(0, 105)
        bottom.set_ylabel("% of trials solved")
        bottom.set_xlabel("training sequences")
        top.legend()
        bottom.legend(loc="lower right")
        fig.tight_layout()
        path = out / f"{name}.png"
        fig.savefig(path)
        plt.close(fig)
        written.append(path)
    return written
