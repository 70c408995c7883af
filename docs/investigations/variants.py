"""Run a paper experiment with one thing changed, through the same trial runner.

The variant is registered beside the paper's rows (under a new name, the originals untouched):
a Table 10 topology field changed (``g=sigmoid``, ``input_gate_bias=[-1,-2,-3]``, ...),
``cells_read=inputs`` (the cells lose their connections from the hidden units and read only the
input units, and the bias where the row has one) and/or ``lr=``; ``update=``, ``construction=``
and ``cell_at=`` are passed to the runner. Prints one line per trial;
``final_error`` is the last point of its learning curve (the mean of Σ_k (t_k - y_k)^2 per target
step over the last 1% of the training sequences).

    python docs/investigations/variants.py 2a-p100 3 120000 g=sigmoid construction=sequential
"""

import dataclasses
import json
import sys

from lstm97.architectures import TABLE10
from lstm97.experiments import EXPERIMENTS, get_experiment, run_trial


def register(name, options):
    """Register ``name`` with ``options`` ({field: text}) changed; return the variant's name."""
    exp = get_experiment(name)
    row = TABLE10[exp.row]
    variant = f"{name}[{','.join(f'{k}={v}' for k, v in options.items())}]"
    changes = {key: json.loads(value) if value[:1] in "[-0123456789" else value
               for key, value in options.items()}
    lr = float(changes.pop("lr", row.learning_rate))
    if "cells_read" in changes:
        if changes.pop("cells_read") != "inputs":
            raise ValueError("cells_read can only be 'inputs'")
        mask = row.topology.source_mask("cell")
        mask[row.topology.n_inputs + 1:] = False
        changes["source_masks"] = {**dict(row.topology.source_masks or ()), "cell": mask}
    topology = dataclasses.replace(row.topology, **changes)
    TABLE10[variant] = dataclasses.replace(row, name=variant, topology=topology, learning_rate=lr)
    EXPERIMENTS[variant] = dataclasses.replace(exp, name=variant, row=variant)
    return variant


def main(name, trials, cap, *options):
    changes = dict(option.split("=", 1) for option in options)
    runner = {key: changes.pop(key) for key in ("update", "construction") if key in changes}
    if "cell_at" in changes:
        runner["cell_at"] = int(changes.pop("cell_at"))
    variant = register(name, changes)
    print(variant)
    for trial in range(int(trials)):
        record = run_trial(variant, trial, max_sequences=int(cap), **runner)
        summary = {key: record.get(key) for key in ("trial", "solved", "sequences", "trained", "test_wrong",
                                                    "test_mae", "cell_added_at")}
        summary["final_error"] = float(record["curve"][-1][1]) if record["curve"] else None
        print(summary, flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
