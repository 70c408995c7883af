"""Task generators for the experiments of the 1997 LSTM paper and of the weight-guessing study.

Every task is a class that holds the paper's parameters (with the paper's defaults) and draws one
sequence at a time from a random generator. All classes share the interface of `Task`:

- ``n_inputs``, ``n_outputs``: the sizes of the input and output layers the task needs;
- ``coding``: ``"symbols"`` (locally coded input, given as an int64 array of symbol indices that the
  engine one-hot codes) or ``"dense"`` (a float64 array of shape ``(T, n_inputs)``);
- ``sample(rng=None)``: one `TaskSequence` ``(inputs, targets, target_mask)`` plus extra information;
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

Randomness: every ``sample`` takes ``rng`` as None, an int seed or a `numpy.random.Generator`,
normalised with `numpy.random.default_rng`; the same seed gives the same sequences.

The choices made where the paper is ambiguous are listed in each class's Notes section.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from ._validation import check_choice, check_int, check_real

__all__ = [
    "Adding",
    "EmbeddedReber",
    "LongTimeLag",
    "Latch",
    "Multiplication",
    "Parity",
    "Task",
    "TaskSequence",
    "TemporalOrder",
    "Tomita",
    "TwoSequence",
    "VeryLongTimeLag",
    "abs_criterion",
]


# --------------------------------------------------------------------------------------------------
# validation helpers: every message names the parameter (STYLE.md, "Validate once, in Python")

def _check_lengths(T, max_length, T_minimum, default_extra):
    """Validate the length range [T, max_length]; ``default_extra(T)`` gives the default top."""
    T = check_int("T", T, T_minimum)
    if max_length is None:
        max_length = T + default_extra(T)
    max_length = check_int("max_length", max_length)
    if max_length < T:
        raise ValueError(f"max_length must be >= T = {T}, got {max_length}")
    return T, max_length


def _tolerance(tolerance, default):
    """The β of a task's criterion: ``default`` (the paper's) unless one is given."""
    return default if tolerance is None else check_real("tolerance", tolerance, 0.0)


def _tenth(T):
    # "random length in [T, T + T/10]" (Exps 3, 4, 5, 6); T/10 rounded down for T not divisible by 10
    return T // 10


# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, eq=False)
class TaskSequence:
    """One sequence drawn from a task: ``(inputs, targets, target_mask)`` plus what the criteria need.

    Unpacks as the engine's triple: ``inputs, targets, target_mask = sequence``.

    Attributes
    ----------
    inputs : ndarray of shape (T,) and dtype int64, or of shape (T, n_inputs) and dtype float64
        Symbol indices in ``[0, n_inputs)`` for symbol coding; input activations for dense coding.
    targets : ndarray of shape (T, n_outputs), float64
        Teacher signal; 0.0 in the rows where `target_mask` is False.
    target_mask : ndarray of shape (T,), bool
        True at the steps that carry a target.
    label : int or None
        Index into the task's ``classes`` (e.g. which of x/y, which temporal-order class).
    noise_free_targets : ndarray of shape (T, n_outputs) or None
        The expected target without target noise (Exp 3c); None when the targets are noise-free.
    legal_next : ndarray of shape (T, n_outputs), bool, or None
        Exp 1: ``legal_next[t]`` marks the symbols that may legally follow the prefix read up to t.
    relevant_steps : ndarray of int64 or None
        The 0-based steps whose inputs determine the final target (None when all steps do).
    string : str or None
        The symbol string (Exp 1: the whole embedded Reber string; Tomita: the string over {0, 1}).
    """

    inputs: np.ndarray
    targets: np.ndarray
    target_mask: np.ndarray
    label: int | None = None
    noise_free_targets: np.ndarray | None = None
    legal_next: np.ndarray | None = None
    relevant_steps: np.ndarray | None = None
    string: str | None = None

    def __iter__(self):
        yield self.inputs
        yield self.targets
        yield self.target_mask

    @property
    def length(self):
        """int: the number of time steps T."""
        return self.inputs.shape[0]

    @property
    def criterion_targets(self):
        """ndarray of shape (T, n_outputs): the targets the correctness criterion compares with.

        The noise-free targets where the task has target noise (Exp 3c), else the targets.
        """
        return self.targets if self.noise_free_targets is None else self.noise_free_targets


def _end_target_sequence(inputs, n_outputs):
    """Zero targets and a mask that is True only at the last step."""
    T = inputs.shape[0]
    targets = np.zeros((T, n_outputs))
    mask = np.zeros(T, dtype=bool)
    mask[-1] = True
    return targets, mask


def _evaluated(outputs, sequence, n_outputs, steps):
    """Outputs and criterion targets at the steps a criterion looks at, as 2-D arrays."""
    out = np.asarray(outputs, dtype=np.float64)
    T = sequence.length
    if out.shape != (T, n_outputs):
        if steps == "end" and (out.shape == (n_outputs,) or (out.ndim == 0 and n_outputs == 1)):
            out = out.reshape(1, n_outputs)
        else:
            allowed = f"({T}, {n_outputs})" + (f" or ({n_outputs},)" if steps == "end" else "")
            raise ValueError(f"outputs must have shape {allowed}, got {out.shape}")
    targets = sequence.criterion_targets
    if steps == "end":
        return out[-1:], targets[-1:]
    return out[sequence.target_mask], targets[sequence.target_mask]


def abs_criterion(outputs, sequence, beta, steps="end", inclusive=False):
    """The paper's ABS(β): the absolute error of every output unit is below β.

    Parameters
    ----------
    outputs : array_like of shape (T, n_outputs), or (n_outputs,) with ``steps="end"``
        The network's outputs for the whole sequence, or only its output at the last step.
    sequence : TaskSequence
        The sequence the outputs belong to; it is compared with ``sequence.criterion_targets``.
    beta : float
        The threshold β (Table 11: 0.25 for 2a/2b, 0.2 for 2c and 3a/3b, 0.04 for Exps 4/5,
        0.3 for Exp 6).
    steps : {"end", "all"}
        ``"end"``: only the last step counts (Table 11, "at sequence end"); ``"all"``: every step
        with a target (Exp 2a: "the maximal absolute error of all output units is always below").
    inclusive : bool
        If True, an error equal to β still counts as correct (Exp 3c defines *wrong* as > 0.1).

    Returns
    -------
    bool
    """
    check_choice("steps", steps, ("end", "all"))
    beta = check_real("beta", beta, minimum=0.0)
    n_outputs = sequence.targets.shape[1]
    out, tgt = _evaluated(outputs, sequence, n_outputs, steps)
    err = np.abs(out - tgt)
    return bool(np.all(err <= beta) if inclusive else np.all(err < beta))


# --------------------------------------------------------------------------------------------------

class Task:
    """Interface shared by all task generators.

    Attributes
    ----------
    n_inputs : int
        Number of input units (symbol-alphabet size under symbol coding).
    n_outputs : int
        Number of output units.
    coding : {"symbols", "dense"}
        How `TaskSequence.inputs` is given.
    alphabet : tuple of str or None
        Under symbol coding, the symbol names in index order.
    classes : tuple of str or None
        Names of the classes that `TaskSequence.label` indexes.
    tolerance : float or None
        The β of the task's correctness criterion.
    criterion_steps : {"end", "all"}
        Which steps the correctness criterion looks at.
    min_lag : int or None
        The smallest number of steps, over all sequences the task can draw, from the last input
        that determines the final target to the step that carries it (0-based ``t_target -
        t_relevant``). Table 10 of the paper counts lags inconsistently (sometimes one more),
        so this may differ from its "lag" column by one.
    """

    n_inputs: int
    n_outputs: int
    coding: str
    alphabet: tuple | None = None
    classes: tuple | None = None
    tolerance: float | None = None
    criterion_steps: str = "end"
    min_lag: int | None = None
    _inclusive = False

    def sample(self, rng=None):
        """Draw one sequence.

        Parameters
        ----------
        rng : None, int or numpy.random.Generator
            Source of randomness, normalised with `numpy.random.default_rng`.

        Returns
        -------
        TaskSequence
        """
        raise NotImplementedError

    def is_correct(self, outputs, sequence):
        """Whether the network processed `sequence` correctly, in the paper's sense for this task.

        Parameters
        ----------
        outputs : array_like of shape (T, n_outputs)
            The network's outputs at every step. Tasks judged at the sequence end also accept
            the last output alone, of shape (n_outputs,).
        sequence : TaskSequence

        Returns
        -------
        bool
        """
        return abs_criterion(outputs, sequence, self.tolerance, self.criterion_steps,
                             self._inclusive)

    def abs_error(self, outputs, sequence):
        """The largest absolute error over the output units and the steps the criterion looks at.

        It is measured against ``sequence.criterion_targets`` (so the noise-free target in Exp 3c);
        its mean over a test set is the paper's mean absolute test error.

        Parameters
        ----------
        outputs : array_like of shape (T, n_outputs), or (n_outputs,) for end-of-sequence tasks
        sequence : TaskSequence

        Returns
        -------
        float
        """
        out, tgt = _evaluated(outputs, sequence, self.n_outputs, self.criterion_steps)
        return float(np.max(np.abs(out - tgt)))

    def _set_params(self, **params):
        self._params = params

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._params.items())
        return f"{type(self).__name__}({args})"


# --------------------------------------------------------------------------------------------------
# Experiment 1: embedded Reber grammar

REBER_ALPHABET = ("B", "T", "P", "S", "X", "V", "E")
_REBER_INDEX = {s: i for i, s in enumerate(REBER_ALPHABET)}

# The Reber graph (Cleeremans et al. 1989; the paper's Figure 3): state -> ((symbol, next state), ...).
# State 7 is "the Reber string has ended".
_REBER_GRAPH = {
    0: (("B", 1),),
    1: (("T", 2), ("P", 3)),
    2: (("S", 2), ("X", 4)),
    3: (("T", 3), ("V", 5)),
    4: (("X", 3), ("S", 6)),
    5: (("P", 4), ("V", 6)),
    6: (("E", 7),),
}


def _embedded_reber_automaton():
    """Deterministic automaton of the embedded grammar (Figure 4): B, T|P, Reber string, same T|P, E."""
    automaton = {"start": {"B": "open"}, "open": {"T": ("T", 0), "P": ("P", 0)}}
    for branch in "TP":
        for state, edges in _REBER_GRAPH.items():
            automaton[(branch, state)] = {sym: (branch, nxt) for sym, nxt in edges}
        automaton[(branch, 7)] = {branch: "close"}
    automaton["close"] = {"E": "accept"}
    automaton["accept"] = {}
    return automaton


_EMBEDDED_REBER = _embedded_reber_automaton()
# legal-successor bit mask of every state (bit i = REBER_ALPHABET[i])
_REBER_STATE_MASK = {
    state: sum(1 << _REBER_INDEX[s] for s in edges) for state, edges in _EMBEDDED_REBER.items()
}
_MASK_TO_BOOL = ((np.arange(128)[:, None] >> np.arange(7)) & 1).astype(bool)
_EYE7 = np.eye(7)


class EmbeddedReber(Task):
    """Experiment 1: next-symbol prediction on the embedded Reber grammar.

    A string is B, then T or P, then a Reber string (B ... E), then the same T or P again, then E;
    every choice between two edges is made with probability 0.5. The network reads symbols
    1..L-1 and is trained on the one-hot code of the actual next symbol at every step
    (DECISIONS item 6). Symbol order (inputs and outputs): B, T, P, S, X, V, E.

    Correct (``is_correct``): at every step the k most active outputs are exactly the k legal
    successors of the prefix read so far (k = 1 or 2), i.e. every legal output is strictly more
    active than every illegal one. Training uses the paper's fixed sets (`train_test_sets`).

    Attributes
    ----------
    n_inputs, n_outputs : int
        7 and 7.
    coding : str
        ``"symbols"``.
    classes : tuple of str
        ``("T", "P")``: `TaskSequence.label` is the symbol that opens and closes the embedding.
    min_lag : int
        5: the second symbol (step 1) decides the prediction made at step 6 of the shortest string
        BTBTXSETE (the paper calls this "as few as 9 steps", the length of that string).

    Notes
    -----
    The final E is never an input; the first B never a target. `TaskSequence.legal_next` holds the
    legal successor sets and `TaskSequence.string` the whole string.
    """

    n_inputs = 7
    n_outputs = 7
    coding = "symbols"
    alphabet = REBER_ALPHABET
    classes = ("T", "P")
    criterion_steps = "all"
    min_lag = 5

    def __init__(self):
        self._set_params()

    def sample_string(self, rng=None):
        """Draw one embedded Reber string.

        Parameters
        ----------
        rng : None, int or numpy.random.Generator

        Returns
        -------
        str
        """
        rng = np.random.default_rng(rng)
        # one coin per two-way choice, drawn in chunks (a draw per symbol would cost more than a walk)
        coins = rng.integers(0, 2, size=32)
        used = 0
        state = "start"
        symbols = []
        while state != "accept":
            edges = tuple(_EMBEDDED_REBER[state].items())
            if len(edges) == 1:
                symbol, state = edges[0]
            else:
                if used == coins.size:
                    coins = rng.integers(0, 2, size=32)
                    used = 0
                symbol, state = edges[coins[used]]
                used += 1
            symbols.append(symbol)
        return "".join(symbols)

    def encode(self, string):
        """Turn an embedded Reber string into a training sequence.

        Parameters
        ----------
        string : str
            A string of the embedded Reber grammar, e.g. ``"BTBTXSETE"``.

        Returns
        -------
        TaskSequence
            Inputs: symbols 1..L-1; targets: one-hot codes of symbols 2..L; mask all True;
            ``legal_next``, ``label``, ``string`` and ``relevant_steps = [1]`` filled in.

        Raises
        ------
        ValueError
            If `string` is not in the embedded Reber grammar.
        """
        if not isinstance(string, str):
            raise ValueError(f"string must be a str, got {string!r}")
        state = "start"
        masks = []
        for position, symbol in enumerate(string):
            successors = _EMBEDDED_REBER[state]
            if symbol not in successors:
                raise ValueError(
                    f"string {string!r} is not an embedded Reber string: {symbol!r} at position "
                    f"{position} cannot follow {string[:position]!r}")
            state = successors[symbol]
            masks.append(_REBER_STATE_MASK[state])
        if state != "accept":
            raise ValueError(f"string {string!r} is not an embedded Reber string: it is incomplete")
        symbols = np.fromiter((_REBER_INDEX[s] for s in string), dtype=np.int64, count=len(string))
        return TaskSequence(
            inputs=symbols[:-1],
            targets=_EYE7[symbols[1:]],
            target_mask=np.ones(len(string) - 1, dtype=bool),
            label=0 if string[1] == "T" else 1,
            legal_next=_MASK_TO_BOOL[masks[:-1]],
            relevant_steps=np.array([1], dtype=np.int64),
            string=string,
        )

    def sample(self, rng=None):
        """Draw one embedded Reber string as a training sequence (see `encode`).

        Parameters
        ----------
        rng : None, int or numpy.random.Generator

        Returns
        -------
        TaskSequence
        """
        return self.encode(self.sample_string(rng))

    def train_test_sets(self, rng=None, n_train=256, n_test=256, distinct=False):
        """The paper's fixed training and test sets (following Fahlman): 256 strings each.

        The training strings are drawn at random; test strings are drawn at random too, but any
        string that occurs in the training set is rejected.

        Parameters
        ----------
        rng : None, int or numpy.random.Generator
        n_train, n_test : int
            Set sizes (the paper: 256 and 256).
        distinct : bool
            If False (default, the literal reading), strings may repeat within a set, as in any
            random sample; if True, the strings within each set are all different.

        Returns
        -------
        train, test : list of TaskSequence
        """
        n_train = check_int("n_train", n_train, 1)
        n_test = check_int("n_test", n_test, 0)
        rng = np.random.default_rng(rng)
        train, seen = [], set()
        while len(train) < n_train:
            string = self.sample_string(rng)
            if distinct and string in seen:
                continue
            seen.add(string)
            train.append(self.encode(string))
        test, seen_test = [], set()
        while len(test) < n_test:
            string = self.sample_string(rng)
            if string in seen or (distinct and string in seen_test):
                continue
            seen_test.add(string)
            test.append(self.encode(string))
        return train, test

    def is_correct(self, outputs, sequence):
        """Whether at every step the k most active outputs are exactly the k legal successors.

        Parameters
        ----------
        outputs : array_like of shape (T, 7)
        sequence : TaskSequence
            A sequence from this task (it carries ``legal_next``).

        Returns
        -------
        bool
            True if at every step every legal successor's output is strictly larger than every
            other output (a tie with an illegal symbol counts as wrong).
        """
        out, _ = _evaluated(outputs, sequence, self.n_outputs, "all")
        legal = sequence.legal_next
        weakest_legal = np.where(legal, out, np.inf).min(axis=1)
        strongest_illegal = np.where(legal, -np.inf, out).max(axis=1)
        return bool(np.all(weakest_legal > strongest_illegal))


# --------------------------------------------------------------------------------------------------
# Experiment 2: noise-free and noisy sequences

def _one_hot_prediction(string, n_symbols):
    """Inputs = symbols 1..L-1, targets = one-hot of symbols 2..L, mask all True."""
    T = string.shape[0] - 1
    targets = np.zeros((T, n_symbols))
    targets[np.arange(T), string[1:]] = 1.0
    return string[:-1], targets, np.ones(T, dtype=bool)


class LongTimeLag(Task):
    """Experiments 2a and 2b: predict the next symbol of (y, a_1..a_{p-1}, y) or (x, ..., x).

    There are p+1 locally coded symbols. Each sequence starts with x or y (probability 0.5 each),
    has a middle of length p-1, and ends with its first symbol again; the network predicts the
    next symbol at every step. In 2a the middle is always a_1, ..., a_{p-1} (only two different
    sequences exist); in 2b ("no local regularities") it is a random string of length p-1 over
    {a_1, ..., a_{p-1}}. Symbol order: a_1, ..., a_{p-1}, x, y (x = index p-1, y = index p).

    Parameters
    ----------
    p : int, default 100
        The time lag (Table 2 uses 4, 10 and 100). Must be >= 1.
    variant : {"2a", "2b"}, default "2a"
    tolerance : float, optional
        β of ABS(β); the paper's 0.25 by default.

    Attributes
    ----------
    n_inputs, n_outputs : int
        p + 1 each.
    classes : tuple of str
        ``("x", "y")``.
    criterion_steps : str
        ``"all"`` for 2a ("the maximal absolute error of all output units is always below 0.25"),
        ``"end"`` for 2b ("below 0.25 at sequence end").
    min_lag : int
        p - 1 (the first input, step 0, decides the target at step p - 1).
    """

    n_outputs: int
    coding = "symbols"
    classes = ("x", "y")

    def __init__(self, p=100, variant="2a", tolerance=None):
        self.p = check_int("p", p, 1)
        self.variant = check_choice("variant", variant, ("2a", "2b"))
        self.tolerance = _tolerance(tolerance, 0.25)
        self.n_inputs = self.n_outputs = self.p + 1
        self.alphabet = tuple(f"a{i}" for i in range(1, self.p)) + ("x", "y")
        self.criterion_steps = "all" if self.variant == "2a" else "end"
        self.min_lag = self.p - 1
        self._middle = np.arange(self.p - 1, dtype=np.int64)
        self._set_params(p=self.p, variant=self.variant, tolerance=self.tolerance)

    def sample(self, rng=None):
        """Draw one sequence (see the class docstring).

        Parameters
        ----------
        rng : None, int or numpy.random.Generator

        Returns
        -------
        TaskSequence
            ``inputs`` of shape (p,), ``targets`` of shape (p, p+1), mask all True, ``label`` 0
            for x and 1 for y.
        """
        rng = np.random.default_rng(rng)
        p = self.p
        label = int(rng.integers(0, 2))
        string = np.empty(p + 1, dtype=np.int64)
        string[0] = string[-1] = p - 1 + label
        if self.variant == "2a":
            string[1:-1] = self._middle
        elif p > 1:
            string[1:-1] = rng.integers(0, p - 1, size=p - 1)
        inputs, targets, mask = _one_hot_prediction(string, p + 1)
        return TaskSequence(inputs, targets, mask, label=label,
                            relevant_steps=np.array([0], dtype=np.int64))


class VeryLongTimeLag(Task):
    """Experiment 2c: very long time lags, no local regularities.

    Symbols (locally coded, in this order): a_1, ..., a_p (distractors), e (trigger), b, x, y;
    so a_i = index i-1, e = p, b = p+1, x = p+2, y = p+3. A sequence is generated as the paper
    says: b, then x or y (probability 0.5 each), then q random distractors; then repeatedly
    another random distractor with probability 9/10 or e with probability 1/10 (which stops it);
    after e, the final symbol is x or y to match the second one. Distractors are drawn uniformly
    from a_1..a_p (DECISIONS item 8). The final symbol is not an input: the network reads b ... e
    and at the last step (reading e) must predict it on 2 output units, one-hot (x, y).

    Parameters
    ----------
    p : int, default 100
        Number of distractor symbols (>= 1).
    q : int, default 100
        Number of distractors always present; the minimal time lag is q + 1 (>= 0).
    trigger_probability : float, default 0.1
        Probability of appending e instead of another distractor.
    tolerance : float, optional
        β of ABS(β) at the sequence end; the paper's 0.2 by default.

    Attributes
    ----------
    n_inputs : int
        p + 4.
    n_outputs : int
        2 (x, y).
    classes : tuple of str
        ``("x", "y")``.
    min_lag : int
        q + 1 (step 1 holds x/y, the target is at step q + 2 or later).

    Notes
    -----
    The number k of extra distractors is geometric, P(k) = (1/10)(9/10)^k with mean 9, so the
    mean string length is q + 13 (the paper prints q + 14) and the mean input length is q + 12.
    """

    n_outputs = 2
    coding = "symbols"
    classes = ("x", "y")

    def __init__(self, p=100, q=100, trigger_probability=0.1, tolerance=None):
        self.p = check_int("p", p, 1)
        self.q = check_int("q", q, 0)
        self.trigger_probability = check_real(
            "trigger_probability", trigger_probability, 0.0, 1.0, exclusive_minimum=True)
        self.tolerance = _tolerance(tolerance, 0.2)
        self.n_inputs = self.p + 4
        self.alphabet = tuple(f"a{i}" for i in range(1, self.p + 1)) + ("e", "b", "x", "y")
        self.min_lag = self.q + 1
        self._set_params(p=self.p, q=self.q, trigger_probability=self.trigger_probability,
                         tolerance=self.tolerance)

    def sample(self, rng=None):
        """Draw one sequence (see the class docstring).

        Parameters
        ----------
        rng : None, int or numpy.random.Generator

        Returns
        -------
        TaskSequence
            ``inputs`` of shape (T,) with T = q + k + 3 (b, x|y, q + k distractors, e),
            ``targets`` of shape (T, 2) with the one-hot x/y code at the last step, ``label``
            0 for x and 1 for y.
        """
        rng = np.random.default_rng(rng)
        p, q = self.p, self.q
        label = int(rng.integers(0, 2))
        n_distractors = q + int(rng.geometric(self.trigger_probability)) - 1
        inputs = np.empty(n_distractors + 3, dtype=np.int64)
        inputs[0] = p + 1                    # b
        inputs[1] = p + 2 + label            # x or y
        inputs[2:-1] = rng.integers(0, p, size=n_distractors)
        inputs[-1] = p                       # e
        targets, mask = _end_target_sequence(inputs, 2)
        targets[-1, label] = 1.0
        return TaskSequence(inputs, targets, mask, label=label,
                            relevant_steps=np.array([1], dtype=np.int64))


# --------------------------------------------------------------------------------------------------
# Experiment 3 and the weight-guessing study: the 2-sequence problem

class TwoSequence(Task):
    """Experiments 3a, 3b, 3c: Bengio et al.'s 2-sequence problem (noise and signal on one channel).

    One real-valued input line. Each sequence belongs to class 1 or class 2 (probability 0.5
    each); its length is uniform in [T, max_length]. The first N inputs are +1.0 (class 1) or
    -1.0 (class 2); every later input is Gaussian noise with mean 0 and variance
    `noise_variance`. The target, at the last step only, is 1.0 (class 1) or 0.0 (class 2).

    - 3a: as above.
    - 3b: the same Gaussian noise is also added to the first N (information-carrying) inputs.
    - 3c: as 3a, but the targets are 0.2 (class 1) and 0.8 (class 2) plus Gaussian target noise of
      variance `target_noise_variance`, redrawn for every sequence (DECISIONS item 14); the
      noise-free target is `TaskSequence.noise_free_targets`, and correctness is judged against it.

    The weight-guessing study uses the 3a problem with lengths between 500 and 600 and calls a
    sequence correct if its absolute error at the end is below 0.1:
    ``TwoSequence(T=500, max_length=600, tolerance=0.1)`` (its N is not recovered; N=3 is kept).

    Parameters
    ----------
    T : int, default 100
        Minimal sequence length (>= 1).
    N : int, default 3
        Number of information-carrying elements, 1 <= N <= T (the paper: 1 or 3).
    variant : {"3a", "3b", "3c"}, default "3a"
    max_length : int, optional
        Maximal sequence length; T + T // 10 by default ("random in [T, T + T/10]").
    noise_variance : float, default 0.2
        Variance of the input noise (not the standard deviation).
    target_noise_variance : float, default 0.1
        Variance of the 3c target noise (standard deviation 0.32); unused by 3a and 3b.
    tolerance : float, optional
        3a/3b: β of ABS(β), 0.2 by default. 3c: the largest allowed distance to the noise-free
        target, 0.1 by default (the paper's misclassified means "> 0.1", so 0.1 itself is correct).

    Attributes
    ----------
    n_inputs, n_outputs : int
        1 and 1 (dense coding).
    classes : tuple of str
        ``("class 1", "class 2")``.
    min_lag : int
        T - N.
    """

    n_inputs = 1
    n_outputs = 1
    coding = "dense"
    classes = ("class 1", "class 2")

    def __init__(self, T=100, N=3, variant="3a", max_length=None, noise_variance=0.2,
                 target_noise_variance=0.1, tolerance=None):
        self.T, self.max_length = _check_lengths(T, max_length, 1, _tenth)
        self.N = check_int("N", N, 1)
        if self.N > self.T:
            raise ValueError(f"N must be <= T = {self.T}, got {self.N}")
        self.variant = check_choice("variant", variant, ("3a", "3b", "3c"))
        self.noise_variance = check_real("noise_variance", noise_variance, 0.0)
        self.target_noise_variance = check_real(
            "target_noise_variance", target_noise_variance, 0.0)
        default_tolerance = 0.1 if self.variant == "3c" else 0.2
        self.tolerance = _tolerance(tolerance, default_tolerance)
        self._inclusive = self.variant == "3c"
        self.min_lag = self.T - self.N
        self._noise_std = math.sqrt(self.noise_variance)
        self._target_noise_std = math.sqrt(self.target_noise_variance)
        self._relevant = np.arange(self.N, dtype=np.int64)
        self._relevant.flags.writeable = False   # shared by every sequence this task draws
        self._set_params(T=self.T, N=self.N, variant=self.variant, max_length=self.max_length,
                         noise_variance=self.noise_variance,
                         target_noise_variance=self.target_noise_variance,
                         tolerance=self.tolerance)

    def sample(self, rng=None):
        """Draw one sequence (see the class docstring).

        Parameters
        ----------
        rng : None, int or numpy.random.Generator

        Returns
        -------
        TaskSequence
            ``inputs`` of shape (T, 1), ``targets`` of shape (T, 1) with the target at the last
            step; ``label`` 0 for class 1 and 1 for class 2; 3c also ``noise_free_targets``.
        """
        rng = np.random.default_rng(rng)
        length = int(rng.integers(self.T, self.max_length + 1))
        label = int(rng.integers(0, 2))
        sign = 1.0 if label == 0 else -1.0
        inputs = rng.normal(0.0, self._noise_std, size=(length, 1))
        if self.variant == "3b":
            inputs[:self.N, 0] += sign
        else:
            inputs[:self.N, 0] = sign
        targets, mask = _end_target_sequence(inputs, 1)
        noise_free = None
        if self.variant == "3c":
            noise_free = np.zeros_like(targets)
            noise_free[-1, 0] = 0.2 if label == 0 else 0.8
            targets[-1, 0] = noise_free[-1, 0] + rng.normal(0.0, self._target_noise_std)
        else:
            targets[-1, 0] = 1.0 if label == 0 else 0.0
        return TaskSequence(inputs, targets, mask, label=label, noise_free_targets=noise_free,
                            relevant_steps=self._relevant)


# --------------------------------------------------------------------------------------------------
# Experiments 4 and 5: adding and multiplication

class _MarkedPairs(Task):
    """Shared marker rules of the adding and multiplication problems (Exps 4 and 5)."""

    n_inputs = 2
    n_outputs = 1
    coding = "dense"
    _low: float
    _high: float
    _neutral: float  # what a pair contributes when the first pair is the one chosen (DECISIONS 9)

    def __init__(self, T=100, max_length=None, tolerance=None):
        # the first marked pair is one of the first ten, the second one of the first T/2 pairs
        # (minus the first marked one): T >= 20 keeps both choices inside the first T/2 pairs
        self.T, self.max_length = _check_lengths(T, max_length, 20, _tenth)
        self.tolerance = _tolerance(tolerance, 0.04)
        self._half = self.T // 2
        self.min_lag = self.T - self._half
        self._set_params(T=self.T, max_length=self.max_length, tolerance=self.tolerance)

    def _combine(self, x1, x2):
        raise NotImplementedError

    def sample(self, rng=None):
        """Draw one sequence (see the class docstring).

        Parameters
        ----------
        rng : None, int or numpy.random.Generator

        Returns
        -------
        TaskSequence
            ``inputs`` of shape (T, 2) (column 0 value, column 1 marker), ``targets`` of shape
            (T, 1) with the target at the last step, ``relevant_steps`` the two chosen pairs.
        """
        rng = np.random.default_rng(rng)
        length = int(rng.integers(self.T, self.max_length + 1))
        inputs = np.zeros((length, 2))
        inputs[:, 0] = rng.uniform(self._low, self._high, size=length)
        first = int(rng.integers(0, 10))
        # uniform over the first T/2 pairs other than `first`, i.e. "one of the first T/2 - 1
        # still unmarked pairs"
        second = int(rng.integers(0, self._half - 1))
        second += second >= first
        inputs[first, 1] = inputs[second, 1] = 1.0
        inputs[0, 1] = inputs[-1, 1] = -1.0   # a chosen first pair keeps its -1 (DECISIONS 9)
        x1, x2 = (self._neutral if i == 0 else inputs[i, 0] for i in (first, second))
        targets, mask = _end_target_sequence(inputs, 1)
        targets[-1, 0] = self._combine(x1, x2)
        return TaskSequence(inputs, targets, mask,
                            relevant_steps=np.array(sorted((first, second)), dtype=np.int64))


class Adding(_MarkedPairs):
    """Experiment 4: the adding problem.

    Each input is a pair (value, marker); the values are uniform in [-1, 1]; the length is uniform
    in [T, max_length]. Two pairs are marked with 1.0: first one of the first ten pairs (value
    X1), then one of the first T/2 pairs other than that one (X2). The first and the last pair
    carry marker -1.0 and all others 0.0. The target, at the last step only, is
    0.5 + (X1 + X2) / 4.0, in [0, 1].

    If a choice falls on the first pair, that pair keeps its marker -1 and contributes X1 = 0
    (the paper: "In the rare case where the first pair of the sequence gets marked, we set X1 to
    zero"; DECISIONS item 9), so only one pair then carries marker 1.

    Parameters
    ----------
    T : int, default 100
        Minimal sequence length (the paper: 100, 500, 1000). Must be >= 20 for the marker rules.
    max_length : int, optional
        Maximal sequence length; T + T // 10 by default.
    tolerance : float, optional
        β of ABS(β); the paper's 0.04 by default.

    Attributes
    ----------
    n_inputs, n_outputs : int
        2 (column 0 value, column 1 marker) and 1; dense coding.
    min_lag : int
        T - T // 2 (the paper's T/2).

    Notes
    -----
    "One of the first T/2 - 1 still unmarked pairs" is read as: among the pairs not yet marked
    with 1, the first T/2 - 1, i.e. the first T/2 pairs minus the first marked one. This gives
    exactly the paper's minimal lag T/2. Either choice may fall on the first pair (the second
    one with probability about 2/T); the rule above then applies to whichever it is.
    """

    _low, _high, _neutral = -1.0, 1.0, 0.0

    def _combine(self, x1, x2):
        return 0.5 + (x1 + x2) / 4.0


class Multiplication(_MarkedPairs):
    """Experiment 5: the multiplication problem.

    As `Adding`, but the values are uniform in [0, 1], a marked first pair contributes X1 = 1.0,
    and the target is X1 * X2 (not rescaled).

    Parameters
    ----------
    T : int, default 100
        Minimal sequence length (>= 20).
    max_length : int, optional
        Maximal sequence length; T + T // 10 by default.
    tolerance : float, optional
        β of ABS(β); the paper's 0.04 by default.

    Attributes
    ----------
    n_inputs, n_outputs : int
        2 and 1; dense coding.
    min_lag : int
        T - T // 2.
    """

    _low, _high, _neutral = 0.0, 1.0, 1.0

    def _combine(self, x1, x2):
        return x1 * x2


# --------------------------------------------------------------------------------------------------
# Experiment 6: temporal order

TEMPORAL_ORDER_ALPHABET = ("E", "B", "a", "b", "c", "d", "X", "Y")
_TEMPORAL_ORDER = {
    # variant: (1-based position ranges of the X/Y symbols, class names in the paper's order)
    "6a": (((10, 20), (50, 60)), ("Q", "R", "S", "U")),
    "6b": (((10, 20), (33, 43), (66, 76)), ("Q", "R", "S", "U", "V", "A", "B", "C")),
}


class TemporalOrder(Task):
    """Experiments 6a and 6b: classify the temporal order of widely separated X/Y symbols.

    Symbol order (inputs): E, B, a, b, c, d, X, Y. A sequence of length uniform in
    [T, max_length] starts with E and ends with B (the trigger); positions t1 in [10, 20] and t2
    in [50, 60] (6a), or t1 in [10, 20], t2 in [33, 43], t3 in [66, 76] (6b), hold X or Y; every
    other position holds a, b, c or d. Positions are 1-based as in the paper, with E at
    position 1 (DECISIONS item 15), which gives Table 10's lags 40 and 24.

    Classes (outputs, one-hot target at the last step): 6a: XX -> Q, XY -> R, YX -> S, YY -> U;
    6b: XXX -> Q, XXY -> R, XYX -> S, XYY -> U, YXX -> V, YXY -> A, YYX -> B, YYY -> C. So the
    label is the X/Y pattern read as a binary number with X = 0, Y = 1.

    Parameters
    ----------
    variant : {"6a", "6b"}, default "6a"
    T : int, default 100
        Minimal sequence length; the last X/Y position must come before it.
    max_length : int, optional
        Maximal sequence length; T + T // 10 (110 for T = 100) by default.
    tolerance : float, optional
        β of ABS(β) over all output units; the paper's 0.3 by default.

    Attributes
    ----------
    n_inputs : int
        8.
    n_outputs : int
        4 (6a) or 8 (6b).
    classes : tuple of str
        ``("Q", "R", "S", "U")`` or ``("Q", "R", "S", "U", "V", "A", "B", "C")``.
    positions : tuple of (int, int)
        The 1-based ranges of the X/Y positions.
    min_lag : int
        T minus the last X/Y position: 40 (6a) and 24 (6b).
    """

    n_inputs = 8
    coding = "symbols"
    alphabet = TEMPORAL_ORDER_ALPHABET

    def __init__(self, variant="6a", T=100, max_length=None, tolerance=None):
        self.variant = check_choice("variant", variant, tuple(_TEMPORAL_ORDER))
        self.positions, self.classes = _TEMPORAL_ORDER[self.variant]
        last = self.positions[-1][1]
        self.T, self.max_length = _check_lengths(T, max_length, last + 1, _tenth)
        self.tolerance = _tolerance(tolerance, 0.3)
        self.n_outputs = len(self.classes)
        self.min_lag = self.T - last
        self._low = np.array([lo for lo, _ in self.positions]) - 1   # 0-based
        self._high = np.array([hi for _, hi in self.positions])      # exclusive, 0-based
        self._weights = 1 << np.arange(len(self.positions) - 1, -1, -1)
        self._set_params(variant=self.variant, T=self.T, max_length=self.max_length,
                         tolerance=self.tolerance)

    def sample(self, rng=None):
        """Draw one sequence (see the class docstring).

        Parameters
        ----------
        rng : None, int or numpy.random.Generator

        Returns
        -------
        TaskSequence
            ``inputs`` of shape (T,), ``targets`` of shape (T, n_outputs) with the one-hot class
            at the last step, ``label`` the class index, ``relevant_steps`` the 0-based X/Y steps.
        """
        rng = np.random.default_rng(rng)
        length = int(rng.integers(self.T, self.max_length + 1))
        inputs = rng.integers(2, 6, size=length)          # a, b, c, d
        inputs[0] = 0                                     # E
        inputs[-1] = 1                                    # B
        steps = rng.integers(self._low, self._high)
        xy = rng.integers(0, 2, size=steps.size)
        inputs[steps] = 6 + xy                            # X or Y
        label = int(xy @ self._weights)
        targets, mask = _end_target_sequence(inputs, self.n_outputs)
        targets[-1, label] = 1.0
        return TaskSequence(inputs, targets, mask, label=label, relevant_steps=steps)


# --------------------------------------------------------------------------------------------------
# The weight-guessing study (Hochreiter & Schmidhuber 1996; Schmidhuber, Hochreiter & Bengio 2001)

def _guessing_extra(T):
    return 100   # "All sequence lengths are randomly chosen between 500 and 600"


class Latch(Task):
    """The latch problem of Bengio et al. (1994), as used in the weight-guessing study.

    One real-valued input line. The first input is +1.0 (class 1) or -1.0 (class 2); Gaussian
    noise with mean 0 and variance `noise_variance` is every later input ("added to each
    sequence element except the first"). The target at the last step is for a tanh output unit:
    +0.8 / -0.8 (variant I) or +1.0 / -1.0 (variant II).

    In variant I the two initial input values are free parameters of the guessed model; the
    generator puts +-1 there and the class in `TaskSequence.label`, so a guessing experiment
    replaces ``inputs[0, 0]`` by its guessed value for that class.

    Parameters
    ----------
    variant : {"I", "II"}, default "II"
    T : int, default 500
        Minimal sequence length (>= 1).
    max_length : int, optional
        Maximal sequence length; T + 100 (600) by default.
    noise_variance : float, default 0.2
    tolerance : float, optional
        β of ABS(β) at the sequence end; 0.1 (the guessing study's criterion) by default.

    Attributes
    ----------
    n_inputs, n_outputs : int
        1 and 1 (dense coding).
    classes : tuple of str
        ``("class 1", "class 2")``.
    min_lag : int
        T - 1.
    """

    n_inputs = 1
    n_outputs = 1
    coding = "dense"
    classes = ("class 1", "class 2")

    def __init__(self, variant="II", T=500, max_length=None, noise_variance=0.2, tolerance=None):
        self.variant = check_choice("variant", variant, ("I", "II"))
        self.T, self.max_length = _check_lengths(T, max_length, 1, _guessing_extra)
        self.noise_variance = check_real("noise_variance", noise_variance, 0.0)
        self.tolerance = _tolerance(tolerance, 0.1)
        self.min_lag = self.T - 1
        self._target = 0.8 if self.variant == "I" else 1.0
        self._noise_std = math.sqrt(self.noise_variance)
        self._set_params(variant=self.variant, T=self.T, max_length=self.max_length,
                         noise_variance=self.noise_variance, tolerance=self.tolerance)

    def sample(self, rng=None):
        """Draw one sequence (see the class docstring).

        Parameters
        ----------
        rng : None, int or numpy.random.Generator

        Returns
        -------
        TaskSequence
            ``inputs`` of shape (T, 1), ``targets`` of shape (T, 1), ``label`` 0 for class 1.
        """
        rng = np.random.default_rng(rng)
        length = int(rng.integers(self.T, self.max_length + 1))
        label = int(rng.integers(0, 2))
        inputs = rng.normal(0.0, self._noise_std, size=(length, 1))
        inputs[0, 0] = 1.0 if label == 0 else -1.0
        targets, mask = _end_target_sequence(inputs, 1)
        targets[-1, 0] = self._target if label == 0 else -self._target
        return TaskSequence(inputs, targets, mask, label=label,
                            relevant_steps=np.array([0], dtype=np.int64))


class Parity(Task):
    """The parity problem of the weight-guessing study.

    Inputs are +1.0 and -1.0 with probability 0.5 each (one input line); the target at the last
    step is 1.0 if the number of +1's is odd and 0.0 if it is even. Bengio et al. (1994) also add
    uniform noise in [-0.2, 0.2]; set ``noise=0.2`` for that.

    Parameters
    ----------
    T : int, default 500
        Minimal sequence length (>= 1).
    max_length : int, optional
        Maximal sequence length; T + 100 (600) by default.
    noise : float, default 0.0
        Half-width of the uniform noise added to every input.
    tolerance : float, optional
        β of ABS(β) at the sequence end; 0.1 by default.

    Attributes
    ----------
    n_inputs, n_outputs : int
        1 and 1 (dense coding).
    classes : tuple of str
        ``("even", "odd")``: the label is the target.
    """

    n_inputs = 1
    n_outputs = 1
    coding = "dense"
    classes = ("even", "odd")

    def __init__(self, T=500, max_length=None, noise=0.0, tolerance=None):
        self.T, self.max_length = _check_lengths(T, max_length, 1, _guessing_extra)
        self.noise = check_real("noise", noise, 0.0)
        self.tolerance = _tolerance(tolerance, 0.1)
        self._set_params(T=self.T, max_length=self.max_length, noise=self.noise,
                         tolerance=self.tolerance)

    def sample(self, rng=None):
        """Draw one sequence (see the class docstring).

        Parameters
        ----------
        rng : None, int or numpy.random.Generator

        Returns
        -------
        TaskSequence
            ``inputs`` of shape (T, 1), ``targets`` of shape (T, 1), ``label`` 1 for odd.
        """
        rng = np.random.default_rng(rng)
        length = int(rng.integers(self.T, self.max_length + 1))
        bits = rng.integers(0, 2, size=length)
        inputs = (2.0 * bits - 1.0).reshape(length, 1)
        if self.noise > 0.0:
            inputs += rng.uniform(-self.noise, self.noise, size=(length, 1))
        label = int(bits.sum() & 1)
        targets, mask = _end_target_sequence(inputs, 1)
        targets[-1, 0] = float(label)
        return TaskSequence(inputs, targets, mask, label=label)


class Tomita(Task):
    """Tomita grammars #1, #2 and #4, as used in the weight-guessing study.

    Over the alphabet {0, 1}: #1 = 1*, #2 = (10)*, #4 = no "000" substring (DECISIONS item 16).
    The input line carries +1.0 for 1 and -1.0 for 0; the target at the last step is 1.0 for a
    string of the language and 0.0 otherwise.

    Sampling is class-balanced (the study's training sets hold 50 sequences of each class): the
    label is drawn with probability 0.5, then a length uniform among the lengths in
    [T, max_length] at which that class has strings, then a string uniform among the strings of
    that class and length.

    Parameters
    ----------
    grammar : {1, 2, 4}, default 1
    T : int, default 500
        Minimal string length (>= 1; >= 3 for #4, whose rejected strings contain "000").
    max_length : int, optional
        Maximal string length; T + 100 (600) by default. For #2 the range must contain an even
        length.
    tolerance : float, optional
        β of ABS(β) at the sequence end; 0.1 by default.

    Attributes
    ----------
    n_inputs, n_outputs : int
        1 and 1 (dense coding).
    classes : tuple of str
        ``("reject", "accept")``: the label is the target.

    Notes
    -----
    Uniform strings of #4 are drawn symbol by symbol with the exact conditional probabilities
    (counts of completions that avoid "000"), a Python loop over the string; the guessing study
    evaluates fixed sets of 100 strings, so this is not on a training hot path.
    """

    n_inputs = 1
    n_outputs = 1
    coding = "dense"
    classes = ("reject", "accept")

    def __init__(self, grammar=1, T=500, max_length=None, tolerance=None):
        if (isinstance(grammar, bool) or not isinstance(grammar, numbers.Integral)
                or grammar not in (1, 2, 4)):
            raise ValueError(f"grammar must be one of 1, 2, 4 (Tomita #1, #2, #4), got {grammar!r}")
        self.grammar = int(grammar)
        self.T, self.max_length = _check_lengths(
            T, max_length, 3 if self.grammar == 4 else 1, _guessing_extra)
        self.tolerance = _tolerance(tolerance, 0.1)
        lengths = np.arange(self.T, self.max_length + 1)
        self._lengths = {0: lengths, 1: lengths}
        if self.grammar == 2:
            self._lengths[1] = lengths[lengths % 2 == 0]
            if self._lengths[1].size == 0:
                raise ValueError(
                    f"max_length must allow an even length for grammar 2, got T = {self.T}, "
                    f"max_length = {self.max_length}")
        if self.grammar == 4:
            self._p_one = self._no_000_table(self.max_length)
        self._set_params(grammar=self.grammar, T=self.T, max_length=self.max_length,
                         tolerance=self.tolerance)

    @staticmethod
    def _no_000_table(max_length):
        """p_one[z, n]: probability that the next symbol is 1 in a uniform "000"-free string,
        given z trailing zeros so far and n symbols still to draw."""
        p_one = np.ones((3, max_length + 1))
        completions = np.ones(3)   # completions of length 0 from z = 0, 1, 2 trailing zeros
        for n in range(1, max_length + 1):
            with_zero = np.array([completions[1], completions[2], 0.0])
            new = completions[0] + with_zero
            p_one[:, n] = completions[0] / new
            completions = new / new[0]   # rescale: only ratios matter, and counts grow like 1.84^n
        return p_one

    def accepts(self, string):
        """Whether `string` (over "0" and "1") is in the grammar's language.

        Parameters
        ----------
        string : str

        Returns
        -------
        bool
        """
        if self.grammar == 1:
            return "0" not in string
        if self.grammar == 2:
            return len(string) % 2 == 0 and string == "10" * (len(string) // 2)
        return "000" not in string

    def _draw_bits(self, label, length, rng):
        if label == 1 and self.grammar == 1:
            return np.ones(length, dtype=np.int64)
        if label == 1 and self.grammar == 2:
            return np.tile(np.array([1, 0], dtype=np.int64), length // 2)
        if label == 1:
            u = rng.random(length)
            bits = np.empty(length, dtype=np.int64)
            p_one = self._p_one
            zeros = 0
            for i in range(length):
                if u[i] < p_one[zeros, length - i]:
                    bits[i] = 1
                    zeros = 0
                else:
                    bits[i] = 0
                    zeros += 1
            return bits
        # the rejected strings: uniform strings, redrawn in the rare case they are in the language
        while True:
            bits = rng.integers(0, 2, size=length)
            if not self.accepts(_bits_to_string(bits)):
                return bits

    def sample(self, rng=None):
        """Draw one sequence (see the class docstring).

        Parameters
        ----------
        rng : None, int or numpy.random.Generator

        Returns
        -------
        TaskSequence
            ``inputs`` of shape (T, 1), ``targets`` of shape (T, 1), ``label`` 1 for accepted
            strings, ``string`` the string over "0"/"1".
        """
        rng = np.random.default_rng(rng)
        label = int(rng.integers(0, 2))
        lengths = self._lengths[label]
        length = int(lengths[rng.integers(0, lengths.size)])
        bits = self._draw_bits(label, length, rng)
        inputs = (2.0 * bits - 1.0).reshape(length, 1)
        targets, mask = _end_target_sequence(inputs, 1)
        targets[-1, 0] = float(label)
        return TaskSequence(inputs, targets, mask, label=label, string=_bits_to_string(bits))


def _bits_to_string(bits):
    return (np.asarray(bits, dtype=np.uint8) + ord("0")).tobytes().decode("ascii")
