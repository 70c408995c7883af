"""Task generators for the experiments of the 1997 LSTM paper and of the weight-guessing study.

Every task is a class that holds the paper's parameters (with the paper's defaults) and draws one
sequence at a time from a random generator. All classes share the interface of `Task`:

- ``n_inputs``, ``n_outputs``: the sizes of the input and output layers the task needs;
- ``coding``: ``"symbols"`` (locally coded input, given as an int64 array of symbol indices that the
  engine one-hot codes) or ``"dense"`` (a float64 array of shape ``(T, n_inputs)``);
- ``sample(rng=None)``: one `TaskSequence` ``(inputs, targets, target_mask)`` plus extra information;
- ``make(n, rng=None)``: ``n`` sequences as one padded `TaskDataset` (arrays and lengths), for
  training other models on the paper's tasks;
- ``is_correct(outputs, sequence)``: the paper's notion of a correctly processed sequence;
- ``abs_error(outputs, sequence)``: the largest absolute error that the criterion thresholds.

=====================  ===========================  =========  ===========================
paper                  class                        coding     criterion (``is_correct``)
=====================  ===========================  =========  ===========================
Exp 1                  `EmbeddedReber`              symbols    k most active = k legal
Exp 2a, 2b             `LongTimeLag`                symbols    ABS(0.25) (2a every step)
Exp 2c                 `VeryLongTimeLag`            symbols    ABS(0.2) at the end
Exp 3a, 3b, 3c         `TwoSequence`                dense      ABS(0.2); 3c: 0.1 to mean
Exp 4                  `Adding`                     dense      ABS(0.04)
Exp 5                  `Multiplication`             dense      ABS(0.04)
Exp 6a, 6b             `TemporalOrder`              symbols    ABS(0.3)
weight guessing        `TwoSequence`, 500-600       dense      ABS(0.1)
weight guessing        `Latch`, `Parity`, `Tomita`  dense      ABS(0.1)
=====================  ===========================  =========  ===========================

Time steps are 0-based in the code. The network reads ``inputs[t]`` at step t and its output at
step t is compared with ``targets[t]`` where ``target_mask[t]`` is True; rows of ``targets`` where
the mask is False are 0.0. For next-symbol prediction (Exps 1, 2a, 2b) the inputs are symbols
1..L-1 of a string of length L and the targets are the one-hot codes of symbols 2..L
(``spec/DECISIONS.md`` item 6); every other task has its single target at the last step.

Randomness: every ``sample`` takes ``rng`` as None, a non-negative int seed, a
`numpy.random.SeedSequence`, a `numpy.random.BitGenerator` or a `numpy.random.Generator`, normalised
as by `numpy.random.default_rng`; the same seed gives the same sequences. Anything else raises
TypeError (ValueError for a negative seed) naming ``rng``.

Sizes: every length parameter is bounded so that one sequence has at most `MAX_STEPS` (10^7) time
steps, and the other sizes (Exp 1's set sizes, Exp 2's p, Exp 2c's trigger probability) are
bounded likewise. A size beyond its bound raises ValueError naming the parameter and the bound
before anything is drawn, instead of hanging or exhausting memory.

Where each task lives (``lstm97/tasks/``):

=====================  =====================================================================
``base.py``            `Task`, `TaskSequence`, `abs_criterion`, `MAX_STEPS`, shared checks
``reber.py``           Exp 1: `EmbeddedReber`, the (embedded) Reber grammar
``lags.py``            Exps 2a, 2b, 2c: `LongTimeLag`, `VeryLongTimeLag`
``two_sequence.py``    Exps 3a, 3b, 3c and weight guessing: `TwoSequence`
``arithmetic.py``      Exps 4, 5: `Adding`, `Multiplication` (shared marker rules)
``temporal_order.py``  Exps 6a, 6b: `TemporalOrder`
``guessing.py``        weight guessing: `Latch`, `Parity`, `Tomita`
=====================  =====================================================================

The choices made where the paper is ambiguous are listed in each class's Notes section.
"""

from __future__ import annotations

from .arithmetic import Adding, Multiplication, _MarkedPairs
from .base import (
    MAX_DATASET,
    MAX_STEPS,
    SequenceBatch,
    Task,
    TaskDataset,
    TaskSequence,
    _check_lengths,
    _end_target_sequence,
    _evaluated,
    _tenth,
    _tolerance,
    abs_criterion,
)
from .guessing import Latch, Parity, Tomita, _bits_to_string, _guessing_extra
from .lags import LongTimeLag, VeryLongTimeLag, _one_hot_prediction
from .reber import (
    _EMBEDDED_REBER,
    _EYE7,
    _MASK_TO_BOOL,
    _REBER_GRAPH,
    _REBER_INDEX,
    _REBER_STATE_MASK,
    REBER_ALPHABET,
    EmbeddedReber,
    _embedded_reber_automaton,
)
from .temporal_order import _TEMPORAL_ORDER, TEMPORAL_ORDER_ALPHABET, TemporalOrder
from .two_sequence import TwoSequence

# The private names above are re-exported because ``lstm97.tasks`` was one module before it
# became this package, and code written against it may reach them as ``lstm97.tasks._name``.

__all__ = [
    "Adding",
    "EmbeddedReber",
    "LongTimeLag",
    "Latch",
    "Multiplication",
    "Parity",
    "SequenceBatch",
    "Task",
    "TaskDataset",
    "TaskSequence",
    "TemporalOrder",
    "Tomita",
    "TwoSequence",
    "VeryLongTimeLag",
    "abs_criterion",
]
