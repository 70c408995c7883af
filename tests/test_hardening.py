"""Hardening of issue #12: what the API refuses, and what stays unchanged when it does.

Item 1: learning without targets is refused, and the compiled boundary checks every
dtype and shape itself (a bug in the Python shell raises instead of reading past a
buffer).  Item 3: two threads never silently share one network.  Item 4: finiteness is
judged after the cast to float64.  Item 5: a non-finite trace or update raises
``FloatingPointError`` naming the step from every entry point, and the network is
exactly as it was before the call.  Items 8 and 10 (LSTM parts): ``learning_rate`` and
``rng`` errors name the argument.
"""

import threading
import warnings

import numpy as np
import pytest

from lstm97 import GROUPS, LSTM, table10
from lstm97._core import Fail, Mode
from lstm97.tasks import TaskSequence


def snapshot(net):
    """Everything a call may change: weights, every state array, the counters."""
    core = net._core
    return ({g: core.group_view(i).copy() for i, g in enumerate(GROUPS)},
            {k: v.copy() for k, v in core.state_arrays().items()}, core.t, core.error)


def assert_unchanged(net, before):
    weights, state, t, error = snapshot(net)
    for g in GROUPS:
        np.testing.assert_array_equal(weights[g], before[0][g], err_msg=g)
    for k in state:
        np.testing.assert_array_equal(state[k], before[1][k], err_msg=k)
    assert (t, error) == before[2:]


def mid_stream(net, x, steps=7):
    """Leave ``net`` part-way through a stream, with state, traces and a pending update."""
    net.reset()
    for t in range(steps):
        net.step(x[t], np.array([0.2]) if t % 3 == 2 else None)
    return snapshot(net)


# ----------------------------------------------------------------- item 1: targets, boundary

@pytest.mark.parametrize("call", [
    lambda net, x: net.train_sequence(x, None, learning_rate=0.5),
    lambda net, x: net.train_sequence(x, None, learning_rate=0.5, update="step"),
    lambda net, x: net.gradient(x, None),
    lambda net, x: net.gradient(x, None, np.ones(len(x), bool)),
])
def test_learning_without_targets_is_refused(adding_net, adding_sequence, call):
    x = adding_sequence[0]
    before = mid_stream(adding_net, x)
    with pytest.raises(TypeError, match="targets must be an array of shape"):
        call(adding_net, x)
    assert_unchanged(adding_net, before)


def _run_args(net, T=12):
    rng = np.random.default_rng(0)
    return dict(x=rng.uniform(-1, 1, (T, net.topology.n_inputs)), symbols=None,
                offsets=np.array([0, 5, T], np.intp), targets=rng.random((T, net.topology.n_outputs)),
                mask=np.ones(T, np.uint8), outputs=np.empty((T, net.topology.n_outputs)), errors=np.empty(2),
                mode=int(Mode.MODE_TRAIN_STEP), learning_rate=0.5)


