# Type stub of the compiled lockstep kernel; kept in step with _lockstep.pyx by tests/test_stub.py.
import numpy as np
import numpy.typing as npt

from ._core import Core

LANES: tuple[int, int, int]
VECTOR_EXP: bool
ISAS: tuple[str, ...]

def default_isa(n_lanes: int) -> str: ...

class Lanes:
    n_lanes: int
    isa: str
    n_inputs: int
    n_outputs: int
    n_weights: int
    n_cells: int
    n_units: int
    def __init__(
        self,
        n_lanes: int,
        n_inputs: int,
        n_outputs: int,
        n_hidden: int,
        block_sizes: npt.NDArray[np.intp],
        output_gates: bool,
        h_identity: bool,
        g_logistic: bool,
        h_half: float,
        g_half: float,
        group_set: list[int],
        set_xcols: list[npt.NDArray[np.intp]],
        set_rcols: list[npt.NDArray[np.intp]],
        *,
        isa: str | None = None,
    ) -> None: ...
    def run(
        self,
        cores: list[Core],
        batches: list[tuple[npt.NDArray[np.float64] | None, npt.NDArray[np.intp] | None, npt.NDArray[np.intp],
                            npt.NDArray[np.float64], npt.NDArray[np.uint8], npt.NDArray[np.float64] | None,
                            npt.NDArray[np.float64]]],
        mode: int,
        learning_rate: float,
    ) -> list[tuple[bool, int]]: ...
