"""The core against its twins: the pure-NumPy reference and PyTorch autograd.

Each ratio is measured in one process, one right after the other, so it holds even
when the shared machine's speed drifts.  The sequences are long enough (T = 1000 for
the core) that per-call overhead does not blur the per-step figures.
"""

from .common import best_time, network, repo_module, sequence

T_CORE = 1000
T_TWIN = 100


class _Twin:
    def setup(self):
        self.net = network("4-1")
        x, y, mask = sequence(self.net.topology, "dense", "end", T_CORE)
        run = lambda: self.net.gradient(x, y, mask)  # noqa: E731
        self.core_per_step = best_time(run, number=20) / T_CORE
        self.short = sequence(self.net.topology, "dense", "end", T_TWIN)

    def twin_per_step(self):
        return best_time(self.run_twin, number=3) / T_TWIN

    def track_speedup_per_step(self):
        return self.twin_per_step() / self.core_per_step

    track_speedup_per_step.unit = "x"


class NumpyTwin(_Twin):
    """Truncated gradient on the adding net (93 weights): core vs tests/reference.py."""

    def setup(self):
        super().setup()
        twin = repo_module("tests", "reference").ReferenceLSTM(self.net.topology, self.net.get_weights())
        self.run_twin = lambda: twin.run(*self.short)


class TorchAutograd(_Twin):
    """The same gradient by PyTorch autograd (tests/torch_twin.py); target: the core at
    least 800x faster per step (issue 5).  Skipped where torch is not installed."""

    timeout = 300

    def setup(self):
        try:
            torch_twin = repo_module("tests", "torch_twin")
        except ImportError:
            raise NotImplementedError("torch is not installed") from None
        super().setup()
        self.run_twin = lambda: torch_twin.truncated_gradient(self.net, *self.short)

    def track_autograd_us_per_step(self):
        return self.twin_per_step() * 1e6

    track_autograd_us_per_step.unit = "us/step"
