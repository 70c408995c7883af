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
def marked_pairs(
    generator: np.random.Generator,
    n: int,
    T: int,
    max_length: int,
    low: float,
    high: float,
    half: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.int64]]: ...
def two_sequence(
    generator: np.random.Generator,
    n: int,
    T: int,
    max_length: int,
    noise_std: float,
    target_noise_std: float,
    target_noise: bool,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
def temporal_order(
    generator: np.random.Generator,
    n: int,
    T: int,
    max_length: int,
    low: npt.NDArray[np.int64],
    high: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
