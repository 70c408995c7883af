"""Our figures next to the paper's: a Markdown table, and figures as PNG.

:func:`report` is the table, with the band's verdict per row and, for a run shorter than
the paper's (fewer trials, or a cap below the experiment's), what was cut.  :func:`plot`
writes one figure per experiment and a summary figure over all of them;
:func:`figure_data` computes everything a per-experiment figure shows, without drawing.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .experiments import GuessingExperiment, collect, get_experiment, summarize
from .experiments.criteria import ReberSuccess, RecentTraining, Streak, TestSetStop
from .experiments.readings import best_reading
from .experiments.registry import LEARNER_NAMES
from .experiments.sweep import distance

__all__ = ["figure_data", "in_band", "overview", "plot", "report", "run_notes", "shortened",
           "summaries", "variant_text"]

#: Trials up to which a figure draws every trial's curve rather than a percentile band.
INDIVIDUAL_TRIALS = 10


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


def _solution_test(ours) -> str:
    """A guessing row's test: how many solutions got a test sequence wrong, their mean
    absolute test error."""
    if not ours["solved"]:
        return "no solution"
    return (f"{ours['solved'] - ours['solutions_failing_test']} of {ours['solved']} all right; "
            f"mean abs. error {ours['solutions_test_mae']:.2g}")


def in_band(exp, ours) -> bool | None:
    """The acceptance band: success at least the paper's minus 10 points, and the mean
    number of training sequences (of guesses, for a guessing row) within a factor of 2 of
    the paper's; a guessing row's solutions must also pass their test sets.  A
    competitor's row has a band of its own (:func:`_competitor_in_band`)."""
    paper = exp.paper
    if not ours["trials"]:
        return None
    if not getattr(exp, "is_lstm", True):
        return _competitor_in_band(exp, ours)
    success_ok = ours["success"] >= paper.get("success", 100) - 10
    if isinstance(exp, GuessingExperiment):
        if exp.claim is not None:
            return None                                    # a claim, not a figure: no band
        if ours.get("solutions_failing_test"):
            return False
    mean = ours["sequences"]
    return bool(success_ok and mean is not None and paper["sequences"] / 2 <= mean <= 2 * paper["sequences"])


def _competitor_in_band(exp, ours) -> bool:
    """A competitor's row reproduces the paper when it does as well *and as badly*: success
    within 10 points of the paper's either way (the paper's claim is that these fail
    more often than LSTM); the mean sequences within a factor of 2 where the paper gives
    one; a row without a success rate ("some fraction") needs some trial solved."""
    paper, mean = exp.paper, ours["sequences"]
    if paper.get("success") is not None and abs(ours["success"] - paper["success"]) > 10:
        return False
    if paper.get("success") is None and not ours["solved"]:
        return False
    if paper.get("sequences") is None:
        return True
    return mean is not None and paper["sequences"] / 2 <= mean <= 2 * paper["sequences"]


def _binomial_cdf(k, n, p):
    return sum(math.comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(k + 1))


def _success_interval(solved, n, confidence=0.95):
    """The Clopper-Pearson interval of the success probability, in %: exact, conservative."""
    alpha = (1 - confidence) / 2

    def crossing(k, level):  # the p where the binomial P(X <= k | p), falling in p, is level
        lo, hi = 0.0, 1.0
        for _ in range(60):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if _binomial_cdf(k, n, mid) > level else (lo, mid)
        return (lo + hi) / 2

    # low: P(X >= solved | p) = alpha; high: P(X <= solved | p) = alpha
    low = 0.0 if solved == 0 else crossing(solved - 1, 1 - alpha)
    high = 1.0 if solved == n else crossing(solved, alpha)
    return 100 * low, 100 * high


def _capped(ours):
    """The number of trials that ran to the cap (neither solved nor blown up)."""
    return ours["trials"] - ours.get("solved", 0) - ours.get("blow_ups", 0)


def shortened(exp, ours) -> dict:
    """How the run of ``ours`` (a :func:`summaries` row) was cut short against ``exp``:
    ``trials`` (ours, the paper's) when it had fewer trials than the paper's, ``cap``
    (ours, the experiment's) when its cap was lower than the experiment's and at least
    one trial ran to it (a lower cap that no trial reached changed nothing: a trial is
    the same up to where it stops); empty for a full run."""
    cut = {}
    if ours["trials"] and ours["trials"] < exp.trials:
        cut["trials"] = (ours["trials"], exp.trials)
    cap = ours.get("max_sequences")
    if cap is not None and cap < exp.max_sequences and ours["trials"] and _capped(ours):
        cut["cap"] = (cap, exp.max_sequences)
    return cut


