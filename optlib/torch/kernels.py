r"""The fast kernels of :mod:`optlib.torch`, registered in the specifications (:mod:`optlib.spec`).

The reference path runs the rule as written (:mod:`optlib.rules` on
:class:`~optlib.torch.TensorList` s): every ``a * b`` allocates a new tensor list, so one
Adam step makes ~10 passes over memory.  The kernels here compute the same update (same
equations, tested against the rule to round-off in ``tests/test_conformance.py``) in as
few passes as torch allows.  Two kinds, tried in the order of :data:`FAST_KINDS`:

* ``"fused"``: torch's fused one-pass kernels, where they compute exactly the rule's
  formula (SGD with momentum, Adam, AdamW; AdaGrad with eps outside the root, on the
  CPU).  Each is a :class:`Fused` ``(run, applies)``; they need one capability check,
  :func:`fused_supported` (private torch ops: present and working in torch >= 2.4).
* ``"foreach"``: in-place multi-tensor ``torch._foreach_*`` ops.  A foreach kernel
  computes the rule's *direction* only, in place in the state,
  ``kernel(g, st, t, **hyper) -> d`` (``st`` maps a state field to its list of
  tensors; ``d`` is a list of tensors or a :class:`Quotient`); the composition around it
  (coupled decay, step, decoupled decay) is :func:`run_foreach`, written once, with the
  sign and the learning rate in :func:`apply_step_`.

:data:`RUNNERS` maps a kind to the function that runs a kernel of that kind; a new kind
(e.g. compiled steps) adds a runner here and kernels in the specifications.
Every kernel runs on CPU and CUDA tensors alike.
"""
from __future__ import annotations

import functools
from typing import Callable, NamedTuple

import torch

__all__ = ["FAST_KINDS", "RUNNERS", "Fused", "Quotient", "fast_applies", "fused_supported",
           "apply_step_", "run_foreach", "run_fused"]

FAST_KINDS = ("fused", "foreach")
"""The fast kinds, in the order in which they are tried."""

_FAST_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)


class Quotient(NamedTuple):
    """A direction d = scale * num / den, stepped by one ``addcdiv_``."""

    num: list
    den: list
    scale: float = 1.0


class Fused(NamedTuple):
    """A fused kernel: ``run(params, grads, st, t, group, decoupled)`` does the whole update;
    ``applies(group, params, decoupled)`` says whether it computes this group's formula."""

    run: Callable
    applies: Callable


# ------------------------------------------------------------------ conditions
def fast_applies(spec, group, params) -> bool:
    """One device (CPU or CUDA) and one real floating dtype for parameters and dense
    gradients, and plain-number hyperparameters: the conditions of every fast kernel."""
    p0 = params[0]
    if p0.dtype not in _FAST_DTYPES or p0.device.type not in ("cpu", "cuda"):
        return False
    for p in params:
        g = p.grad
        if (p.dtype != p0.dtype or p.device != p0.device or g.dtype != p0.dtype
                or g.device != p0.device or g.layout != torch.strided):
            return False
    for name in spec.names:
        v = group[name]
        if not all(isinstance(u, (int, float)) for u in (v if isinstance(v, tuple) else (v,))):
            return False
    return True


@functools.lru_cache(maxsize=None)
def fused_supported() -> bool:
    """The one capability check of torch's private fused kernels: each is called once on
    a tiny CPU tensor (False on a torch without them, e.g. older than 2.4)."""
    def one():
        return [torch.zeros(1, dtype=torch.float64)]
    step = [torch.ones((), dtype=torch.float64)]
    try:
        torch._fused_sgd_(one(), one(), one(), weight_decay=0.0, momentum=0.9, lr=0.1,
                          dampening=0.0, nesterov=False, maximize=False, is_first_step=False)
        for fused in (torch._fused_adam_, torch._fused_adamw_):
            fused(one(), one(), one(), one(), [], step, lr=0.1, beta1=0.9, beta2=0.99,
                  weight_decay=0.0, eps=1e-8, amsgrad=False, maximize=False)
        torch._fused_adagrad_(one(), one(), one(), step, lr=0.1, lr_decay=0.0,
                              weight_decay=0.0, eps=1e-8, maximize=False)
    except (AttributeError, RuntimeError, TypeError, NotImplementedError):
        return False
    return True


