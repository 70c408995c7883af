"""The weight-guessing study's search: guesses per second, and its forward kernel per step.

Targets (issue 16): many guesses per second inside one nogil loop, and the forward kernel's
time per step next to the LSTM core's forward pass on a net of similar size, measured in
one run (alternately, in this process).
"""

import numpy as np

from lstm97 import tasks
from lstm97.experiments.guessing import training_set
from lstm97.models.recurrent import RecurrentNet, a1, a2

from .common import alternate, network

BLOCK = 512
T = 1000


class GuessesPerSecond:
    """Judging 512 random guesses (weights uniform in [-100, 100]) on the study's parity
    training set (100 sequences of 500-600 steps), each stopping at its first wrong
    sequence, as the search does."""

    params = ["A1 (n = 1)", "A2"]
    param_names = ["net"]

    def setup(self, name):
        self.net = RecurrentNet(a1(1) if name.startswith("A1") else a2())
        batch = tasks.SequenceBatch.of(training_set(tasks.Parity(), 100, np.random.default_rng(0)))
        self.args = (batch.inputs, batch.offsets, batch.final_targets, 0.1)
        self.guesses = self.net.guesses(BLOCK, np.random.default_rng(1))
        self.seconds = alternate({"judge": lambda: self.net.judge(self.guesses, *self.args)}, rounds=7)["judge"]

    def track_guesses_per_second(self, name):
        return BLOCK / self.seconds

    track_guesses_per_second.unit = "guesses/s"


class ForwardVsLSTM:
    """One T = 1000 sequence forward: a fully connected standard net (A1 with n = 8, 108
    weights) against the LSTM core on the adding net (4-1, 93 weights), per step."""

    timeout = 300

    def setup_cache(self):
        """One measurement for every track below (see CoreVsC)."""
        rng = np.random.default_rng(0)
        rnn = RecurrentNet(a1(8))
        rnn.set_weights(rnn.guesses(1, rng, 1.0)[0])
        lstm = network("4-1")
        x1, x2 = rng.uniform(-1, 1, (T, 1)), rng.uniform(-1, 1, (T, 2))
        seconds = alternate({"recurrent": lambda: rnn.forward(x1), "lstm": lambda: lstm.forward(x2)})
        return {"per_step": {k: v / T for k, v in seconds.items()},
                "weights": {"recurrent": rnn.n_weights, "lstm": lstm.n_weights}}

    def track_recurrent_us_per_step(self, m):
        return m["per_step"]["recurrent"] * 1e6

    track_recurrent_us_per_step.unit = "us/step"

    def track_lstm_us_per_step(self, m):
        return m["per_step"]["lstm"] * 1e6

    track_lstm_us_per_step.unit = "us/step"

    def track_recurrent_over_lstm_per_weight_step(self, m):
        """Time per weight and step of the standard net over the LSTM's."""
        per_weight = {k: m["per_step"][k] / m["weights"][k] for k in m["per_step"]}
        return per_weight["recurrent"] / per_weight["lstm"]

    track_recurrent_over_lstm_per_weight_step.unit = "x"
