"""The task generators: time per sequence, and their share of the training time."""

import numpy as np

from lstm97 import tasks

from .common import best_time, network

GENERATORS = {
    "reber": tasks.EmbeddedReber(),
    "2a p=100": tasks.LongTimeLag(p=100, variant="2a"),
    "2b p=100": tasks.LongTimeLag(p=100, variant="2b"),
    "2c p=q=1000": tasks.VeryLongTimeLag(p=1000, q=1000),
    "3a T=100": tasks.TwoSequence(T=100, N=3),
    "3c T=100": tasks.TwoSequence(T=100, N=3, variant="3c"),
    "adding T=1000": tasks.Adding(T=1000),
    "multiplication T=100": tasks.Multiplication(T=100),
    "temporal order 6b": tasks.TemporalOrder("6b"),
    "parity T=500": tasks.Parity(),
    "tomita #4": tasks.Tomita(grammar=4),
}


class Generators:
    params = list(GENERATORS)
    param_names = ["task"]

    def setup(self, name):
        self.task = GENERATORS[name]
        self.rng = np.random.default_rng(0)

    def time_sample(self, name):
        self.task.sample(0)

    def track_us_per_sequence_in_a_batch(self, name):
        """A batch of 256, as the runner draws them (Exps 2c-6 in C), per sequence."""
        return 1e6 * best_time(lambda: self.task.sample_batch(256, self.rng), number=3) / 256

    track_us_per_sequence_in_a_batch.unit = "µs"


class GenerationShare:
    """Generating a sequence against training on it, in percent.  Target (issue 3): at
    most 20 for adding with T = 1000 and for 2c with p = q = 1000, one sequence at a time;
    and the same share as the runner has it, a batch of 256 drawn and trained at once."""

    ROWS = {"adding T=1000": "4-1", "2c p=q=1000": "2c-5"}
    params = list(ROWS)
    param_names = ["task"]

    def setup(self, name):
        self.task = GENERATORS[name]
        self.net = network(self.ROWS[name])
        self.seq = self.task.sample(0)

    def track_percent_of_training(self, name):
        generate = best_time(lambda: self.task.sample(0), number=50)
        train = best_time(lambda: self.net.train_sequence(*self.seq, learning_rate=1e-3), number=50)
        return 100 * generate / train

    def track_percent_of_training_in_a_batch(self, name):
        rng = np.random.default_rng(0)
        batch = self.task.sample_batch(256, rng)
        generate = best_time(lambda: self.task.sample_batch(256, rng), number=3)
        train = best_time(lambda: self.net.train_sequences(batch, learning_rate=1e-3), number=3)
        return 100 * generate / train

    track_percent_of_training.unit = track_percent_of_training_in_a_batch.unit = "%"
