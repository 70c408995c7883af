"""Per-step training time of two builds of lstm97, side by side, in CPU time.

    python tools/compare_builds.py OLD_CHECKOUT NEW_CHECKOUT [ROUNDS]

Each checkout must have its core built in place (``python setup.py build_ext --inplace``).
The two are measured alternately, each in a fresh process, ROUNDS times (default 4); each
measurement is the best of 15 passes over 20 sequences of a net's own task, in
``time.process_time`` (so another load on the machine counts less), and the medians over
the rounds are printed in µs per time step, with the ratio new / old.
"""

import statistics
import subprocess
import sys

NETS = {"adding 4-1, T=1000": ("4-1", "Adding(T=1000)"), "temporal order 6a": ("6a", 'TemporalOrder("6a")'),
        "Reber 3x2": ("1-5", "EmbeddedReber()"), "2c p=q=1000": ("2c-5", "VeryLongTimeLag(1000, 1000)")}

MEASURE = """
import sys, time
sys.path.insert(0, {root!r})
import lstm97
from lstm97 import tasks
assert lstm97.__file__.startswith({root!r}), lstm97.__file__
for row, task in {nets!r}:
    net = lstm97.LSTM(lstm97.table10(row), rng=0)
    batch = [eval("tasks." + task).sample(s) for s in range(20)]
    steps = sum(len(s.inputs) for s in batch)
    best = float("inf")
    for _ in range(15):
        t = time.process_time()
        for seq in batch:
            net.train_sequence(*seq, learning_rate=1e-3)
        best = min(best, time.process_time() - t)
    print(best / steps * 1e6)
"""


def measure(root):
    code = MEASURE.format(root=root, nets=list(NETS.values()))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/")
    return [float(v) for v in out.stdout.split()]


def main(old, new, rounds=4):
    runs = {old: [], new: []}
    for _ in range(int(rounds)):
        for root in (old, new):
            runs[root].append(measure(root))
    print(f"{'net':22s} {'old µs/step':>12s} {'new µs/step':>12s} {'new / old':>10s}")
    for i, name in enumerate(NETS):
        a = statistics.median(r[i] for r in runs[old])
        b = statistics.median(r[i] for r in runs[new])
        print(f"{name:22s} {a:12.3f} {b:12.3f} {b / a:10.2f}")


if __name__ == "__main__":
    main(*sys.argv[1:])
