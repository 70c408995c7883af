"""The competitors' learners (issue 17): full RTRL, BPTT and Elman's procedure, per step
and per weight-step on the paper's nets, RTRL's growth with the number of units, and the
memory each keeps as the sequences grow.

Each class measures once in ``setup_cache`` (alternating the learners in one process, in
thread CPU time, see ``common.alternate``) and reports the figures as ``track_`` values.
"""

import numpy as np

from lstm97 import tasks
from lstm97.models.recurrent import RecurrentNet, elman, fully_recurrent, layered

from .common import alternate

#: The learners of a net: (name, learner, window, update).
LEARNERS = [("RTRL", "rtrl", None, "step"), ("BPTT", "bptt", None, "sequence"),
            ("BPTT(1) = Elman", "bptt", 1, "step")]

#: The paper's competitor nets on their tasks: 2a with p = 4 (36 weights, Table 2) and
#: embedded Reber with 12 hidden units fully recurrent (494 weights, Table 1) or Elman's
#: net with 15 (435 weights).
NETS = {"2a p=4, layered (36 w)": (layered(5, 5), tasks.LongTimeLag(p=4, variant="2a"), 4000),
        "Reber, fully recurrent h=12 (494 w)": (fully_recurrent(7, 7, 12), tasks.EmbeddedReber(), 60),
        "Reber, Elman h=15 (435 w)": (elman(7, 7, 15), tasks.EmbeddedReber(), 400)}


def _trainer(top, learner, window, update, batch, rng):
    net = RecurrentNet(top, learner=learner, window=window, rng=rng)
    start = net.get_weights()

    def run():
        net.set_weights(start)
        net.train_sequences(batch, learning_rate=0.1, update=update)
    return run


class LearnerSpeed:
    """Training on a packed batch of the task's sequences, per step and per weight-step."""

    timeout = 600

    def setup_cache(self):
        rng = np.random.default_rng(0)
        per_step, weights = {}, {}
        for net_name, (top, task, n) in NETS.items():
            batch = tasks.SequenceBatch.of([task.sample(rng) for _ in range(n)])
            runs = {name: _trainer(top, learner, window, update, batch, rng)
                    for name, learner, window, update in LEARNERS}
            for name, seconds in alternate(runs, rounds=9).items():
                per_step[net_name, name] = seconds / len(batch.inputs)
            weights[net_name] = top.n_weights
        return {"per_step": per_step, "weights": weights}

    params = (list(NETS), [name for name, *_ in LEARNERS])
    param_names = ["net", "learner"]

    def track_us_per_step(self, m, net, learner):
        return m["per_step"][net, learner] * 1e6

    track_us_per_step.unit = "µs/step"

    def track_ns_per_weight_step(self, m, net, learner):
        return m["per_step"][net, learner] / m["weights"][net] * 1e9

    track_ns_per_weight_step.unit = "ns/(weight·step)"


#: Fully recurrent nets of n units (1 input, 1 output, no bias): W = n (n + 1).
UNITS = [12, 16, 24, 32]


class RTRLScaling:
    """Real-time RTRL on fully recurrent nets of n units, one sequence of 200 steps: its
    time per step grows as n^2 W = O(n^4); the exponent of n fitted over these
    sizes (large enough for the sensitivities to outweigh the call) is reported."""

    timeout = 600

    def setup_cache(self):
        rng = np.random.default_rng(0)
        T = 200
        x, d = rng.uniform(-1, 1, (T, 1)), rng.uniform(0, 1, (T, 1))
        runs = {}
        for n in UNITS:
            top = fully_recurrent(1, 1, n - 1)
            runs[n] = _trainer(top, "rtrl", None, "step", [(x, d)], rng)
        seconds = alternate(runs, rounds=5, calls=2)
        per_step = {n: s / T for n, s in seconds.items()}
        slope = np.polyfit(np.log(UNITS), np.log([per_step[n] for n in UNITS]), 1)[0]
        return {"per_step": per_step, "exponent": float(slope)}

    params = UNITS
    param_names = ["units"]

    def track_rtrl_us_per_step(self, m, n):
        return m["per_step"][n] * 1e6

    track_rtrl_us_per_step.unit = "µs/step"

    def track_rtrl_exponent_of_n(self, m, n):
        return m["exponent"]

    track_rtrl_exponent_of_n.unit = "exponent"


class LearnerMemory:
    """The bytes a learner keeps from one step to the next on the 2a p = 100 net (10,404
    weights, 102 units) after a sequence of T steps: BPTT stores every activation (it grows
    with T), RTRL its U x W sensitivities (it does not), BPTT(h) a window of h + 1 steps."""

    params = ([100, 1000, 10000], ["RTRL", "BPTT", "BPTT(10)"])
    param_names = ["T", "learner"]

    def setup(self, T, learner):
        rng = np.random.default_rng(0)
        kind, window = {"RTRL": ("rtrl", None), "BPTT": ("bptt", None), "BPTT(10)": ("bptt", 10)}[learner]
        self.net = RecurrentNet(layered(101, 101), learner=kind, window=window, rng=rng)
        symbols = rng.integers(101, size=T)
        mask = np.arange(T) == T - 1                    # one target: the cost is the forward pass
        self.net.train_sequence(symbols, np.full((T, 101), 0.5), mask, learning_rate=0.1)

    def track_state_bytes(self, T, learner):
        return self.net.state_bytes

    track_state_bytes.unit = "bytes"
