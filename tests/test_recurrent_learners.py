"""The competitors' learners (full RTRL, BPTT epochwise and truncated, Elman's procedure)
against their NumPy twins, the gradient identities that prove them, and their habits:
blow-ups, batches, bad arguments."""

import numpy as np
import pytest

from lstm97 import _core, _recurrent, tasks
from lstm97.models.recurrent import (RecurrentNet, RecurrentTopology, a1, a2, elman, fully_recurrent,
                                     layered, single_unit)
from reference import ReferenceRecurrent

NETS = {
    "layered (2a)": lambda: layered(5, 5),
    "layered, 2 hidden, bias": lambda: layered(3, 2, 2, bias=True),
    "fully recurrent": lambda: fully_recurrent(3, 2, 3, bias=True),
    "Elman": lambda: elman(3, 2, 4, bias=True),
    "A1 (stage-1 output reading itself)": lambda: a1(2),
    "A2": a2,
    "tanh unit, fixed input weight": lambda: single_unit("tanh", input_weight=False, bias=False,
                                                          class_inputs=True),
    "synchronous, mixed units": lambda: RecurrentTopology(2, np.ones((3, 6), bool), (1, 2),
                                                           ("tanh", "logistic", "logistic")),
}
LEARNERS = {"rtrl": {}, "bptt": {}, "bptt(1)": {"window": 1}, "bptt(3)": {"window": 3}}


def problem(top, T=9, seed=0, scale=3.0):
    """A net with weights large enough for the recurrence to matter, and a sequence whose
    targets fall on some steps only."""
    rng = np.random.default_rng(seed)
    w = RecurrentNet(top).guesses(1, rng, scale)[0]
    x = rng.normal(size=(T, top.n_inputs))
    d = rng.uniform(size=(T, len(top.outputs)))
    mask = rng.uniform(size=T) < 0.6
    mask[-1] = True
    return w, x, d, mask


def net_for(top, w, learner):
    kind, options = learner.split("(")[0], LEARNERS[learner]
    return RecurrentNet(top, w, learner=kind, **options)


def twin_gradient(top, w, x, d, mask, learner, lr=0.0, update="gradient"):
    twin = ReferenceRecurrent(top, w)
    if learner == "rtrl":
        g, E = twin.rtrl(x, d, mask, top.outputs, lr, update)
    else:
        g, E = twin.bptt(x, d, mask, top.outputs, lr, update, LEARNERS[learner].get("window"))
    return -g, E, twin.W


@pytest.mark.parametrize("name", NETS)
@pytest.mark.parametrize("learner", LEARNERS)
def test_the_gradient_equals_its_numpy_twin(name, learner):
    top = NETS[name]()
    w, x, d, mask = problem(top)
    g, E = net_for(top, w, learner).gradient(x, d, mask)
    g_twin, E_twin, _ = twin_gradient(top, w, x, d, mask, learner)
    assert E == pytest.approx(E_twin, rel=1e-12)
    np.testing.assert_allclose(g, g_twin, rtol=1e-12, atol=1e-14 * np.abs(g_twin).max())
    assert (g[~top.free] == 0).all()


@pytest.mark.parametrize("name", NETS)
@pytest.mark.parametrize("learner", LEARNERS)
@pytest.mark.parametrize("update", ["sequence", "step"])
def test_training_equals_its_numpy_twin(name, learner, update):
    if learner == "bptt" and update == "step":
        pytest.skip("epochwise BPTT has no per-step mode (refused: see the bad-argument test)")
    top = NETS[name]()
    w, x, d, mask = problem(top, seed=1)
    net = net_for(top, w, learner)
    E = net.train_sequence(x, d, mask, learning_rate=0.7, update=update)
    _, E_twin, w_twin = twin_gradient(top, w, x, d, mask, learner, lr=0.7, update=update)
    assert E == pytest.approx(E_twin, rel=1e-12)
    np.testing.assert_allclose(net.get_weights(), w_twin, rtol=1e-12, atol=1e-13)
    assert not np.array_equal(net.get_weights(), w)


