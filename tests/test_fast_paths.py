"""The fast paths give the numbers of the reference paths (timings live in benchmarks/).

* NumPy: ``opt.step_`` (in place, block by block) equals ``opt.step`` to the last bit.
* torch: the fast kernels (fused / in-place multi-tensor) equal the reference rule path
  (``opt.fast = False``) to float64 round-off, and leave ``p.grad`` untouched.
* sweeps: one broadcast call equals a Python loop over the settings, exactly.
"""
import numpy as np
import pytest
import torch

import optlib
import optlib.inplace
import optlib.torch as ot
from optlib import objectives as O
from optlib.numerics import assert_roundoff

# name -> (NumPy factory, kwargs); the torch twin takes the same kwargs
CASES = {
    "sgd": (optlib.sgd, dict(lr=0.1)),
    "momentum_l2": (optlib.sgd, dict(lr=0.1, momentum=0.9, weight_decay=0.01)),
    "nesterov": (optlib.sgd, dict(lr=0.1, momentum=0.9, nesterov=True)),
    "adagrad": (optlib.adagrad, dict(lr=0.3)),
    "adagrad_out_l2": (optlib.adagrad, dict(lr=0.3, eps=1e-3, eps_inside_sqrt=False,
                                            weight_decay=0.05)),
    "rmsprop": (optlib.rmsprop, dict(lr=0.05, weight_decay=0.01)),
    "rmsprop_out": (optlib.rmsprop, dict(lr=0.05, alpha=0.99, eps=1e-8, eps_inside_sqrt=False)),
    "adadelta": (optlib.adadelta, dict(rho=0.9, lr=0.5, weight_decay=0.01)),
    "adam": (optlib.adam, dict(lr=0.05)),
    "adam_l2": (optlib.adam, dict(lr=0.05, betas=(0.8, 0.99), weight_decay=0.01)),
    "adamw": (optlib.adamw, dict(lr=0.05, weight_decay=0.1)),
    "yogi": (optlib.yogi, dict(lr=0.05, weight_decay=0.01)),
}
TORCH = {optlib.sgd: ot.SGD, optlib.adagrad: ot.Adagrad, optlib.rmsprop: ot.RMSprop,
         optlib.adadelta: ot.Adadelta, optlib.adam: ot.Adam, optlib.adamw: ot.AdamW,
         optlib.yogi: ot.Yogi}
IDS = list(CASES)


def _grads(steps, shape, seed=0):
    return np.random.default_rng(seed).normal(size=(steps, *shape))


def _numpy_pair(opt, shape, steps, grads=None):
    """Run step (reference) and step_ (in place) side by side; return both final states."""
    x = np.random.default_rng(1).normal(size=shape)
    y = x.copy()
    ref, fast = opt.init(x), opt.init(y)
    for g in (_grads(steps, shape) if grads is None else grads):
        x, ref = opt.step(x, g, ref)
        fast = opt.step_(y, g, fast)
    return (x, ref), (y, fast)


def _assert_identical(pair):
    (x, ref), (y, fast) = pair
    assert ref.t == fast.t
    np.testing.assert_array_equal(y, x)          # to the last bit
    for a, b in zip(ref.rule, fast.rule):
        np.testing.assert_array_equal(b, a)


@pytest.mark.parametrize("name", IDS)
def test_numpy_inplace_is_bit_identical(name):
    make, kw = CASES[name]
    _assert_identical(_numpy_pair(make(**kw), (3, 7), 12))


@pytest.mark.parametrize("name", IDS)
def test_numpy_inplace_blocks_are_bit_identical(name, monkeypatch):
    """Block by block (here blocks of 5 of 23 numbers, the last one short)."""
    monkeypatch.setattr(optlib.inplace, "CHUNK", 5)
    make, kw = CASES[name]
    _assert_identical(_numpy_pair(make(**kw), (23,), 12))


def test_numpy_inplace_broadcast_schedule_and_fallback():
    # hyperparameters broadcast over a batch axis (as in sweep) and a schedule as lr
    lrs = np.linspace(0.01, 0.3, 4)[:, None]
    _assert_identical(_numpy_pair(optlib.adam(lrs, betas=(0.9, np.array([[.9], [.99], [.999], [.5]]))),
                                  (4, 3), 10))
    _assert_identical(_numpy_pair(optlib.sgd(optlib.schedules.cosine(0.3, 0.01, 10),
                                             momentum=0.5), (50,), 10))
    # Newton has no in-place kernel: step_ falls back to step and copies
    obj = O.quadratic()
    opt = optlib.newton()
    x = np.array([1.0, -2.0])
    state = opt.step_(x, obj.grad(x), opt.init(x), hess=obj.hessian(x))
    assert state.t == 1
    np.testing.assert_allclose(x, [0.0, 0.0], atol=1e-12)


def test_numpy_inplace_keeps_arrays():
    """step_ writes into the caller's arrays and returns the next state over them."""
    opt = optlib.adam(0.1)
    x = np.ones(4)
    state = opt.init(x)
    arrays = [id(a) for a in state.rule]
    state = opt.step_(x, np.ones(4), state)
    assert [id(a) for a in state.rule] == arrays and state.t == 1
    np.testing.assert_allclose(x, 1 - 0.1 / (1 + 1e-8))


