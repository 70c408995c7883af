"""The weight-guessing study: the standard recurrent nets, their compiled kernel against a
NumPy twin, the search and its rows."""

import numpy as np
import pytest

from lstm97 import tasks
from lstm97.tasks import SequenceBatch
from lstm97.experiments import GUESSING, GuessingTrial, get_experiment, run_experiment, run_trial
from lstm97.experiments.guessing import training_set
from lstm97.models.recurrent import RecurrentNet, RecurrentTopology, a1, a2, latch_inputs, single_unit
from reference import ReferenceRecurrent


def twin_activations(net, x):
    """Every unit's activation, written straight from the definition (models/recurrent.py)."""
    return ReferenceRecurrent(net.topology, net.get_weights()).forward(x)


NETS = {"A1 n=1": lambda: a1(1), "A1 n=3": lambda: a1(3), "A2": a2, "A2 no self": lambda: a2(False),
        "latch II": lambda: single_unit("tanh"),
        "latch I": lambda: single_unit("tanh", input_weight=False, bias=False, class_inputs=True),
        "synchronous": lambda: RecurrentTopology(2, np.ones((3, 6), bool), (1, 2), ("tanh", "logistic", "logistic"))}


@pytest.mark.parametrize("name", NETS)
def test_the_kernel_equals_its_numpy_twin(name):
    rng = np.random.default_rng(0)
    net = RecurrentNet(NETS[name]())
    for scale in (0.5, 3.0, 100.0):
        net.set_weights(net.guesses(1, rng, scale)[0])
        x = rng.normal(0, 1, (40, net.topology.n_inputs))
        np.testing.assert_allclose(net.activations(x), twin_activations(net, x), rtol=1e-12, atol=1e-300)
        np.testing.assert_array_equal(net.forward(x), net.activations(x)[:, list(net.topology.outputs)])


def test_guesses_drawn_in_blocks_are_the_guesses_drawn_one_at_a_time():
    net = RecurrentNet(a2())
    block = net.guesses(7, np.random.default_rng(3))
    one = np.random.default_rng(3)
    np.testing.assert_array_equal(block, np.concatenate([net.guesses(1, one) for _ in range(7)]))
    assert np.all(np.abs(block) <= 100) and np.all(block[:, ~net.topology.mask] == 0)
    fixed = RecurrentNet(NETS["latch I"]())
    assert np.all(fixed.guesses(20, np.random.default_rng(0))[:, 0, 0] == 1.0)    # the fixed input weight


def packed(sequences):
    """What ``RecurrentNet.judge`` reads of a set of sequences: inputs, offsets, end targets."""
    batch = SequenceBatch.of(sequences)
    return batch.inputs, batch.offsets, batch.final_targets


def test_a_planted_solution_is_found_and_a_broken_one_is_not():
    task = tasks.Latch(variant="II")
    seqs = training_set(task, 100, np.random.default_rng(1))
    net = RecurrentNet(single_unit("tanh"))
    solution = np.zeros((1, 3))
    solution[0, [0, 1, 2]] = [2.0, 0.0, 5.0]      # input, bias, self: a latch the noise cannot flip
    broken = solution.copy()
    broken[0, 0] = -2.0                          # the first input now latches the wrong way
    first, right = net.judge(np.stack([broken, solution]), *packed(seqs), task.tolerance)
    assert first == 1 and right.tolist() == [0, 100]
    net.set_weights(solution)
    assert all(task.is_correct(net.forward(s.inputs), s) for s in seqs)


def test_latch_variant_i_puts_its_free_initial_inputs_on_lines_of_their_own():
    task = tasks.Latch(variant="I")
    seq = task.sample(np.random.default_rng(0))
    x = latch_inputs(seq)
    assert x.shape == (seq.length, 3) and x[0, 0] == 0 and x[0, 1 + seq.label] == 1 and x[1:, 1:].sum() == 0
    np.testing.assert_array_equal(x[1:, 0], seq.inputs[1:, 0])


@pytest.mark.parametrize("name", ["guess-parity-A1", "guess-tomita2-A2", "guess-2seq-A1"])
def test_stopping_a_guess_at_its_first_wrong_sequence_gives_the_verdict_of_judging_them_all(name):
    trial = GuessingTrial(get_experiment(name), 0)
    net = trial.net
    guesses = net.guesses(300, np.random.default_rng(5))
    args = (trial._x, trial._offsets, trial._targets, trial._tolerance)
    early, full = net.judge(guesses, *args), net.judge(guesses, *args, early_exit=False)
    assert early[0] == full[0]
    n = len(trial.train)
    assert ((early[1] == n) == (full[1] == n)).all() and (early[1] <= full[1]).all()