@pytest.mark.parametrize("name", NETS)
def test_offline_rtrl_equals_epochwise_bptt_and_both_equal_finite_differences(name):
    """The paper: "untruncated BPTT computes exactly the same gradient as offline RTRL";
    both are the gradient of the sequence's E, which central differences measure."""
    top = NETS[name]()
    w, x, d, mask = problem(top, seed=2)
    g_rtrl, E = RecurrentNet(top, w, learner="rtrl").gradient(x, d, mask)
    g_bptt, E_bptt = RecurrentNet(top, w, learner="bptt").gradient(x, d, mask)
    scale = np.abs(g_rtrl).max()
    assert scale > 1e-3
    np.testing.assert_allclose(g_rtrl, g_bptt, rtol=0, atol=1e-12 * scale)
    assert E == E_bptt

    def error(weights):
        y = RecurrentNet(top, weights).forward(x)
        return 0.5 * ((d - y)[mask] ** 2).sum()

    h, fd = 1e-5, np.zeros_like(w)
    for idx in zip(*np.nonzero(top.free)):
        up, down = w.copy(), w.copy()
        up[idx] += h
        down[idx] -= h
        fd[idx] = (error(up) - error(down)) / (2 * h)
    np.testing.assert_allclose(g_rtrl, fd, rtol=0, atol=1e-7 * max(1.0, scale))


def test_a_window_as_long_as_the_sequence_is_epochwise_bptt():
    top = fully_recurrent(3, 2, 3, bias=True)
    w, x, d, mask = problem(top, T=7, seed=3)
    g, _ = RecurrentNet(top, w, learner="bptt").gradient(x, d, mask)
    for h in (7, 50):
        g_h, _ = RecurrentNet(top, w, learner="bptt", window=h).gradient(x, d, mask)
        np.testing.assert_allclose(g_h, g, rtol=0, atol=1e-13 * np.abs(g).max())
    g_short, _ = RecurrentNet(top, w, learner="bptt", window=2).gradient(x, d, mask)
    assert np.abs(g_short - g).max() > 1e-3 * np.abs(g).max()          # truncation does cut


