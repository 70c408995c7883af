"""Public API: weights by name, persistence, and refusal of bad input before the core runs."""

import numpy as np
import pytest

from lstm97 import GROUPS, LSTM, TABLE10, Topology, table10

TABLE10_WEIGHTS = {"1-1": 264, "1-2": 276, "2a": 10504, "2c-1": 364, "2c-2": 664, "2c-3": 1264,
                   "2c-4": 3064, "2c-5": 6064, "3a": 102, "4-1": 93, "6a": 156, "6b": 308}


@pytest.mark.parametrize("row", TABLE10)
def test_table10_weight_counts(row):
    expected = {**TABLE10_WEIGHTS, "1-3": 276, "1-4": 264, "1-5": 276, "2b": 10504, "2c-6": 3064,
                "2c-7": 1264, "2c-8": 664, "2c-9": 364, "3b": 102, "3c": 102, "4-2": 93, "4-3": 93, "5": 93}
    net = LSTM(table10(row), rng=0)
    assert net.topology.n_weights == net.n_weights == expected[row]
    assert sum(m.sum() for m in net.masks.values()) == expected[row]


def test_initial_weights_follow_the_topology():
    top = table10("3a")
    w = LSTM(top, rng=1).get_weights()
    bias = top.source_names.index("bias")
    np.testing.assert_array_equal(w["input_gate"][:, bias], [-1, -3, -5])
    np.testing.assert_array_equal(w["output_gate"][:, bias], [-2, -4, -6])
    others = np.concatenate([w[g][LSTM(top).masks[g]] for g in ("cell", "output")])
    assert np.abs(others).max() <= 0.1 and np.abs(others).max() > 0.05
    assert w["output"][0, bias] == 0  # 3a biases hidden units only ("b1")
    np.testing.assert_array_equal(LSTM(top, rng=1).get_weights()["cell"], w["cell"])
    assert not np.array_equal(LSTM(top, rng=2).get_weights()["cell"], w["cell"])


def test_names_and_masks_describe_the_layout(adding_net):
    names = adding_net.source_names
    assert names == ("x0", "x1", "bias", "in0", "in1", "out0", "out1", "c0_0", "c0_1", "c1_0", "c1_1")
    assert adding_net.unit_names["cell"] == ("c0_0", "c0_1", "c1_0", "c1_1")
    out_mask = adding_net.masks["output"][0]
    assert [n for n, m in zip(names, out_mask) if m] == ["bias", "c0_0", "c0_1", "c1_0", "c1_1"]


def test_set_weights_round_trip_and_effect(adding_net, adding_sequence):
    x, _, _ = adding_sequence
    w = adding_net.get_weights()
    before = adding_net.forward(x)
    w["output"][0, adding_net.source_names.index("c0_0")] += 1.0
    adding_net.set_weights({"output": w["output"]})
    assert adding_net.get_weights()["output"][0, 7] == w["output"][0, 7]
    assert not np.allclose(adding_net.forward(x), before)


@pytest.mark.parametrize("weights, error, match", [
    ({"nope": np.zeros(3)}, ValueError, "unknown group 'nope'"),
    ({"output": np.zeros((2, 11))}, ValueError, r"weights\['output'\] must have shape \(1, 11\)"),
    ({"output": np.full((1, 11), np.nan)}, ValueError, "NaN"),
    ({"output": np.ones((1, 11))}, ValueError, "x0 -> k0"),
    ({"output": np.zeros((1, 11), dtype=object)}, TypeError, "numeric"),
    ([1, 2], TypeError, "mapping"),
])
def test_set_weights_refuses_bad_arrays(adding_net, weights, error, match):
    before = adding_net.get_weights()
    with pytest.raises(error, match=match):
        adding_net.set_weights(weights)
    for g in GROUPS:
        np.testing.assert_array_equal(adding_net.get_weights()[g], before[g])


def _train_stream(net, rng, n):
    errors = []
    for _ in range(n):
        T = int(rng.integers(20, 40))
        x = rng.uniform(-1, 1, (T, 2))
        y = np.zeros((T, 1))
        y[-1] = rng.random()
        errors.append(net.train_sequence(x, y, np.arange(T) == T - 1, learning_rate=0.5))
    return errors


def test_save_load_round_trip_continues_bit_identically(tmp_path, adding_net):
    rng_a, rng_b = np.random.default_rng(5), np.random.default_rng(5)
    whole = LSTM(adding_net.topology)
    whole.set_weights(adding_net.get_weights())
    expected = _train_stream(whole, rng_a, 30)
    got = _train_stream(adding_net, rng_b, 12)
    adding_net.save(tmp_path / "net.npz")
    resumed = LSTM.load(tmp_path / "net.npz")
    assert resumed.topology == adding_net.topology
    got += _train_stream(resumed, rng_b, 18)
    assert got == expected
    for g in GROUPS:
        np.testing.assert_array_equal(resumed.get_weights()[g], whole.get_weights()[g])
    assert list(tmp_path.iterdir()) == [tmp_path / "net.npz"]


