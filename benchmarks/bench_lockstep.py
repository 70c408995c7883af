"""Trials in lockstep (issue #14, item 3): K trials of the adding net trained at once by
``lstm97._lockstep`` against the scalar core and against bench_baseline's plain-C loop, per
trial-step.

Targets (the issue): at most 100 ns per trial-step, and at least 3.5 times the scalar core
(the core of the issue's day, 1.23-1.43 times the C loop: so at least 4.3 to 5.0 times the C
loop), all measured side by side in one process in thread CPU time.  ``python -m
benchmarks.bench_lockstep`` prints the figures.
"""

import numpy as np

from lstm97 import _core
from lstm97._lockstep import ISAS, LANES, default_isa
from lstm97.models._sequences import pack

from .c_baseline import CBaseline
from .common import alternate, network, sequence

T = 1000
SEQUENCES = 4                  # per lane and call, as a trial's batch would hold them
LEARNING_RATE = 1e-3


def measure(rounds=21):
    """Nanoseconds per trial-step: ``{1: scalar core, "c": the plain-C loop of
    bench_baseline, (4, isa): ..., (8, isa): ..., (16, isa): ...}`` for every build ``isa``
    of the kernel the CPU runs (``ISAS``),
    training T = 1000 adding sequences (4-1 net, 93
    weights, one target at the last step, ``update="sequence"``), each lane's net from
    weights of its own.  Both kernels are called on the same packed batch (``Core.run``,
    ``Lanes.run``), so neither pays the validation and packing of the Python layer."""
    top = network("4-1").topology
    sequences = [sequence(top, "dense", "end", T, seed=i) for i in range(SEQUENCES)]
    x, _, offsets, y, mask = pack(sequences, top.n_inputs, top.n_outputs, True)
    mode = _core.Mode.MODE_TRAIN_SEQUENCE

    def batch():
        return x, None, offsets, y, mask, None, np.zeros(SEQUENCES)

    scalar = network("4-1")._core
    c = CBaseline(network("4-1"))
    runs = {1: lambda: scalar.run(*batch(), mode, LEARNING_RATE),
            "c": lambda: [c.train_sequence(*s, LEARNING_RATE) for s in sequences]}
    for K in LANES:
        for isa in ISAS:
            nets = [network("4-1", seed=i) for i in range(K)]
            lanes, cores, batches = nets[0]._lanes(K, isa), [net._core for net in nets], [batch() for _ in nets]
            runs[K, isa] = lambda lanes=lanes, cores=cores, batches=batches: lanes.run(cores, batches, mode,
                                                                                       LEARNING_RATE)
    seconds = alternate(runs, rounds=rounds, calls=3)
    return {key: s / (T * SEQUENCES * (key[0] if isinstance(key, tuple) else 1)) * 1e9
            for key, s in seconds.items()}


def _fastest(ns):
    """The fastest K's ns per trial-step, each K in the build the runner uses."""
    return min(ns[K, default_isa(K)] for K in LANES)


class Lockstep:
    """The adding net (4-1, 93 weights) on T = 1000 sequences: ns per trial-step of the
    scalar core (K = 1) and of 4, 8 and 16 lanes (in the build the runner uses,
    ``default_isa``, and in each build), measured alternately in this process."""

    timeout = 600

    def setup_cache(self):
        return measure()

    def track_scalar_ns_per_trial_step(self, ns):
        """The scalar core, one trial: ``Core.run``."""
        return ns[1]

    def track_lanes4_ns_per_trial_step(self, ns):
        return ns[4, default_isa(4)]

    def track_lanes8_ns_per_trial_step(self, ns):
        return ns[8, default_isa(8)]

    def track_lanes16_ns_per_trial_step(self, ns):
        """Target <= 100."""
        return ns[16, default_isa(16)]

    def track_speedup_best(self, ns):
        """Scalar / the fastest K, per trial-step; target >= 3.5."""
        return ns[1] / _fastest(ns)

    def track_c_ns_per_trial_step(self, ns):
        """The plain-C loop (``-O3 -g0``), one trial, a sequence per call."""
        return ns["c"]

    def track_speedup_over_c(self, ns):
        """The C loop / the fastest K, per trial-step (the issue's prototype: 2.9)."""
        return ns["c"] / _fastest(ns)

    for _name in ("scalar", "c", "lanes4", "lanes8", "lanes16"):
        locals()[f"track_{_name}_ns_per_trial_step"].unit = "ns/trial-step"
    track_speedup_best.unit = track_speedup_over_c.unit = "x"
    del _name


class LockstepBuilds:
    """The same measurement, per build of the kernel (``_lockstep.ISAS``) and K."""

    timeout = 600
    params = (list(LANES), list(ISAS))
    param_names = ("lanes", "isa")

    def setup_cache(self):
        return measure()

    def track_ns_per_trial_step(self, ns, lanes, isa):
        return ns[lanes, isa]

    track_ns_per_trial_step.unit = "ns/trial-step"


if __name__ == "__main__":
    ns = measure()
    print(f"the scalar core: {ns[1]:6.1f} ns per trial-step; the C loop: {ns['c']:6.1f}")
    for (K, isa), v in sorted((key, v) for key, v in ns.items() if isinstance(key, tuple)):
        print(f"K = {K:2d}, {isa:>8}: {v:6.1f} ns per trial-step, {ns[1] / v:4.2f} x the scalar core, "
              f"{ns['c'] / v:4.2f} x the C loop")
