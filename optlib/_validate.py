"""Hyperparameter checks shared by both backends, worded as torch.optim words them."""
from __future__ import annotations

import numpy as np


def _bad(value, ok):
    """The first value (scalar or element of an array) for which ``ok`` fails, else None."""
    arr = np.asarray(value, dtype=float)
    with np.errstate(invalid="ignore"):
        bad = ~ok(arr)
    if np.any(bad):
        return arr[bad].flat[0] if arr.ndim else arr.item()
    return None


def _check(name, value, ok):
    if value is None:
        return
    first = _bad(value, ok)
    if first is not None:
        raise ValueError(f"Invalid {name}: {first:g}")


def validate(*, lr=None, momentum=None, nesterov=False, eps=None, betas=None,
             alpha=None, rho=None, weight_decay=None):
    """Raise ``ValueError`` for an invalid hyperparameter (arrays are checked element-wise)."""
    if lr is not None and not callable(lr):
        _check("learning rate", lr, lambda a: a >= 0)
    _check("momentum value", momentum, lambda a: a >= 0)
    _check("epsilon value", eps, lambda a: a >= 0)
    _check("alpha value", alpha, lambda a: (a >= 0) & (a <= 1))
    _check("rho value", rho, lambda a: (a >= 0) & (a <= 1))
    _check("weight_decay value", weight_decay, lambda a: a >= 0)
    if betas is not None:
        if len(betas) != 2:
            raise ValueError(f"Invalid betas: expected two values, got {betas!r}")
        for i, beta in enumerate(betas):
            _check(f"beta parameter at index {i}", beta, lambda a: (a >= 0) & (a < 1))
    if nesterov and (momentum is None or np.any(np.asarray(momentum) <= 0)):
        raise ValueError("Nesterov momentum requires a momentum")
