"""The experiment registry, the stop criteria, the trial runner and the CLI."""

import json
import os
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from lstm97 import TABLE10
from lstm97.experiments import EXPERIMENTS, get_experiment, read_results, results_path, run_experiment, run_trial
from lstm97.experiments.runner import choose_lanes

# Weights per experiment as the paper's Tables 1-9 give them.
PAPER_WEIGHTS = {
    "reber-4x1-lr0.1": 264, "reber-3x2-lr0.1": 276, "reber-3x2-lr0.2": 276, "reber-4x1-lr0.5": 264,
    "reber-3x2-lr0.5": 276, "2a-p100": 10504, "2b-p100": 10504, "2c-q50-p50": 364,
    "2c-q100-p100": 664, "2c-q200-p200": 1264, "2c-q500-p500": 3064, "2c-q1000-p1000": 6064,
    "2c-q1000-p500": 3064, "2c-q1000-p200": 1264, "2c-q1000-p100": 664, "2c-q1000-p50": 364,
    **{f"{v}-T{T}-N{N}": 102 for v, T, N in [("3a", 100, 3), ("3a", 100, 1), ("3a", 1000, 3),
                                           ("3b", 100, 3), ("3b", 100, 1), ("3b", 1000, 1),
                                           ("3c", 100, 3), ("3c", 100, 1)]},
    "adding-T100": 93, "adding-T500": 93, "adding-T1000": 93, "multiplication-nseq140": 93,
    "multiplication-nseq13": 93, "temporal-order-6a": 156, "temporal-order-6b": 308,
}
FAST = "3a-T100-N3"
FAST_ARGS = ["--trials", "4", "--max-sequences", "3000", "--jobs", "1"]
SEQUENTIAL = get_experiment("2a-p100").variant(construction="sequential")


def without_time(records):
    return [{k: v for k, v in r.items() if k != "wall_time"} for r in records]


@pytest.fixture
def cli(tmp_path_factory):
    """Run ``python -m lstm97`` as a user would: from a directory of its own, so that the
    installed package is imported, not the source tree."""
    cwd = tmp_path_factory.mktemp("cwd")

    def run(*args):
        return subprocess.run([sys.executable, "-m", "lstm97", *args], capture_output=True, text=True,
                              timeout=600, cwd=cwd)

    return run


def test_registry_covers_every_lstm_row_with_table10_weights():
    assert set(EXPERIMENTS) == set(PAPER_WEIGHTS)
    for name, exp in EXPERIMENTS.items():
        assert exp.topology == TABLE10[exp.row].topology
        assert exp.topology.n_weights == PAPER_WEIGHTS[name], name
        assert exp.learning_rate == TABLE10[exp.row].learning_rate
        task = exp.task()
        assert (task.n_inputs, task.n_outputs) == (exp.topology.n_inputs, exp.topology.n_outputs), name


def test_unknown_experiment_names_the_close_matches(cli):
    with pytest.raises(ValueError, match="did you mean temporal-order-6"):
        get_experiment("temporal-order")
    result = cli("run", "adding-T10")
    assert result.returncode == 2
    assert "did you mean adding-T100" in result.stderr


@pytest.mark.parametrize("args, message", [
    (["run", FAST, "--trials", "0"], "trials must be at least 1"),
    (["run", FAST, "--jobs", "0"], "jobs must be a positive number"),
    (["run", FAST, "--backend", "mpi"], "invalid choice"),
    (["run", FAST, "--backend", "dask"], "needs a scheduler address"),
    (["run", FAST, "--lanes", "3"], "lanes must be one of 0, 4, 8, 16, got 3"),
    (["run", FAST, "--lanes", "-1"], "lanes must be at least 0"),
    (["run", FAST, "--set", "h_range"], "a setting is KEY=VALUE"),
    (["run", FAST, "--set", "colour=red"], "unknown option 'colour'"),
    (["run", FAST, "--set", "h_range=-1"], "h_range must be greater than 0"),
    (["report", "/nonexistent-dir"], "'/nonexistent-dir' is not a directory"),
    (["report", "."], "no results in '.'"),
])
def test_bad_options_are_refused(cli, args, message):
    result = cli(*args)
    assert result.returncode == 2
    assert message in result.stderr


