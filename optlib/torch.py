"""The torch backend: the book's rules as real ``torch.optim.Optimizer`` subclasses.

    import optlib.torch as ot
    opt = ot.Adam(model.parameters(), lr=1e-3)

Each optimizer runs the *same* rule function as the NumPy backend
(:mod:`optlib.rules`).  The rule is applied to a whole parameter group at once
through :class:`TensorList`, whose arithmetic calls torch's multi-tensor
``torch._foreach_*`` kernels, so there is no Python loop over tensors in the math.
Parameters may live on any device; :func:`device` picks CUDA when it is available.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Callable, Sequence, Union

import torch
from torch.optim.lr_scheduler import LRScheduler

from . import rules as R
from ._validate import validate

__all__ = ["device", "TensorList", "SGD", "Adagrad", "RMSprop", "Adadelta", "Adam",
           "AdamW", "Yogi", "ScheduledLR"]


def device() -> torch.device:
    """CUDA when a GPU is present, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class TensorList:
    """A list of tensors with element-wise arithmetic done by ``torch._foreach_*``.

    It lets a rule written for one array (``v = beta * v + g``) update every tensor
    of a parameter group in a few multi-tensor kernel launches.
    """

    __slots__ = ("tensors",)

    def __init__(self, tensors):
        self.tensors = list(tensors)

    @staticmethod
    def _other(o):
        return o.tensors if isinstance(o, TensorList) else o

    def __add__(self, o):
        return TensorList(torch._foreach_add(self.tensors, self._other(o)))

    __radd__ = __add__

    def __sub__(self, o):
        return TensorList(torch._foreach_sub(self.tensors, self._other(o)))

    def __rsub__(self, o):
        return TensorList(torch._foreach_add(torch._foreach_neg(self.tensors), o))

    def __mul__(self, o):
        return TensorList(torch._foreach_mul(self.tensors, self._other(o)))

    __rmul__ = __mul__

    def __truediv__(self, o):
        return TensorList(torch._foreach_div(self.tensors, self._other(o)))

    def __rtruediv__(self, o):
        return TensorList(torch._foreach_mul(torch._foreach_reciprocal(self.tensors), o))

    def __neg__(self):
        return TensorList(torch._foreach_neg(self.tensors))

    def __pow__(self, p):
        return TensorList(torch._foreach_pow(self.tensors, p))

    def sqrt(self):
        return TensorList(torch._foreach_sqrt(self.tensors))

    def sign(self):
        return TensorList(torch._foreach_sign(self.tensors))

    def __len__(self):
        return len(self.tensors)

    def __iter__(self):
        return iter(self.tensors)


class RuleOptimizer(torch.optim.Optimizer):
    """A ``torch.optim.Optimizer`` that runs one :class:`optlib.rules.Rule`.

    Per-parameter state is ``{"step": int, <the rule's state fields>: tensor}``, so
    ``state_dict()`` / ``load_state_dict()`` round-trip exactly.
    """

    rule: R.Rule
    decoupled = False  # weight decay: coupled (L2, added to g) unless True (AdamW)
    fast = True
    """Use the rule's fast kernel (:data:`FAST_KERNELS`) when it applies: in-place
    multi-tensor updates, or torch's fused kernel where it computes the same formula.
    Set ``opt.fast = False`` to run the reference rule of :mod:`optlib.rules` instead;
    both give the same numbers to round-off (``tests/test_fast_paths.py``)."""

    def __init__(self, params, defaults):
        if callable(defaults["lr"]):
            raise TypeError("optlib.torch optimizers take a number as lr; "
                            "wrap a schedule with optlib.torch.ScheduledLR")
        validate(**{k: v for k, v in defaults.items() if k != "eps_inside_sqrt"})
        super().__init__(params, defaults)

    def _state(self, p):
        state = self.state[p]
        if not state:
            state["step"] = 0
            for name in self.rule.State._fields:
                state[name] = torch.zeros_like(p, memory_format=torch.preserve_format)
        return state

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            # Parameters that have taken the same number of steps share one bias correction.
            by_step = defaultdict(list)
            for p in group["params"]:
                if p.grad is not None:
                    if p.grad.is_sparse:
                        raise RuntimeError("optlib.torch optimizers do not support sparse gradients")
                    by_step[self._state(p)["step"]].append(p)
            for t, params in by_step.items():
                self._update(group, params, t)
        return loss

    def _update(self, group, params, t):
        if self.fast and _fast_update(self, group, params, t):
            return
        states = [self.state[p] for p in params]
        x = TensorList(params)
        g = TensorList([p.grad for p in params])
        wd = group["weight_decay"]
        if wd and not self.decoupled:
            g = g + wd * x                                     # coupled L2 decay
        state = self.rule.State(*(TensorList([s[f] for s in states])
                                  for f in self.rule.State._fields))
        hyper = {k: group[k] for k in self.rule.hyper}
        d, new_state = self.rule.direction(g, state, t, **hyper)
        if wd and self.decoupled:
            d = d + wd * x                                     # decoupled decay (AdamW)
        torch._foreach_add_(params, d.tensors, alpha=-group["lr"])  # x <- x - eta d
        for field, tensors in zip(self.rule.State._fields, new_state):
            for s, tensor in zip(states, tensors):
                s[field] = tensor
        for s in states:
            s["step"] = t + 1


