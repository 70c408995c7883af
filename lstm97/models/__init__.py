"""The networks lstm97 trains.

- :mod:`~lstm97.models.topology`: :class:`Topology`, the architecture of a 1997 LSTM and the
  layout of its weight matrices' columns;
- :mod:`~lstm97.models.lstm`: :class:`LSTM`, the network, its truncated RTRL learner (the
  compiled core :mod:`lstm97._core`) and its model files;
- :mod:`~lstm97.models.table10`: every architecture of the paper's Table 10.
"""

from .lstm import LSTM, UPDATE_MODES
from .table10 import TABLE10, Table10Row, table10
from .topology import GROUPS, SOURCE_KINDS, Topology

__all__ = ["GROUPS", "LSTM", "SOURCE_KINDS", "TABLE10", "Table10Row", "Topology", "UPDATE_MODES", "table10"]
