"""The NumPy backend: optimizers as (specification, hyperparameters), trajectories and sweeps.

The factories (``sgd``, ``adam``, ...) are generated from :mod:`optlib.spec`, one per
algorithm.  An :class:`Optimizer` is immutable.  ``opt.init(x)`` gives its state,
``opt.step(x, g, state)`` gives ``(x_next, state_next)``; nothing is hidden.
Every hyperparameter may be a NumPy array: :func:`sweep` uses that to run many
settings at once, broadcast over a leading batch axis.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, NamedTuple

import numpy as np

from ._validate import Pair, Real, integer, real
from .spec import ALGORITHMS, Algorithm, _nonzero

__all__ = ["Optimizer", "OptState", "DivergenceWarning", *ALGORITHMS,
           "trajectory", "sweep", "minibatch_trajectory"]


class DivergenceWarning(UserWarning):
    """The iterates (or the optimizer's state) left the finite numbers: the run diverged."""


class OptState(NamedTuple):
    t: int        # number of updates done so far (the 0-based index of the next one)
    rule: Any     # the rule's own state (a NamedTuple of arrays)


_LR = Real("learning rate")


@dataclass(frozen=True)
class Optimizer:
    """An algorithm (:class:`optlib.spec.Algorithm`) with its hyperparameters (NumPy backend).

    Made by the factories ``optlib.sgd(...)``, ``optlib.adam(...)``, ..., which check
    every hyperparameter."""

    spec: Algorithm
    lr: Any                      # a number, an array, or a schedule t -> rate
    hyper: dict = field(default_factory=dict)   # the rule's hyperparameters
    weight_decay: Any = 0.0      # coupled (L2) or decoupled (AdamW), as the spec says

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def decoupled(self) -> bool:
        return self.spec.decoupled

    def rate(self, t):
        """The learning rate eta_t of update t (a schedule's value is checked: finite, >= 0)."""
        if not callable(self.lr):
            return self.lr
        value = self.lr(t)
        try:
            return _LR(value, arrays=True)
        except (TypeError, ValueError) as err:
            raise type(err)(f"{err} -- produced by the schedule {self.lr!r} for update "
                            f"t = {t}") from None

    def init(self, x) -> OptState:
        _real(x, "x")
        x = np.asarray(x, dtype=float)
        return OptState(0, self.spec.State(*(np.zeros_like(x) for _ in self.spec.State._fields)))

    def step(self, x, g, state: OptState, hess=None):
        """One update: returns ``(x_next, state_next)``."""
        _real(x, "x")
        _real(g, "the gradient")
        if self.spec.needs_hessian and hess is None:
            raise ValueError(f"{self.name} needs the Hessian: pass hess=objective.hessian(x) "
                             "(trajectory does)")
        t = state.t
        x_next, rule_state = self.spec.reference_step(x, g, state.rule, t, self.rate(t),
                                                      self.weight_decay, self.hyper, hess)
        return x_next, OptState(t + 1, rule_state)

    def step_(self, x, g, state: OptState, work=None, hess=None) -> OptState:
        """In-place :meth:`step` for large vectors: overwrites ``x`` and the arrays of
        ``state`` (float NumPy arrays) and returns the next state; for float64 the numbers
        are those of :meth:`step` to the last bit (same operations in the same order, see
        :mod:`optlib.numerics`).  ``work``: scratch arrays from
        ``optlib.inplace.scratch(x)``, reused every step (allocated when omitted)."""
        from .inplace import step_  # noqa: PLC0415
        return step_(self, x, g, state, work, hess)

    def __repr__(self):
        args = {"lr": self.lr, **self.hyper}
        if "weight_decay" in self.spec.names:
            args["weight_decay"] = self.weight_decay
        return f"optlib.{self.name}({', '.join(f'{k}={v!r}' for k, v in args.items())})"


def _real(a, what):
    """Complex numbers are refused (see the README: no optimizer here defines them)."""
    if np.iscomplexobj(a):
        raise TypeError(f"optlib optimizers take real numbers; {what} is complex. Optimize "
                        "the real and imaginary parts as two real parameters instead.")


def _factory(spec: Algorithm):
    """``optlib.<name>(...)``: the NumPy factory of ``spec``, its signature from the spec."""
    sig = spec.signature("numpy")

    def make(*args, **kwargs) -> Optimizer:
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        values = spec.validate(bound.arguments, arrays=True)
        hyper = {k: values[k] for k in spec.rule_hyper}
        return Optimizer(spec, values["lr"], hyper, values.get("weight_decay", 0.0))

    make.__name__ = make.__qualname__ = spec.name
    make.__module__ = __name__
    make.__signature__ = sig
    make.spec = spec
    make.__doc__ = (f"{spec.summary}\n\nReturns an :class:`Optimizer` (NumPy backend); "
                    f"the specification is ``optlib.spec.ALGORITHMS[{spec.name!r}]``.")
    return make


FACTORIES = {name: _factory(spec) for name, spec in ALGORITHMS.items()}
"""name -> NumPy factory, one per algorithm of :data:`optlib.spec.ALGORITHMS`."""
globals().update(FACTORIES)


# ------------------------------------------------------------------------- runs
def _as_points(x0):
    _real(x0, "the start x0")
    x = np.array(x0, dtype=float)
    return x.reshape(1) if x.ndim == 0 else x


def _run(opt: Optimizer, objective, x, steps, noise=0.0, rng=None, project=None):
    """Yield ``(x_t, state_t)`` for t = 1 .. steps (NumPy warnings silenced by the caller);
    ``project``, when given, maps every iterate back to the feasible set."""
    state = opt.init(x)
    needs_hess = opt.spec.needs_hessian
    for _ in range(steps):
        g = objective.grad(x)
        if _nonzero(noise):
            g = g + noise * rng.standard_normal(x.shape)
        hess = objective.hessian(x) if needs_hess else None
        x, state = opt.step(x, g, state, hess=hess)
        if project is not None:
            x = np.asarray(project(x), dtype=float)
        yield x, state


def _steps(steps):
    return integer("number of steps", steps)


def trajectory(opt: Optimizer, objective, x0, steps: int, noise=0.0, seed=None):
    """Run ``opt`` on ``objective`` from ``x0``; return the iterates, shape (steps + 1, d).

    Row 0 is ``x0``.  ``noise`` is the standard deviation of Gaussian noise added to
    every gradient (a model of stochastic gradients); ``seed`` makes it reproducible.
    If an iterate (or the optimizer's state, e.g. a squared gradient that overflowed)
    stops being finite the run has diverged: the finite rows are returned and one
    :class:`DivergenceWarning` says at which step.
    """
    steps = _steps(steps)
    real("noise", noise, arrays=True)
    x = _as_points(x0)
    rng = np.random.default_rng(seed)
    return finite_rows(opt, x, _run(opt, objective, x, steps, noise, rng), stacklevel=3)


def finite_rows(opt: Optimizer, x0, iterates, stacklevel: int = 2):
    """Stack ``x0`` and the iterates of ``(x_t, state_t)`` up to the first that is not finite.

    The run has then diverged: one :class:`DivergenceWarning` says at which step (and
    whether the iterate or the optimizer's state overflowed), and NumPy's
    overflow/invalid warnings are silenced while the iterates are computed.
    """
    rows = [x0]
    with np.errstate(all="ignore"):
        for t, (x, state) in enumerate(iterates, start=1):
            what = None
            if not np.isfinite(x).all():
                what = "the iterate is no longer finite"
            else:
                bad = [f for f, a in zip(state.rule._fields, state.rule)
                       if not np.isfinite(a).all()]
                if bad:
                    what = (f"its state ({', '.join(bad)}) is no longer finite, e.g. a "
                            "squared gradient overflowed, which would freeze or break "
                            "every later step")
            if what:
                warnings.warn(f"{opt!r} diverged at step {t}: {what}; returning the {t} "
                              "finite iterates before it.", DivergenceWarning,
                              stacklevel=stacklevel)
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
    their rows become inf/nan, silently.  A pair (``betas``) may hold arrays.
    """
    steps = _steps(steps)
    real("noise", noise, arrays=True)
    spec = getattr(make, "spec", None)
    pairs = ({h.name for h in spec.hyper if isinstance(h.check, Pair)} if spec is not None
             else {k for k, v in hyper.items() if isinstance(v, tuple)})
    sizes = {np.size(v) for k, v in hyper.items() if k not in pairs and np.ndim(v) == 1}
    sizes |= {np.size(b) for k in pairs & set(hyper) for b in hyper[k] if np.ndim(b) == 1}
    if len(sizes) > 1:
        raise ValueError(f"swept hyperparameters must have one length, got {sorted(sizes)}")
    B = sizes.pop() if sizes else 1

    def column(v):
        return np.asarray(v)[:, None] if np.ndim(v) == 1 else v

    args = {k: (tuple(column(b) for b in v) if k in pairs else column(v))
            for k, v in hyper.items()}
    opt = make(**args)
    x = np.broadcast_to(_as_points(x0), (B, np.size(_as_points(x0)))).copy()
    rng = np.random.default_rng(seed)
    with np.errstate(all="ignore"):
        rows = [x, *(x for x, _ in _run(opt, objective, x, steps, noise, rng))]
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