def run_notes(exp, ours) -> list[str]:
    """What a reader must know about how the run of ``ours`` differs from a full run of
    ``exp``: fewer trials (with the 95% interval of the success rate they allow), a lower
    or higher cap (with the number of trials that ran to it), blow-ups."""
    notes = []
    n, solved = ours["trials"], ours.get("solved", 0)
    if not n:
        return notes
    blow_ups, capped = ours.get("blow_ups", 0), _capped(ours)
    if n < exp.trials:
        low, high = _success_interval(solved, n)
        notes.append(f"{n} of {exp.trials} trials (95% CI of success {low:.0f}-{high:.0f}%)")
    cap = ours.get("max_sequences")
    stopped = (f"{capped} trial{'s' * (capped != 1)} ran to it" if capped else "no trial ran to it")
    if cap is not None and cap < exp.max_sequences:
        notes.append(f"cap {cap:,} of {exp.max_sequences:,}, {stopped}")
    elif cap is not None and cap > exp.max_sequences:
        notes.append(f"cap raised to {cap:,} from {exp.max_sequences:,}, {stopped}")
    if blow_ups:
        notes.append(f"{blow_ups} trial{'s' * (blow_ups != 1)} blew up")
    return notes


def _value_text(value):
    if value is None:
        return "-"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value_text(v) for v in value) + "]"
    return str(value)


def variant_text(exp) -> str:
    """A variant's options, each with the paper row's value: ``h_range 2.0 instead of
    1.0``; empty for a paper row."""
    if not exp.options:
        return ""
    base = get_experiment(exp.base)
    return ", ".join(f"{key} {_value_text(value)} instead of {_value_text(base.setting(key))}"
                     for key, value in exp.options)


def summaries(directory) -> list[dict]:
    """:func:`~lstm97.experiments.summarize` of every experiment in ``directory``."""
    return [summarize(name, records) for name, records in collect(directory).items()]


def _cell(text):
    return str(text).replace("|", "\\|")


def report(rows) -> str:
    """The Markdown table of ``rows`` (from :func:`summaries`): the paper's figures next
    to ours, with the band's verdict; a shortened run (fewer trials than the paper's, a
    lower cap than the experiment's) says so in the verdict column, a variant lists its
    options after its name.  A legend follows the table.  Rows of the guessing study get
    a table of their own, after the LSTM rows'."""
    guessed = [isinstance(get_experiment(r["experiment"]), GuessingExperiment) for r in rows]
    lstm = [r for r, g in zip(rows, guessed) if not g]
    guessing = [r for r, g in zip(rows, guessed) if g]
    parts = [_table(lstm, guessing=False)] if lstm or not guessing else []
    if guessing:
        parts.append(_table(guessing, guessing=True))
    return "\n".join(parts)


def _best_cell(exp, by_name) -> str | None:
    """The second column of a paper row: the figures of its best reading found
    (:func:`~lstm97.experiments.readings.best_reading`) when ``by_name`` has them; None
    when the row has no such reading, "not run" when it has one without results here."""
    best = best_reading(exp) if not exp.options else None
    if best is None:
        return None
    ours = by_name.get(best.name)
    if ours is None:
        return f"not run (`{variant_text(best)}`)"
    band = {True: "in band", False: "not in band", None: "-"}[in_band(best, ours)]
    if shortened(best, ours):
        band += " (shortened: " + "; ".join(run_notes(best, ours)) + ")"
    return (f"{ours['trials']} trials: {_n(ours['success'])}%, {_n(ours['sequences'])} "
            f"({_n(ours['sequences_median'])}); {band}; `{variant_text(best)}`")


def _is_reading(exp, present) -> bool:
    """A variant of an LSTM row of the paper whose own row is among ``present``: it goes to
    the table of readings tried, not the main table."""
    return bool(exp.options) and getattr(exp, "is_lstm", False) and exp.base in present


def _tried(rows, present) -> dict:
    """The readings tried of each paper row in ``rows`` (:func:`_is_reading`, with
    ``present`` the rows' names): ``{row: [(variant, summary), ...]}``, nearest to the paper
    first (:func:`~lstm97.experiments.sweep.distance`, then success, then name)."""
    tried = {}
    for ours in rows:
        exp = get_experiment(ours["experiment"])
        if _is_reading(exp, present):
            tried.setdefault(exp.base, []).append((exp, ours))
    return {base: sorted(cells, key=lambda r: (distance(*r), -r[1]["success"], r[0].name))
            for base, cells in tried.items()}


