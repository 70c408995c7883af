"""Learning, tracked per commit: the training sequences a fixed-seed trial needs.

A change that breaks learning shows up here even when every speed benchmark improves.
An unsolved trial reports the sequences it trained on (the experiment's cap).
"""

from lstm97.experiments import run_trial


class Learning:
    params = ["reber-3x2-lr0.5", "adding-T100"]
    param_names = ["experiment"]
    timeout = 1800
    number = 1
    repeat = 1

    def track_sequences_to_criterion(self, name):
        """Trial 0 of seed 0, trained until the paper's criterion or the cap."""
        return run_trial(name, 0, seed=0)["trained"]

    track_sequences_to_criterion.unit = "sequences"