# What a buggy shell could hand the core; each must raise before the loop reads a byte.
BAD_RUN_ARGS = {
    "float32 x": dict(x=lambda a: a["x"].astype(np.float32)),
    "x too wide": dict(x=lambda a: np.zeros((12, 3))),
    "x not C-contiguous": dict(x=lambda a: np.asfortranarray(a["x"])),
    "x 1-D": dict(x=lambda a: a["x"].ravel()),
    "x and symbols": dict(symbols=lambda a: np.zeros(12, np.intp)),
    "neither x nor symbols": dict(x=lambda a: None),
    "empty x": dict(x=lambda a: np.zeros((0, 2)), targets=lambda a: np.zeros((0, 1)),
                    mask=lambda a: np.zeros(0, np.uint8), outputs=lambda a: None, offsets=lambda a: np.zeros(1, np.intp)),
    "no offsets": dict(offsets=lambda a: None),
    "int32 offsets": dict(offsets=lambda a: a["offsets"].astype(np.int32)),
    "offsets of no sequence": dict(offsets=lambda a: np.array([0], np.intp)),
    "offsets not from 0": dict(offsets=lambda a: np.array([1, 5, 12], np.intp)),
    "offsets short of the end": dict(offsets=lambda a: np.array([0, 5, 11], np.intp)),
    "offsets past the end": dict(offsets=lambda a: np.array([0, 5, 13], np.intp)),
    "an empty sequence": dict(offsets=lambda a: np.array([0, 5, 5, 12], np.intp)),
    "decreasing offsets": dict(offsets=lambda a: np.array([0, 7, 5, 12], np.intp)),
    "errors too short": dict(errors=lambda a: np.empty(1)),
    "gradient of two sequences": dict(mode=lambda a: int(Mode.MODE_GRADIENT)),
    "int32 symbols": dict(x=lambda a: None, symbols=lambda a: np.zeros(12, np.int32)),
    "symbol out of range": dict(x=lambda a: None, symbols=lambda a: np.arange(12) % 3),
    "negative symbol": dict(x=lambda a: None, symbols=lambda a: -np.ones(12, np.intp)),
    "no targets": dict(targets=lambda a: None),
    "empty targets (issue #12)": dict(targets=lambda a: np.zeros((0, 1)), mask=lambda a: np.zeros(0, np.uint8)),
    "short targets": dict(targets=lambda a: a["targets"][:-1]),
    "wide targets": dict(targets=lambda a: np.zeros((12, 2))),
    "no mask": dict(mask=lambda a: None),
    "short mask": dict(mask=lambda a: a["mask"][:-1]),
    "int64 mask": dict(mask=lambda a: a["mask"].astype(np.int64)),
    "short outputs": dict(outputs=lambda a: a["outputs"][:-1]),
    "read-only outputs": dict(outputs=lambda a: np.lib.stride_tricks.as_strided(a["outputs"], writeable=False)),
    "unknown mode": dict(mode=lambda a: 9),
    "nan learning rate": dict(learning_rate=lambda a: float("nan")),
}


@pytest.mark.parametrize("case", BAD_RUN_ARGS)
def test_core_run_checks_dtypes_and_shapes_before_the_loop(adding_net, adding_sequence, case):
    before = mid_stream(adding_net, adding_sequence[0])
    args = _run_args(adding_net)
    args.update({k: f(args) for k, f in BAD_RUN_ARGS[case].items()})
    with pytest.raises((ValueError, TypeError)):
        adding_net._core.run(**args)
    assert_unchanged(adding_net, before)


def test_core_run_accepts_what_the_shell_hands_it(adding_net):
    """The checks above refuse only what is wrong: read-only inputs, forward mode without
    targets, and no outputs are all fine."""
    args = _run_args(adding_net)
    for a in ("x", "targets", "mask"):
        args[a].setflags(write=False)
    assert adding_net._core.run(**args) == (2, Fail.FAIL_NONE, -1)
    assert adding_net._core.run(**{**args, "outputs": None, "errors": None}) == (2, Fail.FAIL_NONE, -1)
    forward = {**args, "targets": None, "mask": None, "mode": int(Mode.MODE_FORWARD)}
    assert adding_net._core.run(**forward) == (2, Fail.FAIL_NONE, -1)
    symbols = {**forward, "x": None, "symbols": np.arange(12) % 2}
    assert adding_net._core.run(**symbols) == (2, Fail.FAIL_NONE, -1)
    one = {**args, "offsets": np.array([0, 12], np.intp), "errors": None, "mode": int(Mode.MODE_GRADIENT)}
    assert adding_net._core.run(**one) == (1, Fail.FAIL_NONE, -1)