def _readings_table(rows, present) -> list[str]:
    """Every reading tried (a variant of a paper row in ``rows``, whose names are
    ``present``), under its row in the paper's order, nearest to the paper first
    (:func:`~lstm97.experiments.sweep.distance`)."""
    tried = _tried(rows, present)
    if not tried:
        return []
    lines = ["", "Readings tried: every variant of a row in this directory (`lstm97 sweep ROW --catalogue` "
                 "screens a row's readings one at a time), nearest to the paper first.", "",
             "| row | reading: what it changes | trials | % success paper / ours | sequences paper / ours "
             "mean (median) | distance | in band |",
             "|---|---|---|---|---|---|---|"]
    for base in [r["experiment"] for r in rows if r["experiment"] in tried]:
        for exp, ours in tried[base]:
            d = distance(exp, ours)
            verdict = {True: "yes", False: "no", None: "-"}[in_band(exp, ours)]
            if shortened(exp, ours):
                verdict += ", shortened: " + "; ".join(run_notes(exp, ours))
            lines.append(f"| `{base}` | {_cell(variant_text(exp))} | {ours['trials']} "
                         f"| {_n(exp.paper.get('success'))} / {_n(ours['success'])} "
                         f"| {_n(exp.paper['sequences'])} / {_n(ours['sequences'])} ({_n(ours['sequences_median'])}) "
                         f"| {'-' if math.isinf(d) else f'{d:.2f}'} | {_cell(verdict)} |")
    lines += ["", "Distance: as `lstm97 sweep` ranks: the success rate's shortfall below the paper's minus 10 "
                  "points, in tens of points, plus the doublings of the mean beyond the factor-2 band (- when "
                  "no trial was solved); 0 is in band. A screen's few trials make its ranking a screen, not a "
                  "verdict; the best reading of a row is confirmed with the paper's trials in the main table."]
    return lines


def _result_text(exp, ours) -> str:
    """``10 trials: 90%, 351,444; in band (shortened)``: a row's or a reading's figures in
    one cell, as the overview shows them."""
    band = {True: "**in band**", False: "not in band", None: "-"}[in_band(exp, ours)]
    return (f"{ours['trials']} trials: {_n(ours['success'])}%, {_n(ours['sequences'])}; {band}"
            + (" (shortened)" if shortened(exp, ours) else ""))


def overview(rows) -> str:
    """A Markdown table with one line per LSTM row of the paper in ``rows`` (from
    :func:`summaries`): the paper's figures, the literal reading's, and the best reading
    found with its figures and the number of readings tried.

    The best reading is the one :data:`~lstm97.experiments.readings.BEST` names; where it
    names none, the literal reading when it is in band, else the reading tried that comes
    nearest the paper (:func:`~lstm97.experiments.sweep.distance`) if it comes nearer than
    the literal, else the literal.  docs/reproduction.md leads with this table."""
    by_name = {r["experiment"]: r for r in rows}
    tried = _tried(rows, by_name)
    lines = ["| row | paper: % success, mean | literal reading | best reading found | its result "
             "| readings tried |",
             "|---|---|---|---|---|---|"]
    for ours in rows:
        exp = get_experiment(ours["experiment"])
        if exp.options or not getattr(exp, "is_lstm", False):
            continue
        readings = tried.get(exp.name, [])
        best = best_reading(exp)
        if best is not None:
            best_ours = by_name.get(best.name)
            choice = f"`{variant_text(best)}`"
            result = "not run" if best_ours is None else _result_text(best, best_ours)
        elif in_band(exp, ours):
            choice, result = "the literal (in band)", "-"
        else:
            if readings and distance(*readings[0]) < distance(exp, ours):   # nearest first
                choice, result = f"nearest tried: `{variant_text(readings[0][0])}`", _result_text(*readings[0])
            else:
                choice = "the literal (no reading tried comes nearer)" if readings else "the literal (none tried)"
                result = "-"
        paper = exp.paper
        success = "-" if paper.get("success") is None else f"{_n(paper['success'])}%"
        lines.append(f"| `{exp.name}` | {success}, {_n(paper['sequences'])} | {_result_text(exp, ours)} "
                     f"| {_cell(choice)} | {result} | {len(readings)} |")
    return "\n".join(lines) + "\n"