# ------------------------------------------------------------------ runners
def apply_step_(params, d, lr, weight_decay, decoupled):
    """x <- x - lr (d + wd x) in place (:func:`optlib.rules.apply_step`): the sign and the
    learning rate of every foreach kernel, here only."""
    if decoupled and weight_decay:
        torch._foreach_mul_(params, 1 - lr * weight_decay)     # the decoupled decay lr wd x
    if isinstance(d, Quotient):
        torch._foreach_addcdiv_(params, d.num, d.den, value=-lr * d.scale)
    else:
        torch._foreach_add_(params, d, alpha=-lr)


def run_foreach(spec, kernel, group, params, grads, st, t) -> bool:
    """[coupled decay] -> the direction kernel -> :func:`apply_step_` (leaves p.grad alone)."""
    wd = group.get("weight_decay", 0.0)
    if wd and not spec.decoupled:
        grads = torch._foreach_add(grads, params, alpha=wd)     # add_weight_decay: g + wd x
    d = kernel(grads, st, t, **{k: group[k] for k in spec.rule_hyper})
    apply_step_(params, d, group["lr"], wd, spec.decoupled)
    return True


def run_fused(spec, kernel, group, params, grads, st, t) -> bool:
    if not (fused_supported() and kernel.applies(group, params, spec.decoupled)):
        return False
    kernel.run(params, grads, st, t, group, spec.decoupled)
    return True


RUNNERS = {"fused": run_fused, "foreach": run_foreach}
"""kind -> ``runner(spec, kernel, group, params, grads, st, t) -> bool`` (False: the
kernel does not apply to this group; the next kind is tried)."""


# ------------------------------------------------------------------ foreach kernels
def _root(s, eps, inside):
    """sqrt(s + eps) or sqrt(s) + eps, a new tensor list (the two placements of epsilon,
    as :func:`optlib.rules._scale_by_root`)."""
    if inside:
        root = torch._foreach_add(s, eps)
        torch._foreach_sqrt_(root)
        return root
    root = torch._foreach_sqrt(s)
    torch._foreach_add_(root, eps)
    return root


def _leaky_square_(s, g, decay):
    """s <- decay s + (1 - decay) g^2 in place."""
    torch._foreach_mul_(s, decay)
    torch._foreach_addcmul_(s, g, g, value=1 - decay)


def sgd_foreach(g, st, t, *, momentum, nesterov):
    v = st["v"]
    if momentum == 0:                                    # plain SGD: one copy, not two passes
        torch._foreach_copy_(v, g)                       # (momentum.1) v = 0 v + g = g
        return g                                         # (momentum.2) d = g (either way)
    torch._foreach_mul_(v, momentum)
    torch._foreach_add_(v, g)                            # (momentum.1) v = mu v + g
    if nesterov:
        return torch._foreach_add(g, v, alpha=momentum)  # (momentum.2) d = g + mu v
    return v                                             # (momentum.2) d = v


def adagrad_foreach(g, st, t, *, eps, eps_inside_sqrt):
    torch._foreach_addcmul_(st["s"], g, g)               # (adagrad.1) s = s + g^2
    return Quotient(g, _root(st["s"], eps, eps_inside_sqrt))   # (adagrad.2)


def rmsprop_foreach(g, st, t, *, alpha, eps, eps_inside_sqrt):
    _leaky_square_(st["s"], g, alpha)                    # (rmsprop.1)
    return Quotient(g, _root(st["s"], eps, eps_inside_sqrt))   # (rmsprop.2)


