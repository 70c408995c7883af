"""lstm97: the original 1997 Long Short-Term Memory, exact and fast.

Memory-cell blocks with a constant error carousel, an input gate and an output gate
(no forget gate, no peepholes), trained online by the paper's truncated RTRL variant
in O(W) time and memory per step (Hochreiter & Schmidhuber, Neural Computation 9(8),
1997).
"""

from . import tasks
from .models import GROUPS, LSTM, TABLE10, Table10Row, Topology, table10

__version__ = "0.1.0.dev0"

__all__ = ["GROUPS", "LSTM", "TABLE10", "Table10Row", "Topology", "table10", "tasks"]