def _table(rows, guessing):
    by_name = {r["experiment"]: r for r in rows}
    readings_part = [] if guessing else _readings_table(rows, by_name)
    if readings_part:
        rows = [r for r in rows if not _is_reading(get_experiment(r["experiment"]), by_name)]
    best = {} if guessing else {r["experiment"]: _best_cell(get_experiment(r["experiment"]), by_name) for r in rows}
    second = any(v is not None for v in best.values())
    if guessing:
        lines = ["| experiment | study | trials study / ours | % solved study / ours "
                 "| guesses study / ours mean (median) | test of the solutions | in band |",
                 "|---|---|---|---|---|---|---|"]
    else:
        lines = ["| experiment | table | trials paper / ours | % success paper / ours "
                 "| sequences paper / ours mean (median) | test paper / ours | in band |"
                 + (" best reading found: % success, mean (median); band; what it changes |" if second else ""),
                 "|---|---|---|---|---|---|---|" + ("---|" if second else "")]
    any_short = any_variant = any_competitor = False
    for ours in rows:
        name = ours["experiment"]
        exp = get_experiment(name)
        paper = exp.paper
        sequences = f"{_n(paper['sequences'])} / {_n(ours['sequences'])} ({_n(ours['sequences_median'])})"
        if "sequences_st1" in paper:
            sequences = (f"ST1 {_n(paper['sequences_st1'])} / {_n(ours['sequences_st1'])}; "
                         f"ST2 {sequences}")
        verdict = in_band(exp, ours)
        notes = run_notes(exp, ours)
        if shortened(exp, ours):
            any_short = True
            # Not bold: a cut run's "no" is not a failure to reproduce.
            band = {True: "yes", False: "no", None: "-"}[verdict] + ", shortened: " + "; ".join(notes)
        else:
            band = {True: "yes", False: "**no**", None: "-"}[verdict]
            if notes:
                band += " (" + "; ".join(notes) + ")"
        label = f"`{name}`"
        if not getattr(exp, "is_lstm", True):
            any_competitor = True
            label += (f" ({LEARNER_NAMES[exp.learner]}{'' if exp.window is None else f'({exp.window})'}, "
                      f"{exp.topology.n_weights} weights; paper {'≈ ' if exp.table == 'Table 1' else ''}"
                      f"{paper['weights']})")
        if getattr(exp, "claim", None):
            band = f"claim: {exp.claim}"
        if exp.options:
            any_variant = True
            label += f", variant: {variant_text(exp)}"
        test = _solution_test(ours) if guessing else _test_figures(exp, ours)
        line = (f"| {_cell(label)} | {exp.table} | {paper['trials']} / {ours['trials']} "
                f"| {_n(paper.get('success'))} / {_n(ours['success'])} | {sequences} "
                f"| {test} | {_cell(band)} |")
        if second:
            line += f" {_cell(best[name] or '-')} |"
        lines.append(line)
    if guessing:
        legend = ["", "In band: as for the LSTM rows (at least the study's success minus 10 points, "
                      "the mean guesses of the solved trials within a factor of 2 of the study's), "
                      "and every solution right on all of its 100 test sequences. The study: "
                      "every solution passed, mean absolute test errors below 0.001."]
    else:
        legend = ["", "In band: success at least the paper's minus 10 points and the mean sequences "
                      "(of the solved trials) within a factor of 2 of the paper's."]
    if any_short:
        legend.append("Shortened: fewer trials than the paper's leave the success rate uncertain "
                      "(the 95% interval is given); a cap below the experiment's can only "
                      "under-report success, and, cutting off the slow trials, bias the mean low. "
                      "Their verdicts are provisional.")
    if second:
        legend.append("Best reading found: the variant of the row that came nearest to the paper in our runs "
                      "(lstm97.experiments.readings.BEST, `lstm97 run ROW --reading best`), with what it "
                      "changes from the paper's text; docs/reproduction.md has the evidence.")
    if any_competitor:
        legend.append("A competitor's row (RTRL, BPTT, Elman) is in band when its success is within 10 "
                      "points of the paper's either way, and its mean within a factor of 2 where the paper "
                      "gives one. Table 1's competitor figures are quoted by the paper from other papers "
                      "(Smith & Zipser 1989; Cleeremans et al. 1989), with their own set-ups and criteria; "
                      "ours ran on lstm97's task and success test, so that comparison is ours, not theirs.")
    if any_variant:
        legend.append("A variant is compared with its paper row's figures; its options are "
                      "listed with the row's values.")
    return "\n".join(lines + legend + readings_part) + "\n"


# --- figures -----------------------------------------------------------------------------


def _criterion(exp):
    """What ends a trial, in words, and the training-error threshold it puts on the plotted
    curve (value, label) where it has one."""
    if isinstance(exp, GuessingExperiment):
        return (f"stop: a guess (weights uniform in ±{exp.weight_range:g}) gets all {exp.n_train} training "
                "sequences right; x axis: guesses", None)
    c = exp.criterion
    if isinstance(c, RecentTraining):
        if c.beta is not None:
            return (f"ST3: mean error of the {c.window:,} most recent sequences < β = {c.beta:g}, "
                    "each of them correct",
                    (c.beta, f"ST3's threshold β = {c.beta:g}"))
        return (f"stop: at most {c.max_wrong:,} of the {c.window:,} most recent sequences wrong", None)
    if isinstance(c, TestSetStop):
        return (f"ST1: at most {c.st1_wrong} of {c.check_size} fresh test sequences wrong; ST2: and "
                f"their mean abs. error < {c.st2_error:g} (checked every {c.interval:,})", None)
    if isinstance(c, Streak):
        return (f"stop: the task's criterion met on {c.length:,} successive sequences "
                "(counted where that streak began)", None)
    if isinstance(c, ReberSuccess):
        return "stop: every symbol of every training and test string predicted", None
    return type(c).__name__, None


