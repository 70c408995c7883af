"""The paper's architectures: every row of Table 10 as a :class:`~lstm97.network.Topology`."""

from __future__ import annotations

import dataclasses

from .topology import Topology, shown

__all__ = ["TABLE10", "Table10Row", "table10"]


@dataclasses.dataclass(frozen=True)
class Table10Row:
    """One row of the paper's Table 10 (summary of experimental conditions, part I).

    ``min_length`` is the table's p (the minimal sequence length; for 2c it lists q),
    ``lag`` the minimal number of steps between the last relevant input and the teacher
    signal.
    """

    name: str
    topology: Topology
    learning_rate: float
    min_length: int
    lag: int


def _reber(name, blocks, lr):
    n = len(blocks)
    return Table10Row(name, Topology(
        n_inputs=7, n_outputs=7, block_sizes=blocks, connectivity="F", bias="gates",
        init_range=0.2, output_gate_bias=tuple(float(-(j + 1)) for j in range(n))), lr, 9, 9)


def _two_sequences(name):
    # Exps 2a/2b: one cell with an input gate and no output gate, connectivity B, no bias,
    # h the identity and g logistic; the cell is present from the start (DECISIONS item 13).
    return Table10Row(name, Topology(
        n_inputs=101, n_outputs=101, block_sizes=(1,), output_gates=False, connectivity="B",
        bias="none", h="identity", g="logistic", init_range=0.2), 1.0, 100, 100)


def _distractors(name, q, p):
    return Table10Row(name, Topology(
        n_inputs=p + 4, n_outputs=2, block_sizes=(1, 1), connectivity="F", bias="none",
        init_range=0.2), 0.01, q, q)


def _noisy(name, lr):
    return Table10Row(name, Topology(
        n_inputs=1, n_outputs=1, block_sizes=(1, 1, 1), connectivity="F", bias="hidden",
        init_range=0.1, input_gate_bias=(-1.0, -3.0, -5.0), output_gate_bias=(-2.0, -4.0, -6.0)),
        lr, 100, 100)


def _adding(name, T, igb, lr):
    # Exps 4 and 5: output-gate biases random, as Table 10 says (DECISIONS item 7).
    return Table10Row(name, Topology(
        n_inputs=2, n_outputs=1, block_sizes=(2, 2), connectivity="F", bias="all",
        init_range=0.1, input_gate_bias=igb), lr, T, T // 2)


def _temporal(name, n_classes, blocks, igb, lr, lag):
    return Table10Row(name, Topology(
        n_inputs=8, n_outputs=n_classes, block_sizes=blocks, connectivity="F", bias="all",
        init_range=0.1, input_gate_bias=igb), lr, 100, lag)


#: Every row of Table 10, by the table's task name.
TABLE10: dict[str, Table10Row] = {row.name: row for row in (
    _reber("1-1", (1, 1, 1, 1), 0.1),
    _reber("1-2", (2, 2, 2), 0.1),
    _reber("1-3", (2, 2, 2), 0.2),
    _reber("1-4", (1, 1, 1, 1), 0.5),
    _reber("1-5", (2, 2, 2), 0.5),
    _two_sequences("2a"),
    _two_sequences("2b"),
    *(_distractors(f"2c-{i + 1}", q, p) for i, (q, p) in enumerate(
        [(50, 50), (100, 100), (200, 200), (500, 500), (1000, 1000),
         (1000, 500), (1000, 200), (1000, 100), (1000, 50)])),
    _noisy("3a", 1.0),
    _noisy("3b", 1.0),
    _noisy("3c", 0.1),
    _adding("4-1", 100, (-3.0, -6.0), 0.5),
    _adding("4-2", 500, (-3.0, -6.0), 0.5),
    _adding("4-3", 1000, (-3.0, -6.0), 0.5),
    _adding("5", 100, None, 0.1),
    _temporal("6a", 4, (2, 2), (-2.0, -4.0), 0.5, 40),
    _temporal("6b", 8, (2, 2, 2), (-2.0, -4.0, -6.0), 0.1, 24),
)}


def table10(name: str) -> Topology:
    """The topology of Table 10 row ``name`` (e.g. ``"4-1"``, ``"2c-5"``, ``"6a"``).

    Raises ``TypeError`` if ``name`` is not a str and ``ValueError`` if it names no row.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a Table 10 row name (a str), got {shown(name)}; "
                        f"rows are {', '.join(TABLE10)}")
    if name not in TABLE10:
        raise ValueError(f"name must name a Table 10 row: unknown Table 10 row {shown(name)}; "
                         f"rows are {', '.join(TABLE10)}")
    return TABLE10[name].topology
