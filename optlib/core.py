"""The NumPy backend: optimizers as (rule, hyperparameters), trajectories and sweeps.

An :class:`Optimizer` is immutable.  ``opt.init(x)`` gives its state,
``opt.step(x, g, state)`` gives ``(x_next, state_next)``; nothing is hidden.
Every hyperparameter may be a NumPy array: :func:`sweep` uses that to run many
settings at once, broadcast over a leading batch axis.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, NamedTuple

import numpy as np

from . import rules as R
from ._validate import validate

__all__ = [
    "Optimizer", "OptState", "DivergenceWarning",
    "sgd", "adagrad", "rmsprop", "adadelta", "adam", "adamw", "yogi", "newton",
    "trajectory", "sweep", "minibatch_trajectory",
]


class DivergenceWarning(UserWarning):
    """The iterates left the finite numbers: the run diverged."""


class OptState(NamedTuple):
    t: int        # number of updates done so far (the 0-based index of the next one)
    rule: Any     # the rule's own state (a NamedTuple of arrays)


@dataclass(frozen=True)
class Optimizer:
    """An update rule with its hyperparameters (NumPy backend)."""

    rule: R.Rule
    lr: Any                      # a number, an array, or a schedule t -> rate
    hyper: dict = field(default_factory=dict)
    weight_decay: Any = 0.0      # coupled (L2, added to g) ...
    decoupled: bool = False      # ... or decoupled (AdamW)

    @property
    def name(self) -> str:
        return self.rule.name

    def rate(self, t):
        """The learning rate eta_t of update t."""
        return self.lr(t) if callable(self.lr) else self.lr

    def init(self, x) -> OptState:
        x = np.asarray(x, dtype=float)
        return OptState(0, self.rule.State(*(np.zeros_like(x) for _ in self.rule.State._fields)))

    def step(self, x, g, state: OptState, hess=None):
        """One update: returns ``(x_next, state_next)``."""
        t = state.t
        if not self.decoupled and np.any(self.weight_decay):
            g = g + self.weight_decay * x
        extra = {"hess": hess} if self.rule.name == "newton" else {}
        d, rule_state = self.rule.direction(g, state.rule, t, **self.hyper, **extra)
        wd = self.weight_decay if self.decoupled else 0.0
        return R.apply_step(x, d, self.rate(t), wd), OptState(t + 1, rule_state)

    def step_(self, x, g, state: OptState, work=None, hess=None) -> OptState:
        """In-place :meth:`step` for large vectors: overwrites ``x`` and the arrays of
        ``state`` (float NumPy arrays) and returns the next state; for float64 the numbers
        are those of :meth:`step` to the last bit (same operations in the same order, see
        :mod:`optlib.numerics`).  ``work``: scratch arrays from
        ``optlib.inplace.scratch(x)``, reused every step (allocated when omitted)."""
        from .inplace import step_  # noqa: PLC0415
        return step_(self, x, g, state, work, hess)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in {"lr": self.lr, **self.hyper}.items())
        return f"optlib.{self.rule.name}({args})"


def _make(name, lr, weight_decay=0.0, decoupled=False, **hyper):
    validate(lr=lr, weight_decay=weight_decay, **{k: v for k, v in hyper.items()
                                                   if k not in ("eps_inside_sqrt", "diagonal")})
    return Optimizer(R.RULES[name], lr, hyper, weight_decay, decoupled)


# ------------------------------------------------------------------ constructors
def sgd(lr, momentum=0.0, nesterov=False, weight_decay=0.0) -> Optimizer:
    r"""Gradient descent / SGD, optionally with momentum: v <- mu v + g; x <- x - eta d."""
    return _make("sgd", lr, weight_decay, momentum=momentum, nesterov=nesterov)


def adagrad(lr, eps=1e-6, eps_inside_sqrt=True, weight_decay=0.0) -> Optimizer:
    r"""AdaGrad: s <- s + g^2; x <- x - eta g / sqrt(s + eps)."""
    return _make("adagrad", lr, weight_decay, eps=eps, eps_inside_sqrt=eps_inside_sqrt)


def rmsprop(lr, alpha=0.9, eps=1e-6, eps_inside_sqrt=True, weight_decay=0.0) -> Optimizer:
    r"""RMSProp: s <- alpha s + (1 - alpha) g^2; x <- x - eta g / sqrt(s + eps)."""
    return _make("rmsprop", lr, weight_decay, alpha=alpha, eps=eps,
                 eps_inside_sqrt=eps_inside_sqrt)


def adadelta(rho=0.9, eps=1e-5, lr=1.0, weight_decay=0.0) -> Optimizer:
    r"""Adadelta: no learning rate needed (``lr`` only rescales, 1 in the paper)."""
    return _make("adadelta", lr, weight_decay, rho=rho, eps=eps)


def adam(lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0) -> Optimizer:
    r"""Adam with bias correction; ``weight_decay`` is coupled (L2), as in torch.optim.Adam."""
    return _make("adam", lr, weight_decay, betas=tuple(betas), eps=eps)


def adamw(lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2) -> Optimizer:
    r"""AdamW: Adam with decoupled weight decay, x <- x - eta (d + lambda x)."""
    return _make("adamw", lr, weight_decay, decoupled=True, betas=tuple(betas), eps=eps)


def yogi(lr, betas=(0.9, 0.999), eps=1e-3, weight_decay=0.0) -> Optimizer:
    r"""Yogi: Adam with an additive, sign-controlled second-moment update."""
    return _make("yogi", lr, weight_decay, betas=tuple(betas), eps=eps)


def newton(lr=1.0, diagonal=False) -> Optimizer:
    r"""Newton's method x <- x - eta H^{-1} g (``diagonal=True``: diag(H) only).

    Needs an objective with a Hessian; :func:`trajectory` passes it.
    """
    return _make("newton", lr, diagonal=diagonal)


# ------------------------------------------------------------------------- runs
def _as_points(x0):
    x = np.array(x0, dtype=float)
    return x.reshape(1) if x.ndim == 0 else x


def _run(opt: Optimizer, objective, x, steps, noise=0.0, rng=None, project=None):
    """Yield the iterates x_1 .. x_steps (NumPy warnings silenced by the caller);
    ``project``, when given, maps every iterate back to the feasible set."""
    state = opt.init(x)
    needs_hess = opt.rule.name == "newton"
    for _ in range(steps):
        g = objective.grad(x)
        if np.any(noise):
            g = g + noise * rng.standard_normal(x.shape)
        hess = objective.hessian(x) if needs_hess else None
        x, state = opt.step(x, g, state, hess=hess)
        if project is not None:
            x = np.asarray(project(x), dtype=float)
        yield x


def trajectory(opt: Optimizer, objective, x0, steps: int, noise=0.0, seed=None):
    """Run ``opt`` on ``objective`` from ``x0``; return the iterates, shape (steps + 1, d).

    Row 0 is ``x0``.  ``noise`` is the standard deviation of Gaussian noise added to
    every gradient (a model of stochastic gradients); ``seed`` makes it reproducible.
    If an iterate stops being finite the run has diverged: the finite rows are
    returned and one :class:`DivergenceWarning` says at which step.
    """
    x = _as_points(x0)
    rng = np.random.default_rng(seed)
    return finite_rows(opt, x, _run(opt, objective, x, steps, noise, rng), stacklevel=3)


def finite_rows(opt: Optimizer, x0, iterates, stacklevel: int = 2):
    """Stack ``x0`` and the ``iterates`` up to the first one that is not finite.

    The run has then diverged: one :class:`DivergenceWarning` says at which step, and
    NumPy's overflow/invalid warnings are silenced while the iterates are computed.
    """
    rows = [x0]
    with np.errstate(all="ignore"):
        for t, x in enumerate(iterates, start=1):
            if not np.all(np.isfinite(x)):
                warnings.warn(f"{opt!r} diverged at step {t}: the iterate is no longer "
                              f"finite; returning the {t} finite iterates before it.",
                              DivergenceWarning, stacklevel=stacklevel)
                break
            rows.append(x)
    return np.stack(rows)


def sweep(make: Callable[..., Optimizer], objective, x0, steps: int, noise=0.0,
          seed=None, **hyper):
    """Run one optimizer under many hyperparameter settings at once.

    Every keyword in ``hyper`` is a scalar or a 1-D array; arrays (all of the same
    length B) are broadcast over a leading batch axis, so::

        sweep(optlib.sgd, obj, x0, 100, lr=np.linspace(0.01, 1, 1000))

    returns an array of shape (B, steps + 1, d) with the numbers of B separate calls
    of :func:`trajectory` (without noise) to round-off: a batch and a single run are
    different code paths (see :mod:`optlib.numerics`).  Diverged runs are not cut short:
    their rows become inf/nan, silently.  ``betas`` may be a pair of arrays.
    """
    sizes = {np.size(v) for k, v in hyper.items() if k != "betas" and np.ndim(v) == 1}
    sizes |= {np.size(b) for b in hyper.get("betas", ()) if np.ndim(b) == 1}
    if len(sizes) > 1:
        raise ValueError(f"swept hyperparameters must have one length, got {sorted(sizes)}")
    B = sizes.pop() if sizes else 1

    def column(v):
        return np.asarray(v, dtype=float)[:, None] if np.ndim(v) == 1 else v

    args = {k: (tuple(column(b) for b in v) if k == "betas" else column(v))
            for k, v in hyper.items()}
    opt = make(**args)
    x = np.broadcast_to(_as_points(x0), (B, np.size(_as_points(x0)))).copy()
    rng = np.random.default_rng(seed)
    with np.errstate(all="ignore"):
        rows = [x, *_run(opt, objective, x, steps, noise, rng)]
    return np.stack(rows, axis=1)


def minibatch_trajectory(opt: Optimizer, objective, x0, batches):
    """Minibatch SGD on a data-driven objective: update t uses the gradient of
    ``objective.batch(batches[t])``, the loss on the examples ``batches[t]`` only.

    ``batches`` is a sequence of index arrays, e.g. :func:`optlib.training.batch_order`
    (the order :func:`optlib.training.fit` draws, so both give the same numbers).
    Returns the iterates, shape (len(batches) + 1, d); row 0 is ``x0``.
    """
    if objective.batch is None:
        raise ValueError(f"{objective!r} has no minibatches (objective.batch is None)")
    x = _as_points(x0)
    state = opt.init(x)
    rows = [x]
    for idx in batches:
        x, state = opt.step(x, objective.batch(idx).grad(x), state)
        rows.append(x)
    return np.stack(rows)

