"""The two weight-update modes of DECISIONS item 4, and the step-at-a-time API."""

import numpy as np
from conftest import random_case

from lstm97 import GROUPS, LSTM


def _train(topology, weights, data, update):
    net = LSTM(topology)
    net.set_weights(weights)
    errors = [net.train_sequence(x, y, m, learning_rate=0.5, update=update) for x, y, m in data]
    return net.get_weights(), errors


def test_step_and_sequence_agree_when_the_target_is_at_the_end(adding_net):
    rng = np.random.default_rng(3)
    data = []
    for T in (40, 55, 70, 45):
        x = rng.uniform(-1, 1, (T, 2))
        y = np.zeros((T, 1))
        y[-1] = rng.random()
        data.append((x, y, np.arange(T) == T - 1))
    w0 = adding_net.get_weights()
    ws, es = _train(adding_net.topology, w0, data, "sequence")
    wt, et = _train(adding_net.topology, w0, data, "step")
    assert es == et
    for g in GROUPS:
        np.testing.assert_array_equal(ws[g], wt[g])
    assert not np.array_equal(ws["cell"], w0["cell"])


def test_step_and_sequence_differ_with_targets_at_every_step(adding_net):
    rng = np.random.default_rng(4)
    x = rng.uniform(-1, 1, (30, 2))
    y = rng.random((30, 1))
    data = [(x, y, None)] * 2
    ws, _ = _train(adding_net.topology, adding_net.get_weights(), data, "sequence")
    wt, _ = _train(adding_net.topology, adding_net.get_weights(), data, "step")
    assert not np.allclose(ws["output"], wt["output"])


def test_step_api_reproduces_whole_sequence_calls():
    for seed in range(20):
        net, inputs, targets, mask = random_case(seed)
        twin = LSTM(net.topology)
        twin.set_weights(net.get_weights())
        expected = net.forward(inputs)
        for update in ("sequence", "step"):
            error = net.train_sequence(inputs, targets, mask, learning_rate=0.2, update=update)
            twin.reset()
            outs = []
            for t in range(len(inputs)):
                outs.append(twin.step(inputs[t], targets[t] if mask[t] else None))
                if update == "step" and mask[t]:
                    twin.learn(0.2)
            if update == "sequence":
                twin.learn(0.2)
            assert twin.error == error
            assert twin.steps == len(inputs)
            for g in GROUPS:
                np.testing.assert_array_equal(twin.get_weights()[g], net.get_weights()[g])
            if update == "sequence":
                np.testing.assert_array_equal(np.array(outs), expected)


def test_training_outputs_are_the_pre_update_outputs_at_target_steps():
    for seed in range(20):
        net, inputs, targets, mask = random_case(seed)
        expected = net.forward(inputs)
        error, outputs = net.train_sequence(inputs, targets, mask, learning_rate=0.5, return_outputs=True)
        np.testing.assert_array_equal(outputs[mask], expected[mask])
        assert np.isnan(outputs[~mask]).all()
        np.testing.assert_allclose(error, 0.5 * ((targets - expected)[mask] ** 2).sum(), rtol=1e-12)
