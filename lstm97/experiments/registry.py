"""The paper's experiments as values: every LSTM row of Tables 1-9, and their variants.

An :class:`Experiment` is frozen: it holds what the paper fixes for a row (the Table 10
topology and learning rate, the task, the stop criterion and test of Table 11, the number
of trials, the reported figures) and the options lstm97 lets a user change.  A variant is
another value, ``exp.variant(h_range=2.0)``, named after its base and its options
(``reber-3x2-lr0.5[h_range=2.0]``); :func:`get_experiment` reads such a name back.  No
module-level object is ever changed.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import json
from collections.abc import Callable, Mapping
from types import MappingProxyType

import numpy as np

from .. import tasks
from .._validation import check_choice, check_int, check_real, shown
from ..models import TABLE10, UPDATE_MODES, Table10Row, Topology
from .construction import CONSTRUCTIONS
from .criteria import Criterion, ReberSuccess, RecentTraining, Streak, TestSetStop
from .guessing import GUESSING, GuessingExperiment

__all__ = ["EXPERIMENTS", "Experiment", "OPTIONS", "get_experiment"]

_TOPOLOGY_OPTIONS = ("h", "g", "h_range", "g_range", "init_range", "connectivity", "bias",
                     "input_gate_bias", "output_gate_bias")

#: What a variant may change, with what it means.  Every option is also ``--set KEY=VALUE``
#: of ``lstm97 run``; docs/interpretations.md says where each comes from in the paper.
OPTIONS: Mapping[str, str] = MappingProxyType({
    **{key: f"the topology's {key} (see Topology)" for key in _TOPOLOGY_OPTIONS},
    "cells_read": "'all' (Table 10's connectivity) or 'inputs': the cells read only the input "
                  "units (and the bias where they have one), not the hidden units",
    "learning_rate": "the learning rate (Table 10's by default)",
    "update": "'sequence' (apply the summed change at the sequence end) or 'step' (after every "
              "step with a target); DECISIONS item 4",
    "construction": "'present' (cells there from the start) or 'sequential' (added once the "
                    "error stops decreasing, Exps 2a/2b); DECISIONS item 13",
    "cell_at": "with construction='sequential': add the cells after this training sequence",
})


@dataclasses.dataclass(frozen=True)
class Experiment:
    """One LSTM row of the paper's results tables, or a variant of one.

    ``paper`` holds the reported figures: ``trials``, ``success`` (% of successful trials),
    ``sequences`` (mean number of training sequences until the criterion), and per table
    ``sequences_st1``, ``misclassified`` (fraction), ``test_wrong`` (of 2560), ``test_mse``,
    ``avg_difference``.  ``max_sequences`` caps training (the paper stops Exp 2 after 5
    million; elsewhere lstm97 stops at about ten times the paper's mean).  ``fixed_sets``
    is the number of trials that share one pair of fixed training and test sets (Exp 1:
    10, section 5.1); ``None`` means sequences are drawn online.  ``options`` are the
    variant's changes from the row, in :data:`OPTIONS`' terms.
    """

    name: str
    table: str
    title: str
    row: str
    topology: Topology
    learning_rate: float
    task: Callable[[], tasks.Task]
    criterion: Criterion
    paper: Mapping
    max_sequences: int
    fixed_sets: int | None = None
    update: str = "sequence"
    construction: str = "present"
    cell_at: int | None = None
    options: tuple[tuple[str, object], ...] = ()

    def __post_init__(self):
        if not isinstance(self.topology, Topology):
            raise TypeError(f"topology must be a Topology, got {type(self.topology).__name__}")
        object.__setattr__(self, "learning_rate", check_real(
            "learning_rate", self.learning_rate, 0.0, exclusive_minimum=True))
        object.__setattr__(self, "max_sequences", check_int("max_sequences", self.max_sequences, 1))
        object.__setattr__(self, "paper", dict(self.paper))
        if self.fixed_sets is not None:
            check_int("fixed_sets", self.fixed_sets, 1)
        check_choice("update", self.update, UPDATE_MODES)
        check_choice("construction", self.construction, CONSTRUCTIONS)
        if self.cell_at is not None:
            if self.construction != "sequential":
                raise ValueError(f"cell_at applies only to construction='sequential', "
                                 f"not {self.construction!r}")
            check_int("cell_at", self.cell_at, 1)

    @property
    def base(self) -> str:
        """The name of the paper's row this experiment is (or is a variant of)."""
        return self.name.split("[", 1)[0]

    @property
    def table10(self) -> Table10Row:
        """The Table 10 row as the paper gives it (a variant's own topology is ``topology``)."""
        return TABLE10[self.row]

    @property
    def trials(self) -> int:
        return self.paper["trials"]

    def cap(self, max_sequences: int | None = None) -> int:
        """The cap on training sequences per trial: ``max_sequences``, or the experiment's."""
        return self.max_sequences if max_sequences is None else check_int("max_sequences", max_sequences, 1)

    def variant(self, **options) -> Experiment:
        """This experiment with ``options`` (keys of :data:`OPTIONS`) changed, named after
        both; values may be given as text, as ``--set KEY=VALUE`` does."""
        unknown = sorted(set(options) - set(OPTIONS))
        if unknown:
            raise ValueError(f"unknown option {unknown[0]!r}; options are {', '.join(OPTIONS)}")
        merged = {**dict(self.options), **{k: _parse(v) for k, v in options.items()}}
        base = get_experiment(self.base)
        topology = dataclasses.replace(base.topology, **{k: merged[k] for k in _TOPOLOGY_OPTIONS if k in merged})
        cells_read = merged.get("cells_read", "all")
        check_choice("cells_read", cells_read, ("all", "inputs"))
        if cells_read == "inputs":
            mask = topology.source_mask("cell")
            mask[topology.source_columns("bias").stop:] = False
            topology = dataclasses.replace(topology, source_masks={**dict(topology.source_masks or ()),
                                                                   "cell": mask})
        fields = {key: merged[key] for key in ("learning_rate", "update", "construction", "cell_at")
                  if key in merged}
        ordered = tuple(sorted(merged.items()))
        name = base.name + ("[" + ",".join(f"{k}={_text(v)}" for k, v in ordered) + "]" if ordered else "")
        return dataclasses.replace(base, name=name, topology=topology, options=ordered, **fields)


def _parse(value):
    """A value given as text (``--set``) becomes what it spells in JSON, else stays text."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
        except RecursionError:
            raise ValueError(f"a setting's value is nested too deeply: {shown(value)}") from None
    if isinstance(value, (tuple, np.ndarray)):
        return list(value)
    return value


def _text(value):
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _cap(mean):
    return int(max(100_000, 10 * mean))


def _row(name, table, title, row, task, criterion, paper, max_sequences, **kwargs):
    t10 = TABLE10[row]
    return Experiment(name, table, title, row, t10.topology, t10.learning_rate, task, criterion,
                      paper, max_sequences, **kwargs)


def _registry():
    P = functools.partial
    rows = []
    for (blocks, lr, row, success, mean) in [
            ("4x1", 0.1, "1-1", 100, 39_740), ("3x2", 0.1, "1-2", 100, 21_730),
            ("3x2", 0.2, "1-3", 97, 14_060), ("4x1", 0.5, "1-4", 97, 9_500),
            ("3x2", 0.5, "1-5", 100, 8_440)]:
        # Section 5.1: "3 different randomly generated pairs of training and test sets;
        # with each pair, 10 trials".
        rows.append(_row(
            f"reber-{blocks}-lr{lr}", "Table 1", f"Embedded Reber grammar, {blocks} blocks, lr {lr}",
            row, tasks.EmbeddedReber, ReberSuccess(),
            {"trials": 30, "success": success, "sequences": mean}, _cap(mean), fixed_sets=10))
    rows.append(_row(
        "2a-p100", "Table 2", "Noise-free sequences with long time lags, p = 100", "2a",
        P(tasks.LongTimeLag, p=100, variant="2a"), Streak(),
        {"trials": 18, "success": 100, "sequences": 5_040}, 5_000_000))
    rows.append(_row(
        "2b-p100", "Section 5.2", "No local regularities, p = 100 (reported in the text)", "2b",
        P(tasks.LongTimeLag, p=100, variant="2b"), Streak(),
        {"trials": 18, "success": 100, "sequences": 5_680}, 5_000_000))
    for i, (q, p, mean) in enumerate([
            (50, 50, 30_000), (100, 100, 31_000), (200, 200, 33_000), (500, 500, 38_000),
            (1000, 1000, 49_000), (1000, 500, 49_000), (1000, 200, 75_000),
            (1000, 100, 135_000), (1000, 50, 203_000)]):
        rows.append(_row(
            f"2c-q{q}-p{p}", "Table 3", f"Very long time lags, q = {q}, p = {p}", f"2c-{i + 1}",
            P(tasks.VeryLongTimeLag, p=p, q=q), Streak(),
            {"trials": 20, "sequences": mean}, 5_000_000))
    exp3 = [("3a", "Table 4", TestSetStop(0, 0.01), [
                (100, 3, 27_380, 39_850, 0.000195), (100, 1, 58_370, 64_330, 0.000117),
                (1000, 3, 446_850, 452_460, 0.000078)]),
            ("3b", "Table 5", TestSetStop(5, 0.04), [
                (100, 3, 41_740, 43_250, 0.00828), (100, 1, 74_950, 78_430, 0.01500),
                (1000, 1, 481_060, 485_080, 0.01207)])]
    for variant, table, criterion, cases in exp3:
        for T, N, st1, st2, misclassified in cases:
            rows.append(_row(
                f"{variant}-T{T}-N{N}", table, f"2-sequence problem {variant}, T = {T}, N = {N}",
                variant, P(tasks.TwoSequence, T=T, N=N, variant=variant), criterion,
                {"trials": 10, "success": 100, "sequences_st1": st1, "sequences": st2,
                 "misclassified": misclassified}, _cap(st2)))
    for N, mean, misclassified, diff in [(3, 269_650, 0.00558, 0.014), (1, 565_640, 0.00441, 0.012)]:
        rows.append(_row(
            f"3c-T100-N{N}", "Table 6", f"2-sequence problem 3c (noisy targets), T = 100, N = {N}",
            "3c", P(tasks.TwoSequence, T=100, N=N, variant="3c"), TestSetStop(0, 0.015),
            {"trials": 10, "success": 100, "sequences": mean, "misclassified": misclassified,
             "avg_difference": diff}, _cap(mean)))
    for T, row, wrong, mean in [(100, "4-1", 1, 74_000), (500, "4-2", 0, 209_000),
                                (1000, "4-3", 1, 853_000)]:
        rows.append(_row(
            f"adding-T{T}", "Table 7", f"Adding problem, T = {T}", row, P(tasks.Adding, T=T),
            RecentTraining(beta=0.01), {"trials": 10, "success": 100, "sequences": mean,
                                        "test_wrong": wrong}, _cap(mean)))
    for n_seq, wrong, mse, mean in [(140, 139, 0.0223, 482_000), (13, 14, 0.0139, 1_273_000)]:
        rows.append(_row(
            f"multiplication-nseq{n_seq}", "Table 8", f"Multiplication problem, T = 100, n_seq = {n_seq}",
            "5", P(tasks.Multiplication, T=100), RecentTraining(beta=None, max_wrong=n_seq - 1),
            {"trials": 10, "success": 100, "sequences": mean, "test_wrong": wrong, "test_mse": mse},
            _cap(mean)))
    for variant, trials, wrong, mean in [("6a", 20, 1, 31_390), ("6b", 10, 2, 571_100)]:
        rows.append(_row(
            f"temporal-order-{variant}", "Table 9", f"Temporal order, task {variant}", variant,
            P(tasks.TemporalOrder, variant), RecentTraining(beta=0.1),
            {"trials": trials, "success": 100, "sequences": mean, "test_wrong": wrong}, _cap(mean)))
    return MappingProxyType({e.name: e for e in rows})


#: Every row of the paper, by name, in the paper's order (read-only).
EXPERIMENTS: Mapping[str, Experiment] = _registry()


def get_experiment(name) -> Experiment | GuessingExperiment:
    """The experiment called ``name``: a row of :data:`EXPERIMENTS` or of the guessing
    study (:data:`~lstm97.experiments.guessing.GUESSING`), or a variant's name
    ``ROW[KEY=VALUE,...]``.  An unknown name raises ``ValueError`` with the close matches."""
    if isinstance(name, (Experiment, GuessingExperiment)):
        return name
    if not isinstance(name, str):
        raise TypeError(f"experiment must be a name or an Experiment, got {type(name).__name__}")
    if name in GUESSING:
        return GUESSING[name]
    base, bracket, rest = name.partition("[")
    if base not in EXPERIMENTS:
        close = difflib.get_close_matches(base, [*EXPERIMENTS, *GUESSING], n=4, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else "; `lstm97 list` shows them all"
        raise ValueError(f"unknown experiment {base!r}{hint}")
    if not bracket:
        return EXPERIMENTS[base]
    if not rest.endswith("]"):
        raise ValueError(f"a variant's name ends with ']', got {name!r}")
    return EXPERIMENTS[base].variant(**parse_settings(_split_options(rest[:-1])))


def _split_options(text):
    """Split ``k=v,k=[1,2]`` at the commas outside brackets."""
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += ch == "["
        depth -= ch == "]"
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    if current:
        parts.append(current)
    return parts


def parse_settings(items) -> dict[str, str]:
    """``["KEY=VALUE", ...]`` (as ``--set`` gives them) as a dict; a malformed item raises
    ``ValueError`` naming it."""
    settings = {}
    for item in items:
        key, eq, value = item.partition("=")
        if not eq or not key:
            raise ValueError(f"a setting is KEY=VALUE, got {item!r}")
        settings[key.strip()] = value.strip()
    return settings
