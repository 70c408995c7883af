"""Exp 2: when a trial has learned the task, against when its 10,000-sequence streak begins.

Retrains every recorded trial of an experiment exactly as `lstm97 run` did (same seeds, same
sequences) and prints the number of training sequences until the first block of 1,000 in which
at most 1% were wrong, next to the recorded criterion count. Takes a few minutes for 2c-q50-p50.

    python docs/investigations/learned_vs_streak.py 2c-q50-p50 docs/results
"""

import sys
from pathlib import Path

import numpy as np

from lstm97 import LSTM
from lstm97.experiments import get_experiment, trial_seeds
from lstm97.runner import read_results

BLOCK, MAX_WRONG = 1000, 10


def learned_at(exp, record):
    init_rng, train_rng, _ = trial_seeds(record["seed"], record["trial"])
    task, net = exp.task(), LSTM(exp.table10.topology, rng=init_rng)
    wrong = 0
    for n in range(1, record["trained"] + 1):
        seq = task.sample(train_rng)
        _, outputs = net.train_sequence(*seq, learning_rate=exp.learning_rate,
                                        update=record["update"], return_outputs=True)
        wrong += not task.is_correct(outputs, seq)
        if n % BLOCK == 0:
            if wrong <= MAX_WRONG:
                return n
            wrong = 0
    return None


def main(name, results):
    exp = get_experiment(name)
    learned, criterion = [], []
    print(f"{'trial':>5s} {'learned':>9s} {'criterion':>9s}")
    for record in read_results(Path(results) / f"{name}.jsonl"):
        n = learned_at(exp, record)
        print(f"{record['trial']:5d} {n or '-':>9} {record['sequences'] or '-':>9}", flush=True)
        learned += [n] if n else []
        criterion += [record["sequences"]] if record["sequences"] else []
    print(f"learned:   {len(learned)} trials, mean {np.mean(learned):,.0f}, median {np.median(learned):,.0f}")
    print(f"criterion: {len(criterion)} trials, mean {np.mean(criterion):,.0f}, median {np.median(criterion):,.0f}")


if __name__ == "__main__":
    main(*sys.argv[1:])