# ------------------------------------------------------------------------- torch
@pytest.fixture(autouse=True)
def one_torch_thread():
    """Tiny tensors: one thread (OpenMP threads spin when the 2 cores are shared)."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def _net(seed=0, dtype=torch.float64):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Tanh(),
                               torch.nn.Linear(16, 3)).to(dtype)


def _torch_run(cls, kw, fast, steps=25, dtype=torch.float64):
    model = _net(dtype=dtype)
    opt = cls(model.parameters(), **kw)
    opt.fast = fast
    gen = torch.Generator().manual_seed(3)
    grads = []
    for _ in range(steps):
        X = torch.randn(32, 8, generator=gen, dtype=dtype)
        y = torch.randint(0, 3, (32,), generator=gen)
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(X), y).backward()
        before = [p.grad.clone() for p in model.parameters()]
        opt.step()
        grads.append(all(torch.equal(b, p.grad) for b, p in zip(before, model.parameters())))
    return model, opt, all(grads)


@pytest.mark.parametrize("name", IDS)
def test_torch_fast_path_matches_rule(name):
    make, kw = CASES[name]
    cls = TORCH[make]
    ref_model, ref_opt, _ = _torch_run(cls, kw, fast=False)
    model, opt, grads_untouched = _torch_run(cls, kw, fast=True)
    assert grads_untouched, "the fast path must not modify p.grad"
    for a, b in zip(ref_model.parameters(), model.parameters()):
        torch.testing.assert_close(b, a, rtol=1e-12, atol=1e-14)
    for p, q in zip(ref_model.parameters(), model.parameters()):
        sa, sb = ref_opt.state[p], opt.state[q]
        assert sa.keys() == sb.keys() and sa["step"] == sb["step"]
        for k in sa:
            if k != "step":
                torch.testing.assert_close(sb[k], sa[k], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", ["adam", "adamw", "rmsprop", "adagrad_out_l2"])
def test_torch_fast_path_float32(name):
    """float32 (the benchmark's dtype): round-off of float32, nothing more."""
    make, kw = CASES[name]
    ref_model, _, _ = _torch_run(TORCH[make], kw, fast=False, dtype=torch.float32)
    model, _, _ = _torch_run(TORCH[make], kw, fast=True, dtype=torch.float32)
    for a, b in zip(ref_model.parameters(), model.parameters()):
        torch.testing.assert_close(b, a, rtol=1e-5, atol=1e-6)


def test_torch_fast_path_falls_back_on_mixed_dtypes():
    """Parameters of two dtypes in one group: no fused kernel applies, the rule runs."""
    a = torch.ones(3, dtype=torch.float64, requires_grad=True)
    b = torch.ones(2, dtype=torch.float32, requires_grad=True)
    opt = ot.Adam([a, b], lr=0.1)
    a.grad, b.grad = torch.full_like(a, 2.0), torch.full_like(b, -1.0)
    opt.step()
    torch.testing.assert_close(a, torch.full_like(a, 0.9))
    torch.testing.assert_close(b, torch.full_like(b, 1.1))


def test_fast_kernels_cover_every_rule():
    assert set(ot.FAST_KERNELS) == {n for n in optlib.rules.RULES if n != "newton"}
    assert set(optlib.inplace.KERNELS) == set(ot.FAST_KERNELS)


# ------------------------------------------------------------------------- sweeps
def test_sweep_of_many_learning_rates_equals_loop():
    """The benchmark's case, smaller: many learning rates on a 2-D quadratic, to round-off
    (a batch of 40 and 40 runs of one are different code paths)."""
    obj, x0, lrs = O.quadratic(), (-1.5, 1.0), np.linspace(0.01, 0.6, 40)
    swept = optlib.sweep(optlib.sgd, obj, x0, 30, lr=lrs, momentum=0.5)
    loop = np.stack([optlib.trajectory(optlib.sgd(lr, momentum=0.5), obj, x0, 30) for lr in lrs])
    assert_roundoff(swept, loop)



def test_adagrad_multi_tensor_path_with_eps_outside(monkeypatch):
    """Where torch's fused AdaGrad is not used (off the CPU), the multi-tensor path runs;
    here it is forced on the CPU."""
    monkeypatch.setattr(ot, "_FUSED_ADAGRAD_DEVICES", ())
    monkeypatch.setattr(torch, "_fused_adagrad_", None)          # must not be called
    make, kw = CASES["adagrad_out_l2"]
    model, _, grads_untouched = _torch_run(ot.Adagrad, kw, fast=True)
    monkeypatch.undo()
    ref_model, _, _ = _torch_run(ot.Adagrad, kw, fast=False)
    assert grads_untouched
    for a, b in zip(ref_model.parameters(), model.parameters()):
        torch.testing.assert_close(b, a, rtol=1e-12, atol=1e-14)
