"""What the whole paper costs on this machine: a projection from measured parts.

    python tools/paper_cost.py [RESULTS_DIR] [SECONDS_PER_ROW]

For every LSTM row of the paper (``lstm97 run --all``), two figures are combined:

- the CPU time a trial's training sequence takes as ``lstm97 run`` trains it on 2 cores: in
  the lanes that ``choose_lanes`` gives the row's trials over 2 processes (``run_in_lanes``),
  or alone where it gives none; measured here over SECONDS_PER_ROW seconds (default 3) of
  as many fresh trials, in whole rounds of the lanes from their second on;
- how many sequences a trial trains, from the committed records in RESULTS_DIR (default
  docs/results): a solved trial's ``trained``, and for a trial that was not solved the
  experiment's cap (the paper's), which it would have run to had it not been cut.

It prints, per row, the paper's trials, the mean sequences per trial, the lanes and the µs
per sequence per trial in them, the core-hours of the paper's trials, and the hours of its
longest trial (in lanes, every trial of the group waits for the whole group's step); then
the totals.  The last column and total are what the same trials would cost had they trained
as many sequences as the paper reports (its mean, ``paper["sequences"]``; our count where it
gives none): the machine's share of the target, apart from our readings' failures.  The
figures are a projection, not a timing of ``lstm97 run --all``: the records are our literal
reading's, and unsolved trials are assumed to run to the cap.
"""

import statistics
import sys
import time

from lstm97.experiments import EXPERIMENTS, collect, get_experiment
from lstm97.experiments.runner import choose_lanes
from lstm97.experiments.trial import Trial, run_in_lanes

JOBS = 2


class _Enough(Exception):
    pass


def us_per_sequence(exp, seconds, lanes):
    """CPU µs per trained sequence per trial, trials of ``exp`` in ``lanes`` lanes (or, for
    0, one trial alone).

    Progress comes once per trial after each round of lanes; the time and the sequences
    are counted from the end of the first round to the end of the last whole round, so no
    round is counted in part.  A trial that meets its criterion within the time adds its
    final test (a fast row's, which the totals hardly feel).  Where every trial does, the
    time is that of all their rounds after the first."""
    rounds = [[]]

    def progress(trial, n):
        now = time.process_time()
        if any(t == trial for _, t, _ in rounds[-1]):      # a new round begins
            if len(rounds) > 1 and now - rounds[0][-1][0] > seconds:
                raise _Enough
            rounds.append([])
        rounds[-1].append((now, trial, n))

    trials = [Trial(exp, i) for i in range(max(lanes, 1))]
    try:
        if lanes:
            for _ in run_in_lanes(iter(trials), lanes, progress=progress):
                pass
        else:
            trials[0].run(progress=lambda n: progress(0, n))
    except _Enough:                  # raised as a round begins: the rounds so far are whole
        pass
    if len(rounds) < 2:
        raise RuntimeError(f"{exp.name}: fewer than two whole rounds of lanes; give more seconds")
    start = {t: n for _, t, n in rounds[0]}
    end = {t: n for r in rounds for _, t, n in r}
    trained = sum(n - start.get(t, 0) for t, n in end.items())
    return (rounds[-1][-1][0] - rounds[0][-1][0]) / trained * 1e6


def project(directory="docs/results", seconds=3.0):
    """The projection, row by row, as each is measured: dicts (``row``, ``trials``, ``mean`` sequences
    per trial, ``lanes``, ``us`` per sequence, ``hours`` in core-hours, ``longest`` trial in
    hours, ``paper_hours``: core-hours at the paper's sequences), in ``lstm97 run --all``'s
    order.  ``asv``'s ``bench_paper`` tracks its totals."""
    records = collect(directory)
    for name in EXPERIMENTS:                 # what `lstm97 run --all` runs
        exp = get_experiment(name)
        done = records.get(name, [])
        per_trial = [r["trained"] if r["solved"] else exp.max_sequences for r in done] or [exp.max_sequences]
        mean = statistics.fmean(per_trial)
        lanes = choose_lanes(exp, list(range(exp.trials)), JOBS)
        us = us_per_sequence(exp, seconds, lanes)
        yield {"row": name, "trials": exp.trials, "mean": mean, "lanes": lanes, "us": us,
               "hours": exp.trials * mean * us / 3.6e9,
               "longest": max(per_trial) * us * max(lanes, 1) / 3.6e9,
               "paper_hours": exp.trials * exp.paper.get("sequences", mean) * us / 3.6e9}


def totals(rows):
    """The whole paper from ``project``'s rows: ``hours`` on the JOBS cores, the ``longest``
    trial in hours, and ``at_paper``, the hours on the JOBS cores at the paper's sequences."""
    return {"hours": sum(r["hours"] for r in rows) / JOBS, "longest": max(r["longest"] for r in rows),
            "at_paper": sum(r["paper_hours"] for r in rows) / JOBS}


def main(directory="docs/results", seconds=3.0):
    print("| row | trials | sequences per trial | lanes | µs per sequence | core-hours | longest trial, h "
          "| core-hours at the paper's sequences |")
    print("|---|---|---|---|---|---|---|---|")
    rows = []
    for r in project(directory, seconds):
        rows.append(r)
        print(f"| `{r['row']}` | {r['trials']} | {r['mean']:,.0f} | {r['lanes'] or 'alone'} | {r['us']:,.1f} "
              f"| {r['hours']:.2f} | {r['longest']:.2f} | {r['paper_hours']:.2f} |", flush=True)
    whole = totals(rows)
    print(f"\nAll {len(rows)} rows: {whole['hours'] * JOBS:.1f} core-hours, {whole['hours']:.1f} h on {JOBS} "
          f"cores; the longest trial {whole['longest']:.1f} h.  At the paper's sequences: "
          f"{whole['at_paper'] * JOBS:.1f} core-hours, {whole['at_paper']:.1f} h on {JOBS} cores.")


if __name__ == "__main__":
    main(*sys.argv[1:2], *(float(a) for a in sys.argv[2:3]))
