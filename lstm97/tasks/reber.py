"""Experiment 1: next-symbol prediction on the embedded Reber grammar (`EmbeddedReber`)."""

from __future__ import annotations

import numpy as np

from .._validation import check_rng, shown
from .base import Task, TaskSequence, _check_size, _evaluated

__all__ = ["REBER_ALPHABET", "EmbeddedReber"]


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
# A fixed set is a list of whole TaskSequence objects, about 1.7 kB each (strings of mean length
# 12): 10^5 of them take some 170 MB, against the paper's 256.
_MAX_SET_SIZE = 100_000
_SET_REASON = "sequences held in memory at once; the paper's sets have 256"


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
        rng : None, int, numpy.random.SeedSequence, BitGenerator or Generator

        Returns
        -------
        str
        """
        rng = check_rng("rng", rng)
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
            raise ValueError(f"string must be a str, got {shown(string)}")
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
        rng : None, int, numpy.random.SeedSequence, BitGenerator or Generator

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
        rng : None, int, numpy.random.SeedSequence, BitGenerator or Generator
        n_train, n_test : int
            Set sizes (the paper: 256 and 256); 1 <= n_train <= 100,000 and
            0 <= n_test <= 100,000.
        distinct : bool
            If False (default, the literal reading), strings may repeat within a set, as in any
            random sample; if True, the strings within each set are all different.

        Returns
        -------
        train, test : list of TaskSequence
        """
        n_train = _check_size("n_train", n_train, 1, _MAX_SET_SIZE, _SET_REASON)
        n_test = _check_size("n_test", n_test, 0, _MAX_SET_SIZE, _SET_REASON)
        rng = check_rng("rng", rng)
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
        if legal is None:
            raise ValueError("sequence has no legal_next: it was not drawn by EmbeddedReber")
        return bool(np.all(_separated(out, legal)))

    def is_correct_batch(self, outputs, batch):
        """:meth:`is_correct` of every string of ``batch`` (a `SequenceBatch`) at once;
        ``ndarray of bool, (n,)``."""
        if batch.legal_next is None:
            raise ValueError("batch has no legal_next: its strings were not drawn by EmbeddedReber")
        wrong = np.zeros(len(batch), dtype=bool)
        for at, owner, out in batch.judged(outputs, "all"):
            wrong[owner[~_separated(out, batch.legal_next[at])]] = True
        return ~wrong


def _separated(outputs, legal):
    """Per row: every legal successor's output is strictly above every other one."""
    weakest_legal = np.where(legal, outputs, np.inf).min(axis=1)
    strongest_illegal = np.where(legal, -np.inf, outputs).max(axis=1)
    return weakest_legal > strongest_illegal
