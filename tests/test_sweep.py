"""`lstm97 sweep`: a grid of readings of one row, run like `lstm97 run` and ranked."""

import math
import subprocess
import sys

import pytest

from lstm97.experiments import get_experiment
from lstm97.experiments.sweep import MAX_CELLS, distance, grid, parse_grid, ranking


def test_a_grid_is_every_combination_of_its_axes_in_order():
    axes = parse_grid(["h_range=1,2", "input_gate_bias=[-1,-2,-3],[-2,-4,-6]"])
    assert axes == {"h_range": ["1", "2"], "input_gate_bias": ["[-1,-2,-3]", "[-2,-4,-6]"]}
    cells = grid("3a-T100-N3", axes)
    assert [c.name for c in cells] == [
        "3a-T100-N3[h_range=1,input_gate_bias=[-1,-2,-3]]", "3a-T100-N3[h_range=1,input_gate_bias=[-2,-4,-6]]",
        "3a-T100-N3[h_range=2,input_gate_bias=[-1,-2,-3]]", "3a-T100-N3[h_range=2,input_gate_bias=[-2,-4,-6]]"]
    assert [c.name for c in cells] == [get_experiment(c.name).name for c in cells]    # each a variant name
    assert cells[3].topology.h_range == 2.0 and cells[3].topology.input_gate_bias == (-2.0, -4.0, -6.0)


@pytest.mark.parametrize("call, match", [
    (lambda: parse_grid(["h_range"]), "a grid axis is KEY=VALUE"),
    (lambda: parse_grid(["h_range="]), "a grid axis is KEY=VALUE"),
    (lambda: parse_grid(["h_range=1", "h_range=2"]), "names 'h_range' twice"),
    (lambda: grid("3a-T100-N3", {}), "at least one --grid"),
    (lambda: grid("3a-T100-N3", {"colour": ["red"]}), "unknown option 'colour'"),
    (lambda: grid("3a-T100-N3", {"h_range": ["1", "1"]}), "repeats a cell"),
    (lambda: grid("3a-T100-N3[h_range=2]", {"g_range": ["1"]}), "varies a row of the paper"),
    (lambda: grid("guess-parity-A1", {"h_range": ["1"]}), "varies a row of the paper"),
    (lambda: grid("3a-T100-N3", {k: ["1", "2"] for k in ("h_range", "g_range", "init_range", "learning_rate",
                                                          "h", "g", "bias", "update", "cell_at")}),
     f"more than {MAX_CELLS}"),
])
def test_bad_grids_are_refused_by_name(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def summary(success, mean, trials=10):
    return {"success": success, "sequences": mean, "sequences_median": mean, "trials": trials}


def test_the_distance_is_zero_in_band_and_grows_with_each_test_it_fails():
    exp = get_experiment("3a-T100-N3")          # the paper: 100% success, 39,850 sequences
    assert distance(exp, summary(90, 39_850)) == 0 and distance(exp, summary(100, 2 * 39_850)) == 0
    assert distance(exp, summary(70, 39_850)) == pytest.approx(2.0)          # 20 points short
    assert distance(exp, summary(100, 8 * 39_850)) == pytest.approx(2.0)     # 2 doublings beyond 2x
    assert distance(exp, summary(100, 39_850 / 8)) == pytest.approx(2.0)
    assert math.isinf(distance(exp, summary(0, None)))
    cells = [(exp, summary(50, 39_850)), (exp, summary(0, None)), (exp, summary(100, 40_000))]
    table = ranking(cells)
    assert table.index("| 1 | `the paper's row` | 10 | 100 |") < table.index("| 2 |") < table.index("| - | no |")


def test_a_sweep_runs_its_cells_resumably_and_ranks_them(tmp_path):
    command = [sys.executable, "-m", "lstm97", "sweep", "3a-T100-N3", "--grid", "h_range=1,2",
               "--trials", "2", "--max-sequences", "1000", "--jobs", "1", "--out", str(tmp_path), "--quiet"]
    first = subprocess.run(command, capture_output=True, text=True, check=True, cwd=tmp_path)
    assert first.stdout.count("| `h_range=") == 2
    assert sorted(p.name for p in tmp_path.glob("*.jsonl")) == ["3a-T100-N3[h_range=1].jsonl", "3a-T100-N3[h_range=2].jsonl"]
    assert (tmp_path / "sweep-3a-T100-N3.md").read_text().endswith(first.stdout)
    again = subprocess.run(command, capture_output=True, text=True, check=True, cwd=tmp_path)
    assert again.stdout == first.stdout                                          # resumed: nothing new to run
    assert all(len(p.read_text().splitlines()) == 2 for p in tmp_path.glob("*.jsonl"))