def test_a_reader_that_leaves_early_gets_no_traceback(tmp_path):
    # `lstm97 list | head -1`, made deterministic: the pipe's reading end is closed before
    # anything is written, so the first write fails with EPIPE.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run([sys.executable, "-m", "lstm97", "list"], stdout=write_end,
                                stderr=subprocess.PIPE, text=True, timeout=60, cwd=tmp_path)
    finally:
        os.close(write_end)
    assert result.returncode == 1
    assert result.stderr == ""


def test_a_trial_record_is_complete_and_reproducible():
    record = run_trial(FAST, 1, seed=3, max_sequences=2000)
    assert record["experiment"] == FAST and record["trial"] == 1 and record["seed"] == 3
    assert record["trained"] == (record["sequences"] or 2000)
    assert record["test_size"] == 2560 and 0 <= record["test_wrong"] <= 2560
    assert len(record["curve"]) == record["trained"] // 20
    assert without_time([run_trial(FAST, 1, seed=3, max_sequences=2000)]) == without_time([record])


def test_cli_run_writes_one_json_line_per_trial(cli, tmp_path):
    result = cli("run", FAST, *FAST_ARGS, "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert f"`{FAST}`" in result.stdout                      # the report is printed
    lines = results_path(tmp_path, FAST).read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert sorted(r["trial"] for r in records) == [0, 1, 2, 3]
    expected = [run_trial(FAST, i, seed=0, max_sequences=3000) for i in range(4)]
    assert without_time(read_results(results_path(tmp_path, FAST))) == without_time(expected)
    for name in ("summary.json", "summary.csv", "report.md"):
        assert (tmp_path / name).exists()
    summary = json.loads((tmp_path / "summary.json").read_text())[0]
    assert summary["trials"] == 4 and summary["solved"] == sum(r["solved"] for r in records)


def test_killed_run_resumes_with_every_trial_exactly_once(cli, tmp_path):
    args = ["run", FAST, "--trials", "10", "--max-sequences", "4000", "--jobs", "1", "--out", str(tmp_path)]
    path = results_path(tmp_path, FAST)
    proc = subprocess.Popen([sys.executable, "-m", "lstm97", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True, cwd=tmp_path)
    deadline = time.time() + 300
    while time.time() < deadline and (not path.exists() or path.read_text().count("\n") < 2):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = path.read_text().count("\n")
    assert 2 <= partial < 10
    with open(path, "a") as f:
        f.write('{"experiment": "3a-T1')                    # a line cut short by the kill
    result = cli(*args)
    assert result.returncode == 0, result.stderr
    records = read_results(path)
    assert [r["trial"] for r in records] == list(range(10))
    expected = [run_trial(FAST, i, seed=0, max_sequences=4000) for i in range(10)]
    assert without_time(records) == without_time(expected)


def test_resuming_with_other_options_is_refused(tmp_path):
    run_experiment(FAST, tmp_path, trials=1, max_sequences=1000, jobs=1)
    with pytest.raises(ValueError, match="seed=0, max_sequences=1000; resume with those options"):
        run_experiment(FAST, tmp_path, trials=2, max_sequences=2000, jobs=1)
    with pytest.raises(ValueError, match="resume with those options"):
        run_experiment(FAST, tmp_path, trials=2, max_sequences=1000, seed=1, jobs=1)


def test_results_do_not_depend_on_the_number_of_jobs(tmp_path):
    one = run_experiment(FAST, tmp_path / "one", trials=4, max_sequences=3000, jobs=1)
    two = run_experiment(FAST, tmp_path / "two", trials=4, max_sequences=3000, jobs=2)
    assert without_time(one) == without_time(two)


def test_the_records_do_not_depend_on_the_lanes_asked_for(tmp_path):
    runs = {k: run_experiment(FAST, tmp_path / str(k), trials=3, max_sequences=2000, jobs=1, lanes=k)
            for k in (0, 4, 16)}
    assert without_time(runs[0]) == without_time(runs[4]) == without_time(runs[16])
    assert choose_lanes(get_experiment(FAST), [0, 1, 2], 1, 16) == 16
    assert choose_lanes(get_experiment("2a-p100").variant(construction="sequential"), [0, 1, 2], 1, 8) == 0
    with pytest.raises(TypeError, match="lanes must be an integer"):
        run_experiment(FAST, tmp_path, trials=1, lanes=8.0)


def test_dask_backend_gives_the_same_results(tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1",
                                  dashboard_address=None, processes=True) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        # 3 trials on 2 threads: a task per thread, training its share in lanes
        assert choose_lanes(get_experiment(FAST), [0, 1, 2], 2) == 4
        dask = run_experiment(FAST, tmp_path / "dask", trials=3, max_sequences=2000,
                              backend="dask", scheduler=cluster.scheduler_address)
        # 2 trials on 2 threads: a task per trial
        assert choose_lanes(get_experiment(FAST), [0, 1], 2) == 0
        single = run_experiment(FAST, tmp_path / "single", trials=2, max_sequences=2000,
                                backend="dask", scheduler=cluster.scheduler_address)
    local = run_experiment(FAST, tmp_path / "local", trials=3, max_sequences=2000, jobs=1)
    assert without_time(dask) == without_time(local)
    assert without_time(single) == without_time(local)[:2]


def test_sequential_construction_holds_the_cells_back_until_the_error_stalls():
    from lstm97 import LSTM, table10
    from lstm97.experiments import SequentialConstruction

    net = LSTM(table10("2a"), rng=0)
    cell = net.source_names.index("c0_0")
    builder = SequentialConstruction(net, np.random.default_rng(1))
    assert not net.get_weights()["output"][:, cell].any()
    before = net.get_weights()
    for n in range(1, 1500):                              # a constant error: no decrease
        builder.after(n, 1.0)
        assert builder.added_at is None
    builder.after(1500, 1.0)                              # best at 500, stale at 1000 and 1500
    assert builder.added_at == 1500
    after = net.get_weights()
    assert np.abs(after["output"][:, cell]).max() > 0.1
    assert not np.array_equal(after["cell"], before["cell"])
    np.testing.assert_array_equal(after["output"][:, :cell], before["output"][:, :cell])
    record = run_trial(SEQUENTIAL, 0, max_sequences=600)
    assert record["construction"] == "sequential" and record["cell_added_at"] is None


def test_sequential_construction_can_add_the_cells_at_a_set_time():
    record = run_trial(SEQUENTIAL.variant(cell_at=250), 0, max_sequences=600)
    assert record["cell_at"] == 250 and record["cell_added_at"] == 250
    held = run_trial(SEQUENTIAL, 0, max_sequences=600)
    late = run_trial(SEQUENTIAL.variant(cell_at=601), 0, max_sequences=600)
    assert late["cell_added_at"] is None and late["curve"] == held["curve"]
    # one curve point per 6 sequences: points 0-40 end by sequence 246, point 41 at 252
    assert record["curve"][:41] == held["curve"][:41] and record["curve"][41] != held["curve"][41]
    with pytest.raises(ValueError, match="cell_at applies only to construction='sequential'"):
        get_experiment("2a-p100").variant(cell_at=5)
    with pytest.raises(ValueError, match="cell_at must be at least 1"):
        SEQUENTIAL.variant(cell_at=0)


def test_report_and_plot(cli, tmp_path):
    run_experiment(FAST, tmp_path, trials=3, max_sequences=3000, jobs=1)
    result = cli("report", str(tmp_path))
    assert result.returncode == 0, result.stderr
    header, rule, row = result.stdout.splitlines()[:3]
    assert header.startswith("| experiment |") and row.startswith(f"| `{FAST}` | Table 4 | 10 / 3 |")
    assert "ST1 27,380" in row and "misclassified 0.00019" in row
    assert "shortened: 3 of 10 trials" in row
    assert (tmp_path / "report.md").read_text() == result.stdout
    overview = cli("report", str(tmp_path), "--overview")
    assert overview.returncode == 0, overview.stderr
    assert overview.stdout.splitlines()[2] == (f"| `{FAST}` | 100%, 39,850 | 3 trials: 0%, -; not in band "
                                               "(shortened) | the literal (none tried) | - | 0 |")
    assert (tmp_path / "report.md").read_text() == result.stdout   # the files as without --overview
    result = cli("plot", str(tmp_path))
    assert result.returncode == 0, result.stderr
    plots = tmp_path / "plots"
    assert result.stdout.splitlines() == [str(plots / f"{FAST}.png"), str(plots / "summary.png")]
    for png in (plots / f"{FAST}.png", plots / "summary.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_learning_curve_shows_learning():
    record = run_trial("temporal-order-6a", 0, max_sequences=60_000)
    assert record["solved"]
    curve = np.array(record["curve"])
    assert curve[-1, 1] < 0.1 * curve[0, 1]


def _children(pid):
    """The processes whose parent is ``pid``, read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_workers_keeps_the_trials_and_leaves_nothing_behind(tmp_path, signum):
    shm_before = set(os.listdir("/dev/shm"))
    args = ["run", "3a-T1000-N3", "--trials", "6", "--jobs", "2", "--quiet", "--out", str(tmp_path)]
    # A shell that started the tests in the background has them ignore SIGINT, and Python
    # keeps an ignored SIGINT ignored; the run under test must start as a terminal's would.
    proc = subprocess.Popen([sys.executable, "-m", "lstm97", *args], stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 120
    workers = []
    while time.time() < deadline and len(workers) < 2:
        time.sleep(0.2)
        workers = [p for p in _children(proc.pid) if "lstm97-trial" in Path(f"/proc/{p}/cmdline").read_bytes().decode()
                   or b"multiprocessing.spawn" in Path(f"/proc/{p}/cmdline").read_bytes()]
    assert len(workers) >= 2
    time.sleep(2)
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    assert "interrupted; finished trials are saved" in stderr and "Traceback" not in stderr
    time.sleep(0.5)
    assert [p for p in workers if Path(f"/proc/{p}").exists()] == []
    assert {name for name in set(os.listdir("/dev/shm")) - shm_before if str(proc.pid) in name} == set()
    assert not _children(proc.pid)


def test_run_logs_a_line_per_finished_trial_where_stderr_is_not_a_terminal(cli, tmp_path):
    result = cli("run", FAST, "--trials", "2", "--max-sequences", "300", "--jobs", "1", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith(f"{FAST}: trial ")]
    records = {r["trial"]: r for r in read_results(results_path(tmp_path, FAST))}
    assert len(lines) == 2 and lines[-1].endswith(f"(2/2 done, {sum(r['solved'] for r in records.values())} solved)")
    for line in lines:
        r = records[int(line.split()[2])]
        assert (f"solved after {r['sequences']:,} sequences" if r["solved"]
                else f"not solved in {r['trained']:,} sequences") in line


def test_run_reports_what_was_asked_for(cli, tmp_path):
    run_experiment(FAST, tmp_path, trials=3, max_sequences=300, jobs=1)
    run_experiment("3b-T100-N3", tmp_path, trials=1, max_sequences=300, jobs=1)
    result = cli("run", FAST, "--trials", "2", "--max-sequences", "300", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| `")]
    assert len(rows) == 1 and rows[0].startswith(f"| `{FAST}` | Table 4 | 10 / 2 |")
    assert f"{FAST}: 2 trials in {results_path(tmp_path, FAST)}" in result.stderr
    assert "3b-T100-N3" in (tmp_path / "report.md").read_text()      # the directory's report has both
    quiet = cli("run", FAST, "--trials", "2", "--max-sequences", "300", "--quiet", "--out", str(tmp_path))
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""


def test_heartbeats_show_progress_within_trials(tmp_path):
    for jobs in (1, 2):
        beats = []
        run_experiment("3a-T1000-N3", tmp_path / str(jobs), trials=2, max_sequences=3000, jobs=jobs,
                       heartbeat=lambda trial, n: beats.append((trial, n)))
        assert {trial for trial, _ in beats} == {0, 1}
        for trial in (0, 1):
            ns = [n for t, n in beats if t == trial]
            assert ns == sorted(ns) and 0 < ns[-1] <= 3000


@pytest.mark.parametrize("args, message", [
    (["run", FAST, "--trails", "3"], "usage: lstm97 run"),
    (["plot", "/nonexistent-dir"], "'/nonexistent-dir' is not a directory"),
    (["run", FAST, "--out", "/sys/lstm97-results", "--max-sequences", "10"], "cannot write to results directory"),
])
def test_user_errors_end_in_one_line_or_the_subcommand_usage(cli, args, message):
    result = cli(*args)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert not Path("/nonexistent-dir").exists()


def test_an_out_that_is_a_file_is_an_error(cli, tmp_path):
    (tmp_path / "file").write_text("")
    result = cli("run", FAST, "--max-sequences", "10", "--out", str(tmp_path / "file"))
    assert result.returncode == 2 and "is a file, not a directory" in result.stderr


def test_run_all_names_every_row_of_the_paper_and_of_the_study():
    from lstm97 import cli
    from lstm97.experiments import GUESSING
    assert [e.name for e in cli._experiments(cli._parse(["run", "--all"]))] == list(EXPERIMENTS)
    both = cli._experiments(cli._parse(["run", "adding-T100", "--all", "--guessing"]))
    assert [e.name for e in both] == ["adding-T100", *EXPERIMENTS, *GUESSING]
    with pytest.raises(ValueError, match="name at least one experiment"):
        cli._experiments(cli._parse(["run"]))
    with pytest.raises(ValueError, match="no variants"):
        cli._experiments(cli._parse(["run", "--guessing", "--set", "h_range=2"]))


def test_an_interrupted_dask_run_stops_the_lanes_on_the_cluster(tmp_path):
    """Dask cannot interrupt a running task (cancelling one only makes the scheduler forget
    it); the run's stop event ends its lane tasks within a round, so the cluster's threads
    are idle seconds after the run ends, not when the trials would."""
    distributed = pytest.importorskip("distributed")

    def running(client):
        return sum(len(threads) for threads in
                   client.run(lambda dask_worker: dict(dask_worker.active_threads)).values())

    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, host="127.0.0.1",
                                  dashboard_address=None, processes=True) as cluster, \
            distributed.Client(cluster) as client:
        # 4 trials of adding-T100, which never meets ST3, to a cap of 2 million sequences:
        # an hour of training, in two lane tasks; SIGTERM once both train
        proc = subprocess.Popen([sys.executable, "-m", "lstm97", "run", "adding-T100", "--trials", "4",
                                 "--max-sequences", "2000000", "--backend", "dask", "--scheduler",
                                 cluster.scheduler_address, "--quiet", "--out", str(tmp_path)],
                                stderr=subprocess.PIPE, text=True, cwd=tmp_path)
        deadline = time.monotonic() + 60
        while running(client) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert running(client) == 2
        time.sleep(1)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=30)
        assert proc.returncode == 130 and "Traceback" not in stderr, stderr
        deadline = time.monotonic() + 10
        while running(client) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert running(client) == 0, "the run's tasks still train on the cluster"
    assert read_results(results_path(tmp_path, get_experiment("adding-T100"))) == []


FAULTS = """
import resource, sys
from lstm97.experiments import pool
from lstm97.experiments.trial import Trial
if sys.argv[1] == "keep":
    pool._keep_freed_memory()
def trial(i):
    t = Trial("2b-p100", i, max_sequences=256 * 6)
    t.monitor.final_test = lambda net: {}   # the training alone
    return t
trial(0).run()                           # the batches' memory, once
second = trial(1)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
second.run()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's mallopt")
def test_a_worker_reuses_the_memory_of_its_last_batch(tmp_path):
    """A worker (pool._keep_freed_memory) takes each batch's arrays (20 MB each for 2b's
    targets and outputs) from memory it freed before, where a default process pays page
    faults for them in every batch (seen: 4 against 9,500-12,600 for a trial's six batches)."""
    faults = {}
    for how in ("default", "keep"):            # from outside the checkout: the installed lstm97
        done = subprocess.run([sys.executable, "-c", FAULTS, how], capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == 0, done.stderr[-2000:]
        faults[how] = int(done.stdout)
    assert faults["keep"] < faults["default"] / 10, faults
