"""The error-flow measurement (lstm97.errorflow) against closed forms, the compiled kernels and
finite differences; the figures of `lstm97 errorflow`."""

import math
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import random_case

from lstm97 import LSTM, Topology, errorflow, table10
from lstm97.cli import main
from lstm97.models.recurrent import RecurrentNet, RecurrentTopology, a1, a2, single_unit


def full_net(n, rng, w, activations="logistic", n_inputs=1):
    """n units in one stage, each reading the inputs and every unit, weights uniform in [-w, w]."""
    mask = np.ones((n, n_inputs + 1 + n), dtype=bool)
    mask[:, n_inputs] = False
    top = RecurrentTopology(n_inputs, mask, (0,), activations)
    weights = np.zeros(mask.shape)
    weights[mask] = rng.uniform(-w, w, int(mask.sum()))
    return RecurrentNet(top, weights)


def all_units(net):
    return [f"y{u}" for u in range(net.topology.n_units)]


def logistic(z):
    return 1.0 / (1.0 + np.exp(-z))


# ----------------------------------------------------------------------------- closed forms

@pytest.mark.parametrize("w, c", [(2.5, 0.7), (-3.9, -1.2), (6.0, 0.0), (40.0, 3.0), (0.5, 2.0)])
def test_one_logistic_unit_with_a_constant_net_input_scales_by_f_prime_w_each_step(w, c):
    # One logistic unit with self-weight w; the input line holds its net input at c
    # (x(t) makes up for w y(t-1)), so the factor is exactly (f'(c) w)^q.
    w_x, b, T = 1.5, 0.3, 400
    net = RecurrentNet(single_unit("logistic"), [[w_x, b, w]])
    x = np.full((T, 1), (c - b - w * logistic(c)) / w_x)
    x[0] = (c - b) / w_x
    y, nets = errorflow.net_inputs(net, x)
    assert np.allclose(nets, c, rtol=0, atol=1e-12) and np.allclose(y, logistic(c), rtol=1e-14)
    flow = errorflow.error_flow(net, x, T - 1, T - 1)
    per_step = logistic(c) * (1 - logistic(c)) * w
    np.testing.assert_allclose(flow.factors[:40, 0, 0], per_step ** flow.q[:40], rtol=1e-11)
    # exact logarithms at every lag, also where the factor is beyond the float range
    np.testing.assert_allclose(flow.log10_factors[:, 0, 0], flow.q * math.log10(abs(per_step)), rtol=1e-11)
    assert flow.decay_rate() == pytest.approx(math.log10(abs(per_step)), rel=1e-11)
    if flow.log10_factors[-1, 0, 0] < -330:
        assert flow.factors[-1, 0, 0] == 0.0


def test_a_linear_unit_with_self_weight_one_keeps_the_error_at_one():
    # Section 3.2's naive constant error flow: f linear (f' = 1) and w = 1.0.
    T = 1001
    flow = errorflow.scaling_factors(np.ones((T, 1)), [[1.0]], T - 1, T - 1)
    assert (flow.factors == 1.0).all() and (flow.log10_factors == 0.0).all()
    assert flow.decay_rate() == 0.0
    # ... and any other weight does not: 0.99^1000 = 4.3e-5, 1.01^1000 = 2.1e4.
    for w in (0.99, 1.01):
        other = errorflow.scaling_factors(np.ones((T, 1)), [[w]], T - 1, T - 1)
        np.testing.assert_allclose(other.factors[:, 0, 0], w ** other.q, rtol=1e-12)


def test_scaling_factors_are_the_paper_s_sum_over_paths_for_two_units():
    # Eq. 2 for q = 2, n = 2: sum over l1 of f'_v(t-2) w_{l1 v} f'_{l1}(t-1) w_{u l1}.
    rng = np.random.default_rng(3)
    d, W = rng.uniform(0.05, 0.25, (5, 2)), rng.normal(size=(2, 2))
    flow = errorflow.scaling_factors(d, W, 4, 2)
    for u in range(2):
        for v in range(2):
            paths = sum(d[2, v] * W[l1, v] * d[3, l1] * W[u, l1] for l1 in range(2))
            assert flow.factors[1, v, u] == pytest.approx(paths, rel=1e-13)
            assert flow.factors[0, v, u] == pytest.approx(d[3, v] * W[u, v], rel=1e-13)


