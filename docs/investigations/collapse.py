"""A learned net lost in one sequence: the largest weight changes of a recorded trial.

Retrains trial TRIAL of an experiment exactly as `lstm97 run` did (same seeds, same
sequences) and, for training sequences FROM+1 .. TO, measures the largest change of any one
weight that each sequence's update made. Prints their median, 99th percentile and maximum, then
the three largest with the cell states at the end of that sequence and the training error
(Σ_k (t_k - y_k)^2 per target step) over the 1,000 sequences before and after it. With
``--skip``, runs the trial again with the largest update left out (that sequence is only read
forward) and says whether the stop criterion is then met.

    python docs/investigations/collapse.py 3a-T100-N3 6 100000 104000 --skip
"""

import sys

import numpy as np

from lstm97 import LSTM
from lstm97.experiments import get_experiment, trial_seeds

AROUND = 1000


def flat(net):
    """Every weight of ``net`` in one vector."""
    return np.concatenate([w.ravel() for w in net.get_weights().values()])


def train(exp, trial, stop, skip=None, watch=range(0)):
    """Train like run_trial, up to sequence ``stop`` or the criterion; record ``watch``."""
    init_rng, train_rng, test_rng = trial_seeds(0, trial)
    task, net = exp.task(), LSTM(exp.table10.topology, rng=init_rng)
    monitor = exp.criterion.monitor(task, test_rng)
    errors, changes = [], {}
    for n in range(1, stop + 1):
        seq = task.sample(train_rng)
        before = flat(net) if n in watch else None
        if n == skip:
            _, error = net.gradient(*seq)
            outputs = net.forward(seq.inputs)
        else:
            error, outputs = net.train_sequence(*seq, learning_rate=exp.learning_rate, return_outputs=True)
        error = 2.0 * error / np.count_nonzero(seq.target_mask)
        errors.append(error)
        if before is not None:
            changes[n] = (np.abs(flat(net) - before).max(), net.cell_states.copy())
        if monitor.update(n, net, seq, outputs, error):
            break
    return monitor, np.array(errors), changes


def main(name, trial, first, last, *flags):
    exp, trial, first, last = get_experiment(name), int(trial), int(first), int(last)
    _, errors, changes = train(exp, trial, last + AROUND, watch=range(first + 1, last + 1))
    sizes = np.array([size for size, _ in changes.values()])
    print(f"{name} trial {trial}, training sequences {first + 1:,}-{last:,}: the largest change of one "
          f"weight per sequence")
    print(f"median {np.median(sizes):.1e}, 99th percentile {np.quantile(sizes, 0.99):.1e}, "
          f"maximum {sizes.max():.2f}")
    largest = sorted(changes, key=lambda n: -changes[n][0])
    for n in largest[:3]:
        size, states = changes[n]
        print(f"sequence {n:,}: change {size:.3f}; cell states at its end {' '.join(f'{s:.2f}' for s in states)}; "
              f"error before {errors[n - 1 - AROUND:n - 1].mean():.3f}, after {errors[n:n + AROUND].mean():.3f}")
    if "--skip" in flags:
        monitor, _, _ = train(exp, trial, exp.max_sequences, skip=largest[0])
        print(f"without the update of sequence {largest[0]:,}: "
              + (f"criterion met after {monitor.sequences:,} sequences" if monitor.solved
                 else f"criterion not met within {exp.max_sequences:,} sequences"))


if __name__ == "__main__":
    main(*sys.argv[1:])
