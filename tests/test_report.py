"""The report's table (shortened runs, variants) and the figures of ``lstm97 plot``."""

import json
import shutil
from pathlib import Path

import pytest

from lstm97.experiments import get_experiment, read_results
from lstm97.report import figure_data, plot, report, run_notes, shortened, summaries
from lstm97.report import _success_interval

RESULTS = Path(__file__).resolve().parents[1] / "docs" / "results"
PNG = b"\x89PNG\r\n\x1a\n"


def copy(tmp_path, *names):
    """The committed records of ``names`` in a fresh results directory."""
    for name in names:
        shutil.copy(RESULTS / f"{name}.jsonl", tmp_path)
    return tmp_path


def rows_of(text):
    return {line.split("`")[1]: line for line in text.splitlines() if line.startswith("| `")}


def test_shortened_run_says_so_and_a_full_run_does_not(tmp_path):
    # 2c-q200-p200: 3 of the paper's 20 trials, cap 600,000 instead of 5,000,000, none solved
    text = report(summaries(copy(tmp_path, "2c-q200-p200", "3a-T100-N1")))
    header, rule = text.splitlines()[:2]
    assert header.startswith("| experiment |") and rule.startswith("|---|")
    rows = rows_of(text)
    short = rows["2c-q200-p200"]
    assert short.startswith("| `2c-q200-p200` | Table 3 | 20 / 3 | - / 0 |")
    # the verdict, then the second column: 2c has a best reading, not run here
    assert short.endswith("| no, shortened: 3 of 20 trials (95% CI of success 0-71%); "
                          "cap 600,000 of 5,000,000, 3 trials ran to it "
                          "| not run (`cells_read inputs instead of all`) |")
    assert "**no**" not in short                  # not shown as a failure to reproduce
    full = rows["3a-T100-N1"]
    assert full.endswith("| yes | - |") and "shortened" not in full
    assert "Shortened: fewer trials than the paper's" in text
    assert "In band: success at least the paper's minus 10 points" in text


def test_a_full_run_has_no_shortened_legend(tmp_path):
    text = report(summaries(copy(tmp_path, "3a-T100-N1", "adding-T100")))
    rows = rows_of(text)
    assert rows["adding-T100"].endswith("| **no** |")  # a full run that failed is bold
    assert "Shortened" not in text and "shortened" not in text


def test_a_lower_cap_that_no_trial_reached_is_not_shortened():
    exp = get_experiment("3a-T100-N1")          # every trial solved by 93,000 of 643,300
    row = summaries_of(exp.name, max_sequences=200_000)
    assert shortened(exp, row) == {}
    assert run_notes(exp, row) == ["cap 200,000 of 643,300, no trial ran to it"]
    row = summaries_of(exp.name, max_sequences=200_000, trials=4)
    assert shortened(exp, row) == {"trials": (4, 10)}
    capped = summaries_of("adding-T1000")        # cap 4,000,000 of 8,530,000, one unsolved
    assert shortened(get_experiment("adding-T1000"), capped) == {"cap": (4_000_000, 8_530_000)}


def summaries_of(name, max_sequences=None, trials=None):
    from lstm97.experiments import summarize

    records = read_results(RESULTS / f"{name}.jsonl")[:trials]
    if max_sequences is not None:
        records = [dict(r, max_sequences=max_sequences) for r in records]
    return summarize(name, records)


def test_success_interval_is_clopper_pearson():
    assert _success_interval(0, 3) == (0.0, pytest.approx(70.76, abs=0.01))
    low, high = _success_interval(1, 3)
    assert low == pytest.approx(0.84, abs=0.01) and high == pytest.approx(90.57, abs=0.01)
    assert _success_interval(3, 3) == (pytest.approx(29.24, abs=0.01), 100.0)


def write_variant(tmp_path, base, n, **options):
    exp = get_experiment(base).variant(**options)
    with open(tmp_path / f"{exp.name}.jsonl", "w") as f:
        for line in (RESULTS / f"{base}.jsonl").read_text().splitlines()[:n]:
            record = json.loads(line)
            record.update(experiment=exp.name, set=dict(exp.options))
            f.write(json.dumps(record) + "\n")
    return exp


