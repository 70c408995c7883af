"""The Trial object, its streams, the stop criteria's protocol, variants and the runner's guards."""

import dataclasses
import itertools
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from lstm97 import TABLE10
from lstm97._core import Mode
from lstm97.experiments import (EXPERIMENTS, STREAMS, Criterion, Monitor, ReberSuccess, RecentTraining,
                                Streak, TestSetStop, Trial, collect, get_experiment, read_results,
                                results_path, run_experiment, run_trial, stream)
from lstm97.experiments.seeding import stream_key
from lstm97.tasks import EmbeddedReber

FAST = "3a-T100-N3"
REBER = "reber-3x2-lr0.5"
RESULTS = Path(__file__).resolve().parent.parent / "docs" / "results"


def without_time(record):
    return {k: v for k, v in record.items() if k != "wall_time"}


# ------------------------------------------------------------------------------ streams

def test_every_stream_of_every_trial_is_distinct():
    keys = [stream_key(t, name) for t in range(40) for name in STREAMS]
    assert len(set(keys)) == len(keys)
    draws = [tuple(stream(0, t, name).integers(2**63, size=2)) for t in range(40) for name in STREAMS]
    assert len(set(draws)) == len(draws)
    with pytest.raises(ValueError, match="trial must be below"):
        stream(0, 2**32, "train")


def test_exp1_string_sets_have_a_stream_of_their_own():
    # Trials 10-19 share one pair of sets, drawn from trial 10's "shared" stream; it used to
    # be the stream that trial 1 drew its training strings from.
    trial = Trial(REBER, 13)
    expected = EmbeddedReber().train_test_sets(rng=stream(0, 10, "shared"))
    assert [s.string for s in trial.sets[0]] == [s.string for s in expected[0]]
    assert [s.string for s in Trial(REBER, 19).sets[1]] == [s.string for s in expected[1]]
    colliding = EmbeddedReber().train_test_sets(rng=stream(0, 1, "train"))
    assert [s.string for s in trial.sets[0]] != [s.string for s in colliding[0]]
    assert [s.string for s in Trial(REBER, 9).sets[0]] != [s.string for s in trial.sets[0]]


# ------------------------------------------------------------------------------ the trial

def test_iterating_a_trial_then_running_it_gives_the_record_of_a_plain_run():
    trial = Trial(FAST, 2, seed=5, max_sequences=1500)
    seen = []
    for step in trial:
        seen.append((step.n, step.error))
        if step.n == 700:
            break
    assert trial.n == 700 and [n for n, _ in seen] == list(range(1, 701))
    record = trial.run()
    assert without_time(record) == without_time(run_trial(FAST, 2, seed=5, max_sequences=1500))
    assert all(np.isfinite(e) and e >= 0 for _, e in seen)


def iterated(trial):
    """The record of ``trial`` trained one sequence per step (the batches of ``run()`` avoided)."""
    for _ in trial:
        pass
    return trial.run()


BATCHED = {   # (experiment, cap): what each exercises
    "test sets": (FAST, 1200),
    "Exp 1 checks": ("reber-3x2-lr0.5", 3000),
    "stop inside a batch": (dataclasses.replace(get_experiment("adding-T100"),
                                                criterion=RecentTraining(beta=0.02, max_wrong=30, window=30)), 3000),
    "streak": (dataclasses.replace(get_experiment(FAST), criterion=Streak(length=40, test_size=50)), 4000),
    "sequential construction": (get_experiment("2a-p100").variant(construction="sequential", cell_at=300), 330),
}


@pytest.mark.parametrize("case", [pytest.param(c, marks=pytest.mark.slow) if c == "sequential construction" else c
                                  for c in BATCHED])
def test_training_in_batches_gives_the_record_of_one_sequence_at_a_time(case):
    experiment, cap = BATCHED[case]
    batched = Trial(experiment, 1, max_sequences=cap).run()
    assert without_time(batched) == without_time(iterated(Trial(experiment, 1, max_sequences=cap)))
    if case in ("stop inside a batch", "streak"):
        assert batched["solved"]
    if case == "stop inside a batch":                           # retrained to a point inside a batch of 30
        assert batched["trained"] % 30
    if case == "sequential construction":
        assert batched["cell_added_at"] == 300


