r"""One specification per algorithm: everything ``optlib`` knows about it, in one place.

An :class:`Algorithm` holds

* its pure update rule from :mod:`optlib.rules` (the book's code, with equation tags)
  and the rule's state type;
* its hyperparameters (:class:`Hyper`): name, default, torch's default where it differs,
  and the check that validates a value (with torch.optim's wording);
* how weight decay is composed with the rule: *coupled* (L2, added to the gradient
  before the rule, :func:`optlib.rules.add_weight_decay`) or *decoupled* (in the step,
  :func:`optlib.rules.apply_step`).  AdamW is Adam's specification with decoupled decay,
  ``decoupled_weight_decay(ADAM, ...)``, in the spirit of optax's ``chain``;
* flags (``needs_hessian``, the name of the torch class or None for NumPy only);
* its kernels, per backend and kind (:attr:`Algorithm.kernels`)::

      {"numpy": {"reference": rule, "inplace": ...},
       "torch": {"reference": rule, "foreach": ..., "fused": ...}}

  "reference" is the rule itself (both backends run it: NumPy arrays, or tensor lists
  whose arithmetic is torch's multi-tensor kernels).  The other kinds are optional fast
  kernels that compute the same update (tested against the rule to round-off, or to the
  last bit for NumPy's in-place steps).  A kernel is a function or a lazy reference
  ``"module:attribute"`` (so NumPy-only use never imports torch); a new kind for a
  backend (e.g. compiled torch steps) is one more entry here, see :func:`register_kernel`.

The NumPy factories (``optlib.sgd`` ...), the torch classes (``optlib.torch.SGD`` ...),
their signatures, defaults, docstrings and input checks are all generated from
:data:`ALGORITHMS`.

**Adding an algorithm.**  Write its rule in :mod:`optlib.rules` (a pure
``direction(g, state, t, **hyper) -> (d, new_state)`` with equation tags and a
NamedTuple state), then add one :class:`Algorithm` to :data:`ALGORITHMS` below: its
hyperparameters (reuse :func:`lr`, :func:`eps`, :data:`BETAS`, ... or write a
:class:`Hyper`), ``torch_class`` if the rule uses only ``+ - * /``, :func:`optlib.rules.sqrt`
and :func:`optlib.rules.sign`, and no kernels.  ``optlib.<name>(...)``, ``optlib.torch.<Class>``,
validation and the reference paths of both backends then exist; add the algorithm to
the shared table of ``tests/optimizer_table.py`` (with an independent oracle there) and
the conformance suite runs it on every path.  Fast kernels are optional: write one in
:mod:`optlib.inplace` or :mod:`optlib.torch.kernels` and register it in ``kernels``.
"""
from __future__ import annotations

import dataclasses
import importlib
import inspect
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np

from . import rules
from ._validate import Flag, Pair, Real

__all__ = ["Hyper", "Algorithm", "ALGORITHMS", "REQUIRED", "decoupled_weight_decay",
           "register_kernel", "lr", "eps", "weight_decay", "BETAS"]

REQUIRED = inspect.Parameter.empty
"""Default of a hyperparameter that must be given (the NumPy factories' ``lr``)."""

_SAME = object()
STEP_HYPER = ("lr", "weight_decay")
"""Hyperparameters of the step around the rule; all others are passed to the rule."""


@dataclass(frozen=True)
class Hyper:
    """One hyperparameter: its name, default(s) and check."""

    name: str
    default: Any                 # the NumPy factory's default (REQUIRED: none)
    check: Callable              # value, arrays=bool -> value (raises TypeError/ValueError)
    torch_default: Any = _SAME   # torch class's default, where it differs

    def default_for(self, backend: str):
        if backend == "torch" and self.torch_default is not _SAME:
            return self.torch_default
        return self.default


# ----------------------------------------------------------- shared hyperparameters
def lr(default=REQUIRED, torch=_SAME) -> Hyper:
    """The learning rate eta: a finite number >= 0 (NumPy: also an array or a schedule)."""
    return Hyper("lr", default, Real("learning rate"), torch)


def eps(default) -> Hyper:
    """epsilon > 0: it keeps the direction finite where a gradient coordinate is zero."""
    return Hyper("eps", default, Real("epsilon value", low_open=True))


def weight_decay(default=0.0) -> Hyper:
    return Hyper("weight_decay", default, Real("weight_decay value"))


EPS_INSIDE_SQRT = Hyper("eps_inside_sqrt", True, Flag("eps_inside_sqrt"))
BETAS = Hyper("betas", (0.9, 0.999),
              Pair("betas", Real("beta parameter at index {i}", 0.0, 1.0, high_open=True)))


