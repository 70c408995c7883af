"""Build the typed Cython core: the LSTM (_core) and the standard recurrent nets (_recurrent).

Compiler directives live here and nowhere else. ``LSTM97_DEBUG=1`` at build
time turns bounds checks, wrap-around and initialised-check back on and
compiles without optimisation, for chasing a bug in ``_core.pyx``.
"""

import os

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup

DEBUG = os.environ.get("LSTM97_DEBUG", "") not in ("", "0")

directives = {
    "language_level": 3,
    "boundscheck": DEBUG,
    "wraparound": DEBUG,
    "initializedcheck": DEBUG,
    "cdivision": not DEBUG,
    "embedsignature": True,
}

# Portable by default: no -march=native, so a built wheel runs on any x86-64.
compile_args = ["-O0", "-g"] if DEBUG else ["-O3", "-g0"]

extensions = [
    Extension(
        f"lstm97.{name}",
        [f"lstm97/{name}.pyx"],
        include_dirs=[np.get_include()],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        extra_compile_args=compile_args,
    )
    for name in ("_core", "_recurrent")    # the LSTM; the standard recurrent nets
]

setup(ext_modules=cythonize(extensions, compiler_directives=directives))
