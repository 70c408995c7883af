# Type stub of the task generators' compiled draws; kept in step with _draws.pyx by
# tests/test_stub.py.
import numpy as np
import numpy.typing as npt

def very_long_lag(
    generator: np.random.Generator,
    n: int,
    p: int,
    q: int,
    probability: float,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
