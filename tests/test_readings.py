"""The catalogue of readings, the one-at-a-time screen, the best reading per row and the
report's second column."""

import pytest

from lstm97.experiments import EXPERIMENTS, COMPETITORS, get_experiment, summarize
from lstm97.experiments.readings import BEST, CATALOGUE, best_reading, readings, screen
from lstm97.experiments.registry import OPTIONS
from lstm97.report import report


def test_every_reading_is_a_set_option_and_every_alternative_builds():
    assert {r.key for r in CATALOGUE} <= set(OPTIONS)
    for name in EXPERIMENTS:
        for cell in screen(name) if readings(name) else []:
            assert cell.base == name and cell.options          # a variant, named after the row
    for reading in CATALOGUE:
        assert reading.text


def test_the_screen_changes_one_reading_at_a_time_and_the_caption_swaps_both_ranges():
    names = [c.name for c in screen("reber-3x2-lr0.5")]
    assert "reber-3x2-lr0.5[g_range=1,h_range=2]" in names
    assert "reber-3x2-lr0.5[update=step]" in names and "reber-3x2-lr0.5[cells_read=inputs]" in names
    assert not any("h_range" in n for n in map(lambda c: c.name, screen("2a-p100")))   # h is the identity
    assert "2a-p100[cell_at=3000,construction=sequential]" in [c.name for c in screen("2a-p100")]
    # the literal value is the registry's, and differs from every alternative
    for name in ("reber-4x1-lr0.1", "adding-T500", "2c-q50-p50"):
        exp = get_experiment(name)
        for r in readings(name):
            assert r.literal(exp) not in r.alternatives, (name, r.key)


def test_the_best_reading_of_a_row_is_a_variant_of_it():
    assert best_reading("2c-q1000-p50").name == "2c-q1000-p50[cells_read=inputs]"
    assert best_reading("reber-3x2-lr0.5").name == "reber-3x2-lr0.5[bias=all,outputs_read=inputs]"
    assert best_reading("temporal-order-6a") is None
    assert best_reading(next(iter(COMPETITORS))) is None
    assert set(BEST) and all(any(True for _ in BEST[p]) for p in BEST)


def _summary(name, solved):
    records = [{"solved": s is not None, "sequences": s, "test_wrong": 0, "test_size": 100, "test_mae": 0.1,
                "test_mse": 0.01, "wall_time": 1.0, "max_sequences": 5_000_000, "trial": i}
               for i, s in enumerate(solved)]
    return summarize(name, records)


def test_the_report_shows_the_best_reading_beside_the_literal_one():
    literal = _summary("2c-q50-p50", [None] * 20)
    best = _summary("2c-q50-p50[cells_read=inputs]", [28_000] * 20)
    text = report([literal, best])
    row = next(line for line in text.splitlines() if line.startswith("| `2c-q50-p50` "))
    assert row.endswith("| 20 trials: 100%, 28,000 (28,000); in band; `cells_read inputs instead of all` |")
    alone = report([literal])
    assert "not run (`cells_read inputs instead of all`)" in alone
    assert "best reading found" not in report([_summary("temporal-order-6a", [30_000] * 20)])


def test_a_guessing_row_has_no_catalogue():
    with pytest.raises(ValueError, match="weight-guessing"):
        readings("guess-parity-A1")


def test_the_cli_lists_the_catalogue_and_runs_the_best_reading(capsys, tmp_path):
    from lstm97 import cli

    assert cli.main(["readings"]) == 0
    out = capsys.readouterr().out
    assert all(r.key in out for r in CATALOGUE)
    assert cli.main(["readings", "2c-q50-p50"]) == 0
    out = capsys.readouterr().out
    assert "best reading found: 2c-q50-p50[cells_read=inputs]" in out and "h_range: 1.0 (lstm97) or 2" in out
    args = cli._parse(["run", "2c-q50-p50", "temporal-order-6a", "--reading", "best", "--set", "learning_rate=0.02"])
    assert [e.name for e in cli._experiments(args)] == ["2c-q50-p50[cells_read=inputs,learning_rate=0.02]",
                                                        "temporal-order-6a[learning_rate=0.02]"]
    assert cli.main(["sweep", "3a-T100-N3", "--catalogue", "--grid", "h_range=1,2"]) == 2   # one or the other
    assert "not allowed with" in capsys.readouterr().err