def test_a_trial_yields_the_sequences_it_trains_on():
    trial = Trial(FAST, 0, max_sequences=5)
    twin = Trial(FAST, 0, max_sequences=5)
    for step in trial:
        seq = twin.draw()
        np.testing.assert_array_equal(step.sequence.inputs, seq.inputs)
        assert step.net is trial.net
        assert step.outputs.shape == (len(seq.inputs), 1)


def test_skipping_an_update_leaves_the_weights_of_that_sequence_alone():
    plain, skipped = Trial(FAST, 0, max_sequences=3), Trial(FAST, 0, max_sequences=3, skip_updates={2})
    for a, b in zip(plain, skipped):
        same = all(np.array_equal(a.net.get_weights()[g], b.net.get_weights()[g]) for g in ("cell", "output"))
        assert same == (a.n == 1)
        assert a.error == b.error if a.n <= 2 else True
    record = skipped.run()
    assert record["skip_updates"] == [2]


def blowing_up_at(trial, n):
    """Make training sequence ``n`` of ``trial`` blow up, as the core reports it."""
    real = trial.net._run_many

    def run_many(batch, mode, learning_rate=0.0, outputs=False):
        first = trial.n + 1
        if mode == Mode.MODE_FORWARD or not first <= n < first + len(batch):
            return real(batch, mode, learning_rate, outputs)
        exc = FloatingPointError("non-finite activation at step 3")
        exc.sequence = i = n - first
        errors, out, _ = real(batch.take(np.arange(i)), mode, learning_rate, outputs) if i else (np.zeros(0), None, None)
        return errors, out, exc

    trial.net._run_many = run_many
    return trial


@pytest.mark.parametrize("n", [1, 7, 300])
def test_a_blow_up_ends_the_trial_and_is_recorded(n):
    trial = blowing_up_at(Trial(FAST, 0, max_sequences=500), n)
    assert [step.n for step in trial] == list(range(1, n))
    record = trial.run()
    assert record["error"] == "non-finite activation at step 3"
    assert not record["solved"] and record["trained"] == n and record["test_size"] == 2560
    assert without_time(blowing_up_at(Trial(FAST, 0, max_sequences=500), n).run()) == without_time(record)


# ------------------------------------------------------------------------------ criteria

class FakeTask:
    """A task whose sequences say whether they are processed correctly."""

    criterion_steps = "end"

    def __init__(self, p_correct=1.0):
        self.drawn, self.p_correct = 0, p_correct

    def is_correct_batch(self, outputs, batch):
        return np.array([bool(s) for s in batch.sequences])

    def abs_error_batch(self, outputs, batch):
        return np.array([0.0 if s else 1.0 for s in batch.sequences])

    def sample(self, rng):
        self.drawn += 1
        return FakeSequence(bool(rng.random() < self.p_correct))

    def sample_batch(self, n, rng):
        """n sequences, for the monitor's evaluate to pack (with SequenceBatch.of, a FakeBatch
        in the tests that use this task)."""
        return [self.sample(rng) for _ in range(n)]


class FakeSequence:
    def __init__(self, correct):
        self.correct = correct
        self.criterion_targets = np.zeros((1, 1))

    def __bool__(self):
        return self.correct


class FakeBatch:
    """What a monitor reads of a batch: its sequences."""

    def __init__(self, sequences):
        self.sequences = [s if isinstance(s, FakeSequence) else FakeSequence(s) for s in sequences]
        self.offsets = np.arange(len(self.sequences) + 1)

    def __len__(self):
        return len(self.sequences)


class FakeNet:
    """A net whose output is always 0 (what the fake task ignores)."""

    def __init__(self):
        self.calls = 0

    def forward_sequences(self, batch):
        self.calls += 1
        return np.zeros((len(batch), 1))


def feed(monitor, flags, errors=None, size=None, net=None, first=1):
    """Feed (correct, error) per sequence as a trial does, from sequence ``first`` on, in
    batches of ``size`` (default: as long as the monitor's horizon allows); the number of
    the sequence it stopped after, or None."""
    errors = [0.0] * len(flags) if errors is None else errors
    n = 0
    while n < len(flags):
        k = min(size or len(flags), monitor.horizon(), len(flags) - n)
        stop = monitor.update(first + n, net, FakeBatch(flags[n:n + k]), None, np.array(errors[n:n + k]))
        if stop is not None:
            assert 1 <= stop <= k
            return first - 1 + n + stop
        n += k
    return None