# ------------------------------------------------------------------ the spec
@dataclass(frozen=True)
class Algorithm:
    """The specification of one algorithm (see the module docstring)."""

    name: str
    summary: str                           # one line: what it does (docstrings)
    rule: Callable                         # optlib.rules.<name>
    State: type                            # the rule's state (a NamedTuple)
    hyper: tuple                           # Hyper, in the NumPy factory's argument order
    decoupled: bool = False                # weight decay in the step (AdamW) or coupled
    needs_hessian: bool = False            # the rule takes hess= (Newton)
    torch_class: Optional[str] = None      # name of the torch class (None: NumPy only)
    kernels: dict = field(default_factory=dict)   # backend -> kind -> kernel
    constraints: tuple = ()                # checks across hyperparameters: f(values)

    def __post_init__(self):
        kernels = {b: dict(k) for b, k in self.kernels.items()}
        for backend in ("numpy", "torch") if self.torch_class else ("numpy",):
            kernels.setdefault(backend, {}).setdefault("reference", self.rule)
        object.__setattr__(self, "kernels", kernels)

    # -- hyperparameters
    @property
    def names(self) -> tuple:
        return tuple(h.name for h in self.hyper)

    @property
    def rule_hyper(self) -> tuple:
        """Names of the hyperparameters passed to the rule (all but lr and weight_decay)."""
        return tuple(n for n in self.names if n not in STEP_HYPER)

    def defaults(self, backend: str = "numpy") -> dict:
        return {h.name: h.default_for(backend) for h in self.hyper
                if h.default_for(backend) is not REQUIRED}

    def validate(self, values: dict, *, arrays: bool = False) -> dict:
        """Checked (and normalized: tuples, bools) copies of the given hyperparameters.

        ``arrays``: NumPy arrays are allowed (checked element by element), as in sweeps.
        A callable ``lr`` (a schedule, NumPy backend) is checked when it is called."""
        by_name = {h.name: h for h in self.hyper}
        out = {}
        for k, v in values.items():
            if k not in by_name:
                continue                   # e.g. "params" or a user's own group key
            if k == "lr" and callable(v) and arrays:
                out[k] = v
                continue
            out[k] = by_name[k].check(v, arrays=arrays)
        for constraint in self.constraints:
            constraint({**self.defaults(), **out})
        return out

    def signature(self, backend: str = "numpy") -> inspect.Signature:
        """The factory's (NumPy) or the class's ``__init__`` (torch) signature."""
        order = list(self.hyper)
        if backend == "torch":
            order.sort(key=lambda h: h.name != "lr")        # torch: lr first
        params = [inspect.Parameter(h.name, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                    default=h.default_for(backend)) for h in order]
        if backend == "torch":
            params.insert(0, inspect.Parameter("params", inspect.Parameter.POSITIONAL_OR_KEYWORD))
        return inspect.Signature(params)

    # -- kernels
    def kernel(self, backend: str, kind: str):
        """The kernel of ``kind`` for ``backend``, or None; lazy references are resolved
        (and cached) on first use."""
        k = self.kernels.get(backend, {}).get(kind)
        if isinstance(k, str):
            module, _, attr = k.partition(":")
            k = getattr(importlib.import_module(module), attr)
            self.kernels[backend][kind] = k
        return k

    def reference_step(self, x, g, state, t, lr, weight_decay, hyper, hess=None,
                       backend: str = "numpy"):
        """One update by the rule as written: ``(x_next, state_next)``.

        [coupled decay] -> rule -> step (with decoupled decay): the composition that every
        other kernel reproduces.  ``x``, ``g`` and the state are NumPy arrays or
        :class:`optlib.torch.TensorList` s."""
        if not self.decoupled and _nonzero(weight_decay):
            g = rules.add_weight_decay(g, x, weight_decay)
        extra = {"hess": hess} if self.needs_hessian else {}
        d, state = self.kernel(backend, "reference")(g, state, t, **hyper, **extra)
        return rules.apply_step(x, d, lr, weight_decay if self.decoupled else 0.0), state


def _nonzero(v) -> bool:
    return v != 0 if isinstance(v, (int, float)) else bool(np.any(v))


def decoupled_weight_decay(base: Algorithm, name: str, summary: str, default: float,
                           torch_class: Optional[str] = None) -> Algorithm:
    """``base`` with decoupled weight decay x <- x - eta (d + lambda x) (default lambda
    ``default``): the same rule, state, hyperparameters and kernels."""
    hyper = tuple(weight_decay(default) if h.name == "weight_decay" else h for h in base.hyper)
    return dataclasses.replace(base, name=name, summary=summary, hyper=hyper, decoupled=True,
                               torch_class=torch_class,
                               kernels={b: dict(k) for b, k in base.kernels.items()})


