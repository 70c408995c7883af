"""Trials in lockstep (issue #14, item 3): K trials of the adding net trained at once by
``lstm97._lockstep`` against the scalar core, per trial-step.

Targets (the issue): at most 100 ns per trial-step, and at least 3.5 times the scalar core,
both measured side by side in one process in thread CPU time.  ``python -m
benchmarks.bench_lockstep`` prints the figures.
"""

import numpy as np

from lstm97 import _core
from lstm97._lockstep import LANES
from lstm97.models._sequences import pack

from .common import alternate, network, sequence

T = 1000
SEQUENCES = 4                  # per lane and call, as a trial's batch would hold them
LEARNING_RATE = 1e-3


def measure(rounds=21):
    """Nanoseconds per trial-step: ``{1: scalar core, 4: ..., 8: ..., 16: ...}``, training
    T = 1000 adding sequences (4-1 net, 93 weights, one target at the last step,
    ``update="sequence"``), each lane's net from weights of its own.  Both kernels are
    called on the same packed batch (``Core.run``, ``Lanes.run``), so neither pays the
    validation and packing of the Python layer."""
    top = network("4-1").topology
    x, _, offsets, y, mask = pack([sequence(top, "dense", "end", T, seed=i) for i in range(SEQUENCES)],
                                  top.n_inputs, top.n_outputs, True)
    mode = _core.Mode.MODE_TRAIN_SEQUENCE

    def batch():
        return x, None, offsets, y, mask, None, np.zeros(SEQUENCES)

    scalar = network("4-1")._core
    runs = {1: lambda: scalar.run(*batch(), mode, LEARNING_RATE)}
    for K in LANES:
        nets = [network("4-1", seed=i) for i in range(K)]
        lanes, cores, batches = nets[0]._lanes(K), [net._core for net in nets], [batch() for _ in nets]
        runs[K] = lambda lanes=lanes, cores=cores, batches=batches: lanes.run(cores, batches, mode, LEARNING_RATE)
    seconds = alternate(runs, rounds=rounds, calls=3)
    return {K: s / (T * SEQUENCES * K) * 1e9 for K, s in seconds.items()}


class Lockstep:
    """The adding net (4-1, 93 weights) on T = 1000 sequences: ns per trial-step of the
    scalar core (K = 1) and of 4, 8 and 16 lanes, measured alternately in this process."""

    timeout = 600

    def setup_cache(self):
        return measure()

    def track_scalar_ns_per_trial_step(self, ns):
        """The scalar core, one trial: ``Core.run``."""
        return ns[1]

    def track_lanes4_ns_per_trial_step(self, ns):
        return ns[4]

    def track_lanes8_ns_per_trial_step(self, ns):
        return ns[8]

    def track_lanes16_ns_per_trial_step(self, ns):
        """Target <= 100."""
        return ns[16]

    def track_speedup_best(self, ns):
        """Scalar / the fastest K, per trial-step; target >= 3.5."""
        return ns[1] / min(ns[K] for K in LANES)

    for _name in ("scalar", "lanes4", "lanes8", "lanes16"):
        locals()[f"track_{_name}_ns_per_trial_step"].unit = "ns/trial-step"
    track_speedup_best.unit = "x"
    del _name


if __name__ == "__main__":
    ns = measure()
    for K, v in ns.items():
        print(f"K = {K:2d}: {v:6.1f} ns per trial-step, {ns[1] / v:4.2f} x the scalar core")
