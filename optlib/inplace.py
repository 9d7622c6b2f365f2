r"""In-place NumPy updates: :meth:`optlib.Optimizer.step_` for large parameter vectors.

``opt.step(x, g, state)`` evaluates the rule as written (:mod:`optlib.rules`): every
``a * b`` makes a new array, so one Adam step on 10 million float64 numbers allocates
about ten 80 MB temporaries.  The kernels here run the *same* operations in the *same*
order, but write every intermediate into ``x``, the state arrays or two preallocated
scratch arrays (NumPy's ``out=``).  They use only basic IEEE operations (and the same
scalar or array powers as the rule), which are correctly rounded in every SIMD loop,
and IEEE arithmetic does not care where a result is stored, so the numbers are
identical to the last bit on every CPU (:mod:`optlib.numerics`, ``tests/test_conformance.py``);
only the memory traffic and the page faults of fresh allocations go away.

The comments name the rule's equations, as in :mod:`optlib.rules`.  A kernel computes
the rule's direction only, ``kernel(g, rule_state, t, a, b, **hyper) -> d`` (d is a view
of a scratch or state array), and is registered as the ``"inplace"`` kernel of the
algorithm's specification (:mod:`optlib.spec`); the composition around it (coupled
decay, step, decoupled decay) is :func:`_update`, written once.  An algorithm without an
in-place kernel (Newton) falls back to ``opt.step``.
"""
from __future__ import annotations

import numpy as np

__all__ = ["CHUNK", "scratch", "step_", "sgd_", "adagrad_", "rmsprop_", "adadelta_", "adam_",
           "yogi_"]


def scratch(x, n=3):
    """``n`` scratch arrays shaped like ``x`` for :func:`step_` (reuse them every step)."""
    x = np.asarray(x)
    dtype = x.dtype if x.dtype.kind == "f" else np.float64
    return tuple(np.empty(x.shape, dtype=dtype) for _ in range(n))


def _root(s, eps, inside, a):
    """a <- sqrt(s + eps) or sqrt(s) + eps (the two placements of epsilon)."""
    if inside:
        np.add(s, eps, out=a)
        return np.sqrt(a, out=a)
    np.sqrt(s, out=a)
    return np.add(a, eps, out=a)


def sgd_(g, st, t, a, b, *, momentum, nesterov):
    v = st.v
    np.multiply(v, momentum, out=v)
    np.add(v, g, out=v)                              # (momentum.1) v = mu v + g
    if not nesterov:
        return v
    np.multiply(v, momentum, out=a)
    return np.add(g, a, out=a)                       # (momentum.2) d = g + mu v


def adagrad_(g, st, t, a, b, *, eps, eps_inside_sqrt):
    np.multiply(g, g, out=a)
    np.add(st.s, a, out=st.s)                        # (adagrad.1) s = s + g^2
    return np.divide(g, _root(st.s, eps, eps_inside_sqrt, a), out=a)   # (adagrad.2)


def _leaky_square(s, g, decay, a):
    """s <- decay s + (1 - decay) (g g), in the rule's order of operations."""
    np.multiply(s, decay, out=s)
    np.multiply(g, g, out=a)
    np.multiply(a, 1 - decay, out=a)
    return np.add(s, a, out=s)


def rmsprop_(g, st, t, a, b, *, alpha, eps, eps_inside_sqrt):
    _leaky_square(st.s, g, alpha, a)                 # (rmsprop.1)
    return np.divide(g, _root(st.s, eps, eps_inside_sqrt, a), out=a)   # (rmsprop.2)


def adadelta_(g, st, t, a, b, *, rho, eps):
    _leaky_square(st.s, g, rho, a)                   # (adadelta.1)
    np.sqrt(np.add(st.delta, eps, out=a), out=a)
    np.sqrt(np.add(st.s, eps, out=b), out=b)
    np.divide(a, b, out=a)
    np.multiply(a, g, out=a)                         # (adadelta.2) g' (kept in a)
    _leaky_square(st.delta, a, rho, b)               # (adadelta.3)
    return a


def _adam_tail(st, t, a, b, beta1, beta2, eps):
    np.divide(st.v, 1 - beta1 ** (t + 1), out=a)     # (adam.3) v_hat
    np.divide(st.s, 1 - beta2 ** (t + 1), out=b)     # (adam.4) s_hat
    np.sqrt(b, out=b)
    np.add(b, eps, out=b)
    return np.divide(a, b, out=a)                    # (adam.5)


