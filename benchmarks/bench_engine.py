"""Speed and memory of the compiled core on the paper's networks and tasks."""

from .common import NETS, best_time, network, sequence

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
