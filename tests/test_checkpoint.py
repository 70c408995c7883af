"""Checkpoints of running trials (lstm97.experiments.checkpoint): a trial saved between two
batches and resumed in a new object ends with the record it would have written
uninterrupted, and a run killed mid-trial resumes each trial from its checkpoint."""

import json
import os
import signal
import subprocess
import sys
import time
import zipfile

import numpy as np
import pytest

from lstm97.experiments import get_experiment, read_results, results_path, run_experiment, run_trial
from lstm97.experiments.checkpoint import checkpoint_path, identity, resume, save
from lstm97.experiments.trial import Trial
from lstm97.experiments.runner import machine


def without_time(records):
    return [{k: v for k, v in r.items() if k != "wall_time"} for r in records]


class _Stop(Exception):
    pass


def _trained_to(trial, n):
    """``trial`` trained until its first batch that ends at or past ``n`` sequences."""
    def progress(done):
        if done >= n:
            raise _Stop
    with pytest.raises(_Stop):
        trial.run(progress=progress)
    return trial


# One row of each stop criterion, fixed sets, a construction schedule, per-step updates and
# a competitor's learner; (row, cap, where to save).  The first three are solved within the
# cap after the checkpoint, so the monitors' state decides when they stop.
ROWS = [("temporal-order-6a", 60_000, 20_000), ("3a-T100-N3", 40_000, 20_000),
        ("reber-3x2-lr0.5[bias=all,outputs_read=inputs]", 30_000, 12_000), ("adding-T100", 3_000, 1_500),
        ("2c-q50-p50", 2_000, 1_000), ("reber-3x2-lr0.5[update=step]", 1_500, 700),
        ("reber-elman-h15", 2_000, 1_000)]


@pytest.mark.parametrize("row, cap, at", ROWS, ids=[r[0] for r in ROWS])
def test_a_resumed_trial_ends_with_the_record_it_would_have_had(tmp_path, row, cap, at):
    exp = get_experiment(row)
    expected = run_trial(exp, 3, max_sequences=cap)
    trial = _trained_to(Trial(exp, 3, max_sequences=cap), at)
    assert not trial.done
    saved_at = trial.n
    save(trial, tmp_path / "c.npz")
    time.sleep(0.01)
    resumed = resume(tmp_path / "c.npz", lambda: Trial(exp, 3, max_sequences=cap))
    assert resumed is not trial and resumed.n == saved_at
    record = resumed.run()
    assert without_time([record]) == without_time([expected])
    assert record["wall_time"] >= 0.01                      # the time before the save counts


def test_a_resumed_construction_adds_the_cell_when_it_would_have(tmp_path):
    """Exp 2a's sequential construction, saved before the cell is added; trained to the cap
    by iterating (so without the final test of 10,000 sequences), both ways."""
    exp, cap = get_experiment("2a-p100[cell_at=200,construction=sequential]"), 500
    whole = Trial(exp, 3, max_sequences=cap)
    for _ in whole:
        pass
    trial = Trial(exp, 3, max_sequences=cap)
    for step in trial:
        if step.n == 150:
            break
    save(trial, tmp_path / "c.npz")
    resumed = resume(tmp_path / "c.npz", lambda: Trial(exp, 3, max_sequences=cap))
    assert resumed.n == 150 and resumed.construction.added_at is None
    for _ in resumed:
        pass
    assert resumed.construction.added_at == whole.construction.added_at == 200
    assert resumed.curve == whole.curve and resumed.n == whole.n == cap
    for group, w in whole.net.get_weights().items():
        np.testing.assert_array_equal(resumed.net.get_weights()[group], w)


def test_the_solved_rows_are_solved_after_the_checkpoint():
    """The first rows of ROWS test the monitors only if they stop after the save."""
    for row, cap, at in ROWS[:3]:
        record = run_trial(row, 3, max_sequences=cap)
        assert record["solved"] and record["trained"] > at, row


@pytest.mark.parametrize("other", [{"trial": 3}, {"seed": 1}, {"max_sequences": 2_500}])
def test_a_checkpoint_of_another_trial_is_not_used(tmp_path, other):
    exp = get_experiment("adding-T100")
    save(_trained_to(Trial(exp, 2, max_sequences=3_000), 1_000), tmp_path / "c.npz")
    options = {"trial": 2, "seed": 0, "max_sequences": 3_000, **other}
    resumed = resume(tmp_path / "c.npz", lambda: Trial(exp, options.pop("trial"), **options))
    assert resumed.n == 0