def _first_moment(v, g, beta1, a):
    np.multiply(v, beta1, out=v)
    np.multiply(g, 1 - beta1, out=a)
    np.add(v, a, out=v)                              # (adam.1)


def adam_(g, st, t, a, b, *, betas, eps):
    beta1, beta2 = betas
    _first_moment(st.v, g, beta1, a)                 # (adam.1)
    _leaky_square(st.s, g, beta2, a)                 # (adam.2)
    return _adam_tail(st, t, a, b, beta1, beta2, eps)


def yogi_(g, st, t, a, b, *, betas, eps):
    beta1, beta2 = betas
    g2 = np.multiply(g, g, out=b)
    _first_moment(st.v, g, beta1, a)                 # (adam.1)
    np.sign(np.subtract(st.s, g2, out=a), out=a)
    np.multiply(g2, 1 - beta2, out=b)
    np.multiply(b, a, out=a)
    np.subtract(st.s, a, out=st.s)                   # (yogi.2)
    return _adam_tail(st, t, a, b, beta1, beta2, eps)


CHUNK = 1 << 14
"""Elements per block: large updates run block by block, so the intermediates of a block
(a few 128 kB scratch arrays) stay in the CPU cache and only x, g and the state cross
the memory bus.  Blocking changes no number: every operation is element-wise."""


def _update(opt, kernel, x, g, rule_state, t, a, b, c):
    """One update in place, in the order of :meth:`optlib.spec.Algorithm.reference_step`:
    [coupled decay] -> the rule's in-place kernel -> the step (with decoupled decay)."""
    wd = opt.weight_decay
    if not opt.decoupled and np.any(wd):
        g = np.add(g, np.multiply(x, wd, out=c), out=c)   # add_weight_decay: g + wd x
    d = kernel(g, rule_state, t, a, b, **opt.hyper)
    _apply_step_(x, d, opt.rate(t), wd if opt.decoupled else 0.0, b)


def _apply_step_(x, d, lr, wd, b):
    """:func:`optlib.rules.apply_step` in place: x <- x - lr (d + wd x), the same operations."""
    if np.ndim(wd) == 0 and wd == 0:                      # x - lr d
        np.multiply(d, lr, out=b)
    else:                                                 # x - lr (d + wd x)
        np.multiply(x, wd, out=b)
        np.add(d, b, out=b)
        np.multiply(b, lr, out=b)
    np.subtract(x, b, out=x)


def _blockable(opt, x, g, state):
    """Every hyperparameter a scalar and every array C-contiguous with x's shape."""
    scalars = [opt.rate(state.t), opt.weight_decay]
    for v in opt.hyper.values():
        scalars += list(v) if isinstance(v, tuple) else [v]
    return (x.size > CHUNK and np.shape(g) == x.shape and x.flags.c_contiguous
            and all(np.ndim(v) == 0 for v in scalars)
            and all(arr.shape == x.shape and arr.flags.c_contiguous for arr in state.rule))


def step_(opt, x, g, state, work=None, hess=None):
    """The body of :meth:`optlib.Optimizer.step_` (see there)."""
    from .core import OptState  # noqa: PLC0415 (core imports this module)
    kernel = opt.spec.kernel("numpy", "inplace")
    if (kernel is None or not isinstance(x, np.ndarray) or not x.flags.writeable
            or x.dtype.kind != "f" or np.iscomplexobj(g)):
        x_next, new = opt.step(x, g, state, hess=hess)
        np.copyto(x, x_next)
        for old, arr in zip(state.rule, new.rule):
            np.copyto(old, arr)
        return OptState(new.t, state.rule)
    if _blockable(opt, x, g, state):
        flat = [x.reshape(-1), np.ascontiguousarray(g).reshape(-1)]
        rule = [arr.reshape(-1) for arr in state.rule]
        a, b, c = (np.empty(CHUNK, dtype=x.dtype) for _ in range(3))
        for i in range(0, x.size, CHUNK):
            j = min(i + CHUNK, x.size)
            m = j - i
            _update(opt, kernel, flat[0][i:j], flat[1][i:j],
                    type(state.rule)(*(r[i:j] for r in rule)), state.t, a[:m], b[:m], c[:m])
    else:
        a, b, c = work if work is not None else scratch(x)
        _update(opt, kernel, x, g, state.rule, state.t, a, b, c)
    return OptState(state.t + 1, state.rule)