@pytest.mark.parametrize("x, symbol, target, out", [
    (np.zeros(3), -1, None, np.empty(1)),
    (np.zeros(2, np.float32), -1, None, np.empty(1)),
    (None, 2, None, np.empty(1)),
    (None, -1, None, np.empty(1)),
    (np.zeros(2), -1, np.zeros(2), np.empty(1)),
    (np.zeros(2), -1, np.zeros(0), np.empty(1)),
    (np.zeros(2), -1, None, np.empty(0)),
    (np.zeros(2), -1, None, None),
])
def test_core_step_checks_dtypes_and_shapes(adding_net, adding_sequence, x, symbol, target, out):
    before = mid_stream(adding_net, adding_sequence[0])
    with pytest.raises((ValueError, TypeError)):
        adding_net._core.step(x, symbol, target, out)
    assert_unchanged(adding_net, before)


# ----------------------------------------------------------------- item 3: threads

def test_a_call_from_another_thread_is_refused_while_one_runs(adding_net):
    """Deterministic: the main thread calls while a worker is inside a long nogil loop
    (``steps`` counts up, unlocked, as it runs).  The worker's result must be the serial one."""
    rng = np.random.default_rng(1)
    T = 400_000
    x = np.column_stack([rng.uniform(-1, 1, T), np.zeros(T)])
    y = np.zeros((T, 1))
    y[-1] = 0.5
    mask = np.arange(T) == T - 1
    twin = LSTM(adding_net.topology)
    twin.set_weights(adding_net.get_weights())
    expected = twin.train_sequence(x, y, mask, learning_rate=0.5)
    result = {}

    def worker():
        result["error"] = adding_net.train_sequence(x, y, mask, learning_rate=0.5)

    thread = threading.Thread(target=worker)
    thread.start()
    while adding_net.steps == 0 and thread.is_alive():
        pass
    refused = []
    for call in (lambda: adding_net.forward(x[:50]), lambda: adding_net.step(x[0]), adding_net.reset,
                 adding_net.get_weights, lambda: adding_net.set_weights(twin.get_weights()),
                 lambda: adding_net.learn(0.5), lambda: adding_net.cell_states):
        try:
            call()
        except RuntimeError as exc:
            assert "being used by another thread" in str(exc)
            refused.append(call)
    thread.join()
    assert len(refused) == 7
    assert result["error"] == expected
    for g in GROUPS:
        np.testing.assert_array_equal(adding_net.get_weights()[g], twin.get_weights()[g])
    assert adding_net.forward(x[:50]).shape == (50, 1)      # the lock was released


