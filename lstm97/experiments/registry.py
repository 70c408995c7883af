"""The paper's experiments as values: every LSTM row of Tables 1-9, the competitors' rows
of Tables 1 and 2 (:data:`COMPETITORS`), and their variants.

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
from ..models import LSTM, TABLE10, UPDATE_MODES, Table10Row, Topology
from ..models.recurrent import RecurrentNet, RecurrentTopology, elman, fully_recurrent, layered
from .construction import CONSTRUCTIONS
from .criteria import Criterion, ReberSuccess, RecentTraining, Streak, TestSetStop
from .guessing import GUESSING, GuessingExperiment

__all__ = ["COMPETITORS", "EXPERIMENTS", "Experiment", "LEARNER_NAMES", "OPTIONS", "get_experiment",
           "paper_order"]

_TOPOLOGY_OPTIONS = ("h", "g", "h_range", "g_range", "init_range", "connectivity", "bias",
                     "input_gate_bias", "output_gate_bias")

#: What a variant may change, with what it means.  Every option is also ``--set KEY=VALUE``
#: of ``lstm97 run``; docs/interpretations.md says where each comes from in the paper.
OPTIONS: Mapping[str, str] = MappingProxyType({
    **{key: f"the topology's {key} (see Topology)" for key in _TOPOLOGY_OPTIONS},
    "cells_read": "'all' (Table 10's connectivity) or 'inputs': the cells read only the input "
                  "units (and the bias where they have one), not the hidden units",
    "outputs_read": "'table10' (Table 10's connectivity) or 'inputs': the output units also read "
                    "the input units (what connectivity B adds to F, without B's other changes)",
    "learning_rate": "the learning rate (Table 10's by default)",
    "update": "'sequence' (apply the summed change at the sequence end) or 'step' (after every "
              "step with a target); DECISIONS item 4",
    "construction": "'present' (cells there from the start) or 'sequential' (added once the "
                    "error stops decreasing, Exps 2a/2b); DECISIONS item 13",
    "cell_at": "with construction='sequential': add the cells after this training sequence",
    "check_interval": "Exp 3: how many training sequences go by between the checks of ST1/ST2 "
                      "(1,000 by default, DECISIONS item 11)",
})


#: The largest cap on a trial's training sequences: a trial numbers its sequences in int64
#: arrays (its batches, its learning curve), and 10^12 sequences outlast any run.
MAX_SEQUENCES = 10**12


def _checked_cap(value) -> int:
    """``max_sequences``, an integer from 1 to :data:`MAX_SEQUENCES`."""
    value = check_int("max_sequences", value, 1)
    if value > MAX_SEQUENCES:
        raise ValueError(f"max_sequences must be at most {MAX_SEQUENCES:,}, got {value:,}")
    return value


#: What trains each kind of row: the LSTM's truncated RTRL, or a competitor's learner.
LEARNER_NAMES = {"lstm": "LSTM (truncated RTRL)", "rtrl": "full RTRL", "bptt": "BPTT"}


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
    learner: str = "lstm"
    window: int | None = None

    def __post_init__(self):
        check_choice("learner", self.learner, tuple(LEARNER_NAMES))
        wanted = Topology if self.learner == "lstm" else RecurrentTopology
        if not isinstance(self.topology, wanted):
            raise TypeError(f"topology must be a {wanted.__name__} for learner {self.learner!r}, "
                            f"got {type(self.topology).__name__}")
        if self.window is not None and self.learner != "bptt":
            raise ValueError(f"window applies to learner='bptt' only, not {self.learner!r}")
        if self.learner != "lstm" and self.construction != "present":
            raise ValueError("construction applies to the LSTM's cells only")
        object.__setattr__(self, "learning_rate", check_real(
            "learning_rate", self.learning_rate, 0.0, exclusive_minimum=True))
        object.__setattr__(self, "max_sequences", _checked_cap(self.max_sequences))
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
    def is_lstm(self) -> bool:
        """An LSTM row (or a variant of one), not a competitor's."""
        return self.learner == "lstm"

    def network(self, rng):
        """A fresh network of this row, its weights drawn from ``rng``: an
        :class:`~lstm97.LSTM`, or a competitor's
        :class:`~lstm97.models.recurrent.RecurrentNet` with its learner."""
        if self.is_lstm:
            return LSTM(self.topology, rng=rng)
        return RecurrentNet(self.topology, learner=self.learner, window=self.window, rng=rng)

    @property
    def base(self) -> str:
        """The name of the paper's row this experiment is (or is a variant of)."""
        return self.name.split("[", 1)[0]

    @property
    def table10(self) -> Table10Row:
        """The Table 10 row as the paper gives it (a variant's own topology is ``topology``);
        a competitor's row has none."""
        if not self.is_lstm:
            raise ValueError(f"{self.name} is a competitor's row; Table 10 has the LSTM nets only")
        return TABLE10[self.row]

    @property
    def trials(self) -> int:
        return self.paper["trials"]

    def setting(self, key: str):
        """The value of option ``key`` (a key of :data:`OPTIONS`) in this row: a variant's
        own, else the row's (lstm97's reading of the text)."""
        if key not in OPTIONS:
            raise ValueError(f"unknown option {key!r}; options are {', '.join(OPTIONS)}")
        options = dict(self.options)
        if key in options:
            return options[key]
        if key in _CONNECTION_OPTIONS:
            return _CONNECTION_OPTIONS[key][0]
        if key in _TOPOLOGY_OPTIONS:
            return getattr(self.topology, key)
        if key == "check_interval":
            return getattr(self.criterion, "interval", None)
        return getattr(self, key)

    def cap(self, max_sequences: int | None = None) -> int:
        """The cap on training sequences per trial: ``max_sequences``, or the experiment's."""
        return self.max_sequences if max_sequences is None else _checked_cap(max_sequences)

    def variant(self, **options) -> Experiment:
        """This experiment with ``options`` (keys of :data:`OPTIONS`) changed, named after
        both; values may be given as text, as ``--set KEY=VALUE`` does."""
        unknown = sorted(set(options) - set(OPTIONS))
        if unknown:
            raise ValueError(f"unknown option {unknown[0]!r}; options are {', '.join(OPTIONS)}")
        merged = {**dict(self.options), **{k: _parse(v) for k, v in options.items()}}
        base = get_experiment(self.base)
        if not base.is_lstm:
            lstm_only = sorted(set(merged) - {"learning_rate", "update"})
            if lstm_only:
                raise ValueError(f"option {lstm_only[0]!r} applies to the LSTM rows; a competitor's "
                                 "row takes learning_rate and update")
            ordered = tuple(sorted(merged.items()))
            return dataclasses.replace(base, name=_variant_name(base, ordered), options=ordered, **merged)
        topology = dataclasses.replace(base.topology, **{k: merged[k] for k in _TOPOLOGY_OPTIONS if k in merged})
        for key, choices in _CONNECTION_OPTIONS.items():
            if check_choice(key, merged.get(key, choices[0]), choices) != choices[0]:
                topology = _connect(topology, key)
        fields = {key: merged[key] for key in ("learning_rate", "update", "construction", "cell_at")
                  if key in merged}
        if "check_interval" in merged:
            if not isinstance(base.criterion, TestSetStop):
                raise ValueError(f"check_interval applies to Exp 3's test-set criteria, not to {base.name}")
            fields["criterion"] = dataclasses.replace(
                base.criterion, interval=check_int("check_interval", merged["check_interval"], 1))
        ordered = tuple(sorted(merged.items()))
        return dataclasses.replace(base, name=_variant_name(base, ordered), topology=topology, options=ordered,
                                   **fields)


