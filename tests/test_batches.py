"""Many sequences per call: ``LSTM.train_sequences``, ``forward_sequences``, ``SequenceBatch``
and the criteria judging a whole batch, each against the one-sequence call it replaces."""

import numpy as np
import pytest

from lstm97 import LSTM, table10, tasks
from lstm97.tasks import SequenceBatch

from test_hardening import OVERFLOW, assert_unchanged, overflowing_net, snapshot

TASKS = {
    "reber": (tasks.EmbeddedReber(), "1-5"),
    "2a": (tasks.LongTimeLag(p=10, variant="2a"), None),
    "2c": (tasks.VeryLongTimeLag(p=20, q=20), "2c-1"),
    "3c": (tasks.TwoSequence(T=20, N=3, variant="3c"), "3c"),
    "adding": (tasks.Adding(T=30), "4-1"),
    "temporal order": (tasks.TemporalOrder("6a"), "6a"),
    "parity": (tasks.Parity(T=5, max_length=9), None),
    "tomita": (tasks.Tomita(grammar=4, T=5, max_length=9), None),
}


def draw(task, n, seed=0):
    rng = np.random.default_rng(seed)
    return [task.sample(rng) for _ in range(n)]


def same_weights(a, b):
    wa, wb = a.get_weights(), b.get_weights()
    return all(np.array_equal(wa[g], wb[g]) for g in wa)


@pytest.mark.parametrize("name", [k for k, (_, row) in TASKS.items() if row])
@pytest.mark.parametrize("update", ["sequence", "step"])
@pytest.mark.parametrize("packed", [False, True])
def test_training_a_batch_is_training_each_sequence_in_turn(name, update, packed):
    task, row = TASKS[name]
    seqs = draw(task, 23)
    one, many = LSTM(table10(row), rng=1), LSTM(table10(row), rng=1)
    expected = [one.train_sequence(*s, learning_rate=0.3, update=update, return_outputs=True) for s in seqs]
    errors, outputs = many.train_sequences(SequenceBatch.of(seqs) if packed else seqs, learning_rate=0.3,
                                           update=update, return_outputs=True)
    np.testing.assert_array_equal(errors, [e for e, _ in expected])
    np.testing.assert_array_equal(outputs, np.concatenate([o for _, o in expected]))
    assert same_weights(one, many)
    np.testing.assert_array_equal(one.cell_states, many.cell_states)
    np.testing.assert_array_equal(many.forward_sequences(seqs), np.concatenate([one.forward(s.inputs) for s in seqs]))


def test_plain_tuples_and_input_arrays_are_batches_too(adding_net, adding_sequence):
    x, y, m = adding_sequence
    twin = LSTM(table10("4-1"), rng=0)
    errors = adding_net.train_sequences([(x, y, m), (x[:30], y[:30]), [x, y, None]], learning_rate=0.1)
    assert errors.shape == (3,)
    for args in [(x, y, m), (x[:30], y[:30]), (x, y)]:
        twin.train_sequence(*args, learning_rate=0.1)
    assert same_weights(adding_net, twin)
    np.testing.assert_array_equal(adding_net.forward_sequences([x, (x[:5],)]),
                                  np.concatenate([twin.forward(x), twin.forward(x[:5])]))


def test_a_blow_up_keeps_the_sequences_before_it_and_names_the_one_that_failed():
    net, x, y, m = overflowing_net()
    twin = overflowing_net()[0]
    good = (x[:50], y[:50], np.zeros(50, bool))        # no target: trains nothing, overflows nothing
    twin.train_sequences([good, good], learning_rate=0.1)
    after_two = snapshot(twin)
    with pytest.raises(FloatingPointError, match=OVERFLOW + r" of sequences\[2\]") as info:
        net.train_sequences([good, good, (x, y, m), good], learning_rate=0.1)
    assert info.value.sequence == 2
    assert_unchanged(net, after_two)


def test_the_kernels_write_nan_where_a_step_has_no_target_into_any_outputs_array():
    """Core.run and the lanes write every row of ``outputs`` in a training mode (the outputs
    at the steps with a target, NaN at the others), so the array may come uninitialised:
    here it comes full of 7.0."""
    from lstm97 import _core
    task = tasks.VeryLongTimeLag(p=20, q=20)
    seqs = draw(task, 5)
    for update in ("sequence", "step"):
        nets = [LSTM(table10("2c-1"), rng=i) for i in range(3)]
        batches = []
        for net in nets:
            call = net._batch(SequenceBatch.of(seqs), True, True)
            call[5][...] = 7.0
            batches.append(call)
        mode = {"sequence": _core.Mode.MODE_TRAIN_SEQUENCE, "step": _core.Mode.MODE_TRAIN_STEP}[update]
        assert nets[0]._core.run(*batches[0], mode, 0.1)[1] == _core.Fail.FAIL_NONE
        assert nets[1]._lanes(4).run([n._core for n in nets[1:]], batches[1:], mode, 0.1) == [(True, -1)] * 2
        ends = SequenceBatch.of(seqs).offsets[1:] - 1
        for _, _, _, _, mask, out, _ in batches:
            assert np.isnan(out[~mask.astype(bool)]).all() and np.isfinite(out[ends]).all()
        twin = LSTM(table10("2c-1"), rng=0)
        _, outputs = twin.train_sequences(seqs, learning_rate=0.1, update=update, return_outputs=True)
        np.testing.assert_array_equal(outputs, batches[0][5])


