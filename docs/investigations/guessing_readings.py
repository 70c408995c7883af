"""The guessing study's nets under other readings of their wiring: mean guesses per row.

    python docs/investigations/guessing_readings.py [TRIALS] [ROW ...]

For each row (default: guess-2seq-A2 guess-2seq-A1 guess-parity-A1) and each reading of
"the output unit sees all other units", TRIALS trials (default 10) of the study's search:

- ``stage 1`` (lstm97's): the output reads the hidden units of its own step, the input and
  the bias, and the hidden units read every unit of the step before;
- ``synchronous``: the output reads the hidden units of the step before, as every unit
  of a classic fully recurrent net does;
- ``no input``: as stage 1, but the output does not read the input line.

Prints the mean guesses (of the solved trials), the solved trials and the seed's figure.
"""

import dataclasses
import statistics
import sys

import numpy as np

from lstm97.experiments import GuessingTrial, get_experiment
from lstm97.models.recurrent import RecurrentTopology


def rewired(make, reading):
    """The net ``make()`` builds, rewired to ``reading``."""
    def build():
        top = make()
        if reading == "stage 1":
            return top
        out = top.outputs[0]
        if reading == "synchronous":
            return dataclasses.replace(top, stages=None, name=top.name + ", synchronous")
        mask = top.mask.copy()
        mask[out, :top.n_inputs] = False
        return dataclasses.replace(top, mask=mask, name=top.name + ", output without the input")
    return build


def main(trials=10, *rows):
    rows = rows or ("guess-2seq-A2", "guess-2seq-A1", "guess-parity-A1")
    print(f"{'row':22s} {'reading':12s} {'solved':>7s} {'mean guesses':>13s} {'seed':>7s}")
    for name in rows:
        exp = get_experiment(name)
        for reading in ("stage 1", "synchronous", "no input"):
            variant = dataclasses.replace(exp, net=rewired(exp.net, reading))
            records = [GuessingTrial(variant, k).run() for k in range(int(trials))]
            counts = [r["sequences"] for r in records if r["solved"]]
            mean = f"{statistics.fmean(counts):,.0f}" if counts else "-"
            print(f"{name:22s} {reading:12s} {len(counts):4d}/{len(records):<2d} {mean:>13s} "
                  f"{exp.paper['sequences']:>7,}", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