def figure_data(name, records) -> dict:
    """Everything the figure of experiment ``name`` shows, from its trial ``records``,
    without drawing: ``title``, ``subtitle`` (the stop criterion), ``curves`` (one
    (n, 2) array per trial: sequences, training error), ``individual`` (draw each trial,
    not a percentile band), ``threshold`` ((value, label) of a training-error criterion,
    or None), ``solved_at`` and ``st1_at`` (sorted sequences of the solved trials),
    ``solved`` (per trial), ``trials``, ``cap``, ``curve_every`` (the curves' spacing),
    ``paper`` (the paper's figures), ``mean`` and ``ratio`` (ours and ours / paper's),
    ``verdict`` (:func:`in_band`), ``shortened``, ``notes`` (text for the solved-fraction
    panel, e.g. ``"no trial solved within the cap (600,000)"``) and ``early`` (a note on
    the trials that stopped before their first curve point, or "")."""
    exp = get_experiment(name)
    paper = exp.paper
    ours = summarize(exp.name, records)
    n, solved = ours["trials"], ours["solved"]
    cap = max((r["max_sequences"] for r in records), default=exp.max_sequences)
    curves = [np.array(r["curve"], dtype=float).reshape(-1, 2) for r in records]
    # a curve's first point is at its spacing (Trial: one point per cap // curve_points)
    every = int(next((c[0, 0] for c in curves if len(c)), max(1, cap // 100)))
    subtitle, threshold = _criterion(exp)
    st = "ST2 " if "sequences_st1" in paper else ""
    mean, ratio = ours["sequences"], None
    paper_success = paper.get("success")
    paper_text = f"paper {paper_success:g}%" if paper_success is not None else "paper: success not given"
    paper_mean = paper.get("sequences")                    # None where the paper's trials failed
    if solved and paper_mean:
        ratio = mean / paper_mean
        title = (f"{exp.name}: {solved}/{n} solved ({paper_text}), {st}mean {mean:,.0f} "
                 f"vs paper {paper_mean:,} ({ratio:.{1 if ratio >= 1 else 2}f}x)")
    elif solved:
        title = f"{exp.name}: {solved}/{n} solved ({paper_text}, no mean), {st}mean {mean:,.0f}"
    else:
        title = (f"{exp.name}: {solved}/{n} solved within {cap:,} "
                 f"({paper_text}, {st}mean {_n(paper_mean)})")
    verdict = in_band(exp, ours)
    notes = []
    if n and not solved:
        notes.append(f"no trial solved within the cap ({cap:,})")
    notes.extend(run_notes(exp, ours))
    if exp.options:
        notes.append("variant: " + variant_text(exp))
    notes.append({True: "in band", False: "not in band", None: "no trials"}[verdict]
                 + (" (provisional: shortened run)" if shortened(exp, ours) else ""))
    early = sum(not len(c) for c in curves) if not isinstance(exp, GuessingExperiment) else 0
    early = (f"{early} of {n} trials stopped before\nthe first curve point (at {every:,})\n"
             "and have no line" if early else "")
    return {
        "name": exp.name, "title": title, "subtitle": subtitle, "curves": curves,
        "individual": n <= INDIVIDUAL_TRIALS, "threshold": threshold,
        "solved_at": sorted(r["sequences"] for r in records if r["solved"]),
        "solved": [bool(r["solved"]) for r in records],
        "st1_at": (sorted(r["sequences_st1"] for r in records if r.get("sequences_st1") is not None)
                   if "sequences_st1" in paper else None),
        "trials": n, "cap": cap, "curve_every": every, "paper": dict(paper), "mean": mean,
        "ratio": ratio, "verdict": verdict, "shortened": bool(shortened(exp, ours)), "notes": notes,
        "early": early, "unit": "guesses" if isinstance(exp, GuessingExperiment) else "training sequences",
    }


def _log_labels(axis, thousands=False):
    """Plain numbers on a log axis (0.01, 0.3; 10,000 with ``thousands``) rather than powers
    of ten, with some minor ticks labelled where the axis spans few decades."""
    from matplotlib.ticker import LogFormatter

    class Plain(LogFormatter):
        def _num_to_string(self, x, vmin, vmax):
            return f"{x:,.0f}" if thousands and x >= 1 else f"{x:g}"

    axis.set_major_formatter(Plain())
    axis.set_minor_formatter(Plain(labelOnlyBase=False, minor_thresholds=(1.2, 0.6)))


def _draw_experiment(plt, data, path):
    curves, paper, cap = data["curves"], data["paper"], data["cap"]
    paper_mean = paper.get("sequences") or 0               # 0: the paper gives none
    firsts = [c[0, 0] for c in curves if len(c)] + data["solved_at"] + ([paper_mean / 2] if paper_mean else [])
    left, right = max(1.0, min(firsts, default=cap) / 1.6), max(cap, 2 * paper_mean) * 1.35
    if data["unit"] == "guesses":                          # no training curve: the solved panel alone
        fig, bottom = plt.subplots(1, 1, figsize=(10, 3.6), dpi=100)
        fig.suptitle(data["title"], fontsize=10.5)
        bottom.set_title(data["subtitle"], fontsize=8.5, color="0.25")
        _draw_solved(plt, fig, bottom, None, data, left, right, [], path)
        return
    fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(10, 6.6), dpi=100,
                                      gridspec_kw={"height_ratios": [3, 2]})
    fig.suptitle(data["title"], fontsize=10.5)
    top.set_title(data["subtitle"], fontsize=8.5, color="0.25")
    longest = max(curves, key=len)
    if not len(longest):
        top.text(0.5, 0.5, data["early"], transform=top.transAxes, ha="center", va="center")
    elif data["individual"]:
        # tab10 without the orange, green and red of our mean, ST1 and the cap
        colors = [plt.get_cmap("tab10").colors[i] for i in (0, 4, 5, 6, 7, 8, 9)]
        labelled = False
        for i, (c, solved) in enumerate(zip(curves, data["solved"])):
            if not len(c):
                continue
            color = colors[i % len(colors)]
            top.plot(c[:, 0], c[:, 1], color=color, lw=0.9, alpha=0.75,
                     label=None if labelled else "one line per trial, ending in\n● (solved) or × (not)")
            top.plot(c[-1, 0], c[-1, 1], "o" if solved else "x", color=color, ms=5, mew=1.5, zorder=5)
            labelled = True
    if len(longest):
        x = longest[:, 0]
        running = [[c[i, 1] for c in curves if len(c) > i] for i in range(len(x))]
        if not data["individual"]:
            top.fill_between(x, [np.percentile(v, 10) for v in running],
                             [np.percentile(v, 90) for v in running], alpha=0.3, color="C0",
                             label="10th-90th percentile")
        top.plot(x, [np.median(v) for v in running], color="k" if data["individual"] else "C0",
                 lw=1.5 if data["individual"] else 1.8, ls="--" if data["individual"] else "-", zorder=4,
                 label="median of the trials still training")
    if data["threshold"] is not None:
        value, label = data["threshold"]
        top.axhline(value, color="C3", ls="--", lw=1.2, label=label)
    top.set_yscale("log")
    _log_labels(top.yaxis)
    top.set_ylabel(f"training error Σ (t - y)² per target step,\nmean of each {data['curve_every']:,} sequences",
                   fontsize=9)
    _draw_solved(plt, fig, bottom, top, data, left, right, [longest] if len(longest) else [], path)


def _draw_solved(plt, fig, bottom, top, data, left, right, longest, path):
    """The lower panel (the fraction solved, the paper's figures and ours), the legends and
    the notes; ``top`` (the training-curve panel, or None) gets the same vertical lines;
    then the figure is saved to ``path`` and closed."""
    from matplotlib.legend import Legend
    from matplotlib.lines import Line2D

    paper, cap = data["paper"], data["cap"]
    axes = (bottom,) if top is None else (top, bottom)
    n = max(data["trials"], 1)

    def fraction(at):
        """The staircase of the % solved, as explicit vertices (so that the notes' "best"
        placement sees its corners)."""
        x, y = [left], [0.0]
        for k, a in enumerate(at, 1):
            x += [a, a]
            y += [y[-1], 100 * k / n]
        return x + [right], y + [y[-1]]

    staircases = []
    if data["st1_at"] is not None:
        staircases += bottom.plot(*fraction(data["st1_at"]), color="C2", lw=1.3, ls="-.",
                                  label="ours: % reached ST1", clip_on=False, zorder=4)
    label = "ours: % solved" + (" (ST2)" if data["st1_at"] is not None else "")
    staircases += bottom.plot(*fraction(data["solved_at"]), color="C0", lw=2, label=label,
                              clip_on=False, zorder=5)
    if paper.get("success") is not None:
        bottom.axhline(paper["success"], color="k", ls=":", lw=1.2, label=f"paper: {paper['success']:g}% solved")
    for ax in axes if paper.get("sequences") else ():
        ax.axvspan(paper["sequences"] / 2, paper["sequences"] * 2, color="0.5", alpha=0.13, lw=0,
                   label="within 2x of the paper's mean" if ax is bottom else None)
        ax.axvline(paper["sequences"], color="k", ls=":", lw=1.2,
                   label=f"paper's mean ({paper['sequences']:,})" if ax is bottom else None)
    for ax in axes:
        if "sequences_st1" in paper:
            ax.axvline(paper["sequences_st1"], color="C2", ls=":", lw=1.2,
                       label=f"paper's ST1 mean ({paper['sequences_st1']:,})" if ax is bottom else None)
        if data["mean"] is not None:
            ax.axvline(data["mean"], color="C1", ls="--", lw=1.3,
                       label=f"our mean ({data['mean']:,.0f})" if ax is bottom else None)
        ax.axvline(cap, color="C3", lw=1.3, label=f"cap ({cap:,})" if ax is bottom else None)
    bottom.set_ylim(-3, 105)
    bottom.set_xscale("log")
    bottom.set_xlim(left, right)
    _log_labels(bottom.xaxis, thousands=True)
    bottom.set_ylabel("% of trials solved")
    bottom.set_xlabel(data["unit"])
    fig.tight_layout(rect=(0, 0, 0.74, 1))
    for ax in axes:
        ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    if data["early"] and longest:
        top.text(1.02, 0.03, data["early"], transform=top.transAxes, ha="left", va="bottom",
                 fontsize=8, color="0.3")
    # the notes as a handle-less legend, at the first place where they hide no staircase
    notes = Legend(bottom, [Line2D([], [], ls="")], ["\n".join(data["notes"])], loc="upper left",
                   handlelength=0, handletextpad=0, fontsize=8.5, framealpha=0.9)
    bottom.add_artist(notes)
    renderer = fig.canvas.get_renderer()
    stairs = [line.get_path().transformed(line.get_transform()) for line in staircases]
    for loc in ("upper left", "lower right", "center left", "center right", "upper center",
                "lower center", "center"):
        notes.set_loc(loc)
        box = notes.get_window_extent(renderer)
        if not any(path.intersects_bbox(box, filled=False) for path in stairs):
            break
    else:
        notes.set_loc("upper left")
    fig.savefig(path)
    plt.close(fig)


def _summary_points(rows):
    points = []
    for ours in rows:
        exp = get_experiment(ours["experiment"])
        if not ours["trials"]:
            continue
        unsolved = ours["sequences"] is None
        points.append({
            "name": exp.name, "x": exp.paper["sequences"],
            "y": ours["max_sequences"] if unsolved else ours["sequences"], "unsolved": unsolved,
            "verdict": bool(in_band(exp, ours)), "shortened": bool(shortened(exp, ours)),
            "label": exp.name + ("" if ours["solved"] in (0, ours["trials"])
                                 else f" ({ours['solved']}/{ours['trials']})")})
    return points


def _place_labels(fig, ax, points, avoid=()):
    """Label each point with its name where the label fits without overlapping another
    label, a marker, the artists ``avoid`` or the frame; returns the names left unlabelled."""
    from matplotlib.text import Text

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    marks = []
    for p in points:
        px, py = ax.transData.transform((p["x"], p["y"]))
        marks.append((px - 5, py - 5, px + 5, py + 5))
    placed, missing = [], []
    for artist in avoid:
        box = artist.get_window_extent(renderer)
        placed.append((box.x0, box.y0, box.x1, box.y1))

    def free(box):
        if box.x0 < frame.x0 or box.x1 > frame.x1 or box.y0 < frame.y0 or box.y1 > frame.y1:
            return False
        for x0, y0, x1, y1 in placed + marks:
            if box.x0 < x1 and box.x1 > x0 and box.y0 < y1 and box.y1 > y0:
                return False
        return True

    def clear_leader(px, py, box):
        """The leader from the point to the label's nearest edge misses every other marker."""
        tx, ty = min(max(px, box.x0), box.x1), min(max(py, box.y0), box.y1)
        for t in np.linspace(0.15, 1, 12):
            x, y = px + t * (tx - px), py + t * (ty - py)
            for x0, y0, x1, y1 in marks:
                if x0 <= x <= x1 and y0 <= y <= y1 and not (x0 <= px <= x1 and y0 <= py <= y1):
                    return False
        return True

    offsets = [(7, 0, 0), (-7, 0, 0), (0, 8, 90), (0, -8, 90)]
    offsets += [(dx, dy, 0) for dx, dy in [(0, 9), (0, -9), (7, 8), (7, -8), (-7, 8), (-7, -8)]]
    for r in (18, 28, 40, 54, 70, 90, 115, 140):
        offsets += [(dx, dy, 0) for dx, dy in [(r, 0), (-r, 0), (0, r), (0, -r), (r, r / 2), (r, -r / 2),
                                               (-r, r / 2), (-r, -r / 2), (r / 2, r), (r / 2, -r),
                                               (-r / 2, r), (-r / 2, -r)]]
    # points drawn at the same place share one label
    groups = {}
    for p in points:
        groups.setdefault((p["x"], p["y"]), []).append(p)
    for key in sorted(groups):
        group = groups[key]
        p = dict(group[0], label=", ".join(q["label"] for q in group),
                 name=", ".join(q["name"] for q in group))
        for dx, dy, rotation in offsets:
            ha = "left" if dx > 0 else "right" if dx < 0 else "center"
            va = "bottom" if dy > 0 else "top" if dy < 0 else "center"
            far = abs(dx) > 10 or abs(dy) > 10
            text = ax.annotate(p["label"], (p["x"], p["y"]), xytext=(dx, dy), textcoords="offset points",
                               ha=ha, va=va, fontsize=7, rotation=rotation, rotation_mode="anchor"
                               if rotation == 0 else "default",
                               arrowprops={"arrowstyle": "-", "color": "0.45", "lw": 0.7,
                                           "shrinkA": 1, "shrinkB": 4} if far else None)
            text.update_positions(renderer)
            box = Text.get_window_extent(text, renderer)  # the text alone, not the leader line
            px, py = ax.transData.transform((p["x"], p["y"]))
            if free(box) and (not far or clear_leader(px, py, box)):
                placed.append((box.x0 - 1, box.y0 - 1, box.x1 + 1, box.y1 + 1))
                break
            text.remove()
        else:
            missing.append(p["name"])
    return missing


def _draw_summary(plt, rows, path, guessing=False):
    from matplotlib.lines import Line2D

    points = _summary_points(rows)
    fig, ax = plt.subplots(figsize=(11, 8.5), dpi=100)
    values = [p["x"] for p in points] + [p["y"] for p in points]
    lo, hi = min(values) / 2, max(values) * 2
    line = np.geomspace(lo, hi, 50)
    ax.fill_between(line, line / 2, line * 2, color="C2", alpha=0.12, lw=0)
    ax.plot(line, line, color="0.4", lw=1)
    for p in points:
        color = "C2" if p["verdict"] else "C3"
        ax.plot(p["x"], p["y"], "^" if p["unsolved"] else "o", ms=8 if p["unsolved"] else 7,
                mec=color, mew=1.6, mfc="white" if p["shortened"] else color, zorder=3)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_aspect("equal")
    for axis in (ax.xaxis, ax.yaxis):
        _log_labels(axis, thousands=True)
    if guessing:
        ax.set_xlabel("the guessing study: mean guesses to a solution")
        ax.set_ylabel("ours: mean guesses of the solved trials")
    else:
        ax.set_xlabel("paper: mean training sequences to the criterion (ST2 for Exp 3)")
        ax.set_ylabel("ours: mean of the solved trials")
    solved = sum(p["verdict"] for p in points)
    ax.set_title(f"Ours against the {'guessing study' if guessing else 'paper'}: {solved} of {len(points)} "
                 "rows in band (success ≥ paper's - 10 points, mean within 2x)", fontsize=11)
    handles = [
        Line2D([], [], ls="", marker="o", mfc="C2", mec="C2", label="in band"),
        Line2D([], [], ls="", marker="o", mfc="C3", mec="C3", label="not in band"),
        Line2D([], [], ls="", marker="^", mfc="C3", mec="C3", ms=8,
               label="no trial solved: drawn at the cap (ours > cap)"),
        Line2D([], [], ls="", marker="o", mfc="white", mec="0.3", mew=1.6,
               label="hollow: shortened run (fewer trials or a lower cap)"),
        Line2D([], [], color="0.4", lw=1, label="ours = paper"),
        plt.Rectangle((0, 0), 1, 1, color="C2", alpha=0.12, label="within a factor of 2"),
    ]
    legend = ax.legend(handles=handles, loc="upper left", fontsize=8)
    key = ax.text(0.99, 0.01, "(k/n): k of n trials solved; the mean is of those k", transform=ax.transAxes,
            ha="right", va="bottom", fontsize=7.5, color="0.3")
    fig.tight_layout()
    missing = _place_labels(fig, ax, points, avoid=(legend, key))
    if missing:
        ax.text(0.99, 0.04, "not labelled (no room): " + ", ".join(missing), transform=ax.transAxes,
                ha="right", va="bottom", fontsize=7, color="0.3", wrap=True)
    fig.savefig(path)
    plt.close(fig)
    return missing


def plot(directory) -> list[Path]:
    """Write to ``directory/plots`` one PNG per experiment in ``directory``, ``summary.png``
    (the paper's LSTM rows, not their variants) and ``summary-guessing.png`` (the guessing study's rows, if any); return
    their paths, the LSTM summary last (none, and no folder made, when ``directory`` holds
    no results).

    An experiment's figure has the trials' training error (each trial when there are at
    most :data:`INDIVIDUAL_TRIALS`, else the median and 10th-90th percentile band, of
    those still training), with ST3's threshold where the criterion has one; below, the
    percentage of trials solved by then, with the paper's success rate and mean, the
    factor-2 band around it, our mean and the cap (see :func:`figure_data`).  The summary
    puts every row's mean against the paper's, log-log, with the factor-2 band."""
    from ._optional import require
    matplotlib = require("matplotlib", "plot", what="plotting")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    found = collect(directory)
    if not found:
        return []
    out = Path(directory) / "plots"
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"cannot make the plots directory {str(out)!r}: {exc.strerror}") from None
    written, rows, guessed = [], [], []
    for name, records in found.items():
        path = out / f"{name}.png"
        _draw_experiment(plt, figure_data(name, records), path)
        written.append(path)
        exp = get_experiment(name)
        if not isinstance(exp, GuessingExperiment):
            if exp.is_lstm and not exp.options:            # the summary: the paper's LSTM rows, as read
                rows.append(summarize(name, records))
        elif exp.claim is None:                            # a claim has no figure to set against
            guessed.append(summarize(name, records))
    for summary_rows, name, guessing in ((guessed, "summary-guessing.png", True), (rows, "summary.png", False)):
        if summary_rows:
            _draw_summary(plt, summary_rows, out / name, guessing)
            written.append(out / name)
    return written
