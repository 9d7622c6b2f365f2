"""Input checks shared by optimizers, schedules, live figures and ``fit``, worded as
torch.optim words them (``ValueError("Invalid learning rate: -0.1")``).

A *number* here is a real, finite Python or NumPy number (``bool`` is not a number,
nor is a string, ``None`` or a complex number); where the NumPy backend allows it
(hyperparameter sweeps) it may also be a real NumPy array, checked element by element.
Wrong types raise ``TypeError``, wrong values ``ValueError``; both name the argument
and show the rejected value.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

__all__ = ["Real", "Flag", "Pair", "Integer", "real", "integer", "flag", "show"]


def show(value) -> str:
    """A value as an error message shows it: numbers as Python floats (``-0.1``, ``inf``)."""
    if isinstance(value, (numbers.Real, np.floating, np.integer)) and not isinstance(
            value, (bool, np.bool_)):
        return repr(float(value)) if not isinstance(value, (int, np.integer)) else repr(int(value))
    return repr(value)


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _type_error(label, value, expected):
    return TypeError(f"Invalid {label}: {value!r} (expected {expected}, "
                     f"got {type(value).__name__})")


@dataclass(frozen=True)
class Real:
    """A real, finite number in the interval from ``low`` to ``high`` (each end closed
    unless ``*_open``).  ``label`` is torch's name of it ("learning rate", "epsilon value")."""

    label: str
    low: float = 0.0
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False

    def rule(self) -> str:
        """The allowed range in words, e.g. ``>= 0`` or ``in [0, 1)``."""
        lo, hi = f"{self.low:g}", f"{self.high:g}"
        if self.high == math.inf:
            return f"{'>' if self.low_open else '>='} {lo}"
        if self.low == -math.inf:
            return f"{'<' if self.high_open else '<='} {hi}"
        return f"in {'(' if self.low_open else '['}{lo}, {hi}{')' if self.high_open else ']'}"

    def ok(self, a):
        """Element-wise: inside the range and finite."""
        low = a > self.low if self.low_open else a >= self.low
        high = a < self.high if self.high_open else a <= self.high
        return low & high & np.isfinite(a)

    def __call__(self, value, *, arrays: bool = False):
        """``value`` if it is allowed (a float for a Python or NumPy scalar), else raise."""
        if isinstance(value, np.ndarray) and arrays:
            if value.dtype.kind not in "iuf":
                raise TypeError(f"Invalid {self.label}: an array of {value.dtype} "
                                "(expected real numbers)")
            bad = ~self.ok(value.astype(float))
            if np.any(bad):
                self._fail(value.astype(float)[bad].flat[0])
            return value
        if not _is_number(value):
            expected = "a real number or a NumPy array of them" if arrays else "a real number"
            raise _type_error(self.label, value, expected)
        v = float(value)
        if not self.ok(np.float64(v)):
            self._fail(v)
        return value

    def _fail(self, v):
        raise ValueError(f"Invalid {self.label}: {show(v)} (must be a finite number "
                         f"{self.rule()})")


@dataclass(frozen=True)
class Integer:
    """A Python or NumPy integer (not a bool) ``>= low``."""

    label: str
    low: int = 0

    def __call__(self, value, **_):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise _type_error(self.label, value, "an integer")
        if value < self.low:
            raise ValueError(f"Invalid {self.label}: {int(value)} (must be an integer "
                             f">= {self.low})")
        return int(value)


@dataclass(frozen=True)
class Flag:
    """``True`` or ``False`` (a NumPy bool is accepted and made a Python bool)."""

    label: str

    def __call__(self, value, **_):
        if not isinstance(value, (bool, np.bool_)):
            raise _type_error(self.label, value, "True or False")
        return bool(value)


@dataclass(frozen=True)
class Pair:
    """Two numbers, e.g. Adam's ``betas``; element i is labelled ``item_label`` with i."""

    label: str
    item: Real

    def __call__(self, value, *, arrays: bool = False):
        if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or (
                isinstance(value, np.ndarray) and value.ndim != 1):
            raise _type_error(self.label, value, "a pair of numbers")
        if len(value) != 2:
            raise ValueError(f"Invalid {self.label}: {value!r} (expected two values, "
                             f"got {len(value)})")
        return tuple(Real(self.item.label.format(i=i), self.item.low, self.item.high,
                          self.item.low_open, self.item.high_open)(v, arrays=arrays)
                     for i, v in enumerate(value))


def real(label, value, low=0.0, high=math.inf, *, low_open=False, high_open=False,
         arrays=False):
    """Check one number (see :class:`Real`); returns it."""
    return Real(label, low, high, low_open, high_open)(value, arrays=arrays)


def integer(label, value, low=0):
    """Check one integer (see :class:`Integer`); returns it as a Python int."""
    return Integer(label, low)(value)


def flag(label, value):
    """Check one bool (see :class:`Flag`); returns it as a Python bool."""
    return Flag(label)(value)
