# Type stub of the compiled kernel of the standard recurrent nets; kept in step with
# _recurrent.pyx by tests/test_stub.py.
import enum

import numpy as np
import numpy.typing as npt

def forward(
    w: npt.NDArray[np.float64],
    kinds: npt.NDArray[np.int8],
    stages: npt.NDArray[np.int8],
    x: npt.NDArray[np.float64],
    out: npt.NDArray[np.float64],
) -> None: ...
def search(
    guesses: npt.NDArray[np.float64],
    kinds: npt.NDArray[np.int8],
    stages: npt.NDArray[np.int8],
    x: npt.NDArray[np.float64],
    offsets: npt.NDArray[np.intp],
    targets: npt.NDArray[np.float64],
    outputs: npt.NDArray[np.intp],
    tolerance: float,
    early_exit: bool = ...,
) -> tuple[int, npt.NDArray[np.intp]]: ...

class Algorithm(enum.IntEnum):
    RTRL = 0
    BPTT = 1

class LearnMode(enum.IntEnum):
    LEARN_GRADIENT = 1
    LEARN_SEQUENCE = 2
    LEARN_STEP = 3

class LearnFail(enum.IntEnum):
    LFAIL_NONE = 0
    LFAIL_STATE = 1
    LFAIL_UPDATE = 2
    LFAIL_GRADIENT = 3

class Learner:
    algorithm: int
    window: int
    U: int
    S: int
    I: int
    W: int
    state_bytes: int
    def __init__(
        self,
        free: npt.NDArray[np.uint8],
        kinds: npt.NDArray[np.int8],
        stages: npt.NDArray[np.int8],
        n_inputs: int,
        algorithm: int,
        window: int = ...,
    ) -> None: ...
    def run(
        self,
        w: npt.NDArray[np.float64],
        x: npt.NDArray[np.float64],
        offsets: npt.NDArray[np.intp],
        targets: npt.NDArray[np.float64],
        tmask: npt.NDArray[np.uint8],
        outputs: npt.NDArray[np.intp],
        out: npt.NDArray[np.float64] | None,
        errors: npt.NDArray[np.float64] | None,
        grad: npt.NDArray[np.float64] | None,
        mode: int,
        lr: float,
    ) -> tuple[int, int, int]: ...
