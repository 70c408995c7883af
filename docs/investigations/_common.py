"""What more than one investigation script needs: the recorded trials, retrained through
:class:`lstm97.experiments.Trial`, a variant given as KEY=VALUE words, and h'(s).

Not a script; the scripts beside it import it (``python docs/investigations/x.py`` puts
this directory on the path).
"""

from pathlib import Path

import numpy as np

from lstm97.experiments import Trial, get_experiment, parse_settings, read_results, results_path, stream

#: The stored runs of docs/reproduction.md.
RESULTS = Path(__file__).resolve().parent.parent / "results"


def record_of(name, trial, results=RESULTS):
    """The stored record of trial ``trial`` of experiment ``name`` in ``results``."""
    exp = get_experiment(name)
    for record in read_results(results_path(results, exp)):
        if record["trial"] == trial:
            return record
    raise SystemExit(f"no record of trial {trial} of {exp.name} in {results}; "
                     f"`lstm97 run {exp.name} --out {results}` makes one")


def experiment_of(record):
    """The experiment ``record`` was run with: its name rebuilds it, a variant's options
    too; an older record whose name does not carry its update mode or construction gets
    them from its fields."""
    exp = get_experiment(record["experiment"])
    if dict(exp.options) != record.get("set", dict(exp.options)):
        raise ValueError(f"the record of {record['experiment']} trial {record['trial']} holds options "
                         f"{record['set']}, which its name does not spell")
    changes = {key: record[key] for key in ("update", "construction", "cell_at")
               if key in record and record[key] != getattr(exp, key)}
    return exp.variant(**changes) if changes else exp


def retrain(record, **options):
    """A :class:`Trial` that trains ``record``'s trial as ``lstm97 run`` did: the same
    experiment, trial, seed and cap, so the same streams and the same sequences.
    ``options`` go to ``Trial`` (e.g. ``skip_updates``)."""
    return Trial(experiment_of(record), record["trial"], seed=record["seed"],
                 max_sequences=record["max_sequences"], **options)


def train_until(trial, stop):
    """Train ``trial`` on to training sequence ``stop`` (or to its end, if the criterion,
    the cap or a blow-up comes first), yielding each :class:`Step`."""
    if trial.n >= stop:
        return
    for step in trial:
        yield step
        if step.n >= stop:
            return


def probe_stream(trial):
    """A fresh copy of ``trial``'s test stream: sequences it never trains on, drawn
    without disturbing the test draws of its stop criterion."""
    return stream(trial.seed, trial.trial, "test")


def experiment_with(name, words):
    """Experiment ``name`` with the KEY=VALUE ``words`` changed (``exp.variant``; keys in
    ``lstm97.experiments.OPTIONS``, and ``lr`` for ``learning_rate``), or the row itself."""
    settings = parse_settings(words)
    if "lr" in settings:
        settings["learning_rate"] = settings.pop("lr")
    exp = get_experiment(name)
    return exp.variant(**settings) if settings else exp


def h_prime(s, topology):
    """h'(s) of ``topology``'s h: the factor with which error enters a cell (eq. 23); for
    the centred sigmoid h = h_range (2 f(s) - 1) it is 2 h_range f(s) (1 - f(s))."""
    s = np.asarray(s, dtype=float)
    if topology.h == "identity":
        return np.ones_like(s)
    f = 1.0 / (1.0 + np.exp(-s))
    return 2.0 * topology.h_range * f * (1.0 - f)
