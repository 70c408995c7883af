"""The plain-C baseline (lstm_baseline.c, beside this file): compiled at first use, loaded with ctypes.

The C file implements the core's algorithm for fully connected nets with dense inputs,
every unit biased, output gates and sigmoid-shaped h and g (the adding and temporal-order
nets of Table 10).  It is compiled with the C compiler Python was built with and, by
default, the optimisation flags of the core (setup.py): ``-O3 -g0``, no ``-march=native``.
"""

import ctypes
import functools
import hashlib
import os
import shlex
import shutil
import subprocess
import sysconfig
import tempfile
import weakref
from pathlib import Path

import numpy as np

SOURCE = Path(__file__).resolve().parent / "lstm_baseline.c"

#: The core's optimisation flags (setup.py).
DEFAULT_FLAGS = ("-O3", "-g0")
#: The same, for this machine's CPU only.
NATIVE_FLAGS = ("-O3", "-g0", "-march=native")

#: The groups of ``LSTM.get_weights()``, in order; the C code has no conventional hidden units.
GROUPS = ("hidden", "input_gate", "output_gate", "cell", "output")

def compiler():
    """The command of the C compiler Python was built with, as a list.

    Raises
    ------
    NotImplementedError
        If there is none on this machine (asv then skips the benchmark).
    """
    configured = sysconfig.get_config_var("CC") or ""
    cc = shlex.split(configured)
    if not cc or shutil.which(cc[0]) is None:
        raise NotImplementedError(f"no C compiler to build the C baseline: Python was built with "
                                  f"CC={configured!r}, which is not on PATH")
    return cc


@functools.lru_cache(maxsize=None)
def library(flags=DEFAULT_FLAGS):
    """The C baseline compiled with ``flags`` (a tuple), built once per compiler, flags and
    source into a cache folder under the temp directory, and loaded.

    Raises
    ------
    NotImplementedError
        If there is no C compiler.
    RuntimeError
        If the compiler fails (the message holds its output).
    """
    cc = compiler()
    command = [*cc, *flags, "-fPIC", "-shared"]
    key = hashlib.sha256(repr(command).encode() + SOURCE.read_bytes()).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / "lstm97-c-baseline"
    path = folder / f"lstm_baseline-{key}.so"
    if not path.exists():
        folder.mkdir(exist_ok=True)
        partial = folder / f"{path.name}.{os.getpid()}.tmp"
        done = subprocess.run([*command, "-o", str(partial), str(SOURCE), "-lm"],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{shlex.join(done.args)} failed:\n{done.stderr}")
        os.replace(partial, path)
    lib = ctypes.CDLL(str(path))
    pointer, c_int, c_double = ctypes.c_void_p, ctypes.c_int, ctypes.c_double   # arrays by address
    for name, restype, argtypes in (
            ("lstm_create", pointer, [c_int, c_int, c_int, pointer, c_double, c_double]),
            ("lstm_free", None, [pointer]),
            ("lstm_n_weights", c_int, [pointer]),
            ("lstm_set_weights", None, [pointer, pointer]),
            ("lstm_get_weights", None, [pointer, pointer]),
            ("train_sequence", c_double, [pointer, pointer, pointer, pointer, c_int, c_double])):
        function = getattr(lib, name)
        function.restype, function.argtypes = restype, argtypes
    return lib


class CBaseline:
    """A C twin of an lstm97 network, starting from a copy of its weights.

    Parameters
    ----------
    net : lstm97.LSTM
        Fully connected, dense-input kind of net the C code implements: no conventional
        hidden units, output gates, every unit biased, ``h`` and ``g`` sigmoid-shaped.
    flags : tuple of str, default DEFAULT_FLAGS
        Compiler flags of the build to use.

    Raises
    ------
    ValueError
        If the net is not of that kind.
    NotImplementedError
        If there is no C compiler.
    """

    def __init__(self, net, flags=DEFAULT_FLAGS):
        top = net.topology
        expected = {g: np.ones(top.n_sources, bool) for g in GROUPS[1:4]}
        expected["output"] = np.zeros(top.n_sources, bool)
        expected["output"][top.source_columns("bias")] = expected["output"][top.source_columns("cell")] = True
        fits = (top.n_hidden == 0 and top.output_gates and top.h == top.g == "sigmoid"
                and all(np.array_equal(top.source_mask(g), m) for g, m in expected.items()))
        if not fits:
            raise ValueError("the C baseline implements fully connected nets with output gates, every unit "
                             f"biased, no conventional hidden units and sigmoid h and g; not {top}")
        self._lib = lib = library(tuple(flags))
        self._shapes = {g: (top.group_size(g), top.n_sources) for g in GROUPS}
        self._columns = {g: np.flatnonzero(top.source_mask(g)) for g in GROUPS}
        self._n_io = top.n_inputs, top.n_outputs
        sizes = np.array(top.block_sizes, dtype=np.intc)
        self._net = lib.lstm_create(top.n_inputs, top.n_outputs, top.n_blocks, sizes.ctypes.data,
                                    top.h_range, top.g_range)
        if not self._net:
            raise MemoryError("lstm_create")
        self._close = weakref.finalize(self, lib.lstm_free, self._net)
        weights = net.get_weights()
        flat = np.concatenate([weights[g][:, self._columns[g]].ravel() for g in GROUPS[1:]])
        assert flat.size == lib.lstm_n_weights(self._net) == net.n_weights
        lib.lstm_set_weights(self._net, flat.ctypes.data)

    def get_weights(self):
        """Every weight, per group, laid out as ``LSTM.get_weights()``: dense
        ``(units, n_sources)`` arrays, 0 where no connection exists."""
        flat = np.empty(self._lib.lstm_n_weights(self._net))
        self._lib.lstm_get_weights(self._net, flat.ctypes.data)
        weights, start = {}, 0
        for g in GROUPS:
            rows, cols = self._shapes[g][0], self._columns[g]
            weights[g] = np.zeros(self._shapes[g])
            weights[g][:, cols] = flat[start:start + rows * len(cols)].reshape(rows, len(cols))
            start += rows * len(cols)
        return weights

    def train_sequence(self, x, y, mask, learning_rate):
        """Train on one sequence, updating at its end, as ``LSTM.train_sequence(x, y, mask,
        learning_rate=..., update="sequence")``; returns its error E.

        ``x`` is ``(T, n_inputs)`` dense input, ``y`` ``(T, n_outputs)`` targets, ``mask``
        ``(T,)`` bool, True at the steps with a target.
        """
        x = np.ascontiguousarray(x, dtype=np.float64)
        y = np.ascontiguousarray(y, dtype=np.float64)
        mask = np.ascontiguousarray(mask, dtype=bool)
        T = len(x)
        if x.shape != (T, self._n_io[0]) or y.shape != (T, self._n_io[1]) or mask.shape != (T,):
            raise ValueError(f"x, y, mask must have shapes (T, {self._n_io[0]}), (T, {self._n_io[1]}), (T,); "
                             f"got {x.shape}, {y.shape}, {mask.shape}")
        return self._lib.train_sequence(self._net, x.ctypes.data, y.ctypes.data, mask.ctypes.data, T,
                                        learning_rate)
