r"""The update rules of the book, each written once.

A rule is a pure function

    direction(g, state, t, **hyper) -> (d, new_state)

of the (stochastic) gradient ``g`` = g_t, the rule's small state after t updates (a
NamedTuple of arrays, all zero at the start: v_0 = s_0 = 0) and the 0-based update index
``t``.  It returns the *direction* ``d`` = d_t and the state after t + 1 updates, following
the book's notation page (update t turns x_t into x_{t+1}).  The step itself, the one
place where the sign and the learning rate appear, is

    x_{t+1} = x_t - \eta_t \, d_t            (see :func:`apply_step`)

Rules use only ``+ - * /``, powers, :func:`sqrt` and :func:`sign`, so the same code
runs on

* NumPy arrays (``optlib``'s NumPy backend, the 1-D/2-D pictures, and vectorized
  hyperparameter sweeps where every hyperparameter may be an array broadcast over a
  leading batch axis), and
* lists of torch tensors (``optlib.torch``), whose arithmetic is dispatched to
  torch's multi-tensor ``torch._foreach_*`` kernels.

Each line carries the number of the equation it computes in the book's chapters,
with the same symbols: ``v`` momentum / first moment, ``s`` second moment,
``delta`` Adadelta's running average of squared updates.

Weight decay is one of two small steps composed around a rule: *coupled* (L2) decay
:func:`add_weight_decay` changes the gradient before the rule, *decoupled* decay (AdamW)
is the ``weight_decay`` of :func:`apply_step`.  Which algorithm uses which, its
hyperparameters, defaults and checks, and its fast kernels are listed in
:mod:`optlib.spec`.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = [
    "sqrt", "sign", "add_weight_decay", "apply_step",
    "MomentumState", "SquareState", "AdadeltaState", "AdamState", "NoState",
]


def sqrt(a):
    """Element-wise square root for NumPy arrays, floats, tensors and tensor lists."""
    return a.sqrt() if hasattr(a, "sqrt") else np.sqrt(a)


def sign(a):
    """Element-wise sign for NumPy arrays, floats, tensors and tensor lists."""
    return a.sign() if hasattr(a, "sign") else np.sign(a)


class NoState(NamedTuple):
    """Plain gradient descent and Newton's method keep no state."""


class MomentumState(NamedTuple):
    v: object  # leaky sum of past gradients


class SquareState(NamedTuple):
    s: object  # sum (AdaGrad) or leaky average (RMSProp) of squared gradients


class AdadeltaState(NamedTuple):
    s: object      # leaky average of squared gradients
    delta: object  # leaky average of squared rescaled updates


class AdamState(NamedTuple):
    v: object  # first moment (leaky average of gradients)
    s: object  # second moment (leaky average of squared gradients)


# --------------------------------------------------------------------------- rules
def sgd(g, state: MomentumState, t, *, momentum, nesterov):
    r"""SGD with (heavy-ball or Nesterov) momentum, torch.optim's convention.

    v_{t+1} = \beta v_t + g_t;   d_t = v_{t+1}, or g_t + \beta v_{t+1} (Nesterov).
    ``momentum`` is \beta; with \beta = 0 this is plain (stochastic) gradient descent.
    """
    v = momentum * state.v + g                      # (momentum.1)
    d = g + momentum * v if nesterov else v         # (momentum.2)
    return d, MomentumState(v)


def _scale_by_root(g, s, eps, eps_inside_sqrt):
    """g / sqrt(s + eps)  or  g / (sqrt(s) + eps): the two placements of epsilon."""
    return g / sqrt(s + eps) if eps_inside_sqrt else g / (sqrt(s) + eps)


def adagrad(g, state: SquareState, t, *, eps, eps_inside_sqrt):
    r"""AdaGrad: s_{t+1} = s_t + g_t^2;  d_t = g_t / \sqrt{s_{t+1} + \epsilon}."""
    s = state.s + g * g                             # (adagrad.1)
    d = _scale_by_root(g, s, eps, eps_inside_sqrt)  # (adagrad.2)
    return d, SquareState(s)


def rmsprop(g, state: SquareState, t, *, alpha, eps, eps_inside_sqrt):
    r"""RMSProp: s_{t+1} = \gamma s_t + (1-\gamma) g_t^2;  d_t = g_t / \sqrt{s_{t+1} + \epsilon}.

    ``alpha`` (torch's name) is the book's \gamma.
    """
    s = alpha * state.s + (1 - alpha) * (g * g)     # (rmsprop.1)
    d = _scale_by_root(g, s, eps, eps_inside_sqrt)  # (rmsprop.2)
    return d, SquareState(s)