@pytest.mark.parametrize("activations", ["logistic", "tanh"])
@pytest.mark.parametrize("multiple", [0.5, 1.0, 4.0, 20.0])
def test_the_measured_factors_of_random_nets_never_exceed_the_weak_bound(activations, multiple):
    rng = np.random.default_rng(int(multiple * 10) + len(activations))
    fmax = errorflow.FPRIME_MAX[activations]
    for n in (1, 3, 8):
        net = full_net(n, rng, multiple * 1.0 / (n * fmax), activations)
        flow = errorflow.error_flow(net, rng.normal(size=(80, 1)), 79, 79, units=all_units(net))
        assert (flow.log10_factors <= flow.log10_bound[:, None, None] + 1e-12).all()
        # The paper's bound, n (f'_max ||W||_A)^q, for a net of one stage.
        norm = np.abs(net.get_weights()[:, 2:]).sum(axis=1).max()
        np.testing.assert_allclose(flow.log10_bound, math.log10(n) + flow.q * math.log10(fmax * norm), rtol=1e-13)


def test_nets_with_stages_are_measured_as_their_kernel_runs_them_and_stay_under_their_bound():
    # A1 and A2 have their output in stage 1, reading the hidden units of the same step.
    # Perturbing x(s) moves every net input at s by its input weight; what reaches net_u(t)
    # is sum_v W[v, x] dϑ_v(s)/dϑ_u(t): checked against finite differences through the kernel.
    rng = np.random.default_rng(7)
    for top in (a1(3), a1(2, n_inputs=2), a2()):
        net = RecurrentNet(top)
        net.set_weights(net.guesses(1, rng, 1.5)[0])
        t, x = 11, rng.normal(size=(12, top.n_inputs))
        flow = errorflow.error_flow(net, x, t, t, units=all_units(net))
        assert (flow.log10_factors <= flow.log10_bound[:, None, None] + 1e-12).all()
        y, nets = errorflow.net_inputs(net, x)
        assert np.allclose(logistic(nets), y, rtol=0, atol=1e-14)
        for q in (1, 2, 5):
            for i in range(top.n_inputs):
                h, xp, xm = 1e-5, x.copy(), x.copy()
                xp[t - q, i] += h
                xm[t - q, i] -= h
                fd = (errorflow.net_inputs(net, xp)[1][t] - errorflow.net_inputs(net, xm)[1][t]) / (2 * h)
                np.testing.assert_allclose(net.get_weights()[:, i] @ flow.factors[q - 1], fd, rtol=0, atol=1e-9)


def test_the_global_flow_sums_the_output_units_and_keeps_exact_logs_past_the_float_range():
    rng = np.random.default_rng(1)
    mask = np.ones((4, 6), dtype=bool)
    net = RecurrentNet(RecurrentTopology(1, mask, (1, 3), "logistic"), rng.uniform(-0.3, 0.3, (4, 6)))
    x = rng.normal(size=(600, 1))
    flow = errorflow.error_flow(net, x, 599, 599)
    assert flow.targets == ("y1", "y3") and flow.units == ("y0", "y1", "y2", "y3")
    # the same as the factors from the derivatives and the unit weights, where floats hold them
    d = errorflow._derivative("logistic", errorflow.net_inputs(net, x)[1])
    plain = errorflow.scaling_factors(d, net.get_weights()[:, 2:], 599, 60)
    np.testing.assert_allclose(flow.factors[:60], plain.factors[:, :, [1, 3]], rtol=1e-12)
    np.testing.assert_allclose(flow.global_flow[:60], plain.factors[:, :, [1, 3]].sum(axis=2), rtol=1e-12)
    assert (flow.factors[-1] == 0).all()                          # far below the smallest float ...
    logs = flow.log10_global_flow[-1]
    assert np.isfinite(logs).all() and (logs < -400).all()        # ... and still measured
    np.testing.assert_allclose(10.0 ** (flow.log10_global_flow[:60]), np.abs(flow.global_flow[:60]), rtol=1e-10)


