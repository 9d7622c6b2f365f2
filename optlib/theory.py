r"""Closed-form facts about (momentum) gradient descent on a quadratic.

On f(x) = ½ xᵀ A x every eigen-direction of A (eigenvalue λ, the *curvature*)
evolves on its own.  For :func:`optlib.sgd` with momentum β and rate η the pair
(v_t, x_t) of one eigen-direction obeys a linear recurrence

    v_t = β v_{t-1} + λ x_{t-1}
    x_t = x_{t-1} - η d_t,      d_t = v_t   (heavy ball)   or   λ x_{t-1} + β v_t  (Nesterov)

i.e. (v_t, x_t) = M (v_{t-1}, x_{t-1}) with the 2×2 iteration matrix
:func:`momentum_matrix`.  The error shrinks like ρ(M)^t, ρ the spectral radius
(:func:`momentum_rate`); :func:`optimal_momentum` gives the η, β that minimise it
(Polyak 1964; Goh 2017, "Why Momentum Really Works").

Every function broadcasts over NumPy arrays of ``lr``, ``momentum`` and
``curvature``, so a whole (η, β) grid is one call.
"""
from __future__ import annotations

import numpy as np

__all__ = ["momentum_matrix", "spectral_radius", "momentum_rate", "optimal_momentum"]


def momentum_matrix(lr, momentum, curvature, nesterov: bool = False):
    r"""The iteration matrix M of one eigen-direction, shape (..., 2, 2), acting on (v, x).

    Heavy ball:  M = [[β, λ], [−ηβ, 1 − ηλ]].
    Nesterov:    M = [[β, λ], [−ηβ², 1 − η(1 + β)λ]].
    With β = 0 the x-entry is GD's factor 1 − ηλ.
    """
    eta, beta, lam = np.broadcast_arrays(*(np.asarray(a, dtype=float)
                                           for a in (lr, momentum, curvature)))
    if nesterov:
        row_x = (-eta * beta ** 2, 1 - eta * (1 + beta) * lam)
    else:
        row_x = (-eta * beta, 1 - eta * lam)
    return np.stack([np.stack([beta, lam], -1), np.stack(row_x, -1)], -2)


def spectral_radius(M):
    r"""max |eigenvalue| of 2×2 matrices ``M`` (shape (..., 2, 2)), from the characteristic
    polynomial z² − tr(M) z + det(M) = 0 in closed form (fast on large grids)."""
    M = np.asarray(M, dtype=float)
    tr = M[..., 0, 0] + M[..., 1, 1]
    det = M[..., 0, 0] * M[..., 1, 1] - M[..., 0, 1] * M[..., 1, 0]
    root = np.sqrt((tr * tr - 4 * det).astype(complex))
    return np.maximum(np.abs((tr + root) / 2), np.abs((tr - root) / 2))


def momentum_rate(lr, momentum, curvatures, nesterov: bool = False):
    r"""The linear convergence rate of momentum GD on a quadratic: the largest spectral
    radius over the eigen-directions ``curvatures`` (a sequence of Hessian eigenvalues).

    ``lr`` and ``momentum`` broadcast against each other (e.g. two meshgrid arrays);
    the result has their broadcast shape.  A rate below 1 means convergence, and the
    error after t steps is then roughly rate**t times the initial one.
    """
    eta, beta = np.broadcast_arrays(np.asarray(lr, dtype=float),
                                    np.asarray(momentum, dtype=float))
    lams = np.asarray(curvatures, dtype=float).reshape(-1)
    rho = spectral_radius(momentum_matrix(eta[..., None], beta[..., None], lams, nesterov))
    return rho.max(axis=-1)


def optimal_momentum(curvature_min, curvature_max):
    r"""The heavy-ball η*, β* with the smallest rate for curvatures in [λ_min, λ_max]:

        η* = (2 / (√λ_max + √λ_min))²,   β* = ((√κ − 1) / (√κ + 1))²,   κ = λ_max / λ_min,

    and the rate they achieve, √β* = (√κ − 1)/(√κ + 1).  Returns ``(lr, momentum, rate)``.
    """
    lo, hi = np.sqrt(float(curvature_min)), np.sqrt(float(curvature_max))
    if not 0 < lo <= hi:
        raise ValueError(f"need 0 < curvature_min <= curvature_max, got "
                         f"{curvature_min}, {curvature_max}")
    rate = (hi - lo) / (hi + lo)
    return (2 / (hi + lo)) ** 2, rate ** 2, rate
