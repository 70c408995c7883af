"""What the recorded learning curves show: when learning starts, and which trials lose it again.

Reads the recorded trials of each experiment (no training) and prints, per row: when the
training error first fell below half of its value at the start (the end of the plateau on which
the net outputs the mean target), the number of sequences until the stop criterion next to the
paper's mean, and the trials whose error, after falling below half, came back to 90% of its
starting value or more (learned, then lost). A learning curve has 100 points over the cap, so
these are known to within cap/100 sequences, and a trial that stopped between two points may
show no plateau end.

    python docs/investigations/curves.py docs/results adding-T100 adding-T500 adding-T1000
"""

import sys

import numpy as np

from lstm97.experiments import get_experiment, read_results, results_path


def plateau_end(curve):
    """The first curve point with the error below half the first point's, or None."""
    return next((n for n, error in curve if error < 0.5 * curve[0][1]), None)


def lost(curve, end):
    """Whether the error came back to 90% of its start after the plateau ended at ``end``."""
    return end is not None and any(error >= 0.9 * curve[0][1] for n, error in curve if n > end)


def spread(values):
    if not values:
        return "0"
    return f"{len(values)}, {np.mean(values):,.0f} ({min(values):,}-{max(values):,})"


def main(results, *names):
    print(f"{'experiment':23s} {'paper':>9s} {'trials':>6s}  {'plateau ended: trials, mean (range)':36s}"
          f"{'criterion met: trials, mean (range)':37s}lost")
    for name in names:
        records = read_results(results_path(results, name))
        end = [plateau_end(r["curve"]) for r in records]
        ends = [n for n in end if n is not None]
        met = [r["sequences"] for r in records if r["solved"]]
        dropped = [str(r["trial"]) for r, n in zip(records, end) if lost(r["curve"], n)]
        print(f"{name:23s} {get_experiment(name).paper['sequences']:>9,} {len(records):>6d}  "
              f"{spread(ends):36s}{spread(met):37s}{' '.join(dropped) or '-'}")


if __name__ == "__main__":
    main(*sys.argv[1:])
