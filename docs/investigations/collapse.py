"""A learned net lost in one sequence: the largest weight changes of a recorded trial.

Retrains trial TRIAL of an experiment exactly as `lstm97 run` did (the record's seed and cap in
docs/results, through `Trial`: same streams, same sequences, same stop criterion) and, for
training sequences FROM+1 .. TO, measures the largest change of any one weight that each
sequence's update made. Prints their median, 99th percentile and maximum, then the three
largest with the cell states at the end of that sequence and the training error (Σ_k (t_k -
y_k)^2 per target step) over the 1,000 sequences before and after it. With ``--skip``, runs the
trial again to its cap with the largest update left out (``Trial(..., skip_updates={n})``: that
sequence is only read forward) and says whether the stop criterion is then met.

    python docs/investigations/collapse.py 3a-T100-N3 6 100000 104000 --skip
"""

import argparse

import numpy as np
from _common import RESULTS, record_of, retrain, train_until

AROUND = 1000


def flat(net):
    """Every weight of ``net`` in one vector."""
    return np.concatenate([w.ravel() for w in net.get_weights().values()])


def changes(record, watch):
    """Per training sequence, its error (index n - 1), and for those in ``watch`` the
    largest change of one weight and the cell states at the end of that sequence."""
    trial = retrain(record)
    errors, found = [], {}
    before = flat(trial.net) if 1 in watch else None
    for step in train_until(trial, watch.stop - 1 + AROUND):
        errors.append(step.error)
        if before is not None:
            found[step.n] = (np.abs(flat(step.net) - before).max(), step.cell_states)
        before = flat(step.net) if step.n + 1 in watch else None
    return np.array(errors), found


def main(name, trial, first, last, skip=False, results=RESULTS):
    record = record_of(name, trial, results)
    errors, found = changes(record, range(first + 1, last + 1))
    sizes = np.array([size for size, _ in found.values()])
    print(f"{name} trial {trial}, training sequences {first + 1:,}-{last:,}: the largest change of one "
          f"weight per sequence")
    print(f"median {np.median(sizes):.1e}, 99th percentile {np.quantile(sizes, 0.99):.1e}, "
          f"maximum {sizes.max():.2f}")
    largest = sorted(found, key=lambda n: -found[n][0])
    for n in largest[:3]:
        size, states = found[n]
        print(f"sequence {n:,}: change {size:.3f}; cell states at its end {' '.join(f'{s:.2f}' for s in states)}; "
              f"error before {errors[n - 1 - AROUND:n - 1].mean():.3f}, after {errors[n:n + AROUND].mean():.3f}")
    if skip:
        again = retrain(record, skip_updates={largest[0]}).run()
        print(f"without the update of sequence {largest[0]:,}: "
              + (f"criterion met after {again['sequences']:,} sequences" if again["solved"]
                 else f"criterion not met within {again['max_sequences']:,} sequences"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("name", help="the experiment")
    parser.add_argument("trial", type=int, help="the recorded trial")
    parser.add_argument("first", type=int, help="FROM: watch the training sequences after this one")
    parser.add_argument("last", type=int, help="TO: the last training sequence watched")
    parser.add_argument("--skip", action="store_true", help="retrain without the largest update")
    parser.add_argument("--results", default=RESULTS, help="the stored runs (default: docs/results)")
    args = parser.parse_args()
    main(args.name, args.trial, args.first, args.last, args.skip, args.results)
