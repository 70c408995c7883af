"""Trials in lockstep (lstm97._lockstep) are, lane by lane, the scalar core bit for bit, and
a trial's record does not depend on whether it ran alone or in a lane.

Every lane of a lockstep call is compared with ``LSTM._train_until_blow_up`` of a twin net
(same weights, same batch): the per-sequence errors, the outputs, every state array the
core keeps (weights, update, traces, cell states, activations) and its counters must be
equal, not close.  The topologies are the twin tests' random ones (every option of
Topology; symbol and dense input; targets at the end, at every step or at random steps),
batches of different lengths per lane (so lanes wait for each other), and idle lanes.
"""

import math
import pathlib
import re

import numpy as np
import pytest
from conftest import random_case, tool

from lstm97 import LSTM, _core, _lockstep, table10
from lstm97.experiments import Trial, get_experiment, run_experiment, run_trial
from lstm97.experiments import trial as trial_module
from lstm97.experiments.runner import LANES_MAX_WEIGHTS, choose_lanes, read_results, results_path
from lstm97.experiments.trial import run_in_lanes
from lstm97.models.lstm import train_in_lanes
from lstm97.tasks import Adding

ROOT = pathlib.Path(__file__).resolve().parent.parent
CPU_FLAGS = next((line.split(":")[1].split() for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("flags")), []) if pathlib.Path("/proc/cpuinfo").exists() else []

SEEDS = range(40)


def assert_same_net(net, twin):
    live, expected = net._core.state_arrays(), twin._core.state_arrays()
    for name in expected:
        np.testing.assert_array_equal(live[name], expected[name], err_msg=name, strict=True)
    assert (net._core.t, net._core.error) == (twin._core.t, twin._core.error)


def assert_same_result(result, expected):
    (errors, outputs, blow_up), (errors2, outputs2, blow_up2) = result, expected
    np.testing.assert_array_equal(errors, errors2, strict=True)
    if outputs2 is not None:
        np.testing.assert_array_equal(outputs, outputs2, strict=True)     # NaN where no target, in both
    assert str(blow_up) == str(blow_up2)
    assert getattr(blow_up, "sequence", None) == getattr(blow_up2, "sequence", None)


def random_batches(seed, n_nets):
    """A random topology, ``n_nets`` nets of it with weights of their own, and a batch of
    1 to 4 random sequences for each (one coding for all)."""
    net, inputs, _, _ = random_case(seed)
    top = net.topology
    rng = np.random.default_rng(1000 + seed)
    symbols = inputs.ndim == 1
    kind = int(rng.integers(3))
    batches = []
    for _ in range(n_nets):
        batch = []
        for _ in range(int(rng.integers(1, 5))):
            T = int(rng.integers(1, 30))
            x = rng.integers(0, top.n_inputs, size=T) if symbols else rng.normal(size=(T, top.n_inputs))
            mask = np.ones(T, bool) if kind == 0 else (np.arange(T) == T - 1) if kind == 1 else rng.random(T) < 0.5
            batch.append((x, rng.random((T, top.n_outputs)), mask))
        batches.append(batch)
    nets = [LSTM(top, rng=100 * seed + i) for i in range(n_nets)]
    return top, nets, batches


def train_both(nets, batches, lanes, learning_rate, update, calls=2):
    """Train ``nets`` in lanes and twins of them one at a time, ``calls`` times; the twins'
    results, each lane's asserted equal."""
    twins = []
    for net in nets:
        twin = LSTM(net.topology)
        twin.set_weights(net.get_weights())
        twins.append(twin)
    for _ in range(calls):
        results = train_in_lanes(lanes, nets, batches, learning_rate=learning_rate, update=update,
                                 return_outputs=True)
        for net, twin, batch, result in zip(nets, twins, batches, results):
            expected = twin._train_until_blow_up(batch, learning_rate=learning_rate, update=update,
                                                 return_outputs=True)
            assert_same_result(result, expected)
            assert_same_net(net, twin)
    return results


