"""Exp 2: when a trial has learned the task, how often it loses it, and when its streak begins.

Retrains every recorded trial of an experiment exactly as `lstm97 run` did (each record's seed,
cap and experiment, through `Trial`: same streams, same sequences), in blocks of 1,000 training
sequences. Prints, trial by trial: the number of sequences until the first block in which at
most 1% were wrong (learned); how many times a learned net lost the task again (a later block
with at least 90% wrong, counted once until the net has learned again); and the recorded
criterion count, where the 10,000-sequence streak began. The blocks are followed up to the
criterion count, or up to 1,000,000 sequences for a trial that never met it. Takes about 10
minutes for 2c-q50-p50.

    python docs/investigations/learned_vs_streak.py 2c-q50-p50 docs/results
"""

import sys

import numpy as np
from _common import retrain, train_until

from lstm97.experiments import read_results, results_path

BLOCK, LEARNED, LOST, UNSOLVED_SCAN = 1000, 0.01, 0.9, 1_000_000


def learned_and_lost(record):
    """(first learned block's end or None, number of times the task was lost)."""
    trial = retrain(record)
    stop = record["sequences"] or min(record["trained"], UNSOLVED_SCAN)
    learned, holds, lost, wrong = None, False, 0, 0
    for step in train_until(trial, stop):
        wrong += not trial.task.is_correct(step.outputs, step.sequence)
        if step.n % BLOCK == 0:
            if wrong <= LEARNED * BLOCK:
                learned, holds = learned or step.n, True
            elif holds and wrong >= LOST * BLOCK:
                lost, holds = lost + 1, False
            wrong = 0
    return learned, lost


def main(name, results):
    learned, criterion = [], []
    print(f"{'trial':>5s} {'learned':>9s} {'lost':>4s} {'criterion':>9s}")
    for record in read_results(results_path(results, name)):
        n, lost = learned_and_lost(record)
        print(f"{record['trial']:5d} {n or '-':>9} {lost:4d} {record['sequences'] or '-':>9}", flush=True)
        learned += [n] if n else []
        criterion += [record["sequences"]] if record["sequences"] else []
    print(f"learned:   {len(learned)} trials, mean {np.mean(learned):,.0f}, median {np.median(learned):,.0f}")
    print(f"criterion: {len(criterion)} trials, mean {np.mean(criterion):,.0f}, median {np.median(criterion):,.0f}")


if __name__ == "__main__":
    main(*sys.argv[1:])