def test_the_peak_of_f_prime_w_is_where_w_is_coth_net_over_2_over_y():
    for y in (1.0, 0.5, 0.2, -0.3, 0.01):
        w, peak = errorflow.peak_weight(y)
        net = w * y
        assert net == pytest.approx(1.0 / math.tanh(net / 2.0), rel=1e-14)   # w = coth(net/2) / y
        grid = np.linspace(-10.0 / abs(y), 10.0 / abs(y), 200001)
        factor = np.abs(errorflow._derivative("logistic", grid * y) * grid)
        assert factor.max() == pytest.approx(peak, rel=1e-9)
        assert abs(grid[np.argmax(factor)]) == pytest.approx(abs(w), rel=1e-3)
        assert (factor[np.abs(grid) < 4.0] < 1.0).all()           # |w| < 4.0: the error vanishes
    assert errorflow.peak_weight(1.0)[1] == pytest.approx(0.2238, abs=1e-4)


# ----------------------------------------------------------------------------- LSTM

def test_trace_is_the_forward_pass_and_leaves_the_network_as_it_was():
    for seed in range(12):
        net, x, _, _ = random_case(seed)
        net.reset()
        net.step(x[0])                                            # a state to keep
        before = (net.cell_states, net.steps, net.error, net.get_weights())
        trace = net.trace(x)
        assert (net.cell_states == before[0]).all() and net.steps == before[1] and net.error == before[2]
        assert all((net.get_weights()[g] == before[3][g]).all() for g in before[3])
        assert (trace["outputs"] == net.forward(x)).all()
        assert (trace["cell_state"][-1] == net.cell_states).all()
        top = net.topology
        assert trace["activations"].shape == (len(x), top.n_units)


def test_a_trace_that_blows_up_names_the_step_and_leaves_the_network_as_it_was(adding_net, adding_sequence):
    x = adding_sequence[0].copy()
    w = adding_net.get_weights()
    w["cell"][:, 0], w["cell"][:, 1] = 1e10, -1e10
    adding_net.set_weights(w)
    adding_net.reset()
    adding_net.step(x[0])
    before = (adding_net.cell_states, adding_net.steps)
    x[17] = 1e300                                                 # inf - inf = NaN in the cells' net input
    with pytest.raises(FloatingPointError, match=r"step 17 \(0-based\)"):
        adding_net.trace(x)
    assert (adding_net.cell_states == before[0]).all() and adding_net.steps == before[1]


def test_the_lstm_net_inputs_rebuilt_from_the_weights_give_the_core_s_activations():
    for seed in range(20):
        net, x, _, _ = random_case(seed)
        p = errorflow._lstm_pass(net, x)
        trace = net.trace(x)
        nets = p.sources @ p.W.T
        y = trace["activations"]
        gates = slice(p.rows["hidden"].start, p.rows["output_gate"].stop)
        np.testing.assert_allclose(logistic(nets[:, gates]), y[:, gates], rtol=1e-13, atol=1e-15)
        s = trace["cell_state"]
        np.testing.assert_allclose(np.diff(np.vstack([np.zeros(s.shape[1]), s]), axis=0), p.y_in * p.g,
                                   rtol=1e-9, atol=1e-13)
        np.testing.assert_allclose(y[:, p.rows["cell"]], p.y_out * p.h, rtol=1e-13, atol=1e-15)


def test_the_core_s_truncated_gradient_is_the_sum_of_the_paths_that_survive():
    # Every topology option, symbols and dense inputs, targets at one, some or all steps.
    for seed in range(80):
        net, x, y, mask = random_case(seed)
        core, error = net.gradient(x, y, mask)
        paths, path_error = errorflow.path_gradient(net, x, y, mask)
        assert path_error == pytest.approx(error, rel=1e-12)
        scale = max(np.abs(g).max(initial=0.0) for g in core.values()) or 1.0
        for g in core:
            np.testing.assert_allclose(paths[g], core[g], rtol=0, atol=1e-12 * scale, err_msg=f"{seed} {g}")