def adadelta_foreach(g, st, t, *, rho, eps):
    s, delta = st["s"], st["delta"]
    _leaky_square_(s, g, rho)                            # (adadelta.1)
    g_prime = torch._foreach_add(delta, eps)
    torch._foreach_div_(g_prime, torch._foreach_add(s, eps))
    torch._foreach_sqrt_(g_prime)                        # one root: sqrt((D + eps) / (s + eps))
    torch._foreach_mul_(g_prime, g)                      # (adadelta.2)
    _leaky_square_(delta, g_prime, rho)                  # (adadelta.3)
    return g_prime


def _bias_corrected(v, s, t, beta1, beta2, eps):
    """(adam.3)-(adam.5): d = v_hat / (sqrt(s_hat) + eps) as a Quotient."""
    c1, c2 = 1 - beta1 ** (t + 1), 1 - beta2 ** (t + 1)
    root = torch._foreach_sqrt(s)
    torch._foreach_div_(root, c2 ** 0.5)
    torch._foreach_add_(root, eps)                       # sqrt(s_hat) + eps  (adam.4)
    return Quotient(v, root, 1 / c1)                     # (adam.3), (adam.5)


def adam_foreach(g, st, t, *, betas, eps):
    beta1, beta2 = betas
    torch._foreach_lerp_(st["v"], g, 1 - beta1)          # (adam.1) v = b1 v + (1 - b1) g
    _leaky_square_(st["s"], g, beta2)                    # (adam.2)
    return _bias_corrected(st["v"], st["s"], t, beta1, beta2, eps)


def yogi_foreach(g, st, t, *, betas, eps):
    beta1, beta2 = betas
    v, s = st["v"], st["s"]
    torch._foreach_lerp_(v, g, 1 - beta1)                # (adam.1)
    g2 = torch._foreach_mul(g, g)
    change = torch._foreach_sub(s, g2)
    torch._foreach_sign_(change)
    torch._foreach_mul_(change, g2)
    torch._foreach_add_(s, change, alpha=-(1 - beta2))   # (yogi.2)
    return _bias_corrected(v, s, t, beta1, beta2, eps)


# ------------------------------------------------------------------ fused kernels
def _steps(params, t):
    """Step counts for torch's fused kernels (already incremented, as torch.optim passes them)."""
    return [torch.full((), float(t + 1), device=params[0].device)] * len(params)


def _sgd_fused(params, grads, st, t, group, decoupled):
    torch._fused_sgd_(params, grads, st["v"], weight_decay=group["weight_decay"],
                      momentum=group["momentum"], lr=group["lr"], dampening=0.0,
                      nesterov=group["nesterov"], maximize=False,
                      is_first_step=False)               # v starts at 0: v_1 = g


SGD_FUSED = Fused(_sgd_fused, lambda group, params, decoupled:
                  not decoupled and group["momentum"] != 0)   # torch's formula needs mu > 0


def _adagrad_fused(params, grads, st, t, group, decoupled):
    torch._fused_adagrad_(params, grads, st["s"], _steps(params, t), lr=group["lr"],
                          lr_decay=0.0, weight_decay=group["weight_decay"], eps=group["eps"],
                          maximize=False)


FUSED_ADAGRAD_DEVICES = ("cpu",)
"""Devices where torch has a fused AdaGrad (elsewhere the foreach kernel runs)."""

ADAGRAD_FUSED = Fused(_adagrad_fused, lambda group, params, decoupled: (
    not decoupled and not group["eps_inside_sqrt"]            # torch's eps placement only
    and params[0].device.type in FUSED_ADAGRAD_DEVICES))


def _adam_fused(params, grads, st, t, group, decoupled):
    beta1, beta2 = group["betas"]
    fused = torch._fused_adamw_ if decoupled else torch._fused_adam_
    fused(params, grads, st["v"], st["s"], [], _steps(params, t), lr=group["lr"], beta1=beta1,
          beta2=beta2, weight_decay=group["weight_decay"], eps=group["eps"], amsgrad=False,
          maximize=False)                                # (adam.1)-(adam.5) in one pass


ADAM_FUSED = Fused(_adam_fused, lambda group, params, decoupled: True)
