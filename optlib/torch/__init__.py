"""The torch backend: the book's algorithms as real ``torch.optim.Optimizer`` subclasses.

    import optlib.torch as ot
    opt = ot.Adam(model.parameters(), lr=1e-3)

Each optimizer is made from its specification (:mod:`optlib.spec`) and runs the *same*
rule function as the NumPy backend (:mod:`optlib.rules`), applied to a whole parameter
group at once through :class:`TensorList`, whose arithmetic calls torch's multi-tensor
``torch._foreach_*`` kernels.  Where they apply, faster kernels of the same update run
instead (:mod:`optlib.torch.kernels`; ``opt.fast = False`` turns them off).
Parameters may live on any device; :func:`device` picks CUDA when it is available.

Complex parameters are refused with a ``TypeError`` (the rules square gradients with
``g * g``, which is not |g|^2 for complex numbers); optimize ``torch.view_as_real(p)``.

Modules: :mod:`~optlib.torch.tensorlist` (TensorList), :mod:`~optlib.torch.optimizer`
(RuleOptimizer and the classes), :mod:`~optlib.torch.kernels` (fast kernels),
:mod:`~optlib.torch.schedulers` (ScheduledLR).
"""
from __future__ import annotations

import torch

from ..spec import ALGORITHMS
from .kernels import FAST_KINDS
from .optimizer import CLASSES, RuleOptimizer
from .schedulers import ScheduledLR
from .tensorlist import TensorList

__all__ = ["device", "TensorList", "RuleOptimizer", *CLASSES, "ScheduledLR", "FAST_KERNELS"]


def device() -> torch.device:
    """CUDA when a GPU is present, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


globals().update(CLASSES)   # SGD, Adagrad, RMSprop, Adadelta, Adam, AdamW, Yogi

FAST_KERNELS = {name: {kind: spec.kernel("torch", kind) for kind in FAST_KINDS
                       if spec.kernel("torch", kind) is not None}
                for name, spec in ALGORITHMS.items() if spec.torch_class}
"""algorithm name -> {fast kind: kernel}, as registered in the specifications (a summary;
the optimizers look their kernels up in :data:`optlib.spec.ALGORITHMS` at every step)."""
