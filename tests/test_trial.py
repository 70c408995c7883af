"""The Trial object, its streams, the stop criteria's protocol, variants and the runner's guards."""

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


def test_a_blow_up_ends_the_trial_and_is_recorded():
    trial = Trial(FAST, 0, max_sequences=50)
    train = trial.net.train_sequence

    def blow_up_at_7(*args, **kwargs):
        if trial.n == 7:
            raise FloatingPointError("non-finite activation at step 3")
        return train(*args, **kwargs)

    trial.net.train_sequence = blow_up_at_7
    assert [step.n for step in trial] == list(range(1, 7))
    record = trial.run()
    assert record["error"] == "non-finite activation at step 3"
    assert not record["solved"] and record["trained"] == 7 and record["test_size"] == 2560


# ------------------------------------------------------------------------------ criteria

class FakeTask:
    """A task whose sequences say whether they are processed correctly."""

    criterion_steps = "end"

    def __init__(self):
        self.drawn = 0

    def is_correct(self, outputs, seq):
        return bool(seq)

    def abs_error(self, outputs, seq):
        return 0.0 if seq else 1.0

    def sample(self, rng):
        self.drawn += 1
        return FakeSequence(bool(rng.random() < self.p_correct))


class FakeSequence:
    def __init__(self, correct):
        self.correct = correct
        self.inputs = correct
        self.criterion_targets = np.zeros((1, 1))

    def __bool__(self):
        return self.correct


class FakeNet:
    """A net whose output is always 0 (what the fake task ignores)."""

    def __init__(self):
        self.calls = 0

    def forward(self, inputs):
        self.calls += 1
        return np.zeros((1, 1))


@pytest.mark.parametrize("criterion", [ReberSuccess(), Streak(), TestSetStop(0, 0.01), RecentTraining(beta=0.01)])
def test_every_criterion_follows_one_protocol(criterion):
    assert isinstance(criterion, Criterion)
    sets = ([FakeSequence(True)], [FakeSequence(True)])
    monitor = criterion.monitor(FakeTask(), np.random.default_rng(0), sets)
    assert isinstance(monitor, Monitor)
    assert not monitor.solved and monitor.sequences is None and monitor.extra == {}


def test_exp1_criterion_checks_both_fixed_sets_after_a_run_of_correct_strings():
    train = [FakeSequence(True) for _ in range(3)]
    test = [FakeSequence(True), FakeSequence(False)]
    net = FakeNet()
    monitor = ReberSuccess(check_after=4).monitor(FakeTask(), None, (train, test))
    feed = [True, True, True, False] + [True] * 4
    stops = [monitor.update(n, net, FakeSequence(ok), None, 0.0) for n, ok in enumerate(feed, 1)]
    assert not any(stops) and net.calls == 5      # one full check, at sequence 8, stopped by test[1]
    test[1].correct = True
    stops = [monitor.update(n, net, FakeSequence(True), None, 0.0) for n in range(9, 13)]
    assert stops == [False, False, False, True] and monitor.sequences == 12
    result = monitor.final_test(net)
    assert result["test_size"] == 2 and result["test_wrong"] == 0 and result["train_wrong"] == 0
    with pytest.raises(ValueError, match="sets must be given"):
        ReberSuccess().monitor(FakeTask(), None, None)


def test_st1_st2_check_fresh_test_sets_at_the_interval():
    task = FakeTask()
    task.p_correct = 1.0
    monitor = TestSetStop(st1_wrong=0, st2_error=0.5, interval=10, check_size=5).monitor(
        task, np.random.default_rng(0), None)
    assert not any(monitor.update(n, FakeNet(), None, None, 0.0) for n in range(1, 10))
    assert task.drawn == 0
    assert monitor.update(10, FakeNet(), None, None, 0.0)
    assert task.drawn == 5 and monitor.sequences == 10 and monitor.extra == {"sequences_st1": 10}
    task = FakeTask()
    task.p_correct = 0.5
    monitor = TestSetStop(st1_wrong=0, st2_error=0.5, interval=10, check_size=50).monitor(
        task, np.random.default_rng(0), None)
    assert not monitor.update(10, FakeNet(), None, None, 0.0) and "sequences_st1" not in monitor.extra


def test_streak_reports_where_the_streak_began():
    monitor = Streak(length=5).monitor(FakeTask(), None, None)
    flags = [True, False, True, True, False] + [True] * 5
    stops = [monitor.update(n, None, FakeSequence(ok), None, 0.0) for n, ok in enumerate(flags, 1)]
    assert stops.index(True) == 9 and monitor.sequences == 6


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
