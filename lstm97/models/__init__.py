"""The networks lstm97 trains.

- :mod:`~lstm97.models.topology`: :class:`Topology`, the architecture of a 1997 LSTM and the
  layout of its weight matrices' columns;
- :mod:`~lstm97.models.lstm`: :class:`LSTM`, the network, its truncated RTRL learner (the
  compiled core :mod:`lstm97._core`) and its model files;
- :mod:`~lstm97.models.table10`: every architecture of the paper's Table 10;
- :mod:`~lstm97.models.recurrent`: standard recurrent nets (:class:`RecurrentNet`): the
  weight-guessing study's A1, A2 and latch nets (compiled kernel :mod:`lstm97._recurrent`).
"""

from .lstm import LSTM, UPDATE_MODES
from .recurrent import RecurrentNet, RecurrentTopology, a1, a2, single_unit
from .table10 import TABLE10, Table10Row, table10
from .topology import GROUPS, SOURCE_KINDS, Topology

__all__ = ["GROUPS", "LSTM", "SOURCE_KINDS", "TABLE10", "RecurrentNet", "RecurrentTopology", "Table10Row",
           "Topology", "UPDATE_MODES", "a1", "a2", "single_unit", "table10"]
