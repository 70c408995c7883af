"""lstm97: the original 1997 Long Short-Term Memory, exact and fast.

Memory-cell blocks with a constant error carousel, an input gate and an output gate
(no forget gate, no peepholes), trained online by the paper's truncated RTRL variant
in O(W) time and memory per step (Hochreiter & Schmidhuber, Neural Computation 9(8),
1997).
"""


def _no_core(exc):
    """The error for a failed import of the compiled core, saying why and what to do."""
    import os
    from importlib.machinery import EXTENSION_SUFFIXES

    here = os.path.dirname(os.path.abspath(__file__))
    built = sorted(f for f in os.listdir(here)
                   if f.startswith("_core.") and f.endswith(tuple(EXTENSION_SUFFIXES)))
    if built:
        message = (f"lstm97's compiled core {os.path.join(here, built[0])} cannot be imported ({exc}); "
                   "rebuild it: `pip install -e .` in the checkout, or reinstall lstm97")
    else:
        message = (f"lstm97's compiled core (lstm97._core) is not built in {here}: this is the uncompiled "
                   "source tree, found before any installed lstm97 because Python looks in the current "
                   "folder first (`python -m lstm97` or `import lstm97` in the checkout's root). Run from "
                   "another folder, or build the core in place with `pip install -e .`")
    return ImportError(message, name="lstm97._core")


# The compiled core first: without it every other module fails, less clearly.
try:
    from . import _core  # noqa: F401
except ImportError as exc:
    if isinstance(exc, ModuleNotFoundError) and exc.name and exc.name.partition(".")[0] != __name__:
        raise  # a dependency of the core (NumPy) is missing: say that
    raise _no_core(exc) from None

from . import tasks
from .models import GROUPS, LSTM, TABLE10, Table10Row, Topology, table10

__version__ = "0.1.0.dev0"

__all__ = ["GROUPS", "LSTM", "TABLE10", "Table10Row", "Topology", "table10", "tasks"]