#: The options that change which sources a group reads, with their values (the row's first).
_CONNECTION_OPTIONS = {"cells_read": ("all", "inputs"), "outputs_read": ("table10", "inputs")}


def _connect(topology, key):
    """``topology`` with the change of connection option ``key``: the cells read only the
    inputs (and the bias), or the output units read the inputs as well."""
    group = "cell" if key == "cells_read" else "output"
    mask = topology.source_mask(group)
    if key == "cells_read":
        mask[topology.source_columns("bias").stop:] = False
    else:
        mask[topology.source_columns("inputs")] = True
    return dataclasses.replace(topology, source_masks={**dict(topology.source_masks or ()), group: mask})


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


def _variant_name(base, ordered):
    """``ROW[KEY=VALUE,...]`` for the sorted options ``ordered``; the row's own name without any."""
    return base.name + ("[" + ",".join(f"{k}={_text(v)}" for k, v in ordered) + "]" if ordered else "")


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


#: Every LSTM row of the paper, by name, in the paper's order (read-only).
EXPERIMENTS: Mapping[str, Experiment] = _registry()

def _competitors():
    """The competitors' rows of Tables 1 and 2 (and Exp 2b's text), on lstm97's tasks and
    criteria.  Real-time RTRL and Elman's procedure change the weights after every step
    (update "step"); epochwise BPTT at each sequence's end.  Section 5: "all nets are
    initialized in [-0.2, 0.2]"; Table 1's and 2's weight counts are met without biases."""
    P = functools.partial
    rows = []
    reber = P(Experiment, table="Table 1", row=None, task=tasks.EmbeddedReber, criterion=ReberSuccess(),
              fixed_sets=10)
    for hidden, lr, weights, mean in [(3, 0.05, 170, 173_000), (12, 0.1, 494, 25_000)]:
        rows.append(reber(
            name=f"reber-rtrl-h{hidden}", title=f"Embedded Reber grammar, RTRL, {hidden} hidden units",
            topology=fully_recurrent(7, 7, hidden), learning_rate=lr, learner="rtrl", update="step",
            paper={"trials": 30, "success": None, "sequences": mean, "weights": weights,
                   "source": "Smith & Zipser 1989, \"some fraction\" of their runs, successful ones only"},
            max_sequences=_cap(mean)))
    rows.append(reber(
        name="reber-elman-h15", title="Embedded Reber grammar, Elman net, 15 hidden units",
        topology=elman(7, 7, 15), learning_rate=0.1, learner="bptt", window=1, update="step",
        paper={"trials": 30, "success": 0, "sequences": None, "weights": 435,
               "source": "Cleeremans et al. 1989: 0% within 200,000 sequences"},
        max_sequences=2_000_000))
    lags = P(Experiment, row=None, criterion=Streak(), max_sequences=5_000_000)
    for lr, success, mean in [(1.0, 78, 1_043_000), (4.0, 56, 892_000), (10.0, 22, 254_000)]:
        rows.append(lags(
            name=f"2a-p4-rtrl-lr{lr}", table="Table 2", title=f"Noise-free long time lags, p = 4, RTRL, lr {lr}",
            topology=layered(5, 5), learning_rate=lr, task=P(tasks.LongTimeLag, p=4, variant="2a"),
            learner="rtrl", update="step",
            paper={"trials": 18, "success": success, "sequences": mean, "weights": 36}))
    for p, learner, weights in [(10, "rtrl", 144), (100, "rtrl", 10_404), (100, "bptt", 10_404)]:
        rows.append(lags(
            name=f"2a-p{p}-{learner}", table="Table 2",
            title=f"Noise-free long time lags, p = {p}, {LEARNER_NAMES[learner]}, lr 1.0 (of the paper's 1.0-10.0)",
            topology=layered(p + 1, p + 1), learning_rate=1.0, task=P(tasks.LongTimeLag, p=p, variant="2a"),
            learner=learner, update="step" if learner == "rtrl" else "sequence",
            paper={"trials": 18, "success": 0, "sequences": None, "weights": weights}))
    for learner in ("rtrl", "bptt"):
        rows.append(lags(
            name=f"2b-p100-{learner}", table="Section 5.2",
            title=f"No local regularities, p = 100, {LEARNER_NAMES[learner]}, lr 1.0 (the text: \"fail\")",
            topology=layered(101, 101), learning_rate=1.0, task=P(tasks.LongTimeLag, p=100, variant="2b"),
            learner=learner, update="step" if learner == "rtrl" else "sequence",
            paper={"trials": 18, "success": 0, "sequences": None, "weights": 10_404}))
    return MappingProxyType({e.name: e for e in rows})


#: The competitors' rows (full RTRL, BPTT, Elman nets), by name (read-only).
COMPETITORS: Mapping[str, Experiment] = _competitors()


def paper_order() -> list[str]:
    """Every row's name in the paper's order: within a table the competitors' rows, then
    LSTM's (as the paper's tables list them), then the weight-guessing study's."""
    names, placed = [], set()
    for name, exp in EXPERIMENTS.items():
        if exp.table not in placed:
            placed.add(exp.table)
            names += [n for n, c in COMPETITORS.items() if c.table == exp.table]
        names.append(name)
    return names + [n for n in COMPETITORS if n not in names] + list(GUESSING)


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
    rows = COMPETITORS if base in COMPETITORS else EXPERIMENTS
    if base not in rows:
        close = difflib.get_close_matches(base, [*EXPERIMENTS, *COMPETITORS, *GUESSING], n=4, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else "; `lstm97 list` shows them all"
        raise ValueError(f"unknown experiment {base!r}{hint}")
    if not bracket:
        return rows[base]
    if not rest.endswith("]"):
        raise ValueError(f"a variant's name ends with ']', got {name!r}")
    return rows[base].variant(**parse_settings(_split_options(rest[:-1])))


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
