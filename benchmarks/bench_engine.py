"""Speed and memory of the compiled core on the paper's networks."""

import timeit

from .common import NETS, network, sequence

T = 1000


class Engine:
    """One training sequence / forward pass of T = 1000 steps on each Table 10 net."""

    params = list(NETS)
    param_names = ["net"]

    def setup(self, name):
        row, coding, targets = NETS[name]
        self.net = network(row)
        self.x, self.y, self.mask = sequence(self.net.topology, coding, targets, T)

    def time_train_sequence(self, name):
        self.net.train_sequence(self.x, self.y, self.mask, learning_rate=1e-3)

    def time_forward(self, name):
        self.net.forward(self.x)

    def track_train_us_per_step(self, name):
        """Best of 5 repeats of 20 training sequences, in microseconds per time step.
        Targets: adding <= 0.45, 6a <= 0.6, 2c p=1000 <= 1.0 (issue 2)."""
        runs = timeit.repeat(lambda: self.time_train_sequence(name), number=20, repeat=5)
        return min(runs) / 20 / T * 1e6

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