BATCHINGS = [1, 3, None]    # one at a time, short batches, as long as the horizon allows


@pytest.mark.parametrize("criterion", [ReberSuccess(), Streak(), TestSetStop(0, 0.01), RecentTraining(beta=0.01)])
def test_every_criterion_follows_one_protocol(criterion, monkeypatch):
    monkeypatch.setattr("lstm97.experiments.criteria.SequenceBatch.of", FakeBatch)
    assert isinstance(criterion, Criterion)
    sets = ([FakeSequence(True)], [FakeSequence(True)])
    monitor = criterion.monitor(FakeTask(), np.random.default_rng(0), sets if criterion == ReberSuccess() else None)
    assert isinstance(monitor, Monitor)
    assert not monitor.solved and monitor.sequences is None and monitor.extra == {}
    assert monitor.horizon() >= 1


@pytest.mark.parametrize("size", BATCHINGS)
def test_exp1_criterion_checks_both_fixed_sets_after_a_run_of_correct_strings(size, monkeypatch):
    monkeypatch.setattr("lstm97.experiments.criteria.SequenceBatch.of", FakeBatch)
    train = [FakeSequence(True) for _ in range(3)]
    test = [FakeSequence(True), FakeSequence(False)]
    net = FakeNet()
    monitor = ReberSuccess(check_after=4).monitor(FakeTask(), None, (train, test))
    assert feed(monitor, [True, True, True, False] + [True] * 4, size=size, net=net) is None
    assert net.calls == 1                          # one full check, at sequence 8, failed by test[1]
    test[1].correct = True
    assert feed(monitor, [True] * 3, size=size, net=net, first=9) is None and net.calls == 1
    assert monitor.update(12, net, FakeBatch([True]), None, np.zeros(1)) == 1 and monitor.sequences == 12
    result = monitor.final_test(net)
    assert result["test_size"] == 2 and result["test_wrong"] == 0 and result["train_wrong"] == 0
    with pytest.raises(ValueError, match="sets must be given"):
        ReberSuccess().monitor(FakeTask(), None, None)


def test_st1_st2_check_fresh_test_sets_at_the_interval(monkeypatch):
    monkeypatch.setattr("lstm97.experiments.criteria.SequenceBatch.of", FakeBatch)
    task = FakeTask(p_correct=1.0)
    monitor = TestSetStop(st1_wrong=0, st2_error=0.5, interval=10, check_size=5).monitor(
        task, np.random.default_rng(0), None)
    assert monitor.horizon() == 10
    assert feed(monitor, [True] * 9, size=4) is None and task.drawn == 0 and monitor.horizon() == 1
    assert feed(monitor, [True], net=FakeNet(), first=10) == 10
    assert task.drawn == 5 and monitor.sequences == 10 and monitor.extra == {"sequences_st1": 10}
    task = FakeTask(p_correct=0.5)
    monitor = TestSetStop(st1_wrong=0, st2_error=0.5, interval=10, check_size=50).monitor(
        task, np.random.default_rng(0), None)
    assert feed(monitor, [True] * 10, net=FakeNet()) is None and "sequences_st1" not in monitor.extra


@pytest.mark.parametrize("size", BATCHINGS)
def test_streak_reports_where_the_streak_began(size):
    monitor = Streak(length=5).monitor(FakeTask(), None, None)
    flags = [True, False, True, True, False] + [True] * 5
    assert feed(monitor, flags, size=size) == 10
    assert monitor.solved and monitor.sequences == 6
    assert feed(Streak(length=5).monitor(FakeTask(), None, None), flags[:9], size=size) is None


@pytest.mark.parametrize("size", BATCHINGS)
def test_st3_needs_a_full_window_of_correct_sequences_with_low_error(size):
    monitor = RecentTraining(beta=0.1, window=4).monitor(FakeTask(), None, None)
    flags = [True, False, True, True, True, True, True, True, True, True, True]
    errors = [0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0]
    assert feed(monitor, flags, errors, size=size) == 10      # 0.5 / 4 > 0.1 until it leaves the window
    assert monitor.sequences == 10