def test_after_a_blow_up_the_outputs_of_the_failed_sequence_and_after_are_nan():
    """(The kernel stops at the failing step; the rows it did not reach are set NaN after.)"""
    net, x, y, m = overflowing_net()
    good = (x[:50], y[:50], np.zeros(50, bool))        # no target: trains nothing, overflows nothing
    errors, outputs, blow_up = net._train_until_blow_up([good, good, (x, y, m), good], learning_rate=0.1,
                                                        update="sequence", return_outputs=True)
    assert blow_up.sequence == 2 and len(errors) == 2 and outputs.shape == (450, 1)
    assert np.isnan(outputs).all()


BAD = [
    (lambda x, y, m: [], ValueError, "sequences is empty"),
    (lambda x, y, m: x, TypeError, "iterable of sequences"),
    (lambda x, y, m: [(x, y, m), (x,)], ValueError, r"sequences\[1\] must be \(inputs, targets"),
    (lambda x, y, m: [(x, None, m)], TypeError, r"sequences\[0\] has no targets"),
    (lambda x, y, m: [(x, y, m), 3], TypeError, r"sequences\[1\] must be"),
    (lambda x, y, m: [(x, y, m), (x[:0], y[:0], m[:0])], ValueError, r"sequences\[1\] has no steps"),
    (lambda x, y, m: [(x, y[:-1], m)], ValueError, r"sequences\[0\] has targets of shape \(59, 1\) for 60 steps"),
    (lambda x, y, m: [(x, y, m), (np.zeros(4, int), y[:4])], ValueError, "mixes symbol and dense"),
    (lambda x, y, m: [(x, y, m), (np.zeros((4, 3)), y[:4])], ValueError, r"inputs do not fit together"),
    (lambda x, y, m: [(x, y, m), (x, y, m.astype(int))], TypeError, "target_mask must be a boolean"),
    (lambda x, y, m: [(np.where(np.arange(60)[:, None] == 7, np.nan, x), y, m)], ValueError, "inputs contains NaN"),
]


@pytest.mark.parametrize("make, error, match", BAD)
def test_bad_batches_are_refused_by_name_before_the_core_runs(adding_net, adding_sequence, make, error, match):
    before = snapshot(adding_net)
    with pytest.raises(error, match=match):
        adding_net.train_sequences(make(*adding_sequence), learning_rate=0.1)
    assert_unchanged(adding_net, before)


@pytest.mark.parametrize("name", TASKS)
def test_a_batch_is_judged_as_its_sequences_are_one_by_one(name):
    task, _ = TASKS[name]
    seqs = draw(task, 40, seed=3)
    batch = SequenceBatch.of(seqs)
    rng = np.random.default_rng(4)
    seen = set()
    for scale in (0.003, 0.02, 0.3, 1.0):     # outputs near the targets, so some are right and some wrong
        outputs = np.clip(batch.criterion_targets + rng.normal(0, scale, batch.targets.shape), 0, 1)
        if name == "reber":
            outputs = np.where(batch.legal_next, 0.6, 0.4) + rng.normal(0, scale / 3, outputs.shape)
        parts = np.split(outputs, batch.offsets[1:-1])
        correct = task.is_correct_batch(outputs, batch)
        assert correct.tolist() == [task.is_correct(o, s) for o, s in zip(parts, seqs)]
        if name != "reber":
            assert task.abs_error_batch(outputs, batch).tolist() == [task.abs_error(o, s) for o, s in zip(parts, seqs)]
        seen |= set(correct.tolist())
    assert seen == {True, False}


def test_take_gathers_sequences_as_packing_them_would():
    seqs = draw(tasks.EmbeddedReber(), 30)
    batch = SequenceBatch.of(seqs)
    picked = [4, 4, 0, 29, 7]
    taken, packed = batch.take(picked), SequenceBatch.of([seqs[i] for i in picked])
    for field in ("inputs", "targets", "target_mask", "criterion_targets", "legal_next", "offsets"):
        np.testing.assert_array_equal(getattr(taken, field), getattr(packed, field), err_msg=field)
    assert taken.sequences == packed.sequences and len(taken) == 5
    np.testing.assert_array_equal(taken.lengths, [len(seqs[i].inputs) for i in picked])
    with pytest.raises(ValueError, match="indices must be a non-empty 1-D"):
        batch.take([])
    with pytest.raises(TypeError, match=r"sequences\[1\] must be a TaskSequence"):
        SequenceBatch.of([seqs[0], (1, 2)])


@pytest.mark.parametrize("size", [2, 7, 256, 512, 1000, 2**20])
def test_indices_drawn_at_once_are_those_drawn_one_at_a_time(size):
    """What lets a trial draw a batch of Exp 1's strings at once and stay the same trial."""
    a, b = np.random.default_rng(size), np.random.default_rng(size)
    assert a.integers(size, size=300).tolist() == [int(b.integers(size)) for _ in range(300)]
