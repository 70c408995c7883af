# Type stub of the compiled kernel of the standard recurrent nets; kept in step with
# _recurrent.pyx by tests/test_stub.py.
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
