"""Run a paper experiment with one thing changed, through the same trial runner.

The variant is a value, ``get_experiment(NAME).variant(...)`` (the paper's rows untouched), named
after its row and its options (``2a-p100[construction=sequential,g=sigmoid]``). Each KEY=VALUE is
an option of ``lstm97.experiments.OPTIONS`` (``lstm97 run --set`` takes the same): a Table 10
topology field changed (``g=sigmoid``, ``input_gate_bias=[-1,-2,-3]``, ...), ``cells_read=inputs``
(the cells lose their connections from the hidden units and read only the input units, and the
bias where the row has one), ``learning_rate=`` (or ``lr=``), ``update=``, ``construction=`` and
``cell_at=``. Trials 0 .. TRIALS-1 of a run seeded SEED (0 by default, as `lstm97 run`) each
run as a `Trial` with a cap of CAP sequences. Prints the variant's name, then one line per trial;
``final_error`` is the last point of its learning curve (the mean of Σ_k (t_k - y_k)^2 per target
step over the last 1% of the training sequences).

    python docs/investigations/variants.py 2a-p100 3 120000 g=sigmoid construction=sequential
    python docs/investigations/variants.py 2c-q50-p50 3 300000 lr=0.02 --seed 1
"""

import argparse

from _common import experiment_with

from lstm97.experiments import Trial


def main(name, trials, cap, options, seed=0):
    exp = experiment_with(name, options)
    print(exp.name)
    for trial in range(trials):
        record = Trial(exp, trial, seed=seed, max_sequences=cap).run()
        summary = {key: record.get(key) for key in ("trial", "solved", "sequences", "trained", "test_wrong",
                                                    "test_mae", "cell_added_at")}
        summary["final_error"] = float(record["curve"][-1][1]) if record["curve"] else None
        print(summary, flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("name", help="the paper's row")
    parser.add_argument("trials", type=int, help="TRIALS: how many trials, from trial 0")
    parser.add_argument("cap", type=int, help="CAP: training sequences at most, per trial")
    parser.add_argument("options", nargs="*", help="KEY=VALUE changes")
    parser.add_argument("--seed", type=int, default=0, help="the run's root seed (default: 0)")
    args = parser.parse_args()
    main(args.name, args.trials, args.cap, args.options, args.seed)