def register_kernel(name: str, backend: str, kind: str, kernel) -> None:
    """Add (or replace) the ``kind`` kernel of algorithm ``name`` for ``backend``."""
    ALGORITHMS[name].kernels.setdefault(backend, {})[kind] = kernel


def _nesterov_needs_momentum(values):
    if values.get("nesterov") and np.any(np.asarray(values.get("momentum", 0.0)) <= 0):
        raise ValueError("Nesterov momentum requires a momentum")


# ------------------------------------------------------------------ the algorithms
_NP, _T = "optlib.inplace:", "optlib.torch.kernels:"

SGD = Algorithm(
    "sgd", "Gradient descent / SGD, optionally with (heavy-ball or Nesterov) momentum: "
    "v <- mu v + g; x <- x - eta (v or g + mu v).",
    rules.sgd, rules.MomentumState,
    (lr(torch=1e-3), Hyper("momentum", 0.0, Real("momentum value")),
     Hyper("nesterov", False, Flag("nesterov")), weight_decay()),
    torch_class="SGD", constraints=(_nesterov_needs_momentum,),
    kernels={"numpy": {"inplace": _NP + "sgd_"},
             "torch": {"foreach": _T + "sgd_foreach", "fused": _T + "SGD_FUSED"}})

ADAGRAD = Algorithm(
    "adagrad", "AdaGrad: s <- s + g^2; x <- x - eta g / sqrt(s + eps).",
    rules.adagrad, rules.SquareState,
    (lr(torch=1e-2), eps(1e-6), EPS_INSIDE_SQRT, weight_decay()),
    torch_class="Adagrad",
    kernels={"numpy": {"inplace": _NP + "adagrad_"},
             "torch": {"foreach": _T + "adagrad_foreach", "fused": _T + "ADAGRAD_FUSED"}})

RMSPROP = Algorithm(
    "rmsprop", "RMSProp: s <- alpha s + (1 - alpha) g^2; x <- x - eta g / sqrt(s + eps).",
    rules.rmsprop, rules.SquareState,
    (lr(torch=1e-2), Hyper("alpha", 0.9, Real("alpha value", 0.0, 1.0)), eps(1e-6),
     EPS_INSIDE_SQRT, weight_decay()),
    torch_class="RMSprop",
    kernels={"numpy": {"inplace": _NP + "rmsprop_"},
             "torch": {"foreach": _T + "rmsprop_foreach"}})

ADADELTA = Algorithm(
    "adadelta", "Adadelta: x <- x - lr sqrt(Delta + eps) / sqrt(s + eps) g; no learning "
    "rate needed (lr only rescales, 1 in the paper).",
    rules.adadelta, rules.AdadeltaState,
    (Hyper("rho", 0.9, Real("rho value", 0.0, 1.0)), eps(1e-5), lr(1.0), weight_decay()),
    torch_class="Adadelta",
    kernels={"numpy": {"inplace": _NP + "adadelta_"},
             "torch": {"foreach": _T + "adadelta_foreach"}})

ADAM = Algorithm(
    "adam", "Adam with bias correction; weight_decay is coupled (L2), as in torch.optim.Adam.",
    rules.adam, rules.AdamState,
    (lr(torch=1e-3), BETAS, eps(1e-8), weight_decay()),
    torch_class="Adam",
    kernels={"numpy": {"inplace": _NP + "adam_"},
             "torch": {"foreach": _T + "adam_foreach", "fused": _T + "ADAM_FUSED"}})

ADAMW = decoupled_weight_decay(
    ADAM, "adamw", "AdamW: Adam with decoupled weight decay, x <- x - eta (d + lambda x).",
    default=1e-2, torch_class="AdamW")

YOGI = Algorithm(
    "yogi", "Yogi: Adam whose second moment changes additively, by at most (1 - beta2) g^2.",
    rules.yogi, rules.AdamState,
    (lr(torch=1e-2), BETAS, eps(1e-3), weight_decay()),
    torch_class="Yogi",
    kernels={"numpy": {"inplace": _NP + "yogi_"},
             "torch": {"foreach": _T + "yogi_foreach"}})

NEWTON = Algorithm(
    "newton", "Newton's method x <- x - eta H^{-1} g (diagonal=True: diag(H) only). Needs "
    "an objective with a Hessian; trajectory passes it.",
    rules.newton, rules.NoState,
    (lr(1.0), Hyper("diagonal", False, Flag("diagonal"))),
    needs_hessian=True)

ALGORITHMS = {a.name: a for a in (SGD, ADAGRAD, RMSPROP, ADADELTA, ADAM, ADAMW, YOGI, NEWTON)}
"""Every algorithm of the book, by name (the NumPy factory's name)."""