@pytest.mark.parametrize("size", BATCHINGS)
def test_n_seq_rule_counts_wrong_sequences_in_the_window(size):
    monitor = RecentTraining(beta=None, max_wrong=1, window=4).monitor(FakeTask(), None, None)
    flags = [False, False, True, True, False, True, True, True]
    assert feed(monitor, flags, [1.0] * 8, size=size) == 6    # window 3..6 holds one wrong, fewer than n_seq = 2
    assert monitor.sequences == 6


@pytest.mark.parametrize("criterion", [Streak(length=7), RecentTraining(beta=0.3, window=6),
                                       RecentTraining(beta=None, max_wrong=2, window=5)])
def test_a_criterion_stops_where_it_would_one_sequence_at_a_time(criterion):
    rng = np.random.default_rng(1)
    for _ in range(200):
        flags = (rng.random(60) < rng.random()).tolist()
        errors = rng.random(60).tolist()
        one = feed(criterion.monitor(FakeTask(), None, None), flags, errors, size=1)
        for size in (2, 5, 17, None):
            assert feed(criterion.monitor(FakeTask(), None, None), flags, errors, size=size) == one


# ------------------------------------------------------------------------------ variants

def test_a_variant_is_a_new_value_and_its_name_reads_back():
    before = (dict(EXPERIMENTS), dict(TABLE10))
    base = get_experiment("2c-q50-p50")
    variant = base.variant(cells_read="inputs", h_range="2")
    assert variant.name == "2c-q50-p50[cells_read=inputs,h_range=2]"
    assert get_experiment(variant.name) == variant
    assert variant.topology.h_range == 2.0 and base.topology.h_range == 1.0
    hidden = variant.topology.source_columns("bias").stop
    assert not variant.topology.source_mask("cell")[hidden:].any()
    assert variant.topology.source_mask("input_gate")[hidden:].all()
    assert (dict(EXPERIMENTS), dict(TABLE10)) == before
    assert variant.variant(update="step").name == "2c-q50-p50[cells_read=inputs,h_range=2,update=step]"
    with pytest.raises(ValueError, match="unknown option 'colour'"):
        base.variant(colour="red")
    with pytest.raises(ValueError, match="cells_read must be one of"):
        base.variant(cells_read="outputs")


def test_a_variant_runs_and_reports_under_its_own_name(tmp_path):
    exp = get_experiment(FAST).variant(learning_rate=0.5)
    records = run_experiment(exp.name, tmp_path, trials=2, max_sequences=1000, jobs=1)
    assert results_path(tmp_path, exp) == tmp_path / "3a-T100-N3[learning_rate=0.5].jsonl"
    assert all(r["experiment"] == exp.name and r["set"] == {"learning_rate": 0.5} for r in records)
    assert without_time(records[0]) == without_time(run_trial(exp, 0, max_sequences=1000))
    assert without_time(records[0]) != without_time(run_trial(FAST, 0, max_sequences=1000))
    assert list(collect(tmp_path)) == [exp.name]


# ------------------------------------------------------------------------------ the runner's guards

def test_a_second_run_on_the_same_directory_is_refused(tmp_path):
    code = ("import sys; from lstm97.experiments import run_experiment; "
            "run_experiment('3a-T100-N3', sys.argv[1], trials=1, max_sequences=400000, jobs=1)")
    first = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], cwd=tmp_path)
    try:
        lock = tmp_path / ".lstm97.lock"
        deadline = time.time() + 60
        while time.time() < deadline and not (lock.exists() and lock.read_text().strip()):
            time.sleep(0.05)
        with pytest.raises(ValueError, match=f"another lstm97 run \\(process {first.pid}\\)"):
            run_experiment(FAST, tmp_path, trials=1, max_sequences=100, jobs=1)
    finally:
        first.kill()
        first.wait()
    assert read_results(results_path(tmp_path, FAST)) == []
    run_experiment(FAST, tmp_path, trials=1, max_sequences=100, jobs=1)   # the lock died with it


