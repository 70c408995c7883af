"""Import a dependency that only some of lstm97 needs, where it is needed.

``import lstm97`` and training need NumPy alone; the plots need matplotlib (the
``plot`` extra), the Dask backend needs distributed (the ``dask`` extra).  When
one is missing, :func:`require` says which package and which install command.
"""

from __future__ import annotations

import importlib


class MissingDependency(ImportError, RuntimeError):
    """A package that this part of lstm97 needs is not installed.

    An ``ImportError`` for library callers, and a ``RuntimeError`` so that the
    command line reports it as an error (exit code 2) rather than a traceback.
    """


def require(module: str, extra: str | None = None, *, what: str | None = None):
    """Import and return ``module``, or raise :class:`MissingDependency` naming the extra.

    ``extra`` is the lstm97 extra that installs it (``"plot"`` gives
    ``pip install "lstm97[plot]"``); ``None`` for a dependency lstm97 always
    installs, whose absence means a broken environment.  ``what`` names the
    feature that needs it, for the message.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        package = module.partition(".")[0]
        if exc.name is not None and exc.name != package and not exc.name.startswith(package + "."):
            raise  # the package is there but one of its own dependencies is not: show that
        feature = what or "this"
        if extra is None:
            hint = f'pip install {package} (a dependency of lstm97: reinstall lstm97 to get it back)'
        else:
            hint = f'pip install "lstm97[{extra}]"'
        raise MissingDependency(f"{feature} needs the {package!r} package, which is not installed: {hint}",
                                name=package) from None