# ------------------------------------------------------------------------ fast paths
# The reference path above runs the rule as written: every ``a * b`` allocates a new
# tensor list, so one Adam step makes ~10 passes over memory.  The kernels below compute
# the same update (same equations, tested against the rule to round-off in
# tests/test_fast_paths.py) in place, in as few passes as torch allows: torch's fused
# one-pass kernels where they compute exactly the rule's formula (SGD with momentum, Adam,
# AdamW; AdaGrad with eps outside the root on the CPU only), otherwise in-place
# ``torch._foreach_*`` ops (the textbook variants, which no fused torch kernel computes).
# They run on CPU and CUDA tensors alike.
_FAST_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)
_FUSED_ADAGRAD_DEVICES = ("cpu",)  # elsewhere AdaGrad takes the multi-tensor path


def _fast_applies(group, params, keys):
    """One device and one real floating dtype for parameters and dense gradients, and
    plain-number hyperparameters: the conditions of torch's fused and foreach kernels."""
    p0 = params[0]
    if p0.dtype not in _FAST_DTYPES or p0.device.type not in ("cpu", "cuda"):
        return False
    for p in params:
        g = p.grad
        if (p.dtype != p0.dtype or p.device != p0.device or g.dtype != p0.dtype
                or g.device != p0.device or g.layout != torch.strided):
            return False
    values = [group[k] for k in keys]
    values += list(values.pop(keys.index("betas"))) if "betas" in keys else []
    return all(isinstance(v, (int, float)) for v in values)


def _coupled(grads, params, wd):
    """g + wd x (coupled L2 decay) as the rule computes it, leaving p.grad untouched."""
    return torch._foreach_add(grads, torch._foreach_mul(params, wd)) if wd else grads


def _steps(params, t):
    """Step counts for torch's fused kernels (already incremented, as torch.optim passes them)."""
    return [torch.full((), float(t + 1), device=params[0].device)] * len(params)


def _root(s, eps, inside):
    """sqrt(s + eps) or sqrt(s) + eps, a new tensor list (the two placements of epsilon,
    as :func:`optlib.rules._scale_by_root` and :func:`optlib.inplace._root`)."""
    if inside:
        root = torch._foreach_add(s, eps)
        torch._foreach_sqrt_(root)
        return root
    root = torch._foreach_sqrt(s)
    torch._foreach_add_(root, eps)
    return root


def _sgd_fast(group, params, grads, st, t):
    mu, lr = group["momentum"], group["lr"]
    if mu:                                               # torch's formula: one fused pass
        torch._fused_sgd_(params, grads, st["v"], weight_decay=group["weight_decay"],
                          momentum=mu, lr=lr, dampening=0.0, nesterov=group["nesterov"],
                          maximize=False, is_first_step=False)   # v starts at 0: v_1 = g
        return
    grads = _coupled(grads, params, group["weight_decay"])
    torch._foreach_copy_(st["v"], grads)                 # (momentum.1) with mu = 0: v <- g
    torch._foreach_add_(params, grads, alpha=-lr)        # (momentum.2) d = g (either way)