def test_two_threads_hammering_one_net_never_corrupt_it(adding_net):
    """Every call either runs alone or raises RuntimeError and changes nothing, so the
    net ends as a serial run of the calls that succeeded, whatever the interleaving."""
    rng = np.random.default_rng(2)
    T = 3000
    x = np.column_stack([rng.uniform(-1, 1, T), np.zeros(T)])
    x[[3, 20], 1] = 1.0
    y = np.zeros((T, 1))
    y[-1] = 0.7
    mask = np.arange(T) == T - 1
    twin = LSTM(adding_net.topology)
    twin.set_weights(adding_net.get_weights())
    errors, refusals = [], []
    barrier = threading.Barrier(2)

    def hammer():
        barrier.wait()
        for _ in range(40):
            try:
                errors.append(adding_net.train_sequence(x, y, mask, learning_rate=0.5, update="step"))
            except RuntimeError as exc:
                refusals.append(str(exc))

    threads = [threading.Thread(target=hammer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(errors) + len(refusals) == 80 and errors
    assert all("being used by another thread" in r for r in refusals)
    serial = [twin.train_sequence(x, y, mask, learning_rate=0.5, update="step") for _ in errors]
    assert sorted(errors) == sorted(serial)
    for g in GROUPS:
        np.testing.assert_array_equal(adding_net.get_weights()[g], twin.get_weights()[g])


def test_the_lock_is_released_when_a_call_raises(adding_net, adding_sequence):
    x, y, m = adding_sequence
    with pytest.raises(ValueError):
        adding_net.forward(x[:, :1])
    with pytest.raises(TypeError):
        adding_net.gradient(x, None)
    assert adding_net.train_sequence(x, y, m, learning_rate=0.5) > 0


# ----------------------------------------------------------------- item 4: float64 range

needs_wide_longdouble = pytest.mark.skipif(
    not np.isfinite(np.longdouble("1e400")), reason="np.longdouble is float64 on this platform")


@needs_wide_longdouble
def test_values_beyond_float64_are_refused_after_the_cast(adding_net, adding_sequence):
    x, y, m = adding_sequence
    big = np.longdouble("1e400")
    xl = x.astype(np.longdouble)
    xl[9, 0] = big
    yl = y.astype(np.longdouble)
    yl[-1, 0] = big
    before = mid_stream(adding_net, x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                        # no "overflow in cast" first
        for call, name in [(lambda: adding_net.forward(xl), r"inputs contains NaN or inf \(first at index \(9, 0\)\)"),
                           (lambda: adding_net.gradient(xl, y, m), "inputs"),
                           (lambda: adding_net.train_sequence(x, yl, m, learning_rate=0.5), "targets"),
                           (lambda: adding_net.gradient(x, yl, m), "targets"),
                           (lambda: adding_net.step(xl[9]), "x contains"),
                           (lambda: adding_net.step(x[9], yl[-1]), "target contains")]:
            with pytest.raises(ValueError, match=name):
                call()
        w = adding_net.get_weights()["output"].astype(np.longdouble)
        w[0, adding_net.source_names.index("c0_0")] = big
        with pytest.raises(ValueError, match=r"weights\['output'\] contains NaN or inf"):
            adding_net.set_weights({"output": w})
    assert_unchanged(adding_net, before)


def test_values_within_float64_still_pass_in_any_float_dtype(adding_net, adding_sequence):
    x, y, m = adding_sequence
    for dtype in (np.float16, np.float32, np.longdouble):
        np.testing.assert_array_equal(adding_net.forward(x.astype(dtype)),
                                      adding_net.forward(x.astype(dtype).astype(np.float64)))


# ----------------------------------------------------------------- item 5: non-finite updates

def overflowing_net(T=300):
    """Large output weights that cancel in the forward pass, so every activation stays
    finite while the error they send back overflows the cells' update at step 73."""
    net = LSTM(table10("4-1"), rng=0)
    names = net.source_names
    w = net.get_weights()
    w["cell"][1] = w["cell"][0]                  # c0_1 a copy of c0_0: equal outputs
    w["output"][0, names.index("c0_0")] = 1e308
    w["output"][0, names.index("c0_1")] = -1e308
    net.set_weights(w)
    rng = np.random.default_rng(7)
    x = np.column_stack([rng.uniform(-1, 1, T), np.zeros(T)])
    return net, x, np.full((T, 1), 0.3), np.ones(T, bool)


OVERFLOW = r"non-finite value in a trace or the accumulated update at step 73 \(0-based\)"


def test_step_with_a_non_finite_update_raises_and_keeps_the_state_before_it():
    net, x, y, _ = overflowing_net()
    net.reset()
    for t in range(73):
        net.step(x[t], y[t])
    before = snapshot(net)
    with pytest.raises(FloatingPointError, match=OVERFLOW + " since the last reset"):
        net.step(x[73], y[73])
    assert_unchanged(net, before)
    assert np.isfinite(net.step(x[73])).all()   # the stream goes on without that target
    assert net.steps == 74


def test_step_with_a_non_finite_state_raises_and_keeps_the_state_before_it(adding_net, adding_sequence):
    x = adding_sequence[0]
    w = adding_net.get_weights()
    w["cell"][:, 0], w["cell"][:, 1] = 1e10, -1e10
    adding_net.set_weights(w)
    before = mid_stream(adding_net, x)
    with pytest.raises(FloatingPointError, match=r"activation, cell state or (the )?error at step 7 \(0-based\)"):
        adding_net.step(np.array([1e300, 1e300]), np.array([0.5]))   # inf - inf = NaN in the cells
    assert_unchanged(adding_net, before)


@pytest.mark.parametrize("call", [
    lambda net, x, y, m: net.gradient(x, y, m),
    lambda net, x, y, m: net.train_sequence(x, y, m, learning_rate=0.1),
])
def test_whole_sequences_name_the_step_of_a_non_finite_update_and_change_nothing(call):
    net, x, y, m = overflowing_net()
    before = mid_stream(net, x)
    with pytest.raises(FloatingPointError, match=OVERFLOW + " of the sequence"):
        call(net, x, y, m)
    assert_unchanged(net, before)
    assert np.isfinite(net.forward(x)).all()     # activations never blew up


def test_a_trace_that_overflows_with_no_target_after_it_is_caught():
    """Huge inputs on zero weights: activations stay finite, the input-gate and cell traces
    (eqs. 25, 27) overflow, and only the end of the sequence has a target.  The whole
    sequence names the same step as the step API."""
    net = LSTM(table10("4-1"), rng=0)
    w = net.get_weights()
    for g in ("input_gate", "output_gate", "cell"):
        w[g][:, net.source_names.index("x0")] = 0.0
    net.set_weights(w)
    T = 80
    x = np.zeros((T, 2))
    x[10:, 0] = 1.7e308                          # the cell trace grows by ~y_in(t) x(t) a step
    y = np.zeros((T, 1))
    m = np.arange(T) == T - 1
    assert np.isfinite(net.forward(x)).all()
    net.reset()
    for t in range(T):
        try:
            net.step(x[t])
        except FloatingPointError as exc:
            assert "trace" in str(exc)
            step = t
            break
    else:
        pytest.fail("the step API let a trace overflow")
    before = mid_stream(net, x)
    for update in ("sequence", "step"):
        with pytest.raises(FloatingPointError, match=rf"at step {step} \(0-based\) of the sequence"):
            net.train_sequence(x, y, m, learning_rate=0.1, update=update)
        assert_unchanged(net, before)


def test_forward_blow_up_leaves_a_stream_as_it_was(adding_net, adding_sequence):
    x = adding_sequence[0].copy()
    w = adding_net.get_weights()
    w["cell"][:, 0], w["cell"][:, 1] = 1e10, -1e10
    adding_net.set_weights(w)
    before = mid_stream(adding_net, adding_sequence[0])
    x[17] = 1e300                               # inf - inf = NaN in the cells' net input
    with pytest.raises(FloatingPointError, match=r"step 17 \(0-based\)"):
        adding_net.forward(x)
    assert_unchanged(adding_net, before)


@pytest.mark.parametrize("update", ["sequence", "step"])
def test_learn_and_train_sequence_agree_on_an_update_too_large(adding_net, adding_sequence, update):
    x, y, m = adding_sequence
    y = y + 1e150
    before = mid_stream(adding_net, x)
    with pytest.raises(FloatingPointError, match=r"would make a weight non-finite.*learning_rate=1e\+200"):
        adding_net.train_sequence(x, y, m, learning_rate=1e200, update=update)
    assert_unchanged(adding_net, before)
    adding_net.reset()
    for t in range(len(x)):
        adding_net.step(x[t], y[t] if m[t] else None)
    before = snapshot(adding_net)
    with pytest.raises(FloatingPointError, match=r"would make a weight non-finite.*learning_rate=1e\+200"):
        adding_net.learn(1e200)
    assert_unchanged(adding_net, before)       # the pending update too: learn it again, smaller
    adding_net.learn(1e-160)
    assert not np.array_equal(snapshot(adding_net)[0]["output"], before[0]["output"])


# ----------------------------------------------------------------- items 8, 10: argument names

@pytest.mark.parametrize("lr", [10 ** 400, -(10 ** 400)])
def test_a_learning_rate_beyond_the_float_range_names_the_argument(adding_net, adding_sequence, lr):
    before = snapshot(adding_net)
    with pytest.raises(ValueError, match="learning_rate"):
        adding_net.train_sequence(*adding_sequence, learning_rate=lr)
    with pytest.raises(ValueError, match="learning_rate"):
        adding_net.learn(lr)
    assert_unchanged(adding_net, before)


@pytest.mark.parametrize("rng, error", [(-1, ValueError), (b"", TypeError), (1.5, TypeError),
                                        (True, TypeError), ("0", TypeError)])
def test_a_bad_rng_names_the_argument(rng, error):
    with pytest.raises(error, match="rng"):
        LSTM(table10("4-1"), rng=rng)


def test_rng_accepts_what_default_rng_accepts():
    w = LSTM(table10("4-1"), rng=3).get_weights()
    for rng in (np.random.default_rng(3), np.random.SeedSequence(3), np.random.PCG64(3)):
        got = LSTM(table10("4-1"), rng=rng).get_weights()
        for g in GROUPS:
            np.testing.assert_array_equal(got[g], w[g])


@pytest.mark.parametrize("inputs", [np.broadcast_to(np.zeros(2), (2**31 - 1, 2)),
                                    np.broadcast_to(np.int64(0), (10**12,))], ids=["dense", "symbols"])
def test_a_sequence_longer_than_max_steps_is_refused_before_any_copy(inputs):
    from lstm97.tasks import MAX_STEPS

    net = LSTM(table10("4-1"), rng=0)
    for call in (lambda: net.forward(inputs),
                 lambda: net.gradient(inputs, np.broadcast_to(0.0, (len(inputs), 1))),
                 lambda: net.train_sequence(inputs, np.broadcast_to(0.0, (len(inputs), 1)), learning_rate=0.1)):
        with pytest.raises(ValueError, match=f"more than the {MAX_STEPS:,}"):
            call()


def test_max_steps_bounds_each_sequence_of_a_batch_not_the_batch(monkeypatch):
    """A final test of 10,000 sequences of 1,013 steps (2c, q = 1000) is 10.1 million steps
    in one call; each sequence is short, so it must run (it was refused, losing the trial)."""
    from lstm97.models import _sequences
    from lstm97.tasks import SequenceBatch

    monkeypatch.setattr(_sequences, "MAX_STEPS", 40)
    net = LSTM(table10("1-1"), rng=0)
    short = [(np.zeros(30, dtype=np.intp), np.zeros((30, 7))) for _ in range(3)]
    assert net.forward_sequences(short).shape == (90, 7)
    net.train_sequences(short, learning_rate=0.1)
    batch = SequenceBatch.of([TaskSequence(np.zeros(30, dtype=np.intp), np.zeros((30, 7)), np.ones(30, bool))
                              for _ in range(3)])
    net.train_sequences(batch, learning_rate=0.1)
    long = short + [(np.zeros(41, dtype=np.intp), np.zeros((41, 7)))]
    with pytest.raises(ValueError, match=r"sequences\[3\] has 41 steps, more than the 40"):
        net.forward_sequences(long)
    with pytest.raises(ValueError, match="sequences.3. has 41 steps"):
        net.train_sequences(SequenceBatch.of([*batch.sequences, TaskSequence(
            np.zeros(41, dtype=np.intp), np.zeros((41, 7)), np.ones(41, bool))]), learning_rate=0.1)


def test_save_is_refused_while_another_thread_uses_the_net(tmp_path):
    net = LSTM(table10("4-1"), rng=0)
    with net._lock:                          # what a call running in another thread holds
        with pytest.raises(RuntimeError, match="being used by another thread .in a call to save"):
            net.save(tmp_path / "net.npz")
    assert not (tmp_path / "net.npz").exists()
    net.save(tmp_path / "net.npz")
