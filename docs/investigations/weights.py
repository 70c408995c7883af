"""Chosen weights of a recorded trial while it trains.

Retrains trial TRIAL of an experiment exactly as `lstm97 run` did (the record's seed and cap in
docs/results, through `Trial`: same streams, same sequences) for LAST sequences (fewer if it
meets its criterion first) and prints, every EVERY sequences, the mean training error (Σ_k (t_k
- y_k)^2 per target step) over those sequences and each weight named as GROUP:UNIT:SOURCE, with
the names of `LSTM.unit_names` and `LSTM.source_names` (e.g. ``cell:c1_1:x0``, the weight from
input 0 into cell 1 of block 1, counting from 0).

    python docs/investigations/weights.py adding-T500 0 700000 50000 cell:c1_1:x0 output:k0:c1_1 input_gate:in1:x1
"""

import argparse

from _common import RESULTS, record_of, retrain, train_until


def main(name, trial, last, every, weights, results=RESULTS):
    run = retrain(record_of(name, trial, results))
    net = run.net
    where = []
    for weight in weights:
        group, unit, source = weight.split(":")
        where.append((group, net.unit_names[group].index(unit), net.source_names.index(source)))
    print(f"{'sequences':>9s} {'error':>7s} " + " ".join(f"{w:>18s}" for w in weights))
    error = 0.0
    for step in train_until(run, last):
        error += step.error
        if step.n % every == 0:
            current = net.get_weights()
            print(f"{step.n:>9,} {error / every:7.4f} "
                  + " ".join(f"{current[g][u, m]:18.2f}" for g, u, m in where), flush=True)
            error = 0.0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("name", help="the experiment")
    parser.add_argument("trial", type=int, help="the recorded trial")
    parser.add_argument("last", type=int, help="LAST: training sequences to follow")
    parser.add_argument("every", type=int, help="EVERY: print after every so many sequences")
    parser.add_argument("weights", nargs="+", help="GROUP:UNIT:SOURCE, e.g. cell:c1_1:x0")
    parser.add_argument("--results", default=RESULTS, help="the stored runs (default: docs/results)")
    args = parser.parse_args()
    main(args.name, args.trial, args.last, args.every, args.weights, args.results)
