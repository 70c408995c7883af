"""The whole paper on this machine (issue #14, item 5): what ``lstm97 run --all`` costs, a
projection from measured parts (``tools/paper_cost.py``): each row's CPU time per training
sequence as the runner trains it on 2 cores, times the sequences its trials train in the
complete paper run committed in ``docs/paper-run`` (an unsolved trial counted to the cap).

Targets (the issue): all 31 LSTM rows with the paper's trials in at most 3 hours on the 2
cores, and no trial longer than 35 minutes.  ``python -m benchmarks.bench_paper`` prints the
figures; ``python tools/paper_cost.py docs/paper-run`` the rows.
"""

from .common import REPO, repo_module

RECORDS = REPO / "docs" / "paper-run"


class PaperCost:
    """Hours on the 2 cores, from one measurement of every row (about 3 minutes)."""

    timeout = 900

    def setup_cache(self):
        if not RECORDS.is_dir():             # not a checkout (an unpacked sdist has no records)
            return None
        cost = repo_module("tools", "paper_cost")
        return cost.totals(list(cost.project(str(RECORDS))))

    def setup(self, figures):
        if figures is None:
            raise NotImplementedError(f"no paper run in {RECORDS}")

    def track_hours_on_2_cores(self, figures):
        """All 31 rows, the paper's trials, our trials' sequences (target: at most 3)."""
        return figures["hours"]

    def track_longest_trial_hours(self, figures):
        """The longest trial, waiting in its lanes for the others (target: at most 35/60)."""
        return figures["longest"]

    def track_hours_at_the_papers_sequences(self, figures):
        """Had every trial trained the paper's mean sequences for its row: the engine's share."""
        return figures["at_paper"]

    track_hours_on_2_cores.unit = track_longest_trial_hours.unit = "hours"
    track_hours_at_the_papers_sequences.unit = "hours"


if __name__ == "__main__":
    figures = PaperCost().setup_cache()
    print(f"no paper run in {RECORDS}" if figures is None
          else ", ".join(f"{k}: {v:.2f} h" for k, v in figures.items()))
