"""Speed and memory of the compiled core on the paper's networks and tasks."""

import numpy as np

from lstm97 import tasks

from .common import NETS, alternate, best_time, network, sequence

BATCH = 20


class Engine:
    """Each Table 10 net on 20 sequences drawn from its own task (fixed seed)."""

    params = list(NETS)
    param_names = ["net"]

    def setup(self, name):
        row, task = NETS[name]
        self.net = network(row)
        self.learning_rate = 1e-3
        self.batch = [task.sample(seed) for seed in range(BATCH)]
        self.steps = sum(seq.length for seq in self.batch)

    def time_train_sequences(self, name):
        """Train on the 20 sequences, one after the other (online, as the paper does)."""
        for seq in self.batch:
            self.net.train_sequence(*seq, learning_rate=self.learning_rate)

    def time_forward(self, name):
        for seq in self.batch:
            self.net.forward(seq.inputs)

    def track_train_us_per_step(self, name):
        """Microseconds per time step of training, best of 5 (the per-call overhead of
        short sequences included).  Targets (issue 2): adding <= 0.45, 6a <= 0.6,
        2c p=q=1000 <= 1."""
        return best_time(lambda: self.time_train_sequences(name), number=3) / self.steps * 1e6

    track_train_us_per_step.unit = "us/step"


class ShortSequences:
    """Embedded Reber (Reber 3x2 net, strings of about 12 steps): 256 strings trained in one
    call (``train_sequences`` on a packed ``SequenceBatch``, as a trial trains them) against
    one call per string and against the per-step cost of one long sequence of the same
    symbols, all measured in this process.  Targets (issue 14): at most 2 µs overhead per
    string, and the batch within 1.5x the long sequence's cost per step."""

    timeout = 300

    def setup_cache(self):
        """One measurement for every track below (see CoreVsC): seconds per call."""
        net = network("1-5")
        rng = np.random.default_rng(0)
        strings = [tasks.EmbeddedReber().sample(rng) for _ in range(256)]
        batch = tasks.SequenceBatch.of(strings)
        long = (batch.inputs, batch.targets, batch.target_mask)
        lr = 1e-3
        seconds = alternate({
            "batch": lambda: net.train_sequences(batch, learning_rate=lr),
            "list": lambda: net.train_sequences(strings, learning_rate=lr),
            "calls": lambda: [net.train_sequence(*s, learning_rate=lr) for s in strings],
            "long": lambda: net.train_sequence(*long, learning_rate=lr),
        }, rounds=15)
        return {**seconds, "strings": len(strings)}

    @staticmethod
    def _overhead(seconds, how):
        return (seconds[how] - seconds["long"]) / seconds["strings"] * 1e6

    def track_overhead_us_per_string_batch(self, seconds):
        """µs per string beyond the step work, 256 packed strings per call; target <= 2."""
        return self._overhead(seconds, "batch")

    track_overhead_us_per_string_batch.unit = "us"

    def track_overhead_us_per_string_list(self, seconds):
        """The same for a plain list of 256 strings (packed inside the call)."""
        return self._overhead(seconds, "list")

    track_overhead_us_per_string_list.unit = "us"

    def track_overhead_us_per_string_one_call_each(self, seconds):
        """The same with one ``train_sequence`` call per string."""
        return self._overhead(seconds, "calls")

    track_overhead_us_per_string_one_call_each.unit = "us"

    def track_batch_over_long_per_step(self, seconds):
        """Cost per step of the packed batch over that of one long sequence; target <= 1.5."""
        return seconds["batch"] / seconds["long"]

    track_batch_over_long_per_step.unit = "x"


class MemoryVsLength:
    """Peak memory of training on the adding net as the sequence grows: O(W), not O(T)."""

    params = [100, 1000, 10_000]
    param_names = ["T"]

    def setup(self, length):
        self.net = network("4-1")
        self.x, self.y, self.mask = sequence(self.net.topology, "dense", "end", length)

    def peakmem_train_sequence(self, length):
        self.net.train_sequence(self.x, self.y, self.mask, learning_rate=1e-3)


def timeraw_import_lstm97():
    """Import time of the package in a fresh interpreter."""
    return "import lstm97"