def test_the_training_set_has_fifty_sequences_of_each_class():
    seqs = training_set(tasks.Parity(), 100, np.random.default_rng(0))
    assert len(seqs) == 100 and sum(s.label for s in seqs) == 50
    assert len(training_set(tasks.Adding(T=20), 7, np.random.default_rng(0))) == 7    # no classes


def test_a_trial_finds_a_solution_that_passes_its_test_and_is_reproducible():
    record = run_trial("guess-tomita1-A1", 2, seed=4)
    assert record["solved"] and record["sequences"] == record["trained"] >= 1
    assert record["train_right"] == 100 and record["test_size"] == 100 and record["test_wrong"] == 0
    assert record["outcome"] == f"solved after {record['sequences']:,} guesses"
    again = run_trial("guess-tomita1-A1", 2, seed=4)
    assert {k: v for k, v in again.items() if k != "wall_time"} == {k: v for k, v in record.items() if k != "wall_time"}


def test_a_search_that_reaches_its_cap_says_so_and_reports_no_count():
    record = run_trial("guess-latch-I", 0, max_sequences=700)
    assert not record["solved"] and record["sequences"] is None and record["trained"] == 700
    assert record["outcome"] == "not found within 700 guesses"
    assert 0 <= record["train_right"] < 100


def test_the_guess_counts_do_not_depend_on_the_number_of_processes(tmp_path):
    one = run_experiment("guess-parity-A2-noself", tmp_path / "one", trials=4, jobs=1)
    two = run_experiment("guess-parity-A2-noself", tmp_path / "two", trials=4, jobs=2)
    strip = lambda rs: [{k: v for k, v in r.items() if k != "wall_time"} for r in rs]  # noqa: E731
    assert strip(one) == strip(two)


def test_every_row_of_the_study_is_registered_with_its_figure():
    figures = {"2seq-A2": 718, "2seq-A1": 1_247, "2seq-3param": 22, "parity-A1": 2_906, "parity-A2": 2_797,
               "parity-A2-noself": 250, "tomita1-A1": 182, "tomita1-A2": 288, "tomita2-A1": 1_511,
               "tomita2-A2": 17_953, "tomita4-A1": 13_833, "tomita4-A2": 35_610, "latch-I": 6, "latch-II": 22,
               "3a-T100-A2": 39_850, "adding-T100-A1": 74_000}    # the last two: LSTM's, for the claims
    assert {name: exp.paper["sequences"] for name, exp in GUESSING.items()} == {f"guess-{k}": v for k, v in figures.items()}
    assert all(exp.trials == 10 and exp.weight_range == 100.0 for exp in GUESSING.values())
    assert [name for name, exp in GUESSING.items() if exp.claim] == ["guess-3a-T100-A2", "guess-adding-T100-A1"]
    with pytest.raises(ValueError, match="no variants"):
        get_experiment("guess-parity-A1").variant(h_range=2)


@pytest.mark.parametrize("make, error, match", [
    (lambda: a1(0), ValueError, "n must be"),
    (lambda: RecurrentNet(a2()).guesses(3, 0, weight_range=-1.0), ValueError, "weight_range"),
    (lambda: RecurrentNet(a2()).guesses(3, 0, weight_range=float("inf")), ValueError, "weight_range"),
    (lambda: RecurrentNet(a2()).guesses(0, 0), ValueError, "n must be"),
    (lambda: RecurrentNet("A2"), TypeError, "topology must be a RecurrentTopology"),
    (lambda: RecurrentTopology(1, np.ones((2, 3), bool), (0,), "logistic"), ValueError, "mask must have shape"),
    (lambda: RecurrentTopology(1, np.ones((2, 4), int), (0,), "logistic"), TypeError, "mask must be a 2-D boolean"),
    (lambda: RecurrentTopology(1, np.ones((2, 4), bool), (2,), "logistic"), ValueError, "outputs must be"),
    (lambda: RecurrentTopology(1, np.ones((2, 4), bool), (0,), "relu"), ValueError, "activations"),
    (lambda: RecurrentTopology(1, np.ones((2, 4), bool), (0,), "tanh", stages=(0, 2)), ValueError, "stages"),
    (lambda: RecurrentNet(a1(1)).set_weights(np.full((2, 4), np.nan)), ValueError, "NaN"),
    (lambda: RecurrentNet(a2()).set_weights(np.ones((11, 13))), ValueError, "no connection"),
    (lambda: RecurrentNet(a1(1)).forward(np.zeros((5, 2))), ValueError, "inputs must have shape"),
    (lambda: get_experiment("guess-parity-A3"), ValueError, "did you mean guess-parity-A2"),
    (lambda: run_trial("guess-parity-A1", 0, max_sequences=0), ValueError, "max_sequences"),
])
def test_bad_arguments_are_refused_by_name(make, error, match):
    with pytest.raises(error, match=match):
        make()
