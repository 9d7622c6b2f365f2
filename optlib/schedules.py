r"""Learning-rate schedules: pure, closed-form functions of the 0-based update index t.

Each schedule is a small frozen object; call it on an int to get a float, or on a
NumPy integer array to get an array of the same shape, element by element through the
same scalar code (so both agree to the last bit on every CPU).  No schedule keeps state, so the
rate of update t never depends on how often something else was called.

Every argument is checked when the schedule is made (real, finite numbers; rates and
decays >= 0; update indices are integers >= 0), with torch's wording
(``ValueError("Invalid lr0 value: -1.0 ...")``), and every rate a schedule produces is
checked too: it is never negative (a negative rate would run gradient *ascent*).

    >>> from optlib import schedules
    >>> round(schedules.factor(2.0, 0.9, min_lr=0.01)(3), 6)
    1.458
"""
from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ._validate import Real, integer, show

__all__ = ["Schedule", "constant", "factor", "multi_factor", "piecewise_constant",
           "exponential", "polynomial", "cosine"]


class Schedule:
    """Base class: subclasses define ``rate(t)`` for one int ``t`` with Python's ``math``.

    Calling a schedule on an int returns ``rate(t)``; calling it on an integer array
    evaluates ``rate`` element by element.  Both go through the same scalar code, so
    ``s(t) == s(np.arange(T))[t]`` holds to the last bit on every CPU (NumPy's SIMD
    loops, e.g. its AVX-512 ``power``, are not correctly rounded and would make a
    vectorized formula differ from the scalar one by an ulp).  Schedules are short
    (thousands of updates), so the Python loop costs microseconds per value.
    """

    def rate(self, t: int) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, t):
        t_arr = np.asarray(t)
        if t_arr.dtype.kind == "b" or (not np.issubdtype(t_arr.dtype, np.integer) and not (
                t_arr.dtype.kind == "f" and np.all(t_arr == np.floor(t_arr)))):
            raise TypeError(f"a schedule takes an integer update index, got {t!r}")
        if np.any(t_arr < 0):
            raise ValueError(f"the update index must be >= 0, got {t!r}")
        values = [self._checked(int(ti)) for ti in t_arr.flat]
        if t_arr.ndim == 0:
            return values[0]
        return np.array(values, dtype=float).reshape(t_arr.shape)

    def _checked(self, t: int) -> float:
        try:
            value = float(self.rate(t))
        except OverflowError:
            value = math.inf
        if not 0 <= value < math.inf:
            raise ValueError(f"{self!r} produced the learning rate {show(value)} at t = {t}; "
                             "a rate must be a finite number >= 0")
        return value

    def _set(self, name, value):
        object.__setattr__(self, name, value)

    def _rate_arg(self, name, positive=False):
        """Check the rate-like argument ``name`` (a finite number >= 0) and store a float."""
        self._set(name, float(Real(f"{name} value", low_open=positive)(getattr(self, name))))

    def _int_arg(self, name, low=0):
        self._set(name, integer(name, getattr(self, name), low))

    def _index_list(self, name):
        """A strictly increasing sequence of integer update indices >= 0, stored as a tuple."""
        seq = getattr(self, name)
        if isinstance(seq, (str, bytes)) or not hasattr(seq, "__iter__"):
            raise TypeError(f"Invalid {name}: {seq!r} (expected a list of update indices)")
        seq = tuple(integer(f"{name} entry", v) for v in seq)
        if any(b <= a for a, b in zip(seq, seq[1:])):
            raise ValueError(f"Invalid {name}: {list(seq)} (must be strictly increasing)")
        self._set(name, seq)


@dataclass(frozen=True)
class constant(Schedule):
    r"""\eta_t = \eta."""
    lr: float

    def __post_init__(self):
        self._rate_arg("lr")

    def rate(self, t):
        return self.lr


@dataclass(frozen=True)
class factor(Schedule):
    r"""\eta_t = \max(\eta_{\min}, \eta_0 \alpha^t), the closed form of \eta_{t+1} = \max(\eta_{\min}, \alpha \eta_t).

    ``factor`` is \alpha, ``min_lr`` is \eta_{\min}.
    """
    lr0: float
    factor: float
    min_lr: float = 0.0

    def __post_init__(self):
        for name in ("lr0", "factor", "min_lr"):
            self._rate_arg(name)

    def rate(self, t):
        return max(self.min_lr, self.lr0 * self.factor ** t)


