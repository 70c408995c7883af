"""The core against a plain-C build of the same algorithm (c_baseline/lstm_baseline.c).

Target (the issue): the core at most 1.0x the C baseline per step on the adding net,
with the C compiled at the core's own flags (``-O3 -g0``).  The ``-march=native`` build
shows what the portable flags leave on the table.
"""

from .c_baseline import NATIVE_FLAGS, CBaseline
from .common import alternate, network, sequence

T = 1000
LEARNING_RATE = 1e-3


class CoreVsC:
    """Training on one T = 1000 adding sequence (4-1 net, 93 weights, one target at the
    last step, ``update="sequence"``): the core's ``LSTM.train_sequence`` against the C
    baseline from the same weights, per step, measured alternately in this process."""

    timeout = 300

    def setup_cache(self):
        """One measurement for every track below (asv runs each track in a process of its
        own; the cache makes them all read this one)."""
        net = network("4-1")
        x, y, mask = sequence(net.topology, "dense", "end", T)
        c, native = CBaseline(net), CBaseline(net, NATIVE_FLAGS)
        seconds = alternate({
            "core": lambda: net.train_sequence(x, y, mask, learning_rate=LEARNING_RATE),
            "c": lambda: c.train_sequence(x, y, mask, LEARNING_RATE),
            "c_native": lambda: native.train_sequence(x, y, mask, LEARNING_RATE),
        })
        return {name: s / T for name, s in seconds.items()}

    def track_core_over_c(self, per_step):
        """Core / C (both at ``-O3 -g0``), per step; target <= 1.0."""
        return per_step["core"] / per_step["c"]

    track_core_over_c.unit = "x"

    def track_core_over_c_native(self, per_step):
        """Core / C built with ``-O3 -march=native``, per step."""
        return per_step["core"] / per_step["c_native"]

    track_core_over_c_native.unit = "x"

    def track_core_us_per_step(self, per_step):
        """Microseconds per step of the core (the median the ratios use)."""
        return per_step["core"] * 1e6

    track_core_us_per_step.unit = "us/step"

    def track_c_us_per_step(self, per_step):
        """Microseconds per step of the C baseline at ``-O3 -g0``."""
        return per_step["c"] * 1e6

    track_c_us_per_step.unit = "us/step"

    def track_c_native_us_per_step(self, per_step):
        """Microseconds per step of the C baseline at ``-O3 -march=native``."""
        return per_step["c_native"] * 1e6

    track_c_native_us_per_step.unit = "us/step"