def test_the_untruncated_path_sum_is_the_full_gradient():
    # Without the truncation the same paths give dE/dw of the forward pass: finite differences.
    def E(net, x, y, mask):
        return 0.5 * (((y - net.forward(x)) ** 2)[mask]).sum()

    rng = np.random.default_rng(0)
    for seed in range(6):
        net, x, y, mask = random_case(seed)
        full, _ = errorflow.path_gradient(net, x, y, mask, truncated=False)
        truncated, _ = errorflow.path_gradient(net, x, y, mask)
        weights, masks = net.get_weights(), net.masks
        for g in weights:
            where = np.argwhere(masks[g])
            for r, c in where[rng.choice(len(where), min(4, len(where)), replace=False)] if len(where) else []:
                h = 1e-6
                plus = {k: v.copy() for k, v in weights.items()}
                plus[g][r, c] += h
                net.set_weights(plus)
                up = E(net, x, y, mask)
                plus[g][r, c] -= 2 * h
                net.set_weights(plus)
                down = E(net, x, y, mask)
                net.set_weights(weights)
                assert full[g][r, c] == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-9)
        if net.topology.connectivity == "F" and len(x) > 3:         # recurrent paths that the truncation cuts
            assert any(not np.allclose(full[g], truncated[g], rtol=1e-6, atol=0) for g in full)


def test_the_flow_along_the_cec_is_exactly_one_measured_from_the_core_s_gradient():
    # One cell, symbol inputs; symbol 0 appears once, q steps before the only target.  The
    # core's gradient of the input-gate and cell weights from symbol 0 is then the output
    # error times the entry factor, the CEC's factor over q steps and the exit factor at
    # t - q (eq. 41): so the CEC factor is read off the core.
    top = Topology(n_inputs=5, n_outputs=1, block_sizes=(1,), bias="all", init_range=0.5)
    rng = np.random.default_rng(2)
    for q in (1, 7, 100, 1000):
        net = LSTM(top, rng=rng)
        T = q + 3
        x = rng.integers(1, 5, size=T)
        t = T - 1
        x[t - q] = 0
        targets, mask = np.full((T, 1), 0.9), np.arange(T) == t
        core, _ = net.gradient(x, targets, mask)
        flow = errorflow.error_flow(net, x, t, q)
        y_k = net.forward(x)[t, 0]
        e_k = y_k * (1 - y_k) * (0.9 - y_k)
        w_kc = net.get_weights()["output"][0, net.source_names.index("c0_0")]
        arriving = e_k * w_kc * flow.entry[0]                     # the error at s(t)
        col = net.source_names.index("x0")
        cec_in = -core["input_gate"][0, col] / (arriving * flow.exit_input_gate[q - 1, 0])
        cec_cell = -core["cell"][0, col] / (arriving * flow.exit_cell[q - 1, 0])
        assert cec_in == pytest.approx(1.0, rel=1e-12) and cec_cell == pytest.approx(1.0, rel=1e-12)
        assert (flow.cec == 1.0).all()


def test_the_truncated_lstm_flow_reaches_only_cells_and_input_gates_through_eq_41():
    net = LSTM(table10("6a"), rng=3)                              # two blocks of two cells, F
    x = np.random.default_rng(0).integers(0, 8, size=60)
    flow = errorflow.error_flow(net, x, 59, 40)
    assert isinstance(flow, errorflow.LSTMFlow) and flow.log10_bound is None
    assert flow.targets == net.unit_names["output"] and flow.cells == net.unit_names["cell"]
    W_out = net.get_weights()["output"]
    cells = [net.source_names.index(c) for c in flow.cells]
    along = flow.along_cec
    for k in range(len(flow.targets)):
        through = W_out[k, cells]                                  # w_kc for each cell
        for v, cell in enumerate(flow.cells):
            np.testing.assert_allclose(flow.factors[:, flow.unit(cell), k], through[v] * along["cell"][:, v],
                                       rtol=1e-12)
        for j, gate in enumerate(net.unit_names["input_gate"]):
            members = [v for v, c in enumerate(flow.cells) if c.startswith(f"c{j}_")]
            np.testing.assert_allclose(flow.factors[:, flow.unit(gate), k],
                                       (through[members] * along["input_gate"][:, members]).sum(axis=1), rtol=1e-12)
        for gate in net.unit_names["output_gate"]:
            assert (flow.factors[:, flow.unit(gate), k] == 0).all()
            assert (flow.full.factors[:, flow.unit(gate), k] != 0).any()   # every path: they get error
    assert flow.decay_rate() == pytest.approx(0.0, abs=0.01)
    assert not np.allclose(flow.cec_full, 1.0)


# ----------------------------------------------------------------------------- arguments

