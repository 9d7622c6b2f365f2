r"""Constraints, in the simplest form the book needs: projection onto a convex set.

Projected gradient descent takes an ordinary step and then maps the iterate back to the
feasible set :math:`C` with the Euclidean projection
:math:`\Pi_C(\mathbf{y}) = \arg\min_{\mathbf{x} \in C} \|\mathbf{x} - \mathbf{y}\|`::

    ball = lambda x: optlib.project_ball(x, radius=1.0, center=(-3.0, -2.0))
    path = optlib.projected_trajectory(optlib.sgd(0.1), objectives.quadratic(1, 2),
                                       x0=(-5.0, -2.0), steps=20, project=ball)
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .core import Optimizer, _as_points, _run, finite_rows

__all__ = ["project_ball", "projected_trajectory"]


def project_ball(x, radius: float = 1.0, center=0.0):
    r"""Euclidean projection of ``x`` onto the ball ``{y : ||y - center|| <= radius}``.

    ``x`` has shape (..., d) (the norm is taken over the last axis); points inside the
    ball are returned unchanged, points outside are moved radially onto its surface:
    :math:`\Pi(\mathbf{x}) = \mathbf{c} + (\mathbf{x} - \mathbf{c})\,
    \min(1, r / \|\mathbf{x} - \mathbf{c}\|)`.
    """
    if radius < 0:
        raise ValueError(f"Invalid radius: {radius:g}")
    x = np.asarray(x, dtype=float)
    c = np.asarray(center, dtype=float)
    u = x - c
    norm = np.linalg.norm(u, axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(norm > radius, radius / norm, 1.0)
    return c + u * scale


def projected_trajectory(opt: Optimizer, objective, x0, steps: int,
                         project: Callable) -> np.ndarray:
    """Projected descent: after every step of ``opt``, ``x <- project(x)``.

    Returns the iterates, shape (steps + 1, d); row 0 is ``project(x0)``.  With
    ``project`` the identity this is :func:`optlib.trajectory` without noise.
    """
    x = np.asarray(project(_as_points(x0)), dtype=float)
    return finite_rows(opt, x, _run(opt, objective, x, steps, project=project), stacklevel=3)
