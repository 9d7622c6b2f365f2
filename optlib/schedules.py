r"""Learning-rate schedules: pure, closed-form functions of the 0-based update index t.

Each schedule is a small frozen object; call it on an int to get a float, or on a
NumPy integer array to get an array (vectorized).  No schedule keeps state, so the
rate of update t never depends on how often something else was called.

    >>> from optlib import schedules
    >>> round(schedules.factor(2.0, 0.9, min_lr=0.01)(3), 6)
    1.458
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

__all__ = ["Schedule", "constant", "factor", "multi_factor", "piecewise_constant",
           "exponential", "polynomial", "cosine"]


class Schedule:
    """Base class: subclasses define ``rate(t)`` on float arrays."""

    def rate(self, t: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, t):
        t_arr = np.asarray(t)
        if not np.issubdtype(t_arr.dtype, np.integer) and not np.all(t_arr == np.floor(t_arr)):
            raise TypeError(f"a schedule takes an integer update index, got {t!r}")
        if np.any(t_arr < 0):
            raise ValueError(f"the update index must be >= 0, got {t!r}")
        out = np.asarray(self.rate(t_arr.astype(float)), dtype=float)
        out = np.broadcast_to(out, t_arr.shape)
        return float(out) if out.ndim == 0 else out.copy()


@dataclass(frozen=True)
class constant(Schedule):
    r"""\eta_t = \eta."""
    lr: float

    def rate(self, t):
        return self.lr + 0 * t


@dataclass(frozen=True)
class factor(Schedule):
    r"""\eta_t = \max(\eta_{min}, \eta_0 \alpha^t)  (the closed form of \eta_t = \max(\eta_{min}, \alpha \eta_{t-1}))."""
    lr0: float
    factor: float
    min_lr: float = 0.0

    def rate(self, t):
        return np.maximum(self.min_lr, self.lr0 * self.factor ** t)


@dataclass(frozen=True)
class multi_factor(Schedule):
    r"""\eta_t = \eta_0 \alpha^{k(t)}, k(t) = number of milestones s with s \le t."""
    lr0: float
    steps: Sequence[int]
    factor: float

    def rate(self, t):
        k = np.searchsorted(np.sort(np.asarray(self.steps, dtype=float)), t, side="right")
        return self.lr0 * self.factor ** k


@dataclass(frozen=True)
class piecewise_constant(Schedule):
    r"""\eta_t = values[i] for boundaries[i-1] \le t < boundaries[i] (len(values) = len(boundaries) + 1)."""
    boundaries: Sequence[int]
    values: Sequence[float]

    def __post_init__(self):
        if len(self.values) != len(self.boundaries) + 1:
            raise ValueError("piecewise_constant needs one more value than boundaries")
        if list(self.boundaries) != sorted(self.boundaries):
            raise ValueError("piecewise_constant boundaries must be increasing")

    def rate(self, t):
        i = np.searchsorted(np.asarray(self.boundaries, dtype=float), t, side="right")
        return np.asarray(self.values, dtype=float)[i]


@dataclass(frozen=True)
class exponential(Schedule):
    r"""\eta_t = \eta_0 e^{-\lambda t}."""
    lr0: float
    decay: float

    def rate(self, t):
        return self.lr0 * np.exp(-self.decay * t)


@dataclass(frozen=True)
class polynomial(Schedule):
    r"""\eta_t = \eta_0 (\beta t + 1)^{-\alpha}  (\alpha = 0.5 is the classic convex choice)."""
    lr0: float
    beta: float
    alpha: float

    def rate(self, t):
        return self.lr0 * (self.beta * t + 1) ** (-self.alpha)


@dataclass(frozen=True)
class cosine(Schedule):
    r"""Cosine decay with optional linear warmup.

    t < w:        \eta_t = \eta_{start} + (\eta_0 - \eta_{start}) t / w
    w \le t \le T:  \eta_t = \eta_T + (\eta_0 - \eta_T) (1 + \cos(\pi (t - w) / (T - w))) / 2
    t > T:        \eta_t = \eta_T
    """
    lr0: float
    final_lr: float
    total_steps: int
    warmup_steps: int = 0
    warmup_start_lr: float = 0.0

    def __post_init__(self):
        if not 0 <= self.warmup_steps < self.total_steps:
            raise ValueError("cosine needs 0 <= warmup_steps < total_steps")

    def rate(self, t):
        w, T = self.warmup_steps, self.total_steps
        warm = self.warmup_start_lr + (self.lr0 - self.warmup_start_lr) * t / max(w, 1)
        phase = np.clip((t - w) / (T - w), 0.0, 1.0)
        decay = self.final_lr + (self.lr0 - self.final_lr) * (1 + np.cos(np.pi * phase)) / 2
        return np.where(t < w, warm, decay)