def test_save_mid_sequence_resumes_the_stream(tmp_path):
    net = LSTM(table10("6a"), rng=3)
    rng = np.random.default_rng(0)
    symbols = rng.integers(0, 8, 50)
    target = np.eye(4)[1]
    twin = LSTM.load(_saved(net, tmp_path / "a.npz"))
    for t in range(20):
        net.step(symbols[t])
        twin.step(symbols[t])
    twin = LSTM.load(_saved(twin, tmp_path / "b.npz"))
    for t in range(20, 50):
        out_a = net.step(symbols[t], target if t == 49 else None)
        out_b = twin.step(symbols[t], target if t == 49 else None)
        np.testing.assert_array_equal(out_a, out_b)
    net.learn(0.5)
    twin.learn(0.5)
    assert net.error == twin.error and net.steps == twin.steps == 50
    for g in GROUPS:
        np.testing.assert_array_equal(net.get_weights()[g], twin.get_weights()[g])


def _saved(net, path):
    net.save(path)
    return path


def test_load_refuses_foreign_and_corrupt_files(tmp_path, adding_net):
    (tmp_path / "text.npz").write_text("not a zip")
    np.savez(tmp_path / "foreign.npz", a=np.arange(3))
    np.savez(tmp_path / "header.npz", meta=np.array('{"format": "something-else"}'))
    adding_net.save(tmp_path / "good.npz")
    data = dict(np.load(tmp_path / "good.npz"))
    data["state.cell_state"] = np.zeros(7)
    np.savez(tmp_path / "shape.npz", **data)
    good = (tmp_path / "good.npz").read_bytes()
    (tmp_path / "truncated.npz").write_bytes(good[: len(good) // 2])
    for name in ("text", "foreign", "header", "shape", "truncated"):
        with pytest.raises(ValueError, match="not a valid lstm97 model file"):
            LSTM.load(tmp_path / f"{name}.npz")
    with pytest.raises(FileNotFoundError):
        LSTM.load(tmp_path / "missing.npz")


@pytest.mark.parametrize("kwargs, error, match", [
    ({"block_sizes": ()}, ValueError, "at least one memory-cell block"),
    ({"block_sizes": (2, 0)}, ValueError, r"block_sizes\[1\] must be at least 1"),
    ({"block_sizes": (2, -1)}, ValueError, r"block_sizes\[1\]"),
    ({"block_sizes": 3}, TypeError, "block_sizes must be a sequence"),
    ({"n_inputs": 0}, ValueError, "n_inputs must be at least 1"),
    ({"n_outputs": 1.5}, TypeError, "n_outputs must be an integer"),
    ({"n_hidden": -1}, ValueError, "n_hidden"),
    ({"connectivity": "X"}, ValueError, "connectivity must be one of"),
    ({"bias": "some"}, ValueError, "bias must be one of"),
    ({"h": "tanh"}, ValueError, "h must be one of"),
    ({"g": "relu"}, ValueError, "g must be one of"),
    ({"h_range": 0.0}, ValueError, "h_range must be greater than 0"),
    ({"g_range": "2"}, TypeError, "g_range must be a real number"),
    ({"h": "identity", "h_range": 2.0}, ValueError, "h_range applies to h='sigmoid' only"),
    ({"g": "logistic", "g_range": 1.0}, ValueError, "g_range applies to g='sigmoid' only"),
    ({"init_range": -0.1}, ValueError, "init_range"),
    ({"init_range": float("nan")}, ValueError, "init_range"),
    ({"input_gate_bias": (-1.0,)}, ValueError, r"input_gate_bias needs one value per block \(2\)"),
    ({"input_gate_bias": (-1.0, float("inf"))}, ValueError, r"input_gate_bias\[1\]"),
    ({"output_gate_bias": (-1.0, -2.0), "output_gates": False}, ValueError, "no output gates"),
    ({"input_gate_bias": (-1.0, -2.0), "bias": "none"}, ValueError, "no bias weight"),
    ({"source_masks": {"cell": np.ones(3, bool)}}, ValueError, "boolean vector of length 11"),
    ({"source_masks": {"gate": np.ones(11, bool)}}, ValueError, "unknown group 'gate'"),
    ({"source_masks": {"output": np.ones(11, bool)}}, ValueError, "never read gates"),
])
def test_impossible_topologies_are_refused(kwargs, error, match):
    base = dict(n_inputs=2, n_outputs=1, block_sizes=(2, 2))
    with pytest.raises(error, match=match):
        Topology(**{**base, **kwargs})


def test_topology_json_round_trip():
    for row in ("1-1", "2a", "3a"):
        top = table10(row)
        assert Topology.from_dict(top.to_dict()) == top
    caption = Topology(2, 1, (1,), h_range=2.0, g_range=1.0)
    assert Topology.from_dict(caption.to_dict()) == caption
    masked = Topology(2, 1, (1,), source_masks={"cell": np.ones(6, bool)})
    assert Topology.from_dict(masked.to_dict()) == masked
    with pytest.raises(ValueError, match="unknown topology fields: colour"):
        Topology.from_dict({**top.to_dict(), "colour": 1})


BAD_SEQUENCES = [
    (lambda x, y, m: (x[:, :1], y, m), ValueError, r"dense inputs must have shape \(T, 2\)"),
    (lambda x, y, m: (x.astype(np.float32)[:0], y, m), ValueError, "empty sequence"),
    (lambda x, y, m: (np.where(np.arange(60)[:, None] == 9, np.nan, x), y, m), ValueError,
     r"inputs contains NaN or inf \(first at index \(9, 0\)\)"),
    (lambda x, y, m: (x.astype(bool), y, m), TypeError, "inputs must be float"),
    (lambda x, y, m: (x.astype(str), y, m), TypeError, "inputs must be float"),
    (lambda x, y, m: (np.zeros((60, 2), int), y, m), ValueError, r"symbol inputs must have shape \(T,\)"),
    (lambda x, y, m: (np.full(60, 2), y, m), ValueError, r"symbol 2 at step 0, outside \[0, 2\)"),
    (lambda x, y, m: (np.full(60, -1), y, m), ValueError, "symbol -1 at step 0"),
    (lambda x, y, m: (x, y[:-1], m), ValueError, r"targets must have shape \(60, 1\)"),
    (lambda x, y, m: (x, np.full_like(y, np.inf), m), ValueError, "targets contains NaN or inf"),
    (lambda x, y, m: (x, y, m[:-1]), ValueError, r"target_mask must have shape \(60,\)"),
    (lambda x, y, m: (x, y, m.astype(int)), TypeError, "target_mask must be a boolean array"),
]


@pytest.mark.parametrize("mutate, error, match", BAD_SEQUENCES)
def test_bad_sequences_are_refused_before_the_core_runs(adding_net, adding_sequence, mutate, error, match):
    before = adding_net.get_weights()
    x, y, m = mutate(*adding_sequence)
    with pytest.raises(error, match=match):
        adding_net.train_sequence(x, y, m, learning_rate=0.5)
    with pytest.raises(error, match=match):
        adding_net.gradient(x, y, m)
    for g in GROUPS:
        np.testing.assert_array_equal(adding_net.get_weights()[g], before[g])


@pytest.mark.parametrize("lr, error", [(0.0, ValueError), (-1.0, ValueError), (float("nan"), ValueError),
                                       (float("inf"), ValueError), ("0.5", TypeError), (True, TypeError)])
def test_learning_rate_must_be_positive_and_finite(adding_net, adding_sequence, lr, error):
    with pytest.raises(error, match="learning_rate"):
        adding_net.train_sequence(*adding_sequence, learning_rate=lr)
    with pytest.raises(error, match="learning_rate"):
        adding_net.learn(lr)


def test_unknown_update_mode(adding_net, adding_sequence):
    with pytest.raises(ValueError, match="update must be one of 'sequence', 'step'"):
        adding_net.train_sequence(*adding_sequence, learning_rate=0.5, update="batch")


def test_step_refuses_bad_input(adding_net):
    with pytest.raises(ValueError, match="x must be an integer symbol or a float vector of length 2"):
        adding_net.step(np.zeros(3))
    with pytest.raises(ValueError, match=r"x is symbol 5, outside \[0, 2\)"):
        adding_net.step(5)
    with pytest.raises(ValueError, match="target must be a float vector of length 1"):
        adding_net.step(np.zeros(2), np.zeros(2))
    with pytest.raises(ValueError, match="x contains NaN"):
        adding_net.step(np.array([0.0, np.nan]))


@pytest.mark.parametrize("update", ["sequence", "step"])
def test_blow_up_names_the_step_and_leaves_weights_unchanged(adding_sequence, update):
    x, y, _ = adding_sequence
    net = LSTM(table10("4-1"), rng=0)
    w = net.get_weights()
    w["cell"][:, 0], w["cell"][:, 1] = 1e10, -1e10
    net.set_weights(w)
    x = x.copy()
    x[17] = 1e300                       # net input of the cells: inf - inf = NaN at step 17
    with pytest.raises(FloatingPointError, match=r"step 17 \(0-based\)"):
        net.train_sequence(x, y, None, learning_rate=0.1, update=update)
    for g in GROUPS:
        np.testing.assert_array_equal(net.get_weights()[g], w[g])
    with pytest.raises(FloatingPointError, match=r"step 17 \(0-based\)"):
        net.forward(x)
    x[17] = 0.0
    assert np.isfinite(net.forward(x)).all()


@pytest.mark.parametrize("update", ["sequence", "step"])
def test_update_blow_up_leaves_weights_unchanged(adding_net, adding_sequence, update):
    x, y, m = adding_sequence
    before = adding_net.get_weights()
    with pytest.raises(FloatingPointError, match=r"would make a weight non-finite.*learning_rate=1e\+200"):
        adding_net.train_sequence(x, y + 1e150, m, learning_rate=1e200, update=update)
    for g in GROUPS:
        np.testing.assert_array_equal(adding_net.get_weights()[g], before[g])
    assert adding_net.train_sequence(x, y, m, learning_rate=0.5) > 0
