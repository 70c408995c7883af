"""Build the typed Cython core: the LSTM (_core), the standard recurrent nets (_recurrent), the
lockstep kernel that trains several LSTM trials at once (_lockstep, with its C header) and the
task generators' draws (tasks._draws).

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
    # The LSTM's core; it calls libm's exp through the header the lanes share (_exp.h).
    Extension(
        "lstm97._core",
        ["lstm97/_core.pyx"],
        depends=["lstm97/_exp.h", "lstm97/_groups.h"],
        include_dirs=[np.get_include(), "lstm97"],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        extra_compile_args=compile_args,
        libraries=["m"],                    # for the versioned exp it binds (_exp.h)
    ),
    # The standard recurrent nets.
    Extension(
        "lstm97._recurrent",
        ["lstm97/_recurrent.pyx"],
        include_dirs=[np.get_include()],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        extra_compile_args=compile_args,
    ),
] + [
    # Bit-identical, lane by lane, to _core (compiled for x86-64's baseline, without FMA): so no
    # contraction into fused multiply-adds, in its AVX2 clone (runtime dispatch) or anywhere;
    # the only fmas are the vector exp's, written out as libm's exp has them.
    Extension(
        "lstm97._lockstep",
        ["lstm97/_lockstep.pyx"],
        depends=["lstm97/_lockstep_kernel.h", "lstm97/_exp_table.h", "lstm97/_exp.h",  # included
                 "lstm97/_groups.h"],
        include_dirs=[np.get_include(), "lstm97"],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        extra_compile_args=compile_args + ["-ffp-contract=off"],
        libraries=["m"],                    # for the versioned exp it binds (_exp.h)
    ),
    # The task generators' draws, with NumPy's own distributions (the npyrandom library NumPy
    # ships for extensions that draw as its Generator does).
    Extension(
        "lstm97.tasks._draws",
        ["lstm97/tasks/_draws.pyx"],
        include_dirs=[np.get_include()],
        library_dirs=[os.path.join(np.get_include(), "..", "..", "random", "lib")],
        libraries=["npyrandom", "m"],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        extra_compile_args=compile_args,
    ),
]

setup(ext_modules=cythonize(extensions, compiler_directives=directives))
