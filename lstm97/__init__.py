"""lstm97: the original 1997 Long Short-Term Memory, exact and fast."""

__version__ = "0.1.0.dev0"
