"""TensorList: a list of tensors with element-wise arithmetic by torch's multi-tensor kernels."""
from __future__ import annotations

import torch

__all__ = ["TensorList"]


class TensorList:
    """A list of tensors with element-wise arithmetic done by ``torch._foreach_*``.

    It lets a rule written for one array (``v = beta * v + g``) update every tensor
    of a parameter group in a few multi-tensor kernel launches: this is how the
    reference path of :mod:`optlib.torch` runs the rules of :mod:`optlib.rules`.
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