def test_bad_arguments_are_refused_by_name_before_any_work(monkeypatch):
    rng = np.random.default_rng(0)
    net = full_net(3, rng, 0.5)
    x = rng.normal(size=(10, 1))
    monkeypatch.setattr(net, "activations", lambda inputs: pytest.fail("ran the net"))
    for t, q_max, units, error, name in [(9, 0, None, ValueError, "q_max must be at least 1"),
                                         (10, 1, None, ValueError, "t must be a step"),
                                         (-1, 1, None, ValueError, "t must be a step"),
                                         (5, 6, None, ValueError, "q_max must be at most t"),
                                         (1.5, 1, None, TypeError, "t must be an integer"),
                                         (9, 2, ["y7"], ValueError, "units must name a unit"),
                                         (9, 2, "y0", TypeError, "units must be a non-empty sequence")]:
        with pytest.raises(error, match=name):
            errorflow.error_flow(net, x, t, q_max, units=units)
    with pytest.raises(TypeError, match="net must be a RecurrentNet or an LSTM"):
        errorflow.error_flow(net.topology, x, 9, 2)
    lstm = LSTM(table10("4-1"), rng=0)
    lstm.reset()
    with pytest.raises(ValueError, match="units must name a unit.*k0"):
        errorflow.error_flow(lstm, rng.normal(size=(10, 2)), 9, 2, units=["c0_0"])
    with pytest.raises(ValueError, match="q_max"):
        errorflow.error_flow(lstm, rng.normal(size=(10, 2)), 9, 0)
    assert lstm.steps == 0
    with pytest.raises(TypeError, match="net must be an LSTM"):
        errorflow.path_gradient(net, x, x)
    with pytest.raises(ValueError, match="weights must have shape"):
        errorflow.scaling_factors(np.ones((5, 2)), np.ones((3, 3)), 4, 2)
    with pytest.raises(ValueError, match="same_step"):
        errorflow.scaling_factors(np.ones((5, 2)), np.ones((2, 2)), 4, 2, same_step=np.ones((2, 2)))
    with pytest.raises(ValueError, match="y must be non-zero"):
        errorflow.peak_weight(0.0)
    with pytest.raises(ValueError, match="q_min"):
        errorflow.scaling_factors(np.ones((5, 1)), [[1.0]], 4, 2).decay_rate(0)


def test_the_command_refuses_a_bad_seed_or_directory_with_one_line(tmp_path, capsys):
    assert main(["errorflow", "--out", str(tmp_path / "figs"), "--seed", "-1"]) == 2
    assert capsys.readouterr().err.strip() == "lstm97: error: seed must be at least 0, got -1"
    (tmp_path / "file").write_text("")
    assert main(["errorflow", "--out", str(tmp_path / "file"), "--quiet"]) == 2
    assert capsys.readouterr().err.strip().startswith("lstm97: error: cannot make the directory")
    (tmp_path / "figs" / "errorflow-a.png").mkdir(parents=True)      # in the way of the first picture
    assert main(["errorflow", "--out", str(tmp_path / "figs"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lstm97: error: cannot write the figures to") and len(err.splitlines()) == 1


@pytest.mark.slow
def test_the_command_draws_the_four_figures_and_their_data(tmp_path, capsys):
    out = tmp_path / "figs"
    assert main(["errorflow", "--out", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    names = [f"errorflow-{k}.png" for k in "abcd"] + ["errorflow.csv"]
    assert printed[:5] == [str(out / n) for n in names]
    for name in names[:4]:
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rows = (out / "errorflow.csv").read_text().splitlines()
    assert rows[0] == "figure,series,x,y" and {r.split(",")[0] for r in rows[1:]} == set("abcd")
    summary = "\n".join(printed[5:])
    assert " 0 of 840,000 measured factors exceed the weak bound" in summary
    assert summary.count("CEC factor (truncated) exactly 1 at every q") == 2
    assert "latch net found by guessing" in summary
    # docs/errorflow.md shows this output, and its pictures are the ones this command draws
    doc = (Path(__file__).resolve().parent.parent / "docs" / "errorflow.md").read_text()
    shown = re.search(r"lstm97 errorflow --out docs/errorflow[^\n]*\n```\n+```text\n(.*?)```", doc, re.DOTALL)
    assert shown.group(1).splitlines() == [f"docs/errorflow/{n}" for n in names] + printed[5:]
    assert all(f"](errorflow/{n})" in doc for n in names[:4])