@dataclass(frozen=True)
class multi_factor(Schedule):
    r"""\eta_t = \eta_0 \alpha^{k}, k = number of milestones t_i \le t (``steps`` are t_1 < t_2 < ...)."""
    lr0: float
    steps: Sequence[int]
    factor: float

    def __post_init__(self):
        self._rate_arg("lr0")
        self._index_list("steps")
        self._rate_arg("factor")

    def rate(self, t):
        k = bisect.bisect_right(self.steps, t)           # milestones passed
        return self.lr0 * self.factor ** k


@dataclass(frozen=True)
class piecewise_constant(Schedule):
    r"""\eta_t = values[i] for boundaries[i-1] \le t < boundaries[i] (len(values) = len(boundaries) + 1).

    ``boundaries`` are strictly increasing integer update indices (kept as ints)."""
    boundaries: Sequence[int]
    values: Sequence[float]

    def __post_init__(self):
        self._index_list("boundaries")
        if isinstance(self.values, (str, bytes)) or not hasattr(self.values, "__iter__"):
            raise TypeError(f"Invalid values: {self.values!r} (expected a list of rates)")
        values = tuple(float(Real(f"values[{i}] value")(v)) for i, v in enumerate(self.values))
        if len(values) != len(self.boundaries) + 1:
            raise ValueError(f"piecewise_constant needs one more value than boundaries, got "
                             f"{len(values)} values and {len(self.boundaries)} boundaries")
        self._set("values", values)

    def rate(self, t):
        return self.values[bisect.bisect_right(self.boundaries, t)]


@dataclass(frozen=True)
class exponential(Schedule):
    r"""\eta_t = \eta_0 e^{-r t}  (``decay`` is r)."""
    lr0: float
    decay: float

    def __post_init__(self):
        self._rate_arg("lr0")
        self._rate_arg("decay")

    def rate(self, t):
        return self.lr0 * math.exp(-self.decay * t)


@dataclass(frozen=True)
class polynomial(Schedule):
    r"""\eta_t = \eta_0 (1 + a t)^{-p}  (``beta`` is a, ``alpha`` is p; p = 0.5 is the classic convex choice)."""
    lr0: float
    beta: float
    alpha: float

    def __post_init__(self):
        for name in ("lr0", "beta", "alpha"):
            self._rate_arg(name)

    def rate(self, t):
        return self.lr0 * (self.beta * t + 1) ** (-self.alpha)


@dataclass(frozen=True)
class cosine(Schedule):
    r"""Cosine decay with optional linear warmup.

    t < T_w:          \eta_t = \eta_{start} + (\eta_0 - \eta_{start}) t / T_w
    T_w \le t \le T:  \eta_t = \eta_T + (\eta_0 - \eta_T) (1 + \cos(\pi (t - T_w) / (T - T_w))) / 2
    t > T:            \eta_t = \eta_T
    (``total_steps`` is T, ``warmup_steps`` is T_w, ``final_lr`` is \eta_T.)
    """
    lr0: float
    final_lr: float
    total_steps: int
    warmup_steps: int = 0
    warmup_start_lr: float = 0.0

    def __post_init__(self):
        for name in ("lr0", "final_lr", "warmup_start_lr"):
            self._rate_arg(name)
        self._int_arg("total_steps", low=1)
        self._int_arg("warmup_steps")
        if not self.warmup_steps < self.total_steps:
            raise ValueError(f"cosine needs 0 <= warmup_steps < total_steps, got "
                             f"warmup_steps={self.warmup_steps}, total_steps={self.total_steps}")

    def rate(self, t):
        w, T = self.warmup_steps, self.total_steps
        if t < w:
            return self.warmup_start_lr + (self.lr0 - self.warmup_start_lr) * t / w
        phase = min((t - w) / (T - w), 1.0)
        return self.final_lr + (self.lr0 - self.final_lr) * (1 + math.cos(math.pi * phase)) / 2
