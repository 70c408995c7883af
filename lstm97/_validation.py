"""Argument checks shared by every module.

Each message names the argument.  A value of the wrong type raises ``TypeError``; a
value of the right type that cannot be used raises ``ValueError``.
"""

import math
import numbers

import numpy as np


MAX_STEPS = 10_000_000
"""int: the longest sequence, in time steps, that any task may be asked to draw and any
network may be asked to run (``lstm97.tasks.MAX_STEPS``).

About ten thousand times the paper's longest sequences (some 1,100 steps in Exps 2c and 4). With
the lengths bounded, an impossible size is refused at construction instead of hanging or
exhausting memory in `Task.sample`. At the bound one sequence's arrays take 250 MB for the dense
tasks with one output (25 bytes a step) and 730 MB for Exp 6b (int64 inputs and 8 float64
targets a step).
"""


def shown(value, limit=60):
    """``repr(value)`` for an error message, shortened if it is long.

    A huge integer's repr is hundreds of digits, and beyond ``sys.get_int_max_str_digits()``
    Python refuses to make it at all (with a ValueError that would hide the argument's name).

    Parameters
    ----------
    value : object
    limit : int
        Longest repr given in full.

    Returns
    -------
    str
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        digits = _decimal_digits(int(value))
        if digits > limit:
            sign = "a negative" if value < 0 else "an"
            return f"{sign} integer of {digits} digits"
    try:
        text = repr(value)
    except ValueError:   # e.g. a Fraction whose numerator is too long to print
        return f"a {type(value).__name__} too large to print"
    return text if len(text) <= limit else f"{text[:limit - 20]}...{text[-10:]}"


def _decimal_digits(value):
    """Number of decimal digits of ``abs(value)``, without converting it to a string."""
    value = abs(value)
    if value < 10:
        return 1
    digits = int(math.log10(value)) + 1
    # log10 rounds to a float, so it can be off by one next to a power of ten
    if value < 10 ** (digits - 1):
        digits -= 1
    elif value >= 10 ** digits:
        digits += 1
    return digits


def check_int(name, value, minimum=None):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {shown(value)}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {shown(value)}")
    return value


def check_real(name, value, minimum=None, maximum=None, *, exclusive_minimum=False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {shown(value)}")
    try:
        value = float(value)
    except OverflowError:
        # an int (or Fraction) beyond the float range: the right type, but no usable value
        raise ValueError(
            f"{name} must be finite and within the float range, got {shown(value)}") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if minimum is not None and (value <= minimum if exclusive_minimum else value < minimum):
        bound = "greater than" if exclusive_minimum else "at least"
        raise ValueError(f"{name} must be {bound} {minimum}, got {value!r}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {value!r}")
    return value


def check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(
            f"{name} must be one of {', '.join(map(repr, choices))}, got {shown(value)}")
    return value


def check_rng(name, rng):
    """Validate a source of randomness and turn it into a `numpy.random.Generator`.

    Parameters
    ----------
    name : str
        The argument's name, for the error messages.
    rng : None, int, numpy.random.SeedSequence, numpy.random.BitGenerator or numpy.random.Generator
        None for fresh OS entropy, a non-negative int seed, a seed sequence, a bit generator to
        wrap, or a generator, which is returned itself (so its stream continues).

    Returns
    -------
    numpy.random.Generator
        Exactly what ``numpy.random.default_rng(rng)`` gives, so the draws are the same.

    Raises
    ------
    TypeError
        If `rng` is none of the above (a bool, float, str, bytes, sequence, RandomState ...).
    ValueError
        If `rng` is a negative int.
    """
    # the numpy objects are tested first: a Generator is what every sampling loop passes on, and
    # default_rng hands it back as is
    if rng is None or isinstance(rng, (np.random.Generator, np.random.BitGenerator,
                                       np.random.bit_generator.ISeedSequence)):
        return np.random.default_rng(rng)
    # bool is an int to Python but never meant as a seed; sequences of ints and RandomState,
    # which default_rng also takes, are outside the documented None | int | Generator contract
    if isinstance(rng, bool) or not isinstance(rng, numbers.Integral):
        raise TypeError(
            f"{name} must be None, a non-negative int seed, a numpy SeedSequence, BitGenerator "
            f"or Generator, got {shown(rng)}")
    if rng < 0:
        raise ValueError(f"{name} must be a non-negative int seed, got {shown(rng)}")
    return np.random.default_rng(rng)
