"""Time per weight and time step as the network grows: the O(W) claim, measured.

A family of fully connected (F) nets with dense inputs, blocks of two cells and all
non-input units biased, trained with a target at the end of T = 1000 steps.
"""

import lstm97

from .common import best_time, sequence

T = 1000
BLOCKS = [2, 4, 8, 16, 24]


def scaling_net(n_blocks):
    top = lstm97.Topology(n_inputs=8, n_outputs=2, block_sizes=(2,) * n_blocks, bias="all")
    return lstm97.LSTM(top, rng=0)


class Scaling:
    params = BLOCKS
    param_names = ["blocks of 2 cells"]

    def setup(self, n_blocks):
        self.net = scaling_net(n_blocks)
        self.x, self.y, self.mask = sequence(self.net.topology, "dense", "end", T)

    def track_weights(self, n_blocks):
        return self.net.n_weights

    track_weights.unit = "weights"

    def track_ns_per_weight_step(self, n_blocks):
        run = lambda: self.net.train_sequence(self.x, self.y, self.mask, learning_rate=1e-3)  # noqa: E731
        return best_time(run, number=5) / T / self.net.n_weights * 1e9

    track_ns_per_weight_step.unit = "ns"
