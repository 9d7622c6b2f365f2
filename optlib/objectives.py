r"""The book's test functions, each with its exact gradient (and Hessian).

One-dimensional objectives act element-wise: ``f(x)`` has the shape of ``x``, so the
same object draws a curve over a grid and scores an iterate of shape (1,).
Two-dimensional objectives take points of shape (..., 2) and return shape (...);
their Hessians have shape (..., 2, 2).  All of them broadcast over leading axes,
which is what :func:`optlib.sweep` needs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

__all__ = [
    "Objective", "square", "cube", "tanh", "exp", "cos", "x_cos", "cosh", "saddle",
    "quadratic", "ill_conditioned", "rosenbrock", "least_squares",
]


@dataclass(frozen=True)
class Objective:
    """A differentiable test function: ``f(x) -> value``, ``grad(x) -> ndarray``."""

    f: Callable
    grad: Callable
    hess: Optional[Callable] = None
    name: str = "f"
    dim: int = 1
    minimizer: Optional[tuple] = None   # a (global) minimizer when one is known
    batch: Optional[Callable] = None    # data-driven objectives: idx -> the loss on rows idx

    def __call__(self, x):
        return self.f(np.asarray(x, dtype=float))

    def hessian(self, x):
        """The Hessian as a (..., d, d) array (1-D objectives give (..., 1, 1))."""
        if self.hess is None:
            raise ValueError(f"objective {self.name} has no Hessian")
        h = self.hess(x)
        return h[..., None] if self.dim == 1 else h  # 1-D: (..., 1) -> (..., 1, 1)

    def __repr__(self):
        return f"Objective({self.name})"


def _stack(a, b):
    return np.stack(np.broadcast_arrays(a, b), axis=-1)


def _hess2(h11, h12, h22):
    h11, h12, h22 = np.broadcast_arrays(h11, h12, h22)
    return np.stack([np.stack([h11, h12], -1), np.stack([h12, h22], -1)], -2)


# ------------------------------------------------------------------ 1-D functions
square = Objective(lambda x: x ** 2, lambda x: 2 * x, lambda x: 2 + 0 * x,
                   name="x²", minimizer=(0.0,))
cube = Objective(lambda x: x ** 3, lambda x: 3 * x ** 2, lambda x: 6 * x, name="x³")
tanh = Objective(np.tanh, lambda x: 1 - np.tanh(x) ** 2,
                 lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2), name="tanh(x)")
exp = Objective(np.exp, np.exp, np.exp, name="exp(x)")
cos = Objective(np.cos, lambda x: -np.sin(x), lambda x: -np.cos(x), name="cos(x)",
                minimizer=(np.pi,))


def x_cos(c: float = np.pi) -> Objective:
    r"""f(x) = x cos(c x): many local minima (c = π in chapter 1, 0.15π in chapter 3)."""
    return Objective(
        lambda x: x * np.cos(c * x),
        lambda x: np.cos(c * x) - c * x * np.sin(c * x),
        lambda x: -2 * c * np.sin(c * x) - c ** 2 * x * np.cos(c * x),
        name=f"x·cos({c:.3g}x)")


def cosh(c: float = 0.5) -> Objective:
    r"""f(x) = cosh(c x): convex, minimum at 0, curvature c² there (Newton's method)."""
    return Objective(lambda x: np.cosh(c * x), lambda x: c * np.sinh(c * x),
                     lambda x: c ** 2 * np.cosh(c * x), name=f"cosh({c:g}x)",
                     minimizer=(0.0,))


# ------------------------------------------------------------------ 2-D functions
saddle = Objective(
    lambda x: x[..., 0] ** 2 - x[..., 1] ** 2,
    lambda x: _stack(2 * x[..., 0], -2 * x[..., 1]),
    lambda x: _hess2(2 + 0 * x[..., 0], 0 * x[..., 0], -2 + 0 * x[..., 0]),
    name="x₁² − x₂²", dim=2)


def quadratic(a: float = 1.0, b: float = 2.0) -> Objective:
    r"""f(x) = a x₁² + b x₂²: curvatures 2a and 2b, condition number max(a,b)/min(a,b)."""
    return Objective(
        lambda x: a * x[..., 0] ** 2 + b * x[..., 1] ** 2,
        lambda x: _stack(2 * a * x[..., 0], 2 * b * x[..., 1]),
        lambda x: _hess2(2 * a + 0 * x[..., 0], 0 * x[..., 0], 2 * b + 0 * x[..., 0]),
        name=f"{a:g}·x₁² + {b:g}·x₂²", dim=2, minimizer=(0.0, 0.0))


#: The ill-conditioned quadratic of the momentum and adaptive chapters.
ill_conditioned = quadratic(0.1, 2.0)


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Objective:
    r"""f(x) = (a − x₁)² + b (x₂ − x₁²)²: a curved valley, minimum at (a, a²)."""
    def f(x):
        return (a - x[..., 0]) ** 2 + b * (x[..., 1] - x[..., 0] ** 2) ** 2

    def grad(x):
        x1, x2 = x[..., 0], x[..., 1]
        return _stack(-2 * (a - x1) - 4 * b * x1 * (x2 - x1 ** 2), 2 * b * (x2 - x1 ** 2))

    def hess(x):
        x1, x2 = x[..., 0], x[..., 1]
        return _hess2(2 - 4 * b * (x2 - 3 * x1 ** 2), -4 * b * x1, 2 * b + 0 * x1)

    return Objective(f, grad, hess, name="Rosenbrock", dim=2, minimizer=(a, a * a))


# ------------------------------------------------------- data-driven objectives
def least_squares(X, y, bias: bool = True) -> Objective:
    r"""The mean squared loss of a linear model on the data ``(X, y)``.

    f(w) = (1/n) Σ_i (x̃_i·w − y_i)²  with x̃_i = (x_i, 1) when ``bias`` (the bias is the
    last coordinate of w, as in ``torch.nn.Linear``'s (weight, bias)), else x̃_i = x_i.
    Gradient (2/n) X̃ᵀ(X̃w − y), Hessian H = (2/n) X̃ᵀX̃ (constant), so gradient descent
    is stable for 0 < η < 2/λ_max(H).  Points w have shape (..., d) (+1 with the bias).
    ``objective.batch(idx)`` is the same loss on the rows ``idx`` only: its gradient is
    the minibatch gradient, an unbiased estimate of the full one.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float).reshape(len(X))
    Xt = np.hstack([X, np.ones((len(X), 1))]) if bias else X
    return _least_squares(Xt, y, exact_minimizer=True)


def _least_squares(Xt, y, exact_minimizer=False):
    n, d = Xt.shape
    H = 2.0 / n * Xt.T @ Xt

    def residual(w):
        return np.asarray(w, dtype=float) @ Xt.T - y            # shape (..., n)

    return Objective(
        lambda w: np.mean(residual(w) ** 2, axis=-1),
        lambda w: 2.0 / n * residual(w) @ Xt,
        lambda w: np.broadcast_to(H, np.shape(w)[:-1] + (d, d)),
        name=f"least squares (n={n})", dim=d,
        minimizer=tuple(np.linalg.lstsq(Xt, y, rcond=None)[0]) if exact_minimizer else None,
        batch=lambda idx: _least_squares(Xt[idx], y[idx]))