def test_the_connection_options_add_exactly_the_connections_they_name():
    base = get_experiment("reber-4x1-lr0.5")
    outputs = base.variant(outputs_read="inputs")
    assert outputs.topology.n_weights == base.topology.n_weights + 7 * 7           # 7 inputs to 7 outputs
    changed = outputs.topology.source_mask("output") != base.topology.source_mask("output")
    assert changed.sum() == 7 and changed[base.topology.source_columns("inputs")].all()
    for group in ("input_gate", "output_gate", "cell"):
        assert (outputs.topology.source_mask(group) == base.topology.source_mask(group)).all()
    cells = get_experiment("2c-q50-p50").variant(cells_read="inputs")
    assert cells.topology.source_mask("cell")[cells.topology.source_columns("bias").stop:].sum() == 0
    # the row's own value is no change, and every option has a value in every LSTM row
    assert base.variant(outputs_read="table10").topology == base.topology
    assert (base.setting("outputs_read"), base.setting("cells_read"), base.setting("h_range")) == ("table10", "all", 1.0)
    assert outputs.setting("outputs_read") == "inputs" and outputs.setting("learning_rate") == 0.5
    with pytest.raises(ValueError, match="outputs_read must be one of"):
        base.variant(outputs_read="cells")
    with pytest.raises(ValueError, match="unknown option 'outputs'"):
        base.setting("outputs")


def test_check_interval_sets_how_often_exp3s_criteria_look_and_nothing_else():
    base = get_experiment("3b-T100-N3")
    often = base.variant(check_interval="100")
    assert often.criterion.interval == 100 and base.criterion.interval == 1000
    assert often.criterion.st1_wrong == base.criterion.st1_wrong and often.topology == base.topology
    assert (often.setting("check_interval"), base.setting("check_interval")) == (100, 1000)
    with pytest.raises(ValueError, match="check_interval applies to Exp 3"):
        get_experiment("adding-T100").variant(check_interval=100)
    with pytest.raises(ValueError, match="check_interval must be"):
        base.variant(check_interval=0)


def test_the_readings_tried_are_listed_under_their_row_nearest_first():
    literal = _summary("2c-q50-p50", [None] * 20)
    near = _summary("2c-q50-p50[cells_read=inputs]", [28_000] * 20)
    far = _summary("2c-q50-p50[init_range=0.1]", [200_000] * 2 + [None] * 18)
    lone = _summary("3a-T100-N3[h_range=2]", [30_000] * 10)          # its row is not in the directory
    text = report([literal, far, near, lone])
    main, tried = text.split("Readings tried")
    assert "| `2c-q50-p50` |" in main and "[cells_read=inputs]`" not in main and "init_range" not in main
    assert "`3a-T100-N3[h_range=2]`, variant: h_range 2 instead of 1.0" in main      # stays in the main table
    lines = [line for line in tried.splitlines() if line.startswith("| `2c-q50-p50` |")]
    assert len(lines) == 2
    assert lines[0].startswith("| `2c-q50-p50` | cells_read inputs instead of all | 20 | - / 100 | 30,000 / 28,000")
    assert lines[0].endswith("| 0.00 | yes |")
    assert lines[1].startswith("| `2c-q50-p50` | init_range 0.1 instead of 0.2 | 20 | - / 10 | 30,000 / 200,000")
    # 80 points short of 100 - 10 is 8.0; 200,000 / 30,000 is 2.74 doublings, 1 of them in the band
    assert lines[1].endswith("| 9.74 | no |")
