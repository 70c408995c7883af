"""The guessing study's rows under other readings of the study's text: mean guesses per row.

    python docs/investigations/guessing_readings.py [TRIALS] [ROW ...] [--only READING]

For each row (default: guess-2seq-A2 guess-2seq-A1 guess-parity-A1) and each reading,
TRIALS trials (default 10) of the study's search:

- ``stage 1`` (lstm97's): the output reads the hidden units of its own step, the input and
  the bias, and the hidden units read every unit of the step before;
- ``synchronous``: the output reads the hidden units of the step before, as every unit
  of a classic fully recurrent net does;
- ``no input``: as stage 1, but the output does not read the input line;
- ``noise sd 0.2`` (2-sequence rows only): the noise has standard deviation 0.2 (variance
  0.04), not variance 0.2 as seed 003 says.

Prints the solved trials, their mean guesses and the seed's figure.
"""

import argparse
import dataclasses
import functools
import statistics

from lstm97 import tasks
from lstm97.experiments import GuessingTrial, get_experiment

READINGS = ("stage 1", "synchronous", "no input", "noise sd 0.2")


def read(exp, reading):
    """``exp`` under ``reading``, or None where the reading does not apply."""
    if reading == "noise sd 0.2":
        task = exp.task()
        if not isinstance(task, tasks.TwoSequence):
            return None
        return dataclasses.replace(exp, task=functools.partial(
            tasks.TwoSequence, T=task.T, N=task.N, max_length=task.max_length, tolerance=task.tolerance,
            noise_variance=0.04))

    def net():
        top = exp.net()
        if reading == "synchronous":
            return dataclasses.replace(top, stages=None, name=top.name + ", synchronous")
        if reading == "no input":
            mask = top.mask.copy()
            mask[top.outputs[0], :top.n_inputs] = False
            return dataclasses.replace(top, mask=mask, name=top.name + ", output without the input")
        return top

    return dataclasses.replace(exp, net=net)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trials", nargs="?", type=int, default=10)
    parser.add_argument("rows", nargs="*", default=["guess-2seq-A2", "guess-2seq-A1", "guess-parity-A1"])
    parser.add_argument("--only", choices=READINGS, action="append")
    args = parser.parse_args()
    print(f"{'row':22s} {'reading':13s} {'solved':>7s} {'mean guesses':>13s} {'seed':>7s}")
    for name in args.rows:
        exp = get_experiment(name)
        for reading in args.only or READINGS:
            variant = read(exp, reading)
            if variant is None:
                continue
            records = [GuessingTrial(variant, k).run() for k in range(args.trials)]
            counts = [r["sequences"] for r in records if r["solved"]]
            mean = f"{statistics.fmean(counts):,.0f}" if counts else "-"
            print(f"{name:22s} {reading:13s} {len(counts):4d}/{len(records):<2d} {mean:>13s} "
                  f"{exp.paper['sequences']:>7,}", flush=True)


if __name__ == "__main__":
    main()
