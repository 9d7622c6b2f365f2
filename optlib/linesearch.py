r"""Backtracking (Armijo) line search: the step size chosen anew at every step.

Each step starts from the trial rate ``lr`` and multiplies it by ``shrink`` until the
Armijo (sufficient decrease) condition holds,

    f(x - eta d) <= f(x) - c eta g^T d,

where g is the gradient and d the search direction: d = g (gradient descent) or
d = H^{-1} g (Newton).  When H is not positive definite the Newton direction may point
uphill (g^T d <= 0); the step then falls back to d = g, so it always goes downhill::

    path, rates = optlib.backtracking_trajectory(objectives.rosenbrock(), x0=(-1.2, 1.0),
                                                 steps=30, newton=True)

(Armijo 1966; Nocedal & Wright 2006, Chapter 3.)
"""
from __future__ import annotations

import numpy as np

from . import rules as R
from ._validate import integer
from .core import _as_points

__all__ = ["backtracking_trajectory"]


def backtracking_trajectory(objective, x0, steps: int, lr: float = 1.0, shrink: float = 0.5,
                            c: float = 1e-4, newton: bool = False, max_backtracks: int = 60):
    """Gradient descent (or Newton's method, ``newton=True``) with backtracking line search.

    Returns ``(iterates, rates)``: the iterates, shape (steps + 1, d) with row 0 = ``x0``,
    and the accepted step size eta_t of each step, shape (steps,).  ``newton=True`` needs
    an objective with a Hessian.  After ``max_backtracks`` halvings the last trial is taken.
    """
    integer("number of steps", steps)
    integer("max_backtracks", max_backtracks)
    if not lr > 0:
        raise ValueError(f"Invalid learning rate: {lr:g}")
    if not 0 < shrink < 1:
        raise ValueError(f"Invalid shrink factor: {shrink} (need 0 < shrink < 1)")
    if not 0 < c < 1:
        raise ValueError(f"Invalid Armijo constant: {c} (need 0 < c < 1)")

    def value(x):
        return float(np.sum(objective(x)))

    x = _as_points(x0)
    rows, rates = [x], []
    for _ in range(steps):
        g = np.asarray(objective.grad(x), dtype=float).reshape(x.shape)
        d = g
        if newton:
            d_newton, _ = R.newton(g, R.NoState(), 0, hess=objective.hessian(x),
                                   diagonal=False)   # d = H^{-1} g, the rule's solve
            if float(g @ d_newton) > 0:          # a descent direction: use it
                d = d_newton
        eta, f_x, slope = lr, value(x), float(g @ d)
        for _ in range(max_backtracks):
            if value(x - eta * d) <= f_x - c * eta * slope:
                break
            eta *= shrink
        x = x - eta * d
        rows.append(x)
        rates.append(eta)
    return np.stack(rows), np.array(rates)
