"""Every random stream of a run, in one place.

A run has a root ``seed``.  Trial ``i`` owns the streams ``SeedSequence(seed,
spawn_key=(i, k))``, one per name in :data:`STREAMS` (``k`` its index there), so a trial's
draws do not depend on which process runs it, on how many run beside it, or on when.  A
stream shared by a group of trials (the fixed string sets of Exp 1, shared by 10 trials)
is the ``"shared"`` stream of the group's first trial: it has a key of its own, so it can
never coincide with a stream that a trial trains or tests with.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_int

__all__ = ["MAX_TRIAL", "STREAMS", "check_seed", "stream", "stream_key", "trial_streams"]

#: The streams of a trial: the initial weights (and any weights drawn later, as when a
#: cell is added in sequential construction), the training sequences, the test
#: sequences, and what a group of trials shares.  Append new names; never reorder.
STREAMS = ("init", "train", "test", "shared")

#: Trial indices stay below 2**32 so that each key word is one uint32 word of the
#: SeedSequence's entropy: larger ones would spill into a second word and could then
#: spell another trial's key.
MAX_TRIAL = 2**32 - 1


def stream_key(trial: int, name: str) -> tuple[int, int]:
    """The ``spawn_key`` of stream ``name`` of trial ``trial``."""
    trial = check_int("trial", trial, 0)
    if trial >= MAX_TRIAL:
        raise ValueError(f"trial must be below {MAX_TRIAL}, got {trial}")
    if name not in STREAMS:
        raise ValueError(f"name must be one of {', '.join(map(repr, STREAMS))}, got {name!r}")
    return trial, STREAMS.index(name)


def check_seed(seed) -> int:
    """A run's root seed: a non-negative integer."""
    return check_int("seed", seed, 0)


def stream(seed: int, trial: int, name: str) -> np.random.Generator:
    """Stream ``name`` of trial ``trial`` in a run seeded ``seed``, as a new Generator."""
    seed = check_seed(seed)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=stream_key(trial, name)))


def trial_streams(seed: int, trial: int) -> dict[str, np.random.Generator]:
    """Every stream of trial ``trial``, by name (see :data:`STREAMS`)."""
    return {name: stream(seed, trial, name) for name in STREAMS}
