"""The competitors' rows of Tables 1 and 2 and of Exp 2b: their nets, their trials, the
list and the report."""

import numpy as np
import pytest

from lstm97 import cli
from lstm97.experiments import COMPETITORS, EXPERIMENTS, get_experiment, make_trial, paper_order, summarize
from lstm97.models import LSTM
from lstm97.models.recurrent import RecurrentNet
from lstm97.report import in_band, report


def test_the_nets_have_the_papers_weight_counts():
    """Table 2 counts them exactly; Table 1's are estimates, met without biases."""
    for name, exp in COMPETITORS.items():
        assert exp.topology.n_weights == exp.paper["weights"], name
    assert {n: COMPETITORS[n].topology.n_weights for n in ("2a-p4-rtrl-lr1.0", "2a-p10-rtrl", "2a-p100-bptt")} == {
        "2a-p4-rtrl-lr1.0": 36, "2a-p10-rtrl": 144, "2a-p100-bptt": 10_404}


def test_each_row_builds_its_learner():
    for name, exp in COMPETITORS.items():
        net = exp.network(np.random.default_rng(0))
        assert isinstance(net, RecurrentNet) and net.learner == exp.learner and net.window == exp.window
        free = net.get_weights()[exp.topology.free]
        assert np.abs(free).max() <= 0.2 and np.abs(free).min() > 0
    assert isinstance(EXPERIMENTS["2a-p100"].network(0), LSTM)
    assert COMPETITORS["reber-elman-h15"].window == 1                 # Elman's procedure is BPTT(1)


def test_a_competitor_trial_is_reproducible_and_learns():
    one = make_trial("2a-p4-rtrl-lr10.0", 3, max_sequences=4_000).run()
    two = make_trial("2a-p4-rtrl-lr10.0", 3, max_sequences=4_000).run()
    one.pop("wall_time"), two.pop("wall_time")
    assert one == two
    assert one["curve"][-1][1] < one["curve"][0][1]                    # the error falls
    reber = make_trial("reber-elman-h15", 0, max_sequences=300).run()
    assert reber["trained"] == 300 and reber["test_size"] == 256


def test_variants_of_a_competitor_take_learning_rate_and_update_only():
    exp = get_experiment("2a-p4-rtrl-lr1.0[learning_rate=2.5,update=sequence]")
    assert exp.learning_rate == 2.5 and exp.update == "sequence" and exp.learner == "rtrl"
    with pytest.raises(ValueError, match="'h_range' applies to the LSTM rows"):
        COMPETITORS["2a-p4-rtrl-lr1.0"].variant(h_range=2.0)
    with pytest.raises(ValueError, match="epochwise BPTT"):
        make_trial("2a-p100-bptt[update=step]", 0, max_sequences=1).run()


def test_the_paper_order_puts_competitors_before_lstm_in_each_table():
    order = paper_order()
    assert sorted(order) == sorted([*EXPERIMENTS, *COMPETITORS, *get_guessing()])
    for name, exp in COMPETITORS.items():
        first_lstm = next(i for i, n in enumerate(order) if n in EXPERIMENTS and EXPERIMENTS[n].table == exp.table)
        assert order.index(name) < first_lstm


def get_guessing():
    from lstm97.experiments import GUESSING
    return GUESSING


def test_list_shows_them_with_their_learners(capsys):
    assert cli.main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    row = next(line for line in lines if line.startswith("reber-elman-h15 "))
    assert "bptt(1)" in row and "435" in row
    names = [line.split()[0] for line in lines if line.strip()]
    assert names.index("2a-p4-rtrl-lr1.0") < names.index("2a-p100")


def _records(name, solved):
    return [{"solved": s is not None, "sequences": s, "test_wrong": 0, "test_size": 10_000, "test_mae": 0.1,
             "test_mse": 0.01, "wall_time": 1.0, "max_sequences": 5_000_000, "trial": i}
            for i, s in enumerate(solved)]


@pytest.mark.parametrize("name, solved, verdict", [
    ("2a-p4-rtrl-lr1.0", [1_000_000] * 14 + [None] * 4, True),      # 78% at the paper's pace
    ("2a-p4-rtrl-lr1.0", [1_000_000] * 18, False),                  # better than the paper: not it
    ("2a-p4-rtrl-lr1.0", [100_000] * 14 + [None] * 4, False),       # 10 times faster
    ("2a-p10-rtrl", [None] * 18, True),                             # fails, as the paper's
    ("2a-p10-rtrl", [2_000_000] * 4 + [None] * 14, False),          # 22% solved: not a failure
    ("reber-rtrl-h3", [None] * 30, False),                          # "some fraction" needs one
    ("reber-rtrl-h3", [150_000] * 3 + [None] * 27, True),
])
def test_the_band_of_a_competitor_is_two_sided(name, solved, verdict):
    ours = summarize(name, _records(name, solved))
    assert in_band(get_experiment(name), ours) is verdict


def test_the_report_names_learner_and_weights_and_says_whose_comparison_it_is():
    text = report([summarize("reber-rtrl-h12", _records("reber-rtrl-h12", [30_000] + [None] * 29))])
    assert "`reber-rtrl-h12` (full RTRL, 494 weights; paper ≈ 494)" in text
    assert "so that comparison is ours, not theirs" in text


def test_a_competitor_trial_iterates_and_skips_updates_like_an_lstm_trial():
    """Sequence 3 is only read: the weights after it are those after sequence 2; and
    training in batches ends where iterating one sequence at a time does."""
    weights = [step.net.get_weights() for step in
               make_trial("2a-p4-rtrl-lr1.0", 0, max_sequences=6, skip_updates={3})]
    assert len(weights) == 6
    assert np.array_equal(weights[1], weights[2]) and not np.array_equal(weights[2], weights[3])
    batched = make_trial("2a-p4-rtrl-lr1.0", 0, max_sequences=6, skip_updates={3})
    record = batched.run()
    assert np.array_equal(batched.net.get_weights(), weights[-1]) and record["trained"] == 6
    steps = list(make_trial("2a-p4-rtrl-lr1.0", 0, max_sequences=2))
    assert [s.n for s in steps] == [1, 2] and all(s.cell_states is None for s in steps)


def test_plots_draw_a_competitor_row_whose_paper_gives_no_mean(tmp_path):
    import json

    pytest.importorskip("matplotlib")
    from lstm97.report import plot

    records = [make_trial("2a-p10-rtrl", i, max_sequences=200).run() for i in range(2)]
    (tmp_path / "2a-p10-rtrl.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    paths = plot(tmp_path)
    assert [p.name for p in paths] == ["2a-p10-rtrl.png"]          # no LSTM summary of competitor rows
    assert paths[0].stat().st_size > 10_000