@pytest.mark.parametrize("isa", _lockstep.ISAS)
@pytest.mark.parametrize("update", ["sequence", "step"])
@pytest.mark.parametrize("seed", SEEDS)
def test_every_lane_is_the_scalar_core_bit_for_bit(seed, update, isa):
    """In every build of the kernel this CPU runs (baseline, AVX2, AVX-512)."""
    n_lanes = _lockstep.LANES[seed % 3]
    n_nets = n_lanes - seed % 3                # some calls leave lanes idle
    top, nets, batches = random_batches(seed, n_nets)
    lanes = nets[0]._lanes(n_lanes, isa)
    assert lanes.isa == isa
    train_both(nets, batches, lanes, 0.3, update)


def test_lanes_run_the_widest_build_they_fill_and_refuse_one_the_cpu_has_not():
    wanted = [isa for isa, flags in (("avx512", {"avx512f", "avx512vl", "avx512dq", "avx512bw", "avx512cd"}),
                                     ("avx2", {"avx2"})) if flags <= set(CPU_FLAGS)]
    if _lockstep._VECTOR_EXP_BUILT:            # an x86-64 glibc build with every kernel build in it
        assert _lockstep.ISAS == (*wanted, "baseline")
    assert _lockstep.ISAS[-1] == "baseline"
    widths = {"avx512": 8, "avx2": 4, "baseline": 1}
    for K in _lockstep.LANES:
        isa = LSTM(table10("4-1"))._lanes(K).isa
        assert isa == _lockstep.default_isa(K) == next(i for i in _lockstep.ISAS if widths[i] <= K)
    with pytest.raises(ValueError, match=r"isa must be one of .* got 'sse9'"):
        LSTM(table10("4-1"))._lanes(8, "sse9")


def test_random_cases_cover_every_option():
    """The lanes above see every option of the topology and both codings."""
    seen = set()
    for seed in SEEDS:
        top, _, batches = random_batches(seed, 1)
        seen |= {("h", top.h), ("g", top.g), ("og", top.output_gates), ("hidden", top.n_hidden > 0),
                 ("masks", top.source_masks is not None), ("symbols", batches[0][0][0].ndim == 1),
                 ("block>1", max(top.block_sizes) > 1), ("h_range", top.h_range != 1.0)}
    assert seen >= {("h", "identity"), ("h", "sigmoid"), ("g", "logistic"), ("g", "sigmoid"),
                    ("og", False), ("og", True), ("hidden", True), ("hidden", False), ("masks", True),
                    ("masks", False), ("symbols", True), ("symbols", False), ("block>1", True),
                    ("h_range", True), ("h_range", False)}


@pytest.mark.parametrize("isa", _lockstep.ISAS)
@pytest.mark.parametrize("update", ["sequence", "step"])
def test_the_adding_net_in_sixteen_lanes(update, isa):
    """The adding rows' net (Table 10 4-1) on adding sequences of their own lengths."""
    task, rng = Adding(T=100), np.random.default_rng(5)
    nets = [LSTM(table10("4-1"), rng=i) for i in range(16)]
    batches = [[task.sample(rng) for _ in range(1 + i % 3)] for i in range(16)]
    train_both(nets, batches, nets[0]._lanes(16, isa), 0.5, update)


@pytest.mark.parametrize("isa", _lockstep.ISAS)
@pytest.mark.parametrize("update", ["sequence", "step"])
def test_a_lane_that_blows_up_is_the_scalar_cores_blow_up_and_leaves_the_others_alone(update, isa):
    """Lane 5's last sequence has targets of 1e300 (its error overflows: a state blow-up after
    the sequences before it trained); lane 6's are -1000, so that with the learning rate of
    1e306 its first update overflows a weight.  Each reports the scalar core's error, sequence
    and state (the sequences before it trained, the failed one undone); the rest train as if
    alone (train_both asserts all of it)."""
    top, nets, batches = random_batches(3, 8)
    x, y, m = batches[5][0]
    batches[5].append((x, y * 0 + 1e300, m | True))
    batches[6] = [(x, y * 0 - 1e3, m | True) for x, y, m in batches[6]]
    results = train_both(nets, batches, nets[0]._lanes(8, isa), 1e306, update, calls=1)
    assert "non-finite value in an activation" in str(results[5][2])
    assert results[5][2].sequence == len(batches[5]) - 1 > 0
    assert "would make a weight non-finite" in str(results[6][2])
    assert [i for i, r in enumerate(results) if r[2] is not None] == [5, 6]


