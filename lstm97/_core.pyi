# Type stub of the compiled core; kept in step with _core.pyx by tests/test_stub.py.
import enum

import numpy as np
import numpy.typing as npt

GROUP_NAMES: tuple[str, str, str, str, str]
STATE_ARRAYS: tuple[str, ...]
VECTOR_EXP: bool

class Mode(enum.IntEnum):
    MODE_FORWARD = 0
    MODE_GRADIENT = 1
    MODE_TRAIN_SEQUENCE = 2
    MODE_TRAIN_STEP = 3

class Fail(enum.IntEnum):
    FAIL_NONE = 0
    FAIL_STATE = 1
    FAIL_UPDATE = 2
    FAIL_GRADIENT = 3

def check_batch(
    n_inputs: int,
    n_outputs: int,
    x: npt.NDArray[np.float64] | None,
    symbols: npt.NDArray[np.intp] | None,
    offsets: npt.NDArray[np.intp] | None,
    targets: npt.NDArray[np.float64] | None,
    mask: npt.NDArray[np.uint8] | None,
    outputs: npt.NDArray[np.float64] | None,
    errors: npt.NDArray[np.float64] | None,
    mode: int,
    learning_rate: float,
) -> int: ...

class Core:
    n_inputs: int
    n_outputs: int
    n_hidden: int
    n_blocks: int
    n_cells: int
    n_units: int
    n_weights: int
    n_sets: int
    output_gates: bool
    t: int
    error: float
    def __init__(
        self,
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
    ) -> None: ...
    def group_view(self, g: int, which: str = ...) -> npt.NDArray[np.float64]: ...
    def state_arrays(self) -> dict[str, npt.NDArray[np.float64]]: ...
    def set_counters(self, t: int, error: float) -> None: ...
    def reset(self) -> None: ...
    def apply(self, learning_rate: float) -> bool: ...
    def step(
        self,
        x: npt.NDArray[np.float64] | None,
        symbol: int,
        target: npt.NDArray[np.float64] | None,
        out: npt.NDArray[np.float64],
    ) -> int: ...
    def run(
        self,
        x: npt.NDArray[np.float64] | None,
        symbols: npt.NDArray[np.intp] | None,
        offsets: npt.NDArray[np.intp],
        targets: npt.NDArray[np.float64] | None,
        mask: npt.NDArray[np.uint8] | None,
        outputs: npt.NDArray[np.float64] | None,
        errors: npt.NDArray[np.float64] | None,
        mode: int,
        learning_rate: float,
    ) -> tuple[int, int, int]: ...