def test_an_unreadable_checkpoint_warns_and_the_trial_starts_afresh(tmp_path):
    exp = get_experiment("adding-T100")
    path = tmp_path / "c.npz"
    save(_trained_to(Trial(exp, 2, max_sequences=3_000), 1_000), path)
    good = path.read_bytes()
    for damaged in (good[: len(good) // 2], b"not a zip"):
        path.write_bytes(damaged)
        with pytest.warns(RuntimeWarning, match="cannot be read.*starts afresh"):
            assert resume(path, lambda: Trial(exp, 2, max_sequences=3_000)).n == 0


def test_a_checkpoint_is_never_unpickled(tmp_path):
    """An object array (which only pickle can read) in place of the header is refused."""
    exp = get_experiment("adding-T100")
    path = tmp_path / "c.npz"
    save(_trained_to(Trial(exp, 2, max_sequences=3_000), 1_000), path)
    with np.load(path) as archive:
        arrays = {key: archive[key] for key in archive.files}
    arrays["meta"] = np.array([{"format": "lstm97-trial-checkpoint"}], dtype=object)
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    with pytest.warns(RuntimeWarning, match="cannot be read"):
        assert resume(path, lambda: Trial(exp, 2, max_sequences=3_000)).n == 0


def test_identity_names_the_trial_a_checkpoint_holds_and_refuses_other_files(tmp_path):
    exp = get_experiment("adding-T100")
    path = tmp_path / "c.npz"
    save(_trained_to(Trial(exp, 2, seed=7, max_sequences=3_000), 1_000), path)
    meta = identity(path)
    assert meta == {"experiment": "adding-T100", "trial": 2, "seed": 7, "max_sequences": 3_000}
    resumed = resume(path, lambda: Trial(get_experiment(meta["experiment"]), meta["trial"], seed=meta["seed"],
                                         max_sequences=meta["max_sequences"]))
    assert resumed.n >= 1_000
    good = path.read_bytes()
    np.savez(tmp_path / "plain.npz", meta=np.array('{"format": "something else"}'))
    for damaged in (good[: len(good) // 2], b"not a zip"):
        path.write_bytes(damaged)
        with pytest.raises(ValueError, match=r"'.*c\.npz' is not a readable trial checkpoint"):
            identity(path)
    with pytest.raises(ValueError, match=r"plain\.npz' is not a trial checkpoint of format lstm97-trial-checkpoint"):
        identity(tmp_path / "plain.npz")
    with pytest.raises(ValueError, match="not a readable trial checkpoint"):
        identity(tmp_path / "missing.npz")


def test_state_a_checkpoint_cannot_store_is_an_error_naming_it(tmp_path):
    trial = _trained_to(Trial("adding-T100", 2, max_sequences=3_000), 1_000)
    trial.monitor.handle = object()
    with pytest.raises(TypeError, match=r"_RecentMonitor\.handle \(object\).*_REBUILT"):
        save(trial, tmp_path / "c.npz")
    assert not (tmp_path / "c.npz").exists()


def test_the_file_holds_arrays_and_a_json_header_only(tmp_path):
    save(_trained_to(Trial("adding-T100", 2, max_sequences=3_000), 1_000), tmp_path / "c.npz")
    with zipfile.ZipFile(tmp_path / "c.npz") as z:
        names = set(z.namelist())
    assert "meta.npy" in names and all(n.endswith(".npy") for n in names)
    with np.load(tmp_path / "c.npz", allow_pickle=False) as archive:
        meta = json.loads(str(archive["meta"]))
    assert {k: meta[k] for k in ("format", "experiment", "trial", "seed", "max_sequences")} == {
        "format": "lstm97-trial-checkpoint", "experiment": "adding-T100", "trial": 2, "seed": 0,
        "max_sequences": 3_000}


# A row whose trials all run to the cap (the literal adding net learns nothing in 40,000),
# each for a second or so: the throttled heartbeat (every 0.5 s) sees each one running.
ROW, CAP = "adding-T100", 40_000


@pytest.fixture(scope="module")
def uninterrupted():
    return [run_trial(ROW, i, max_sequences=CAP) for i in range(3)]


def _mark(path, seconds=1000.0):
    """Add ``seconds`` to the time trained that the checkpoint at ``path`` holds: a record
    resumed from it then says so in its ``wall_time``."""
    with np.load(path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    meta = json.loads(str(arrays.pop("meta")))
    meta["elapsed"] += seconds
    with open(path, "wb") as f:
        np.savez(f, meta=np.array(json.dumps(meta)), **arrays)


@pytest.mark.parametrize("jobs, lanes", [(1, 0), (1, 4), (2, 0)])
def test_an_interrupted_run_resumes_each_trial_from_its_checkpoint(tmp_path, uninterrupted, jobs, lanes):
    """Stopped while the last trial is under way (its checkpoint saved at every batch), the
    run resumes it from that checkpoint (marked, so its record shows it) to the record the
    uninterrupted run has."""
    out = tmp_path / "cut"
    assert not any(r["solved"] for r in uninterrupted)
    path = checkpoint_path(out, get_experiment(ROW), 2)

    def stop_late(trial, n):
        if trial == 2 and n > 5_000 and path.exists():
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_experiment(ROW, out, trials=3, max_sequences=CAP, jobs=jobs, lanes=lanes, heartbeat=stop_late,
                       checkpoint_every=1e-9)
    _mark(path)
    records = run_experiment(ROW, out, trials=3, max_sequences=CAP, jobs=jobs, lanes=lanes, checkpoint_every=1e-9)
    assert without_time(records) == without_time(uninterrupted)
    assert records[2]["wall_time"] > 1000                   # it went on from its checkpoint
    assert not (out / ".checkpoints").exists()              # each went with its record
    cut, rest = [json.loads(line) for line in (out / "runs.log").read_text().splitlines()]
    assert (cut["stopped_by"], cut["complete"], rest["stopped_by"], rest["complete"]) == (
        "KeyboardInterrupt", False, None, True)
    assert cut["trials_finished"] + rest["trials_finished"] == 3
    assert {cut["experiment"], rest["experiment"]} == {ROW} and (rest["jobs"], rest["lanes"]) == (jobs, lanes)
    assert all(e["wall_time"] > 0 and e["cpu_time"] > 0 for e in (cut, rest))
    assert cut["machine"] == rest["machine"] == machine() and machine()["cpu"] and machine()["cores"] >= 1


def test_a_killed_cli_run_resumes_mid_trial(tmp_path, uninterrupted):
    """kill -9 of the whole process group while both trials are running; the second run
    takes each trial up from its checkpoint, and removes what a writer killed mid-write
    leaves (write_npz's temporary file)."""
    args = ["run", ROW, "--trials", "2", "--max-sequences", str(CAP), "--jobs", "2", "--lanes", "0",
            "--checkpoint-every", "0.1", "--out", str(tmp_path), "--quiet"]
    proc = subprocess.Popen([sys.executable, "-m", "lstm97", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True, cwd=tmp_path)
    folder = tmp_path / ".checkpoints" / ROW
    deadline = time.time() + 300
    while time.time() < deadline and len(list(folder.glob("trial-*.npz"))) < 2:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    saved = sorted(folder.glob("trial-*.npz"))
    assert len(saved) == 2 and not results_path(tmp_path, ROW).read_text()
    for path in saved:
        _mark(path)
    (folder / ".lstm97-0123456789abcdef.tmp").write_bytes(b"PK\x03\x04")
    result = subprocess.run([sys.executable, "-m", "lstm97", *args], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    records = read_results(results_path(tmp_path, ROW))
    assert without_time(records) == without_time(uninterrupted[:2])
    assert all(r["wall_time"] > 1000 for r in records)
    assert not folder.exists()


def test_checkpoint_every_is_checked(tmp_path):
    with pytest.raises(ValueError, match="checkpoint_every must be at least 0"):
        run_experiment(ROW, tmp_path, trials=1, max_sequences=1_000, jobs=1, checkpoint_every=-1)
    with pytest.raises(TypeError, match="checkpoint_every must be a real number"):
        run_experiment(ROW, tmp_path, trials=1, max_sequences=1_000, jobs=1, checkpoint_every="60")