def _adagrad_fast(group, params, grads, st, t):
    lr, eps, wd = group["lr"], group["eps"], group["weight_decay"]
    inside = group["eps_inside_sqrt"]
    if not inside and params[0].device.type in _FUSED_ADAGRAD_DEVICES:   # torch's formula
        torch._fused_adagrad_(params, grads, st["s"], _steps(params, t), lr=lr, lr_decay=0.0,
                              weight_decay=wd, eps=eps, maximize=False)
        return
    grads = _coupled(grads, params, wd)
    torch._foreach_addcmul_(st["s"], grads, grads)       # (adagrad.1) s <- s + g^2
    root = _root(st["s"], eps, inside)
    torch._foreach_addcdiv_(params, grads, root, value=-lr)  # (adagrad.2) x <- x - eta d


def _rmsprop_fast(group, params, grads, st, t):
    lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
    grads = _coupled(grads, params, group["weight_decay"])
    s = st["s"]
    torch._foreach_mul_(s, alpha)
    torch._foreach_addcmul_(s, grads, grads, value=1 - alpha)  # (rmsprop.1)
    root = _root(s, eps, group["eps_inside_sqrt"])
    torch._foreach_addcdiv_(params, grads, root, value=-lr)  # (rmsprop.2)


def _adadelta_fast(group, params, grads, st, t):
    lr, rho, eps = group["lr"], group["rho"], group["eps"]
    grads = _coupled(grads, params, group["weight_decay"])
    s, delta = st["s"], st["delta"]
    torch._foreach_mul_(s, rho)
    torch._foreach_addcmul_(s, grads, grads, value=1 - rho)   # (adadelta.1)
    g_prime = torch._foreach_add(delta, eps)
    torch._foreach_div_(g_prime, torch._foreach_add(s, eps))
    torch._foreach_sqrt_(g_prime)                        # one root: sqrt((D + eps) / (s + eps))
    torch._foreach_mul_(g_prime, grads)                  # (adadelta.2)
    torch._foreach_mul_(delta, rho)
    torch._foreach_addcmul_(delta, g_prime, g_prime, value=1 - rho)  # (adadelta.3)
    torch._foreach_add_(params, g_prime, alpha=-lr)


def _adam_fast(group, params, grads, st, t, decoupled=False):
    (beta1, beta2), lr, eps = group["betas"], group["lr"], group["eps"]
    fused = torch._fused_adamw_ if decoupled else torch._fused_adam_
    fused(params, grads, st["v"], st["s"], [], _steps(params, t), lr=lr, beta1=beta1,
          beta2=beta2, weight_decay=group["weight_decay"], eps=eps, amsgrad=False,
          maximize=False)                                # (adam.1)-(adam.5) in one pass


def _yogi_fast(group, params, grads, st, t):
    (beta1, beta2), lr, eps = group["betas"], group["lr"], group["eps"]
    grads = _coupled(grads, params, group["weight_decay"])
    v, s = st["v"], st["s"]
    torch._foreach_lerp_(v, grads, 1 - beta1)            # (adam.1) v <- b1 v + (1 - b1) g
    g2 = torch._foreach_mul(grads, grads)
    step = torch._foreach_sub(s, g2)
    torch._foreach_sign_(step)
    torch._foreach_mul_(step, g2)
    torch._foreach_add_(s, step, alpha=-(1 - beta2))     # (yogi.2)
    c1, c2 = 1 - beta1 ** (t + 1), 1 - beta2 ** (t + 1)
    root = torch._foreach_sqrt(s)
    torch._foreach_div_(root, c2 ** 0.5)
    torch._foreach_add_(root, eps)                       # sqrt(s_hat) + eps  (adam.4)
    torch._foreach_addcdiv_(params, v, root, value=-lr / c1)  # (adam.3), (adam.5)


FAST_KERNELS = {
    "sgd": _sgd_fast, "adagrad": _adagrad_fast, "rmsprop": _rmsprop_fast,
    "adadelta": _adadelta_fast, "adam": _adam_fast,
    "adamw": lambda *a: _adam_fast(*a, decoupled=True), "yogi": _yogi_fast,
}
"""rule name -> fast kernel ``(group, params, grads, states, t)``; states maps a field of
the rule's state to the list of its tensors, which the kernel updates in place."""


