"""The cells' states at the target step while a network trains.

Retrains a recorded trial of an experiment (trial 0 of docs/results by default) as `lstm97 run`
trained it (its record's seed and cap, through `Trial`: same streams, same sequences) and,
before training and after 1,000, 10,000 and N sequences, prints per cell the median |s_c| and
the median h'(s_c) (error enters a cell through it, eq. 23) at the last step of 50 sequences of
the trial's test stream (the next 50 at each point; a copy of the stream, so the stop
criterion's own test draws are untouched). If the trial meets its criterion first, the last
line is at the sequence where it stopped.

    python docs/investigations/cell_states.py adding-T500 100000    # about a minute
    python docs/investigations/cell_states.py temporal-order-6b 200000 --trial 0 --results docs/results
"""

import argparse

import numpy as np
from _common import RESULTS, h_prime, probe_stream, record_of, retrain, train_until


def main(name, n_train, trial=0, results=RESULTS):
    run = retrain(record_of(name, trial, results))
    probes = probe_stream(run)
    for point in sorted({n for n in (0, 1000, 10_000, n_train) if n <= n_train}):
        for _ in train_until(run, point):
            pass
        states = []
        for _ in range(50):
            run.net.forward(run.task.sample(probes).inputs)
            states.append(run.net.cell_states)
        s = np.array(states)
        dh = h_prime(s, run.net.topology)
        stopped = "  (the criterion is met: training stopped here)" if run.n < point else ""
        print(f"{run.n:>9,} sequences: median |s| " + " ".join(f"{v:5.1f}" for v in np.median(np.abs(s), 0))
              + ";  median h'(s) " + " ".join(f"{v:.3f}" for v in np.median(dh, 0)) + stopped)
        if stopped:
            break


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("name", help="the experiment")
    parser.add_argument("n_train", type=int, help="training sequences N")
    parser.add_argument("--trial", type=int, default=0, help="the recorded trial (default: 0)")
    parser.add_argument("--results", default=RESULTS, help="the stored runs (default: docs/results)")
    args = parser.parse_args()
    main(args.name, args.n_train, args.trial, args.results)