def adadelta(g, state: AdadeltaState, t, *, rho, eps):
    r"""Adadelta: the rate is the ratio of two leaky RMS values.

    s_{t+1} = \gamma s_t + (1-\gamma) g_t^2
    g'_t = \sqrt{\Delta_t + \epsilon} / \sqrt{s_{t+1} + \epsilon} \cdot g_t      (d_t = g'_t)
    \Delta_{t+1} = \gamma \Delta_t + (1-\gamma) g'^2_t
    ``rho`` (torch's name) is the book's \gamma.
    """
    s = rho * state.s + (1 - rho) * (g * g)                    # (adadelta.1)
    g_prime = sqrt(state.delta + eps) / sqrt(s + eps) * g      # (adadelta.2)
    delta = rho * state.delta + (1 - rho) * (g_prime * g_prime)  # (adadelta.3)
    return g_prime, AdadeltaState(s, delta)


def adam(g, state: AdamState, t, *, betas, eps):
    r"""Adam with bias correction: after t + 1 updates the weights sum to 1 - \beta^{t+1}.

    v_{t+1} = \beta_1 v_t + (1-\beta_1) g_t
    s_{t+1} = \beta_2 s_t + (1-\beta_2) g_t^2
    \hat v_{t+1} = v_{t+1} / (1-\beta_1^{t+1}),  \hat s_{t+1} = s_{t+1} / (1-\beta_2^{t+1})
    d_t = \hat v_{t+1} / (\sqrt{\hat s_{t+1}} + \epsilon)
    """
    beta1, beta2 = betas
    v = beta1 * state.v + (1 - beta1) * g           # (adam.1)
    s = beta2 * state.s + (1 - beta2) * (g * g)     # (adam.2)
    v_hat = v / (1 - beta1 ** (t + 1))              # (adam.3)
    s_hat = s / (1 - beta2 ** (t + 1))              # (adam.4)
    d = v_hat / (sqrt(s_hat) + eps)                 # (adam.5)
    return d, AdamState(v, s)


def yogi(g, state: AdamState, t, *, betas, eps):
    r"""Yogi: Adam whose second moment moves towards g_t^2 by (1-\beta_2) g_t^2 per update
    (Adam moves it by (1-\beta_2) |g_t^2 - s_t|: Yogi rises at least as fast, falls slower).

    s_{t+1} = s_t - (1-\beta_2) g_t^2 \, \mathrm{sign}(s_t - g_t^2)   (the only change)
    """
    beta1, beta2 = betas
    g2 = g * g
    v = beta1 * state.v + (1 - beta1) * g                      # (adam.1)
    s = state.s - (1 - beta2) * g2 * sign(state.s - g2)        # (yogi.2)
    v_hat = v / (1 - beta1 ** (t + 1))                         # (adam.3)
    s_hat = s / (1 - beta2 ** (t + 1))                         # (adam.4)
    d = v_hat / (sqrt(s_hat) + eps)                            # (adam.5)
    return d, AdamState(v, s)


def newton(g, state: NoState, t, *, hess, diagonal):
    r"""Newton's method: d_t = H^{-1} g_t; with ``diagonal`` only diag(H) is used
    (diagonal preconditioning).  NumPy only: it needs the Hessian ``hess`` (..., d, d)."""
    if diagonal:
        return g / np.diagonal(hess, axis1=-2, axis2=-1), state
    return np.linalg.solve(hess, g[..., None])[..., 0], state


# ------------------------------------------------------------ around the rule
def add_weight_decay(g, x, weight_decay):
    r"""g_t + \omega x_t: coupled (L2) weight decay, the gradient of f + (\omega/2)||x||^2.

    It runs before the rule, so the decay goes through the rule's statistics
    (``weight_decay`` of torch.optim's SGD, Adam, ...).
    """
    return g + weight_decay * x


def apply_step(x, d, lr, weight_decay=0.0):
    r"""x_{t+1} = x_t - \eta_t (d_t + \omega x_t): sign and learning rate live here only.

    ``weight_decay`` (\omega) here is *decoupled* weight decay (AdamW); coupled L2
    weight decay is added to the gradient before the rule instead.
    """
    if np.ndim(weight_decay) == 0 and weight_decay == 0:
        return x - lr * d
    return x - lr * (d + weight_decay * x)