def test_a_file_with_a_trial_twice_is_refused_or_deduplicated(tmp_path):
    records = run_experiment(FAST, tmp_path, trials=2, max_sequences=200, jobs=1)
    path = results_path(tmp_path, FAST)
    with open(path, "a") as f:
        f.write(json.dumps({**records[1], "wall_time": 0.5}) + "\n")
    with pytest.raises(ValueError, match=":3 holds trial 1 a second time"):
        read_results(path)
    with pytest.raises(ValueError, match="a second time"):
        collect(tmp_path)
    assert read_results(path, duplicates="first") == records
    with pytest.raises(ValueError, match="a second time"):
        run_experiment(FAST, tmp_path, trials=3, max_sequences=200, jobs=1)


def test_an_unwritable_results_directory_is_refused_before_training(tmp_path):
    if os.geteuid() == 0:          # root writes anywhere but on a read-only file system
        target = Path("/sys/lstm97-results")
    else:
        target = tmp_path / "ro"
        target.mkdir(mode=0o555)
    start = time.process_time()
    with pytest.raises(ValueError, match="cannot write to results directory"):
        run_experiment(FAST, target, trials=1, jobs=1)
    assert time.process_time() - start < 1.0
    (tmp_path / "file").write_text("")
    with pytest.raises(ValueError, match="is a file, not a directory"):
        run_experiment(FAST, tmp_path / "file", trials=1, jobs=1)


# ------------------------------------------------------------------------------ bit for bit

# One recorded trial per stop criterion, re-run by the current code.
RECORDED = [("reber-3x2-lr0.1", 10), ("3b-T100-N3", 1), ("temporal-order-6a", 0), ("2c-q50-p50", 5),
            ("multiplication-nseq140", 0)]


@pytest.mark.slow
@pytest.mark.parametrize("name, trial", RECORDED)
def test_recorded_trials_are_reproduced_bit_for_bit(name, trial):
    recorded = next(r for r in read_results(RESULTS / f"{name}.jsonl") if r["trial"] == trial)
    again = run_trial(recorded["experiment"], trial, seed=recorded["seed"],
                      max_sequences=recorded["max_sequences"])
    assert json.dumps(without_time(again)) == json.dumps(without_time(recorded))


@pytest.mark.parametrize("line, problem", [
    ('[1, 2]', "a JSON list, not an object"),
    ('{"trial": 0}', "field 'seed' is None"),
])
def test_a_line_that_is_not_a_trial_record_is_refused_naming_the_field(tmp_path, line, problem):
    path = tmp_path / "x.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(ValueError, match=f"x.jsonl:1 is not a trial record \\({re.escape(problem)}\\)"):
        read_results(path)


def test_a_step_shows_the_cell_states_of_its_sequence_not_of_the_criterion_s_test():
    # This criterion runs 5 fresh test sequences through the net after every training
    # sequence; the Step must still show the cell states at the training sequence's end.
    experiment = dataclasses.replace(get_experiment(FAST), criterion=TestSetStop(0, 1e-9, interval=1, check_size=5))
    trial, twin = Trial(experiment, 0, max_sequences=6), Trial(experiment, 0, max_sequences=6)
    for step in trial:
        twin.net.train_sequence(*twin.draw(), learning_rate=experiment.learning_rate)
        np.testing.assert_array_equal(step.cell_states, twin.net.cell_states)


def test_the_cap_is_at_most_max_sequences_and_trains_at_the_bound():
    """A cap beyond MAX_SEQUENCES is refused, naming the argument (2^63 overflowed the int64
    sequence numbers of the learning curve); at the bound, a trial trains."""
    from lstm97.experiments.registry import MAX_SEQUENCES
    for cap in (MAX_SEQUENCES + 1, 2**63):
        with pytest.raises(ValueError, match="max_sequences must be at most 1,000,000,000,000"):
            Trial("2a-p100", 0, max_sequences=cap)
        with pytest.raises(ValueError, match="max_sequences must be at most"):
            get_experiment("2a-p100").cap(cap)
    trial = Trial("adding-T100", 0, max_sequences=MAX_SEQUENCES, curve_points=1)
    assert [step.n for step in itertools.islice(trial, 2)] == [1, 2]