def test_bptt_with_window_1_is_elmans_procedure():
    """Elman (1990): backprop through one step of the net, the context units (the hidden
    activations of the step before) taken as inputs.  Written here as plain two-layer
    backprop, it is BPTT(1) on the Elman topology, step by step."""
    top = elman(3, 2, 4, bias=True)
    w, x, d, _ = problem(top, T=8, seed=4)
    mask = np.ones(len(x), bool)
    H, I = 4, 3
    W = w.copy()
    context = np.zeros(H)
    sig = lambda z: 1 / (1 + np.exp(-z))                                    # noqa: E731
    for t in range(len(x)):
        inp = np.concatenate([x[t], [1.0], context, np.zeros(2)])          # [x, 1, context, outputs]
        hidden = sig(W[:H] @ inp)
        inp_out = np.concatenate([x[t], [1.0], hidden, np.zeros(2)])
        out = sig(W[H:] @ inp_out)
        delta_out = out * (1 - out) * (d[t] - out)
        delta_hidden = hidden * (1 - hidden) * (W[H:, I + 1:I + 1 + H].T @ delta_out)
        W[H:] += 0.5 * np.outer(delta_out, inp_out) * top.free[H:]
        W[:H] += 0.5 * np.outer(delta_hidden, inp) * top.free[:H]
        context = hidden
    net = RecurrentNet(top, w, learner="bptt", window=1)
    net.train_sequence(x, d, mask, learning_rate=0.5, update="step")
    np.testing.assert_allclose(net.get_weights(), W, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("learner", LEARNERS)
@pytest.mark.parametrize("update", ["sequence", "step"])
def test_a_batch_equals_one_sequence_at_a_time_bit_for_bit(learner, update):
    if learner == "bptt" and update == "step":
        pytest.skip("no per-step mode")
    task = tasks.EmbeddedReber()
    rng = np.random.default_rng(5)
    seqs = [task.sample(rng) for _ in range(6)]
    top = fully_recurrent(7, 7, 3)
    w = RecurrentNet(top, rng=np.random.default_rng(6)).get_weights()
    one, many = net_for(top, w, learner), net_for(top, w, learner)
    errors_one, outs_one = zip(*[one.train_sequence(s.inputs, s.targets, s.target_mask, learning_rate=0.3,
                                                    update=update, return_outputs=True) for s in seqs])
    errors, outs = many.train_sequences(seqs, learning_rate=0.3, update=update, return_outputs=True)
    assert np.array_equal(errors, errors_one)
    assert np.array_equal(outs, np.concatenate(outs_one), equal_nan=True)
    assert np.array_equal(one.get_weights(), many.get_weights())
    # symbols are one-hot inputs
    dense = [(np.eye(7)[s.inputs], s.targets) for s in seqs[:2]]
    a, b = net_for(top, w, learner), net_for(top, w, learner)
    assert np.array_equal(a.train_sequences(seqs[:2], learning_rate=0.3, update=update),
                          b.train_sequences(dense, learning_rate=0.3, update=update))


@pytest.mark.parametrize("learner", LEARNERS)
def test_a_blow_up_raises_and_leaves_the_weights_as_they_were(learner):
    """From zero weights every unit is at 0.5 with f' = 0.25; inputs of 100 then make the
    first change 12.5 times the learning rate, and 1e308 times that is not finite."""
    top = layered(5, 5)
    rng = np.random.default_rng(7)
    w = RecurrentNet(top, rng=rng).get_weights()
    x = 100.0 * np.eye(5)[[0, 1, 2, 3]]
    d = np.ones((4, 5))
    net = net_for(top, w, learner)
    with pytest.raises(FloatingPointError, match="non-finite") as info:
        net.train_sequence(x, d, learning_rate=1e308)
    assert info.value.sequence == 0
    assert np.array_equal(net.get_weights(), w)
    # In a batch, the sequences before the one that fails are trained and kept.
    zero = net_for(top, None, learner)
    calm = (np.eye(5)[[0, 1]], np.full((2, 5), 0.5))           # y = 0.5 = d: no change at all
    quiet = (x, np.full((4, 5), 0.5))
    errors, _, blow_up = zero._train_until_blow_up([calm, quiet, (x, d)], learning_rate=1e308,
                                                   update="sequence", return_outputs=False)
    assert blow_up.sequence == 2 and list(errors) == [0.0, 0.0]
    assert np.array_equal(zero.get_weights(), np.zeros_like(w))
    with pytest.raises(FloatingPointError) as info:
        zero.train_sequences([calm, (x, d)], learning_rate=1e308)
    assert info.value.sequence == 1


def test_the_kernel_shares_the_cores_codes():
    """One message builder (models.lstm._blow_up) reads both kernels' failure codes."""
    for name in ("NONE", "STATE", "UPDATE", "GRADIENT"):
        assert int(getattr(_recurrent.LearnFail, f"LFAIL_{name}")) == int(getattr(_core.Fail, f"FAIL_{name}"))
    for name in ("GRADIENT", "TRAIN_SEQUENCE", "TRAIN_STEP"):
        ours = {"GRADIENT": "LEARN_GRADIENT", "TRAIN_SEQUENCE": "LEARN_SEQUENCE", "TRAIN_STEP": "LEARN_STEP"}
        assert int(getattr(_recurrent.LearnMode, ours[name])) == int(getattr(_core.Mode, f"MODE_{name}"))


def test_memory_rtrl_is_fixed_and_bptt_grows_with_the_sequence():
    top = layered(5, 5)
    rng = np.random.default_rng(9)
    sizes = {}
    for learner, options in (("rtrl", {}), ("bptt", {}), ("bptt", {"window": 4})):
        net = RecurrentNet(top, rng=rng, learner=learner, **options)
        row = []
        for T in (10, 1000):
            x = np.eye(5)[rng.integers(5, size=T)]
            net.train_sequence(x, np.full((T, 5), 0.5), learning_rate=0.1)
            row.append(net.state_bytes)
        sizes[learner + str(options)] = row
    assert sizes["rtrl{}"][0] == sizes["rtrl{}"][1] == 2 * 8 * 6 * 36
    assert sizes["bptt{}"] == [8 * 10 * 6, 8 * 1000 * 6]
    assert sizes["bptt{'window': 4}"] == [8 * 5 * 6] * 2


@pytest.mark.parametrize("call, match", [
    (lambda: RecurrentNet(layered(5, 5), learner="lstm"), "learner"),
    (lambda: RecurrentNet(layered(5, 5), learner="rtrl", window=2), "window"),
    (lambda: RecurrentNet(layered(5, 5), learner="bptt", window=0), "window"),
    (lambda: RecurrentNet(layered(5, 5), np.zeros((6, 12)), rng=1), "weights or rng"),
    (lambda: RecurrentNet(layered(5, 5), learner="bptt").train_sequence(
        np.zeros((3, 5)), np.zeros((3, 5)), learning_rate=0.1, update="step"), "window"),
    (lambda: RecurrentNet(layered(5, 5)).train_sequence(
        np.zeros((3, 5)), np.zeros((3, 5)), learning_rate=0.1, update="later"), "update"),
    (lambda: RecurrentNet(layered(5, 5)).train_sequence(
        np.zeros((3, 5)), np.zeros((3, 5)), learning_rate=-1), "learning_rate"),
    (lambda: RecurrentNet(layered(5, 5)).train_sequence(
        np.full((3, 5), np.nan), np.zeros((3, 5)), learning_rate=0.1), "inputs"),
    (lambda: RecurrentNet(layered(5, 5)).train_sequence(
        np.zeros((3, 5)), np.zeros((3, 4)), learning_rate=0.1), "targets"),
    (lambda: RecurrentNet(layered(5, 5)).train_sequence(
        np.array([0, 7]), np.zeros((2, 5)), learning_rate=0.1), "symbol"),
    (lambda: RecurrentNet(layered(5, 5)).gradient(np.zeros((0, 5)), np.zeros((0, 5))), "no steps"),
    (lambda: RecurrentTopology(1, np.array([[True, False, True, False], [False] * 4]), (0,), "logistic"),
     "unit 1 reads no source"),
    (lambda: RecurrentTopology(1, np.ones((1, 3), bool), (0,), "logistic", init_range=-0.1), "init_range"),
])
def test_bad_arguments_are_refused_by_name(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


@pytest.mark.parametrize("name", ["Elman", "tanh unit, fixed input weight", "A2"])
def test_save_and_load_keep_the_net_and_its_learner(tmp_path, name):
    top = NETS[name]()
    w, x, d, mask = problem(top, seed=10)
    net = RecurrentNet(top, w, learner="bptt", window=2)
    net.save(tmp_path / "net.npz")
    back = RecurrentNet.load(tmp_path / "net.npz")
    assert back.learner == "bptt" and back.window == 2 and back.topology.name == top.name
    assert np.array_equal(back.topology.mask, top.mask) and back.topology.stages == top.stages
    assert (back.topology.fixed is None) == (top.fixed is None)
    assert np.array_equal(back.get_weights(), w)
    # and it trains on exactly as the original does
    e1 = net.train_sequence(x, d, mask, learning_rate=0.5, update="step")
    e2 = back.train_sequence(x, d, mask, learning_rate=0.5, update="step")
    assert e1 == e2 and np.array_equal(net.get_weights(), back.get_weights())


def test_a_model_file_of_the_other_kind_is_refused(tmp_path):
    from lstm97 import LSTM, table10

    LSTM(table10("4-1"), rng=0).save(tmp_path / "lstm.npz")
    with pytest.raises(ValueError, match="not a valid lstm97 model file: the file has a member"):
        RecurrentNet.load(tmp_path / "lstm.npz")
    RecurrentNet(layered(5, 5), rng=0).save(tmp_path / "rnn.npz")
    with pytest.raises(ValueError, match="not a valid lstm97 model file"):
        LSTM.load(tmp_path / "rnn.npz")
    with pytest.raises(ValueError, match="unit 0 reads no source"):
        import zipfile, json                                           # noqa: E401
        with zipfile.ZipFile(tmp_path / "rnn.npz") as z:
            meta = json.loads(str(np.load(z.open("meta.npy"))))
            weights = np.load(z.open("weights.npy"))
        meta["topology"]["mask"][0] = [False] * len(meta["topology"]["mask"][0])
        np.savez(tmp_path / "bad.npz", meta=np.array(json.dumps(meta)), weights=weights)
        RecurrentNet.load(tmp_path / "bad.npz")