def _fast_update(opt, group, params, t):
    """Run the fast kernel of ``opt.rule`` on ``params`` if it applies; True if it ran."""
    kernel = FAST_KERNELS.get(opt.rule.name)
    keys = ["lr", "weight_decay", *(k for k in opt.rule.hyper
                                    if k not in ("nesterov", "eps_inside_sqrt"))]
    if kernel is None or not _fast_applies(group, params, keys):
        return False
    states = [opt.state[p] for p in params]
    st = {f: [s[f] for s in states] for f in opt.rule.State._fields}
    kernel(group, params, [p.grad for p in params], st, t)
    for s in states:
        s["step"] = t + 1
    return True


class SGD(RuleOptimizer):
    r"""SGD with momentum (torch.optim's convention): v <- mu v + g; x <- x - eta (v or g + mu v)."""
    rule = R.RULES["sgd"]

    def __init__(self, params, lr=1e-3, momentum=0.0, nesterov=False, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov,
                                      weight_decay=weight_decay))


class Adagrad(RuleOptimizer):
    r"""AdaGrad: s <- s + g^2; x <- x - eta g / sqrt(s + eps)."""
    rule = R.RULES["adagrad"]

    def __init__(self, params, lr=1e-2, eps=1e-6, eps_inside_sqrt=True, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, eps=eps, eps_inside_sqrt=eps_inside_sqrt,
                                      weight_decay=weight_decay))


class RMSprop(RuleOptimizer):
    r"""RMSProp: s <- alpha s + (1 - alpha) g^2; x <- x - eta g / sqrt(s + eps)."""
    rule = R.RULES["rmsprop"]

    def __init__(self, params, lr=1e-2, alpha=0.9, eps=1e-6, eps_inside_sqrt=True,
                 weight_decay=0.0):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps,
                                      eps_inside_sqrt=eps_inside_sqrt,
                                      weight_decay=weight_decay))


class Adadelta(RuleOptimizer):
    r"""Adadelta: x <- x - lr * sqrt(Delta + eps) / sqrt(s + eps) * g."""
    rule = R.RULES["adadelta"]

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-5, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay))


class Adam(RuleOptimizer):
    r"""Adam with bias correction; ``weight_decay`` is coupled L2 as in torch.optim.Adam."""
    rule = R.RULES["adam"]

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps,
                                      weight_decay=weight_decay))


class AdamW(RuleOptimizer):
    r"""AdamW: Adam with decoupled weight decay, x <- x - eta (d + lambda x)."""
    rule = R.RULES["adamw"]
    decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps,
                                      weight_decay=weight_decay))


class Yogi(RuleOptimizer):
    r"""Yogi: Adam whose second moment changes additively, by at most (1 - beta2) g^2."""
    rule = R.RULES["yogi"]

    def __init__(self, params, lr=1e-2, betas=(0.9, 0.999), eps=1e-3, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps,
                                      weight_decay=weight_decay))


Schedule = Callable[[int], float]


class ScheduledLR(LRScheduler):
    """Drive a torch optimizer with closed-form ``optlib.schedules``.

    After ``t`` calls of ``scheduler.step()`` every group's learning rate is
    ``schedule(t)``; pass one schedule, or a list with one per parameter group.
    Call ``scheduler.step()`` right after ``optimizer.step()``; then update ``t`` uses
    ``schedule(t)``, with no lag of one epoch.
    """

    def __init__(self, optimizer, schedule: Union[Schedule, Sequence[Schedule]],
                 last_epoch: int = -1):
        n = len(optimizer.param_groups)
        self.schedules = list(schedule) if isinstance(schedule, (list, tuple)) else [schedule] * n
        if len(self.schedules) != n:
            raise ValueError(f"expected {n} schedules (one per parameter group), "
                             f"got {len(self.schedules)}")
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [float(s(self.last_epoch)) for s in self.schedules]

    _get_closed_form_lr = get_lr

    def state_dict(self):
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "schedules")}