def test_a_variant_lists_its_options_with_the_rows_values(tmp_path):
    exp = write_variant(tmp_path, "3a-T100-N3", 10, h_range=2.0, learning_rate=0.5)
    text = report(summaries(tmp_path))
    row = rows_of(text)[exp.name]
    assert row.startswith(f"| `{exp.name}`, variant: h_range 2.0 instead of 1.0, "
                          "learning_rate 0.5 instead of 1.0 | Table 4 | 10 / 10 |")
    assert "A variant is compared with its paper row's figures" in text
    assert any(note.startswith("variant: h_range 2.0") for note in figure_data(exp.name, read_results(
        tmp_path / f"{exp.name}.jsonl"))["notes"])


def test_figure_data_of_a_row_that_solved_nothing():
    data = figure_data("2c-q200-p200", read_results(RESULTS / "2c-q200-p200.jsonl"))
    assert data["notes"][0] == "no trial solved within the cap (600,000)"
    assert data["title"] == ("2c-q200-p200: 0/3 solved within 600,000 "
                             "(paper: success not given, mean 33,000)")
    assert data["individual"] and data["solved_at"] == [] and data["ratio"] is None
    assert data["threshold"] is None and data["shortened"] and data["cap"] == 600_000
    assert "not in band (provisional: shortened run)" in data["notes"]


def test_figure_data_of_solved_rows():
    data = figure_data("adding-T500", read_results(RESULTS / "adding-T500.jsonl"))
    assert data["title"] == ("adding-T500: 10/10 solved (paper 100%), mean 1,082,635 "
                             "vs paper 209,000 (5.2x)")
    assert data["threshold"][0] == 0.01 and "β" in data["threshold"][1]
    assert data["individual"] and len(data["solved_at"]) == 10
    assert not any(n.startswith("no trial solved") for n in data["notes"])
    many = figure_data("2c-q50-p50", read_results(RESULTS / "2c-q50-p50.jsonl"))
    assert not many["individual"] and many["trials"] == 20           # a percentile band
    st = figure_data("3a-T100-N3", read_results(RESULTS / "3a-T100-N3.jsonl"))
    assert "ST2 mean" in st["title"] and len(st["st1_at"]) == 10 and len(st["solved_at"]) == 9
    assert st["threshold"] is None                                    # ST2 is on a test error
    assert st["notes"] == ["in band"]


def test_plot_writes_a_figure_per_row_and_the_summary(tmp_path):
    copy(tmp_path, "2c-q200-p200", "3a-T100-N3")
    written = plot(tmp_path)
    plots = tmp_path / "plots"
    assert written == [plots / "2c-q200-p200.png", plots / "3a-T100-N3.png", plots / "summary.png"]
    for path in written:
        assert path.read_bytes()[:8] == PNG


def test_the_reproduction_documents_lead_table_is_the_overview_of_the_committed_results():
    """docs/reproduction.md leads with ``lstm97 report docs/results --overview``: the table
    must be regenerated whenever results are committed."""
    from lstm97.report import overview

    doc = (RESULTS.parent / "reproduction.md").read_text()
    table = overview(summaries(RESULTS))
    assert table in doc, "docs/reproduction.md's lead table is stale: paste `lstm97 report docs/results --overview`"


def test_the_overview_names_the_nearest_reading_only_where_it_beats_the_literal(tmp_path):
    from lstm97.report import overview

    # 3b-T100-N3: the literal is 2.5 times too fast; a variant that solves 10 of 10 at the
    # paper's pace comes nearer and is named; one that solves none is not
    copy(tmp_path, "3b-T100-N3")
    write_variant(tmp_path, "3b-T100-N3", 10, init_range=0.2)
    slow = get_experiment("3b-T100-N3").variant(init_range=0.2)
    records = [json.loads(line) for line in (tmp_path / f"{slow.name}.jsonl").read_text().splitlines()]
    with open(tmp_path / f"{slow.name}.jsonl", "w") as f:
        for r in records:
            f.write(json.dumps(dict(r, sequences=43_000)) + "\n")
    line = rows_of(overview(summaries(tmp_path)))["3b-T100-N3"]
    assert line.endswith("| nearest tried: `init_range 0.2 instead of 0.1` "
                         "| 10 trials: 100%, 43,000; **in band** | 1 |")
    with open(tmp_path / f"{slow.name}.jsonl", "w") as f:
        for r in records:
            f.write(json.dumps(dict(r, solved=False, sequences=None)) + "\n")
    line = rows_of(overview(summaries(tmp_path)))["3b-T100-N3"]
    assert line.endswith("| the literal (no reading tried comes nearer) | - | 1 |")
