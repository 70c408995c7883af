"""The paper's experiments: every LSTM row of Tables 1-9, the competitors' rows of Tables
1 and 2, their trials and their runs.

- :mod:`~lstm97.experiments.registry`: :class:`Experiment` values, :data:`EXPERIMENTS`,
  :data:`COMPETITORS` and variants (``exp.variant(...)``, ``ROW[KEY=VALUE,...]``);
- :mod:`~lstm97.experiments.criteria`: the stop criteria of Table 11, one protocol;
- :mod:`~lstm97.experiments.construction`: sequential construction (Exps 2a/2b);
- :mod:`~lstm97.experiments.seeding`: every random stream of a run;
- :mod:`~lstm97.experiments.trial`: :class:`Trial`, one trial, and :func:`run_trial`;
- :mod:`~lstm97.experiments.runner`: many trials in parallel into resumable JSON lines;
- :mod:`~lstm97.experiments.summary`: our figures, shaped like the paper's;
- :mod:`~lstm97.experiments.guessing`: the weight-guessing study's rows and search.
"""

from .construction import CONSTRUCTIONS, SequentialConstruction
from .guessing import GUESSING, GuessingExperiment, GuessingTrial
from .criteria import Criterion, Monitor, ReberSuccess, RecentTraining, Streak, TestSetStop, evaluate
from .registry import COMPETITORS, EXPERIMENTS, OPTIONS, Experiment, get_experiment, paper_order, parse_settings
from .runner import BACKENDS, collect, read_results, results_path, run_experiment
from .seeding import STREAMS, stream, trial_streams
from .summary import summarize, write_summary
from .trial import Step, Trial, make_trial, run_trial

__all__ = ["BACKENDS", "COMPETITORS", "CONSTRUCTIONS", "EXPERIMENTS", "GUESSING", "OPTIONS", "STREAMS", "Criterion",
           "Experiment", "GuessingExperiment", "GuessingTrial", "Monitor", "ReberSuccess", "RecentTraining", "SequentialConstruction", "Step", "Streak",
           "TestSetStop", "Trial", "collect", "evaluate", "get_experiment", "make_trial", "paper_order", "parse_settings",
           "read_results", "results_path", "run_experiment", "run_trial", "stream", "summarize",
           "trial_streams", "write_summary"]