def test_the_lanes_exp_is_libms_bit_for_bit():
    """The vector exp of the lanes and the core (on where the CPU has AVX2 and FMA and it
    matched libm at load; 8 at a time where it also has AVX-512), in each width, against math.exp, which is libm's: a million and a half arguments
    across the whole range, glibc's special case (512 <= |x| < 1024, with its subnormal
    results) and beyond, around every table entry, the special values, and the lanes' own zeros
    (the core's own exps are checked against libm's by test_c_baseline, bit for bit)."""
    rng = np.random.default_rng(14)
    k = np.arange(-128 * 20, 128 * 20)
    x = np.concatenate([rng.uniform(-750, 750, 250_000), rng.uniform(-40, 40, 250_000),
                        rng.uniform(-1100, 1100, 250_000),
                        rng.choice([-1.0, 1.0], 250_000) * rng.uniform(700, 746, 250_000),
                        rng.uniform(0.5, 1.5, 250_000) * 2.0 ** rng.integers(-70, 10, 250_000),
                        np.repeat(k * np.log(2) / 128, 4) + rng.uniform(-1e-3, 1e-3, 4 * len(k)),
                        [0.0, -0.0, 2.0 ** -54, -(2.0 ** -54), np.nextafter(2.0 ** -54, 0), 512.0, -512.0,
                         np.nextafter(512.0, 0), -np.nextafter(512.0, 0), 709.78, -745.2, 1e308, -1e308,
                         np.inf, -np.inf, np.nan, 1023.9999, -1023.9999, 1024.0, -1024.0,
                         np.nextafter(1024.0, 0), -np.nextafter(1024.0, 0), 708.3964185322641, -709.782712893384,
                         709.7827128933841, 745.1332191019411, 745.1332191019412, 1500.0, -1500.0]])
    x = x[: len(x) // 4 * 4]

    def libm(v):
        try:
            return math.exp(-v)
        except OverflowError:
            return math.inf

    want = np.array([libm(v) for v in x])
    widths = [w for w in (8, 4, 0) if w <= _lockstep._VECTOR_EXP_WIDTH]
    for width in widths:                       # each width the CPU runs; 8 and 4 take the tail by 4 and 1
        for n in (len(x), len(x) - 3):
            got = _lockstep._exp_neg(x[:n], width)
            assert np.array_equal(got.view(np.uint64), want[:n].view(np.uint64)), width
    assert np.array_equal(_lockstep._exp_neg(x).view(np.uint64), want.view(np.uint64))
    if _lockstep._VECTOR_EXP_BUILT and "avx2" in CPU_FLAGS and "fma" in CPU_FLAGS:
        assert _lockstep.VECTOR_EXP and _core.VECTOR_EXP
        assert _lockstep._VECTOR_EXP_WIDTH == (8 if {"avx512f", "avx512dq"} <= set(CPU_FLAGS) else 4)
    with pytest.raises(ValueError, match="width must be 0, 4 or 8"):
        _lockstep._exp_neg(x, 16)


def test_the_exp_table_is_the_one_its_script_computes():
    """lstm97/_exp_table.h is tools/exp_table.py's output (the table is computed, not copied)."""
    assert (ROOT / "lstm97" / "_exp_table.h").read_text() == tool("exp_table").header()


@pytest.mark.parametrize("row, seconds", [("3b-T100-N3", 1e6), ("3a-T1000-N3", 0.3)])
def test_the_paper_cost_measures_rows_whose_trials_end_and_rows_cut_by_time(row, seconds):
    """tools/paper_cost.py's µs per sequence: every trial of a fast row solved within the time,
    or the time up first, after as few as two rounds of lanes."""
    us = tool("paper_cost").us_per_sequence(get_experiment(row), seconds, 8)
    assert 1 < us < 10_000


def test_lanes_refuse_a_core_of_another_topology():
    lanes = LSTM(table10("4-1"))._lanes(4)
    other = LSTM(table10("6a"))
    x, y, mask = np.zeros((3, 8)), np.zeros((3, 4)), np.ones(3, np.uint8)
    with pytest.raises(ValueError, match="not a network of this topology"):
        lanes.run([other._core], [(x, None, np.array([0, 3], np.intp), y, mask, None, np.zeros(1))],
                  _core.Mode.MODE_TRAIN_SEQUENCE, 0.1)
    with pytest.raises(ValueError, match="n_lanes must be one of"):
        LSTM(table10("4-1"))._lanes(3)


def test_lanes_check_each_batch_as_the_scalar_core_does_and_name_the_lane():
    """One checker serves both: a lane's message is the core's, prefixed with the lane."""
    net, spare = LSTM(table10("4-1")), LSTM(table10("4-1"), rng=1)
    x, y, mask, offsets = np.zeros((3, 2)), np.zeros((3, 1)), np.ones(3, np.uint8), np.array([0, 3], np.intp)
    good = (x, None, offsets, y, mask, None, np.zeros(1))
    bad = {"offsets must be strictly increasing": (x, None, np.array([0, 0, 3], np.intp), y, mask, None,
                                                   np.zeros(2)),
           "offsets must run from 0 to the total length 3": (x, None, np.array([0, 2], np.intp), y, mask,
                                                             None, np.zeros(1)),
           "symbols[1] = 2 is outside [0, 2)": (None, np.array([0, 2, 1], np.intp), offsets, y, mask, None,
                                                np.zeros(1)),
           "targets must have shape (3, 1)": (x, None, offsets, np.zeros((3, 2)), mask, None, np.zeros(1)),
           "outputs must have shape (3, 1)": (x, None, offsets, y, mask, np.zeros((2, 1)), np.zeros(1)),
           "errors must have shape (1,)": (x, None, offsets, y, mask, None, np.zeros(2)),
           "exactly one of x and symbols": (None, None, offsets, y, mask, None, np.zeros(1))}
    for message, batch in bad.items():
        with pytest.raises(ValueError, match=re.escape(message)) as alone:
            net._core.run(*batch, _core.Mode.MODE_TRAIN_SEQUENCE, 0.1)
        with pytest.raises(ValueError, match=f"^{re.escape(f'batches[1]: {alone.value}')}$"):
            net._lanes(4).run([spare._core, net._core], [good, batch], _core.Mode.MODE_TRAIN_SEQUENCE, 0.1)
    with pytest.raises(ValueError, match=re.escape("batches[0]: errors must be given")):
        net._lanes(4).run([net._core], [good[:6] + (None,)], _core.Mode.MODE_TRAIN_SEQUENCE, 0.1)


# ------------------------------------------------------------------------------ trials in lanes

# Cheap rows (small caps) that cover the kinds of trial: symbols and dense input, the Exp 3
# and Exp 4-6 criteria, update=step, a row that stops inside a batch (retraining to there).
# Trials 2, 7, 9 and 11 of the last row meet its criterion (ST3 on the 2,000 most recent
# sequences) before sequence 5,000, so their lanes free up for the others.
ROWS = {"temporal-order-6a": (1500, range(5)), "3a-T100-N3": (1000, range(5)),
        "reber-3x2-lr0.5[update=step]": (1500, range(5)), "adding-T100": (200, range(5)),
        "reber-3x2-lr0.5[g_range=1,h_range=2,outputs_read=inputs,update=step]": (5000, (0, 2, 7, 9, 11))}


def without_wall_time(records):
    return sorted(({k: v for k, v in r.items() if k != "wall_time"} for r in records), key=lambda r: r["trial"])


@pytest.fixture
def lane_rounds(monkeypatch):
    """The lockstep calls the trials made, as (lanes of the kernel, trials in them)."""
    rounds = []

    def counted(lanes, nets, *args, **kwargs):
        rounds.append((lanes.n_lanes, len(nets)))
        return train_in_lanes(lanes, nets, *args, **kwargs)

    monkeypatch.setattr(trial_module, "train_in_lanes", counted)
    return rounds


@pytest.mark.parametrize("name", ROWS)
def test_a_trials_record_is_the_same_alone_or_in_a_lane(name, lane_rounds, monkeypatch):
    """Five trials in four lanes (the fifth takes the lane the first to end leaves) give the
    records of the five trials run one by one, bit for bit but for wall_time; and the same
    trials retrain to a stop inside a batch, if any does."""
    cap, trials = ROWS[name]
    retrained = []
    train = Trial._train
    monkeypatch.setattr(Trial, "_train", lambda self, batch, return_outputs: (
        retrained.append(self.trial) if not return_outputs else None, train(self, batch, return_outputs))[1])
    lanes = list(run_in_lanes((Trial(name, i, max_sequences=cap) for i in trials), 4))
    assert lane_rounds and max(n for _, n in lane_rounds) == 4
    in_lanes, retrained[:] = sorted(retrained), []
    alone = [run_trial(name, i, max_sequences=cap) for i in trials]
    assert without_wall_time(lanes) == without_wall_time(alone)
    assert in_lanes == sorted(retrained)          # the same trials stopped inside a batch
    if "outputs_read" in name:
        assert [r["trial"] for r in alone if r["solved"]] == [2, 7, 9, 11]


@pytest.mark.parametrize("n", [9, 10])
def test_the_lanes_shrink_to_the_trials_left_and_the_last_trains_alone(n, lane_rounds):
    """Eight trials in 8 lanes, then the rest (none pending): 2 in a kernel of 4 lanes, or
    the last one alone in the scalar core; the records are those of the trials run alone."""
    rounds = lane_rounds
    name, cap = "adding-T100", 300
    got = list(run_in_lanes((Trial(name, i, max_sequences=cap) for i in range(n)), 8))
    assert without_wall_time(got) == without_wall_time(run_trial(name, i, max_sequences=cap) for i in range(n))
    assert set(rounds) == ({(8, 8), (4, 2)} if n == 10 else {(8, 8)})
    assert rounds[-1] == ((4, 2) if n == 10 else (8, 8))   # 9: the ninth trained alone, after the lanes


@pytest.mark.parametrize("at_once, kernels", [(3, {4}), (1, set())])
def test_the_lanes_take_at_most_at_once_trials_at_a_time(at_once, kernels, lane_rounds):
    """A process's share of a run's trials (``at_once``) caps what it takes from the pending
    ones, however many lanes it has: three of seven trials at a time, in lanes of 4 (the
    fewest that hold three), or with a share of one each trial alone; the records are those
    of the trials run alone."""
    name, cap = "adding-T100", 200
    taken, ended, most = [], [], []

    def trials():
        for i in range(7):
            taken.append(i)
            most.append(len(taken) - len(ended))
            yield Trial(name, i, max_sequences=cap)

    got = []
    for record in run_in_lanes(trials(), 8, at_once=at_once):
        ended.append(record["trial"])
        got.append(record)
    assert max(most) == at_once and len(taken) == 7
    assert {lanes for lanes, _ in lane_rounds} == kernels and max(n for _, n in lane_rounds or [(0, 0)]) <= 3
    assert without_wall_time(got) == without_wall_time(run_trial(name, i, max_sequences=cap) for i in range(7))
    with pytest.raises(ValueError, match="at_once"):
        next(run_in_lanes(trials(), 8, at_once=0))


def test_a_trial_that_blows_up_in_a_lane_ends_as_it_does_alone():
    """Trials 1 and 2 get weights that make a cell state's output overflow within the first
    sequence (h is the identity, the gates open, output weights of +-max): their failure,
    its message and their learning curves are the scalar core's; trials 0 and 3 train on."""
    name = "adding-T100[h=identity]"

    def trials():
        for i in range(4):
            trial = Trial(name, i, max_sequences=100)
            if i in (1, 2):
                w = trial.net.get_weights()
                cols = [j for j, s in enumerate(trial.net.source_names) if s.startswith("c")]
                w["output"][:, cols] = np.finfo(float).max * np.array([1.0, -1.0, 1.0, -1.0])
                w["input_gate"][:, 2] = w["cell"][:, 2] = 50.0            # column 2 is the bias
                trial.net.set_weights(w)
                trial.monitor.final_test = lambda net: {}                # its weights give NaN outputs
            yield trial

    lanes, alone = without_wall_time(run_in_lanes(trials(), 4)), without_wall_time(t.run() for t in trials())
    assert lanes == alone
    assert ["non-finite value in an activation" in r.get("error", "") for r in alone] == [False, True, True, False]


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_runner_stores_the_same_records_with_lanes_or_workers(tmp_path, jobs, lane_rounds):
    """``lstm97 run`` trains a row's pending trials in lanes, in this process (one job) or in
    each of two worker processes: the files hold the records of the trials run one by one.
    A second run resumes: it adds the trials still missing, in lanes again."""
    name, cap = "adding-T100", 200
    run_experiment(name, tmp_path, trials=4, max_sequences=cap, jobs=jobs)
    run_experiment(name, tmp_path, trials=9, max_sequences=cap, jobs=jobs)
    assert bool(lane_rounds) == (jobs == 1)         # the workers' rounds are not counted here
    alone = [run_trial(name, i, max_sequences=cap) for i in range(9)]
    assert without_wall_time(read_results(results_path(tmp_path, name))) == without_wall_time(alone)


def test_lstm97_run_chooses_lanes_for_the_trials_of_an_lstm_row_in_this_process():
    lstm, reber = get_experiment("adding-T100"), get_experiment("reber-3x2-lr0.5[update=step]")
    assert [choose_lanes(lstm, list(range(n)), 1) for n in (1, 2, 4, 5, 8, 9, 20)] == [0, 4, 4, 8, 8, 8, 8]
    assert choose_lanes(reber, list(range(30)), 1) == 8 and choose_lanes(reber, list(range(30)), 1, 16) == 16
    # two worker processes: the lanes hold each one's share, up to 8
    assert [choose_lanes(lstm, list(range(n)), 2) for n in (2, 3, 4, 9, 16, 17, 40)] == [0, 4, 4, 8, 8, 8, 8]
    for name in ("2a-p4-rtrl-lr10.0", "2a-p100[construction=sequential]", "guess-parity-A1"):
        assert choose_lanes(get_experiment(name), list(range(20)), 1) == 0
    # Exps 2a/2b's nets (10,504 weights) train faster alone, unless lanes are asked for
    wide = get_experiment("2b-p100")
    assert wide.topology.n_weights > LANES_MAX_WEIGHTS >= get_experiment("2c-q1000-p1000").topology.n_weights
    assert (choose_lanes(wide, list(range(18)), 2), choose_lanes(wide, list(range(18)), 2, 8)) == (0, 8)


def test_a_worker_process_trains_its_share_of_the_trials_in_lanes(lane_rounds):
    """The worker's side of map_trials, run here against a parent played by a thread: it asks
    for a trial whenever a lane is free and it holds less than its share (3 of 6), trains
    them in lockstep and sends each record as its trial ends, then says it is finished."""
    import signal
    import threading
    from multiprocessing import Pipe

    from lstm97.experiments import pool

    name, cap = "adding-T100", 200
    ours, theirs = Pipe()
    pending, got, held = list(range(6)), [], [0]

    def parent():
        while True:
            kind, trial, payload = ours.recv()
            if kind == "need":
                ours.send(pending.pop(0) if pending else None)
                held.append(6 - len(pending) - len(got))
            elif kind == "done":
                got.append(payload)
            elif kind != "progress":
                got.append(kind)
                return

    thread = threading.Thread(target=parent)
    thread.start()
    handler = signal.getsignal(signal.SIGINT)
    try:
        pool._worker(theirs, get_experiment(name), {"max_sequences": cap}, 4, None, pool.share(6, 2))
    finally:
        signal.signal(signal.SIGINT, handler)
    thread.join(10)
    assert got[-1] == "finished" and max(n for _, n in lane_rounds) == max(held) == 3
    alone = [run_trial(name, i, max_sequences=cap) for i in range(6)]
    assert without_wall_time(got[:-1]) == without_wall_time(alone)
