"""RuleOptimizer: a ``torch.optim.Optimizer`` that runs one specification (:mod:`optlib.spec`).

The classes ``optlib.torch.SGD``, ``Adam``, ... are made here from the specifications:
their ``__init__`` signature, defaults, docstring and the checks of every
hyperparameter (at construction, in every param group, in ``add_param_group`` and in
``load_state_dict``; the learning rate also at every step) come from the spec.
"""
from __future__ import annotations

from collections import defaultdict

import torch

from ..spec import ALGORITHMS, Algorithm
from .kernels import FAST_KINDS, RUNNERS, fast_applies
from .tensorlist import TensorList

__all__ = ["RuleOptimizer", "optimizer_class", "CLASSES"]


class RuleOptimizer(torch.optim.Optimizer):
    """A ``torch.optim.Optimizer`` that runs one :class:`optlib.spec.Algorithm`.

    Per-parameter state is ``{"step": int, <the rule's state fields>: tensor}``, so
    ``state_dict()`` / ``load_state_dict()`` round-trip exactly.
    """

    spec: Algorithm
    fast = True
    """Use the algorithm's fast kernels (:mod:`optlib.torch.kernels`) where they apply:
    torch's fused kernel where it computes the same formula, else in-place multi-tensor
    updates.  Set ``opt.fast = False`` to run the reference rule of :mod:`optlib.rules`
    instead; both give the same numbers to round-off (``tests/test_conformance.py``)."""
    fast_kinds = FAST_KINDS
    """The fast kinds tried, in order (e.g. ``("foreach",)`` to skip the fused kernels)."""

    def __init__(self, params, defaults):
        if callable(defaults.get("lr")):
            raise TypeError("optlib.torch optimizers take a number as lr; "
                            "wrap a schedule with optlib.torch.ScheduledLR")
        super().__init__(params, self._checked(defaults))

    # ------------------------------------------------------------------ checks
    def _checked(self, values: dict, context: str = "") -> dict:
        """Checked copies of the spec's hyperparameters in ``values`` (numbers made floats)."""
        try:
            out = self.spec.validate(values)
        except (TypeError, ValueError) as err:
            raise type(err)(f"{err}{context}") from None
        return {k: _plain(v) for k, v in out.items()}

    def add_param_group(self, param_group: dict) -> None:
        """torch's ``add_param_group``, after checking the group's hyperparameters (merged
        with the defaults) and that its parameters are real."""
        group = dict(param_group)
        merged = {**getattr(self, "defaults", {}), **group}
        group.update({k: v for k, v in self._checked(merged, " (in a param group)").items()
                      if k in group})
        params = group["params"]
        if not isinstance(params, set):           # (torch refuses sets with its own error)
            params = [params] if isinstance(params, torch.Tensor) else list(params)
        for p in params:
            if isinstance(p, torch.Tensor) and p.is_complex():
                raise TypeError(f"optlib.torch optimizers take real parameters, got a "
                                f"{p.dtype} tensor. Optimize torch.view_as_real(p) (its real "
                                "and imaginary parts as real numbers) instead.")
        group["params"] = params
        super().add_param_group(group)

    def load_state_dict(self, state_dict: dict) -> None:
        """torch's ``load_state_dict``, after checking every saved group's hyperparameters."""
        for group in state_dict["param_groups"]:
            self._checked({**self.defaults, **group}, " (in a saved param group)")
        super().load_state_dict(state_dict)

    # ------------------------------------------------------------------ the step
    def _state(self, p):
        state = self.state[p]
        if not state:
            state["step"] = 0
            for name in self.spec.State._fields:
                state[name] = torch.zeros_like(p, memory_format=torch.preserve_format)
        return state

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr = group["lr"]
            if isinstance(lr, bool) or not (isinstance(lr, (int, float)) and 0 <= lr < float("inf")):
                self._checked({"lr": lr}, " (the group's lr at this step)")
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
        states = [self.state[p] for p in params]
        if self.fast and fast_applies(self.spec, group, params):
            grads = [p.grad for p in params]
            st = {f: [s[f] for s in states] for f in self.spec.State._fields}
            for kind in self.fast_kinds:
                kernel = self.spec.kernel("torch", kind)
                if kernel is not None and RUNNERS[kind](self.spec, kernel, group, params,
                                                        grads, st, t):
                    for s in states:
                        s["step"] = t + 1
                    return
        self._reference_update(group, params, states, t)

    def _reference_update(self, group, params, states, t):
        """The rule as written, on tensor lists (torch's multi-tensor arithmetic)."""
        x = TensorList(params)
        g = TensorList([p.grad for p in params])
        state = self.spec.State(*(TensorList([s[f] for s in states])
                                  for f in self.spec.State._fields))
        hyper = {k: group[k] for k in self.spec.rule_hyper}
        x_next, new_state = self.spec.reference_step(
            x, g, state, t, group["lr"], group.get("weight_decay", 0.0), hyper,
            backend="torch")
        torch._foreach_copy_(params, x_next.tensors)
        for field, tensors in zip(self.spec.State._fields, new_state):
            for s, tensor in zip(states, tensors):
                s[field] = tensor
        for s in states:
            s["step"] = t + 1


def _plain(v):
    """Numbers as Python floats (also inside pairs); bools stay bools."""
    if isinstance(v, tuple):
        return tuple(_plain(u) for u in v)
    return v if isinstance(v, bool) else float(v)


def optimizer_class(spec: Algorithm) -> type:
    """The ``torch.optim.Optimizer`` subclass of ``spec`` (``optlib.torch.<spec.torch_class>``)."""
    sig = spec.signature("torch")
    init_sig = sig.replace(parameters=[
        sig.parameters["params"].replace(name="self"), *sig.parameters.values()])

    def __init__(self, *args, **kwargs):
        bound = init_sig.bind(self, *args, **kwargs)
        bound.apply_defaults()
        values = dict(bound.arguments)
        del values["self"]
        params = values.pop("params")
        RuleOptimizer.__init__(self, params, values)

    __init__.__signature__ = init_sig
    __init__.__qualname__ = f"{spec.torch_class}.__init__"
    doc = (f"{spec.summary}\n\nA ``torch.optim.Optimizer``; the specification is "
           f"``optlib.spec.ALGORITHMS[{spec.name!r}]`` (NumPy twin: ``optlib.{spec.name}``).")
    return type(spec.torch_class, (RuleOptimizer,),
                {"spec": spec, "__init__": __init__, "__doc__": doc,
                 "__module__": "optlib.torch"})


CLASSES = {spec.torch_class: optimizer_class(spec) for spec in ALGORITHMS.values()
           if spec.torch_class}
"""torch class name -> class, one per algorithm that has a torch backend."""
